# The gateway's JSON <-> protobuf mapping (services/gateway/gateway_json) and
# the OpenAPI document made from the same descriptors (gateway_openapi); the
# OpenAPI test leaves the document in its build directory for a real validator.
if(TARGET trin_gateway)
  trin_test(NAME gateway.json SOURCES test_gateway_json.c LIBS trin_gateway)
  trin_test(NAME gateway.openapi SOURCES test_gateway_openapi.c LIBS trin_gateway)
endif()
