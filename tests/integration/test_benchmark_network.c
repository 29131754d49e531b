/* benchmark.network — networks (issue 20, item 8; seeds 001, 002, 004)
 * through the real lifecycle, budget, survey and benchmark processes with
 * CURVE keys: five member organisations, one that left on 2024-06-30 and an
 * outsider. Ranks among the members on 31 December 2024 (the one who left
 * not counted; counted on 2024-06-29), names inside an open network and
 * anonymous ones in a closed one, the member against the network, the rest
 * below the minimum group suppressed with the reason, the network itself
 * suppressed when a member leaves, the rank history, shared requirements
 * and adoptions, and who may do what: a member may not administer, an
 * outsider is told the network does not exist in the words of a missing id.
 *
 * Cost per m² (øre/m², lower is better), 1.000 m² each, 2024:
 *   m5 9.000 (1), m2 9.500 (2), m4 10.000 (3), m3 11.000 (4), m1 12.000 (5)
 *   gone 8.000 (member 2022-01-01 – 2024-06-30), out 15.000 (never)
 * Median of the five: 10.000; m1 − median = +2.000. On 2024-06-29 gone
 * counts too: {8.000, 9.000, 9.500, 10.000, 11.000, 12.000}, h = 5 × 2 / 4
 * = 2,5, median 9.500 + 0,5 × 500 = 9.750. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "curve_cluster.h"
#include "testcall.h"
#include "trin/benchmark.pb-c.h"
#include "testproc.h"
#include "trin_codec.h"
#include "trin_keys.h"

enum { BM = CC_BM };
enum { ADMIN, M1, M2, M3, M4, M5, GONE, OUT, NWHO };
static const curve_cluster_who_t WHO[NWHO] = {
    [ADMIN] = {"ops", "admin"}, [M1] = {"m1", "writer"},   [M2] = {"m2", "writer"},
    [M3] = {"m3", "writer"},    [M4] = {"m4", "writer"},   [M5] = {"m5", "writer"},
    [GONE] = {"gone", "writer"}, [OUT] = {"out", "writer"},
};
static const int64_t COST_PER_M2[NWHO] = {0, 12000, 9500, 11000, 10000, 9000, 8000, 15000};

static const char *const BINS[CC_NSVC] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN, TRIN_SURVEY_BIN,
                                          TRIN_BENCHMARK_BIN};
static curve_cluster_t cc;

static trin_client_t *as(int who) {
  trin_client_t *c = curve_cluster_as(&cc, who, BM);
  assert_non_null(c);
  return c;
}

static uint64_t last_seq(void) {
  uint64_t s = curve_cluster_last_seq(&cc, BM);
  assert_true(s != UINT64_MAX);
  return s;
}

static int call(int who, const ProtobufCMessage *req, const ProtobufCMessageDescriptor *d,
                ProtobufCMessage **out, trin_err_t *err) {
  return testcall(as(who), req, d, out, err);
}

/* ---- calls ------------------------------------------------------------------------------ */

static int set_org(const char *id, trin_err_t *err) {
  Trin__Benchmark__Organisation o = TRIN__BENCHMARK__ORGANISATION__INIT;
  o.id = (char *)id;
  o.name = (char *)id;
  Trin__Benchmark__SetOrganisation q = TRIN__BENCHMARK__SET_ORGANISATION__INIT;
  q.organisation = &o;
  return call(ADMIN, &q.base, &trin__benchmark__organisation_reply__descriptor, NULL, err);
}

static int set_property(const char *id, const char *owner, trin_err_t *err) {
  Trin__Benchmark__Property p = TRIN__BENCHMARK__PROPERTY__INIT;
  p.id = (char *)id;
  p.name = (char *)id;
  p.owner_org = (char *)owner;
  p.type = "school";
  p.gross_area_m2 = 1000;
  Trin__Benchmark__SetProperty q = TRIN__BENCHMARK__SET_PROPERTY__INIT;
  q.property = &p;
  return call(ADMIN, &q.base, &trin__benchmark__property_reply__descriptor, NULL, err);
}

static int set_cost(const char *property, int year, int64_t ore, trin_err_t *err) {
  Trin__Benchmark__AccountCost c = TRIN__BENCHMARK__ACCOUNT_COST__INIT;
  c.account = "drift";
  c.amount_ore = ore;
  Trin__Benchmark__AccountCost *cs[1] = {&c};
  Trin__Benchmark__Measure m = TRIN__BENCHMARK__MEASURE__INIT;
  m.property_id = (char *)property;
  m.year = year;
  m.costs = cs;
  m.n_costs = 1;
  Trin__Benchmark__SetMeasure q = TRIN__BENCHMARK__SET_MEASURE__INIT;
  q.measure = &m;
  return call(ADMIN, &q.base, &trin__benchmark__measure_reply__descriptor, NULL, err);
}

static int set_network(int who, const char *id, bool open, trin_err_t *err) {
  Trin__Benchmark__SetNetwork q = TRIN__BENCHMARK__SET_NETWORK__INIT;
  q.network_id = (char *)id;
  q.name = "Benchlearning-kreds for skoler";
  q.open_inside = open;
  return call(who, &q.base, &trin__benchmark__network_reply__descriptor, NULL, err);
}

static int set_member(int who, const char *net, const char *org, const char *joined,
                      const char *left, trin_err_t *err) {
  Trin__Benchmark__NetworkMember m = TRIN__BENCHMARK__NETWORK_MEMBER__INIT;
  m.org_id = (char *)org;
  m.joined = (char *)joined;
  m.left = (char *)left;
  Trin__Benchmark__SetNetworkMember q = TRIN__BENCHMARK__SET_NETWORK_MEMBER__INIT;
  q.network_id = (char *)net;
  q.member = &m;
  return call(who, &q.base, &trin__benchmark__network_reply__descriptor, NULL, err);
}

static int get_network(int who, const char *net, Trin__Benchmark__NetworkReply **out,
                       trin_err_t *err) {
  Trin__Benchmark__GetNetwork q = TRIN__BENCHMARK__GET_NETWORK__INIT;
  q.network_id = (char *)net;
  return call(who, &q.base, &trin__benchmark__network_reply__descriptor, (ProtobufCMessage **)out,
              err);
}

static int query(int who, const char *net, const char *date,
                 Trin__Benchmark__NetworkFigureReport **out, trin_err_t *err) {
  Trin__Benchmark__QueryNetworkFigure q = TRIN__BENCHMARK__QUERY_NETWORK_FIGURE__INIT;
  q.network_id = (char *)net;
  q.figure = "cost_per_m2";
  q.year = 2024;
  q.date = (char *)date;
  return call(who, &q.base, &trin__benchmark__network_figure_report__descriptor,
              (ProtobufCMessage **)out, err);
}

static int requirement(int who, const char *net, const char *id, trin_err_t *err) {
  Trin__Benchmark__NetworkRequirement r = TRIN__BENCHMARK__NETWORK_REQUIREMENT__INIT;
  r.id = (char *)id;
  r.title = "Fælles krav til LED-belysning";
  r.reference = "https://example.org/kreds/krav-led.pdf";
  r.date = "2024-02-01";
  Trin__Benchmark__SetNetworkRequirement q = TRIN__BENCHMARK__SET_NETWORK_REQUIREMENT__INIT;
  q.network_id = (char *)net;
  q.requirement = &r;
  return call(who, &q.base, &trin__benchmark__network_reply__descriptor, NULL, err);
}

static int adopt(int who, const char *net, const char *org, const char *date, trin_err_t *err) {
  Trin__Benchmark__NetworkAdoption d = TRIN__BENCHMARK__NETWORK_ADOPTION__INIT;
  d.requirement_id = "krav-led";
  d.org_id = (char *)org;
  d.project_id = "P-7";
  d.date = (char *)date;
  Trin__Benchmark__AddNetworkAdoption q = TRIN__BENCHMARK__ADD_NETWORK_ADOPTION__INIT;
  q.network_id = (char *)net;
  q.adoption = &d;
  return call(who, &q.base, &trin__benchmark__network_reply__descriptor, NULL, err);
}

/* ---- set-up --------------------------------------------------------------------------------- */

static int setup(void **state) {
  (void)state;
  if (!curve_cluster_start(&cc, "network", WHO, NWHO, BINS)) return -1;
  trin_err_t err = {0};
  for (int w = M1; w < NWHO; w++) {
    char prop[32];
    snprintf(prop, sizeof prop, "skole-%s", WHO[w].org);
    if (set_org(WHO[w].org, &err) || set_property(prop, WHO[w].org, &err) ||
        set_cost(prop, 2024, COST_PER_M2[w] * 1000, &err)) {
      fprintf(stderr, "set-up: %s (field %s)\n", err.message, err.field);
      return -1;
    }
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return curve_cluster_stop(&cc);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void members_ranked_on_the_date(void **state) {
  (void)state;
  OK(set_network(M1, "kreds", true, &e_));
  static const int members[] = {M1, M2, M3, M4, M5};
  for (size_t i = 0; i < 5; i++)
    OK(set_member(M1, "kreds", WHO[members[i]].org, "2023-01-01", "", &e_));
  OK(set_member(M1, "kreds", "gone", "2022-01-01", "2024-06-30", &e_));

  Trin__Benchmark__NetworkFigureReport *r = NULL;
  OK(query(M3, "kreds", "", &r, &e_));
  assert_string_equal(r->date, "2024-12-31");
  assert_false(r->suppressed);
  assert_int_equal(r->n_entries, 5);
  static const char *const order[] = {"m5", "m2", "m4", "m3", "m1"};
  for (size_t i = 0; i < 5; i++) {
    assert_string_equal(r->entries[i]->org_id, order[i]); /* open inside: named */
    assert_int_equal(r->entries[i]->rank, (int)i + 1);
  }
  assert_true(r->entries[3]->you);
  assert_int_equal(r->network->median, 10000);
  assert_int_equal(r->network->organisations, 5);
  assert_true(r->has_member_difference);
  assert_int_equal(r->member_difference, 11000 - 10000);
  /* the rest: gone (left before the date) and out */
  assert_false(r->rest->shown);
  assert_int_equal(r->rest->organisations, 2);
  assert_string_equal(r->rest->reason,
                      "2 organisations outside the network have a value: fewer than the "
                      "minimum of 5");
  assert_false(r->has_network_difference);
  trin_codec_free(&r->base);

  /* the day before gone left, it counts */
  OK(query(M1, "kreds", "2024-06-29", &r, &e_));
  assert_int_equal(r->n_entries, 6);
  assert_string_equal(r->entries[0]->org_id, "gone");
  assert_int_equal(r->network->median, 9750);
  assert_int_equal(r->member_difference, 12000 - 9750);
  trin_codec_free(&r->base);

  /* the rank history among members: none in 2023, 2nd of 5 in 2024 */
  Trin__Benchmark__QueryNetworkHistory hq = TRIN__BENCHMARK__QUERY_NETWORK_HISTORY__INIT;
  hq.network_id = "kreds";
  hq.figure = "cost_per_m2";
  hq.org_id = "m2";
  hq.from_year = 2023;
  hq.to_year = 2024;
  Trin__Benchmark__History *h = NULL;
  OK(call(M4, &hq.base, &trin__benchmark__history__descriptor, (ProtobufCMessage **)&h, &e_));
  assert_int_equal(h->n_points, 2);
  assert_false(h->points[0]->has_value);
  assert_true(h->points[1]->has_value);
  assert_int_equal(h->points[1]->rank, 2);
  assert_int_equal(h->points[1]->of, 5);
  assert_int_equal(h->points[1]->median, 10000);
  trin_codec_free(&h->base);
}

/* trinctl with m1's key: the ranking in Danish, m1 marked as "dig". */
static void trinctl_in_danish(void **state) {
  (void)state;
  static char out[1 << 14];
  char key[300], as_m1[900], cmd[1200];
  trin_err_t err = {0};
  snprintf(key, sizeof key, "%s/m1-key", cc.dir);
  assert_int_equal(trin_keys_write(key, &cc.who_key[M1], &err), TRIN_OK);
  snprintf(as_m1, sizeof as_m1, "%s --endpoint=%s --key %s --server-key %s/benchmark.pub",
           TRINCTL_BIN, cc.ep[BM], key, cc.peers);
  snprintf(cmd, sizeof cmd, "%s benchmark network-query kreds --figure cost_per_m2 --year 2024",
           as_m1);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  static const char *const want[] = {
      "cost_per_m2 (DKK/m2, lavere er bedre) i 2024, netværk kreds, medlemmer pr. 2024-12-31",
      "m1 (dig)",
      "120,00",
      "  netværket: median 100,00 (5 organisationer)\n",
      "  resten: skjult, 2 organisationer med en værdi (mindst 5)\n",
      "  dig: 120,00, nr. 5, +20,00 mod netværkets median\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    if (!strstr(out, want[i])) print_error("missing %s in:\n%s\n", want[i], out);
    assert_non_null(strstr(out, want[i]));
  }
  snprintf(cmd, sizeof cmd, "%s benchmark network-show kreds", as_m1);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "Netværk kreds: Benchlearning-kreds for skoler (åbent for "
                              "medlemmerne)\nAdministreres af: m1\n"));
  assert_non_null(strstr(out, "gone"));
  assert_non_null(strstr(out, "2024-06-30"));
  /* a member's history through trinctl */
  snprintf(cmd, sizeof cmd,
           "%s benchmark network-history kreds --figure cost_per_m2 --org m2 --from 2024 --to 2024",
           as_m1);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "m2 i netværk kreds: cost_per_m2 (DKK/m2)"));
}

static void anonymous_inside_a_closed_network(void **state) {
  (void)state;
  OK(set_network(M1, "kreds", false, &e_));
  Trin__Benchmark__NetworkFigureReport *r = NULL;
  OK(query(M2, "kreds", "", &r, &e_));
  assert_int_equal(r->n_entries, 5);
  assert_string_equal(r->entries[0]->label, "anonymous #1");
  assert_string_equal(r->entries[0]->org_id, "");
  assert_string_equal(r->entries[1]->org_id, "m2"); /* itself */
  assert_true(r->entries[1]->you);
  trin_codec_free(&r->base);
  /* nor a member's history by name */
  Trin__Benchmark__QueryNetworkHistory hq = TRIN__BENCHMARK__QUERY_NETWORK_HISTORY__INIT;
  hq.network_id = "kreds";
  hq.figure = "cost_per_m2";
  hq.org_id = "m4";
  hq.from_year = 2024;
  hq.to_year = 2024;
  trin_err_t e = {0};
  assert_int_equal(call(M2, &hq.base, &trin__benchmark__history__descriptor, NULL, &e),
                   TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "org_id");
  assert_string_equal(e.message,
                      "'m4' is shown only anonymously in network 'kreds' (the network is not "
                      "open to its members, and open benchmarking is not agreed by both)");
  OK(set_network(M1, "kreds", true, &e_));
}

static void outsider_and_member_refused(void **state) {
  (void)state;
  /* an outsider: no such network, word for word a missing id's answer */
  trin_err_t missing = {0}, e = {0};
  assert_int_equal(get_network(M1, "ingen", NULL, &missing), TRIN_ENOTFOUND);
  assert_string_equal(missing.message, "there is no network 'ingen'");
  uint64_t before = last_seq();
  assert_int_equal(get_network(OUT, "kreds", NULL, &e), TRIN_ENOTFOUND);
  assert_string_equal(e.field, "network_id");
  assert_string_equal(e.message, "there is no network 'kreds'");
  assert_int_equal(query(OUT, "kreds", "", NULL, &e), TRIN_ENOTFOUND);
  assert_string_equal(e.message, "there is no network 'kreds'");
  /* gone left: an outsider now */
  assert_int_equal(query(GONE, "kreds", "", NULL, &e), TRIN_ENOTFOUND);
  assert_int_equal(set_member(OUT, "kreds", "out", "2024-01-01", "", &e), TRIN_ENOTFOUND);
  /* an outsider creating a network under a taken id: taken, whose unsaid */
  assert_int_equal(set_network(OUT, "kreds", true, &e), TRIN_ECONFLICT);
  assert_string_equal(e.message, "network 'kreds' already exists");
  /* a member may read, not administer */
  assert_int_equal(set_member(M2, "kreds", "m2", "2020-01-01", "", &e), TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "network_id");
  assert_string_equal(e.message,
                      "network 'kreds' is administered by 'm1': only its writers may change it");
  /* dates in words */
  assert_int_equal(set_member(M1, "kreds", "m2", "2024-01-01", "2023-01-01", &e), TRIN_EINVALID);
  assert_string_equal(e.field, "member.left");
  assert_int_equal(last_seq(), before);
}

static void requirements_and_adoptions(void **state) {
  (void)state;
  OK(requirement(M1, "kreds", "krav-led", &e_));
  OK(adopt(M2, "kreds", "m2", "2024-05-01", &e_));
  trin_err_t e = {0};
  /* a member records its own adoptions only */
  assert_int_equal(adopt(M2, "kreds", "m3", "2024-05-01", &e), TRIN_EFORBIDDEN);
  assert_string_equal(e.field, "adoption.org_id");
  /* not a member on the day */
  assert_int_equal(adopt(M1, "kreds", "gone", "2024-07-01", &e), TRIN_EINVALID);
  assert_string_equal(e.message, "'gone' was not a member of network 'kreds' on 2024-07-01");
  assert_int_equal(adopt(M2, "kreds", "m2", "2024-05-01", &e), TRIN_ECONFLICT);
  assert_string_equal(e.message,
                      "'m2' has already recorded adopting requirement 'krav-led' in project "
                      "'P-7'");
  Trin__Benchmark__NetworkReply *n = NULL;
  OK(get_network(M3, "kreds", &n, &e_));
  assert_string_equal(n->network->admin_org, "m1");
  assert_int_equal(n->network->n_members, 6);
  assert_int_equal(n->network->n_requirements, 1);
  assert_string_equal(n->network->requirements[0]->reference,
                      "https://example.org/kreds/krav-led.pdf");
  assert_int_equal(n->network->n_adoptions, 1);
  assert_string_equal(n->network->adoptions[0]->org_id, "m2");
  assert_string_equal(n->network->adoptions[0]->project_id, "P-7");
  trin_codec_free(&n->base);
}

static void network_below_minimum_suppressed(void **state) {
  (void)state;
  OK(set_member(M1, "kreds", "m5", "2023-01-01", "2024-03-01", &e_));
  Trin__Benchmark__NetworkFigureReport *r = NULL;
  OK(query(M1, "kreds", "", &r, &e_));
  assert_true(r->suppressed);
  assert_int_equal(r->n_entries, 0);
  assert_string_equal(r->network->reason,
                      "4 organisations in the network have a value: fewer than the minimum of 5");
  assert_non_null(r->viewer);
  assert_int_equal(r->viewer->value, 12000);
  assert_int_equal(r->viewer->rank, 0);
  assert_false(r->has_member_difference);
  trin_codec_free(&r->base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(members_ranked_on_the_date),
      cmocka_unit_test(trinctl_in_danish),
      cmocka_unit_test(anonymous_inside_a_closed_network),
      cmocka_unit_test(outsider_and_member_refused),
      cmocka_unit_test(requirements_and_adoptions),
      cmocka_unit_test(network_below_minimum_suppressed),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
