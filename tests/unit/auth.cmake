# CurveZMQ identities (issue 7): key files, the key registry, the ZAP
# User-Id and the outbox's audit columns — files and a store, no sockets.
trin_test(NAME common.keys SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_keys.c LIBS trin_common_internal)
