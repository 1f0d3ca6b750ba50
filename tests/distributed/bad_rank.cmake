# Runs a program under mpirun with two ranks whose command lines differ: both get ARGS, rank 0
# also GOOD and rank 1 also BAD (a bad flag value, or a valid setting rank 0 does not share). The whole job must
# end with exit code 2, rank 1's one-line error matching EXPECT (a regex), and within 10 seconds,
# never leave rank 0 waiting. -D MPIEXEC=... FLAGS=... PROGRAM=... ARGS=... GOOD=... BAD=...
# EXPECT=...
# OUT=<an empty folder for the run>.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
separate_arguments(args UNIX_COMMAND "${ARGS} --out ${OUT}/run")
separate_arguments(good UNIX_COMMAND "${GOOD}")
separate_arguments(bad UNIX_COMMAND "${BAD}")
string(TIMESTAMP start "%s")
execute_process(COMMAND ${MPIEXEC} ${flags} -np 1 ${PROGRAM} ${args} ${good} : -np 1 ${PROGRAM}
                        ${args} ${bad}
                WORKING_DIRECTORY "${OUT}"
                RESULT_VARIABLE result ERROR_VARIABLE errors OUTPUT_VARIABLE output TIMEOUT 60)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
if(NOT result EQUAL 2)
  message(FATAL_ERROR "exit ${result} after ${seconds} s, expected 2:\n${output}${errors}")
endif()
if(NOT errors MATCHES "${EXPECT}")
  message(FATAL_ERROR "no line matching '${EXPECT}':\n${errors}")
endif()
if(seconds GREATER 10)
  message(FATAL_ERROR "the job took ${seconds} s to end")
endif()
message(STATUS "exit ${result} after ${seconds} s")
