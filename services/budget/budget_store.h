/* budget_store — the budget service's tables and every read and write of
 * them. Reads of single entities fill protobuf messages whose strings and
 * arrays live in the caller's arena; the economy of a project is read into
 * plain structs for the rules (budget_economy_t). Writes run inside the
 * caller's transaction. */
#ifndef TRIN_BUDGET_STORE_H
#define TRIN_BUDGET_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "budget_rules.h"
#include "trin/budget.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Budget__EconomicModel budget_model_msg_t;
typedef Trin__Budget__Budget budget_budget_msg_t;
typedef Trin__Budget__BudgetLine budget_line_msg_t;
typedef Trin__Budget__IndexPoint budget_point_msg_t;
typedef Trin__Budget__ScopeChange budget_scope_msg_t;
typedef Trin__Budget__OptimisationOption budget_option_msg_t;
typedef Trin__Budget__ActualCost budget_cost_msg_t;
typedef Trin__Budget__RentParameters budget_rent_msg_t;

#define BUDGET_DEFAULT_SERIES "BYG43"

int budget_store_migrate(trin_store_t *s, trin_err_t *err);
/* The service's own tables at schema `version` only, nothing newer: a store
 * as an older release left it (tests of the migrations). */
int budget_store_migrate_to(trin_store_t *s, int version, trin_err_t *err);

/* ---- what lifecycle announced ---------------------------------------------- */

typedef struct {
  char id[65], client_org[65], price_closing_point[32];
  trin_date_t framework_end;
} budget_partnership_t;

typedef struct {
  char id[65], partnership_id[65], client_org[65], stage[32];
  /* The day lifecycle says the price was closed (its ClosePrice, or its
   * answer to budget.price_closed); "" while open. Once known it is kept:
   * an upsert with "" does not reopen a price. */
  char price_closed_on[16];
} budget_project_t;

int budget_store_partnership_upsert(trin_store_t *s, const budget_partnership_t *p,
                                    trin_err_t *err);
int budget_store_project_upsert(trin_store_t *s, const budget_project_t *p, trin_err_t *err);
/* Records the day lifecycle closed the project's price (a replayed event);
 * no project, nothing to record. */
int budget_store_project_price_closed(trin_store_t *s, const char *id, const char *on,
                                      trin_err_t *err);
/* TRIN_ENOTFOUND naming field when lifecycle has not announced the id. */
int budget_store_partnership_get(trin_store_t *s, const char *id, const char *field,
                                 budget_partnership_t *out, trin_err_t *err);
int budget_store_project_get(trin_store_t *s, const char *id, const char *field,
                             budget_project_t *out, trin_err_t *err);

/* ---- economic model ------------------------------------------------------------ */

int budget_store_model_set(trin_store_t *s, const budget_model_msg_t *m, trin_err_t *err);
/* Fills m (rates in the arena); ENOTFOUND naming field when none is set. */
int budget_store_model_get(trin_store_t *s, const char *partnership_id, const char *field,
                           trin_arena_t *a, budget_model_msg_t *m, trin_err_t *err);
/* The model as the rules see it; *found false (and zeros, series BYG43)
 * when the partnership has none or id is "". */
int budget_store_model_load(trin_store_t *s, const char *partnership_id, budget_model_t *m,
                            char series[65], bool *found, trin_err_t *err);

/* ---- budgets ------------------------------------------------------------------------ */

/* Inserts the budget (status draft, total as given) and its lines. */
int budget_store_budget_insert(trin_store_t *s, const budget_budget_msg_t *b, trin_ore_t total_ore,
                               trin_err_t *err);
int budget_store_budget_get(trin_store_t *s, const char *id, const char *field,
                            bool with_lines, trin_arena_t *a, budget_budget_msg_t *out,
                            trin_err_t *err);
int budget_store_budget_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                             budget_budget_msg_t ***out, size_t *n, trin_err_t *err);
/* Budgets across projects (issue 19), without lines, ordered by project,
 * date, then insertion: every budget passing the filters, whoever may read
 * it; owners[i] (in the arena) is budget i's project, for the caller's
 * access check. */
typedef struct {
  const char *project_id, *partnership_id, *client_org, *status, *kind; /* NULL/"" = any */
} budget_list_filter_t;
int budget_store_budget_find(trin_store_t *s, const budget_list_filter_t *f, trin_arena_t *a,
                             budget_budget_msg_t ***out, budget_project_t **owners,
                             size_t *n, trin_err_t *err);
/* Every index series (issue 19): points, first and last date, last value;
 * by name. */
typedef Trin__Budget__IndexSeriesSummary budget_index_summary_msg_t;
int budget_store_index_list(trin_store_t *s, trin_arena_t *a, budget_index_summary_msg_t ***out,
                            size_t *n, trin_err_t *err);
/* The amount of line_id in budget_id; *found false when there is none. */
int budget_store_line_amount(trin_store_t *s, const char *budget_id, const char *line_id,
                             trin_ore_t *amount, bool *found, trin_err_t *err);
int budget_store_line_upsert(trin_store_t *s, const char *budget_id, const budget_line_msg_t *l,
                             trin_err_t *err);
int budget_store_line_delete(trin_store_t *s, const char *budget_id, const char *line_id,
                             trin_err_t *err);
int budget_store_budget_set_total(trin_store_t *s, const char *id, trin_ore_t total,
                                  trin_err_t *err);
/* status "submitted" sets submitted_on, "approved" approved_on. */
int budget_store_budget_set_status(trin_store_t *s, const char *id, const char *status,
                                   const char *date, trin_err_t *err);
/* Back to draft (a withdrawn or reopened budget): status "draft", the
 * submitted and approved days cleared. */
int budget_store_budget_to_draft(trin_store_t *s, const char *id, trin_err_t *err);
/* Counts the project's budgets of a kind with a status ("" = any). */
int budget_store_budget_count(trin_store_t *s, const char *project_id, const char *kind,
                              const char *status, int *n, trin_err_t *err);

/* ---- index series --------------------------------------------------------------------- */

/* The partnership's projects that have at least one budget: those whose
 * figures a change of the partnership's economic model can move. ids in
 * the arena, ordered. */
int budget_store_partnership_budgeted(trin_store_t *s, const char *partnership_id,
                                      trin_arena_t *a, char ***ids, size_t *n,
                                      trin_err_t *err);

int budget_store_index_upsert(trin_store_t *s, const char *series,
                              const budget_index_point_t *pts, size_t n, trin_err_t *err);
/* The series' points by date (malloc'd into *pts with capacity *cap, grown
 * as needed; the caller frees). */
int budget_store_index_load(trin_store_t *s, const char *series, budget_index_point_t **pts,
                            size_t *n, size_t *cap, trin_err_t *err);
/* The projects whose drift may read a point of `series` dated `from` or
 * later, by id, in one query (ids in the arena): those with an approved
 * Skema A and a Skema B whose partnership's model names the series (no
 * model, or no partnership: BYG43, as budget_store_model_load), and with
 * the approved A's or a B's date on or after `from` — a point dated after
 * both budgets is never the latest at or before either. A superset of the
 * projects whose figures such points change; the caller compares. */
int budget_store_index_dependents(trin_store_t *s, const char *series, trin_date_t from,
                                  trin_arena_t *a, char ***ids, size_t *n, trin_err_t *err);

/* ---- scope, options, costs, rent --------------------------------------------------------- */

int budget_store_scope_insert(trin_store_t *s, const budget_scope_msg_t *c, trin_err_t *err);
int budget_store_option_insert(trin_store_t *s, const budget_option_msg_t *o, trin_err_t *err);
int budget_store_option_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, budget_option_msg_t *out, trin_err_t *err);
int budget_store_option_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                             budget_option_msg_t ***out, size_t *n, trin_err_t *err);
int budget_store_option_decide(trin_store_t *s, const char *id, const char *status,
                               const char *by, const char *date, trin_err_t *err);
int budget_store_cost_insert(trin_store_t *s, const budget_cost_msg_t *c, trin_err_t *err);
int budget_store_rent_set(trin_store_t *s, const budget_rent_msg_t *r, trin_err_t *err);

/* Turnover: the partnership's actual costs summed by year, party and
 * whether dated on or before framework_end. Calls fn once per group. */
typedef void (*budget_turnover_fn)(void *data, int year, budget_party_t party, bool within,
                                   trin_ore_t amount);
int budget_store_turnover(trin_store_t *s, const char *partnership_id,
                          trin_date_t framework_end, budget_turnover_fn fn, void *data,
                          trin_err_t *err);

/* ---- a project's economy, for the rules ---------------------------------------------------- */

typedef struct {
  bool has;
  char id[65], status[16];
  trin_ore_t total_ore;
  trin_date_t date;
  char approved_on[TRIN_DATE_BUF];
} budget_version_t;

typedef struct {
  budget_project_t project;
  bool has_model;
  budget_model_t model;
  char series[65];
  char price_closing_point[32];
  /* Current versions: A approved only; B and C the approved one, else the
   * newest; forecast the newest. */
  budget_version_t a, b, c, forecast;
  /* The price budget (B, else A) and its lines, for MOLIO. */
  const budget_version_t *price;
  budget_line_t *lines;
  size_t nlines, lines_cap;
  budget_index_point_t *points;
  size_t npoints, points_cap;
  budget_change_t *scope, *savings;
  size_t nscope, nsavings, scope_cap, savings_cap;
  trin_ore_t costs_to_date_ore;
  bool has_rent;
  budget_rent_params_t rent;
} budget_economy_t;

/* Loads everything the figures of project_id need (ENOTFOUND naming field
 * for an unknown project). Buffers are reused between calls; free with
 * budget_economy_free. */
int budget_store_economy_load(trin_store_t *s, const char *project_id, const char *field,
                              budget_economy_t *e, trin_err_t *err);
void budget_economy_free(budget_economy_t *e);

#endif
