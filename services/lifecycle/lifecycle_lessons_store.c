/* lifecycle_lessons_store — see lifecycle_lessons_store.h. */
#include "lifecycle_lessons_store.h"

#include <string.h>

/* A scope of its own (issue 20, item 5), numbered apart from the schema's
 * main line and the other items' scopes. An adoption names its lesson, so
 * a lesson cannot vanish from under the projects that took it up. */
static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE lessons ("
     " project_id TEXT NOT NULL REFERENCES projects(id), id TEXT NOT NULL,"
     " text TEXT NOT NULL, category TEXT NOT NULL, learned_on TEXT NOT NULL,"
     " recorded_by TEXT, PRIMARY KEY (project_id, id));"
     "CREATE TABLE lesson_adoptions ("
     " lesson_project_id TEXT NOT NULL, lesson_id TEXT NOT NULL,"
     " project_id TEXT NOT NULL REFERENCES projects(id), adopted_on TEXT NOT NULL,"
     " effect TEXT, measure TEXT, effect_value INTEGER NOT NULL, recorded_by TEXT,"
     " PRIMARY KEY (lesson_project_id, lesson_id, project_id),"
     " FOREIGN KEY (lesson_project_id, lesson_id) REFERENCES lessons(project_id, id));"
     "CREATE INDEX lesson_adoptions_by_project ON lesson_adoptions(project_id)"},
};

int lifecycle_lessons_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "lifecycle_lessons", MIGRATIONS, 1, err);
}

static const char *any(const char *s) { return s ? s : ""; }

int lifecycle_lessons_store_put(trin_store_t *s, const char *project_id,
                                const lifecycle_lesson_msg_t *l, trin_err_t *err) {
  TRIN_STMT("INSERT INTO lessons(project_id, id, text, category, learned_on, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(project_id, id) DO UPDATE SET text = excluded.text,"
            " category = excluded.category, learned_on = excluded.learned_on,"
            " recorded_by = excluded.recorded_by");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, l->id);
  trin_stmt_bind_text(st, 3, l->text);
  trin_stmt_bind_text(st, 4, l->category);
  trin_stmt_bind_text(st, 5, l->learned_on);
  trin_stmt_bind_text_or_null(st, 6, l->recorded_by);
  return trin_stmt_run(st, err);
}

int lifecycle_lessons_store_adopt(trin_store_t *s, const lifecycle_adoption_msg_t *x,
                                  trin_err_t *err) {
  TRIN_STMT("INSERT INTO lesson_adoptions(lesson_project_id, lesson_id, project_id,"
            " adopted_on, effect, measure, effect_value, recorded_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(lesson_project_id, lesson_id, project_id) DO UPDATE SET"
            " adopted_on = excluded.adopted_on, effect = excluded.effect,"
            " measure = excluded.measure, effect_value = excluded.effect_value,"
            " recorded_by = excluded.recorded_by");
  trin_stmt_bind_text(st, 1, x->lesson_project_id);
  trin_stmt_bind_text(st, 2, x->lesson_id);
  trin_stmt_bind_text(st, 3, x->project_id);
  trin_stmt_bind_text(st, 4, x->adopted_on);
  trin_stmt_bind_text_or_null(st, 5, x->effect);
  trin_stmt_bind_text_or_null(st, 6, x->measure);
  trin_stmt_bind_int64(st, 7, x->effect_value);
  trin_stmt_bind_text_or_null(st, 8, x->recorded_by);
  return trin_stmt_run(st, err);
}

static const char SQL_COUNTS[] = "SELECT (SELECT COUNT(*) FROM lessons WHERE project_id = ?1),"
                                 " (SELECT COUNT(*) FROM lesson_adoptions WHERE project_id = ?1)";

int lifecycle_lessons_store_prefetch(trin_store_t *s, const char *project_id,
                                     trin_err_t *err) {
  TRIN_STMT(SQL_COUNTS);
  int rc = trin_stmt_bind_text(st, 1, project_id);
  return rc ? rc : trin_stmt_prefetch(st, err);
}

int lifecycle_lessons_store_fill(trin_store_t *s, Trin__Lifecycle__Project *p,
                                 trin_err_t *err) {
  TRIN_STMT(SQL_COUNTS);
  trin_stmt_bind_text(st, 1, p->id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    p->lessons = (int32_t)trin_stmt_int64(st, 0);
    p->lessons_adopted = (int32_t)trin_stmt_int64(st, 1);
    rc = TRIN_OK;
  } else if (rc == TRIN_OK) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "counting a project's lessons returned no row");
  }
  trin_stmt_reset(st);
  return rc;
}

/* The adoptions of the lessons in ls[0..n) (adopted_by: only that
 * project's), attached to their lessons by date. */
static int load_adoptions(trin_store_t *s, const char *adopted_by, trin_arena_t *a,
                          lifecycle_lesson_msg_t **ls, size_t n, trin_err_t *err) {
  TRIN_STMT("SELECT project_id, adopted_on, effect, measure, effect_value, recorded_by"
            " FROM lesson_adoptions WHERE lesson_project_id = ?1 AND lesson_id = ?2"
            " AND (?3 = '' OR project_id = ?3) ORDER BY adopted_on, project_id");
  int rc = TRIN_OK;
  for (size_t i = 0; rc == TRIN_OK && i < n; i++) {
    lifecycle_lesson_msg_t *l = ls[i];
    trin_stmt_bind_text(st, 1, l->project_id);
    trin_stmt_bind_text(st, 2, l->id);
    trin_stmt_bind_text(st, 3, any(adopted_by));
    trin_arena_vec_t v = {0};
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      lifecycle_adoption_msg_t *x = trin_arena_alloc(a, sizeof *x);
      if (!x || (rc = trin_arena_vec_push(a, &v, x, err))) break;
      trin__lifecycle__lesson_adoption__init(x);
      x->project_id = trin_stmt_text_dup(st, 0, a);
      x->adopted_on = trin_stmt_text_dup(st, 1, a);
      x->effect = trin_stmt_text_dup(st, 2, a);
      x->measure = trin_stmt_text_dup(st, 3, a);
      x->effect_value = trin_stmt_int64(st, 4);
      x->recorded_by = trin_stmt_text_dup(st, 5, a);
      x->lesson_project_id = l->project_id;
      x->lesson_id = l->id;
    }
    trin_stmt_reset(st);
    if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    l->adoptions = (lifecycle_adoption_msg_t **)v.items;
    l->n_adoptions = v.n;
  }
  return rc;
}

int lifecycle_lessons_store_list(trin_store_t *s, const lifecycle_lesson_filter_t *f,
                                 trin_arena_t *a, lifecycle_lesson_msg_t ***out, size_t *n,
                                 trin_err_t *err) {
  /* "? = ''" short-circuits an unset filter, as in the other lists. */
  TRIN_STMT("SELECT l.project_id, l.id, l.text, l.category, l.learned_on, l.recorded_by,"
            " COALESCE(p.partnership_id, ''), p.client_org"
            " FROM lessons l JOIN projects p ON p.id = l.project_id"
            " WHERE (?1 = '' OR p.partnership_id = ?1)"
            " AND (?2 = '' OR l.project_id = ?2)"
            " AND (?3 = '' OR l.category = ?3)"
            " AND (?4 = '' OR EXISTS (SELECT 1 FROM lesson_adoptions x"
            "   WHERE x.lesson_project_id = l.project_id AND x.lesson_id = l.id"
            "   AND x.project_id = ?4))"
            " ORDER BY l.learned_on, l.project_id, l.id");
  trin_stmt_bind_text(st, 1, any(f->partnership_id));
  trin_stmt_bind_text(st, 2, any(f->project_id));
  trin_stmt_bind_text(st, 3, any(f->category));
  trin_stmt_bind_text(st, 4, any(f->adopted_by));
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_lesson_msg_t *l = trin_arena_alloc(a, sizeof *l);
    if (!l || (rc = trin_arena_vec_push(a, &v, l, err))) break;
    trin__lifecycle__lesson__init(l);
    l->project_id = trin_stmt_text_dup(st, 0, a);
    l->id = trin_stmt_text_dup(st, 1, a);
    l->text = trin_stmt_text_dup(st, 2, a);
    l->category = trin_stmt_text_dup(st, 3, a);
    l->learned_on = trin_stmt_text_dup(st, 4, a);
    l->recorded_by = trin_stmt_text_dup(st, 5, a);
    l->partnership_id = trin_stmt_text_dup(st, 6, a);
    l->client_org = trin_stmt_text_dup(st, 7, a);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (lifecycle_lesson_msg_t **)v.items;
  *n = v.n;
  return rc ? rc : load_adoptions(s, f->adopted_by, a, *out, *n, err);
}

int lifecycle_lessons_store_get(trin_store_t *s, const char *project_id, const char *id,
                                trin_arena_t *a, lifecycle_lesson_msg_t **out, bool *found,
                                trin_err_t *err) {
  lifecycle_lesson_filter_t f = {NULL, project_id, NULL, NULL};
  lifecycle_lesson_msg_t **ls = NULL;
  size_t n = 0;
  *found = false;
  int rc = lifecycle_lessons_store_list(s, &f, a, &ls, &n, err);
  for (size_t i = 0; rc == TRIN_OK && i < n; i++)
    if (strcmp(ls[i]->id, id) == 0) {
      *out = ls[i];
      *found = true;
    }
  return rc;
}
