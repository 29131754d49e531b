/* survey_webhook — see survey_webhook.h. */
#include "survey_webhook.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "survey_store.h"
#include "trin_access.h"
#include "trin_log.h"
#include "trin_token.h"

struct survey_webhook {
  trin_http_server_t *http;
  trin_server_t *server;
  survey_service_t *svc;
  bool has_operator_token;
  uint8_t token_hash[crypto_generichash_BYTES];
};

/* ---- parsing ------------------------------------------------------------------- */

static int bad(trin_err_t *err, const char *field, const char *what) {
  return trin_err_set(err, TRIN_EINVALID, field, "%s", what);
}

static char *text_of(json_t *v, trin_arena_t *a) { return trin_arena_strdup(a, json_string_value(v)); }

static int parse_response(json_t *o, size_t i, trin_arena_t *a, Trin__Survey__Response *r,
                          trin_err_t *err) {
  char f[64];
  trin__survey__response__init(r);
  snprintf(f, sizeof f, "responses[%zu]", i);
  if (!json_is_object(o)) return bad(err, f, "must be an object");
  json_t *resp = json_object_get(o, "respondent"), *role = json_object_get(o, "role"),
         *scores = json_object_get(o, "scores"), *comment = json_object_get(o, "comment");
  snprintf(f, sizeof f, "responses[%zu].respondent", i);
  /* Survey tools number respondents as often as they name them. */
  if (json_is_integer(resp))
    r->respondent = trin_arena_printf(a, "%lld", (long long)json_integer_value(resp));
  else if (json_is_string(resp))
    r->respondent = text_of(resp, a);
  else
    return bad(err, f, "is required (a string or a number)");
  snprintf(f, sizeof f, "responses[%zu].role", i);
  if (!json_is_string(role)) return bad(err, f, "is required (a string)");
  r->role = text_of(role, a);
  snprintf(f, sizeof f, "responses[%zu].comment", i);
  if (comment && !json_is_null(comment) && !json_is_string(comment))
    return bad(err, f, "must be a string");
  r->comment = json_is_string(comment) ? text_of(comment, a) : "";
  snprintf(f, sizeof f, "responses[%zu].scores", i);
  if (!json_is_object(scores)) return bad(err, f, "is required (an object of statement: score)");
  size_t n = json_object_size(scores);
  r->scores = trin_arena_alloc(a, (n ? n : 1) * sizeof *r->scores);
  if (!r->scores) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  const char *key;
  json_t *val;
  json_object_foreach(scores, key, val) {
    if (json_is_null(val)) continue; /* not answered */
    snprintf(f, sizeof f, "responses[%zu].scores.%.30s", i, key);
    json_int_t score;
    if (json_is_integer(val))
      score = json_integer_value(val);
    else if (json_is_real(val) && json_real_value(val) == (double)(json_int_t)json_real_value(val))
      score = (json_int_t)json_real_value(val);
    else
      return bad(err, f, "must be a whole number on the survey's scale (or null)");
    if (score < -1000 || score > 1000) return bad(err, f, "is outside any scale");
    Trin__Survey__Response__ScoresEntry *e = trin_arena_alloc(a, sizeof *e);
    if (!e) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    trin__survey__response__scores_entry__init(e);
    e->key = trin_arena_strdup(a, key);
    e->value = (int32_t)score;
    r->scores[r->n_scores++] = e;
  }
  return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
}

/* jansson already refuses a body that is not UTF-8 and a string holding
 * \u0000 (which would cut a respondent id short, as json_string_value stops
 * at the NUL); its own words for those name its flags, so say them in the
 * sender's. */
static int refused(const char *body, size_t len, const json_error_t *je, trin_err_t *err) {
  switch (json_error_code(je)) {
    case json_error_invalid_utf8: {
      /* position is the bad byte's offset; column counts the characters
       * before it on its line. */
      unsigned char b = je->position >= 0 && (size_t)je->position < len
                            ? (unsigned char)body[je->position] : 0;
      if (b >= 0x80)
        return trin_err_set(err, TRIN_EINVALID, "",
                            "line %d, column %d: the body is not valid UTF-8 (byte 0x%02X); "
                            "send it as UTF-8",
                            je->line, je->column + 1, b);
      return trin_err_set(err, TRIN_EINVALID, "",
                          "line %d, column %d: the body is not valid UTF-8; send it as UTF-8",
                          je->line, je->column + 1);
    }
    case json_error_null_character:
    case json_error_null_byte_in_key:
      return trin_err_set(err, TRIN_EINVALID, "",
                          "line %d, column %d: a string holds \\u0000 (a NUL character), "
                          "which no field accepts",
                          je->line, je->column);
    default:
      return trin_err_set(err, TRIN_EINVALID, "", "not valid JSON: line %d column %d: %s",
                          je->line, je->column, je->text);
  }
}

int survey_webhook_parse(const char *body, size_t len, trin_arena_t *a,
                         survey_import_input_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  json_error_t je;
  json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) return refused(body, len, &je, err);
  int rc = TRIN_OK;
  json_t *sid = json_object_get(root, "survey_id"), *round = json_object_get(root, "round"),
         *list = json_object_get(root, "responses");
  if (!json_is_object(root)) rc = bad(err, "", "the body must be a JSON object");
  else if (!json_is_string(sid)) rc = bad(err, "survey_id", "is required (a string)");
  else if (!json_is_integer(round) || json_integer_value(round) < 1 ||
           json_integer_value(round) > 100000)
    rc = bad(err, "round", "is required (a round number 1, 2, ...)");
  else if (!json_is_array(list) || json_array_size(list) == 0)
    rc = bad(err, "responses", "is required (a non-empty array)");
  if (!rc) {
    out->survey_id = text_of(sid, a);
    out->round = (int32_t)json_integer_value(round);
    size_t n = json_array_size(list);
    Trin__Survey__Response **rs = trin_arena_alloc(a, n * sizeof *rs);
    if (!rs) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
      rs[i] = trin_arena_alloc(a, sizeof *rs[i]);
      if (!rs[i]) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      else rc = parse_response(json_array_get(list, i), i, a, rs[i], err);
    }
    out->responses = rs;
    out->n_responses = n;
  }
  json_decref(root);
  return rc;
}

/* A survey tool's export posted as it is (issue 20, item 7): the body is
 * the CSV file, the query says where it goes. */
int survey_webhook_parse_csv(const trin_http_request_t *req, trin_arena_t *a,
                             survey_import_input_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  char sid[128], round[16], mapped[16], enc[32];
  if (!trin_http_query(req, "survey_id", sid, sizeof sid) || !*sid)
    return bad(err, "survey_id", "is required in the query (?survey_id=...&round=N)");
  char *end = NULL;
  long r = trin_http_query(req, "round", round, sizeof round) ? strtol(round, &end, 10) : 0;
  if (!end || end == round || *end || r < 1 || r > 100000)
    return bad(err, "round", "is required in the query (a round number 1, 2, ...)");
  if (!trin_http_query(req, "mapped", mapped, sizeof mapped)) mapped[0] = '\0';
  bool yes = strcasecmp(mapped, "true") == 0 || strcmp(mapped, "1") == 0 ||
             strcasecmp(mapped, "yes") == 0 || strcasecmp(mapped, "ja") == 0;
  bool no = !*mapped || strcasecmp(mapped, "false") == 0 || strcmp(mapped, "0") == 0 ||
            strcasecmp(mapped, "no") == 0 || strcasecmp(mapped, "nej") == 0;
  if (!yes && !no) return bad(err, "mapped", "must be true or false");
  if (!trin_http_query(req, "encoding", enc, sizeof enc)) enc[0] = '\0';
  out->survey_id = trin_arena_strdup(a, sid);
  out->round = (int32_t)r;
  out->mapped = yes;
  out->encoding = trin_arena_strdup(a, enc);
  out->csv = req->body;
  out->csv_len = req->body_len;
  if (!out->survey_id || !out->encoding)
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  return TRIN_OK;
}

/* ---- serving ---------------------------------------------------------------------- */

static int http_status(int code) {
  switch (code) {
    case TRIN_EINVALID:
    case TRIN_EDECODE: return 400;
    case TRIN_EUNAUTHENTICATED: return 401;
    case TRIN_EFORBIDDEN: return 403;
    case TRIN_ENOTFOUND: return 404;
    case TRIN_ECONFLICT: return 409;
    case TRIN_ETOOBIG: return 413;
    case TRIN_ESTORE:
    case TRIN_EIO:
    case TRIN_ETIMEOUT: return 503;
    default: return 500;
  }
}

static void respond_json(trin_http_response_t *res, int status, json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  if (!s) {
    trin_http_respond(res, 500, "text/plain", "out of memory\n", 14);
    return;
  }
  trin_http_set_status(res, status);
  trin_http_set_header(res, "Content-Type", "application/json");
  trin_http_set_header(res, "Cache-Control", "no-store");
  trin_http_write(res, s, strlen(s));
  trin_http_write(res, "\n", 1);
  trin_http_send(res);
  free(s);
}

static void respond_error(trin_http_response_t *res, const trin_err_t *e) {
  json_t *j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", trin_status_name(e->code),
                        "field", e->field, "message", e->message);
  if (e->code == TRIN_EUNAUTHENTICATED)
    trin_http_set_header(res, "WWW-Authenticate", "Bearer realm=\"trin-survey\"");
  respond_json(res, http_status(e->code), j);
}

/* Who may write: the operator's token (webhook-token: any survey), or an
 * organisation's token of scope survey:write (its org in *org). Hashes are
 * compared in constant time (libsodium); the token is wiped after. Returns
 * TRIN_OK, or fills err with a message that never holds the token. */
static int authenticate(const survey_webhook_t *w, const trin_http_request_t *req, char *org,
                        size_t orgn, trin_err_t *err) {
  char tok[512];
  org[0] = '\0';
  if (!trin_token_from_http(req, tok, sizeof tok))
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                        "a valid token is required (Authorization: Bearer TOKEN or X-API-Key)");
  size_t n = strlen(tok);
  int rc = TRIN_OK;
  uint8_t h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, (const uint8_t *)tok, n, NULL, 0);
  if (!(w->has_operator_token && sodium_memcmp(h, w->token_hash, sizeof h) == 0)) {
    trin_token_info_t info;
    rc = trin_token_verify(trin_server_store(w->server), tok, n, TRIN_TOKEN_SURVEY_WRITE, &info,
                           err);
    if (!rc) snprintf(org, orgn, "%s", info.org);
  }
  sodium_memzero(tok, sizeof tok);
  return rc;
}

typedef struct {
  survey_webhook_t *w;
  const survey_import_input_t *in;
  const char *org;  /* the token's organisation; "" = the operator's token */
  Trin__Survey__ImportReply reply;
} apply_t;

/* An organisation writes only to surveys of projects it may see (it is the
 * client or a member of the partnership), checked in the import's own
 * transaction. An unknown survey is left to the import (404). */
static int may_write(trin_request_t *req, const char *org, const char *survey_id,
                     trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_survey_msg_t sv;
  int rc = survey_store_survey_get(trin_request_store(req), survey_id, "survey_id", &a, &sv,
                                   NULL, err);
  if (rc == TRIN_ENOTFOUND) {
    trin_err_clear(err);
    rc = TRIN_OK;
  } else if (!rc && !trin_access_may_see(trin_request_store(req), org, sv.client_org,
                                         sv.partnership_id)) {
    rc = trin_err_set(err, TRIN_EFORBIDDEN, "survey_id",
                      "organisation %s may not write answers to survey %.64s (project %.64s)",
                      org, survey_id, sv.project_id);
  }
  trin_arena_reset(&a);
  return rc;
}

static int apply_import(trin_request_t *req, void *data, trin_err_t *err) {
  apply_t *ap = data;
  if (ap->org[0]) {
    int rc = may_write(req, ap->org, ap->in->survey_id, err);
    if (rc) return rc;
  }
  return survey_import_run(req, ap->w->svc->key, ap->in, &ap->reply, err);
}

static void on_request(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  survey_webhook_t *w = data;
  trin_err_t err = {0};
  if (strcmp(req->path, SURVEY_WEBHOOK_PATH) != 0) {
    trin_err_set(&err, TRIN_ENOTFOUND, "", "no such resource; POST to %s", SURVEY_WEBHOOK_PATH);
    respond_error(res, &err);
    return;
  }
  if (strcmp(req->method, "POST") != 0) {
    trin_http_set_header(res, "Allow", "POST");
    json_t *j = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid", "field", "",
                          "message", "only POST is allowed here");
    respond_json(res, 405, j);
    return;
  }
  char org[65];
  if (authenticate(w, req, org, sizeof org, &err)) {
    trin_log_warn("webhook: refused a request from %s: %s", req->peer, err.message);
    respond_error(res, &err);
    return;
  }
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_import_input_t in;
  const char *type = trin_http_header(req, "Content-Type");
  bool csv = type && strncasecmp(type, "text/csv", 8) == 0;
  int rc = csv ? survey_webhook_parse_csv(req, &a, &in, &err)
               : survey_webhook_parse(req->body, req->body_len, &a, &in, &err);
  apply_t ap = {.w = w, .in = &in, .org = org};
  trin__survey__import_reply__init(&ap.reply);
  if (!rc) rc = trin_server_apply(w->server, apply_import, &ap, &err);
  if (rc) {
    if (err.code == TRIN_OK) trin_err_set(&err, rc, "", "the import failed");
    respond_error(res, &err);
  } else {
    trin_log_info("webhook: survey %s round %d (%s): %d received, %d added, %d replaced, "
                  "%d unchanged",
                  in.survey_id, in.round, org[0] ? org : "operator token", ap.reply.received, ap.reply.added,
                  ap.reply.replaced, ap.reply.unchanged);
    json_t *j = json_pack("{s:i,s:i,s:i,s:i,s:i,s:I}", "received", ap.reply.received, "added",
                          ap.reply.added, "replaced", ap.reply.replaced, "unchanged",
                          ap.reply.unchanged, "alerts_raised", ap.reply.alerts_raised, "seq",
                          (json_int_t)ap.reply.seq);
    respond_json(res, 200, j);
  }
  trin_arena_reset(&a);
}

int survey_webhook_new(uv_loop_t *loop, trin_server_t *server, survey_service_t *svc,
                       const char *address, const char *token, size_t max_body,
                       survey_webhook_t **out, trin_err_t *err) {
  if (sodium_init() < 0) return trin_err_set(err, TRIN_EINTERNAL, "", "libsodium did not start");
  survey_webhook_t *w = calloc(1, sizeof *w);
  if (!w) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  w->server = server;
  w->svc = svc;
  w->has_operator_token = token && *token;
  if (w->has_operator_token)
    crypto_generichash(w->token_hash, sizeof w->token_hash, (const uint8_t *)token,
                       strlen(token), NULL, 0);
  trin_http_options_t o = {.address = address, .max_body = max_body};
  int rc = trin_http_server_new(loop, &o, on_request, w, &w->http, err);
  if (rc) {
    free(w);
    return rc;
  }
  *out = w;
  return TRIN_OK;
}

void survey_webhook_destroy(survey_webhook_t **wp) {
  if (!wp || !*wp) return;
  trin_http_server_destroy(&(*wp)->http);
  free(*wp);
  *wp = NULL;
}

int survey_webhook_port(const survey_webhook_t *w) { return trin_http_server_port(w->http); }
