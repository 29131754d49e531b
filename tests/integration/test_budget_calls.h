/* test_budget_calls — short calls into the budget service for the budget
 * integration tests and benchmark: each returns the status and fills err;
 * replies asked for (out) are the caller's to trin_codec_free. */
#ifndef TRIN_TEST_BUDGET_CALLS_H
#define TRIN_TEST_BUDGET_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin_client.h"

typedef struct {
  const char *id, *category, *building_part;
  int64_t amount_ore, molio_reference_ore;
} bg_line_spec_t;

uint64_t bg_last_seq(trin_client_t *c);
/* Waits (up to timeout_ms) until the budget service knows the project. */
bool bg_wait_project(trin_client_t *c, const char *project_id, int timeout_ms);
int bg_model(trin_client_t *c, const char *partnership, int32_t deduction_bp, trin_err_t *err);
/* The same model drifting on index `series` (NULL: the default, BYG43). */
int bg_model_series(trin_client_t *c, const char *partnership, int32_t deduction_bp,
                    const char *series, trin_err_t *err);
int bg_budget(trin_client_t *c, const char *id, const char *project, const char *kind,
              const char *date, const bg_line_spec_t *lines, int n, trin_err_t *err);
int bg_line(trin_client_t *c, const char *budget, const bg_line_spec_t *l, trin_err_t *err);
int bg_submit(trin_client_t *c, const char *budget, const char *date, trin_err_t *err);
int bg_approve(trin_client_t *c, const char *budget, const char *date, trin_err_t *err);
/* Corrections: back to draft with a reason (WithdrawBudget, ReopenBudget). */
int bg_withdraw(trin_client_t *c, const char *budget, const char *reason, trin_err_t *err);
int bg_reopen(trin_client_t *c, const char *budget, const char *reason, trin_err_t *err);
/* The budget service's last event (EventsSince), *be its payload when it is
 * a BudgetEvent (else NULL); both the caller's to trin_codec_free. */
int bg_last_event(trin_client_t *c, Trin__Event **ev, Trin__Budget__BudgetEvent **be,
                  trin_err_t *err);
int bg_index_csv(trin_client_t *c, const char *series, const char *csv, trin_err_t *err);
/* The same for a file's bytes as they are (NUL bytes included). */
int bg_index_csv_bytes(trin_client_t *c, const char *series, const void *csv, size_t len,
                       trin_err_t *err);
/* One index point by command (AddIndexPoints); *seq (may be NULL) gets the
 * reply's seq, the last event the change produced. */
int bg_index_point(trin_client_t *c, const char *series, const char *date, int64_t value_x100,
                   uint64_t *seq, trin_err_t *err);
int bg_scope(trin_client_t *c, const char *id, const char *project, int64_t amount_ore,
             const char *date, trin_err_t *err);
int bg_option(trin_client_t *c, const char *id, const char *project, int64_t saving_ore,
              const char *date, trin_err_t *err);
int bg_decide(trin_client_t *c, const char *id, const char *status, const char *date,
              trin_err_t *err);
int bg_cost(trin_client_t *c, const char *id, const char *project, const char *category,
            const char *date, int64_t amount_ore, trin_err_t *err);
int bg_get_budget(trin_client_t *c, const char *id, Trin__Budget__BudgetReply **out,
                  trin_err_t *err);
int bg_economy(trin_client_t *c, const char *project, Trin__Budget__ProjectEconomyReply **out,
               trin_err_t *err);
int bg_drift(trin_client_t *c, const char *project, Trin__Budget__Drift **out, trin_err_t *err);

#endif
