/* survey_rules — the survey service's domain rules as plain functions on
 * plain structs: running aggregates, exact means and changes, trend,
 * baseline and alert rules, anonymity suppression, and the words of the
 * contract (roles, alert kinds, CSV column names, statement keys). No
 * store, no sockets: unit-tested alone.
 *
 * Invariant: an aggregate is the exact sum of the responses it covers —
 * count, sum of scores and per-score counts are integers, added and removed
 * response by response, so a mean is never the mean of rounded means. */
#ifndef TRIN_SURVEY_RULES_H
#define TRIN_SURVEY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

/* ---- words ------------------------------------------------------------------ */

typedef enum {
  SURVEY_ROLE_RESIDENT_COMMITTEE = 0, /* følgegruppe */
  SURVEY_ROLE_RESIDENTS = 1,          /* beboere */
  SURVEY_ROLE_CLIENT = 2,             /* bygherre */
  SURVEY_ROLE_ADVISOR = 3,            /* rådgiver */
  SURVEY_ROLE_CONTRACTOR = 4,         /* entreprenør */
} survey_role_t;
#define SURVEY_NROLES 5
#define SURVEY_ROLE_ALL SURVEY_NROLES /* index of the all-roles group */
#define SURVEY_NGROUPS (SURVEY_NROLES + 1)

/* The role word (or Danish alias, case-insensitive) -> role, or -1 with
 * err naming field. */
int survey_role_parse(const char *text, const char *field, trin_err_t *err);

/* The columns of a CSV import besides the statements. */
typedef enum {
  SURVEY_COLUMN_RESPONDENT = 0,
  SURVEY_COLUMN_ROLE = 1,
  SURVEY_COLUMN_COMMENT = 2,
} survey_column_t;
/* A header's column, English or Danish as a Danish Excel or survey tool
 * writes it (case-insensitive, Æ Ø Å included, ' ' or '-' for '_'):
 * respondent / respondent_id / respondentid, role / rolle, comment /
 * kommentar / kommentarer. -1 for any other name. */
int survey_column_parse(const char *header);

/* A statement key: 1–64 bytes of letters (A–Z, a–z and the Danish Æ Ø Å
 * æ ø å), digits and . _ - : starting with a letter or digit — an id, plus
 * the Danish letters people name statements with (RENGØRING). Case counts.
 * Only precomposed Æ Ø Å (UTF-8 C3 86/98/85, C3 A6/B8/A5), so that a key
 * has one spelling in bytes: an O followed by a combining stroke is refused. */
#define SURVEY_KEY_MAX 64
int survey_statement_key_check(const char *key, const char *field, trin_err_t *err);

/* "residents", ...; "all" for SURVEY_ROLE_ALL. */
const char *survey_role_name(int role);

typedef enum {
  SURVEY_ALERT_DROP_FROM_PREVIOUS = 0,
  SURVEY_ALERT_DROP_FROM_BASELINE = 1,
  SURVEY_ALERT_BELOW_FLOOR = 2,
} survey_alert_kind_t;
#define SURVEY_NALERT_KINDS 3
const char *survey_alert_kind_name(int kind);

/* ---- scale ------------------------------------------------------------------- */

#define SURVEY_MAX_POINTS 11       /* 0–10 */
#define SURVEY_DEFAULT_MIN_RESPONDENTS 5
#define SURVEY_MAX_STATEMENTS 100

typedef struct {
  int min, max;
} survey_scale_t;

/* min 0 or 1, max min+1 .. 10. */
int survey_scale_check(survey_scale_t sc, trin_err_t *err);
/* A score as typed ("4", "4,0", "4.00"): a whole number within the scale.
 * "" is not a score (the caller treats it as "not answered"). */
int survey_score_parse(const char *text, survey_scale_t sc, const char *field, int *out,
                       trin_err_t *err);
int survey_score_check(int score, survey_scale_t sc, const char *field, trin_err_t *err);

/* ---- aggregates --------------------------------------------------------------- */

/* One group's running aggregate. dist[i] counts score scale.min + i. */
typedef struct {
  int64_t count;
  int64_t sum;
  int64_t dist[SURVEY_MAX_POINTS];
} survey_agg_t;

void survey_agg_add(survey_agg_t *a, int score, survey_scale_t sc);
void survey_agg_remove(survey_agg_t *a, int score, survey_scale_t sc);
/* a += b (b may hold negative deltas). */
void survey_agg_merge(survey_agg_t *a, const survey_agg_t *b);

/* round(x * 100 / y) half away from zero, exact in integers. y > 0. */
int64_t survey_div_round(int64_t num, int64_t den);
/* Mean in hundredths, rounded half away from zero; 0 for an empty group. */
int32_t survey_mean_x100(const survey_agg_t *a);
/* Exact change of means (now − then) in hundredths, rounded once. Both
 * groups non-empty. */
int32_t survey_change_x100(const survey_agg_t *now, const survey_agg_t *then);
/* "3.67", "-0.42", "0.00". buf >= 16. */
char *survey_format_x100(int64_t v, char *buf);

/* ---- trend ---------------------------------------------------------------- */

/* One round's group: its exact mean is sum / count (count > 0; a point
 * with count <= 0 is left out). */
typedef struct {
  int round;
  int64_t sum;
  int64_t count;
} survey_point_t;

#define SURVEY_TREND_STEP_X100 10
/* Least-squares slope of the exact means sum / count over round number, in
 * hundredths per round, rounded once, half away from zero — never a slope
 * of rounded means (issue 18: means 69/16 then 58/16 are 4.31 and 3.63,
 * whose difference is −0.68, but the slope is −0.6875 -> −69). Exact in
 * integers unless the counts' common denominator overflows 128 bits; then
 * long double, which can differ only on an exact tie. Fewer than 2 points
 * (or a single round twice): *has = false. */
int32_t survey_trend_x100(const survey_point_t *pts, size_t n, bool *has);
/* "up", "down", "flat", or "" when !has. */
const char *survey_trend_name(int32_t slope_x100, bool has);

/* ---- alerts --------------------------------------------------------------- */

typedef struct {
  int32_t drop_from_previous_x100; /* 0 = off */
  int32_t drop_from_baseline_x100; /* 0 = off */
  int32_t floor_x100;              /* 0 = off */
} survey_thresholds_t;

int survey_thresholds_check(const survey_thresholds_t *t, survey_scale_t sc,
                            trin_err_t *err);

typedef struct {
  int kind;                 /* survey_alert_kind_t */
  int32_t mean_x100;
  int32_t reference_x100;
  int32_t threshold_x100;
} survey_alert_t;

/* The alerts one visible group deserves. prev / base are NULL when there is
 * no visible previous round / no baseline (or this round is a baseline
 * round). A drop must be MORE than its threshold, a mean strictly BELOW the
 * floor — decided exactly on the integer sums, not on rounded means.
 * Returns how many were written to out (at most SURVEY_NALERT_KINDS). */
size_t survey_alerts_check(const survey_agg_t *now, const survey_agg_t *prev,
                           const survey_agg_t *base, const survey_thresholds_t *t,
                           survey_alert_t out[SURVEY_NALERT_KINDS]);

/* ---- anonymity -------------------------------------------------------------- */

/* min_respondents as configured: 0 -> default; below the default or above
 * 1000 refused. */
int survey_min_respondents_check(int32_t requested, int32_t current, int32_t *out,
                                 trin_err_t *err);

/* Decides which groups of one statement in one round are suppressed.
 * counts[r] for the roles, counts[SURVEY_ROLE_ALL] for all roles together.
 * A non-empty group below min is suppressed; then, so that no suppressed
 * role can be computed as "all minus the visible roles", the smallest
 * visible non-empty roles are suppressed as well until the suppressed roles
 * together reach min respondents (or none is left). Empty groups are never
 * "suppressed" (there is nothing to hide; they are simply absent). */
void survey_suppress(const int64_t counts[SURVEY_NGROUPS], int64_t min,
                     bool suppressed[SURVEY_NGROUPS]);

/* ---- responses ----------------------------------------------------------------- */

#define SURVEY_NO_ANSWER 0xFF  /* a score byte meaning "not answered" */
#define SURVEY_RESPONDENT_MAX 200
#define SURVEY_COMMENT_MAX 2000

#endif
