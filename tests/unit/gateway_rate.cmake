# The gateway's rate limiter (services/gateway/gateway_rate): token buckets
# per key with explicit times, no clock.
if(TARGET trin_gateway)
  trin_test(NAME gateway.rate SOURCES test_gateway_rate.c LIBS trin_gateway)
endif()
