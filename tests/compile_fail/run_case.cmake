# One compile-fail check (tests/compile_fail/CMakeLists.txt registers two per case):
#   cmake -DCXX=<compiler> -DFLAGS=<response file> -DSOURCE=<case.cpp> -DCONTROL=<ON|OFF>
#         -P run_case.cmake
# CONTROL=OFF: passes only if compiling SOURCE fails AND the compiler's output contains the
# sentence on the case's "// expect: " line. CONTROL=ON: compiles SOURCE with -DKTL_CONTROL (which
# swaps in the correct type) and passes only if that compiles, so no case can pass because of an
# unrelated error. Both run the compiler with -fsyntax-only (no code generation).
file(READ "${SOURCE}" text)
string(REGEX MATCH "// expect: [^\n]*" expect_line "${text}")
if(NOT expect_line)
  message(FATAL_ERROR "${SOURCE} has no \"// expect: <sentence>\" line")
endif()
string(REGEX REPLACE "^// expect: " "" expect "${expect_line}")

set(defines "")
if(CONTROL)
  set(defines -DKTL_CONTROL)
endif()
execute_process(COMMAND "${CXX}" "@${FLAGS}" ${defines} "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

if(CONTROL)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "control of ${SOURCE} (-DKTL_CONTROL) does not compile:\n${output}")
  endif()
  message(STATUS "control compiles: ${SOURCE}")
  return()
endif()
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiles, but must not (expected: ${expect})")
endif()
string(FIND "${output}" "${expect}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} fails to compile, but without the expected sentence\n"
                      "  expected: ${expect}\ncompiler output:\n${output}")
endif()
message(STATUS "fails as expected with: ${expect}")
