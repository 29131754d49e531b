/* trinctl_benchmark_network — see trinctl_benchmark_network.h. Numbers
 * print the Danish way (trinctl_num); JSON is the reply unchanged. */
#include "trinctl_benchmark_network.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trin/benchmark.pb-c.h"
#include "trin_codec.h"
#include "trinctl_benchmark.h"
#include "trinctl_print.h"

#define VIEWER_HELP                                                                        \
  "whose eyes to see through: your key's organisation (the default), or with an admin key " \
  "any organisation (recorded in the audit trail)"

static char *S(const trinctl_args_t *a, const char *name) {
  return (char *)trinctl_args_str(a, name);
}

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, trinctl_benchmark_resolve};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

static char *scaled(int64_t v, int scale, char *buf) {
  return trinctl_num(v, scale < 0 ? 0 : scale, buf);
}

/* The network as people read it: who administers it, its members with their
 * dates, its shared requirements and who adopted which in which project. */
static void print_network(trinctl_ctx_t *ctx, const Trin__Benchmark__Network *n) {
  fprintf(ctx->out, "Netværk %s: %s (%s)\nAdministreres af: %s\n", n->id, n->name,
          n->open_inside ? "åbent for medlemmerne" : "anonymt", n->admin_org);
  fprintf(ctx->out, "\nMedlemmer\n");
  static const char *const HM[] = {"organisation", "indtrådt", "udtrådt"};
  trinctl_table_t *t = trinctl_table_new(3, HM);
  for (size_t i = 0; i < n->n_members; i++) {
    trinctl_table_cell(t, "%s", n->members[i]->org_id);
    trinctl_table_cell(t, "%s", n->members[i]->joined);
    trinctl_table_cell(t, "%s", *n->members[i]->left ? n->members[i]->left : "-");
  }
  trinctl_table_print(ctx->out, t, 2);
  trinctl_table_destroy(&t);
  if (n->n_requirements) {
    fprintf(ctx->out, "\nFælles krav og resultater\n");
    static const char *const HR[] = {"id", "titel", "reference", "dato"};
    t = trinctl_table_new(4, HR);
    for (size_t i = 0; i < n->n_requirements; i++) {
      trinctl_table_cell(t, "%s", n->requirements[i]->id);
      trinctl_table_cell(t, "%s", n->requirements[i]->title);
      trinctl_table_cell(t, "%s", n->requirements[i]->reference);
      trinctl_table_cell(t, "%s", n->requirements[i]->date);
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  if (n->n_adoptions) {
    fprintf(ctx->out, "\nTaget i brug\n");
    static const char *const HA[] = {"krav", "medlem", "projekt", "dato"};
    t = trinctl_table_new(4, HA);
    for (size_t i = 0; i < n->n_adoptions; i++) {
      trinctl_table_cell(t, "%s", n->adoptions[i]->requirement_id);
      trinctl_table_cell(t, "%s", n->adoptions[i]->org_id);
      trinctl_table_cell(t, "%s", n->adoptions[i]->project_id);
      trinctl_table_cell(t, "%s", n->adoptions[i]->date);
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
}

static int call_network(trinctl_ctx_t *ctx, const ProtobufCMessage *req) {
  Trin__Benchmark__NetworkReply *r = NULL;
  int rc = trinctl_call(ctx, req, &trin__benchmark__network_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    print_network(ctx, r->network);
    if (r->seq) fprintf(ctx->out, "\n(hændelse %" PRIu64 ")\n", r->seq);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

const trinctl_opt_t trinctl_network_set_opts[] = {
    OPT_TEXT("name", true, "name", "NAME", "the network's name"),
    OPT_FLAG("open", "open_inside", "members see each other's names (else anonymous)"),
    OPT_TEXT("admin", false, "admin_org", "ORG",
             "with an admin key: the organisation that administers the new network"),
    OPT_END};

int trinctl_network_set(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__SetNetwork req = TRIN__BENCHMARK__SET_NETWORK__INIT;
  req.network_id = (char *)a->arg;
  req.name = S(a, "name");
  req.open_inside = trinctl_args_has(a, "open");
  req.admin_org = S(a, "admin");
  return call_network(ctx, &req.base);
}

const trinctl_opt_t trinctl_network_member_opts[] = {
    OPT_TEXT("org", true, "member.org_id", "ORG", "the member organisation"),
    OPT_DATE("joined", true, "member.joined", "the day it joined (counts)"),
    OPT_DATE("left", false, "member.left", "the day it left (no longer counts)"),
    OPT_END};

int trinctl_network_member(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__NetworkMember m = TRIN__BENCHMARK__NETWORK_MEMBER__INIT;
  m.org_id = S(a, "org");
  m.joined = S(a, "joined");
  m.left = S(a, "left");
  Trin__Benchmark__SetNetworkMember req = TRIN__BENCHMARK__SET_NETWORK_MEMBER__INIT;
  req.network_id = (char *)a->arg;
  req.member = &m;
  return call_network(ctx, &req.base);
}

const trinctl_opt_t trinctl_network_requirement_opts[] = {
    OPT_TEXT("id", true, "requirement.id", "ID", "the requirement's id"),
    OPT_TEXT("title", true, "requirement.title", "TEXT", "its title"),
    OPT_TEXT("reference", true, "requirement.reference", "LINK",
             "a link or a document reference"),
    OPT_DATE("date", true, "requirement.date", "the day it was shared"),
    OPT_END};

int trinctl_network_requirement(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__NetworkRequirement r = TRIN__BENCHMARK__NETWORK_REQUIREMENT__INIT;
  r.id = S(a, "id");
  r.title = S(a, "title");
  r.reference = S(a, "reference");
  r.date = S(a, "date");
  Trin__Benchmark__SetNetworkRequirement req = TRIN__BENCHMARK__SET_NETWORK_REQUIREMENT__INIT;
  req.network_id = (char *)a->arg;
  req.requirement = &r;
  return call_network(ctx, &req.base);
}

const trinctl_opt_t trinctl_network_adopt_opts[] = {
    OPT_TEXT("requirement", true, "adoption.requirement_id", "ID", "the shared requirement"),
    OPT_TEXT("org", true, "adoption.org_id", "ORG", "the adopting member"),
    OPT_TEXT("project", true, "adoption.project_id", "PROJECT", "the member's project"),
    OPT_DATE("date", true, "adoption.date", "the day it was adopted"),
    OPT_END};

int trinctl_network_adopt(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__NetworkAdoption d = TRIN__BENCHMARK__NETWORK_ADOPTION__INIT;
  d.requirement_id = S(a, "requirement");
  d.org_id = S(a, "org");
  d.project_id = S(a, "project");
  d.date = S(a, "date");
  Trin__Benchmark__AddNetworkAdoption req = TRIN__BENCHMARK__ADD_NETWORK_ADOPTION__INIT;
  req.network_id = (char *)a->arg;
  req.adoption = &d;
  return call_network(ctx, &req.base);
}

const trinctl_opt_t trinctl_network_show_opts[] = {OPT_END};

int trinctl_network_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__GetNetwork req = TRIN__BENCHMARK__GET_NETWORK__INIT;
  req.network_id = (char *)a->arg;
  return call_network(ctx, &req.base);
}

const trinctl_opt_t trinctl_network_query_opts[] = {
    OPT_TEXT("figure", true, "figure", "FIGURE", "a key figure (see benchmark figures)"),
    OPT_INT("year", false, "year", 0, 2100,
            "the year (portfolio figures: 0 or left out = current values)"),
    OPT_DATE("date", false, "date", "membership on this day (default 31 December of the year)"),
    OPT_TEXT("viewer", false, "viewer_org", "ORG", VIEWER_HELP),
    OPT_END};

/* "median 100,00 (5 organisationer)", or why it is hidden. */
static void print_side(trinctl_ctx_t *ctx, const char *what, const Trin__Benchmark__NetworkSide *s,
                       int scale, int min_group) {
  char b[TRINCTL_NUM_BUF];
  if (s->shown)
    fprintf(ctx->out, "  %s: median %s (%d organisationer)\n", what, scaled(s->median, scale, b),
            s->organisations);
  else
    fprintf(ctx->out, "  %s: skjult, %d %s med en værdi (mindst %d)\n", what, s->organisations,
            s->organisations == 1 ? "organisation" : "organisationer", min_group);
}

int trinctl_network_query(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__QueryNetworkFigure req = TRIN__BENCHMARK__QUERY_NETWORK_FIGURE__INIT;
  req.network_id = (char *)a->arg;
  req.figure = S(a, "figure");
  req.year = (int32_t)trinctl_args_num(a, "year");
  req.date = S(a, "date");
  req.viewer_org = S(a, "viewer");
  Trin__Benchmark__NetworkFigureReport *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__network_figure_report__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
    trin_codec_free(r);
    return TRINCTL_EXIT_OK;
  }
  int sc = r->figure->scale;
  char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF];
  fprintf(ctx->out, "%s (%s, %s er bedre)", r->figure->name, r->figure->unit,
          strcmp(r->figure->direction, "higher_is_better") == 0 ? "højere" : "lavere");
  if (r->year) fprintf(ctx->out, " i %d", r->year);
  fprintf(ctx->out, ", netværk %s, medlemmer pr. %s\n", r->network_id, r->date);
  if (r->suppressed) {
    fprintf(ctx->out, "  færre end %d medlemmer med en værdi: ingen placeringer vist\n",
            r->min_group);
  } else {
    static const char *const H[] = {"plac.", "organisation", "værdi", "percentil"};
    trinctl_table_t *t = trinctl_table_new(4, H);
    for (size_t i = 0; i < r->n_entries; i++) {
      const Trin__Benchmark__Entry *e = r->entries[i];
      char label[256];
      snprintf(label, sizeof label, "%s%s", e->label, e->you ? " (dig)" : "");
      if (strncmp(e->label, "anonymous #", 11) == 0)
        snprintf(label, sizeof label, "anonym #%s", e->label + 11);
      trinctl_table_cell(t, "%d", e->rank);
      trinctl_table_cell(t, "%s", label);
      trinctl_table_cell(t, "%s", scaled(e->value, sc, b1));
      trinctl_table_cell(t, "%s", scaled(e->percentile_x100, 2, b2));
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  print_side(ctx, "netværket", r->network, sc, r->min_group);
  print_side(ctx, "resten", r->rest, sc, r->min_group);
  if (r->viewer) {
    fprintf(ctx->out, "  dig: %s", scaled(r->viewer->value, sc, b1));
    if (r->viewer->rank) fprintf(ctx->out, ", nr. %d", r->viewer->rank);
    if (r->has_member_difference)
      fprintf(ctx->out, ", %s mod netværkets median",
              trinctl_num_signed(r->member_difference, sc < 0 ? 0 : sc, b2));
    fputc('\n', ctx->out);
  }
  if (r->has_network_difference)
    fprintf(ctx->out, "  netværket mod resten: %s\n",
            trinctl_num_signed(r->network_difference, sc < 0 ? 0 : sc, b1));
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

const trinctl_opt_t trinctl_network_history_opts[] = {
    OPT_TEXT("figure", true, "figure", "FIGURE", "a key figure"),
    OPT_TEXT("org", true, "org_id", "ORG", "the member"),
    OPT_INT("from", true, "from_year", 1990, 2100, "first year"),
    OPT_INT("to", true, "to_year", 1990, 2100, "last year"),
    OPT_TEXT("viewer", false, "viewer_org", "ORG", VIEWER_HELP),
    OPT_END};

int trinctl_network_history(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__QueryNetworkHistory req = TRIN__BENCHMARK__QUERY_NETWORK_HISTORY__INIT;
  req.network_id = (char *)a->arg;
  req.figure = S(a, "figure");
  req.org_id = S(a, "org");
  req.from_year = (int32_t)trinctl_args_num(a, "from");
  req.to_year = (int32_t)trinctl_args_num(a, "to");
  req.viewer_org = S(a, "viewer");
  Trin__Benchmark__History *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__history__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    fprintf(ctx->out, "%s i netværk %s: %s (%s)\n", r->label, req.network_id, r->figure->name,
            r->figure->unit);
    static const char *const H[] = {"år", "værdi", "plac.", "af", "median"};
    trinctl_table_t *t = trinctl_table_new(5, H);
    char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_points; i++) {
      const Trin__Benchmark__HistoryPoint *p = r->points[i];
      trinctl_table_cell(t, "%d", p->year);
      trinctl_table_cell(t, "%s", p->has_value ? scaled(p->value, r->figure->scale, b1) : "-");
      trinctl_table_cell(t, "%s", p->rank ? (snprintf(b2, sizeof b2, "%d", p->rank), b2) : "-");
      trinctl_table_cell(t, "%d", p->of);
      trinctl_table_cell(t, "%s", p->suppressed ? "-" : scaled(p->median, r->figure->scale, b1));
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}
