/* lifecycle_sustain_handlers — see lifecycle_sustain_handlers.h. Validation
 * order as in lifecycle_handlers: formats (INVALID), references
 * (NOT_FOUND), domain rules (CONFLICT). */
#include "lifecycle_sustain_handlers.h"

#include <string.h>

#include "lifecycle_access.h"
#include "lifecycle_emit.h"
#include "lifecycle_store.h"
#include "lifecycle_sustain.h"
#include "lifecycle_sustain_store.h"
#include "trin_access.h"
#include "trin_date.h"
#include "trin_id.h"

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 2000

#define TRY(expr)                \
  do {                           \
    if ((rc = (expr))) goto out; \
  } while (0)

static bool set(const char *s) { return s && *s; }

/* Checks the measure's formats and its own rules; fills r. */
static int measure_check(const lifecycle_sustain_measure_msg_t *m,
                         lifecycle_sustain_measure_t *r, trin_date_t *recorded_on,
                         trin_err_t *err) {
  int rc = trin_id_check(m->id, "measure.id", err);
  if (rc) return rc;
  int k = lifecycle_sustain_kind_parse(m->kind, "measure.kind", err);
  if (k < 0) return TRIN_EINVALID;
  if ((rc = trin_text_check(m->description, TEXT_MAX_BYTES, "measure.description", err)) ||
      (rc = trin_date_parse(m->recorded_on, recorded_on, "measure.recorded_on", err)) ||
      (rc = trin_text_check_optional(m->material, NAME_MAX_BYTES, "measure.material", err)) ||
      (rc = trin_id_check_optional(m->source_project_id, "measure.source_project_id", err)) ||
      (rc = trin_text_check_optional(m->source, NAME_MAX_BYTES, "measure.source", err)) ||
      (rc = trin_text_check_optional(m->co2e_method, NAME_MAX_BYTES, "measure.co2e_method",
                                     err)))
    return rc;
  memset(r, 0, sizeof *r);
  r->kind = (lifecycle_sustain_kind_t)k;
  r->material = m->material;
  r->source_project_id = m->source_project_id;
  r->co2e_method = m->co2e_method;
  r->reused_kg = m->reused_kg;
  r->reused_m2 = m->reused_m2;
  r->energy_before_x100 = m->energy_before_kwh_m2_x100;
  r->energy_expected_after_x100 = m->energy_expected_after_kwh_m2_x100;
  r->energy_measured_after_x100 = m->energy_measured_after_kwh_m2_x100;
  r->co2e_saving_x100 = m->co2e_saving_kg_m2_x100;
  rc = lifecycle_sustain_check(r, err);
  if (rc) trin_err_prefix_field(err, "measure");
  return rc;
}

/* "Reused between projects of one partnership" (seed 000, the portfolio as
 * a material bank): the source must be another project of the same
 * partnership; material from elsewhere is named in `source` instead. */
static int source_check(trin_store_t *s, trin_arena_t *a, const lifecycle_project_msg_t *p,
                        const char *source_id, trin_err_t *err) {
  const char *f = "measure.source_project_id";
  if (strcmp(source_id, p->id) == 0)
    return trin_err_set(err, TRIN_EINVALID, f,
                        "is this project itself: name the other project of the partnership "
                        "the material came from");
  lifecycle_project_msg_t src;
  int rc = lifecycle_store_project_get(s, source_id, f, false, a, &src, err);
  if (rc) return rc;
  if (!set(p->partnership_id))
    return trin_err_set(err, TRIN_ECONFLICT, f,
                        "project \"%s\" is outside any partnership: reuse between projects "
                        "counts within one partnership; say where the material came from in "
                        "measure.source",
                        p->id);
  if (strcmp(src.partnership_id, p->partnership_id) != 0)
    return trin_err_set(err, TRIN_ECONFLICT, f,
                        "project \"%s\" is not in this project's partnership (\"%s\"): reuse "
                        "between projects counts within one partnership; say where the "
                        "material came from in measure.source",
                        source_id, p->partnership_id);
  return TRIN_OK;
}

/* As lifecycle_emit_project, but the event's project carries the measure
 * just recorded as its one sustainability_measures entry: followers date
 * the change by its recorded_on (benchmark years) without asking back. */
static int emit_recorded(trin_request_t *req, trin_arena_t *a, const char *project_id,
                         lifecycle_sustain_measure_msg_t *ms, lifecycle_project_msg_t **out,
                         uint64_t *seq, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  lifecycle_project_msg_t *p = trin_arena_alloc(a, sizeof *p);
  if (!p) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = lifecycle_store_project_get(s, project_id, "project_id", false, a, p, err);
  if (rc) return rc;
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.project = p;
  p->sustainability_measures = &ms;
  p->n_sustainability_measures = 1;
  p->version = 0; /* the event's own seq is the version it makes */
  trin_event_id_t ids[2] = {{"project", p->id}, {"partnership", p->partnership_id}};
  rc = trin_request_emit(req, "lifecycle.sustainability_recorded", p->client_org, ids,
                         p->partnership_id[0] ? 2 : 1, &ev.base, seq, err);
  if (!rc) rc = lifecycle_store_set_version(s, p->id, *seq, err);
  if (rc) return rc;
  p->version = *seq;
  p->sustainability_measures = NULL; /* the reply carries the measure apart */
  p->n_sustainability_measures = 0;
  *out = p;
  return TRIN_OK;
}

static int record_sustainability(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                                 trin_err_t *err) {
  (void)data;
  const Trin__Lifecycle__RecordSustainability *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(trin_id_check(m->project_id, "project_id", err));
  TRY(lifecycle_store_project_get(s, m->project_id, "project_id", false, &a, &p, err));
  TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, p.partnership_id, "project",
                             p.id, "project_id", err));
  if (!m->measure) TRY(trin_err_set(err, TRIN_EINVALID, "measure", "is required"));
  lifecycle_sustain_measure_msg_t ms = *m->measure;
  lifecycle_sustain_measure_t r;
  trin_date_t recorded_on, start;
  TRY(measure_check(&ms, &r, &recorded_on, err));
  if (set(ms.source_project_id)) TRY(source_check(s, &a, &p, ms.source_project_id, err));
  TRY(trin_date_parse(p.start_date, &start, "start_date", err));
  TRY(trin_date_check_order(start, "the project's start date", recorded_on,
                            "measure.recorded_on", err));
  ms.between_projects = set(ms.source_project_id);
  TRY(lifecycle_sustain_store_upsert(s, p.id, &ms, err));
  lifecycle_project_msg_t *now = NULL;
  uint64_t seq = 0;
  TRY(emit_recorded(req, &a, p.id, &ms, &now, &seq, err));
  Trin__Lifecycle__SustainabilityReply reply = TRIN__LIFECYCLE__SUSTAINABILITY_REPLY__INIT;
  reply.project = now;
  reply.seq = seq;
  reply.measure = &ms;
  TRY(trin_request_reply(req, &reply.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

int lifecycle_sustain_handlers_register(trin_server_t *s) {
  trin_server_handle(s, &trin__lifecycle__record_sustainability__descriptor,
                     record_sustainability, NULL);
  return TRIN_OK;
}
