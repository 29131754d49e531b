/* benchmark_import — see benchmark_import.h. The whole file is one unit:
 * every row is validated and written inside the request's savepoint, and
 * the first bad row refuses the file — nothing of it is stored. After the
 * reply, the rows are applied to the in-memory index. */
#include "benchmark_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "benchmark_store.h"
#include "trin_access.h"
#include "trin_csv.h"
#include "trin_id.h"
#include "trin_money.h"
#include "trin_number.h"

#define MAX_COLS 128

typedef struct {
  int32_t prop;      /* index of the property (measures) */
  int year;
  benchmark_measure_t m;
} mrow_t;

typedef struct {
  char *id, *owner, *region, *owner_name;
  int type;
  int64_t area;
  bool owner_created;
} prow_t;

typedef struct {
  benchmark_service_t *svc;
  trin_store_t *store;
  bool measures;
  bool header_done;
  /* column positions (-1 = absent) */
  int c_id, c_year, c_name, c_owner, c_owner_name, c_type, c_area, c_built, c_muni, c_region;
  int c_el, c_heat, c_water, c_climate, c_anv, c_udn, c_und;
  int ncost, ngrade;
  int cost_col[MAX_COLS], grade_col[MAX_COLS];
  char cost_name[MAX_COLS][65], grade_name[MAX_COLS][65];
  /* rows kept for the index */
  mrow_t *mrows;
  prow_t *prows;
  size_t n, cap;
  int32_t years[BENCHMARK_YEAR_MAX - BENCHMARK_YEAR_MIN + 1];
  bool year_seen[BENCHMARK_YEAR_MAX - BENCHMARK_YEAR_MIN + 1];
  int orgs_created;
  int bad_col; /* the column of the row's unreadable number, or -1 */
  /* distinct properties touched, for the reply and the event */
  char **props;
  size_t nprops;
} imp_t;

static int line_err(trin_err_t *err, size_t line, int col, const trin_err_t *why) {
  if (col >= 0)
    return trin_err_set(err, why->code, "csv", "line %zu, column %d (%s): %s", line, col + 1,
                        why->field, why->message);
  return trin_err_set(err, why->code, "csv", "line %zu: %s%s%s", line, why->field,
                      why->field[0] ? ": " : "", why->message);
}

static const char *cell(const trin_csv_row_t *r, int c) {
  return c >= 0 && (size_t)c < r->n ? r->fields[c] : "";
}

/* A number cell, read like every number trin reads ("1.250.000,50" or
 * "1250000.50"); an unreadable one names its column as well as its line. */
static int number(imp_t *im, const trin_csv_row_t *r, int col, int decimals, int64_t *v,
                  const char *field, trin_err_t *err) {
  int rc = trin_number_parse(cell(r, col), decimals, v, field, err);
  if (rc) im->bad_col = col;
  return rc;
}

/* An amount in kroner, read as trinctl reads amounts ("1.250.000,50", "12.500",
 * "1250000.50 kr") -> øre. */
static int amount(imp_t *im, const trin_csv_row_t *r, int col, int64_t *v, const char *field,
                  trin_err_t *err) {
  int rc = trin_money_parse(cell(r, col), v, field, err);
  if (rc) im->bad_col = col;
  return rc;
}

/* An optional whole number: "" = absent. */
static int opt_int(imp_t *im, const trin_csv_row_t *r, int col, const char *field, bool *has,
                   int64_t *v, trin_err_t *err) {
  *has = false;
  *v = 0;
  if (!*cell(r, col)) return TRIN_OK;
  int rc = number(im, r, col, 0, v, field, err);
  if (!rc) *has = true;
  return rc;
}

static int header(imp_t *im, const trin_csv_row_t *r, trin_err_t *err) {
  im->c_id = trin_csv_column(r, "property_id");
  im->c_year = trin_csv_column(r, "year");
  im->c_name = trin_csv_column(r, "name");
  im->c_owner = trin_csv_column(r, "owner_org");
  im->c_owner_name = trin_csv_column(r, "owner_name");
  im->c_type = trin_csv_column(r, "type");
  im->c_area = trin_csv_column(r, "gross_area_m2");
  im->c_built = trin_csv_column(r, "year_built");
  im->c_muni = trin_csv_column(r, "municipality");
  im->c_region = trin_csv_column(r, "region");
  im->c_el = trin_csv_column(r, "electricity_kwh");
  im->c_heat = trin_csv_column(r, "heat_kwh");
  im->c_water = trin_csv_column(r, "water_litres");
  im->c_climate = trin_csv_column(r, "indoor_climate_class");
  im->c_anv = trin_csv_column(r, "anvendelsesgrad_pct");
  im->c_udn = trin_csv_column(r, "udnyttelsesgrad_pct");
  im->c_und = trin_csv_column(r, "understoettelsesgrad_pct");
  const char *need[] = {"property_id", im->measures ? "year" : "name",
                        im->measures ? NULL : "owner_org", im->measures ? NULL : "type",
                        im->measures ? NULL : "gross_area_m2"};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++)
    if (need[i] && trin_csv_column(r, need[i]) < 0)
      return trin_err_set(err, TRIN_EINVALID, "csv", "line %zu: the header has no column '%s'",
                          r->line, need[i]);
  if (!im->measures) return TRIN_OK;
  for (size_t c = 0; c < r->n; c++) {
    const char *h = r->fields[c];
    while (*h == ' ') h++;
    bool is_cost = strncasecmp(h, "cost_", 5) == 0, is_grade = strncasecmp(h, "grade_", 6) == 0;
    if (!is_cost && !is_grade) continue;
    const char *name = h + (is_cost ? 5 : 6);
    trin_err_t why = {0};
    if (trin_id_check(name, h, &why))
      return trin_err_set(err, TRIN_EINVALID, "csv", "line %zu: column '%s': %s", r->line, h,
                          why.message);
    if (im->ncost >= MAX_COLS || im->ngrade >= MAX_COLS)
      return trin_err_set(err, TRIN_ETOOBIG, "csv", "line %zu: too many columns", r->line);
    if (is_cost) {
      im->cost_col[im->ncost] = (int)c;
      snprintf(im->cost_name[im->ncost++], 65, "%s", name);
    } else {
      im->grade_col[im->ngrade] = (int)c;
      snprintf(im->grade_name[im->ngrade++], 65, "%s", name);
    }
  }
  return TRIN_OK;
}

static int grow_rows(imp_t *im, trin_err_t *err) {
  if (im->n < im->cap) return TRIN_OK;
  size_t nc = im->cap ? im->cap * 2 : 1024;
  void *np = realloc(im->measures ? (void *)im->mrows : (void *)im->prows,
                     nc * (im->measures ? sizeof *im->mrows : sizeof *im->prows));
  if (!np) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (im->measures) im->mrows = np;
  else im->prows = np;
  im->cap = nc;
  return TRIN_OK;
}

static int property_row(imp_t *im, const trin_csv_row_t *r, trin_err_t *why) {
  Trin__Benchmark__Property p = TRIN__BENCHMARK__PROPERTY__INIT;
  p.id = (char *)cell(r, im->c_id);
  p.name = (char *)cell(r, im->c_name);
  p.owner_org = (char *)cell(r, im->c_owner);
  p.type = (char *)cell(r, im->c_type);
  p.municipality = (char *)cell(r, im->c_muni);
  p.region = (char *)cell(r, im->c_region);
  int64_t v;
  bool has;
  int rc = number(im, r, im->c_area, 0, &p.gross_area_m2, "gross_area_m2", why);
  if (!rc) rc = opt_int(im, r, im->c_built, "year_built", &has, &v, why);
  if (rc) return rc;
  p.year_built = (int32_t)(v < -1 || v > 100000 ? -1 : v);
  if ((rc = benchmark_apply_property_check(&p, why))) return rc;
  const char *oname = cell(r, im->c_owner_name);
  bool created = false;
  if (*oname && (rc = trin_text_check(oname, BENCHMARK_NAME_MAX_BYTES, "owner_name", why)))
    return rc;
  if ((rc = benchmark_store_org_ensure(im->store, p.owner_org, &created, why))) return rc;
  if (created && *oname &&
      (rc = benchmark_store_org_put(im->store, p.owner_org, oname, false, why)))
    return rc;
  if ((rc = benchmark_store_property_put(im->store, &p, why))) return rc;
  if ((rc = grow_rows(im, why))) return rc;
  prow_t *pr = &im->prows[im->n];
  pr->id = strdup(p.id);
  pr->owner = strdup(p.owner_org);
  pr->region = strdup(p.region);
  pr->owner_name = strdup(*oname ? oname : p.owner_org);
  if (!pr->id || !pr->owner || !pr->region || !pr->owner_name) {
    free(pr->id), free(pr->owner), free(pr->region), free(pr->owner_name);
    return trin_err_set(why, TRIN_EINTERNAL, "", "out of memory");
  }
  pr->type = benchmark_property_type_parse(p.type, "", NULL);
  pr->area = p.gross_area_m2;
  pr->owner_created = created;
  im->n++;
  if (created) im->orgs_created++;
  return TRIN_OK;
}

static int measure_row(imp_t *im, const trin_csv_row_t *r, trin_err_t *why) {
  Trin__Benchmark__Measure m = TRIN__BENCHMARK__MEASURE__INIT;
  Trin__Benchmark__AccountCost costs[MAX_COLS], *pc[MAX_COLS];
  Trin__Benchmark__PartGrade grades[MAX_COLS], *pg[MAX_COLS];
  int64_t v;
  bool has;
  m.property_id = (char *)cell(r, im->c_id);
  int rc = number(im, r, im->c_year, 0, &v, "year", why);
  if (rc) return rc;
  /* clamped to one past either end: still refused by the check, without overflowing int32 */
  int64_t lo = BENCHMARK_YEAR_MIN - 1, hi = BENCHMARK_YEAR_MAX + 1;
  m.year = (int32_t)(v < lo ? lo : v > hi ? hi : v);
  for (int i = 0; i < im->ncost; i++) {
    const char *t = cell(r, im->cost_col[i]);
    if (!*t) continue;
    trin__benchmark__account_cost__init(&costs[m.n_costs]);
    costs[m.n_costs].account = im->cost_name[i];
    char f[80];
    snprintf(f, sizeof f, "cost_%s", im->cost_name[i]);
    if ((rc = amount(im, r, im->cost_col[i], &costs[m.n_costs].amount_ore, f, why))) return rc;
    pc[m.n_costs] = &costs[m.n_costs];
    m.n_costs++;
  }
  m.costs = pc;
  for (int i = 0; i < im->ngrade; i++) {
    const char *t = cell(r, im->grade_col[i]);
    if (!*t) continue;
    char f[80];
    snprintf(f, sizeof f, "grade_%s", im->grade_name[i]);
    if ((rc = number(im, r, im->grade_col[i], 0, &v, f, why))) return rc;
    trin__benchmark__part_grade__init(&grades[m.n_maintenance]);
    grades[m.n_maintenance].part = im->grade_name[i];
    grades[m.n_maintenance].grade = (int32_t)(v < 0 || v > 100 ? -1 : v);
    pg[m.n_maintenance] = &grades[m.n_maintenance];
    m.n_maintenance++;
  }
  m.maintenance = pg;
#define OPT_I64(col, name, fld)                                       \
  if ((rc = opt_int(im, r, col, name, &has, &v, why))) return rc;   \
  m.has_##fld = has;                                                  \
  m.fld = v;
#define OPT_I32(col, name, fld, dec)                                          \
  has = false;                                                                \
  if (*cell(r, col)) {                                                        \
    if ((rc = number(im, r, col, dec, &v, name, why))) return rc;             \
    has = true;                                                               \
  }                                                                           \
  m.has_##fld = has;                                                          \
  m.fld = (int32_t)(has ? (v < -1 || v > 1000000 ? -1 : v) : 0);
  OPT_I64(im->c_el, "electricity_kwh", electricity_kwh)
  OPT_I64(im->c_heat, "heat_kwh", heat_kwh)
  OPT_I64(im->c_water, "water_litres", water_litres)
  OPT_I32(im->c_climate, "indoor_climate_class", indoor_climate_class, 0)
  OPT_I32(im->c_anv, "anvendelsesgrad_pct", anvendelsesgrad_bp, 2)
  OPT_I32(im->c_udn, "udnyttelsesgrad_pct", udnyttelsesgrad_bp, 2)
  OPT_I32(im->c_und, "understoettelsesgrad_pct", understoettelsesgrad_bp, 2)
#undef OPT_I64
#undef OPT_I32
  benchmark_measure_t bm;
  if ((rc = benchmark_apply_measure_check(im->svc, &m, &bm, why))) return rc;
  int32_t prop = benchmark_index_property_find(im->svc->ix, m.property_id);
  if (prop < 0)
    return trin_access_not_found(why, "property_id", "property", m.property_id);
  if ((rc = benchmark_store_measure_put(im->store, m.property_id, m.year, &bm,
                                        (const Trin__Benchmark__AccountCost *const *)m.costs,
                                        m.n_costs,
                                        (const Trin__Benchmark__PartGrade *const *)m.maintenance,
                                        m.n_maintenance, why)))
    return rc;
  if ((rc = grow_rows(im, why))) return rc;
  im->mrows[im->n++] = (mrow_t){prop, m.year, bm};
  int yo = m.year - BENCHMARK_YEAR_MIN;
  im->year_seen[yo] = true;
  return TRIN_OK;
}

static int on_row(void *data, const trin_csv_row_t *r, trin_err_t *err) {
  imp_t *im = data;
  if (!im->header_done) {
    im->header_done = true;
    return header(im, r, err);
  }
  trin_err_t why = {0};
  im->bad_col = -1;
  int rc = im->measures ? measure_row(im, r, &why) : property_row(im, r, &why);
  if (rc) {
    if (rc == TRIN_ESTORE || rc == TRIN_EINTERNAL) {
      *err = why;
      return rc;
    }
    return line_err(err, r->line, im->bad_col, &why);
  }
  return TRIN_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_rows(imp_t *im) {
  if (im->prows)
    for (size_t i = 0; i < im->n; i++) {
      free(im->prows[i].id);
      free(im->prows[i].owner);
      free(im->prows[i].region);
      free(im->prows[i].owner_name);
    }
  free(im->prows);
  free(im->mrows);
  free(im->props);
}

int benchmark_import_csv(benchmark_service_t *svc, trin_request_t *req,
                         const Trin__Benchmark__ImportCsv *m, trin_err_t *err) {
  const char *kind = m->kind ? m->kind : "";
  if (strcmp(kind, "properties") != 0 && strcmp(kind, "measures") != 0)
    return trin_err_set(err, TRIN_EINVALID, "kind", "must be properties or measures, not '%s'",
                        kind);
  if (m->csv.len == 0) return trin_err_set(err, TRIN_EINVALID, "csv", "is empty");
  imp_t *im = calloc(1, sizeof *im);
  if (!im) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  im->svc = svc;
  im->store = trin_request_store(req);
  im->measures = strcmp(kind, "measures") == 0;
  trin_csv_options_t opt = {.field = "csv"};
  int rc = trin_csv_parse((const char *)m->csv.data, m->csv.len, &opt, on_row, im, err);
  if (!rc && im->n == 0) rc = trin_err_set(err, TRIN_EINVALID, "csv", "has no data rows");
  if (rc) goto out;
  /* Distinct properties (sorted ids) and years, for the reply and the event. */
  im->props = malloc(im->n * sizeof *im->props);
  if (!im->props) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  size_t np = 0;
  for (size_t i = 0; i < im->n; i++)
    im->props[np++] = im->measures ? benchmark_index_property(svc->ix, im->mrows[i].prop)->id
                                   : im->prows[i].id;
  qsort(im->props, np, sizeof *im->props, cmp_str);
  size_t w = 0;
  for (size_t i = 0; i < np; i++)
    if (!w || strcmp(im->props[w - 1], im->props[i]) != 0) im->props[w++] = im->props[i];
  np = w;
  size_t ny = 0;
  for (int y = 0; y <= BENCHMARK_YEAR_MAX - BENCHMARK_YEAR_MIN; y++)
    if (im->year_seen[y]) im->years[ny++] = BENCHMARK_YEAR_MIN + y;
  uint64_t seq = 0;
  rc = benchmark_apply_emit_figures_changed(req, "import", "", im->years, ny,
                                            (const char *const *)im->props, np, np, NULL, 0, NULL,
                                            0, &seq, err);
  if (rc) goto out;
  Trin__Benchmark__ImportReply reply = TRIN__BENCHMARK__IMPORT_REPLY__INIT;
  reply.rows = (int32_t)im->n;
  reply.properties = (int32_t)np;
  reply.organisations_created = im->orgs_created;
  reply.seq = seq;
  if ((rc = trin_request_reply(req, &reply.base, err))) goto out;
  /* Committed with the batch: now the index. */
  bool ok = true;
  if (im->measures) {
    for (size_t i = 0; i < im->n && ok; i++)
      ok = benchmark_index_measure_set(svc->ix, im->mrows[i].prop, im->mrows[i].year,
                                       &im->mrows[i].m) == 0;
  } else {
    for (size_t i = 0; i < im->n && ok; i++) {
      prow_t *p = &im->prows[i];
      int32_t org = benchmark_index_org_find(svc->ix, p->owner);
      if (org < 0) org = benchmark_index_org_set(svc->ix, p->owner, p->owner_name, false);
      ok = org >= 0 &&
           benchmark_index_property_set(svc->ix, p->id, org, p->type, p->area, p->region) >= 0;
    }
  }
  if (ok) benchmark_apply_note(svc, seq);
  else svc->applied_upto = UINT64_MAX; /* rebuild from the store */
out:
  free_rows(im);
  free(im);
  return rc;
}
