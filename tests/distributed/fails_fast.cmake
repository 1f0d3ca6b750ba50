# Runs failing_rank under mpirun (-D MPIEXEC=..., NP=..., PROGRAM=..., FLAGS=...): the job must
# end with a non-zero exit, rank 1's one-line error, and well within the timeout.
string(TIMESTAMP start "%s")
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
execute_process(COMMAND ${MPIEXEC} ${flags} -np ${NP} ${PROGRAM} /nonexistent/train-images.idx
                RESULT_VARIABLE result ERROR_VARIABLE errors OUTPUT_VARIABLE output TIMEOUT 30)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
if(result EQUAL 0)
  message(FATAL_ERROR "the job exited 0 although rank 1 failed:\n${output}${errors}")
endif()
if(NOT errors MATCHES "rank 1: [^\n]*/nonexistent/train-images.idx")
  message(FATAL_ERROR "no one-line error from rank 1 naming the file:\n${errors}")
endif()
if(seconds GREATER 15)
  message(FATAL_ERROR "the job took ${seconds} s to end (result ${result})")
endif()
message(STATUS "exit ${result} after ${seconds} s")
