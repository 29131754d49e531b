/* fuzz_inproc — see fuzz_inproc.h. */
#include "fuzz_inproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

#include "trin_log.h"

static char cleanup_dir[64];

/* The store and sockets go with the process (libFuzzer exits normally at
 * the end of its time). */
static void cleanup(void) {
  const char *names[] = {"s.db", "s.db-wal", "s.db-shm", "s.db-journal", "r", "p"};
  char path[128];
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    snprintf(path, sizeof path, "%s/%s", cleanup_dir, names[i]);
    unlink(path);
  }
  rmdir(cleanup_dir);
}

static void fail(const char *what, const trin_err_t *err) {
  fprintf(stderr, "fuzz_inproc: %s: %s %s\n", what, err ? err->field : "",
          err ? err->message : "");
  abort();
}

void fuzz_inproc_start(fuzz_inproc_t *p, const char *service, fuzz_migrate_fn migrate) {
  snprintf(p->dir, sizeof p->dir, "/tmp/trin-fuzz-%s-XXXXXX", service);
  if (!mkdtemp(p->dir)) fail("mkdtemp", NULL);
  snprintf(cleanup_dir, sizeof cleanup_dir, "%s", p->dir);
  atexit(cleanup);
  trin_log_set_level(TRIN_LOG_ERROR);
  char loc[128], ep[128], pub[128];
  snprintf(loc, sizeof loc, "%s/s.db", p->dir);
  snprintf(ep, sizeof ep, "ipc://%s/r", p->dir);
  snprintf(pub, sizeof pub, "ipc://%s/p", p->dir);
  trin_err_t err = {0};
  trin_store_options_t so = {.location = loc, .sync = TRIN_STORE_SYNC_NORMAL};
  if (trin_store_open(&so, &p->store, &err)) fail("store", &err);
  if (migrate(p->store, &err)) fail("migrate", &err);
  uv_loop_init(&p->loop);
  p->zctx = zmq_ctx_new();
  trin_server_options_t o = {.service = service, .endpoint = ep, .pub_endpoint = pub,
                             .heartbeat_ms = 0};
  if (trin_server_new(&p->loop, p->zctx, p->store, &o, &p->server, &err)) fail("server", &err);
  fprintf(stderr, "fuzz_inproc: %s service in %s\n", service, p->dir);
}
