# Several hosts for real (issue 8): services in their own network namespaces
# over tcp with CURVE, PostgreSQL on its own host, a link cut and restored.
# Needs root, iproute2 and Debian's PostgreSQL server; exit 77 = skipped,
# with the reason printed.
if(TARGET trin-lifecycle AND TARGET trin-budget AND TARGET trin-aggregator AND TARGET trinctl)
  add_test(NAME netns.multihost
           COMMAND ${PROJECT_SOURCE_DIR}/tests/netns/multihost.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(netns.multihost PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 240
                       LABELS "postgresql;netns")
endif()
