# cmake -DFIRST=<program> -DSECOND=<program> -P same_output.cmake
# Runs both programs and fails unless each succeeds and both print exactly the same text
# (quickstart and its C++17 variant compute the same layer on the same data).
foreach(program IN ITEMS FIRST SECOND)
  execute_process(COMMAND "${${program}}" RESULT_VARIABLE result OUTPUT_VARIABLE output_${program})
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${${program}} failed (${result}):\n${output_${program}}")
  endif()
endforeach()
if(NOT output_FIRST STREQUAL output_SECOND)
  message(FATAL_ERROR "${FIRST} printed:\n${output_FIRST}\n${SECOND} printed:\n${output_SECOND}")
endif()
message(STATUS "same output:\n${output_FIRST}")
