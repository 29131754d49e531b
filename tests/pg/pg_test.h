/* pg_test — which store a test's services use: SQLite normally, PostgreSQL
 * when CTest runs the test's `.pg` twin (TRIN_TEST_BACKEND=postgresql). On
 * PostgreSQL every store gets a fresh schema of its own on the server
 * TRIN_TEST_PG names (tests/pg/pg-start.sh prints such a URI); without
 * TRIN_TEST_PG the test is skipped (exit 77) with the reason, never passed.
 * Header-only: unit tests and the integration helpers include it. */
#ifndef TRIN_PG_TEST_H
#define TRIN_PG_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* CTest's "skipped" (SKIP_RETURN_CODE). */
#define PG_TEST_SKIP 77

static inline bool pg_test_wanted(void) {
  const char *b = getenv("TRIN_TEST_BACKEND");
  return b && strcmp(b, "postgresql") == 0;
}

/* The server's URI; exits 77 saying why when there is none. */
static inline const char *pg_test_server(void) {
  const char *uri = getenv("TRIN_TEST_PG");
  if (uri && *uri) return uri;
  fprintf(stderr,
          "SKIPPED: this test runs its stores on PostgreSQL and TRIN_TEST_PG names no "
          "server. Start one with `tests/pg/pg-start.sh --fast` and run again with "
          "TRIN_TEST_PG=<the URI it prints> (tests/run.sh does both).\n");
  exit(PG_TEST_SKIP);
}

/* A location on the server with a schema no other store uses:
 * URI?schema=t_<tag>_<pid>_<n>_<clock>. */
static inline void pg_test_location(char *out, size_t size, const char *tag) {
  static unsigned n;
  const char *uri = pg_test_server();
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char t[24];
  size_t i = 0;
  for (; tag && tag[i] && i < sizeof t - 1; i++) {
    char c = tag[i];
    t[i] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c
           : (c >= 'A' && c <= 'Z')                         ? (char)(c - 'A' + 'a')
                                                            : '_';
  }
  t[i] = '\0';
  snprintf(out, size, "%s%cschema=t_%s_%d_%u_%lx", uri, strchr(uri, '?') ? '&' : '?', t,
           (int)getpid(), ++n, (unsigned long)(ts.tv_nsec ^ ts.tv_sec) & 0xffffff);
}

#endif
