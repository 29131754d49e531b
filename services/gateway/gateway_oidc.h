/* gateway_oidc — OpenID Connect bearer tokens: verifies a JWT access token
 * from a trusted issuer (Entra ID, Keycloak, ...) and maps its claims to a
 * trin organisation and role, as the gateway's `oidc-config` file says.
 *
 * The configuration file (JSON):
 *
 *   {"issuers": [
 *     {"issuer": "https://login.microsoftonline.com/<tenant>/v2.0",
 *      "audience": "api://trin",
 *      "leeway_seconds": 60,
 *      "map": [
 *        {"claims": {"tid": "<tenant>", "roles": "trin.writer"},
 *         "organisation": "KAB", "role": "writer"},
 *        {"claims": {"tid": "<tenant>", "groups": "<group-object-id>"},
 *         "organisation": "KAB", "role": "reader"}]}]}
 *
 *   issuer          required; compared byte for byte with the token's `iss`
 *                   and the discovery document's `issuer`. https://, or
 *                   http:// for a loopback host (127.0.0.1, localhost, [::1]).
 *   audience        required; the token's `aud` (a string, or an array) must
 *                   hold it.
 *   leeway_seconds  optional, 0–600, default 60: clock skew allowed on `exp`,
 *                   `nbf` and `iat`.
 *   map             required, at least one rule. A rule matches when every
 *                   claim it lists matches: a string claim equal to the
 *                   value, or an array claim holding it. The first matching
 *                   rule wins. organisation is a trin id; role is one of
 *                   admin, writer, reader, calculator, advisor, resident.
 *   app             optional: the partners' web app signs people in here
 *                   (authorization code with PKCE, in the browser, as a
 *                   public client without a secret):
 *                   {"client_id": "<the app's registration>",
 *                    "scope": "openid profile" (default; Entra: add
 *                             "api://trin/access" so the access token is
 *                             for this API),
 *                    "resource": "api://trin" (optional: sent as the
 *                             RFC 8707 resource indicator),
 *                    "name": "KAB" (the sign-in button's label; default
 *                             the issuer's host)}
 *                   The provider must let the app's origin call its token
 *                   endpoint (CORS) and accept <gateway>/app/ as a redirect
 *                   URI.
 *   Unknown keys are errors (a misspelt key would otherwise be ignored).
 *
 * Keys: `<issuer>/.well-known/openid-configuration` names `jwks_uri`; the
 * JWKS is fetched on first use and cached per issuer. A token whose `kid` is
 * not cached refetches the JWKS once (so rotated keys are followed); a miss
 * that a refetch did not cure, or a failed fetch, holds off further
 * refetches of that issuer for 10 s (tokens are refused at once meanwhile).
 * A key set an hour old is refreshed in the background on its next use.
 * Fetches (10 s timeout, no redirects, at most 1 MiB) run on libuv's thread
 * pool (uv_queue_work), never on the loop; verifications of that issuer
 * wait for them.
 *
 * Only RS256 and ES256 are accepted; `none`, HS* and an alg that does not
 * fit the key's type are refused. The token itself is never logged nor put
 * in an error message. */
#ifndef GATEWAY_OIDC_H
#define GATEWAY_OIDC_H

#include <stdbool.h>
#include <uv.h>

#include "trin_err.h"

/* Who a verified token speaks for. */
typedef struct {
  char org[65];       /* the trin organisation, from the matching rule */
  char role[33];      /* the trin role, from the matching rule */
  char person[129];   /* the stable id of the person or workload: `oid`, else `sub` */
  char name[201];     /* `name`, else `preferred_username`, else ""; cut at 200 bytes */
  char issuer[256];   /* the token's `iss` (a configured issuer) */
} gateway_identity_t;

typedef struct gateway_oidc gateway_oidc_t;

/* An issuer the web app may sign people in at (its "app" block); all of it
 * may be shown to anyone: it holds no secret. */
typedef struct {
  char issuer[256];
  char client_id[256];
  char scope[256];
  char resource[256];   /* "" = none */
  char name[81];
} gateway_oidc_app_t;

/* Reads and checks the configuration file (nothing is fetched yet). loop is
 * borrowed and must outlive the object; config_path is read, not kept.
 * On a bad file: TRIN_EINVALID (TRIN_EIO when it cannot be read) with
 * err->field the JSON path ("issuers[0].map[1].role") and a sentence naming
 * the file, the path and what is wrong. */
int gateway_oidc_new(uv_loop_t *loop, const char *config_path, gateway_oidc_t **out,
                     trin_err_t *err);

/* Frees the object and sets *o to NULL. Verifications still waiting for keys
 * get their callback, before destroy returns, with TRIN_EIO ("the gateway is
 * shutting down"); no callback ever runs after destroy. A key fetch still
 * running on the thread pool finishes on its own and frees its memory on the
 * loop: run the loop (uv_run) until it is idle before uv_loop_close. */
void gateway_oidc_destroy(gateway_oidc_t **o);

/* True when token has the shape of a JWT: three base64url parts separated by
 * dots, the first two not empty (the third is empty for `alg: none`, which
 * verify then refuses saying so). Tells a JWT from a trin token "trin_...". */
bool gateway_oidc_looks_like_jwt(const char *token);

/* status is TRIN_OK with who filled, or an error with err filled:
 *   TRIN_EUNAUTHENTICATED  the token is not valid (malformed, untrusted
 *                          issuer, bad signature, wrong audience, expired,
 *                          not yet valid, unsupported alg);
 *   TRIN_EFORBIDDEN        the token is valid but no mapping rule matches;
 *   TRIN_EIO               the issuer's keys could not be fetched, or the
 *                          object is being destroyed.
 * who and err point at memory valid only during the call (NULL when not
 * applicable). */
typedef void (*gateway_oidc_cb)(void *data, int status, const gateway_identity_t *who,
                                const trin_err_t *err);

/* Verifies jwt (copied; the caller keeps its string) and calls cb exactly
 * once with data: synchronously, before verify returns, when the issuer's
 * keys are cached (or the token is refused without them); otherwise on the
 * loop once the keys are fetched. */
void gateway_oidc_verify(gateway_oidc_t *o, const char *jwt, gateway_oidc_cb cb, void *data);

/* The issuers with an "app" block, in the file's order: up to cap copied
 * into out; returns how many there are. o may be NULL (none). */
size_t gateway_oidc_app_issuers(const gateway_oidc_t *o, gateway_oidc_app_t *out, size_t cap);

#endif
