/* gateway_testenv — see gateway_testenv.h. */
#include "gateway_testenv.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "trin/lifecycle.pb-c.h"
#include "trin/token.pb-c.h"
#include "trin_codec.h"

const gt_persona_t GT_PERSONAS[GT_NPERSONAS] = {
    [GT_ADMIN] = {"p-admin", "ops", "admin", "Ole Drift"},
    [GT_WRITER] = {"p-writer", "alfa", "writer", "Mette Jensen"},
    [GT_READER] = {"p-reader", "alfa", "reader", "Lars Nielsen"},
    [GT_ADVISOR] = {"p-advisor", "beta", "advisor", "Sofie Hansen"},
    [GT_CALCULATOR] = {"p-calculator", "gamma", "calculator", "Jens Pedersen"},
    [GT_RESIDENT] = {"p-resident", "delta", "resident", "Birthe Andersen"},
    [GT_OUTSIDER] = {"p-outsider", "omega", "writer", "Anders Holm"},
    [GT_SERVICE] = {"p-service", "trin", "service", ""},
};

const char *const GT_NAMES[GT_NPROCS] = {"lifecycle", "budget",     "survey",
                                         "benchmark", "aggregator", "gateway"};

static int sh(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t n, const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return testproc_run(cmd, out, n);
}

static bool add_key(gt_env_t *e, const char *file, const char *org, const char *role,
                    trin_keypair_t *kp) {
  trin_err_t err;
  char path[400];
  snprintf(path, sizeof path, "%s/%s", e->keys, file);
  if (trin_keys_generate(kp, &err) || trin_keys_write(path, kp, &err)) {
    fprintf(stderr, "key %s: %s\n", file, err.message);
    return false;
  }
  trin_keys_entry_t en;
  memset(&en, 0, sizeof en);
  snprintf(en.public_z85, sizeof en.public_z85, "%s", kp->public_z85);
  snprintf(en.org, sizeof en.org, "%s", org);
  snprintf(en.role, sizeof en.role, "%s", role);
  snprintf(en.name, sizeof en.name, "%s", file);
  if (trin_keys_registry_add(e->registry, &en, &err)) {
    fprintf(stderr, "register %s: %s\n", file, err.message);
    return false;
  }
  return true;
}


static bool start_proc(gt_env_t *e, int i, const char *bin, const char *const *more) {
  char a_key[400], a_reg[400], a_peers[400];
  snprintf(a_key, sizeof a_key, "--key=%s/%s", e->keys, GT_NAMES[i]);
  snprintf(a_reg, sizeof a_reg, "--key-registry=%s", e->registry);
  snprintf(a_peers, sizeof a_peers, "--peer-keys=%s", e->keys);
  const char *args[28] = {a_key, a_reg, a_peers};
  int n = 3;
  for (int k = 0; more && more[k] && n < 27; k++) args[n++] = more[k];
  args[n] = NULL;
  trin_curve_client_t curve = {.own = &e->persona_key[GT_ADMIN]};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
           e->service_key[i].public_z85);
  if (!testproc_start_curve(&e->proc[i], bin, args, &curve)) {
    char log[8192] = "";
    sh(log, sizeof log, "tail -20 %s", e->proc[i].log);
    fprintf(stderr, "%s did not start:\n%s\n", GT_NAMES[i], log);
    return false;
  }
  return true;
}

bool gt_start_gateway(gt_env_t *e, const char *bin, const char *const *extra) {
  char ep[GT_GATEWAY][400];
  const char *args[24];
  int n = 0;
  for (int i = 0; i < GT_GATEWAY; i++) {
    snprintf(ep[i], sizeof ep[i], "--%s-endpoint=%s", GT_NAMES[i], e->proc[i].endpoint);
    args[n++] = ep[i];
  }
  char agg_pub[400];
  snprintf(agg_pub, sizeof agg_pub, "--aggregator-pub-endpoint=%s", e->proc[GT_AGGREGATOR].pub);
  args[n++] = agg_pub;
  args[n++] = "--http-addr=127.0.0.1:0";
  args[n++] = "--rate-per-token=0";
  args[n++] = "--rate-per-address=0";
  for (int k = 0; extra && extra[k] && n < 23; k++) args[n++] = extra[k];
  args[n] = NULL;
  /* A restart appends to the same log: start it afresh so the port line
   * read is this run's. */
  sh(NULL, 0, "cp %s %s.before 2>/dev/null; : > %s", e->proc[GT_GATEWAY].log,
     e->proc[GT_GATEWAY].log, e->proc[GT_GATEWAY].log);
  if (!start_proc(e, GT_GATEWAY, bin, args)) return false;
  e->http_port = testproc_http_port(&e->proc[GT_GATEWAY]);
  return e->http_port > 0;
}

bool gt_start(gt_env_t *e, const char *const bins[GT_NPROCS], const char *const *gateway_extra) {
  memset(e, 0, sizeof *e);
  setenv("TRIN_INSECURE", "false", 1);
  unsetenv("TRIN_KEY");
  unsetenv("TRIN_SERVER_KEY");
  unsetenv("TRIN_PEER_KEYS");
  snprintf(e->dir, sizeof e->dir, "/tmp/trin-test-gateway-XXXXXX");
  if (!mkdtemp(e->dir)) return false;
  snprintf(e->keys, sizeof e->keys, "%s/keys", e->dir);
  snprintf(e->registry, sizeof e->registry, "%s/registry", e->dir);
  if (sh(NULL, 0, "mkdir -m 700 '%s'", e->keys) != 0) return false;
  for (int i = 0; i < GT_NPROCS; i++)
    if (!add_key(e, GT_NAMES[i], "trin", i == GT_GATEWAY ? "gateway" : "service",
                 &e->service_key[i]))
      return false;
  trin_keys_fingerprint(e->service_key[GT_GATEWAY].public_z85, e->gateway_fp);
  for (int p = 0; p < GT_NPERSONAS; p++)
    if (!add_key(e, GT_PERSONAS[p].file, GT_PERSONAS[p].org, GT_PERSONAS[p].role,
                 &e->persona_key[p]))
      return false;
  for (int i = 0; i < GT_NPROCS; i++) testproc_init(&e->proc[i], GT_NAMES[i]);

  char f[8][400];
#define EP(k, name, which) \
  snprintf(f[k], sizeof f[k], "--%s-endpoint=%s", name, e->proc[which].endpoint)
#define PUB(k, name, which) \
  snprintf(f[k], sizeof f[k], "--%s-pub-endpoint=%s", name, e->proc[which].pub)
  if (!start_proc(e, GT_LIFECYCLE, bins[GT_LIFECYCLE], NULL)) return false;
  EP(0, "lifecycle", GT_LIFECYCLE);
  PUB(1, "lifecycle", GT_LIFECYCLE);
  const char *budget_args[] = {f[0], f[1], NULL};
  if (!start_proc(e, GT_BUDGET, bins[GT_BUDGET], budget_args)) return false;
  const char *survey_args[] = {f[0], f[1], "--http-address=", NULL};
  if (!start_proc(e, GT_SURVEY, bins[GT_SURVEY], survey_args)) return false;
  EP(2, "budget", GT_BUDGET);
  PUB(3, "budget", GT_BUDGET);
  EP(4, "survey", GT_SURVEY);
  PUB(5, "survey", GT_SURVEY);
  const char *bench_args[] = {f[0], f[1], f[2], f[3], f[4], f[5], NULL};
  if (!start_proc(e, GT_BENCHMARK, bins[GT_BENCHMARK], bench_args)) return false;
  EP(6, "benchmark", GT_BENCHMARK);
  PUB(7, "benchmark", GT_BENCHMARK);
  const char *agg_args[] = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                            "--http-address=", NULL};
  if (!start_proc(e, GT_AGGREGATOR, bins[GT_AGGREGATOR], agg_args)) return false;
#undef EP
#undef PUB
  if (!gt_start_gateway(e, bins[GT_GATEWAY], gateway_extra)) return false;

  /* A personal token per persona, made at the gateway by the operator. */
  for (int p = 0; p < GT_NPERSONAS; p++) {
    if (p == GT_SERVICE) continue;
    Trin__Token__CreateToken q = TRIN__TOKEN__CREATE_TOKEN__INIT;
    q.org = (char *)GT_PERSONAS[p].org;
    q.scope = "api:write";
    q.role = (char *)GT_PERSONAS[p].role;
    q.person = (char *)GT_PERSONAS[p].person;
    Trin__Token__TokenCreated *r = NULL;
    trin_err_t err;
    if (trin_client_call(gt_client(e, GT_GATEWAY, GT_ADMIN), &q.base,
                         &trin__token__token_created__descriptor, (ProtobufCMessage **)&r,
                         &err)) {
      fprintf(stderr, "token for %s: %s\n", GT_PERSONAS[p].file, err.message);
      return false;
    }
    snprintf(e->token[p], sizeof e->token[p], "%s", r->token);
    trin_codec_free(r);
  }
  return true;
}

bool gt_stop(gt_env_t *e) {
  bool clean = true;
  for (int i = 0; i < GT_NPROCS; i++)
    for (int p = 0; p < GT_NPERSONAS; p++) trin_client_destroy(&e->client[i][p]);
  for (int i = GT_NPROCS - 1; i >= 0; i--) {
    if (e->proc[i].pid > 0 && testproc_stop(&e->proc[i]) != 0) {
      char log[4096] = "";
      sh(log, sizeof log, "tail -15 %s", e->proc[i].log);
      fprintf(stderr, "%s did not stop cleanly on SIGTERM:\n%s\n", GT_NAMES[i], log);
      clean = false;
    }
    if (e->proc[i].dir[0] && clean) testproc_cleanup(&e->proc[i]);
  }
  if (e->dir[0] && clean) sh(NULL, 0, "rm -rf '%s'", e->dir);
  return clean;
}

trin_client_t *gt_client(gt_env_t *e, int proc, int persona) {
  if (!e->client[proc][persona]) {
    trin_curve_client_t curve = {.own = &e->persona_key[persona]};
    snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
             e->service_key[proc].public_z85);
    trin_err_t err;
    if (trin_client_new_curve(e->proc[proc].endpoint, &curve, &e->client[proc][persona], &err))
      return NULL;
    trin_client_set_timeout(e->client[proc][persona], 10000);
  }
  return e->client[proc][persona];
}

/* ---- the demo ------------------------------------------------------------------------ */

static bool call(gt_env_t *e, int persona, const ProtobufCMessage *q,
                 const ProtobufCMessageDescriptor *reply) {
  ProtobufCMessage *r = NULL;
  trin_err_t err;
  int rc = trin_client_call(gt_client(e, GT_LIFECYCLE, persona), q, reply, &r, &err);
  trin_codec_free(r);
  if (rc) fprintf(stderr, "%s: %s (%s)\n", q->descriptor->name, err.message, err.field);
  return rc == TRIN_OK;
}

bool gt_demo(gt_env_t *e) {
  static const struct {
    const char *id, *kind;
  } ORGS[] = {{"alfa", "client"}, {"beta", "advisor"}, {"gamma", "contractor"},
              {"delta", "resident_committee"}, {"omega", "client"}};
  for (size_t i = 0; i < sizeof ORGS / sizeof *ORGS; i++) {
    Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
    o.id = (char *)ORGS[i].id;
    o.name = (char *)ORGS[i].id;
    o.kind = (char *)ORGS[i].kind;
    Trin__Lifecycle__CreateOrganisation q = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
    q.organisation = &o;
    if (!call(e, GT_ADMIN, &q.base, &trin__lifecycle__organisation_reply__descriptor))
      return false;
  }
  Trin__Lifecycle__Partnership p = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  p.id = "LA";
  p.name = "Partnerskab A";
  p.client_org = "alfa";
  p.framework_start = "2025-01-01";
  p.price_closing_point = "projektforslag";
  p.trivial_threshold_ore = 5000000;
  Trin__Lifecycle__CreatePartnership cp = TRIN__LIFECYCLE__CREATE_PARTNERSHIP__INIT;
  cp.partnership = &p;
  if (!call(e, GT_WRITER, &cp.base, &trin__lifecycle__partnership_reply__descriptor))
    return false;
  static const char *const MEMBERS[][2] = {
      {"beta", "advisor"}, {"gamma", "contractor"}, {"delta", "resident_committee"}};
  for (int i = 0; i < 3; i++) {
    Trin__Lifecycle__Member m = TRIN__LIFECYCLE__MEMBER__INIT;
    m.org_id = (char *)MEMBERS[i][0];
    m.role = (char *)MEMBERS[i][1];
    Trin__Lifecycle__AddMember q = TRIN__LIFECYCLE__ADD_MEMBER__INIT;
    q.partnership_id = "LA";
    q.member = &m;
    if (!call(e, GT_WRITER, &q.base, &trin__lifecycle__partnership_reply__descriptor))
      return false;
  }
  static const struct {
    const char *id, *partnership, *client;
    int who;
  } PROJECTS[] = {{"PA", "LA", "", GT_WRITER}, {"PO", "", "omega", GT_OUTSIDER}};
  for (int i = 0; i < 2; i++) {
    Trin__Lifecycle__Project pr = TRIN__LIFECYCLE__PROJECT__INIT;
    pr.id = (char *)PROJECTS[i].id;
    pr.name = (char *)PROJECTS[i].id;
    pr.partnership_id = (char *)PROJECTS[i].partnership;
    pr.client_org = (char *)PROJECTS[i].client;
    pr.kind = "renovation";
    pr.start_date = "2025-03-01";
    Trin__Lifecycle__CreateProject q = TRIN__LIFECYCLE__CREATE_PROJECT__INIT;
    q.project = &pr;
    if (!call(e, PROJECTS[i].who, &q.base, &trin__lifecycle__project_reply__descriptor))
      return false;
  }
  return true;
}

/* ---- HTTP ------------------------------------------------------------------------------ */

typedef struct {
  char *data;
  size_t len;
} sink_t;

static size_t on_body(char *p, size_t size, size_t n, void *data) {
  sink_t *s = data;
  size_t add = size * n;
  char *d = realloc(s->data, s->len + add + 1);
  if (!d) return 0;
  memcpy(d + s->len, p, add);
  s->data = d;
  s->len += add;
  d[s->len] = '\0';
  return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *data) {
  gt_http_t *r = data;
  size_t len = size * n;
  char line[512];
  size_t l = len < sizeof line - 1 ? len : sizeof line - 1;
  memcpy(line, p, l);
  line[l] = '\0';
  line[strcspn(line, "\r\n")] = '\0';
  char *colon = strchr(line, ':');
  if (colon) {
    *colon = '\0';
    const char *v = colon + 1;
    while (*v == ' ') v++;
    if (strcasecmp(line, "ETag") == 0) snprintf(r->etag, sizeof r->etag, "%s", v);
    else if (strcasecmp(line, "Content-Type") == 0)
      snprintf(r->content_type, sizeof r->content_type, "%s", v);
    else if (strcasecmp(line, "Retry-After") == 0)
      snprintf(r->retry_after, sizeof r->retry_after, "%s", v);
    else if (strcasecmp(line, "Idempotent-Replayed") == 0)
      r->replayed = strcmp(v, "true") == 0;
  }
  return len;
}

bool gt_http(gt_env_t *e, const char *method, const char *path, const char *token,
             const char *body, const char *content_type, const char *const *headers,
             gt_http_t *out) {
  memset(out, 0, sizeof *out);
  CURL *c = curl_easy_init();
  if (!c) return false;
  char url[1024], auth[200], ct[200];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", e->http_port, path);
  struct curl_slist *h = NULL;
  if (token) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
  }
  if (body) {
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/json");
    h = curl_slist_append(h, ct);
  }
  for (int i = 0; headers && headers[i]; i++) h = curl_slist_append(h, headers[i]);
  h = curl_slist_append(h, "Expect:");
  sink_t s = {0};
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  out->status = (int)status;
  out->body = s.data ? s.data : calloc(1, 1);
  out->body_len = s.len;
  if (rc != CURLE_OK) fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
  return rc == CURLE_OK;
}

void gt_http_free(gt_http_t *r) {
  free(r->body);
  r->body = NULL;
}

/* ---- the browser half ------------------------------------------------------------------ */

int gt_browser_find(const char *test, const char **chromium) {
  const char *c = getenv("TRIN_CHROMIUM");
  *chromium = c && *c ? c : "/usr/bin/chromium";
  if (access(*chromium, X_OK) != 0) {
    printf("SKIP %s: no Chromium at %s (apt-get install chromium, or set TRIN_CHROMIUM)\n", test,
           *chromium);
    return GT_SKIP;
  }
  if (testproc_run("command -v node && command -v npm", NULL, 0) != 0) {
    printf("SKIP %s: node and npm are needed (apt-get install nodejs npm)\n", test);
    return GT_SKIP;
  }
  return 0;
}

int gt_browser_npm(const char *test, const char *dir, const char *const *probes,
                   int on_failure) {
  bool installed = true;
  for (const char *const *p = probes; *p && installed; p++) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, *p);
    installed = access(path, R_OK) == 0;
  }
  if (installed) return 0;
  printf("%s: npm ci --prefix %s\n", test, dir);
  static char out[8192];
  if (sh(out, sizeof out,
         "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix '%s' --no-audit --no-fund 2>&1",
         dir) == 0)
    return 0;
  if (on_failure == GT_SKIP)
    printf("SKIP %s: npm ci --prefix %s failed (no network?): %s\n", test, dir, out);
  else
    printf("%s: FAILED: npm ci: %s\n", test, out);
  return on_failure;
}

bool gt_browser_run(gt_env_t *e, const char *test, const char *script, const char *chromium) {
  /* TRIN_APP_TOKEN_<persona>: the names the browser scripts ask for. */
  static const char *const ENV_NAME[GT_NPERSONAS] = {
      [GT_ADMIN] = "ADMIN",           [GT_WRITER] = "WRITER",     [GT_READER] = "READER",
      [GT_ADVISOR] = "ADVISOR",       [GT_CALCULATOR] = "CALCULATOR",
      [GT_RESIDENT] = "RESIDENT",     [GT_OUTSIDER] = "OUTSIDER", [GT_SERVICE] = "SERVICE"};
  for (int p = 0; p < GT_NPERSONAS; p++) {
    if (!e->token[p][0]) continue;
    char name[64];
    snprintf(name, sizeof name, "TRIN_APP_TOKEN_%s", ENV_NAME[p]);
    setenv(name, e->token[p], 1);
  }
  const char *shots = getenv("TRIN_APP_SHOTS");
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "node '%s' 'http://127.0.0.1:%d/app/' '%s' '%s'", script,
           e->http_port, chromium, shots ? shots : "");
  printf("%s: %s\n", test, cmd);
  int rc = system(cmd);
  if (rc != 0) printf("%s: FAILED: the browser check exited with %d\n", test, rc);
  return rc == 0;
}
