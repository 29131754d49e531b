/* survey_correct — corrections (issue 19): removing one respondent's
 * answers from a round, or every answer of a wrongly imported round, with
 * the reason and who removed them. The rows go; the event
 * (survey.response_removed / survey.round_cleared) keeps what went —
 * respondent pseudonym, role, counts — never the scores themselves. After
 * the removal the alerts and the round's results are re-evaluated and
 * emitted exactly as after an import (survey_import's path). Runs inside
 * the caller's transaction. */
#ifndef TRIN_SURVEY_CORRECT_H
#define TRIN_SURVEY_CORRECT_H

#include <stdint.h>

#include "survey_import.h"
#include "trin/survey.pb-c.h"
#include "trin_arena.h"
#include "trin_server.h"

typedef struct {
  const char *survey_id;
  int32_t round;
  const char *respondent; /* the survey tool's id; NULL = the whole round */
  const char *reason;
} survey_correction_t;

/* Removes, re-evaluates, emits. Fills out (its strings in a; seq = the
 * response_removed / round_cleared event). Refusals name the field:
 * reason (empty, too long), round (no such round; CONFLICT when a round to
 * clear has no answers), respondent (not in the round). */
int survey_correct_run(trin_request_t *req, const uint8_t key[SURVEY_KEY_BYTES],
                       const survey_correction_t *c, trin_arena_t *a,
                       Trin__Survey__Removal *out, trin_err_t *err);

#endif
