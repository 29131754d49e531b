# The aggregator with real processes (included by tests/integration/CMakeLists.txt).
# Budget and survey processes join the scenario once their binaries exist.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME aggregator.flow SOURCES test_aggregator_flow.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_aggregator_flow PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_aggregator_flow PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(test_aggregator_flow trin-lifecycle trin-aggregator)
endif()

# Power BI push: a local receiver stands in for Power BI; in process (limits,
# refusals) and with real processes (kill -9 while the target is down).
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME feed.powerbi_push SOURCES test_feed_powerbi_push.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_feed_powerbi_push PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_feed_powerbi_push PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(test_feed_powerbi_push trin-lifecycle trin-aggregator)
endif()

# The dashboard in headless Chromium (Node.js + playwright-core from
# tests/browser/package-lock.json; Debian's /usr/bin/chromium, no browser
# download). Exit 77 = skipped: chromium, node or npm missing.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME feed.dashboard SOURCES test_feed_dashboard.c
            LIBS trin_testproc test_aggregator_util)
  target_include_directories(test_feed_dashboard PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_feed_dashboard PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>"
    TRIN_BROWSER_DIR="${PROJECT_SOURCE_DIR}/tests/browser")
  add_dependencies(test_feed_dashboard trin-lifecycle trin-aggregator trinctl)
  set_tests_properties(feed.dashboard PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()

# Corrections with a trace (issue 19): lifecycle's edits and stage
# correction, their events, and the aggregator's row after them.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME lifecycle.corrections SOURCES test_lifecycle_corrections.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_lifecycle_corrections PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_lifecycle_corrections PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
  add_dependencies(test_lifecycle_corrections trin-lifecycle trin-aggregator)
endif()

# AB18 deadlines (issue 20, item 6): lifecycle's deadlines, the aggregator's
# row and trinctl's Danish dates, with real processes.
if(TARGET trin-aggregator AND TARGET test_aggregator_util)
  trin_test(NAME lifecycle.ab18_flow SOURCES test_lifecycle_ab18.c
            LIBS trin_testproc test_aggregator_util PkgConfig::JANSSON)
  target_include_directories(test_lifecycle_ab18_flow PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
  target_compile_definitions(test_lifecycle_ab18_flow PRIVATE
    TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
    TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>"
    TRINCTL_BIN="$<TARGET_FILE:trinctl>")
  add_dependencies(test_lifecycle_ab18_flow trin-lifecycle trin-aggregator trinctl)
endif()
