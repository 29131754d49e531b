/* trin-budget — the budget service. Wiring only: settings, store, server,
 * handlers, the lifecycle follower, loop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "budget_handlers.h"
#include "budget_lifecycle_events.h"
#include "budget_store.h"
#include "trin_cursor.h"
#include "trin_config.h"
#include "trin_log.h"
#include "trin_server.h"
#include "trin_store.h"

static const trin_config_key_t KEYS[] = {
    {"endpoint", "tcp://127.0.0.1:5711", "ROUTER endpoint for requests"},
    {"pub-endpoint", "tcp://127.0.0.1:5712", "PUB endpoint for events"},
    {"store", "sqlite:data/budget.db", "store location (sqlite:PATH)"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701",
     "the lifecycle service's ROUTER (projects and partnerships come from its events)"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "the lifecycle service's PUB"},
    {"sync", "full",
     "full: a commit survives a power cut; normal: survives a crash of trin only"},
    {"batch-max", "512", "most requests committed in one transaction"},
    {"max-message", "1048576", "largest request in bytes"},
    {"heartbeat-ms", "1000", "interval of heartbeats on the PUB socket (0 = off)"},
    {"log-level", "info", "debug, info, warn or error"},
};

static uv_loop_t loop;

static void on_signal(uv_signal_t *h, int signum) {
  trin_log_info("signal %d: shutting down", signum);
  uv_stop(h->loop);
}

static int fail(const trin_err_t *err) {
  if (err->field[0])
    fprintf(stderr, "trin-budget: %s: %s\n", err->field, err->message);
  else
    fprintf(stderr, "trin-budget: %s\n", err->message);
  return 1;
}

static void close_walk(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h)) uv_close(h, NULL);
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
    printf("usage: trin-budget [--key=value ...]\n\nsettings:\n");
    trin_config_print_help(cfg);
    trin_config_destroy(&cfg);
    return 0;
  }
  trin_log_set_service("budget");
  int level = trin_log_level_parse(trin_config_get(cfg, "log-level"));
  if (level < 0) {
    trin_err_set(&err, TRIN_EINVALID, "log-level", "must be debug, info, warn or error");
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  trin_log_set_level((trin_log_level_t)level);

  int64_t batch_max, max_message, heartbeat;
  const char *sync = trin_config_get(cfg, "sync");
  int rc = trin_config_get_int(cfg, "batch-max", 1, 100000, &batch_max, &err);
  if (!rc) rc = trin_config_get_int(cfg, "max-message", 1024, 256 << 20, &max_message, &err);
  if (!rc) rc = trin_config_get_int(cfg, "heartbeat-ms", 0, 3600000, &heartbeat, &err);
  if (!rc && strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0)
    rc = trin_err_set(&err, TRIN_EINVALID, "sync", "must be full or normal, not '%s'", sync);
  if (rc) {
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  /* A bare relative sqlite path gets its folder made, so the quick start
   * needs no set-up. */
  const char *loc = trin_config_get(cfg, "store");
  const char *path = strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
  const char *slash = strrchr(path, '/');
  if (slash && slash != path) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    uv_fs_t req;
    uv_fs_mkdir(NULL, &req, dir, 0750, NULL);
    uv_fs_req_cleanup(&req);
  }

  trin_store_t *store = NULL;
  trin_store_options_t so = {
      .location = loc,
      .sync = strcmp(sync, "normal") == 0 ? TRIN_STORE_SYNC_NORMAL : TRIN_STORE_SYNC_FULL};
  if ((rc = trin_store_open(&so, &store, &err)) || (rc = budget_store_migrate(store, &err)) ||
      (rc = trin_cursor_migrate(store, &err))) {
    trin_store_destroy(&store);
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  trin_server_options_t opt = {
      .service = "budget",
      .endpoint = trin_config_get(cfg, "endpoint"),
      .pub_endpoint = trin_config_get(cfg, "pub-endpoint"),
      .batch_max = (int)batch_max,
      .max_message = (size_t)max_message,
      .heartbeat_ms = heartbeat == 0 ? 0 : (int)heartbeat,
  };
  trin_server_t *server = NULL;
  if ((rc = trin_server_new(&loop, zctx, store, &opt, &server, &err))) {
    zmq_ctx_term(zctx);
    trin_store_destroy(&store);
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  budget_handlers_t handlers;
  memset(&handlers, 0, sizeof handlers);
  budget_handlers_register(server, &handlers);
  trin_follower_t *follower = NULL;
  trin_follower_options_t fo = {.service = "lifecycle",
                                .endpoint = trin_config_get(cfg, "lifecycle-endpoint"),
                                .pub_endpoint = trin_config_get(cfg, "lifecycle-pub-endpoint")};
  if ((rc = trin_follower_new(&loop, zctx, server, &fo, budget_lifecycle_apply, NULL, &follower,
                              &err))) {
    trin_server_destroy(&server);
    uv_walk(&loop, close_walk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    zmq_ctx_term(zctx);
    trin_store_destroy(&store);
    trin_config_destroy(&cfg);
    return fail(&err);
  }

  uv_signal_t sigint, sigterm;
  uv_signal_init(&loop, &sigint);
  uv_signal_init(&loop, &sigterm);
  uv_signal_start(&sigint, on_signal, SIGINT);
  uv_signal_start(&sigterm, on_signal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);
  trin_log_info("ready (store %s, sync %s)", loc, sync);

  uv_run(&loop, UV_RUN_DEFAULT);

  trin_server_stats_t stats = trin_server_stats(server);
  trin_log_info("stopped after %llu requests in %llu batches, %llu events",
                (unsigned long long)stats.requests, (unsigned long long)stats.batches,
                (unsigned long long)stats.events_published);
  trin_follower_destroy(&follower);
  trin_server_destroy(&server);
  uv_walk(&loop, close_walk, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  budget_handlers_cleanup(&handlers);
  trin_store_destroy(&store);
  trin_config_destroy(&cfg);
  return 0;
}
