/* gateway_handlers — see gateway_handlers.h.
 *
 * A request's way through: route → JSON → request message (400 when it
 * cannot be one) → who is asking (401/403) → rate limits (429) → a kept
 * answer for its Idempotency-Key (replayed) → If-Match against the
 * project's version (412) → the service, on the person's behalf → the
 * reply as JSON or the service's error as a problem → the answer kept for
 * its Idempotency-Key → sent. The gateway decides nothing about the domain:
 * every allow and deny comes from the service. */
#include "gateway_handlers.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway_app.h"
#include "gateway_json.h"
#include "gateway_openapi.h"
#include "gateway_rate.h"
#include "gateway_store.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_codec.h"
#include "trin_date.h"
#include "trin/metrics.pb-c.h"
#include "trin_log.h"
#include "trin_metrics.h"

#define API "/api/v1/"
#define SCRAPE_WAIT_MS 2000
#define PURGE_MS (10 * 60 * 1000)
#define DESCRIBE_RETRY_MS 2000

struct gateway_handlers {
  uv_loop_t *loop;
  trin_store_t *store;
  gateway_catalog_t *catalog;
  gateway_forward_t *forward;
  gateway_access_t *access;
  trin_http_server_t *http;
  gateway_stream_t *stream;  /* NULL: no aggregator to follow */
  char *app_csp;             /* the app's policy with the sign-in issuers; NULL = default */
  char *signin;              /* GET /api/v1/signin's body */
  gateway_handlers_options_t opt;
  gateway_rate_t *by_principal, *by_address;
  char *openapi;          /* the document, made once every service described itself */
  size_t openapi_len;
  bool openapi_complete;
  /* Idempotency keys whose first request is still on its way. */
  char **inflight;
  size_t ninflight, cap_inflight;
  uv_timer_t purge, describe;
  int closing;  /* timers still to close before h is freed */
  /* The gateway's own figures, served with every service's on /metrics. */
  trin_metrics_t *metrics;
  trin_metric_t *by_class[5];      /* 2xx .. 5xx, other */
  trin_metric_t *replays, *rate_limited, *in_flight, *connections, *streams;
  trin_metric_t *closed[3];        /* cap, shed, deadline */
  trin_http_stats_t last_stats;    /* what the counters above already hold */
  trin_metric_family_t *latency;   /* per service: the request's time at the service */
  trin_metric_t *latency_of[16];
};

int gateway_http_status(int s) {
  switch (s) {
    case TRIN_OK: return 200;
    case TRIN_EINVALID: return 422;
    case TRIN_ENOTFOUND: return 404;
    case TRIN_ECONFLICT: return 409;
    case TRIN_EFORBIDDEN: return 403;
    case TRIN_EDECODE: return 400;
    case TRIN_EUNKNOWN_TYPE: return 404;
    case TRIN_ETOOBIG: return 413;
    case TRIN_ESTORE:
    case TRIN_EIO:
    case TRIN_ETIMEOUT: return 503;
    case TRIN_EUNAUTHENTICATED: return 401;
    default: return 500;
  }
}

static const char *title_for(int http) {
  switch (http) {
    case 400: return "The request is not valid JSON for this operation";
    case 401: return "Who is asking is not known";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 412: return "Changed since you saw it";
    case 413: return "Too large";
    case 415: return "Send JSON";
    case 422: return "A field's value is wrong or missing";
    case 428: return "If-Match required";
    case 429: return "Too many requests";
    case 503: return "Not available now";
    default: return "The gateway failed";
  }
}

/* ---- answering --------------------------------------------------------------- */

static void count(gateway_handlers_t *h, int status) {
  int k = status / 100 - 2;
  trin_metric_inc(h->by_class[k >= 0 && k < 4 ? k : 4]);
}

/* RFC 9457: type names our code, detail is the service's sentence. code < 0
 * is an HTTP-level problem with no trin status. The text is malloc'd (NULL
 * only when out of memory). */
/* extra (borrowed; NULL = none): members added to the problem (RFC 9457
 * extension members). */
static char *problem_text(const char *instance, int http, int code, const char *field,
                          const char *detail, json_t *extra) {
  const char *name = code >= 0 ? trin_status_name(code) : "http";
  char lower[40], type[80];
  size_t i = 0;
  for (; name[i] && i < sizeof lower - 1; i++)
    lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
  lower[i] = '\0';
  snprintf(type, sizeof type, "urn:trin:problem:%s", lower);
  json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "type", type, "title",
                        title_for(http), "status", http, "detail", detail ? detail : "",
                        "instance", instance ? instance : "", "code", lower, "field",
                        field ? field : "");
  if (p && extra) json_object_update(p, extra);
  char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
  json_decref(p);
  return text;
}

static void problem_with(gateway_handlers_t *h, trin_http_response_t *res, const char *instance,
                         int http, int code, const char *field, const char *detail,
                         json_t *extra) {
  char *text = problem_text(instance, http, code, field, detail, extra);
  count(h, http);
  trin_http_respond(res, http, "application/problem+json", text ? text : "{}",
                    text ? strlen(text) : 2);
  free(text);
}

static void problem(gateway_handlers_t *h, trin_http_response_t *res, const char *instance,
                    int http, int code, const char *field, const char *detail) {
  problem_with(h, res, instance, http, code, field, detail, NULL);
}

static void problem_err(gateway_handlers_t *h, trin_http_response_t *res, const char *instance,
                        const trin_err_t *e) {
  problem(h, res, instance, gateway_http_status(e->code), e->code, e->field, e->message);
}

static void respond_json(gateway_handlers_t *h, trin_http_response_t *res, int status,
                         const char *body, size_t len) {
  count(h, status);
  trin_http_respond(res, status, "application/json", body, len);
}

/* ---- the request's state between its asynchronous steps ---------------------- */

typedef struct {
  gateway_handlers_t *h;
  const trin_http_request_t *req;
  trin_http_response_t *res;
  const gateway_operation_t *op;
  uint8_t *payload;
  size_t payload_len;
  gateway_who_t who;
  char idem_key[201];
  char idem_principal[600];  /* principal + "\n" + key: the in-flight entry */
  char hash[65];
  char if_match[64];
  char project_id[128];
  uint64_t version;  /* the project's version, when If-Match did not match */
  bool inflight;
  uint64_t sent_ns;  /* when it went to the service */
} call_t;

static void call_free(call_t *c) {
  gateway_handlers_t *h = c->h;
  if (c->inflight)
    for (size_t i = 0; i < h->ninflight; i++)
      if (strcmp(h->inflight[i], c->idem_principal) == 0) {
        free(h->inflight[i]);
        h->inflight[i] = h->inflight[--h->ninflight];
        break;
      }
  free(c->payload);
  free(c);
}

static bool inflight_add(gateway_handlers_t *h, call_t *c) {
  for (size_t i = 0; i < h->ninflight; i++)
    if (strcmp(h->inflight[i], c->idem_principal) == 0) return false;
  if (h->ninflight == h->cap_inflight) {
    size_t cap = h->cap_inflight ? h->cap_inflight * 2 : 16;
    char **p = realloc(h->inflight, cap * sizeof *p);
    if (!p) return false;
    h->inflight = p;
    h->cap_inflight = cap;
  }
  char *d = strdup(c->idem_principal);
  if (!d) return false;
  h->inflight[h->ninflight++] = d;
  c->inflight = true;
  return true;
}

/* The project version a reply carries (reply.project.version), 0 when none. */
static uint64_t reply_version(const ProtobufCMessage *m) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "project");
  if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE ||
      f->descriptor != &trin__lifecycle__project__descriptor)
    return 0;
  const Trin__Lifecycle__Project *p =
      *(const Trin__Lifecycle__Project *const *)((const char *)m + f->offset);
  return p ? p->version : 0;
}

/* Keeps the answer for the Idempotency-Key (when there is one), then sends. */
static void finish(call_t *c, int status, const char *ctype, const char *body, size_t len,
                   uint64_t version) {
  gateway_handlers_t *h = c->h;
  char etag[64] = "";
  if (version) snprintf(etag, sizeof etag, "\"%llu\"", (unsigned long long)version);
  /* Answers that say nothing about the request itself (the service was
   * away) are not kept: the retry should be tried for real. */
  if (c->idem_key[0] && status != 503) {
    gateway_saved_t s = {0};
    snprintf(s.hash, sizeof s.hash, "%s", c->hash);
    s.status = status;
    snprintf(s.content_type, sizeof s.content_type, "%s", ctype);
    snprintf(s.etag, sizeof s.etag, "%s", etag);
    s.body = (char *)body;
    s.body_len = len;
    s.created_ms = trin_time_now();
    trin_err_t e = {0};
    int rc = trin_store_begin(h->store, &e);
    if (!rc) rc = gateway_store_saved_put(h->store, c->who.principal, c->idem_key, &s, &e);
    if (!rc) rc = trin_store_commit(h->store, &e);
    else if (trin_store_in_transaction(h->store)) trin_store_rollback(h->store, NULL);
    if (rc)
      trin_log_error("could not keep the answer for an Idempotency-Key: %s", e.message);
  }
  if (etag[0]) trin_http_set_header(c->res, "ETag", etag);
  count(h, status);
  trin_http_respond(c->res, status, ctype, body, len);
  call_free(c);
}

static trin_metric_t *latency_of(gateway_handlers_t *h, const char *service) {
  const char *const *names = gateway_catalog_services();
  for (int i = 0; names[i] && i < 16; i++)
    if (strcmp(names[i], service) == 0) {
      if (!h->latency_of[i]) {
        const char *v[] = {service};
        trin_metrics_series(h->latency, v, &h->latency_of[i], NULL);
      }
      return h->latency_of[i];
    }
  return NULL;
}

static void on_reply(void *data, const Trin__Envelope *env, const trin_err_t *ferr) {
  call_t *c = data;
  gateway_handlers_t *h = c->h;
  trin_metric_observe(latency_of(h, c->op->service), (double)(uv_hrtime() - c->sent_ns) / 1e9);
  trin_err_t e = {0};
  if (!env) e = *ferr;
  else if (env->status != TRIN__STATUS__OK) trin_codec_error_from_reply(env, &e);
  if (e.code != TRIN_OK) {
    int http = gateway_http_status(e.code);
    char *text = problem_text(c->req->path, http, e.code, e.field, e.message, NULL);
    if (http == 503) trin_http_set_header(c->res, "Retry-After", "1");
    finish(c, http, "application/problem+json", text ? text : "{}", text ? strlen(text) : 2, 0);
    free(text);
    return;
  }
  const ProtobufCMessageDescriptor *d = gateway_catalog_message(h->catalog, env->type);
  if (!d) d = c->op->output;
  ProtobufCMessage *m = NULL;
  if (trin_codec_unpack(d, env->payload.data, env->payload.len, "payload", &m, &e)) {
    finish(c, 502, "application/problem+json", "{}", 2, 0);
    return;
  }
  json_t *j = gateway_json_from_message(m);
  uint64_t version = reply_version(m);
  trin_codec_free(m);
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!text) {
    finish(c, 500, "application/problem+json", "{}", 2, 0);
    return;
  }
  finish(c, 200, "application/json", text, strlen(text), version);
  free(text);
}

static Trin__Actor actor_of(call_t *c) {
  Trin__Actor a = TRIN__ACTOR__INIT;
  a.org = c->who.org;
  a.role = c->who.role;
  a.person = c->who.person;
  return a;
}

static void send_request(call_t *c) {
  trin_err_t e = {0};
  c->sent_ns = uv_hrtime();
  Trin__Actor a = actor_of(c);
  if (gateway_forward_send(c->h->forward, c->op->service, c->op->request, c->payload,
                           c->payload_len, &a, on_reply, c, &e)) {
    problem_err(c->h, c->res, c->req->path, &e);
    call_free(c);
  }
}

/* The 412: the project changed since the person read it. What changed it
 * — the event its version names, from lifecycle's audit trail (the
 * gateway's key may read it) — goes in the problem as `changed` {seq, type,
 * time, organisation, person}, so the person sees who changed what; left
 * out when the trail does not answer. */
static void answer_412(call_t *c, const Trin__AuditEntry *e) {
  char msg[TRIN_ERR_MESSAGE_MAX], etag[32];
  snprintf(etag, sizeof etag, "\"%llu\"", (unsigned long long)c->version);
  json_t *extra = NULL;
  if (e) {
    const char *who = e->actor_person && *e->actor_person ? e->actor_person : e->actor_org;
    snprintf(msg, sizeof msg,
             "project '%.60s' was changed since you read it (%.60s at %.30s by %.60s of %.40s): "
             "read it again and retry",
             c->project_id, e->type, e->time, who && *who ? who : "someone",
             e->actor_org && *e->actor_org ? e->actor_org : "trin");
    extra = json_pack("{s:{s:I, s:s, s:s, s:s, s:s, s:s}}", "changed", "seq",
                      (json_int_t)c->version, "type", e->type, "time", e->time, "organisation",
                      e->actor_org ? e->actor_org : "", "role",
                      e->actor_role ? e->actor_role : "", "person",
                      e->actor_person ? e->actor_person : "");
  } else {
    snprintf(msg, sizeof msg,
             "project '%.100s' was changed since you read it: you sent If-Match %.40s, it is now "
             "at %s; read it again and retry",
             c->project_id, c->if_match, etag);
  }
  problem_with(c->h, c->res, c->req->path, 412, TRIN_ECONFLICT, "If-Match", msg, extra);
  json_decref(extra);
  call_free(c);
}

static void on_change(void *data, const Trin__Envelope *env, const trin_err_t *ferr) {
  (void)ferr;
  call_t *c = data;
  Trin__AuditBatch *b = NULL;
  trin_err_t e = {0};
  const Trin__AuditEntry *entry = NULL;
  if (env && env->status == TRIN__STATUS__OK &&
      trin_codec_unpack(&trin__audit_batch__descriptor, env->payload.data, env->payload.len,
                        "payload", (ProtobufCMessage **)&b, &e) == TRIN_OK &&
      b->n_entries > 0 && b->entries[0]->seq == c->version) {
    /* only an event about this project explains its version */
    for (size_t i = 0; i < b->entries[0]->n_ids && !entry; i++)
      if (strcmp(b->entries[0]->ids[i]->value, c->project_id) == 0) entry = b->entries[0];
  }
  answer_412(c, entry);
  trin_codec_free(b);
}

static void explain_change(call_t *c) {
  Trin__AuditSince q = TRIN__AUDIT_SINCE__INIT;
  q.after_seq = c->version ? c->version - 1 : 0;
  q.limit = 1;
  uint8_t buf[32];
  size_t n = protobuf_c_message_pack(&q.base, buf);
  trin_err_t e = {0};
  if (gateway_forward_send(c->h->forward, "lifecycle", q.base.descriptor->name, buf, n, NULL,
                           on_change, c, &e) != TRIN_OK)
    answer_412(c, NULL);
}

/* If-Match: the project as the person sees it now, its version compared. */
static void on_version(void *data, const Trin__Envelope *env, const trin_err_t *ferr) {
  call_t *c = data;
  trin_err_t e = {0};
  if (!env) e = *ferr;
  else if (env->status != TRIN__STATUS__OK) trin_codec_error_from_reply(env, &e);
  if (e.code) {
    problem_err(c->h, c->res, c->req->path, &e);
    call_free(c);
    return;
  }
  Trin__Lifecycle__ProjectReply *r = NULL;
  if (trin_codec_unpack(&trin__lifecycle__project_reply__descriptor, env->payload.data,
                        env->payload.len, "payload", (ProtobufCMessage **)&r, &e)) {
    problem_err(c->h, c->res, c->req->path, &e);
    call_free(c);
    return;
  }
  unsigned long long now = r->project ? (unsigned long long)r->project->version : 0;
  trin_codec_free(r);
  char etag[64];
  snprintf(etag, sizeof etag, "\"%llu\"", now);
  const char *want = c->if_match;
  if (strncmp(want, "W/", 2) == 0) want += 2;
  if (strcmp(want, "*") != 0 && strcmp(want, etag) != 0) {
    trin_http_set_header(c->res, "ETag", etag);
    c->version = now;
    explain_change(c);
    return;
  }
  send_request(c);
}

static void check_version(call_t *c) {
  Trin__Lifecycle__GetProject q = TRIN__LIFECYCLE__GET_PROJECT__INIT;
  q.project_id = c->project_id;
  uint8_t buf[512];
  size_t n = protobuf_c_message_get_packed_size(&q.base);
  trin_err_t e = {0};
  if (n > sizeof buf) {
    trin_err_set(&e, TRIN_EINVALID, "project_id", "is too long");
    problem_err(c->h, c->res, c->req->path, &e);
    call_free(c);
    return;
  }
  protobuf_c_message_pack(&q.base, buf);
  Trin__Actor a = actor_of(c);
  if (gateway_forward_send(c->h->forward, "lifecycle", q.base.descriptor->name, buf, n, &a,
                           on_version, c, &e)) {
    problem_err(c->h, c->res, c->req->path, &e);
    call_free(c);
  }
}

static void replay(call_t *c, const gateway_saved_t *s) {
  if (s->etag[0]) trin_http_set_header(c->res, "ETag", s->etag);
  trin_http_set_header(c->res, "Idempotent-Replayed", "true");
  trin_metric_inc(c->h->replays);
  count(c->h, s->status);
  trin_http_respond(c->res, s->status, s->content_type, s->body, s->body_len);
}

static void on_who(void *data, int status, const gateway_who_t *who, const trin_err_t *err) {
  call_t *c = data;
  gateway_handlers_t *h = c->h;
  if (status != TRIN_OK) {
    if (status == TRIN_EUNAUTHENTICATED)
      trin_http_set_header(c->res, "WWW-Authenticate", "Bearer realm=\"trin\"");
    problem_err(h, c->res, c->req->path, err);
    call_free(c);
    return;
  }
  c->who = *who;
  uint32_t wait = 0;
  if (!gateway_rate_take(h->by_principal, who->principal, uv_now(h->loop), &wait)) {
    char ra[16], msg[200];
    snprintf(ra, sizeof ra, "%u", wait);
    snprintf(msg, sizeof msg, "more than %g requests a second with these credentials; try again "
             "in %u s", h->opt.rate_per_principal, wait);
    trin_http_set_header(c->res, "Retry-After", ra);
    trin_metric_inc(h->rate_limited);
    problem(h, c->res, c->req->path, 429, -1, "", msg);
    call_free(c);
    return;
  }
  if (c->idem_key[0]) {
    snprintf(c->idem_principal, sizeof c->idem_principal, "%s\n%s", who->principal, c->idem_key);
    gateway_saved_t s;
    trin_err_t e = {0};
    int rc = gateway_store_saved_get(h->store, who->principal, c->idem_key, &s, &e);
    if (rc == TRIN_OK) {
      bool same = strcmp(s.hash, c->hash) == 0;
      if (same) replay(c, &s);
      else
        problem(h, c->res, c->req->path, 422, TRIN_EINVALID, "Idempotency-Key",
                "this Idempotency-Key was used before with another request; use a new key for "
                "a new request");
      free(s.body);
      call_free(c);
      return;
    }
    if (rc != TRIN_ENOTFOUND) {
      problem_err(h, c->res, c->req->path, &e);
      call_free(c);
      return;
    }
    if (!inflight_add(h, c)) {
      problem(h, c->res, c->req->path, 409, TRIN_ECONFLICT, "Idempotency-Key",
              "a request with this Idempotency-Key is still being carried out; wait for its "
              "answer, then send it again to read that answer");
      call_free(c);
      return;
    }
  }
  if (c->if_match[0]) check_version(c);
  else send_request(c);
}

/* ---- turning HTTP into the request message ------------------------------------- */

static bool is_json(const char *ct) {
  if (!ct) return false;
  while (*ct == ' ') ct++;
  size_t n = strcspn(ct, ";");
  if (n == 16 && strncasecmp(ct, "application/json", 16) == 0) return true;
  return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* The query string's parameters as request fields (GET routes). */
static int apply_query(json_t *obj, const ProtobufCMessageDescriptor *d, const char *query,
                       trin_err_t *err) {
  const char *p = query;
  while (p && *p) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    char name[128], raw[2048], value[2048];
    size_t nl = eq ? (size_t)(eq - p) : len;
    size_t vl = eq ? len - nl - 1 : 0;
    if (nl == 0 || nl >= sizeof name || vl >= sizeof raw)
      return trin_err_set(err, TRIN_EDECODE, "", "a query parameter is empty or too long");
    memcpy(name, p, nl);
    name[nl] = '\0';
    if (eq) memcpy(raw, eq + 1, vl);
    raw[vl] = '\0';
    /* percent and '+' decoding */
    size_t o = 0;
    for (size_t i = 0; i < vl && o < sizeof value - 1; i++) {
      if (raw[i] == '+') value[o++] = ' ';
      else if (raw[i] == '%' && i + 2 < vl + 1 && raw[i + 1] && raw[i + 2]) {
        char hex[3] = {raw[i + 1], raw[i + 2], 0};
        value[o++] = (char)strtol(hex, NULL, 16);
        i += 2;
      } else {
        value[o++] = raw[i];
      }
    }
    value[o] = '\0';
    int rc = gateway_json_set_param(obj, d, name, value, err);
    if (rc) return rc == TRIN_EINVALID ? TRIN_EDECODE : rc;
    p = amp ? amp + 1 : NULL;
  }
  return TRIN_OK;
}

static void body_hash(const trin_http_request_t *req, char out[65]) {
  crypto_generichash_state st;
  unsigned char hash[32];
  crypto_generichash_init(&st, NULL, 0, sizeof hash);
  crypto_generichash_update(&st, (const unsigned char *)req->method, strlen(req->method) + 1);
  crypto_generichash_update(&st, (const unsigned char *)req->path, strlen(req->path) + 1);
  crypto_generichash_update(&st, (const unsigned char *)req->query, strlen(req->query) + 1);
  crypto_generichash_update(&st, (const unsigned char *)req->body, req->body_len);
  crypto_generichash_final(&st, hash, sizeof hash);
  sodium_bin2hex(out, 65, hash, sizeof hash);
}

static void handle_operation(gateway_handlers_t *h, const trin_http_request_t *req,
                             trin_http_response_t *res, const gateway_operation_t *op,
                             const gateway_params_t *params) {
  trin_err_t e = {0};
  bool get = strcmp(req->method, "GET") == 0;
  json_t *obj = NULL;
  if (!get && req->body_len > 0) {
    if (!is_json(trin_http_header(req, "Content-Type"))) {
      problem(h, res, req->path, 415, TRIN_EDECODE, "Content-Type",
              "send the request body as JSON (Content-Type: application/json)");
      return;
    }
    json_error_t je;
    obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
      char msg[300];
      snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d, column %d)", je.text,
               je.line, je.column);
      problem(h, res, req->path, 400, TRIN_EDECODE, "", msg);
      return;
    }
    if (!json_is_object(obj)) {
      json_decref(obj);
      problem(h, res, req->path, 400, TRIN_EDECODE, "",
              "the body must be a JSON object holding the request's fields");
      return;
    }
  } else {
    obj = json_object();
  }
  int rc = get ? apply_query(obj, op->input, req->query, &e) : TRIN_OK;
  for (size_t i = 0; !rc && params && i < params->n; i++) {
    json_t *given = json_object_get(obj, params->name[i]);
    if (given && !(json_is_string(given) && strcmp(json_string_value(given), params->value[i]) == 0)) {
      rc = trin_err_set(&e, TRIN_EDECODE, params->name[i],
                        "the path names %s '%.100s' and the body another; leave it out of "
                        "the body",
                        params->name[i], params->value[i]);
      break;
    }
    rc = gateway_json_set_param(obj, op->input, params->name[i], params->value[i], &e);
  }
  ProtobufCMessage *m = NULL;
  if (!rc) rc = gateway_json_to_message(obj, op->input, &m, &e);
  json_decref(obj);
  if (rc) {
    /* The shape is wrong for this request: a client's bug, not a value the
     * service refused. */
    problem(h, res, req->path, 400, TRIN_EDECODE, e.field, e.message);
    return;
  }
  call_t *c = calloc(1, sizeof *c);
  size_t n = protobuf_c_message_get_packed_size(m);
  if (c) c->payload = malloc(n ? n : 1);
  if (!c || !c->payload) {
    protobuf_c_message_free_unpacked(m, NULL);
    free(c);
    problem(h, res, req->path, 500, TRIN_EINTERNAL, "", "out of memory");
    return;
  }
  c->payload_len = protobuf_c_message_pack(m, c->payload);
  const ProtobufCFieldDescriptor *pf =
      protobuf_c_message_descriptor_get_field_by_name(op->input, "project_id");
  if (pf && pf->type == PROTOBUF_C_TYPE_STRING) {
    const char *pid = *(const char *const *)((const char *)m + pf->offset);
    snprintf(c->project_id, sizeof c->project_id, "%s", pid ? pid : "");
  }
  protobuf_c_message_free_unpacked(m, NULL);
  c->h = h;
  c->req = req;
  c->res = res;
  c->op = op;

  const char *key = trin_http_header(req, "Idempotency-Key");
  if (key && !get) {
    size_t kl = strlen(key);
    if (kl == 0 || kl >= sizeof c->idem_key) {
      problem(h, res, req->path, 400, TRIN_EDECODE, "Idempotency-Key",
              "the Idempotency-Key must be 1–200 characters");
      call_free(c);
      return;
    }
    memcpy(c->idem_key, key, kl + 1);
    body_hash(req, c->hash);
  }
  const char *im = trin_http_header(req, "If-Match");
  if (im && op->writes) {
    if (!c->project_id[0] || strcmp(op->service, "lifecycle") != 0) {
      problem(h, res, req->path, 400, TRIN_EDECODE, "If-Match",
              "If-Match applies to a project's requests (they carry project_id); this one "
              "has no version to compare");
      call_free(c);
      return;
    }
    snprintf(c->if_match, sizeof c->if_match, "%s", im);
  }
  gateway_access_check(h->access, req, op->writes, on_who, c);
}

/* ---- the routes ---------------------------------------------------------------------- */

static void serve_openapi(gateway_handlers_t *h, trin_http_response_t *res) {
  if (!h->openapi || !h->openapi_complete) {
    size_t n;
    const gateway_operation_t *ops = gateway_catalog_ops(h->catalog, &n);
    json_t *doc = gateway_openapi_document(ops, n, "trin", h->opt.version);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    json_decref(doc);
    if (!text) {
      problem(h, res, "/api/v1/openapi.json", 500, TRIN_EINTERNAL, "", "out of memory");
      return;
    }
    free(h->openapi);
    h->openapi = text;
    h->openapi_len = strlen(text);
    bool all = true;
    for (const char *const *s = gateway_catalog_services(); *s; s++)
      all = all && gateway_catalog_described(h->catalog, *s);
    h->openapi_complete = all;
  }
  count(h, 200);
  trin_http_respond(res, 200, "application/json", h->openapi, h->openapi_len);
}

static void serve_me(void *data, int status, const gateway_who_t *who, const trin_err_t *err) {
  call_t *c = data;
  if (status) {
    problem_err(c->h, c->res, c->req->path, err);
  } else {
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "organisation", who->org, "role", who->role,
                          "person", who->person, "scope", who->scope);
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    respond_json(c->h, c->res, 200, t ? t : "{}", t ? strlen(t) : 2);
    free(t);
  }
  call_free(c);
}

/* GET /api/v1/stream, once the person is known. */
static void open_stream(void *data, int status, const gateway_who_t *who, const trin_err_t *err) {
  call_t *c = data;
  if (status) problem_err(c->h, c->res, c->req->path, err);
  else gateway_stream_open(c->h->stream, c->res, who);
  call_free(c);
}

/* GET /metrics: every service's figures (trin.metrics.GetMetrics, asked
 * with the gateway's own key) and the gateway's, in one exposition. A
 * service that has not answered within SCRAPE_WAIT_MS is left out and shows
 * as trin_gateway_service_up 0. The scrape lives until every request it
 * sent has come back (or timed out), even after it answered. */
typedef struct {
  gateway_handlers_t *h;
  trin_http_response_t *res;
  Trin__Metrics__MetricsReply *snap[17];
  const char *service[17];
  int nsent, pending;
  bool answered;
  uv_timer_t timer;
} scrape_t;

static void scrape_free(uv_handle_t *t) {
  scrape_t *s = t->data;
  for (int i = 0; i < s->nsent + 1; i++) trin_codec_free(s->snap[i]);
  free(s);
}

static void on_stats(trin_metrics_t *m, void *data) {
  gateway_handlers_t *h = data;
  (void)m;
  trin_metric_set(h->in_flight, (double)gateway_forward_pending(h->forward));
  trin_metric_set(h->streams, (double)gateway_stream_count(h->stream));
  if (!h->http) return;
  trin_http_stats_t st;
  trin_http_server_stats(h->http, &st);
  trin_metric_set(h->connections, st.connections);
  trin_metric_add(h->closed[0], (double)(st.refused - h->last_stats.refused));
  trin_metric_add(h->closed[1], (double)(st.shed - h->last_stats.shed));
  trin_metric_add(h->closed[2], (double)(st.timeouts - h->last_stats.timeouts));
  h->last_stats = st;
}

static void scrape_answer(scrape_t *s) {
  if (s->answered) return;
  s->answered = true;
  gateway_handlers_t *h = s->h;
  trin_metric_family_t *up = NULL;
  trin_err_t e = {0};
  /* Who answered, as a family of the gateway's own. */
  trin_metrics_t *ups = NULL;
  trin_metrics_new(&ups, &e);
  if (ups)
    trin_metrics_gauge(ups, "trin_gateway_service_up",
                       "1 when the service answered the gateway's last scrape, else 0",
                       "target", &up, &e);
  for (int i = 0; up && i < s->nsent; i++) {
    const char *v[] = {s->service[i]};
    trin_metric_t *one = NULL;
    if (trin_metrics_series(up, v, &one, &e) == TRIN_OK) trin_metric_set(one, s->snap[i] != NULL);
  }
  const Trin__Metrics__MetricsReply *all[19];
  size_t n = 0;
  for (int i = 0; i < s->nsent; i++)
    if (s->snap[i]) all[n++] = s->snap[i];
  Trin__Metrics__MetricsReply *own = NULL, *own_up = NULL;
  if (trin_metrics_snapshot(h->metrics, "gateway", &own, &e) == TRIN_OK) all[n++] = own;
  if (ups && trin_metrics_snapshot(ups, "gateway", &own_up, &e) == TRIN_OK) all[n++] = own_up;
  trin_buf_t out = {0};
  if (trin_metrics_render(all, n, &out, &e) != TRIN_OK)
    trin_log_warn("metrics: %s", e.message);
  count(h, 200);
  trin_http_respond(s->res, 200, "text/plain; version=0.0.4; charset=utf-8",
                    out.data ? out.data : "", out.len);
  trin_buf_free(&out);
  trin_codec_free(own);
  trin_codec_free(own_up);
  trin_metrics_destroy(&ups);
}

static void scrape_done_maybe(scrape_t *s) {
  if (s->pending > 0) return;
  scrape_answer(s);
  uv_timer_stop(&s->timer);
  uv_close((uv_handle_t *)&s->timer, scrape_free);
}

static void on_scrape_timeout(uv_timer_t *t) { scrape_answer(t->data); }

typedef struct {
  scrape_t *s;
  int i;
} scrape_one_t;

static void on_scraped(void *data, const Trin__Envelope *env, const trin_err_t *err) {
  scrape_one_t *one = data;
  scrape_t *s = one->s;
  (void)err;
  if (env && env->status == TRIN__STATUS__OK && !s->answered) {
    ProtobufCMessage *m = NULL;
    trin_err_t e;
    if (trin_codec_unpack(&trin__metrics__metrics_reply__descriptor, env->payload.data,
                          env->payload.len, "payload", &m, &e) == TRIN_OK)
      s->snap[one->i] = (Trin__Metrics__MetricsReply *)m;
  }
  free(one);
  s->pending--;
  scrape_done_maybe(s);
}

static void serve_metrics(gateway_handlers_t *h, trin_http_response_t *res) {
  scrape_t *s = calloc(1, sizeof *s);
  if (!s) {
    problem(h, res, "/metrics", 500, TRIN_EINTERNAL, "", "out of memory");
    return;
  }
  s->h = h;
  s->res = res;
  uv_timer_init(h->loop, &s->timer);
  s->timer.data = s;
  Trin__Metrics__GetMetrics q = TRIN__METRICS__GET_METRICS__INIT;
  uint8_t buf[8];
  size_t n = protobuf_c_message_pack(&q.base, buf);
  s->pending = 1; /* held while sending */
  for (const char *const *name = gateway_catalog_services(); *name && s->nsent < 16; name++) {
    if (!gateway_forward_has(h->forward, *name)) continue;
    scrape_one_t *one = malloc(sizeof *one);
    if (!one) continue;
    one->s = s;
    one->i = s->nsent;
    s->service[s->nsent++] = *name;
    s->pending++;
    trin_err_t e;
    if (gateway_forward_send(h->forward, *name, q.base.descriptor->name, buf, n, NULL,
                             on_scraped, one, &e)) {
      free(one);
      s->pending--;
    }
  }
  uv_timer_start(&s->timer, on_scrape_timeout, SCRAPE_WAIT_MS, 0);
  s->pending--;
  scrape_done_maybe(s);
}

void gateway_handlers_http(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  gateway_handlers_t *h = data;
  const char *path = req->path;
  bool get = strcmp(req->method, "GET") == 0;
  uint32_t wait = 0;
  char addr[64];
  snprintf(addr, sizeof addr, "%s", req->peer);
  char *colon = strrchr(addr, ':');
  if (colon) *colon = '\0';
  if (gateway_app_serve(req, res, h->app_csp)) return;
  if (strcmp(path, "/healthz") == 0) {
    respond_json(h, res, 200, "{\"status\":\"ok\"}", 15);
    return;
  }
  if (strcmp(path, "/metrics") == 0) {
    serve_metrics(h, res);
    return;
  }
  if (!gateway_rate_take(h->by_address, addr, uv_now(h->loop), &wait)) {
    char ra[16], msg[160];
    snprintf(ra, sizeof ra, "%u", wait);
    snprintf(msg, sizeof msg, "more than %g requests a second from your address; try again in "
             "%u s", h->opt.rate_per_address, wait);
    trin_http_set_header(res, "Retry-After", ra);
    trin_metric_inc(h->rate_limited);
    problem(h, res, path, 429, -1, "", msg);
    return;
  }
  if (strcmp(path, "/api/v1/openapi.json") == 0 && get) {
    serve_openapi(h, res);
    return;
  }
  if (strcmp(path, "/api/v1/signin") == 0 && get) {
    /* where the web app may sign people in: public, holds no secret */
    const char *body = h->signin ? h->signin : "{\"issuers\":[]}";
    respond_json(h, res, 200, body, strlen(body));
    return;
  }
  if (strcmp(path, "/api/v1/stream") == 0 && get) {
    if (!h->stream) {
      problem(h, res, path, 503, TRIN_EIO, "",
              "this gateway follows no aggregator (aggregator-endpoint and "
              "aggregator-pub-endpoint are empty), so it has no stream");
      return;
    }
    call_t *c = calloc(1, sizeof *c);
    if (!c) {
      problem(h, res, path, 500, TRIN_EINTERNAL, "", "out of memory");
      return;
    }
    c->h = h;
    c->req = req;
    c->res = res;
    gateway_access_check(h->access, req, false, open_stream, c);
    return;
  }
  if (strcmp(path, "/api/v1/me") == 0 && get) {
    call_t *c = calloc(1, sizeof *c);
    if (!c) {
      problem(h, res, path, 500, TRIN_EINTERNAL, "", "out of memory");
      return;
    }
    c->h = h;
    c->req = req;
    c->res = res;
    gateway_access_check(h->access, req, false, serve_me, c);
    return;
  }
  /* POST /api/v1/{service}/{Request}: every request of every service. */
  if (strncmp(path, API, strlen(API)) == 0) {
    const char *rest = path + strlen(API);
    const char *slash = strchr(rest, '/');
    char service[40];
    if (slash && (size_t)(slash - rest) < sizeof service && !strchr(slash + 1, '/')) {
      memcpy(service, rest, (size_t)(slash - rest));
      service[slash - rest] = '\0';
      const gateway_operation_t *op = gateway_catalog_find(h->catalog, service, slash + 1);
      bool known_service = false;
      for (const char *const *s = gateway_catalog_services(); *s; s++)
        known_service = known_service || strcmp(*s, service) == 0;
      gateway_params_t rp;
      if (known_service && !op && gateway_catalog_route(h->catalog, req->method, path, &rp)) {
        /* a resource path under a service's name (/api/v1/benchmark/figures) */
      } else if (known_service) {
        if (!op) {
          char msg[200];
          snprintf(msg, sizeof msg, "the %s service has no request called '%.60s' (see "
                   "/api/v1/openapi.json)", service, slash + 1);
          problem(h, res, path, 404, TRIN_EUNKNOWN_TYPE, "", msg);
        } else if (strcmp(req->method, "POST") != 0) {
          trin_http_set_header(res, "Allow", "POST");
          problem(h, res, path, 405, -1, "", "send every request with POST and a JSON body");
        } else {
          handle_operation(h, req, res, op, NULL);
        }
        return;
      }
    }
  }
  gateway_params_t params;
  const gateway_operation_t *op = gateway_catalog_route(h->catalog, req->method, path, &params);
  if (op) {
    handle_operation(h, req, res, op, &params);
    return;
  }
  if (gateway_catalog_path_known(h->catalog, path)) {
    problem(h, res, path, 405, -1, "", "this path does not take that method (see "
            "/api/v1/openapi.json)");
    return;
  }
  problem(h, res, path, 404, TRIN_ENOTFOUND, "", "no such path; the API is described at "
          "/api/v1/openapi.json");
}

/* ---- housekeeping ------------------------------------------------------------------ */

static void on_purge(uv_timer_t *t) {
  gateway_handlers_t *h = t->data;
  trin_err_t e = {0};
  int64_t removed = 0;
  int64_t before = trin_time_now() - h->opt.idempotency_hours * 3600 * 1000;
  int rc = trin_store_begin(h->store, &e);
  if (!rc) rc = gateway_store_saved_purge(h->store, before, &removed, &e);
  if (!rc) rc = trin_store_commit(h->store, &e);
  else if (trin_store_in_transaction(h->store)) trin_store_rollback(h->store, NULL);
  if (rc) trin_log_warn("could not forget old idempotent answers: %s", e.message);
  else if (removed) trin_log_info("forgot %lld answers older than %lld h", (long long)removed,
                                  (long long)h->opt.idempotency_hours);
}

typedef struct {
  gateway_handlers_t *h;
  const char *service;
} describe_t;

static void on_described(void *data, const Trin__Envelope *env, const trin_err_t *err) {
  describe_t *d = data;
  gateway_handlers_t *h = d->h;
  if (env && env->status == TRIN__STATUS__OK) {
    ProtobufCMessage *m = NULL;
    trin_err_t e;
    if (trin_codec_unpack(&trin__description__descriptor, env->payload.data, env->payload.len,
                          "payload", &m, &e) == TRIN_OK) {
      gateway_catalog_set_rules(h->catalog, d->service, m);
      trin_codec_free(m);
      h->openapi_complete = false; /* made again with the roles */
      trin_log_info("%s described its requests", d->service);
    }
  } else if (env) {
    trin_err_t e;
    trin_codec_error_from_reply(env, &e);
    trin_log_warn("%s would not describe its requests: %s", d->service, e.message);
  } else {
    (void)err;
  }
  free(d);
}

static void on_describe(uv_timer_t *t) {
  gateway_handlers_t *h = t->data;
  Trin__Describe q = TRIN__DESCRIBE__INIT;
  uint8_t buf[8];
  size_t n = protobuf_c_message_pack(&q.base, buf);
  bool all = true;
  for (const char *const *s = gateway_catalog_services(); *s; s++) {
    if (gateway_catalog_described(h->catalog, *s) || !gateway_forward_has(h->forward, *s))
      continue;
    all = false;
    describe_t *d = malloc(sizeof *d);
    if (!d) continue;
    d->h = h;
    d->service = *s;
    trin_err_t e;
    if (gateway_forward_send(h->forward, *s, q.base.descriptor->name, buf, n, NULL,
                             on_described, d, &e))
      free(d);
  }
  if (all) uv_timer_stop(t);
}

static int metrics_new(gateway_handlers_t *h, trin_err_t *err) {
  trin_metric_family_t *f;
  static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx", "other"};
  static const char *const why[] = {"cap", "shed", "deadline"};
  int rc = trin_metrics_new(&h->metrics, err);
  if (!rc)
    rc = trin_metrics_counter(h->metrics, "trin_gateway_http_responses_total",
                              "HTTP responses by status class", "class", &f, err);
  for (int i = 0; !rc && i < 5; i++) {
    const char *v[] = {classes[i]};
    rc = trin_metrics_series(f, v, &h->by_class[i], err);
  }
  if (!rc)
    rc = trin_metrics_counter(h->metrics, "trin_gateway_idempotent_replays_total",
                              "answers replayed for a repeated Idempotency-Key", "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &h->replays, err);
  if (!rc)
    rc = trin_metrics_counter(h->metrics, "trin_gateway_rate_limited_total",
                              "requests refused with 429", "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &h->rate_limited, err);
  if (!rc)
    rc = trin_metrics_gauge(h->metrics, "trin_gateway_requests_in_flight",
                            "requests waiting for a service's answer", "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &h->in_flight, err);
  if (!rc)
    rc = trin_metrics_gauge(h->metrics, "trin_gateway_http_connections",
                            "open HTTP connections", "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &h->connections, err);
  if (!rc)
    rc = trin_metrics_gauge(h->metrics, "trin_gateway_streams",
                            "open event streams (GET /api/v1/stream)", "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &h->streams, err);
  if (!rc)
    rc = trin_metrics_counter(h->metrics, "trin_gateway_http_connections_closed_total",
                              "connections refused or shed at a cap, or closed past a deadline",
                              "why", &f, err);
  for (int i = 0; !rc && i < 3; i++) {
    const char *v[] = {why[i]};
    rc = trin_metrics_series(f, v, &h->closed[i], err);
  }
  static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                  0.05,   0.1,   0.25,   0.5,   1,    2.5, 10};
  if (!rc)
    rc = trin_metrics_histogram(h->metrics, "trin_gateway_service_seconds",
                                "time from forwarding a request to the service's answer",
                                "target", bounds, sizeof bounds / sizeof *bounds, &h->latency,
                                err);
  if (!rc) rc = trin_metrics_add_hook(h->metrics, on_stats, h, err);
  return rc;
}

int gateway_handlers_new(uv_loop_t *loop, trin_store_t *store, gateway_catalog_t *catalog,
                         gateway_forward_t *forward, gateway_access_t *access,
                         const gateway_handlers_options_t *opt, gateway_handlers_t **out,
                         trin_err_t *err) {
  *out = NULL;
  gateway_handlers_t *h = calloc(1, sizeof *h);
  if (!h) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  h->loop = loop;
  h->store = store;
  h->catalog = catalog;
  h->forward = forward;
  h->access = access;
  h->opt = *opt;
  if (h->opt.idempotency_hours <= 0) h->opt.idempotency_hours = 24;
  if (!h->opt.version) h->opt.version = "1";
  double burst = opt->rate_burst > 0 ? opt->rate_burst : 1;
  int rc = gateway_rate_new(opt->rate_per_principal, burst, 100000, &h->by_principal, err);
  if (!rc)
    rc = gateway_rate_new(opt->rate_per_address, opt->rate_per_address > burst
                                                     ? opt->rate_per_address
                                                     : burst,
                          100000, &h->by_address, err);
  if (rc) {
    gateway_handlers_destroy(&h);
    return rc;
  }
  if (!rc) rc = metrics_new(h, err);
  if (rc) {
    gateway_handlers_destroy(&h);
    return rc;
  }
  uv_timer_init(loop, &h->purge);
  h->purge.data = h;
  uv_timer_start(&h->purge, on_purge, 1000, PURGE_MS);
  uv_timer_init(loop, &h->describe);
  h->describe.data = h;
  uv_timer_start(&h->describe, on_describe, 0, DESCRIBE_RETRY_MS);
  *out = h;
  return TRIN_OK;
}

static void on_closed(uv_handle_t *hd) {
  gateway_handlers_t *h = hd->data;
  /* Both timers are closed at once; the last one frees. (A loop walk that
   * closes every handle at shutdown must find them closing already.) */
  if (--h->closing > 0) return;
  for (size_t i = 0; i < h->ninflight; i++) free(h->inflight[i]);
  free(h->inflight);
  free(h->openapi);
  free(h);
}

void gateway_handlers_destroy(gateway_handlers_t **hp) {
  if (!hp || !*hp) return;
  gateway_handlers_t *h = *hp;
  *hp = NULL;
  gateway_rate_destroy(&h->by_principal);
  gateway_rate_destroy(&h->by_address);
  trin_metrics_destroy(&h->metrics);
  free(h->signin);
  free(h->app_csp);
  h->signin = h->app_csp = NULL;
  if (!h->purge.loop) {
    free(h->openapi);
    free(h);
    return;
  }
  h->closing = 2;
  uv_timer_stop(&h->purge);
  uv_timer_stop(&h->describe);
  uv_close((uv_handle_t *)&h->purge, on_closed);
  uv_close((uv_handle_t *)&h->describe, on_closed);
}

int gateway_handlers_set_oidc(gateway_handlers_t *h, const gateway_oidc_t *oidc, trin_err_t *err) {
  gateway_oidc_app_t apps[16];
  size_t n = gateway_oidc_app_issuers(oidc, apps, 16);
  if (n > 16) n = 16;
  json_t *list = json_array();
  const char *urls[16];
  for (size_t i = 0; list && i < n; i++) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "issuer", apps[i].issuer, "client_id",
                          apps[i].client_id, "scope", apps[i].scope, "resource",
                          apps[i].resource, "name", apps[i].name);
    if (!o || json_array_append_new(list, o) != 0) {
      json_decref(list);
      list = NULL;
    }
    urls[i] = apps[i].issuer;
  }
  json_t *doc = list ? json_pack("{s:o}", "issuers", list) : NULL;
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  char *csp = n ? gateway_app_csp_with(urls, n) : NULL;
  if (!text || (n && !csp)) {
    free(text);
    free(csp);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  free(h->signin);
  free(h->app_csp);
  h->signin = text;
  h->app_csp = csp;
  return TRIN_OK;
}

void gateway_handlers_set_stream(gateway_handlers_t *h, gateway_stream_t *stream) {
  h->stream = stream;
}

void gateway_handlers_set_http(gateway_handlers_t *h, trin_http_server_t *server) {
  h->http = server;
}
