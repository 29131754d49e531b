/* agg_service — see agg_service.h. */
#include "agg_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_access.h"
#include "agg_events.h"
#include "agg_handlers.h"
#include "agg_store.h"
#include "lifecycle_membership.h"
#include "trin/aggregator.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_access.h"
#include "trin_arena.h"
#include "trin_codec.h"
#include "trin_cursor.h"
#include "trin_metrics.h"
#include "trin_log.h"
#include "trin_server.h"
#include "trin_subscriber.h"
#include "trin_token.h"

const char *const AGG_UPSTREAMS[AGG_NUPSTREAMS] = {"lifecycle", "budget", "survey",
                                                   "benchmark"};

typedef struct {
  agg_service_t *a;
  int idx;
  bool deployed;
  char endpoint[256], pub_endpoint[256];
  trin_subscriber_t *sub;
  uint64_t applied;  /* last event applied in memory */
  uint64_t stored;   /* last event whose effect is committed */
  uint64_t consumed, bad;
  trin_subscriber_stats_t last_stats; /* of subscribers replaced by a reload */
  trin_metric_t *m_lag;  /* trin_follower_lag_events{followed=...}, as followers have */
} upstream_t;

struct agg_service {
  uv_loop_t *loop;
  void *zctx;
  agg_config_t cfg;
  trin_store_t *store;
  trin_server_t *server;
  agg_rows_t *rows;
  agg_feed_t *feed;
  agg_push_t *push;
  upstream_t up[AGG_NUPSTREAMS];
  uv_check_t check;
  /* Earned value's PV and the AB18 deadline flags are as of today (UTC):
   * this timer notices the date turn and recomputes the rows
   * (agg_rows_set_today), even on an idle loop; on_check stores them. */
  uv_timer_t day_timer;
  int open_handles;        /* check and day_timer: freed when both closed */
  uint64_t last_flush_ms;  /* loop time of the last commit from on_check */
  /* rows of the flush in progress */
  agg_row_t **flushing;
  size_t nflushing, capflushing;
  /* Lifecycle events that change partnership membership, packed, applied
   * to the access tables in the next flush's transaction (with the cursor
   * that covers them). */
  struct {
    uint8_t *data;
    size_t len;
  } *membership;
  size_t nmembership, capmembership;
  trin_token_hooks_t token_hooks;
  agg_service_stats_t stats;
  bool reload_needed;  /* the rows got ahead of what can be stored */
  bool owns_store_and_server;  /* made by agg_service_new, not given */
};

static int start_subscribers(agg_service_t *a, trin_err_t *err);
static void stop_subscribers(agg_service_t *a);

/* ---- consuming -------------------------------------------------------------------- */

static int keep_membership_event(agg_service_t *a, const Trin__Event *ev, trin_err_t *err) {
  if (a->nmembership == a->capmembership) {
    size_t cap = a->capmembership ? a->capmembership * 2 : 64;
    void *p = realloc(a->membership, cap * sizeof *a->membership);
    if (!p) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    a->membership = p;
    a->capmembership = cap;
  }
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = trin_codec_pack(&ev->base, &data, &len, err);
  if (rc) return rc;
  a->membership[a->nmembership].data = data;
  a->membership[a->nmembership].len = len;
  a->nmembership++;
  return TRIN_OK;
}

static void drop_membership_events(agg_service_t *a) {
  for (size_t i = 0; i < a->nmembership; i++) free(a->membership[i].data);
  a->nmembership = 0;
}

int agg_service_consume(agg_service_t *a, int i, const Trin__Event *ev) {
  upstream_t *u = &a->up[i];
  trin_err_t err = {0};
  /* Partnership and project events tell who may see which rows; the rows
   * say whether this one changed that (most project events do not). */
  bool membership = false;
  int rc = agg_events_apply(a->rows, AGG_UPSTREAMS[i], ev, &membership, &err);
  if (!rc && membership && i == 0 && keep_membership_event(a, ev, &err)) {
    /* The rows already show the event but its membership is not kept:
     * start again from the store (outside this callback). */
    a->reload_needed = true;
    trin_log_error("%s event %llu not applied: %s", AGG_UPSTREAMS[i],
                   (unsigned long long)ev->seq, err.message);
    return err.code;
  }
  if (rc == TRIN_EDECODE) {
    /* One bad event must not stop the feed: skip it, say so. */
    trin_log_warn("%s event %llu (%s) skipped: %s", AGG_UPSTREAMS[i],
                  (unsigned long long)ev->seq, ev->type, err.message);
    u->bad++;
  } else if (rc) {
    trin_log_error("%s event %llu not applied: %s", AGG_UPSTREAMS[i],
                   (unsigned long long)ev->seq, err.message);
    return rc; /* delivered again later */
  }
  u->applied = ev->seq;
  u->consumed++;
  return TRIN_OK;
}

static int on_event(void *data, const Trin__Event *ev) {
  upstream_t *u = data;
  return agg_service_consume(u->a, u->idx, ev);
}

/* ---- committing -------------------------------------------------------------------- */

static int flush_fn(trin_request_t *req, void *data, trin_err_t *err) {
  agg_service_t *a = data;
  trin_store_t *st = trin_request_store(req);
  agg_row_t **dirty;
  size_t n = agg_rows_take_dirty(a->rows, &dirty);
  if (n > a->capflushing) {
    agg_row_t **p = realloc(a->flushing, n * sizeof *p);
    if (!p) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    a->flushing = p;
    a->capflushing = n;
  }
  if (n) memcpy(a->flushing, dirty, n * sizeof *dirty);
  a->nflushing = n;
  /* Invariant: a row's seq is the number of the event that carries it. The
   * outbox numbers events last committed + 1, + 2, ... in this transaction. */
  uint64_t next = trin_outbox_last_seq(trin_server_outbox(a->server)) + 1;
  int rc = TRIN_OK;
  trin_arena_t ar = TRIN_ARENA_INIT; /* one row's date text at a time */
  for (size_t i = 0; i < n && !rc; i++) {
    agg_row_t *r = a->flushing[i];
    r->seq = next++;
    Trin__Aggregator__StatusRow m;
    agg_row_to_proto(r, &ar, &m);
    trin_event_id_t ids[1] = {{"project", r->project_id}};
    uint64_t seq = 0;
    rc = ar.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                   : trin_request_emit(req, "aggregator.status_changed",
                                       r->client_org_id ? r->client_org_id : "", ids, 1, &m.base,
                                       &seq, err);
    trin_arena_rewind(&ar);
    if (!rc && seq != r->seq)
      rc = trin_err_set(err, TRIN_EINTERNAL, "", "row seq %llu but event %llu",
                        (unsigned long long)r->seq, (unsigned long long)seq);
    if (!rc) rc = agg_store_put_row(st, r, err);
    if (!rc) rc = agg_push_enqueue(a->push, st, r, err);
  }
  trin_arena_reset(&ar);
  /* Membership first: the rows' readers are decided on it after the commit. */
  for (size_t i = 0; i < a->nmembership && !rc; i++) {
    Trin__Event *ev = NULL;
    rc = trin_codec_unpack(&trin__event__descriptor, a->membership[i].data,
                           a->membership[i].len, "event", (ProtobufCMessage **)&ev, err);
    if (!rc) rc = lifecycle_membership_apply(st, ev, err);
    if (rc == TRIN_EDECODE) {
      /* Unreadable now is unreadable on every retry: skip it, say so. */
      trin_log_warn("lifecycle event %llu: membership not applied: %s",
                    ev ? (unsigned long long)ev->seq : 0ULL, err->message);
      rc = TRIN_OK;
    }
    trin_codec_free(ev);
  }
  agg_name_t **names;
  size_t nn = agg_rows_take_dirty_names(a->rows, &names);
  for (size_t i = 0; i < nn && !rc; i++) rc = agg_store_put_name(st, names[i], err);
  for (int i = 0; i < AGG_NUPSTREAMS && !rc; i++)
    if (a->up[i].applied != a->up[i].stored)
      rc = trin_cursor_set(st, AGG_UPSTREAMS[i], a->up[i].applied, err);
  return rc;
}

static int reload(agg_service_t *a, trin_err_t *err);

int agg_service_flush(agg_service_t *a, trin_err_t *err) {
  bool cursors = false;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) cursors |= a->up[i].applied != a->up[i].stored;
  if (!cursors && !agg_rows_has_dirty(a->rows) && !a->nmembership) return TRIN_OK;
  int rc = trin_server_apply(a->server, flush_fn, a, err);
  drop_membership_events(a); /* stored, or to be delivered again after the reload */
  if (rc) {
    a->stats.commit_failures++;
    trin_log_error("storing the rows failed (%s); reloading from the store", err->message);
    trin_err_t e2 = {0};
    if (reload(a, &e2)) {
      trin_log_error("reload failed: %s; stopping", e2.message);
      uv_stop(a->loop);
    }
    return rc;
  }
  a->stats.commits++;
  a->stats.rows_changed += a->nflushing;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) a->up[i].stored = a->up[i].applied;
  for (size_t i = 0; i < a->nflushing; i++) agg_rows_note_seq(a->rows, a->flushing[i]->seq);
  agg_feed_rows_changed(a->feed, a->flushing, a->nflushing);
  a->nflushing = 0;
  return TRIN_OK;
}

/* While a subscriber catches up from an outbox (after a restart or a cut
 * link), commit at most every this many ms: the rows of a project changed
 * by many replayed events are then written once, not once per batch. Live
 * events are committed on every loop turn. */
#define AGG_CATCHUP_FLUSH_MS 50

/* True when every event applied but not yet committed came from an
 * outbox replay still in progress (an upstream that is down or idle does
 * not count: it has nothing pending). */
static bool only_replay_pending(const agg_service_t *a) {
  bool replay = false;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    const upstream_t *u = &a->up[i];
    if (u->applied == u->stored) continue;
    if (!u->sub || !trin_subscriber_repairing(u->sub)) return false;
    replay = true;
  }
  return replay;
}

static void on_check(uv_check_t *h) {
  agg_service_t *a = h->data;
  trin_err_t err = {0};
  if (a->reload_needed) {
    a->reload_needed = false;
    drop_membership_events(a);
    if (reload(a, &err)) {
      trin_log_error("reload failed: %s; stopping", err.message);
      uv_stop(a->loop);
    }
    return;
  }
  uint64_t now = uv_now(a->loop);
  if (only_replay_pending(a) && now - a->last_flush_ms < AGG_CATCHUP_FLUSH_MS) return;
  a->last_flush_ms = now;
  agg_service_flush(a, &err);
  /* Only rows whose state and seq are stored go out. */
  if (!agg_rows_has_dirty(a->rows)) agg_push_pump(a->push);
}

/* How often the day timer looks at the date: the rows follow a turn of
 * the UTC date within this long. */
#define AGG_DAY_CHECK_MS 60000

static void on_day_timer(uv_timer_t *h) {
  agg_service_t *a = h->data;
  trin_date_t today = trin_date_today();
  if (today == agg_rows_today(a->rows)) return;
  size_t n = agg_rows_set_today(a->rows, today, trin_time_now());
  trin_log_info("a new day: earned value and deadlines judged again, %zu rows changed", n);
}

/* ---- loading ------------------------------------------------------------------------- */

static int load(agg_service_t *a, trin_err_t *err) {
  a->rows = agg_rows_new(&a->cfg.thresholds);
  if (!a->rows) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = agg_store_load(a->store, a->rows, err);
  /* Stored rows show earned value as of the day they were stored. */
  if (!rc) agg_rows_set_today(a->rows, trin_date_today(), trin_time_now());
  for (int i = 0; i < AGG_NUPSTREAMS && !rc; i++) {
    rc = trin_cursor_get(a->store, AGG_UPSTREAMS[i], &a->up[i].stored, err);
    a->up[i].applied = a->up[i].stored;
  }
  uint64_t last = trin_outbox_last_seq(trin_server_outbox(a->server));
  agg_rows_note_seq(a->rows, last);
  return rc;
}

static int reload(agg_service_t *a, trin_err_t *err) {
  stop_subscribers(a);
  /* The feed points at the rows: give it the new table before freeing. */
  agg_rows_t *old = a->rows;
  a->rows = NULL;
  int rc = load(a, err);
  if (!rc) {
    agg_feed_set_rows(a->feed, a->rows);
    agg_push_set_rows(a->push, a->rows);
    agg_rows_destroy(&old);
    rc = start_subscribers(a, err);
  } else {
    agg_rows_destroy(&a->rows);
    a->rows = old;
  }
  return rc;
}

static int start_subscribers(agg_service_t *a, trin_err_t *err) {
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    upstream_t *u = &a->up[i];
    if (!u->deployed) continue;
    trin_subscriber_options_t so = {
        .service = AGG_UPSTREAMS[i],
        .pub_endpoint = u->pub_endpoint,
        .endpoint = u->endpoint,
        .after_seq = u->stored,
        .retry_ms = a->cfg.retry_ms,
        .curve = a->cfg.up_curve[i],
    };
    int rc = trin_subscriber_new(a->loop, a->zctx, &so, on_event, u, &u->sub, err);
    if (rc) {
      trin_err_prefix_field(err, AGG_UPSTREAMS[i]);
      return rc;
    }
    trin_log_info("following %s at %s (events after %llu)", AGG_UPSTREAMS[i], u->endpoint,
                  (unsigned long long)u->stored);
  }
  return TRIN_OK;
}

static void stop_subscribers(agg_service_t *a) {
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    upstream_t *u = &a->up[i];
    if (!u->sub) continue;
    trin_subscriber_stats_t s = trin_subscriber_stats(u->sub);
    u->last_stats.delivered += s.delivered;
    u->last_stats.live += s.live;
    u->last_stats.repaired += s.repaired;
    u->last_stats.gaps += s.gaps;
    u->last_stats.duplicates += s.duplicates;
    trin_subscriber_destroy(&u->sub);
  }
}

/* ---- metrics ---------------------------------------------------------------------------- */

static trin_subscriber_stats_t sub_stats(const upstream_t *u) {
  trin_subscriber_stats_t s = u->last_stats;
  if (u->sub) {
    trin_subscriber_stats_t c = trin_subscriber_stats(u->sub);
    s.delivered += c.delivered;
    s.live += c.live;
    s.repaired += c.repaired;
    s.gaps += c.gaps;
    s.duplicates += c.duplicates;
  }
  return s;
}

static void metrics(void *data, trin_buf_t *b) {
  agg_service_t *a = data;
  trin_buf_puts(b, "# HELP trin_aggregator_events_consumed_total Upstream events applied, by service.\n"
                  "# TYPE trin_aggregator_events_consumed_total counter\n");
  for (int i = 0; i < AGG_NUPSTREAMS; i++)
    if (a->up[i].deployed)
      trin_buf_printf(b, "trin_aggregator_events_consumed_total{service=\"%s\"} %llu\n",
                     AGG_UPSTREAMS[i], (unsigned long long)a->up[i].consumed);
  trin_buf_puts(b, "# HELP trin_aggregator_events_skipped_total Upstream events whose payload "
                  "could not be decoded.\n"
                  "# TYPE trin_aggregator_events_skipped_total counter\n");
  for (int i = 0; i < AGG_NUPSTREAMS; i++)
    if (a->up[i].deployed)
      trin_buf_printf(b, "trin_aggregator_events_skipped_total{service=\"%s\"} %llu\n",
                     AGG_UPSTREAMS[i], (unsigned long long)a->up[i].bad);
  trin_buf_puts(b, "# HELP trin_aggregator_gaps_repaired_total Gaps or lags noticed and "
                  "repaired from the service's outbox.\n"
                  "# TYPE trin_aggregator_gaps_repaired_total counter\n");
  for (int i = 0; i < AGG_NUPSTREAMS; i++)
    if (a->up[i].deployed)
      trin_buf_printf(b, "trin_aggregator_gaps_repaired_total{service=\"%s\"} %llu\n",
                     AGG_UPSTREAMS[i], (unsigned long long)sub_stats(&a->up[i]).gaps);
  trin_buf_puts(b, "# HELP trin_aggregator_events_repaired_total Events fetched from the "
                  "service's outbox rather than heard live.\n"
                  "# TYPE trin_aggregator_events_repaired_total counter\n");
  for (int i = 0; i < AGG_NUPSTREAMS; i++)
    if (a->up[i].deployed)
      trin_buf_printf(b, "trin_aggregator_events_repaired_total{service=\"%s\"} %llu\n",
                     AGG_UPSTREAMS[i], (unsigned long long)sub_stats(&a->up[i]).repaired);
  trin_buf_puts(b, "# HELP trin_aggregator_cursor The last event of each service whose "
                  "effect is stored.\n"
                  "# TYPE trin_aggregator_cursor gauge\n");
  for (int i = 0; i < AGG_NUPSTREAMS; i++)
    if (a->up[i].deployed)
      trin_buf_printf(b, "trin_aggregator_cursor{service=\"%s\"} %llu\n", AGG_UPSTREAMS[i],
                     (unsigned long long)a->up[i].stored);
  trin_buf_printf(b,
                 "# HELP trin_aggregator_commits_total Transactions that stored changed rows.\n"
                 "# TYPE trin_aggregator_commits_total counter\n"
                 "trin_aggregator_commits_total %llu\n"
                 "# HELP trin_aggregator_commit_failures_total Commits that failed (rows reloaded).\n"
                 "# TYPE trin_aggregator_commit_failures_total counter\n"
                 "trin_aggregator_commit_failures_total %llu\n",
                 (unsigned long long)a->stats.commits,
                 (unsigned long long)a->stats.commit_failures);
  agg_push_metrics(a->push, b);
}

static void health(void *data, trin_buf_t *b) {
  agg_service_t *a = data;
  trin_buf_puts(b, ",\"upstreams\":{");
  bool first = true;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    trin_buf_printf(b, "%s\"%s\":", first ? "" : ",", AGG_UPSTREAMS[i]);
    if (a->up[i].deployed)
      trin_buf_printf(b, "{\"cursor\":%llu}", (unsigned long long)a->up[i].stored);
    else
      trin_buf_puts(b, "null");
    first = false;
  }
  trin_buf_puts(b, "}");
}

/* ---- life cycle ---------------------------------------------------------------------------- */

static void token_revoked(void *data, const char *id) {
  agg_service_t *a = data;
  agg_feed_token_revoked(a->feed, id);
}

/* The access tables (membership) and the tokens. A store made before the
 * aggregator kept membership has followed lifecycle past the partnerships'
 * events: its rows are rebuilt once from the services' logs (the rows can
 * always be rebuilt; docs/aggregator.md), so membership is complete. */
static int migrate_access(trin_store_t *st, trin_err_t *err) {
  int had = 0;
  int rc = trin_store_schema_version(st, "access", &had, err);
  if (!rc) rc = trin_access_migrate(st, err);
  if (!rc) rc = trin_token_migrate(st, err);
  if (rc || had) return rc;
  uint64_t lifecycle = 0;
  if ((rc = trin_cursor_get(st, AGG_UPSTREAMS[0], &lifecycle, err)) || lifecycle == 0) return rc;
  trin_log_warn("this store predates partnership membership: rebuilding the rows from the "
                "services' events once");
  if ((rc = trin_store_begin(st, err))) return rc;
  rc = agg_store_forget_rows(st, err);
  for (int i = 0; i < AGG_NUPSTREAMS && !rc; i++) rc = trin_cursor_set(st, AGG_UPSTREAMS[i], 0, err);
  if (!rc) return trin_store_commit(st, err);
  trin_store_rollback(st, NULL);
  return rc;
}

/* The same lag figure trin_follower gives every other follower: events
 * the upstream has committed that the aggregator has not stored yet. */
static void lag_hook(trin_metrics_t *m, void *data) {
  agg_service_t *a = data;
  (void)m;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    upstream_t *u = &a->up[i];
    if (!u->sub || !u->m_lag) continue;
    uint64_t known = trin_subscriber_known_seq(u->sub);
    trin_metric_set(u->m_lag, known > u->stored ? (double)(known - u->stored) : 0);
  }
}

static void lag_metrics_new(agg_service_t *a) {
  trin_metrics_t *m = trin_server_metrics(a->server);
  trin_metric_family_t *fam;
  if (trin_metrics_gauge(m, "trin_follower_lag_events",
                         "Events the followed service has committed that this one has not "
                         "applied yet.",
                         "followed", &fam, NULL) != TRIN_OK)
    return;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    if (!a->up[i].deployed) continue;
    const char *v[] = {AGG_UPSTREAMS[i]};
    trin_metrics_series(fam, v, &a->up[i].m_lag, NULL);
  }
  trin_metrics_add_hook(m, lag_hook, a, NULL);
}

int agg_service_migrate(trin_store_t *st, trin_err_t *err) {
  int rc = agg_store_migrate(st, err);
  return rc ? rc : migrate_access(st, err);
}

int agg_service_new(uv_loop_t *loop, void *zctx, const agg_config_t *cfg, agg_service_t **out,
                    trin_err_t *err) {
  trin_store_t *store = NULL;
  trin_server_t *server = NULL;
  int rc = agg_thresholds_check(&cfg->thresholds, err);
  trin_store_options_t so = {.location = cfg->store, .sync = cfg->sync};
  if (!rc) rc = trin_store_open(&so, &store, err);
  if (!rc) rc = agg_service_migrate(store, err);
  trin_server_options_t sv = {
      .service = "aggregator",
      .endpoint = cfg->endpoint,
      .pub_endpoint = cfg->pub_endpoint,
      .heartbeat_ms = cfg->heartbeat_ms < 0 ? 1000 : cfg->heartbeat_ms,
      .curve = cfg->curve,
  };
  if (!rc) rc = trin_server_new(loop, zctx, store, &sv, &server, err);
  if (!rc) rc = agg_service_new_on(loop, zctx, store, server, cfg, out, err);
  if (rc) {
    trin_server_destroy(&server);
    trin_store_destroy(&store);
    return rc;
  }
  (*out)->owns_store_and_server = true;
  return TRIN_OK;
}

int agg_service_new_on(uv_loop_t *loop, void *zctx, trin_store_t *store, trin_server_t *server,
                       const agg_config_t *cfg, agg_service_t **out, trin_err_t *err) {
  agg_service_t *a = calloc(1, sizeof *a);
  if (!a) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  a->loop = loop;
  a->zctx = zctx;
  a->cfg = *cfg;
  a->store = store;
  a->server = server;
  int rc = agg_thresholds_check(&cfg->thresholds, err);
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    upstream_t *u = &a->up[i];
    u->a = a;
    u->idx = i;
    const char *ep = cfg->up_endpoint[i] ? cfg->up_endpoint[i] : "";
    const char *pub = cfg->up_pub_endpoint[i] ? cfg->up_pub_endpoint[i] : "";
    u->deployed = *ep && *pub;
    snprintf(u->endpoint, sizeof u->endpoint, "%s", ep);
    snprintf(u->pub_endpoint, sizeof u->pub_endpoint, "%s", pub);
  }
  if (!rc) rc = load(a, err);
  if (!rc) rc = agg_push_new(loop, a->store, a->rows, &cfg->push, &a->push, err);
  if (!rc && cfg->feed.address && *cfg->feed.address) {
    agg_feed_hooks_t hooks = {.metrics = metrics, .health = health, .data = a};
    agg_feed_options_t fo = cfg->feed;
    fo.store = a->store; /* organisations' tokens and membership */
    rc = agg_feed_new(loop, a->rows, &fo, &hooks, &a->feed, err);
  }
  if (!rc) {
    trin_access_install(a->server, &AGG_ACCESS);
    agg_handlers_register(a->server, &a->rows);
    a->token_hooks = (trin_token_hooks_t){.on_revoked = token_revoked, .data = a};
    trin_token_register(a->server, &a->token_hooks);
    uv_check_init(loop, &a->check);
    a->check.data = a;
    uv_check_start(&a->check, on_check);
    uv_timer_init(loop, &a->day_timer);
    a->day_timer.data = a;
    uv_timer_start(&a->day_timer, on_day_timer, AGG_DAY_CHECK_MS, AGG_DAY_CHECK_MS);
    a->open_handles = 2;
    rc = start_subscribers(a, err);
    if (rc) {
      agg_service_destroy(&a);
      return rc;
    }
    lag_metrics_new(a);
  }
  if (rc) {
    agg_push_destroy(&a->push);
    agg_rows_destroy(&a->rows);
    free(a);
    return rc;
  }
  trin_log_info("%zu rows loaded, last row seq %llu", agg_rows_count(a->rows),
                (unsigned long long)agg_rows_max_seq(a->rows));
  *out = a;
  return TRIN_OK;
}

static void on_check_closed(uv_handle_t *h) {
  agg_service_t *a = h->data;
  if (--a->open_handles > 0) return;
  drop_membership_events(a);
  free(a->membership);
  agg_rows_destroy(&a->rows);
  if (a->owns_store_and_server) trin_store_destroy(&a->store);
  free(a->flushing);
  free(a);
}

void agg_service_destroy(agg_service_t **ap) {
  if (!ap || !*ap) return;
  agg_service_t *a = *ap;
  *ap = NULL;
  trin_err_t err = {0};
  agg_service_flush(a, &err);
  stop_subscribers(a);
  agg_feed_destroy(&a->feed);
  agg_push_destroy(&a->push);
  if (a->owns_store_and_server) trin_server_destroy(&a->server);
  uv_check_stop(&a->check);
  uv_timer_stop(&a->day_timer);
  uv_close((uv_handle_t *)&a->check, on_check_closed);
  uv_close((uv_handle_t *)&a->day_timer, on_check_closed);
}

agg_push_t *agg_service_push(agg_service_t *a) { return a->push; }
int agg_service_http_port(const agg_service_t *a) { return a->feed ? agg_feed_port(a->feed) : 0; }

agg_service_stats_t agg_service_stats(const agg_service_t *a) {
  agg_service_stats_t s = a->stats;
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    s.consumed[i] = a->up[i].consumed;
    s.bad[i] = a->up[i].bad;
    s.cursor[i] = a->up[i].stored;
  }
  return s;
}
