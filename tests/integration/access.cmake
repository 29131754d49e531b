# Access control across services: the real lifecycle, budget, survey and
# benchmark processes over tcp with CURVE keys and a key registry. The call
# helpers of the budget and benchmark tests are their fragments' libraries
# (defined in fragments read later; CMake resolves the names at the end).
trin_test(NAME access.isolation SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_access_isolation.c
                  ${CMAKE_CURRENT_LIST_DIR}/curve_cluster.c
          LIBS trin_testproc trin_budget_testcalls trin_benchmark_testcalls)
target_compile_definitions(test_access_isolation PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
  TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>")
add_dependencies(test_access_isolation trin-lifecycle trin-budget trin-survey trin-benchmark)
