/* gateway.rate — the gateway's token buckets with explicit times (no clock):
 * a burst goes through and the next request is refused with the right
 * Retry-After, tokens come back over time, a flood of keys is forgotten
 * without forgetting a key that is being limited, 0 per second means no
 * limit, and wrong arguments are refused with words. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "gateway_rate.h"

static gateway_rate_t *make(double per_second, double burst, size_t max_keys) {
  gateway_rate_t *r = NULL;
  trin_err_t err;
  assert_int_equal(gateway_rate_new(per_second, burst, max_keys, &r, &err), TRIN_OK);
  assert_non_null(r);
  return r;
}

static void burst_then_refused(void **state) {
  (void)state;
  gateway_rate_t *r = make(1, 3, 100);
  uint32_t wait = 99;
  for (int i = 0; i < 3; i++) {
    assert_true(gateway_rate_take(r, "tok_A", 5000, &wait));
    assert_int_equal(wait, 0);
  }
  assert_false(gateway_rate_take(r, "tok_A", 5000, &wait));
  assert_int_equal(wait, 1);
  /* Another key has its own bucket. */
  assert_true(gateway_rate_take(r, "tok_B", 5000, &wait));
  gateway_rate_destroy(&r);
  assert_null(r);

  /* One request per 10 s: the wait counts down in whole seconds. */
  r = make(0.1, 2, 100);
  assert_true(gateway_rate_take(r, "KAB", 0, &wait));
  assert_true(gateway_rate_take(r, "KAB", 0, &wait));
  assert_false(gateway_rate_take(r, "KAB", 0, &wait));
  assert_int_equal(wait, 10);
  assert_false(gateway_rate_take(r, "KAB", 4500, &wait));
  assert_int_equal(wait, 6); /* 5.5 s left: rounded up */
  assert_false(gateway_rate_take(r, "KAB", 9999, &wait));
  assert_int_equal(wait, 1); /* never 0 while refused */
  assert_true(gateway_rate_take(r, "KAB", 10000, &wait));
  assert_false(gateway_rate_take(r, "KAB", 10000, NULL)); /* NULL wait is fine */
  gateway_rate_destroy(&r);

  /* A fraction of a second per token still waits a whole second. */
  r = make(50, 1, 10);
  assert_true(gateway_rate_take(r, "10.0.0.7", 0, &wait));
  assert_false(gateway_rate_take(r, "10.0.0.7", 0, &wait));
  assert_int_equal(wait, 1);
  assert_true(gateway_rate_take(r, "10.0.0.7", 20, &wait));
  gateway_rate_destroy(&r);
}

static void refill_over_time(void **state) {
  (void)state;
  gateway_rate_t *r = make(2, 4, 100); /* 2/s, bursts of 4 */
  uint32_t wait;
  for (int i = 0; i < 4; i++) assert_true(gateway_rate_take(r, "org", 1000, &wait));
  assert_false(gateway_rate_take(r, "org", 1000, &wait));
  assert_int_equal(wait, 1);
  /* 1.5 s later: 3 tokens back, not 4. */
  for (int i = 0; i < 3; i++) assert_true(gateway_rate_take(r, "org", 2500, &wait));
  assert_false(gateway_rate_take(r, "org", 2500, &wait));
  /* Rested for a long time: the bucket holds the burst, no more. */
  for (int i = 0; i < 4; i++) assert_true(gateway_rate_take(r, "org", 100000, &wait));
  assert_false(gateway_rate_take(r, "org", 100000, &wait));
  /* A time before the last take counts as the last take: no refill. */
  assert_false(gateway_rate_take(r, "org", 50, &wait));
  assert_int_equal(wait, 1);
  /* 0.3/s: one token takes 3.34 s, so Retry-After is 4. */
  gateway_rate_t *slow = make(0.3, 1, 10);
  assert_true(gateway_rate_take(slow, "x", 0, &wait));
  assert_false(gateway_rate_take(slow, "x", 0, &wait));
  assert_int_equal(wait, 4);
  assert_false(gateway_rate_take(slow, "x", 3333, &wait));
  assert_true(gateway_rate_take(slow, "x", 3334, &wait));
  gateway_rate_destroy(&slow);
  gateway_rate_destroy(&r);
}

static void many_keys_bounded(void **state) {
  (void)state;
  gateway_rate_t *r = make(1, 2, 3); /* 1/s, bursts of 2, three buckets */
  uint32_t wait;
  /* A is drained and refused; B and C are one token short. */
  assert_true(gateway_rate_take(r, "A", 0, &wait));
  assert_true(gateway_rate_take(r, "A", 0, &wait));
  assert_false(gateway_rate_take(r, "A", 0, &wait));
  assert_true(gateway_rate_take(r, "B", 0, &wait));
  assert_true(gateway_rate_take(r, "C", 0, &wait));
  assert_int_equal(gateway_rate_count(r), 3);
  /* A flood of new keys while nothing is full: refused, with the time until
   * a bucket is full (B or C, 1 s) — and A's debt is kept. */
  char key[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "flood-%d", i);
    assert_false(gateway_rate_take(r, key, 500, &wait));
    assert_int_equal(wait, 1);
  }
  assert_int_equal(gateway_rate_count(r), 3);
  assert_false(gateway_rate_take(r, "A", 500, &wait));
  /* At 1 s B and C are full (no different from no bucket): D takes one's
   * place; A has refilled one token only, not a fresh burst of two. */
  assert_true(gateway_rate_take(r, "D", 1000, &wait));
  assert_true(gateway_rate_take(r, "A", 1000, &wait));
  assert_false(gateway_rate_take(r, "A", 1000, &wait));
  assert_int_equal(gateway_rate_count(r), 3);

  /* Thousands of keys one after another, each full again before the next
   * arrives: all go through, memory stays at three buckets. */
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof key, "peer-%d", i);
    uint64_t t = 10000 + (uint64_t)i * 2000;
    assert_true(gateway_rate_take(r, key, t, &wait));
    assert_true(gateway_rate_count(r) <= 3);
  }
  gateway_rate_destroy(&r);

  /* Many live keys in a larger limiter: each keeps its own count. */
  r = make(1, 1, 4096);
  for (int i = 0; i < 4000; i++) {
    snprintf(key, sizeof key, "org-%d", i);
    assert_true(gateway_rate_take(r, key, 0, &wait));
  }
  for (int i = 0; i < 4000; i++) {
    snprintf(key, sizeof key, "org-%d", i);
    assert_false(gateway_rate_take(r, key, 0, &wait));
  }
  assert_int_equal(gateway_rate_count(r), 4000);
  gateway_rate_destroy(&r);
}

static void zero_means_no_limit(void **state) {
  (void)state;
  gateway_rate_t *r = make(0, 0, 1);
  uint32_t wait = 7;
  for (int i = 0; i < 10000; i++) assert_true(gateway_rate_take(r, "busy", 0, &wait));
  assert_int_equal(wait, 0);
  assert_true(gateway_rate_take(r, NULL, 0, &wait));
  assert_int_equal(gateway_rate_count(r), 0); /* nothing stored */
  gateway_rate_destroy(&r);
  gateway_rate_destroy(&r); /* NULL is fine */
  gateway_rate_destroy(NULL);
}

static void wrong_arguments(void **state) {
  (void)state;
  gateway_rate_t *r = NULL;
  trin_err_t err;
  assert_int_equal(gateway_rate_new(-1, 5, 10, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "per_second");
  assert_non_null(strstr(err.message, "0 for no limit (got -1)"));
  assert_int_equal(gateway_rate_new(NAN, 5, 10, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "per_second");
  assert_int_equal(gateway_rate_new(5, 0.5, 10, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "burst");
  assert_non_null(strstr(err.message, "must be at least 1 request"));
  assert_int_equal(gateway_rate_new(5, INFINITY, 10, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "burst");
  assert_int_equal(gateway_rate_new(5, 5, 0, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "max_keys");
  assert_non_null(strstr(err.message, "at least 1"));
  assert_null(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(burst_then_refused),  cmocka_unit_test(refill_over_time),
      cmocka_unit_test(many_keys_bounded),   cmocka_unit_test(zero_means_no_limit),
      cmocka_unit_test(wrong_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
