# robust.http_slow_clients: 1,100 trickling connections from one loopback
# address against a real trin-aggregator's HTTP feed (common/trin_http's
# deadlines, per-address cap and shedding), while a normal client from
# another loopback address is answered every time. Heavy on sockets: run
# alone. Exit 77 = skipped (file limit too low, no 127.0.0.2/3).
if(TARGET trin-aggregator)
  trin_test(NAME robust.http_slow_clients
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_slow_clients.c LIBS trin_testproc)
  target_compile_definitions(test_robust_http_slow_clients PRIVATE
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(test_robust_http_slow_clients trin-aggregator)
  set_tests_properties(robust.http_slow_clients PROPERTIES SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
  if(TEST robust.http_slow_clients.pg)
    set_tests_properties(robust.http_slow_clients.pg PROPERTIES RUN_SERIAL TRUE)
  endif()
  if(TARGET trin-gateway)
    # The same 1,100 trickling connections against the gateway's API.
    target_compile_definitions(test_robust_http_slow_clients PRIVATE
      TRIN_GATEWAY_BIN="$<TARGET_FILE:trin-gateway>")
    add_dependencies(test_robust_http_slow_clients trin-gateway)
    add_test(NAME gateway.slow_clients COMMAND test_robust_http_slow_clients gateway)
    set_tests_properties(gateway.slow_clients PROPERTIES SKIP_RETURN_CODE 77 RUN_SERIAL TRUE
                         TIMEOUT 300)
  endif()
endif()
