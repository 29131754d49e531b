# Lessons learned (issue 20, item 5) through real processes: lifecycle
# driven by trinctl, the aggregator's feed following its events.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME lifecycle.lessons_flow SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lessons_flow.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_lifecycle_lessons_flow PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_lifecycle_lessons_flow PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_lifecycle_lessons_flow trin-lifecycle trin-aggregator trinctl)
endif()

# The routes through trin-gateway: the contractor records a lesson, the
# client's writer an adoption; a reader may list, not record; an outsider
# hears "no project" and lists nothing.
if(TARGET trin-gateway AND TARGET gateway_testenv)
  trin_test(NAME gateway.lessons SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gateway_lessons.c
            LIBS gateway_testenv PkgConfig::JANSSON)
  target_compile_definitions(test_gateway_lessons PRIVATE ${GATEWAY_TEST_BINS})
  add_dependencies(test_gateway_lessons trin-lifecycle trin-budget trin-survey
                   trin-benchmark trin-aggregator trin-gateway)
endif()
