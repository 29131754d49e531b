/* trin_metrics — a service's counters, gauges and histograms in memory,
 * their snapshot as a trin.metrics.MetricsReply (what GetMetrics answers),
 * and the Prometheus text exposition of one or more snapshots (what the
 * gateway's GET /metrics serves, one `service` label per snapshot).
 *
 * Life cycle:
 *   trin_metrics_new                    a registry (one per process or server)
 *   trin_metrics_counter / _gauge / _histogram
 *                                       a family: name, help, label names
 *   trin_metrics_series                 one labelled series of a family
 *   trin_metric_inc / _add / _set / _observe
 *                                       on the hot path: no allocation, no
 *                                       formatting, no lookup
 *   trin_metrics_snapshot               everything now, as a message
 *   trin_metrics_render                 snapshots → Prometheus text
 *   trin_metrics_destroy
 *
 * Create families and series when a route, a follower or a target is set
 * up, keep the series pointers, and update through them. A registry is not
 * locked: use it from one thread (the service's loop).
 *
 * Names are checked when a family is made, so a snapshot always renders
 * cleanly through `promtool check metrics`: a metric name is
 * [a-zA-Z_:][a-zA-Z0-9_:]*, a counter's ends in `_total` and no other's
 * does, only a histogram's may end in `_bucket`, `_sum` or `_count`; label
 * names are [a-zA-Z_][a-zA-Z0-9_]*, not starting with `__`, never `service`
 * (the renderer adds it) nor, for a histogram, `le`. Use base units in the
 * name (`_seconds`, `_bytes`). */
#ifndef TRIN_METRICS_H
#define TRIN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "trin/metrics.pb-c.h"
#include "trin_buf.h"
#include "trin_err.h"

typedef struct trin_metrics trin_metrics_t;
typedef struct trin_metric_family trin_metric_family_t;
typedef struct trin_metric trin_metric_t;

typedef enum {
  TRIN_METRIC_COUNTER = 0,
  TRIN_METRIC_GAUGE = 1,
  TRIN_METRIC_HISTOGRAM = 2,
} trin_metric_kind_t;

/* The most labels a family may have (besides the renderer's `service`). */
#define TRIN_METRICS_MAX_LABELS 8
/* The most buckets a histogram may have (besides +Inf). */
#define TRIN_METRICS_MAX_BOUNDS 32

int trin_metrics_new(trin_metrics_t **out, trin_err_t *err);
/* Frees the registry with every family and series (their pointers die);
 * sets *m to NULL. */
void trin_metrics_destroy(trin_metrics_t **m);

/* A family of series. labels: the label names separated by commas
 * ("type,status"), NULL or "" for none. name, help and labels are copied.
 * Asking again for a name already registered with the same kind, labels
 * (and bounds) gives the same family; with anything else it is refused
 * (TRIN_EINVALID, field "name"). *out is owned by the registry. */
int trin_metrics_counter(trin_metrics_t *m, const char *name, const char *help,
                         const char *labels, trin_metric_family_t **out, trin_err_t *err);
int trin_metrics_gauge(trin_metrics_t *m, const char *name, const char *help,
                       const char *labels, trin_metric_family_t **out, trin_err_t *err);
/* bounds: nbounds (1..TRIN_METRICS_MAX_BOUNDS) finite upper bounds,
 * strictly ascending (copied); the +Inf bucket is implied. */
int trin_metrics_histogram(trin_metrics_t *m, const char *name, const char *help,
                           const char *labels, const double *bounds, size_t nbounds,
                           trin_metric_family_t **out, trin_err_t *err);

/* The series of f with these label values, made on first use: values has
 * one string per label name, in order (NULL when f has no labels); they are
 * copied. *out is owned by the registry and lives as long as it does. */
int trin_metrics_series(trin_metric_family_t *f, const char *const *values,
                        trin_metric_t **out, trin_err_t *err);

/* Updates. NULL series are ignored, so a series that could not be made
 * costs nothing later. Counters only go up: a negative add is ignored. */
void trin_metric_inc(trin_metric_t *s);               /* counter, gauge: +1 */
void trin_metric_add(trin_metric_t *s, double v);     /* counter, gauge */
void trin_metric_set(trin_metric_t *s, double v);     /* gauge */
void trin_metric_observe(trin_metric_t *s, double v); /* histogram; NaN ignored */

/* Reads, for tests and logs: a counter's or gauge's value; a histogram's
 * number of observations and their sum. */
double trin_metric_value(const trin_metric_t *s);
uint64_t trin_metric_count(const trin_metric_t *s);
double trin_metric_sum(const trin_metric_t *s);

/* fn runs at the start of every snapshot, to set gauges that are cheaper to
 * read then than to keep up to date (how far behind a follower is). One
 * registration per (fn, data); remove it before data goes away. */
typedef void (*trin_metrics_hook_fn)(trin_metrics_t *m, void *data);
int trin_metrics_add_hook(trin_metrics_t *m, trin_metrics_hook_fn fn, void *data,
                          trin_err_t *err);
void trin_metrics_remove_hook(trin_metrics_t *m, trin_metrics_hook_fn fn, void *data);

/* Everything in m now, as the message GetMetrics answers, MetricsReply.service
 * = service (copied). *out is owned by the caller: trin_codec_free. */
int trin_metrics_snapshot(trin_metrics_t *m, const char *service,
                          Trin__Metrics__MetricsReply **out, trin_err_t *err);

/* Appends to out one Prometheus text exposition (format 0.0.4) of n
 * snapshots — from trin_metrics_snapshot or decoded GetMetrics replies,
 * borrowed — each sample labelled service="<snapshot's service>". A family
 * that several snapshots share gets one HELP and one TYPE line (the first
 * snapshot's help), then every snapshot's samples. Label values and help
 * are escaped.
 *
 * Snapshots come from other processes, so they are checked: a family whose
 * names are not valid, or that another snapshot declared with another kind
 * or other buckets, or a sample with the wrong number of values, is left
 * out. Then TRIN_EINVALID is returned with err naming the first such thing
 * (field "families"), and out still holds a valid exposition of the rest;
 * the gateway serves it and logs err. Serve with Content-Type
 * "text/plain; version=0.0.4; charset=utf-8". */
int trin_metrics_render(const Trin__Metrics__MetricsReply *const *snapshots, size_t n,
                        trin_buf_t *out, trin_err_t *err);

/* Appends a label value escaped for the text format (\\, \" and \n);
 * bytes that are not UTF-8 become U+FFFD, since Prometheus refuses a whole
 * exposition over one such value. */
void trin_metrics_escape_label(trin_buf_t *out, const char *value);

#endif
