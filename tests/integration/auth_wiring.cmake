# auth.wiring: the CURVE settings of the real processes (the tcp:// rule,
# keys and registry, services following each other over CURVE) and
# trinctl's key commands and --key options.
trin_test(NAME auth.wiring SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_auth_wiring.c
          LIBS trin_testproc trin_budget_testcalls)
target_compile_definitions(test_auth_wiring PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
  TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
  TRINCTL_BIN="$<TARGET_FILE:trinctl>")
add_dependencies(test_auth_wiring trin-lifecycle trin-budget trin-aggregator trinctl)
