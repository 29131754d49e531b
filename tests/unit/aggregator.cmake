# The aggregator's unit and feed tests (included by tests/unit/CMakeLists.txt).
# Feed tests run the aggregator service on a loop thread in the test process
# with an in-memory store, and talk HTTP to it.
if(TARGET trin_aggregator)
  find_package(Threads REQUIRED)
  add_library(test_aggregator_util STATIC test_aggregator_util.c)
  target_link_libraries(test_aggregator_util PUBLIC trin_aggregator Threads::Threads PkgConfig::JANSSON)
  set(AGG_FEED_CHECK ${PROJECT_SOURCE_DIR}/tests/integration/aggregator_feed_check.py)

  trin_test(NAME aggregator.rows SOURCES test_aggregator_rows.c LIBS test_aggregator_util)
  trin_test(NAME aggregator.earned_value SOURCES test_aggregator_ev.c LIBS trin_aggregator)
  trin_test(NAME feed.odata_paging SOURCES test_feed_odata_paging.c
            LIBS test_aggregator_util PkgConfig::JANSSON)
  trin_test(NAME feed.odata_query SOURCES test_feed_odata_query.c
            LIBS test_aggregator_util PkgConfig::JANSSON)
  trin_test(NAME feed.http SOURCES test_feed_http.c LIBS test_aggregator_util PkgConfig::JANSSON)
  trin_test(NAME feed.sse_resume SOURCES test_feed_sse.c
            LIBS test_aggregator_util PkgConfig::JANSSON)
  trin_test(NAME feed.push_rules SOURCES test_feed_push_rules.c LIBS test_aggregator_util)
  trin_test(NAME aggregator.pub SOURCES test_aggregator_pub.c LIBS test_aggregator_util)
  # issue 20, item 6: AB18 deadline columns
  trin_test(NAME aggregator.ab18 SOURCES test_aggregator_ab18.c LIBS test_aggregator_util)
  foreach(t feed_odata_query feed_http)
    target_compile_definitions(test_${t} PRIVATE AGG_FEED_CHECK="${AGG_FEED_CHECK}")
  endforeach()
endif()
