# *.keys_migration: each service's store written by the schema version
# before the distribution keys (docs/postgresql.md, "Distributing the
# schema") is migrated with its rows intact, and ids stay unique. Stores
# only, no processes; `.pg` twins run them on PostgreSQL.
foreach(svc lifecycle budget survey benchmark)
  if(TARGET trin_${svc})
    trin_test(NAME ${svc}.keys_migration SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_${svc}_keys.c
              LIBS trin_${svc})
  endif()
endforeach()
