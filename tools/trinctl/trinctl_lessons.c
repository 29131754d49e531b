/* trinctl_lessons — see trinctl_lessons.h. Output in Danish, the
 * partnership's own words for the categories. */
#include "trinctl_lessons.h"

#include <inttypes.h>
#include <string.h>

#include "lifecycle_lessons.h"
#include "trin_codec.h"
#include "trinctl_lifecycle.h"
#include "trinctl_print.h"

/* Danish for lifecycle_lesson_category_words, in its order. */
static const char *const CATEGORY_DA[LIFECYCLE_LESSON_CATEGORY_COUNT + 1] = {
    "proces",   "samarbejde", "beboere",  "genhusning", "teknik",        "materialer",
    "økonomi",  "tid",        "kvalitet", "sikkerhed",  "bæredygtighed", NULL};

static const char *category_da(const char *w) {
  for (int i = 0; lifecycle_lesson_category_words[i]; i++)
    if (strcmp(w, lifecycle_lesson_category_words[i]) == 0) return CATEGORY_DA[i];
  return w;
}

/* A measured effect as people read it: "−14 dage tidsafvigelse". */
static const char *effect_value(const Trin__Lifecycle__LessonAdoption *x, char *buf,
                                size_t size) {
  char n[TRINCTL_NUM_BUF];
  const char *m = x->measure;
  if (!m || !*m) buf[0] = '\0';
  else if (strcmp(m, "drift_bp") == 0)
    snprintf(buf, size, "%s %%-point budgetafvigelse", trinctl_num(x->effect_value, 2, n));
  else if (strcmp(m, "schedule_variance_days") == 0)
    snprintf(buf, size, "%s dage tidsafvigelse", trinctl_num(x->effect_value, 0, n));
  else if (strcmp(m, "cost_per_dwelling_ore") == 0)
    snprintf(buf, size, "%s kr. pr. bolig", trinctl_num(x->effect_value, 2, n));
  else if (strcmp(m, "satisfaction_x100") == 0)
    snprintf(buf, size, "%s i tilfredshed", trinctl_num(x->effect_value, 2, n));
  else
    snprintf(buf, size, "%" PRId64 " %s", x->effect_value, m);
  return buf;
}

const trinctl_opt_t trinctl_lesson_record_opts[] = {
    OPT_TEXT("id", true, "lesson.id", "ID", "the lesson's id in the project (again to correct it)"),
    OPT_TEXT("text", true, "lesson.text", "T", "what was learned"),
    OPT_CHOICE("category", true, "lesson.category", "C", lifecycle_lesson_category_words,
               "what it is about (quality: kvalitet, fejl og mangler)"),
    OPT_DATE("date", true, "lesson.learned_on", "when it was learned"),
    OPT_END};

const trinctl_opt_t trinctl_lesson_adopt_opts[] = {
    OPT_TEXT("from", true, "lesson_project_id", "PROJECT",
             "the project of the same partnership the lesson was learned in"),
    OPT_TEXT("lesson", true, "lesson_id", "ID", "the lesson's id in that project"),
    OPT_DATE("date", true, "adoption.adopted_on", "when this project adopted it"),
    OPT_TEXT("effect", false, "adoption.effect", "T", "the effect in words"),
    OPT_CHOICE("measure", false, "adoption.measure", "M", lifecycle_lesson_measure_words,
               "the measure a measured effect changed"),
    OPT_INT("value", false, "adoption.effect_value", INT64_MIN + 1, INT64_MAX,
            "the measured change in the measure's unit (e.g. --value=-14 days); needs --measure"),
    OPT_END};

const trinctl_opt_t trinctl_lesson_list_opts[] = {
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's lessons"),
    OPT_TEXT("project", false, "project_id", "ID", "only lessons learned in this project"),
    OPT_CHOICE("category", false, "category", "C", lifecycle_lesson_category_words, "only this category"),
    OPT_TEXT("adopted-by", false, "adopted_by", "ID", "only lessons this project adopted"),
    OPT_END};

static void print_lesson(FILE *f, const Trin__Lifecycle__Lesson *l) {
  char d[TRINCTL_DA_DATE_BUF], e[128];
  fprintf(f, "%s/%s  %s  %s  (registreret af %s)\n", l->project_id, l->id,
          trinctl_da_date(l->learned_on, d), category_da(l->category),
          *l->recorded_by ? l->recorded_by : "operatøren");
  fprintf(f, "  %s\n", l->text);
  if (!l->n_adoptions) {
    fprintf(f, "  endnu ikke overtaget af andre projekter\n");
    return;
  }
  for (size_t i = 0; i < l->n_adoptions; i++) {
    const Trin__Lifecycle__LessonAdoption *x = l->adoptions[i];
    fprintf(f, "  overtaget af %s %s", x->project_id, trinctl_da_date(x->adopted_on, d));
    if (*x->measure) fprintf(f, ": målt %s", effect_value(x, e, sizeof e));
    if (*x->effect) fprintf(f, "%s%s", *x->measure ? " — " : ": ", x->effect);
    fputc('\n', f);
  }
}

static int reply(trinctl_ctx_t *ctx, Trin__Lifecycle__LessonReply *r, const char *what) {
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
    trinctl_json_message(&j, &r->base);
    fputc('\n', ctx->out);
    return TRINCTL_EXIT_OK;
  }
  if (!r->project || !r->lesson) {
    trin_err_set(&ctx->err, TRIN_EDECODE, "lesson", "the reply carries no lesson");
    return TRINCTL_EXIT_REFUSED;
  }
  fprintf(ctx->out, "%s: %s", r->project->id, what);
  if (r->seq) fprintf(ctx->out, " (event %" PRIu64 ")", r->seq);
  fputc('\n', ctx->out);
  print_lesson(ctx->out, r->lesson);
  fprintf(ctx->out, "%s har nu %d %s registreret og %d overtaget fra andre projekter\n",
          r->project->id, r->project->lessons, r->project->lessons == 1 ? "erfaring" : "erfaringer",
          r->project->lessons_adopted);
  return TRINCTL_EXIT_OK;
}

int trinctl_lesson_run_record(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Lesson l = TRIN__LIFECYCLE__LESSON__INIT;
  l.id = (char *)trinctl_args_str(a, "id");
  l.text = (char *)trinctl_args_str(a, "text");
  l.category = (char *)trinctl_args_str(a, "category");
  l.learned_on = (char *)trinctl_args_str(a, "date");
  Trin__Lifecycle__RecordLesson req = TRIN__LIFECYCLE__RECORD_LESSON__INIT;
  req.project_id = (char *)a->arg;
  req.lesson = &l;
  Trin__Lifecycle__LessonReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__lesson_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  rc = reply(ctx, r, "erfaring registreret");
  trin_codec_free(r);
  return rc;
}

int trinctl_lesson_run_adopt(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__LessonAdoption x = TRIN__LIFECYCLE__LESSON_ADOPTION__INIT;
  x.adopted_on = (char *)trinctl_args_str(a, "date");
  x.effect = (char *)trinctl_args_str(a, "effect");
  x.measure = (char *)trinctl_args_str(a, "measure");
  x.effect_value = trinctl_args_num(a, "value");
  Trin__Lifecycle__AdoptLesson req = TRIN__LIFECYCLE__ADOPT_LESSON__INIT;
  req.project_id = (char *)a->arg;
  req.lesson_project_id = (char *)trinctl_args_str(a, "from");
  req.lesson_id = (char *)trinctl_args_str(a, "lesson");
  req.adoption = &x;
  Trin__Lifecycle__LessonReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__lesson_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  rc = reply(ctx, r, "erfaring overtaget");
  trin_codec_free(r);
  return rc;
}

int trinctl_lesson_run_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListLessons req = TRIN__LIFECYCLE__LIST_LESSONS__INIT;
  req.partnership_id = (char *)trinctl_args_str(a, "partnership");
  req.project_id = (char *)trinctl_args_str(a, "project");
  req.category = (char *)trinctl_args_str(a, "category");
  req.adopted_by = (char *)trinctl_args_str(a, "adopted-by");
  Trin__Lifecycle__LessonList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__lesson_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
    trinctl_json_repeated(&j, &r->base, "lessons");
    fputc('\n', ctx->out);
  } else if (!r->n_lessons) {
    fprintf(ctx->out, "ingen erfaringer\n");
  } else {
    size_t adopted = 0;
    for (size_t i = 0; i < r->n_lessons; i++) {
      if (i) fputc('\n', ctx->out);
      print_lesson(ctx->out, r->lessons[i]);
      adopted += r->lessons[i]->n_adoptions > 0;
    }
    fprintf(ctx->out, "\n%zu %s, %zu overtaget af andre projekter\n", r->n_lessons,
            r->n_lessons == 1 ? "erfaring" : "erfaringer", adopted);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

void trinctl_lessons_print(FILE *f, const Trin__Lifecycle__Project *p) {
  fprintf(f, "\nErfaringer\n");
  fprintf(f, "  registreret i projektet          %d\n", p->lessons);
  fprintf(f, "  overtaget fra andre projekter    %d\n", p->lessons_adopted);
}
