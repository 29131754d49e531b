# lifecycle.connection_loss.pg: the lifecycle service on PostgreSQL while the
# database cuts its sessions. PostgreSQL only (label pg, no SQLite twin);
# skipped (77) with the reason when TRIN_TEST_PG names no server.
find_package(Threads REQUIRED)
add_executable(test_pg_connection_loss ${CMAKE_CURRENT_LIST_DIR}/test_pg_connection_loss.c)
target_link_libraries(test_pg_connection_loss PRIVATE trin_testproc trin_common
                      PkgConfig::CMOCKA Threads::Threads)
target_compile_definitions(test_pg_connection_loss PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_PG_RESTART="${PROJECT_SOURCE_DIR}/tests/pg/pg-restart.sh")
add_dependencies(test_pg_connection_loss trin-lifecycle)
add_test(NAME lifecycle.connection_loss.pg COMMAND test_pg_connection_loss)
# RUN_SERIAL: it restarts the server every `.pg` test shares, so under
# `ctest -j` it must not run beside them.
set_tests_properties(lifecycle.connection_loss.pg PROPERTIES TIMEOUT 300 LABELS pg RUN_SERIAL TRUE
                     SKIP_RETURN_CODE 77 ENVIRONMENT "TRIN_TEST_BACKEND=postgresql")
