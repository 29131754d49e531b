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

# Corrections (issue 19): withdraw and reopen with a reason and who, through
# lifecycle, budget and the aggregator's status row, and trinctl.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME budget.corrections SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_budget_corrections.c
            LIBS trin_testproc trin_budget_testcalls test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_budget_corrections PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_budget_corrections PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_budget_corrections trin-lifecycle trin-budget trin-aggregator trinctl)
endif()
