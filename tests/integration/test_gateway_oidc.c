/* gateway.oidc — OpenID Connect bearer tokens against a real OpenID provider:
 * two instances of tests/oidc/provider.mjs (oidc-provider on 127.0.0.1,
 * ephemeral ports) issue JWT access tokens by the client credentials grant;
 * gateway_oidc verifies them, fetching discovery and JWKS over HTTP. Covers
 * RS256 and ES256 tokens mapped to organisation/role/person, key rotation,
 * expiry, not-yet-valid, wrong audience, an untrusted issuer, no matching
 * rule, a tampered signature and payload, alg none/HS256/mismatched alg,
 * malformed tokens,
 * unreachable keys, a discovery document naming another issuer, destroy
 * with a verification waiting, and every configuration error.
 *
 * Needs node and npm; without them, or when `npm ci --prefix tests/oidc`
 * fails (no network), the test is SKIPPED (exit 77) saying why. It opens no
 * store, so its `.pg` twin skips too. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>

#include "gateway_oidc.h"

#define SKIP 77
#define OIDC_DIR TRIN_SOURCE_DIR "/tests/oidc"

typedef struct {
  pid_t pid;
  char url[128];  /* the issuer: http://127.0.0.1:PORT */
  char log[300];
} provider_t;

static char tmpdir[256];
static provider_t pa, pb;       /* pa is trusted, pb is not */
static uv_loop_t loop;
static gateway_oidc_t *oidc;
static char config_path[300];

/* ---- helpers ------------------------------------------------------------------- */

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int run(const char *cmd, char *out, size_t outlen) {
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  size_t n = 0;
  char buf[512];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) {
    if (out && n + 1 < outlen) {
      size_t take = got < outlen - 1 - n ? got : outlen - 1 - n;
      memcpy(out + n, buf, take);
      n += take;
    }
  }
  if (out && outlen) out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Starts `node provider.mjs --port 0` and waits (≤ 60 s) for its
 * "listening URL" line. */
static bool provider_start(provider_t *p, const char *name) {
  snprintf(p->log, sizeof p->log, "%s/%s.log", tmpdir, name);
  /* The provider's stdin is a pipe only this process writes: when the test
   * dies, however, the provider reads its end and exits (--exit-with-stdin). */
  int lifeline[2];
  if (pipe2(lifeline, O_CLOEXEC) != 0) return false;
  p->pid = fork();
  if (p->pid < 0) return false;
  if (p->pid == 0) {
    dup2(lifeline[0], 0);
    int fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execlp("node", "node", OIDC_DIR "/provider.mjs", "--port", "0", "--exit-with-stdin",
           (char *)NULL);
    _exit(127);
  }
  close(lifeline[0]);  /* the write end stays open, unused, until this process ends */
  for (int i = 0; i < 3000; i++) {
    FILE *f = fopen(p->log, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
      if (strncmp(line, "listening ", 10) == 0) {
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(p->url, sizeof p->url, "%s", line + 10);
        fclose(f);
        return true;
      }
    }
    if (f) fclose(f);
    if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
      p->pid = 0;
      return false;
    }
    pause_ms(20);
  }
  return false;
}

static void provider_stop(provider_t *p) {
  if (p->pid <= 0) return;
  kill(p->pid, SIGTERM);
  waitpid(p->pid, NULL, 0);
  p->pid = 0;
}

typedef struct {
  char *data;
  size_t len;
} buf_t;

static size_t on_data(char *ptr, size_t size, size_t n, void *userdata) {
  buf_t *b = userdata;
  char *d = realloc(b->data, b->len + size * n + 1);
  if (!d) return 0;
  memcpy(d + b->len, ptr, size * n);
  b->data = d;
  b->len += size * n;
  b->data[b->len] = '\0';
  return size * n;
}

/* An HTTP request to the provider; the body (malloc'd) or NULL. */
static char *http(const char *url, const char *userpwd, const char *post) {
  buf_t b = {NULL, 0};
  CURL *e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
  if (userpwd) curl_easy_setopt(e, CURLOPT_USERPWD, userpwd);
  if (post) curl_easy_setopt(e, CURLOPT_POSTFIELDS, post);
  CURLcode cc = curl_easy_perform(e);
  long code = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(e);
  if (cc != CURLE_OK || code != 200) {
    fprintf(stderr, "%s -> curl %d, HTTP %ld: %s\n", url, (int)cc, code, b.data ? b.data : "");
    free(b.data);
    return NULL;
  }
  return b.data;
}

/* An access token of client for resource, from p's token endpoint (malloc'd). */
static char *token_for(const provider_t *p, const char *client, const char *resource) {
  char url[200], userpwd[100], post[200];
  snprintf(url, sizeof url, "%s/token", p->url);
  snprintf(userpwd, sizeof userpwd, "%s:secret", client);
  char *res = curl_easy_escape(NULL, resource, 0);
  snprintf(post, sizeof post, "grant_type=client_credentials&resource=%s", res);
  curl_free(res);
  char *body = http(url, userpwd, post);
  assert_non_null(body);
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  const char *at = json_string_value(json_object_get(j, "access_token"));
  assert_non_null(at);
  char *out = strdup(at);
  json_decref(j);
  return out;
}

static long jwks_fetches(const provider_t *p) {
  char url[200];
  snprintf(url, sizeof url, "%s/control/stats", p->url);
  char *body = http(url, NULL, NULL);
  assert_non_null(body);
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  long n = (long)json_integer_value(json_object_get(j, "jwks_fetches"));
  json_decref(j);
  return n;
}

typedef struct {
  int calls;
  int status;
  gateway_identity_t who;
  trin_err_t err;
} result_t;

static void on_verified(void *data, int status, const gateway_identity_t *who,
                        const trin_err_t *err) {
  result_t *r = data;
  r->calls++;
  r->status = status;
  if (who) r->who = *who;
  if (err) r->err = *err;
}

/* Verifies and runs the loop until the callback came. */
static result_t verify(const char *jwt) {
  result_t r;
  memset(&r, 0, sizeof r);
  gateway_oidc_verify(oidc, jwt, on_verified, &r);
  while (r.calls == 0) uv_run(&loop, UV_RUN_ONCE);
  assert_int_equal(r.calls, 1);
  return r;
}

static void expect_refused(const char *jwt, int status, const char *text) {
  result_t r = verify(jwt);
  if (r.status != status || !strstr(r.err.message, text))
    fprintf(stderr, "got %d '%s', wanted %d '%s'\n", r.status, r.err.message, status, text);
  assert_int_equal(r.status, status);
  assert_non_null(strstr(r.err.message, text));
}

static char *b64url(const char *text) {
  size_t cap = sodium_base64_ENCODED_LEN(strlen(text), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = malloc(cap);
  sodium_bin2base64(out, cap, (const unsigned char *)text, strlen(text),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

/* A token made of the given header and claims JSON and signature text. */
static char *craft(const char *header, const char *claims, const char *sig) {
  char *h = b64url(header), *c = b64url(claims);
  size_t n = strlen(h) + strlen(c) + strlen(sig) + 3;
  char *out = malloc(n);
  snprintf(out, n, "%s.%s.%s", h, c, sig);
  free(h);
  free(c);
  return out;
}

/* part (0 header, 1 claims, 2 signature) of jwt, as a malloc'd string. */
static char *part_of(const char *jwt, int part) {
  const char *s = jwt;
  for (int i = 0; i < part; i++) s = strchr(s, '.') + 1;
  size_t n = strcspn(s, ".");
  return strndup(s, n);
}

/* The decoded claims JSON of jwt (malloc'd). */
static char *claims_of(const char *jwt) {
  char *b = part_of(jwt, 1);
  size_t cap = strlen(b) + 1, n = 0;
  char *out = calloc(1, cap + 1);
  sodium_base642bin((unsigned char *)out, cap, b, strlen(b), NULL, &n, NULL,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  free(b);
  return out;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* ---- configuration ------------------------------------------------------------------ */

static void test_config_errors(void **state) {
  (void)state;
  static const struct {
    const char *json, *field, *text;
  } cases[] = {
      {"{", "oidc-config", "is not valid JSON (line"},
      {"[]", "(top)", "(top) must be an object"},
      {"{}", "issuers", "issuers is missing"},
      {"{\"issuers\": [], \"x\": 1}", "x", "x is not a known setting"},
      {"{\"issuers\": []}", "issuers", "issuers must be an array of at least one issuer"},
      {"{\"issuers\": [1]}", "issuers[0]", "issuers[0] must be an object"},
      {"{\"issuers\": [{}]}", "issuers[0].issuer", "issuers[0].issuer is missing"},
      {"{\"issuers\": [{\"issuer\": \"http://login.example.com\"}]}", "issuers[0].issuer",
       "must be an https:// URL"},
      {"{\"issuers\": [{\"issuer\": 5}]}", "issuers[0].issuer", "must be the issuer's URL"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audiance\": \"x\"}]}",
       "issuers[0].audiance", "is not a known setting"},
      {"{\"issuers\": [{\"issuer\": \"https://a\"}]}", "issuers[0].audience",
       "issuers[0].audience is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"\"}]}",
       "issuers[0].audience", "must be a string of 1-255 bytes"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", "
       "\"leeway_seconds\": -1}]}",
       "issuers[0].leeway_seconds", "must be a whole number of seconds from 0 to 600"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", "
       "\"leeway_seconds\": \"60\"}]}",
       "issuers[0].leeway_seconds", "must be a whole number"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\"}]}",
       "issuers[0].map", "issuers[0].map is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": []}]}",
       "issuers[0].map", "must be an array of at least one rule"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].map[0].claims", "issuers[0].map[0].claims is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].map[0].claims", "must be an object naming at least one claim"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": 7}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].map[0].claims.tid", "must be a non-empty string"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"role\": \"writer\"}]}]}",
       "issuers[0].map[0].organisation", "issuers[0].map[0].organisation is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"K A B\", \"role\": \"writer\"}]}]}",
       "issuers[0].map[0].organisation", "must be a trin organisation id"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\"}]}]}",
       "issuers[0].map[0].role", "issuers[0].map[0].role is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"},"
       " {\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"service\"}]}]}",
       "issuers[0].map[1].role",
       "must be one of admin, writer, reader, calculator, advisor, resident (got 'service')"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\", "
       "\"org\": \"x\"}]}]}",
       "issuers[0].map[0].org", "is not a known setting"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"}]},"
       " {\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[1].issuer", "repeats issuers[0].issuer"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"app\": "
       "{\"scope\": \"openid\"}, \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].app.client_id", "issuers[0].app.client_id is missing"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"app\": "
       "{\"client_id\": \"x\", \"secret\": \"s\"}, \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].app.secret", "is not a known setting"},
      {"{\"issuers\": [{\"issuer\": \"https://a\", \"audience\": \"api://trin\", \"app\": "
       "{\"client_id\": \"x\", \"name\": \"a\\nb\"}, \"map\": "
       "[{\"claims\": {\"tid\": \"t\"}, \"organisation\": \"KAB\", \"role\": \"writer\"}]}]}",
       "issuers[0].app.name", "must not hold control characters"},
  };
  char path[300];
  snprintf(path, sizeof path, "%s/bad.json", tmpdir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    write_file(path, cases[i].json);
    gateway_oidc_t *o = NULL;
    trin_err_t err;
    trin_err_clear(&err);
    int rc = gateway_oidc_new(&loop, path, &o, &err);
    if (rc != TRIN_EINVALID || strcmp(err.field, cases[i].field) != 0 ||
        !strstr(err.message, cases[i].text) || !strstr(err.message, path))
      fprintf(stderr, "case %zu: got %d field '%s' '%s'\n", i, rc, err.field, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_null(o);
    assert_string_equal(err.field, cases[i].field);
    assert_non_null(strstr(err.message, cases[i].text));
    assert_non_null(strstr(err.message, path));
  }
  gateway_oidc_t *o = NULL;
  trin_err_t err;
  snprintf(path, sizeof path, "%s/missing.json", tmpdir);
  assert_int_equal(gateway_oidc_new(&loop, path, &o, &err), TRIN_EIO);
  assert_non_null(strstr(err.message, "cannot be read"));
}

static void test_looks_like_jwt(void **state) {
  (void)state;
  assert_true(gateway_oidc_looks_like_jwt("eyJh.eyJz.c2ln"));
  assert_true(gateway_oidc_looks_like_jwt("eyJh.eyJz."));  /* alg none: verify refuses */
  assert_false(gateway_oidc_looks_like_jwt("trin_0123456789abcdef"));
  assert_false(gateway_oidc_looks_like_jwt("a..c"));
  assert_false(gateway_oidc_looks_like_jwt(".b.c"));
  assert_false(gateway_oidc_looks_like_jwt("a.b.c.d"));
  assert_false(gateway_oidc_looks_like_jwt("a.b+/.c"));
  assert_false(gateway_oidc_looks_like_jwt("a.b"));
  assert_false(gateway_oidc_looks_like_jwt(""));
  assert_false(gateway_oidc_looks_like_jwt(NULL));
}

/* ---- valid tokens ------------------------------------------------------------------- */

static void test_rs256_maps_to_writer(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-rs", "api://trin");
  result_t r = verify(t);
  if (r.status) fprintf(stderr, "refused: %s\n", r.err.message);
  assert_int_equal(r.status, TRIN_OK);
  assert_string_equal(r.who.org, "KAB");
  assert_string_equal(r.who.role, "writer");
  assert_string_equal(r.who.person, "p-writer");  /* oid before sub */
  assert_string_equal(r.who.name, "Wendy Writer");
  assert_string_equal(r.who.issuer, pa.url);
  /* Now cached: the callback comes before verify returns. */
  result_t again;
  memset(&again, 0, sizeof again);
  gateway_oidc_verify(oidc, t, on_verified, &again);
  assert_int_equal(again.calls, 1);
  assert_int_equal(again.status, TRIN_OK);
  free(t);
}

static void test_es256_maps_to_writer(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-es", "api://trin");
  char *h = part_of(t, 0);
  assert_non_null(strstr(h, "eyJhbGciOiJFUzI1NiI"));  /* {"alg":"ES256" */
  free(h);
  result_t r = verify(t);
  if (r.status) fprintf(stderr, "refused: %s\n", r.err.message);
  assert_int_equal(r.status, TRIN_OK);
  assert_string_equal(r.who.org, "KAB");
  assert_string_equal(r.who.role, "writer");
  assert_string_equal(r.who.person, "p-writer");
  free(t);
}

static void test_groups_rule_maps_to_reader(void **state) {
  (void)state;
  char *t = token_for(&pa, "reader", "api://trin");
  result_t r = verify(t);
  assert_int_equal(r.status, TRIN_OK);
  assert_string_equal(r.who.org, "KAB");
  assert_string_equal(r.who.role, "reader");
  assert_string_equal(r.who.person, "reader");  /* no oid: sub (the client id) */
  assert_string_equal(r.who.name, "rita");      /* no name: preferred_username */
  free(t);
}

/* ---- refusals ----------------------------------------------------------------------- */

static void test_no_rule_is_forbidden(void **state) {
  (void)state;
  char *t = token_for(&pa, "nomatch", "api://trin");
  char want[300];
  snprintf(want, sizeof want,
           "the token is valid, but no rule in the gateway's OpenID mapping gives it an "
           "organisation and role (issuer %s, sub nomatch)", pa.url);
  expect_refused(t, TRIN_EFORBIDDEN, want);
  free(t);
}

static void test_wrong_audience(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-rs", "api://other");
  expect_refused(t, TRIN_EUNAUTHENTICATED, "the token's audience is not 'api://trin'");
  free(t);
}

static void test_not_yet_valid(void **state) {
  (void)state;
  char *t = token_for(&pa, "future", "api://trin");
  expect_refused(t, TRIN_EUNAUTHENTICATED, "the token is not valid yet (nbf 20");
  free(t);
}

static void test_expired(void **state) {
  (void)state;
  char *t = token_for(&pa, "short", "api://trin");  /* lives 1 s; leeway 0 */
  char *c = claims_of(t);
  json_t *j = json_loads(c, 0, NULL);
  double exp = json_number_value(json_object_get(j, "exp"));
  json_decref(j);
  free(c);
  assert_true(exp > 0);
  while ((double)time(NULL) < exp) pause_ms(50);  /* the clock, not a guess at speed */
  char want[80], iso[32];
  time_t e = (time_t)exp;
  struct tm tm;
  gmtime_r(&e, &tm);
  strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(want, sizeof want, "the token has expired (exp %s)", iso);
  expect_refused(t, TRIN_EUNAUTHENTICATED, want);

  /* The same token within the default leeway (60 s) of another config. */
  char path[300], cfg[600];
  snprintf(path, sizeof path, "%s/leeway.json", tmpdir);
  snprintf(cfg, sizeof cfg,
           "{\"issuers\": [{\"issuer\": \"%s\", \"audience\": \"api://trin\", \"map\": "
           "[{\"claims\": {\"roles\": \"trin.writer\"}, \"organisation\": \"KAB\", "
           "\"role\": \"writer\"}]}]}", pa.url);
  write_file(path, cfg);
  gateway_oidc_t *strict = oidc;
  trin_err_t err;
  assert_int_equal(gateway_oidc_new(&loop, path, &oidc, &err), TRIN_OK);
  result_t r = verify(t);
  assert_int_equal(r.status, TRIN_OK);
  gateway_oidc_destroy(&oidc);
  oidc = strict;
  free(t);
}

static void test_untrusted_issuer(void **state) {
  (void)state;
  char *t = token_for(&pb, "writer-rs", "api://trin");
  char want[300];
  snprintf(want, sizeof want, "the token's issuer '%s' is not one this gateway trusts", pb.url);
  expect_refused(t, TRIN_EUNAUTHENTICATED, want);
  free(t);
}

static void test_tampered(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-rs", "api://trin");
  /* One character in the middle of the signature. */
  char *bad = strdup(t);
  char *sig = strrchr(bad, '.') + 1;
  size_t mid = strlen(sig) / 2;
  sig[mid] = sig[mid] == 'A' ? 'B' : 'A';
  expect_refused(bad, TRIN_EUNAUTHENTICATED,
                 "the token's signature does not verify with the issuer's keys");
  free(bad);
  /* Claims rewritten (another role), header and signature kept. */
  char *c = claims_of(t), *h = part_of(t, 0), *s = part_of(t, 2);
  char *p = strstr(c, "trin.writer");
  assert_non_null(p);
  memcpy(p, "trin.admin!", 11);
  char *cb = b64url(c);
  size_t n = strlen(h) + strlen(cb) + strlen(s) + 3;
  bad = malloc(n);
  snprintf(bad, n, "%s.%s.%s", h, cb, s);
  expect_refused(bad, TRIN_EUNAUTHENTICATED,
                 "the token's signature does not verify with the issuer's keys");
  free(bad);
  free(cb);
  free(s);
  free(h);
  free(c);
  free(t);
}

static void test_refused_algorithms(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-rs", "api://trin");
  char *c = claims_of(t);
  char *none = craft("{\"alg\":\"none\",\"typ\":\"JWT\"}", c, "");
  expect_refused(none, TRIN_EUNAUTHENTICATED, "the token is not signed (alg none)");
  free(none);
  char *hs = craft("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", c, "c2lnbmF0dXJl");
  expect_refused(hs, TRIN_EUNAUTHENTICATED,
                 "the token is signed with HS256; the gateway accepts only RS256 and ES256");
  free(hs);
  /* ES256 claimed for the RSA key that signed it. */
  char *h = part_of(t, 0), *s = part_of(t, 2);
  size_t cap = strlen(h) + 1, n = 0;
  char *hj = calloc(1, cap + 1);
  sodium_base642bin((unsigned char *)hj, cap, h, strlen(h), NULL, &n, NULL,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  json_t *hdr = json_loads(hj, 0, NULL);
  json_object_set_new(hdr, "alg", json_string("ES256"));
  char *hd = json_dumps(hdr, JSON_COMPACT);
  char *mix = craft(hd, c, s);
  expect_refused(mix, TRIN_EUNAUTHENTICATED, "the token's algorithm ES256 does not fit its key");
  free(mix);
  free(hd);
  json_decref(hdr);
  free(hj);
  free(s);
  free(h);
  free(c);
  free(t);
}

static void test_malformed(void **state) {
  (void)state;
  char *t = token_for(&pa, "writer-rs", "api://trin");
  char *c = claims_of(t), *s = part_of(t, 2);
  expect_refused("trin_0123", TRIN_EUNAUTHENTICATED, "the bearer token is not a JWT");
  expect_refused("bm90IGpzb24.e30.c2ln", TRIN_EUNAUTHENTICATED,
                 "the token's header is not base64url-encoded JSON");
  char *x = craft("{\"typ\":\"JWT\"}", c, s);
  expect_refused(x, TRIN_EUNAUTHENTICATED, "the token names no alg");
  free(x);
  x = craft("{\"alg\":\"RS256\"}", c, "");
  expect_refused(x, TRIN_EUNAUTHENTICATED, "the token has no signature");
  free(x);
  x = craft("{\"alg\":\"RS256\",\"crit\":[\"b64\"]}", c, s);
  expect_refused(x, TRIN_EUNAUTHENTICATED, "critical header parameters");
  free(x);
  x = craft("{\"alg\":\"RS256\"}", "[1]", s);
  expect_refused(x, TRIN_EUNAUTHENTICATED, "the token's claims are not base64url-encoded JSON");
  free(x);
  x = craft("{\"alg\":\"RS256\"}", "{\"aud\":\"api://trin\"}", s);
  expect_refused(x, TRIN_EUNAUTHENTICATED, "the token names no issuer (iss)");
  free(x);
  /* No kid: every RSA key is tried, none verifies a changed header. */
  x = craft("{\"alg\":\"RS256\"}", c, s);
  expect_refused(x, TRIN_EUNAUTHENTICATED,
                 "the token's signature does not verify with the issuer's keys");
  free(x);
  size_t n = 20000;
  x = malloc(n + 1);
  memset(x, 'a', n);
  x[n] = '\0';
  memcpy(x + 100, ".", 1);
  memcpy(x + 200, ".", 1);
  expect_refused(x, TRIN_EUNAUTHENTICATED, "the token is longer than 16384 bytes");
  free(x);
  free(s);
  free(c);
  free(t);
}

static void test_unreachable_keys(void **state) {
  (void)state;
  char claims[200];
  snprintf(claims, sizeof claims,
           "{\"iss\":\"http://127.0.0.1:1\",\"aud\":\"api://trin\",\"exp\":%ld}",
           (long)time(NULL) + 600);
  char *t = craft("{\"alg\":\"RS256\",\"kid\":\"k\"}", claims, "c2ln");
  expect_refused(t, TRIN_EIO, "the gateway could not fetch the keys of issuer http://127.0.0.1:1");
  /* Right after a failure the issuer is held off: refused at once, no fetch. */
  result_t r;
  memset(&r, 0, sizeof r);
  gateway_oidc_verify(oidc, t, on_verified, &r);
  assert_int_equal(r.calls, 1);
  assert_int_equal(r.status, TRIN_EIO);
  assert_non_null(strstr(r.err.message, "Couldn't connect"));
  free(t);
}

static void test_discovery_names_another_issuer(void **state) {
  (void)state;
  char claims[300];
  snprintf(claims, sizeof claims, "{\"iss\":\"%s/\",\"aud\":\"api://trin\",\"exp\":%ld}", pa.url,
           (long)time(NULL) + 600);
  char *t = craft("{\"alg\":\"RS256\",\"kid\":\"k\"}", claims, "c2ln");
  char want[300];
  snprintf(want, sizeof want, "the discovery document names issuer '%s', not '%s/'", pa.url,
           pa.url);
  expect_refused(t, TRIN_EIO, want);
  free(t);
}

/* The provider rotates: a token of the new key verifies (one JWKS refetch);
 * a token of the dropped key is refused after one more refetch; a third
 * unknown kid right after does not refetch again. */
static void test_rotation(void **state) {
  (void)state;
  char *old = token_for(&pa, "writer-rs", "api://trin");
  assert_int_equal(verify(old).status, TRIN_OK);
  long before = jwks_fetches(&pa);
  char url[200];
  snprintf(url, sizeof url, "%s/control/rotate", pa.url);
  char *body = http(url, NULL, "");
  assert_non_null(body);
  free(body);
  char *fresh = token_for(&pa, "writer-rs", "api://trin");
  result_t r = verify(fresh);
  if (r.status) fprintf(stderr, "refused: %s\n", r.err.message);
  assert_int_equal(r.status, TRIN_OK);
  assert_string_equal(r.who.role, "writer");
  assert_int_equal(jwks_fetches(&pa), before + 1);
  char *fresh_es = token_for(&pa, "writer-es", "api://trin");
  assert_int_equal(verify(fresh_es).status, TRIN_OK);
  assert_int_equal(jwks_fetches(&pa), before + 1);  /* both new keys came in one fetch */

  expect_refused(old, TRIN_EUNAUTHENTICATED, "is not among the keys issuer");
  assert_int_equal(jwks_fetches(&pa), before + 2);
  expect_refused(old, TRIN_EUNAUTHENTICATED, "is not among the keys issuer");
  assert_int_equal(jwks_fetches(&pa), before + 2);  /* held off: no refetch */
  free(fresh_es);
  free(fresh);
  free(old);
}

/* destroy while a verification waits for keys: its callback comes before
 * destroy returns, and never again. */
static void test_destroy_with_waiting(void **state) {
  (void)state;
  gateway_oidc_t *o = NULL;
  trin_err_t err;
  assert_int_equal(gateway_oidc_new(&loop, config_path, &o, &err), TRIN_OK);
  char *t = token_for(&pa, "writer-rs", "api://trin");
  result_t r;
  memset(&r, 0, sizeof r);
  gateway_oidc_verify(o, t, on_verified, &r);
  assert_int_equal(r.calls, 0);  /* waits for the keys */
  gateway_oidc_destroy(&o);
  assert_null(o);
  assert_int_equal(r.calls, 1);
  assert_int_equal(r.status, TRIN_EIO);
  assert_non_null(strstr(r.err.message, "shutting down"));
  uv_run(&loop, UV_RUN_DEFAULT);  /* the fetch ends and frees itself */
  assert_int_equal(r.calls, 1);
  free(t);
}

/* ---- main ------------------------------------------------------------------------- */

/* ---- through the gateway ----------------------------------------------------------- */

/* GET /api/v1/me at the gateway with a bearer token: the HTTP status, and
 * the body into out. */
static long gateway_me(int port, const char *jwt, char *out, size_t n) {
  char url[100], auth[4200];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/me", port);
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", jwt);
  buf_t b = {NULL, 0};
  CURL *e = curl_easy_init();
  struct curl_slist *h = curl_slist_append(NULL, auth);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
  long code = 0;
  if (curl_easy_perform(e) == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(h);
  curl_easy_cleanup(e);
  snprintf(out, n, "%s", b.data ? b.data : "");
  free(b.data);
  return code;
}

/* The real trin-gateway with this configuration as its oidc-config: the
 * provider's tokens sign a person in over HTTP, as the organisation and role
 * the mapping gives; others get 401 or 403 with the reason. */
static void test_through_the_gateway(void **state) {
  (void)state;
  char cmd[2048], out[4096], log[300];
  snprintf(log, sizeof log, "%s/gateway.log", tmpdir);
  snprintf(cmd, sizeof cmd,
           "TRIN_INSECURE=true %s --store=sqlite:%s/gw.db --endpoint=ipc://%s/gw.sock "
           "--pub-endpoint=ipc://%s/gwp.sock --lifecycle-endpoint= --budget-endpoint= "
           "--survey-endpoint= --benchmark-endpoint= --aggregator-endpoint= "
           "--http-addr=127.0.0.1:0 --oidc-config=%s > %s 2>&1 & echo $!",
           TRIN_GATEWAY_BIN, tmpdir, tmpdir, tmpdir, config_path, log);
  assert_int_equal(run(cmd, out, sizeof out), 0);
  int pid = atoi(out);
  assert_true(pid > 0);
  int port = 0;
  for (int i = 0; i < 1000 && port == 0; i++) {
    snprintf(cmd, sizeof cmd,
             "sed -n 's/.*http: listening on .*(port \\([0-9]*\\)).*/\\1/p' %s | tail -1", log);
    if (run(cmd, out, sizeof out) == 0) port = atoi(out);
    if (!port) pause_ms(20);
  }
  if (!port) {
    snprintf(cmd, sizeof cmd, "kill %d; cat %s", pid, log);
    run(cmd, out, sizeof out);
    fail_msg("the gateway did not start: %s", out);
  }
  char *writer = token_for(&pa, "writer-es", "api://trin");
  char *nomatch = token_for(&pa, "nomatch", "api://trin");
  char *stranger = token_for(&pb, "writer-rs", "api://trin");
  long st = gateway_me(port, writer, out, sizeof out);
  if (st != 200) fail_msg("%ld %s", st, out);
  assert_non_null(strstr(out, "\"organisation\":\"KAB\""));
  assert_non_null(strstr(out, "\"role\":\"writer\""));
  assert_non_null(strstr(out, "p-writer"));
  assert_int_equal(gateway_me(port, nomatch, out, sizeof out), 403);
  assert_non_null(strstr(out, "no rule in the gateway's OpenID mapping"));
  assert_int_equal(gateway_me(port, stranger, out, sizeof out), 401);
  assert_non_null(strstr(out, "is not one this gateway trusts"));
  free(writer);
  free(nomatch);
  free(stranger);
  snprintf(cmd, sizeof cmd, "kill -TERM %d; for i in $(seq 100); do kill -0 %d 2>/dev/null "
           "|| exit 0; sleep 0.1; done; exit 1", pid, pid);
  assert_int_equal(run(cmd, NULL, 0), 0);
}

static int setup(void **state) {
  (void)state;
  char cfg[2048];
  snprintf(cfg, sizeof cfg,
           "{\"issuers\": [\n"
           " {\"issuer\": \"%s\", \"audience\": \"api://trin\", \"leeway_seconds\": 0,\n"
           "  \"map\": [\n"
           "   {\"claims\": {\"tid\": \"t1\", \"roles\": \"trin.writer\"},"
           " \"organisation\": \"KAB\", \"role\": \"writer\"},\n"
           "   {\"claims\": {\"tid\": \"t1\", \"groups\": \"g-1\"},"
           " \"organisation\": \"KAB\", \"role\": \"reader\"}]},\n"
           " {\"issuer\": \"%s/\", \"audience\": \"api://trin\",\n"
           "  \"map\": [{\"claims\": {\"tid\": \"t1\"}, \"organisation\": \"KAB\","
           " \"role\": \"reader\"}]},\n"
           " {\"issuer\": \"http://127.0.0.1:1\", \"audience\": \"api://trin\",\n"
           "  \"map\": [{\"claims\": {\"tid\": \"t1\"}, \"organisation\": \"KAB\","
           " \"role\": \"reader\"}]}]}\n",
           pa.url, pa.url);
  write_file(config_path, cfg);
  trin_err_t err;
  int rc = gateway_oidc_new(&loop, config_path, &oidc, &err);
  if (rc) fprintf(stderr, "gateway_oidc_new: %s\n", err.message);
  return rc;
}

static int teardown(void **state) {
  (void)state;
  gateway_oidc_destroy(&oidc);
  uv_run(&loop, UV_RUN_DEFAULT);
  return 0;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *backend = getenv("TRIN_TEST_BACKEND");
  if (backend && strcmp(backend, "postgresql") == 0) {
    printf("SKIP gateway.oidc: opens no store; the plain run covers it\n");
    return SKIP;
  }
  if (run("command -v node && command -v npm", NULL, 0) != 0) {
    printf("SKIP gateway.oidc: node and npm are needed (apt-get install nodejs npm)\n");
    return SKIP;
  }
  /* oidc-provider 9 runs on Node.js 20 or newer (Debian 12 ships 18). */
  if (run("node -e \"process.exit(+process.versions.node.split('.')[0] >= 20 ? 0 : 1)\"",
          NULL, 0) != 0) {
    printf("SKIP gateway.oidc: the OpenID provider (oidc-provider 9) needs Node.js 20 or "
           "newer; this machine's node is older\n");
    return SKIP;
  }
  static char out[8192];
  if (access(OIDC_DIR "/node_modules/oidc-provider/package.json", R_OK) != 0) {
    printf("gateway.oidc: npm ci --prefix " OIDC_DIR "\n");
    if (run("npm ci --prefix '" OIDC_DIR "' --no-audit --no-fund 2>&1", out, sizeof out) != 0) {
      printf("SKIP gateway.oidc: npm ci --prefix tests/oidc failed (no network?): %s\n", out);
      return SKIP;
    }
  }
  snprintf(tmpdir, sizeof tmpdir, "/tmp/trin-oidc-XXXXXX");
  if (!mkdtemp(tmpdir)) {
    printf("gateway.oidc: FAILED: mkdtemp\n");
    return 1;
  }
  snprintf(config_path, sizeof config_path, "%s/oidc.json", tmpdir);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (sodium_init() < 0 || uv_loop_init(&loop) != 0) return 1;
  if (!provider_start(&pa, "provider-a") || !provider_start(&pb, "provider-b")) {
    printf("gateway.oidc: FAILED: the OpenID provider did not start (%s, %s)\n", pa.log, pb.log);
    provider_stop(&pa);
    provider_stop(&pb);
    return 1;
  }
  printf("gateway.oidc: providers at %s and %s\n", pa.url, pb.url);

  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_config_errors),
      cmocka_unit_test(test_looks_like_jwt),
      cmocka_unit_test(test_rs256_maps_to_writer),
      cmocka_unit_test(test_es256_maps_to_writer),
      cmocka_unit_test(test_groups_rule_maps_to_reader),
      cmocka_unit_test(test_no_rule_is_forbidden),
      cmocka_unit_test(test_wrong_audience),
      cmocka_unit_test(test_not_yet_valid),
      cmocka_unit_test(test_expired),
      cmocka_unit_test(test_untrusted_issuer),
      cmocka_unit_test(test_tampered),
      cmocka_unit_test(test_refused_algorithms),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_unreachable_keys),
      cmocka_unit_test(test_discovery_names_another_issuer),
      cmocka_unit_test(test_rotation),
      cmocka_unit_test(test_destroy_with_waiting),
      cmocka_unit_test(test_through_the_gateway),
  };
  int failed = cmocka_run_group_tests_name("gateway.oidc", tests, setup, teardown);
  provider_stop(&pa);
  provider_stop(&pb);
  uv_loop_close(&loop);
  curl_global_cleanup();
  if (!failed) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    run(cmd, NULL, 0);
  }
  return failed ? 1 : 0;
}
