/* gateway_store — what the gateway keeps: the personal tokens (trin_token's
 * table, scopes api:read / api:write) and the answers to requests sent with
 * an Idempotency-Key, so a client that timed out can send the same request
 * again — also after a restart — and get the first answer, not a second
 * dispute. */
#ifndef GATEWAY_STORE_H
#define GATEWAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"
#include "trin_store.h"

/* Tokens and idempotency tables (scopes "tokens", "gateway"). */
int gateway_store_migrate(trin_store_t *s, trin_err_t *err);

/* A remembered answer. body is malloc'd (free it); hash is the request's. */
typedef struct {
  char hash[65];   /* BLAKE2b-256 of method, path and body, hex */
  int status;
  char content_type[64];
  char etag[64];
  char *body;
  size_t body_len;
  int64_t created_ms;
} gateway_saved_t;

/* The answer kept for (principal, key), TRIN_ENOTFOUND when none. */
int gateway_store_saved_get(trin_store_t *s, const char *principal, const char *key,
                            gateway_saved_t *out, trin_err_t *err);
/* Keeps an answer (in the caller's transaction when one is open). */
int gateway_store_saved_put(trin_store_t *s, const char *principal, const char *key,
                            const gateway_saved_t *answer, trin_err_t *err);
/* Forgets answers made before before_ms (milliseconds since the epoch);
 * *removed (may be NULL) says how many. */
int gateway_store_saved_purge(trin_store_t *s, int64_t before_ms, int64_t *removed,
                              trin_err_t *err);

#endif
