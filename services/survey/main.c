/* trin-survey — the resident-survey service. Wiring only: settings, key,
 * store, server, handlers, lifecycle subscription, webhook, loop. */
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "survey_handlers.h"
#include "survey_store.h"
#include "survey_webhook.h"
#include "trin_config.h"
#include "trin_cursor.h"
#include "trin_log.h"
#include "trin_server.h"
#include "trin_store.h"
#include "trin_follower.h"

static const trin_config_key_t KEYS[] = {
    {"endpoint", "tcp://127.0.0.1:5721", "ROUTER endpoint for requests"},
    {"pub-endpoint", "tcp://127.0.0.1:5722", "PUB endpoint for events"},
    {"store", "sqlite:data/survey.db", "store location (sqlite:PATH)"},
    {"sync", "full",
     "full: a commit survives a power cut; normal: survives a crash of trin only"},
    {"batch-max", "512", "most requests committed in one transaction"},
    {"max-message", "67108864",
     "largest request in bytes (a CSV import travels in one request: 64 MiB holds "
     "about 1.5 million responses of 10 statements)"},
    {"heartbeat-ms", "1000", "interval of heartbeats on the PUB socket (0 = off)"},
    {"log-level", "info", "debug, info, warn or error"},
    {"key-file", "",
     "secret key that makes respondents pseudonymous (32 bytes, mode 600); "
     "\"\" = the store's path + \".key\"; made on first start"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701", "the lifecycle service's ROUTER"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "the lifecycle service's PUB"},
    {"http-address", "127.0.0.1:8081", "webhook HTTP listen address (\"\" = off)"},
    {"webhook-token", "",
     "token survey tools send (Authorization: Bearer / X-API-Key); required for the "
     "webhook, which stays off without one"},
    {"http-max-body", "67108864", "largest webhook body in bytes"},
};

static uv_loop_t loop;


static void on_signal(uv_signal_t *h, int signum) {
  trin_log_info("signal %d: shutting down", signum);
  uv_stop(h->loop);
}

static int fail(const trin_err_t *err) {
  if (err->field[0])
    fprintf(stderr, "trin-survey: %s: %s\n", err->field, err->message);
  else
    fprintf(stderr, "trin-survey: %s\n", err->message);
  return 1;
}

static void close_walk(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h)) uv_close(h, NULL);
}


static void make_parent_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash && slash != path) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    uv_fs_t req;
    uv_fs_mkdir(NULL, &req, dir, 0750, NULL);
    uv_fs_req_cleanup(&req);
  }
}

int main(int argc, char **argv) {
  trin_err_t err = {0};
  trin_config_t *cfg = trin_config_new(KEYS, (int)(sizeof KEYS / sizeof *KEYS));
  bool help = false;
  if (!cfg) return 1;
  if (trin_config_load(cfg, argc, argv, &help, &err)) {
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  if (help) {
    printf("usage: trin-survey [--key=value ...]\n\nsettings:\n");
    trin_config_print_help(cfg);
    trin_config_destroy(&cfg);
    return 0;
  }
  trin_log_set_service("survey");
  int level = trin_log_level_parse(trin_config_get(cfg, "log-level"));
  if (level < 0) {
    trin_err_set(&err, TRIN_EINVALID, "log-level", "must be debug, info, warn or error");
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  trin_log_set_level((trin_log_level_t)level);
  if (sodium_init() < 0) {
    trin_err_set(&err, TRIN_EINTERNAL, "", "libsodium could not initialise");
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  int64_t batch_max, max_message, heartbeat, max_body;
  const char *sync = trin_config_get(cfg, "sync");
  int rc = trin_config_get_int(cfg, "batch-max", 1, 100000, &batch_max, &err);
  if (!rc) rc = trin_config_get_int(cfg, "max-message", 1024, 256 << 20, &max_message, &err);
  if (!rc) rc = trin_config_get_int(cfg, "heartbeat-ms", 0, 3600000, &heartbeat, &err);
  if (!rc) rc = trin_config_get_int(cfg, "http-max-body", 1024, 256 << 20, &max_body, &err);
  if (!rc && strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0)
    rc = trin_err_set(&err, TRIN_EINVALID, "sync", "must be full or normal, not '%s'", sync);
  if (rc) {
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  const char *loc = trin_config_get(cfg, "store");
  const char *path = strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
  make_parent_dir(path);

  /* The respondent key: without it a re-sent response could not be
   * recognised, so it lives beside the store and is made once. */
  survey_service_t svc;
  char keypath[1100];
  const char *kf = trin_config_get(cfg, "key-file");
  if (kf && *kf) {
    snprintf(keypath, sizeof keypath, "%s", kf);
  } else if (strcmp(path, ":memory:") == 0) {
    trin_err_set(&err, TRIN_EINVALID, "key-file", "is required with an in-memory store");
    trin_config_destroy(&cfg);
    return fail(&err);
  } else {
    snprintf(keypath, sizeof keypath, "%s.key", path);
  }
  int created = 0;
  if ((rc = survey_key_load(keypath, svc.key, &created, &err))) {
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  if (created)
    trin_log_warn("made a new respondent key %s (mode 600); back it up with the store: "
                  "without it re-sent responses are counted again",
                  keypath);

  trin_store_t *store = NULL;
  trin_store_options_t so = {
      .location = loc,
      .sync = strcmp(sync, "normal") == 0 ? TRIN_STORE_SYNC_NORMAL : TRIN_STORE_SYNC_FULL};
  uint64_t cursor = 0;
  if ((rc = trin_store_open(&so, &store, &err)) || (rc = survey_store_migrate(store, &err)) ||
      (rc = trin_cursor_migrate(store, &err)) ||
      (rc = trin_cursor_get(store, "lifecycle", &cursor, &err))) {
    trin_store_destroy(&store);
    sodium_memzero(svc.key, sizeof svc.key);
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  trin_server_options_t opt = {
      .service = "survey",
      .endpoint = trin_config_get(cfg, "endpoint"),
      .pub_endpoint = trin_config_get(cfg, "pub-endpoint"),
      .batch_max = (int)batch_max,
      .max_message = (size_t)max_message,
      .heartbeat_ms = heartbeat == 0 ? 0 : (int)heartbeat,
  };
  trin_server_t *server = NULL;
  trin_follower_t *follower = NULL;
  survey_webhook_t *hook = NULL;
  if ((rc = trin_server_new(&loop, zctx, store, &opt, &server, &err))) goto out;
  survey_handlers_register(server, &svc);

  trin_follower_options_t fo = {
      .service = "lifecycle",
      .pub_endpoint = trin_config_get(cfg, "lifecycle-pub-endpoint"),
      .endpoint = trin_config_get(cfg, "lifecycle-endpoint"),
  };
  if ((rc = trin_follower_new(&loop, zctx, server, &fo, survey_apply_lifecycle_event, NULL,
                              &follower, &err)))
    goto out;

  const char *http = trin_config_get(cfg, "http-address");
  const char *token = trin_config_get(cfg, "webhook-token");
  if (http && *http && (!token || !*token)) {
    trin_log_warn("webhook off: http-address is %s but no webhook-token is set", http);
  } else if (http && *http) {
    if ((rc = survey_webhook_new(&loop, server, &svc, http, token, (size_t)max_body, &hook,
                                 &err)))
      goto out;
    trin_log_info("webhook on http://%.*s:%d%s", (int)(strrchr(http, ':') - http), http,
                  survey_webhook_port(hook), SURVEY_WEBHOOK_PATH);
  }

  uv_signal_t sigint, sigterm;
  uv_signal_init(&loop, &sigint);
  uv_signal_init(&loop, &sigterm);
  uv_signal_start(&sigint, on_signal, SIGINT);
  uv_signal_start(&sigterm, on_signal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);
  trin_log_info("ready (store %s, sync %s, lifecycle events after %llu)", loc, sync,
                (unsigned long long)cursor);

  uv_run(&loop, UV_RUN_DEFAULT);

  trin_server_stats_t stats = trin_server_stats(server);
  trin_log_info("stopped after %llu requests in %llu batches, %llu events",
                (unsigned long long)stats.requests, (unsigned long long)stats.batches,
                (unsigned long long)stats.events_published);
out:
  survey_webhook_destroy(&hook);
  trin_follower_destroy(&follower);
  trin_server_destroy(&server);
  uv_walk(&loop, close_walk, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  trin_store_destroy(&store);
  sodium_memzero(svc.key, sizeof svc.key);
  trin_config_destroy(&cfg);
  return rc ? fail(&err) : 0;
}
