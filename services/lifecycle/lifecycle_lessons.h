/* lifecycle_lessons — lessons learned across a partnership's portfolio
 * (issue 20, item 5; seed 000: how lessons move from site to site is not
 * yet known) as plain rules: a lesson's and an adoption's checks. The
 * handlers (lifecycle_lessons_handlers) read the projects, ask these, then
 * write (lifecycle_lessons_store). */
#ifndef TRIN_LIFECYCLE_LESSONS_H
#define TRIN_LIFECYCLE_LESSONS_H

#include <stdbool.h>
#include <stdint.h>

#include "trin_date.h"
#include "trin_err.h"

/* What a lesson is about; the words are the wire's and docs/lifecycle.md's. */
typedef enum {
  LIFECYCLE_LESSON_PROCESS = 0,    /* proces */
  LIFECYCLE_LESSON_COLLABORATION,  /* samarbejde */
  LIFECYCLE_LESSON_RESIDENTS,      /* beboere */
  LIFECYCLE_LESSON_REHOUSING,      /* genhusning */
  LIFECYCLE_LESSON_TECHNICAL,      /* teknik */
  LIFECYCLE_LESSON_MATERIALS,      /* materialer */
  LIFECYCLE_LESSON_ECONOMY,        /* økonomi */
  LIFECYCLE_LESSON_SCHEDULE,       /* tid */
  LIFECYCLE_LESSON_QUALITY,        /* kvalitet, fejl og mangler */
  LIFECYCLE_LESSON_SAFETY,         /* sikkerhed */
  LIFECYCLE_LESSON_SUSTAINABILITY, /* bæredygtighed */
  LIFECYCLE_LESSON_CATEGORY_COUNT
} lifecycle_lesson_category_t;

/* The categories' wire words in enum order, NULL-terminated. */
extern const char *const lifecycle_lesson_category_words[];
/* -1 with err (INVALID naming field, listing the words) for other text. */
int lifecycle_lesson_category_parse(const char *text, const char *field, trin_err_t *err);

/* A measured effect names one of the repetition measures (the benchmark's
 * "Repetition evidence"): drift_bp, schedule_variance_days,
 * cost_per_dwelling_ore, satisfaction_x100. "" = not measured. */
extern const char *const lifecycle_lesson_measure_words[];

#define LIFECYCLE_LESSON_TEXT_MAX_BYTES 2000

/* A lesson learned on learned_on in a project that started on start (the
 * text and id are checked by the handler, as every typed text):
 * learned_on not before the start. Fields named "lesson.learned_on". */
int lifecycle_lesson_check(trin_date_t start, trin_date_t learned_on, trin_err_t *err);

/* An adoption of a lesson (learned on learned_on in lesson_project, of
 * lesson_partnership) by adopting_project (of adopting_partnership):
 * another project, of the same partnership (and in one), adopted on or
 * after the lesson was learned; a measured effect names a known measure,
 * and a value needs one. Fields as in AdoptLesson ("adoption.adopted_on",
 * "adoption.measure", ...). Which rule failed decides the status: formats
 * INVALID, the projects' relation CONFLICT. */
typedef struct {
  const char *lesson_project, *lesson_partnership;
  const char *adopting_project, *adopting_partnership;
  trin_date_t learned_on, adopted_on;
  const char *measure; /* NULL or "" = not measured */
  int64_t effect_value;
} lifecycle_adoption_t;

int lifecycle_adoption_check(const lifecycle_adoption_t *x, trin_err_t *err);

#endif
