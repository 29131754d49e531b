/* feed.push_rules — the Power BI push sender's rules as plain functions:
 * the rate window (at most N POSTs started in any window), the back-off
 * (doubling, capped), Retry-After (seconds and HTTP dates), the URL a
 * target is POSTed to and the name logs use (no key), the defaults (Power
 * BI's published limits), and the durable queue's coalescing in the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "agg_push.h"
#include "agg_store.h"

static void window_counts_starts(void **state) {
  (void)state;
  agg_push_window_t w;
  assert_int_equal(agg_push_window_init(&w, 3, 60000), 0);
  assert_int_equal(agg_push_window_wait(&w, 1000), 0);
  agg_push_window_note(&w, 1000);
  agg_push_window_note(&w, 2000);
  agg_push_window_note(&w, 3000);
  /* the fourth may start only when the first is a window old */
  assert_int_equal(agg_push_window_wait(&w, 3000), 58000);
  assert_int_equal(agg_push_window_wait(&w, 60999), 1);
  assert_int_equal(agg_push_window_wait(&w, 61000), 0);
  assert_int_equal(agg_push_window_count(&w, 3000), 3);
  assert_int_equal(agg_push_window_count(&w, 61000), 2); /* the start at 1000 is out */
  agg_push_window_note(&w, 61000);
  assert_int_equal(agg_push_window_count(&w, 61000), 3);
  assert_int_equal(agg_push_window_count(&w, 200000), 0);
  /* now the oldest of the last three is the one at 2000 */
  assert_int_equal(agg_push_window_wait(&w, 61000), 1000);
  assert_int_equal(agg_push_window_wait(&w, 62000), 0);
  /* any window of 60000 ms holds at most 3 starts, whatever the pattern */
  agg_push_window_t v;
  assert_int_equal(agg_push_window_init(&v, 120, 60000), 0);
  uint64_t starts[1000];
  int n = 0;
  for (uint64_t now = 0; now < 300000 && n < 1000; now += 7) {
    if (agg_push_window_wait(&v, now) == 0) {
      agg_push_window_note(&v, now);
      starts[n++] = now;
    }
  }
  for (int i = 0; i < n; i++) {
    int c = 0;
    for (int j = i; j < n && starts[j] < starts[i] + 60000; j++) c++;
    assert_true(c <= 120);
  }
  assert_int_equal(n, 600); /* 120 per minute over five minutes */
  agg_push_window_free(&v);
  agg_push_window_free(&w);
}

static void backoff_doubles_to_a_cap(void **state) {
  (void)state;
  assert_int_equal(agg_push_backoff_ms(0, 1000, 60000), 0);
  assert_int_equal(agg_push_backoff_ms(1, 1000, 60000), 1000);
  assert_int_equal(agg_push_backoff_ms(2, 1000, 60000), 2000);
  assert_int_equal(agg_push_backoff_ms(6, 1000, 60000), 32000);
  assert_int_equal(agg_push_backoff_ms(7, 1000, 60000), 60000);
  assert_int_equal(agg_push_backoff_ms(1000, 1000, 60000), 60000);
}

static void retry_after(void **state) {
  (void)state;
  assert_int_equal(agg_push_retry_after_ms("1", 0), 1000);
  assert_int_equal(agg_push_retry_after_ms(" 120 ", 0), 120000);
  assert_int_equal(agg_push_retry_after_ms(NULL, 0), -1);
  assert_int_equal(agg_push_retry_after_ms("soon", 0), -1);
  assert_int_equal(agg_push_retry_after_ms("5x", 0), -1);
  /* Wed, 25 Nov 2026 08:00:30 GMT is 1795593630 */
  assert_int_equal(agg_push_retry_after_ms("Wed, 25 Nov 2026 08:00:30 GMT", 1795593600), 30000);
  assert_int_equal(agg_push_retry_after_ms("Wed, 25 Nov 2026 08:00:30 GMT", 1795593700), 0);
  assert_int_equal(agg_push_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 2), 2000);
}

static void urls_and_names(void **state) {
  (void)state;
  char out[512];
  /* a push URL from Power BI's API info already names the rows */
  agg_push_target_url("https://api.powerbi.com/beta/T/datasets/D/rows?key=K", "ProjectStatus",
                      out, sizeof out);
  assert_string_equal(out, "https://api.powerbi.com/beta/T/datasets/D/rows?key=K");
  /* a dataset URL gets the table */
  agg_push_target_url("https://api.powerbi.com/v1.0/myorg/datasets/D/", "ProjectStatus", out,
                      sizeof out);
  assert_string_equal(out,
                      "https://api.powerbi.com/v1.0/myorg/datasets/D/tables/ProjectStatus/rows");
  agg_push_target_url("http://h/datasets/D?key=K", "T", out, sizeof out);
  assert_string_equal(out, "http://h/datasets/D/tables/T/rows?key=K");
  /* names carry no key and no user info */
  agg_push_target_name("https://api.powerbi.com/beta/T/datasets/D/rows?key=K", out, sizeof out);
  assert_string_equal(out, "https://api.powerbi.com/beta/T/datasets/D/rows");
  agg_push_target_name("https://user:pw@h:8443/x/rows#f", out, sizeof out);
  assert_string_equal(out, "https://h:8443/x/rows");
}

static void defaults_are_power_bi_limits(void **state) {
  (void)state;
  agg_push_options_t o = {0};
  agg_push_options_defaults(&o);
  assert_string_equal(o.table, "ProjectStatus");
  assert_int_equal(o.max_rows, 10000);
  assert_int_equal(o.window_posts, 120);
  assert_int_equal(o.window_ms, 60000);
  assert_int_equal(o.max_pending, 5);
  assert_int_equal(o.max_string, 4000);
  assert_int_equal(o.backoff_max_ms, 60000);
  /* more than Power BI allows per POST is brought back to its limit */
  agg_push_options_t big = {.max_rows = 50000};
  agg_push_options_defaults(&big);
  assert_int_equal(big.max_rows, 10000);
}

typedef struct {
  char ids[8][16];
  uint64_t seqs[8];
  int n;
} peeked_t;
static void on_entry(void *data, const char *id, uint64_t seq) {
  peeked_t *p = data;
  snprintf(p->ids[p->n], sizeof p->ids[p->n], "%s", id);
  p->seqs[p->n++] = seq;
}

static void queue_coalesces(void **state) {
  (void)state;
  trin_store_options_t so = {.location = ":memory:"};
  trin_store_t *st;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&so, &st, &err), 0);
  assert_int_equal(agg_store_migrate(st, &err), 0);
  bool added = false;
  assert_int_equal(agg_store_push_target_add(st, "T", &added, &err), 0);
  assert_true(added);
  assert_int_equal(agg_store_push_target_add(st, "T", &added, &err), 0);
  assert_false(added);
  assert_int_equal(agg_store_push_enqueue(st, "T", "P1", 1, &err), 0);
  assert_int_equal(agg_store_push_enqueue(st, "T", "P2", 2, &err), 0);
  assert_int_equal(agg_store_push_enqueue(st, "U", "P1", 1, &err), 0);
  /* P1 changes again: one entry, the newer seq */
  assert_int_equal(agg_store_push_enqueue(st, "T", "P1", 3, &err), 0);
  int64_t depth = 0;
  assert_int_equal(agg_store_push_depth(st, "T", &depth, &err), 0);
  assert_int_equal(depth, 2);
  peeked_t p = {0};
  assert_int_equal(agg_store_push_peek(st, "T", 0, 10, on_entry, &p, &err), 0);
  assert_int_equal(p.n, 2);
  assert_string_equal(p.ids[0], "P2");
  assert_string_equal(p.ids[1], "P1");
  assert_int_equal(p.seqs[1], 3);
  /* after a seq */
  p.n = 0;
  assert_int_equal(agg_store_push_peek(st, "T", 2, 10, on_entry, &p, &err), 0);
  assert_int_equal(p.n, 1);
  assert_string_equal(p.ids[0], "P1");
  /* done with the older state keeps the newer one queued */
  assert_int_equal(agg_store_push_done(st, "T", "P1", 1, &err), 0);
  assert_int_equal(agg_store_push_done(st, "T", "P2", 2, &err), 0);
  assert_int_equal(agg_store_push_depth(st, "T", &depth, &err), 0);
  assert_int_equal(depth, 1);
  assert_int_equal(agg_store_push_done(st, "T", "P1", 3, &err), 0);
  assert_int_equal(agg_store_push_depth(st, "T", &depth, &err), 0);
  assert_int_equal(depth, 0);
  assert_int_equal(agg_store_push_depth(st, "U", &depth, &err), 0);
  assert_int_equal(depth, 1);
  trin_store_destroy(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(window_counts_starts),
      cmocka_unit_test(backoff_doubles_to_a_cap),
      cmocka_unit_test(retry_after),
      cmocka_unit_test(urls_and_names),
      cmocka_unit_test(defaults_are_power_bi_limits),
      cmocka_unit_test(queue_coalesces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
