/* trin_strmap: borrowed keys map to their values through growth, a second
 * put replaces, absent keys read -1, and free leaves an empty map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "trin_strmap.h"

static void grows_and_finds_every_key(void **state) {
  (void)state;
  static char keys[5000][12];
  trin_strmap_t m = {0};
  assert_int_equal(trin_strmap_get(&m, "x"), -1);
  for (int i = 0; i < 5000; i++) {
    snprintf(keys[i], sizeof keys[i], "P-%d", i);
    assert_int_equal(trin_strmap_put(&m, keys[i], i), 0);
  }
  assert_int_equal(trin_strmap_count(&m), 5000);
  for (int i = 0; i < 5000; i++) assert_int_equal(trin_strmap_get(&m, keys[i]), i);
  assert_int_equal(trin_strmap_get(&m, "P-5000"), -1);
  assert_int_equal(trin_strmap_get(&m, ""), -1);
  /* Another string with the same text finds the entry: keys compare by text. */
  char same[12] = "P-42";
  assert_int_equal(trin_strmap_get(&m, same), 42);
  assert_int_equal(trin_strmap_put(&m, same, 7), 0);
  assert_int_equal(trin_strmap_count(&m), 5000);
  assert_int_equal(trin_strmap_get(&m, "P-42"), 7);
  trin_strmap_free(&m);
  assert_int_equal(trin_strmap_count(&m), 0);
  assert_int_equal(trin_strmap_get(&m, "P-1"), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(grows_and_finds_every_key)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
