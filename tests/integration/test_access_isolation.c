/* access.isolation — the real lifecycle, budget, survey and benchmark
 * processes on tcp://127.0.0.1 with CURVE and a key registry. Two client
 * organisations with a partnership each, an advisor, a contractor and a
 * resident committee: every key can do what its role allows on every
 * service and is refused for everything else, nothing changed: FORBIDDEN
 * with a message naming who and whose when it may see the resource, and
 * NOT_FOUND in exactly the words a missing id gets when it is an outsider
 * (it learns neither that the resource exists nor whose it is); a body
 * naming another organisation is refused. A budget store an older trin left
 * without membership learns it again when budget starts. */
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

#include "keys_test.h"
#include "curve_cluster.h"
#include "lcclient.h"
#include "test_benchmark_calls.h"
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
enum { ADMIN, ALFA_W, ALFA_R, BETA_W, RAAD_A, BYG_C, BEBOER_R, NWHO };
static const curve_cluster_who_t WHO[NWHO] = {
    [ADMIN] = {"ops", "admin"},        [ALFA_W] = {"alfa", "writer"},
    [ALFA_R] = {"alfa", "reader"},     [BETA_W] = {"beta", "writer"},
    [RAAD_A] = {"raad", "advisor"},    [BYG_C] = {"byg", "calculator"},
    [BEBOER_R] = {"beboer", "resident"},
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
  return curve_cluster_start(&cc, "access", WHO, NWHO, BINS) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return curve_cluster_stop(&cc);
}

/* ---- checks ------------------------------------------------------------------------------ */

/* Refused with FORBIDDEN on field fld, a message naming the caller's
 * organisation and role (and `names` when not NULL), and the service's
 * event log did not move. */
#define FORBIDDEN(svc, who, expr, fld, names)                                          \
  do {                                                                                 \
    trin_err_t e_ = {0};                                                               \
    uint64_t before_ = last_seq(svc);                                                  \
    int rc_ = (expr);                                                                  \
    if (rc_ != TRIN_EFORBIDDEN)                                                        \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);    \
    assert_int_equal(rc_, TRIN_EFORBIDDEN);                                            \
    assert_string_equal(e_.field, (fld));                                              \
    char who_[120];                                                                    \
    snprintf(who_, sizeof who_, "organisation \"%s\" (role %s)", WHO[who].org,         \
             WHO[who].role);                                                           \
    if (!strstr(e_.message, who_)) print_error("message: %s\n", e_.message);          \
    assert_non_null(strstr(e_.message, who_));                                         \
    const char *n_ = (names);                                                          \
    if (n_ && !strstr(e_.message, n_)) print_error("message: %s\n", e_.message);      \
    if (n_) assert_non_null(strstr(e_.message, n_));                                   \
    assert_int_equal(last_seq(svc), before_);                                          \
  } while (0)

/* An outsider's refusal: NOT_FOUND on field fld saying there is no <what>
 * '<id>', word for word what an id that exists nowhere gets (asked again
 * with a fresh id to compare), and the service's event log did not move. */
#define HIDDEN(svc, who, expr, fld, what, id)                                          \
  do {                                                                                 \
    trin_err_t e_ = {0};                                                               \
    uint64_t before_ = last_seq(svc);                                                  \
    int rc_ = (expr);                                                                  \
    if (rc_ != TRIN_ENOTFOUND)                                                         \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);    \
    assert_int_equal(rc_, TRIN_ENOTFOUND);                                             \
    assert_string_equal(e_.field, (fld));                                              \
    char want_[200];                                                                   \
    snprintf(want_, sizeof want_, "there is no %s '%s'", (what), (id));                \
    assert_string_equal(e_.message, want_);                                            \
    assert_int_equal(last_seq(svc), before_);                                          \
    (void)(who);                                                                       \
  } while (0)

static int call(trin_client_t *c, const ProtobufCMessage *req, const ProtobufCMessageDescriptor *d,
                ProtobufCMessage **out, trin_err_t *err) {
  return testcall(c, req, d, out, err);
}

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000L * 1000L};
  nanosleep(&ts, NULL);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

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
                        trin_err_t *err) {
  Trin__Lifecycle__OpenDispute q = TRIN__LIFECYCLE__OPEN_DISPUTE__INIT;
  q.project_id = (char *)project;
  q.dispute_id = (char *)id;
  q.title = "facade";
  q.amount_ore = 10000000;
  q.date = "2024-05-01";
  q.raised_by = (char *)by;
  return call(c, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

static size_t project_count(int who) {
  Trin__Lifecycle__ListProjects q = TRIN__LIFECYCLE__LIST_PROJECTS__INIT;
  Trin__Lifecycle__ProjectList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(who, LC), &q.base, &trin__lifecycle__project_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  size_t n = l->n_projects;
  trin_codec_free(l);
  return n;
}

static const char *only_project(int who) {
  static char id[65];
  Trin__Lifecycle__ListProjects q = TRIN__LIFECYCLE__LIST_PROJECTS__INIT;
  Trin__Lifecycle__ProjectList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(who, LC), &q.base, &trin__lifecycle__project_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  assert_int_equal(l->n_projects, 1);
  snprintf(id, sizeof id, "%s", l->projects[0]->id);
  trin_codec_free(l);
  return id;
}

static size_t partnership_count(int who) {
  Trin__Lifecycle__ListPartnerships q = TRIN__LIFECYCLE__LIST_PARTNERSHIPS__INIT;
  Trin__Lifecycle__PartnershipList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(who, LC), &q.base, &trin__lifecycle__partnership_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  size_t n = l->n_partnerships;
  trin_codec_free(l);
  return n;
}

static size_t members_of(const char *pid) {
  Trin__Lifecycle__GetPartnership q = TRIN__LIFECYCLE__GET_PARTNERSHIP__INIT;
  q.partnership_id = (char *)pid;
  Trin__Lifecycle__PartnershipReply *r = NULL;
  trin_err_t err;
  assert_int_equal(call(as(ADMIN, LC), &q.base, &trin__lifecycle__partnership_reply__descriptor,
                        (ProtobufCMessage **)&r, &err),
                   TRIN_OK);
  size_t n = r->partnership->n_members;
  trin_codec_free(r);
  return n;
}

static void stage_is(const char *project, const char *stage) {
  Trin__Lifecycle__ProjectReply *r = NULL;
  trin_err_t err;
  assert_int_equal(lc_get(as(ADMIN, LC), project, &r, &err), TRIN_OK);
  assert_string_equal(r->project->stage, stage);
  trin_codec_free(r);
}

static void lifecycle_roles(void **state) {
  (void)state;
  /* organisations: the operator's */
  OK(lc_org(as(ADMIN, LC), "alfa", "client", &e_));
  OK(lc_org(as(ADMIN, LC), "beta", "client", &e_));
  OK(lc_org(as(ADMIN, LC), "raad", "advisor", &e_));
  OK(lc_org(as(ADMIN, LC), "byg", "contractor", &e_));
  OK(lc_org(as(ADMIN, LC), "beboer", "resident_committee", &e_));
  FORBIDDEN(LC, ALFA_W, lc_org(as(ALFA_W, LC), "alfa2", "client", &e_), "",
            "trin.lifecycle.CreateOrganisation");

  /* each client's writer makes its own partnership, never the other's */
  OK(lc_partnership(as(ALFA_W, LC), "LA", "alfa", "2023-01-01", "myndighedsprojekt", 0, &e_));
  OK(lc_partnership(as(BETA_W, LC), "LB", "beta", "2023-01-01", "myndighedsprojekt", 0, &e_));
  FORBIDDEN(LC, BETA_W,
            lc_partnership(as(BETA_W, LC), "LX", "alfa", "2023-01-01", "myndighedsprojekt", 0,
                           &e_),
            "partnership.client_org", "\"alfa\"");
  FORBIDDEN(LC, ALFA_R,
            lc_partnership(as(ALFA_R, LC), "LY", "alfa", "2023-01-01", "myndighedsprojekt", 0,
                           &e_),
            "", NULL);
  OK(add_member(as(ALFA_W, LC), "LA", "raad", "advisor", &e_));
  OK(add_member(as(ALFA_W, LC), "LA", "byg", "contractor", &e_));
  OK(add_member(as(ALFA_W, LC), "LA", "beboer", "resident_committee", &e_));
  HIDDEN(LC, BETA_W, add_member(as(BETA_W, LC), "LA", "beta", "client", &e_), "partnership_id",
         "partnership", "LA");
  HIDDEN(LC, BETA_W, add_member(as(BETA_W, LC), "LNONE", "beta", "client", &e_),
         "partnership_id", "partnership", "LNONE"); /* the same words as a missing one */
  FORBIDDEN(LC, BYG_C, add_member(as(BYG_C, LC), "LB", "byg", "contractor", &e_), "", NULL);
  assert_int_equal(members_of("LA"), 4);
  assert_int_equal(members_of("LB"), 1);

  /* projects: inside one's own partnership only; a body naming the other
   * client is refused */
  OK(lc_project(as(ALFA_W, LC), "PA", "LA", NULL, false, "2023-03-01", &e_));
  OK(lc_project(as(BETA_W, LC), "PB", "LB", NULL, false, "2023-03-01", &e_));
  HIDDEN(LC, BETA_W, lc_project(as(BETA_W, LC), "PX", "LA", NULL, false, "2023-03-01", &e_),
         "project.partnership_id", "partnership", "LA");
  FORBIDDEN(LC, BETA_W, lc_project(as(BETA_W, LC), "PY", NULL, "alfa", false, "2023-03-01", &e_),
            "project.client_org", "\"alfa\"");
  assert_int_equal(project_count(ADMIN), 2);

  /* stages: the client's writer; nobody else, whatever they name */
  HIDDEN(LC, BETA_W, lc_advance(as(BETA_W, LC), "PA", "trin1", "2023-04-01", &e_), "project_id",
         "project", "PA");
  HIDDEN(LC, BETA_W, lc_advance(as(BETA_W, LC), "PNONE", "trin1", "2023-04-01", &e_),
         "project_id", "project", "PNONE");
  /* the refusal says what was refused, in words, and whose role may */
  FORBIDDEN(LC, BYG_C, lc_advance(as(BYG_C, LC), "PA", "trin1", "2023-04-01", &e_), "",
            "organisation \"byg\" (role calculator) may not advance a project's stage "
            "(trin.lifecycle.AdvanceStage): only writer (bygherre) may");
  FORBIDDEN(LC, ALFA_R, lc_advance(as(ALFA_R, LC), "PA", "trin1", "2023-04-01", &e_), "",
            "only writer (bygherre) may");
  stage_is("PA", "pre_study");
  OK(lc_advance(as(ALFA_W, LC), "PA", "trin1", "2023-04-01", &e_));
  stage_is("PA", "trin1");
  HIDDEN(LC, ALFA_W, lc_pause(as(ALFA_W, LC), "PB", "authority", "2023-05-01", &e_),
         "project_id", "project", "PB");

  /* milestones: the partnership's advisor, only there */
  OK(lc_milestone(as(RAAD_A, LC), "PA", "design", "2023-09-01", "", "", &e_));
  HIDDEN(LC, RAAD_A, lc_milestone(as(RAAD_A, LC), "PB", "design", "2023-09-01", "", "", &e_),
         "project_id", "project", "PB");

  /* disputes: a member raises them in its own name only */
  FORBIDDEN(LC, BYG_C, open_dispute(as(BYG_C, LC), "PA", "D1", "alfa", &e_), "raised_by",
            "\"alfa\"");
  OK(open_dispute(as(BYG_C, LC), "PA", "D1", "byg", &e_));
  /* a dispute of someone else's project reads as no dispute at all; the
   * project it is in stays unsaid */
  HIDDEN(LC, BETA_W, lc_dispute_escalate(as(BETA_W, LC), "D1", 2, "2024-05-02", &e_),
         "dispute_id", "dispute", "D1");
  HIDDEN(LC, BETA_W, lc_dispute_escalate(as(BETA_W, LC), "DNONE", 2, "2024-05-02", &e_),
         "dispute_id", "dispute", "DNONE");
  HIDDEN(LC, BETA_W, lc_dispute_resolve(as(BETA_W, LC), "D1", "2024-05-02", "settled", &e_),
         "dispute_id", "dispute", "D1");
  HIDDEN(LC, BYG_C, open_dispute(as(BYG_C, LC), "PB", "D2", "byg", &e_), "project_id", "project",
         "PB");

  /* reading: members see their partnership's projects, outsiders nothing */
  Trin__Lifecycle__ProjectReply *r = NULL;
  HIDDEN(LC, BETA_W, lc_get(as(BETA_W, LC), "PA", &r, &e_), "project_id", "project", "PA");
  OK(lc_get(as(RAAD_A, LC), "PA", &r, &e_));
  trin_codec_free(r);
  r = NULL;
  FORBIDDEN(LC, BEBOER_R, lc_get(as(BEBOER_R, LC), "PA", &r, &e_), "",
            "may not read a project (trin.lifecycle.GetProject): only writer (bygherre), reader "
            "(læser), calculator (kalkulator), advisor (rådgiver) or service (trin selv) may");
  assert_string_equal(only_project(ALFA_W), "PA");
  assert_string_equal(only_project(ALFA_R), "PA");
  assert_string_equal(only_project(BYG_C), "PA");
  assert_string_equal(only_project(BETA_W), "PB");
  assert_int_equal(partnership_count(BETA_W), 1);
  assert_int_equal(partnership_count(RAAD_A), 1);
  assert_int_equal(partnership_count(ADMIN), 2);
}

/* ---- budget ----------------------------------------------------------------------------------- */

static const char *budget_status(const char *id) {
  static char st[32];
  Trin__Budget__BudgetReply *r = NULL;
  trin_err_t err;
  assert_int_equal(bg_get_budget(as(ADMIN, BG), id, &r, &err), TRIN_OK);
  snprintf(st, sizeof st, "%s", r->budget->status);
  trin_codec_free(r);
  return st;
}

static size_t budget_count(const char *project) {
  Trin__Budget__ListBudgets q = TRIN__BUDGET__LIST_BUDGETS__INIT;
  q.project_id = (char *)project;
  Trin__Budget__BudgetList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(ADMIN, BG), &q.base, &trin__budget__budget_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  size_t n = l->n_budgets;
  trin_codec_free(l);
  return n;
}

static void budget_roles(void **state) {
  (void)state;
  assert_true(bg_wait_project(as(ADMIN, BG), "PA", 10000));
  assert_true(bg_wait_project(as(ADMIN, BG), "PB", 10000));
  /* LA's members came before PA on lifecycle's log, so budget knows them */
  bg_line_spec_t line = {"L1", "craft", "facade", 100000000, 0};

  /* the client sets the partnership's model; members read it */
  OK(bg_model(as(ALFA_W, BG), "LA", 500, &e_));
  HIDDEN(BG, BETA_W, bg_model(as(BETA_W, BG), "LA", 900, &e_), "model.partnership_id",
         "partnership", "LA");

  /* the contractor's calculator writes budgets of its partnership's projects */
  OK(bg_budget(as(BYG_C, BG), "A1", "PA", "skema_a", "2023-05-01", &line, 1, &e_));
  HIDDEN(BG, BYG_C, bg_budget(as(BYG_C, BG), "B1", "PB", "skema_a", "2023-05-01", &line, 1, &e_),
         "budget.project_id", "project", "PB");
  FORBIDDEN(BG, ALFA_W, bg_budget(as(ALFA_W, BG), "A2", "PA", "skema_a", "2023-05-01", &line, 1, &e_),
            "", "trin.budget.CreateBudget");
  assert_int_equal(budget_count("PA"), 1);
  assert_int_equal(budget_count("PB"), 0);
  bg_line_spec_t more = {"L2", "craft", "roof", 5000000, 0};
  FORBIDDEN(BG, RAAD_A, bg_line(as(RAAD_A, BG), "A1", &more, &e_), "", NULL);
  OK(bg_line(as(BYG_C, BG), "A1", &more, &e_));
  OK(bg_submit(as(BYG_C, BG), "A1", "2023-05-02", &e_));

  /* the client approves; the calculator and the other client may not */
  FORBIDDEN(BG, BYG_C, bg_approve(as(BYG_C, BG), "A1", "2023-05-03", &e_), "", NULL);
  HIDDEN(BG, BETA_W, bg_approve(as(BETA_W, BG), "A1", "2023-05-03", &e_), "budget_id", "budget",
         "A1");
  HIDDEN(BG, BETA_W, bg_approve(as(BETA_W, BG), "ANONE", "2023-05-03", &e_), "budget_id",
         "budget", "ANONE");
  assert_string_equal(budget_status("A1"), "submitted");
  OK(bg_approve(as(ALFA_W, BG), "A1", "2023-05-03", &e_));
  assert_string_equal(budget_status("A1"), "approved");

  /* optimisation log: the calculator proposes, the client decides */
  OK(bg_option(as(BYG_C, BG), "O1", "PA", 2000000, "2023-05-04", &e_));
  FORBIDDEN(BG, BETA_W, bg_option(as(BETA_W, BG), "O2", "PA", 2000000, "2023-05-04", &e_), "",
            NULL);

  /* reading: members yes, the other client and residents no */
  Trin__Budget__BudgetReply *r = NULL;
  OK(bg_get_budget(as(RAAD_A, BG), "A1", &r, &e_));
  trin_codec_free(r);
  r = NULL;
  HIDDEN(BG, BETA_W, bg_get_budget(as(BETA_W, BG), "A1", &r, &e_), "budget_id", "budget", "A1");
  FORBIDDEN(BG, BEBOER_R, bg_get_budget(as(BEBOER_R, BG), "A1", &r, &e_), "", NULL);
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  HIDDEN(BG, BETA_W, bg_economy(as(BETA_W, BG), "PA", &ec, &e_), "project_id", "project", "PA");
  HIDDEN(BG, BETA_W, bg_economy(as(BETA_W, BG), "PNONE", &ec, &e_), "project_id", "project",
         "PNONE");
  OK(bg_economy(as(ALFA_R, BG), "PA", &ec, &e_));
  trin_codec_free(ec);

  /* index series are the operator's */
  uint64_t seq = 0;
  FORBIDDEN(BG, ALFA_W, bg_index_point(as(ALFA_W, BG), "BYG42", "2023-01-01", 10000, &seq, &e_),
            "", "trin.budget.AddIndexPoints");
  OK(bg_index_point(as(ADMIN, BG), "BYG42", "2023-01-01", 10000, &seq, &e_));

  /* corrections (issue 19): the client reopens what it approved, the
   * calculator withdraws what it submitted; the event says who by key */
  FORBIDDEN(BG, BYG_C, bg_reopen(as(BYG_C, BG), "A1", "forkert tag", &e_), "",
            "trin.budget.ReopenBudget");
  HIDDEN(BG, BETA_W, bg_reopen(as(BETA_W, BG), "A1", "forkert tag", &e_), "budget_id", "budget",
         "A1");
  OK(bg_reopen(as(ALFA_W, BG), "A1", "forkert tag", &e_));
  Trin__Event *ev = NULL;
  Trin__Budget__BudgetEvent *be = NULL;
  OK(bg_last_event(as(ADMIN, BG), &ev, &be, &e_));
  assert_string_equal(ev->type, "budget.budget_reopened");
  assert_string_equal(be->reason, "forkert tag");
  assert_string_equal(be->by, WHO[ALFA_W].org);
  assert_int_equal(strlen(be->by_key), 32); /* the key's fingerprint */
  trin_codec_free(be);
  trin_codec_free(ev);
  assert_string_equal(budget_status("A1"), "draft");
  OK(bg_submit(as(BYG_C, BG), "A1", "2023-05-05", &e_));
  FORBIDDEN(BG, ALFA_W, bg_withdraw(as(ALFA_W, BG), "A1", "mangler tilbud", &e_), "",
            "trin.budget.WithdrawBudget");
  FORBIDDEN(BG, RAAD_A, bg_withdraw(as(RAAD_A, BG), "A1", "mangler tilbud", &e_), "", NULL);
  OK(bg_withdraw(as(BYG_C, BG), "A1", "mangler tilbud", &e_));
  OK(bg_last_event(as(ADMIN, BG), &ev, &be, &e_));
  assert_string_equal(ev->type, "budget.budget_withdrawn");
  assert_string_equal(be->by, WHO[BYG_C].org);
  trin_codec_free(be);
  trin_codec_free(ev);
  OK(bg_submit(as(BYG_C, BG), "A1", "2023-05-06", &e_));
  OK(bg_approve(as(ALFA_W, BG), "A1", "2023-05-07", &e_));
  assert_string_equal(budget_status("A1"), "approved");
}

/* A budget store an older trin wrote: it followed lifecycle before it kept
 * partnership membership (or before its membership was complete). The test
 * makes one from budget's own store: membership forgotten, and the cursor
 * table and migration steps as that version left them. Started again, budget
 * replays lifecycle's events for membership once, and the partnership's
 * members read their budgets again; outsiders stay outside. */
static void older_budget_store_learns_membership(void **state) {
  (void)state;
  Trin__Budget__BudgetReply *r = NULL;
  OK(bg_get_budget(as(RAAD_A, BG), "A1", &r, &e_));
  trin_codec_free(r);
  r = NULL;
  assert_int_equal(testproc_stop(&cc.proc[BG]), 0);
  trin_store_t *s = keys_open(cc.proc[BG].store);
  keys_exec(s,
            "DELETE FROM access_members; DELETE FROM access_partnerships;"
            " DELETE FROM access_projects;"
            " ALTER TABLE trin_cursor DROP COLUMN replay_until;"
            " UPDATE trin_schema SET version = 1 WHERE scope = 'cursor';"
            " DELETE FROM trin_schema WHERE scope = 'access_replay'");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM access_members"), 0);
  assert_true(keys_int(s, "SELECT seq FROM trin_cursor WHERE service = 'lifecycle'") > 0);
  trin_store_destroy(&s);

  assert_true(curve_cluster_launch(&cc, BG));
  int rc = TRIN_ENOTFOUND;
  for (int i = 0; i < 200 && rc == TRIN_ENOTFOUND; i++) { /* until the replay is through */
    trin_err_t err = {0};
    rc = bg_get_budget(as(RAAD_A, BG), "A1", &r, &err);
    if (rc == TRIN_ENOTFOUND) pause_ms(50);
  }
  assert_int_equal(rc, TRIN_OK);
  trin_codec_free(r);
  r = NULL;
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  OK(bg_economy(as(ALFA_R, BG), "PA", &ec, &e_));
  trin_codec_free(ec);
  HIDDEN(BG, BETA_W, bg_get_budget(as(BETA_W, BG), "A1", &r, &e_), "budget_id", "budget", "A1");

  char cmd[600], out[64] = "";
  snprintf(cmd, sizeof cmd, "grep -c 'are replayed for what this version adds' '%s'",
           cc.proc[BG].log);
  testproc_run(cmd, out, sizeof out);
  assert_int_equal(atoi(out), 1);
}

/* ---- survey ------------------------------------------------------------------------------------ */

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

static int add_round(trin_client_t *c, const char *survey, trin_err_t *err) {
  Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
  r.number = 1;
  r.opens = "2023-06-01";
  r.closes = "2023-06-30";
  Trin__Survey__AddRound q = TRIN__SURVEY__ADD_ROUND__INIT;
  q.survey_id = (char *)survey;
  q.round = &r;
  return call(c, &q.base, &trin__survey__survey_reply__descriptor, NULL, err);
}

/* n responses "<prefix>1".. scoring 4. */
static int answer(trin_client_t *c, const char *survey, const char *prefix, int n,
                  trin_err_t *err) {
  Trin__Survey__Response rs[8], *rp[8];
  Trin__Survey__Response__ScoresEntry sc[8], *sp[8];
  char ids[8][32];
  for (int i = 0; i < n; i++) {
    trin__survey__response__init(&rs[i]);
    trin__survey__response__scores_entry__init(&sc[i]);
    snprintf(ids[i], sizeof ids[i], "%s%d", prefix, i + 1);
    sc[i].key = "trust";
    sc[i].value = 4;
    sp[i] = &sc[i];
    rs[i].respondent = ids[i];
    rs[i].role = "residents";
    rs[i].scores = &sp[i];
    rs[i].n_scores = 1;
    rp[i] = &rs[i];
  }
  Trin__Survey__ImportResponses q = TRIN__SURVEY__IMPORT_RESPONSES__INIT;
  q.survey_id = (char *)survey;
  q.round = 1;
  q.responses = rp;
  q.n_responses = (size_t)n;
  return call(c, &q.base, &trin__survey__import_reply__descriptor, NULL, err);
}

static int results(trin_client_t *c, const char *survey, int32_t *respondents,
                   trin_err_t *err) {
  Trin__Survey__GetSurvey q = TRIN__SURVEY__GET_SURVEY__INIT;
  q.survey_id = (char *)survey;
  Trin__Survey__SurveyReply *r = NULL;
  int rc = call(c, &q.base, &trin__survey__survey_reply__descriptor, (ProtobufCMessage **)&r, err);
  if (!rc && respondents) *respondents = r->survey->n_rounds ? r->survey->rounds[0]->respondents : 0;
  trin_codec_free(r);
  return rc;
}

static int get_results(trin_client_t *c, const char *survey, trin_err_t *err) {
  Trin__Survey__GetResults q = TRIN__SURVEY__GET_RESULTS__INIT;
  q.survey_id = (char *)survey;
  return call(c, &q.base, &trin__survey__round_results__descriptor, NULL, err);
}

static size_t surveys_seen(int who) {
  Trin__Survey__ListSurveys q = TRIN__SURVEY__LIST_SURVEYS__INIT;
  Trin__Survey__SurveyList *l = NULL;
  trin_err_t err;
  assert_int_equal(call(as(who, SV), &q.base, &trin__survey__survey_list__descriptor,
                        (ProtobufCMessage **)&l, &err),
                   TRIN_OK);
  size_t n = l->n_surveys;
  trin_codec_free(l);
  return n;
}

static int compare(trin_client_t *c, const char *client, trin_err_t *err) {
  Trin__Survey__Compare q = TRIN__SURVEY__COMPARE__INIT;
  q.statement_key = "trust";
  q.client_org = (char *)client;
  return call(c, &q.base, &trin__survey__comparison__descriptor, NULL, err);
}

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

static void survey_roles(void **state) {
  (void)state;
  /* the survey service learns PA and PB from lifecycle's events */
  assert_int_equal(create_when_known(ALFA_W, "SA", "PA"), TRIN_OK);
  assert_int_equal(create_when_known(BETA_W, "SB", "PB"), TRIN_OK);
  HIDDEN(SV, BETA_W, create_survey(as(BETA_W, SV), "SX", "PA", &e_), "survey.project_id",
         "project", "PA");
  FORBIDDEN(SV, BYG_C, create_survey(as(BYG_C, SV), "SY", "PA", &e_), "", NULL);
  assert_int_equal(surveys_seen(ADMIN), 2);

  HIDDEN(SV, BETA_W, add_round(as(BETA_W, SV), "SA", &e_), "survey_id", "survey", "SA");
  HIDDEN(SV, BETA_W, add_round(as(BETA_W, SV), "SNONE", &e_), "survey_id", "survey", "SNONE");
  OK(add_round(as(ALFA_W, SV), "SA", &e_));

  /* the partnership's resident committee answers; others may not */
  OK(answer(as(BEBOER_R, SV), "SA", "r", 5, &e_));
  HIDDEN(SV, BETA_W, answer(as(BETA_W, SV), "SA", "x", 5, &e_), "survey_id", "survey", "SA");
  FORBIDDEN(SV, RAAD_A, answer(as(RAAD_A, SV), "SA", "y", 5, &e_), "", NULL);
  int32_t n = 0;
  OK(results(as(ADMIN, SV), "SA", &n, &e_));
  assert_int_equal(n, 5);

  /* results: members read them; residents only answer, outsiders nothing */
  OK(get_results(as(RAAD_A, SV), "SA", &e_));
  FORBIDDEN(SV, BEBOER_R, get_results(as(BEBOER_R, SV), "SA", &e_), "", NULL);
  HIDDEN(SV, BETA_W, get_results(as(BETA_W, SV), "SA", &e_), "survey_id", "survey", "SA");
  assert_int_equal(surveys_seen(BETA_W), 1);
  assert_int_equal(surveys_seen(RAAD_A), 1);
  assert_int_equal(surveys_seen(ALFA_W), 1);

  /* pooled comparison: anonymous for everyone, naming a client only one's own */
  FORBIDDEN(SV, BETA_W, compare(as(BETA_W, SV), "alfa", &e_), "client_org", "\"alfa\"");
  OK(compare(as(ALFA_W, SV), "alfa", &e_));
  OK(compare(as(BETA_W, SV), "", &e_));
}

/* ---- benchmark ------------------------------------------------------------------------------------ */

static int set_property(trin_client_t *c, const char *id, const char *owner, trin_err_t *err) {
  Trin__Benchmark__Property p = TRIN__BENCHMARK__PROPERTY__INIT;
  p.id = (char *)id;
  p.name = (char *)id;
  p.owner_org = (char *)owner;
  p.type = "school";
  p.gross_area_m2 = 5000;
  Trin__Benchmark__SetProperty q = TRIN__BENCHMARK__SET_PROPERTY__INIT;
  q.property = &p;
  return call(c, &q.base, &trin__benchmark__property_reply__descriptor, NULL, err);
}

static int get_property(trin_client_t *c, const char *id, char *owner, size_t cap,
                        trin_err_t *err) {
  Trin__Benchmark__GetProperty q = TRIN__BENCHMARK__GET_PROPERTY__INIT;
  q.property_id = (char *)id;
  Trin__Benchmark__PropertyReply *r = NULL;
  int rc = call(c, &q.base, &trin__benchmark__property_reply__descriptor, (ProtobufCMessage **)&r,
                err);
  if (!rc && owner) snprintf(owner, cap, "%s", r->property->owner_org);
  trin_codec_free(r);
  return rc;
}

static int set_measure(trin_client_t *c, const char *property, int year, int64_t cost_ore,
                       trin_err_t *err) {
  Trin__Benchmark__AccountCost cost = TRIN__BENCHMARK__ACCOUNT_COST__INIT;
  cost.account = "maintenance";
  cost.amount_ore = cost_ore;
  Trin__Benchmark__AccountCost *costs[1] = {&cost};
  Trin__Benchmark__Measure m = TRIN__BENCHMARK__MEASURE__INIT;
  m.property_id = (char *)property;
  m.year = year;
  m.costs = costs;
  m.n_costs = 1;
  Trin__Benchmark__SetMeasure q = TRIN__BENCHMARK__SET_MEASURE__INIT;
  q.measure = &m;
  return call(c, &q.base, &trin__benchmark__measure_reply__descriptor, NULL, err);
}

static int set_model(trin_client_t *c, trin_err_t *err) {
  Trin__Benchmark__ModelPart part = TRIN__BENCHMARK__MODEL_PART__INIT;
  part.part = "roof";
  part.weight = 100;
  Trin__Benchmark__ModelPart *parts[1] = {&part};
  Trin__Benchmark__MaintenanceModel m = TRIN__BENCHMARK__MAINTENANCE_MODEL__INIT;
  m.parts = parts;
  m.n_parts = 1;
  Trin__Benchmark__SetMaintenanceModel q = TRIN__BENCHMARK__SET_MAINTENANCE_MODEL__INIT;
  q.model = &m;
  return call(c, &q.base, &trin__benchmark__maintenance_model__descriptor, NULL, err);
}

static void benchmark_roles(void **state) {
  (void)state;
  /* an organisation's own entry: its writers */
  OK(bmc_org(as(ALFA_W, BM), "alfa", "Alfa Bolig", true, &e_));
  OK(bmc_org(as(BETA_W, BM), "beta", "Beta Bolig", false, &e_));
  FORBIDDEN(BM, BETA_W, bmc_org(as(BETA_W, BM), "alfa", "Alfa Bolig", false, &e_),
            "organisation.id", "\"alfa\"");
  FORBIDDEN(BM, ALFA_R, bmc_org(as(ALFA_R, BM), "alfa", "Alfa", false, &e_), "", NULL);

  /* properties: the owner's writers; the body's owner is the caller's own */
  OK(set_property(as(ALFA_W, BM), "SKOLE-A", "alfa", &e_));
  FORBIDDEN(BM, BETA_W, set_property(as(BETA_W, BM), "SKOLE-X", "alfa", &e_),
            "property.owner_org", "\"alfa\"");
  /* another organisation's id: taken, whose it is unsaid */
  {
    trin_err_t e_ = {0};
    uint64_t before_ = last_seq(BM);
    assert_int_equal(set_property(as(BETA_W, BM), "SKOLE-A", "beta", &e_), TRIN_ECONFLICT);
    assert_string_equal(e_.field, "property.id");
    assert_string_equal(e_.message, "property 'SKOLE-A' already exists");
    assert_int_equal(last_seq(BM), before_);
  }
  char owner[65];
  OK(get_property(as(ADMIN, BM), "SKOLE-A", owner, sizeof owner, &e_));
  assert_string_equal(owner, "alfa");
  OK(get_property(as(ALFA_R, BM), "SKOLE-A", owner, sizeof owner, &e_));
  HIDDEN(BM, BETA_W, get_property(as(BETA_W, BM), "SKOLE-A", NULL, 0, &e_), "property_id",
         "property", "SKOLE-A");
  HIDDEN(BM, BETA_W, get_property(as(BETA_W, BM), "SKOLE-NONE", NULL, 0, &e_), "property_id",
         "property", "SKOLE-NONE");
  trin_err_t e = {0};
  assert_int_equal(get_property(as(ADMIN, BM), "SKOLE-X", NULL, 0, &e), TRIN_ENOTFOUND);

  /* the maintenance model is the operator's */
  FORBIDDEN(BM, ALFA_W, set_model(as(ALFA_W, BM), &e_), "", "trin.benchmark.SetMaintenanceModel");

  /* anonymous figures for any working key, always as the caller's own
   * organisation; naming another viewer is refused */
  OK(set_measure(as(ALFA_W, BM), "SKOLE-A", 2023, 50000000, &e_)); /* 100.00 DKK/m² */
  Trin__Benchmark__FigureReport *rep = NULL;
  OK(bmc_query(as(BETA_W, BM), "cost_per_m2", 2023, NULL, NULL, "", 0, &rep, &e_));
  assert_null(rep->viewer); /* beta has no figures */
  trin_codec_free(rep);
  rep = NULL;
  OK(bmc_query(as(BETA_W, BM), "cost_per_m2", 2023, NULL, NULL, "beta", 0, &rep, &e_));
  trin_codec_free(rep);
  rep = NULL;
  FORBIDDEN(BM, BETA_W, bmc_query(as(BETA_W, BM), "cost_per_m2", 2023, NULL, NULL, "alfa", 0, &rep, &e_),
            "viewer_org", "\"alfa\"");
  /* alfa's key, naming no viewer, sees alfa's view: its own value, by its name */
  OK(bmc_query(as(ALFA_R, BM), "cost_per_m2", 2023, NULL, NULL, NULL, 0, &rep, &e_));
  assert_true(rep->suppressed); /* one organisation: below the minimum group */
  assert_non_null(rep->viewer);
  assert_int_equal(rep->viewer->value, 10000);
  assert_string_equal(rep->viewer->label, "Alfa Bolig");
  trin_codec_free(rep);
  rep = NULL;
  Trin__Benchmark__History *h = NULL;
  OK(bmc_history(as(ALFA_R, BM), "cost_per_m2", "alfa", 2020, 2023, NULL, &h, &e_));
  assert_int_equal(h->points[3]->value, 10000);
  trin_codec_free(h);
  h = NULL;
  FORBIDDEN(BM, BETA_W,
            bmc_history(as(BETA_W, BM), "cost_per_m2", "alfa", 2020, 2023, "alfa", &h, &e_),
            "viewer_org", NULL);
  /* beta did not agree to open benchmarking: alfa's history is not shown to it */
  trin_err_t he = {0};
  assert_int_equal(bmc_history(as(BETA_W, BM), "cost_per_m2", "alfa", 2020, 2023, "", &h, &he),
                   TRIN_EFORBIDDEN);
  assert_string_equal(he.field, "org_id");
  /* the operator's key has no organisation: without one it sees the
   * anonymous view; naming a viewer shows that viewer's view, and each such
   * request is written to the audit trail (a benchmark.viewed_as event with
   * the operator as its actor) */
  {
    trin_err_t he_ = {0};
    uint64_t before_ = last_seq(BM);
    OK(bmc_query(as(ADMIN, BM), "cost_per_m2", 2023, NULL, NULL, "alfa", 0, &rep, &e_));
    assert_non_null(rep->viewer);
    assert_int_equal(rep->viewer->value, 10000);
    trin_codec_free(rep);
    rep = NULL;
    assert_int_equal(last_seq(BM), before_ + 1);
    Trin__AuditSince aq = TRIN__AUDIT_SINCE__INIT;
    aq.after_seq = before_;
    Trin__AuditBatch *log = NULL;
    OK(trin_client_call(as(ADMIN, BM), &aq.base, &trin__audit_batch__descriptor,
                        (ProtobufCMessage **)&log, &e_));
    assert_int_equal(log->n_entries, 1);
    assert_string_equal(log->entries[0]->type, "benchmark.viewed_as");
    assert_string_equal(log->entries[0]->actor_role, "admin");
    trin_codec_free(log);
    /* a history naming no viewer is still the anonymous view */
    assert_int_equal(
        bmc_history(as(ADMIN, BM), "cost_per_m2", "alfa", 2020, 2023, NULL, &h, &he_),
        TRIN_EFORBIDDEN);
    assert_string_equal(he_.field, "org_id");
    assert_int_equal(last_seq(BM), before_ + 1);
  }
  OK(bmc_query(as(ADMIN, BM), "cost_per_m2", 2023, NULL, NULL, NULL, 0, &rep, &e_));
  assert_null(rep->viewer);
  trin_codec_free(rep);
  rep = NULL;
  /* residents see nothing here */
  FORBIDDEN(BM, BEBOER_R, bmc_query(as(BEBOER_R, BM), "cost_per_m2", 2023, NULL, NULL, "", 0, &rep, &e_),
            "", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lifecycle_roles),
      cmocka_unit_test(budget_roles),
      cmocka_unit_test(older_budget_store_learns_membership),
      cmocka_unit_test(survey_roles),
      cmocka_unit_test(benchmark_roles),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
