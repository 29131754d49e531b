/* gateway_app — the partners' web app (services/gateway/web/), compiled
 * into trin-gateway at build time (gateway_app_embed.cmake) and served at
 * /app/. The app is plain HTML/CSS/JS that talks only to the gateway's
 * public HTTP API; this module only hands out its files, with a strict
 * Content-Security-Policy (no inline script, nothing from elsewhere). */
#ifndef GATEWAY_APP_H
#define GATEWAY_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "trin_http.h"

/* One embedded file; everything is static, owned by the binary. */
typedef struct {
  const char *path;          /* "/index.html" */
  const char *content_type;
  const unsigned char *data;
  size_t len;
} gateway_app_file_t;

extern const gateway_app_file_t GATEWAY_APP_FILES[];
extern const size_t GATEWAY_APP_NFILES;

/* The file served at path ("/app/" is index.html, "/app" redirects there),
 * or NULL when path is not one of the app's. */
const gateway_app_file_t *gateway_app_find(const char *path);

/* Answers req when it asks for the app (GET under /app): the file, with
 * csp (NULL: the strict default) as its Content-Security-Policy,
 * 404 for an unknown file under /app/, 405 for another method. Returns
 * false, answering nothing, for every other path. req and res stay the
 * caller's (the HTTP server's). */
bool gateway_app_serve(const trin_http_request_t *req, trin_http_response_t *res,
                       const char *csp);
/* The app's Content-Security-Policy with the origins of urls (e.g. the
 * issuers it signs people in at: their discovery and token endpoints) also
 * allowed for connect-src; malloc'd, the caller frees it; NULL when memory
 * runs out. csp NULL in gateway_app_serve is the policy without them. */
char *gateway_app_csp_with(const char *const *urls, size_t n);

#endif
