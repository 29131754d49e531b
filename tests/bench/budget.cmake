# bench_budget: portfolio recomputation in memory and durable line-update
# ingestion through the real processes. Prints figures; not a CTest.
add_executable(bench_budget ${CMAKE_CURRENT_SOURCE_DIR}/bench_budget.c)
target_link_libraries(bench_budget PRIVATE trin_budget trin_testproc trin_budget_testcalls
                      trin_common)
target_compile_definitions(bench_budget PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>")
add_dependencies(bench_budget trin-lifecycle trin-budget)
