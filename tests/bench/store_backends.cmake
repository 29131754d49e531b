# bench_store_backends: the lifecycle command rate on SQLite and on
# PostgreSQL (TRIN_TEST_PG) in one run, and the ratio. tests/bench/run.sh
# starts a throw-away PostgreSQL for it (tests/pg/pg-start.sh).
add_executable(bench_store_backends ${CMAKE_CURRENT_LIST_DIR}/bench_store_backends.c)
target_link_libraries(bench_store_backends PRIVATE trin_bench_util trin_testproc trin_common)
target_compile_definitions(bench_store_backends PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>")
add_dependencies(bench_store_backends trin-lifecycle)
