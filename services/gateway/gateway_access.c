/* gateway_access — see gateway_access.h. */
#include "gateway_access.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "trin_date.h"
#include "trin_token.h"

static const trin_access_rule_t RULES[] = {TRIN_TOKEN_ACCESS_RULES};
static const trin_access_words_t WORDS[] = {TRIN_TOKEN_ACCESS_WORDS};
const trin_access_table_t gateway_access_rules = {"gateway", RULES, sizeof RULES / sizeof *RULES,
                                                  WORDS, sizeof WORDS / sizeof *WORDS};

/* Verified personal tokens, by public id: the BLAKE2b hash of the whole
 * text (compared in constant time with the presented text's), who it is,
 * its scope and expiry, and when it was read from the store. An open-
 * addressed table; a slot whose entry is older than cache_ms is as good as
 * empty. */
#define CACHE_SLOTS 4096
typedef struct {
  char id[TRIN_TOKEN_ID_LEN + 1];
  unsigned char hash[crypto_generichash_BYTES];
  trin_token_info_t info;
  int64_t expires_ms;  /* 0 = never */
  uint64_t read_ms;
  bool used;
} cached_t;

struct gateway_access {
  trin_store_t *store;
  gateway_oidc_t *oidc;
  uint64_t cache_ms;
  cached_t *cache;
};

int gateway_access_new(trin_store_t *store, gateway_oidc_t *oidc, gateway_access_t **out,
                       trin_err_t *err) {
  *out = calloc(1, sizeof **out);
  if (*out) (*out)->cache = calloc(CACHE_SLOTS, sizeof *(*out)->cache);
  if (!*out || !(*out)->cache) {
    gateway_access_destroy(out);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  (*out)->store = store;
  (*out)->oidc = oidc;
  (*out)->cache_ms = 5000;
  return TRIN_OK;
}

void gateway_access_destroy(gateway_access_t **a) {
  if (!a || !*a) return;
  if ((*a)->cache) sodium_memzero((*a)->cache, CACHE_SLOTS * sizeof *(*a)->cache);
  free((*a)->cache);
  free(*a);
  *a = NULL;
}

void gateway_access_set_cache_ms(gateway_access_t *a, uint64_t cache_ms) {
  a->cache_ms = cache_ms;
}

static size_t slot_of(const char *id) {
  uint64_t h = 1469598103934665603ULL;
  for (const char *p = id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  return (size_t)(h % CACHE_SLOTS);
}

static cached_t *cache_find(gateway_access_t *a, const char *id) {
  for (size_t i = 0, k = slot_of(id); i < 8; i++, k = (k + 1) % CACHE_SLOTS)
    if (a->cache[k].used && strcmp(a->cache[k].id, id) == 0) return &a->cache[k];
  return NULL;
}

void gateway_access_revoked(void *data, const char *id) {
  gateway_access_t *a = data;
  cached_t *c = cache_find(a, id);
  if (c) sodium_memzero(c, sizeof *c);
}

/* The presented text's public id, when it has a token's shape. */
static bool id_of(const char *text, char id[TRIN_TOKEN_ID_LEN + 1]) {
  if (strlen(text) != TRIN_TOKEN_TEXT_LEN || strncmp(text, "trin_", 5) != 0) return false;
  memcpy(id, text + 5, TRIN_TOKEN_ID_LEN);
  id[TRIN_TOKEN_ID_LEN] = '\0';
  return true;
}

static bool scope_allows(const char *scope, bool write) {
  return strcmp(scope, TRIN_TOKEN_API_WRITE) == 0 ||
         (!write && strcmp(scope, TRIN_TOKEN_API_READ) == 0);
}

/* TRIN_OK with *t from memory, or TRIN_ENOTFOUND when the store must be
 * asked (not kept, stale, another text, a scope that does not allow it,
 * expired: the store's answer then says why). */
static int from_cache(gateway_access_t *a, const char *text, bool write, uint64_t now,
                      trin_token_info_t *t) {
  char id[TRIN_TOKEN_ID_LEN + 1];
  if (a->cache_ms == 0 || !id_of(text, id)) return TRIN_ENOTFOUND;
  cached_t *c = cache_find(a, id);
  if (!c || now - c->read_ms > a->cache_ms) return TRIN_ENOTFOUND;
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text), NULL, 0);
  bool same = sodium_memcmp(h, c->hash, sizeof h) == 0;
  sodium_memzero(h, sizeof h);
  if (!same || !scope_allows(c->info.scope, write) ||
      (c->expires_ms && c->expires_ms <= trin_time_now()))
    return TRIN_ENOTFOUND;
  *t = c->info;
  return TRIN_OK;
}

static void remember(gateway_access_t *a, const char *text, const trin_token_info_t *t,
                     uint64_t now) {
  char id[TRIN_TOKEN_ID_LEN + 1];
  if (a->cache_ms == 0 || !id_of(text, id)) return;
  cached_t *c = cache_find(a, id);
  for (size_t i = 0, k = slot_of(id); !c && i < 8; i++, k = (k + 1) % CACHE_SLOTS)
    if (!a->cache[k].used || now - a->cache[k].read_ms > a->cache_ms) c = &a->cache[k];
  if (!c) c = &a->cache[slot_of(id)]; /* a full neighbourhood: the first gives way */
  memset(c, 0, sizeof *c);
  snprintf(c->id, sizeof c->id, "%s", id);
  crypto_generichash(c->hash, sizeof c->hash, (const unsigned char *)text, strlen(text), NULL, 0);
  c->info = *t;
  trin_time_t until;
  if (t->expires_at[0] && trin_time_parse(t->expires_at, &until, "expires_at", NULL) == TRIN_OK)
    c->expires_ms = until;
  c->read_ms = now;
  c->used = true;
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
  /* A signed-in person writes as far as the service lets their role. */
  snprintf(who.scope, sizeof who.scope, "%s", TRIN_TOKEN_API_WRITE);
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
    uint64_t now = uv_hrtime() / 1000000;
    int rc = from_cache(a, text, write, now, &t);
    if (rc == TRIN_ENOTFOUND) {
      rc = trin_token_verify(a->store, text, strlen(text),
                             write ? TRIN_TOKEN_API_WRITE : TRIN_TOKEN_API_READ, &t, &err);
      if (rc == TRIN_OK) remember(a, text, &t, now);
    }
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
    snprintf(who.scope, sizeof who.scope, "%s", t.scope);
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
