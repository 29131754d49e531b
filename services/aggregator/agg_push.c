/* agg_push — see agg_push.h. */
#include "agg_push.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agg_store.h"
#include "trin_log.h"
#include "trin_metrics.h"

/* ---- the rules ------------------------------------------------------------------------ */

void agg_push_options_defaults(agg_push_options_t *o) {
  if (!o->table || !*o->table) o->table = "ProjectStatus";
  if (o->max_rows <= 0 || o->max_rows > 10000) o->max_rows = 10000;
  if (o->window_posts <= 0) o->window_posts = 120;
  if (o->window_ms <= 0) o->window_ms = 60000;
  if (o->max_pending <= 0) o->max_pending = 5;
  if (o->max_string <= 0) o->max_string = 4000;
  if (o->backoff_min_ms <= 0) o->backoff_min_ms = 1000;
  if (o->backoff_max_ms <= 0) o->backoff_max_ms = 60000;
  if (o->backoff_max_ms < o->backoff_min_ms) o->backoff_max_ms = o->backoff_min_ms;
  if (o->timeout_ms <= 0) o->timeout_ms = 30000;
}

uint64_t agg_push_backoff_ms(int failures, int min_ms, int max_ms) {
  if (failures < 1) return 0;
  uint64_t d = (uint64_t)(min_ms > 0 ? min_ms : 1);
  for (int i = 1; i < failures && d < (uint64_t)max_ms; i++) d *= 2;
  return d > (uint64_t)max_ms ? (uint64_t)max_ms : d;
}

static int month_of(const char *m) {
  static const char *const M[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; i++)
    if (strncasecmp(m, M[i], 3) == 0) return i;
  return -1;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t agg_push_retry_after_ms(const char *v, int64_t now) {
  if (!v) return -1;
  while (*v == ' ' || *v == '\t') v++;
  if (isdigit((unsigned char)*v)) {
    char *end;
    unsigned long long s = strtoull(v, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    if (*end || s > 86400ull * 7) return -1;
    return (int64_t)s * 1000;
  }
  /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
  char wd[4], mon[4], zone[4];
  int d, y, hh, mm, ss;
  if (sscanf(v, "%3s, %d %3s %d %d:%d:%d %3s", wd, &d, mon, &y, &hh, &mm, &ss, zone) != 8)
    return -1;
  int m = month_of(mon);
  if (m < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return -1;
  int64_t t = days_from_civil(y, m + 1, d) * 86400 + hh * 3600 + mm * 60 + ss;
  return t <= now ? 0 : (t - now) * 1000;
}

int agg_push_window_init(agg_push_window_t *w, int limit, uint64_t window_ms) {
  memset(w, 0, sizeof *w);
  w->starts = calloc((size_t)(limit > 0 ? limit : 1), sizeof *w->starts);
  if (!w->starts) return TRIN_EINTERNAL;
  w->limit = limit > 0 ? limit : 1;
  w->window_ms = window_ms;
  return TRIN_OK;
}

void agg_push_window_free(agg_push_window_t *w) {
  free(w->starts);
  w->starts = NULL;
}

/* Invariant: the ring holds the start times of the last min(n, limit)
 * POSTs, the oldest at `head` once it is full. A new POST may start when
 * fewer than `limit` started in the window before now, i.e. when the
 * limit-th most recent start is at least window_ms old. */
uint64_t agg_push_window_wait(const agg_push_window_t *w, uint64_t now) {
  if (w->n < w->limit) return 0;
  uint64_t oldest = w->starts[w->head];
  return oldest + w->window_ms > now ? oldest + w->window_ms - now : 0;
}

int agg_push_window_count(const agg_push_window_t *w, uint64_t now) {
  int n = 0;
  for (int i = 0; i < w->n; i++) {
    uint64_t t = w->starts[(w->head + i) % w->limit];
    if (t + w->window_ms > now) n++;
  }
  return n;
}

void agg_push_window_note(agg_push_window_t *w, uint64_t now) {
  if (w->n < w->limit) {
    w->starts[(w->head + w->n++) % w->limit] = now;
  } else {
    w->starts[w->head] = now;
    w->head = (w->head + 1) % w->limit;
  }
}

void agg_push_target_url(const char *url, const char *table, char *out, size_t n) {
  const char *q = strchr(url, '?');
  size_t base = q ? (size_t)(q - url) : strlen(url);
  bool has_rows = false;
  for (size_t i = 0; i + 5 <= base; i++)
    if (strncmp(url + i, "/rows", 5) == 0 && (i + 5 == base || url[i + 5] == '/')) has_rows = true;
  if (has_rows) {
    snprintf(out, n, "%s", url);
    return;
  }
  while (base && url[base - 1] == '/') base--;
  snprintf(out, n, "%.*s/tables/%s/rows%s", (int)base, url, table, q ? q : "");
}

void agg_push_target_name(const char *url, char *out, size_t n) {
  const char *scheme_end = strstr(url, "://");
  const char *rest = scheme_end ? scheme_end + 3 : url;
  size_t slen = scheme_end ? (size_t)(rest - url) : 0;
  /* drop user info */
  const char *at = strchr(rest, '@');
  const char *slash = strchr(rest, '/');
  if (at && (!slash || at < slash)) rest = at + 1;
  size_t len = strcspn(rest, "?#");
  snprintf(out, n, "%.*s%.*s", (int)slen, url, (int)len, rest);
}

/* ---- the sender -------------------------------------------------------------------------- */

typedef struct {
  char *project_id;
  uint64_t seq;  /* the row's seq when its state went into the body */
} entry_t;

typedef struct target target_t;

typedef struct batch {
  target_t *t;
  CURL *easy;
  struct curl_slist *headers;
  trin_buf_t body;
  entry_t *e;
  size_t n, cap;
  char retry_after[64];
  char answer[256];  /* the first bytes of the response, for the log */
  size_t answer_len;
  struct batch *prev, *next;
} batch_t;

struct target {
  agg_push_t *p;
  char url[2048];
  char name[512];
  agg_push_window_t window;
  uint64_t taken;        /* entries with seq <= taken are in a batch in flight */
  bool has_work;         /* the queue may hold entries after `taken` */
  bool rewind;           /* a batch failed: start again from the queue's head */
  int failures;          /* consecutive */
  uint64_t blocked_until;
  batch_t *inflight;
  agg_push_target_stats_t st;
};

typedef struct sock {
  agg_push_t *p;
  uv_poll_t poll;
  curl_socket_t fd;
  struct sock *prev, *next;
} sock_t;

struct agg_push {
  uv_loop_t *loop;
  trin_store_t *store;
  agg_rows_t *rows;
  agg_push_options_t opt;
  char table[128];
  target_t *targets;
  int ntargets;
  CURLM *multi;
  uv_timer_t curl_timer;  /* curl's timeouts */
  uv_timer_t wake;        /* the end of a back-off, a Retry-After or a full window */
  sock_t *socks;
  int open_handles;
  bool closing;
  /* the batch being filled by peek */
  batch_t *filling;
};

static void maybe_free(agg_push_t *p) {
  if (!p->closing || p->open_handles > 0) return;
  for (int i = 0; i < p->ntargets; i++) agg_push_window_free(&p->targets[i].window);
  free(p->targets);
  free(p);
}

static void on_handle_closed(uv_handle_t *h) {
  agg_push_t *p = h->data;
  p->open_handles--;
  maybe_free(p);
}

static void on_sock_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  agg_push_t *p = s->p;
  free(s);
  p->open_handles--;
  maybe_free(p);
}

static void sock_close(sock_t *s) {
  agg_push_t *p = s->p;
  if (s->prev) s->prev->next = s->next;
  else p->socks = s->next;
  if (s->next) s->next->prev = s->prev;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void batch_free(batch_t *b) {
  for (size_t i = 0; i < b->n; i++) free(b->e[i].project_id);
  free(b->e);
  trin_buf_free(&b->body);
  curl_slist_free_all(b->headers);
  if (b->easy) curl_easy_cleanup(b->easy);
  free(b);
}

static void batch_unlink(batch_t *b) {
  target_t *t = b->t;
  if (b->prev) b->prev->next = b->next;
  else t->inflight = b->next;
  if (b->next) b->next->prev = b->prev;
  t->st.pending--;
}

/* Removes the sent entries from the queue in one transaction. */
static void batch_done(agg_push_t *p, batch_t *b) {
  trin_err_t err = {0};
  int rc = trin_store_begin(p->store, &err);
  for (size_t i = 0; i < b->n && !rc; i++)
    rc = agg_store_push_done(p->store, b->t->name, b->e[i].project_id, b->e[i].seq, &err);
  if (!rc) rc = trin_store_commit(p->store, &err);
  if (rc) {
    /* They stay queued and go again: at-least-once. */
    trin_log_error("push %s: removing %zu sent rows from the queue failed: %s", b->t->name,
                   b->n, err.message);
    if (trin_store_in_transaction(p->store)) trin_store_rollback(p->store, &err);
    b->t->rewind = true;
  }
}

static void batch_finished(agg_push_t *p, batch_t *b, CURLcode res) {
  target_t *t = b->t;
  long status = 0;
  curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
  uint64_t now = uv_now(p->loop);
  batch_unlink(b);
  if (res == CURLE_OK && status >= 200 && status < 300) {
    t->st.posts_ok++;
    t->st.rows_sent += b->n;
    t->failures = 0;
    batch_done(p, b);
    trin_log_debug("push %s: %zu rows delivered (HTTP %ld)", t->name, b->n, status);
  } else {
    t->failures++;
    uint64_t wait = agg_push_backoff_ms(t->failures, p->opt.backoff_min_ms, p->opt.backoff_max_ms);
    if (res != CURLE_OK) {
      t->st.transport_errors++;
      trin_log_warn("push %s: %s; %zu rows stay queued, retry in %llu ms", t->name,
                    curl_easy_strerror(res), b->n, (unsigned long long)wait);
    } else if (status == 429) {
      t->st.throttled++;
      int64_t ra = agg_push_retry_after_ms(b->retry_after[0] ? b->retry_after : NULL,
                                           (int64_t)time(NULL));
      if (ra >= 0) wait = (uint64_t)ra;
      trin_log_warn("push %s: throttled (429, Retry-After %s); waiting %llu ms", t->name,
                    b->retry_after[0] ? b->retry_after : "absent", (unsigned long long)wait);
    } else if (status >= 500) {
      t->st.server_errors++;
      trin_log_warn("push %s: HTTP %ld; %zu rows stay queued, retry in %llu ms", t->name, status,
                    b->n, (unsigned long long)wait);
    } else {
      t->st.client_errors++;
      trin_log_error("push %s: HTTP %ld (%.*s); %zu rows stay queued, retry in %llu ms "
                     "(check the dataset's schema and the push URL's key)",
                     t->name, status, (int)b->answer_len, b->answer, b->n,
                     (unsigned long long)wait);
    }
    if (now + wait > t->blocked_until) t->blocked_until = now + wait;
    t->rewind = true;
  }
  batch_free(b);
}

static void check_done(agg_push_t *p) {
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(p->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    batch_t *b = NULL;
    CURL *e = m->easy_handle;
    CURLcode res = m->data.result;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&b);
    curl_multi_remove_handle(p->multi, e);
    batch_finished(p, b, res);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  sock_t *s = h->data;
  agg_push_t *p = s->p;
  int flags = 0;
  if (status < 0) flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  int running;
  curl_multi_socket_action(p->multi, s->fd, flags, &running); /* may close s */
  check_done(p);
}

static void on_curl_timeout(uv_timer_t *h) {
  agg_push_t *p = h->data;
  int running;
  curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(p);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp) {
  (void)e;
  agg_push_t *p = userp;
  sock_t *s = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (s) {
      sock_close(s);
      if (!p->closing) curl_multi_assign(p->multi, fd, NULL);
    }
    return 0;
  }
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->p = p;
    s->fd = fd;
    if (uv_poll_init_socket(p->loop, &s->poll, fd)) {
      free(s);
      return -1;
    }
    s->poll.data = s;
    p->open_handles++;
    s->next = p->socks;
    if (p->socks) p->socks->prev = s;
    p->socks = s;
    curl_multi_assign(p->multi, fd, s);
  }
  int ev = 0;
  if (what & CURL_POLL_IN) ev |= UV_READABLE;
  if (what & CURL_POLL_OUT) ev |= UV_WRITABLE;
  uv_poll_start(&s->poll, ev, on_poll);
  return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp) {
  (void)m;
  agg_push_t *p = userp;
  if (p->closing) return 0;
  if (timeout_ms < 0) uv_timer_stop(&p->curl_timer);
  else uv_timer_start(&p->curl_timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
  return 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg) {
  batch_t *b = arg;
  size_t len = size * n;
  if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
    size_t skip = 12;
    while (skip < len && (data[skip] == ' ' || data[skip] == '\t')) skip++;
    size_t k = len - skip;
    if (k >= sizeof b->retry_after) k = sizeof b->retry_after - 1;
    memcpy(b->retry_after, data + skip, k);
    b->retry_after[k] = '\0';
    while (k && (b->retry_after[k - 1] == '\r' || b->retry_after[k - 1] == '\n' ||
                 b->retry_after[k - 1] == ' '))
      b->retry_after[--k] = '\0';
  } else if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    b->retry_after[0] = '\0'; /* a new response (after 100 Continue) */
  }
  return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  batch_t *b = arg;
  size_t len = size * n, room = sizeof b->answer - b->answer_len;
  size_t k = len < room ? len : room;
  for (size_t i = 0; i < k; i++) {
    char c = data[i];
    b->answer[b->answer_len++] = (c >= 32 && c < 127) ? c : ' ';
  }
  return len;
}

static void on_peek(void *data, const char *project_id, uint64_t seq) {
  agg_push_t *p = data;
  batch_t *b = p->filling;
  target_t *t = b->t;
  if (seq > t->taken) t->taken = seq;
  if (b->body.failed) return;
  agg_row_t *r = agg_rows_find(p->rows, project_id);
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    entry_t *e = realloc(b->e, cap * sizeof *e);
    if (!e) {
      b->body.failed = true;
      return;
    }
    b->e = e;
    b->cap = cap;
  }
  /* A row the table no longer holds (cannot happen: rows are never
   * deleted) leaves the queue with the batch, carrying nothing. */
  b->e[b->n].project_id = strdup(project_id);
  if (!b->e[b->n].project_id) {
    b->body.failed = true;
    return;
  }
  b->e[b->n].seq = r && r->seq > seq ? r->seq : seq;
  b->n++;
  if (!r) return;
  if (b->body.len > 9) trin_buf_add(&b->body, ",", 1);
  agg_json_row(&b->body, r, NULL, 0, false, (size_t)p->opt.max_string);
}

/* Takes the next batch of t's queue and starts its POST; false when there
 * is nothing to send (or it could not start). */
static bool start_batch(agg_push_t *p, target_t *t) {
  batch_t *b = calloc(1, sizeof *b);
  if (!b) return false;
  b->t = t;
  trin_buf_puts(&b->body, "{\"rows\":[");
  p->filling = b;
  trin_err_t err = {0};
  uint64_t taken_before = t->taken;
  int rc = agg_store_push_peek(p->store, t->name, t->taken, p->opt.max_rows, on_peek, p, &err);
  p->filling = NULL;
  trin_buf_puts(&b->body, "]}");
  if (rc || b->body.failed || b->n == 0) {
    if (rc) trin_log_error("push %s: reading the queue failed: %s", t->name, err.message);
    else if (b->body.failed) trin_log_error("push %s: out of memory building a batch", t->name);
    if (rc || b->body.failed) {
      t->taken = taken_before;
      uint64_t now = uv_now(p->loop);
      t->failures++;
      t->blocked_until = now + agg_push_backoff_ms(t->failures, p->opt.backoff_min_ms,
                                                   p->opt.backoff_max_ms);
    } else {
      t->has_work = false;
    }
    batch_free(b);
    return false;
  }
  b->easy = curl_easy_init();
  b->headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
  if (b->headers) b->headers = curl_slist_append(b->headers, "Expect:");
  if (!b->easy || !b->headers) {
    t->taken = taken_before;
    batch_free(b);
    return false;
  }
  CURL *e = b->easy;
  curl_easy_setopt(e, CURLOPT_URL, t->url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, b->body.data);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->body.len);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, b->headers);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)p->opt.timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)p->opt.timeout_ms);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "trin-aggregator");
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, b);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
  curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)b);
  if (curl_multi_add_handle(p->multi, e) != CURLM_OK) {
    t->taken = taken_before;
    batch_free(b);
    return false;
  }
  b->next = t->inflight;
  if (t->inflight) t->inflight->prev = b;
  t->inflight = b;
  t->st.pending++;
  if (t->st.pending > t->st.max_pending_seen) t->st.max_pending_seen = t->st.pending;
  t->st.posts++;
  agg_push_window_note(&t->window, uv_now(p->loop));
  int in_window = agg_push_window_count(&t->window, uv_now(p->loop));
  if (in_window > t->st.max_in_window) t->st.max_in_window = in_window;
  trin_log_debug("push %s: POST of %zu rows (seq up to %llu)", t->name, b->n,
                 (unsigned long long)t->taken);
  return true;
}

static void on_wake(uv_timer_t *h) {
  agg_push_pump(h->data);
}

void agg_push_pump(agg_push_t *p) {
  if (!p || p->closing) return;
  uint64_t now = uv_now(p->loop), wake = 0;
  for (int i = 0; i < p->ntargets; i++) {
    target_t *t = &p->targets[i];
    if (t->rewind) {
      if (t->st.pending > 0) continue; /* rewind once every batch has answered */
      t->rewind = false;
      t->taken = 0;
      t->has_work = true;
    }
    if (!t->has_work) continue;
    if (t->blocked_until > now) {
      uint64_t w = t->blocked_until - now;
      if (!wake || w < wake) wake = w;
      continue;
    }
    while (t->has_work && t->st.pending < p->opt.max_pending) {
      uint64_t w = agg_push_window_wait(&t->window, now);
      if (w) {
        t->st.window_waits++;
        if (!wake || w < wake) wake = w;
        break;
      }
      if (!start_batch(p, t)) break;
    }
    if (t->has_work && t->blocked_until > now) {
      uint64_t w = t->blocked_until - now;
      if (!wake || w < wake) wake = w;
    }
  }
  if (wake) uv_timer_start(&p->wake, on_wake, wake, 0);
}

int agg_push_enqueue(agg_push_t *p, trin_store_t *st, const agg_row_t *r, trin_err_t *err) {
  if (!p) return TRIN_OK;
  for (int i = 0; i < p->ntargets; i++) {
    int rc = agg_store_push_enqueue(st, p->targets[i].name, r->project_id, r->seq, err);
    if (rc) return rc;
    p->targets[i].has_work = true;
  }
  return TRIN_OK;
}

/* ---- life cycle ----------------------------------------------------------------------------- */

static int add_target(agg_push_t *p, const char *url, size_t len, trin_err_t *err) {
  while (len && (*url == ' ' || *url == '\t')) url++, len--;
  while (len && (url[len - 1] == ' ' || url[len - 1] == '\t')) len--;
  if (!len) return TRIN_OK;
  if (p->ntargets == AGG_PUSH_MAX_TARGETS)
    return trin_err_set(err, TRIN_EINVALID, "push-urls", "at most %d push URLs",
                        AGG_PUSH_MAX_TARGETS);
  char raw[2048];
  if (len >= sizeof raw) return trin_err_set(err, TRIN_EINVALID, "push-urls", "a URL is too long");
  memcpy(raw, url, len);
  raw[len] = '\0';
  if (strncasecmp(raw, "http://", 7) != 0 && strncasecmp(raw, "https://", 8) != 0)
    return trin_err_set(err, TRIN_EINVALID, "push-urls",
                        "push URLs start with https:// (or http://)");
  target_t *t = &p->targets[p->ntargets];
  memset(t, 0, sizeof *t);
  t->p = p;
  agg_push_target_url(raw, p->table, t->url, sizeof t->url);
  agg_push_target_name(t->url, t->name, sizeof t->name);
  for (int i = 0; i < p->ntargets; i++)
    if (strcmp(p->targets[i].name, t->name) == 0)
      return trin_err_set(err, TRIN_EINVALID, "push-urls", "%s is named twice", t->name);
  if (agg_push_window_init(&t->window, p->opt.window_posts, (uint64_t)p->opt.window_ms))
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  t->has_work = true;
  p->ntargets++;
  return TRIN_OK;
}

/* Records the targets; a new one gets every row queued (one transaction). */
static int backfill(agg_push_t *p, trin_err_t *err) {
  int rc = trin_store_begin(p->store, err);
  for (int i = 0; i < p->ntargets && !rc; i++) {
    bool added = false;
    rc = agg_store_push_target_add(p->store, p->targets[i].name, &added, err);
    if (rc || !added) continue;
    size_t n = agg_rows_count(p->rows), queued = 0;
    for (size_t k = 0; k < n && !rc; k++) {
      agg_row_t *r = agg_rows_at(p->rows, k);
      if (!r->seq) continue;
      rc = agg_store_push_enqueue(p->store, p->targets[i].name, r->project_id, r->seq, err);
      queued++;
    }
    if (!rc) trin_log_info("push %s: new target, %zu rows queued", p->targets[i].name, queued);
  }
  if (!rc) return trin_store_commit(p->store, err);
  trin_err_t e2 = {0};
  trin_store_rollback(p->store, &e2);
  return rc;
}

int agg_push_new(uv_loop_t *loop, trin_store_t *store, agg_rows_t *rows,
                 const agg_push_options_t *opt, agg_push_t **out, trin_err_t *err) {
  *out = NULL;
  if (!opt->urls || !*opt->urls) return TRIN_OK;
  agg_push_t *p = calloc(1, sizeof *p);
  if (!p) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  p->loop = loop;
  p->store = store;
  p->rows = rows;
  p->opt = *opt;
  agg_push_options_defaults(&p->opt);
  snprintf(p->table, sizeof p->table, "%s", p->opt.table);
  p->opt.table = p->table;
  p->opt.urls = NULL;
  p->targets = calloc(AGG_PUSH_MAX_TARGETS, sizeof *p->targets);
  int rc = p->targets ? TRIN_OK : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (const char *s = opt->urls; !rc && *s;) {
    size_t len = strcspn(s, ",");
    rc = add_target(p, s, len, err);
    s += len;
    if (*s == ',') s++;
  }
  if (!rc && p->ntargets == 0) {
    free(p->targets);
    free(p);
    return TRIN_OK;
  }
  if (!rc) rc = backfill(p, err);
  if (!rc && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "libcurl did not start");
  if (!rc && !(p->multi = curl_multi_init()))
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "libcurl did not start");
  if (rc) {
    if (p->targets)
      for (int i = 0; i < p->ntargets; i++) agg_push_window_free(&p->targets[i].window);
    free(p->targets);
    free(p);
    return rc;
  }
  curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
  curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
  uv_timer_init(loop, &p->curl_timer);
  p->curl_timer.data = p;
  uv_timer_init(loop, &p->wake);
  p->wake.data = p;
  p->open_handles = 2;
  for (int i = 0; i < p->ntargets; i++)
    trin_log_info("push to %s (at most %d rows per POST, %d POSTs per %d ms, %d pending)",
                  p->targets[i].name, p->opt.max_rows, p->opt.window_posts, p->opt.window_ms,
                  p->opt.max_pending);
  *out = p;
  return TRIN_OK;
}

void agg_push_destroy(agg_push_t **pp) {
  if (!pp || !*pp) return;
  agg_push_t *p = *pp;
  *pp = NULL;
  p->closing = true;
  for (int i = 0; i < p->ntargets; i++) {
    target_t *t = &p->targets[i];
    while (t->inflight) {
      batch_t *b = t->inflight;
      batch_unlink(b);
      curl_multi_remove_handle(p->multi, b->easy);
      batch_free(b);
    }
  }
  curl_multi_cleanup(p->multi);
  p->multi = NULL;
  curl_global_cleanup();
  while (p->socks) sock_close(p->socks);
  uv_timer_stop(&p->curl_timer);
  uv_timer_stop(&p->wake);
  uv_close((uv_handle_t *)&p->curl_timer, on_handle_closed);
  uv_close((uv_handle_t *)&p->wake, on_handle_closed);
}

void agg_push_set_rows(agg_push_t *p, agg_rows_t *rows) {
  if (p) p->rows = rows;
}


agg_push_target_stats_t agg_push_target_stats(agg_push_t *p, int i) {
  agg_push_target_stats_t s = p->targets[i].st;
  trin_err_t err = {0};
  if (agg_store_push_depth(p->store, p->targets[i].name, &s.depth, &err)) s.depth = -1;
  return s;
}

void agg_push_metrics(agg_push_t *p, trin_buf_t *b) {
  if (!p) return;
  agg_push_target_stats_t s[AGG_PUSH_MAX_TARGETS];
  for (int i = 0; i < p->ntargets; i++) s[i] = agg_push_target_stats(p, i);
#define PUSH_METRIC(metric, type, help, field, fmt, cast)                                     \
  do {                                                                                        \
    trin_buf_puts(b, "# HELP " metric " " help "\n# TYPE " metric " " type "\n");              \
    for (int i = 0; i < p->ntargets; i++) {                                                   \
      trin_buf_puts(b, metric "{target=\"");                                                  \
      trin_metrics_escape_label(b, p->targets[i].name);                                       \
      trin_buf_printf(b, "\"} " fmt "\n", (cast)s[i].field);                                   \
    }                                                                                         \
  } while (0)
  PUSH_METRIC("trin_aggregator_push_queue_depth", "gauge",
              "Rows queued for a Power BI push target.", depth, "%lld", long long);
  PUSH_METRIC("trin_aggregator_push_pending", "gauge", "POSTs in flight.", pending, "%d", int);
  PUSH_METRIC("trin_aggregator_push_posts_total", "counter", "POSTs started.", posts, "%llu",
              unsigned long long);
  PUSH_METRIC("trin_aggregator_push_posts_ok_total", "counter", "POSTs answered 2xx.", posts_ok,
              "%llu", unsigned long long);
  PUSH_METRIC("trin_aggregator_push_rows_total", "counter", "Rows delivered (2xx).", rows_sent,
              "%llu", unsigned long long);
  PUSH_METRIC("trin_aggregator_push_throttled_total", "counter", "POSTs answered 429.",
              throttled, "%llu", unsigned long long);
  PUSH_METRIC("trin_aggregator_push_server_errors_total", "counter", "POSTs answered 5xx.",
              server_errors, "%llu", unsigned long long);
  PUSH_METRIC("trin_aggregator_push_client_errors_total", "counter",
              "POSTs answered 4xx other than 429 (kept and retried).", client_errors, "%llu",
              unsigned long long);
  PUSH_METRIC("trin_aggregator_push_transport_errors_total", "counter",
              "POSTs that got no answer (refused, timeout, TLS).", transport_errors, "%llu",
              unsigned long long);
  PUSH_METRIC("trin_aggregator_push_window_waits_total", "counter",
              "Times a POST waited for the rate window (POSTs per minute).", window_waits,
              "%llu", unsigned long long);
#undef PUSH_METRIC
}
