/* trin_caller — who is asking: the caller a request comes from (its
 * organisation, role and key), the role words keys are registered with, and
 * the one rule every access check starts from (trin_access_unrestricted).
 *
 * It sits below trin_server, trin_keys, trin_zap and trin_access, which all
 * speak of callers and roles; it depends on nothing of trin's. */
#ifndef TRIN_CALLER_H
#define TRIN_CALLER_H

#include <stdbool.h>

/* Who is asking. Filled by authentication (CURVE/ZAP) where configured;
 * empty org and role on unauthenticated local endpoints. Handlers decide on
 * this, never on an organisation named in the message body. */
typedef struct {
  bool authenticated;
  char org[65];
  char role[33];
  char key[33];   /* fingerprint of the caller's public key (hex), "" when none */
  /* The person the gateway asks for (Envelope.actor.person), "" for a direct
   * caller. With it, org and role are the person's (asserted by a key of
   * role gateway, or on an unauthenticated local endpoint) and key stays
   * the gateway's fingerprint. */
  char person[201];
} trin_caller_t;

/* Roles a key is registered with (the registry's third column). */
typedef enum {
  TRIN_ROLE_NONE = 0,
  TRIN_ROLE_ADMIN,       /* the deployment's operator: everything, every organisation */
  TRIN_ROLE_SERVICE,     /* another trin service: events, replay, cross-service commands */
  TRIN_ROLE_WRITER,      /* manages its organisation's own things */
  TRIN_ROLE_READER,      /* reads its organisation's and its partnerships' things */
  TRIN_ROLE_CALCULATOR,  /* a contractor's calculator: budgets, optimisation log */
  TRIN_ROLE_ADVISOR,     /* an advisor: design milestones */
  TRIN_ROLE_RESIDENT,    /* a resident committee: answers surveys, nothing else */
  TRIN_ROLE_GATEWAY,     /* the HTTP gateway: nothing on its own; it asks on a person's
                            behalf (Envelope.actor) and is then that person */
  TRIN_ROLE_COUNT_
} trin_role_t;

#define TRIN_ROLE_BIT(r) (1u << (r))

/* "writer" → TRIN_ROLE_WRITER; TRIN_ROLE_NONE for an unknown name or NULL. */
trin_role_t trin_role_parse(const char *name);
/* The role's word (a static string); "none" for an out-of-range value. */
const char *trin_role_name(trin_role_t role);
/* The partnership's own word for the role's holder ("bygherre" for writer,
 * "kalkulator" for calculator; a static UTF-8 string), "ingen" out of range. */
const char *trin_role_word_da(trin_role_t role);

/* True for a caller who passes every rule: an admin key, or a caller on an
 * unauthenticated local endpoint (ipc://, inproc://, or tcp:// with the
 * logged `insecure` setting), where the socket itself is the guard. NULL
 * counts as such a local caller. The name keeps its trin_access_ prefix:
 * it is the access rule every check starts from, and services call it so. */
bool trin_access_unrestricted(const trin_caller_t *caller);

#endif
