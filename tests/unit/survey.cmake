# The survey service's unit tests: rules and statistics alone, and the
# import (CSV parsing, all-or-nothing, idempotence) through an in-process
# server on ipc sockets — no service process.
trin_test(NAME survey.stats SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_stats.c LIBS trin_survey)
trin_test(NAME survey.csv SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_csv.c LIBS trin_survey)
trin_test(NAME survey.correct SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_correct.c
          LIBS trin_survey)
# Issue 20, item 7: survey exports as they come (import mappings), with the
# export-shaped files of tests/data/survey.
trin_test(NAME survey.mapping SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_mapping.c
          LIBS trin_survey)
target_compile_definitions(test_survey_mapping PRIVATE
  TRIN_SURVEY_DATA="${PROJECT_SOURCE_DIR}/tests/data/survey")
