/* trin-benchmark — the benchmarking service. Wiring only: its settings, its
 * handlers, and the followers of lifecycle, budget and survey. */
#include <stdio.h>

#include "benchmark_handlers.h"
#include "benchmark_budget_events.h"
#include "benchmark_follow.h"
#include "benchmark_lifecycle_events.h"
#include "benchmark_survey_events.h"
#include "benchmark_store.h"
#include "trin_log.h"
#include "trin_service.h"

static const trin_config_key_t KEYS[] = {
    {"min-group", "5",
     "smallest peer group (organisations) whose distribution and ranks are shown"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701", "the lifecycle service's ROUTER (\"\" = not deployed)"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "the lifecycle service's PUB"},
    {"budget-endpoint", "tcp://127.0.0.1:5711", "the budget service's ROUTER (\"\" = not deployed)"},
    {"budget-pub-endpoint", "tcp://127.0.0.1:5712", "the budget service's PUB"},
    {"survey-endpoint", "tcp://127.0.0.1:5721", "the survey service's ROUTER (\"\" = not deployed)"},
    {"survey-pub-endpoint", "tcp://127.0.0.1:5722", "the survey service's PUB"},
};

static const trin_service_spec_t SPEC = {
    .name = "benchmark",
    .endpoint = "tcp://127.0.0.1:5731",
    .pub_endpoint = "tcp://127.0.0.1:5732",
    .max_message = "67108864",
    .max_message_help = "largest request in bytes (CSV imports travel in one)",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof *KEYS),
    .migrate = benchmark_store_migrate,
};

static const benchmark_upstream_t *const UPSTREAM[] = {
    &benchmark_lifecycle_events, &benchmark_budget_events, &benchmark_survey_events};
#define NUPSTREAM 3

int main(int argc, char **argv) {
  trin_service_t *ts;
  int status = trin_service_start(&SPEC, argc, argv, &ts);
  if (!ts) return status;
  const trin_config_t *cfg = trin_service_config(ts);
  trin_err_t err = {0};
  int64_t min_group;
  benchmark_service_t *svc = NULL;
  benchmark_follow_t *followers[NUPSTREAM] = {NULL};
  int rc = trin_config_get_int(cfg, "min-group", 2, 1000, &min_group, &err);
  if (!rc)
    rc = benchmark_service_new(trin_service_loop(ts), trin_service_server(ts),
                               trin_service_store(ts), (int)min_group, &svc, &err);
  for (int i = 0; !rc && i < NUPSTREAM; i++) {
    char k1[64], k2[64];
    const char *peer = UPSTREAM[i]->service;
    snprintf(k1, sizeof k1, "%s-endpoint", peer);
    snprintf(k2, sizeof k2, "%s-pub-endpoint", peer);
    const char *ep = trin_config_get(cfg, k1), *pub = trin_config_get(cfg, k2);
    if (!*ep || !*pub) {
      trin_log_info("%s not deployed (no endpoint): its KPIs stay empty", peer);
      continue;
    }
    const trin_curve_client_t *curve = NULL;
    rc = trin_service_peer(ts, peer, ep, pub, &curve, &err);
    if (!rc)
      rc = benchmark_follow(trin_service_loop(ts), trin_service_zctx(ts), svc, UPSTREAM[i], ep,
                            pub, curve, &followers[i], &err);
  }
  if (!rc) {
    trin_log_info("smallest peer group shown: %d organisations", (int)min_group);
    trin_service_run(ts);
  }
  for (int i = 0; i < NUPSTREAM; i++) benchmark_unfollow(&followers[i]);
  benchmark_service_destroy(&svc);
  if (rc) return trin_service_fail(&ts, &err);
  trin_service_destroy(&ts);
  return 0;
}
