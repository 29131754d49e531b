/* trin-lifecycle — the project-lifecycle service. Wiring only: its settings,
 * its handlers, and (when configured) the budget service's price closings. */
#include "lifecycle_budget_events.h"
#include "lifecycle_handlers.h"
#include "lifecycle_store.h"
#include "trin_follower.h"
#include "trin_service.h"

static const trin_config_key_t KEYS[] = {
    {"budget-endpoint", "",
     "the budget service's ROUTER; with budget-pub-endpoint, lifecycle follows its "
     "price closings (empty = off)"},
    {"budget-pub-endpoint", "", "the budget service's PUB (empty = off)"},
};

static const trin_service_spec_t SPEC = {
    .name = "lifecycle",
    .endpoint = "tcp://127.0.0.1:5701",
    .pub_endpoint = "tcp://127.0.0.1:5702",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof *KEYS),
    .migrate = lifecycle_store_migrate,
};

int main(int argc, char **argv) {
  trin_service_t *svc;
  int status = trin_service_start(&SPEC, argc, argv, &svc);
  if (!svc) return status;
  const trin_config_t *cfg = trin_service_config(svc);
  lifecycle_handlers_register(trin_service_server(svc));

  trin_err_t err = {0};
  trin_follower_t *budget = NULL;
  trin_follower_options_t fo = {.service = "budget",
                                .endpoint = trin_config_get(cfg, "budget-endpoint"),
                                .pub_endpoint = trin_config_get(cfg, "budget-pub-endpoint")};
  if (*fo.endpoint && *fo.pub_endpoint &&
      (trin_service_peer(svc, fo.service, fo.endpoint, fo.pub_endpoint, &fo.curve, &err) ||
       trin_follower_new(trin_service_loop(svc), trin_service_zctx(svc),
                        trin_service_server(svc), &fo, lifecycle_budget_apply, NULL, &budget,
                        &err)))
    return trin_service_fail(&svc, &err);

  trin_service_run(svc);
  trin_follower_destroy(&budget);
  trin_service_destroy(&svc);
  return 0;
}
