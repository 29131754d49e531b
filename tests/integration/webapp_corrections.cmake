# webapp.corrections: the corrections of issue 19 in the web app (services/
# gateway/web: app.js's project facts and stage history, survey.js's rounds
# and alerts) in headless Chromium (tests/browser/corrections.mjs) against
# every service as real processes over CURVE (gateway_testenv). Skips (77)
# without node/chromium.
if(TARGET trin-gateway AND TARGET gateway_testenv)
  trin_test(NAME webapp.corrections SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_webapp_corrections.c
            LIBS gateway_testenv)
  target_compile_definitions(test_webapp_corrections PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>"
    TRIN_BROWSER_DIR="${PROJECT_SOURCE_DIR}/tests/browser")
  add_dependencies(test_webapp_corrections trin-lifecycle trin-budget trin-survey trin-benchmark
                   trin-aggregator trin-gateway)
  set_tests_properties(webapp.corrections PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
