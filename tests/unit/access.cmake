# Access control: roles, the gate, scopes and membership (common/trin_access),
# membership as lifecycle's events carry it (services/lifecycle/lifecycle_membership).
trin_test(NAME common.access SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_access.c
          LIBS trin_lifecycle_membership)
