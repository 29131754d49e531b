/* benchmark.flow — the real trin-benchmark process: a CSV of 98 synthetic
 * municipalities × 3 properties × 11 years (2012–2022) gives every
 * municipality's cost per m², rank and percentile, checked against the
 * same figures computed here from the generated data; rank history over the
 * 11 years; open vs anonymous names; the minimum group; a bad CSV row
 * refuses the whole file naming its line, and a cell with a NUL byte or
 * bytes that are not UTF-8 its line and column; kill -9 and restart give the same
 * figures; SIGTERM exits 0. The service speaks CURVE: the viewer is the
 * asking key's organisation, so each municipality asks with its own key;
 * the operator's key sees the anonymous view and may not name a viewer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_benchmark_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"
#include "trin_number.h"

#define NMUN 98
#define PROPS 3
#define FROM 2012
#define TO 2022
#define NY (TO - FROM + 1)

static const char *extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=", "--survey-endpoint=",
                              "--heartbeat-ms=200", NULL};

static testproc_t bm;
static bmc_dataset_t ds;

/* Who holds a key: organisation and role, as in the registry. NOBODY's
 * organisation has no figures in the service. */
enum { ADMIN, K001, K005, K010, K030, NOBODY, NWHO };
static const struct {
  const char *org, *role;
} WHO[NWHO] = {
    [ADMIN] = {"ops", "admin"},    [K001] = {"K001", "reader"}, [K005] = {"K005", "reader"},
    [K010] = {"K010", "writer"},   [K030] = {"K030", "reader"}, [NOBODY] = {"NOBODY", "reader"},
};
static bmc_keys_t keys;
static char key_args[3][260];
static trin_keypair_t bm_pair, who_pair[NWHO];
static trin_client_t *cl[NWHO];
static char k030_key_file[260];

/* The client asking with who's key (made on first use). */
static trin_client_t *as(int who) {
  if (!cl[who]) {
    trin_err_t err = {0};
    if (bmc_client_as(bm.endpoint, &who_pair[who], &bm_pair, &cl[who], &err))
      fail_msg("client: %s", err.message);
    trin_client_set_timeout(cl[who], 30000);
  }
  return cl[who];
}

/* The operator's client: an admin key, no organisation of its own. */
static trin_client_t *op(void) { return as(ADMIN); }

/* The benchmark service's newest event. */
static uint64_t last_bm_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(op(), &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

static void clients_close(void) {
  for (int w = 0; w < NWHO; w++) trin_client_destroy(&cl[w]);
}

/* Expected cost per m² (øre/m²) of municipality k in year y. */
static int64_t expected_cost(int k, int y) {
  int64_t n = ds.cost_ore[(size_t)k * NY + (size_t)(y - FROM)], d = ds.area[k];
  return (n + d / 2) / d; /* positive: half up = half away from zero */
}

/* Competition rank, lower is better: 1 + how many are strictly better. */
static int expected_rank(int k, int y) {
  int64_t v = expected_cost(k, y);
  int r = 1;
  for (int j = 0; j < NMUN; j++)
    if (expected_cost(j, y) < v) r++;
  return r;
}

static int start(void) {
  const char *args[8];
  int n = 0;
  for (int i = 0; extra[i]; i++) args[n++] = extra[i];
  for (int i = 0; i < 3; i++) args[n++] = key_args[i];
  args[n] = NULL;
  trin_curve_client_t curve = {.own = &who_pair[ADMIN]};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s", bm_pair.public_z85);
  return testproc_start_curve(&bm, TRIN_BENCHMARK_BIN, args, &curve) ? 0 : -1;
}

static int setup(void **state) {
  testproc_init(&bm, "benchmark-flow");
  bmc_dataset_make(&ds, NMUN, PROPS, FROM, TO);
  trin_err_t err = {0};
  if (bmc_keys_init(&keys, &err) || bmc_keys_service(&keys, "benchmark", &bm_pair, key_args, &err))
    return -1;
  for (int w = 0; w < NWHO; w++)
    if (bmc_keys_person(&keys, WHO[w].org, WHO[w].role, &who_pair[w], &err)) return -1;
  /* trinctl asks as K030 with a key file */
  snprintf(k030_key_file, sizeof k030_key_file, "%s/k030", keys.dir);
  if (trin_keys_write(k030_key_file, &who_pair[K030], &err)) return -1;
  return start();
}

static int teardown(void **state) {
  clients_close();
  int st = testproc_stop(&bm);
  testproc_cleanup(&bm);
  bmc_keys_cleanup(&keys);
  bmc_dataset_free(&ds);
  return st == 0 ? 0 : -1;
}

static bool has_org(const char *id) {
  Trin__Benchmark__ListOrganisations q = TRIN__BENCHMARK__LIST_ORGANISATIONS__INIT;
  Trin__Benchmark__OrganisationList *l = NULL;
  trin_err_t e = {0};
  if (trin_client_call(op(), &q.base, &trin__benchmark__organisation_list__descriptor,
                       (ProtobufCMessage **)&l, &e))
    fail_msg("ListOrganisations: %s", e.message);
  bool found = false;
  for (size_t i = 0; i < l->n_organisations; i++)
    if (strcmp(l->organisations[i]->id, id) == 0) found = true;
  trin_codec_free(l);
  return found;
}

static void bad_rows_refuse_the_whole_file(void **state) {
  trin_err_t e = {0};
  /* line 3 names an unknown type: nothing of the file is stored */
  const char *props = "property_id,name,owner_org,type,gross_area_m2\n"
                      "X1,Ejendom X1,KX,school,1000\n"
                      "X2,Ejendom X2,KX,castle,1000\n";
  assert_int_equal(bmc_import(op(), "properties", props, strlen(props), NULL, &e), TRIN_EINVALID);
  assert_string_equal(e.field, "csv");
  assert_non_null(strstr(e.message, "line 3"));
  assert_non_null(strstr(e.message, "castle"));
  /* the organisation KX was not created either */
  assert_false(has_org("KX"));
  /* a header without a required column */
  const char *nohdr = "property_id,name,type\nX1,a,school\n";
  assert_int_equal(bmc_import(op(), "properties", nohdr, strlen(nohdr), NULL, &e), TRIN_EINVALID);
  assert_non_null(strstr(e.message, "owner_org"));
  /* measures for an unknown property, and a decimal with too many decimals */
  const char *m1 = "property_id;year;cost_a\nNOPE;2020;100\n";
  assert_int_equal(bmc_import(op(), "measures", m1, strlen(m1), NULL, &e), TRIN_ENOTFOUND);
  assert_non_null(strstr(e.message, "line 2"));
  assert_int_equal(bmc_import(op(), "wrong", m1, strlen(m1), NULL, &e), TRIN_EINVALID);
  assert_string_equal(e.field, "kind");
  /* numbers are read as people write them, Danish or plain, like trinctl's amounts: a
   * Danish 1.250.000,50 gets as far as the unknown property (it was once refused as "more
   * than 2 decimals"); a malformed one names its line and column */
  const char *m2 = "property_id;year;cost_a\nNOPE;2.020;1.250.000,50\n";
  assert_int_equal(bmc_import(op(), "measures", m2, strlen(m2), NULL, &e), TRIN_ENOTFOUND);
  const char *m3 = "property_id;year;cost_a;cost_b\nNOPE;2020;1250000.50;12.50.000\n";
  assert_int_equal(bmc_import(op(), "measures", m3, strlen(m3), NULL, &e), TRIN_EINVALID);
  assert_string_equal(e.message, "line 2, column 4 (cost_b): '12.50.000' is not a number: "
                                 "thousands groups must have 3 digits");
  const char *m4 = "property_id;year;cost_a\nNOPE;2020;1.250.000,505\n";
  assert_int_equal(bmc_import(op(), "measures", m4, strlen(m4), NULL, &e), TRIN_EINVALID);
  assert_string_equal(e.message, "line 2, column 3 (cost_a): '1.250.000,505' is not a number: "
                                 "more than 2 decimals");
}

static uint64_t event_count(void) {
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.limit = 1000;
  Trin__EventBatch *b = NULL;
  OK(trin_client_call(op(), &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                      &e_));
  uint64_t n = b->n_events;
  trin_codec_free(b);
  return n;
}

/* A NUL byte in a cell once cut it short ("KN\0Y" became owner KN) and
 * bytes that are not UTF-8 were stored as they came: both refuse the file
 * with line and column; no organisation, no event. */
static void nul_bytes_and_invalid_utf8_refuse_the_whole_file(void **state) {
  static const char nul[] = "property_id,name,owner_org,type,gross_area_m2\n"
                            "X1,Ejendom X1,KN\0Y,school,1000\n";
  static const char latin1[] = "property_id,name,owner_org,type,gross_area_m2\n"
                               "X1,Ejendom X1,KU,school,1000\n"
                               "X2,S\xf8gaard,KU,school,1000\n";
  static const char measures[] = "property_id;year;cost_a\nX1;2020;1\xa0" "000\n";
  const struct {
    const char *kind, *csv;
    size_t len;
    const char *want;
  } cases[] = {
      {"properties", nul, sizeof nul - 1,
       "line 2, column 3 (owner_org): the cell holds a NUL byte (at position 3)"},
      {"properties", latin1, sizeof latin1 - 1,
       "line 3, column 2 (name): the cell is not valid UTF-8 (byte 0xF8 at position 2); save "
       "the file as UTF-8"},
      {"measures", measures, sizeof measures - 1,
       "line 2, column 3 (cost_a): the cell is not valid UTF-8 (byte 0xA0 at position 2)"},
  };
  uint64_t events = event_count();
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    trin_err_t e = {0};
    assert_int_equal(bmc_import(op(), cases[i].kind, cases[i].csv, cases[i].len, NULL, &e),
                     TRIN_EINVALID);
    assert_string_equal(e.field, "csv");
    if (!strstr(e.message, cases[i].want)) print_error("case %zu: '%s'\n", i, e.message);
    assert_non_null(strstr(e.message, cases[i].want));
  }
  assert_false(has_org("KN"));
  assert_false(has_org("KU"));
  assert_int_equal(event_count(), events);
}

static void municipalities_ranked_over_eleven_years(void **state) {
  Trin__Benchmark__ImportReply *ir = NULL;
  OK(bmc_import(op(), "properties", ds.properties_csv, ds.properties_len, &ir, &e_));
  assert_int_equal(ir->rows, NMUN * PROPS);
  assert_int_equal(ir->organisations_created, NMUN);
  trin_codec_free(ir);
  OK(bmc_import(op(), "measures", ds.measures_csv, ds.measures_len, &ir, &e_));
  assert_int_equal(ir->rows, NMUN * PROPS * NY);
  assert_int_equal(ir->properties, NMUN * PROPS);
  trin_codec_free(ir);

  /* every municipality's value and rank in every year */
  for (int y = FROM; y <= TO; y++) {
    Trin__Benchmark__FigureReport *r = NULL;
    OK(bmc_query(as(K030), "cost_per_m2", y, NULL, NULL, NULL, 0, &r, &e_));
    assert_false(r->suppressed);
    assert_int_equal(r->n_entries, NMUN);
    assert_int_equal(r->distribution->n, NMUN);
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < r->n_entries; i++) {
      const Trin__Benchmark__Entry *en = r->entries[i];
      assert_true(en->value >= prev); /* best (cheapest) first */
      prev = en->value;
      if (en->you) {
        assert_int_equal(en->value, expected_cost(29, y));
        assert_int_equal(en->rank, expected_rank(29, y));
      } else {
        assert_false(en->named); /* nobody agreed to open benchmarking yet */
        assert_int_equal(strncmp(en->label, "anonymous #", 11), 0);
      }
    }
    assert_int_equal(r->distribution->min, r->entries[0]->value);
    assert_int_equal(r->distribution->max, r->entries[NMUN - 1]->value);
    /* type 7 median of 98 values: mean of the 49th and 50th */
    int64_t m = r->entries[48]->value + r->entries[49]->value;
    assert_int_equal(r->distribution->median, (m + 1) / 2);
    assert_non_null(r->viewer);
    assert_int_equal(r->viewer->rank, expected_rank(29, y));
    int pct = (int)(((int64_t)(NMUN - expected_rank(29, y)) * 10000 * 2 + (NMUN - 1)) /
                    (2 * (NMUN - 1)));
    assert_int_equal(r->viewer->percentile_x100, pct);
    trin_codec_free(r);
  }

  /* the 2012–2022 rank history, like the ranking note's table */
  Trin__Benchmark__History *h = NULL;
  OK(bmc_history(as(K030), "cost_per_m2", "K030", FROM, TO, NULL, &h, &e_));
  assert_int_equal(h->n_points, NY);
  assert_string_equal(h->label, "Syntetisk Kommune 30");
  for (int y = FROM; y <= TO; y++) {
    const Trin__Benchmark__HistoryPoint *pt = h->points[y - FROM];
    assert_int_equal(pt->year, y);
    assert_true(pt->has_value);
    assert_int_equal(pt->value, expected_cost(29, y));
    assert_int_equal(pt->rank, expected_rank(29, y));
    assert_int_equal(pt->of, NMUN);
  }
  trin_codec_free(h);

  /* the other ten property figures are all computed for every municipality */
  static const char *figs[] = {"energy_per_m2", "electricity_per_m2", "heat_per_m2",
                               "water_per_m2", "weighted_maintenance_grade",
                               "indoor_climate_class", "anvendelsesgrad", "udnyttelsesgrad",
                               "understoettelsesgrad"};
  for (size_t i = 0; i < sizeof figs / sizeof *figs; i++) {
    Trin__Benchmark__FigureReport *r = NULL;
    OK(bmc_query(as(K001), figs[i], 2022, NULL, NULL, NULL, 0, &r, &e_));
    assert_int_equal(r->n_entries, NMUN);
    assert_int_equal(r->entries[0]->rank, 1);
    trin_codec_free(r);
  }

  /* a peer group: schools in nordjylland (K005, K010, ... : 19 or 20) */
  Trin__Benchmark__FigureReport *r = NULL;
  OK(bmc_query(as(K005), "cost_per_m2", 2022, "school", "nordjylland", NULL, 0, &r, &e_));
  assert_int_equal(r->n_entries, NMUN / 5 + (NMUN % 5 >= 5 ? 1 : 0));
  for (size_t i = 0; i < r->n_entries; i++) assert_int_equal(r->entries[i]->properties, 1);
  assert_non_null(r->viewer); /* K005 is in its own group */
  trin_codec_free(r);
}

/* Every import emitted benchmark.figures_changed with its years. */
static void imports_emit_figures_changed(void **state) {
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.limit = 1000;
  Trin__EventBatch *b = NULL;
  OK(trin_client_call(op(), &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                      &e_));
  int changed = 0;
  for (size_t i = 0; i < b->n_events; i++) {
    if (strcmp(b->events[i]->type, "benchmark.figures_changed") != 0) continue;
    Trin__Benchmark__FiguresChanged *fc = NULL;
    OK(trin_codec_unpack(&trin__benchmark__figures_changed__descriptor, b->events[i]->payload.data,
                         b->events[i]->payload.len, "payload", (ProtobufCMessage **)&fc, &e_));
    assert_string_equal(fc->reason, "import");
    if (fc->n_years == NY) {
      assert_int_equal(fc->years[0], FROM);
      assert_int_equal(fc->years[NY - 1], TO);
      assert_int_equal(fc->property_count, NMUN * PROPS);
      assert_int_equal(fc->n_properties, 100); /* ids capped, count exact */
      changed++;
    }
    trin_codec_free(fc);
  }
  assert_int_equal(changed, 1); /* the refused files emitted nothing */
  trin_codec_free(b);
}

/* trinctl: the history table and a JSON query through the real binary,
 * asking with K030's key: the viewer is the key's organisation. */
static void trinctl_history_and_query(void **state) {
  static char out[1 << 16];
  char cmd[1600], as_k030[600];
  snprintf(as_k030, sizeof as_k030, "%s --endpoint=%s --key %s --server-key %s/benchmark.pub",
           TRINCTL_BIN, bm.endpoint, k030_key_file, keys.peer_keys);
  snprintf(cmd, sizeof cmd, "%s benchmark history K030 --figure cost_per_m2 --from %d --to %d",
           as_k030, FROM, TO);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "Syntetisk Kommune 30"));
  for (int y = FROM; y <= TO; y++) {
    char want[64];
    snprintf(want, sizeof want, "%d", y);
    const char *line = strstr(out, want);
    assert_non_null(line);
    /* the year's row carries the rank computed here */
    char rank[16];
    snprintf(rank, sizeof rank, " %d ", expected_rank(29, y));
    const char *eol = strchr(line, '\n');
    char row[256];
    snprintf(row, sizeof row, "%.*s", (int)(eol ? eol - line : (long)strlen(line)), line);
    assert_non_null(strstr(row, rank));
  }
  snprintf(cmd, sizeof cmd, "%s --json benchmark query cost_per_m2 --year 2022", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"percentile_x100\""));
  assert_non_null(strstr(out, "\"anonymous #1\""));
  assert_non_null(strstr(out, "Syntetisk Kommune 30")); /* itself, by name */
  /* the table marks the key's organisation as "(you)" */
  snprintf(cmd, sizeof cmd, "%s benchmark query cost_per_m2 --year 2022", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "Syntetisk Kommune 30 (you)"));
  /* numbers the Danish way (a decimal comma, thousands dots), and nothing stray after the
   * heading or the viewer's line (a year or rank of 0 once printed as "0") */
  assert_non_null(strstr(out, "cost_per_m2 (DKK/m2, lower is better) in 2022\n"));
  char you[96], v[TRIN_NUMBER_BUF];
  snprintf(you, sizeof you, "  you: %s, rank %d\n",
           trin_number_format_dk(expected_cost(29, 2022), 2, false, v), expected_rank(29, 2022));
  if (!strstr(out, you)) print_error("want '%s' in:\n%s\n", you, out);
  assert_non_null(strstr(out, you));
  /* --viewer is deprecated: its own organisation is still accepted ... */
  snprintf(cmd, sizeof cmd, "%s benchmark query cost_per_m2 --year 2022 --viewer K030", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "Syntetisk Kommune 30 (you)"));
  /* ... another is refused (exit 1), saying whose the key is */
  snprintf(cmd, sizeof cmd, "%s benchmark query cost_per_m2 --year 2022 --viewer K010 2>&1",
           as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "viewer_org"));
  assert_non_null(strstr(out, "\"K010\""));
  /* a refusal is exit code 1 */
  snprintf(cmd, sizeof cmd, "%s benchmark query nope 2>/dev/null", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);

  /* The maintenance model: shown to anyone, set by the operator only; set
   * here to the placeholder it already is, so later tests' grades stay. */
  static const char *const model = "roof=20;facade=20;windows=15;installations=25;interior=20";
  snprintf(cmd, sizeof cmd, "%s benchmark model --parts '%s' 2>&1", as_k030, model);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  snprintf(cmd, sizeof cmd, "%s benchmark model --parts 'roof' 2>&1", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 2);
  assert_non_null(strstr(out, "--parts: write PART=WEIGHT;PART=WEIGHT"));
  char admin_key_file[300], as_admin[700];
  snprintf(admin_key_file, sizeof admin_key_file, "%s/ops-admin", keys.dir);
  trin_err_t err = {0};
  assert_int_equal(trin_keys_write(admin_key_file, &who_pair[ADMIN], &err), TRIN_OK);
  snprintf(as_admin, sizeof as_admin, "%s --endpoint=%s --key %s --server-key %s/benchmark.pub",
           TRINCTL_BIN, bm.endpoint, admin_key_file, keys.peer_keys);
  snprintf(cmd, sizeof cmd, "%s --json benchmark model --parts '%s' 2>&1", as_admin, model);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"installations\""));
  snprintf(cmd, sizeof cmd, "%s benchmark model", as_k030);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "installations"));
}

static void open_benchmarking_and_minimum_group(void **state) {
  trin_err_t e = {0};
  /* K030 sees K010 by name only when both agreed */
  OK(bmc_org(as(K010), "K010", "Syntetisk Kommune 10", true, &e_));
  Trin__Benchmark__FigureReport *r = NULL;
  OK(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, NULL, 0, &r, &e_));
  for (size_t i = 0; i < r->n_entries; i++)
    assert_true(r->entries[i]->you || !r->entries[i]->named);
  trin_codec_free(r);
  Trin__Benchmark__History *h = NULL;
  assert_int_equal(bmc_history(as(K030), "cost_per_m2", "K010", FROM, TO, NULL, &h, &e),
                   TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "org_id");
  assert_non_null(strstr(e.message, "'K010' is shown to 'K030' only anonymously"));
  OK(bmc_org(op(), "K030", "Syntetisk Kommune 30", true, &e_));
  OK(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, NULL, 0, &r, &e_));
  int named = 0, anon = 0;
  for (size_t i = 0; i < r->n_entries; i++) {
    const Trin__Benchmark__Entry *en = r->entries[i];
    if (en->named) {
      named++;
      assert_true(strcmp(en->org_id, "K010") == 0 || strcmp(en->org_id, "K030") == 0);
      assert_int_equal(en->you, strcmp(en->org_id, "K030") == 0);
    } else {
      char want[32];
      snprintf(want, sizeof want, "anonymous #%d", ++anon); /* numbered in rank order */
      assert_string_equal(en->label, want);
      assert_string_equal(en->org_id, "");
      assert_false(en->you);
    }
  }
  assert_int_equal(named, 2);
  trin_codec_free(r);
  OK(bmc_history(as(K030), "cost_per_m2", "K010", FROM, TO, NULL, &h, &e_));
  assert_int_equal(h->n_points, NY);
  trin_codec_free(h);
  /* K005 did not agree: it sees itself and no one else by name */
  OK(bmc_query(as(K005), "cost_per_m2", 2022, NULL, NULL, NULL, 0, &r, &e_));
  named = 0;
  for (size_t i = 0; i < r->n_entries; i++)
    if (r->entries[i]->named) {
      named++;
      assert_string_equal(r->entries[i]->org_id, "K005");
      assert_true(r->entries[i]->you);
    }
  assert_int_equal(named, 1);
  trin_codec_free(r);

  /* a group below the minimum shows nothing but the viewer's own value */
  OK(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, NULL, 99, &r, &e_));
  assert_true(r->suppressed);
  assert_null(r->distribution);
  assert_int_equal(r->n_entries, 0);
  assert_non_null(r->viewer);
  assert_int_equal(r->viewer->value, expected_cost(29, 2022));
  assert_int_equal(r->viewer->rank, 0);
  trin_codec_free(r);
  /* the minimum cannot be lowered by the caller */
  assert_int_equal(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, NULL, 3, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "min_group");
  /* refusals name the field */
  assert_int_equal(bmc_query(as(K030), "cost_per_sqft", 2022, NULL, NULL, NULL, 0, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "figure");
  assert_int_equal(bmc_query(as(K030), "cost_per_m2", 1800, NULL, NULL, NULL, 0, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "year");
  assert_int_equal(bmc_query(as(K030), "cost_per_m2", 2022, "castle", NULL, NULL, 0, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "peer.type");
  /* portfolio figures take a year (or 0 = current) but no property peer group */
  OK(bmc_query(as(K030), "budget_drift_pct", 2022, NULL, NULL, NULL, 0, &r, &e_));
  assert_true(r->suppressed); /* no projects here: nobody has a value */
  assert_null(r->viewer);
  trin_codec_free(r);
  assert_int_equal(bmc_query(as(K030), "budget_drift_pct", 1989, NULL, NULL, NULL, 0, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "year");
  assert_int_equal(bmc_query(as(K030), "budget_drift_pct", 2022, "school", NULL, NULL, 0, &r, &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "peer");
}

/* The viewer is the asking key's organisation: viewer_org may repeat it,
 * never name another; the operator's key has none: it sees the anonymous
 * view, or names a viewer, which is audited. Runs after K010 and K030 agreed to open benchmarking. */
static void the_viewer_is_the_caller(void **state) {
  trin_err_t e = {0};
  Trin__Benchmark__FigureReport *r = NULL;
  Trin__Benchmark__History *h = NULL;
  Trin__Benchmark__PartnershipComparison *pc = NULL;
  /* K030 repeating its own organisation: its view, as without */
  OK(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, "K030", 0, &r, &e_));
  assert_non_null(r->viewer);
  assert_int_equal(r->viewer->value, expected_cost(29, 2022));
  trin_codec_free(r);
  /* K030 naming K010 (open, and open to K030) is refused, nothing shown */
  r = NULL;
  assert_int_equal(bmc_query(as(K030), "cost_per_m2", 2022, NULL, NULL, "K010", 0, &r, &e),
                   TRIN_EFORBIDDEN);
  assert_null(r);
  assert_string_equal(e.field, "viewer_org");
  assert_non_null(strstr(e.message, "organisation \"K030\" (role reader)"));
  assert_non_null(strstr(e.message, "\"K010\""));
  assert_int_equal(bmc_history(as(K030), "cost_per_m2", "K010", FROM, TO, "K010", &h, &e),
                   TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "viewer_org");
  assert_int_equal(bmc_compare(as(K030), NULL, "K010", &pc, &e), TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "viewer_org");

  /* the operator's key naming a viewer sees that viewer's view, and the
   * audit trail says so (one benchmark.viewed_as event per request) */
  uint64_t before = last_bm_seq();
  OK(bmc_query(op(), "cost_per_m2", 2022, NULL, NULL, "K030", 0, &r, &e_));
  assert_non_null(r->viewer);
  assert_int_equal(r->viewer->value, expected_cost(29, 2022));
  trin_codec_free(r);
  r = NULL;
  OK(bmc_history(op(), "cost_per_m2", "K030", FROM, TO, "K030", &h, &e_));
  trin_codec_free(h);
  h = NULL;
  assert_int_equal(last_bm_seq(), before + 2);

  /* without one: the anonymous distribution, nobody named (K010 and K030
   * agreed with each other, not with the operator), no `you` */
  OK(bmc_query(op(), "cost_per_m2", 2022, NULL, NULL, NULL, 0, &r, &e_));
  assert_false(r->suppressed);
  assert_int_equal(r->distribution->n, NMUN);
  assert_int_equal(r->n_entries, NMUN);
  for (size_t i = 0; i < r->n_entries; i++) {
    char want[32];
    snprintf(want, sizeof want, "anonymous #%zu", i + 1);
    assert_false(r->entries[i]->named);
    assert_false(r->entries[i]->you);
    assert_string_equal(r->entries[i]->label, want);
    assert_string_equal(r->entries[i]->org_id, "");
  }
  assert_null(r->viewer);
  trin_codec_free(r);
  /* an organisation's history is not shown to it by name either */
  assert_int_equal(bmc_history(op(), "cost_per_m2", "K030", FROM, TO, NULL, &h, &e),
                   TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "org_id");
  assert_non_null(strstr(e.message, "'K030' is shown only anonymously to a caller without an "
                                    "organisation of its own"));
  /* the comparison across every organisation: yes; of one: no */
  OK(bmc_compare(op(), NULL, NULL, &pc, &e_));
  trin_codec_free(pc);
  assert_int_equal(bmc_compare(op(), "K030", NULL, &pc, &e), TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "org_id");

  /* a key of an organisation the service has no figures of: the anonymous
   * view too, apart from itself (nothing); it may name only itself */
  OK(bmc_query(as(NOBODY), "cost_per_m2", 2022, NULL, NULL, NULL, 0, &r, &e_));
  assert_int_equal(r->n_entries, NMUN);
  for (size_t i = 0; i < r->n_entries; i++) assert_false(r->entries[i]->named);
  assert_null(r->viewer);
  trin_codec_free(r);
  OK(bmc_query(as(NOBODY), "cost_per_m2", 2022, NULL, NULL, "NOBODY", 0, &r, &e_));
  assert_null(r->viewer);
  trin_codec_free(r);
  assert_int_equal(bmc_query(as(NOBODY), "cost_per_m2", 2022, NULL, NULL, "K030", 0, &r, &e),
                   TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "viewer_org");
}

static void kill9_and_restart_give_the_same_figures(void **state) {
  Trin__Benchmark__FigureReport *before = NULL, *after = NULL;
  Trin__Benchmark__History *hb = NULL, *ha = NULL;
  OK(bmc_query(as(K030), "weighted_maintenance_grade", 2017, NULL, NULL, NULL, 0, &before,
               &e_));
  OK(bmc_history(as(K030), "cost_per_m2", "K010", FROM, TO, NULL, &hb, &e_));
  clients_close();
  testproc_kill9(&bm);
  assert_int_equal(start(), 0);
  OK(bmc_query(as(K030), "weighted_maintenance_grade", 2017, NULL, NULL, NULL, 0, &after,
               &e_));
  OK(bmc_history(as(K030), "cost_per_m2", "K010", FROM, TO, NULL, &ha, &e_));
  assert_int_equal(before->n_entries, after->n_entries);
  assert_int_equal(before->distribution->mean, after->distribution->mean);
  assert_int_equal(before->distribution->q1, after->distribution->q1);
  assert_int_equal(before->distribution->median, after->distribution->median);
  assert_int_equal(before->distribution->q3, after->distribution->q3);
  for (size_t i = 0; i < before->n_entries; i++) {
    assert_string_equal(before->entries[i]->label, after->entries[i]->label);
    assert_int_equal(before->entries[i]->value, after->entries[i]->value);
    assert_int_equal(before->entries[i]->rank, after->entries[i]->rank);
  }
  for (size_t i = 0; i < hb->n_points; i++) {
    assert_int_equal(hb->points[i]->value, ha->points[i]->value);
    assert_int_equal(hb->points[i]->rank, ha->points[i]->rank);
  }
  trin_codec_free(before);
  trin_codec_free(after);
  trin_codec_free(hb);
  trin_codec_free(ha);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_rows_refuse_the_whole_file),
      cmocka_unit_test(nul_bytes_and_invalid_utf8_refuse_the_whole_file),
      cmocka_unit_test(municipalities_ranked_over_eleven_years),
      cmocka_unit_test(imports_emit_figures_changed),
      cmocka_unit_test(trinctl_history_and_query),
      cmocka_unit_test(open_benchmarking_and_minimum_group),
      cmocka_unit_test(the_viewer_is_the_caller),
      cmocka_unit_test(kill9_and_restart_give_the_same_figures),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
