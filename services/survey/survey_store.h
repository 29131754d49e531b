/* survey_store — the survey service's tables and every read and write of
 * them. Reads fill protobuf messages whose strings and arrays live in the
 * caller's arena; writes run inside the caller's transaction.
 *
 * Layout, chosen for the two hot paths:
 *  - responses: one row per respondent and round, keyed (survey, round,
 *    16-byte keyed hash of the respondent) WITHOUT ROWID, the scores packed
 *    one byte per statement — so a 1,000,000-response import is 1,000,000
 *    index inserts, not 10,000,000;
 *  - aggregates: one row per (survey, round, role, statement) with count,
 *    sum and per-score counts, updated in the import's transaction — so the
 *    results of a round read a few dozen rows whatever the number of
 *    answers, and never rescan responses. */
#ifndef TRIN_SURVEY_STORE_H
#define TRIN_SURVEY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "survey_rules.h"
#include "trin/survey.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Survey__Survey survey_survey_msg_t;
typedef Trin__Survey__Round survey_round_msg_t;
typedef Trin__Survey__Statement survey_statement_msg_t;

#define SURVEY_HASH_BYTES 16

int survey_store_migrate(trin_store_t *s, trin_err_t *err);
/* The service's own tables at schema `version` only, nothing newer: a store
 * as an older release left it (tests of the migrations). */
int survey_store_migrate_to(trin_store_t *s, int version, trin_err_t *err);

/* ---- projects (from lifecycle events) --------------------------------------- */

typedef struct {
  char id[65], partnership_id[65], client_org[65];
} survey_project_t;

int survey_store_project_upsert(trin_store_t *s, const char *id, const char *partnership_id,
                                const char *client_org, trin_err_t *err);
/* TRIN_ENOTFOUND naming field when the lifecycle service never announced it. */
int survey_store_project_get(trin_store_t *s, const char *id, const char *field,
                             survey_project_t *out, trin_err_t *err);

/* ---- surveys ------------------------------------------------------------------ */

/* Inserts the survey with its statements (rounds are added one by one). */
int survey_store_survey_insert(trin_store_t *s, const survey_survey_msg_t *sv, trin_err_t *err);
/* Fills everything, rounds with their respondent counts, the project's
 * partnership and client. *no (may be NULL) is the survey's internal number. */
int survey_store_survey_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, survey_survey_msg_t *out, int64_t *no,
                            trin_err_t *err);
/* Filters: NULL or "" = any. By survey id; whoever may read them. */
typedef struct {
  const char *project_id, *partnership_id, *client_org;
} survey_list_filter_t;
int survey_store_survey_list(trin_store_t *s, const survey_list_filter_t *f, trin_arena_t *a,
                             survey_survey_msg_t ***out, size_t *n, trin_err_t *err);
int survey_store_round_insert(trin_store_t *s, int64_t no, const survey_round_msg_t *r,
                              trin_err_t *err);
int survey_store_set_baseline(trin_store_t *s, int64_t no, const int32_t *rounds,
                              size_t n, trin_err_t *err);
int survey_store_set_thresholds(trin_store_t *s, int64_t no, const survey_thresholds_t *t,
                                int32_t min_respondents, trin_err_t *err);
/* Ids of the surveys having a common statement `key`, with their project's
 * partnership; client_org "" = any client. */
int survey_store_surveys_with_common(trin_store_t *s, const char *key,
                                     const char *client_org, trin_arena_t *a,
                                     char ***ids, size_t *n, trin_err_t *err);

/* ---- responses ------------------------------------------------------------------ */

/* The import's number within the survey (1, 2, ...): marks the rows it
 * writes so the same respondent twice in one import is caught. */
int survey_store_next_import(trin_store_t *s, int64_t no, int64_t *import_no,
                             trin_err_t *err);

typedef enum {
  SURVEY_PUT_ADDED,
  SURVEY_PUT_UNCHANGED,
  SURVEY_PUT_REPLACED,
  SURVEY_PUT_DUPLICATE, /* already written by this same import */
} survey_put_t;

/* A response of an import on its way to the store (survey_store_responses_add);
 * the pointers are the caller's and outlive the call. */
typedef struct {
  uint8_t hash[SURVEY_HASH_BYTES];
  int role;
  const uint8_t *scores; /* nscores bytes */
  const char *comment;   /* "" or NULL: none */
} survey_new_response_t;

/* Responses one survey_store_responses_add takes. */
#define SURVEY_STORE_BATCH 512

/* Adds SURVEY_STORE_BATCH responses (distinct respondents) to round `round`
 * of survey no in one statement, as survey_store_response_put would one by
 * one when they are new: added[i] tells which were. The others, whose
 * respondent already answered the round, are not touched: the caller puts
 * them with survey_store_response_put. One round trip to a server store,
 * not one per response (docs/postgresql.md). */
int survey_store_responses_add(trin_store_t *s, int64_t no, int round, int64_t import_no,
                               const survey_new_response_t *rows, size_t nscores, bool *added,
                               trin_err_t *err);

/* For the rows of a batch that survey_store_responses_add did not add
 * (skip[i] false): found[i] when the respondent has a response in the
 * round; then outcome[i] is UNCHANGED or REPLACED (old_role[i] and the
 * nscores bytes at old_scores + i * nscores hold what it was), and the
 * response now holds the row's answers, or DUPLICATE when this import
 * wrote it already (nothing changed). Two round trips to a server store
 * for the batch, not three per row. */
int survey_store_responses_known(trin_store_t *s, int64_t no, int round, int64_t import_no,
                                 const survey_new_response_t *rows, const bool *skip,
                                 size_t n, size_t nscores, survey_put_t *outcome,
                                 int *old_role, uint8_t *old_scores, bool *found,
                                 trin_err_t *err);

/* Records one response. scores holds nscores bytes (SURVEY_NO_ANSWER for a
 * statement not answered). On REPLACED, *old_role and old_scores (nscores
 * bytes) receive what was recorded before, so the caller can take it out of
 * the aggregates. */
int survey_store_response_put(trin_store_t *s, int64_t no, int round,
                              const uint8_t hash[SURVEY_HASH_BYTES], int role,
                              const uint8_t *scores, size_t nscores, const char *comment,
                              int64_t import_no, survey_put_t *outcome, int *old_role,
                              uint8_t *old_scores, trin_err_t *err);
int survey_store_round_add_respondents(trin_store_t *s, int64_t no, int round,
                                       int64_t added, trin_err_t *err);

/* Corrections (RemoveResponse, ClearRound). Removes one respondent's row
 * from the round; *found false when the round has none. On success *role
 * and scores (nscores bytes, SURVEY_NO_ANSWER where not answered) receive
 * what was recorded, so the caller can take it out of the aggregates. */
int survey_store_response_remove(trin_store_t *s, int64_t no, int round,
                                 const uint8_t hash[SURVEY_HASH_BYTES], size_t nscores,
                                 bool *found, int *role, uint8_t *scores, trin_err_t *err);
/* Removes every response of the round with its aggregates and sets its
 * respondent count to 0; *responses and *answers (scores) say how many
 * went. */
int survey_store_round_clear(trin_store_t *s, int64_t no, int round, int32_t *responses,
                             int32_t *answers, trin_err_t *err);

/* ---- aggregates ----------------------------------------------------------------- */

/* Adds delta to the stored aggregate of (round, role, statement). */
int survey_store_agg_add(trin_store_t *s, int64_t no, int round, int role, int stmt,
                         const survey_agg_t *delta, trin_err_t *err);
/* Fills cube[((round-1) * SURVEY_NROLES + role) * nstmt + stmt] for rounds
 * 1..nrounds (the cube is zeroed first). */
int survey_store_agg_load(trin_store_t *s, int64_t no, int nrounds, size_t nstmt,
                          survey_agg_t *cube, trin_err_t *err);

/* ---- standing alerts ------------------------------------------------------------- */

typedef struct {
  int round, group, stmt, kind;
  int32_t mean_x100, reference_x100, threshold_x100;
} survey_alert_row_t;

/* Alerts standing for rounds >= from_round, malloc'd (*out freed by caller). */
int survey_store_alerts_load(trin_store_t *s, int64_t no, int from_round,
                             survey_alert_row_t **out, size_t *n, trin_err_t *err);
int survey_store_alert_put(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                           trin_err_t *err);
int survey_store_alert_delete(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                              trin_err_t *err);

/* ---- alert log: every alert ever raised, with its acknowledgement and clearing ---------- */

typedef struct {
  survey_alert_row_t a;     /* as raised */
  char *raised_at;          /* arena-owned texts; "" when unknown */
  int cleared_round;        /* -1 standing, 0 its own round changed, else the later round */
  char *cleared_at, *ack_by, *ack_at, *ack_note;
} survey_alert_log_t;

/* Starts (or restarts) the alert's life at `at` (ISO 8601). */
int survey_store_alert_log_raised(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                                  const char *at, trin_err_t *err);
int survey_store_alert_log_cleared(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                                   int by_round, const char *at, trin_err_t *err);
int survey_store_alert_log_ack(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                               const char *by, const char *at, const char *note,
                               trin_err_t *err);
/* The survey's whole log in (round, stmt, group, kind) order; *out malloc'd,
 * its texts in ar. */
int survey_store_alert_log_load(trin_store_t *s, int64_t no, trin_arena_t *ar,
                                survey_alert_log_t **out, size_t *n, trin_err_t *err);

/* ---- import mappings (issue 20, item 7) ------------------------------------------ */

/* Saves (replaces) survey no's mapping: the packed trin.survey.ImportMapping
 * (len bytes, copied), who set it ("org" or "org/person") and when. */
int survey_store_mapping_put(trin_store_t *s, int64_t no, const void *mapping, size_t len,
                             const char *set_by, const char *set_at, trin_err_t *err);
typedef struct {
  bool found;                 /* false: the survey has no mapping (the rest empty) */
  const uint8_t *mapping;     /* packed, in the arena */
  size_t len;
  const char *set_by, *set_at;
} survey_mapping_row_t;
int survey_store_mapping_get(trin_store_t *s, int64_t no, trin_arena_t *a,
                             survey_mapping_row_t *out, trin_err_t *err);

#endif
