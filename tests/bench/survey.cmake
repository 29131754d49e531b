# bench_survey: CSV import of 1,000,000 responses × 10 statements and the
# results of one round from the 10,000,000-answer store, on the real
# processes. Prints figures, judges nothing; --quick for a smaller run.
add_executable(bench_survey ${CMAKE_CURRENT_LIST_DIR}/bench_survey.c)
target_link_libraries(bench_survey PRIVATE trin_survey_testkit trin_common)
target_compile_definitions(bench_survey PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>")
add_dependencies(bench_survey trin-lifecycle trin-survey)
