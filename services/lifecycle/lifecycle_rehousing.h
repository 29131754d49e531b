/* lifecycle_rehousing — rehousing (genhusning) and moving back as plain
 * data and pure functions (issue 20, item 4; seed 000: LIVA's first
 * renovations without rehousing and the first moves back). A project has a
 * plan — how many households must move out while it is renovated, or that
 * it is renovated without rehousing — and dated movements: households
 * rehoused temporarily (they are to move back), rehoused permanently, or
 * moved back. The handlers load the plan and the movements, ask these
 * functions, then write. */
#ifndef TRIN_LIFECYCLE_REHOUSING_H
#define TRIN_LIFECYCLE_REHOUSING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_date.h"
#include "trin_err.h"

/* More households than any housing department has: a count above it is a
 * typing mistake, and sums of counts stay far inside int32. */
#define LIFECYCLE_REHOUSING_MAX_HOUSEHOLDS 100000

typedef enum {
  LIFECYCLE_MOVE_TEMPORARY = 0, /* midlertidig genhusning: to move back */
  LIFECYCLE_MOVE_PERMANENT,     /* permanent genhusning: not coming back */
  LIFECYCLE_MOVE_MOVED_BACK,    /* tilbageflytning */
  LIFECYCLE_MOVE_KIND_COUNT
} lifecycle_move_kind_t;

/* "temporary", "permanent", "moved_back", NULL. */
extern const char *const lifecycle_move_kind_words[];
/* -1 (err filled, naming field) for other text. */
int lifecycle_move_kind_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_move_kind_name(int kind);

typedef struct {
  lifecycle_move_kind_t kind;
  int32_t households;
  trin_date_t date;
} lifecycle_move_t;

typedef struct {
  bool planned; /* a plan was recorded */
  bool without_rehousing;
  int32_t households_to_rehouse;
} lifecycle_rehousing_plan_t;

/* What the movements add up to. Dates are TRIN_DATE_NONE when no such
 * movement was recorded. */
typedef struct {
  int32_t temporary, permanent, moved_back;
  trin_date_t first_rehoused_on, last_moved_back_on;
} lifecycle_rehousing_sums_t;

void lifecycle_rehousing_sum(const lifecycle_move_t *moves, size_t n,
                             lifecycle_rehousing_sums_t *out);

/* A new plan (plan->planned ignored) for a project with `dwellings`
 * (0 = not told) and the movements so far: households_to_rehouse 0 to
 * LIFECYCLE_REHOUSING_MAX_HOUSEHOLDS and at most dwellings; 0 without
 * rehousing; without rehousing refused once households were rehoused; not
 * fewer households to rehouse than were rehoused already. */
int lifecycle_rehousing_check_plan(const lifecycle_rehousing_plan_t *plan, int32_t dwellings,
                                   const lifecycle_rehousing_sums_t *sums, trin_err_t *err);

/* A new movement m against the plan, the project's start date and the
 * movements so far (moves, any order). Fields are named as in
 * RecordRehousingMove: "move.households", "move.date", "move.note", ...
 * beyond_plan lets the households rehoused exceed the plan; has_note says
 * whether the movement carries a note (beyond_plan needs one). Moving back
 * is checked at every date from m's on: at no date may more households
 * have moved back than were rehoused temporarily by then. */
int lifecycle_rehousing_check_move(const lifecycle_rehousing_plan_t *plan,
                                   trin_date_t project_start, const lifecycle_move_t *moves,
                                   size_t n, const lifecycle_move_t *m, bool beyond_plan,
                                   bool has_note, trin_err_t *err);

#endif
