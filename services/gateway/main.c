/* trin-gateway — the HTTP/JSON API for every request of every service.
 * Wiring only: its settings, its store (personal tokens, kept answers), the
 * services it forwards to, the identity providers it trusts, its HTTP
 * server, and its own ROUTER for `trinctl token ... --service gateway`. */
#include <stdio.h>
#include <string.h>

#include "gateway_access.h"
#include "gateway_catalog.h"
#include "gateway_forward.h"
#include "gateway_handlers.h"
#include "gateway_oidc.h"
#include "gateway_store.h"
#include "trin_access.h"
#include "trin_http.h"
#include "trin_service.h"
#include "trin_token.h"

static const trin_config_key_t KEYS[] = {
    {"http-addr", "127.0.0.1:8082", "address of the HTTP API (host:port)"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701", "the lifecycle service's ROUTER (empty = not reached)"},
    {"budget-endpoint", "tcp://127.0.0.1:5711", "the budget service's ROUTER (empty = not reached)"},
    {"survey-endpoint", "tcp://127.0.0.1:5721", "the survey service's ROUTER (empty = not reached)"},
    {"benchmark-endpoint", "tcp://127.0.0.1:5731", "the benchmark service's ROUTER (empty = not reached)"},
    {"aggregator-endpoint", "tcp://127.0.0.1:5741", "the aggregator's ROUTER (empty = not reached)"},
    {"aggregator-pub-endpoint", "tcp://127.0.0.1:5742",
     "the aggregator's PUB, followed for GET /api/v1/stream (empty = no stream)"},
    {"request-timeout-ms", "10000", "a service that has not answered by then gets the client a 503"},
    {"oidc-config", "", "JSON file of trusted OpenID Connect issuers and the claims that map to an "
                        "organisation and role (docs/gateway.md; empty = personal tokens only)"},
    {"idempotency-hours", "24", "answers to requests with an Idempotency-Key are kept this long"},
    {"rate-per-token", "200", "requests a second per personal token or signed-in person (0 = no limit)"},
    {"rate-burst", "400", "requests a rested token may send at once"},
    {"rate-per-address", "2000", "requests a second per client address (0 = no limit)"},
    {"max-body", "1048576", "largest request body in bytes (larger: 413)"},
    {"head-timeout-ms", "10000", "a request's headers must arrive within this (else 408)"},
    {"body-timeout-ms", "30000", "a request's body must arrive within this after its headers"},
    {"idle-timeout-ms", "60000", "an idle keep-alive connection is closed after this"},
    {"max-connections", "4096", "open HTTP connections in all"},
    {"max-per-address", "256", "open HTTP connections per client address"},
};

static const trin_service_spec_t SPEC = {
    .name = "gateway",
    .endpoint = "tcp://127.0.0.1:5751",
    .pub_endpoint = "tcp://127.0.0.1:5752",
    /* Its store holds tokens and kept answers: a process killed loses
     * nothing at `normal`; only a power cut may lose the newest answers. */
    .sync = "normal",
    .role = "gateway",
    .keys = KEYS,
    .nkeys = (int)(sizeof KEYS / sizeof *KEYS),
    .migrate = gateway_store_migrate,
};

/* The gateway reaches its own ROUTER like any service: a wildcard bind
 * address is reached on the loopback. */
/* A token revoked here: forgotten by the access cache, its streams ended. */
typedef struct {
  gateway_access_t *access;
  gateway_stream_t *stream;
} revoked_t;

static void on_revoked(void *data, const char *id) {
  revoked_t *r = data;
  gateway_access_revoked(r->access, id);
  if (r->stream) gateway_stream_revoked(r->stream, id);
}

static void self_endpoint(const char *bound, char *out, size_t cap) {
  const char *star = strstr(bound, "://*:");
  const char *any = strstr(bound, "://0.0.0.0:");
  if (star) snprintf(out, cap, "%.*s://127.0.0.1:%s", (int)(star - bound), bound, star + 5);
  else if (any) snprintf(out, cap, "%.*s://127.0.0.1:%s", (int)(any - bound), bound, any + 11);
  else snprintf(out, cap, "%s", bound);
}

int main(int argc, char **argv) {
  trin_service_t *svc;
  int status = trin_service_start(&SPEC, argc, argv, &svc);
  if (!svc) return status;
  const trin_config_t *cfg = trin_service_config(svc);
  uv_loop_t *loop = trin_service_loop(svc);
  trin_err_t err = {0};
  int64_t timeout, hours, max_body, head, body, idle, maxc, maxpa;
  int rc = trin_config_get_int(cfg, "request-timeout-ms", 100, 600000, &timeout, &err);
  if (!rc) rc = trin_config_get_int(cfg, "idempotency-hours", 1, 24 * 365, &hours, &err);
  if (!rc) rc = trin_config_get_int(cfg, "max-body", 1024, 1 << 30, &max_body, &err);
  if (!rc) rc = trin_config_get_int(cfg, "head-timeout-ms", 100, 600000, &head, &err);
  if (!rc) rc = trin_config_get_int(cfg, "body-timeout-ms", 100, 3600000, &body, &err);
  if (!rc) rc = trin_config_get_int(cfg, "idle-timeout-ms", 100, 3600000, &idle, &err);
  if (!rc) rc = trin_config_get_int(cfg, "max-connections", 1, 1000000, &maxc, &err);
  if (!rc) rc = trin_config_get_int(cfg, "max-per-address", 1, 1000000, &maxpa, &err);
  int64_t per_token, burst, per_address;
  if (!rc) rc = trin_config_get_int(cfg, "rate-per-token", 0, 10000000, &per_token, &err);
  if (!rc) rc = trin_config_get_int(cfg, "rate-burst", 1, 10000000, &burst, &err);
  if (!rc) rc = trin_config_get_int(cfg, "rate-per-address", 0, 10000000, &per_address, &err);
  if (rc) return trin_service_fail(&svc, &err);

  gateway_catalog_t *catalog = NULL;
  gateway_forward_t *forward = NULL;
  gateway_oidc_t *oidc = NULL;
  gateway_access_t *access = NULL;
  gateway_handlers_t *handlers = NULL;
  gateway_stream_t *stream = NULL;
  trin_http_server_t *http = NULL;
  revoked_t revoked = {0};
  if ((rc = gateway_catalog_new(&catalog, &err)) ||
      (rc = gateway_forward_new(loop, trin_service_zctx(svc), (int)timeout, &forward, &err)))
    goto fail;
  for (const char *const *s = gateway_catalog_services(); *s; s++) {
    char key[64], self[512];
    const char *ep;
    if (strcmp(*s, "gateway") == 0) {
      self_endpoint(trin_config_get(cfg, "endpoint"), self, sizeof self);
      ep = self;
    } else {
      snprintf(key, sizeof key, "%s-endpoint", *s);
      ep = trin_config_get(cfg, key);
    }
    if (!ep || !*ep) continue;
    const trin_curve_client_t *curve = NULL;
    if ((rc = trin_service_peer(svc, *s, ep, NULL, &curve, &err)) ||
        (rc = gateway_forward_add(forward, *s, ep, curve, &err)))
      goto fail;
  }
  const char *oidc_path = trin_config_get(cfg, "oidc-config");
  if (oidc_path && *oidc_path && (rc = gateway_oidc_new(loop, oidc_path, &oidc, &err))) {
    if (!err.field[0]) snprintf(err.field, sizeof err.field, "oidc-config");
    goto fail;
  }
  if ((rc = gateway_access_new(trin_service_store(svc), oidc, &access, &err))) goto fail;
  /* Its token requests; a revocation is told to the tokens kept in memory. */
  const char *agg = trin_config_get(cfg, "aggregator-endpoint");
  const char *agg_pub = trin_config_get(cfg, "aggregator-pub-endpoint");
  if (agg && *agg && agg_pub && *agg_pub) {
    const trin_curve_client_t *curve = NULL;
    gateway_stream_options_t so = {.pub_endpoint = agg_pub, .endpoint = agg};
    if ((rc = trin_service_peer(svc, "aggregator", agg, agg_pub, &curve, &err))) goto fail;
    so.curve = curve;
    if ((rc = gateway_stream_new(loop, trin_service_zctx(svc), forward, &so, &stream, &err)))
      goto fail;
  }
  revoked = (revoked_t){.access = access, .stream = stream};
  trin_token_hooks_t token_hooks = {.on_revoked = on_revoked, .data = &revoked};
  trin_access_install(trin_service_server(svc), &gateway_access_rules);
  if ((rc = trin_token_register(trin_service_server(svc), &token_hooks))) {
    trin_err_set(&err, rc, "", "the token requests could not be registered");
    goto fail;
  }
  gateway_handlers_options_t ho = {.idempotency_hours = hours,
                                   .rate_per_principal = (double)per_token,
                                   .rate_burst = (double)burst,
                                   .rate_per_address = (double)per_address,
                                   .version = "0.1.0"};
  if ((rc = gateway_handlers_new(loop, trin_service_store(svc), catalog, forward, access, &ho,
                                 &handlers, &err)))
    goto fail;
  if ((rc = gateway_handlers_set_oidc(handlers, oidc, &err))) goto fail;
  trin_http_options_t hopt = {.address = trin_config_get(cfg, "http-addr"),
                              .max_body = (size_t)max_body,
                              .max_connections = (int)maxc,
                              .idle_timeout_ms = (int)idle,
                              .head_timeout_ms = (int)head,
                              .body_timeout_ms = (int)body,
                              .max_per_address = (int)maxpa};
  if ((rc = trin_http_server_new(loop, &hopt, gateway_handlers_http, handlers, &http, &err))) {
    if (!err.field[0] || strcmp(err.field, "address") == 0)
      snprintf(err.field, sizeof err.field, "http-addr");
    goto fail;
  }
  gateway_handlers_set_http(handlers, http);
  gateway_handlers_set_stream(handlers, stream);

  trin_service_run(svc);
fail:
  trin_http_server_destroy(&http);
  gateway_handlers_destroy(&handlers);
  gateway_access_destroy(&access);
  gateway_oidc_destroy(&oidc);
  gateway_forward_destroy(&forward);
  gateway_stream_destroy(&stream); /* after the forwarder: its asks are answered first */
  gateway_catalog_destroy(&catalog);
  if (rc) return trin_service_fail(&svc, &err);
  trin_service_destroy(&svc);
  return 0;
}
