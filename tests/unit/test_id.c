/* Unit tests for common/trin_id and common/trin_text: ids people choose, ids
 * trin makes, the checks on free text (UTF-8, control characters, length)
 * and the UTF-8 sanitiser error messages go through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trin_id.h"
#include "trin_text.h"

static void id_ok(const char *id) {
  trin_err_t err;
  int rc = trin_id_check(id, "project_id", &err);
  if (rc != TRIN_OK) print_message("'%s': %s\n", id, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(trin_id_check_optional(id, "project_id", NULL), TRIN_OK);
}

static void id_bad(const char *id) {
  trin_err_t err;
  trin_err_clear(&err);
  int rc = trin_id_check(id, "project_id", &err);
  if (rc == TRIN_OK) print_message("'%s' was accepted\n", id);
  assert_int_equal(rc, TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "project_id");
  assert_true(err.message[0] != '\0');
  if (id != NULL && id[0] != '\0')
    assert_int_equal(trin_id_check_optional(id, "project_id", NULL), TRIN_EINVALID);
}

static void test_id_check(void **state) {
  char id[TRIN_ID_MAX + 2];
  memset(id, 'a', sizeof id);
  id[TRIN_ID_MAX] = '\0';
  id_ok(id); /* 64 */
  id[TRIN_ID_MAX] = 'a';
  id[TRIN_ID_MAX + 1] = '\0';
  id_bad(id); /* 65 */

  id_ok("a");
  id_ok("Z");
  id_ok("7");
  id_ok("P-2026.001");
  id_ok("org:kab_01");
  id_ok("0-._:");
  id_ok("KAB-Boegeparken");

  id_bad("");
  id_bad(NULL);
  id_bad("-abc");
  id_bad(".abc");
  id_bad("_abc");
  id_bad(":abc");
  id_bad("a b");
  id_bad(" a");
  id_bad("a ");
  id_bad("Bøgeparken");
  id_bad("\xc3\x86r\xc3\xb8");
  id_bad("a\xff");
  id_bad("a/b");
  id_bad("a\\b");
  id_bad("a,b");
  id_bad("a;b");
  id_bad("a\"b");
  id_bad("a'b");
  id_bad("a\tb");
  id_bad("a\nb");
  id_bad("a?b");
  id_bad("a#b");
  id_bad("a%20b");

  trin_err_t err;
  trin_id_check(id, "org_id", &err);
  assert_string_equal(err.field, "org_id");
  assert_non_null(strstr(err.message, "64"));
  trin_id_check("", "org_id", &err);
  assert_non_null(strstr(err.message, "required"));
  trin_id_check("a/b", "org_id", &err);
  assert_non_null(strstr(err.message, "a/b"));
}

static void test_id_optional(void **state) {
  assert_int_equal(trin_id_check_optional("", "partnership_id", NULL), TRIN_OK);
  assert_int_equal(trin_id_check_optional(NULL, "partnership_id", NULL), TRIN_OK);
  assert_int_equal(trin_id_check_optional("p1", "partnership_id", NULL), TRIN_OK);
  trin_err_t err;
  assert_int_equal(trin_id_check_optional("-p1", "partnership_id", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "partnership_id");
}

static int cmp(const void *a, const void *b) {
  return memcmp(a, b, TRIN_ID_RANDOM_BUF);
}

static void test_random(void **state) {
  enum { N = 5000 };
  static char ids[N][TRIN_ID_RANDOM_BUF];
  int seen[16] = {0};
  for (int i = 0; i < N; i++) {
    memset(ids[i], 'X', TRIN_ID_RANDOM_BUF);
    trin_id_random(ids[i]);
    assert_int_equal(strlen(ids[i]), 32);
    for (int j = 0; j < 32; j++) {
      char c = ids[i][j];
      assert_true((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
      seen[c <= '9' ? c - '0' : c - 'a' + 10]++;
    }
    assert_int_equal(trin_id_check(ids[i], "correlation_id", NULL), TRIN_OK);
  }
  qsort(ids, N, sizeof ids[0], cmp);
  for (int i = 1; i < N; i++) assert_true(strcmp(ids[i - 1], ids[i]) != 0);
  /* Every hex digit shows up about 1/16 of the time (10,000 each here);
   * a broken generator (all zeros, one nibble) fails this by far. */
  for (int k = 0; k < 16; k++) {
    assert_true(seen[k] > 8500);
    assert_true(seen[k] < 11500);
  }
}

static void text_ok(const char *text, size_t max) {
  trin_err_t err;
  int rc = trin_text_check(text, max, "name", &err);
  if (rc != TRIN_OK) print_message("'%s': %s\n", text, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(trin_text_check_optional(text, max, "name", NULL), TRIN_OK);
}

static void text_bad(const char *text, size_t max) {
  trin_err_t err;
  trin_err_clear(&err);
  int rc = trin_text_check(text, max, "name", &err);
  if (rc == TRIN_OK) print_message("'%s' was accepted\n", text);
  assert_int_equal(rc, TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "name");
  assert_true(err.message[0] != '\0');
  if (text != NULL && text[0] != '\0')
    assert_int_equal(trin_text_check_optional(text, max, "name", NULL), TRIN_EINVALID);
}

static void test_text_valid(void **state) {
  text_ok("Bøgeparken Ærø", 200);
  text_ok("Helhedsplan for Bøgeparken, afd. 12 – etape 2", 200);
  text_ok("tab\tis fine", 200);
  text_ok("\xf0\x9f\x98\x80", 200);         /* U+1F600, 4 bytes */
  text_ok("\xf4\x8f\xbf\xbf", 200);         /* U+10FFFF, the last code point */
  text_ok("\xef\xbf\xbf", 200);             /* U+FFFF */
  text_ok("\xed\x9f\xbf", 200);             /* U+D7FF, just below surrogates */
  text_ok("\xee\x80\x80", 200);             /* U+E000, just above them */
  text_ok("\xc2\xa0", 200);                 /* U+00A0 no-break space */
  text_ok("\xe2\x80\x8b", 200);             /* U+200B */
  text_ok("~ DEL-free ASCII !", 200);
}

static void test_text_invalid(void **state) {
  text_bad("", 200);
  text_bad(NULL, 200);
  text_bad("\xff", 200);
  text_bad("ab\xfe", 200);
  text_bad("\x80", 200);                    /* lone continuation byte */
  text_bad("B\xf8geparken", 200);           /* Latin-1, not UTF-8 */
  text_bad("\xc3", 200);                    /* cut short at the end */
  text_bad("\xe2\x82", 200);
  text_bad("\xf0\x9f\x98", 200);
  text_bad("\xc3\x28", 200);                /* bad continuation */
  text_bad("\xc0\xaf", 200);                /* overlong '/' */
  text_bad("\xc1\xbf", 200);
  text_bad("\xe0\x80\xaf", 200);
  text_bad("\xe0\x9f\xbf", 200);            /* overlong U+07FF */
  text_bad("\xf0\x80\x80\xaf", 200);
  text_bad("\xf0\x8f\xbf\xbf", 200);        /* overlong U+FFFF */
  text_bad("\xed\xa0\x80", 200);            /* surrogate U+D800 */
  text_bad("\xed\xbf\xbf", 200);            /* surrogate U+DFFF */
  text_bad("\xf4\x90\x80\x80", 200);        /* U+110000 */
  text_bad("\xf5\x80\x80\x80", 200);
  text_bad("\xf8\x88\x80\x80\x80", 200);

  /* Control characters, tab excepted: C0, DEL and C1. */
  text_bad("line\nbreak", 200);
  text_bad("cr\r", 200);
  text_bad("\x01", 200);
  text_bad("esc\x1b[31m", 200);
  text_bad("\x1f", 200);
  text_bad("del\x7f", 200);
  text_bad("c1\xc2\x80", 200);              /* U+0080 */
  text_bad("c1\xc2\x9f", 200);              /* U+009F */

  trin_err_t err;
  trin_text_check("ok\xff", 200, "name", &err);
  assert_non_null(strstr(err.message, "UTF-8"));
  trin_text_check("ok\n", 200, "name", &err);
  assert_non_null(strstr(err.message, "control"));
}

static void test_text_length(void **state) {
  /* max counts bytes: "ø" is two. */
  text_ok("abc", 3);
  text_bad("abcd", 3);
  text_ok("\xc3\xb8", 2);
  text_bad("\xc3\xb8", 1);
  text_ok("\xc3\xb8\xc3\xb8", 4);
  text_bad("\xc3\xb8\xc3\xb8x", 4);

  char big[1002];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  text_bad(big, 1000);
  big[1000] = '\0';
  text_ok(big, 1000);
  trin_err_t err;
  trin_text_check("abcd", 3, "name", &err);
  assert_non_null(strstr(err.message, "at most 3"));
}

static void test_text_optional(void **state) {
  assert_int_equal(trin_text_check_optional(NULL, 10, "note", NULL), TRIN_OK);
  assert_int_equal(trin_text_check_optional("", 10, "note", NULL), TRIN_OK);
  trin_err_t err;
  assert_int_equal(trin_text_check("", 10, "note", &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "required"));
  assert_int_equal(trin_text_check_optional("\x01", 10, "note", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "note");
}

/* Where the rule breaks, and what the sanitiser leaves: valid UTF-8 stays
 * byte for byte, every byte of a broken sequence becomes '?'. */
static void test_text_fault_and_sanitize(void **state) {
  (void)state;
  size_t at = 99;
  assert_int_equal(trin_text_typed_fault("B\xc3\xb8g", 4, &at), TRIN_TEXT_FINE);
  assert_int_equal(at, 4);
  assert_int_equal(trin_text_typed_fault("ab\x01", 3, &at), TRIN_TEXT_CONTROL);
  assert_int_equal(at, 2);
  assert_int_equal(trin_text_typed_fault("\xc3\xb8\xff", 3, &at), TRIN_TEXT_NOT_UTF8);
  assert_int_equal(at, 2);
  assert_int_equal(trin_text_utf8_len("\xf0\x9f\x98\x80", 4), 4);
  assert_int_equal(trin_text_utf8_len("\xc3", 2), 0); /* the NUL ends it */
  /* A buffer without a NUL: a sequence cut by its end is not read past it
   * (the fuzzer's find: a CSV ending in 0xF3). */
  char ae[3] = {'e', (char)0xc3, (char)0xa6};
  assert_int_equal(trin_text_utf8_len(ae + 1, 2), 2);
  assert_int_equal(trin_text_utf8_len(ae + 1, 1), 0);
  assert_int_equal(trin_text_utf8_len(ae + 2, 0), 0);
  /* A C2 at the very end of a typed field is not read past either. */
  assert_int_equal(trin_text_typed_fault(ae, 2, &at), TRIN_TEXT_NOT_UTF8);
  assert_int_equal(at, 1);

  char ok[] = "Bøgeparken Ærø \xf0\x9f\x98\x80";
  trin_text_sanitize_utf8(ok);
  assert_string_equal(ok, "Bøgeparken Ærø \xf0\x9f\x98\x80");
  char cut[] = "B\xf8geparken \xe2\x82";
  trin_text_sanitize_utf8(cut);
  assert_string_equal(cut, "B?geparken ??");
  char surrogate[] = "\xed\xa0\x80x";
  trin_text_sanitize_utf8(surrogate);
  assert_string_equal(surrogate, "???x");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_id_check),
      cmocka_unit_test(test_id_optional),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_text_valid),
      cmocka_unit_test(test_text_invalid),
      cmocka_unit_test(test_text_length),
      cmocka_unit_test(test_text_optional),
      cmocka_unit_test(test_text_fault_and_sanitize),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
