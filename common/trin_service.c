/* trin_service — see trin_service.h. */
#include "trin_service.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "trin_cursor.h"
#include "trin_log.h"
#include "trin_secure.h"

/* The eight of the README's table, then trin_secure's four. */
enum { BASE_KEYS = 8, COMMON_KEYS = BASE_KEYS + TRIN_SECURE_NKEYS };

struct trin_service {
  char name[32];
  char default_store[96];
  trin_config_key_t *keys;  /* common + the service's; the config points here */
  trin_config_t *cfg;
  uv_loop_t loop;
  bool loop_ready;
  void *zctx;
  trin_store_t *store;
  trin_server_t *server;
  trin_secure_t *secure;
  uv_signal_t sigint, sigterm;
};

static void print_error(const char *name, const trin_err_t *err) {
  if (err->field[0])
    fprintf(stderr, "trin-%s: %s: %s\n", name, err->field, err->message);
  else
    fprintf(stderr, "trin-%s: %s\n", name, err->message);
}

/* A relative sqlite path's folder is made, so the quick start needs no
 * set-up; other locations are the operator's to prepare. */
static void make_store_folder(const char *loc) {
  const char *path = strncmp(loc, "sqlite:", 7) == 0 ? loc + 7 : loc;
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path || strchr(path, ':')) return;
  char dir[1024];
  snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  uv_fs_t req;
  uv_fs_mkdir(NULL, &req, dir, 0750, NULL);
  uv_fs_req_cleanup(&req);
}

/* The settings table: the common ones (without batch-max and max-message
 * when the spec says so), trin_secure's, the spec's keys, its settings. */
static int make_keys(trin_service_t *s, const trin_service_spec_t *spec, int *n,
                     trin_err_t *err) {
  const trin_config_key_t common[BASE_KEYS] = {
      {"endpoint", spec->endpoint,
       spec->endpoint_help ? spec->endpoint_help : "ROUTER endpoint for requests"},
      {"pub-endpoint", spec->pub_endpoint,
       spec->pub_endpoint_help ? spec->pub_endpoint_help : "PUB endpoint for events"},
      {"store", s->default_store, "store location (sqlite:PATH)"},
      {"sync", spec->sync ? spec->sync : "full",
       spec->sync_help
           ? spec->sync_help
           : "full: a commit survives a power cut; normal: survives a crash of trin only"},
      {"batch-max", "512", "most requests committed in one transaction"},
      {"max-message", spec->max_message ? spec->max_message : "1048576",
       spec->max_message_help ? spec->max_message_help : "largest request in bytes"},
      {"heartbeat-ms", "1000", "interval of heartbeats on the PUB socket (0 = off)"},
      {"log-level", "info", "debug, info, warn or error"},
  };
  s->keys = calloc((size_t)(COMMON_KEYS + spec->nkeys + spec->nsettings), sizeof *s->keys);
  if (!s->keys) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int k = 0;
  for (int i = 0; i < BASE_KEYS; i++)
    if (!spec->no_batch_settings || (strcmp(common[i].key, "batch-max") != 0 &&
                                     strcmp(common[i].key, "max-message") != 0))
      s->keys[k++] = common[i];
  for (int i = 0; i < TRIN_SECURE_NKEYS; i++) s->keys[k++] = trin_secure_keys[i];
  for (int i = 0; i < spec->nkeys; i++) s->keys[k++] = spec->keys[i];
  for (int i = 0; i < spec->nsettings; i++) s->keys[k++] = spec->settings[i].key;
  *n = k;
  return TRIN_OK;
}

/* The spec's settings into their targets, in the table's order. */
static int read_settings(const trin_service_t *s, const trin_service_spec_t *spec,
                         trin_err_t *err) {
  for (int i = 0; i < spec->nsettings; i++) {
    const trin_service_setting_t *st = &spec->settings[i];
    if (st->i32) {
      int64_t v;
      int rc = trin_config_get_int(s->cfg, st->key.key, st->min, st->max, &v, err);
      if (rc) return rc;
      *st->i32 = (int32_t)v;
    }
    if (st->text) *st->text = trin_config_get(s->cfg, st->key.key);
  }
  return TRIN_OK;
}

static int setup(trin_service_t *s, const trin_service_spec_t *spec, int argc, char **argv,
                 bool *help, trin_err_t *err) {
  int n = 0;
  int rc = make_keys(s, spec, &n, err);
  if (rc) return rc;
  s->cfg = trin_config_new(s->keys, n);
  if (!s->cfg) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  trin_config_set_env_prefix(s->cfg, spec->name);
  rc = trin_config_load(s->cfg, argc, argv, help, err);
  if (rc || *help) return rc;

  trin_log_set_service(spec->name);
  int level = trin_log_level_parse(trin_config_get(s->cfg, "log-level"));
  if (level < 0)
    return trin_err_set(err, TRIN_EINVALID, "log-level", "must be debug, info, warn or error");
  trin_log_set_level((trin_log_level_t)level);

  /* 0 = the server's defaults, when the service has no such settings. */
  int64_t batch_max = 0, max_message = 0, heartbeat;
  const char *sync = trin_config_get(s->cfg, "sync");
  if ((!spec->no_batch_settings &&
       ((rc = trin_config_get_int(s->cfg, "batch-max", 1, 100000, &batch_max, err)) ||
        (rc = trin_config_get_int(s->cfg, "max-message", 1024, 1 << 30, &max_message, err)))) ||
      (rc = trin_config_get_int(s->cfg, "heartbeat-ms", 0, 3600000, &heartbeat, err)))
    return rc;
  if (strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0)
    return trin_err_set(err, TRIN_EINVALID, "sync", "must be full or normal, not '%s'", sync);
  if ((rc = read_settings(s, spec, err)) || (spec->check && (rc = spec->check(s->cfg, err))))
    return rc;

  /* Refuse a plain tcp:// before anything is opened or made. */
  if ((rc = trin_secure_new_as(s->cfg, spec->role ? spec->role : "service", &s->secure, err)) ||
      (rc = trin_secure_check(s->secure, "endpoint", trin_config_get(s->cfg, "endpoint"), err)) ||
      (rc = trin_secure_check(s->secure, "pub-endpoint", trin_config_get(s->cfg, "pub-endpoint"),
                              err)) ||
      (spec->configure && (rc = spec->configure(s, err))))
    return rc;

  const char *loc = trin_config_get(s->cfg, "store");
  make_store_folder(loc);
  trin_store_options_t so = {
      .location = loc,
      .sync = strcmp(sync, "normal") == 0 ? TRIN_STORE_SYNC_NORMAL : TRIN_STORE_SYNC_FULL};
  if ((rc = trin_store_open(&so, &s->store, err)) ||
      (spec->migrate && (rc = spec->migrate(s->store, err))) ||
      (rc = trin_cursor_migrate(s->store, err)))
    return rc;

  uv_loop_init(&s->loop);
  s->loop_ready = true;
  s->zctx = zmq_ctx_new();
  if ((rc = trin_secure_start_zap(s->secure, &s->loop, s->zctx, err))) return rc;
  trin_server_options_t opt = {
      .service = spec->name,
      .endpoint = trin_config_get(s->cfg, "endpoint"),
      .pub_endpoint = trin_config_get(s->cfg, "pub-endpoint"),
      .batch_max = (int)batch_max,
      .max_message = (size_t)max_message,
      .heartbeat_ms = (int)heartbeat,
      .curve = trin_secure_keypair(s->secure),
  };
  return trin_server_new(&s->loop, s->zctx, s->store, &opt, &s->server, err);
}

int trin_service_start(const trin_service_spec_t *spec, int argc, char **argv,
                       trin_service_t **out) {
  *out = NULL;
  trin_service_t *s = calloc(1, sizeof *s);
  if (!s) return 1;
  snprintf(s->name, sizeof s->name, "%s", spec->name);
  snprintf(s->default_store, sizeof s->default_store, "sqlite:data/%s.db", spec->name);
  trin_err_t err = {0};
  bool help = false;
  int rc = setup(s, spec, argc, argv, &help, &err);
  if (!rc && help) {
    printf("usage: trin-%s [--key=value ...]\n\nsettings:\n", spec->name);
    trin_config_print_help(s->cfg);
    trin_service_destroy(&s);
    return 0;
  }
  if (rc) return trin_service_fail(&s, &err);
  signal(SIGPIPE, SIG_IGN);
  *out = s;
  return 0;
}

const trin_config_t *trin_service_config(const trin_service_t *s) { return s->cfg; }
uv_loop_t *trin_service_loop(trin_service_t *s) { return &s->loop; }
void *trin_service_zctx(trin_service_t *s) { return s->zctx; }
trin_store_t *trin_service_store(trin_service_t *s) { return s->store; }
trin_server_t *trin_service_server(trin_service_t *s) { return s->server; }

int trin_service_peer(trin_service_t *s, const char *peer, const char *endpoint,
                      const char *pub_endpoint, const trin_curve_client_t **curve,
                      trin_err_t *err) {
  return trin_secure_peer(s->secure, peer, endpoint, pub_endpoint, curve, err);
}

static void on_signal(uv_signal_t *h, int signum) {
  trin_log_info("signal %d: shutting down", signum);
  uv_stop(h->loop);
}

void trin_service_run(trin_service_t *s) {
  uv_signal_init(&s->loop, &s->sigint);
  uv_signal_init(&s->loop, &s->sigterm);
  uv_signal_start(&s->sigint, on_signal, SIGINT);
  uv_signal_start(&s->sigterm, on_signal, SIGTERM);
  char shown[512];
  trin_log_info("ready (store %s, sync %s)",
                trin_store_location_for_log(trin_config_get(s->cfg, "store"), shown, sizeof shown),
                trin_config_get(s->cfg, "sync"));
  uv_run(&s->loop, UV_RUN_DEFAULT);
  trin_server_stats_t st = trin_server_stats(s->server);
  /* Round trips: what a server store costs per request (docs/postgresql.md). */
  trin_log_info("stopped after %llu requests in %llu batches, %llu events, %llu round trips"
                " to the store",
                (unsigned long long)st.requests, (unsigned long long)st.batches,
                (unsigned long long)st.events_published,
                (unsigned long long)trin_store_round_trips(s->store));
}

int trin_service_fail(trin_service_t **sp, const trin_err_t *err) {
  print_error(*sp ? (*sp)->name : "service", err);
  trin_service_destroy(sp);
  return 1;
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

void trin_service_destroy(trin_service_t **sp) {
  if (!sp || !*sp) return;
  trin_service_t *s = *sp;
  *sp = NULL;
  trin_server_destroy(&s->server);
  /* The ZAP socket closes before the context ends, or zmq_ctx_term waits. */
  trin_secure_stop_zap(s->secure);
  if (s->loop_ready) {
    uv_walk(&s->loop, close_walk, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
  }
  if (s->zctx) zmq_ctx_term(s->zctx);
  trin_store_destroy(&s->store);
  trin_secure_destroy(&s->secure);
  trin_config_destroy(&s->cfg);
  free(s->keys);
  free(s);
}
