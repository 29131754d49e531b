/* lifecycle_lessons_handlers — see lifecycle_lessons_handlers.h. Validation
 * order as in lifecycle_handlers: formats (INVALID), references
 * (NOT_FOUND), domain rules (CONFLICT). */
#include "lifecycle_lessons_handlers.h"

#include <string.h>

#include "lifecycle_access.h"
#include "lifecycle_emit.h"
#include "lifecycle_lessons.h"
#include "lifecycle_lessons_store.h"
#include "lifecycle_store.h"
#include "trin_access.h"
#include "trin_date.h"
#include "trin_id.h"

#define TEXT_MAX_BYTES 2000

#define TRY(expr)                \
  do {                           \
    if ((rc = (expr))) goto out; \
  } while (0)

static const char *nz(const char *s) { return s ? s : ""; }

/* The project named by field, which the caller may change. */
static int load_project(trin_request_t *req, trin_arena_t *a, const char *id, const char *field,
                        lifecycle_project_msg_t *p, trin_err_t *err) {
  int rc = trin_id_check(id, field, err);
  if (!rc) rc = lifecycle_store_project_get(trin_request_store(req), id, field, false, a, p, err);
  if (!rc)
    rc = trin_access_require_on(req, &lifecycle_access, p->client_org, p->partnership_id,
                                "project", p->id, field, err);
  return rc;
}

static int reply_lesson(trin_request_t *req, trin_arena_t *a, const char *type,
                        const char *project_id, lifecycle_project_event_msg_t *ev,
                        const char *lesson_project_id, const char *lesson_id, trin_err_t *err) {
  Trin__Lifecycle__LessonReply reply = TRIN__LIFECYCLE__LESSON_REPLY__INIT;
  int rc = lifecycle_emit_project(req, a, type, project_id, ev, &reply.project, &reply.seq, err);
  bool found = false;
  if (!rc)
    rc = lifecycle_lessons_store_get(trin_request_store(req), lesson_project_id, lesson_id, a,
                                     &reply.lesson, &found, err);
  if (!rc && !found)
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "the lesson just written does not read back");
  return rc ? rc : trin_request_reply(req, &reply.base, err);
}

static int record_lesson(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  (void)data;
  const Trin__Lifecycle__RecordLesson *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(load_project(req, &a, m->project_id, "project_id", &p, err));
  if (!m->lesson) TRY(trin_err_set(err, TRIN_EINVALID, "lesson", "is required"));
  lifecycle_lesson_msg_t l = *m->lesson;
  trin_date_t learned_on, start;
  TRY(trin_id_check(l.id, "lesson.id", err));
  TRY(trin_text_check(l.text, LIFECYCLE_LESSON_TEXT_MAX_BYTES, "lesson.text", err));
  if (lifecycle_lesson_category_parse(l.category, "lesson.category", err) < 0)
    TRY(TRIN_EINVALID);
  TRY(trin_date_parse(l.learned_on, &learned_on, "lesson.learned_on", err));
  TRY(trin_date_parse(p.start_date, &start, "start_date", err));
  TRY(lifecycle_lesson_check(start, learned_on, err));
  l.recorded_by = (char *)nz(trin_access_caller_org(req));
  l.project_id = p.id;
  l.n_adoptions = 0;
  TRY(lifecycle_lessons_store_put(trin_request_store(req), p.id, &l, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.lesson = &l;
  TRY(reply_lesson(req, &a, "lifecycle.lesson_recorded", p.id, &ev, p.id, l.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int adopt_lesson(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  (void)data;
  const Trin__Lifecycle__AdoptLesson *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p, src;
  TRY(load_project(req, &a, m->project_id, "project_id", &p, err));
  if (!m->adoption) TRY(trin_err_set(err, TRIN_EINVALID, "adoption", "is required"));
  lifecycle_adoption_msg_t x = *m->adoption;
  trin_date_t adopted_on, learned_on;
  TRY(trin_id_check(m->lesson_project_id, "lesson_project_id", err));
  TRY(trin_id_check(m->lesson_id, "lesson_id", err));
  TRY(trin_date_parse(x.adopted_on, &adopted_on, "adoption.adopted_on", err));
  TRY(trin_text_check_optional(x.effect, TEXT_MAX_BYTES, "adoption.effect", err));
  /* The lesson's project is read, not changed: the caller must see it (a
   * project it may not see is not there), and the rules below require the
   * two to share a partnership. */
  TRY(lifecycle_store_project_get(s, m->lesson_project_id, "lesson_project_id", false, &a, &src,
                                  err));
  if (!trin_access_request_may_see(req, src.client_org, src.partnership_id))
    TRY(trin_access_not_found(err, "lesson_project_id", "project", src.id));
  lifecycle_lesson_msg_t *l = NULL;
  bool found = false;
  TRY(lifecycle_lessons_store_get(s, src.id, m->lesson_id, &a, &l, &found, err));
  if (!found)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "lesson_id",
                     "project \"%s\" has no lesson \"%s\" (trinctl lesson list --project %s)",
                     src.id, m->lesson_id, src.id));
  TRY(trin_date_parse(l->learned_on, &learned_on, "learned_on", err));
  lifecycle_adoption_t rule = {src.id,     src.partnership_id, p.id,      p.partnership_id,
                               learned_on, adopted_on,         x.measure, x.effect_value};
  TRY(lifecycle_adoption_check(&rule, err));
  x.project_id = p.id;
  x.lesson_project_id = src.id;
  x.lesson_id = l->id;
  x.recorded_by = (char *)nz(trin_access_caller_org(req));
  TRY(lifecycle_lessons_store_adopt(s, &x, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.adoption = &x;
  TRY(reply_lesson(req, &a, "lifecycle.lesson_adopted", p.id, &ev, src.id, l->id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int list_lessons(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  (void)data;
  const Trin__Lifecycle__ListLessons *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check_optional(m->partnership_id, "partnership_id", err));
  TRY(trin_id_check_optional(m->project_id, "project_id", err));
  TRY(trin_id_check_optional(m->adopted_by, "adopted_by", err));
  if (m->category && *m->category &&
      lifecycle_lesson_category_parse(m->category, "category", err) < 0)
    TRY(TRIN_EINVALID);
  lifecycle_lesson_filter_t f = {m->partnership_id, m->project_id, m->category, m->adopted_by};
  Trin__Lifecycle__LessonList list = TRIN__LIFECYCLE__LESSON_LIST__INIT;
  TRY(lifecycle_lessons_store_list(trin_request_store(req), &f, &a, &list.lessons,
                                   &list.n_lessons, err));
  size_t n = 0; /* only those the caller may see */
  for (size_t i = 0; i < list.n_lessons; i++)
    if (trin_access_request_may_see(req, list.lessons[i]->client_org,
                                    list.lessons[i]->partnership_id))
      list.lessons[n++] = list.lessons[i];
  list.n_lessons = n;
  TRY(trin_request_reply(req, &list.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

int lifecycle_lessons_handlers_register(trin_server_t *s) {
  trin_server_handle(s, &trin__lifecycle__record_lesson__descriptor, record_lesson, NULL);
  trin_server_handle(s, &trin__lifecycle__adopt_lesson__descriptor, adopt_lesson, NULL);
  trin_server_handle(s, &trin__lifecycle__list_lessons__descriptor, list_lessons, NULL);
  return TRIN_OK;
}
