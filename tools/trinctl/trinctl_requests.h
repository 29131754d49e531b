/* trinctl_requests — which trinctl command sends which request: the one
 * place that says it, for docs/roles.md (tools/roles-doc prints, beside each
 * request's rule, the command a person types for it). Plain data, no I/O:
 * the generator links this file without the rest of trinctl. */
#ifndef TRINCTL_REQUESTS_H
#define TRINCTL_REQUESTS_H

#include <stddef.h>

typedef struct {
  const char *request;  /* "trin.lifecycle.AdvanceStage" */
  const char *command;  /* "project advance": what follows `trinctl` */
} trinctl_request_t;

/* Every pair; *n receives their number. The table is static. */
const trinctl_request_t *trinctl_requests(size_t *n);

/* The commands that send request (static strings) into out, at most cap;
 * returns how many there are (0: no command sends it). */
size_t trinctl_request_commands(const char *request, const char **out, size_t cap);

#endif
