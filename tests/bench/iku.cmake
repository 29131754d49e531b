# bench_iku: competitive exposure (IKU) — ranks and ten-year rank history for
# 98 municipalities × 6 main accounts, cold from a fresh store. Prints
# figures; not a CTest.
add_executable(bench_iku ${CMAKE_CURRENT_LIST_DIR}/bench_iku.c)
target_link_libraries(bench_iku PRIVATE trin_bench_util trin_benchmark trin_common)
