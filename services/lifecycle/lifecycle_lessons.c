/* lifecycle_lessons — see lifecycle_lessons.h. */
#include "lifecycle_lessons.h"

#include <string.h>

const char *const lifecycle_lesson_category_words[LIFECYCLE_LESSON_CATEGORY_COUNT + 1] = {
    "process",   "collaboration", "residents", "rehousing", "technical",      "materials",
    "economy",   "schedule",      "quality",   "safety",    "sustainability", NULL};

const char *const lifecycle_lesson_measure_words[] = {
    "drift_bp", "schedule_variance_days", "cost_per_dwelling_ore", "satisfaction_x100", NULL};

static bool set(const char *s) { return s && *s; }

int lifecycle_lesson_category_parse(const char *text, const char *field, trin_err_t *err) {
  for (int i = 0; text && i < LIFECYCLE_LESSON_CATEGORY_COUNT; i++)
    if (strcmp(text, lifecycle_lesson_category_words[i]) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field,
               "must be one of process, collaboration, residents, rehousing, technical, "
               "materials, economy, schedule, quality, safety, sustainability; not \"%s\"",
               text ? text : "");
  return -1;
}

int lifecycle_lesson_check(trin_date_t start, trin_date_t learned_on, trin_err_t *err) {
  return trin_date_check_order(start, "the project's start date", learned_on,
                               "lesson.learned_on", err);
}

static bool measure_known(const char *m) {
  for (int i = 0; lifecycle_lesson_measure_words[i]; i++)
    if (strcmp(m, lifecycle_lesson_measure_words[i]) == 0) return true;
  return false;
}

int lifecycle_adoption_check(const lifecycle_adoption_t *x, trin_err_t *err) {
  if (set(x->measure) && !measure_known(x->measure))
    return trin_err_set(err, TRIN_EINVALID, "adoption.measure",
                        "must be drift_bp, schedule_variance_days, cost_per_dwelling_ore or "
                        "satisfaction_x100 (or empty when the effect was not measured); not "
                        "\"%s\"",
                        x->measure);
  if (!set(x->measure) && x->effect_value != 0)
    return trin_err_set(err, TRIN_EINVALID, "adoption.effect_value",
                        "a measured effect needs adoption.measure, the measure it changed");
  if (strcmp(x->lesson_project, x->adopting_project) == 0)
    return trin_err_set(err, TRIN_ECONFLICT, "project_id",
                        "is the project the lesson was learned in: a lesson is adopted by "
                        "another project of the partnership");
  if (!set(x->lesson_partnership))
    return trin_err_set(err, TRIN_ECONFLICT, "lesson_project_id",
                        "project \"%s\" is outside any partnership: lessons move between "
                        "projects of one partnership",
                        x->lesson_project);
  if (!set(x->adopting_partnership) ||
      strcmp(x->lesson_partnership, x->adopting_partnership) != 0)
    return trin_err_set(err, TRIN_ECONFLICT, "project_id",
                        "project \"%s\" is not in partnership \"%s\", where the lesson was "
                        "learned: lessons move between projects of one partnership",
                        x->adopting_project, x->lesson_partnership);
  return trin_date_check_order(x->learned_on, "the lesson's learned_on", x->adopted_on,
                               "adoption.adopted_on", err);
}
