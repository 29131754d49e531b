# robust.*: reliability under hostile sizes and a full disk, every service
# as a real process (tests/integration/robust_*.c; issue 9).
if(TARGET trin-aggregator AND TARGET trin-benchmark AND TARGET trin-survey AND TARGET trin-budget)
  function(trin_robust name src)
    trin_test(NAME ${name} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${src} LIBS trin_testproc)
    string(REPLACE "." "_" exe "test_${name}")
    target_compile_definitions(${exe} PRIVATE
      TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>"
      TRIN_BUDGET_BIN="$<TARGET_FILE:trin-budget>"
      TRIN_SURVEY_BIN="$<TARGET_FILE:trin-survey>"
      TRIN_BENCHMARK_BIN="$<TARGET_FILE:trin-benchmark>"
      TRIN_AGGREGATOR_BIN="$<TARGET_FILE:trin-aggregator>")
    add_dependencies(${exe} trin-lifecycle trin-budget trin-survey trin-benchmark
                     trin-aggregator)
  endfunction()
  trin_robust(robust.limits robust_limits.c)
endif()

# The full disk needs a tmpfs mount (root); exit 77 = skipped, with the reason.
trin_test(NAME robust.full_disk SOURCES ${CMAKE_CURRENT_LIST_DIR}/robust_full_disk.c
          LIBS trin_testproc)
target_compile_definitions(test_robust_full_disk PRIVATE
  TRIN_LIFECYCLE_BIN="$<TARGET_FILE:trin-lifecycle>")
add_dependencies(test_robust_full_disk trin-lifecycle)
set_tests_properties(robust.full_disk PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# A subscriber that stops reading past the high-water marks (in process).
trin_test(NAME robust.slow_subscriber SOURCES ${CMAKE_CURRENT_LIST_DIR}/robust_slow_subscriber.c)
