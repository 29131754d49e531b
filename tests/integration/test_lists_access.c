/* lists.access — the lists across partnerships (issue 19) on the real
 * lifecycle, budget, survey and benchmark processes with CURVE and a key
 * registry: each list's filters, and that a caller sees exactly the rows of
 * its own organisation and the partnerships it is a member of — an outsider
 * gets an empty list, not a refusal and not a hint — while the operator
 * sees everything. Refused filters name the field and say why. (The
 * process set-up is access.isolation's.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "curve_cluster.h"
#include "lcclient.h"
#include "test_budget_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/benchmark.pb-c.h"
#include "trin/budget.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin_codec.h"
#include "trin_keys.h"

/* ---- keys and processes ------------------------------------------------------------- */

enum { LC = CC_LC, BG = CC_BG, SV = CC_SV, BM = CC_BM, NSVC = CC_NSVC };

/* Who holds a key: organisation and role, as in the registry. */
enum { ADMIN, ALFA_W, ALFA_R, BETA_W, RAAD_A, BYG_C, NWHO };
static const curve_cluster_who_t WHO[NWHO] = {
    [ADMIN] = {"ops", "admin"},        [ALFA_W] = {"alfa", "writer"},
    [ALFA_R] = {"alfa", "reader"},     [BETA_W] = {"beta", "writer"},
    [RAAD_A] = {"raad", "advisor"},    [BYG_C] = {"byg", "calculator"},
};

static const char *const BINS[NSVC] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN, TRIN_SURVEY_BIN,
                                       TRIN_BENCHMARK_BIN};
static curve_cluster_t cc;

static trin_client_t *as(int who, int svc) {
  trin_client_t *c = curve_cluster_as(&cc, who, svc);
  assert_non_null(c);
  return c;
}

static uint64_t last_seq(int svc) {
  uint64_t s = curve_cluster_last_seq(&cc, svc);
  assert_true(s != UINT64_MAX);
  return s;
}

static int setup(void **state) {
  (void)state;
  return curve_cluster_start(&cc, "lists", WHO, NWHO, BINS) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return curve_cluster_stop(&cc);
}

static int call(trin_client_t *c, const ProtobufCMessage *req, const ProtobufCMessageDescriptor *d,
                ProtobufCMessage **out, trin_err_t *err) {
  return testcall(c, req, d, out, err);
}

/* Refused with INVALID on field fld, saying `says`. */
#define INVALID(expr, fld, says)                                                       \
  do {                                                                                 \
    trin_err_t e_ = {0};                                                               \
    int rc_ = (expr);                                                                  \
    if (rc_ != TRIN_EINVALID)                                                          \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);    \
    assert_int_equal(rc_, TRIN_EINVALID);                                              \
    assert_string_equal(e_.field, (fld));                                              \
    if (!strstr(e_.message, (says))) print_error("message: %s\n", e_.message);        \
    assert_non_null(strstr(e_.message, (says)));                                       \
  } while (0)

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000L * 1000L};
  nanosleep(&ts, NULL);
}

/* The ids of a list's rows joined by spaces, in the order listed: "D1 D3". */
static char ids_buf[512];
static void ids_add(const char *id) {
  size_t n = strlen(ids_buf);
  snprintf(ids_buf + n, sizeof ids_buf - n, "%s%s", n ? " " : "", id);
}

/* ---- lifecycle: disputes and defects -------------------------------------------------- */

static int add_member(trin_client_t *c, const char *pid, const char *org, const char *kind,
                      trin_err_t *err) {
  Trin__Lifecycle__Member m = TRIN__LIFECYCLE__MEMBER__INIT;
  m.org_id = (char *)org;
  m.role = (char *)kind;
  Trin__Lifecycle__AddMember q = TRIN__LIFECYCLE__ADD_MEMBER__INIT;
  q.partnership_id = (char *)pid;
  q.member = &m;
  return call(c, &q.base, &trin__lifecycle__partnership_reply__descriptor, NULL, err);
}

static int open_dispute(trin_client_t *c, const char *project, const char *id, const char *by,
                        int64_t amount_ore, trin_err_t *err) {
  Trin__Lifecycle__OpenDispute q = TRIN__LIFECYCLE__OPEN_DISPUTE__INIT;
  q.project_id = (char *)project;
  q.dispute_id = (char *)id;
  q.title = "facade";
  q.amount_ore = amount_ore;
  q.date = "2024-05-01";
  q.raised_by = (char *)by;
  return call(c, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

static int escalate(trin_client_t *c, const char *id, int level, const char *by,
                    trin_err_t *err) {
  Trin__Lifecycle__EscalateDispute q = TRIN__LIFECYCLE__ESCALATE_DISPUTE__INIT;
  q.dispute_id = (char *)id;
  q.to_level = level;
  q.date = "2024-06-01";
  q.by_org = (char *)by;
  return call(c, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

static int report_defect(trin_client_t *c, const char *project, const char *id,
                         const char *severity, const char *due, const char *bearer,
                         trin_err_t *err) {
  Trin__Lifecycle__Defect d = TRIN__LIFECYCLE__DEFECT__INIT;
  d.id = (char *)id;
  d.description = "utæt tag";
  d.severity = (char *)severity;
  d.found_at = "handover";
  d.reported_on = "2024-05-01";
  d.due_on = (char *)due;
  d.cost_bearer = (char *)bearer;
  Trin__Lifecycle__ReportDefect q = TRIN__LIFECYCLE__REPORT_DEFECT__INIT;
  q.project_id = (char *)project;
  q.defect = &d;
  return call(c, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

static int fix_defect(trin_client_t *c, const char *id, trin_err_t *err) {
  Trin__Lifecycle__FixDefect q = TRIN__LIFECYCLE__FIX_DEFECT__INIT;
  q.defect_id = (char *)id;
  q.fixed_on = "2024-05-10";
  return call(c, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

/* A fast-track project brought to handover, so that it takes defects. */
static void to_handover(const char *project) {
  OK(lc_advance(as(ALFA_W, LC), project, "trin1_2", "2023-04-01", &e_));
  OK(lc_close_price(as(ALFA_W, LC), project, "2023-05-01", &e_));
  OK(lc_advance(as(ALFA_W, LC), project, "trin3", "2023-06-01", &e_));
  OK(lc_advance(as(ALFA_W, LC), project, "handover", "2024-04-01", &e_));
}

static int list_disputes(int who, const Trin__Lifecycle__ListDisputes *q, trin_err_t *err) {
  Trin__Lifecycle__DisputeList *l = NULL;
  ids_buf[0] = '\0';
  int rc = call(as(who, LC), &q->base, &trin__lifecycle__dispute_list__descriptor,
                (ProtobufCMessage **)&l, err);
  for (size_t i = 0; !rc && i < l->n_disputes; i++) {
    ids_add(l->disputes[i]->dispute->id);
    /* every row names its project */
    assert_string_equal(l->disputes[i]->project->id, l->disputes[i]->dispute->project_id);
  }
  trin_codec_free(l);
  return rc;
}

static const char *disputes(int who, const char *partnership, const char *org, bool open_only,
                            int min_level) {
  Trin__Lifecycle__ListDisputes q = TRIN__LIFECYCLE__LIST_DISPUTES__INIT;
  q.partnership_id = (char *)partnership;
  q.org = (char *)org;
  q.open_only = open_only;
  q.min_level = min_level;
  trin_err_t err;
  assert_int_equal(list_disputes(who, &q, &err), TRIN_OK);
  return ids_buf;
}

static int list_defects(int who, const Trin__Lifecycle__ListDefects *q, trin_err_t *err) {
  Trin__Lifecycle__DefectList *l = NULL;
  ids_buf[0] = '\0';
  int rc = call(as(who, LC), &q->base, &trin__lifecycle__defect_list__descriptor,
                (ProtobufCMessage **)&l, err);
  for (size_t i = 0; !rc && i < l->n_defects; i++)
    ids_add(l->defects[i]->defect->id);
  trin_codec_free(l);
  return rc;
}

static const char *defects(int who, const char *org, bool overdue_only, const char *as_of,
                           const char *severity) {
  Trin__Lifecycle__ListDefects q = TRIN__LIFECYCLE__LIST_DEFECTS__INIT;
  q.org = (char *)org;
  q.overdue_only = overdue_only;
  q.as_of = (char *)as_of;
  q.severity = (char *)severity;
  trin_err_t err;
  assert_int_equal(list_defects(who, &q, &err), TRIN_OK);
  return ids_buf;
}

static void lifecycle_lists(void **state) {
  (void)state;
  OK(lc_org(as(ADMIN, LC), "alfa", "client", &e_));
  OK(lc_org(as(ADMIN, LC), "beta", "client", &e_));
  OK(lc_org(as(ADMIN, LC), "raad", "advisor", &e_));
  OK(lc_org(as(ADMIN, LC), "byg", "contractor", &e_));
  OK(lc_partnership(as(ALFA_W, LC), "LA", "alfa", "2023-01-01", "myndighedsprojekt", 0, &e_));
  OK(lc_partnership(as(BETA_W, LC), "LB", "beta", "2023-01-01", "myndighedsprojekt", 0, &e_));
  OK(add_member(as(ALFA_W, LC), "LA", "raad", "advisor", &e_));
  OK(add_member(as(ALFA_W, LC), "LA", "byg", "contractor", &e_));
  OK(lc_project(as(ALFA_W, LC), "PA", "LA", NULL, true, "2023-03-01", &e_));
  OK(lc_project(as(ALFA_W, LC), "PA2", "LA", NULL, false, "2023-03-01", &e_));
  OK(lc_project(as(BETA_W, LC), "PB", "LB", NULL, true, "2023-03-01", &e_));

  /* disputes: D1 raised by the contractor and escalated by the client to
   * the conflict forum; D2 by the advisor; DB in the other partnership */
  OK(open_dispute(as(BYG_C, LC), "PA", "D1", "byg", 10000000, &e_));
  OK(escalate(as(ALFA_W, LC), "D1", 3, "alfa", &e_));
  OK(open_dispute(as(RAAD_A, LC), "PA2", "D2", "raad", 500000, &e_));
  OK(lc_dispute_resolve(as(ALFA_W, LC), "D2", "2024-07-01", "settled", &e_));
  OK(open_dispute(as(BETA_W, LC), "PB", "DB", "beta", 100, &e_));

  /* open first, highest level first; the operator sees both partnerships;
   * reading writes no event */
  uint64_t before = last_seq(LC);
  assert_string_equal(disputes(ADMIN, "", "", false, 0), "D1 DB D2");
  assert_int_equal(last_seq(LC), before);
  assert_string_equal(disputes(ADMIN, "", "", true, 0), "D1 DB");
  assert_string_equal(disputes(ADMIN, "", "", false, 2), "D1");
  assert_string_equal(disputes(ADMIN, "LB", "", false, 0), "DB");
  /* involved: raised it, escalated it, or the project's client */
  assert_string_equal(disputes(ADMIN, "", "byg", false, 0), "D1");
  assert_string_equal(disputes(ADMIN, "", "raad", false, 0), "D2");
  assert_string_equal(disputes(ADMIN, "", "alfa", false, 0), "D1 D2");
  /* members see their partnership's, the other client nothing of it */
  assert_string_equal(disputes(ALFA_R, "", "", false, 0), "D1 D2");
  assert_string_equal(disputes(BYG_C, "", "", false, 0), "D1 D2");
  assert_string_equal(disputes(RAAD_A, "", "", true, 0), "D1");
  assert_string_equal(disputes(BETA_W, "", "", false, 0), "DB");
  assert_string_equal(disputes(BETA_W, "LA", "", false, 0), "");
  assert_string_equal(disputes(BETA_W, "", "alfa", false, 0), "");
  {
    Trin__Lifecycle__ListDisputes q = TRIN__LIFECYCLE__LIST_DISPUTES__INIT;
    q.project_id = "PA";
    OK(list_disputes(ALFA_W, &q, &e_));
    assert_string_equal(ids_buf, "D1");
    OK(list_disputes(BETA_W, &q, &e_));
    assert_string_equal(ids_buf, "");
    q.project_id = "";
    q.client_org = "beta";
    OK(list_disputes(ADMIN, &q, &e_));
    assert_string_equal(ids_buf, "DB");
    q.client_org = "";
    q.min_level = 8;
    INVALID(list_disputes(ALFA_W, &q, &e_), "min_level",
            "must be 0 (any level) or a level of the dispute ladder, 1–7; got 8");
    q.min_level = 0;
    q.org = "not an id!";
    INVALID(list_disputes(ALFA_W, &q, &e_), "org", "may only contain letters A-Z, digits");
  }

  /* defects: PA and PB at handover; M1 overdue on 2024-07-01, M2 due
   * later, M3 fixed; MB the other partnership's */
  to_handover("PA");
  OK(lc_advance(as(BETA_W, LC), "PB", "trin1_2", "2023-04-01", &e_));
  OK(lc_close_price(as(BETA_W, LC), "PB", "2023-05-01", &e_));
  OK(lc_advance(as(BETA_W, LC), "PB", "trin3", "2023-06-01", &e_));
  OK(lc_advance(as(BETA_W, LC), "PB", "handover", "2024-04-01", &e_));
  OK(report_defect(as(BYG_C, LC), "PA", "M1", "critical", "2024-06-01", "byg", &e_));
  OK(report_defect(as(RAAD_A, LC), "PA", "M2", "minor", "2024-09-01", "", &e_));
  OK(report_defect(as(RAAD_A, LC), "PA", "M3", "minor", "2024-05-05", "", &e_));
  /* the client closes it (a contractor's fix would await its confirmation) */
  OK(fix_defect(as(ALFA_W, LC), "M3", &e_));
  OK(report_defect(as(BETA_W, LC), "PB", "MB", "major", "2024-06-01", "", &e_));

  assert_string_equal(defects(ADMIN, "", false, "", ""), "M1 MB M2 M3");
  assert_string_equal(defects(ADMIN, "", true, "2024-07-01", ""), "M1 MB");
  assert_string_equal(defects(ADMIN, "", true, "2024-06-01", ""), ""); /* due that day */
  assert_string_equal(defects(ADMIN, "", false, "", "minor"), "M2 M3");
  assert_string_equal(defects(ADMIN, "byg", false, "", ""), "M1");
  assert_string_equal(defects(ALFA_W, "", true, "2024-07-01", ""), "M1");
  assert_string_equal(defects(RAAD_A, "", false, "", ""), "M1 M2 M3");
  assert_string_equal(defects(BETA_W, "", false, "", ""), "MB");
  assert_string_equal(defects(BETA_W, "alfa", false, "", ""), "");
  {
    Trin__Lifecycle__ListDefects q = TRIN__LIFECYCLE__LIST_DEFECTS__INIT;
    q.open_only = true;
    q.partnership_id = "LA";
    OK(list_defects(ALFA_R, &q, &e_));
    assert_string_equal(ids_buf, "M1 M2");
    OK(list_defects(BETA_W, &q, &e_));
    assert_string_equal(ids_buf, "");
    q.severity = "awful";
    INVALID(list_defects(ALFA_W, &q, &e_), "severity", "awful");
    q.severity = "";
    q.as_of = "2024-02-30";
    INVALID(list_defects(ALFA_W, &q, &e_), "as_of", "2024-02-30");
  }
}

/* ---- budget: budgets by status, index series ------------------------------------------- */

static int list_budgets(int who, const Trin__Budget__ListBudgets *q, trin_err_t *err) {
  Trin__Budget__BudgetList *l = NULL;
  ids_buf[0] = '\0';
  int rc = call(as(who, BG), &q->base, &trin__budget__budget_list__descriptor,
                (ProtobufCMessage **)&l, err);
  for (size_t i = 0; !rc && i < l->n_budgets; i++) ids_add(l->budgets[i]->id);
  trin_codec_free(l);
  return rc;
}

static const char *budgets(int who, const char *partnership, const char *status) {
  Trin__Budget__ListBudgets q = TRIN__BUDGET__LIST_BUDGETS__INIT;
  q.partnership_id = (char *)partnership;
  q.status = (char *)status;
  trin_err_t err;
  assert_int_equal(list_budgets(who, &q, &err), TRIN_OK);
  return ids_buf;
}

static void budget_lists(void **state) {
  (void)state;
  assert_true(bg_wait_project(as(ADMIN, BG), "PA", 10000));
  assert_true(bg_wait_project(as(ADMIN, BG), "PA2", 10000));
  assert_true(bg_wait_project(as(ADMIN, BG), "PB", 10000));
  bg_line_spec_t line = {"L1", "craft", "facade", 100000000, 0};
  OK(bg_budget(as(BYG_C, BG), "A1", "PA", "skema_a", "2023-05-01", &line, 1, &e_));
  OK(bg_submit(as(BYG_C, BG), "A1", "2023-05-02", &e_));
  OK(bg_budget(as(BYG_C, BG), "A2", "PA2", "skema_a", "2023-05-01", &line, 1, &e_));
  OK(bg_budget(as(ADMIN, BG), "B1", "PB", "skema_a", "2023-05-01", &line, 1, &e_));
  OK(bg_submit(as(ADMIN, BG), "B1", "2023-05-02", &e_));

  assert_string_equal(budgets(ADMIN, "", ""), "A1 A2 B1");
  assert_string_equal(budgets(ADMIN, "", "submitted"), "A1 B1");
  assert_string_equal(budgets(ADMIN, "LB", ""), "B1");
  assert_string_equal(budgets(ALFA_R, "", ""), "A1 A2");
  assert_string_equal(budgets(RAAD_A, "", "submitted"), "A1");
  assert_string_equal(budgets(BYG_C, "", "draft"), "A2");
  assert_string_equal(budgets(BETA_W, "", ""), "B1");
  assert_string_equal(budgets(BETA_W, "LA", ""), "");
  {
    Trin__Budget__ListBudgets q = TRIN__BUDGET__LIST_BUDGETS__INIT;
    q.client_org = "alfa";
    q.kind = "skema_a";
    OK(list_budgets(ALFA_W, &q, &e_));
    assert_string_equal(ids_buf, "A1 A2");
    OK(list_budgets(BETA_W, &q, &e_));
    assert_string_equal(ids_buf, "");
    /* one project: as before, an outsider is told there is no such project */
    q.client_org = "";
    q.project_id = "PA";
    OK(list_budgets(RAAD_A, &q, &e_));
    assert_string_equal(ids_buf, "A1");
    REFUSED_WITH(list_budgets(BETA_W, &q, &e_), TRIN_ENOTFOUND);
    q.project_id = "";
    q.status = "pending";
    INVALID(list_budgets(ALFA_W, &q, &e_), "status",
            "'pending' is not a budget status; use one of draft, submitted, approved");
    q.status = "";
    q.kind = "skema_x";
    INVALID(list_budgets(ALFA_W, &q, &e_), "kind", "'skema_x' is not a budget kind");
  }

  /* the index series are public to every key that reads */
  uint64_t seq = 0;
  OK(bg_index_point(as(ADMIN, BG), "BYG42", "2023-01-01", 10000, &seq, &e_));
  OK(bg_index_point(as(ADMIN, BG), "BYG42", "2024-01-01", 10450, &seq, &e_));
  Trin__Budget__ListIndexSeries iq = TRIN__BUDGET__LIST_INDEX_SERIES__INIT;
  Trin__Budget__IndexSeriesList *il = NULL;
  OK(call(as(BETA_W, BG), &iq.base, &trin__budget__index_series_list__descriptor,
          (ProtobufCMessage **)&il, &e_));
  assert_int_equal(il->n_series, 1);
  assert_string_equal(il->series[0]->series, "BYG42");
  assert_int_equal(il->series[0]->points, 2);
  assert_string_equal(il->series[0]->first_date, "2023-01-01");
  assert_string_equal(il->series[0]->last_date, "2024-01-01");
  assert_int_equal(il->series[0]->last_value_x100, 10450);
  trin_codec_free(il);
}

/* ---- survey: surveys with their rounds ----------------------------------------------- */

static int create_survey(trin_client_t *c, const char *id, const char *project,
                         trin_err_t *err) {
  Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT;
  st.key = "trust";
  st.text = "Vi har tillid til projektets økonomi";
  st.common = true;
  Trin__Survey__Statement *sts[1] = {&st};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = (char *)id;
  sv.project_id = (char *)project;
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.statements = sts;
  sv.n_statements = 1;
  Trin__Survey__CreateSurvey q = TRIN__SURVEY__CREATE_SURVEY__INIT;
  q.survey = &sv;
  return call(c, &q.base, &trin__survey__survey_reply__descriptor, NULL, err);
}

static int add_round(trin_client_t *c, const char *survey, int number, trin_err_t *err) {
  Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
  r.number = number;
  r.opens = number == 1 ? "2023-06-01" : "2024-06-01";
  r.closes = number == 1 ? "2023-06-30" : "2024-06-30";
  Trin__Survey__AddRound q = TRIN__SURVEY__ADD_ROUND__INIT;
  q.survey_id = (char *)survey;
  q.round = &r;
  return call(c, &q.base, &trin__survey__survey_reply__descriptor, NULL, err);
}

/* n responses "<prefix>1".. scoring 4. */
/* The project is refused as unknown until the survey service has applied
 * lifecycle's event; anything else ends the wait. */
static int create_when_known(int who, const char *id, const char *project) {
  int rc = TRIN_ENOTFOUND;
  for (int i = 0; i < 500 && rc == TRIN_ENOTFOUND; i++) {
    trin_err_t e = {0};
    if ((rc = create_survey(as(who, SV), id, project, &e)) == TRIN_ENOTFOUND) pause_ms(20);
    else if (rc) print_error("create survey %s: %s (field %s)\n", id, e.message, e.field);
  }
  return rc;
}

/* "SA:1,2 SB:" — each survey seen with its rounds' numbers. */
static const char *surveys(int who, const char *partnership, const char *client) {
  Trin__Survey__ListSurveys q = TRIN__SURVEY__LIST_SURVEYS__INIT;
  q.partnership_id = (char *)partnership;
  q.client_org = (char *)client;
  Trin__Survey__SurveyList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(who, SV), &q.base, &trin__survey__survey_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  ids_buf[0] = '\0';
  for (size_t i = 0; i < l->n_surveys; i++) {
    char one[128];
    size_t k = (size_t)snprintf(one, sizeof one, "%s:", l->surveys[i]->id);
    for (size_t r = 0; r < l->surveys[i]->n_rounds && k < sizeof one; r++)
      k += (size_t)snprintf(one + k, sizeof one - k, "%s%d", r ? "," : "",
                            l->surveys[i]->rounds[r]->number);
    ids_add(one);
  }
  trin_codec_free(l);
  return ids_buf;
}

static void survey_lists(void **state) {
  (void)state;
  assert_int_equal(create_when_known(ALFA_W, "SA", "PA"), TRIN_OK);
  assert_int_equal(create_when_known(ALFA_W, "SA2", "PA2"), TRIN_OK);
  assert_int_equal(create_when_known(BETA_W, "SB", "PB"), TRIN_OK);
  OK(add_round(as(ALFA_W, SV), "SA", 1, &e_));
  OK(add_round(as(ALFA_W, SV), "SA", 2, &e_));
  OK(add_round(as(BETA_W, SV), "SB", 1, &e_));

  assert_string_equal(surveys(ADMIN, "", ""), "SA:1,2 SA2: SB:1");
  assert_string_equal(surveys(ADMIN, "LB", ""), "SB:1");
  assert_string_equal(surveys(ADMIN, "", "alfa"), "SA:1,2 SA2:");
  assert_string_equal(surveys(RAAD_A, "", ""), "SA:1,2 SA2:");
  assert_string_equal(surveys(BETA_W, "", ""), "SB:1");
  assert_string_equal(surveys(BETA_W, "LA", ""), "");
  assert_string_equal(surveys(BETA_W, "", "alfa"), "");
  /* the rounds carry their dates */
  Trin__Survey__ListSurveys q = TRIN__SURVEY__LIST_SURVEYS__INIT;
  q.partnership_id = "LA";
  q.project_id = "PA";
  Trin__Survey__SurveyList *l = NULL;
  OK(call(as(ALFA_R, SV), &q.base, &trin__survey__survey_list__descriptor,
          (ProtobufCMessage **)&l, &e_));
  assert_int_equal(l->n_surveys, 1);
  assert_int_equal(l->surveys[0]->n_rounds, 2);
  assert_string_equal(l->surveys[0]->rounds[1]->opens, "2024-06-01");
  assert_string_equal(l->surveys[0]->rounds[1]->closes, "2024-06-30");
  assert_int_equal(l->surveys[0]->rounds[1]->respondents, 0);
  trin_codec_free(l);
  l = NULL;
  q.partnership_id = "L A";
  INVALID(call(as(ALFA_R, SV), &q.base, &trin__survey__survey_list__descriptor,
               (ProtobufCMessage **)&l, &e_),
          "partnership_id", "may only contain letters A-Z, digits");
}

/* ---- benchmark: properties ------------------------------------------------------------- */

static int set_property(trin_client_t *c, const char *id, const char *owner, const char *type,
                        trin_err_t *err) {
  Trin__Benchmark__Property p = TRIN__BENCHMARK__PROPERTY__INIT;
  p.id = (char *)id;
  p.name = (char *)id;
  p.owner_org = (char *)owner;
  p.type = (char *)type;
  p.gross_area_m2 = 5000;
  p.region = "hovedstaden";
  Trin__Benchmark__SetProperty q = TRIN__BENCHMARK__SET_PROPERTY__INIT;
  q.property = &p;
  return call(c, &q.base, &trin__benchmark__property_reply__descriptor, NULL, err);
}

static int list_properties(int who, const Trin__Benchmark__ListProperties *q, trin_err_t *err) {
  Trin__Benchmark__PropertyList *l = NULL;
  ids_buf[0] = '\0';
  int rc = call(as(who, BM), &q->base, &trin__benchmark__property_list__descriptor,
                (ProtobufCMessage **)&l, err);
  for (size_t i = 0; !rc && i < l->n_properties; i++) ids_add(l->properties[i]->id);
  trin_codec_free(l);
  return rc;
}

static const char *properties(int who, const char *owner, const char *type) {
  Trin__Benchmark__ListProperties q = TRIN__BENCHMARK__LIST_PROPERTIES__INIT;
  q.owner_org = (char *)owner;
  q.type = (char *)type;
  trin_err_t err;
  assert_int_equal(list_properties(who, &q, &err), TRIN_OK);
  return ids_buf;
}

static void benchmark_lists(void **state) {
  (void)state;
  OK(set_property(as(ALFA_W, BM), "SKOLE1", "alfa", "school", &e_));
  OK(set_property(as(ALFA_W, BM), "BH1", "alfa", "day_care", &e_));
  OK(set_property(as(BETA_W, BM), "SKOLE2", "beta", "school", &e_));

  /* by owner, then id; an organisation sees its own, the operator all */
  assert_string_equal(properties(ADMIN, "", ""), "BH1 SKOLE1 SKOLE2");
  assert_string_equal(properties(ADMIN, "", "school"), "SKOLE1 SKOLE2");
  assert_string_equal(properties(ADMIN, "beta", ""), "SKOLE2");
  assert_string_equal(properties(ALFA_R, "", ""), "BH1 SKOLE1");
  assert_string_equal(properties(ALFA_W, "", "day_care"), "BH1");
  assert_string_equal(properties(BETA_W, "", ""), "SKOLE2");
  assert_string_equal(properties(BETA_W, "alfa", ""), "");
  /* a member of alfa's partnership does not own alfa's properties */
  assert_string_equal(properties(RAAD_A, "", ""), "");
  Trin__Benchmark__ListProperties q = TRIN__BENCHMARK__LIST_PROPERTIES__INIT;
  q.region = "hovedstaden";
  q.municipality = "";
  OK(list_properties(ALFA_W, &q, &e_));
  assert_string_equal(ids_buf, "BH1 SKOLE1");
  q.region = "nordjylland";
  OK(list_properties(ADMIN, &q, &e_));
  assert_string_equal(ids_buf, "");
  q.region = "";
  q.type = "castle";
  INVALID(list_properties(ALFA_W, &q, &e_), "type", "castle");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lifecycle_lists),
      cmocka_unit_test(budget_lists),
      cmocka_unit_test(survey_lists),
      cmocka_unit_test(benchmark_lists),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
