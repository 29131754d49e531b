/* trinctl_benchmark — see trinctl_benchmark.h. Each command reads like its
 * use case: options -> request -> call -> print the reply (JSON or a table).
 * Figures print at their scale ("123.45"). */
#include "trinctl_benchmark.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/benchmark.pb-c.h"
#include "trin_codec.h"
#include "trinctl_benchmark_network.h"
#include "trinctl_file.h"
#include "trinctl_print.h"


/* The viewer of open/anonymous benchmarking is the key's organisation (the
 * service takes it from the key); --viewer is sent only when given: the
 * key's own organisation, or with an admin key any (audited). */
#define VIEWER_HELP                                                                      \
  "whose eyes to see through: your key's organisation (the default; an admin key sees " \
  "the anonymous view), or with an admin key any organisation (recorded in the audit trail)"

static const char *const KINDS[] = {"properties", "measures", NULL};
static const char *const TYPES[] = {"school", "day_care", "administration", "housing_department",
                                    "other", NULL};
static const char *const BANDS[] = {"small", "medium", "large", "very_large", NULL};

static char *S(const trinctl_args_t *a, const char *name) {
  return (char *)trinctl_args_str(a, name);
}

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, trinctl_benchmark_resolve};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

/* 12345 at scale 2 -> "123,45", as trinctl writes every number; buf >= TRINCTL_NUM_BUF. */
static char *scaled(int64_t v, int scale, char *buf) {
  return trinctl_num(v, scale < 0 ? 0 : scale, buf);
}

static Trin__Benchmark__PeerGroup peer_of(const trinctl_args_t *a) {
  Trin__Benchmark__PeerGroup pg = TRIN__BENCHMARK__PEER_GROUP__INIT;
  pg.type = S(a, "type");
  pg.size_band = S(a, "size-band");
  pg.region = S(a, "region");
  return pg;
}

/* ---- org ----------------------------------------------------------------------- */

static const trinctl_opt_t org_opts[] = {
    OPT_TEXT("name", true, "organisation.name", "NAME", "the organisation's name"),
    OPT_FLAG("open", "organisation.open_benchmarking",
         "agree to be shown by name to others who agreed"),
    OPT_END};

static int run_org(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__Organisation o = TRIN__BENCHMARK__ORGANISATION__INIT;
  o.id = (char *)a->arg;
  o.name = S(a, "name");
  o.open_benchmarking = trinctl_args_has(a, "open");
  Trin__Benchmark__SetOrganisation req = TRIN__BENCHMARK__SET_ORGANISATION__INIT;
  req.organisation = &o;
  Trin__Benchmark__OrganisationReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__organisation_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else
    fprintf(ctx->out, "organisation %s (%s): %s benchmarking (event %" PRIu64 ")\n",
            r->organisation->id, r->organisation->name,
            r->organisation->open_benchmarking ? "open" : "anonymous", r->seq);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- import ---------------------------------------------------------------------- */

static const trinctl_opt_t import_opts[] = {
    OPT_CHOICE("kind", true, "kind", "WORD", KINDS, "properties (master data) or measures (yearly)"), OPT_END};

static int run_import(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  char *buf;
  size_t len;
  int rc = trinctl_file_read(a->arg, 0, "csv", &buf, &len, &ctx->err);
  if (rc) return rc == TRIN_ETOOBIG ? TRINCTL_EXIT_IO : TRINCTL_EXIT_USAGE;
  Trin__Benchmark__ImportCsv req = TRIN__BENCHMARK__IMPORT_CSV__INIT;
  req.kind = S(a, "kind");
  req.csv.data = (uint8_t *)buf;
  req.csv.len = len;
  /* A large file takes a while to commit: wait for it. */
  if (ctx->g.timeout_ms < 600000 && !ctx->client) ctx->g.timeout_ms = 600000;
  Trin__Benchmark__ImportReply *r = NULL;
  rc = trinctl_call(ctx, &req.base, &trin__benchmark__import_reply__descriptor,
                    (ProtobufCMessage **)&r);
  free(buf);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else
    fprintf(ctx->out,
            "imported %s (%s): %d rows, %d properties, %d organisations created (event %" PRIu64
            ")\n",
            a->arg, req.kind, r->rows, r->properties, r->organisations_created, r->seq);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- figures ---------------------------------------------------------------------- */

static const trinctl_opt_t no_opts[] = {OPT_END};

static int run_figures(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__ListFigures req = TRIN__BENCHMARK__LIST_FIGURES__INIT;
  Trin__Benchmark__FigureList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__figure_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    static const char *const H[] = {"figure", "unit", "decimals", "better", "kind", "formula"};
    trinctl_table_t *t = trinctl_table_new(6, H);
    for (size_t i = 0; i < r->n_figures; i++) {
      const Trin__Benchmark__FigureDef *d = r->figures[i];
      trinctl_table_cell(t, "%s", d->name);
      trinctl_table_cell(t, "%s", d->unit);
      trinctl_table_cell(t, "%d", d->scale);
      trinctl_table_cell(t, "%s", strcmp(d->direction, "higher_is_better") == 0 ? "higher" : "lower");
      trinctl_table_cell(t, "%s", d->kind);
      trinctl_table_cell(t, "%s", d->formula);
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_properties(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__ListProperties req = TRIN__BENCHMARK__LIST_PROPERTIES__INIT;
  req.owner_org = (char *)trinctl_args_str(a, "org");
  req.type = (char *)trinctl_args_str(a, "type");
  req.region = (char *)trinctl_args_str(a, "region");
  req.municipality = (char *)trinctl_args_str(a, "municipality");
  Trin__Benchmark__PropertyList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__property_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, trinctl_benchmark_resolve};
    trinctl_json_repeated(&j, &r->base, "properties");
    fputc('\n', ctx->out);
  } else {
    static const char *const H[] = {"property", "owner", "type", "m²", "size",
                                    "built", "municipality", "region", "name"};
    trinctl_table_t *t = trinctl_table_new(9, H);
    char v[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_properties; i++) {
      const Trin__Benchmark__Property *p = r->properties[i];
      trinctl_table_cell(t, "%s", p->id);
      trinctl_table_cell(t, "%s", p->owner_org);
      trinctl_table_cell(t, "%s", p->type);
      trinctl_table_cell(t, "%s", trinctl_num(p->gross_area_m2, 0, v));
      trinctl_table_cell(t, "%s", *p->size_band ? p->size_band : "-");
      if (p->year_built) trinctl_table_cell(t, "%d", p->year_built);
      else trinctl_table_cell(t, "-");
      trinctl_table_cell(t, "%s", *p->municipality ? p->municipality : "-");
      trinctl_table_cell(t, "%s", *p->region ? p->region : "-");
      trinctl_table_cell(t, "%s", p->name);
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static const trinctl_opt_t properties_opts[] = {
    OPT_TEXT("org", false, "owner_org", "ORG", "only this owner's properties"),
    OPT_CHOICE("type", false, "type", "WORD", TYPES, "only properties of this type"),
    OPT_TEXT("region", false, "region", "REGION", "only properties in this region"),
    OPT_TEXT("municipality", false, "municipality", "M", "only properties in this municipality"),
    OPT_END};

/* ---- query ------------------------------------------------------------------------- */

static const trinctl_opt_t query_opts[] = {
    OPT_INT("year", false, "year", 0, 2100,
        "the year (portfolio figures: 0 or left out = current values)"),
    OPT_TEXT("viewer", false, "viewer_org", "ORG", VIEWER_HELP),
    OPT_CHOICE("type", false, "peer.type", "WORD", TYPES, "peer group: property type"),
    OPT_CHOICE("size-band", false, "peer.size_band", "WORD", BANDS, "peer group: size band"),
    OPT_TEXT("region", false, "peer.region", "REGION", "peer group: region"),
    OPT_INT("min-group", false, "min_group", 0, 1000, "raise the minimum group size"),
    OPT_END};

static int run_query(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__PeerGroup pg = peer_of(a);
  Trin__Benchmark__QueryFigure req = TRIN__BENCHMARK__QUERY_FIGURE__INIT;
  req.figure = (char *)a->arg;
  req.year = (int32_t)trinctl_args_num(a, "year");
  req.viewer_org = S(a, "viewer");
  req.peer = &pg;
  req.min_group = (int32_t)trinctl_args_num(a, "min-group");
  Trin__Benchmark__FigureReport *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__figure_report__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
    trin_codec_free(r);
    return TRINCTL_EXIT_OK;
  }
  int sc = r->figure->scale;
  char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF], b3[TRINCTL_NUM_BUF], b4[TRINCTL_NUM_BUF],
      b5[TRINCTL_NUM_BUF], b6[TRINCTL_NUM_BUF];
  /* the year and the rank only when there is one: 0 once printed as a stray "0" */
  fprintf(ctx->out, "%s (%s, %s is better)", r->figure->name, r->figure->unit,
          strcmp(r->figure->direction, "higher_is_better") == 0 ? "higher" : "lower");
  if (r->year) fprintf(ctx->out, " in %d", r->year);
  fputc('\n', ctx->out);
  if (r->suppressed) {
    fprintf(ctx->out, "  fewer than %d organisations in the group: no distribution shown\n",
            r->min_group);
  } else {
    const Trin__Benchmark__Distribution *d = r->distribution;
    fprintf(ctx->out, "  n %d  mean %s  min %s  Q1 %s  median %s  Q3 %s  max %s\n", d->n,
            scaled(d->mean, sc, b1), scaled(d->min, sc, b2), scaled(d->q1, sc, b3),
            scaled(d->median, sc, b4), scaled(d->q3, sc, b5), scaled(d->max, sc, b6));
    static const char *const H[] = {"rank", "organisation", "value", "percentile", "n"};
    trinctl_table_t *t = trinctl_table_new(5, H);
    for (size_t i = 0; i < r->n_entries; i++) {
      const Trin__Benchmark__Entry *e = r->entries[i];
      trinctl_table_cell(t, "%d", e->rank);
      trinctl_table_cell(t, "%s%s", e->label, e->you ? " (you)" : "");
      trinctl_table_cell(t, "%s", scaled(e->value, sc, b1));
      trinctl_table_cell(t, "%s", scaled(e->percentile_x100, 2, b2));
      trinctl_table_cell(t, "%d", e->properties);
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  if (r->viewer) {
    fprintf(ctx->out, "  you: %s", scaled(r->viewer->value, sc, b1));
    if (r->viewer->rank) fprintf(ctx->out, ", rank %d", r->viewer->rank);
    fputc('\n', ctx->out);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- history ------------------------------------------------------------------------- */

static const trinctl_opt_t history_opts[] = {
    OPT_TEXT("figure", true, "figure", "FIGURE", "a property or portfolio figure"),
    OPT_INT("from", true, "from_year", 1990, 2100, "first year"),
    OPT_INT("to", true, "to_year", 1990, 2100, "last year"),
    OPT_TEXT("viewer", false, "viewer_org", "ORG", VIEWER_HELP),
    OPT_CHOICE("type", false, "peer.type", "WORD", TYPES, "peer group: property type"),
    OPT_CHOICE("size-band", false, "peer.size_band", "WORD", BANDS, "peer group: size band"),
    OPT_TEXT("region", false, "peer.region", "REGION", "peer group: region"),
    OPT_END};

static int run_history(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__PeerGroup pg = peer_of(a);
  Trin__Benchmark__QueryHistory req = TRIN__BENCHMARK__QUERY_HISTORY__INIT;
  req.figure = S(a, "figure");
  req.org_id = (char *)a->arg;
  req.from_year = (int32_t)trinctl_args_num(a, "from");
  req.to_year = (int32_t)trinctl_args_num(a, "to");
  req.viewer_org = S(a, "viewer");
  req.peer = &pg;
  Trin__Benchmark__History *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__history__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    fprintf(ctx->out, "%s: %s (%s)\n", r->label, r->figure->name, r->figure->unit);
    static const char *const H[] = {"year", "value", "rank", "of", "percentile", "median"};
    trinctl_table_t *t = trinctl_table_new(6, H);
    char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF], b3[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_points; i++) {
      const Trin__Benchmark__HistoryPoint *p = r->points[i];
      trinctl_table_cell(t, "%d", p->year);
      trinctl_table_cell(t, "%s", p->has_value ? scaled(p->value, r->figure->scale, b1) : "-");
      trinctl_table_cell(t, "%s", p->rank ? (snprintf(b2, sizeof b2, "%d", p->rank), b2) : "-");
      trinctl_table_cell(t, "%d", p->of);
      trinctl_table_cell(t, "%s", p->rank ? scaled(p->percentile_x100, 2, b3) : "-");
      trinctl_table_cell(t, "%s", p->suppressed ? "-" : scaled(p->median, r->figure->scale, b1));
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- compare --------------------------------------------------------------------------- */

static const trinctl_opt_t compare_opts[] = {
    OPT_TEXT("viewer", false, "viewer_org", "ORG", VIEWER_HELP),
    OPT_TEXT("org", false, "org_id", "ORG", "only this organisation's projects"),
    OPT_INT("year", false, "year", 0, 2100, "state at the end of this year (0 = current)"), OPT_END};

static int run_compare(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__ComparePartnerships req = TRIN__BENCHMARK__COMPARE_PARTNERSHIPS__INIT;
  req.org_id = S(a, "org");
  req.viewer_org = S(a, "viewer");
  req.year = (int32_t)trinctl_args_num(a, "year");
  Trin__Benchmark__PartnershipComparison *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__partnership_comparison__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    static const char *const H[] = {"figure", "unit", "inside", "projects", "outside",
                                    "projects", "difference"};
    trinctl_table_t *t = trinctl_table_new(7, H);
    char b[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_rows; i++) {
      const Trin__Benchmark__ComparisonRow *w = r->rows[i];
      int sc = w->figure->scale;
      trinctl_table_cell(t, "%s", w->figure->name);
      trinctl_table_cell(t, "%s", w->figure->unit);
      trinctl_table_cell(t, "%s", w->inside->has_value ? scaled(w->inside->value, sc, b) : "-");
      trinctl_table_cell(t, "%d", w->inside->projects);
      trinctl_table_cell(t, "%s", w->outside->has_value ? scaled(w->outside->value, sc, b) : "-");
      trinctl_table_cell(t, "%d", w->outside->projects);
      trinctl_table_cell(t, "%s",
                         w->has_difference ? trinctl_num_signed(w->difference, sc < 0 ? 0 : sc, b)
                                           : "-");
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static const trinctl_opt_t model_opts[] = {
    OPT_TEXT("parts", false, "model.parts", "PART=W;...",
         "set the model: building parts and whole weights 1–1000 (only their ratios "
         "matter), e.g. roof=20;facade=20;windows=15;installations=25;interior=20"),
    OPT_END};

/* ---- model ------------------------------------------------------------------------------ */

#define MODEL_MAX_PARTS 64

/* "roof=20;facade=20;windows=15": parts and their weights. The service
 * checks the ids, the weights' range and the number of parts. */
static int parse_parts(trinctl_ctx_t *ctx, char *text, Trin__Benchmark__ModelPart *parts,
                       Trin__Benchmark__ModelPart **ptrs, size_t *n) {
  *n = 0;
  for (char *save = NULL, *tok = strtok_r(text, ";", &save); tok;
       tok = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(tok, '='), *end = NULL;
    long w = eq ? strtol(eq + 1, &end, 10) : 0;
    if (!eq || eq == tok || !end || end == eq + 1 || *end || w < 1 || w > 1000 ||
        *n >= MODEL_MAX_PARTS)
      return trin_err_set(&ctx->err, TRIN_EINVALID, "model.parts",
                          "--parts: write PART=WEIGHT;PART=WEIGHT with whole weights 1–1000 "
                          "and at most %d parts (e.g. roof=20;facade=20;windows=15)",
                          MODEL_MAX_PARTS);
    *eq = '\0';
    trin__benchmark__model_part__init(&parts[*n]);
    parts[*n].part = tok;
    parts[*n].weight = (int32_t)w;
    ptrs[*n] = &parts[*n];
    (*n)++;
  }
  return TRIN_OK;
}

static int run_model(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__MaintenanceModel *r = NULL;
  int rc;
  if (trinctl_args_has(a, "parts")) {
    Trin__Benchmark__ModelPart parts[MODEL_MAX_PARTS], *ptrs[MODEL_MAX_PARTS];
    char text[4096];
    snprintf(text, sizeof text, "%s", trinctl_args_str(a, "parts"));
    Trin__Benchmark__MaintenanceModel m = TRIN__BENCHMARK__MAINTENANCE_MODEL__INIT;
    if (parse_parts(ctx, text, parts, ptrs, &m.n_parts)) return TRINCTL_EXIT_USAGE;
    m.parts = ptrs;
    Trin__Benchmark__SetMaintenanceModel req = TRIN__BENCHMARK__SET_MAINTENANCE_MODEL__INIT;
    req.model = &m;
    rc = trinctl_call(ctx, &req.base, &trin__benchmark__maintenance_model__descriptor,
                      (ProtobufCMessage **)&r);
  } else {
    Trin__Benchmark__GetMaintenanceModel req = TRIN__BENCHMARK__GET_MAINTENANCE_MODEL__INIT;
    rc = trinctl_call(ctx, &req.base, &trin__benchmark__maintenance_model__descriptor,
                      (ProtobufCMessage **)&r);
  }
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    static const char *const H[] = {"part", "weight"};
    trinctl_table_t *t = trinctl_table_new(2, H);
    for (size_t i = 0; i < r->n_parts; i++) {
      trinctl_table_cell(t, "%s", r->parts[i]->part);
      trinctl_table_cell(t, "%d", r->parts[i]->weight);
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- competitive exposure (IKU) ------------------------------------------------------------ */

static int run_iku_import(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  char *buf;
  size_t len;
  int rc = trinctl_file_read(a->arg, 0, "csv", &buf, &len, &ctx->err);
  if (rc) return rc == TRIN_ETOOBIG ? TRINCTL_EXIT_IO : TRINCTL_EXIT_USAGE;
  Trin__Benchmark__ImportIkuCsv req = TRIN__BENCHMARK__IMPORT_IKU_CSV__INIT;
  req.csv.data = (uint8_t *)buf;
  req.csv.len = len;
  if (ctx->g.timeout_ms < 600000 && !ctx->client) ctx->g.timeout_ms = 600000;
  Trin__Benchmark__IkuImportReply *r = NULL;
  rc = trinctl_call(ctx, &req.base, &trin__benchmark__iku_import_reply__descriptor,
                    (ProtobufCMessage **)&r);
  free(buf);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    char n1[TRINCTL_NUM_BUF], n2[TRINCTL_NUM_BUF];
    fprintf(ctx->out, "indlæst %s: %s rækker, %s kommuner, år", a->arg,
            trinctl_num(r->rows, 0, n1), trinctl_num(r->municipalities, 0, n2));
    if (r->n_years) fprintf(ctx->out, " %d–%d", r->years[0], r->years[r->n_years - 1]);
    fprintf(ctx->out, " (hændelse %" PRIu64 ")\n", r->seq);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static const trinctl_opt_t iku_opts[] = {
    OPT_TEXT("municipality", true, "municipality", "NAME",
             "the municipality, spelt as imported (e.g. Aalborg)"),
    OPT_INT("year", false, "year", 0, 2100, "the year (0 or left out = the newest with figures)"),
    OPT_END};

/* "nr. 12 af 98", or why there is no place. */
static const char *iku_place(const char *state, int rank, int of, int accounts_missing,
                             char *buf, size_t size) {
  if (strcmp(state, "no_tasks") == 0) snprintf(buf, size, "ingen udbudsegnede opgaver");
  else if (strcmp(state, "missing") == 0) snprintf(buf, size, "ikke indberettet");
  else if (strcmp(state, "partial") == 0)
    snprintf(buf, size, "ikke placeret: %d %s mangler", accounts_missing,
             accounts_missing == 1 ? "hovedkonto" : "hovedkonti");
  else if (rank > 0) snprintf(buf, size, "nr. %d af %d", rank, of);
  else snprintf(buf, size, "-");
  return buf;
}

static void iku_row(trinctl_table_t *t, const Trin__Benchmark__IkuFigure *f, int missing) {
  char v[TRINCTL_NUM_BUF], avg[TRINCTL_NUM_BUF], place[64];
  trinctl_table_cell(t, "%s", f->name);
  trinctl_table_cell(t, "%s", f->has_value ? trinctl_pct_bp1(f->iku_bp, v) : "-");
  trinctl_table_cell(t, "%s", iku_place(f->state, f->rank, f->of, missing, place, sizeof place));
  trinctl_table_cell(t, "%s", f->has_average ? trinctl_pct_bp1(f->average_bp, avg) : "-");
}

static int run_iku(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__QueryIku req = TRIN__BENCHMARK__QUERY_IKU__INIT;
  req.municipality = S(a, "municipality");
  req.year = (int32_t)trinctl_args_num(a, "year");
  Trin__Benchmark__IkuReport *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__iku_report__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    int missing = 0;
    for (size_t i = 0; i < r->n_accounts; i++)
      if (strcmp(r->accounts[i]->state, "missing") == 0) missing++;
    fprintf(ctx->out, "Konkurrenceudsættelse (IKU), %s %d: %d kommuner\n\n", r->municipality,
            r->year, r->municipalities);
    static const char *const H[] = {"hovedkonto", "IKU", "placering", "landsgennemsnit"};
    trinctl_table_t *t = trinctl_table_new(4, H);
    for (size_t i = 0; i < r->n_accounts; i++) iku_row(t, r->accounts[i], missing);
    if (r->total) iku_row(t, r->total, missing);
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
    fprintf(ctx->out, "\nPlacering i alt, år for år\n");
    static const char *const HH[] = {"år", "IKU", "placering"};
    t = trinctl_table_new(3, HH);
    for (size_t i = 0; i < r->n_history; i++) {
      const Trin__Benchmark__IkuRankPoint *p = r->history[i];
      char v[TRINCTL_NUM_BUF], place[64];
      trinctl_table_cell(t, "%d", p->year);
      trinctl_table_cell(t, "%s", p->has_value ? trinctl_pct_bp1(p->iku_bp, v) : "-");
      trinctl_table_cell(t, "%s", strcmp(p->state, "partial") == 0
                                      ? "ikke placeret: hovedkonti mangler"
                                      : iku_place(p->state, p->rank, p->of, 0, place,
                                                  sizeof place));
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ---- repetition (issue 20, item 5) ------------------------------------------------------ */

static const trinctl_opt_t repetition_opts[] = {
    OPT_TEXT("partnership", true, "partnership_id", "ID", "the partnership"),
    OPT_TEXT("kind", false, "kind", "KIND",
             "only projects of this kind (helhedsplan, renovation, new_build, maintenance)"),
    OPT_END};

/* The measures in Danish, and how each unit prints. */
static const struct {
  const char *measure, *label;
  int unit; /* 0 bp as %, 1 days, 2 øre as kr., 3 hundredths */
} REP_MEASURES[] = {
    {"drift_bp", "budgetafvigelse", 0},
    {"schedule_variance_days", "tidsafvigelse", 1},
    {"cost_per_dwelling_ore", "pris pr. bolig", 2},
    {"satisfaction_x100", "tilfredshed", 3},
};

static char *rep_value(int unit, int64_t v, bool sign, char *buf) {
  char n[TRINCTL_NUM_BUF];
  static const int decimals[] = {2, 0, 2, 2};
  static const char *const suffix[] = {" %", " dage", " kr.", ""};
  if (sign) trinctl_num_signed(v, decimals[unit], n);
  else trinctl_num(v, decimals[unit], n);
  snprintf(buf, TRINCTL_NUM_BUF, "%s%s", n, suffix[unit]);
  return buf;
}

static void repetition_group(trinctl_ctx_t *ctx, const Trin__Benchmark__RepetitionGroup *g,
                             int min_projects) {
  fprintf(ctx->out, "\n%s: %d projekter, %d startdatoer\n", g->kind, g->projects, g->steps);
  static const char *const HO[] = {"trin", "projekt", "startdato"};
  trinctl_table_t *t = trinctl_table_new(3, HO);
  for (size_t i = 0; i < g->n_order; i++) {
    trinctl_table_cell(t, "%d", g->order[i]->step);
    trinctl_table_cell(t, "%s", g->order[i]->project_id);
    trinctl_table_cell(t, "%s", g->order[i]->start_date);
  }
  trinctl_table_print(ctx->out, t, 2);
  trinctl_table_destroy(&t);
  fputc('\n', ctx->out);
  static const char *const H[] = {"mål",     "projekter", "pr. trin",  "første",
                                  "seneste", "ændring",   "vurdering", "placering"};
  t = trinctl_table_new(8, H);
  for (size_t i = 0; i < g->n_trends; i++) {
    const Trin__Benchmark__RepetitionTrend *r = g->trends[i];
    int unit = 0;
    const char *label = r->measure;
    for (size_t k = 0; k < sizeof REP_MEASURES / sizeof *REP_MEASURES; k++)
      if (strcmp(r->measure, REP_MEASURES[k].measure) == 0) {
        unit = REP_MEASURES[k].unit;
        label = REP_MEASURES[k].label;
      }
    char b1[TRINCTL_NUM_BUF], b2[TRINCTL_NUM_BUF], b3[TRINCTL_NUM_BUF], b4[TRINCTL_NUM_BUF];
    trinctl_table_cell(t, "%s", label);
    trinctl_table_cell(t, "%d", r->projects);
    trinctl_table_cell(t, "%s", r->shown ? rep_value(unit, r->slope_per_step, true, b1) : "-");
    trinctl_table_cell(t, "%s", r->shown ? rep_value(unit, r->first, false, b2) : "-");
    trinctl_table_cell(t, "%s", r->shown ? rep_value(unit, r->latest, false, b3) : "-");
    trinctl_table_cell(t, "%s", r->shown ? rep_value(unit, r->change, true, b4) : "-");
    if (!r->shown && r->projects < min_projects)
      trinctl_table_cell(t, "for få projekter (%d, mindst %d)", r->projects, min_projects);
    else if (!r->shown)
      trinctl_table_cell(t, "samme startdato: ingen rækkefølge");
    else
      trinctl_table_cell(t, "%s", r->improving           ? "bedre"
                                  : r->slope_per_step == 0 ? "uændret"
                                                           : "dårligere");
    /* among the partnerships' groups of the kind, as every benchmark rank */
    if (r->rank > 0) trinctl_table_cell(t, "nr. %d af %d", r->rank, r->of);
    else if (r->shown) trinctl_table_cell(t, "ikke placeret (%d partnerskaber)", r->of);
    else trinctl_table_cell(t, "-");
  }
  trinctl_table_print(ctx->out, t, 2);
  trinctl_table_destroy(&t);
}

static int run_repetition(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Benchmark__QueryRepetition req = TRIN__BENCHMARK__QUERY_REPETITION__INIT;
  req.partnership_id = S(a, "partnership");
  req.kind = S(a, "kind");
  Trin__Benchmark__RepetitionReport *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__benchmark__repetition_report__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else {
    fprintf(ctx->out,
            "Gentagelseseffekter i partnerskab %s: ændring pr. trin (projekter i "
            "startrækkefølge), vist med mindst %d projekter\n",
            r->partnership_id, r->min_projects);
    for (size_t i = 0; i < r->n_groups; i++) repetition_group(ctx, r->groups[i], r->min_projects);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

const trinctl_cmd_t trinctl_benchmark_cmds[] = {
    {"benchmark", "org", "Name an organisation and choose open or anonymous benchmarking.", "ORG",
     "organisation.id", "the organisation's id", org_opts, run_org},
    {"benchmark", "import", "Import properties or yearly measures from CSV (all or nothing).",
     "FILE", "csv", "the CSV file (, or ; separated, UTF-8 with or without BOM)", import_opts,
     run_import},
    {"benchmark", "figures", "List the key figures: unit, direction, formula.", NULL, NULL, NULL,
     no_opts, run_figures},
    {"benchmark", "properties",
     "List the properties you may read (your organisation's; the operator sees every "
     "owner's); the filters combine.",
     NULL, NULL, NULL, properties_opts, run_properties},
    {"benchmark", "query", "Distribution, ranks and percentiles of a figure for a year.",
     "FIGURE", "figure", "a key figure (see benchmark figures)", query_opts, run_query},
    {"benchmark", "history", "An organisation's value and rank year by year.", "ORG", "org_id",
     "the organisation", history_opts, run_history},
    {"benchmark", "compare", "Projects inside against outside partnerships on every KPI.", NULL,
     NULL, NULL, compare_opts, run_compare},
    {"benchmark", "model",
     "Show the maintenance model's parts and weights; --parts replaces it (operator).",
     NULL, NULL, NULL, model_opts, run_model},
    /* competitive exposure (IKU) */
    {"benchmark", "iku-import",
     "Import IKU figures per year, municipality and main account from CSV (operator; all or "
     "nothing).",
     "FILE", "csv", "the CSV file: year;municipality;main_account;purchases;own_won;tasks "
     "(Danish headers too)", no_opts, run_iku_import},
    {"benchmark", "iku",
     "A municipality's competitive exposure (IKU) per main account: rank, national average "
     "and the total's rank over ten years.",
     NULL, NULL, NULL, iku_opts, run_iku},
    /* repetition evidence (issue 20, item 5) */
    {"benchmark", "repetition",
     "Does a partnership's later project of a kind do better than its first? The change per "
     "project of drift, schedule variance, cost per dwelling and satisfaction.",
     NULL, NULL, NULL, repetition_opts, run_repetition},
    /* networks: benchlearning circles and buyer groups (issue 20, item 8) */
    {"benchmark", "network-set",
     "Create a network (your organisation administers it) or rename it / set its visibility.",
     "NETWORK", "network_id", "the network's id", trinctl_network_set_opts, trinctl_network_set},
    {"benchmark", "network-member",
     "Add a member to a network or set its dates (--left: it leaves; that day no longer counts).",
     "NETWORK", "network_id", "the network's id", trinctl_network_member_opts,
     trinctl_network_member},
    {"benchmark", "network-requirement",
     "Record a network's shared requirement or result (a link or document reference).",
     "NETWORK", "network_id", "the network's id", trinctl_network_requirement_opts,
     trinctl_network_requirement},
    {"benchmark", "network-adopt",
     "Record that a member adopted a shared requirement in one of its projects.", "NETWORK",
     "network_id", "the network's id", trinctl_network_adopt_opts, trinctl_network_adopt},
    {"benchmark", "network-show", "A network: members and dates, requirements, adoptions.",
     "NETWORK", "network_id", "the network's id", trinctl_network_show_opts,
     trinctl_network_show},
    {"benchmark", "network-query",
     "A figure ranked among a network's members on a date; you against the network, the "
     "network against the rest.",
     "NETWORK", "network_id", "the network's id", trinctl_network_query_opts,
     trinctl_network_query},
    {"benchmark", "network-history", "A member's value and rank among the members year by year.",
     "NETWORK", "network_id", "the network's id", trinctl_network_history_opts,
     trinctl_network_history},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const ProtobufCMessageDescriptor *const known_types[] = {
    &trin__benchmark__organisation__descriptor,   &trin__benchmark__property__descriptor,
    &trin__benchmark__measure__descriptor,        &trin__benchmark__maintenance_model__descriptor,
    &trin__benchmark__figures_changed__descriptor,
    &trin__benchmark__iku_imported__descriptor,
    /* networks (issue 20, item 8) */
    &trin__benchmark__network__descriptor,
};

const ProtobufCMessageDescriptor *trinctl_benchmark_resolve(const char *full_name) {
  for (size_t i = 0; i < sizeof known_types / sizeof *known_types; i++)
    if (strcmp(known_types[i]->name, full_name) == 0) return known_types[i];
  return NULL;
}
