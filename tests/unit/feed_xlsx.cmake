# The feed for spreadsheets (tests/unit/test_feed_xlsx.c): CSV injection,
# the Danish Excel CSV and /api/v1/status.xlsx, read back by
# tests/integration/aggregator_feed_check.py.
if(TARGET trin_aggregator AND TARGET test_aggregator_util)
  trin_test(NAME feed.xlsx SOURCES test_feed_xlsx.c LIBS test_aggregator_util)
  target_compile_definitions(test_feed_xlsx PRIVATE
    AGG_FEED_CHECK="${PROJECT_SOURCE_DIR}/tests/integration/aggregator_feed_check.py")
endif()
