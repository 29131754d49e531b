/* lifecycle_rules — see lifecycle_rules.h. Every check answers one question
 * about plain state and, when the answer is no, says why in words a project
 * manager can act on. Nothing here allocates, logs or touches the store. */
#include "lifecycle_rules.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ---- names <-> enums ------------------------------------------------------ */

const char *const lifecycle_org_kind_words[] = {
    "client", "advisor", "contractor", "developer", "resident_committee", NULL};
const char *const lifecycle_price_point_words[] = {
    "projektforslag", "myndighedsprojekt", "udbudsprojekt", NULL};
const char *const lifecycle_abt_start_words[] = {"trin1", "trin3", NULL};
const char *const lifecycle_project_kind_words[] = {
    "helhedsplan", "renovation", "new_build", "maintenance", NULL};
const char *const lifecycle_stage_words[] = {
    "pre_study", "trin1", "trin2", "trin1_2", "trin3",
    "handover", "inspection_1y", "inspection_5y", "closed", NULL};
const char *const lifecycle_pause_reason_words[] = {
    "resident_democracy", "authority", "landsbyggefonden", "financing", "other", NULL};
const char *const lifecycle_severity_words[] = {"minor", "major", "critical", NULL};
const char *const lifecycle_found_at_words[] = {
    "handover", "inspection_1y", "inspection_5y", "other", NULL};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* The word lists end with NULL (for callers that walk them). */
#define WORDS(a) (COUNT(a) - 1)

/* The tables must stay in step with the enums; a new enum value without a
 * name would otherwise read past the table. */
_Static_assert(WORDS(lifecycle_org_kind_words) == LIFECYCLE_ORG_KIND_COUNT, "org kinds");
_Static_assert(WORDS(lifecycle_price_point_words) == LIFECYCLE_PRICE_POINT_COUNT, "prices");
_Static_assert(WORDS(lifecycle_abt_start_words) == LIFECYCLE_ABT_COUNT, "abt");
_Static_assert(WORDS(lifecycle_project_kind_words) == LIFECYCLE_PROJECT_KIND_COUNT, "kinds");
_Static_assert(WORDS(lifecycle_stage_words) == LIFECYCLE_STAGE_COUNT, "stages");
_Static_assert(WORDS(lifecycle_pause_reason_words) == LIFECYCLE_PAUSE_REASON_COUNT, "pauses");
_Static_assert(WORDS(lifecycle_severity_words) == LIFECYCLE_SEVERITY_COUNT, "severities");
_Static_assert(WORDS(lifecycle_found_at_words) == LIFECYCLE_FOUND_AT_COUNT, "found at");

/* Echoing what the user sent helps them spot a typo, but the text may be
 * anything: keep printable ASCII only, so the message stays short, valid
 * UTF-8 and safe in a log line. */
static const char *echo(const char *text, char out[32]) {
  size_t o = 0;
  for (const char *p = text; *p && o < 31; p++)
    out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
  out[o] = '\0';
  return out;
}

static int parse_name(const char *text, const char *const *names, int count,
                      const char *what, const char *field, trin_err_t *err) {
  if (text != NULL)
    for (int i = 0; i < count; i++)
      if (strcmp(text, names[i]) == 0) return i;
  /* Listing the choices lets the user fix a typo without the manual. */
  char list[160] = "", e[32];
  size_t n = 0;
  for (int i = 0; i < count && n < sizeof list; i++)
    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                          names[i]);
  if (text == NULL || text[0] == '\0')
    trin_err_set(err, TRIN_EINVALID, field, "%s is required; use one of %s",
                 field ? field : "a value", list);
  else
    trin_err_set(err, TRIN_EINVALID, field, "'%s' is not %s; use one of %s",
                 echo(text, e), what, list);
  return -1;
}

static const char *name_of(int v, const char *const *names, int count) {
  return v >= 0 && v < count ? names[v] : "";
}

int lifecycle_org_kind_parse(const char *text, const char *field, trin_err_t *err) {
  return parse_name(text, lifecycle_org_kind_words, WORDS(lifecycle_org_kind_words),
                    "a kind of organisation", field, err);
}
const char *lifecycle_org_kind_name(int kind) {
  return name_of(kind, lifecycle_org_kind_words, WORDS(lifecycle_org_kind_words));
}

int lifecycle_price_point_parse(const char *text, const char *field,
                                trin_err_t *err) {
  return parse_name(text, lifecycle_price_point_words, WORDS(lifecycle_price_point_words),
                    "a price closing point", field, err);
}
const char *lifecycle_price_point_name(int p) {
  return name_of(p, lifecycle_price_point_words, WORDS(lifecycle_price_point_words));
}

int lifecycle_abt_start_parse(const char *text, const char *field, trin_err_t *err) {
  return parse_name(text, lifecycle_abt_start_words, WORDS(lifecycle_abt_start_words),
                    "a stage where the total contract (ABT) can start", field, err);
}
const char *lifecycle_abt_start_name(int a) {
  return name_of(a, lifecycle_abt_start_words, WORDS(lifecycle_abt_start_words));
}

int lifecycle_project_kind_parse(const char *text, const char *field,
                                 trin_err_t *err) {
  return parse_name(text, lifecycle_project_kind_words, WORDS(lifecycle_project_kind_words),
                    "a kind of project", field, err);
}
const char *lifecycle_project_kind_name(int k) {
  return name_of(k, lifecycle_project_kind_words, WORDS(lifecycle_project_kind_words));
}

int lifecycle_stage_parse(const char *text, const char *field, trin_err_t *err) {
  return parse_name(text, lifecycle_stage_words, WORDS(lifecycle_stage_words), "a stage", field,
                    err);
}
const char *lifecycle_stage_name(int s) {
  return name_of(s, lifecycle_stage_words, WORDS(lifecycle_stage_words));
}

int lifecycle_pause_reason_parse(const char *text, const char *field,
                                 trin_err_t *err) {
  return parse_name(text, lifecycle_pause_reason_words, WORDS(lifecycle_pause_reason_words),
                    "a reason for a pause", field, err);
}
const char *lifecycle_pause_reason_name(int r) {
  return name_of(r, lifecycle_pause_reason_words, WORDS(lifecycle_pause_reason_words));
}

const char *lifecycle_dispute_level_name(int level) {
  static const char *const names[] = {
      "project managers", "operational management", "conflict forum",
      "steering group",   "mediation",              "umpire",
      "arbitration board"};
  _Static_assert(COUNT(names) == LIFECYCLE_DISPUTE_LEVEL_MAX, "dispute levels");
  return name_of(level - LIFECYCLE_DISPUTE_LEVEL_MIN, names, COUNT(names));
}

int lifecycle_severity_parse(const char *text, const char *field, trin_err_t *err) {
  return parse_name(text, lifecycle_severity_words, WORDS(lifecycle_severity_words), "a severity",
                    field, err);
}
const char *lifecycle_severity_name(int s) {
  return name_of(s, lifecycle_severity_words, WORDS(lifecycle_severity_words));
}

int lifecycle_found_at_parse(const char *text, const char *field, trin_err_t *err) {
  return parse_name(text, lifecycle_found_at_words, WORDS(lifecycle_found_at_words),
                    "a point where defects are found", field, err);
}
const char *lifecycle_found_at_name(int f) {
  return name_of(f, lifecycle_found_at_words, WORDS(lifecycle_found_at_words));
}

/* Stages as a person says them; the snake_case names are for machines. */
static const char *stage_words(int s) {
  static const char *const words[] = {
      "pre-study", "trin 1",   "trin 2",
      "trin 1+2",  "trin 3",   "handover",
      "the 1-year inspection", "the 5-year inspection", "closed"};
  _Static_assert(COUNT(words) == LIFECYCLE_STAGE_COUNT, "stage words");
  return s >= 0 && s < LIFECYCLE_STAGE_COUNT ? words[s] : "an unknown stage";
}

/* The next stage as a person says it and as it is typed ("trin 1+2
 * (trin1_2)"): a refusal that only said "trin 1+2" left the user guessing the
 * value to send. */
static const char *next_stage_words(int s, char *buf, size_t n) {
  snprintf(buf, n, "%s (%s)", stage_words(s), lifecycle_stage_name(s));
  return buf;
}

/* ---- dates ------------------------------------------------------------------ */

/* The range trin_date_parse accepts. A date outside it can only come from a
 * bug, but checking it here keeps the day arithmetic below from overflowing. */
static bool date_in_range(trin_date_t d) {
  return d >= trin_date_from_ymd(1900, 1, 1) &&
         d <= trin_date_from_ymd(2199, 12, 31);
}

static int check_date(trin_date_t d, const char *field, bool required,
                      trin_err_t *err) {
  if (d == TRIN_DATE_NONE)
    return required ? trin_err_set(err, TRIN_EINVALID, field,
                                   "%s is required", field)
                    : TRIN_OK;
  if (!date_in_range(d))
    return trin_err_set(err, TRIN_EINVALID, field,
                        "%s is not a date between 1900 and 2199", field);
  return TRIN_OK;
}

/* ---- partnerships ----------------------------------------------------------- */

int lifecycle_partnership_terms_check(const lifecycle_partnership_terms_t *t,
                                      trin_err_t *err) {
  int rc = check_date(t->framework_start, "framework_start", true, err);
  if (rc) return rc;
  if (t->framework_years < 1 || t->framework_years > 4)
    return trin_err_set(err, TRIN_EINVALID, "framework_years",
                        "a framework agreement runs 1 to 4 years (the law "
                        "allows at most 4); got %d",
                        t->framework_years);
  if (t->extension_years < 0 || t->extension_years > 2)
    return trin_err_set(err, TRIN_EINVALID, "extension_years",
                        "the framework can be extended by 0 to 2 years; got %d",
                        t->extension_years);
  if (t->horizon_years < 0 || t->horizon_years > 15)
    return trin_err_set(err, TRIN_EINVALID, "horizon_years",
                        "the collaboration horizon after the framework is 0 to "
                        "15 years; got %d",
                        t->horizon_years);
  rc = trin_money_check_nonnegative(t->economic_frame_ore, "economic_frame_ore",
                                    err);
  if (rc) return rc;
  return trin_money_check_nonnegative(t->trivial_threshold_ore,
                                      "trivial_threshold_ore", err);
}

/* The derived dates are only meaningful for terms that pass the check;
 * for others they are TRIN_DATE_NONE rather than nonsense. */
trin_date_t lifecycle_partnership_framework_end(const lifecycle_partnership_terms_t *t) {
  if (lifecycle_partnership_terms_check(t, NULL) != TRIN_OK) return TRIN_DATE_NONE;
  return trin_date_add_years(t->framework_start,
                             t->framework_years + t->extension_years) - 1;
}

trin_date_t lifecycle_partnership_horizon_end(const lifecycle_partnership_terms_t *t) {
  trin_date_t end = lifecycle_partnership_framework_end(t);
  if (end == TRIN_DATE_NONE) return TRIN_DATE_NONE;
  return trin_date_add_years(end, t->horizon_years);
}

int lifecycle_partnership_check_project_start(const lifecycle_partnership_terms_t *t,
                                              trin_date_t start, trin_err_t *err) {
  int rc = check_date(start, "start_date", true, err);
  if (rc) return rc;
  rc = lifecycle_partnership_terms_check(t, err);
  if (rc) return rc;
  trin_date_t end = lifecycle_partnership_framework_end(t);
  if (start >= t->framework_start && start <= end) return TRIN_OK;
  char s[TRIN_DATE_BUF], a[TRIN_DATE_BUF], b[TRIN_DATE_BUF];
  return trin_err_set(err, TRIN_ECONFLICT, "start_date",
                      "a project starting on %s cannot join the partnership: "
                      "new projects must start within its framework term, "
                      "%s to %s",
                      trin_date_format(start, s),
                      trin_date_format(t->framework_start, a),
                      trin_date_format(end, b));
}

int lifecycle_partnership_check_extension(const lifecycle_partnership_terms_t *t,
                                          int new_extension_years, trin_err_t *err) {
  if (new_extension_years < 0 || new_extension_years > 2)
    return trin_err_set(err, TRIN_EINVALID, "extension_years",
                        "the framework can be extended by 0 to 2 years in "
                        "total; got %d",
                        new_extension_years);
  if (new_extension_years <= t->extension_years)
    return trin_err_set(err, TRIN_ECONFLICT, "extension_years",
                        "the framework is already extended by %d year%s; an "
                        "extension can only add to that, so ask for more than "
                        "%d",
                        t->extension_years, t->extension_years == 1 ? "" : "s",
                        t->extension_years);
  return TRIN_OK;
}

/* ---- projects and the stage machine ------------------------------------------ */

/* The machine is a line with one fork: the project's track decides where
 * pre-study leads. Every later stage has exactly one successor, taken from
 * the stage itself, so a project whose fast_track flag was changed after it
 * left pre-study can still finish rather than being stuck. */
int lifecycle_stage_next(lifecycle_stage_t from, bool fast_track, lifecycle_stage_t next[2]) {
  switch (from) {
    case LIFECYCLE_STAGE_PRE_STUDY:
      next[0] = fast_track ? LIFECYCLE_STAGE_TRIN1_2 : LIFECYCLE_STAGE_TRIN1;
      return 1;
    case LIFECYCLE_STAGE_TRIN1: next[0] = LIFECYCLE_STAGE_TRIN2; return 1;
    case LIFECYCLE_STAGE_TRIN2: next[0] = LIFECYCLE_STAGE_TRIN3; return 1;
    case LIFECYCLE_STAGE_TRIN1_2: next[0] = LIFECYCLE_STAGE_TRIN3; return 1;
    case LIFECYCLE_STAGE_TRIN3: next[0] = LIFECYCLE_STAGE_HANDOVER; return 1;
    case LIFECYCLE_STAGE_HANDOVER: next[0] = LIFECYCLE_STAGE_INSPECTION_1Y; return 1;
    case LIFECYCLE_STAGE_INSPECTION_1Y: next[0] = LIFECYCLE_STAGE_INSPECTION_5Y; return 1;
    case LIFECYCLE_STAGE_INSPECTION_5Y: next[0] = LIFECYCLE_STAGE_CLOSED; return 1;
    default: return 0;  /* closed, or not a stage */
  }
}

static const char *track_words(bool fast_track) {
  return fast_track ? "fast-track project" : "project";
}

/* Where a stage sits in time, so a refusal can say "back": trin 1+2 starts
 * where trin 1 starts. */
static int stage_rank(int s) {
  return s <= LIFECYCLE_STAGE_TRIN2 ? s : s == LIFECYCLE_STAGE_TRIN1_2 ? 1 : s - 1;
}

/* " on 2026-03-01", or "" when the date is not known. */
static const char *on_date(trin_date_t d, char buf[TRIN_DATE_BUF + 4]) {
  if (d == TRIN_DATE_NONE) return "";
  memcpy(buf, " on ", 4);
  trin_date_format(d, buf + 4);
  return buf;
}

int lifecycle_stage_check_transition(const lifecycle_project_state_t *p, lifecycle_stage_t to,
                                     trin_date_t date, trin_err_t *err) {
  if ((int)to < 0 || (int)to >= LIFECYCLE_STAGE_COUNT)
    return trin_err_set(err, TRIN_EINVALID, "to_stage", "%d is not a stage",
                        (int)to);
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  const char *from_w = stage_words(p->stage), *to_w = stage_words(to);
  if (p->stage == LIFECYCLE_STAGE_CLOSED)
    return trin_err_set(err, TRIN_ECONFLICT, "to_stage",
                        "the project is closed; a closed project cannot move "
                        "to %s",
                        to_w);
  char d1[TRIN_DATE_BUF], d2[TRIN_DATE_BUF], nb[64];
  if (p->paused)
    return trin_err_set(err, TRIN_ECONFLICT, "to_stage",
                        "the project is paused; resume it before moving it "
                        "from %s to %s",
                        from_w, to_w);

  lifecycle_stage_t next[2];
  int n = lifecycle_stage_next(p->stage, p->fast_track, next);
  bool allowed = false;
  for (int i = 0; i < n; i++) allowed = allowed || next[i] == to;
  if (!allowed) {
    if (n == 0)  /* only a stage value out of range gets here */
      return trin_err_set(err, TRIN_ECONFLICT, "to_stage",
                          "a project in %s cannot move to %s", from_w, to_w);
    if (to == p->stage)
      return trin_err_set(err, TRIN_ECONFLICT, "to_stage",
                          "the project is already in %s; the next stage is %s",
                          from_w, next_stage_words(next[0], nb, sizeof nb));
    return trin_err_set(err, TRIN_ECONFLICT, "to_stage",
                        "a %s in %s cannot move %sto %s; the next stage is %s",
                        track_words(p->fast_track), from_w,
                        stage_rank(to) < stage_rank(p->stage) ? "back " : "",
                        to_w, next_stage_words(next[0], nb, sizeof nb));
  }
  if (to == LIFECYCLE_STAGE_TRIN3 && !p->price_closed)
    return trin_err_set(err, TRIN_ECONFLICT, "price_closed",
                        "the price must be closed before a project moves from "
                        "%s to %s",
                        from_w, to_w);
  if (date < p->stage_since && p->stage_since != TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the move from %s to %s on %s would be before the "
                        "project entered %s on %s",
                        from_w, to_w, trin_date_format(date, d1), from_w,
                        trin_date_format(p->stage_since, d2));
  /* Execution under a fixed price cannot begin before the price was fixed. */
  if (to == LIFECYCLE_STAGE_TRIN3 && p->price_closed_on != TRIN_DATE_NONE &&
      date < p->price_closed_on)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the move from %s to %s on %s would be before the "
                        "price was closed on %s",
                        from_w, to_w, trin_date_format(date, d1),
                        trin_date_format(p->price_closed_on, d2));
  return TRIN_OK;
}

int lifecycle_project_check_price_close(const lifecycle_project_state_t *p,
                                        trin_date_t date, trin_err_t *err) {
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  char d1[TRIN_DATE_BUF + 4], d2[TRIN_DATE_BUF];
  if (p->price_closed)
    return trin_err_set(err, TRIN_ECONFLICT, "price_closed",
                        "the price was already closed%s; it is closed only "
                        "once",
                        on_date(p->price_closed_on, d1));
  /* The price closes in the stage that leads into trin 3: trin 2, or trin 1+2
   * on the fast track. */
  if (p->stage != LIFECYCLE_STAGE_TRIN2 && p->stage != LIFECYCLE_STAGE_TRIN1_2)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the price can only be closed in %s; the project is in %s",
                        p->fast_track ? "trin 1+2" : "trin 2",
                        stage_words(p->stage));
  if (p->stage_since != TRIN_DATE_NONE && date < p->stage_since)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the price cannot be closed on %s, before the project "
                        "entered %s on %s",
                        trin_date_format(date, d1), stage_words(p->stage),
                        trin_date_format(p->stage_since, d2));
  return TRIN_OK;
}

/* ---- corrections ------------------------------------------------------------------ */

int lifecycle_stage_previous(lifecycle_stage_t s, bool fast_track) {
  switch (s) {
    case LIFECYCLE_STAGE_TRIN1: return LIFECYCLE_STAGE_PRE_STUDY;
    case LIFECYCLE_STAGE_TRIN2: return LIFECYCLE_STAGE_TRIN1;
    case LIFECYCLE_STAGE_TRIN1_2: return LIFECYCLE_STAGE_PRE_STUDY;
    case LIFECYCLE_STAGE_TRIN3: return fast_track ? LIFECYCLE_STAGE_TRIN1_2 : LIFECYCLE_STAGE_TRIN2;
    case LIFECYCLE_STAGE_HANDOVER: return LIFECYCLE_STAGE_TRIN3;
    case LIFECYCLE_STAGE_INSPECTION_1Y: return LIFECYCLE_STAGE_HANDOVER;
    case LIFECYCLE_STAGE_INSPECTION_5Y: return LIFECYCLE_STAGE_INSPECTION_1Y;
    case LIFECYCLE_STAGE_CLOSED: return LIFECYCLE_STAGE_INSPECTION_5Y;
    default: return -1;
  }
}

int lifecycle_stage_check_correction(const lifecycle_project_state_t *p, int defects,
                                     lifecycle_stage_t *back, trin_err_t *err) {
  const char *from_w = stage_words(p->stage);
  int prev = lifecycle_stage_previous(p->stage, p->fast_track);
  if (prev < 0)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the project is in %s, its first stage; there is no stage to go back "
                        "to",
                        from_w);
  char d1[TRIN_DATE_BUF + 4];
  if (p->paused)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the project is paused%s; resume it before correcting its stage "
                        "(the pause belongs to %s)",
                        on_date(p->paused_since, d1), from_w);
  /* The price closes in trin 2 (trin 1+2): a project with a closed price
   * cannot be before that stage, or the price would belong to no stage. */
  lifecycle_stage_t closes_in = p->fast_track ? LIFECYCLE_STAGE_TRIN1_2 : LIFECYCLE_STAGE_TRIN2;
  if (p->price_closed && stage_rank(prev) < stage_rank(closes_in))
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the price was closed%s; a project whose price is closed cannot go "
                        "back from %s to %s, before %s where the price is closed",
                        on_date(p->price_closed_on, d1), from_w, stage_words(prev),
                        stage_words(closes_in));
  if (defects > 0 && prev < LIFECYCLE_STAGE_HANDOVER)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the project has %d reported defect%s; it cannot go back from %s to "
                        "%s, before handover where defects are found",
                        defects, defects == 1 ? "" : "s", from_w, stage_words(prev));
  *back = (lifecycle_stage_t)prev;
  return TRIN_OK;
}

int lifecycle_project_check_kind_edit(const lifecycle_project_state_t *p, trin_err_t *err) {
  if (p->stage != LIFECYCLE_STAGE_PRE_STUDY || p->price_closed)
    return trin_err_set(err, TRIN_ECONFLICT, "kind",
                        "the project is in %s; its kind can only be corrected in pre-study, "
                        "before budgets and benchmark groups are made by it",
                        stage_words(p->stage));
  return TRIN_OK;
}

int lifecycle_partnership_check_edit(const lifecycle_partnership_terms_t *t, unsigned changes,
                                     const lifecycle_partnership_projects_t *pp,
                                     trin_err_t *err) {
  int rc = lifecycle_partnership_terms_check(t, err);
  if (rc) return rc;
  if ((changes & LIFECYCLE_EDIT_TERM) && pp->projects > 0) {
    trin_date_t end = lifecycle_partnership_framework_end(t);
    if (pp->first_start < t->framework_start || pp->last_start > end) {
      char a[TRIN_DATE_BUF], b[TRIN_DATE_BUF], c[TRIN_DATE_BUF], d[TRIN_DATE_BUF];
      return trin_err_set(err, TRIN_ECONFLICT, "framework_start",
                          "the corrected framework term, %s to %s, would leave out projects "
                          "of the partnership: they start between %s and %s",
                          trin_date_format(t->framework_start, a), trin_date_format(end, b),
                          trin_date_format(pp->first_start, c),
                          trin_date_format(pp->last_start, d));
    }
  }
  if ((changes & LIFECYCLE_EDIT_PRICE_POINT) && pp->price_closed > 0)
    return trin_err_set(err, TRIN_ECONFLICT, "price_closing_point",
                        "%d project%s of the partnership closed %s price at the current "
                        "price-closing point; it can no longer change",
                        pp->price_closed, pp->price_closed == 1 ? "" : "s",
                        pp->price_closed == 1 ? "its" : "their");
  if ((changes & LIFECYCLE_EDIT_ABT) && pp->past_pre_study > 0)
    return trin_err_set(err, TRIN_ECONFLICT, "abt_starts_at",
                        "%d project%s of the partnership %s left pre-study under the current "
                        "ABT start; it can no longer change",
                        pp->past_pre_study, pp->past_pre_study == 1 ? "" : "s",
                        pp->past_pre_study == 1 ? "has" : "have");
  return TRIN_OK;
}

int lifecycle_project_check_pause(const lifecycle_project_state_t *p, trin_date_t date,
                                  trin_err_t *err) {
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  char d1[TRIN_DATE_BUF + 4], d2[TRIN_DATE_BUF];
  if (p->stage == LIFECYCLE_STAGE_CLOSED)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "the project is closed; a closed project cannot be "
                        "paused");
  if (p->paused)
    return trin_err_set(err, TRIN_ECONFLICT, "paused",
                        "the project was already paused%s",
                        on_date(p->paused_since, d1));
  if (p->stage_since != TRIN_DATE_NONE && date < p->stage_since)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the pause cannot start on %s, before the project "
                        "entered %s on %s",
                        trin_date_format(date, d1), stage_words(p->stage),
                        trin_date_format(p->stage_since, d2));
  return TRIN_OK;
}

int lifecycle_project_check_resume(const lifecycle_project_state_t *p, trin_date_t date,
                                   trin_err_t *err) {
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  char d1[TRIN_DATE_BUF], d2[TRIN_DATE_BUF];
  if (!p->paused)
    return trin_err_set(err, TRIN_ECONFLICT, "paused",
                        "the project is not paused, so it cannot be resumed");
  if (p->paused_since != TRIN_DATE_NONE && date < p->paused_since)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the project cannot resume on %s, before it was "
                        "paused on %s",
                        trin_date_format(date, d1),
                        trin_date_format(p->paused_since, d2));
  return TRIN_OK;
}

/* ---- milestones --------------------------------------------------------------- */

int lifecycle_milestone_check(const lifecycle_milestone_t *m, trin_date_t project_start,
                              trin_err_t *err) {
  int rc = check_date(m->baseline, "baseline", true, err);
  if (!rc) rc = check_date(m->forecast, "forecast", false, err);
  if (!rc) rc = check_date(m->actual, "actual", false, err);
  /* The baseline too: a plan that finishes before the project starts is as
   * wrong as an actual date decades early (issue 18). */
  const char *start = "the project's start date";
  if (!rc) rc = trin_date_check_order(project_start, start, m->baseline, "baseline", err);
  if (!rc) rc = trin_date_check_order(project_start, start, m->forecast, "forecast", err);
  if (!rc) rc = trin_date_check_order(project_start, start, m->actual, "actual", err);
  return rc;
}

int lifecycle_milestone_variance_days(const lifecycle_milestone_t *m) {
  if (m->baseline == TRIN_DATE_NONE) return 0;
  trin_date_t at = m->actual != TRIN_DATE_NONE     ? m->actual
                   : m->forecast != TRIN_DATE_NONE ? m->forecast
                                                   : m->baseline;
  /* In 64 bits: two arbitrary int32 dates may differ by more than INT_MAX. */
  int64_t v = (int64_t)at - (int64_t)m->baseline;
  return v > INT32_MAX ? INT32_MAX : v < -INT32_MAX ? -INT32_MAX : (int)v;
}

int lifecycle_milestone_check_earned_value(bool has_planned_cost, int64_t planned_cost_ore,
                                           bool has_percent, int32_t percent_complete_bp,
                                           trin_err_t *err) {
  if (has_planned_cost) {
    char buf[TRIN_MONEY_BUF];
    if (planned_cost_ore < 0)
      return trin_err_set(err, TRIN_EINVALID, "planned_cost_ore",
                          "must not be negative (got %s)",
                          trin_money_format_dk(planned_cost_ore, buf));
    if (planned_cost_ore > LIFECYCLE_PLANNED_COST_MAX_ORE)
      return trin_err_set(err, TRIN_EINVALID, "planned_cost_ore",
                          "must be at most 10.000.000.000.000,00 kr.");
  }
  if (has_percent && (percent_complete_bp < 0 || percent_complete_bp > 10000))
    return trin_err_set(err, TRIN_EINVALID, "percent_complete_bp",
                        "must lie between 0 and 10000 basis points (0 %% to 100 %%), not %d",
                        percent_complete_bp);
  return TRIN_OK;
}

/* ---- disputes ------------------------------------------------------------------ */

int lifecycle_dispute_check_open(trin_ore_t amount_ore, trin_err_t *err) {
  return trin_money_check_nonnegative(amount_ore, "amount_ore", err);
}

int lifecycle_dispute_check_escalate(const lifecycle_dispute_t *d, int to_level,
                                     trin_date_t date, trin_ore_t trivial_threshold_ore,
                                     trin_err_t *err) {
  if (to_level < LIFECYCLE_DISPUTE_LEVEL_MIN || to_level > LIFECYCLE_DISPUTE_LEVEL_MAX)
    return trin_err_set(err, TRIN_EINVALID, "to_level",
                        "the dispute ladder has levels %d to %d; got %d",
                        LIFECYCLE_DISPUTE_LEVEL_MIN, LIFECYCLE_DISPUTE_LEVEL_MAX,
                        to_level);
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  char d1[TRIN_DATE_BUF + 4], d2[TRIN_DATE_BUF];
  if (d->resolved)
    return trin_err_set(err, TRIN_ECONFLICT, "to_level",
                        "the dispute was resolved%s; a resolved dispute "
                        "cannot be escalated",
                        on_date(d->resolved_on, d1));
  if (d->level >= LIFECYCLE_DISPUTE_LEVEL_MAX)
    return trin_err_set(err, TRIN_ECONFLICT, "to_level",
                        "the dispute is already at the top of the ladder, "
                        "level %d (%s)",
                        d->level, lifecycle_dispute_level_name(d->level));
  if (to_level <= d->level)
    return trin_err_set(err, TRIN_ECONFLICT, "to_level",
                        "the dispute is at level %d (%s); it can only move up, "
                        "to level %d (%s) or higher, not to level %d (%s)",
                        d->level, lifecycle_dispute_level_name(d->level),
                        d->level + 1, lifecycle_dispute_level_name(d->level + 1),
                        to_level, lifecycle_dispute_level_name(to_level));
  if (d->amount_ore < trivial_threshold_ore) {
    char a[TRIN_MONEY_BUF], t[TRIN_MONEY_BUF];
    return trin_err_set(err, TRIN_ECONFLICT, "to_level",
                        "the dispute's amount (%s) is below the partnership's "
                        "trivial threshold (%s), so it stays with the project "
                        "managers and cannot go to level %d (%s)",
                        trin_money_format_dk(d->amount_ore, a),
                        trin_money_format_dk(trivial_threshold_ore, t),
                        to_level, lifecycle_dispute_level_name(to_level));
  }
  if (d->level_since != TRIN_DATE_NONE && date < d->level_since)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the escalation on %s would be before the dispute "
                        "reached level %d (%s) on %s",
                        trin_date_format(date, d1), d->level,
                        lifecycle_dispute_level_name(d->level),
                        trin_date_format(d->level_since, d2));
  return TRIN_OK;
}

int lifecycle_dispute_check_resolve(const lifecycle_dispute_t *d, trin_date_t date,
                                    trin_ore_t settled_ore, trin_err_t *err) {
  char d1[TRIN_DATE_BUF + 4], d2[TRIN_DATE_BUF];
  if (d->resolved)
    return trin_err_set(err, TRIN_ECONFLICT, "resolved",
                        "the dispute was already resolved%s",
                        on_date(d->resolved_on, d1));
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  if (d->level_since != TRIN_DATE_NONE && date < d->level_since)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the resolution on %s would be before the dispute "
                        "reached level %d (%s) on %s",
                        trin_date_format(date, d1), d->level,
                        lifecycle_dispute_level_name(d->level),
                        trin_date_format(d->level_since, d2));
  return trin_money_check_nonnegative(settled_ore, "settled_ore", err);
}

/* ---- defects -------------------------------------------------------------------- */

int lifecycle_defect_check_report(lifecycle_stage_t project_stage,
                                  const lifecycle_defect_t *d, trin_err_t *err) {
  if ((int)project_stage < 0 || (int)project_stage >= LIFECYCLE_STAGE_COUNT)
    return trin_err_set(err, TRIN_EINVALID, "stage", "%d is not a stage",
                        (int)project_stage);
  if (project_stage < LIFECYCLE_STAGE_HANDOVER)
    return trin_err_set(err, TRIN_ECONFLICT, "stage",
                        "defects are reported from handover on; the project "
                        "is in %s",
                        stage_words(project_stage));
  int rc = check_date(d->reported_on, "reported_on", true, err);
  if (!rc) rc = check_date(d->due_on, "due_on", false, err);
  if (!rc) rc = check_date(d->fixed_on, "fixed_on", false, err);
  if (!rc)
    rc = trin_date_check_order(d->reported_on, "reported_on", d->due_on,
                               "due_on", err);
  if (!rc)
    rc = trin_date_check_order(d->reported_on, "reported_on", d->fixed_on,
                               "fixed_on", err);
  return rc;
}

int lifecycle_defect_check_fix(const lifecycle_defect_t *d, trin_date_t fixed_on,
                               trin_err_t *err) {
  char d1[TRIN_DATE_BUF];
  if (d->fixed_on != TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "fixed_on",
                        "the defect was already fixed on %s",
                        trin_date_format(d->fixed_on, d1));
  int rc = check_date(fixed_on, "fixed_on", true, err);
  if (rc) return rc;
  return trin_date_check_order(d->reported_on, "reported_on", fixed_on,
                               "fixed_on", err);
}

bool lifecycle_defect_overdue(const lifecycle_defect_t *d, trin_date_t as_of) {
  return d->fixed_on == TRIN_DATE_NONE && d->due_on != TRIN_DATE_NONE && d->due_on < as_of;
}

lifecycle_defect_state_t lifecycle_defect_state(const lifecycle_defect_t *d) {
  if (d->fixed_on != TRIN_DATE_NONE) return LIFECYCLE_DEFECT_CLOSED;
  return d->fix_reported_on != TRIN_DATE_NONE ? LIFECYCLE_DEFECT_FIX_REPORTED
                                              : LIFECYCLE_DEFECT_OPEN;
}

int lifecycle_defect_fix(const lifecycle_defect_t *d, trin_date_t date, bool by_client,
                         lifecycle_defect_t *after, trin_err_t *err) {
  char d1[TRIN_DATE_BUF];
  int rc = lifecycle_defect_check_fix(d, date, err);
  if (rc) return rc;
  *after = *d;
  if (by_client) {
    after->fixed_on = date;
    return TRIN_OK;
  }
  if (d->fix_reported_on != TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "fixed_on",
                        "the repair was already reported on %s and awaits the client's "
                        "confirmation (defect confirm, by the client's writer)",
                        trin_date_format(d->fix_reported_on, d1));
  after->fix_reported_on = date;
  return TRIN_OK;
}

/* What confirming and rejecting share: a repair must await an answer, and
 * the answer comes on or after the report. */
static int check_answer(const lifecycle_defect_t *d, trin_date_t date, trin_err_t *err) {
  char d1[TRIN_DATE_BUF];
  if (d->fixed_on != TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "defect_id", "the defect was already closed on %s",
                        trin_date_format(d->fixed_on, d1));
  if (d->fix_reported_on == TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "defect_id",
                        "no repair of the defect awaits confirmation: the contractor reports "
                        "it remedied first (defect fix)");
  int rc = check_date(date, "date", true, err);
  if (rc) return rc;
  return trin_date_check_order(d->fix_reported_on, "the day the repair was reported", date,
                               "date", err);
}

int lifecycle_defect_confirm_fix(const lifecycle_defect_t *d, trin_date_t date,
                                 lifecycle_defect_t *after, trin_err_t *err) {
  int rc = check_answer(d, date, err);
  if (rc) return rc;
  *after = *d;
  after->fixed_on = date;
  return TRIN_OK;
}

int lifecycle_defect_reject_fix(const lifecycle_defect_t *d, trin_date_t date,
                                lifecycle_defect_t *after, trin_err_t *err) {
  int rc = check_answer(d, date, err);
  if (rc) return rc;
  *after = *d;
  after->fix_reported_on = TRIN_DATE_NONE;
  return TRIN_OK;
}
