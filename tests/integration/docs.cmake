# The trinctl the docs describe against the built one: every command and
# option README.md and docs/*.md name is in `trinctl --help`, every command
# there is named in the docs, and the --help texts say what users got wrong
# (tests/deploy/check_docs_cli.py). Only the binary's --help runs: no service.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET trinctl)
  add_test(NAME trinctl.docs
           COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/deploy/check_docs_cli.py
                   --root ${PROJECT_SOURCE_DIR} --trinctl $<TARGET_FILE:trinctl>)
endif()

# docs/roles.md against the rule tables it is generated from (tools/roles-doc).
if(TARGET trin-roles-doc)
  add_test(NAME docs.roles
           COMMAND ${CMAKE_COMMAND} -DGEN=$<TARGET_FILE:trin-roles-doc>
                   -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/roles.md
                   -P ${PROJECT_SOURCE_DIR}/tests/deploy/check_roles_doc.cmake)
endif()
