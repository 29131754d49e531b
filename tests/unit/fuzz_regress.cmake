# Regression tests for what the fuzz targets (tests/fuzz) found: each crashing
# input, kept as a plain unit test that runs in every ./tests/run.sh.
trin_test(NAME fuzz_regress.codec SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fuzz_regress_codec.c)
