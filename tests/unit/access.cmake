# Access control: roles, the gate, scopes and membership (common/trin_access).
trin_test(NAME common.access SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_access.c)
