/* survey_correct — see survey_correct.h. */
#include "survey_correct.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "survey_results.h"
#include "trin_date.h"
#include "trin_id.h"

#define REASON_MAX_BYTES 2000

static int reason_check(const char *reason, trin_err_t *err) {
  const char *p = reason ? reason : "";
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  if (!*p)
    return trin_err_set(err, TRIN_EINVALID, "reason",
                        "is required: say why the answers are removed");
  return trin_text_check(reason, REASON_MAX_BYTES, "reason", err);
}

static bool has_round(const survey_survey_msg_t *sv, int32_t round) {
  for (size_t i = 0; i < sv->n_rounds; i++)
    if (sv->rounds[i]->number == round) return true;
  return false;
}

static int32_t respondents_of(const survey_survey_msg_t *sv, int32_t round) {
  for (size_t i = 0; i < sv->n_rounds; i++)
    if (sv->rounds[i]->number == round) return sv->rounds[i]->respondents;
  return 0;
}

/* One respondent out: the row, then its answers out of the running
 * aggregates (as an import takes out answers it replaces). */
static int remove_one(trin_store_t *s, const uint8_t key[SURVEY_KEY_BYTES],
                      const survey_survey_msg_t *sv, int64_t no, const survey_correction_t *c,
                      trin_arena_t *a, Trin__Survey__Removal *out, trin_err_t *err) {
  if (!*c->respondent || strlen(c->respondent) > SURVEY_RESPONDENT_MAX)
    return trin_err_set(err, TRIN_EINVALID, "respondent", "must be 1–%d characters",
                        SURVEY_RESPONDENT_MAX);
  int rc = trin_text_check(c->respondent, SURVEY_RESPONDENT_MAX, "respondent", err);
  if (rc) return rc;
  uint8_t hash[SURVEY_HASH_BYTES];
  survey_respondent_hash(key, sv->id, c->respondent, hash);
  size_t nstmt = sv->n_statements;
  uint8_t *scores = malloc(nstmt + 1);
  if (!scores) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  bool found;
  int role = 0;
  rc = survey_store_response_remove(s, no, c->round, hash, nstmt, &found, &role, scores, err);
  if (!rc && !found)
    rc = trin_err_set(err, TRIN_ENOTFOUND, "respondent",
                      "round %d of survey '%s' has no answers from respondent '%.60s'",
                      c->round, sv->id, c->respondent);
  survey_scale_t scale = {sv->scale_min, sv->scale_max};
  for (size_t k = 0; !rc && k < nstmt; k++) {
    if (scores[k] == SURVEY_NO_ANSWER) continue;
    survey_agg_t d;
    memset(&d, 0, sizeof d);
    survey_agg_remove(&d, scores[k], scale);
    rc = survey_store_agg_add(s, no, c->round, role, (int)k, &d, err);
    out->answers++;
  }
  free(scores);
  if (!rc) rc = survey_store_round_add_respondents(s, no, c->round, -1, err);
  if (rc) return rc;
  char hex[2 * SURVEY_HASH_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, hash, SURVEY_HASH_BYTES);
  out->respondent = trin_arena_strdup(a, hex);
  out->role = (char *)survey_role_name(role);
  out->responses = 1;
  return TRIN_OK;
}

int survey_correct_run(trin_request_t *req, const uint8_t key[SURVEY_KEY_BYTES],
                       const survey_correction_t *c, trin_arena_t *a,
                       Trin__Survey__Removal *out, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  trin__survey__removal__init(out);
  survey_survey_msg_t sv;
  int64_t no;
  int rc = trin_id_check(c->survey_id, "survey_id", err);
  if (!rc) rc = reason_check(c->reason, err);
  if (!rc && c->respondent && !*c->respondent)
    rc = trin_err_set(err, TRIN_EINVALID, "respondent", "is required");
  if (!rc) rc = survey_store_survey_get(s, c->survey_id, "survey_id", a, &sv, &no, err);
  if (rc) return rc;
  if (!has_round(&sv, c->round))
    return trin_err_set(err, TRIN_ENOTFOUND, "round", "survey '%s' has no round %d", sv.id,
                        c->round);
  if (c->respondent) {
    rc = remove_one(s, key, &sv, no, c, a, out, err);
  } else {
    rc = survey_store_round_clear(s, no, c->round, &out->responses, &out->answers, err);
    if (!rc && out->responses == 0)
      rc = trin_err_set(err, TRIN_ECONFLICT, "round",
                        "round %d of survey '%s' has no answers to remove", c->round, sv.id);
  }
  if (rc) return rc;

  /* Reload: the round's respondent count changed. */
  if ((rc = survey_store_survey_get(s, c->survey_id, "survey_id", a, &sv, &no, err))) return rc;
  const trin_caller_t *who = trin_request_caller(req);
  const char *org = who && *who->org ? who->org : "local";
  char when[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), when);
  out->survey_id = sv.id;
  out->project_id = sv.project_id;
  out->round = c->round;
  out->respondents_left = respondents_of(&sv, c->round);
  out->reason = (char *)c->reason;
  out->removed_by = who && *who->person ? trin_arena_printf(a, "%s/%s", org, who->person)
                                        : trin_arena_strdup(a, org);
  out->removed_at = trin_arena_strdup(a, when);
  if (a->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  trin_event_id_t ids[3];
  size_t nids = survey_event_ids(&sv, ids);
  rc = trin_request_emit(req, c->respondent ? "survey.response_removed" : "survey.round_cleared",
                         sv.client_org, ids, nids, &out->base, &out->seq, err);
  /* From round 1, not from the corrected round: answers removed from a
   * round that had cleared an earlier round's alert leave that alert
   * standing again. */
  if (!rc) rc = survey_alerts_refresh(req, &sv, no, 1, NULL, err);
  if (!rc) rc = survey_results_emit(req, &sv, no, c->round, NULL, err);
  /* The round emptied: the newest round that still has answers speaks for
   * the survey again (RoundResults.latest_answered_round). */
  int32_t back = survey_results_latest_answered(&sv);
  if (!rc && out->respondents_left == 0 && back > 0 && back < c->round)
    rc = survey_results_emit(req, &sv, no, back, NULL, err);
  return rc;
}
