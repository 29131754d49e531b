/* trin-aggregator — one status row per project from every service's events,
 * served as OData, JSON, CSV, SSE, a dashboard, Power BI push and a
 * ZeroMQ PUB. Wiring
 * only: settings, the service (agg_service.c), the loop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "agg_service.h"
#include "trin_config.h"
#include "trin_log.h"
#include "trin_secure.h"

static const trin_config_key_t KEYS[] = {
    {"endpoint", "tcp://127.0.0.1:5741", "ROUTER endpoint (GetRows, EventsSince, Ping)"},
    {"pub-endpoint", "tcp://127.0.0.1:5742", "PUB endpoint: every changed row as a StatusRow"},
    {"store", "sqlite:data/aggregator.db", "store location (sqlite:PATH)"},
    {"sync", "normal",
     "normal (default: the rows can be rebuilt from the services' logs) or full"},
    {"heartbeat-ms", "1000", "interval of heartbeats on the PUB socket (0 = off)"},
    {"retry-ms", "2000", "how long to wait for a service's replay before asking again"},
    {"lifecycle-endpoint", "tcp://127.0.0.1:5701", "lifecycle ROUTER (\"\" = not deployed)"},
    {"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "lifecycle PUB"},
    {"budget-endpoint", "tcp://127.0.0.1:5711", "budget ROUTER (\"\" = not deployed)"},
    {"budget-pub-endpoint", "tcp://127.0.0.1:5712", "budget PUB"},
    {"survey-endpoint", "tcp://127.0.0.1:5721", "survey ROUTER (\"\" = not deployed)"},
    {"survey-pub-endpoint", "tcp://127.0.0.1:5722", "survey PUB"},
    {"benchmark-endpoint", "tcp://127.0.0.1:5731", "benchmark ROUTER (\"\" = not deployed)"},
    {"benchmark-pub-endpoint", "tcp://127.0.0.1:5732", "benchmark PUB"},
    {"http-address", "127.0.0.1:8080", "HTTP feed address HOST:PORT (\"\" = no HTTP)"},
    {"token", "",
     TRIN_CONFIG_SECRET "the operator's HTTP token: every row and /metrics (organisations get their own with "
     "`trinctl token create`; \"\" = none)"},
    {"public-url", "", "the feed's URL as clients see it (behind a proxy), e.g. https://trin.example.dk"},
    {"page-size", "1000", "OData rows per page before @odata.nextLink"},
    {"sse-heartbeat-ms", "15000", "interval of SSE heartbeat comments"},
    {"rag-time-amber-days", "14", "time is amber when the handover is more than this many days late"},
    {"rag-time-red-days", "60", "time is red when the handover is more than this many days late"},
    {"rag-economy-amber-bp", "400", "economy is amber from this overrun (basis points: 400 = 4 %)"},
    {"rag-economy-red-bp", "700", "economy is red above this overrun (basis points)"},
    {"rag-satisfaction-amber-bp", "6000",
     "satisfaction is amber below this place on the survey's scale (basis points of its span)"},
    {"rag-satisfaction-red-bp", "4000", "satisfaction is red below this place on the scale"},
    {"push-urls", "",
     "Power BI push: comma-separated push-dataset URLs (\"\" = off); a URL without /rows gets "
     "/tables/TABLE/rows"},
    {"push-table", "ProjectStatus", "the push dataset's table"},
    {"push-max-rows", "10000", "rows per POST (Power BI: at most 10000)"},
    {"push-window-posts", "120", "POSTs per window and target (Power BI: 120 per minute)"},
    {"push-window-ms", "60000", "the window for push-window-posts"},
    {"push-max-pending", "5", "POSTs in flight per target (Power BI: 5)"},
    {"push-max-string", "4000", "bytes per string value (Power BI: 4000 characters)"},
    {"push-backoff-min-ms", "1000", "first retry delay after a failed POST (doubles per failure)"},
    {"push-backoff-max-ms", "60000", "longest retry delay"},
    {"push-timeout-ms", "30000", "time allowed for one POST"},
    {"log-level", "info", "debug, info, warn or error"},
};

/* KEYS, then the CURVE settings every trin process shares. */
#define NKEYS ((int)(sizeof KEYS / sizeof *KEYS))
static trin_config_key_t all_keys[NKEYS + TRIN_SECURE_NKEYS];

static void on_signal(uv_signal_t *h, int signum) {
  trin_log_info("signal %d: shutting down", signum);
  uv_stop(h->loop);
}

static int fail(const trin_err_t *err) {
  if (err->field[0])
    fprintf(stderr, "trin-aggregator: %s: %s\n", err->field, err->message);
  else
    fprintf(stderr, "trin-aggregator: %s\n", err->message);
  return 1;
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static int get_i32(trin_config_t *cfg, const char *key, int64_t min, int64_t max, int32_t *out,
                   trin_err_t *err) {
  int64_t v;
  int rc = trin_config_get_int(cfg, key, min, max, &v, err);
  if (!rc) *out = (int32_t)v;
  return rc;
}

/* Makes the folder of a relative sqlite path, so the quick start needs no set-up. */
static void make_store_dir(const char *loc) {
  const char *path = strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return;
  char dir[1024];
  snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  uv_fs_t req;
  uv_fs_mkdir(NULL, &req, dir, 0750, NULL);
  uv_fs_req_cleanup(&req);
}

int main(int argc, char **argv) {
  trin_err_t err = {0};
  memcpy(all_keys, KEYS, sizeof KEYS);
  memcpy(all_keys + NKEYS, trin_secure_keys, sizeof trin_secure_keys);
  trin_config_t *cfg = trin_config_new(all_keys, NKEYS + TRIN_SECURE_NKEYS);
  bool help = false;
  if (!cfg) return 1;
  /* TRIN_AGGREGATOR_<KEY> first, then TRIN_<KEY>, like every service. */
  trin_config_set_env_prefix(cfg, "aggregator");
  if (trin_config_load(cfg, argc, argv, &help, &err)) {
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  if (help) {
    printf("usage: trin-aggregator [--key=value ...]\n\nsettings:\n");
    trin_config_print_help(cfg);
    trin_config_destroy(&cfg);
    return 0;
  }
  trin_log_set_service("aggregator");
  int level = trin_log_level_parse(trin_config_get(cfg, "log-level"));
  if (level < 0) {
    trin_err_set(&err, TRIN_EINVALID, "log-level", "must be debug, info, warn or error");
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  trin_log_set_level((trin_log_level_t)level);

  agg_config_t ac = {0};
  int32_t heartbeat = 0, retry = 0, page = 0, sse_hb = 0;
  const char *sync = trin_config_get(cfg, "sync");
  int rc = get_i32(cfg, "heartbeat-ms", 0, 3600000, &heartbeat, &err);
  if (!rc) rc = get_i32(cfg, "retry-ms", 10, 3600000, &retry, &err);
  if (!rc) rc = get_i32(cfg, "page-size", 1, 100000, &page, &err);
  if (!rc) rc = get_i32(cfg, "sse-heartbeat-ms", 10, 3600000, &sse_hb, &err);
  agg_thresholds_default(&ac.thresholds);
  if (!rc) rc = get_i32(cfg, "rag-time-amber-days", 0, 100000, &ac.thresholds.time_amber_days, &err);
  if (!rc) rc = get_i32(cfg, "rag-time-red-days", 0, 100000, &ac.thresholds.time_red_days, &err);
  if (!rc) rc = get_i32(cfg, "rag-economy-amber-bp", 0, 1000000, &ac.thresholds.economy_amber_bp, &err);
  if (!rc) rc = get_i32(cfg, "rag-economy-red-bp", 0, 1000000, &ac.thresholds.economy_red_bp, &err);
  if (!rc)
    rc = get_i32(cfg, "rag-satisfaction-amber-bp", 0, 10000,
                 &ac.thresholds.satisfaction_amber_bp, &err);
  if (!rc)
    rc = get_i32(cfg, "rag-satisfaction-red-bp", 0, 10000, &ac.thresholds.satisfaction_red_bp,
                 &err);
  agg_push_options_t po = {0};
  if (!rc) rc = get_i32(cfg, "push-max-rows", 1, 10000, &po.max_rows, &err);
  if (!rc) rc = get_i32(cfg, "push-window-posts", 1, 100000, &po.window_posts, &err);
  if (!rc) rc = get_i32(cfg, "push-window-ms", 1, 86400000, &po.window_ms, &err);
  if (!rc) rc = get_i32(cfg, "push-max-pending", 1, 100, &po.max_pending, &err);
  if (!rc) rc = get_i32(cfg, "push-max-string", 1, 1000000, &po.max_string, &err);
  if (!rc) rc = get_i32(cfg, "push-backoff-min-ms", 1, 3600000, &po.backoff_min_ms, &err);
  if (!rc) rc = get_i32(cfg, "push-backoff-max-ms", 1, 3600000, &po.backoff_max_ms, &err);
  if (!rc) rc = get_i32(cfg, "push-timeout-ms", 100, 3600000, &po.timeout_ms, &err);
  if (!rc && po.backoff_max_ms < po.backoff_min_ms)
    rc = trin_err_set(&err, TRIN_EINVALID, "push-backoff-max-ms",
                      "must be at least push-backoff-min-ms");
  if (!rc && strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0)
    rc = trin_err_set(&err, TRIN_EINVALID, "sync", "must be full or normal, not '%s'", sync);
  /* The CURVE rule (trin_secure.h) before anything is opened. */
  trin_secure_t *sec = NULL;
  if (!rc) rc = trin_secure_new(cfg, &sec, &err);
  if (!rc) rc = trin_secure_check(sec, "endpoint", trin_config_get(cfg, "endpoint"), &err);
  if (!rc) rc = trin_secure_check(sec, "pub-endpoint", trin_config_get(cfg, "pub-endpoint"), &err);
  if (rc) {
    trin_secure_destroy(&sec);
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  ac.curve = trin_secure_keypair(sec);
  ac.endpoint = trin_config_get(cfg, "endpoint");
  ac.pub_endpoint = trin_config_get(cfg, "pub-endpoint");
  ac.store = trin_config_get(cfg, "store");
  ac.sync = strcmp(sync, "full") == 0 ? TRIN_STORE_SYNC_FULL : TRIN_STORE_SYNC_NORMAL;
  ac.heartbeat_ms = heartbeat;
  ac.retry_ms = retry;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    char k1[64], k2[64];
    snprintf(k1, sizeof k1, "%s-endpoint", AGG_UPSTREAMS[i]);
    snprintf(k2, sizeof k2, "%s-pub-endpoint", AGG_UPSTREAMS[i]);
    ac.up_endpoint[i] = trin_config_get(cfg, k1);
    ac.up_pub_endpoint[i] = trin_config_get(cfg, k2);
    if (!rc && *ac.up_endpoint[i] && *ac.up_pub_endpoint[i])
      rc = trin_secure_peer(sec, AGG_UPSTREAMS[i], ac.up_endpoint[i], ac.up_pub_endpoint[i],
                            &ac.up_curve[i], &err);
  }
  if (rc) {
    trin_secure_destroy(&sec);
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  ac.feed = (agg_feed_options_t){
      .address = trin_config_get(cfg, "http-address"),
      .token = trin_config_get(cfg, "token"),
      .page_size = page,
      .public_url = trin_config_get(cfg, "public-url"),
      .heartbeat_ms = sse_hb,
  };
  po.urls = trin_config_get(cfg, "push-urls");
  po.table = trin_config_get(cfg, "push-table");
  ac.push = po;
  make_store_dir(ac.store);

  uv_loop_t loop;
  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  agg_service_t *svc = NULL;
  /* The ZAP handler runs before the CURVE sockets bind. */
  if ((rc = trin_secure_start_zap(sec, &loop, zctx, &err)) ||
      (rc = agg_service_new(&loop, zctx, &ac, &svc, &err))) {
    trin_secure_stop_zap(sec);
    uv_walk(&loop, close_walk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    zmq_ctx_term(zctx);
    trin_secure_destroy(&sec);
    trin_config_destroy(&cfg);
    return fail(&err);
  }
  uv_signal_t sigint, sigterm;
  uv_signal_init(&loop, &sigint);
  uv_signal_init(&loop, &sigterm);
  uv_signal_start(&sigint, on_signal, SIGINT);
  uv_signal_start(&sigterm, on_signal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);
  char shown[512];
  trin_store_location_for_log(ac.store, shown, sizeof shown);
  if (ac.feed.address && *ac.feed.address)
    trin_log_info("ready: feed on http://%s/ (store %s, sync %s)", ac.feed.address, shown, sync);
  else
    trin_log_info("ready (no HTTP; store %s, sync %s)", shown, sync);

  uv_run(&loop, UV_RUN_DEFAULT);

  agg_service_stats_t st = agg_service_stats(svc);
  trin_log_info("stopped after %llu commits, %llu row changes",
                (unsigned long long)st.commits, (unsigned long long)st.rows_changed);
  agg_service_destroy(&svc);
  trin_secure_stop_zap(sec);
  uv_walk(&loop, close_walk, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  trin_secure_destroy(&sec);
  trin_config_destroy(&cfg);
  return 0;
}
