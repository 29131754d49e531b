# auth.*: CurveZMQ identities (issue 7) — a server behind CURVE and the ZAP
# handler over tcp://127.0.0.1, in process (tests/integration/test_auth_curve.c).
trin_test(NAME auth.curve SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_auth_curve.c
          LIBS trin_common_internal)
