# Every service's metrics (trin.metrics.GetMetrics) from the real
# trin-lifecycle and trin-budget processes, rendered as one Prometheus
# exposition and linted by promtool; and the aggregator's own /metrics (its
# service on a loop thread: test_aggregator_util from tests/unit).
trin_test(NAME metrics.services SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_metrics_services.c
          LIBS trin_testproc test_aggregator_util)
target_compile_definitions(test_metrics_services PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>")
target_include_directories(test_metrics_services PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
add_dependencies(test_metrics_services trin-lifecycle trin-budget)
