# bench_gateway: trin-gateway's figures with every service running —
# acknowledged SetMilestone over HTTP (wrk + gateway_milestones.lua) against
# the same command over ZeroMQ (bench_lifecycle's driver, compiled in),
# latency at a fixed rate, memory with 1,000 keep-alive connections. Prints
# figures; not a CTest. tests/bench/suite.sh runs it in its gateway section.
if(TARGET trin-gateway AND TARGET trinctl)
  add_executable(bench_gateway ${CMAKE_CURRENT_LIST_DIR}/bench_gateway.c)
  target_include_directories(bench_gateway PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(bench_gateway PRIVATE trin_bench_util trin_testproc trin_common
                        PkgConfig::JANSSON Threads::Threads m)
  target_compile_definitions(bench_gateway PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>"
    TRIN_GATEWAY_LUA="${CMAKE_CURRENT_LIST_DIR}/gateway_milestones.lua")
  add_dependencies(bench_gateway trin-lifecycle trin-budget trin-survey trin-benchmark
                   trin-aggregator trin-gateway trinctl)
endif()
