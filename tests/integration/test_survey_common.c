/* test_survey_common — see test_survey_common.h. */
#include "test_survey_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trin_codec.h"

bool survey_env_start(survey_env_t *e, const char *name, const char *const *extra) {
  memset(e, 0, sizeof *e);
  char n[64];
  snprintf(n, sizeof n, "%s-lc", name);
  testproc_init(&e->lc, n);
  snprintf(n, sizeof n, "%s-sv", name);
  testproc_init(&e->sv, n);
  if (!testproc_start(&e->lc, TRIN_LIFECYCLE_BIN, NULL)) return false;
  trin_err_t err;
  if (trin_client_new(e->lc.endpoint, &e->lcc, &err)) return false;
  snprintf(e->lc_ep_arg, sizeof e->lc_ep_arg, "--lifecycle-endpoint=%s", e->lc.endpoint);
  snprintf(e->lc_pub_arg, sizeof e->lc_pub_arg, "--lifecycle-pub-endpoint=%s", e->lc.pub);
  return survey_env_restart_survey(e, extra);
}

bool survey_env_restart_survey(survey_env_t *e, const char *const *extra) {
  const char *args[24] = {e->lc_ep_arg, e->lc_pub_arg, "--heartbeat-ms=200"};
  int n = 3;
  bool http = false;
  for (int i = 0; extra && extra[i] && n < 23; i++) {
    if (strncmp(extra[i], "--http-address", 14) == 0) http = true;
    args[n++] = extra[i];
  }
  if (!http && n < 23) args[n++] = "--http-address=";
  args[n] = NULL;
  trin_client_destroy(&e->svc);
  if (!testproc_start(&e->sv, TRIN_SURVEY_BIN, args)) return false;
  trin_err_t err;
  if (trin_client_new(e->sv.endpoint, &e->svc, &err)) return false;
  trin_client_set_timeout(e->svc, 60000);
  return true;
}

bool survey_env_stop(survey_env_t *e) {
  trin_client_destroy(&e->svc);
  trin_client_destroy(&e->lcc);
  int a = testproc_stop(&e->sv);
  int b = testproc_stop(&e->lc);
  if (a != 0) fprintf(stderr, "survey exited %d; see %s\n", a, e->sv.log);
  if (a == 0) testproc_cleanup(&e->sv);
  if (b == 0) testproc_cleanup(&e->lc);
  return a == 0 && b == 0;
}

int survey_env_start_aggregator(survey_env_t *e, testproc_t *agg, const char *bin,
                                const char *token) {
  char a1[400], a2[400], a3[400], a4[400], tok[200];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", e->lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", e->lc.pub);
  snprintf(a3, sizeof a3, "--survey-endpoint=%s", e->sv.endpoint);
  snprintf(a4, sizeof a4, "--survey-pub-endpoint=%s", e->sv.pub);
  snprintf(tok, sizeof tok, "--token=%s", token);
  const char *extra[] = {a1, a2, a3, a4, "--budget-endpoint=", "--benchmark-endpoint=",
                         "--http-address=127.0.0.1:0", tok, "--retry-ms=200", NULL};
  if (!testproc_start(agg, bin, extra)) return 0;
  return testproc_http_port(agg);
}

int sv_create(trin_client_t *c, Trin__Survey__Survey *sv, trin_err_t *err) {
  Trin__Survey__CreateSurvey m = TRIN__SURVEY__CREATE_SURVEY__INIT;
  m.survey = sv;
  ProtobufCMessage *r = NULL;
  int rc = trin_client_call(c, &m.base, &trin__survey__survey_reply__descriptor, &r, err);
  trin_codec_free(r);
  return rc;
}

int sv_create_when_known(trin_client_t *c, Trin__Survey__Survey *sv, trin_err_t *err) {
  int rc = TRIN_ENOTFOUND;
  for (int i = 0; i < 200 && rc == TRIN_ENOTFOUND; i++) {
    rc = sv_create(c, sv, err);
    if (rc == TRIN_ENOTFOUND && strcmp(err->field, "survey.project_id") == 0) {
      struct timespec ts = {0, 50 * 1000 * 1000};
      nanosleep(&ts, NULL);
    } else {
      break;
    }
  }
  return rc;
}

int sv_add_round(trin_client_t *c, const char *survey, int number, const char *opens,
                 const char *closes, trin_err_t *err) {
  Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
  r.number = number;
  r.opens = (char *)opens;
  r.closes = (char *)closes;
  Trin__Survey__AddRound m = TRIN__SURVEY__ADD_ROUND__INIT;
  m.survey_id = (char *)survey;
  m.round = &r;
  ProtobufCMessage *rep = NULL;
  int rc = trin_client_call(c, &m.base, &trin__survey__survey_reply__descriptor, &rep, err);
  trin_codec_free(rep);
  return rc;
}

int sv_import_csv(trin_client_t *c, const char *survey, int round, const char *csv,
                  size_t len, Trin__Survey__ImportReply **reply, trin_err_t *err) {
  Trin__Survey__ImportResponses m = TRIN__SURVEY__IMPORT_RESPONSES__INIT;
  m.survey_id = (char *)survey;
  m.round = round;
  m.csv.data = (uint8_t *)csv;
  m.csv.len = len;
  ProtobufCMessage *r = NULL;
  int rc = trin_client_call(c, &m.base, &trin__survey__import_reply__descriptor, &r, err);
  if (reply) *reply = (Trin__Survey__ImportReply *)r;
  else trin_codec_free(r);
  return rc;
}

int sv_results(trin_client_t *c, const char *survey, int round,
               Trin__Survey__RoundResults **out, trin_err_t *err) {
  Trin__Survey__GetResults m = TRIN__SURVEY__GET_RESULTS__INIT;
  m.survey_id = (char *)survey;
  m.round = round;
  return trin_client_call(c, &m.base, &trin__survey__round_results__descriptor,
                          (ProtobufCMessage **)out, err);
}

uint64_t sv_last_seq(trin_client_t *c) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  if (trin_client_call(c, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong,
                       &err))
    return UINT64_MAX;
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

int sv_count_events(trin_client_t *c, uint64_t after, const char *type, uint8_t **last,
                    size_t *last_len) {
  int count = 0;
  if (last) *last = NULL;
  for (;;) {
    Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
    q.after_seq = after;
    q.limit = 1000;
    Trin__EventBatch *b = NULL;
    trin_err_t err;
    if (trin_client_call(c, &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                         &err))
      return -1;
    for (size_t i = 0; i < b->n_events; i++) {
      if (strcmp(b->events[i]->type, type) != 0) continue;
      count++;
      if (last) {
        free(*last);
        *last = malloc(b->events[i]->payload.len + 1);
        memcpy(*last, b->events[i]->payload.data, b->events[i]->payload.len);
        *last_len = b->events[i]->payload.len;
      }
    }
    bool more = b->n_events > 0 && b->events[b->n_events - 1]->seq < b->last_seq;
    if (b->n_events) after = b->events[b->n_events - 1]->seq;
    trin_codec_free(b);
    if (!more) break;
  }
  return count;
}

const Trin__Survey__Figures *sv_figure(const Trin__Survey__RoundResults *r,
                                       const char *statement, const char *role) {
  for (size_t i = 0; i < r->n_figures; i++)
    if (strcmp(r->figures[i]->statement_key, statement) == 0 &&
        strcmp(r->figures[i]->role, role) == 0)
      return r->figures[i];
  return NULL;
}

void sbuf_printf(sbuf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 4096;
    while (nc < b->len + (size_t)n + 1) nc *= 2;
    b->data = realloc(b->data, nc);
    b->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void sbuf_free(sbuf_t *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}
