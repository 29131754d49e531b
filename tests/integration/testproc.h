/* testproc — starts, stops and kills real trin service processes for the
 * integration tests, each in its own temporary folder with ipc endpoints. */
#ifndef TRIN_TESTPROC_H
#define TRIN_TESTPROC_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct {
  pid_t pid;
  char dir[256];       /* temporary folder holding store and sockets */
  char endpoint[320];  /* ROUTER */
  char pub[320];       /* PUB */
  char store[320];
  char log[320];
} testproc_t;

/* Makes a fresh temporary folder and fills the paths (no process yet). */
void testproc_init(testproc_t *p, const char *name);
/* Starts `binary` with --endpoint/--pub-endpoint/--store plus extra
 * NULL-terminated args, output to p->log; waits until it answers a Ping. */
bool testproc_start(testproc_t *p, const char *binary, const char *const *extra);
void testproc_kill9(testproc_t *p);
/* SIGTERM and wait; returns the exit status (or -1). */
int testproc_stop(testproc_t *p);
/* Removes the folder (after stop). */
void testproc_cleanup(testproc_t *p);
/* Runs a command line through /bin/sh, capturing stdout into out (may be
 * NULL); returns the exit status. */
int testproc_run(const char *cmd, char *out, size_t out_size);

#endif
