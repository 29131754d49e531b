/* trin_token — HTTP tokens per organisation: the keys Power BI, Excel,
 * scripts and survey tools send to a service's HTTP endpoints, kept in the
 * service's own store as hashes only, and managed over ZeroMQ
 * (proto/trin/token.proto, `trinctl token ...`).
 *
 * A token's text is  trin_<id>_<secret>  where <id> is 12 lowercase hex
 * characters (the public id: listing, revoking, logs) and <secret> is 32
 * random bytes (libsodium randombytes_buf) as 43 base64url characters — 61
 * characters in all. It is shown once, when it is made. The store keeps the
 * id, a BLAKE2b-256 hash of the whole text (crypto_generichash), the
 * organisation, the scope, a name and the times it was made and revoked;
 * never the text. trin_token_verify looks the id up, hashes what was
 * presented and compares the hashes with sodium_memcmp (constant time).
 * There is no cache: every check reads the store, so a revocation holds
 * from the very next request. Nothing here logs or reports a token's text. */
#ifndef TRIN_TOKEN_H
#define TRIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "trin_access.h"
#include "trin_err.h"
#include "trin_http.h"
#include "trin_server.h"
#include "trin_store.h"

/* Scopes. */
#define TRIN_TOKEN_FEED_READ "feed:read"       /* the aggregator's feed */
#define TRIN_TOKEN_SURVEY_WRITE "survey:write" /* the survey webhook */
/* Personal tokens (the gateway): a person of an organisation, in a role.
 * api:write may also read. */
#define TRIN_TOKEN_API_READ "api:read"
#define TRIN_TOKEN_API_WRITE "api:write"

#define TRIN_TOKEN_ID_LEN 12
#define TRIN_TOKEN_TEXT_LEN 61  /* "trin_" + id + "_" + 43 */
#define TRIN_TOKEN_TEXT_BUF 64

typedef struct {
  char id[TRIN_TOKEN_ID_LEN + 1];
  char org[65];
  char scope[33];
  char name[201];
  char created_at[32];  /* ISO 8601 UTC */
  char revoked_at[32];  /* "" while valid */
  /* Personal tokens only ("" otherwise): */
  char role[33];        /* writer, reader, ... */
  char person[201];     /* the person's name */
  char expires_at[32];  /* ISO 8601 UTC; "" = never */
} trin_token_info_t;

/* True for "feed:read", "survey:write", "api:read" and "api:write". */
bool trin_token_scope_valid(const char *scope);

/* Creates the token table (migration scope "tokens") if needed. */
int trin_token_migrate(trin_store_t *store, trin_err_t *err);

/* Makes a token for org with scope (name may be NULL or ""); writes its
 * text into text (shown once: the caller shows it and wipes it with
 * sodium_memzero) and what is stored into info (may be NULL). Runs in the
 * caller's transaction when one is open. TRIN_EINVALID naming org, scope or
 * name for a bad value. */
int trin_token_create(trin_store_t *store, const char *org, const char *scope,
                      const char *name, trin_token_info_t *info,
                      char text[TRIN_TOKEN_TEXT_BUF], trin_err_t *err);

/* A personal token (scope api:read or api:write): as trin_token_create,
 * with the role the person acts in (admin, writer, reader, calculator,
 * advisor or resident), the person's name (required) and an expiry
 * (NULL or "" = never; a date "YYYY-MM-DD" means through that day, UTC; or
 * an instant "…Z"), which must lie in the future. */
int trin_token_create_personal(trin_store_t *store, const char *org, const char *scope,
                               const char *name, const char *role, const char *person,
                               const char *expires, trin_token_info_t *info,
                               char text[TRIN_TOKEN_TEXT_BUF], trin_err_t *err);

/* The token with this public id; TRIN_ENOTFOUND naming "id". */
int trin_token_get(trin_store_t *store, const char *id, trin_token_info_t *out,
                   trin_err_t *err);

/* Marks the token revoked now (a revoked token stays revoked, with its first
 * time). info (may be NULL) receives the token after. TRIN_ENOTFOUND for an
 * unknown id. */
int trin_token_revoke(trin_store_t *store, const char *id, trin_token_info_t *info,
                      trin_err_t *err);

/* Calls fn for each token of org ("" = every organisation), newest first. */
typedef void (*trin_token_each_fn)(void *data, const trin_token_info_t *t);
int trin_token_list(trin_store_t *store, const char *org, trin_token_each_fn fn, void *data,
                    trin_err_t *err);

/* Checks a presented token (len bytes, not NUL-terminated necessarily) for
 * `scope` (an api:write token passes for api:read too; an expired token is
 * refused like a revoked one). TRIN_OK with out (may be NULL) filled: the token's organisation
 * is out->org. TRIN_EUNAUTHENTICATED when it is not a token of this store,
 * its hash differs, or it is revoked; TRIN_EFORBIDDEN when it is valid but
 * has another scope. Messages name the token's public id at most. */
int trin_token_verify(trin_store_t *store, const char *text, size_t len, const char *scope,
                      trin_token_info_t *out, trin_err_t *err);

/* The token an HTTP request carries, copied into out (wipe it after use):
 * `Authorization: Bearer T`, `X-API-Key: T`, or `Authorization: Basic`
 * with T as the password (any user name). False when there is none (or it
 * does not fit). */
bool trin_token_from_http(const trin_http_request_t *req, char *out, size_t cap);

/* ---- management over ZeroMQ ------------------------------------------------- */

/* May this caller create, revoke or list tokens of org? An unrestricted
 * caller (admin, local endpoint) may for any organisation; a writer only
 * for its own (and never a personal token of role admin). TRIN_EFORBIDDEN
 * otherwise. */
int trin_token_may_manage(const trin_caller_t *caller, const char *org, trin_err_t *err);

/* Told (inside the revoking request) that token id was revoked, e.g. to
 * close the SSE streams it opened. */
typedef void (*trin_token_revoked_fn)(void *data, const char *id);

typedef struct {
  trin_token_revoked_fn on_revoked;  /* NULL = nothing to tell */
  void *data;
} trin_token_hooks_t;

/* Registers CreateToken, RevokeToken and ListTokens on the server (tokens
 * live in the server's store, which must be migrated with
 * trin_token_migrate). hooks may be NULL; when given it is borrowed and
 * must outlive the server. */
int trin_token_register(trin_server_t *server, const trin_token_hooks_t *hooks);

/* The rows a service's access table (trin_access.h) adds for these requests:
 * a writer passes the gate, the handler then checks the organisation. */
#define TRIN_TOKEN_ACCESS_RULES                                                    \
  {"trin.token.CreateToken", TRIN_ROLE_BIT(TRIN_ROLE_WRITER), TRIN_SCOPE_ANY},     \
      {"trin.token.RevokeToken", TRIN_ROLE_BIT(TRIN_ROLE_WRITER), TRIN_SCOPE_ANY}, \
      {"trin.token.ListTokens", TRIN_ROLE_BIT(TRIN_ROLE_WRITER), TRIN_SCOPE_ANY}
/* Their words (trin_access_words_t), for a table's WORDS. */
#define TRIN_TOKEN_ACCESS_WORDS                                      \
  {"trin.token.CreateToken", "create an access token"},            \
      {"trin.token.RevokeToken", "revoke an access token"},        \
      {"trin.token.ListTokens", "list access tokens"}

#endif
