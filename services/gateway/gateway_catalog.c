/* gateway_catalog — see gateway_catalog.h.
 *
 * Two tables are written by hand, and neither names a request's fields:
 * which proto services each trin service answers (the wiring), and the
 * resource-shaped paths people expect for the everyday requests. A path
 * names request fields in braces; a route whose request or field does not
 * exist in the descriptors is dropped at start with a warning, so the table
 * cannot drift silently from the contract. */
#include "gateway_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_json.h"
#include "trin/aggregator.pb-c.h"
#include "trin/benchmark.pb-c.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/metrics.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin/token.pb-c.h"
#include "trin_log.h"

#define MAX_PROTO_SERVICES 4

typedef struct {
  const char *service;
  const ProtobufCServiceDescriptor *protos[MAX_PROTO_SERVICES];
} wiring_t;

/* Which proto services each trin service answers. CommonService
 * (EventsSince, AuditSince, Ping, Describe) and Metrics are answered by
 * every one; the gateway's own requests are its personal tokens. */
static const wiring_t WIRING[] = {
    {"lifecycle",
     {&trin__lifecycle__lifecycle_service__descriptor, &trin__common_service__descriptor,
      &trin__metrics__metrics__descriptor}},
    {"budget",
     {&trin__budget__budget_service__descriptor, &trin__common_service__descriptor,
      &trin__metrics__metrics__descriptor}},
    {"survey",
     {&trin__survey__survey_service__descriptor, &trin__token__token_service__descriptor,
      &trin__common_service__descriptor, &trin__metrics__metrics__descriptor}},
    {"benchmark",
     {&trin__benchmark__benchmark_service__descriptor, &trin__common_service__descriptor,
      &trin__metrics__metrics__descriptor}},
    {"aggregator",
     {&trin__aggregator__aggregator_service__descriptor, &trin__token__token_service__descriptor,
      &trin__common_service__descriptor, &trin__metrics__metrics__descriptor}},
    {"gateway",
     {&trin__token__token_service__descriptor, &trin__common_service__descriptor,
      &trin__metrics__metrics__descriptor}},
};
#define NWIRING (sizeof WIRING / sizeof *WIRING)

static const char *const SERVICE_NAMES[] = {"lifecycle", "budget",     "survey",
                                            "benchmark", "aggregator", "gateway", NULL};

typedef struct {
  const char *request;  /* full name */
  const char *method;
  const char *path;
} route_t;

/* The everyday reads and writes as a person would guess them. Every
 * request is also reachable as POST /api/v1/{service}/{name}. */
static const route_t ROUTES[] = {
    /* lifecycle */
    {"trin.lifecycle.ListOrganisations", "GET", "/api/v1/organisations"},
    {"trin.lifecycle.CreateOrganisation", "POST", "/api/v1/organisations"},
    {"trin.lifecycle.ListPartnerships", "GET", "/api/v1/partnerships"},
    {"trin.lifecycle.CreatePartnership", "POST", "/api/v1/partnerships"},
    {"trin.lifecycle.GetPartnership", "GET", "/api/v1/partnerships/{partnership_id}"},
    {"trin.lifecycle.AddMember", "POST", "/api/v1/partnerships/{partnership_id}/members"},
    {"trin.lifecycle.ExtendFramework", "POST", "/api/v1/partnerships/{partnership_id}/extension"},
    {"trin.lifecycle.ListProjects", "GET", "/api/v1/projects"},
    {"trin.lifecycle.CreateProject", "POST", "/api/v1/projects"},
    {"trin.lifecycle.GetProject", "GET", "/api/v1/projects/{project_id}"},
    {"trin.lifecycle.AdvanceStage", "POST", "/api/v1/projects/{project_id}/stage"},
    {"trin.lifecycle.ClosePrice", "POST", "/api/v1/projects/{project_id}/price-closing"},
    {"trin.lifecycle.PauseProject", "POST", "/api/v1/projects/{project_id}/pause"},
    {"trin.lifecycle.ResumeProject", "POST", "/api/v1/projects/{project_id}/resume"},
    {"trin.lifecycle.SetMilestone", "POST", "/api/v1/projects/{project_id}/milestones"},
    {"trin.lifecycle.OpenDispute", "POST", "/api/v1/projects/{project_id}/disputes"},
    {"trin.lifecycle.EscalateDispute", "POST", "/api/v1/disputes/{dispute_id}/escalation"},
    {"trin.lifecycle.ResolveDispute", "POST", "/api/v1/disputes/{dispute_id}/resolution"},
    {"trin.lifecycle.ReportDefect", "POST", "/api/v1/projects/{project_id}/defects"},
    {"trin.lifecycle.FixDefect", "POST", "/api/v1/defects/{defect_id}/fix"},
    /* lifecycle corrections (issue 19) */
    {"trin.lifecycle.EditOrganisation", "POST",
     "/api/v1/organisations/{organisation_id}/correction"},
    {"trin.lifecycle.EditPartnership", "POST",
     "/api/v1/partnerships/{partnership_id}/correction"},
    {"trin.lifecycle.EditProject", "POST", "/api/v1/projects/{project_id}/correction"},
    {"trin.lifecycle.CorrectStage", "POST", "/api/v1/projects/{project_id}/stage-correction"},
    /* budget */
    {"trin.budget.ListBudgets", "GET", "/api/v1/projects/{project_id}/budgets"},
    {"trin.budget.CreateBudget", "POST", "/api/v1/budgets"},
    {"trin.budget.GetBudget", "GET", "/api/v1/budgets/{budget_id}"},
    {"trin.budget.SetBudgetLine", "POST", "/api/v1/budgets/{budget_id}/lines"},
    {"trin.budget.RemoveBudgetLine", "DELETE", "/api/v1/budgets/{budget_id}/lines/{line_id}"},
    {"trin.budget.SubmitBudget", "POST", "/api/v1/budgets/{budget_id}/submit"},
    {"trin.budget.ApproveBudget", "POST", "/api/v1/budgets/{budget_id}/approve"},
    {"trin.budget.WithdrawBudget", "POST", "/api/v1/budgets/{budget_id}/withdraw"},
    {"trin.budget.ReopenBudget", "POST", "/api/v1/budgets/{budget_id}/reopen"},
    {"trin.budget.VerifyMolio", "GET", "/api/v1/budgets/{budget_id}/molio"},
    {"trin.budget.GetProjectEconomy", "GET", "/api/v1/projects/{project_id}/economy"},
    {"trin.budget.GetDrift", "GET", "/api/v1/projects/{project_id}/drift"},
    {"trin.budget.GetEconomicModel", "GET", "/api/v1/partnerships/{partnership_id}/economic-model"},
    {"trin.budget.GetTurnoverSplit", "GET", "/api/v1/partnerships/{partnership_id}/turnover"},
    {"trin.budget.GetIndexSeries", "GET", "/api/v1/index-series/{series}"},
    {"trin.budget.AddIndexPoints", "POST", "/api/v1/index-series/{series}/points"},
    /* survey */
    {"trin.survey.ListSurveys", "GET", "/api/v1/surveys"},
    {"trin.survey.CreateSurvey", "POST", "/api/v1/surveys"},
    {"trin.survey.GetSurvey", "GET", "/api/v1/surveys/{survey_id}"},
    {"trin.survey.AddRound", "POST", "/api/v1/surveys/{survey_id}/rounds"},
    {"trin.survey.ImportResponses", "POST", "/api/v1/surveys/{survey_id}/responses"},
    {"trin.survey.GetResults", "GET", "/api/v1/surveys/{survey_id}/results"},
    /* benchmark */
    {"trin.benchmark.ListFigures", "GET", "/api/v1/benchmark/figures"},
    {"trin.benchmark.QueryFigure", "GET", "/api/v1/benchmark/figure"},
    {"trin.benchmark.QueryHistory", "GET", "/api/v1/benchmark/history"},
    {"trin.benchmark.GetProperty", "GET", "/api/v1/properties/{property_id}"},
    {"trin.benchmark.SetProperty", "POST", "/api/v1/properties"},
    {"trin.benchmark.SetMeasure", "POST", "/api/v1/benchmark/measures"},
    /* lists across partnerships (issue 19); their filters are query parameters */
    {"trin.lifecycle.ListDisputes", "GET", "/api/v1/disputes"},
    {"trin.lifecycle.ListDefects", "GET", "/api/v1/defects"},
    {"trin.budget.ListIndexSeries", "GET", "/api/v1/index-series"},
    {"trin.benchmark.ListProperties", "GET", "/api/v1/properties"},
    /* lifecycle: the client's answer to a repair the contractor reported */
    {"trin.lifecycle.ConfirmDefectFix", "POST", "/api/v1/defects/{defect_id}/confirmation"},
    {"trin.lifecycle.RejectDefectFix", "POST", "/api/v1/defects/{defect_id}/rejection"},
    /* survey: exports as they come (issue 20, item 7) */
    {"trin.survey.SetImportMapping", "POST", "/api/v1/surveys/{survey_id}/import-mapping"},
    {"trin.survey.GetImportMapping", "GET", "/api/v1/surveys/{survey_id}/import-mapping"},
    /* lifecycle: rehousing and moving back (issue 20, item 4) */
    {"trin.lifecycle.SetRehousingPlan", "POST", "/api/v1/projects/{project_id}/rehousing-plan"},
    {"trin.lifecycle.RecordRehousingMove", "POST",
     "/api/v1/projects/{project_id}/rehousing-moves"},
    /* item 6, AB18 deadlines: the 1- or 5-year inspection held */
    {"trin.lifecycle.HoldInspection", "POST", "/api/v1/projects/{project_id}/inspections"},
    /* lifecycle: sustainability and reuse (issue 20, item 3) */
    {"trin.lifecycle.RecordSustainability", "POST",
     "/api/v1/projects/{project_id}/sustainability"},
    /* lifecycle: lessons learned (issue 20, item 5) */
    {"trin.lifecycle.RecordLesson", "POST", "/api/v1/projects/{project_id}/lessons"},
    {"trin.lifecycle.AdoptLesson", "POST", "/api/v1/projects/{project_id}/lesson-adoptions"},
    {"trin.lifecycle.ListLessons", "GET", "/api/v1/lessons"},
};
#define NROUTES (sizeof ROUTES / sizeof *ROUTES)

/* Reads by their verb; anything else changes state (and needs api:write).
 * A new request that reads under another verb is treated as a write: the
 * stricter side. */
static bool reads(const char *name) {
  static const char *const verbs[] = {"Get",      "List",     "Query",       "Compare",
                                      "Verify",   "Calculate", "Describe",   "Ping",
                                      "EventsSince", "AuditSince", "GetMetrics", NULL};
  for (int i = 0; verbs[i]; i++)
    if (strncmp(name, verbs[i], strlen(verbs[i])) == 0) return true;
  return false;
}

struct gateway_catalog {
  gateway_operation_t *ops;
  size_t nops;
  /* Rules as described by each service; strings owned here. */
  char **owned;
  size_t nowned, cap_owned;
  bool described[NWIRING];
};

static char *own(gateway_catalog_t *c, const char *s) {
  if (c->nowned == c->cap_owned) {
    size_t cap = c->cap_owned ? c->cap_owned * 2 : 64;
    char **p = realloc(c->owned, cap * sizeof *p);
    if (!p) return NULL;
    c->owned = p;
    c->cap_owned = cap;
  }
  char *d = strdup(s);
  if (d) c->owned[c->nowned++] = d;
  return d;
}

/* Every {field} of path names a top-level field of the request. */
static bool path_fits(const char *path, const ProtobufCMessageDescriptor *d) {
  for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
    const char *e = strchr(p, '}');
    char name[64];
    if (!e || (size_t)(e - p - 1) >= sizeof name) return false;
    memcpy(name, p + 1, (size_t)(e - p - 1));
    name[e - p - 1] = '\0';
    if (!protobuf_c_message_descriptor_get_field_by_name(d, name)) return false;
  }
  return true;
}

int gateway_catalog_new(gateway_catalog_t **out, trin_err_t *err) {
  *out = NULL;
  gateway_catalog_t *c = calloc(1, sizeof *c);
  size_t n = 0;
  for (size_t w = 0; w < NWIRING; w++)
    for (int k = 0; k < MAX_PROTO_SERVICES && WIRING[w].protos[k]; k++)
      n += WIRING[w].protos[k]->n_methods;
  if (c) c->ops = calloc(n, sizeof *c->ops);
  if (!c || !c->ops) {
    gateway_catalog_destroy(&c);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  for (size_t w = 0; w < NWIRING; w++)
    for (int k = 0; k < MAX_PROTO_SERVICES && WIRING[w].protos[k]; k++) {
      const ProtobufCServiceDescriptor *sd = WIRING[w].protos[k];
      for (unsigned m = 0; m < sd->n_methods; m++) {
        gateway_operation_t *o = &c->ops[c->nops++];
        o->service = WIRING[w].service;
        o->name = sd->methods[m].name;
        o->input = sd->methods[m].input;
        o->output = sd->methods[m].output;
        o->request = o->input->name;
        o->writes = !reads(o->name);
        o->admin_only = strcmp(o->name, "EventsSince") == 0 || strcmp(o->name, "AuditSince") == 0;
      }
    }
  for (size_t r = 0; r < NROUTES; r++) {
    bool placed = false;
    for (size_t i = 0; i < c->nops && !placed; i++) {
      gateway_operation_t *o = &c->ops[i];
      if (strcmp(o->request, ROUTES[r].request) != 0 || o->http_method) continue;
      if (!path_fits(ROUTES[r].path, o->input)) break;
      o->http_method = ROUTES[r].method;
      o->path = ROUTES[r].path;
      placed = true;
    }
    if (!placed)
      trin_log_warn("route %s %s: no request %s with those fields; left out", ROUTES[r].method,
                    ROUTES[r].path, ROUTES[r].request);
  }
  *out = c;
  return TRIN_OK;
}

void gateway_catalog_destroy(gateway_catalog_t **cp) {
  if (!cp || !*cp) return;
  gateway_catalog_t *c = *cp;
  *cp = NULL;
  for (size_t i = 0; i < c->nowned; i++) free(c->owned[i]);
  free(c->owned);
  free(c->ops);
  free(c);
}

const gateway_operation_t *gateway_catalog_ops(const gateway_catalog_t *c, size_t *n) {
  *n = c->nops;
  return c->ops;
}

const char *const *gateway_catalog_services(void) { return SERVICE_NAMES; }

const gateway_operation_t *gateway_catalog_find(const gateway_catalog_t *c,
                                                const char *service, const char *name) {
  for (size_t i = 0; i < c->nops; i++)
    if (strcmp(c->ops[i].service, service) == 0 && strcmp(c->ops[i].name, name) == 0)
      return &c->ops[i];
  return NULL;
}

/* Matches path against a route pattern, filling params. */
static bool match(const char *pattern, const char *path, gateway_params_t *params) {
  gateway_params_t p = {0};
  const char *a = pattern, *b = path;
  while (*a && *b) {
    if (*a == '{') {
      const char *close = strchr(a, '}');
      size_t len = strcspn(b, "/");
      if (!close || len == 0 || len >= sizeof p.value[0] || p.n == GATEWAY_MAX_PARAMS)
        return false;
      size_t nl = (size_t)(close - a - 1);
      if (nl >= sizeof p.name[0]) return false;
      memcpy(p.name[p.n], a + 1, nl);
      p.name[p.n][nl] = '\0';
      memcpy(p.value[p.n], b, len);
      p.value[p.n][len] = '\0';
      p.n++;
      a = close + 1;
      b += len;
      continue;
    }
    if (*a != *b) return false;
    a++, b++;
  }
  if (*a || (*b && strcmp(b, "/") != 0)) return false;
  if (params) *params = p;
  return true;
}

const gateway_operation_t *gateway_catalog_route(const gateway_catalog_t *c, const char *method,
                                                 const char *path, gateway_params_t *params) {
  for (size_t i = 0; i < c->nops; i++) {
    const gateway_operation_t *o = &c->ops[i];
    if (!o->http_method || strcmp(o->http_method, method) != 0) continue;
    if (match(o->path, path, params)) return o;
  }
  return NULL;
}

bool gateway_catalog_path_known(const gateway_catalog_t *c, const char *path) {
  for (size_t i = 0; i < c->nops; i++)
    if (c->ops[i].http_method && match(c->ops[i].path, path, NULL)) return true;
  return false;
}

const ProtobufCMessageDescriptor *gateway_catalog_message(const gateway_catalog_t *c,
                                                          const char *full_name) {
  for (size_t i = 0; i < c->nops; i++) {
    if (strcmp(c->ops[i].output->name, full_name) == 0) return c->ops[i].output;
    if (strcmp(c->ops[i].input->name, full_name) == 0) return c->ops[i].input;
  }
  return NULL;
}

void gateway_catalog_set_rules(gateway_catalog_t *c, const char *service,
                               const ProtobufCMessage *msg) {
  const Trin__Description *d = (const Trin__Description *)msg;
  for (size_t w = 0; w < NWIRING; w++)
    if (strcmp(WIRING[w].service, service) == 0) c->described[w] = true;
  for (size_t k = 0; k < d->n_operations; k++) {
    const Trin__OperationRule *r = d->operations[k];
    char roles[256];
    size_t n = 0;
    roles[0] = '\0';
    for (size_t j = 0; j < r->n_roles && n < sizeof roles; j++)
      n += (size_t)snprintf(roles + n, sizeof roles - n, "%s%s", j ? " " : "", r->roles[j]);
    for (size_t i = 0; i < c->nops; i++) {
      gateway_operation_t *o = &c->ops[i];
      if (strcmp(o->service, service) != 0 || strcmp(o->request, r->request) != 0) continue;
      o->roles = own(c, roles);
      o->scope = own(c, r->scope);
    }
  }
}

bool gateway_catalog_described(const gateway_catalog_t *c, const char *service) {
  for (size_t w = 0; w < NWIRING; w++)
    if (strcmp(WIRING[w].service, service) == 0) return c->described[w];
  return false;
}
