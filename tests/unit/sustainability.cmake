# Sustainability and reuse (issue 20, item 3): the lifecycle service's rules.
trin_test(NAME lifecycle.sustainability SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_lifecycle_sustain.c
          ${PROJECT_SOURCE_DIR}/services/lifecycle/lifecycle_sustain.c LIBS "")

# The aggregator's sustainability columns from the lifecycle's totals.
if(TARGET trin_aggregator AND TARGET test_aggregator_util)
  trin_test(NAME aggregator.sustainability
            SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_aggregator_sustain.c
            LIBS test_aggregator_util)
endif()

# The benchmark's sustainability figures and their ranks.
trin_test(NAME benchmark.sustainability
          SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_benchmark_sustain.c LIBS trin_benchmark)
