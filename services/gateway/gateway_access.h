/* gateway_access — who is calling the gateway: a personal token (trin_token,
 * scope api:read or api:write, kept in the gateway's store) or an OpenID
 * Connect access token from a configured identity provider (gateway_oidc).
 * The answer is the person the gateway then asks on behalf of: an
 * organisation, a role and a name for the audit trail. The services, not
 * the gateway, decide what that person may do. */
#ifndef GATEWAY_ACCESS_H
#define GATEWAY_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway_oidc.h"
#include "trin_access.h"
#include "trin_err.h"
#include "trin_http.h"
#include "trin_store.h"

typedef struct {
  char org[65];
  char role[33];
  char person[201];     /* as the audit trail shows it: "Jane Jensen (token 3fa2…)" */
  char principal[320];  /* stable key for idempotency and rate limits: "token:<id>" or
                           "oidc:<issuer>#<subject>" */
  char scope[16];       /* what the credentials allow: "api:read" or "api:write" */
} gateway_who_t;

typedef struct gateway_access gateway_access_t;

/* The rule table of the gateway's own requests (its ROUTER: personal
 * tokens, managed like the feed's), for trin_access_install and
 * docs/roles.md. */
extern const trin_access_table_t gateway_access_rules;

/* store is borrowed; oidc may be NULL (no identity provider configured)
 * and is borrowed.
 *
 * Personal tokens once verified are kept in memory (their hash, never their
 * text) for at most cache_ms, so most requests do not read the store. A
 * revocation at this gateway (gateway_access_revoked, wired to its token
 * requests) holds from the very next request; one made at another gateway
 * sharing the store holds within cache_ms. Expiry is checked on every
 * request. */
int gateway_access_new(trin_store_t *store, gateway_oidc_t *oidc, gateway_access_t **out,
                       trin_err_t *err);
/* How long a verified token is believed without the store (default 5000 ms;
 * 0 = read the store on every request). */
void gateway_access_set_cache_ms(gateway_access_t *a, uint64_t cache_ms);
/* A trin_token_revoked_fn (data: the gateway_access_t): forgets token id. */
void gateway_access_revoked(void *data, const char *id);
void gateway_access_destroy(gateway_access_t **a);

/* status TRIN_OK with who, else TRIN_EUNAUTHENTICATED (no, unknown, expired
 * or revoked credentials) or TRIN_EFORBIDDEN (valid, but a read-only token
 * asked to write, or no organisation mapped) with err saying why. */
typedef void (*gateway_access_cb)(void *data, int status, const gateway_who_t *who,
                                  const trin_err_t *err);

/* Authenticates req for a read or a write; cb is called exactly once,
 * perhaps before this returns (tokens) or later (an OpenID provider's keys
 * being fetched). */
void gateway_access_check(gateway_access_t *a, const trin_http_request_t *req, bool write,
                          gateway_access_cb cb, void *data);

#endif
