# The gateway's OpenAPI document against real validators (Node.js +
# @seriousme/openapi-schema-validator, ajv and ajv-formats from
# tests/gateway/package-lock.json): every service as a process, every
# operation called. Exit 77 = skipped: node or npm missing, or `npm ci` failed.
if(TARGET trin-gateway AND TARGET trin-lifecycle AND TARGET trin-budget AND TARGET trin-survey
   AND TARGET trin-benchmark AND TARGET trin-aggregator AND TARGET trinctl)
  trin_test(NAME gateway.openapi_conformance
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gateway_conformance.c
            LIBS trin_testproc PkgConfig::JANSSON)
  target_compile_definitions(test_gateway_openapi_conformance PRIVATE
    TRIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_gateway_openapi_conformance trin-lifecycle trin-budget trin-survey
                   trin-benchmark trin-aggregator trin-gateway trinctl)
  set_tests_properties(gateway.openapi_conformance PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180)
  if(TEST gateway.openapi_conformance.pg)
    set_tests_properties(gateway.openapi_conformance.pg PROPERTIES TIMEOUT 180)
  endif()
endif()
