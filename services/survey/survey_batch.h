/* survey_batch — an import's responses on their way to the store. On a
 * server store they are held in batches of SURVEY_STORE_BATCH and added
 * with one statement each (a round trip, not one per response, nor three
 * for a respondent of an earlier import); a respondent the import has
 * seen before goes to the store at once, alone, so a repeat is found at
 * its own line. On SQLite, where a statement is a function call, each goes
 * at once, one by one.
 *
 * Ownership: the batch copies what survey_batch_put gives it; the options'
 * store and data stay the caller's and outlive the batch. */
#ifndef SURVEY_BATCH_H
#define SURVEY_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "survey_store.h"
#include "trin_err.h"
#include "trin_store.h"

typedef struct survey_batch survey_batch_t;

/* What became of one response: ADDED, UNCHANGED or REPLACED (then with
 * what was recorded before: old_role and old_scores, nscores bytes). A
 * non-zero return stops the import with that error. */
typedef int (*survey_batch_outcome_fn)(void *data, int role, const uint8_t *scores,
                                       survey_put_t outcome, int old_role,
                                       const uint8_t *old_scores, trin_err_t *err);

typedef struct {
  trin_store_t *store;
  int64_t no; /* the survey's number */
  int round;
  int64_t import_no;
  size_t nscores;
  survey_batch_outcome_fn outcome;
  void *data;
} survey_batch_options_t;

int survey_batch_new(const survey_batch_options_t *o, survey_batch_t **out, trin_err_t *err);
void survey_batch_destroy(survey_batch_t **b);

/* Takes one response (scores: nscores bytes; comment "" for none). Its
 * outcome comes now or at a later put or flush. *repeated: the respondent
 * was already written by this import; nothing was recorded, and the
 * caller refuses the row. */
int survey_batch_put(survey_batch_t *b, const uint8_t hash[SURVEY_HASH_BYTES], int role,
                     const uint8_t *scores, const char *comment, bool *repeated,
                     trin_err_t *err);
/* Stores what is held; every outcome has come when it returns. */
int survey_batch_flush(survey_batch_t *b, trin_err_t *err);

#endif
