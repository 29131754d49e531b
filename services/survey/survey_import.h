/* survey_import — recording a round's responses, all or nothing, from a
 * survey tool's CSV export or from Response messages (the request's list or
 * the JSON webhook), and the events that follow: results_changed for the
 * round and alert_raised / alert_cleared wherever alerts appeared or went
 * away. Runs inside the caller's transaction (a request handler or
 * trin_server_apply), so a refused row leaves nothing behind.
 *
 * Idempotence: a respondent is (survey, round, keyed hash of the tool's
 * id). Re-sending the same answers changes nothing and emits nothing; new
 * answers from the same respondent replace the old ones in the responses
 * and in the running aggregates (old taken out, new put in). */
#ifndef TRIN_SURVEY_IMPORT_H
#define TRIN_SURVEY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "survey_store.h"
#include "trin/survey.pb-c.h"
#include "trin_server.h"

#define SURVEY_KEY_BYTES 32

/* The respondent's pseudonym: the first 16 bytes of
 * HMAC-SHA-256(key, survey_id || 0x00 || respondent). */
void survey_respondent_hash(const uint8_t key[SURVEY_KEY_BYTES], const char *survey_id,
                            const char *respondent, uint8_t out[SURVEY_HASH_BYTES]);

/* Reads the key file, or makes one (32 random bytes, mode 0600) when it does
 * not exist, setting *created. A key file readable by group or others is
 * refused. */
int survey_key_load(const char *path, uint8_t key[SURVEY_KEY_BYTES], int *created,
                    trin_err_t *err);

typedef struct {
  const char *survey_id;
  int32_t round;
  const char *csv;        /* a CSV export (may be NULL) ... */
  size_t csv_len;
  const char *encoding;   /* of csv: "" / "utf-8" or "windows-1252" (may be NULL) */
  Trin__Survey__Response *const *responses; /* ... or these */
  size_t n_responses;
  /* Field prefix for errors in `responses` ("responses" for requests,
   * "responses" in the webhook's JSON too). */
  /* Issue 20, item 7: csv is an export as it comes, read through the
   * survey's saved mapping (survey_mapping.h): question texts as headers,
   * answer words as cells, columns it does not name ignored; a refused cell
   * names its line, column and header ("line 4, column 7 (Vi har tillid
   * ...): ..."). */
  bool mapped;
} survey_import_input_t;

/* Validates, records, updates aggregates, re-evaluates alerts and emits.
 * Fills reply (seq = the results_changed event or 0). */
int survey_import_run(trin_request_t *req, const uint8_t key[SURVEY_KEY_BYTES],
                      const survey_import_input_t *in, Trin__Survey__ImportReply *reply,
                      trin_err_t *err);

/* Re-evaluates the alerts of rounds >= from_round of a survey (after its
 * thresholds or baseline changed, or an import), writing the standing set
 * and emitting survey.alert_raised / survey.alert_cleared. *raised counts
 * the new ones (may be NULL). */
int survey_alerts_refresh(trin_request_t *req, const survey_survey_msg_t *sv, int64_t no,
                          int from_round, int32_t *raised, trin_err_t *err);

/* Emits survey.results_changed with the round's (anonymity-filtered)
 * figures and standing alerts; *seq (may be NULL) is the event's. */
int survey_results_emit(trin_request_t *req, const survey_survey_msg_t *sv, int64_t no,
                        int round, uint64_t *seq, trin_err_t *err);

/* Loads the cube of rounds 1..nrounds (malloc'd; free it). */
int survey_cube_load(trin_store_t *s, int64_t no, const survey_survey_msg_t *sv, int nrounds,
                     survey_agg_t **cube, trin_err_t *err);

/* The event ids of a survey's events. Returns how many (<= 3). */
size_t survey_event_ids(const survey_survey_msg_t *sv, trin_event_id_t ids[3]);

#endif
