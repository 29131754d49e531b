# The survey service's integration tests: real trin-lifecycle and
# trin-survey processes (ipc sockets in a temporary folder each).
add_library(trin_survey_testkit STATIC ${CMAKE_CURRENT_LIST_DIR}/test_survey_common.c)
target_link_libraries(trin_survey_testkit PUBLIC trin_testproc)
target_compile_definitions(trin_survey_testkit PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
  TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>")

function(trin_survey_integration name src)
  trin_test(NAME ${name} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${src}
            LIBS trin_survey_testkit trin_survey)
  string(REPLACE "." "_" exe "test_${name}")
  target_compile_definitions(${exe} PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(${exe} trin-lifecycle trin-survey trinctl)
endfunction()

trin_survey_integration(survey.flow test_survey_flow.c)
trin_survey_integration(survey.robustness test_survey_robust.c)
trin_survey_integration(survey.webhook test_survey_webhook.c)
# Issue 20, item 7: exports as they come, through trinctl and the webhook.
trin_survey_integration(survey.exports test_survey_exports.c)
target_compile_definitions(test_survey_exports PRIVATE TRIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# Issue 19: survey alerts through the aggregator — lifecycle, survey and
# aggregator as real processes; a later round that recovers clears the row's alert.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME survey.alerts_through_aggregator
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_alerts_aggregator.c
            LIBS trin_survey_testkit test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_survey_alerts_through_aggregator PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_survey_alerts_through_aggregator PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(test_survey_alerts_through_aggregator trin-lifecycle trin-survey
                   trin-aggregator)
endif()

# Issue 19: corrections — a wrong round cleared with a reason, the alerts and
# the aggregator's row turning back, the round imported again (and trinctl).
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME survey.corrections_through_aggregator
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_corrections.c
            LIBS trin_survey_testkit test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_survey_corrections_through_aggregator PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_survey_corrections_through_aggregator PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_survey_corrections_through_aggregator trin-lifecycle trin-survey
                   trin-aggregator trinctl)
endif()

# Issue 20, item 7: exports as they come reach the status feed (lifecycle,
# survey and aggregator as real processes).
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME survey.exports_through_aggregator
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_survey_exports_feed.c
            LIBS trin_survey_testkit test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_survey_exports_through_aggregator PRIVATE
    ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_survey_exports_through_aggregator PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(test_survey_exports_through_aggregator trin-lifecycle trin-survey
                   trin-aggregator)
endif()
