# gateway.*: trin-gateway in front of every service, all real processes over
# CURVE (gateway_testenv): a person's requests, the audit trail, parity with
# direct keys for every request type, idempotency across kill -9, If-Match,
# bad input.
if(TARGET trin-gateway)
  add_library(gateway_testenv STATIC ${CMAKE_CURRENT_LIST_DIR}/gateway_testenv.c)
  target_link_libraries(gateway_testenv PUBLIC trin_testproc trin_gateway PkgConfig::CMOCKA)
  set(GATEWAY_TEST_BINS
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>")
  foreach(t flow parity stream)
    trin_test(NAME gateway.${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_gateway_${t}.c
              LIBS gateway_testenv PkgConfig::JANSSON)
    target_compile_definitions(test_gateway_${t} PRIVATE ${GATEWAY_TEST_BINS})
    add_dependencies(test_gateway_${t} trin-lifecycle trin-budget trin-survey trin-benchmark
                     trin-aggregator trin-gateway)
  endforeach()
endif()
