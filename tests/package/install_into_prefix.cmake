# cmake -DBUILD_DIR=<ktl build tree> -DPREFIX=<dir> [-DCONFIG=<cfg>] -P install_into_prefix.cmake
# Installs the build tree into a fresh prefix and checks that the package files are there
# (the FIXTURES_SETUP step of the find_package consumer test).
file(REMOVE_RECURSE "${PREFIX}")
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                        ${config_args}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed (${result})")
endif()
file(GLOB_RECURSE config_files "${PREFIX}/*/ktlConfig.cmake")
file(GLOB_RECURSE version_files "${PREFIX}/*/ktlConfigVersion.cmake")
file(GLOB_RECURSE umbrella "${PREFIX}/*/ktl/ktl.hpp")
if(NOT config_files OR NOT version_files OR NOT umbrella)
  message(FATAL_ERROR "the install into ${PREFIX} lacks ktlConfig.cmake, ktlConfigVersion.cmake "
                      "or ktl/ktl.hpp")
endif()
message(STATUS "ktl installed into ${PREFIX}: ${config_files}")
