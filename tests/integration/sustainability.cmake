# Sustainability and reuse (issue 20, item 3) through real processes:
# lifecycle driven by trinctl, the aggregator's feed and the benchmark's
# figures following its events.
if(TARGET trin-aggregator AND TARGET trin-benchmark AND TARGET test_aggregator_util)
  trin_test(NAME lifecycle.sustainability_flow SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sustain_flow.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_lifecycle_sustainability_flow PRIVATE
                             ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_lifecycle_sustainability_flow PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_lifecycle_sustainability_flow trin-lifecycle trin-aggregator
                   trin-benchmark trinctl)
endif()

# The route through trin-gateway: a writer's token records a measure, a
# contractor's is refused saying who may, an outsider hears "no project".
if(TARGET trin-gateway AND TARGET gateway_testenv)
  trin_test(NAME gateway.sustainability SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gateway_sustain.c
            LIBS gateway_testenv PkgConfig::JANSSON)
  target_compile_definitions(test_gateway_sustainability PRIVATE ${GATEWAY_TEST_BINS})
  add_dependencies(test_gateway_sustainability trin-lifecycle trin-budget trin-survey
                   trin-benchmark trin-aggregator trin-gateway)
endif()
