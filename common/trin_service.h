/* trin_service — the life of a trin service process, written once: its
 * settings (the common ones plus its own), log, store with migrations,
 * request/reply server and event publisher, signals, the loop, and an
 * orderly shutdown. A service's main.c names its settings and wires its
 * own parts between trin_service_start and trin_service_run. */
#ifndef TRIN_SERVICE_H
#define TRIN_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "trin_config.h"
#include "trin_err.h"
#include "trin_keys.h"
#include "trin_server.h"
#include "trin_store.h"

typedef struct trin_service trin_service_t;

/* One of the service's own settings with what start does with it: an
 * integer is read within [min, max] (trin_config_get_int's error outside)
 * into *i32; a text's value is put in *text (owned by the config, valid until
 * trin_service_destroy); with neither, the service reads it itself. The
 * targets are the service's (a static struct main.c fills this way). */
typedef struct {
  trin_config_key_t key;  /* name, default, help */
  int64_t min, max;
  int32_t *i32;
  const char **text;
} trin_service_setting_t;

typedef struct {
  const char *name;                /* "budget": the log's and the outbox's name */
  const char *endpoint;            /* default ROUTER endpoint */
  const char *pub_endpoint;        /* default PUB endpoint */
  const char *max_message;         /* default largest request (NULL = "1048576") */
  const char *max_message_help;    /* NULL = a generic line */
  const char *sync;                /* default durability (NULL = "full") */
  const trin_config_key_t *keys;   /* the service's own settings (static) */
  int nkeys;
  /* The role its key must be registered with (NULL = "service"; the
   * gateway's is "gateway"). */
  const char *role;
  /* The service's schema; the outbox's and the cursors' are migrated too. */
  int (*migrate)(trin_store_t *store, trin_err_t *err);
  /* Optional, for a service with more settings than the usual few: */
  const char *endpoint_help;       /* NULL = a generic line */
  const char *pub_endpoint_help;   /* NULL = a generic line */
  const char *sync_help;           /* NULL = a generic line */
  /* No batch-max and max-message settings: the server's defaults hold (a
   * service that answers few and small requests). */
  bool no_batch_settings;
  /* Settings read into their targets after the common ones; listed in
   * --help after keys (static). */
  const trin_service_setting_t *settings;
  int nsettings;
  /* Called once the settings are read and the log is set up, before the
   * CURVE rule: the rules across the service's own settings. */
  int (*check)(const trin_config_t *cfg, trin_err_t *err);
  /* Called after the CURVE rule, before the store is opened or anything is
   * made: trin_service_peer for the services it follows and what else needs
   * the keys, so that a refused setting leaves nothing behind. */
  int (*configure)(trin_service_t *svc, trin_err_t *err);
} trin_service_spec_t;

/* Reads the settings (defaults, file, environment, flags; the spec's
 * settings into their targets), sets up the log, applies the CURVE rule
 * (trin_secure.h: tcp:// needs `key` unless `insecure`) between the spec's
 * check and configure, opens and migrates the store (making a relative store folder
 * if needed), starts the ZAP handler when keyed, and starts the server. On
 * success *out is set and 0 returned. Otherwise
 * *out is NULL and the return value is the process's exit status: 0 after
 * --help, 1 after an error (printed as "trin-NAME: field: message"). */
int trin_service_start(const trin_service_spec_t *spec, int argc, char **argv,
                       trin_service_t **out);

/* Borrowed; valid until trin_service_destroy. */
const trin_config_t *trin_service_config(const trin_service_t *svc);
uv_loop_t *trin_service_loop(trin_service_t *svc);
void *trin_service_zctx(trin_service_t *svc);
trin_store_t *trin_service_store(trin_service_t *svc);
trin_server_t *trin_service_server(trin_service_t *svc);

/* Before following service `peer` at its endpoint and pub_endpoint (the
 * settings "<peer>-endpoint", "<peer>-pub-endpoint"): checks both against the
 * CURVE rule and sets *curve to the options for trin_follower_options_t /
 * trin_subscriber_options_t .curve — NULL when the service runs plain, else
 * its key pair and <peer-keys>/<peer>.pub (owned by svc, valid until
 * trin_service_destroy). An error when the rule refuses or the peer's public
 * key is missing. */
int trin_service_peer(trin_service_t *svc, const char *peer, const char *endpoint,
                      const char *pub_endpoint, const trin_curve_client_t **curve,
                      trin_err_t *err);

/* Runs the loop until SIGINT or SIGTERM, then logs the server's counters. */
void trin_service_run(trin_service_t *svc);

/* Prints err as start does, destroys svc and returns 1: for wiring that
 * fails after start (`return trin_service_fail(&svc, &err);`). */
int trin_service_fail(trin_service_t **svc, const trin_err_t *err);

/* Stops the server, closes every handle still on the loop, ends ZeroMQ and
 * closes the store. Destroy the service's own parts first. */
void trin_service_destroy(trin_service_t **svc);

#endif
