/* trin-budget — the budget service. Wiring only: its settings, its
 * handlers, and the lifecycle events it learns projects from. */
#include <string.h>

#include "budget_handlers.h"
#include "budget_lifecycle_events.h"
#include "budget_store.h"
#include "trin_follower.h"
#include "trin_service.h"

static const trin_config_key_t KEYS[] = {
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701",
     "the lifecycle service's ROUTER (projects and partnerships come from its events)"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "the lifecycle service's PUB"},
};

static const trin_service_spec_t SPEC = {
    .name = "budget",
    .endpoint = "tcp://127.0.0.1:5711",
    .pub_endpoint = "tcp://127.0.0.1:5712",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof *KEYS),
    .migrate = budget_store_migrate,
};

int main(int argc, char **argv) {
  trin_service_t *svc;
  int status = trin_service_start(&SPEC, argc, argv, &svc);
  if (!svc) return status;
  const trin_config_t *cfg = trin_service_config(svc);
  budget_handlers_t handlers;
  memset(&handlers, 0, sizeof handlers);
  budget_handlers_register(trin_service_server(svc), &handlers);

  trin_err_t err = {0};
  trin_follower_t *lifecycle = NULL;
  trin_follower_options_t fo = {.service = "lifecycle",
                                .endpoint = trin_config_get(cfg, "lifecycle-endpoint"),
                                .pub_endpoint = trin_config_get(cfg, "lifecycle-pub-endpoint"),
                                .replay = budget_lifecycle_replay};
  if (trin_service_peer(svc, fo.service, fo.endpoint, fo.pub_endpoint, &fo.curve, &err) ||
      trin_follower_new(trin_service_loop(svc), trin_service_zctx(svc),
                        trin_service_server(svc), &fo, budget_lifecycle_apply, NULL, &lifecycle,
                        &err)) {
    budget_handlers_cleanup(&handlers);
    return trin_service_fail(&svc, &err);
  }

  trin_service_run(svc);
  trin_follower_destroy(&lifecycle);
  trin_service_destroy(&svc);
  budget_handlers_cleanup(&handlers);
  return 0;
}
