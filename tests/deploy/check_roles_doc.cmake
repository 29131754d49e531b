# docs.roles — docs/roles.md is what the services' rule tables say: runs
# trin-roles-doc (tools/roles-doc) into a scratch file and compares it with
# the committed docs/roles.md. Called by CTest with -DGEN=<trin-roles-doc>
# -DSRC=<source tree> -DOUT=<scratch file>.
execute_process(COMMAND ${GEN} ${SRC}/docs/roles.md.in ${OUT} RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "trin-roles-doc failed (${rc}): ${err}")
endif()
file(READ ${OUT} want)
file(READ ${SRC}/docs/roles.md have)
if(NOT want STREQUAL have)
  message(FATAL_ERROR
          "docs/roles.md differs from what the rule tables (services/*/*_access.c) and "
          "tools/trinctl/trinctl_requests.c say: regenerate it with "
          "`cmake --build build --target roles-doc` (edit docs/roles.md.in for the "
          "hand-written part) and commit docs/roles.md")
endif()
