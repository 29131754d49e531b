# audit.trail: AuditSince and `trinctl audit` against a real lifecycle over
# CURVE — who caused each event (organisation, role, key fingerprint), read
# by the admin key only; and on a plain local endpoint.
trin_test(NAME audit.trail SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_audit.c LIBS trin_testproc)
target_compile_definitions(test_audit_trail PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRINCTL_BIN="$<TARGET_FILE:trinctl>")
add_dependencies(test_audit_trail trin-lifecycle trinctl)
