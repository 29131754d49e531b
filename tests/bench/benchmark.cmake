# bench_benchmark: loading 100,000 properties × 11 years through the real
# process, distribution + ranks and rank history queries, and the same in
# SQLite window functions and, when TRIN_TEST_PG names a server, PostgreSQL.
# Prints figures; not a CTest.
add_executable(bench_benchmark ${CMAKE_CURRENT_LIST_DIR}/bench_benchmark.c)
target_link_libraries(bench_benchmark PRIVATE trin_bench_util trin_bench_pgtwin trin_testproc
                      trin_benchmark_testcalls trin_common PkgConfig::SQLITE3)
target_compile_definitions(bench_benchmark PRIVATE
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>")
add_dependencies(bench_benchmark trin-benchmark)
