/* lifecycle_rules — the lifecycle domain as plain data and pure functions:
 * the stage state machine (fast track included), pauses, the framework term,
 * milestones, the dispute ladder and defects. No sockets, no store: the
 * handlers load state, ask these functions, then write. */
#ifndef TRIN_LIFECYCLE_RULES_H
#define TRIN_LIFECYCLE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "trin_date.h"
#include "trin_err.h"
#include "trin_money.h"

/* ---- names <-> enums ------------------------------------------------------
 * Every enum below has a stable lowercase text form used on the wire, in the
 * store and in trinctl. _parse returns -1 (and fills err naming `field`) for
 * unknown text; _name returns "" for out-of-range values. */

/* The text forms in enum order, each list ending with NULL — for clients
 * (trinctl) that check or list the words themselves. */
extern const char *const lifecycle_org_kind_words[];
extern const char *const lifecycle_price_point_words[];
extern const char *const lifecycle_abt_start_words[];
extern const char *const lifecycle_project_kind_words[];
extern const char *const lifecycle_stage_words[];
extern const char *const lifecycle_pause_reason_words[];
extern const char *const lifecycle_severity_words[];
extern const char *const lifecycle_found_at_words[];

typedef enum {
  LIFECYCLE_ORG_CLIENT = 0,        /* bygherre: housing company or municipality */
  LIFECYCLE_ORG_ADVISOR,           /* rådgiver: architect, engineer */
  LIFECYCLE_ORG_CONTRACTOR,        /* (total)entreprenør */
  LIFECYCLE_ORG_DEVELOPER,         /* partnership developer / facilitator */
  LIFECYCLE_ORG_RESIDENT_COMMITTEE,/* følgegruppe / afdelingsbestyrelse */
  LIFECYCLE_ORG_KIND_COUNT
} lifecycle_org_kind_t;
int lifecycle_org_kind_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_org_kind_name(int kind);

/* Where in trin 2 the partnership closes the price. */
typedef enum {
  LIFECYCLE_PRICE_AT_PROJEKTFORSLAG = 0,   /* &os */
  LIFECYCLE_PRICE_AT_MYNDIGHEDSPROJEKT,    /* LIVA */
  LIFECYCLE_PRICE_AT_UDBUDSPROJEKT,        /* fsbHJEM */
  LIFECYCLE_PRICE_POINT_COUNT
} lifecycle_price_point_t;
int lifecycle_price_point_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_price_point_name(int p);

/* When the total contract (ABT) takes effect. */
typedef enum {
  LIFECYCLE_ABT_AT_TRIN1 = 0, LIFECYCLE_ABT_AT_TRIN3, LIFECYCLE_ABT_COUNT
} lifecycle_abt_start_t;
int lifecycle_abt_start_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_abt_start_name(int a);

typedef enum {
  LIFECYCLE_KIND_HELHEDSPLAN = 0,  /* supported by Landsbyggefonden */
  LIFECYCLE_KIND_RENOVATION,       /* unsupported renovation */
  LIFECYCLE_KIND_NEW_BUILD,
  LIFECYCLE_KIND_MAINTENANCE,
  LIFECYCLE_PROJECT_KIND_COUNT
} lifecycle_project_kind_t;
int lifecycle_project_kind_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_project_kind_name(int k);

/* The stages, in order. LIFECYCLE_STAGE_TRIN1_2 is used by fast-track projects
 * only (trin 1 and trin 2 merged). */
typedef enum {
  LIFECYCLE_STAGE_PRE_STUDY = 0,   /* forundersøgelse */
  LIFECYCLE_STAGE_TRIN1,           /* programme, idea, disposition proposal */
  LIFECYCLE_STAGE_TRIN2,           /* design up to the price-closing point */
  LIFECYCLE_STAGE_TRIN1_2,         /* fast track: trin 1 and 2 as one */
  LIFECYCLE_STAGE_TRIN3,           /* execution under a fixed price (ABT) */
  LIFECYCLE_STAGE_HANDOVER,        /* aflevering */
  LIFECYCLE_STAGE_INSPECTION_1Y,   /* 1-årsgennemgang */
  LIFECYCLE_STAGE_INSPECTION_5Y,   /* 5-årsgennemgang */
  LIFECYCLE_STAGE_CLOSED,
  LIFECYCLE_STAGE_COUNT
} lifecycle_stage_t;
int lifecycle_stage_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_stage_name(int s);

typedef enum {
  LIFECYCLE_PAUSE_RESIDENT_DEMOCRACY = 0, /* beboerdemokrati */
  LIFECYCLE_PAUSE_AUTHORITY,              /* myndighedsbehandling */
  LIFECYCLE_PAUSE_LANDSBYGGEFONDEN,
  LIFECYCLE_PAUSE_FINANCING,
  LIFECYCLE_PAUSE_OTHER,
  LIFECYCLE_PAUSE_REASON_COUNT
} lifecycle_pause_reason_t;
int lifecycle_pause_reason_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_pause_reason_name(int r);

/* The partnerships' dispute ladder (tvistløsningstrappe), levels 1–7. */
#define LIFECYCLE_DISPUTE_LEVEL_MIN 1
#define LIFECYCLE_DISPUTE_LEVEL_MAX 7
/* "project managers", "operational management", "conflict forum",
 * "steering group", "mediation", "umpire", "arbitration board". */
const char *lifecycle_dispute_level_name(int level);

typedef enum {
  LIFECYCLE_SEVERITY_MINOR = 0, LIFECYCLE_SEVERITY_MAJOR, LIFECYCLE_SEVERITY_CRITICAL,
  LIFECYCLE_SEVERITY_COUNT
} lifecycle_severity_t;
int lifecycle_severity_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_severity_name(int s);

/* When a defect was found (fejl og mangler). */
typedef enum {
  LIFECYCLE_FOUND_AT_HANDOVER = 0, LIFECYCLE_FOUND_AT_INSPECTION_1Y,
  LIFECYCLE_FOUND_AT_INSPECTION_5Y, LIFECYCLE_FOUND_AT_OTHER, LIFECYCLE_FOUND_AT_COUNT
} lifecycle_found_at_t;
int lifecycle_found_at_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_found_at_name(int f);

/* ---- partnerships --------------------------------------------------------- */

typedef struct {
  trin_date_t framework_start;   /* the framework agreement's start */
  int framework_years;           /* 1..4 (the law's cap is 4) */
  int extension_years;           /* 0..2 granted extension */
  int horizon_years;             /* collaboration horizon after the framework, 0..15 */
  trin_ore_t economic_frame_ore; /* >= 0; 0 = not stated */
  trin_ore_t trivial_threshold_ore; /* bagatelgrænse, >= 0 */
} lifecycle_partnership_terms_t;

int lifecycle_partnership_terms_check(const lifecycle_partnership_terms_t *t,
                                      trin_err_t *err);
/* Last day on which a new project may start: framework_start +
 * framework_years + extension_years, minus one day. */
trin_date_t lifecycle_partnership_framework_end(const lifecycle_partnership_terms_t *t);
/* Last day of the collaboration horizon (framework end + horizon years). */
trin_date_t lifecycle_partnership_horizon_end(const lifecycle_partnership_terms_t *t);
/* A project may join the partnership only if its start date lies within the
 * framework term: [framework_start, framework_end]. field = "start_date". */
int lifecycle_partnership_check_project_start(const lifecycle_partnership_terms_t *t,
                                              trin_date_t start, trin_err_t *err);
/* Extending: total extension stays within 0..2 years and only grows. */
int lifecycle_partnership_check_extension(const lifecycle_partnership_terms_t *t,
                                          int new_extension_years, trin_err_t *err);

/* ---- projects and the stage machine --------------------------------------- */

typedef struct {
  lifecycle_stage_t stage;
  trin_date_t stage_since;
  bool fast_track;
  bool price_closed;
  trin_date_t price_closed_on;   /* TRIN_DATE_NONE when not closed */
  bool paused;
  trin_date_t paused_since;      /* TRIN_DATE_NONE when not paused */
} lifecycle_project_state_t;

/* The next stage(s) a project in `from` may move to; returns how many were
 * written to next (at most 2). Fast track goes pre_study -> trin1_2 -> trin3;
 * the others pre_study -> trin1 -> trin2 -> trin3. After trin3 both run
 * handover -> inspection_1y -> inspection_5y -> closed. */
int lifecycle_stage_next(lifecycle_stage_t from, bool fast_track, lifecycle_stage_t next[2]);

/* May the project move to `to` on `date`? Refuses (field "to_stage" or
 * "date") when: the transition is not in the machine (skipping, going back,
 * the other track's stages), the project is paused, it is closed, trin3 is
 * asked for before the price is closed (ECONFLICT naming "price_closed"), or
 * date is before stage_since. Returns TRIN_OK, TRIN_EINVALID or
 * TRIN_ECONFLICT; the message names both stages in words. */
int lifecycle_stage_check_transition(const lifecycle_project_state_t *p, lifecycle_stage_t to,
                                     trin_date_t date, trin_err_t *err);

/* Price closing: allowed once, before trin3, only in trin2 (or trin1_2 for
 * fast track), not before stage_since. */
int lifecycle_project_check_price_close(const lifecycle_project_state_t *p,
                                        trin_date_t date, trin_err_t *err);

/* Pause: not when already paused or closed; date >= stage_since.
 * Resume: only when paused; date >= paused_since. */
int lifecycle_project_check_pause(const lifecycle_project_state_t *p, trin_date_t date,
                                  trin_err_t *err);
int lifecycle_project_check_resume(const lifecycle_project_state_t *p, trin_date_t date,
                                   trin_err_t *err);

/* ---- corrections ------------------------------------------------------------
 * Mistakes are corrected with a trace (docs/lifecycle.md, "Correcting
 * mistakes"); these are the rules on what a correction may not undo. */

/* The stage before `s` on the project's track (trin3 comes from trin1_2 on
 * the fast track, from trin2 otherwise); -1 for pre_study and out-of-range
 * values. */
int lifecycle_stage_previous(lifecycle_stage_t s, bool fast_track);

/* May CorrectStage take the project back one stage? Writes the stage it goes
 * back to in *back. Refuses with ECONFLICT, field "stage", when the project
 * is in pre_study (nothing before it); when it is paused (the pause belongs
 * to the stage it halted: resume first); when the price is closed and the
 * stage before is one the price is not yet closed in (before trin2, or
 * trin1_2 on the fast track: the closed price would belong to no stage);
 * and when defects are reported (defects > 0) and the stage before is
 * before handover (defects are found from handover on). */
int lifecycle_stage_check_correction(const lifecycle_project_state_t *p, int defects,
                                     lifecycle_stage_t *back, trin_err_t *err);

/* May a project's kind change? Only in pre_study with the price open:
 * budgets and benchmark groups are made by kind from trin 1 on. ECONFLICT,
 * field "kind". */
int lifecycle_project_check_kind_edit(const lifecycle_project_state_t *p, trin_err_t *err);

/* What a partnership's projects have done, for the limits on editing its
 * terms. Dates are TRIN_DATE_NONE when there are no projects. */
typedef struct {
  int projects;
  trin_date_t first_start, last_start;  /* earliest and latest start_date */
  int price_closed;                     /* projects whose price is closed */
  int past_pre_study;                   /* projects that have left pre_study */
} lifecycle_partnership_projects_t;

/* What an EditPartnership changes that its projects constrain. */
enum {
  LIFECYCLE_EDIT_TERM = 1u << 0,        /* framework_start or framework_years */
  LIFECYCLE_EDIT_PRICE_POINT = 1u << 1, /* price_closing_point */
  LIFECYCLE_EDIT_ABT = 1u << 2,         /* abt_starts_at */
};

/* The corrected terms t must pass lifecycle_partnership_terms_check; a
 * corrected framework term must still hold every project's start date
 * (ECONFLICT, field "framework_start"); the price-closing point may change
 * only while no project has closed its price (ECONFLICT,
 * "price_closing_point"), the ABT start only while every project is in
 * pre_study (ECONFLICT, "abt_starts_at"). */
int lifecycle_partnership_check_edit(const lifecycle_partnership_terms_t *t, unsigned changes,
                                     const lifecycle_partnership_projects_t *pp,
                                     trin_err_t *err);

/* ---- milestones ------------------------------------------------------------ */

typedef struct {
  trin_date_t baseline;  /* required */
  trin_date_t forecast;  /* TRIN_DATE_NONE = same as baseline */
  trin_date_t actual;    /* TRIN_DATE_NONE = not reached */
} lifecycle_milestone_t;

/* Dates in range, baseline required, and no date of the milestone before
 * project_start (the project's start_date; TRIN_DATE_NONE skips that rule):
 * a project cannot reach, plan or expect a milestone before it has begun.
 * Refuses with field "baseline", "forecast" or "actual". An actual date
 * before the baseline is fine (the milestone came early). */
int lifecycle_milestone_check(const lifecycle_milestone_t *m, trin_date_t project_start,
                              trin_err_t *err);
/* actual (if set) else forecast (if set) else baseline, minus baseline; days.
 * Positive = late. */
int lifecycle_milestone_variance_days(const lifecycle_milestone_t *m);

/* Earned value's inputs on a milestone (issue 20 item 1), each optional:
 * the planned cost up to it, 0 to 10^15 øre (far beyond any project; the
 * aggregator's exact arithmetic needs the bound), and the percent complete,
 * 0–10000 basis points. Refuses with field "planned_cost_ore" or
 * "percent_complete_bp". */
#define LIFECYCLE_PLANNED_COST_MAX_ORE ((int64_t)1000000000000000)
int lifecycle_milestone_check_earned_value(bool has_planned_cost, int64_t planned_cost_ore,
                                           bool has_percent, int32_t percent_complete_bp,
                                           trin_err_t *err);

/* ---- disputes --------------------------------------------------------------- */

typedef struct {
  int level;                 /* 1..7 */
  trin_ore_t amount_ore;     /* >= 0 */
  trin_date_t opened_on;
  trin_date_t level_since;   /* date of the latest escalation (or opening) */
  bool resolved;
  trin_date_t resolved_on;
} lifecycle_dispute_t;

/* Opening: amount >= 0, level 1 (disputes start between project managers). */
int lifecycle_dispute_check_open(trin_ore_t amount_ore, trin_err_t *err);
/* Escalation moves up to a higher level (skipping allowed: AB18 lets a party
 * go to the umpire or arbitration directly), never down or sideways, never
 * on a resolved dispute, date >= level_since. A dispute whose amount is below
 * the partnership's trivial threshold (bagatelgrænse) stays in the project:
 * levels above 1 are refused (ECONFLICT, field "to_level"). Projects outside
 * a partnership pass threshold 0. */
int lifecycle_dispute_check_escalate(const lifecycle_dispute_t *d, int to_level,
                                     trin_date_t date, trin_ore_t trivial_threshold_ore,
                                     trin_err_t *err);
/* Resolution: once; date >= level_since; settled amount >= 0. */
int lifecycle_dispute_check_resolve(const lifecycle_dispute_t *d, trin_date_t date,
                                    trin_ore_t settled_ore, trin_err_t *err);

/* ---- defects ---------------------------------------------------------------- */

typedef struct {
  trin_date_t reported_on;
  trin_date_t due_on;    /* TRIN_DATE_NONE allowed */
  trin_date_t fixed_on;  /* TRIN_DATE_NONE = open */
  /* The day the contractor (or advisor) reported it remedied (afhjulpet);
   * TRIN_DATE_NONE when no repair was reported or the client rejected it.
   * Always set it: 0 is a date. */
  trin_date_t fix_reported_on;
} lifecycle_defect_t;

/* Reporting: the project must be at or past handover (defects are found at
 * handover and inspections); due_on >= reported_on. */
int lifecycle_defect_check_report(lifecycle_stage_t project_stage,
                                  const lifecycle_defect_t *d, trin_err_t *err);
/* Fixing: once; fixed_on >= reported_on. */
int lifecycle_defect_check_fix(const lifecycle_defect_t *d, trin_date_t fixed_on,
                               trin_err_t *err);
/* Overdue on as_of: still open and its due date has passed — due on as_of
 * itself is not overdue yet (the day is the deadline). No due date, never
 * overdue. */
bool lifecycle_defect_overdue(const lifecycle_defect_t *d, trin_date_t as_of);

/* A defect's life (fejl og mangler, as AB18 has it): the contractor remedies
 * it and reports so, the client (bygherre) confirms the repair, and only
 * then is it closed. Until then a reported repair leaves it open: it counts
 * among the project's open defects. */
typedef enum {
  LIFECYCLE_DEFECT_OPEN = 0,
  LIFECYCLE_DEFECT_FIX_REPORTED, /* remedied says the contractor; awaiting the client */
  LIFECYCLE_DEFECT_CLOSED,
} lifecycle_defect_state_t;

lifecycle_defect_state_t lifecycle_defect_state(const lifecycle_defect_t *d);

/* FixDefect on `date`. by_client: the caller is the project's client (its
 * writer) or the operator, and closes the defect at once, whether or not a
 * repair was reported; anyone else reports it remedied, once (a second
 * report before the client answers is a conflict). Fills *after with the
 * defect as it becomes. Dates: date >= reported_on. */
int lifecycle_defect_fix(const lifecycle_defect_t *d, trin_date_t date, bool by_client,
                         lifecycle_defect_t *after, trin_err_t *err);
/* The client confirms a reported repair: closed on date (>= the report);
 * the report's date is kept. */
int lifecycle_defect_confirm_fix(const lifecycle_defect_t *d, trin_date_t date,
                                 lifecycle_defect_t *after, trin_err_t *err);
/* The client rejects a reported repair: open again, no repair awaiting
 * (date >= the report). The note is the handler's to check. */
int lifecycle_defect_reject_fix(const lifecycle_defect_t *d, trin_date_t date,
                                lifecycle_defect_t *after, trin_err_t *err);

#endif
