# Lists across partnerships (issue 19): trinctl's list commands against a
# real trin-lifecycle, and every service's lists seen by callers inside and
# outside a partnership (CURVE keys).
trin_test(NAME lists.trinctl SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lists_trinctl.c
          LIBS trin_testproc)
target_compile_definitions(test_lists_trinctl PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
  TRINCTL_BIN="$<TARGET_FILE:trinctl>")
target_link_libraries(test_lists_trinctl PRIVATE PkgConfig::JANSSON)
add_dependencies(test_lists_trinctl trin-lifecycle trin-budget trin-survey trin-benchmark trinctl)

# trin_budget_testcalls is budget.cmake's (CMake resolves the name at the end).
trin_test(NAME lists.access SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lists_access.c
                  ${CMAKE_CURRENT_LIST_DIR}/curve_cluster.c
          LIBS trin_testproc trin_budget_testcalls)
target_compile_definitions(test_lists_access PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>")
add_dependencies(test_lists_access trin-lifecycle trin-budget trin-survey trin-benchmark)
