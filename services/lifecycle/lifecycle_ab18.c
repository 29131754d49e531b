/* lifecycle_ab18 — see lifecycle_ab18.h. */
#include "lifecycle_ab18.h"

#include <string.h>

const char *const lifecycle_inspection_words[] = {"1y", "5y", NULL};

trin_date_t lifecycle_ab18_arbitration_deadline(int level, bool resolved,
                                                trin_date_t level_since) {
  if (level != LIFECYCLE_AB18_UMPIRE_LEVEL || resolved || level_since == TRIN_DATE_NONE)
    return TRIN_DATE_NONE;
  return level_since + LIFECYCLE_AB18_ARBITRATION_DAYS;
}

int lifecycle_ab18_defect_section(const char *found_at) {
  return found_at && strcmp(found_at, "handover") == 0 ? 48 : 49;
}

trin_date_t lifecycle_ab18_claim_limit(trin_date_t handover) {
  if (handover == TRIN_DATE_NONE) return TRIN_DATE_NONE;
  return trin_date_add_years(handover, LIFECYCLE_AB18_REMEDY_YEARS);
}

bool lifecycle_ab18_after_claim_limit(const char *found_at, trin_date_t handover,
                                      trin_date_t reported_on) {
  trin_date_t limit = lifecycle_ab18_claim_limit(handover);
  return lifecycle_ab18_defect_section(found_at) == 49 && limit != TRIN_DATE_NONE &&
         reported_on != TRIN_DATE_NONE && reported_on > limit;
}

int lifecycle_inspection_parse(const char *text, const char *field, trin_err_t *err) {
  for (int i = 0; text && lifecycle_inspection_words[i]; i++)
    if (strcmp(text, lifecycle_inspection_words[i]) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field,
               "must be 1y (the 1-year inspection) or 5y (the 5-year inspection), not \"%s\"",
               text ? text : "");
  return -1;
}

trin_date_t lifecycle_inspection_due(lifecycle_inspection_t which, trin_date_t handover) {
  if (handover == TRIN_DATE_NONE) return TRIN_DATE_NONE;
  return trin_date_add_years(handover, which == LIFECYCLE_INSPECTION_1Y ? 1 : 5);
}

int lifecycle_inspection_check_hold(lifecycle_inspection_t which, trin_date_t handover,
                                    trin_date_t held, trin_date_t date, trin_err_t *err) {
  const char *name = which == LIFECYCLE_INSPECTION_1Y ? "1-year" : "5-year";
  char d1[TRIN_DATE_BUF], d2[TRIN_DATE_BUF];
  if (handover == TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "project_id",
                        "the project has not been handed over yet (no actual date on its "
                        "handover milestone and not at the handover stage): the %s "
                        "inspection is counted from the handover",
                        name);
  if (held != TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_ECONFLICT, "inspection",
                        "the %s inspection was already recorded as held on %s", name,
                        trin_date_format(held, d1));
  if (date < handover)
    return trin_err_set(err, TRIN_EINVALID, "date",
                        "the %s inspection (%s) cannot be held before the handover (%s)", name,
                        trin_date_format(date, d1), trin_date_format(handover, d2));
  return TRIN_OK;
}

const char *lifecycle_deadline_kind_name(lifecycle_deadline_kind_t k) {
  switch (k) {
    case LIFECYCLE_DEADLINE_INSPECTION_1Y: return "inspection_1y";
    case LIFECYCLE_DEADLINE_INSPECTION_5Y: return "inspection_5y";
    case LIFECYCLE_DEADLINE_ARBITRATION: return "arbitration";
    case LIFECYCLE_DEADLINE_DEFECT: return "defect";
    default: return "";
  }
}

/* Candidates are offered in the tie-break order, so only a strictly
 * earlier date replaces the one kept. */
static void offer(lifecycle_ab18_deadlines_t *out, trin_date_t d, lifecycle_deadline_kind_t k) {
  if (d == TRIN_DATE_NONE) return;
  if (out->next_kind == LIFECYCLE_DEADLINE_NONE || d < out->next_deadline) {
    out->next_deadline = d;
    out->next_kind = k;
  }
}

void lifecycle_ab18_deadlines(const lifecycle_ab18_facts_t *f, lifecycle_ab18_deadlines_t *out) {
  *out = (lifecycle_ab18_deadlines_t){
      .inspection_1y_due = lifecycle_inspection_due(LIFECYCLE_INSPECTION_1Y, f->handover),
      .inspection_5y_due = lifecycle_inspection_due(LIFECYCLE_INSPECTION_5Y, f->handover),
      .arbitration_deadline =
          lifecycle_ab18_arbitration_deadline(LIFECYCLE_AB18_UMPIRE_LEVEL, false, f->umpire_since),
      .next_deadline = TRIN_DATE_NONE,
      .next_kind = LIFECYCLE_DEADLINE_NONE,
  };
  if (f->inspection_1y_held == TRIN_DATE_NONE)
    offer(out, out->inspection_1y_due, LIFECYCLE_DEADLINE_INSPECTION_1Y);
  if (f->inspection_5y_held == TRIN_DATE_NONE)
    offer(out, out->inspection_5y_due, LIFECYCLE_DEADLINE_INSPECTION_5Y);
  offer(out, out->arbitration_deadline, LIFECYCLE_DEADLINE_ARBITRATION);
  offer(out, f->defect_due, LIFECYCLE_DEADLINE_DEFECT);
}
