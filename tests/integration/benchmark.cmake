# The benchmark service's integration tests: the real trin-benchmark
# process (and, for the portfolio, real lifecycle, budget and survey
# processes when those services are part of the build).
add_library(trin_benchmark_testcalls STATIC ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_calls.c)
target_include_directories(trin_benchmark_testcalls PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(trin_benchmark_testcalls PUBLIC trin_common)

trin_test(NAME benchmark.flow SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_flow.c
          LIBS trin_testproc trin_benchmark_testcalls)
target_compile_definitions(test_benchmark_flow PRIVATE
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>" TRINCTL_BIN="$<TARGET_FILE:trinctl>")
add_dependencies(test_benchmark_flow trin-benchmark trinctl)

# Portfolio KPIs from the other services' events: only when lifecycle,
# budget and survey are part of the build. Their tests' call helpers are
# compiled in here (their libraries are defined by fragments read later).
set(BM_BUDGET_CALLS ${CMAKE_CURRENT_LIST_DIR}/test_budget_calls.c)
set(BM_SURVEY_CALLS ${CMAKE_CURRENT_LIST_DIR}/test_survey_common.c)
if(TARGET trin-lifecycle AND TARGET trin-budget AND TARGET trin-survey
   AND EXISTS ${BM_BUDGET_CALLS} AND EXISTS ${BM_SURVEY_CALLS})
  trin_test(NAME benchmark.portfolio
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_portfolio.c ${BM_BUDGET_CALLS}
                    ${BM_SURVEY_CALLS}
            LIBS trin_testproc trin_benchmark_testcalls)
  target_include_directories(test_benchmark_portfolio PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(test_benchmark_portfolio PRIVATE
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>" TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_benchmark_portfolio trin-benchmark trin-lifecycle trin-budget trin-survey
                   trinctl)
endif()

# Competitive exposure (IKU): seed 003's table of Aalborg reproduced through
# the real process and trinctl from tests/data/iku.
trin_test(NAME benchmark.iku_seed SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_iku_seed.c
          LIBS trin_testproc trin_benchmark_testcalls)
target_compile_definitions(test_benchmark_iku_seed PRIVATE
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>" TRINCTL_BIN="$<TARGET_FILE:trinctl>"
  TRIN_IKU_SEED_CSV="${CMAKE_SOURCE_DIR}/tests/data/iku/iku_seed_aalborg.csv")
add_dependencies(test_benchmark_iku_seed trin-benchmark trinctl)

# Networks (issue 20, item 8): members, an outsider and a member who left,
# with CURVE keys on the shared four-service set-up.
trin_test(NAME benchmark.network_access
          SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_network.c
                  ${CMAKE_CURRENT_LIST_DIR}/curve_cluster.c
          LIBS trin_testproc)
target_compile_definitions(test_benchmark_network_access PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>" TRINCTL_BIN="$<TARGET_FILE:trinctl>")
add_dependencies(test_benchmark_network_access trin-lifecycle trin-budget trin-survey trin-benchmark
                 trinctl)
