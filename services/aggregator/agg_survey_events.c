/* agg_survey_events — see agg_survey_events.h. */
#include "agg_survey_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/survey.pb-c.h"

/* The satisfaction of a round: the mean of every answer in the visible
 * all-roles statement figures — their summed sums over their summed counts,
 * in hundredths, rounded once, half away from zero (as the survey service
 * rounds). Never the mean of the figures' rounded means (issue 18: 2.88,
 * 3.63 and 3.38 average to 3.30, but 158 / 48 answers is 3.29). The trend
 * from the mean of their trend slopes with the survey service's own
 * cut-offs (±10). */
static int apply_results(agg_rows_t *r, const Trin__Survey__RoundResults *res,
                         trin_time_t when) {
  agg_row_t *row = agg_rows_get(r, res->project_id, NULL);
  if (!row) return res->project_id && *res->project_id ? TRIN_EINTERNAL : TRIN_OK;
  bool ch = false;
  agg_row_set_has(row, AGG_HAS_SURVEY, true, &ch);
  /* Which survey speaks for the project: the one with the latest round.
   * An older round speaks again when it is the survey's newest with
   * answers (a correction emptied the newer one). */
  bool same = row->survey_id && strcmp(row->survey_id, res->survey_id) == 0;
  const char *closes = res->closes ? res->closes : "";
  bool adopt = !row->survey_id ||
               (same && (res->round >= row->survey_round ||
                         res->round == res->latest_answered_round)) ||
               (!same && strcmp(closes, row->survey_closes ? row->survey_closes : "") >= 0);
  if (adopt) {
    int64_t sum = 0, count = 0, tsum = 0;
    int tn = 0;
    for (size_t i = 0; i < res->n_figures; i++) {
      const Trin__Survey__Figures *f = res->figures[i];
      if (!f->role || strcmp(f->role, "all") != 0 || f->suppressed || f->count <= 0) continue;
      sum += f->sum;
      count += f->count;
      if (f->trend && *f->trend) {
        tsum += f->trend_x100;
        tn++;
      }
    }
    agg_row_set_str(&row->survey_id, res->survey_id, &ch);
    agg_row_set_str(&row->survey_closes, closes, &ch);
    agg_row_set_i32(&row->survey_round, res->round, &ch);
    agg_row_set_i32(&row->scale_min, res->scale_min, &ch);
    agg_row_set_i32(&row->scale_max, res->scale_max, &ch);
    agg_row_set_has(row, AGG_HAS_SATISFACTION, count > 0, &ch);
    int32_t mean = 0;
    if (count > 0) {
      int64_t s200 = sum * 200; /* round(sum·100 / count) = (2·sum·100 ± count) / (2·count) */
      mean = (int32_t)((s200 >= 0 ? s200 + count : s200 - count) / (2 * count));
    }
    agg_row_set_i32(&row->satisfaction_x100, mean, &ch);
    const char *trend = NULL;
    if (tn > 0) {
      int64_t t2 = tsum * 2, d = 2 * tn;
      int64_t avg = (t2 >= 0 ? t2 + tn : t2 - tn) / d;
      trend = avg >= 10 ? "up" : avg <= -10 ? "down" : "flat";
    }
    agg_row_set_str(&row->satisfaction_trend, trend, &ch);
  }
  agg_rows_finish(r, row, ch, when);
  return TRIN_OK;
}

static int apply_alert(agg_rows_t *r, const Trin__Survey__Alert *a, bool raised,
                       trin_time_t when) {
  agg_row_t *row = agg_rows_get(r, a->project_id, NULL);
  if (!row) return a->project_id && *a->project_id ? TRIN_EINTERNAL : TRIN_OK;
  char key[512];
  snprintf(key, sizeof key, "%s/%d/%s/%s/%s", a->survey_id, a->round, a->statement_key,
           a->role, a->kind);
  bool ch = false;
  agg_row_set_has(row, AGG_HAS_SURVEY, true, &ch);
  uint32_t at = row->nalerts;
  for (uint32_t i = 0; i < row->nalerts; i++)
    if (strcmp(row->alerts[i], key) == 0) at = i;
  if (raised && at == row->nalerts) {
    char **p = realloc(row->alerts, (row->nalerts + 1) * sizeof *p);
    char *k = strdup(key);
    if (!p || !k) {
      free(k);
      if (p) row->alerts = p;
      return TRIN_EINTERNAL;
    }
    row->alerts = p;
    row->alerts[row->nalerts++] = k;
  } else if (!raised && at < row->nalerts) {
    free(row->alerts[at]);
    row->alerts[at] = row->alerts[--row->nalerts];
  }
  agg_row_set_bool(&row->satisfaction_alert, row->nalerts > 0, &ch);
  agg_rows_finish(r, row, ch, when);
  return TRIN_OK;
}

static int apply_survey(agg_rows_t *r, const Trin__Survey__Survey *s, trin_time_t when) {
  agg_row_t *row = agg_rows_get(r, s->project_id, NULL);
  if (!row) return s->project_id && *s->project_id ? TRIN_EINTERNAL : TRIN_OK;
  bool ch = false;
  agg_row_set_has(row, AGG_HAS_SURVEY, true, &ch);
  agg_rows_finish(r, row, ch, when);
  return TRIN_OK;
}

static const ProtobufCMessageDescriptor *const PAYLOADS[] = {
    &trin__survey__round_results__descriptor, &trin__survey__alert__descriptor,
    &trin__survey__survey__descriptor};

int agg_survey_events_apply(agg_rows_t *r, const Trin__Event *ev, trin_time_t when,
                            trin_err_t *err) {
  const ProtobufCMessageDescriptor *d = agg_rows_payload_of(ev, PAYLOADS, 3);
  ProtobufCMessage *m = NULL;
  int rc = d ? agg_rows_decode(r, ev, d, &m, err) : TRIN_OK;
  if (rc || !m) return rc;
  if (d == &trin__survey__round_results__descriptor) {
    rc = apply_results(r, (Trin__Survey__RoundResults *)m, when);
  } else if (d == &trin__survey__alert__descriptor) {
    bool raised = ev->type && strstr(ev->type, "alert_cleared") == NULL;
    rc = apply_alert(r, (Trin__Survey__Alert *)m, raised, when);
  } else {
    rc = apply_survey(r, (Trin__Survey__Survey *)m, when);
  }
  agg_rows_decoded_done(r);
  return rc;
}
