# The SQLite-to-PostgreSQL translation of the PostgreSQL store. (The store
# and outbox tests have `.pg` twins that run on PostgreSQL: see trin_test in
# tests/CMakeLists.txt and docs/postgresql.md.)
trin_test(NAME common.sql_dialect SOURCES test_sql_dialect.c LIBS trin_common_internal)
