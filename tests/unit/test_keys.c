/* common.keys — CurveZMQ key files (round trip, owner-only secret, a
 * secret others may read is refused), fingerprints, the key registry
 * (add, refuse duplicates and bad entries, remove, a bad line named by its
 * number), the ZAP User-Id parsed back into a caller, the ZAP handler's
 * in-memory set of registered keys following the file (revocation of open
 * connections), and the outbox's audit columns on a store that predates
 * them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "trin_keys.h"
#include "trin_outbox.h"
#include "trin_store.h"
#include "trin_zap.h"

static char dir[64];

static void path_in(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text, mode_t mode) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  chmod(path, mode);
}

static int setup(void **state) {
  snprintf(dir, sizeof dir, "/tmp/trin-keys-%d", (int)getpid());
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
  return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void key_file_round_trip(void **state) {
  trin_keypair_t kp, back;
  trin_err_t err;
  assert_int_equal(trin_keys_generate(&kp, &err), TRIN_OK);
  assert_true(trin_keys_valid_z85(kp.public_z85));
  assert_true(trin_keys_valid_z85(kp.secret_z85));
  char p[128], pub[160];
  path_in(p, sizeof p, "svc.key");
  snprintf(pub, sizeof pub, "%s.pub", p);
  umask(022);
  assert_int_equal(trin_keys_write(p, &kp, &err), TRIN_OK);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(stat(pub, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);

  assert_int_equal(trin_keys_read_pair(p, &back, &err), TRIN_OK);
  assert_string_equal(back.public_z85, kp.public_z85);
  assert_string_equal(back.secret_z85, kp.secret_z85);

  /* The public key from the .pub file, from the pair file, or literally. */
  char z[TRIN_KEY_Z85_LEN + 1];
  assert_int_equal(trin_keys_read_public(pub, z, &err), TRIN_OK);
  assert_string_equal(z, kp.public_z85);
  assert_int_equal(trin_keys_read_public(p, z, &err), TRIN_OK);
  assert_string_equal(z, kp.public_z85);
  assert_int_equal(trin_keys_read_public(kp.public_z85, z, &err), TRIN_OK);
  assert_string_equal(z, kp.public_z85);
  assert_int_not_equal(trin_keys_read_public("no-such-file", z, &err), TRIN_OK);

  /* A key file is never overwritten. */
  trin_keypair_t other;
  assert_int_equal(trin_keys_generate(&other, &err), TRIN_OK);
  assert_int_equal(trin_keys_write(p, &other, &err), TRIN_ECONFLICT);
  assert_int_equal(trin_keys_read_pair(p, &back, &err), TRIN_OK);
  assert_string_equal(back.secret_z85, kp.secret_z85);

  /* Fingerprints: 32 hex, stable, different per key, never the key. */
  char f1[33], f2[33], f3[33];
  trin_keys_fingerprint(kp.public_z85, f1);
  trin_keys_fingerprint(kp.public_z85, f2);
  trin_keys_fingerprint(other.public_z85, f3);
  assert_int_equal(strlen(f1), 32);
  assert_string_equal(f1, f2);
  assert_string_not_equal(f1, f3);
  assert_null(strstr(f1, kp.public_z85));
  /* Known answer: BLAKE2b-128 of the key's 32 bytes (the libzmq manual's
   * example key; computed independently with Python's hashlib.blake2b). */
  trin_keys_fingerprint("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", f1);
  assert_string_equal(f1, "f4cce7d6987fc4fac2432b746db272bd");
  trin_keys_fingerprint("not a key", f1);
  assert_string_equal(f1, "");
  assert_false(trin_keys_valid_z85("short"));
  assert_false(trin_keys_valid_z85("0123456789012345678901234567890123456789 "));
}

static void readable_secret_refused(void **state) {
  trin_keypair_t kp, back;
  trin_err_t err;
  char p[128];
  path_in(p, sizeof p, "open.key");
  assert_int_equal(trin_keys_generate(&kp, &err), TRIN_OK);
  assert_int_equal(trin_keys_write(p, &kp, &err), TRIN_OK);
  chmod(p, 0644);
  assert_int_equal(trin_keys_read_pair(p, &back, &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, p));
  assert_non_null(strstr(err.message, "chmod 600"));
  assert_string_equal(back.secret_z85, "");
  chmod(p, 0640);
  assert_int_equal(trin_keys_read_pair(p, &back, &err), TRIN_EFORBIDDEN);
  chmod(p, 0600);
  assert_int_equal(trin_keys_read_pair(p, &back, &err), TRIN_OK);

  /* A pair whose halves do not belong together, a pair without its secret. */
  trin_keypair_t other;
  assert_int_equal(trin_keys_generate(&other, &err), TRIN_OK);
  char text[256], q[128];
  path_in(q, sizeof q, "mixed.key");
  snprintf(text, sizeof text, "public = %s\nsecret = %s\n", kp.public_z85, other.secret_z85);
  write_text(q, text, 0600);
  assert_int_equal(trin_keys_read_pair(q, &back, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "does not belong"));
  snprintf(text, sizeof text, "public = %s\n", kp.public_z85);
  write_text(q, text, 0600);
  assert_int_equal(trin_keys_read_pair(q, &back, &err), TRIN_EINVALID);
  assert_int_equal(trin_keys_read_pair("/nonexistent/x.key", &back, &err), TRIN_ENOTFOUND);
}

static trin_keys_entry_t entry(const char *org, const char *role, const char *name) {
  trin_keys_entry_t e;
  memset(&e, 0, sizeof e);
  trin_keypair_t kp;
  trin_err_t err;
  assert_int_equal(trin_keys_generate(&kp, &err), TRIN_OK);
  snprintf(e.public_z85, sizeof e.public_z85, "%s", kp.public_z85);
  snprintf(e.org, sizeof e.org, "%s", org);
  snprintf(e.role, sizeof e.role, "%s", role);
  snprintf(e.name, sizeof e.name, "%s", name);
  return e;
}

static void registry_add_remove(void **state) {
  char reg[128];
  path_in(reg, sizeof reg, "registry");
  trin_err_t err;
  trin_keys_entry_t *all;
  size_t n;
  /* A missing registry is empty. */
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_OK);
  assert_int_equal(n, 0);
  free(all);

  trin_keys_entry_t a = entry("fsb", "writer", "Anna's laptop");
  trin_keys_entry_t b = entry("lifecycle", "service", "");
  assert_int_equal(trin_keys_registry_add(reg, &a, &err), TRIN_OK);
  assert_int_equal(trin_keys_registry_add(reg, &b, &err), TRIN_OK);
  assert_int_equal(trin_keys_registry_add(reg, &a, &err), TRIN_ECONFLICT);

  trin_keys_entry_t bad = entry("fsb", "overlord", "");
  assert_int_equal(trin_keys_registry_add(reg, &bad, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "role");
  bad = entry("f s b", "reader", "");
  assert_int_equal(trin_keys_registry_add(reg, &bad, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "org");
  bad = entry("fsb", "reader", "");
  bad.public_z85[5] = '\0';
  assert_int_equal(trin_keys_registry_add(reg, &bad, &err), TRIN_EINVALID);

  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_OK);
  assert_int_equal(n, 2);
  assert_string_equal(all[0].public_z85, a.public_z85);
  assert_string_equal(all[0].org, "fsb");
  assert_string_equal(all[0].role, "writer");
  assert_string_equal(all[0].name, "Anna's laptop");
  char fp[33];
  trin_keys_fingerprint(a.public_z85, fp);
  assert_string_equal(all[0].fingerprint, fp);
  assert_string_equal(all[1].role, "service");
  assert_string_equal(all[1].name, "");
  free(all);

  /* An operator's comment survives edits. */
  FILE *f = fopen(reg, "a");
  fputs("# keep this comment\n", f);
  fclose(f);
  trin_keys_fingerprint(b.public_z85, fp);
  assert_int_equal(trin_keys_registry_remove(reg, fp, &err), TRIN_OK);  /* by fingerprint */
  assert_int_equal(trin_keys_registry_remove(reg, fp, &err), TRIN_ENOTFOUND);
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_OK);
  assert_int_equal(n, 1);
  assert_string_equal(all[0].public_z85, a.public_z85);
  free(all);
  assert_int_equal(trin_keys_registry_remove(reg, a.public_z85, &err), TRIN_OK);  /* by key */
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_OK);
  assert_int_equal(n, 0);
  free(all);
  char text[4096];
  f = fopen(reg, "r");
  size_t len = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[len] = '\0';
  assert_non_null(strstr(text, "# keep this comment"));
  /* No temporary file is left behind. */
  char tmp[200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", reg, (int)getpid());
  assert_int_not_equal(access(tmp, F_OK), 0);
}

static void registry_bad_line_named(void **state) {
  char reg[128];
  path_in(reg, sizeof reg, "bad-registry");
  trin_keypair_t kp;
  trin_err_t err;
  assert_int_equal(trin_keys_generate(&kp, &err), TRIN_OK);
  char text[512];
  snprintf(text, sizeof text, "# comment\n%s fsb reader Bo\n\nnot-a-key fsb reader\n",
           kp.public_z85);
  write_text(reg, text, 0644);
  trin_keys_entry_t *all = NULL;
  size_t n = 9;
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 4"));
  assert_non_null(strstr(err.message, reg));
  assert_null(all);
  assert_int_equal(n, 0);

  snprintf(text, sizeof text, "%s fsb king\n", kp.public_z85);
  write_text(reg, text, 0644);
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 1"));
  assert_non_null(strstr(err.message, "king"));

  snprintf(text, sizeof text, "%s fsb\n", kp.public_z85);
  write_text(reg, text, 0644);
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 1"));

  snprintf(text, sizeof text, "%s fsb reader\n%s lif service\n", kp.public_z85,
           kp.public_z85);
  write_text(reg, text, 0644);
  assert_int_equal(trin_keys_registry_load(reg, &all, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 2"));
  /* Adding to a broken registry is refused rather than making it worse. */
  trin_keys_entry_t e = entry("fsb", "reader", "");
  assert_int_equal(trin_keys_registry_add(reg, &e, &err), TRIN_EINVALID);
}

static void zap_user_id(void **state) {
  trin_caller_t c;
  assert_true(trin_zap_caller("fsb/writer/0123456789abcdef0123456789abcdef", &c));
  assert_true(c.authenticated);
  assert_string_equal(c.org, "fsb");
  assert_string_equal(c.role, "writer");
  assert_string_equal(c.key, "0123456789abcdef0123456789abcdef");
  assert_false(trin_zap_caller(NULL, &c));
  assert_false(c.authenticated);
  assert_false(trin_zap_caller("", &c));
  assert_false(trin_zap_caller("fsb/writer", &c));
  assert_false(trin_zap_caller("fsb/writer/xyz", &c));
  assert_false(trin_zap_caller("/writer/0123456789abcdef0123456789abcdef", &c));
  assert_false(trin_zap_caller("a/b/c/0123456789abcdef0123456789abcdef", &c));
  assert_false(c.authenticated);
  assert_string_equal(c.org, "");
}

/* One request's recheck of the key fp, from a caller whose org and role
 * are stale. */
static int recheck(void *zctx, const char *fp, trin_caller_t *c, trin_err_t *err) {
  memset(c, 0, sizeof *c);
  c->authenticated = true;
  snprintf(c->org, sizeof c->org, "stale");
  snprintf(c->role, sizeof c->role, "stale");
  snprintf(c->key, sizeof c->key, "%s", fp);
  return trin_zap_recheck(zctx, c, err);
}

/* Rechecks until the answer is want (the handler stats the registry at
 * most once a second); the last status. The bound is only a net under a
 * hang. */
static int recheck_until(void *zctx, const char *fp, int want, trin_caller_t *c,
                         trin_err_t *err) {
  int rc = recheck(zctx, fp, c, err);
  for (int i = 0; i < 200 && rc != want; i++) {
    usleep(50000);
    rc = recheck(zctx, fp, c, err);
  }
  return rc;
}

/* The handler's in-memory set of registered keys follows the registry file
 * without a new handshake: a key removed is refused by fingerprint, the
 * others stay, and a key registered again is back under its new role. */
static void zap_recheck_follows_registry(void **state) {
  char reg[128];
  path_in(reg, sizeof reg, "recheck.registry");
  enum { N = 40 };  /* enough for the index to probe past collisions */
  trin_keys_entry_t e[N];
  trin_err_t err;
  for (int i = 0; i < N; i++) {
    e[i] = entry(i % 2 ? "os" : "fsb", i % 2 ? "reader" : "writer", "");
    assert_int_equal(trin_keys_registry_add(reg, &e[i], &err), TRIN_OK);
    trin_keys_fingerprint(e[i].public_z85, e[i].fingerprint);
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  trin_zap_t *zap;
  assert_int_equal(trin_zap_start(&loop, zctx, reg, &zap, &err), TRIN_OK);

  trin_caller_t c;
  for (int i = 0; i < N; i++) {
    assert_int_equal(recheck(zctx, e[i].fingerprint, &c, &err), TRIN_OK);
    assert_string_equal(c.org, e[i].org);  /* the registry's, not the stale ones */
    assert_string_equal(c.role, e[i].role);
  }
  trin_keys_entry_t stranger = entry("fsb", "admin", "");
  trin_keys_fingerprint(stranger.public_z85, stranger.fingerprint);
  assert_int_equal(recheck(zctx, stranger.fingerprint, &c, &err), TRIN_EUNAUTHENTICATED);
  assert_string_equal(c.role, "stale");  /* a refusal names no role */

  assert_int_equal(trin_keys_registry_remove(reg, e[7].fingerprint, &err), TRIN_OK);
  assert_int_equal(recheck_until(zctx, e[7].fingerprint, TRIN_EUNAUTHENTICATED, &c, &err),
                   TRIN_EUNAUTHENTICATED);
  char want[128];
  snprintf(want, sizeof want, "key %s was revoked", e[7].fingerprint);
  assert_non_null(strstr(err.message, want));
  for (int i = 0; i < N; i++)
    if (i != 7) assert_int_equal(recheck(zctx, e[i].fingerprint, &c, &err), TRIN_OK);

  /* Registered again under another role: the open connection acts under it. */
  snprintf(e[7].role, sizeof e[7].role, "advisor");
  assert_int_equal(trin_keys_registry_add(reg, &e[7], &err), TRIN_OK);
  assert_int_equal(recheck_until(zctx, e[7].fingerprint, TRIN_OK, &c, &err), TRIN_OK);
  assert_string_equal(c.role, "advisor");

  /* A context without a handler (or whose handler stopped) admits nobody. */
  int other;
  assert_int_equal(recheck(&other, e[0].fingerprint, &c, &err), TRIN_EUNAUTHENTICATED);
  assert_non_null(strstr(err.message, "no key registry is in force"));
  trin_zap_destroy(&zap);
  assert_null(zap);
  assert_int_equal(recheck(zctx, e[0].fingerprint, &c, &err), TRIN_EUNAUTHENTICATED);
  assert_non_null(strstr(err.message, e[0].fingerprint));
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  zmq_ctx_term(zctx);
}

/* A store made before the audit columns: its events read with an empty
 * actor after the migration, new events carry theirs. */
static void outbox_audit_migrates(void **state) {
  char db[128];
  path_in(db, sizeof db, "audit.db");
  trin_store_t *s;
  trin_err_t err;
  trin_store_options_t o = {.location = db, .sync = TRIN_STORE_SYNC_NORMAL};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  const trin_migration_t v1[] = {{1,
                                  "CREATE TABLE trin_outbox ("
                                  " seq INTEGER PRIMARY KEY,"
                                  " type TEXT NOT NULL,"
                                  " time TEXT NOT NULL,"
                                  " event BLOB NOT NULL)"}};
  assert_int_equal(trin_store_migrate(s, "outbox", v1, 1, &err), TRIN_OK);
  assert_int_equal(trin_store_exec(s,
                                   "INSERT INTO trin_outbox VALUES "
                                   "(1, 'old.event', '2026-01-01T00:00:00Z', x'')",
                                   &err),
                   TRIN_OK);
  trin_outbox_t *ob;
  assert_int_equal(trin_outbox_open(s, "test", &ob, &err), TRIN_OK);
  int version = 0;
  assert_int_equal(trin_store_schema_version(s, "outbox", &version, &err), TRIN_OK);
  assert_int_equal(version, 3);
  assert_int_equal(trin_outbox_last_seq(ob), 1);

  Trin__Ping p = TRIN__PING__INIT;
  trin_outbox_actor_t actor = {"fsb", "writer", "0123456789abcdef0123456789abcdef", "Jane"};
  uint64_t seq;
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(
      trin_outbox_append_as(ob, &actor, "new.event", "fsb", NULL, 0, &p.base, &seq, &err),
      TRIN_OK);
  assert_int_equal(trin_outbox_append(ob, "anon.event", "fsb", NULL, 0, &p.base, &seq, &err),
                   TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  trin_outbox_committed(ob);

  trin_outbox_audit_t rows[8];
  size_t n = 0;
  assert_int_equal(trin_outbox_audit(ob, 0, rows, 8, &n, &err), TRIN_OK);
  assert_int_equal(n, 3);
  assert_int_equal(rows[0].seq, 1);
  assert_string_equal(rows[0].type, "old.event");
  assert_string_equal(rows[0].actor_role, "");
  assert_string_equal(rows[1].type, "new.event");
  assert_string_equal(rows[1].actor_org, "fsb");
  assert_string_equal(rows[1].actor_role, "writer");
  assert_string_equal(rows[1].actor_key, "0123456789abcdef0123456789abcdef");
  assert_string_equal(rows[1].actor_person, "Jane");
  assert_true(rows[1].time[0] != '\0');
  assert_string_equal(rows[2].actor_org, "");
  assert_string_equal(rows[0].actor_person, "");
  assert_string_equal(rows[2].actor_person, "");
  assert_int_equal(trin_outbox_audit(ob, 2, rows, 1, &n, &err), TRIN_OK);
  assert_int_equal(n, 1);
  assert_int_equal(rows[0].seq, 3);
  trin_outbox_destroy(&ob);
  trin_store_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(key_file_round_trip),
      cmocka_unit_test(readable_secret_refused),
      cmocka_unit_test(registry_add_remove),
      cmocka_unit_test(registry_bad_line_named),
      cmocka_unit_test(zap_user_id),
      cmocka_unit_test(zap_recheck_follows_registry),
      cmocka_unit_test(outbox_audit_migrates),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
