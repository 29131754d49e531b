# Included by tests/integration/CMakeLists.txt after budget.cmake (which makes
# trin_budget_testcalls).
# Earned value (issue 20 item 1): milestones' planned costs and percent
# complete (lifecycle, trinctl), Skema A and actual costs (budget), and the
# status row's spi/cpi/eac_dkk/vac_dkk in the feed and `trinctl project show`.
if(TARGET trin-aggregator AND TARGET test_aggregator_util AND TARGET trin_budget_testcalls)
  trin_test(NAME aggregator.earned_value_flow SOURCES test_earned_value_flow.c
            LIBS trin_testproc trin_budget_testcalls test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_aggregator_earned_value_flow PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_aggregator_earned_value_flow PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_aggregator_earned_value_flow trin-lifecycle trin-budget trin-aggregator trinctl)
endif()
