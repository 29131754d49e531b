/* test_survey_common — what the survey integration tests share: starting
 * lifecycle + survey processes wired together, short survey calls, CSV
 * building, and reading the survey's event log. */
#ifndef TRIN_TEST_SURVEY_COMMON_H
#define TRIN_TEST_SURVEY_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testproc.h"
#include "trin/survey.pb-c.h"
#include "trin_client.h"

typedef struct {
  testproc_t lc, sv;
  trin_client_t *lcc, *svc;
  char lc_ep_arg[400], lc_pub_arg[400];
} survey_env_t;

/* Starts lifecycle, then survey subscribed to it; extra args go to survey. */
bool survey_env_start(survey_env_t *e, const char *name, const char *const *extra);
/* Restarts the survey process only (same folder, store and key). */
bool survey_env_restart_survey(survey_env_t *e, const char *const *extra);
/* SIGTERM both; true when both exited 0. Removes the folders. */
bool survey_env_stop(survey_env_t *e);
/* Starts `bin`, an aggregator following e's lifecycle and survey (budget and
 * benchmark off), on an HTTP port of its own with feed token `token`, in agg
 * (testproc_init'ed by the caller). Its HTTP port, or 0 when it did not
 * start or named no port. */
int survey_env_start_aggregator(survey_env_t *e, testproc_t *agg, const char *bin,
                                const char *token);

/* Waits (up to 10 s) until the survey service knows project id, by
 * creating the survey; returns the status of the last try. */
int sv_create_when_known(trin_client_t *c, Trin__Survey__Survey *sv, trin_err_t *err);
int sv_create(trin_client_t *c, Trin__Survey__Survey *sv, trin_err_t *err);
int sv_add_round(trin_client_t *c, const char *survey, int number, const char *opens,
                 const char *closes, trin_err_t *err);
/* reply may be NULL. */
int sv_import_csv(trin_client_t *c, const char *survey, int round, const char *csv,
                  size_t len, Trin__Survey__ImportReply **reply, trin_err_t *err);
int sv_results(trin_client_t *c, const char *survey, int round,
               Trin__Survey__RoundResults **out, trin_err_t *err);
uint64_t sv_last_seq(trin_client_t *c);
/* Counts events of `type` after `after` in the survey's log; *last (may be
 * NULL) receives the newest matching event's packed payload, malloc'd. */
int sv_count_events(trin_client_t *c, uint64_t after, const char *type, uint8_t **last,
                    size_t *last_len);
/* The figure for (statement, role), or NULL. */
const Trin__Survey__Figures *sv_figure(const Trin__Survey__RoundResults *r,
                                       const char *statement, const char *role);

/* A growing text buffer for CSV files. */
typedef struct {
  char *data;
  size_t len, cap;
} sbuf_t;
void sbuf_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(sbuf_t *b);

#endif
