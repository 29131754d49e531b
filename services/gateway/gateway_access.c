/* gateway_access — see gateway_access.h. */
#include "gateway_access.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_token.h"

struct gateway_access {
  trin_store_t *store;
  gateway_oidc_t *oidc;
};

int gateway_access_new(trin_store_t *store, gateway_oidc_t *oidc, gateway_access_t **out,
                       trin_err_t *err) {
  *out = calloc(1, sizeof **out);
  if (!*out) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  (*out)->store = store;
  (*out)->oidc = oidc;
  return TRIN_OK;
}

void gateway_access_destroy(gateway_access_t **a) {
  if (!a || !*a) return;
  free(*a);
  *a = NULL;
}

typedef struct {
  gateway_access_cb cb;
  void *data;
} oidc_wait_t;

static void on_oidc(void *data, int status, const gateway_identity_t *id, const trin_err_t *err) {
  oidc_wait_t *w = data;
  gateway_access_cb cb = w->cb;
  void *cb_data = w->data;
  free(w);
  if (status != TRIN_OK) {
    cb(cb_data, status, NULL, err);
    return;
  }
  gateway_who_t who = {0};
  snprintf(who.org, sizeof who.org, "%s", id->org);
  snprintf(who.role, sizeof who.role, "%s", id->role);
  snprintf(who.person, sizeof who.person, "%s%s(%.120s)", id->name, id->name[0] ? " " : "",
           id->person);
  snprintf(who.principal, sizeof who.principal, "oidc:%.200s#%.110s", id->issuer, id->person);
  cb(cb_data, TRIN_OK, &who, NULL);
}

void gateway_access_check(gateway_access_t *a, const trin_http_request_t *req, bool write,
                          gateway_access_cb cb, void *data) {
  char text[4096];
  trin_err_t err = {0};
  if (!trin_token_from_http(req, text, sizeof text)) {
    trin_err_set(&err, TRIN_EUNAUTHENTICATED, "",
                 "this API needs a token: send 'Authorization: Bearer <token>' with a personal "
                 "token (trinctl token create --service gateway) or your organisation's "
                 "OpenID Connect access token");
    cb(data, err.code, NULL, &err);
    return;
  }
  if (strncmp(text, "trin_", 5) == 0 || !a->oidc || !gateway_oidc_looks_like_jwt(text)) {
    trin_token_info_t t = {0};
    int rc = trin_token_verify(a->store, text, strlen(text),
                               write ? TRIN_TOKEN_API_WRITE : TRIN_TOKEN_API_READ, &t, &err);
    sodium_memzero(text, sizeof text);
    /* A read-only token that asks to write hears "token … is for api:read,
     * not api:write" from trin_token_verify. */
    if (rc) {
      cb(data, rc, NULL, &err);
      return;
    }
    gateway_who_t who = {0};
    snprintf(who.org, sizeof who.org, "%s", t.org);
    snprintf(who.role, sizeof who.role, "%s", t.role);
    snprintf(who.person, sizeof who.person, "%.180s (token %s)", t.person, t.id);
    snprintf(who.principal, sizeof who.principal, "token:%s", t.id);
    cb(data, TRIN_OK, &who, NULL);
    return;
  }
  oidc_wait_t *w = malloc(sizeof *w);
  if (!w) {
    sodium_memzero(text, sizeof text);
    trin_err_set(&err, TRIN_EINTERNAL, "", "out of memory");
    cb(data, err.code, NULL, &err);
    return;
  }
  w->cb = cb;
  w->data = data;
  gateway_oidc_verify(a->oidc, text, on_oidc, w);
  sodium_memzero(text, sizeof text);
}
