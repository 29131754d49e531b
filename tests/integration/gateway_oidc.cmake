# The gateway's OpenID Connect tokens against a real OpenID provider
# (Node.js + oidc-provider from tests/oidc/package-lock.json, started by the
# test). Exit 77 = skipped: node or npm missing, or `npm ci` failed.
if(TARGET trin_gateway)
  trin_test(NAME gateway.oidc SOURCES test_gateway_oidc.c LIBS trin_gateway)
  target_compile_definitions(test_gateway_oidc PRIVATE TRIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                             TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>")
  add_dependencies(test_gateway_oidc trin-gateway)
  set_tests_properties(gateway.oidc PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 240)
endif()
