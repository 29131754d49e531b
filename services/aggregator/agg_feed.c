/* agg_feed — see agg_feed.h. */
#include "agg_feed.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agg_access.h"
#include "agg_odata.h"
#include "agg_web.h"
#include "agg_xlsx.h"
#include "trin_http.h"
#include "trin_log.h"
#include "trin_token.h"

/* ---- counters ------------------------------------------------------------------ */

static const char *ENDPOINTS[] = {"healthz", "metrics", "odata", "status", "csv",
                                  "xlsx", "stream", "dashboard", "other"};
enum { EP_HEALTHZ, EP_METRICS, EP_ODATA, EP_STATUS, EP_CSV, EP_XLSX, EP_STREAM, EP_DASHBOARD,
       EP_OTHER, EP_N };
/* Workbooks being built at once on libuv's thread pool; each holds a copy
 * of its rows (about 28 MB for 100,000), so more wait for a retry. */
#define XLSX_MAX_JOBS 2
#define MAX_CODES 16

/* Who is reading: the operator (every row) or an organisation's token. */
typedef struct {
  bool all;
  char org[65];
  char token_id[TRIN_TOKEN_ID_LEN + 1];
} reader_t;

typedef struct sse {
  struct agg_feed *feed;
  trin_http_stream_t *stream;
  reader_t reader;
  struct sse *prev, *next;
} sse_t;

struct agg_feed {
  uv_loop_t *loop;
  agg_rows_t *rows;
  trin_http_server_t *http;
  agg_feed_hooks_t hooks;
  unsigned char token_hash[crypto_generichash_BYTES];
  bool has_operator_token;
  trin_store_t *store;  /* organisations' tokens and membership, or NULL */
  int page_size;
  char public_url[256];
  uv_timer_t heartbeat;
  sse_t *streams;
  size_t nstreams;
  struct {
    int code;
    uint64_t n[EP_N];
  } counts[MAX_CODES];
  int ncodes;
  uint64_t unauthorised;
  int xlsx_jobs;       /* workbooks on the thread pool; f lives until they end */
  bool timer_closed;   /* destroyed: freed once xlsx_jobs is 0 too */
};

static void count(agg_feed_t *f, int ep, int code) {
  int k = 0;
  while (k < f->ncodes && f->counts[k].code != code) k++;
  if (k == f->ncodes) {
    if (f->ncodes == MAX_CODES) return;
    f->counts[f->ncodes++].code = code;
  }
  f->counts[k].n[ep]++;
}

static void respond(agg_feed_t *f, int ep, trin_http_response_t *res, int status,
                    const char *type, trin_buf_t *body) {
  count(f, ep, status);
  if (body->failed) {
    trin_http_respond(res, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
  } else {
    trin_http_respond(res, status, type, body->data ? body->data : "", body->len);
  }
  trin_buf_free(body);
}

/* ---- tokens ------------------------------------------------------------------------- */

static void hash_token(const char *t, size_t n, unsigned char out[crypto_generichash_BYTES]) {
  crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)t, n, NULL, 0);
}

static bool operator_token(const agg_feed_t *f, const char *t, size_t n) {
  if (!f->has_operator_token) return false;
  unsigned char h[crypto_generichash_BYTES];
  hash_token(t, n, h);
  return sodium_memcmp(h, f->token_hash, sizeof h) == 0;
}

#define TOKEN_HOW \
  "Authorization: Bearer TOKEN, X-API-Key: TOKEN, Basic with the token as password, or " \
  "?api_key=TOKEN"

/* Returns 0 and fills rd when the request carries a token good for the
 * feed; else the HTTP status to refuse it with (401, 403, 503) and why —
 * never the token itself, at most its public id. */
static int authenticate(agg_feed_t *f, const trin_http_request_t *req, reader_t *rd, char *why,
                        size_t whyn) {
  char tok[512];
  memset(rd, 0, sizeof *rd);
  bool have = trin_token_from_http(req, tok, sizeof tok);
  if (!have) have = trin_http_query(req, "api_key", tok, sizeof tok) && tok[0];
  if (!have) {
    snprintf(why, whyn, "a token is needed: " TOKEN_HOW);
    return 401;
  }
  size_t n = strlen(tok);
  int status = 401;
  if (operator_token(f, tok, n)) {
    rd->all = true;
    status = 0;
  } else if (f->store) {
    trin_token_info_t info;
    trin_err_t err = {0};
    int rc = trin_token_verify(f->store, tok, n, TRIN_TOKEN_FEED_READ, &info, &err);
    if (rc == TRIN_OK) {
      snprintf(rd->org, sizeof rd->org, "%s", info.org);
      snprintf(rd->token_id, sizeof rd->token_id, "%s", info.id);
      status = 0;
    } else {
      status = rc == TRIN_EFORBIDDEN ? 403 : rc == TRIN_EUNAUTHENTICATED ? 401 : 503;
      snprintf(why, whyn, "%s", err.message);
    }
  } else {
    snprintf(why, whyn, "the token is not valid here");
  }
  sodium_memzero(tok, sizeof tok);
  return status;
}

static bool row_visible(void *data, const agg_row_t *r) { return agg_viewer_sees(data, r); }

static void viewer_for(agg_feed_t *f, const reader_t *rd, agg_viewer_t *v) {
  agg_viewer_init(v, f->store, rd->all ? NULL : rd->org);
}

/* ---- helpers ---------------------------------------------------------------------- */

static void service_url(const agg_feed_t *f, const trin_http_request_t *req, char *out,
                        size_t n) {
  if (f->public_url[0]) {
    snprintf(out, n, "%s/odata", f->public_url);
    return;
  }
  const char *host = trin_http_header(req, "Host");
  char clean[200];
  size_t k = 0;
  for (const char *p = host ? host : ""; *p && k + 1 < sizeof clean; p++)
    if ((unsigned char)*p > ' ' && *p != '"' && *p != '\\' && *p != '/') clean[k++] = *p;
  clean[k] = '\0';
  snprintf(out, n, "http://%s/odata", k ? clean : "localhost");
}

static bool wants_ieee754(const trin_http_request_t *req) {
  const char *acc = trin_http_header(req, "Accept");
  return acc && strstr(acc, "IEEE754Compatible=true") != NULL;
}

static const char *odata_json_type(bool ieee754) {
  return ieee754 ? "application/json;odata.metadata=minimal;IEEE754Compatible=true;charset=utf-8"
                 : "application/json;odata.metadata=minimal;charset=utf-8";
}

static void odata_fail(agg_feed_t *f, trin_http_response_t *res, int status, const char *code,
                       const char *message, const char *target) {
  trin_buf_t b = {0};
  agg_odata_error(&b, code, message, target);
  trin_http_set_header(res, "OData-Version", "4.0");
  respond(f, EP_ODATA, res, status, "application/json;charset=utf-8", &b);
}

static int cmp_seq(const void *a, const void *b) {
  uint64_t x = (*(agg_row_t *const *)a)->seq, y = (*(agg_row_t *const *)b)->seq;
  return x < y ? -1 : x > y;
}

/* Rows with seq > since, in seq order; caller frees. */
static agg_row_t **rows_since(agg_rows_t *rows, uint64_t since, size_t *n) {
  size_t total = agg_rows_count(rows), m = 0;
  agg_row_t **list = malloc((total ? total : 1) * sizeof *list);
  if (!list) return NULL;
  for (size_t i = 0; i < total; i++) {
    agg_row_t *r = agg_rows_at(rows, i);
    if (r->seq > since) list[m++] = r;
  }
  qsort(list, m, sizeof *list, cmp_seq);
  *n = m;
  return list;
}

static bool parse_seq(const char *s, uint64_t *out) {
  char *end;
  if (!s || !*s) return false;
  while (*s == ' ') s++;
  unsigned long long v = strtoull(s, &end, 10);
  while (*end == ' ') end++;
  if (*end || *s == '-') return false;
  *out = v;
  return true;
}

/* ---- OData ---------------------------------------------------------------------------- */

static void handle_odata(agg_feed_t *f, const reader_t *rd, const trin_http_request_t *req,
                         trin_http_response_t *res) {
  char url[320];
  service_url(f, req, url, sizeof url);
  const char *rest = req->path + 6; /* after "/odata" */
  trin_buf_t b = {0};
  if (!*rest || strcmp(rest, "/") == 0) {
    agg_odata_service_document(url, &b);
    trin_http_set_header(res, "OData-Version", "4.0");
    respond(f, EP_ODATA, res, 200, odata_json_type(false), &b);
    return;
  }
  if (strcmp(rest, "/$metadata") == 0) {
    agg_odata_metadata(&b);
    trin_http_set_header(res, "OData-Version", "4.0");
    respond(f, EP_ODATA, res, 200, "application/xml", &b);
    return;
  }
  agg_odata_query_t q;
  trin_err_t err = {0};
  bool collection = strcmp(rest, "/ProjectStatus") == 0;
  bool count_only = strcmp(rest, "/ProjectStatus/$count") == 0;
  const char *key = NULL;
  char keybuf[200];
  if (!collection && !count_only && strncmp(rest, "/ProjectStatus(", 15) == 0) {
    /* ('id') with '' for a quote */
    const char *p = rest + 15;
    size_t len = strlen(p);
    if (len >= 3 && p[0] == '\'' && p[len - 2] == '\'' && p[len - 1] == ')') {
      size_t k = 0;
      for (size_t i = 1; i < len - 2 && k + 1 < sizeof keybuf; i++) {
        keybuf[k++] = p[i];
        if (p[i] == '\'' && p[i + 1] == '\'') i++;
      }
      keybuf[k] = '\0';
      key = keybuf;
    }
  }
  if (!collection && !count_only && !key) {
    odata_fail(f, res, 404, "NotFound", "there is no such resource; the entity set is ProjectStatus",
               "");
    return;
  }
  if (agg_odata_parse(req->query, &q, &err)) {
    odata_fail(f, res, 400, "BadRequest", err.message, err.field);
    return;
  }
  if (wants_ieee754(req)) q.ieee754 = true;
  agg_viewer_t vw;
  viewer_for(f, rd, &vw);
  if (!rd->all) {
    q.visible = row_visible;
    q.visible_data = &vw;
  }
  int rc;
  if (count_only) {
    size_t n = agg_rows_count(f->rows);
    int64_t c = 0;
    for (size_t i = 0; i < n; i++) {
      const agg_row_t *r = agg_rows_at(f->rows, i);
      c += agg_odata_wanted(&q, r);
    }
    trin_buf_printf(&b, "%lld", (long long)c);
    agg_odata_query_free(&q);
    agg_viewer_free(&vw);
    trin_http_set_header(res, "OData-Version", "4.0");
    respond(f, EP_ODATA, res, 200, "text/plain; charset=utf-8", &b);
    return;
  }
  if (key) rc = agg_odata_entity(f->rows, key, &q, url, &b, &err);
  else rc = agg_odata_page(f->rows, &q, f->page_size, url, &b, &err);
  bool ieee = q.ieee754;
  agg_odata_query_free(&q);
  agg_viewer_free(&vw);
  if (rc) {
    trin_buf_free(&b);
    odata_fail(f, res, rc == TRIN_ENOTFOUND ? 404 : rc == TRIN_EINVALID ? 400 : 500,
               rc == TRIN_ENOTFOUND ? "NotFound" : rc == TRIN_EINVALID ? "BadRequest" : "Internal",
               err.message, err.field);
    return;
  }
  trin_http_set_header(res, "OData-Version", "4.0");
  respond(f, EP_ODATA, res, 200, odata_json_type(ieee), &b);
}

/* ---- JSON, CSV ---------------------------------------------------------------------------- */

static void handle_status(agg_feed_t *f, const reader_t *rd, const trin_http_request_t *req,
                          trin_http_response_t *res) {
  char v[64];
  uint64_t since = 0;
  trin_buf_t b = {0};
  if (trin_http_query(req, "since", v, sizeof v) && !parse_seq(v, &since)) {
    trin_buf_puts(&b, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"since must be a "
                     "sequence number (a whole number >= 0)\",\"target\":\"since\"}}");
    respond(f, EP_STATUS, res, 400, "application/json; charset=utf-8", &b);
    return;
  }
  trin_buf_puts(&b, "{\"rows\":[");
  bool first = true;
  agg_viewer_t vw;
  viewer_for(f, rd, &vw);
  if (since == 0) {
    agg_row_t **sorted = agg_rows_sorted(f->rows);
    size_t n = agg_rows_count(f->rows);
    for (size_t i = 0; sorted && i < n; i++) {
      if (!sorted[i]->seq || !agg_viewer_sees(&vw, sorted[i])) continue;
      if (!first) trin_buf_add(&b, ",", 1);
      agg_json_row(&b, sorted[i], NULL, 0, false, 0);
      first = false;
    }
    if (!sorted) b.failed = true;
  } else {
    size_t n = 0;
    agg_row_t **list = rows_since(f->rows, since, &n);
    for (size_t i = 0; list && i < n; i++) {
      if (!agg_viewer_sees(&vw, list[i])) continue;
      if (!first) trin_buf_add(&b, ",", 1);
      agg_json_row(&b, list[i], NULL, 0, false, 0);
      first = false;
    }
    if (!list) b.failed = true;
    free(list);
  }
  agg_viewer_free(&vw);
  trin_buf_printf(&b, "],\"last_seq\":%llu}", (unsigned long long)agg_rows_max_seq(f->rows));
  respond(f, EP_STATUS, res, 200, "application/json; charset=utf-8", &b);
}

static void bad_request(agg_feed_t *f, int ep, trin_http_response_t *res, const char *msg) {
  trin_buf_t b = {0};
  trin_buf_printf(&b, "%s\n", msg);
  respond(f, ep, res, 400, "text/plain; charset=utf-8", &b);
}

/* ?delimiter=comma|semicolon and ?decimal=point|comma; false after
 * answering 400. */
static bool csv_style(agg_feed_t *f, const trin_http_request_t *req, trin_http_response_t *res,
                      agg_csv_style_t *st) {
  char v[32];
  st->delimiter = ',';
  st->decimal = '.';
  if (trin_http_query(req, "delimiter", v, sizeof v)) {
    if (strcmp(v, "semicolon") == 0 || strcmp(v, ";") == 0) st->delimiter = ';';
    else if (strcmp(v, "comma") != 0 && strcmp(v, ",") != 0) {
      bad_request(f, EP_CSV, res, "delimiter must be comma or semicolon");
      return false;
    }
  }
  if (trin_http_query(req, "decimal", v, sizeof v)) {
    if (strcmp(v, "comma") == 0 || strcmp(v, ",") == 0) st->decimal = ',';
    else if (strcmp(v, "point") != 0 && strcmp(v, ".") != 0) {
      bad_request(f, EP_CSV, res, "decimal must be point or comma");
      return false;
    }
  }
  if (st->decimal == ',' && st->delimiter == ',') {
    bad_request(f, EP_CSV, res,
                "decimal=comma needs delimiter=semicolon: a comma would split the numbers");
    return false;
  }
  return true;
}

static void handle_csv(agg_feed_t *f, const reader_t *rd, const trin_http_request_t *req,
                       trin_http_response_t *res) {
  agg_csv_style_t st;
  if (!csv_style(f, req, res, &st)) return;
  trin_buf_t b = {0};
  /* Excel takes a file without a byte order mark for its local code page
   * (æøå garbled); the semicolon form is the one meant for Excel. */
  if (st.delimiter == ';') trin_buf_add(&b, "\xEF\xBB\xBF", 3);
  agg_csv_header(&b, &st);
  agg_row_t **sorted = agg_rows_sorted(f->rows);
  size_t n = agg_rows_count(f->rows);
  agg_viewer_t vw;
  viewer_for(f, rd, &vw);
  for (size_t i = 0; sorted && i < n; i++)
    if (sorted[i]->seq && agg_viewer_sees(&vw, sorted[i])) agg_csv_row(&b, sorted[i], &st);
  agg_viewer_free(&vw);
  if (!sorted) b.failed = true;
  trin_http_set_header(res, "Content-Disposition", "inline; filename=\"status.csv\"");
  respond(f, EP_CSV, res, 200, "text/csv; charset=utf-8; header=present", &b);
}

/* ---- xlsx ------------------------------------------------------------------------------ */

/* The rows are copied on the loop (0.15 s of CPU for 100,000, less than
 * their CSV); the workbook is built on libuv's thread pool (2.5 s for
 * 100,000) and the answer sent from the loop when it is done. The response keeps its connection alive
 * (trin_http.h): a client gone meanwhile makes the answer a no-op. */
typedef struct {
  uv_work_t work;
  agg_feed_t *feed;
  trin_http_response_t *res;
  agg_xlsx_snapshot_t *snap;
  trin_buf_t body;
  trin_err_t err;
  int rc;
} xlsx_job_t;

static void xlsx_build(uv_work_t *w) {
  xlsx_job_t *j = w->data;
  j->rc = agg_xlsx_write(j->snap, &j->body, &j->err);
}

static void feed_free_if_done(agg_feed_t *f) {
  if (f->timer_closed && f->xlsx_jobs == 0) free(f);
}

static void xlsx_built(uv_work_t *w, int status) {
  xlsx_job_t *j = w->data;
  agg_feed_t *f = j->feed;
  f->xlsx_jobs--;
  agg_xlsx_snapshot_destroy(&j->snap);
  if (status == 0 && j->rc == TRIN_OK) {
    trin_http_set_header(j->res, "Content-Disposition", "attachment; filename=\"status.xlsx\"");
    respond(f, EP_XLSX, j->res, 200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &j->body);
  } else {
    trin_buf_free(&j->body);
    if (status) trin_err_set(&j->err, TRIN_EINTERNAL, "", "the spreadsheet was cancelled");
    trin_log_error("feed: status.xlsx: %s", j->err.message);
    trin_buf_t b = {0};
    trin_buf_printf(&b, "%s\n", j->err.message);
    respond(f, EP_XLSX, j->res, 500, "text/plain; charset=utf-8", &b);
  }
  free(j);
  feed_free_if_done(f);
}

static void handle_xlsx(agg_feed_t *f, const reader_t *rd, trin_http_response_t *res) {
  trin_buf_t b = {0};
  if (f->xlsx_jobs >= XLSX_MAX_JOBS) {
    trin_buf_puts(&b, "other spreadsheets are being made: try again in a few seconds\n");
    trin_http_set_header(res, "Retry-After", "5");
    respond(f, EP_XLSX, res, 503, "text/plain; charset=utf-8", &b);
    return;
  }
  size_t n = agg_rows_count(f->rows);
  xlsx_job_t *j = calloc(1, sizeof *j);
  /* room for every row: an organisation's token sees fewer, but the
   * operator's all, and the copy is the part that holds the loop */
  if (j) j->snap = agg_xlsx_snapshot_new(rd->all ? n : 0);
  agg_row_t **sorted = agg_rows_sorted(f->rows);
  bool ok = j && j->snap && sorted;
  agg_viewer_t vw;
  viewer_for(f, rd, &vw);
  for (size_t i = 0; ok && i < n; i++)
    if (sorted[i]->seq && agg_viewer_sees(&vw, sorted[i]))
      ok = agg_xlsx_snapshot_add(j->snap, sorted[i]);
  agg_viewer_free(&vw);
  if (ok) {
    j->feed = f;
    j->res = res;
    j->work.data = j;
    ok = uv_queue_work(f->loop, &j->work, xlsx_build, xlsx_built) == 0;
  }
  if (!ok) {
    if (j) agg_xlsx_snapshot_destroy(&j->snap);
    free(j);
    b.failed = true; /* answers 500 "out of memory" */
    respond(f, EP_XLSX, res, 500, "text/plain", &b);
    return;
  }
  f->xlsx_jobs++;
}

/* ---- SSE ------------------------------------------------------------------------------------ */

static void sse_event(trin_buf_t *b, const agg_row_t *r) {
  trin_buf_printf(b, "event: status\nid: %llu\ndata: ", (unsigned long long)r->seq);
  agg_json_row(b, r, NULL, 0, false, 0);
  trin_buf_add(b, "\n\n", 2);
}

static void on_stream_closed(void *data, trin_http_stream_t *s) {
  sse_t *c = data;
  agg_feed_t *f = c->feed;
  if (c->prev) c->prev->next = c->next;
  else f->streams = c->next;
  if (c->next) c->next->prev = c->prev;
  f->nstreams--;
  free(c);
  (void)s;
}

static void handle_stream(agg_feed_t *f, const reader_t *rd, const trin_http_request_t *req,
                          trin_http_response_t *res) {
  uint64_t since = 0;
  const char *last = trin_http_header(req, "Last-Event-ID");
  char v[64];
  if (last && *last) {
    if (!parse_seq(last, &since)) since = 0;
  } else if (trin_http_query(req, "since", v, sizeof v) && !parse_seq(v, &since)) {
    trin_buf_t b = {0};
    trin_buf_puts(&b, "since must be a sequence number\n");
    respond(f, EP_STREAM, res, 400, "text/plain; charset=utf-8", &b);
    return;
  }
  sse_t *c = calloc(1, sizeof *c);
  if (!c) {
    trin_buf_t b = {.failed = true};
    respond(f, EP_STREAM, res, 500, "text/plain", &b);
    return;
  }
  count(f, EP_STREAM, 200);
  c->feed = f;
  c->reader = *rd;
  trin_http_set_header(res, "X-Accel-Buffering", "no");
  c->stream = trin_http_stream_start(res, "text/event-stream; charset=utf-8", on_stream_closed, c);
  if (!c->stream) {
    free(c);
    return;
  }
  c->next = f->streams;
  if (f->streams) f->streams->prev = c;
  f->streams = c;
  f->nstreams++;
  /* What the client has not seen yet: every row changed after `since`,
   * each in its current state, in seq order. */
  trin_buf_t b = {0};
  /* The leading "\n" completes the response head: trin_http_stream_start
   * (common/trin_http.c) writes its final CRLF as "\r" only (a length of
   * 45 for 46 bytes). Once that is fixed the "\n" is an empty line, which
   * SSE readers skip. */
  trin_buf_puts(&b, "\nretry: 2000\n\n");
  size_t n = 0;
  agg_row_t **list = rows_since(f->rows, since, &n);
  agg_viewer_t vw;
  viewer_for(f, rd, &vw);
  for (size_t i = 0; list && i < n; i++) {
    if (!agg_viewer_sees(&vw, list[i])) continue;
    sse_event(&b, list[i]);
    if (b.len > (256u << 10)) {
      if (!trin_http_stream_write(c->stream, b.data, b.len)) {
        free(list);
        trin_buf_free(&b);
        agg_viewer_free(&vw);
        return; /* closed: on_stream_closed freed c */
      }
      b.len = 0;
    }
  }
  agg_viewer_free(&vw);
  free(list);
  if (b.len) trin_http_stream_write(c->stream, b.data, b.len);
  trin_buf_free(&b);
}

void agg_feed_rows_changed(agg_feed_t *f, agg_row_t *const *rows, size_t n) {
  if (!f || !f->streams || n == 0) return;
  /* Every row once for the operator's streams; each organisation's stream
   * gets only the rows it may see (asked afresh per batch: membership may
   * have changed with the same batch). */
  trin_buf_t all = {0};
  bool all_made = false;
  for (sse_t *c = f->streams, *next; c; c = next) {
    next = c->next;
    if (c->reader.all) {
      if (!all_made) {
        for (size_t i = 0; i < n; i++) sse_event(&all, rows[i]);
        all_made = true;
      }
      if (!all.failed && all.len)
        trin_http_stream_write(c->stream, all.data, all.len); /* a failure closes and frees c */
      continue;
    }
    trin_buf_t b = {0};
    agg_viewer_t vw;
    viewer_for(f, &c->reader, &vw);
    for (size_t i = 0; i < n; i++)
      if (agg_viewer_sees(&vw, rows[i])) sse_event(&b, rows[i]);
    agg_viewer_free(&vw);
    if (!b.failed && b.len) trin_http_stream_write(c->stream, b.data, b.len);
    trin_buf_free(&b);
  }
  trin_buf_free(&all);
}

void agg_feed_token_revoked(agg_feed_t *f, const char *token_id) {
  if (!f || !token_id || !*token_id) return;
  for (sse_t *c = f->streams, *next; c; c = next) {
    next = c->next;
    if (strcmp(c->reader.token_id, token_id) == 0) trin_http_stream_close(c->stream);
  }
}

static void on_heartbeat(uv_timer_t *t) {
  agg_feed_t *f = t->data;
  for (sse_t *c = f->streams, *next; c; c = next) {
    next = c->next;
    trin_http_stream_write(c->stream, ": heartbeat\n\n", 13);
  }
}

/* ---- metrics, health, dashboard ---------------------------------------------------------------- */

static void handle_metrics(agg_feed_t *f, trin_http_response_t *res) {
  trin_buf_t b = {0};
  trin_buf_printf(&b,
                 "# HELP trin_aggregator_rows Status rows held (one per project).\n"
                 "# TYPE trin_aggregator_rows gauge\n"
                 "trin_aggregator_rows %zu\n"
                 "# HELP trin_aggregator_row_seq The newest row sequence number.\n"
                 "# TYPE trin_aggregator_row_seq gauge\n"
                 "trin_aggregator_row_seq %llu\n"
                 "# HELP trin_aggregator_sse_clients Server-Sent Events streams open.\n"
                 "# TYPE trin_aggregator_sse_clients gauge\n"
                 "trin_aggregator_sse_clients %zu\n",
                 agg_rows_count(f->rows), (unsigned long long)agg_rows_max_seq(f->rows),
                 f->nstreams);
  if (f->hooks.metrics) f->hooks.metrics(f->hooks.data, &b);
  trin_buf_puts(&b, "# HELP trin_aggregator_http_requests_total HTTP requests answered, by "
                   "endpoint and status code.\n"
                   "# TYPE trin_aggregator_http_requests_total counter\n");
  /* (requests answered before this one) */
  for (int k = 0; k < f->ncodes; k++)
    for (int e = 0; e < EP_N; e++)
      if (f->counts[k].n[e])
        trin_buf_printf(&b, "trin_aggregator_http_requests_total{endpoint=\"%s\",code=\"%d\"} %llu\n",
                       ENDPOINTS[e], f->counts[k].code, (unsigned long long)f->counts[k].n[e]);
  respond(f, EP_METRICS, res, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

static void handle_health(agg_feed_t *f, trin_http_response_t *res) {
  trin_buf_t b = {0};
  trin_buf_printf(&b, "{\"status\":\"ok\",\"rows\":%zu", agg_rows_count(f->rows));
  if (f->hooks.health) f->hooks.health(f->hooks.data, &b);
  trin_buf_puts(&b, "}");
  respond(f, EP_HEALTHZ, res, 200, "application/json; charset=utf-8", &b);
}

static bool serve_file(agg_feed_t *f, const char *path, trin_http_response_t *res) {
  if (strcmp(path, "/") == 0) path = "/index.html";
  for (size_t i = 0; i < AGG_WEB_NFILES; i++) {
    if (strcmp(AGG_WEB_FILES[i].path, path) != 0) continue;
    count(f, EP_DASHBOARD, 200);
    trin_http_set_header(res, "Cache-Control", "no-cache");
    trin_http_set_header(res, "Content-Security-Policy",
                         "default-src 'self'; style-src 'self' 'unsafe-inline'");
    trin_http_respond(res, 200, AGG_WEB_FILES[i].content_type, AGG_WEB_FILES[i].data,
                      AGG_WEB_FILES[i].len);
    return true;
  }
  return false;
}

/* ---- routing ---------------------------------------------------------------------------------- */

static int endpoint_of(const char *path) {
  if (strcmp(path, "/healthz") == 0) return EP_HEALTHZ;
  if (strcmp(path, "/metrics") == 0) return EP_METRICS;
  if (strcmp(path, "/odata") == 0 || strncmp(path, "/odata/", 7) == 0) return EP_ODATA;
  if (strcmp(path, "/api/v1/status") == 0) return EP_STATUS;
  if (strcmp(path, "/api/v1/status.csv") == 0) return EP_CSV;
  if (strcmp(path, "/api/v1/status.xlsx") == 0) return EP_XLSX;
  if (strcmp(path, "/api/v1/stream") == 0) return EP_STREAM;
  return EP_DASHBOARD;
}

static void handler(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  agg_feed_t *f = data;
  int ep = endpoint_of(req->path);
  /* The path only: the query may hold the api_key. */
  trin_log_debug("http %s %s from %s", req->method, req->path, req->peer);
  if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
    trin_buf_t b = {0};
    trin_buf_puts(&b, "the status feed is read-only: use GET\n");
    trin_http_set_header(res, "Allow", "GET, HEAD");
    respond(f, ep, res, 405, "text/plain; charset=utf-8", &b);
    return;
  }
  if (ep == EP_HEALTHZ) {
    handle_health(f, res);
    return;
  }
  /* The page's script and stylesheet hold no data and the browser fetches
   * them without the page's ?api_key=: served without the token (a 401
   * with a Basic challenge would stall the page on a password prompt).
   * The page itself and every data endpoint need the token. */
  if (ep == EP_DASHBOARD && strcmp(req->path, "/") != 0 &&
      strcmp(req->path, "/index.html") != 0 && serve_file(f, req->path, res))
    return;
  reader_t rd;
  char why[TRIN_ERR_MESSAGE_MAX];
  int refused = authenticate(f, req, &rd, why, sizeof why);
  if (!refused && ep == EP_METRICS && !rd.all) {
    refused = 403;
    snprintf(why, sizeof why, "/metrics is for the operator's token");
  }
  if (refused) {
    if (refused == 401) f->unauthorised++;
    trin_log_debug("http %s %s from %s refused (%d): %s", req->method, req->path, req->peer,
                   refused, why);
    trin_buf_t b = {0};
    if (refused == 401) {
      trin_http_set_header(res, "WWW-Authenticate", "Bearer realm=\"trin\"");
      trin_http_set_header(res, "WWW-Authenticate", "Basic realm=\"trin\", charset=\"UTF-8\"");
    }
    if (ep == EP_ODATA) {
      agg_odata_error(&b, refused == 401 ? "Unauthorized" : refused == 403 ? "Forbidden"
                                                                           : "Unavailable",
                      why, "");
      trin_http_set_header(res, "OData-Version", "4.0");
      respond(f, ep, res, refused, "application/json;charset=utf-8", &b);
    } else {
      trin_buf_printf(&b, "%s\n", why);
      respond(f, ep, res, refused, "text/plain; charset=utf-8", &b);
    }
    return;
  }
  switch (ep) {
    case EP_METRICS: handle_metrics(f, res); return;
    case EP_ODATA: handle_odata(f, &rd, req, res); return;
    case EP_STATUS: handle_status(f, &rd, req, res); return;
    case EP_CSV: handle_csv(f, &rd, req, res); return;
    case EP_XLSX: handle_xlsx(f, &rd, res); return;
    case EP_STREAM: handle_stream(f, &rd, req, res); return;
    default: break;
  }
  if (serve_file(f, req->path, res)) return;
  trin_buf_t b = {0};
  trin_buf_puts(&b, "not found: the feed is at /odata/, /api/v1/status, /api/v1/status.csv, "
                   "/api/v1/status.xlsx, /api/v1/stream, /metrics, /healthz and the "
                   "dashboard at /\n");
  respond(f, EP_OTHER, res, 404, "text/plain; charset=utf-8", &b);
}

/* ---- life cycle ----------------------------------------------------------------------------------- */

int agg_feed_new(uv_loop_t *loop, agg_rows_t *rows, const agg_feed_options_t *opt,
                 const agg_feed_hooks_t *hooks, agg_feed_t **out, trin_err_t *err) {
  if (sodium_init() < 0) return trin_err_set(err, TRIN_EINTERNAL, "", "libsodium did not start");
  bool has_operator = opt->token && *opt->token;
  if (!has_operator && !opt->store)
    return trin_err_set(err, TRIN_EINVALID, "token",
                        "the feed needs the operator's token (set token = ... or TRIN_TOKEN) "
                        "or organisations' tokens");
  agg_feed_t *f = calloc(1, sizeof *f);
  if (!f) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  f->loop = loop;
  f->rows = rows;
  if (hooks) f->hooks = *hooks;
  f->has_operator_token = has_operator;
  f->store = opt->store;
  if (has_operator) hash_token(opt->token, strlen(opt->token), f->token_hash);
  f->page_size = opt->page_size > 0 ? opt->page_size : 1000;
  snprintf(f->public_url, sizeof f->public_url, "%s", opt->public_url ? opt->public_url : "");
  size_t pl = strlen(f->public_url);
  while (pl && f->public_url[pl - 1] == '/') f->public_url[--pl] = '\0';
  trin_http_options_t ho = {.address = opt->address};
  int rc = trin_http_server_new(loop, &ho, handler, f, &f->http, err);
  if (rc) {
    free(f);
    return rc;
  }
  uv_timer_init(loop, &f->heartbeat);
  f->heartbeat.data = f;
  int hb = opt->heartbeat_ms > 0 ? opt->heartbeat_ms : 15000;
  uv_timer_start(&f->heartbeat, on_heartbeat, (uint64_t)hb, (uint64_t)hb);
  *out = f;
  return TRIN_OK;
}

static void on_timer_closed(uv_handle_t *h) {
  agg_feed_t *f = h->data;
  f->timer_closed = true;
  feed_free_if_done(f); /* else the last workbook's answer frees it */
}

void agg_feed_destroy(agg_feed_t **fp) {
  if (!fp || !*fp) return;
  agg_feed_t *f = *fp;
  *fp = NULL;
  trin_http_server_destroy(&f->http); /* closes the streams: on_stream_closed frees them */
  uv_timer_stop(&f->heartbeat);
  uv_close((uv_handle_t *)&f->heartbeat, on_timer_closed);
}

void agg_feed_set_rows(agg_feed_t *f, agg_rows_t *rows) {
  if (f) f->rows = rows;
}

int agg_feed_port(const agg_feed_t *f) { return trin_http_server_port(f->http); }
