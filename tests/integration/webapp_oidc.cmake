# webapp.oidc: signing in to the web app through a real OpenID provider
# (tests/oidc/app-provider.mjs) in headless Chromium (tests/browser/oidc.mjs).
# Skips (77) without node 20+, npm or chromium.
if(TARGET trin-gateway AND TARGET gateway_testenv)
  trin_test(NAME webapp.oidc SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_webapp_oidc.c
            LIBS gateway_testenv)
  target_compile_definitions(test_webapp_oidc PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>"
    TRIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(test_webapp_oidc trin-lifecycle trin-budget trin-survey trin-benchmark
                   trin-aggregator trin-gateway)
  set_tests_properties(webapp.oidc PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
