/* lifecycle_ab18 — the AB18 deadlines a project owes after its handover
 * (issue 20, item 6), as pure functions on dates: the 8 weeks after an
 * umpire's decision (§ 68), a defect's rule and 5-year limit (§ 48 at
 * handover, § 49 after it), and the 1- and 5-year inspections (1- og 5-års
 * eftersyn). No store, no sockets: lifecycle_store fills the dates, these
 * functions say what follows from them. Formulas in docs/lifecycle.md,
 * "AB18 deadlines". */
#ifndef TRIN_LIFECYCLE_AB18_H
#define TRIN_LIFECYCLE_AB18_H

#include <stdbool.h>

#include "trin_date.h"
#include "trin_err.h"

/* The dispute ladder's umpire level (opmand, AB18 § 68). */
#define LIFECYCLE_AB18_UMPIRE_LEVEL 6
/* 8 weeks: an umpire's quick decision is binding unless taken to
 * arbitration within them. */
#define LIFECYCLE_AB18_ARBITRATION_DAYS 56
/* § 49: defects can be claimed up to 5 years after handover. */
#define LIFECYCLE_AB18_REMEDY_YEARS 5

/* A dispute's arbitration deadline: level_since + 56 days while it is open
 * at the umpire level; TRIN_DATE_NONE otherwise (other levels, resolved,
 * level_since unknown). */
trin_date_t lifecycle_ab18_arbitration_deadline(int level, bool resolved,
                                                trin_date_t level_since);

/* The AB18 rule a defect falls under by where it was found (found_at's
 * text): 48 for "handover", 49 for anything later. */
int lifecycle_ab18_defect_section(const char *found_at);
/* The last day a defect can be claimed: handover + 5 years (29 February
 * gives 28 February); TRIN_DATE_NONE without a handover. */
trin_date_t lifecycle_ab18_claim_limit(trin_date_t handover);
/* A § 49 defect (found after handover) reported after its claim limit; the
 * limit's day itself is in time. False without a handover or a report
 * date, and for § 48 defects (no such limit). */
bool lifecycle_ab18_after_claim_limit(const char *found_at, trin_date_t handover,
                                      trin_date_t reported_on);

/* The two inspections, as HoldInspection names them ("1y", "5y"). */
typedef enum { LIFECYCLE_INSPECTION_1Y = 0, LIFECYCLE_INSPECTION_5Y, LIFECYCLE_INSPECTION_COUNT }
    lifecycle_inspection_t;
extern const char *const lifecycle_inspection_words[]; /* "1y", "5y", NULL */
/* -1 (err naming field) for anything but "1y" and "5y". */
int lifecycle_inspection_parse(const char *text, const char *field, trin_err_t *err);
/* handover + 1 or + 5 years; TRIN_DATE_NONE without a handover. */
trin_date_t lifecycle_inspection_due(lifecycle_inspection_t which, trin_date_t handover);

/* May the inspection be recorded as held on `date`? ECONFLICT (field
 * "project_id") before the project has a handover date; ECONFLICT (field
 * "inspection") when it was already recorded (held != NONE); EINVALID
 * (field "date") when date is before the handover. */
int lifecycle_inspection_check_hold(lifecycle_inspection_t which, trin_date_t handover,
                                    trin_date_t held, trin_date_t date, trin_err_t *err);

/* What the next deadline is. */
typedef enum {
  LIFECYCLE_DEADLINE_NONE = 0,
  LIFECYCLE_DEADLINE_INSPECTION_1Y,
  LIFECYCLE_DEADLINE_INSPECTION_5Y,
  LIFECYCLE_DEADLINE_ARBITRATION,
  LIFECYCLE_DEADLINE_DEFECT,
} lifecycle_deadline_kind_t;
/* "", "inspection_1y", "inspection_5y", "arbitration", "defect". */
const char *lifecycle_deadline_kind_name(lifecycle_deadline_kind_t k);

/* A project's dates as the store knows them; TRIN_DATE_NONE = none. */
typedef struct {
  trin_date_t handover;             /* the actual handover */
  trin_date_t inspection_1y_held, inspection_5y_held;
  trin_date_t umpire_since;         /* earliest level_since of open level-6 disputes */
  trin_date_t defect_due;           /* earliest due date of the open defects */
} lifecycle_ab18_facts_t;

typedef struct {
  trin_date_t inspection_1y_due, inspection_5y_due;
  trin_date_t arbitration_deadline;
  trin_date_t next_deadline;        /* earliest of what is still owed */
  lifecycle_deadline_kind_t next_kind;
} lifecycle_ab18_deadlines_t;

/* The project's deadlines. next_deadline is the earliest of: an inspection
 * not held, the arbitration deadline, the earliest open defect's due date;
 * on a tie the order above wins (inspections first). It does not depend on
 * today: a passed date stays the next deadline until it is met. */
void lifecycle_ab18_deadlines(const lifecycle_ab18_facts_t *f, lifecycle_ab18_deadlines_t *out);

#endif
