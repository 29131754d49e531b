/* trin-survey — the resident-survey service. Wiring only: its settings,
 * the respondent key, its handlers, the lifecycle events it learns projects
 * from, and the webhook. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle_membership.h"
#include "survey_handlers.h"
#include "survey_lifecycle_events.h"
#include "survey_store.h"
#include "survey_webhook.h"
#include "trin_follower.h"
#include "trin_log.h"
#include "trin_service.h"
#include "trin_token.h"

static const trin_config_key_t KEYS[] = {
    {"key-file", "",
     "secret key that makes respondents pseudonymous (32 bytes, mode 600); "
     "\"\" = the store's path + \".key\"; made on first start"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701", "the lifecycle service's ROUTER"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "the lifecycle service's PUB"},
    {"http-address", "127.0.0.1:8081", "webhook HTTP listen address (\"\" = off)"},
    {"webhook-token", "",
     TRIN_CONFIG_SECRET "the operator's webhook token (Authorization: Bearer / X-API-Key): any survey; "
     "organisations get their own with `trinctl token create --service survey` (\"\" = none)"},
    {"http-max-body", "67108864", "largest webhook body in bytes"},
};

static const trin_service_spec_t SPEC = {
    .name = "survey",
    .endpoint = "tcp://127.0.0.1:5721",
    .pub_endpoint = "tcp://127.0.0.1:5722",
    .max_message = "67108864",
    .max_message_help = "largest request in bytes (a CSV import travels in one request: "
                        "64 MiB holds about 1.5 million responses of 10 statements)",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof *KEYS),
    .migrate = survey_store_migrate,
};

/* The respondent key: without it a re-sent response could not be
 * recognised, so it lives beside the store and is made once. */
static int load_key(const trin_config_t *cfg, survey_service_t *svc, trin_err_t *err) {
  if (sodium_init() < 0)
    return trin_err_set(err, TRIN_EINTERNAL, "", "libsodium could not initialise");
  const char *loc = trin_config_get(cfg, "store");
  const char *path = strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
  char keypath[1100];
  const char *kf = trin_config_get(cfg, "key-file");
  if (kf && *kf)
    snprintf(keypath, sizeof keypath, "%s", kf);
  else if (strcmp(path, ":memory:") == 0 || strstr(path, "://"))
    return trin_err_set(err, TRIN_EINVALID, "key-file",
                        "is required with an in-memory or PostgreSQL store");
  else
    snprintf(keypath, sizeof keypath, "%s.key", path);
  int created = 0;
  int rc = survey_key_load(keypath, svc->key, &created, err);
  if (!rc && created)
    trin_log_warn("made a new respondent key %s (mode 600); back it up with the store: "
                  "without it re-sent responses are counted again",
                  keypath);
  return rc;
}

int main(int argc, char **argv) {
  trin_service_t *svc;
  int status = trin_service_start(&SPEC, argc, argv, &svc);
  if (!svc) return status;
  const trin_config_t *cfg = trin_service_config(svc);
  trin_server_t *server = trin_service_server(svc);
  trin_err_t err = {0};
  survey_service_t survey;
  trin_follower_t *lifecycle = NULL;
  survey_webhook_t *hook = NULL;
  int64_t max_body;
  int rc = trin_config_get_int(cfg, "http-max-body", 1024, 256 << 20, &max_body, &err);
  if (!rc) rc = load_key(cfg, &survey, &err);
  if (!rc) rc = trin_token_migrate(trin_service_store(svc), &err);
  if (!rc) rc = survey_handlers_register(server, &survey);
  if (!rc) rc = trin_token_register(server, NULL);

  trin_follower_options_t fo = {.service = "lifecycle",
                                .endpoint = trin_config_get(cfg, "lifecycle-endpoint"),
                                .pub_endpoint = trin_config_get(cfg, "lifecycle-pub-endpoint"),
                                .replay = lifecycle_membership_replay};
  if (!rc) rc = trin_service_peer(svc, fo.service, fo.endpoint, fo.pub_endpoint, &fo.curve, &err);
  if (!rc)
    rc = trin_follower_new(trin_service_loop(svc), trin_service_zctx(svc), server, &fo,
                           survey_lifecycle_apply, NULL, &lifecycle, &err);

  const char *http = trin_config_get(cfg, "http-address");
  const char *token = trin_config_get(cfg, "webhook-token");
  if (!rc && *http) {
    rc = survey_webhook_new(trin_service_loop(svc), server, &survey, http, token,
                            (size_t)max_body, &hook, &err);
    if (!rc)
      trin_log_info("webhook on http://%.*s:%d%s", (int)(strrchr(http, ':') - http), http,
                    survey_webhook_port(hook), SURVEY_WEBHOOK_PATH);
  }

  if (!rc) trin_service_run(svc);
  survey_webhook_destroy(&hook);
  trin_follower_destroy(&lifecycle);
  sodium_memzero(survey.key, sizeof survey.key);
  if (rc) return trin_service_fail(&svc, &err);
  trin_service_destroy(&svc);
  return 0;
}
