# cmake -DINCLUDE_DIR=<repo>/include -P check_umbrella.cmake
# Fails when a public header (include/ktl/*.hpp, core/, shape/, layers/; not kernels/ or detail/,
# which the layers pull in) is missing from the umbrella header ktl/ktl.hpp.
file(READ "${INCLUDE_DIR}/ktl/ktl.hpp" umbrella)
file(GLOB public RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/ktl/*.hpp" "${INCLUDE_DIR}/ktl/core/*.hpp"
     "${INCLUDE_DIR}/ktl/shape/*.hpp" "${INCLUDE_DIR}/ktl/layers/*.hpp")
list(REMOVE_ITEM public "ktl/ktl.hpp")
set(missing "")
foreach(header IN LISTS public)
  string(FIND "${umbrella}" "#include <${header}>" at)
  if(at EQUAL -1)
    list(APPEND missing "${header}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "include/ktl/ktl.hpp does not include: ${missing}")
endif()
list(LENGTH public count)
message(STATUS "ktl.hpp includes all ${count} public headers")
