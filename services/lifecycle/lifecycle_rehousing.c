/* lifecycle_rehousing — see lifecycle_rehousing.h. */
#include "lifecycle_rehousing.h"

#include <string.h>

const char *const lifecycle_move_kind_words[] = {"temporary", "permanent", "moved_back", NULL};

int lifecycle_move_kind_parse(const char *text, const char *field, trin_err_t *err) {
  for (int k = 0; text && k < LIFECYCLE_MOVE_KIND_COUNT; k++)
    if (strcmp(text, lifecycle_move_kind_words[k]) == 0) return k;
  if (!text || !*text) {
    trin_err_set(err, TRIN_EINVALID, field,
                 "%s is required; use one of temporary, permanent, moved_back", field);
    return -1;
  }
  /* Echo printable ASCII only: the text may be anything. */
  char e[32];
  size_t o = 0;
  for (const char *c = text; *c && o < sizeof e - 1; c++)
    e[o++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
  e[o] = '\0';
  trin_err_set(err, TRIN_EINVALID, field,
               "'%s' is not a kind of movement; use one of temporary, permanent, moved_back", e);
  return -1;
}

const char *lifecycle_move_kind_name(int kind) {
  return kind >= 0 && kind < LIFECYCLE_MOVE_KIND_COUNT ? lifecycle_move_kind_words[kind] : "";
}

void lifecycle_rehousing_sum(const lifecycle_move_t *moves, size_t n,
                             lifecycle_rehousing_sums_t *out) {
  memset(out, 0, sizeof *out);
  out->first_rehoused_on = out->last_moved_back_on = TRIN_DATE_NONE;
  for (size_t i = 0; i < n; i++) {
    const lifecycle_move_t *m = &moves[i];
    if (m->kind == LIFECYCLE_MOVE_MOVED_BACK) {
      out->moved_back += m->households;
      if (out->last_moved_back_on == TRIN_DATE_NONE || m->date > out->last_moved_back_on)
        out->last_moved_back_on = m->date;
      continue;
    }
    if (m->kind == LIFECYCLE_MOVE_TEMPORARY) out->temporary += m->households;
    else out->permanent += m->households;
    if (out->first_rehoused_on == TRIN_DATE_NONE || m->date < out->first_rehoused_on)
      out->first_rehoused_on = m->date;
  }
}

static int check_count(int32_t v, int32_t min, const char *field, trin_err_t *err) {
  if (v < min || v > LIFECYCLE_REHOUSING_MAX_HOUSEHOLDS)
    return trin_err_set(err, TRIN_EINVALID, field, "must be %d to %d households, not %d", min,
                        LIFECYCLE_REHOUSING_MAX_HOUSEHOLDS, v);
  return TRIN_OK;
}

int lifecycle_rehousing_check_plan(const lifecycle_rehousing_plan_t *plan, int32_t dwellings,
                                   const lifecycle_rehousing_sums_t *sums, trin_err_t *err) {
  int rc = check_count(plan->households_to_rehouse, 0, "households_to_rehouse", err);
  if (rc) return rc;
  int32_t rehoused = sums->temporary + sums->permanent;
  if (plan->without_rehousing) {
    if (plan->households_to_rehouse > 0)
      return trin_err_set(err, TRIN_EINVALID, "households_to_rehouse",
                          "a renovation without rehousing has no households to rehouse; "
                          "say 0, not %d",
                          plan->households_to_rehouse);
    if (rehoused > 0)
      return trin_err_set(err, TRIN_ECONFLICT, "without_rehousing",
                          "%d households were already rehoused, so the project is not a "
                          "renovation without rehousing",
                          rehoused);
    return TRIN_OK;
  }
  if (dwellings > 0 && plan->households_to_rehouse > dwellings)
    return trin_err_set(err, TRIN_EINVALID, "households_to_rehouse",
                        "the project has %d dwellings; %d households to rehouse is more "
                        "than that",
                        dwellings, plan->households_to_rehouse);
  if (plan->households_to_rehouse < rehoused)
    return trin_err_set(err, TRIN_ECONFLICT, "households_to_rehouse",
                        "%d households were already rehoused; the plan cannot say fewer "
                        "(%d)",
                        rehoused, plan->households_to_rehouse);
  return TRIN_OK;
}

/* Households rehoused temporarily and moved back on or before `day`,
 * counting `extra` (not yet stored) as well. */
static void totals_by(const lifecycle_move_t *moves, size_t n, const lifecycle_move_t *extra,
                      trin_date_t day, int64_t *temporary, int64_t *back) {
  *temporary = *back = 0;
  for (size_t i = 0; i <= n; i++) {
    const lifecycle_move_t *m = i < n ? &moves[i] : extra;
    if (m->date > day) continue;
    if (m->kind == LIFECYCLE_MOVE_TEMPORARY) *temporary += m->households;
    else if (m->kind == LIFECYCLE_MOVE_MOVED_BACK) *back += m->households;
  }
}

/* Moving back: the running totals only change on movement days, so the
 * invariant "moved back <= rehoused temporarily" needs checking at m's date
 * and at every later movement's date — a move back dated early may break a
 * later day's balance too. */
static int check_moved_back(const lifecycle_move_t *moves, size_t n, const lifecycle_move_t *m,
                            trin_err_t *err) {
  /* The earliest day out of balance is the one to tell. */
  trin_date_t bad = TRIN_DATE_NONE;
  int64_t bad_temporary = 0, bad_back = 0;
  for (size_t i = 0; i <= n; i++) {
    trin_date_t day = i < n ? moves[i].date : m->date;
    if (day < m->date || (bad != TRIN_DATE_NONE && day >= bad)) continue;
    int64_t temporary, back;
    totals_by(moves, n, m, day, &temporary, &back);
    if (back > temporary) {
      bad = day;
      bad_temporary = temporary;
      bad_back = back;
    }
  }
  if (bad == TRIN_DATE_NONE) return TRIN_OK;
  char d[TRIN_DATE_BUF];
  return trin_err_set(err, TRIN_ECONFLICT, "move.households",
                      "by %s %lld households were rehoused temporarily and %lld had moved "
                      "back; %d more cannot move back",
                      trin_date_format(bad, d), (long long)bad_temporary,
                      (long long)(bad_back - m->households), m->households);
}

int lifecycle_rehousing_check_move(const lifecycle_rehousing_plan_t *plan,
                                   trin_date_t project_start, const lifecycle_move_t *moves,
                                   size_t n, const lifecycle_move_t *m, bool beyond_plan,
                                   bool has_note, trin_err_t *err) {
  if ((int)m->kind < 0 || m->kind >= LIFECYCLE_MOVE_KIND_COUNT)
    return trin_err_set(err, TRIN_EINVALID, "move.kind", "%d is not a kind of movement",
                        (int)m->kind);
  int rc = check_count(m->households, 1, "move.households", err);
  if (rc) return rc;
  if (m->date == TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_EINVALID, "move.date", "move.date is required");
  rc = trin_date_check_order(project_start, "the project's start date", m->date, "move.date",
                             err);
  if (rc) return rc;
  if (!plan->planned)
    return trin_err_set(err, TRIN_ECONFLICT, "project_id",
                        "the project has no rehousing plan yet: record the plan first "
                        "(how many households to rehouse, or without rehousing)");
  if (plan->without_rehousing)
    return trin_err_set(err, TRIN_ECONFLICT, "move.kind",
                        "the project is renovated without rehousing: no households move out "
                        "or back; change the plan first");
  if (m->kind == LIFECYCLE_MOVE_MOVED_BACK) {
    if (beyond_plan)
      return trin_err_set(err, TRIN_EINVALID, "move.beyond_plan",
                          "applies to households rehoused, not to households moving back");
    return check_moved_back(moves, n, m, err);
  }
  if (beyond_plan && !has_note)
    return trin_err_set(err, TRIN_EINVALID, "move.note",
                        "is required with beyond_plan: say why more households are rehoused "
                        "than the plan says");
  lifecycle_rehousing_sums_t sums;
  lifecycle_rehousing_sum(moves, n, &sums);
  int64_t rehoused = (int64_t)sums.temporary + sums.permanent + m->households;
  if (rehoused > plan->households_to_rehouse && !beyond_plan)
    return trin_err_set(err, TRIN_ECONFLICT, "move.households",
                        "%lld households would be rehoused, more than the %d the plan says; "
                        "raise the plan, or say beyond_plan with a note why",
                        (long long)rehoused, plan->households_to_rehouse);
  return TRIN_OK;
}
