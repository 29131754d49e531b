# webapp.lessons: lessons learned on the project page
# (lessons.js) in headless Chromium (tests/browser/lessons.mjs)
# against every service as real processes over CURVE (gateway_testenv).
# Skips (77) without node/chromium.
if(TARGET trin-gateway AND TARGET gateway_testenv)
  trin_test(NAME webapp.lessons SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_webapp_lessons.c
            LIBS gateway_testenv)
  target_compile_definitions(test_webapp_lessons PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>"
    TRIN_BROWSER_DIR="${PROJECT_SOURCE_DIR}/tests/browser")
  add_dependencies(test_webapp_lessons trin-lifecycle trin-budget trin-survey trin-benchmark
                   trin-aggregator trin-gateway)
  set_tests_properties(webapp.lessons PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
