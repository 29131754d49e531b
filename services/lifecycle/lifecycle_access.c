/* lifecycle_access — see lifecycle_access.h. */
#include "lifecycle_access.h"

#include <stdlib.h>

#define R(role) TRIN_ROLE_BIT(TRIN_ROLE_##role)
/* Everyone who works in a partnership reads it; resident committees only
 * answer surveys (survey service). */
#define READERS (R(READER) | R(WRITER) | R(CALCULATOR) | R(ADVISOR) | R(SERVICE))
#define ADMIN_ONLY 0u

static const trin_access_rule_t RULES[] = {
    /* organisations: created by the operator; the directory is public to keys */
    {"trin.lifecycle.CreateOrganisation", ADMIN_ONLY, TRIN_SCOPE_ANY},
    {"trin.lifecycle.ListOrganisations", READERS, TRIN_SCOPE_ANY},
    /* partnerships: the client's writers manage them; members read them */
    {"trin.lifecycle.CreatePartnership", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.AddMember", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.ExtendFramework", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.GetPartnership", READERS, TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.ListPartnerships", READERS, TRIN_SCOPE_MEMBER}, /* filtered */
    /* projects: the client's writers drive stages, pauses and price closing */
    {"trin.lifecycle.CreateProject", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.AdvanceStage", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.ClosePrice", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.PauseProject", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.ResumeProject", R(WRITER), TRIN_SCOPE_OWN},
    /* design milestones: the partnership's advisors (and writers) */
    {"trin.lifecycle.SetMilestone", R(ADVISOR) | R(WRITER), TRIN_SCOPE_MEMBER},
    /* disputes and defects: raised by any working member; the client resolves */
    {"trin.lifecycle.OpenDispute", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.EscalateDispute", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.ResolveDispute", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.ReportDefect", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.FixDefect", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    /* reading projects: members of the project's partnership */
    {"trin.lifecycle.GetProject", READERS, TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.ListProjects", READERS, TRIN_SCOPE_MEMBER}, /* filtered */
    /* corrections (issue 19): whoever may create a thing may correct it — the
     * operator an organisation, the client's writers a partnership or a
     * project and its stage */
    {"trin.lifecycle.EditOrganisation", ADMIN_ONLY, TRIN_SCOPE_ANY},
    {"trin.lifecycle.EditPartnership", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.EditProject", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.CorrectStage", R(WRITER), TRIN_SCOPE_OWN},
    /* lists across partnerships (issue 19): readers, filtered like ListProjects */
    {"trin.lifecycle.ListDisputes", READERS, TRIN_SCOPE_MEMBER}, /* filtered */
    {"trin.lifecycle.ListDefects", READERS, TRIN_SCOPE_MEMBER}, /* filtered */
    /* a repair the contractor reported (FixDefect): the client confirms or
     * rejects it (AB18: the bygherre accepts the remedy) */
    {"trin.lifecycle.ConfirmDefectFix", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.RejectDefectFix", R(WRITER), TRIN_SCOPE_OWN},
    /* rehousing (issue 20, item 4): the client plans it and moves its own
     * residents (the housing company's business, not the contractor's) */
    {"trin.lifecycle.SetRehousingPlan", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.lifecycle.RecordRehousingMove", R(WRITER), TRIN_SCOPE_OWN},
    /* item 6, AB18 deadlines: the client calls the 1- and 5-year
     * inspections, so its writers record them held */
    {"trin.lifecycle.HoldInspection", R(WRITER), TRIN_SCOPE_OWN},
    /* sustainability and reuse (issue 20, item 3): the client's writers
     * record the project's measures, as they keep its other facts */
    {"trin.lifecycle.RecordSustainability", R(WRITER), TRIN_SCOPE_OWN},
    /* lessons learned (issue 20, item 5): learned on site as much as in the
     * client's office, so every member that takes part in the project
     * records a lesson and its project's adoptions; readers list them */
    {"trin.lifecycle.RecordLesson", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.AdoptLesson", R(WRITER) | R(CALCULATOR) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    {"trin.lifecycle.ListLessons", READERS, TRIN_SCOPE_MEMBER}, /* filtered */
};

/* What each request does, for refusals and docs/roles.md (a request added
 * above gets a line here too; without one it is named by its full name). */
static const trin_access_words_t WORDS[] = {
    {"trin.lifecycle.CreateOrganisation", "create an organisation"},
    {"trin.lifecycle.ListOrganisations", "list the organisations"},
    {"trin.lifecycle.CreatePartnership", "create a partnership"},
    {"trin.lifecycle.AddMember", "add a member to a partnership"},
    {"trin.lifecycle.ExtendFramework", "extend a partnership's framework term"},
    {"trin.lifecycle.GetPartnership", "read a partnership"},
    {"trin.lifecycle.ListPartnerships", "list partnerships"},
    {"trin.lifecycle.CreateProject", "create a project"},
    {"trin.lifecycle.AdvanceStage", "advance a project's stage"},
    {"trin.lifecycle.ClosePrice", "record a project's price as closed"},
    {"trin.lifecycle.PauseProject", "pause a project"},
    {"trin.lifecycle.ResumeProject", "resume a project"},
    {"trin.lifecycle.SetMilestone", "set a project's milestone"},
    {"trin.lifecycle.OpenDispute", "open a dispute"},
    {"trin.lifecycle.EscalateDispute", "escalate a dispute"},
    {"trin.lifecycle.ResolveDispute", "resolve a dispute"},
    {"trin.lifecycle.ReportDefect", "report a defect"},
    {"trin.lifecycle.FixDefect", "mark a defect fixed (the client) or report it remedied"},
    {"trin.lifecycle.GetProject", "read a project"},
    {"trin.lifecycle.ListProjects", "list projects"},
    {"trin.lifecycle.ConfirmDefectFix", "confirm a defect's repair"},
    {"trin.lifecycle.RejectDefectFix", "reject a defect's repair"},
    {"trin.lifecycle.EditOrganisation", "rename an organisation"},
    {"trin.lifecycle.EditPartnership", "correct a partnership's terms"},
    {"trin.lifecycle.EditProject", "correct a project's facts"},
    {"trin.lifecycle.CorrectStage", "undo a stage advanced by mistake"},
    {"trin.lifecycle.ListDisputes", "list disputes across partnerships"},
    {"trin.lifecycle.ListDefects", "list defects across partnerships"},
    /* rehousing (issue 20, item 4) */
    {"trin.lifecycle.SetRehousingPlan", "record a project's rehousing plan"},
    {"trin.lifecycle.RecordRehousingMove", "record households rehoused or moved back"},
    /* item 6: AB18 deadlines */
    {"trin.lifecycle.HoldInspection", "record a 1- or 5-year inspection as held"},
    /* sustainability and reuse (issue 20, item 3) */
    {"trin.lifecycle.RecordSustainability", "record a project's sustainability measure"},
    /* lessons learned (issue 20, item 5) */
    {"trin.lifecycle.RecordLesson", "record a lesson learned in a project"},
    {"trin.lifecycle.AdoptLesson", "record that a project adopted another project's lesson"},
    {"trin.lifecycle.ListLessons", "list lessons learned and their adoptions"},
};

const trin_access_table_t lifecycle_access = {"lifecycle", RULES, sizeof RULES / sizeof *RULES,
                                              WORDS, sizeof WORDS / sizeof *WORDS};

/* A store from before access control: lifecycle is where partnerships and
 * projects are born, so its own tables are the truth to copy — once, as a
 * migration of its own (on a new store it copies nothing). */
static const trin_migration_t BACKFILL[] = {
    {1,
     "INSERT INTO access_partnerships (partnership_id, client_org)"
     " SELECT id, client_org FROM partnerships;"
     "INSERT INTO access_members (partnership_id, org, kind)"
     " SELECT partnership_id, org_id, role FROM partnership_members;"
     "INSERT INTO access_projects (project_id, client_org, partnership_id)"
     " SELECT id, client_org, COALESCE(partnership_id, '') FROM projects;"},
};

int lifecycle_access_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_access_migrate(s, err);
  if (!rc) rc = trin_store_migrate(s, "lifecycle_access", BACKFILL, 1, err);
  return rc;
}

int lifecycle_access_put_partnership(trin_store_t *s, const Trin__Lifecycle__Partnership *p,
                                     trin_err_t *err) {
  trin_access_member_t *m = calloc(p->n_members + 1, sizeof *m);
  if (!m) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; i < p->n_members; i++) {
    m[i].org = p->members[i]->org_id;
    m[i].kind = p->members[i]->role;
  }
  int rc = trin_access_put_partnership(s, p->id, p->client_org, m, p->n_members, err);
  free(m);
  return rc;
}
