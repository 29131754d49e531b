# Budget integration tests: the real trin-lifecycle and trin-budget
# processes. The shared call helpers are a small library of their own.
add_library(trin_budget_testcalls STATIC ${CMAKE_CURRENT_SOURCE_DIR}/test_budget_calls.c)
target_include_directories(trin_budget_testcalls PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(trin_budget_testcalls PUBLIC trin_common)

function(trin_budget_integration name src)
  trin_test(NAME ${name} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${src}
            LIBS trin_testproc trin_budget_testcalls)
  string(REPLACE "." "_" exe "test_${name}")
  target_compile_definitions(${exe} PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(${exe} trin-lifecycle trin-budget trinctl)
endfunction()

trin_budget_integration(budget.flow test_budget_flow.c)
trin_budget_integration(budget.robustness test_budget_robust.c)
