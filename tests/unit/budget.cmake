# Budget unit tests: the rules compiled in directly (no store, no sockets).
trin_test(NAME budget.rules SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_budget_rules.c
          ${PROJECT_SOURCE_DIR}/services/budget/budget_rules.c LIBS "")
target_include_directories(test_budget_rules PRIVATE ${PROJECT_SOURCE_DIR}/services/budget)
