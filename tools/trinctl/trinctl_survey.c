/* trinctl_survey — see trinctl_survey.h. Each command reads like its use
 * case: options -> request -> call -> print the reply (JSON or words). */
#include "trinctl_survey.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/survey.pb-c.h"
#include "trin_codec.h"
#include "trin_csv.h"
#include "trin_number.h"
#include "trinctl_file.h"
#include "trinctl_lifecycle.h"
#include "trinctl_print.h"


static char *S(const trinctl_args_t *a, const char *name) {
  return (char *)trinctl_args_str(a, name);
}

static const ProtobufCMessageDescriptor *resolve(const char *name) {
  const ProtobufCMessageDescriptor *d = trinctl_survey_resolve(name);
  return d ? d : trinctl_lifecycle_resolve(name);
}

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, resolve};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

static int usage(trinctl_ctx_t *ctx, const char *field, const char *msg) {
  trin_err_set(&ctx->err, TRIN_EINVALID, field, "%s", msg);
  return TRINCTL_EXIT_USAGE;
}

/* A threshold as people type it: "0,5" or "0.50" points -> hundredths. */
static int points_x100(trinctl_ctx_t *ctx, const trinctl_args_t *a, const char *opt,
                       const char *field, int32_t *out) {
  *out = 0;
  if (!trinctl_args_has(a, opt)) return TRINCTL_EXIT_OK;
  int64_t v;
  if (trin_number_parse(trinctl_args_str(a, opt), 2, &v, field, &ctx->err) || v < 0 ||
      v > 1000) {
    trin_err_set(&ctx->err, TRIN_EINVALID, field,
                 "--%s takes scale points such as 0,5 or 3.00 (got '%s')", opt,
                 trinctl_args_str(a, opt));
    return TRINCTL_EXIT_USAGE;
  }
  *out = (int32_t)v;
  return TRINCTL_EXIT_OK;
}

static void print_survey(FILE *f, const Trin__Survey__Survey *s) {
  fprintf(f, "survey %s: %s\n", s->id, s->title);
  fprintf(f, "  project          %s%s%s%s\n", s->project_id,
          *s->partnership_id ? " (partnership " : " (outside partnerships",
          s->partnership_id, ")");
  fprintf(f, "  client           %s\n", s->client_org);
  fprintf(f, "  scale            %d–%d\n", s->scale_min, s->scale_max);
  fprintf(f, "  min respondents  %d (smaller groups are never shown)\n", s->min_respondents);
  if (s->thresholds) {
    char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF], b3[TRINCTL_NUM_BUF];
    trinctl_num(s->thresholds->drop_from_previous_x100, 2, b1);
    trinctl_num(s->thresholds->drop_from_baseline_x100, 2, b2);
    trinctl_num(s->thresholds->floor_x100, 2, b3);
    fprintf(f, "  alerts           drop from previous > %s, from baseline > %s, floor %s (0 = off)\n",
            b1, b2, b3);
  }
  fprintf(f, "  baseline rounds ");
  if (s->n_baseline_rounds == 0) fprintf(f, " 1 (default)");
  for (size_t i = 0; i < s->n_baseline_rounds; i++) fprintf(f, " %d", s->baseline_rounds[i]);
  fprintf(f, "\n  statements:\n");
  const char *h1[] = {"key", "common", "text"};
  trinctl_table_t *t = trinctl_table_new(3, h1);
  for (size_t i = 0; i < s->n_statements; i++) {
    trinctl_table_cell(t, "%s", s->statements[i]->key);
    trinctl_table_cell(t, "%s", s->statements[i]->common ? "yes" : "");
    trinctl_table_cell(t, "%s", s->statements[i]->text);
  }
  trinctl_table_print(f, t, 4);
  trinctl_table_destroy(&t);
  fprintf(f, "  rounds:\n");
  const char *h2[] = {"round", "opens", "closes", "respondents"};
  t = trinctl_table_new(4, h2);
  for (size_t i = 0; i < s->n_rounds; i++) {
    trinctl_table_cell(t, "%d", s->rounds[i]->number);
    trinctl_table_cell(t, "%s", s->rounds[i]->opens);
    trinctl_table_cell(t, "%s", s->rounds[i]->closes);
    trinctl_table_cell(t, "%d", s->rounds[i]->respondents);
  }
  trinctl_table_print(f, t, 4);
  trinctl_table_destroy(&t);
}

static int reply_survey(trinctl_ctx_t *ctx, const ProtobufCMessage *req, const char *done) {
  Trin__Survey__SurveyReply *r = NULL;
  int rc = trinctl_call(ctx, req, &trin__survey__survey_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else if (r->survey) {
    if (done) fprintf(ctx->out, "%s (event %" PRIu64 ")\n", done, r->seq);
    print_survey(ctx->out, r->survey);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- create: statements from a small CSV file (key,text[,common]) ------------ */

typedef struct {
  Trin__Survey__Statement **items;
  size_t n, cap;
  int col_key, col_text, col_common;
  bool header_seen;
} statements_t;

static int statement_row(void *data, const trin_csv_row_t *row, trin_err_t *err) {
  statements_t *s = data;
  if (!s->header_seen) {
    s->header_seen = true;
    s->col_key = trin_csv_column(row, "key");
    s->col_text = trin_csv_column(row, "text");
    s->col_common = trin_csv_column(row, "common");
    if (s->col_key < 0 || s->col_text < 0)
      return trin_err_set(err, TRIN_EINVALID, "statements",
                          "line %zu: the header needs the columns key and text (and "
                          "optionally common)",
                          row->line);
    return TRIN_OK;
  }
  if ((size_t)s->col_key >= row->n || (size_t)s->col_text >= row->n)
    return trin_err_set(err, TRIN_EINVALID, "statements", "line %zu: too few fields",
                        row->line);
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->items = realloc(s->items, s->cap * sizeof *s->items);
  }
  Trin__Survey__Statement *st = malloc(sizeof *st);
  trin__survey__statement__init(st);
  st->key = strdup(row->fields[s->col_key]);
  st->text = strdup(row->fields[s->col_text]);
  const char *c = s->col_common >= 0 && (size_t)s->col_common < row->n
                      ? row->fields[s->col_common] : "";
  st->common = strcmp(c, "yes") == 0 || strcmp(c, "ja") == 0 || strcmp(c, "1") == 0 ||
               strcmp(c, "true") == 0;
  s->items[s->n++] = st;
  return TRIN_OK;
}

static int run_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  statements_t sts = {0};
  if (trin_csv_parse_file(trinctl_args_str(a, "statements"), NULL, statement_row, &sts,
                          &ctx->err)) {
    if (!ctx->err.field[0]) snprintf(ctx->err.field, sizeof ctx->err.field, "statements");
    for (size_t i = 0; i < sts.n; i++) {
      free(sts.items[i]->key);
      free(sts.items[i]->text);
      free(sts.items[i]);
    }
    free(sts.items);
    return TRINCTL_EXIT_USAGE;
  }
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  int rc = points_x100(ctx, a, "drop", "survey.thresholds.drop_from_previous_x100",
                       &t.drop_from_previous_x100);
  if (!rc) rc = points_x100(ctx, a, "drop-baseline", "survey.thresholds.drop_from_baseline_x100",
                            &t.drop_from_baseline_x100);
  if (!rc) rc = points_x100(ctx, a, "floor", "survey.thresholds.floor_x100", &t.floor_x100);
  if (!rc) {
    Trin__Survey__Survey s = TRIN__SURVEY__SURVEY__INIT;
    s.id = (char *)a->arg;
    s.project_id = S(a, "project");
    s.title = S(a, "title");
    s.scale_min = trinctl_args_has(a, "scale-min") ? (int32_t)trinctl_args_num(a, "scale-min") : 1;
    s.scale_max = trinctl_args_has(a, "scale-max") ? (int32_t)trinctl_args_num(a, "scale-max") : 5;
    s.min_respondents = (int32_t)trinctl_args_num(a, "min-respondents");
    s.thresholds = &t;
    s.statements = sts.items;
    s.n_statements = sts.n;
    Trin__Survey__CreateSurvey req = TRIN__SURVEY__CREATE_SURVEY__INIT;
    req.survey = &s;
    rc = reply_survey(ctx, &req.base, "created");
  }
  for (size_t i = 0; i < sts.n; i++) {
    free(sts.items[i]->key);
    free(sts.items[i]->text);
    free(sts.items[i]);
  }
  free(sts.items);
  return rc;
}

static int run_round(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
  r.number = (int32_t)trinctl_args_num(a, "number");
  r.opens = S(a, "opens");
  r.closes = S(a, "closes");
  Trin__Survey__AddRound req = TRIN__SURVEY__ADD_ROUND__INIT;
  req.survey_id = (char *)a->arg;
  req.round = &r;
  return reply_survey(ctx, &req.base, "round added");
}

static int run_baseline(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  /* --rounds 1,2 */
  int32_t rounds[64];
  size_t n = 0;
  const char *p = trinctl_args_str(a, "rounds");
  while (*p && n < 64) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1) return usage(ctx, "rounds", "--rounds takes round numbers like 1,2");
    rounds[n++] = (int32_t)v;
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return usage(ctx, "rounds", "--rounds takes round numbers like 1,2");
  }
  Trin__Survey__SetBaseline req = TRIN__SURVEY__SET_BASELINE__INIT;
  req.survey_id = (char *)a->arg;
  req.rounds = rounds;
  req.n_rounds = n;
  return reply_survey(ctx, &req.base, "baseline set");
}

static int run_thresholds(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  int rc = points_x100(ctx, a, "drop", "thresholds.drop_from_previous_x100",
                       &t.drop_from_previous_x100);
  if (!rc) rc = points_x100(ctx, a, "drop-baseline", "thresholds.drop_from_baseline_x100",
                            &t.drop_from_baseline_x100);
  if (!rc) rc = points_x100(ctx, a, "floor", "thresholds.floor_x100", &t.floor_x100);
  if (rc) return rc;
  bool any = trinctl_args_has(a, "drop") || trinctl_args_has(a, "drop-baseline") ||
             trinctl_args_has(a, "floor");
  Trin__Survey__SetThresholds req = TRIN__SURVEY__SET_THRESHOLDS__INIT;
  req.survey_id = (char *)a->arg;
  req.thresholds = any ? &t : NULL;
  req.min_respondents = (int32_t)trinctl_args_num(a, "min-respondents");
  return reply_survey(ctx, &req.base, "thresholds set");
}

static int run_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__GetSurvey req = TRIN__SURVEY__GET_SURVEY__INIT;
  req.survey_id = (char *)a->arg;
  return reply_survey(ctx, &req.base, NULL);
}

static int run_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__ListSurveys req = TRIN__SURVEY__LIST_SURVEYS__INIT;
  req.project_id = S(a, "project");
  req.partnership_id = S(a, "partnership");
  req.client_org = S(a, "client");
  Trin__Survey__SurveyList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__survey__survey_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, resolve};
    trinctl_json_repeated(&j, &r->base, "surveys");
    fputc('\n', ctx->out);
  } else {
    /* One line per round under its survey, so the rounds' dates and
     * respondents read down a column; a survey without rounds has one line. */
    const char *h[] = {"survey",  "project",     "partnership", "statements",
                       "round",   "opens",       "closes",      "respondents", "title"};
    trinctl_table_t *t = trinctl_table_new(9, h);
    char v[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_surveys; i++) {
      const Trin__Survey__Survey *s = r->surveys[i];
      size_t lines = s->n_rounds ? s->n_rounds : 1;
      for (size_t k = 0; k < lines; k++) {
        const Trin__Survey__Round *rd = s->n_rounds ? s->rounds[k] : NULL;
        trinctl_table_cell(t, "%s", k ? "" : s->id);
        trinctl_table_cell(t, "%s", k ? "" : s->project_id);
        trinctl_table_cell(t, "%s", k ? "" : *s->partnership_id ? s->partnership_id : "-");
        if (k) trinctl_table_cell(t, "%s", "");
        else trinctl_table_cell(t, "%zu", s->n_statements);
        if (rd) {
          trinctl_table_cell(t, "%d", rd->number);
          trinctl_table_cell(t, "%s", rd->opens);
          trinctl_table_cell(t, "%s", rd->closes);
          trinctl_table_cell(t, "%s", trinctl_num(rd->respondents, 0, v));
        } else {
          for (int c = 0; c < 4; c++) trinctl_table_cell(t, "%s", "-");
        }
        trinctl_table_cell(t, "%s", k ? "" : s->title);
      }
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- import ----------------------------------------------------------------- */

static int run_import(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  char *buf;
  size_t len;
  int rc = trinctl_file_read(a->arg, 0, "csv", &buf, &len, &ctx->err);
  if (rc) return rc == TRIN_ETOOBIG ? TRINCTL_EXIT_IO : TRINCTL_EXIT_USAGE;
  Trin__Survey__ImportResponses req = TRIN__SURVEY__IMPORT_RESPONSES__INIT;
  req.survey_id = S(a, "survey");
  req.round = (int32_t)trinctl_args_num(a, "round");
  req.csv.data = (uint8_t *)buf;
  req.csv.len = len;
  req.encoding = S(a, "encoding");
  req.mapped = trinctl_args_has(a, "mapped");
  /* A million responses take seconds to commit: wait for them. */
  if (ctx->g.timeout_ms < 600000 && !ctx->client) ctx->g.timeout_ms = 600000;
  Trin__Survey__ImportReply *r = NULL;
  rc = trinctl_call(ctx, &req.base, &trin__survey__import_reply__descriptor,
                    (ProtobufCMessage **)&r);
  free(buf);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else
    fprintf(ctx->out,
            "imported %s into survey %s round %d: %d responses, %d new, %d replaced, "
            "%d unchanged; %d alerts raised%s\n",
            a->arg, req.survey_id, req.round, r->received, r->added, r->replaced,
            r->unchanged, r->alerts_raised, r->seq ? "" : " (nothing changed)");
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- results ------------------------------------------------------------------ */

/* asked: the round was named (--round); otherwise the service chose the
 * newest with answers, and a newer round without any is said, or its
 * empty table reads as lost data. */
static void print_results(FILE *f, const Trin__Survey__RoundResults *r, bool asked) {
  fprintf(f, "survey %s, project %s, round %d (%s – %s)%s\n", r->survey_id, r->project_id,
          r->round, r->opens, r->closes, r->baseline ? ", a baseline round" : "");
  if (r->respondents == 0)
    fprintf(f, "runde %d har ingen svar endnu\n", r->round);
  else if (!asked && r->latest_round == r->round + 1)
    fprintf(f, "runde %d er den seneste med svar; runde %d har ingen svar endnu\n", r->round,
            r->latest_round);
  else if (!asked && r->latest_round > r->round)
    fprintf(f, "runde %d er den seneste med svar; runde %d–%d har ingen svar endnu\n",
            r->round, r->round + 1, r->latest_round);
  fprintf(f, "groups under %d respondents are hidden\n", r->min_respondents);
  const char *h[] = {"statement", "role", "n", "mean", "change", "vs baseline", "trend",
                     "distribution"};
  trinctl_table_t *t = trinctl_table_new(8, h);
  for (size_t i = 0; i < r->n_figures; i++) {
    const Trin__Survey__Figures *x = r->figures[i];
    trinctl_table_cell(t, "%s", x->statement_key);
    trinctl_table_cell(t, "%s", x->role);
    if (x->suppressed) {
      trinctl_table_cell(t, "hidden");
      for (int k = 0; k < 5; k++) trinctl_table_cell(t, "%s", "");
      continue;
    }
    trinctl_table_cell(t, "%d", x->count);
    char nb[TRINCTL_NUM_BUF];
    trinctl_table_cell(t, "%s", trinctl_num_text(x->mean, false, nb));
    trinctl_table_cell(t, "%s", x->has_previous ? trinctl_num_text(x->change, true, nb) : "");
    if (x->has_baseline)
      trinctl_table_cell(t, "%s", trinctl_num_signed(x->change_from_baseline_x100, 2, nb));
    else
      trinctl_table_cell(t, "%s", "");
    trinctl_table_cell(t, "%s", x->trend);
    char d[128];
    size_t k = 0;
    d[0] = '\0';
    for (size_t j = 0; j < x->n_distribution && k + 12 < sizeof d; j++)
      k += (size_t)snprintf(d + k, sizeof d - k, "%s%d", j ? " " : "", x->distribution[j]);
    trinctl_table_cell(t, "%s", d);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);
  if (r->n_alerts) fprintf(f, "alerts:\n");
  for (size_t i = 0; i < r->n_alerts; i++) fprintf(f, "  %s: %s\n", r->alerts[i]->kind, r->alerts[i]->message);
}

static int run_results(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__GetResults req = TRIN__SURVEY__GET_RESULTS__INIT;
  req.survey_id = (char *)a->arg;
  req.round = (int32_t)trinctl_args_num(a, "round");
  Trin__Survey__RoundResults *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__survey__round_results__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else print_results(ctx->out, r, req.round != 0);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_compare(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__Compare req = TRIN__SURVEY__COMPARE__INIT;
  req.statement_key = (char *)a->arg;
  req.client_org = S(a, "client");
  Trin__Survey__Comparison *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__survey__comparison__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else {
    fprintf(ctx->out, "%s%s%s: projects inside vs outside partnerships\n", r->statement_key,
            *r->client_org ? ", client " : "", r->client_org);
    const char *h[] = {"group", "projects", "n", "mean"};
    trinctl_table_t *t = trinctl_table_new(4, h);
    for (size_t i = 0; i < r->n_groups; i++) {
      trinctl_table_cell(t, "%s", r->groups[i]->group);
      trinctl_table_cell(t, "%d", r->groups[i]->projects);
      if (r->groups[i]->count == 0) {
        trinctl_table_cell(t, "%s", r->groups[i]->suppressed ? "hidden" : "0");
        trinctl_table_cell(t, "%s", "");
      } else {
        trinctl_table_cell(t, "%d", r->groups[i]->count);
        char nb[TRINCTL_NUM_BUF];
        trinctl_table_cell(t, "%s", trinctl_num_text(r->groups[i]->mean, false, nb));
      }
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* Every alert a survey raised, or every survey of a project: standing
 * ("står") or cleared by which round ("ryddet af runde N"), and who
 * acknowledged it with what note. */
static int list_alerts(trinctl_ctx_t *ctx, const char *survey_id, const char *project_id) {
  Trin__Survey__ListAlerts req = TRIN__SURVEY__LIST_ALERTS__INIT;
  req.survey_id = (char *)survey_id;
  req.project_id = (char *)project_id;
  const char *what = survey_id[0] ? "survey" : "projekt";
  const char *id = survey_id[0] ? survey_id : project_id;
  Trin__Survey__AlertList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__survey__alert_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else if (r->n_alerts == 0) {
    fprintf(ctx->out, "%s %s: ingen advarsler (no alerts)\n", what, id);
  } else {
    fprintf(ctx->out, "%s %s: advarsler (alerts)\n", what, id);
    const char *h[] = {"survey", "runde", "udsagn", "rolle", "slags", "status", "kvitteret",
                       "note"};
    /* By survey the survey column would repeat its id on every line. */
    int skip = survey_id[0] ? 1 : 0;
    trinctl_table_t *t = trinctl_table_new(8 - skip, h + skip);
    for (size_t i = 0; i < r->n_alerts; i++) {
      const Trin__Survey__AlertEntry *e = r->alerts[i];
      const Trin__Survey__Alert *al = e->alert;
      if (!skip) trinctl_table_cell(t, "%s", al ? al->survey_id : "");
      trinctl_table_cell(t, "%d", al ? al->round : 0);
      trinctl_table_cell(t, "%s", al ? al->statement_key : "");
      trinctl_table_cell(t, "%s", al ? al->role : "");
      trinctl_table_cell(t, "%s", al ? al->kind : "");
      if (e->standing)
        trinctl_table_cell(t, "står (standing)");
      else if (e->cleared_by_round > 0)
        trinctl_table_cell(t, "ryddet af runde %d (cleared)", e->cleared_by_round);
      else
        trinctl_table_cell(t, "ryddet (cleared)");
      if (*e->acknowledged_by)
        trinctl_table_cell(t, "%s %.10s", e->acknowledged_by, e->acknowledged_at);
      else
        trinctl_table_cell(t, "%s", "");
      trinctl_table_cell(t, "%s", e->note);
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_alerts(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  return list_alerts(ctx, a->arg, "");
}

static int run_project_alerts(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  return list_alerts(ctx, "", a->arg);
}

/* Acknowledge an alert with a note: who is doing what about it. */
static int run_ack(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__AcknowledgeAlert req = TRIN__SURVEY__ACKNOWLEDGE_ALERT__INIT;
  req.survey_id = (char *)a->arg;
  req.round = (int32_t)trinctl_args_num(a, "round");
  req.statement_key = S(a, "statement");
  req.role = trinctl_args_has(a, "role") ? S(a, "role") : "all";
  req.kind = S(a, "kind");
  req.note = S(a, "note");
  Trin__Survey__AlertEntry *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__survey__alert_entry__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else {
    const Trin__Survey__Alert *al = r->alert;
    fprintf(ctx->out, "advarsel kvitteret (alert acknowledged): survey %s, runde %d, %s / %s, "
                      "%s (event %" PRIu64 ")\n",
            req.survey_id, al ? al->round : req.round, al ? al->statement_key : "",
            al ? al->role : "", al ? al->kind : "", r->seq);
    fprintf(ctx->out, "  status     %s\n", r->standing ? "står (standing)" : "ryddet (cleared)");
    fprintf(ctx->out, "  kvitteret  %s %s\n", r->acknowledged_by, r->acknowledged_at);
    fprintf(ctx->out, "  note       %s\n", r->note);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- corrections: removing answers, with the reason -------------------------------- */

static void print_removal(FILE *f, const Trin__Survey__Removal *r) {
  char n1[TRINCTL_NUM_BUF], n2[TRINCTL_NUM_BUF], n3[TRINCTL_NUM_BUF];
  trinctl_num(r->responses, 0, n1);
  trinctl_num(r->answers, 0, n2);
  trinctl_num(r->respondents_left, 0, n3);
  if (*r->respondent)
    fprintf(f, "svar fjernet (response removed): survey %s, runde %d, respondent %.16s… (%s), "
               "%s besvarede udsagn; runden har nu %s svar (event %" PRIu64 ")\n",
            r->survey_id, r->round, r->respondent, r->role, n2, n3, r->seq);
  else
    fprintf(f, "runde ryddet (round cleared): survey %s, runde %d: %s svar fjernet (%s besvarede "
               "udsagn); runden står tom og kan importeres igen (event %" PRIu64 ")\n",
            r->survey_id, r->round, n1, n2, r->seq);
  fprintf(f, "  årsag (reason)    %s\n", r->reason);
  fprintf(f, "  fjernet af (by)   %s %s\n", r->removed_by, r->removed_at);
}

static int reply_removal(trinctl_ctx_t *ctx, const ProtobufCMessage *req) {
  Trin__Survey__Removal *r = NULL;
  int rc = trinctl_call(ctx, req, &trin__survey__removal__descriptor, (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else print_removal(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_remove_response(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__RemoveResponse req = TRIN__SURVEY__REMOVE_RESPONSE__INIT;
  req.survey_id = (char *)a->arg;
  req.round = (int32_t)trinctl_args_num(a, "round");
  req.respondent = S(a, "respondent");
  req.reason = S(a, "reason");
  return reply_removal(ctx, &req.base);
}

static int run_clear_round(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__ClearRound req = TRIN__SURVEY__CLEAR_ROUND__INIT;
  req.survey_id = (char *)a->arg;
  req.round = (int32_t)trinctl_args_num(a, "round");
  req.reason = S(a, "reason");
  return reply_removal(ctx, &req.base);
}

/* ---- import mappings (issue 20, item 7) ------------------------------------------ */

/* The two small CSV files of mapping-set: question,key (spørgsmål,nøgle)
 * and word,score (ord,point; an empty score or "-" = not answered). */
typedef struct {
  bool answers;             /* reading word,score rather than question,key */
  int col_a, col_b;
  bool header_seen;
  Trin__Survey__ImportMapping *m;
} mapping_file_t;

static int column_of(const trin_csv_row_t *row, const char *en, const char *da) {
  int c = trin_csv_column(row, en);
  return c >= 0 ? c : trin_csv_column(row, da);
}

static int mapping_row(void *data, const trin_csv_row_t *row, trin_err_t *err) {
  mapping_file_t *f = data;
  const char *field = f->answers ? "answers" : "columns";
  if (!f->header_seen) {
    f->header_seen = true;
    f->col_a = f->answers ? column_of(row, "word", "ord")
                          : column_of(row, "question", "spørgsmål");
    f->col_b = f->answers ? column_of(row, "score", "point") : column_of(row, "key", "nøgle");
    if (f->col_a < 0 || f->col_b < 0)
      return trin_err_set(err, TRIN_EINVALID, field, "line %zu: the header needs the columns %s",
                          row->line,
                          f->answers ? "word and score (ord, point)"
                                     : "question and key (spørgsmål, nøgle)");
    return TRIN_OK;
  }
  if ((size_t)f->col_a >= row->n || (size_t)f->col_b >= row->n)
    return trin_err_set(err, TRIN_EINVALID, field, "line %zu: too few fields", row->line);
  const char *a = row->fields[f->col_a], *b = row->fields[f->col_b];
  if (f->answers) {
    Trin__Survey__AnswerWord *w = calloc(1, sizeof *w);
    void *grown = realloc(f->m->answers, (f->m->n_answers + 1) * sizeof *f->m->answers);
    if (!w || !grown) {
      free(w);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    f->m->answers = grown;
    trin__survey__answer_word__init(w);
    f->m->answers[f->m->n_answers++] = w;
    w->word = strdup(a);
    while (*b == ' ') b++;
    if (!*b || strcmp(b, "-") == 0) {
      w->no_answer = true;
    } else {
      char *end;
      long v = strtol(b, &end, 10);
      if (end == b || *end || v < -1000 || v > 1000)
        return trin_err_set(err, TRIN_EINVALID, field,
                            "line %zu: score '%.20s' is not a whole number (empty or - = not "
                            "answered)",
                            row->line, b);
      w->score = (int32_t)v;
    }
    return w->word ? TRIN_OK : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  Trin__Survey__MappedColumn *c = calloc(1, sizeof *c);
  void *grown = realloc(f->m->columns, (f->m->n_columns + 1) * sizeof *f->m->columns);
  if (!c || !grown) {
    free(c);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  f->m->columns = grown;
  trin__survey__mapped_column__init(c);
  f->m->columns[f->m->n_columns++] = c;
  c->header = strdup(a);
  c->statement_key = strdup(b);
  return c->header && c->statement_key ? TRIN_OK
                                       : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
}

static void mapping_free(Trin__Survey__ImportMapping *m) {
  for (size_t i = 0; i < m->n_columns; i++) {
    free(m->columns[i]->header);
    free(m->columns[i]->statement_key);
    free(m->columns[i]);
  }
  for (size_t i = 0; i < m->n_answers; i++) {
    free(m->answers[i]->word);
    free(m->answers[i]);
  }
  free(m->columns);
  free(m->answers);
}

static void print_mapping(FILE *f, const Trin__Survey__ImportMappingReply *r) {
  const Trin__Survey__ImportMapping *m = r->mapping;
  fprintf(f, "importopsætning for spørgeskema %s (gemt af %s %s)\n", r->survey_id, r->set_by,
          r->set_at);
  if (!m) return;
  fprintf(f, "  respondentkolonne  %s\n", m->respondent_column);
  if (*m->role_column) fprintf(f, "  rollekolonne       %s\n", m->role_column);
  else fprintf(f, "  rolle              %s (alle rækker)\n", m->role);
  fprintf(f, "  kommentarkolonne   %s\n", *m->comment_column ? m->comment_column : "-");
  fprintf(f, "  spørgsmål (andre kolonner i filen læses ikke):\n");
  const char *h1[] = {"nøgle", "kolonne"};
  trinctl_table_t *t = trinctl_table_new(2, h1);
  for (size_t i = 0; i < m->n_columns; i++) {
    trinctl_table_cell(t, "%s", m->columns[i]->statement_key);
    trinctl_table_cell(t, "%s", m->columns[i]->header);
  }
  trinctl_table_print(f, t, 4);
  trinctl_table_destroy(&t);
  fprintf(f, "  svarord%s:\n",
          r->default_answers ? " (standard: dansk fempunkts enighedsskala)" : "");
  const char *h2[] = {"ord", "point"};
  t = trinctl_table_new(2, h2);
  for (size_t i = 0; i < m->n_answers; i++) {
    trinctl_table_cell(t, "%s", m->answers[i]->word);
    if (m->answers[i]->no_answer) trinctl_table_cell(t, "%s", "intet svar");
    else trinctl_table_cell(t, "%d", m->answers[i]->score);
  }
  trinctl_table_print(f, t, 4);
  trinctl_table_destroy(&t);
}

static int reply_mapping(trinctl_ctx_t *ctx, const ProtobufCMessage *req, bool set) {
  Trin__Survey__ImportMappingReply *r = NULL;
  int rc = trinctl_call(ctx, req, &trin__survey__import_mapping_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    if (set) fprintf(ctx->out, "importopsætning gemt (hændelse %" PRIu64 ")\n", r->seq);
    print_mapping(ctx->out, r);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int read_mapping_file(trinctl_ctx_t *ctx, const char *path, bool answers,
                             Trin__Survey__ImportMapping *m) {
  mapping_file_t f = {.answers = answers, .m = m};
  const char *field = answers ? "answers" : "columns";
  if (trin_csv_parse_file(path, NULL, mapping_row, &f, &ctx->err)) {
    if (!ctx->err.field[0]) snprintf(ctx->err.field, sizeof ctx->err.field, "%s", field);
    return ctx->err.code == TRIN_EIO ? TRINCTL_EXIT_IO : TRINCTL_EXIT_USAGE;
  }
  if (!f.header_seen) return usage(ctx, field, "the file is empty (no header line)");
  return TRINCTL_EXIT_OK;
}

static int run_mapping_set(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__ImportMapping m = TRIN__SURVEY__IMPORT_MAPPING__INIT;
  m.respondent_column = S(a, "respondent-column");
  m.role_column = S(a, "role-column");
  m.role = S(a, "role");
  m.comment_column = S(a, "comment-column");
  int rc = read_mapping_file(ctx, S(a, "columns"), false, &m);
  if (!rc && trinctl_args_has(a, "answers")) rc = read_mapping_file(ctx, S(a, "answers"), true, &m);
  if (!rc) {
    Trin__Survey__SetImportMapping req = TRIN__SURVEY__SET_IMPORT_MAPPING__INIT;
    req.survey_id = (char *)a->arg;
    req.mapping = &m;
    rc = reply_mapping(ctx, &req.base, true);
  }
  mapping_free(&m);
  return rc;
}

static int run_mapping_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Survey__GetImportMapping req = TRIN__SURVEY__GET_IMPORT_MAPPING__INIT;
  req.survey_id = (char *)a->arg;
  return reply_mapping(ctx, &req.base, false);
}

/* ---- the table ---------------------------------------------------------------- */

static const trinctl_opt_t create_opts[] = {
    OPT_TEXT("project", true, "survey.project_id", "ID", "the project (known from lifecycle)"),
    OPT_TEXT("title", true, "survey.title", "T", "the survey's title"),
    OPT_TEXT("statements", true, "survey.statements", "FILE",
         "CSV with columns key,text[,common] (common: yes for the client's common statements)"),
    OPT_INT("scale-min", false, "survey.scale_min", 0, 1, "lowest score (default 1)"),
    OPT_INT("scale-max", false, "survey.scale_max", 1, 10, "highest score (default 5)"),
    OPT_INT("min-respondents", false, "survey.min_respondents", 5, 1000,
        "smallest group shown (default 5)"),
    OPT_TEXT("drop", false, "survey.thresholds.drop_from_previous_x100", "POINTS",
         "alert when a mean falls more than this since the previous round (e.g. 0,5)"),
    OPT_TEXT("drop-baseline", false, "survey.thresholds.drop_from_baseline_x100", "POINTS",
         "alert when a mean is more than this below the baseline"),
    OPT_TEXT("floor", false, "survey.thresholds.floor_x100", "POINTS",
         "alert when a mean is below this (e.g. 3,0)"),
    OPT_END};
static const trinctl_opt_t round_opts[] = {
    OPT_INT("number", true, "round.number", 1, 200, "the next round's number"),
    OPT_DATE("opens", true, "round.opens", "first day of the round"),
    OPT_DATE("closes", true, "round.closes", "last day of the round"),
    OPT_END};
static const trinctl_opt_t baseline_opts[] = {
    OPT_TEXT("rounds", true, "rounds", "N,N", "the baseline rounds, e.g. 1 or 1,2"),
    OPT_END};
static const trinctl_opt_t thresholds_opts[] = {
    OPT_TEXT("drop", false, "thresholds.drop_from_previous_x100", "POINTS",
         "alert when a mean falls more than this since the previous round"),
    OPT_TEXT("drop-baseline", false, "thresholds.drop_from_baseline_x100", "POINTS",
         "alert when a mean is more than this below the baseline"),
    OPT_TEXT("floor", false, "thresholds.floor_x100", "POINTS", "alert when a mean is below this"),
    OPT_INT("min-respondents", false, "min_respondents", 5, 1000,
        "raise the smallest group shown (never lowered)"),
    OPT_END};
static const trinctl_opt_t import_opts[] = {
    OPT_TEXT("survey", true, "survey_id", "ID", "the survey"),
    OPT_INT("round", true, "round", 1, 200, "the round the responses belong to"),
    OPT_TEXT("encoding", false, "encoding", "ENC",
         "utf-8 (default) or windows-1252 (Excel's plain \"CSV (semikolonsepareret)\")"),
    OPT_FLAG("mapped", "mapped",
         "the file is the survey tool's export as it is, read through the survey's saved "
         "mapping (mapping-set)"),
    OPT_END};
static const trinctl_opt_t results_opts[] = {
    OPT_INT("round", false, "round", 0, 200,
        "the round (default: the newest with answers)"),
    OPT_END};
static const trinctl_opt_t list_opts[] = {
    OPT_TEXT("project", false, "project_id", "ID", "only this project's surveys"),
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's surveys"),
    OPT_TEXT("client", false, "client_org", "ORG", "only surveys of this client's projects"),
    OPT_END};
static const trinctl_opt_t compare_opts[] = {
    OPT_TEXT("client", false, "client_org", "ORG", "only this client's projects"),
    OPT_END};
static const trinctl_opt_t ack_opts[] = {
    OPT_INT("round", true, "round", 1, 200, "the round that raised the alert"),
    OPT_TEXT("statement", true, "statement_key", "KEY", "the alert's statement"),
    OPT_TEXT("role", false, "role", "ROLE", "the alert's role word, or all (default all)"),
    OPT_TEXT("kind", true, "kind", "KIND",
         "drop_from_previous, drop_from_baseline or below_floor"),
    OPT_TEXT("note", true, "note", "TEXT", "what is being done about it"),
    OPT_END};
static const trinctl_opt_t remove_response_opts[] = {
    OPT_INT("round", true, "round", 1, 200, "the round the answers were imported into"),
    OPT_TEXT("respondent", true, "respondent", "ID",
         "the respondent's id in the survey tool, as imported"),
    OPT_TEXT("reason", true, "reason", "TEXT", "why the answers are removed (kept in the event)"),
    OPT_END};
static const trinctl_opt_t clear_round_opts[] = {
    OPT_INT("round", true, "round", 1, 200, "the round whose answers are removed"),
    OPT_TEXT("reason", true, "reason", "TEXT", "why the answers are removed (kept in the event)"),
    OPT_END};
static const trinctl_opt_t mapping_set_opts[] = {
    OPT_TEXT("respondent-column", true, "mapping.respondent_column", "HEADER",
         "the export's column with the respondent's id"),
    OPT_TEXT("role-column", false, "mapping.role_column", "HEADER",
         "the export's column with the respondent's role (or --role)"),
    OPT_TEXT("role", false, "mapping.role", "ROLE",
         "one role for every row, when the export has no role column"),
    OPT_TEXT("comment-column", false, "mapping.comment_column", "HEADER",
         "the export's column with a comment (optional)"),
    OPT_TEXT("columns", true, "mapping.columns", "FILE",
         "CSV with columns question,key (spørgsmål,nøgle): the export's header -> statement key"),
    OPT_TEXT("answers", false, "mapping.answers", "FILE",
         "CSV with columns word,score (ord,point; empty score = not answered); default: the "
         "Danish five-point agreement scale"),
    OPT_END};
static const trinctl_opt_t no_opts[] = {OPT_END};

const trinctl_cmd_t trinctl_survey_cmds[] = {
    {"survey", "create", "Create a survey for a project from a statements file.", "ID",
     "survey.id", "the survey's id", create_opts, run_create},
    {"survey", "round", "Add the next round.", "SURVEY", "survey_id", "the survey", round_opts,
     run_round},
    {"survey", "baseline", "Choose the baseline rounds.", "SURVEY", "survey_id", "the survey",
     baseline_opts, run_baseline},
    {"survey", "thresholds", "Change alert thresholds or raise the anonymity minimum.",
     "SURVEY", "survey_id", "the survey", thresholds_opts, run_thresholds},
    {"survey", "import", "Import a survey tool's CSV export into a round (all or nothing).",
     "FILE", "csv", "the CSV file (, or ; separated, UTF-8 with or without BOM)", import_opts,
     run_import},
    {"survey", "results", "Show a round's figures, changes, trend and alerts.", "SURVEY",
     "survey_id", "the survey", results_opts, run_results},
    {"survey", "show", "Show a survey: statements, rounds, thresholds.", "SURVEY", "survey_id",
     "the survey", no_opts, run_show},
    {"survey", "list",
     "List the surveys you may read with their rounds (dates, respondents); the filters "
     "combine.",
     NULL, NULL, NULL, list_opts, run_list},
    {"survey", "alerts", "List a survey's alerts: standing or cleared by which round, "
     "acknowledged by whom.", "SURVEY", "survey_id", "the survey", no_opts, run_alerts},
    {"survey", "project-alerts", "List the alerts of every survey of a project, as `alerts` "
     "does for one.", "PROJECT", "project_id", "the project", no_opts, run_project_alerts},
    {"survey", "compare", "Compare projects inside and outside partnerships.", "KEY",
     "statement_key", "a common statement's key", compare_opts, run_compare},
    {"survey", "ack", "Acknowledge an alert with a note (it stands until a round recovers).",
     "SURVEY", "survey_id", "the survey", ack_opts, run_ack},
    {"survey", "remove-response", "Remove one respondent's answers from a round, with the "
     "reason.", "SURVEY", "survey_id", "the survey", remove_response_opts, run_remove_response},
    {"survey", "clear-round", "Remove every answer of a wrongly imported round (the round "
     "stays, to import again).", "SURVEY", "survey_id", "the survey", clear_round_opts,
     run_clear_round},
    /* issue 20, item 7: survey exports as they come */
    {"survey", "mapping-set", "Save how a survey tool's export reads: its columns and answer "
     "words (import it with import --mapped).", "SURVEY", "survey_id", "the survey",
     mapping_set_opts, run_mapping_set},
    {"survey", "mapping-show", "Show a survey's saved import mapping.", "SURVEY", "survey_id",
     "the survey", no_opts, run_mapping_show},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const ProtobufCMessageDescriptor *const known_types[] = {
    &trin__survey__statement__descriptor,      &trin__survey__round__descriptor,
    &trin__survey__thresholds__descriptor,     &trin__survey__survey__descriptor,
    &trin__survey__response__descriptor,       &trin__survey__figures__descriptor,
    &trin__survey__alert__descriptor,          &trin__survey__round_results__descriptor,
    &trin__survey__comparison_group__descriptor, &trin__survey__comparison__descriptor,
    &trin__survey__survey_reply__descriptor,   &trin__survey__survey_list__descriptor,
    &trin__survey__import_reply__descriptor,  &trin__survey__alert_entry__descriptor,
    &trin__survey__alert_list__descriptor,     &trin__survey__removal__descriptor,
    /* issue 20, item 7 */
    &trin__survey__mapped_column__descriptor,  &trin__survey__answer_word__descriptor,
    &trin__survey__import_mapping__descriptor, &trin__survey__import_mapping_reply__descriptor,
};

const ProtobufCMessageDescriptor *trinctl_survey_resolve(const char *full_name) {
  for (size_t i = 0; i < sizeof known_types / sizeof *known_types; i++)
    if (strcmp(known_types[i]->name, full_name) == 0) return known_types[i];
  return NULL;
}
