# HTTP tokens (common/trin_token): made, checked, listed and revoked in an
# in-memory store. sodium_memcmp is wrapped at link time so the test can
# see the constant-time compare being used.
trin_test(NAME common.token SOURCES test_token.c LIBS PkgConfig::SODIUM)
target_link_options(test_common_token PRIVATE -Wl,--wrap=sodium_memcmp)

# Which rows an organisation sees, the aggregator's request rules, and the
# one-time rebuild of a store made before membership was kept.
if(TARGET test_aggregator_util)
  trin_test(NAME aggregator.access SOURCES test_aggregator_access.c LIBS test_aggregator_util)
endif()
