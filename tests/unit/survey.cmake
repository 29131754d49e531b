# The survey service's unit tests: rules and statistics alone, and the
# import (CSV parsing, all-or-nothing, idempotence) through an in-process
# server on ipc sockets — no service process.
trin_test(NAME survey.stats SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_stats.c LIBS trin_survey)
trin_test(NAME survey.csv SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_csv.c LIBS trin_survey)
trin_test(NAME survey.correct SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_correct.c
          LIBS trin_survey)
