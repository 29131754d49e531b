/* gateway_testenv — what the gateway.* tests share: every trin service and
 * trin-gateway as real processes over CURVE (a key per service, the
 * gateway's registered with role gateway, and a key for each persona below),
 * a demo partnership, a personal token per persona, and an HTTP client. */
#ifndef GATEWAY_TESTENV_H
#define GATEWAY_TESTENV_H

#include <stdbool.h>
#include <stddef.h>

#include "testproc.h"
#include "trin_client.h"
#include "trin_keys.h"

/* Who calls, by CURVE key directly or by personal token through the gateway. */
enum {
  GT_ADMIN,       /* ops, admin */
  GT_WRITER,      /* alfa (the partnership's client), writer */
  GT_READER,      /* alfa, reader */
  GT_ADVISOR,     /* beta (advisor member), advisor */
  GT_CALCULATOR,  /* gamma (contractor member), calculator */
  GT_RESIDENT,    /* delta (resident committee member), resident */
  GT_OUTSIDER,    /* omega (a client outside the partnership), writer */
  GT_SERVICE,     /* trin, service (a service key: may not assert an actor) */
  GT_NPERSONAS
};

typedef struct {
  const char *file, *org, *role, *person;
} gt_persona_t;
extern const gt_persona_t GT_PERSONAS[GT_NPERSONAS];

enum { GT_LIFECYCLE, GT_BUDGET, GT_SURVEY, GT_BENCHMARK, GT_AGGREGATOR, GT_GATEWAY, GT_NPROCS };
extern const char *const GT_NAMES[GT_NPROCS];

typedef struct {
  char dir[128], keys[200], registry[220];
  trin_keypair_t service_key[GT_NPROCS];
  trin_keypair_t persona_key[GT_NPERSONAS];
  char gateway_fp[33];
  testproc_t proc[GT_NPROCS];
  int http_port;
  char token[GT_NPERSONAS][80];   /* personal tokens (api:write), "" for GT_SERVICE */
  trin_client_t *client[GT_NPROCS][GT_NPERSONAS];
} gt_env_t;

/* Starts everything (false on failure, with the reason printed). bins are
 * the binaries in GT_* order; the gateway's extra flags may be NULL. */
bool gt_start(gt_env_t *e, const char *const bins[GT_NPROCS], const char *const *gateway_extra);
/* (Re)starts only the gateway (after gt_kill9_gateway). */
bool gt_start_gateway(gt_env_t *e, const char *bin, const char *const *gateway_extra);
/* SIGTERM to every process; false (saying which) when one did not exit 0. */
bool gt_stop(gt_env_t *e);

/* A direct CURVE client of persona to service proc (cached). */
trin_client_t *gt_client(gt_env_t *e, int proc, int persona);

/* Makes the demo: organisations, partnership LA of alfa with beta, gamma and
 * delta as members, projects PA (in LA) and PO (omega's, outside). */
bool gt_demo(gt_env_t *e);

/* One HTTP exchange with the gateway. */
typedef struct {
  int status;
  char *body;          /* malloc'd, NUL-terminated */
  size_t body_len;
  char etag[64];
  char content_type[128];
  char retry_after[16];
  bool replayed;       /* Idempotent-Replayed: true */
} gt_http_t;

/* method, path, token (NULL = none), body (NULL = none, sent as
 * application/json unless content_type says otherwise), extra headers
 * ("Name: value" lines, NULL-terminated, may be NULL). */
bool gt_http(gt_env_t *e, const char *method, const char *path, const char *token,
             const char *body, const char *content_type, const char *const *headers,
             gt_http_t *out);
void gt_http_free(gt_http_t *r);

/* ---- the browser half of the webapp.* tests ----------------------------------
 * Node.js with playwright-core drives Debian's headless Chromium through a
 * script in tests/browser/. `test` names the test in what is printed
 * ("webapp.flow"). */

#define GT_SKIP 77 /* the exit code CTest reads as skipped */

/* The Chromium to drive: $TRIN_CHROMIUM, else /usr/bin/chromium. Returns 0
 * when it, node and npm are there, else GT_SKIP with the reason printed. */
int gt_browser_find(const char *test, const char **chromium);

/* Runs npm ci in dir unless every one of probes (paths below dir,
 * NULL-terminated) is there already. Returns 0, or on_failure (1 to fail
 * the test, GT_SKIP to skip it) with npm's output printed. */
int gt_browser_npm(const char *test, const char *dir, const char *const *probes,
                   int on_failure);

/* Runs `node script URL CHROMIUM SHOTS` against e's gateway (URL its /app/,
 * SHOTS $TRIN_APP_SHOTS or ""); the personas' tokens go to the script in its
 * environment (TRIN_APP_TOKEN_WRITER, ...), not on a command line other users
 * could read. False (printed) when the script does not exit 0. */
bool gt_browser_run(gt_env_t *e, const char *test, const char *script, const char *chromium);

#endif
