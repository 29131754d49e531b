# The metrics registry and its Prometheus text (common/trin_metrics), linted
# by promtool when it is installed (Debian package prometheus).
trin_test(NAME common.metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_metrics.c)
