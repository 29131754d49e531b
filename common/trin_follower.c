/* trin_follower — see trin_follower.h. */
#include "trin_follower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_cursor.h"
#include "trin_log.h"
#include "trin_metrics.h"
#include "trin_subscriber.h"

struct trin_follower {
  trin_server_t *server;
  trin_subscriber_t *sub;
  trin_follower_fn fn, replay;
  uint64_t replay_until;  /* events up to here go to replay */
  trin_follower_after_fn after;
  void *data;
  char service[32];
  /* In the server's registry, labelled followed="<service>". */
  trin_metric_t *m_lag, *m_applied, *m_failed;
};

typedef struct {
  trin_follower_t *f;
  const Trin__Event *const *evs;
  size_t n;
  const Trin__Event *failed;  /* the event whose apply failed */
} apply_t;

/* A run of events in one transaction: a commit (and its fsync) per run,
 * not per event, which is what lets a follower keep up with its leader. */
static int apply_in_tx(trin_request_t *req, void *data, trin_err_t *err) {
  apply_t *a = data;
  for (size_t i = 0; i < a->n; i++) {
    trin_follower_fn fn = a->evs[i]->seq <= a->f->replay_until ? a->f->replay : a->f->fn;
    int rc = fn ? fn(req, a->evs[i], a->f->data, err) : TRIN_OK;
    if (rc) {
      a->failed = a->evs[i];
      return rc;
    }
  }
  /* The cursor commits with the effect, or neither does. */
  return trin_cursor_set(trin_request_store(req), a->f->service, a->evs[a->n - 1]->seq, err);
}

static int on_run(void *data, const Trin__Event *const *evs, size_t n) {
  apply_t a = {data, evs, n, NULL};
  trin_err_t err = {0};
  int rc = trin_server_apply(a.f->server, apply_in_tx, &a, &err);
  if (a.f->after) a.f->after(a.f->data, rc == TRIN_OK);
  if (rc == TRIN_OK) trin_metric_add(a.f->m_applied, (double)n);
  else trin_metric_inc(a.f->m_failed);
  if (rc) {
    const Trin__Event *ev = a.failed ? a.failed : evs[n - 1];
    trin_log_warn("%s events %llu-%llu not applied, will retry (event %llu, %s: %s)",
                  a.f->service, (unsigned long long)evs[0]->seq,
                  (unsigned long long)evs[n - 1]->seq, (unsigned long long)ev->seq, ev->type,
                  err.message);
  }
  return rc;
}

/* The lag is read when metrics are asked for: the subscriber hears how far
 * the service is on every event and heartbeat, far more often than anyone
 * looks. */
static void metrics_hook(trin_metrics_t *m, void *data) {
  trin_follower_t *f = data;
  (void)m;
  uint64_t known = trin_subscriber_known_seq(f->sub), last = trin_subscriber_last_seq(f->sub);
  trin_metric_set(f->m_lag, (double)(known - last));
}

/* Metrics are a help, not a duty: a follower whose series could not be
 * made (out of memory) follows all the same, unmeasured. */
static void metrics_new(trin_follower_t *f) {
  trin_metrics_t *m = trin_server_metrics(f->server);
  const char *v[] = {f->service};
  trin_metric_family_t *fam;
  if (trin_metrics_gauge(m, "trin_follower_lag_events",
                         "Events the followed service has committed that this one has not "
                         "applied yet.",
                         "followed", &fam, NULL) == TRIN_OK)
    trin_metrics_series(fam, v, &f->m_lag, NULL);
  if (trin_metrics_counter(m, "trin_follower_events_applied_total",
                           "Events of the followed service applied to this one's store.",
                           "followed", &fam, NULL) == TRIN_OK)
    trin_metrics_series(fam, v, &f->m_applied, NULL);
  if (trin_metrics_counter(m, "trin_follower_apply_failures_total",
                           "Runs of the followed service's events whose transaction failed "
                           "(they are retried).",
                           "followed", &fam, NULL) == TRIN_OK)
    trin_metrics_series(fam, v, &f->m_failed, NULL);
  trin_metrics_add_hook(m, metrics_hook, f, NULL);
}

int trin_follower_new(uv_loop_t *loop, void *zctx, trin_server_t *server,
                      const trin_follower_options_t *opt, trin_follower_fn fn, void *data,
                      trin_follower_t **out, trin_err_t *err) {
  uint64_t after = 0, until = 0;
  int rc = trin_cursor_get_replay(trin_server_store(server), opt->service, &after, &until, err);
  if (rc) return rc;
  trin_follower_t *f = calloc(1, sizeof *f);
  if (!f) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  f->server = server;
  f->fn = fn;
  f->replay = opt->replay;
  f->replay_until = until;
  f->after = opt->after;
  f->data = data;
  snprintf(f->service, sizeof f->service, "%s", opt->service);
  trin_subscriber_options_t so = {.service = opt->service,
                                  .pub_endpoint = opt->pub_endpoint,
                                  .endpoint = opt->endpoint,
                                  .after_seq = after,
                                  .retry_ms = opt->retry_ms,
                                  .curve = opt->curve,
                                  .run_fn = on_run};
  if ((rc = trin_subscriber_new(loop, zctx, &so, NULL, f, &f->sub, err))) {
    free(f);
    return rc;
  }
  metrics_new(f);
  if (until > after)
    trin_log_info("following %s at %s from event %llu; events up to %llu were applied "
                  "before and are replayed for what this version adds",
                  opt->service, opt->endpoint, (unsigned long long)after,
                  (unsigned long long)until);
  else
    trin_log_info("following %s at %s from event %llu", opt->service, opt->endpoint,
                  (unsigned long long)after);
  *out = f;
  return TRIN_OK;
}

void trin_follower_destroy(trin_follower_t **fp) {
  if (!fp || !*fp) return;
  trin_metrics_remove_hook(trin_server_metrics((*fp)->server), metrics_hook, *fp);
  trin_subscriber_destroy(&(*fp)->sub);
  free(*fp);
  *fp = NULL;
}
