/* testproc — starts, stops and kills real trin service processes for the
 * integration tests, each in its own temporary folder with ipc endpoints. */
#ifndef TRIN_TESTPROC_H
#define TRIN_TESTPROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "trin_keys.h"

typedef struct {
  pid_t pid;
  char dir[256];       /* temporary folder holding store and sockets */
  char endpoint[320];  /* ROUTER */
  char pub[320];       /* PUB */
  char store[320];
  char log[320];
} testproc_t;

/* Makes a fresh temporary folder and fills the paths (no process yet).
 * The store is sqlite:DIR/store.db, or, under TRIN_TEST_BACKEND=postgresql
 * (a `.pg` twin), a fresh schema on TRIN_TEST_PG's server; without a
 * server that exits 77 (skipped) saying why (tests/pg/pg_test.h). */
void testproc_init(testproc_t *p, const char *name);
/* Starts `binary` with --endpoint/--pub-endpoint/--store plus extra
 * NULL-terminated args, output to p->log; waits until it answers a Ping.
 * The process gets TRIN_INSECURE=true unless the environment sets
 * TRIN_INSECURE: tests run plain (tcp:// included) unless they ask for
 * CURVE. */
bool testproc_start(testproc_t *p, const char *binary, const char *const *extra);
/* The same for a service that speaks CURVE: the readiness Ping goes with
 * curve (a registered key and the service's public key; copied). */
bool testproc_start_curve(testproc_t *p, const char *binary, const char *const *extra,
                          const trin_curve_client_t *curve);
void testproc_kill9(testproc_t *p);
/* SIGTERM and wait; returns the exit status (or -1). */
int testproc_stop(testproc_t *p);
/* Removes the folder (after stop). */
void testproc_cleanup(testproc_t *p);
/* The HTTP port the process logged ("http: listening on ... (port N)"):
 * the newest such line of p->log, waited for as long as a busy machine may
 * need (up to 60 s, returning as soon as it is there); 0 when none came. */
int testproc_http_port(const testproc_t *p);
/* A test that is still running after `seconds` prints, on stderr, every
 * process it started (with their command lines) and their stacks (gdb, where
 * it is installed), then aborts: a hang names where it hung instead of
 * ending silently at ctest's timeout. Call once, first thing in main. */
void testproc_watchdog(int seconds);
/* Runs a command line through /bin/sh, capturing stdout into out (may be
 * NULL); returns the exit status. */
int testproc_run(const char *cmd, char *out, size_t out_size);

#endif
