/* lifecycle_lessons_store — the tables of lessons learned and their
 * adoptions (issue 20, item 5; the rules are lifecycle_lessons.h). A
 * migration scope of its own, "lifecycle_lessons". Reads fill protobuf
 * messages whose strings and arrays live in the caller's arena a; writes run
 * inside the caller's transaction. */
#ifndef TRIN_LIFECYCLE_LESSONS_STORE_H
#define TRIN_LIFECYCLE_LESSONS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Lifecycle__Lesson lifecycle_lesson_msg_t;
typedef Trin__Lifecycle__LessonAdoption lifecycle_adoption_msg_t;

int lifecycle_lessons_store_migrate(trin_store_t *s, trin_err_t *err);

/* Records or replaces lesson l->id of project_id (text, category,
 * learned_on, recorded_by; its adoptions stay). */
int lifecycle_lessons_store_put(trin_store_t *s, const char *project_id,
                                const lifecycle_lesson_msg_t *l, trin_err_t *err);
/* Records or replaces project x->project_id's adoption of lesson
 * (x->lesson_project_id, x->lesson_id). */
int lifecycle_lessons_store_adopt(trin_store_t *s, const lifecycle_adoption_msg_t *x,
                                  trin_err_t *err);

/* Lesson id of project_id with its adoptions into *out (arena a);
 * *found false when there is none. */
int lifecycle_lessons_store_get(trin_store_t *s, const char *project_id, const char *id,
                                trin_arena_t *a, lifecycle_lesson_msg_t **out, bool *found,
                                trin_err_t *err);

/* Sends lifecycle_lessons_store_fill's read for project_id ahead
 * (trin_stmt_prefetch), to come with the project's own round trip. */
int lifecycle_lessons_store_prefetch(trin_store_t *s, const char *project_id, trin_err_t *err);

/* Fills p->lessons and p->lessons_adopted from the tables. */
int lifecycle_lessons_store_fill(trin_store_t *s, Trin__Lifecycle__Project *p,
                                 trin_err_t *err);

/* ListLessons' filters; NULL or "" = any. adopted_by: only lessons that
 * project adopted, each with that adoption only. */
typedef struct {
  const char *partnership_id, *project_id, *category, *adopted_by;
} lifecycle_lesson_filter_t;

/* Every lesson matching f, oldest learned first (then project, id), each
 * with its adoptions by date, partnership_id and client_org filled; the
 * caller filters what the caller may see. */
int lifecycle_lessons_store_list(trin_store_t *s, const lifecycle_lesson_filter_t *f,
                                 trin_arena_t *a, lifecycle_lesson_msg_t ***out, size_t *n,
                                 trin_err_t *err);

#endif
