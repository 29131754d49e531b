/* gateway_oidc — OpenID Connect bearer tokens (see gateway_oidc.h). */
#include "gateway_oidc.h"

#include <cjose/cjose.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trin_id.h"
#include "trin_log.h"

#define TOKEN_MAX 16384
#define DOC_MAX (256 * 1024)       /* a discovery document */
#define JWKS_MAX (1024 * 1024)     /* a key set */
#define FETCH_TIMEOUT_MS 10000L
/* After a miss refetch that did not find its kid, or a failed fetch. */
#define REFETCH_HOLD_MS 10000u
#define KEYS_MAX_AGE_MS 3600000u   /* a key set older than this is refreshed in the background */
#define LEEWAY_DEFAULT 60
#define LEEWAY_MAX 600

/* ---- configuration and state ------------------------------------------------ */

typedef struct {
  json_t *claims;  /* object: claim name → string, owned */
  char org[65];
  char role[33];
} rule_t;

typedef struct {
  char kid[256];
  cjose_jwk_t *jwk;
  cjose_jwk_kty_t kty;
  bool p256;       /* an EC key on P-256, the only curve ES256 uses */
  char alg[16];    /* the key's own `alg`, "" when it names none */
} jwk_entry_t;

typedef struct pending {
  struct pending *next;
  char *jwt;
  gateway_oidc_cb cb;
  void *data;
} pending_t;

typedef struct fetch fetch_t;

/* Per issuer. The key cache's invariant: keys/nkeys are the last key set
 * that parsed; a failed fetch keeps them. miss_armed says whether the next
 * unknown kid may refetch at once: true at start and after every fetch that
 * was not caused by a miss or that found the missed kid; a miss refetch
 * that did not find its kid disarms it for REFETCH_HOLD_MS, so tokens with
 * made-up kids cannot make the gateway hammer the issuer. */
typedef struct {
  char issuer[256];
  char audience[256];
  gateway_oidc_app_t app;  /* app.client_id "" = no sign-in from the web app */
  long leeway;
  bool loopback;     /* http:// allowed: the issuer is on this machine */
  rule_t *rules;
  size_t nrules;

  jwk_entry_t *keys;
  size_t nkeys;
  bool loaded;
  uint64_t loaded_ms;
  bool failed;       /* the last fetch failed */
  uint64_t failed_ms;
  char fetch_error[200];
  bool miss_armed;
  uint64_t miss_fetch_ms;
  fetch_t *fetching; /* the fetch in flight, or NULL */
  pending_t *waiting, **waiting_tail;  /* verifications waiting for it, in order */
} issuer_t;

struct gateway_oidc {
  uv_loop_t *loop;
  issuer_t *issuers;
  size_t nissuers;
  int inflight;      /* fetches on the thread pool; the struct outlives them */
  int draining;      /* after_fetch is calling callbacks */
  bool closing;      /* destroy was called */
};

/* A fetch runs on the thread pool and touches only its own fields. */
struct fetch {
  uv_work_t req;
  gateway_oidc_t *o;
  size_t index;      /* the issuer's index in o->issuers */
  char issuer[256];
  bool loopback;
  bool miss;         /* caused by an unknown kid */
  char missed_kid[256];
  char *jwks;        /* result: the key set's text, malloc'd */
  char error[200];   /* result: why not, when jwks is NULL */
};

static const char *const ROLES[] = {"admin", "writer", "reader", "calculator", "advisor",
                                    "resident"};

static uint64_t now_ms(void) { return uv_hrtime() / 1000000u; }

/* ---- configuration ----------------------------------------------------------- */

static int bad(trin_err_t *err, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(trin_err_t *err, const char *file, const char *path, const char *fmt, ...) {
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return trin_err_set(err, TRIN_EINVALID, path, "oidc-config %s: %s %s", file, path, what);
}

static bool is_loopback_http(const char *url) {
  static const char *const hosts[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};
  for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
    size_t n = strlen(hosts[i]);
    if (strncmp(url, hosts[i], n) == 0 && (url[n] == '\0' || url[n] == ':' || url[n] == '/'))
      return true;
  }
  return false;
}

static int unknown_keys(json_t *obj, const char *const *known, size_t nknown, const char *file,
                        const char *path, trin_err_t *err) {
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    bool ok = false;
    for (size_t i = 0; i < nknown; i++) ok = ok || strcmp(k, known[i]) == 0;
    if (!ok) {
      char p[160];
      snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", k);
      return bad(err, file, p, "is not a known setting");
    }
  }
  return TRIN_OK;
}

static int parse_rule(json_t *j, rule_t *r, const char *file, const char *path,
                      trin_err_t *err) {
  char p[160];
  if (!json_is_object(j)) return bad(err, file, path, "must be an object");
  static const char *const known[] = {"claims", "organisation", "role"};
  int rc = unknown_keys(j, known, 3, file, path, err);
  if (rc) return rc;

  json_t *claims = json_object_get(j, "claims");
  snprintf(p, sizeof p, "%s.claims", path);
  if (!claims) return bad(err, file, p, "is missing");
  if (!json_is_object(claims) || json_object_size(claims) == 0)
    return bad(err, file, p, "must be an object naming at least one claim");
  const char *k;
  json_t *v;
  json_object_foreach(claims, k, v) {
    if (!json_is_string(v) || json_string_length(v) == 0) {
      snprintf(p, sizeof p, "%s.claims.%s", path, k);
      return bad(err, file, p, "must be a non-empty string");
    }
  }
  r->claims = json_incref(claims);

  json_t *org = json_object_get(j, "organisation");
  snprintf(p, sizeof p, "%s.organisation", path);
  if (!org) return bad(err, file, p, "is missing");
  trin_err_t e;
  if (!json_is_string(org) || trin_id_check(json_string_value(org), "organisation", &e))
    return bad(err, file, p,
               "must be a trin organisation id (1-64 of A-Z a-z 0-9 . _ - :)");
  snprintf(r->org, sizeof r->org, "%s", json_string_value(org));

  json_t *role = json_object_get(j, "role");
  snprintf(p, sizeof p, "%s.role", path);
  if (!role) return bad(err, file, p, "is missing");
  const char *name = json_is_string(role) ? json_string_value(role) : "";
  for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
    if (strcmp(name, ROLES[i]) == 0) snprintf(r->role, sizeof r->role, "%s", name);
  if (!r->role[0]) {
    char got[40];
    snprintf(got, sizeof got, "%s", name);
    trin_text_sanitize_utf8(got);
    return bad(err, file, p,
               "must be one of admin, writer, reader, calculator, advisor, resident "
               "(got '%s')", got);
  }
  return TRIN_OK;
}

/* One string member of the app block: required or not, at most cap - 1
 * bytes, no control characters (it ends up in a URL and on a button). */
static int app_string(json_t *app, const char *name, bool required, char *out, size_t cap,
                      const char *file, const char *path, trin_err_t *err) {
  char p[200];
  snprintf(p, sizeof p, "%s.%s", path, name);
  json_t *v = json_object_get(app, name);
  if (!v) return required ? bad(err, file, p, "is missing") : TRIN_OK;
  if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= cap)
    return bad(err, file, p, "must be a string of 1-%zu bytes", cap - 1);
  for (const char *c = json_string_value(v); *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return bad(err, file, p, "must not hold control characters");
  snprintf(out, cap, "%s", json_string_value(v));
  return TRIN_OK;
}

/* The web app's sign-in at this issuer (authorization code with PKCE, a
 * public client: no secret). */
static int parse_app(json_t *app, issuer_t *is, const char *file, const char *path,
                     trin_err_t *err) {
  if (!json_is_object(app)) return bad(err, file, path, "must be an object");
  static const char *const known[] = {"client_id", "scope", "resource", "name"};
  int rc = unknown_keys(app, known, 4, file, path, err);
  gateway_oidc_app_t *a = &is->app;
  snprintf(a->scope, sizeof a->scope, "openid profile");
  if (!rc) rc = app_string(app, "client_id", true, a->client_id, sizeof a->client_id, file, path,
                           err);
  if (!rc) rc = app_string(app, "scope", false, a->scope, sizeof a->scope, file, path, err);
  if (!rc) rc = app_string(app, "resource", false, a->resource, sizeof a->resource, file, path,
                           err);
  if (!rc) rc = app_string(app, "name", false, a->name, sizeof a->name, file, path, err);
  if (rc) {
    memset(a, 0, sizeof *a);
    return rc;
  }
  snprintf(a->issuer, sizeof a->issuer, "%s", is->issuer);
  if (!a->name[0]) {
    /* the issuer's host, for the button */
    const char *h = strstr(is->issuer, "://");
    h = h ? h + 3 : is->issuer;
    size_t n = strcspn(h, "/");
    snprintf(a->name, sizeof a->name, "%.*s", (int)(n < sizeof a->name ? n : sizeof a->name - 1),
             h);
  }
  return TRIN_OK;
}

static int parse_issuer(json_t *j, issuer_t *is, const char *file, const char *path,
                        trin_err_t *err) {
  char p[160];
  if (!json_is_object(j)) return bad(err, file, path, "must be an object");
  static const char *const known[] = {"issuer", "audience", "leeway_seconds", "map", "app"};
  int rc = unknown_keys(j, known, 5, file, path, err);
  if (rc) return rc;

  json_t *iss = json_object_get(j, "issuer");
  snprintf(p, sizeof p, "%s.issuer", path);
  if (!iss) return bad(err, file, p, "is missing");
  const char *url = json_is_string(iss) ? json_string_value(iss) : "";
  if (!*url) return bad(err, file, p, "must be the issuer's URL as a string");
  if (strlen(url) >= sizeof is->issuer) return bad(err, file, p, "is longer than 255 bytes");
  is->loopback = is_loopback_http(url);
  if (strncmp(url, "https://", 8) != 0 && !is->loopback)
    return bad(err, file, p,
               "must be an https:// URL (http:// only for 127.0.0.1, localhost or [::1])");
  snprintf(is->issuer, sizeof is->issuer, "%s", url);

  json_t *aud = json_object_get(j, "audience");
  snprintf(p, sizeof p, "%s.audience", path);
  if (!aud) return bad(err, file, p, "is missing");
  if (!json_is_string(aud) || json_string_length(aud) == 0 ||
      json_string_length(aud) >= sizeof is->audience)
    return bad(err, file, p, "must be a string of 1-255 bytes (the API's application id URI)");
  snprintf(is->audience, sizeof is->audience, "%s", json_string_value(aud));

  json_t *lw = json_object_get(j, "leeway_seconds");
  is->leeway = LEEWAY_DEFAULT;
  if (lw) {
    snprintf(p, sizeof p, "%s.leeway_seconds", path);
    if (!json_is_integer(lw) || json_integer_value(lw) < 0 ||
        json_integer_value(lw) > LEEWAY_MAX)
      return bad(err, file, p, "must be a whole number of seconds from 0 to %d", LEEWAY_MAX);
    is->leeway = (long)json_integer_value(lw);
  }

  json_t *app = json_object_get(j, "app");
  if (app) {
    snprintf(p, sizeof p, "%s.app", path);
    rc = parse_app(app, is, file, p, err);
    if (rc) return rc;
  }

  json_t *map = json_object_get(j, "map");
  snprintf(p, sizeof p, "%s.map", path);
  if (!map) return bad(err, file, p, "is missing");
  if (!json_is_array(map) || json_array_size(map) == 0)
    return bad(err, file, p, "must be an array of at least one rule");
  is->rules = calloc(json_array_size(map), sizeof *is->rules);
  if (!is->rules) return trin_err_set(err, TRIN_EINTERNAL, NULL, "out of memory");
  for (size_t i = 0; i < json_array_size(map); i++) {
    snprintf(p, sizeof p, "%s.map[%zu]", path, i);
    is->nrules = i + 1;
    rc = parse_rule(json_array_get(map, i), &is->rules[i], file, p, err);
    if (rc) return rc;
  }
  is->miss_armed = true;
  is->waiting_tail = &is->waiting;
  return TRIN_OK;
}

static void free_keys(issuer_t *is) {
  for (size_t i = 0; i < is->nkeys; i++) cjose_jwk_release(is->keys[i].jwk);
  free(is->keys);
  is->keys = NULL;
  is->nkeys = 0;
}

static void free_issuers(gateway_oidc_t *o) {
  for (size_t i = 0; i < o->nissuers; i++) {
    issuer_t *is = &o->issuers[i];
    for (size_t r = 0; r < is->nrules; r++) json_decref(is->rules[r].claims);
    free(is->rules);
    free_keys(is);
  }
  free(o->issuers);
  o->issuers = NULL;
  o->nissuers = 0;
}

int gateway_oidc_new(uv_loop_t *loop, const char *config_path, gateway_oidc_t **out,
                     trin_err_t *err) {
  *out = NULL;
  FILE *f = fopen(config_path, "r");
  if (!f)
    return trin_err_set(err, TRIN_EIO, "oidc-config", "oidc-config %s cannot be read: %s",
                        config_path, strerror(errno));
  json_error_t je;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
  fclose(f);
  if (!root)
    return trin_err_set(err, TRIN_EINVALID, "oidc-config",
                        "oidc-config %s is not valid JSON (line %d, column %d: %s)",
                        config_path, je.line, je.column, je.text);
  gateway_oidc_t *o = calloc(1, sizeof *o);
  int rc = o ? TRIN_OK : trin_err_set(err, TRIN_EINTERNAL, NULL, "out of memory");
  json_t *list = json_object_get(root, "issuers");
  if (!rc && !json_is_object(root)) rc = bad(err, config_path, "(top)", "must be an object");
  static const char *const known[] = {"issuers"};
  if (!rc) rc = unknown_keys(root, known, 1, config_path, "", err);
  if (!rc && !list) rc = bad(err, config_path, "issuers", "is missing");
  if (!rc && (!json_is_array(list) || json_array_size(list) == 0))
    rc = bad(err, config_path, "issuers", "must be an array of at least one issuer");
  if (!rc && !(o->issuers = calloc(json_array_size(list), sizeof *o->issuers)))
    rc = trin_err_set(err, TRIN_EINTERNAL, NULL, "out of memory");
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    char p[64];
    snprintf(p, sizeof p, "issuers[%zu]", i);
    o->nissuers = i + 1;
    rc = parse_issuer(json_array_get(list, i), &o->issuers[i], config_path, p, err);
    for (size_t k = 0; !rc && k < i; k++)
      if (strcmp(o->issuers[k].issuer, o->issuers[i].issuer) == 0) {
        snprintf(p, sizeof p, "issuers[%zu].issuer", i);
        rc = bad(err, config_path, p, "repeats issuers[%zu].issuer", k);
      }
  }
  json_decref(root);
  if (!rc && (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK))
    rc = trin_err_set(err, TRIN_EINTERNAL, NULL, "libsodium or libcurl did not initialise");
  if (rc) {
    if (o) free_issuers(o);
    free(o);
    return rc;
  }
  o->loop = loop;
  *out = o;
  return TRIN_OK;
}

/* ---- fetching keys (thread pool) ---------------------------------------------- */

typedef struct {
  char *data;
  size_t len, max;
} body_t;

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata) {
  body_t *b = userdata;
  size_t add = size * n;
  if (b->len + add > b->max) return 0;  /* too big: curl fails with a write error */
  char *p = realloc(b->data, b->len + add + 1);
  if (!p) return 0;
  memcpy(p + b->len, ptr, add);
  b->data = p;
  b->len += add;
  b->data[b->len] = '\0';
  return add;
}

/* GETs url into a NUL-terminated malloc'd string; NULL with why on failure. */
static char *http_get(const char *url, bool allow_http, size_t max, char *why, size_t whylen) {
  body_t b = {NULL, 0, max};
  CURL *e = curl_easy_init();
  if (!e) {
    snprintf(why, whylen, "libcurl could not start a request");
    return NULL;
  }
  char curl_err[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, allow_http ? "http,https" : "https");
  if (allow_http) curl_easy_setopt(e, CURLOPT_PROXY, "");  /* loopback: never via a proxy */
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, FETCH_TIMEOUT_MS);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, FETCH_TIMEOUT_MS / 2);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "trin-gateway");
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_err);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(e);
  long code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(e);
  if (cc == CURLE_WRITE_ERROR) {
    snprintf(why, whylen, "%s answered more than %zu bytes", url, max);
  } else if (cc != CURLE_OK) {
    snprintf(why, whylen, "%s: %s", url, curl_err[0] ? curl_err : curl_easy_strerror(cc));
  } else if (code != 200) {
    snprintf(why, whylen, "%s answered HTTP %ld", url, code);
  } else if (!b.data) {
    snprintf(why, whylen, "%s answered nothing", url);
  } else {
    return b.data;
  }
  free(b.data);
  return NULL;
}

static void fetch_work(uv_work_t *req) {
  fetch_t *f = req->data;
  char url[320];
  size_t n = strlen(f->issuer);
  while (n > 0 && f->issuer[n - 1] == '/') n--;  /* issuers may end in '/' */
  snprintf(url, sizeof url, "%.*s/.well-known/openid-configuration", (int)n, f->issuer);
  char *doc = http_get(url, f->loopback, DOC_MAX, f->error, sizeof f->error);
  if (!doc) return;
  json_t *j = json_loads(doc, 0, NULL);
  free(doc);
  const char *iss = json_string_value(json_object_get(j, "issuer"));
  const char *jwks_uri = json_string_value(json_object_get(j, "jwks_uri"));
  if (!json_is_object(j)) {
    snprintf(f->error, sizeof f->error, "%s is not a JSON object", url);
  } else if (!iss || strcmp(iss, f->issuer) != 0) {
    snprintf(f->error, sizeof f->error, "the discovery document names issuer '%.80s', not '%.80s'",
             iss ? iss : "", f->issuer);
  } else if (!jwks_uri || !*jwks_uri) {
    snprintf(f->error, sizeof f->error, "the discovery document %s has no jwks_uri", url);
  } else if (strncmp(jwks_uri, "https://", 8) != 0 &&
             !(f->loopback && is_loopback_http(jwks_uri))) {
    snprintf(f->error, sizeof f->error, "the discovery document's jwks_uri is not https://");
  } else {
    f->jwks = http_get(jwks_uri, f->loopback, JWKS_MAX, f->error, sizeof f->error);
  }
  json_decref(j);
  for (char *c = f->error; *c; c++)
    if ((unsigned char)*c < 0x20) *c = ' ';
  trin_text_sanitize_utf8(f->error);
}

/* Parses a JWKS into keys; keys it cannot use (enc, oct, OKP, other curves)
 * are skipped, a set with no usable key is an error. */
static int parse_jwks(const char *text, jwk_entry_t **out, size_t *nout, char *why, size_t whylen) {
  json_t *j = json_loads(text, 0, NULL);
  json_t *keys = json_object_get(j, "keys");
  *out = NULL;
  *nout = 0;
  if (!json_is_array(keys)) {
    snprintf(why, whylen, "the issuer's JWKS is not a JSON object with \"keys\"");
    json_decref(j);
    return -1;
  }
  jwk_entry_t *ks = calloc(json_array_size(keys) + 1, sizeof *ks);
  size_t n = 0;
  for (size_t i = 0; ks && i < json_array_size(keys); i++) {
    json_t *k = json_array_get(keys, i);
    const char *use = json_string_value(json_object_get(k, "use"));
    const char *kty = json_string_value(json_object_get(k, "kty"));
    if (!json_is_object(k) || (use && strcmp(use, "sig") != 0) || !kty ||
        (strcmp(kty, "RSA") != 0 && strcmp(kty, "EC") != 0))
      continue;
    char *dump = json_dumps(k, JSON_COMPACT);
    cjose_err ce;
    cjose_jwk_t *jwk = dump ? cjose_jwk_import(dump, strlen(dump), &ce) : NULL;
    free(dump);
    if (!jwk) continue;
    jwk_entry_t *kk = &ks[n];
    kk->jwk = jwk;
    kk->kty = cjose_jwk_get_kty(jwk, &ce);
    kk->p256 = kk->kty == CJOSE_JWK_KTY_EC &&
               cjose_jwk_EC_get_curve(jwk, &ce) == CJOSE_JWK_EC_P_256;
    const char *kid = json_string_value(json_object_get(k, "kid"));
    const char *alg = json_string_value(json_object_get(k, "alg"));
    snprintf(kk->kid, sizeof kk->kid, "%s", kid ? kid : "");
    snprintf(kk->alg, sizeof kk->alg, "%s", alg ? alg : "");
    n++;
  }
  json_decref(j);
  if (n == 0) {
    free(ks);
    snprintf(why, whylen, "the issuer's JWKS has no RSA or EC signing key the gateway can use");
    return -1;
  }
  *out = ks;
  *nout = n;
  return 0;
}

static void verify_now(gateway_oidc_t *o, const char *jwt, gateway_oidc_cb cb, void *data,
                       bool may_fetch);

static void free_oidc_if_done(gateway_oidc_t *o) {
  if (o->closing && o->inflight == 0 && o->draining == 0) {
    curl_global_cleanup();
    free(o);
  }
}

static bool has_kid(const issuer_t *is, const char *kid) {
  for (size_t i = 0; i < is->nkeys; i++)
    if (strcmp(is->keys[i].kid, kid) == 0) return true;
  return false;
}

static void after_fetch(uv_work_t *req, int status) {
  (void)status;
  fetch_t *f = req->data;
  gateway_oidc_t *o = f->o;
  o->inflight--;
  if (o->closing) {
    free(f->jwks);
    free(f);
    free_oidc_if_done(o);
    return;
  }
  issuer_t *is = &o->issuers[f->index];
  is->fetching = NULL;
  jwk_entry_t *keys = NULL;
  size_t nkeys = 0;
  char why[200];
  snprintf(why, sizeof why, "%s", f->error);
  if (f->jwks && parse_jwks(f->jwks, &keys, &nkeys, why, sizeof why) == 0) {
    free_keys(is);
    is->keys = keys;
    is->nkeys = nkeys;
    is->loaded = true;
    is->loaded_ms = now_ms();
    is->failed = false;
    is->miss_armed = !f->miss || has_kid(is, f->missed_kid);
    trin_log_info("oidc: %zu signing keys of %s", nkeys, is->issuer);
  } else {
    is->failed = true;
    is->failed_ms = now_ms();
    snprintf(is->fetch_error, sizeof is->fetch_error, "%s", why);
    trin_log_warn("oidc: the keys of %s could not be fetched: %s", is->issuer, why);
  }
  if (f->miss) is->miss_fetch_ms = now_ms();
  free(f->jwks);
  free(f);

  /* The callbacks may call verify (which may queue again on this issuer)
   * or destroy: take the list first, and keep o alive while draining. */
  pending_t *p = is->waiting;
  is->waiting = NULL;
  is->waiting_tail = &is->waiting;
  o->draining++;
  while (p) {
    pending_t *next = p->next;
    if (o->closing) {
      trin_err_t e;
      trin_err_set(&e, TRIN_EIO, NULL, "the gateway is shutting down");
      p->cb(p->data, TRIN_EIO, NULL, &e);
    } else {
      verify_now(o, p->jwt, p->cb, p->data, false);
    }
    sodium_memzero(p->jwt, strlen(p->jwt));
    free(p->jwt);
    free(p);
    p = next;
  }
  o->draining--;
  free_oidc_if_done(o);
}

static bool start_fetch(gateway_oidc_t *o, issuer_t *is, const char *missed_kid) {
  if (is->fetching) return true;
  fetch_t *f = calloc(1, sizeof *f);
  if (!f) return false;
  f->o = o;
  f->index = (size_t)(is - o->issuers);
  snprintf(f->issuer, sizeof f->issuer, "%s", is->issuer);
  f->loopback = is->loopback;
  f->miss = missed_kid != NULL;
  snprintf(f->missed_kid, sizeof f->missed_kid, "%s", missed_kid ? missed_kid : "");
  f->req.data = f;
  if (uv_queue_work(o->loop, &f->req, fetch_work, after_fetch) != 0) {
    free(f);
    return false;
  }
  o->inflight++;
  is->fetching = f;
  return true;
}

static bool enqueue(gateway_oidc_t *o, issuer_t *is, const char *jwt, gateway_oidc_cb cb,
                    void *data, const char *missed_kid) {
  pending_t *p = calloc(1, sizeof *p);
  if (!p || !(p->jwt = strdup(jwt)) || !start_fetch(o, is, missed_kid)) {
    if (p) free(p->jwt);
    free(p);
    return false;
  }
  p->cb = cb;
  p->data = data;
  *is->waiting_tail = p;
  is->waiting_tail = &p->next;
  return true;
}

/* ---- verifying ------------------------------------------------------------------ */

bool gateway_oidc_looks_like_jwt(const char *token) {
  if (!token) return false;
  int dots = 0;
  size_t part = 0;
  for (const char *c = token; *c; c++) {
    if (*c == '.') {
      if (part == 0 || ++dots > 2) return false;
      part = 0;
    } else if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
               (*c >= '0' && *c <= '9') || *c == '-' || *c == '_') {
      part++;
    } else {
      return false;
    }
  }
  return dots == 2;
}

/* A JSON object from one base64url part of the token, or NULL. */
static json_t *decode_part(const char *b64, size_t len) {
  size_t cap = len * 3 / 4 + 4, n = 0;
  unsigned char *bin = malloc(cap + 1);
  if (!bin) return NULL;
  json_t *j = NULL;
  if (sodium_base642bin(bin, cap, b64, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
    j = json_loadb((const char *)bin, n, JSON_REJECT_DUPLICATES, NULL);
  free(bin);
  if (j && !json_is_object(j)) {
    json_decref(j);
    j = NULL;
  }
  return j;
}

/* A token's text for an error message: printable, cut, never the token. */
static void quote(char *out, size_t outlen, const char *in) {
  snprintf(out, outlen, "%s", in ? in : "");
  for (char *c = out; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
  trin_text_sanitize_utf8(out);
}

static void iso_time(char out[32], double t) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (t < 0 || t > 253402300799.0 || !gmtime_r(&tt, &tm)) {
    snprintf(out, 32, "%.0f", t);
    return;
  }
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool claim_matches(json_t *claim, const char *want) {
  if (json_is_string(claim)) return strcmp(json_string_value(claim), want) == 0;
  if (json_is_array(claim)) {
    size_t i;
    json_t *v;
    json_array_foreach(claim, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), want) == 0) return true;
    }
  }
  return false;
}

static bool alg_fits(const char *alg, const jwk_entry_t *k) {
  if (k->alg[0] && strcmp(k->alg, alg) != 0) return false;
  if (strcmp(alg, "RS256") == 0) return k->kty == CJOSE_JWK_KTY_RSA;
  return k->kty == CJOSE_JWK_KTY_EC && k->p256;
}

static const char *kty_name(const jwk_entry_t *k) {
  return k->kty == CJOSE_JWK_KTY_RSA ? "RSA" : k->kty == CJOSE_JWK_KTY_EC ? "EC" : "oct";
}

/* Checks the signature against the issuer's keys; TRIN_OK or an error. */
static int check_signature(const issuer_t *is, const char *jwt, const char *alg, const char *kid,
                           trin_err_t *err) {
  cjose_err ce;
  cjose_jws_t *jws = cjose_jws_import(jwt, strlen(jwt), &ce);
  if (!jws)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token is not a well-formed signed JWT");
  /* With a kid only that key (or keys: a JWKS may reuse a kid across key
   * types) is tried; without one, every key that fits the alg. */
  bool tried = false, ok = false;
  const jwk_entry_t *unfit = NULL;
  for (size_t i = 0; !ok && i < is->nkeys; i++) {
    const jwk_entry_t *k = &is->keys[i];
    if (kid && strcmp(k->kid, kid) != 0) continue;
    if (!alg_fits(alg, k)) {
      unfit = k;
      continue;
    }
    tried = true;
    ok = cjose_jws_verify(jws, k->jwk, &ce);
  }
  cjose_jws_release(jws);
  if (ok) return TRIN_OK;
  if (!tried && kid && unfit) {
    char q[80];
    quote(q, sizeof q, kid);
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's algorithm %s does not fit its key '%s' (%s%s%s)", alg, q,
                        kty_name(unfit), unfit->alg[0] ? ", " : "", unfit->alg);
  }
  if (!tried && !kid)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token names no key (kid) and issuer '%s' publishes no %s key",
                        is->issuer, alg);
  return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                      "the token's signature does not verify with the issuer's keys");
}

static int check_claims(const issuer_t *is, json_t *claims, trin_err_t *err) {
  double now = (double)time(NULL);
  char when[32];
  json_t *aud = json_object_get(claims, "aud");
  if (!claim_matches(aud, is->audience))
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's audience is not '%s'", is->audience);
  json_t *exp = json_object_get(claims, "exp");
  if (!json_is_number(exp))
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token has no expiry time (exp)");
  if (json_number_value(exp) + (double)is->leeway <= now) {
    iso_time(when, json_number_value(exp));
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token", "the token has expired (exp %s)",
                        when);
  }
  json_t *nbf = json_object_get(claims, "nbf");
  if (nbf && (!json_is_number(nbf) || json_number_value(nbf) - (double)is->leeway > now)) {
    iso_time(when, json_number_value(nbf));
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token is not valid yet (nbf %s)", when);
  }
  json_t *iat = json_object_get(claims, "iat");
  if (iat && (!json_is_number(iat) || json_number_value(iat) - (double)is->leeway > now)) {
    iso_time(when, json_number_value(iat));
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token says it was issued in the future (iat %s)", when);
  }
  return TRIN_OK;
}

static int map_identity(const issuer_t *is, json_t *claims, gateway_identity_t *who,
                        trin_err_t *err) {
  const char *oid = json_string_value(json_object_get(claims, "oid"));
  const char *sub = json_string_value(json_object_get(claims, "sub"));
  const char *person = oid && *oid ? oid : sub;
  const rule_t *hit = NULL;
  for (size_t r = 0; !hit && r < is->nrules; r++) {
    bool all = true;
    const char *k;
    json_t *v;
    json_object_foreach(is->rules[r].claims, k, v) {
      all = all && claim_matches(json_object_get(claims, k), json_string_value(v));
    }
    if (all) hit = &is->rules[r];
  }
  if (!hit) {
    char q[100];
    quote(q, sizeof q, sub ? sub : "(none)");
    return trin_err_set(err, TRIN_EFORBIDDEN, "token",
                        "the token is valid, but no rule in the gateway's OpenID mapping gives "
                        "it an organisation and role (issuer %s, sub %s)",
                        is->issuer, q);
  }
  if (!person || !*person)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token names no person or workload (neither oid nor sub)");
  if (strlen(person) >= sizeof who->person)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's %s is longer than %zu bytes", oid && *oid ? "oid" : "sub",
                        sizeof who->person - 1);
  memset(who, 0, sizeof *who);
  snprintf(who->org, sizeof who->org, "%s", hit->org);
  snprintf(who->role, sizeof who->role, "%s", hit->role);
  quote(who->person, sizeof who->person, person);
  const char *name = json_string_value(json_object_get(claims, "name"));
  if (!name || !*name) name = json_string_value(json_object_get(claims, "preferred_username"));
  quote(who->name, sizeof who->name, name ? name : "");
  snprintf(who->issuer, sizeof who->issuer, "%s", is->issuer);
  return TRIN_OK;
}

/* Everything but the signature's key: the parts, alg and issuer. */
typedef struct {
  json_t *header, *claims;
  const char *alg, *kid;
  issuer_t *is;
} parsed_t;

static int parse_token(gateway_oidc_t *o, const char *jwt, parsed_t *t, trin_err_t *err) {
  memset(t, 0, sizeof *t);
  if (strlen(jwt) > TOKEN_MAX)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token is longer than %d bytes", TOKEN_MAX);
  if (!gateway_oidc_looks_like_jwt(jwt))
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the bearer token is not a JWT (three base64url parts)");
  const char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
  t->header = decode_part(jwt, (size_t)(d1 - jwt));
  if (!t->header)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's header is not base64url-encoded JSON");
  t->alg = json_string_value(json_object_get(t->header, "alg"));
  t->kid = json_string_value(json_object_get(t->header, "kid"));
  if (!t->alg) return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token", "the token names no alg");
  if (strcmp(t->alg, "none") == 0)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token is not signed (alg none); the gateway accepts only RS256 "
                        "and ES256");
  if (d2[1] == '\0')
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token", "the token has no signature");
  if (strcmp(t->alg, "RS256") != 0 && strcmp(t->alg, "ES256") != 0) {
    char q[40];
    quote(q, sizeof q, t->alg);
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token is signed with %s; the gateway accepts only RS256 and ES256",
                        q);
  }
  if (json_object_get(t->header, "crit"))
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token has critical header parameters (crit) the gateway does not "
                        "understand");
  t->claims = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
  if (!t->claims)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's claims are not base64url-encoded JSON");
  const char *iss = json_string_value(json_object_get(t->claims, "iss"));
  if (!iss)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token", "the token names no issuer (iss)");
  for (size_t i = 0; !t->is && i < o->nissuers; i++)
    if (strcmp(o->issuers[i].issuer, iss) == 0) t->is = &o->issuers[i];
  if (!t->is) {
    char q[120];
    quote(q, sizeof q, iss);
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's issuer '%s' is not one this gateway trusts", q);
  }
  return TRIN_OK;
}

/* may_fetch is false for a verification that already waited for a fetch,
 * so no token waits twice. cb is the last thing called: it may destroy o. */
static void verify_now(gateway_oidc_t *o, const char *jwt, gateway_oidc_cb cb, void *data,
                       bool may_fetch) {
  trin_err_t err;
  trin_err_clear(&err);
  gateway_identity_t who;
  parsed_t t;
  int rc = parse_token(o, jwt, &t, &err);
  issuer_t *is = t.is;
  if (!rc) {
    uint64_t now = now_ms();
    bool miss = t.kid && !has_kid(is, t.kid);
    bool held = is->failed && now - is->failed_ms < REFETCH_HOLD_MS;
    bool miss_may = is->miss_armed || now - is->miss_fetch_ms >= REFETCH_HOLD_MS;
    if (may_fetch && !held && (is->fetching || !is->loaded || (miss && miss_may))) {
      if (enqueue(o, is, jwt, cb, data, miss && is->loaded ? t.kid : NULL)) {
        json_decref(t.header);
        json_decref(t.claims);
        return;
      }
      rc = trin_err_set(&err, TRIN_EINTERNAL, NULL, "out of memory, or the thread pool refused");
    } else if (!is->loaded) {
      rc = trin_err_set(&err, TRIN_EIO, "token",
                        "the gateway could not fetch the keys of issuer %s: %s", is->issuer,
                        is->fetch_error);
    } else if (miss) {
      char q[80];
      quote(q, sizeof q, t.kid);
      rc = trin_err_set(&err, TRIN_EUNAUTHENTICATED, "token",
                        "the token's key '%s' is not among the keys issuer %s publishes", q,
                        is->issuer);
    }
    /* A key set an hour old is refreshed behind the scenes; this token uses it. */
    if (!rc && !is->fetching && now - is->loaded_ms >= KEYS_MAX_AGE_MS && !held)
      start_fetch(o, is, NULL);
  }
  if (!rc) rc = check_signature(is, jwt, t.alg, t.kid, &err);
  if (!rc) rc = check_claims(is, t.claims, &err);
  if (!rc) rc = map_identity(is, t.claims, &who, &err);
  json_decref(t.header);
  json_decref(t.claims);
  if (rc) cb(data, rc, NULL, &err);
  else cb(data, TRIN_OK, &who, NULL);
}

void gateway_oidc_verify(gateway_oidc_t *o, const char *jwt, gateway_oidc_cb cb, void *data) {
  if (o->closing) {
    trin_err_t e;
    trin_err_set(&e, TRIN_EIO, NULL, "the gateway is shutting down");
    cb(data, TRIN_EIO, NULL, &e);
    return;
  }
  verify_now(o, jwt ? jwt : "", cb, data, true);
}

void gateway_oidc_destroy(gateway_oidc_t **op) {
  if (!op || !*op) return;
  gateway_oidc_t *o = *op;
  *op = NULL;
  if (o->closing) return;
  o->closing = true;
  trin_err_t e;
  trin_err_set(&e, TRIN_EIO, NULL, "the gateway is shutting down");
  for (size_t i = 0; i < o->nissuers; i++) {
    issuer_t *is = &o->issuers[i];
    pending_t *p = is->waiting;
    is->waiting = NULL;
    is->waiting_tail = &is->waiting;
    while (p) {
      pending_t *next = p->next;
      p->cb(p->data, TRIN_EIO, NULL, &e);
      sodium_memzero(p->jwt, strlen(p->jwt));
      free(p->jwt);
      free(p);
      p = next;
    }
  }
  free_issuers(o);
  free_oidc_if_done(o);
}

size_t gateway_oidc_app_issuers(const gateway_oidc_t *o, gateway_oidc_app_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; o && i < o->nissuers; i++)
    if (o->issuers[i].app.client_id[0]) {
      if (n < cap) out[n] = o->issuers[i].app;
      n++;
    }
  return n;
}
