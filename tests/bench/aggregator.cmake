# bench_aggregator: the aggregator's figures (see the file's comment).
if(TARGET test_aggregator_util)
  add_executable(bench_aggregator bench_aggregator.c)
  target_include_directories(bench_aggregator PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_link_libraries(bench_aggregator PRIVATE test_aggregator_util Threads::Threads)
endif()
