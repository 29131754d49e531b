/* audit.trail — the audit trail (issue 7) read back by operators: a real
 * lifecycle on tcp:// with CURVE and a key registry; the admin key creates
 * an organisation, a writer key of that organisation creates a partnership
 * and a project. AuditSince with the admin key lists every event with the
 * caller's organisation, role and key fingerprint (trin_keys_fingerprint)
 * and the event's ids, pages with after_seq/limit; the writer's, a reader's
 * and a service key's AuditSince are refused FORBIDDEN. `trinctl audit`
 * shows the same (table and --json), never a secret key, refuses the
 * writer (exit 1) and an unknown --service (exit 2). On a plain local
 * endpoint (ipc://, no keys) the caller is unrestricted and the actor
 * empty. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "lcclient.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"
#include "trin_keys.h"

/* Who holds a key, as registered. */
enum { ADMIN, WRITER, READER, SERVICE, NWHO };
static const struct {
  const char *file, *org, *role;
} WHO[NWHO] = {
    [ADMIN] = {"admin", "ops", "admin"},
    [WRITER] = {"writer", "alfa", "writer"},
    [READER] = {"reader", "alfa", "reader"},
    [SERVICE] = {"budget", "trin", "service"},
};

static char dir[128], keys[200], registry[220];
static trin_keypair_t server_key, who_key[NWHO];
static char fp[NWHO][33];
static trin_client_t *cl[NWHO];
static testproc_t lc, plain;
static char out[65536];

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

/* Runs a shell command line; stdout and stderr into out. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
  return testproc_run(cmd, out, sizeof out);
}

static trin_client_t *as(int who) {
  if (!cl[who]) {
    trin_curve_client_t curve = {.own = &who_key[who]};
    snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
             server_key.public_z85);
    trin_err_t err;
    assert_int_equal(trin_client_new_curve(lc.endpoint, &curve, &cl[who], &err), TRIN_OK);
  }
  return cl[who];
}

static int audit(trin_client_t *c, uint64_t after, uint32_t limit, Trin__AuditBatch **b,
                 trin_err_t *err) {
  Trin__AuditSince q = TRIN__AUDIT_SINCE__INIT;
  q.after_seq = after;
  q.limit = limit;
  *b = NULL;
  return trin_client_call(c, &q.base, &trin__audit_batch__descriptor, (ProtobufCMessage **)b,
                          err);
}

static const char *id_of(const Trin__AuditEntry *e, const char *key) {
  for (size_t k = 0; k < e->n_ids; k++)
    if (strcmp(e->ids[k]->key, key) == 0) return e->ids[k]->value;
  return NULL;
}

static const Trin__AuditEntry *entry_of_type(const Trin__AuditBatch *b, const char *type) {
  for (size_t i = 0; i < b->n_entries; i++)
    if (strcmp(b->entries[i]->type, type) == 0) return b->entries[i];
  return NULL;
}

static int setup(void **state) {
  (void)state;
  setenv("TRIN_INSECURE", "false", 1);
  unsetenv("TRIN_KEY");
  unsetenv("TRIN_SERVER_KEY");
  unsetenv("TRIN_PEER_KEYS");
  unsetenv("TRIN_LIFECYCLE_ENDPOINT");
  snprintf(dir, sizeof dir, "/tmp/trin-test-audit-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(keys, sizeof keys, "%s/keys", dir);
  snprintf(registry, sizeof registry, "%s/registry", dir);
  if (sh("mkdir -m 700 '%s'", keys) != 0) return -1;
  trin_err_t err;
  char path[300];
  snprintf(path, sizeof path, "%s/lifecycle", keys);
  if (trin_keys_generate(&server_key, &err) || trin_keys_write(path, &server_key, &err))
    return -1;
  for (int w = 0; w < NWHO; w++) {
    snprintf(path, sizeof path, "%s/%s", keys, WHO[w].file);
    if (trin_keys_generate(&who_key[w], &err) || trin_keys_write(path, &who_key[w], &err))
      return -1;
    trin_keys_fingerprint(who_key[w].public_z85, fp[w]);
    trin_keys_entry_t e;
    memset(&e, 0, sizeof e);
    snprintf(e.public_z85, sizeof e.public_z85, "%s", who_key[w].public_z85);
    snprintf(e.org, sizeof e.org, "%s", WHO[w].org);
    snprintf(e.role, sizeof e.role, "%s", WHO[w].role);
    snprintf(e.name, sizeof e.name, "%s key", WHO[w].file);
    if (trin_keys_registry_add(registry, &e, &err)) return -1;
  }
  /* The lifecycle: CURVE on tcp://, its readiness Ping with the admin key. */
  testproc_init(&lc, "audit-lc");
  snprintf(lc.endpoint, sizeof lc.endpoint, "tcp://127.0.0.1:%d", free_port());
  snprintf(lc.pub, sizeof lc.pub, "tcp://127.0.0.1:%d", free_port());
  char a_key[300], a_reg[300];
  snprintf(a_key, sizeof a_key, "--key=%s/lifecycle", keys);
  snprintf(a_reg, sizeof a_reg, "--key-registry=%s", registry);
  const char *extra[] = {a_key, a_reg, NULL};
  trin_curve_client_t curve = {.own = &who_key[ADMIN]};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
           server_key.public_z85);
  if (!testproc_start_curve(&lc, TRIN_LIFECYCLE_BIN, extra, &curve)) return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (int w = 0; w < NWHO; w++) trin_client_destroy(&cl[w]);
  int bad = 0;
  testproc_t *all[] = {&lc, &plain};
  for (size_t i = 0; i < 2; i++) {
    if (all[i]->pid > 0 && testproc_stop(all[i]) != 0) bad = 1;
    if (all[i]->dir[0]) testproc_cleanup(all[i]);
  }
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) bad = 1;
  return bad ? -1 : 0;
}

/* ---- AuditSince ------------------------------------------------------------------------ */

static void admin_reads_who_did_what(void **state) {
  (void)state;
  OK(lc_org(as(ADMIN), "alfa", "client", &e_));
  OK(lc_partnership(as(WRITER), "LA", "alfa", "2023-01-01", "myndighedsprojekt", 0, &e_));
  OK(lc_project(as(WRITER), "PA", "LA", NULL, false, "2023-03-01", &e_));

  Trin__AuditBatch *b = NULL;
  OK(audit(as(ADMIN), 0, 0, &b, &e_));
  assert_string_equal(b->service, "lifecycle");
  assert_true(b->n_entries >= 3);
  assert_int_equal(b->last_seq, b->entries[b->n_entries - 1]->seq);
  for (size_t i = 0; i < b->n_entries; i++) assert_int_equal(b->entries[i]->seq, i + 1);

  const Trin__AuditEntry *org = entry_of_type(b, "lifecycle.organisation_created");
  assert_non_null(org);
  assert_string_equal(org->actor_org, "ops");
  assert_string_equal(org->actor_role, "admin");
  assert_string_equal(org->actor_key, fp[ADMIN]);

  const Trin__AuditEntry *pship = entry_of_type(b, "lifecycle.partnership_created");
  const Trin__AuditEntry *proj = entry_of_type(b, "lifecycle.project_created");
  assert_non_null(pship);
  assert_non_null(proj);
  const Trin__AuditEntry *by_writer[] = {pship, proj};
  for (int i = 0; i < 2; i++) {
    assert_string_equal(by_writer[i]->actor_org, "alfa");
    assert_string_equal(by_writer[i]->actor_role, "writer");
    assert_string_equal(by_writer[i]->actor_key, fp[WRITER]);
    assert_int_equal(strlen(by_writer[i]->time), 24); /* 2026-11-25T08:16:48.123Z */
    assert_int_equal(by_writer[i]->time[23], 'Z');
  }
  assert_non_null(id_of(pship, "partnership"));
  assert_string_equal(id_of(pship, "partnership"), "LA");
  assert_non_null(id_of(proj, "project"));
  assert_string_equal(id_of(proj, "project"), "PA");
  uint64_t pship_seq = pship->seq, last = b->last_seq;
  trin_codec_free(b);

  /* Paging: one entry after the organisation's, then nothing after the last. */
  OK(audit(as(ADMIN), pship_seq - 1, 1, &b, &e_));
  assert_int_equal(b->n_entries, 1);
  assert_int_equal(b->entries[0]->seq, pship_seq);
  assert_string_equal(b->entries[0]->type, "lifecycle.partnership_created");
  assert_int_equal(b->last_seq, last);
  trin_codec_free(b);
  OK(audit(as(ADMIN), last, 0, &b, &e_));
  assert_int_equal(b->n_entries, 0);
  assert_int_equal(b->last_seq, last);
  trin_codec_free(b);
}

static void everyone_else_is_refused(void **state) {
  (void)state;
  /* Not the writer whose events these are, not a reader, not another
   * service: the trail is for the deployment's operators. */
  int who[] = {WRITER, READER, SERVICE};
  for (size_t i = 0; i < sizeof who / sizeof *who; i++) {
    Trin__AuditBatch *b = NULL;
    trin_err_t err = {0};
    assert_int_equal(audit(as(who[i]), 0, 0, &b, &err), TRIN_EFORBIDDEN);
    assert_null(b);
    char role[80];
    snprintf(role, sizeof role, "has role '%s'", WHO[who[i]].role);
    if (!strstr(err.message, role)) print_error("message: %s\n", err.message);
    assert_non_null(strstr(err.message, role));
    assert_non_null(strstr(err.message, "AuditSince is for the deployment's operators"));
    assert_non_null(strstr(err.message, fp[who[i]]));
  }
}

/* ---- trinctl audit ----------------------------------------------------------------------- */

static void no_secret_in(const char *text) {
  assert_null(strstr(text, server_key.secret_z85));
  for (int w = 0; w < NWHO; w++) {
    assert_null(strstr(text, who_key[w].secret_z85));
    assert_null(strstr(text, who_key[w].public_z85)); /* the fingerprint, not the key */
  }
}

static void trinctl_audit_shows_the_trail(void **state) {
  (void)state;
  /* The table: seq, time, type, org, role, key fingerprint, ids. */
  assert_int_equal(sh("'%s' --endpoint %s --key '%s/admin' --peer-keys '%s' audit", TRINCTL_BIN,
                      lc.endpoint, keys, keys),
                   0);
  assert_non_null(strstr(out, "SEQ"));
  assert_non_null(strstr(out, "ROLE"));
  assert_non_null(strstr(out, "KEY"));
  assert_non_null(strstr(out, "lifecycle.partnership_created"));
  assert_non_null(strstr(out, "lifecycle.project_created"));
  assert_non_null(strstr(out, "writer"));
  assert_non_null(strstr(out, fp[WRITER]));
  assert_non_null(strstr(out, fp[ADMIN]));
  assert_non_null(strstr(out, "project=PA"));
  no_secret_in(out);

  /* --json: the batch as the proto names it; --service and the endpoint
   * from TRIN_LIFECYCLE_ENDPOINT; --after/--limit page. */
  assert_int_equal(sh("TRIN_LIFECYCLE_ENDPOINT=%s '%s' --key '%s/admin' --peer-keys '%s' audit "
                      "--service lifecycle --after 1 --limit 1 --json",
                      lc.endpoint, TRINCTL_BIN, keys, keys),
                   0);
  char want[300];
  snprintf(want, sizeof want,
           "\"type\":\"lifecycle.partnership_created\",\"ids\":{\"partnership\":\"LA\"},"
           "\"actor_org\":\"alfa\",\"actor_role\":\"writer\",\"actor_key\":\"%s\","
           "\"actor_person\":\"\"}",
           fp[WRITER]);
  if (!strstr(out, want)) print_error("output: %s\n", out);
  assert_non_null(strstr(out, want));
  assert_non_null(strstr(out, "\"seq\":2,"));
  assert_null(strstr(out, "\"seq\":3,"));
  assert_non_null(strstr(out, "\"service\":\"lifecycle\""));
  no_secret_in(out);

  /* The writer's key: refused, exit 1, saying why. */
  assert_int_equal(sh("'%s' --endpoint %s --key '%s/writer' --peer-keys '%s' audit", TRINCTL_BIN,
                      lc.endpoint, keys, keys),
                   1);
  assert_non_null(strstr(out, "AuditSince is for the deployment's operators"));
  no_secret_in(out);
  assert_int_equal(sh("'%s' --endpoint %s --key '%s/writer' --peer-keys '%s' audit --json",
                      TRINCTL_BIN, lc.endpoint, keys, keys),
                   1);
  assert_non_null(strstr(out, "\"code\":\"forbidden\""));

  /* A service trinctl does not know is a usage error naming those it does. */
  assert_int_equal(sh("'%s' --key '%s/admin' --peer-keys '%s' audit --service ledger",
                      TRINCTL_BIN, keys, keys),
                   2);
  assert_non_null(strstr(out, "no service called 'ledger'"));
  assert_non_null(strstr(out, "budget"));
  assert_non_null(strstr(out, "aggregator"));
}

/* On an unauthenticated local endpoint the socket is the guard: the caller
 * is unrestricted, and the events it causes carry an empty actor. */
static void plain_local_endpoint_reads_it(void **state) {
  (void)state;
  testproc_init(&plain, "audit-plain");
  assert_true(testproc_start(&plain, TRIN_LIFECYCLE_BIN, NULL));
  assert_int_equal(sh("'%s' --endpoint %s org create --id beta --name Beta --kind client",
                      TRINCTL_BIN, plain.endpoint),
                   0);
  assert_int_equal(sh("'%s' --endpoint %s audit --json", TRINCTL_BIN, plain.endpoint), 0);
  if (!strstr(out, "\"actor_role\":\"\"")) print_error("output: %s\n", out);
  assert_non_null(strstr(out, "\"type\":\"lifecycle.organisation_created\",\"ids\":{"
                              "\"organisation\":\"beta\"},\"actor_org\":\"\","
                              "\"actor_role\":\"\",\"actor_key\":\"\",\"actor_person\":\"\"}"));
  assert_int_equal(sh("'%s' --endpoint %s audit", TRINCTL_BIN, plain.endpoint), 0);
  assert_non_null(strstr(out, "lifecycle.organisation_created"));
  assert_int_equal(testproc_stop(&plain), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(admin_reads_who_did_what),
      cmocka_unit_test(everyone_else_is_refused),
      cmocka_unit_test(trinctl_audit_shows_the_trail),
      cmocka_unit_test(plain_local_endpoint_reads_it),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
