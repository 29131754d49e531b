/* common.token — HTTP tokens: the text's shape, verify with the right and a
 * wrong scope, a changed character, an unknown id, revocation at once,
 * listing without secrets, only the hash in the table (the text nowhere),
 * the constant-time compare on every check, and who may manage tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "trin_token.h"

/* Counts calls of the constant-time compare (linked with --wrap). */
static int memcmp_calls;
int __real_sodium_memcmp(const void *b1, const void *b2, size_t len);
int __wrap_sodium_memcmp(const void *b1, const void *b2, size_t len) {
  memcmp_calls++;
  return __real_sodium_memcmp(b1, b2, len);
}

static trin_store_t *open_store(void) {
  trin_store_options_t o = {.location = ":memory:"};
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_token_migrate(s, &err), TRIN_OK);
  assert_int_equal(trin_token_migrate(s, &err), TRIN_OK); /* again: nothing to do */
  return s;
}

static void make_check_revoke(void **state) {
  trin_store_t *s = open_store();
  trin_err_t err = {0};
  trin_token_info_t info, got;
  char text[TRIN_TOKEN_TEXT_BUF];
  assert_int_equal(trin_token_create(s, "KAB", TRIN_TOKEN_FEED_READ, "Power BI", &info, text, &err),
                   TRIN_OK);
  /* trin_<12 hex>_<43 base64url> */
  assert_int_equal(strlen(text), TRIN_TOKEN_TEXT_LEN);
  assert_memory_equal(text, "trin_", 5);
  assert_memory_equal(text + 5, info.id, TRIN_TOKEN_ID_LEN);
  assert_int_equal(text[17], '_');
  for (const char *p = text + 18; *p; p++)
    assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                *p == '-' || *p == '_');
  assert_string_equal(info.org, "KAB");
  assert_string_equal(info.scope, "feed:read");
  assert_string_equal(info.revoked_at, "");

  memcmp_calls = 0;
  assert_int_equal(trin_token_verify(s, text, strlen(text), TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_OK);
  assert_int_equal(memcmp_calls, 1);
  assert_string_equal(got.org, "KAB");
  assert_string_equal(got.id, info.id);

  /* the right token for another scope: refused, and says which */
  assert_int_equal(trin_token_verify(s, text, strlen(text), TRIN_TOKEN_SURVEY_WRITE, &got, &err),
                   TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "feed:read"));
  assert_null(strstr(err.message, text + 18)); /* never the secret */

  /* one character changed: the id is found, the hash differs */
  char bad[TRIN_TOKEN_TEXT_BUF];
  memcpy(bad, text, sizeof bad);
  bad[40] = bad[40] == 'A' ? 'B' : 'A';
  memcmp_calls = 0;
  assert_int_equal(trin_token_verify(s, bad, strlen(bad), TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);
  assert_int_equal(memcmp_calls, 1);
  /* an unknown id is compared too (same work either way) */
  memcpy(bad, text, sizeof bad);
  bad[5] = bad[5] == 'a' ? 'b' : 'a';
  memcmp_calls = 0;
  assert_int_equal(trin_token_verify(s, bad, strlen(bad), TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);
  assert_int_equal(memcmp_calls, 1);
  /* not a token at all; too short; a prefix of the real one */
  assert_int_equal(trin_token_verify(s, "demo-token", 10, TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);
  assert_int_equal(trin_token_verify(s, text, strlen(text) - 1, TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);
  assert_int_equal(trin_token_verify(s, NULL, 0, TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);

  /* revoked: refused from the very next check */
  trin_token_info_t rv;
  assert_int_equal(trin_token_revoke(s, info.id, &rv, &err), TRIN_OK);
  assert_string_not_equal(rv.revoked_at, "");
  assert_int_equal(trin_token_verify(s, text, strlen(text), TRIN_TOKEN_FEED_READ, &got, &err),
                   TRIN_EUNAUTHENTICATED);
  assert_non_null(strstr(err.message, "revoked"));
  char first[32];
  snprintf(first, sizeof first, "%s", rv.revoked_at);
  assert_int_equal(trin_token_revoke(s, info.id, &rv, &err), TRIN_OK); /* again: unchanged */
  assert_string_equal(rv.revoked_at, first);
  assert_int_equal(trin_token_revoke(s, "000000000000", &rv, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "id");
  sodium_memzero(text, sizeof text);
  trin_store_destroy(&s);
}

static void bad_input(void **state) {
  trin_store_t *s = open_store();
  trin_err_t err = {0};
  char text[TRIN_TOKEN_TEXT_BUF];
  assert_int_equal(trin_token_create(s, "", TRIN_TOKEN_FEED_READ, NULL, NULL, text, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "org");
  assert_int_equal(trin_token_create(s, "KAB", "feed:write", NULL, NULL, text, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "scope");
  assert_int_equal(trin_token_create(s, "KAB", NULL, NULL, NULL, text, &err), TRIN_EINVALID);
  char name[300];
  memset(name, 'x', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  assert_int_equal(trin_token_create(s, "KAB", TRIN_TOKEN_FEED_READ, name, NULL, text, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "name");
  trin_store_destroy(&s);
}

typedef struct {
  int n;
  char ids[8][TRIN_TOKEN_ID_LEN + 1];
  char orgs[8][65];
} listed_t;

static void on_token(void *data, const trin_token_info_t *t) {
  listed_t *l = data;
  if (l->n < 8) {
    snprintf(l->ids[l->n], sizeof l->ids[0], "%s", t->id);
    snprintf(l->orgs[l->n], sizeof l->orgs[0], "%s", t->org);
  }
  l->n++;
}

static void list_and_only_hashes_stored(void **state) {
  /* a file store, so the table can be read with sqlite3 itself */
  char path[] = "/tmp/trin-token-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  char loc[64];
  snprintf(loc, sizeof loc, "sqlite:%s", path);
  trin_store_options_t o = {.location = loc, .sync = TRIN_STORE_SYNC_NORMAL};
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_token_migrate(s, &err), TRIN_OK);
  char t1[TRIN_TOKEN_TEXT_BUF], t2[TRIN_TOKEN_TEXT_BUF], t3[TRIN_TOKEN_TEXT_BUF];
  trin_token_info_t i1, i2, i3;
  assert_int_equal(trin_token_create(s, "KAB", TRIN_TOKEN_FEED_READ, "a", &i1, t1, &err), 0);
  assert_int_equal(trin_token_create(s, "AAB", TRIN_TOKEN_FEED_READ, "b", &i2, t2, &err), 0);
  assert_int_equal(trin_token_create(s, "KAB", TRIN_TOKEN_SURVEY_WRITE, "c", &i3, t3, &err), 0);
  assert_string_not_equal(i1.id, i2.id);

  listed_t all = {0}, kab = {0};
  assert_int_equal(trin_token_list(s, "", on_token, &all, &err), TRIN_OK);
  assert_int_equal(all.n, 3);
  assert_int_equal(trin_token_list(s, "KAB", on_token, &kab, &err), TRIN_OK);
  assert_int_equal(kab.n, 2);
  for (int i = 0; i < kab.n; i++) assert_string_equal(kab.orgs[i], "KAB");
  trin_store_destroy(&s);

  /* Every byte of the file: no token's secret part appears, in any form
   * trin writes (the text itself); the table has exactly the columns. */
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  const char *secrets[] = {t1 + 18, t2 + 18, t3 + 18};
  for (int k = 0; k < 3; k++) assert_null(memmem(buf, n, secrets[k], strlen(secrets[k])));
  char wal[80];
  snprintf(wal, sizeof wal, "%s-wal", path);
  f = fopen(wal, "rb");
  if (f) {
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (int k = 0; k < 3; k++) assert_null(memmem(buf, n, secrets[k], strlen(secrets[k])));
  }
  /* and the stored hash is the BLAKE2b of the text */
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  trin_stmt_t *st;
  assert_int_equal(trin_store_stmt(s, "SELECT hash FROM trin_tokens WHERE id = ?", &st, &err), 0);
  trin_stmt_bind_text(st, 1, i1.id);
  assert_int_equal(trin_stmt_step(st, &err), TRIN_STORE_ROW);
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, (const unsigned char *)t1, strlen(t1), NULL, 0);
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  assert_string_equal(trin_stmt_text(st, 0), hex);
  trin_stmt_reset(st);
  trin_store_destroy(&s);
  unlink(path);
  unlink(wal);
  snprintf(wal, sizeof wal, "%s-shm", path);
  unlink(wal);
}

static void who_may_manage(void **state) {
  trin_err_t err = {0};
  trin_caller_t local = {0};  /* unauthenticated local endpoint */
  assert_int_equal(trin_token_may_manage(&local, "KAB", &err), TRIN_OK);
  trin_caller_t admin = {.authenticated = true, .org = "OPS", .role = "admin"};
  assert_int_equal(trin_token_may_manage(&admin, "KAB", &err), TRIN_OK);
  trin_caller_t writer = {.authenticated = true, .org = "KAB", .role = "writer"};
  assert_int_equal(trin_token_may_manage(&writer, "KAB", &err), TRIN_OK);
  assert_int_equal(trin_token_may_manage(&writer, "AAB", &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.field, "org");
  assert_int_equal(trin_token_may_manage(&writer, "", &err), TRIN_EFORBIDDEN);
  trin_caller_t reader = {.authenticated = true, .org = "KAB", .role = "reader"};
  assert_int_equal(trin_token_may_manage(&reader, "KAB", &err), TRIN_EFORBIDDEN);
  assert_true(trin_token_scope_valid("feed:read"));
  assert_true(trin_token_scope_valid("survey:write"));
  assert_false(trin_token_scope_valid("admin"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(make_check_revoke),
      cmocka_unit_test(bad_input),
      cmocka_unit_test(list_and_only_hashes_stored),
      cmocka_unit_test(who_may_manage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
