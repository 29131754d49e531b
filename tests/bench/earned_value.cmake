# bench_earned_value: earned value recomputed for every row when the date
# turns (issue 20 item 1; see the file's comment).
if(TARGET trin_aggregator)
  add_executable(bench_earned_value bench_earned_value.c)
  target_link_libraries(bench_earned_value PRIVATE trin_aggregator trin_bench_util)
endif()
