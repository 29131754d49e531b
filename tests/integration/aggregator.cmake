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
