/* survey_handlers — see survey_handlers.h. Validation order in every
 * handler: required fields and formats first (INVALID naming the field),
 * then references (NOT_FOUND), then the domain rules (CONFLICT). */
#include "survey_handlers.h"

#include <stdlib.h>
#include <string.h>

#include "survey_access.h"
#include "survey_correct.h"
#include "survey_mapping.h"
#include "survey_results.h"
#include "survey_rules.h"
#include "survey_store.h"
#include "trin/survey.pb-c.h"
#include "trin_date.h"
#include "trin_id.h"

#define TITLE_MAX_BYTES 200
#define STATEMENT_MAX_BYTES 500

#define TRY(expr)                \
  do {                           \
    if ((rc = (expr))) goto out; \
  } while (0)

static int require_message(const void *m, const char *field, trin_err_t *err) {
  return m ? TRIN_OK : trin_err_set(err, TRIN_EINVALID, field, "is required");
}

/* Replies with the survey as stored, emitting `event_type` first (NULL for
 * reads). */
static int reply_survey(trin_request_t *req, trin_arena_t *a, const char *id,
                        const char *event_type, trin_err_t *err) {
  survey_survey_msg_t sv;
  int rc = survey_store_survey_get(trin_request_store(req), id, "survey_id", a, &sv, NULL,
                                   err);
  if (!rc && !event_type)
    rc = trin_access_require_on(req, &survey_access, sv.client_org, sv.partnership_id, "survey",
                                sv.id, "survey_id", err);
  if (rc) return rc;
  uint64_t seq = 0;
  if (event_type) {
    trin_event_id_t ids[3];
    size_t n = survey_event_ids(&sv, ids);
    if ((rc = trin_request_emit(req, event_type, sv.client_org, ids, n, &sv.base, &seq, err)))
      return rc;
  }
  Trin__Survey__SurveyReply reply = TRIN__SURVEY__SURVEY_REPLY__INIT;
  reply.survey = &sv;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int thresholds_of(const Trin__Survey__Thresholds *m, survey_thresholds_t *t) {
  memset(t, 0, sizeof *t);
  if (!m) return TRIN_OK;
  t->drop_from_previous_x100 = m->drop_from_previous_x100;
  t->drop_from_baseline_x100 = m->drop_from_baseline_x100;
  t->floor_x100 = m->floor_x100;
  return TRIN_OK;
}

static int check_baseline_list(const int32_t *r, size_t n, const char *field,
                               trin_err_t *err) {
  for (size_t i = 0; i < n; i++) {
    if (r[i] < 1 || r[i] > SURVEY_MAX_ROUNDS)
      return trin_err_set(err, TRIN_EINVALID, field, "round %d is not 1–%d", r[i],
                          SURVEY_MAX_ROUNDS);
    for (size_t j = 0; j < i; j++)
      if (r[j] == r[i])
        return trin_err_set(err, TRIN_EINVALID, field, "round %d is listed twice", r[i]);
  }
  return TRIN_OK;
}

/* ---- surveys ------------------------------------------------------------------ */

static int create_survey(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Survey__CreateSurvey *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(m->survey, "survey", err));
  survey_survey_msg_t sv = *m->survey;
  TRY(trin_id_check(sv.id, "survey.id", err));
  TRY(trin_id_check(sv.project_id, "survey.project_id", err));
  TRY(trin_text_check(sv.title, TITLE_MAX_BYTES, "survey.title", err));
  survey_scale_t sc = {sv.scale_min, sv.scale_max};
  if ((rc = survey_scale_check(sc, err))) {
    trin_err_prefix_field(err, "survey");
    goto out;
  }
  int32_t min;
  if ((rc = survey_min_respondents_check(sv.min_respondents, 0, &min, err))) {
    trin_err_prefix_field(err, "survey");
    goto out;
  }
  sv.min_respondents = min;
  survey_thresholds_t t;
  thresholds_of(sv.thresholds, &t);
  if ((rc = survey_thresholds_check(&t, sc, err))) {
    trin_err_prefix_field(err, "survey");
    goto out;
  }
  TRY(check_baseline_list(sv.baseline_rounds, sv.n_baseline_rounds, "survey.baseline_rounds",
                          err));
  if (sv.n_statements == 0 || sv.n_statements > SURVEY_MAX_STATEMENTS)
    TRY(trin_err_set(err, TRIN_EINVALID, "survey.statements", "1–%d statements are required",
                     SURVEY_MAX_STATEMENTS));
  for (size_t i = 0; i < sv.n_statements; i++) {
    char f[48];
    const survey_statement_msg_t *st = sv.statements[i];
    snprintf(f, sizeof f, "survey.statements[%zu].key", i);
    TRY(survey_statement_key_check(st->key, f, err));
    snprintf(f, sizeof f, "survey.statements[%zu].text", i);
    TRY(trin_text_check(st->text, STATEMENT_MAX_BYTES, f, err));
  }
  survey_project_t p;
  TRY(survey_store_project_get(s, sv.project_id, "survey.project_id", &p, err));
  TRY(trin_access_require_on(req, &survey_access, p.client_org, p.partnership_id, "project",
                             sv.project_id, "survey.project_id", err));
  TRY(survey_store_survey_insert(s, &sv, err));
  TRY(reply_survey(req, &a, sv.id, "survey.survey_created", err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* Loads the survey a request names and checks the caller may send this
 * request about it. */
static int load_survey(trin_request_t *req, trin_arena_t *a, const char *id,
                       survey_survey_msg_t *sv, int64_t *no, trin_err_t *err) {
  int rc = trin_id_check(id, "survey_id", err);
  if (!rc)
    rc = survey_store_survey_get(trin_request_store(req), id, "survey_id", a, sv, no, err);
  if (!rc)
    rc = trin_access_require_on(req, &survey_access, sv->client_org, sv->partnership_id,
                                "survey", sv->id, "survey_id", err);
  return rc;
}

static int add_round(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                     trin_err_t *err) {
  const Trin__Survey__AddRound *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  TRY(require_message(m->round, "round", err));
  trin_date_t opens, closes;
  TRY(trin_date_parse(m->round->opens, &opens, "round.opens", err));
  TRY(trin_date_parse(m->round->closes, &closes, "round.closes", err));
  TRY(trin_date_check_order(opens, "round.opens", closes, "round.closes", err));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  int32_t next = (int32_t)sv.n_rounds + 1;
  if (m->round->number != next)
    TRY(trin_err_set(err, TRIN_EINVALID, "round.number",
                     "must be %d, the next round of survey '%s' (got %d)", next, sv.id,
                     m->round->number));
  if (next > SURVEY_MAX_ROUNDS)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "round.number", "a survey has at most %d rounds",
                     SURVEY_MAX_ROUNDS));
  if (sv.n_rounds > 0) {
    const survey_round_msg_t *prev = sv.rounds[sv.n_rounds - 1];
    trin_date_t prev_closes;
    TRY(trin_date_parse(prev->closes, &prev_closes, "round.closes", err));
    if (opens < prev_closes)
      TRY(trin_err_set(err, TRIN_ECONFLICT, "round.opens",
                       "round %d opens %s, before round %d closes (%s)", next,
                       m->round->opens, prev->number, prev->closes));
  }
  survey_round_msg_t r = *m->round;
  TRY(survey_store_round_insert(s, no, &r, err));
  TRY(reply_survey(req, &a, sv.id, "survey.round_added", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_baseline(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Survey__SetBaseline *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  TRY(check_baseline_list(m->rounds, m->n_rounds, "rounds", err));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  for (size_t i = 0; i < m->n_rounds; i++)
    if (m->rounds[i] > (int32_t)sv.n_rounds) {
      char f[32];
      snprintf(f, sizeof f, "rounds[%zu]", i);
      TRY(trin_err_set(err, TRIN_ENOTFOUND, f, "survey '%s' has no round %d", sv.id,
                       m->rounds[i]));
    }
  /* Stored sorted, so the baseline reads the same however it was given. */
  int32_t sorted[SURVEY_MAX_ROUNDS];
  size_t n = m->n_rounds;
  memcpy(sorted, m->rounds, n * sizeof *sorted);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
      int32_t x = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = x;
    }
  TRY(survey_store_set_baseline(s, no, sorted, n, err));
  trin_arena_reset(&a);
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  TRY(survey_alerts_refresh(req, &sv, no, 1, NULL, err));
  TRY(reply_survey(req, &a, sv.id, "survey.baseline_set", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_thresholds(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  const Trin__Survey__SetThresholds *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  survey_thresholds_t t;
  thresholds_of(m->thresholds ? m->thresholds : sv.thresholds, &t);
  TRY(survey_thresholds_check(&t, (survey_scale_t){sv.scale_min, sv.scale_max}, err));
  int32_t min;
  TRY(survey_min_respondents_check(m->min_respondents, sv.min_respondents, &min, err));
  TRY(survey_store_set_thresholds(s, no, &t, min, err));
  trin_arena_reset(&a);
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  TRY(survey_alerts_refresh(req, &sv, no, 1, NULL, err));
  TRY(reply_survey(req, &a, sv.id, "survey.thresholds_set", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int get_survey(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  const Trin__Survey__GetSurvey *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(m->survey_id, "survey_id", err);
  if (!rc) rc = reply_survey(req, &a, m->survey_id, NULL, err);
  trin_arena_reset(&a);
  return rc;
}

static int list_surveys(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Survey__ListSurveys *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Survey__SurveyList list = TRIN__SURVEY__SURVEY_LIST__INIT;
  int rc = trin_id_check_optional(m->project_id, "project_id", err);
  if (!rc) rc = trin_id_check_optional(m->partnership_id, "partnership_id", err);
  if (!rc) rc = trin_id_check_optional(m->client_org, "client_org", err);
  survey_list_filter_t f = {m->project_id, m->partnership_id, m->client_org};
  if (!rc)
    rc = survey_store_survey_list(trin_request_store(req), &f, &a, &list.surveys,
                                  &list.n_surveys, err);
  size_t n = 0; /* only those the caller may see */
  for (size_t i = 0; !rc && i < list.n_surveys; i++)
    if (trin_access_request_may_see(req, list.surveys[i]->client_org,
                                    list.surveys[i]->partnership_id))
      list.surveys[n++] = list.surveys[i];
  if (!rc) list.n_surveys = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- responses and results ---------------------------------------------------------- */

static int import_responses(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Survey__ImportResponses *m = (const void *)msg;
  survey_service_t *svc = data;
  survey_import_input_t in = {
      .survey_id = m->survey_id,
      .round = m->round,
      .csv = (const char *)m->csv.data,
      .csv_len = m->csv.len,
      .encoding = m->encoding,
      .responses = m->responses,
      .n_responses = m->n_responses,
      .mapped = m->mapped,
  };
  Trin__Survey__ImportReply reply = TRIN__SURVEY__IMPORT_REPLY__INIT;
  int rc = TRIN_OK;
  if (!trin_access_unrestricted(trin_request_caller(req))) {
    trin_arena_t a = TRIN_ARENA_INIT;
    survey_survey_msg_t sv;
    rc = load_survey(req, &a, m->survey_id, &sv, NULL, err);
    trin_arena_reset(&a);
  }
  if (!rc) rc = survey_import_run(req, svc->key, &in, &reply, err);
  if (!rc) rc = trin_request_reply(req, &reply.base, err);
  return rc;
}

static int get_results(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Survey__GetResults *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_agg_t *cube = NULL;
  survey_alert_row_t *al = NULL;
  size_t nal = 0;
  int rc;
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  int round = m->round ? m->round : survey_results_default_round(&sv);
  if (round < 1 || round > (int)sv.n_rounds)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "round", "survey '%s' has no round %d", sv.id,
                     round));
  TRY(survey_cube_load(s, no, &sv, round, &cube, err));
  TRY(survey_store_alerts_load(s, no, round, &al, &nal, err));
  survey_view_t v;
  survey_view_init(&v, &sv, round, cube);
  Trin__Survey__RoundResults res;
  TRY(survey_view_results(&v, round, &a, &res, err));
  if (nal) {
    res.alerts = trin_arena_alloc(&a, nal * sizeof *res.alerts);
    for (size_t i = 0; res.alerts && i < nal; i++)
      if (al[i].round == round) res.alerts[res.n_alerts++] = survey_alert_message(&v, &al[i], &a);
    if (a.failed) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
  }
  TRY(trin_request_reply(req, &res.base, err));
out:
  free(cube);
  free(al);
  trin_arena_reset(&a);
  return rc;
}

/* Pools, per group (inside/outside), every survey having the common
 * statement at its latest round whose all-roles figure is visible. */
static int compare(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                   trin_err_t *err) {
  const Trin__Survey__Compare *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(survey_statement_key_check(m->statement_key, "statement_key", err));
  TRY(trin_id_check_optional(m->client_org, "client_org", err));
  TRY(trin_access_require_org(req, m->client_org, "client_org", err));
  char **ids;
  size_t nids;
  TRY(survey_store_surveys_with_common(s, m->statement_key, m->client_org, &a, &ids, &nids,
                                       err));
  if (nids == 0)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "statement_key",
                     "no survey has a common statement '%s'%s%s", m->statement_key,
                     m->client_org && *m->client_org ? " for client " : "",
                     m->client_org ? m->client_org : ""));
  survey_agg_t pool[2] = {{0}};
  int32_t projects[2] = {0, 0};
  for (size_t i = 0; i < nids; i++) {
    survey_survey_msg_t sv;
    int64_t no;
    TRY(survey_store_survey_get(s, ids[i], "statement_key", &a, &sv, &no, err));
    size_t k = 0;
    while (k < sv.n_statements && strcmp(sv.statements[k]->key, m->statement_key) != 0) k++;
    int nr = (int)sv.n_rounds;
    if (nr > SURVEY_MAX_ROUNDS) nr = SURVEY_MAX_ROUNDS;
    survey_agg_t *cube = NULL;
    TRY(survey_cube_load(s, no, &sv, nr, &cube, err));
    survey_view_t v;
    survey_view_init(&v, &sv, nr, cube);
    int inside = sv.partnership_id && *sv.partnership_id ? 0 : 1;
    for (int r = nr; r >= 1; r--) {
      survey_agg_t g[SURVEY_NGROUPS];
      bool sup[SURVEY_NGROUPS];
      for (int gi = 0; gi < SURVEY_NGROUPS; gi++) survey_view_group(&v, r, gi, k, &g[gi]);
      int64_t counts[SURVEY_NGROUPS];
      for (int gi = 0; gi < SURVEY_NGROUPS; gi++) counts[gi] = g[gi].count;
      survey_suppress(counts, v.min, sup);
      if (g[SURVEY_ROLE_ALL].count > 0 && !sup[SURVEY_ROLE_ALL]) {
        survey_agg_merge(&pool[inside], &g[SURVEY_ROLE_ALL]);
        projects[inside]++;
        break;
      }
    }
    free(cube);
  }
  Trin__Survey__Comparison c = TRIN__SURVEY__COMPARISON__INIT;
  Trin__Survey__ComparisonGroup grp[2], *gp[2] = {&grp[0], &grp[1]};
  c.statement_key = m->statement_key;
  c.client_org = m->client_org;
  c.groups = gp;
  c.n_groups = 2;
  bool both = true;
  for (int i = 0; i < 2; i++) {
    trin__survey__comparison_group__init(&grp[i]);
    grp[i].group = i == 0 ? "inside" : "outside";
    grp[i].projects = projects[i];
    if (pool[i].count < SURVEY_DEFAULT_MIN_RESPONDENTS) {
      /* An empty pool is suppressed too (issue 18): "not suppressed" with
       * no figures read as a real group of nobody. */
      grp[i].suppressed = true;
      grp[i].reason =
          projects[i] == 0
              ? trin_arena_printf(&a, "no project %s partnerships has a visible figure for "
                                      "'%s'",
                                  i == 0 ? "inside" : "outside", m->statement_key)
              : trin_arena_printf(&a, "fewer than %d respondents pooled",
                                  SURVEY_DEFAULT_MIN_RESPONDENTS);
      if (!grp[i].reason) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
      both = false;
      continue;
    }
    grp[i].count = (int32_t)pool[i].count;
    grp[i].mean_x100 = survey_mean_x100(&pool[i]);
    char b[16];
    grp[i].mean = trin_arena_strdup(&a, survey_format_x100(grp[i].mean_x100, b));
  }
  if (both) c.difference_x100 = survey_change_x100(&pool[0], &pool[1]);
  TRY(trin_request_reply(req, &c.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- alerts: their life, and acknowledging them ------------------------------------------ */

#define NOTE_MAX_BYTES 2000

/* The entry of one logged alert, arena-owned. */
static Trin__Survey__AlertEntry *alert_entry(const survey_view_t *v, const survey_alert_log_t *l,
                                             trin_arena_t *a) {
  Trin__Survey__AlertEntry *e = trin_arena_alloc(a, sizeof *e);
  if (!e) return NULL;
  trin__survey__alert_entry__init(e);
  e->alert = survey_alert_message(v, &l->a, a);
  e->raised_at = l->raised_at;
  e->standing = l->cleared_round < 0;
  e->cleared_by_round = l->cleared_round > 0 ? l->cleared_round : 0;
  e->cleared_at = l->cleared_at;
  e->acknowledged_by = l->ack_by;
  e->acknowledged_at = l->ack_at;
  e->note = l->ack_note;
  return e->alert ? e : NULL;
}

/* The survey's view and alert log (the view's cube is *cube, freed by the caller). */
static int alert_log_of(trin_store_t *s, const survey_survey_msg_t *sv, int64_t no,
                        trin_arena_t *a, survey_agg_t **cube, survey_view_t *v,
                        survey_alert_log_t **log, size_t *n, trin_err_t *err) {
  int nr = (int)sv->n_rounds;
  if (nr > SURVEY_MAX_ROUNDS) nr = SURVEY_MAX_ROUNDS;
  int rc = survey_cube_load(s, no, sv, nr, cube, err);
  if (!rc) survey_view_init(v, sv, nr, *cube);
  if (!rc) rc = survey_store_alert_log_load(s, no, a, log, n, err);
  return rc;
}

/* Appends the alert log of one survey to list (arena-owned entries). */
static int append_alerts(trin_store_t *s, const survey_survey_msg_t *sv, int64_t no,
                         trin_arena_t *a, trin_arena_vec_t *list, trin_err_t *err) {
  survey_agg_t *cube = NULL;
  survey_alert_log_t *log = NULL;
  size_t n = 0;
  survey_view_t v;
  int rc = alert_log_of(s, sv, no, a, &cube, &v, &log, &n, err);
  for (size_t i = 0; !rc && i < n; i++) {
    Trin__Survey__AlertEntry *e = alert_entry(&v, &log[i], a);
    rc = e ? trin_arena_vec_push(a, list, e, err)
           : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  free(cube);
  free(log);
  return rc;
}

static int list_alerts(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Survey__ListAlerts *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  trin_arena_vec_t list = {0};
  int rc;
  bool by_survey = m->survey_id && *m->survey_id, by_project = m->project_id && *m->project_id;
  if (by_survey == by_project)
    TRY(trin_err_set(err, TRIN_EINVALID, "survey_id",
                     by_survey ? "give either survey_id or project_id, not both"
                               : "give survey_id (or project_id for all its surveys)"));
  survey_survey_msg_t sv;
  int64_t no;
  if (by_survey) {
    TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
    TRY(append_alerts(s, &sv, no, &a, &list, err));
  } else {
    TRY(trin_id_check(m->project_id, "project_id", err));
    survey_project_t p;
    TRY(survey_store_project_get(s, m->project_id, "project_id", &p, err));
    TRY(trin_access_require_on(req, &survey_access, p.client_org, p.partnership_id, "project",
                               m->project_id, "project_id", err));
    survey_survey_msg_t **svs;
    size_t nsv;
    survey_list_filter_t f = {.project_id = m->project_id};
    TRY(survey_store_survey_list(s, &f, &a, &svs, &nsv, err));
    for (size_t i = 0; i < nsv; i++) {
      TRY(survey_store_survey_get(s, svs[i]->id, "project_id", &a, &sv, &no, err));
      TRY(append_alerts(s, &sv, no, &a, &list, err));
    }
  }
  Trin__Survey__AlertList reply = TRIN__SURVEY__ALERT_LIST__INIT;
  reply.alerts = (Trin__Survey__AlertEntry **)list.items;
  reply.n_alerts = list.n;
  TRY(trin_request_reply(req, &reply.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int acknowledge_alert(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                             trin_err_t *err) {
  const Trin__Survey__AcknowledgeAlert *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_agg_t *cube = NULL;
  survey_alert_log_t *log = NULL;
  size_t n = 0;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  TRY(trin_id_check(m->statement_key, "statement_key", err));
  if (!m->role || !*m->role) TRY(trin_err_set(err, TRIN_EINVALID, "role", "is required"));
  if (!m->kind || !*m->kind) TRY(trin_err_set(err, TRIN_EINVALID, "kind", "is required"));
  const char *note = m->note ? m->note : "";
  while (*note == ' ' || *note == '\t' || *note == '\n') note++;
  if (!*note)
    TRY(trin_err_set(err, TRIN_EINVALID, "note",
                     "is required: say what is being done about the alert"));
  if (strlen(m->note) > NOTE_MAX_BYTES)
    TRY(trin_err_set(err, TRIN_EINVALID, "note", "is longer than %d bytes", NOTE_MAX_BYTES));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  survey_view_t v;
  TRY(alert_log_of(s, &sv, no, &a, &cube, &v, &log, &n, err));
  Trin__Survey__AlertEntry *e = NULL;
  size_t at = n;
  for (size_t i = 0; i < n && at == n; i++) {
    e = alert_entry(&v, &log[i], &a);
    if (!e) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
    if (e->alert->round == m->round && strcmp(e->alert->statement_key, m->statement_key) == 0 &&
        strcmp(e->alert->role, m->role) == 0 && strcmp(e->alert->kind, m->kind) == 0)
      at = i;
  }
  if (at == n)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "round",
                     "survey '%s' has no %s alert for %s / %s raised by round %d", sv.id,
                     m->kind, m->statement_key, m->role, m->round));
  const trin_caller_t *c = trin_request_caller(req);
  const char *org = c && *c->org ? c->org : "local";
  char *by = c && *c->person ? trin_arena_printf(&a, "%s/%s", org, c->person)
                             : trin_arena_strdup(&a, org);
  char when[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), when);
  TRY(survey_store_alert_log_ack(s, no, &log[at].a, by ? by : "", when, m->note, err));
  e->acknowledged_by = by;
  e->acknowledged_at = when;
  e->note = m->note;
  if (a.failed) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
  trin_event_id_t ids[3];
  size_t nids = survey_event_ids(&sv, ids);
  TRY(trin_request_emit(req, "survey.alert_acknowledged", sv.client_org, ids, nids, &e->base,
                        &e->seq, err));
  TRY(trin_request_reply(req, &e->base, err));
out:
  free(cube);
  free(log);
  trin_arena_reset(&a);
  return rc;
}

/* ---- corrections ---------------------------------------------------------------------- */

static int correct(trin_request_t *req, survey_service_t *svc, const survey_correction_t *c,
                   trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_survey_msg_t sv;
  Trin__Survey__Removal reply;
  int rc = load_survey(req, &a, c->survey_id, &sv, NULL, err);
  if (!rc) rc = survey_correct_run(req, svc->key, c, &a, &reply, err);
  if (!rc) rc = trin_request_reply(req, &reply.base, err);
  trin_arena_reset(&a);
  return rc;
}

static int remove_response(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Survey__RemoveResponse *m = (const void *)msg;
  survey_correction_t c = {m->survey_id, m->round, m->respondent ? m->respondent : "",
                           m->reason};
  return correct(req, data, &c, err);
}

static int clear_round(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Survey__ClearRound *m = (const void *)msg;
  survey_correction_t c = {m->survey_id, m->round, NULL, m->reason};
  return correct(req, data, &c, err);
}

/* ---- import mappings (issue 20, item 7) ------------------------------------------- */

/* The reply for a saved mapping: as saved, the default answer words written
 * out. mapping is unpacked by the caller. */
static int reply_mapping(trin_request_t *req, const survey_survey_msg_t *sv,
                         const Trin__Survey__ImportMapping *mapping, const char *set_by,
                         const char *set_at, bool emit, trin_arena_t *a, trin_err_t *err) {
  Trin__Survey__ImportMappingReply r = TRIN__SURVEY__IMPORT_MAPPING_REPLY__INIT;
  r.survey_id = sv->id;
  bool defaulted = false;
  r.mapping = survey_mapping_effective(mapping, a, &defaulted);
  r.default_answers = defaulted;
  r.set_by = (char *)set_by;
  r.set_at = (char *)set_at;
  if (!r.mapping) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (emit) {
    trin_event_id_t ids[3];
    size_t n = survey_event_ids(sv, ids);
    int rc = trin_request_emit(req, "survey.mapping_set", sv->client_org, ids, n, &r.base,
                               &r.seq, err);
    if (rc) return rc;
  }
  return trin_request_reply(req, &r.base, err);
}

static int set_import_mapping(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Survey__SetImportMapping *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  uint8_t *packed = NULL;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  TRY(survey_mapping_check(m->mapping, &sv, err));
  /* The role saved as its word ("beboere" -> residents), as replies say roles. */
  Trin__Survey__ImportMapping map = *m->mapping;
  if (map.role && *map.role)
    map.role = (char *)survey_role_name(survey_role_parse(map.role, "", err));
  size_t len = trin__survey__import_mapping__get_packed_size(&map);
  if (!(packed = malloc(len ? len : 1)))
    TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
  trin__survey__import_mapping__pack(&map, packed);
  const trin_caller_t *c = trin_request_caller(req);
  const char *org = c && *c->org ? c->org : "local";
  char *by = c && *c->person ? trin_arena_printf(&a, "%s/%s", org, c->person)
                             : trin_arena_strdup(&a, org);
  char when[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), when);
  if (!by) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
  TRY(survey_store_mapping_put(trin_request_store(req), no, packed, len, by, when, err));
  TRY(reply_mapping(req, &sv, &map, by, when, true, &a, err));
out:
  free(packed);
  trin_arena_reset(&a);
  return rc;
}

static int get_import_mapping(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Survey__GetImportMapping *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Survey__ImportMapping *mapping = NULL;
  int rc;
  TRY(trin_id_check(m->survey_id, "survey_id", err));
  survey_survey_msg_t sv;
  int64_t no;
  TRY(load_survey(req, &a, m->survey_id, &sv, &no, err));
  survey_mapping_row_t row;
  TRY(survey_store_mapping_get(trin_request_store(req), no, &a, &row, err));
  if (!row.found)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "survey_id",
                     "survey '%s' has no import mapping (trinctl survey mapping-set)", sv.id));
  if (!(mapping = trin__survey__import_mapping__unpack(NULL, row.len, row.mapping)))
    TRY(trin_err_set(err, TRIN_EINTERNAL, "survey_id", "the saved mapping is unreadable"));
  TRY(reply_mapping(req, &sv, mapping, row.set_by, row.set_at, false, &a, err));
out:
  if (mapping) trin__survey__import_mapping__free_unpacked(mapping, NULL);
  trin_arena_reset(&a);
  return rc;
}

int survey_handlers_register(trin_server_t *server, survey_service_t *svc) {
  trin_access_install(server, &survey_access);
  trin_server_handle(server, &trin__survey__create_survey__descriptor, create_survey, svc);
  trin_server_handle(server, &trin__survey__add_round__descriptor, add_round, svc);
  trin_server_handle(server, &trin__survey__set_baseline__descriptor, set_baseline, svc);
  trin_server_handle(server, &trin__survey__set_thresholds__descriptor, set_thresholds, svc);
  trin_server_handle(server, &trin__survey__get_survey__descriptor, get_survey, svc);
  trin_server_handle(server, &trin__survey__list_surveys__descriptor, list_surveys, svc);
  trin_server_handle(server, &trin__survey__import_responses__descriptor, import_responses,
                     svc);
  trin_server_handle(server, &trin__survey__get_results__descriptor, get_results, svc);
  trin_server_handle(server, &trin__survey__compare__descriptor, compare, svc);
  trin_server_handle(server, &trin__survey__acknowledge_alert__descriptor, acknowledge_alert,
                     svc);
  trin_server_handle(server, &trin__survey__list_alerts__descriptor, list_alerts, svc);
  trin_server_handle(server, &trin__survey__remove_response__descriptor, remove_response, svc);
  trin_server_handle(server, &trin__survey__clear_round__descriptor, clear_round, svc);
  /* issue 20, item 7 */
  trin_server_handle(server, &trin__survey__set_import_mapping__descriptor, set_import_mapping,
                     svc);
  trin_server_handle(server, &trin__survey__get_import_mapping__descriptor, get_import_mapping,
                     svc);
  return TRIN_OK;
}
