/* survey.exports — survey exports as they come (issue 20, item 7) through
 * the real trin-lifecycle and trin-survey processes: trinctl saves a
 * mapping (question text -> statement key, the default Danish scale) and
 * shows it in Danish; `survey import --mapped` reads the SurveyXact-shaped
 * file of tests/data/survey; a second mapping (no role column, one role)
 * and the Forms-shaped file posted to the webhook as text/csv; the round's
 * figures worked out by hand; an unknown answer word refused by trinctl
 * and by the webhook naming line, column and word, nothing stored; the
 * event survey.mapping_set; a mapping that does not fit refused naming its
 * field. */
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_survey_common.h"
#include "testcall.h"
#include "trin_codec.h"

#define DATA TRIN_SOURCE_DIR "/tests/data/survey"

static survey_env_t env;
static int port;

/* The service logs "webhook on http://127.0.0.1:PORT/...". */
static int find_port(const char *log) {
  for (int i = 0; i < 500; i++) {
    FILE *f = fopen(log, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
      const char *p = strstr(line, "webhook on http://127.0.0.1:");
      if (p) {
        fclose(f);
        return atoi(p + strlen("webhook on http://127.0.0.1:"));
      }
    }
    if (f) fclose(f);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return 0;
}

/* POSTs body (len bytes) as text/csv with the operator's token; returns the
 * status, the reply's body into out. */
static int post_csv(const char *query, const char *body, size_t len, char *out, size_t size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  char head[1024];
  int n = snprintf(head, sizeof head,
                   "POST /v1/survey/responses?%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Authorization: Bearer s3cret-token\r\nContent-Type: text/csv; "
                   "charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
                   query, len);
  if (write(fd, head, (size_t)n) != n || write(fd, body, len) != (ssize_t)len) {
    close(fd);
    return -1;
  }
  size_t got = 0;
  ssize_t r;
  while (got + 1 < size && (r = read(fd, out + got, size - 1 - got)) > 0) got += (size_t)r;
  out[got] = '\0';
  close(fd);
  int status = 0;
  sscanf(out, "HTTP/1.1 %d", &status);
  char *b = strstr(out, "\r\n\r\n");
  if (b) memmove(out, b + 4, strlen(b + 4) + 1);
  return status;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 16);
  *len = fread(buf, 1, (1 << 16) - 1, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static int setup(void **state) {
  const char *extra[] = {"--http-address=127.0.0.1:0", "--webhook-token=s3cret-token", NULL};
  if (!survey_env_start(&env, "svexports", extra)) return -1;
  port = find_port(env.sv.log);
  if (port <= 0) return -1;
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_project(env.lcc, "P1", NULL, "KAB", false, "2023-03-01", &e_));
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT,
                          c = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Vi har tillid til projektets økonomi";
  b.key = "DIALOGUE";
  b.text = "Dialogen med byggeledelsen er god";
  c.key = "TILES";
  c.text = "Valget af fliser i badeværelset";
  Trin__Survey__Statement *sts[] = {&a, &b, &c};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S-X";
  sv.project_id = "P1";
  sv.title = "Beboertilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.statements = sts;
  sv.n_statements = 3;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-X", 1, "2024-01-01", "2024-01-31", &e_));
  return 0;
}

static int teardown(void **state) { return survey_env_stop(&env) ? 0 : -1; }

static int respondents(void) {
  Trin__Survey__RoundResults *r = NULL;
  trin_err_t err;
  if (sv_results(env.svc, "S-X", 1, &r, &err)) return -1;
  int n = r->respondents;
  trin_codec_free(r);
  return n;
}

static void trinctl_mapping_and_surveyxact_file(void **state) {
  char cmd[2000], out[16384];
  uint64_t before = sv_last_seq(env.svc);
  /* Not yet: the survey has no mapping. */
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey mapping-show S-X 2>&1", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_not_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "survey 'S-X' has no import mapping"));
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey mapping-set S-X --respondent-column respondentid "
           "--role-column 'Hvad er din rolle?' --comment-column Kommentar --columns %s "
           "2>&1",
           TRINCTL_BIN, env.sv.endpoint, DATA "/mapping_columns.csv");
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc) print_error("%s\n", out);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "importopsætning gemt (hændelse "));
  assert_int_equal(sv_count_events(env.svc, before, "survey.mapping_set", NULL, NULL), 1);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey mapping-show S-X", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "importopsætning for spørgeskema S-X"));
  assert_non_null(strstr(out, "rollekolonne       Hvad er din rolle?"));
  assert_non_null(strstr(out, "svarord (standard: dansk fempunkts enighedsskala):"));
  assert_non_null(strstr(out, "Hverken enig eller uenig  3"));
  assert_non_null(strstr(out, "Ved ikke                  intet svar"));
  assert_non_null(strstr(out, "TRUST_ECONOMY  Vi har tillid til projektets økonomi"));
  snprintf(cmd, sizeof cmd, "%s --endpoint %s --json survey mapping-show S-X", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"default_answers\":true"));
  /* The export as SurveyXact writes it. */
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-X --round 1 --mapped %s",
           TRINCTL_BIN, env.sv.endpoint, DATA "/surveyxact_export.csv");
  rc = testproc_run(cmd, out, sizeof out);
  if (rc) print_error("%s\n", out);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "4 responses, 4 new, 0 replaced, 0 unchanged"));
  assert_int_equal(respondents(), 4);
  /* Without --mapped the question texts are no statement keys. */
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-X --round 1 %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, DATA "/surveyxact_export.csv");
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "is neither respondent, role, comment"));
  /* A word the mapping does not know: exit 1, line, column and word. */
  char path[400];
  snprintf(path, sizeof path, "%s/bad.csv", env.sv.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("respondentid;Hvad er din rolle?;Vi har tillid til projektets økonomi;"
        "Dialogen med byggeledelsen er god;Valget af fliser i badeværelset\r\n"
        "2001;Beboer;Enig;Enig;Enig\r\n"
        "2002;Beboer;Helt enig;Enig;Enig\r\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey import --survey S-X --round 1 --mapped %s 2>&1", TRINCTL_BIN,
           env.sv.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "line 3, column 3 (Vi har tillid til projektets økonomi): 'Helt "
                              "enig' is not an answer word of the mapping"));
  assert_int_equal(respondents(), 4);
}

static void webhook_takes_the_forms_file(void **state) {
  char cmd[2000], out[16384];
  /* Forms: the ID column, no role column (everybody answering is a
   * resident), its own columns (Start time, Email, ...) read past. */
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey mapping-set S-X --respondent-column ID --role beboere "
           "--columns %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, DATA "/mapping_columns.csv");
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc) print_error("%s\n", out);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "rolle              residents (alle rækker)"));
  size_t len;
  char *csv = slurp(DATA "/forms_export.csv", &len);
  /* An unknown word first: nothing of the file stored, no event. */
  uint64_t seq = sv_last_seq(env.svc);
  char *bad = malloc(len + 64);
  memcpy(bad, csv, len);
  memcpy(bad + len, "4,x,x,anonymous,,Enig,Enig,Delvis enig\n", 40);
  int status = post_csv("survey_id=S-X&round=1&mapped=true", bad, len + 40, out, sizeof out);
  free(bad);
  if (status != 400) print_error("%d %s\n", status, out);
  assert_int_equal(status, 400);
  assert_non_null(strstr(out, "\"field\":\"csv\""));
  assert_non_null(strstr(out, "line 5, column 8 (Valget af fliser i badeværelset): 'Delvis enig' "
                              "is not an answer word of the mapping"));
  assert_int_equal(sv_last_seq(env.svc), seq);
  assert_int_equal(respondents(), 4);
  assert_int_equal(post_csv("round=1&mapped=true", csv, len, out, sizeof out), 400);
  assert_non_null(strstr(out, "\"field\":\"survey_id\""));
  assert_int_equal(post_csv("survey_id=S-X&round=1&mapped=perhaps", csv, len, out, sizeof out),
                   400);
  assert_non_null(strstr(out, "\"message\":\"must be true or false\""));
  status = post_csv("survey_id=S-X&round=1&mapped=true", csv, len, out, sizeof out);
  if (status != 200) print_error("%d %s\n", status, out);
  assert_int_equal(status, 200);
  assert_non_null(strstr(out, "\"received\":3,\"added\":3"));
  free(csv);
  /* Round 1 by hand, SurveyXact's four and Forms' three:
   * TRUST_ECONOMY 5 4 1 2 | 4 5 3 = 24 / 7 = 3.43; DIALOGUE 4 3 5 2 | 5 5 2
   * = 26 / 7 = 3.71; TILES 2 4 | 3 5 = 4 answers, under the minimum 5. */
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-X", 1, &r, &e_));
  assert_int_equal(r->respondents, 7);
  const Trin__Survey__Figures *fg = sv_figure(r, "TRUST_ECONOMY", "all");
  assert_non_null(fg);
  assert_false(fg->suppressed);
  assert_int_equal(fg->count, 7);
  assert_int_equal(fg->sum, 24);
  assert_int_equal(fg->mean_x100, 343);
  fg = sv_figure(r, "DIALOGUE", "all");
  assert_int_equal(fg->sum, 26);
  assert_int_equal(fg->mean_x100, 371);
  fg = sv_figure(r, "TILES", "all");
  assert_true(fg->suppressed);
  trin_codec_free(r);
}

static void unfit_mapping_refused(void **state) {
  char cmd[2000], out[16384], path[400];
  snprintf(path, sizeof path, "%s/answers.csv", env.sv.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("ord,point\nHelt enig,5\nHelt uenig,0\nVed ikke,\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey mapping-set S-X --respondent-column ID --role beboere "
           "--columns %s --answers %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, DATA "/mapping_columns.csv", path);
  assert_int_not_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "mapping.answers[1].score"));
  assert_non_null(strstr(out, "outside the scale 1–5"));
  /* The saved mapping is still the Forms one. */
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey mapping-show S-X", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "respondentkolonne  ID"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(trinctl_mapping_and_surveyxact_file),
      cmocka_unit_test(webhook_takes_the_forms_file),
      cmocka_unit_test(unfit_mapping_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
