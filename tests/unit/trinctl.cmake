# trinctl's unit tests: the text output's number formatting alone, compiled
# with the module it tests (trinctl itself is an executable, not a library).
trin_test(NAME trinctl.numbers SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_trinctl_numbers.c
          ${PROJECT_SOURCE_DIR}/tools/trinctl/trinctl_print.c LIBS trin_lifecycle)
target_include_directories(test_trinctl_numbers PRIVATE ${PROJECT_SOURCE_DIR}/tools/trinctl)
