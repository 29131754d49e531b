/* fuzz_inproc — one in-process service for the fuzz targets that need a
 * store and a request (the imports): a store in a temporary folder with the
 * service's tables, a trin_server on ipc sockets in that folder, and its
 * loop. Made once per fuzzing process; each input runs in its own
 * transaction through trin_server_apply, so a refused input leaves nothing
 * behind and an accepted one stays, as in the service. */
#ifndef FUZZ_INPROC_H
#define FUZZ_INPROC_H

#include <uv.h>

#include "trin_server.h"
#include "trin_store.h"

typedef struct {
  char dir[64];
  uv_loop_t loop;
  void *zctx;
  trin_store_t *store;
  trin_server_t *server;
} fuzz_inproc_t;

typedef int (*fuzz_migrate_fn)(trin_store_t *s, trin_err_t *err);

/* Aborts with a message when anything fails: a fuzz target without its
 * service would fuzz nothing. */
void fuzz_inproc_start(fuzz_inproc_t *p, const char *service, fuzz_migrate_fn migrate);

#endif
