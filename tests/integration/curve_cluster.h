/* curve_cluster — the real lifecycle, budget, survey and benchmark processes
 * on tcp://127.0.0.1 with CURVE and a key registry, and a client per key
 * holder and service: the set-up the access tests share. */
#ifndef TRIN_CURVE_CLUSTER_H
#define TRIN_CURVE_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "testproc.h"
#include "trin_client.h"
#include "trin_keys.h"

enum { CC_LC, CC_BG, CC_SV, CC_BM, CC_NSVC };
enum { CC_MAX_WHO = 16 };

/* Who holds a key: organisation and role, as registered. Index 0 is the
 * operator (role admin): the readiness Ping and curve_cluster_last_seq go
 * with its key. */
typedef struct {
  const char *org, *role;
} curve_cluster_who_t;

typedef struct {
  char dir[128], registry[200], peers[200];
  const char *bin[CC_NSVC];  /* borrowed: the services' binaries */
  trin_keypair_t svc_key[CC_NSVC], who_key[CC_MAX_WHO];
  int nwho;
  char ep[CC_NSVC][64], pub[CC_NSVC][64];
  testproc_t proc[CC_NSVC];
  int nstarted;  /* procs initialised (the newest may have failed to start) */
  trin_client_t *cl[CC_MAX_WHO][CC_NSVC];  /* made on first use, owned */
} curve_cluster_t;

/* Makes a temporary folder named after `name`, a key per service and per
 * entry of `who` (nwho <= CC_MAX_WHO; `who` and `bins` are borrowed for the
 * cluster's life), registers them, and starts the four services: budget and
 * survey follow lifecycle, benchmark follows the three others; survey's
 * webhook is off. False, saying why on stderr, when any of it failed. */
bool curve_cluster_start(curve_cluster_t *c, const char *name, const curve_cluster_who_t *who,
                         int nwho, const char *const bins[CC_NSVC]);
/* Starts service `svc` again on the same store (after testproc_stop). */
bool curve_cluster_launch(curve_cluster_t *c, int svc);
/* The client of key holder `who` to service `svc`, or NULL (said on stderr). */
trin_client_t *curve_cluster_as(curve_cluster_t *c, int who, int svc);
/* The newest event sequence number of `svc` (Ping as the operator), or
 * UINT64_MAX when the Ping failed. */
uint64_t curve_cluster_last_seq(curve_cluster_t *c, int svc);
/* Closes the clients, stops the services (newest first; one that is not
 * running counts as not stopped cleanly) and removes the
 * folder unless TRIN_TEST_KEEP is set. 0, or -1 when a service did not stop
 * cleanly. */
int curve_cluster_stop(curve_cluster_t *c);

#endif
