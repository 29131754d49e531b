/* gateway_app — see gateway_app.h. */
#include "gateway_app.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/app"

/* The app's files come only from here and talk only to here: no inline
 * script or style, no frames, no plug-ins, no form posts elsewhere. */
#define CSP_HEAD "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
                 "connect-src 'self'"
#define CSP_TAIL "; font-src 'self'; object-src 'none'; base-uri 'none'; " \
                 "form-action 'self'; frame-ancestors 'none'"
static const char CSP[] = CSP_HEAD CSP_TAIL;

char *gateway_app_csp_with(const char *const *urls, size_t n) {
  size_t cap = sizeof CSP + 1;
  for (size_t i = 0; i < n; i++) cap += strlen(urls[i]) + 1;
  char *out = malloc(cap);
  if (!out) return NULL;
  size_t len = (size_t)snprintf(out, cap, "%s", CSP_HEAD);
  for (size_t i = 0; i < n; i++) {
    /* the origin only: scheme://host[:port] */
    const char *u = urls[i];
    const char *host = strstr(u, "://");
    size_t o = host ? (size_t)(host - u) + 3 + strcspn(host + 3, "/?#") : strlen(u);
    bool dup = false;
    for (size_t k = 0; k < i && !dup; k++) dup = strncmp(urls[k], u, o) == 0;
    if (!dup) len += (size_t)snprintf(out + len, cap - len, " %.*s", (int)o, u);
  }
  snprintf(out + len, cap - len, "%s", CSP_TAIL);
  return out;
}

const gateway_app_file_t *gateway_app_find(const char *path) {
  if (strncmp(path, PREFIX "/", strlen(PREFIX "/")) != 0) return NULL;
  const char *name = path + strlen(PREFIX);
  if (strcmp(name, "/") == 0) name = "/index.html";
  for (size_t i = 0; i < GATEWAY_APP_NFILES; i++)
    if (strcmp(GATEWAY_APP_FILES[i].path, name) == 0) return &GATEWAY_APP_FILES[i];
  return NULL;
}

static void plain(trin_http_response_t *res, int status, const char *text) {
  trin_http_set_header(res, "Content-Security-Policy", CSP);
  trin_http_set_header(res, "X-Content-Type-Options", "nosniff");
  trin_http_respond(res, status, "text/plain; charset=utf-8", text, strlen(text));
}

bool gateway_app_serve(const trin_http_request_t *req, trin_http_response_t *res,
                       const char *csp) {
  if (!csp) csp = CSP;
  const char *path = req->path;
  bool ours = strcmp(path, PREFIX) == 0 || strncmp(path, PREFIX "/", strlen(PREFIX "/")) == 0;
  if (!ours) return false;
  if (strcmp(req->method, "GET") != 0) {
    trin_http_set_header(res, "Allow", "GET");
    plain(res, 405, "the app's files are only read (GET)\n");
    return true;
  }
  if (strcmp(path, PREFIX) == 0) {
    /* relative asset URLs in index.html resolve against /app/, not / */
    trin_http_set_header(res, "Location", PREFIX "/");
    plain(res, 308, "the app is at /app/\n");
    return true;
  }
  const gateway_app_file_t *f = gateway_app_find(path);
  if (!f) {
    plain(res, 404, "no such file in the app\n");
    return true;
  }
  trin_http_set_header(res, "Content-Security-Policy", csp);
  trin_http_set_header(res, "X-Content-Type-Options", "nosniff");
  trin_http_set_header(res, "Referrer-Policy", "no-referrer");
  trin_http_set_header(res, "X-Frame-Options", "DENY");
  /* every deployment serves the files of its own binary: revalidate so an
   * upgrade is seen at once */
  trin_http_set_header(res, "Cache-Control", "no-cache");
  trin_http_respond(res, 200, f->content_type, f->data, f->len);
  return true;
}
