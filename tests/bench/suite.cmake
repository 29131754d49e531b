# bench_suite: the performance suite of issue 10 (all five services as real
# processes; messaging against bare libzmq, freshness, portfolio scale),
# and the shared helpers of the benchmarks. Run it with tests/bench/suite.sh.
add_library(trin_bench_util STATIC ${CMAKE_CURRENT_LIST_DIR}/bench_util.c)
target_include_directories(trin_bench_util PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(trin_bench_util PUBLIC m)
# The PostgreSQL twins of the SQL comparisons (pgtwin.h).
add_library(trin_bench_pgtwin STATIC ${CMAKE_CURRENT_LIST_DIR}/pgtwin.c)
target_include_directories(trin_bench_pgtwin PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(trin_bench_pgtwin PUBLIC trin_bench_util PkgConfig::PQ PkgConfig::SQLITE3)

if(TARGET test_aggregator_util AND TARGET trin-aggregator)
  add_executable(bench_suite ${CMAKE_CURRENT_LIST_DIR}/bench_suite.c)
  target_include_directories(bench_suite PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_link_libraries(bench_suite PRIVATE trin_bench_util trin_bench_pgtwin trin_survey_testkit trin_testproc
                        trin_budget_testcalls test_aggregator_util trin_common
                        PkgConfig::JANSSON PkgConfig::SQLITE3 Threads::Threads)
  target_compile_definitions(bench_suite PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(bench_suite trin-lifecycle trin-budget trin-survey trin-benchmark
                   trin-aggregator)
endif()
