/* lifecycle_store — the lifecycle service's tables and every read and write
 * of them. Reads fill protobuf messages whose strings and arrays live in the
 * caller's arena; writes run inside the caller's transaction. */
#ifndef TRIN_LIFECYCLE_STORE_H
#define TRIN_LIFECYCLE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lifecycle_rules.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Lifecycle__Organisation lifecycle_organisation_msg_t;
typedef Trin__Lifecycle__Partnership lifecycle_partnership_msg_t;
typedef Trin__Lifecycle__Project lifecycle_project_msg_t;
typedef Trin__Lifecycle__Milestone lifecycle_milestone_msg_t;
typedef Trin__Lifecycle__Dispute lifecycle_dispute_msg_t;
typedef Trin__Lifecycle__Defect lifecycle_defect_msg_t;

int lifecycle_store_migrate(trin_store_t *s, trin_err_t *err);
/* The service's own tables at schema `version` only, nothing newer: a store
 * as an older release left it (tests of the migrations). */
int lifecycle_store_migrate_to(trin_store_t *s, int version, trin_err_t *err);

/* Every _get returns TRIN_ENOTFOUND naming `field` when the id is unknown. */

int lifecycle_store_org_insert(trin_store_t *s, const lifecycle_organisation_msg_t *o,
                               trin_err_t *err);
int lifecycle_store_org_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, lifecycle_organisation_msg_t *out, trin_err_t *err);
int lifecycle_store_org_list(trin_store_t *s, trin_arena_t *a,
                             lifecycle_organisation_msg_t ***out, size_t *n, trin_err_t *err);

/* Inserts the partnership and its client as a member with role "client". */
int lifecycle_store_partnership_insert(trin_store_t *s, const lifecycle_partnership_msg_t *p,
                                       trin_err_t *err);
/* Fills members and the derived framework_end / horizon_end. */
int lifecycle_store_partnership_get(trin_store_t *s, const char *id,
                                    const char *field, trin_arena_t *a,
                                    lifecycle_partnership_msg_t *out, trin_err_t *err);
int lifecycle_store_partnership_list(trin_store_t *s, trin_arena_t *a,
                                     lifecycle_partnership_msg_t ***out, size_t *n,
                                     trin_err_t *err);
int lifecycle_store_member_insert(trin_store_t *s, const char *partnership_id,
                                  const char *org_id, const char *role,
                                  trin_err_t *err);
int lifecycle_store_partnership_set_extension(trin_store_t *s, const char *id,
                                              int years, trin_err_t *err);

/* Inserts the project in pre_study since its start date. */
int lifecycle_store_project_insert(trin_store_t *s, const lifecycle_project_msg_t *p,
                                   trin_err_t *err);
/* with_lists also fills stages, pauses, milestones, disputes and defects. */
int lifecycle_store_project_get(trin_store_t *s, const char *id, const char *field,
                                bool with_lists, trin_arena_t *a, lifecycle_project_msg_t *out,
                                trin_err_t *err);
typedef struct {
  const char *partnership_id, *client_org, *stage; /* "" = any */
  bool outside_partnership;
} lifecycle_project_filter_t;
int lifecycle_store_project_list(trin_store_t *s, const lifecycle_project_filter_t *f,
                                 trin_arena_t *a, lifecycle_project_msg_t ***out, size_t *n,
                                 trin_err_t *err);

/* corrected_by: who corrected the stage (CorrectStage), NULL for a step. */
int lifecycle_store_set_stage(trin_store_t *s, const char *project_id,
                              const char *stage, const char *date, const char *note,
                              const char *corrected_by, trin_err_t *err);
int lifecycle_store_close_price(trin_store_t *s, const char *project_id,
                                const char *date, const char *reference,
                                trin_err_t *err);
int lifecycle_store_pause(trin_store_t *s, const char *project_id, const char *reason,
                          const char *date, const char *note, trin_err_t *err);
int lifecycle_store_resume(trin_store_t *s, const char *project_id, const char *date,
                           trin_err_t *err);

/* Inserts or replaces; a milestone named "handover" also updates the
 * project's handover columns. variance_days must already be computed. */
int lifecycle_store_milestone_upsert(trin_store_t *s, const char *project_id,
                                     const lifecycle_milestone_msg_t *m, trin_err_t *err);

int lifecycle_store_dispute_insert(trin_store_t *s, const lifecycle_dispute_msg_t *d,
                                   trin_err_t *err);
int lifecycle_store_dispute_get(trin_store_t *s, const char *id, const char *field,
                                trin_arena_t *a, lifecycle_dispute_msg_t *out, trin_err_t *err);
int lifecycle_store_dispute_escalate(trin_store_t *s, const char *id, int level,
                                     const char *date, const char *by_org,
                                     const char *note, trin_err_t *err);
int lifecycle_store_dispute_resolve(trin_store_t *s, const char *id, const char *date,
                                    const char *resolution, int64_t settled_ore,
                                    trin_err_t *err);

int lifecycle_store_defect_insert(trin_store_t *s, const char *project_id,
                                  const lifecycle_defect_msg_t *d, trin_err_t *err);
int lifecycle_store_defect_get(trin_store_t *s, const char *id, const char *field,
                               trin_arena_t *a, lifecycle_defect_msg_t *out, trin_err_t *err);
/* The contractor's report of a repair (date, the reporting organisation),
 * and the client's rejection of it (clears the report, keeps date and
 * note). */
int lifecycle_store_defect_report_fix(trin_store_t *s, const char *id, const char *date,
                                      const char *by_org, trin_err_t *err);
int lifecycle_store_defect_reject_fix(trin_store_t *s, const char *id, const char *date,
                                      const char *note, trin_err_t *err);
int lifecycle_store_defect_fix(trin_store_t *s, const char *id, const char *date,
                               trin_err_t *err);

/* ---- corrections (EditOrganisation, EditPartnership, EditProject, CorrectStage) */
int lifecycle_store_org_rename(trin_store_t *s, const char *id, const char *name,
                               trin_err_t *err);
/* Writes p's editable terms: name, economic_frame_ore, trivial_threshold_ore,
 * horizon_years, framework_start, framework_years, price_closing_point,
 * abt_starts_at. */
int lifecycle_store_partnership_update(trin_store_t *s, const lifecycle_partnership_msg_t *p,
                                       trin_err_t *err);
/* Counts and start dates of the partnership's projects. */
int lifecycle_store_partnership_projects(trin_store_t *s, const char *id,
                                         lifecycle_partnership_projects_t *out, trin_err_t *err);
/* Writes p's editable facts: name, department, municipality, dwellings,
 * gross_area_m2, kind. */
int lifecycle_store_project_update(trin_store_t *s, const lifecycle_project_msg_t *p,
                                   trin_err_t *err);
/* The date the project last entered `stage` by its stage history, in *since
 * (in a); TRIN_EINTERNAL naming "stage" when the history has no such entry. */
int lifecycle_store_stage_since(trin_store_t *s, const char *project_id, const char *stage,
                                trin_arena_t *a, char **since, trin_err_t *err);
/* How many defects the project has had reported, open or fixed. */
int lifecycle_store_defect_count(trin_store_t *s, const char *project_id, int *n,
                                 trin_err_t *err);
/* ---- lists across projects (issue 19). Rows of every project that passes
 * the filters, whoever may see them: the handler leaves out the projects the
 * caller may not read. Each row's project and item live in the arena. */
typedef Trin__Lifecycle__DisputeRow lifecycle_dispute_row_msg_t;
typedef Trin__Lifecycle__DefectRow lifecycle_defect_row_msg_t;
typedef struct {
  const char *partnership_id, *client_org, *project_id; /* NULL or "" = any */
  const char *org; /* the project's client, who raised it or escalated it */
  bool open_only;
  int min_level; /* 0 = any */
} lifecycle_dispute_filter_t;
/* Open first, highest level first, then by opening date and id; no steps. */
int lifecycle_store_dispute_list(trin_store_t *s, const lifecycle_dispute_filter_t *f,
                                 trin_arena_t *a, lifecycle_dispute_row_msg_t ***out,
                                 size_t *n, trin_err_t *err);
typedef struct {
  const char *partnership_id, *client_org, *project_id; /* NULL or "" = any */
  const char *org;      /* the project's client or the cost bearer */
  const char *severity; /* NULL or "" = any */
  bool open_only;
} lifecycle_defect_filter_t;
/* Open first, earliest due date first (none last), then report date and id. */
int lifecycle_store_defect_list(trin_store_t *s, const lifecycle_defect_filter_t *f,
                                trin_arena_t *a, lifecycle_defect_row_msg_t ***out,
                                size_t *n, trin_err_t *err);

/* ---- AB18 deadlines (issue 20, item 6). A project read by _project_get or
 * _project_list carries its handover, inspections and next deadline, a
 * dispute its arbitration deadline, a defect its § 48/§ 49 section and
 * claim limit (lifecycle_ab18 computes them from the stored dates). */
/* Records that the inspection ("1y" or "5y") was held on date; note may be
 * NULL or "". The caller checks lifecycle_inspection_check_hold first. */
int lifecycle_store_inspection_hold(trin_store_t *s, const char *project_id,
                                    const char *inspection, const char *date, const char *note,
                                    trin_err_t *err);

/* Recomputes the project's open dispute / defect counters. */
/* Records seq, the event that just changed the project, as its version. */
int lifecycle_store_set_version(trin_store_t *s, const char *project_id, uint64_t seq,
                                trin_err_t *err);
int lifecycle_store_refresh_counters(trin_store_t *s, const char *project_id,
                                     trin_err_t *err);

#endif
