# The benchmark service's unit tests: rules, statistics and the in-memory
# index alone — no sockets, no processes.
trin_test(NAME benchmark.stats SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_stats.c
          LIBS trin_benchmark)
trin_test(NAME benchmark.figures SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_figures.c
          LIBS trin_benchmark)
trin_test(NAME benchmark.ranks SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_ranks.c
          LIBS trin_benchmark)
trin_test(NAME benchmark.years SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_years.c
          LIBS trin_benchmark)
trin_test(NAME benchmark.survey_events
          SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_survey_events.c LIBS trin_benchmark)
trin_test(NAME benchmark.lifecycle_events
          SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_lifecycle_events.c LIBS trin_benchmark)
trin_test(NAME benchmark.budget_events
          SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_budget_events.c LIBS trin_benchmark)
trin_test(NAME benchmark.iku SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_iku.c
          LIBS trin_benchmark)
trin_test(NAME benchmark.repetition SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_repetition.c
          LIBS trin_benchmark)
# networks (issue 20 item 8): benchlearning circles and buyer groups
trin_test(NAME benchmark.network SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_network.c
          LIBS trin_benchmark)
# What the figure and the network queries share (benchmark_view).
trin_test(NAME benchmark.view SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_benchmark_view.c
          LIBS trin_benchmark)
