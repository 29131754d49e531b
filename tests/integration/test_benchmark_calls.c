/* test_benchmark_calls — see test_benchmark_calls.h. */
#include "test_benchmark_calls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trin_codec.h"

int bmc_org(trin_client_t *c, const char *id, const char *name, bool open, trin_err_t *err) {
  Trin__Benchmark__Organisation o = TRIN__BENCHMARK__ORGANISATION__INIT;
  o.id = (char *)id;
  o.name = (char *)name;
  o.open_benchmarking = open;
  Trin__Benchmark__SetOrganisation req = TRIN__BENCHMARK__SET_ORGANISATION__INIT;
  req.organisation = &o;
  ProtobufCMessage *r = NULL;
  int rc = trin_client_call(c, &req.base, &trin__benchmark__organisation_reply__descriptor, &r, err);
  trin_codec_free(r);
  return rc;
}

int bmc_import(trin_client_t *c, const char *kind, const char *csv, size_t len,
               Trin__Benchmark__ImportReply **reply, trin_err_t *err) {
  Trin__Benchmark__ImportCsv req = TRIN__BENCHMARK__IMPORT_CSV__INIT;
  req.kind = (char *)kind;
  req.csv.data = (uint8_t *)csv;
  req.csv.len = len;
  ProtobufCMessage *r = NULL;
  int rc = trin_client_call(c, &req.base, &trin__benchmark__import_reply__descriptor, &r, err);
  if (reply) *reply = (void *)r;
  else trin_codec_free(r);
  return rc;
}

int bmc_query(trin_client_t *c, const char *figure, int year, const char *type,
              const char *region, const char *viewer, int min_group,
              Trin__Benchmark__FigureReport **out, trin_err_t *err) {
  Trin__Benchmark__PeerGroup pg = TRIN__BENCHMARK__PEER_GROUP__INIT;
  pg.type = (char *)(type ? type : "");
  pg.region = (char *)(region ? region : "");
  Trin__Benchmark__QueryFigure req = TRIN__BENCHMARK__QUERY_FIGURE__INIT;
  req.figure = (char *)figure;
  req.year = year;
  req.peer = &pg;
  req.viewer_org = (char *)viewer;
  req.min_group = min_group;
  return trin_client_call(c, &req.base, &trin__benchmark__figure_report__descriptor,
                          (ProtobufCMessage **)out, err);
}

int bmc_history(trin_client_t *c, const char *figure, const char *org, int from, int to,
                const char *viewer, Trin__Benchmark__History **out, trin_err_t *err) {
  Trin__Benchmark__QueryHistory req = TRIN__BENCHMARK__QUERY_HISTORY__INIT;
  req.figure = (char *)figure;
  req.org_id = (char *)org;
  req.from_year = from;
  req.to_year = to;
  req.viewer_org = (char *)viewer;
  return trin_client_call(c, &req.base, &trin__benchmark__history__descriptor,
                          (ProtobufCMessage **)out, err);
}

int bmc_compare(trin_client_t *c, const char *org, const char *viewer,
                Trin__Benchmark__PartnershipComparison **out, trin_err_t *err) {
  return bmc_compare_year(c, org, viewer, 0, out, err);
}

int bmc_compare_year(trin_client_t *c, const char *org, const char *viewer, int year,
                     Trin__Benchmark__PartnershipComparison **out, trin_err_t *err) {
  Trin__Benchmark__ComparePartnerships req = TRIN__BENCHMARK__COMPARE_PARTNERSHIPS__INIT;
  req.org_id = (char *)(org ? org : "");
  req.viewer_org = (char *)viewer;
  req.year = year;
  return trin_client_call(c, &req.base, &trin__benchmark__partnership_comparison__descriptor,
                          (ProtobufCMessage **)out, err);
}

/* ---- asking as an organisation ---------------------------------------------------- */

int bmc_keys_init(bmc_keys_t *k, trin_err_t *err) {
  memset(k, 0, sizeof *k);
  snprintf(k->dir, sizeof k->dir, "/tmp/trin-bmkeys-XXXXXX");
  if (!mkdtemp(k->dir)) return trin_err_set(err, TRIN_EINTERNAL, "", "mkdtemp failed");
  snprintf(k->registry, sizeof k->registry, "%s/registry", k->dir);
  snprintf(k->peer_keys, sizeof k->peer_keys, "%s/keys", k->dir);
  if (mkdir(k->peer_keys, 0700))
    return trin_err_set(err, TRIN_EINTERNAL, "", "mkdir %s failed", k->peer_keys);
  return TRIN_OK;
}

static int registered(bmc_keys_t *k, const trin_keypair_t *kp, const char *org,
                      const char *role, trin_err_t *err) {
  trin_keys_entry_t e;
  memset(&e, 0, sizeof e);
  snprintf(e.public_z85, sizeof e.public_z85, "%s", kp->public_z85);
  snprintf(e.org, sizeof e.org, "%s", org);
  snprintf(e.role, sizeof e.role, "%s", role);
  snprintf(e.name, sizeof e.name, "test key");
  return trin_keys_registry_add(k->registry, &e, err);
}

int bmc_keys_service(bmc_keys_t *k, const char *service, trin_keypair_t *pair,
                     char args[3][260], trin_err_t *err) {
  char path[260];
  snprintf(path, sizeof path, "%s/%s", k->peer_keys, service);
  int rc = trin_keys_generate(pair, err);
  if (!rc) rc = trin_keys_write(path, pair, err);
  if (!rc) rc = registered(k, pair, "trin", "service", err);
  if (rc) return rc;
  snprintf(args[0], 260, "--key=%s", path);
  snprintf(args[1], 260, "--key-registry=%s", k->registry);
  snprintf(args[2], 260, "--peer-keys=%s", k->peer_keys);
  return TRIN_OK;
}

int bmc_keys_person(bmc_keys_t *k, const char *org, const char *role, trin_keypair_t *pair,
                    trin_err_t *err) {
  int rc = trin_keys_generate(pair, err);
  return rc ? rc : registered(k, pair, org, role, err);
}

int bmc_client_as(const char *endpoint, const trin_keypair_t *own,
                  const trin_keypair_t *service, trin_client_t **out, trin_err_t *err) {
  trin_curve_client_t curve = {.own = own};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s", service->public_z85);
  return trin_client_new_curve(endpoint, &curve, out, err);
}

void bmc_keys_cleanup(bmc_keys_t *k) {
  if (!k->dir[0] || getenv("TRIN_TEST_KEEP")) return;
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", k->dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", k->dir);
  k->dir[0] = '\0';
}

/* ---- the synthetic data set ---------------------------------------------------------- */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void bprintf(buf_t *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (b->data && (size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    size_t nc = b->cap ? b->cap * 2 : 65536;
    while (nc < b->len + (size_t)n + 1) nc *= 2;
    b->data = realloc(b->data, nc);
    b->cap = nc;
  }
}

/* A fixed linear congruential sequence: the same data on every machine. */
static uint64_t lcg(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 33;
}

static const char *const REGIONS[] = {"hovedstaden", "sjaelland", "syddanmark", "midtjylland",
                                      "nordjylland"};
static const char *const TYPES[] = {"school", "day_care", "administration"};

void bmc_dataset_make(bmc_dataset_t *d, int nmun, int props_per, int from, int to) {
  memset(d, 0, sizeof *d);
  d->nmun = nmun;
  d->props_per = props_per;
  d->from = from;
  d->to = to;
  int ny = to - from + 1;
  d->area = calloc((size_t)nmun, sizeof *d->area);
  d->cost_ore = calloc((size_t)nmun * (size_t)ny, sizeof *d->cost_ore);
  buf_t p = {0}, m = {0};
  uint64_t seed = 20240601;
  bprintf(&p, "property_id;name;owner_org;owner_name;type;gross_area_m2;year_built;municipality;"
              "region\n");
  bprintf(&m, "property_id;year;cost_maintenance;cost_operation;electricity_kwh;heat_kwh;"
              "water_litres;grade_roof;grade_facade;grade_windows;grade_installations;"
              "grade_interior;indoor_climate_class;anvendelsesgrad_pct;udnyttelsesgrad_pct;"
              "understoettelsesgrad_pct\n");
  for (int k = 0; k < nmun; k++) {
    /* each municipality has its own level and trend, so ranks move */
    int64_t level = 300 + (int64_t)(lcg(&seed) % 400);  /* DKK/m² */
    int64_t trend = (int64_t)(lcg(&seed) % 21) - 10;    /* DKK/m² per year */
    for (int j = 0; j < props_per; j++) {
      int64_t area = 400 + (int64_t)(lcg(&seed) % 30000);
      d->area[k] += area;
      bprintf(&p, "B%03d-%d;Ejendom %d-%d;K%03d;Syntetisk Kommune %d;%s;%lld;%d;Syntetisk %d;%s\n",
              k + 1, j + 1, k + 1, j + 1, k + 1, k + 1, TYPES[j % 3], (long long)area,
              1930 + (int)(lcg(&seed) % 90), k + 1, REGIONS[k % 5]);
      for (int y = from; y <= to; y++) {
        int64_t per_m2 = level + trend * (y - from) + (int64_t)(lcg(&seed) % 60);
        int64_t cost = per_m2 * area * 100; /* øre */
        int64_t maint = cost * 2 / 5;
        /* kroner with two decimals and a decimal comma, as Excel writes them */
        bprintf(&m, "B%03d-%d;%d;%lld,%02lld;%lld,%02lld;%lld;%lld;%lld;%d;%d;%d;%d;%d;%d;%d,%d;"
                    "%d;%d,5\n",
                k + 1, j + 1, y, (long long)(maint / 100), (long long)(maint % 100),
                (long long)((cost - maint) / 100), (long long)((cost - maint) % 100),
                (long long)(area * (30 + (int64_t)(lcg(&seed) % 40))),
                (long long)(area * (60 + (int64_t)(lcg(&seed) % 80))),
                (long long)(area * (100 + (int64_t)(lcg(&seed) % 400))),
                1 + (int)(lcg(&seed) % 5), 1 + (int)(lcg(&seed) % 5), 1 + (int)(lcg(&seed) % 5),
                1 + (int)(lcg(&seed) % 5), 1 + (int)(lcg(&seed) % 5), 1 + (int)(lcg(&seed) % 5),
                40 + (int)(lcg(&seed) % 55), (int)(lcg(&seed) % 10), 50 + (int)(lcg(&seed) % 50),
                30 + (int)(lcg(&seed) % 60));
        d->cost_ore[(size_t)k * (size_t)ny + (size_t)(y - from)] += cost;
      }
    }
  }
  d->properties_csv = p.data;
  d->properties_len = p.len;
  d->measures_csv = m.data;
  d->measures_len = m.len;
}

void bmc_dataset_free(bmc_dataset_t *d) {
  free(d->properties_csv);
  free(d->measures_csv);
  free(d->area);
  free(d->cost_ore);
  memset(d, 0, sizeof *d);
}
