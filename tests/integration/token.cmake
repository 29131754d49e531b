# HTTP tokens per organisation with real processes: trin-lifecycle,
# trin-survey (webhook) and trin-aggregator (feed), tokens made and revoked
# with the trinctl binary.
if(TARGET trin-aggregator AND TARGET test_aggregator_util AND TARGET trin_survey_testkit)
  trin_test(NAME feed.tokens SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_token_feed.c
            LIBS trin_survey_testkit test_aggregator_util trin_survey PkgConfig::JANSSON)
  target_include_directories(test_feed_tokens PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_feed_tokens PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_feed_tokens trin-lifecycle trin-survey trin-aggregator trinctl)
endif()
