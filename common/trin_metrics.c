/* trin_metrics — see trin_metrics.h.
 *
 * A histogram series keeps one count per bucket (not cumulative) so an
 * observation touches one counter; the cumulative `le` counts Prometheus
 * wants are summed when a snapshot is taken, which is rare (a scrape every
 * few seconds) beside observations (one per request). */
#include "trin_metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_codec.h"

struct trin_metric {
  trin_metric_family_t *family;
  char **values;       /* one per family label */
  double value;        /* counter, gauge */
  uint64_t *buckets;   /* histogram: nbounds + 1 (the last is +Inf), not cumulative */
  double sum;
  uint64_t count;
};

struct trin_metric_family {
  trin_metric_kind_t kind;
  char *name, *help;
  char *labels[TRIN_METRICS_MAX_LABELS];
  size_t nlabels;
  double bounds[TRIN_METRICS_MAX_BOUNDS];
  size_t nbounds;
  trin_metric_t **series;
  size_t nseries, cap;
};

typedef struct {
  trin_metrics_hook_fn fn;
  void *data;
} hook_t;

struct trin_metrics {
  trin_metric_family_t **families;
  size_t n, cap;
  hook_t *hooks;
  size_t nhooks, cap_hooks;
};

/* ---- names ------------------------------------------------------------------ */

static bool is_alpha_(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool valid_metric_name(const char *s) {
  if (!s || !(is_alpha_(s[0]) || s[0] == ':')) return false;
  for (const char *p = s + 1; *p; p++)
    if (!is_alpha_(*p) && !is_digit(*p) && *p != ':') return false;
  return true;
}

static bool valid_label_name(const char *s) {
  if (!s || !is_alpha_(s[0]) || strncmp(s, "__", 2) == 0) return false;
  for (const char *p = s + 1; *p; p++)
    if (!is_alpha_(*p) && !is_digit(*p)) return false;
  return true;
}

static bool ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), t = strlen(tail);
  return n >= t && strcmp(s + n - t, tail) == 0;
}

static const char *kind_name(int kind) {
  switch (kind) {
    case TRIN_METRIC_COUNTER: return "counter";
    case TRIN_METRIC_GAUGE: return "gauge";
    case TRIN_METRIC_HISTOGRAM: return "histogram";
    default: return "unknown";
  }
}

/* Why a family's names would not pass Prometheus' text parser and
 * promtool's lint, or NULL when they do. */
static const char *family_problem(int kind, const char *name, const char *const *labels,
                                  size_t nlabels) {
  if (!valid_metric_name(name))
    return "is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)";
  if (kind == TRIN_METRIC_COUNTER && !ends_with(name, "_total"))
    return "is a counter's, which must end in _total";
  if (kind != TRIN_METRIC_COUNTER && ends_with(name, "_total"))
    return "ends in _total, which only a counter's may";
  if (kind != TRIN_METRIC_HISTOGRAM &&
      (ends_with(name, "_bucket") || ends_with(name, "_sum") || ends_with(name, "_count")))
    return "ends in _bucket, _sum or _count, which only a histogram's may";
  for (size_t i = 0; i < nlabels; i++) {
    if (!valid_label_name(labels[i]))
      return "has a label name that is not [a-zA-Z_][a-zA-Z0-9_]* or starts with __";
    if (strcmp(labels[i], "service") == 0)
      return "has a label called service, which the renderer adds itself";
    if (kind == TRIN_METRIC_HISTOGRAM && strcmp(labels[i], "le") == 0)
      return "is a histogram's with a label called le, which holds its buckets";
    for (size_t k = 0; k < i; k++)
      if (strcmp(labels[k], labels[i]) == 0) return "names one label twice";
  }
  return NULL;
}

/* ---- the registry ----------------------------------------------------------- */

int trin_metrics_new(trin_metrics_t **out, trin_err_t *err) {
  trin_metrics_t *m = calloc(1, sizeof *m);
  if (!m) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = m;
  return TRIN_OK;
}

static void series_free(trin_metric_t *s, size_t nlabels) {
  if (!s) return;
  for (size_t i = 0; s->values && i < nlabels; i++) free(s->values[i]);
  free(s->values);
  free(s->buckets);
  free(s);
}

static void family_free(trin_metric_family_t *f) {
  if (!f) return;
  for (size_t i = 0; i < f->nseries; i++) series_free(f->series[i], f->nlabels);
  free(f->series);
  for (size_t i = 0; i < f->nlabels; i++) free(f->labels[i]);
  free(f->name);
  free(f->help);
  free(f);
}

void trin_metrics_destroy(trin_metrics_t **mp) {
  if (!mp || !*mp) return;
  trin_metrics_t *m = *mp;
  *mp = NULL;
  for (size_t i = 0; i < m->n; i++) family_free(m->families[i]);
  free(m->families);
  free(m->hooks);
  free(m);
}

/* Splits "a,b" into owned strings; returns the count or -1 (too many, or
 * out of memory: the message says which). */
static int split_labels(const char *labels, char **out, trin_err_t *err) {
  int n = 0;
  const char *p = labels ? labels : "";
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (n == TRIN_METRICS_MAX_LABELS) {
      for (int i = 0; i < n; i++) free(out[i]);
      trin_err_set(err, TRIN_EINVALID, "labels", "a family has at most %d labels",
                   TRIN_METRICS_MAX_LABELS);
      return -1;
    }
    out[n] = malloc(len + 1);
    if (!out[n]) {
      for (int i = 0; i < n; i++) free(out[i]);
      trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      return -1;
    }
    memcpy(out[n], p, len);
    out[n++][len] = '\0';
    p = end ? end + 1 : p + len;
  }
  return n;
}

static int family_new(trin_metrics_t *m, trin_metric_kind_t kind, const char *name,
                      const char *help, const char *labels, const double *bounds,
                      size_t nbounds, trin_metric_family_t **out, trin_err_t *err) {
  char *names[TRIN_METRICS_MAX_LABELS];
  int nl = split_labels(labels, names, err);
  if (nl < 0) return err ? err->code : TRIN_EINVALID;
  int rc = TRIN_OK;
  const char *why = family_problem(kind, name, (const char *const *)names, (size_t)nl);
  if (why) rc = trin_err_set(err, TRIN_EINVALID, "name", "metric '%.100s' %s", name ? name : "", why);
  if (!rc && (!help || !help[0]))
    rc = trin_err_set(err, TRIN_EINVALID, "help", "metric '%.100s' needs a help sentence",
                      name);
  if (!rc && kind == TRIN_METRIC_HISTOGRAM) {
    if (nbounds == 0 || nbounds > TRIN_METRICS_MAX_BOUNDS || !bounds)
      rc = trin_err_set(err, TRIN_EINVALID, "bounds",
                        "histogram '%.100s' needs 1 to %d bucket bounds, not %zu", name,
                        TRIN_METRICS_MAX_BOUNDS, nbounds);
    for (size_t i = 0; !rc && i < nbounds; i++)
      if (!isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
        rc = trin_err_set(err, TRIN_EINVALID, "bounds",
                          "histogram '%.100s': bucket bounds must be finite and strictly "
                          "ascending (bound %zu is not)",
                          name, i);
  }
  /* The same name again: the same family if it is the same thing. */
  for (size_t i = 0; !rc && i < m->n; i++) {
    trin_metric_family_t *f = m->families[i];
    if (strcmp(f->name, name) != 0) continue;
    bool same = f->kind == kind && f->nlabels == (size_t)nl &&
                (kind != TRIN_METRIC_HISTOGRAM || f->nbounds == nbounds);
    for (size_t k = 0; same && k < f->nlabels; k++) same = strcmp(f->labels[k], names[k]) == 0;
    for (size_t k = 0; same && kind == TRIN_METRIC_HISTOGRAM && k < nbounds; k++)
      same = f->bounds[k] == bounds[k];
    if (!same)
      rc = trin_err_set(err, TRIN_EINVALID, "name",
                        "metric '%.100s' is already registered as a %s with other labels "
                        "or buckets",
                        name, kind_name(f->kind));
    else
      *out = f;
    for (int k = 0; k < nl; k++) free(names[k]);
    return rc;
  }
  trin_metric_family_t *f = rc ? NULL : calloc(1, sizeof *f);
  if (!rc && f) {
    f->kind = kind;
    f->name = strdup(name);
    f->help = strdup(help);
    f->nlabels = (size_t)nl;
    memcpy(f->labels, names, (size_t)nl * sizeof *names);
    nl = 0; /* owned by f now */
    if (kind == TRIN_METRIC_HISTOGRAM) {
      memcpy(f->bounds, bounds, nbounds * sizeof *bounds);
      f->nbounds = nbounds;
    }
  }
  if (!rc && m->n == m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 16;
    trin_metric_family_t **a = realloc(m->families, nc * sizeof *a);
    if (a) {
      m->families = a;
      m->cap = nc;
    }
  }
  if (!rc && (!f || !f->name || !f->help || m->n == m->cap))
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (int k = 0; k < nl; k++) free(names[k]);
  if (rc) {
    family_free(f);
    return rc;
  }
  m->families[m->n++] = f;
  *out = f;
  return TRIN_OK;
}

int trin_metrics_counter(trin_metrics_t *m, const char *name, const char *help,
                         const char *labels, trin_metric_family_t **out, trin_err_t *err) {
  return family_new(m, TRIN_METRIC_COUNTER, name, help, labels, NULL, 0, out, err);
}

int trin_metrics_gauge(trin_metrics_t *m, const char *name, const char *help,
                       const char *labels, trin_metric_family_t **out, trin_err_t *err) {
  return family_new(m, TRIN_METRIC_GAUGE, name, help, labels, NULL, 0, out, err);
}

int trin_metrics_histogram(trin_metrics_t *m, const char *name, const char *help,
                           const char *labels, const double *bounds, size_t nbounds,
                           trin_metric_family_t **out, trin_err_t *err) {
  return family_new(m, TRIN_METRIC_HISTOGRAM, name, help, labels, bounds, nbounds, out, err);
}

int trin_metrics_series(trin_metric_family_t *f, const char *const *values,
                        trin_metric_t **out, trin_err_t *err) {
  for (size_t i = 0; i < f->nlabels; i++)
    if (!values || !values[i])
      return trin_err_set(err, TRIN_EINVALID, "values",
                          "metric '%s' needs a value for its label '%s'", f->name,
                          f->labels[i]);
  for (size_t i = 0; i < f->nseries; i++) {
    trin_metric_t *s = f->series[i];
    bool same = true;
    for (size_t k = 0; same && k < f->nlabels; k++) same = strcmp(s->values[k], values[k]) == 0;
    if (same) {
      *out = s;
      return TRIN_OK;
    }
  }
  if (f->nseries == f->cap) {
    size_t nc = f->cap ? f->cap * 2 : 8;
    trin_metric_t **a = realloc(f->series, nc * sizeof *a);
    if (!a) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    f->series = a;
    f->cap = nc;
  }
  trin_metric_t *s = calloc(1, sizeof *s);
  bool ok = s != NULL;
  if (ok) {
    s->family = f;
    s->values = calloc(f->nlabels ? f->nlabels : 1, sizeof *s->values);
    ok = s->values != NULL;
  }
  for (size_t k = 0; ok && k < f->nlabels; k++) ok = (s->values[k] = strdup(values[k])) != NULL;
  if (ok && f->kind == TRIN_METRIC_HISTOGRAM)
    ok = (s->buckets = calloc(f->nbounds + 1, sizeof *s->buckets)) != NULL;
  if (!ok) {
    series_free(s, f->nlabels);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  f->series[f->nseries++] = s;
  *out = s;
  return TRIN_OK;
}

/* ---- updates (the hot path) ----------------------------------------------------- */

void trin_metric_inc(trin_metric_t *s) {
  if (s) s->value += 1;
}

void trin_metric_add(trin_metric_t *s, double v) {
  if (!s || (s->family->kind == TRIN_METRIC_COUNTER && !(v >= 0))) return;
  s->value += v;
}

void trin_metric_set(trin_metric_t *s, double v) {
  if (s && s->family->kind == TRIN_METRIC_GAUGE) s->value = v;
}

void trin_metric_observe(trin_metric_t *s, double v) {
  if (!s || s->family->kind != TRIN_METRIC_HISTOGRAM || isnan(v)) return;
  const trin_metric_family_t *f = s->family;
  size_t i = 0;
  while (i < f->nbounds && v > f->bounds[i]) i++;
  s->buckets[i]++;
  s->sum += v;
  s->count++;
}

double trin_metric_value(const trin_metric_t *s) { return s ? s->value : 0; }
uint64_t trin_metric_count(const trin_metric_t *s) { return s ? s->count : 0; }
double trin_metric_sum(const trin_metric_t *s) { return s ? s->sum : 0; }

/* ---- hooks -------------------------------------------------------------------- */

int trin_metrics_add_hook(trin_metrics_t *m, trin_metrics_hook_fn fn, void *data,
                          trin_err_t *err) {
  for (size_t i = 0; i < m->nhooks; i++)
    if (m->hooks[i].fn == fn && m->hooks[i].data == data) return TRIN_OK;
  if (m->nhooks == m->cap_hooks) {
    size_t nc = m->cap_hooks ? m->cap_hooks * 2 : 4;
    hook_t *a = realloc(m->hooks, nc * sizeof *a);
    if (!a) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    m->hooks = a;
    m->cap_hooks = nc;
  }
  m->hooks[m->nhooks++] = (hook_t){fn, data};
  return TRIN_OK;
}

void trin_metrics_remove_hook(trin_metrics_t *m, trin_metrics_hook_fn fn, void *data) {
  if (!m) return;
  for (size_t i = 0; i < m->nhooks; i++) {
    if (m->hooks[i].fn == fn && m->hooks[i].data == data) {
      memmove(&m->hooks[i], &m->hooks[i + 1], (m->nhooks - i - 1) * sizeof *m->hooks);
      m->nhooks--;
      return;
    }
  }
}

/* ---- snapshot ----------------------------------------------------------------- */

/* The snapshot is first built as a view that borrows the registry's
 * strings, then packed and unpacked: the caller gets one message that
 * trin_codec_free releases whole, like a reply decoded off the wire. */
int trin_metrics_snapshot(trin_metrics_t *m, const char *service,
                          Trin__Metrics__MetricsReply **out, trin_err_t *err) {
  for (size_t i = 0; i < m->nhooks; i++) m->hooks[i].fn(m, m->hooks[i].data);
  size_t nseries = 0, nbuckets = 0;
  for (size_t i = 0; i < m->n; i++) {
    nseries += m->families[i]->nseries;
    nbuckets += m->families[i]->nseries * m->families[i]->nbounds;
  }
  Trin__Metrics__Family *fams = calloc(m->n ? m->n : 1, sizeof *fams);
  Trin__Metrics__Family **fptrs = calloc(m->n ? m->n : 1, sizeof *fptrs);
  Trin__Metrics__Sample *samples = calloc(nseries ? nseries : 1, sizeof *samples);
  Trin__Metrics__Sample **sptrs = calloc(nseries ? nseries : 1, sizeof *sptrs);
  uint64_t *cum = calloc(nbuckets ? nbuckets : 1, sizeof *cum);
  int rc = TRIN_OK;
  if (!fams || !fptrs || !samples || !sptrs || !cum)
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  Trin__Metrics__MetricsReply reply = TRIN__METRICS__METRICS_REPLY__INIT;
  reply.service = (char *)(service ? service : "");
  size_t si = 0, bi = 0;
  for (size_t i = 0; !rc && i < m->n; i++) {
    trin_metric_family_t *f = m->families[i];
    Trin__Metrics__Family *pf = &fams[i];
    trin__metrics__family__init(pf);
    pf->name = f->name;
    pf->help = f->help;
    pf->kind = (Trin__Metrics__Kind)f->kind;
    pf->label_names = f->labels;
    pf->n_label_names = f->nlabels;
    pf->bounds = f->bounds;
    pf->n_bounds = f->nbounds;
    pf->samples = &sptrs[si];
    for (size_t k = 0; k < f->nseries; k++, si++) {
      const trin_metric_t *s = f->series[k];
      Trin__Metrics__Sample *ps = &samples[si];
      trin__metrics__sample__init(ps);
      ps->label_values = s->values;
      ps->n_label_values = f->nlabels;
      if (f->kind == TRIN_METRIC_HISTOGRAM) {
        ps->bucket_counts = &cum[bi];
        ps->n_bucket_counts = f->nbounds;
        uint64_t run = 0;
        for (size_t b = 0; b < f->nbounds; b++, bi++) cum[bi] = run += s->buckets[b];
        ps->sum = s->sum;
        ps->count = s->count;
      } else {
        ps->value = s->value;
      }
      sptrs[si] = ps;
    }
    pf->n_samples = f->nseries;
    fptrs[i] = pf;
  }
  reply.families = fptrs;
  reply.n_families = m->n;
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!rc) rc = trin_codec_pack(&reply.base, &bytes, &len, err);
  if (!rc)
    rc = trin_codec_unpack(&trin__metrics__metrics_reply__descriptor, bytes, len, "metrics",
                           (ProtobufCMessage **)out, err);
  free(bytes);
  free(fams);
  free(fptrs);
  free(samples);
  free(sptrs);
  free(cum);
  return rc;
}

/* ---- rendering ----------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at p, or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *p) {
  if (p[0] < 0x80) return 1;
  size_t n = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || (n == 2 && p[0] < 0xC2)) return 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))) return 0;
  if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || p[0] > 0xF4 || (p[0] == 0xF4 && p[1] >= 0x90)))
    return 0;
  return n;
}

/* Copies v escaping backslash, line feed and (in label values) the double
 * quote. Prometheus refuses a whole exposition over one label value that
 * is not UTF-8, so such bytes become U+FFFD. */
static void put_escaped(trin_buf_t *out, const char *v, bool quote) {
  const unsigned char *p = (const unsigned char *)v, *run = p;
  while (*p) {
    size_t n = utf8_len(p);
    const char *rep = n == 0 ? "\xEF\xBF\xBD"
                      : *p == '\\' ? "\\\\"
                      : *p == '\n' ? "\\n"
                      : quote && *p == '"' ? "\\\""
                                           : NULL;
    if (!rep) {
      p += n;
      continue;
    }
    trin_buf_add(out, run, (size_t)(p - run));
    trin_buf_puts(out, rep);
    p += n ? n : 1;
    run = p;
  }
  trin_buf_add(out, run, (size_t)(p - run));
}

void trin_metrics_escape_label(trin_buf_t *out, const char *v) { put_escaped(out, v, true); }

/* HELP text escapes only backslash and line feed. */
static void escape_help(trin_buf_t *out, const char *v) { put_escaped(out, v, false); }

/* The shortest decimal that reads back as v, as Go's parser reads it. */
static void put_number(trin_buf_t *out, double v) {
  if (isnan(v)) {
    trin_buf_puts(out, "NaN");
    return;
  }
  if (isinf(v)) {
    trin_buf_puts(out, v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char b[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(b, sizeof b, "%.*g", prec, v);
    if (strtod(b, NULL) == v) break;
  }
  trin_buf_puts(out, b);
}

/* Why a snapshot's family cannot be rendered, or NULL. */
static const char *wire_family_problem(const Trin__Metrics__Family *f) {
  if (f->kind != TRIN__METRICS__KIND__COUNTER && f->kind != TRIN__METRICS__KIND__GAUGE &&
      f->kind != TRIN__METRICS__KIND__HISTOGRAM)
    return "is of an unknown kind";
  if (f->n_label_names > TRIN_METRICS_MAX_LABELS) return "has too many labels";
  const char *why = family_problem((int)f->kind, f->name, (const char *const *)f->label_names,
                                   f->n_label_names);
  if (why) return why;
  if (f->kind == TRIN__METRICS__KIND__HISTOGRAM) {
    if (f->n_bounds == 0) return "is a histogram without buckets";
    for (size_t i = 0; i < f->n_bounds; i++)
      if (!isfinite(f->bounds[i]) || (i > 0 && f->bounds[i] <= f->bounds[i - 1]))
        return "has bucket bounds that are not finite and strictly ascending";
  }
  return NULL;
}

static bool same_shape(const Trin__Metrics__Family *a, const Trin__Metrics__Family *b) {
  if (a->kind != b->kind) return false;
  if (a->kind != TRIN__METRICS__KIND__HISTOGRAM) return true;
  if (a->n_bounds != b->n_bounds) return false;
  for (size_t i = 0; i < a->n_bounds; i++)
    if (a->bounds[i] != b->bounds[i]) return false;
  return true;
}

/* Hand-built snapshots may leave strings NULL; decoded ones never do. */
static const char *str(const char *s) { return s ? s : ""; }

/* name{service="..",a="..",le=".."} */
static void put_series(trin_buf_t *out, const char *name, const char *suffix,
                       const char *service, const Trin__Metrics__Family *f,
                       const Trin__Metrics__Sample *s, const char *le) {
  trin_buf_puts(out, name);
  trin_buf_puts(out, suffix);
  trin_buf_puts(out, "{service=\"");
  trin_metrics_escape_label(out, service);
  trin_buf_puts(out, "\"");
  for (size_t i = 0; i < f->n_label_names; i++) {
    trin_buf_printf(out, ",%s=\"", f->label_names[i]);
    trin_metrics_escape_label(out, str(s->label_values[i]));
    trin_buf_puts(out, "\"");
  }
  if (le) trin_buf_printf(out, ",le=\"%s\"", le);
  trin_buf_puts(out, "} ");
}

static void put_samples(trin_buf_t *out, const char *service, const Trin__Metrics__Family *f,
                        const Trin__Metrics__Sample *s) {
  if (f->kind != TRIN__METRICS__KIND__HISTOGRAM) {
    put_series(out, f->name, "", service, f, s, NULL);
    put_number(out, s->value);
    trin_buf_puts(out, "\n");
    return;
  }
  for (size_t b = 0; b < f->n_bounds; b++) {
    trin_buf_t le = {0};
    put_number(&le, f->bounds[b]);
    put_series(out, f->name, "_bucket", service, f, s, le.failed ? "0" : le.data);
    trin_buf_free(&le);
    trin_buf_printf(out, "%llu\n", (unsigned long long)s->bucket_counts[b]);
  }
  put_series(out, f->name, "_bucket", service, f, s, "+Inf");
  trin_buf_printf(out, "%llu\n", (unsigned long long)s->count);
  put_series(out, f->name, "_sum", service, f, s, NULL);
  put_number(out, s->sum);
  trin_buf_puts(out, "\n");
  put_series(out, f->name, "_count", service, f, s, NULL);
  trin_buf_printf(out, "%llu\n", (unsigned long long)s->count);
}

/* Why a sample of f cannot be rendered, or NULL. */
static const char *sample_problem(const Trin__Metrics__Family *f, const Trin__Metrics__Sample *s) {
  if (s->n_label_values != f->n_label_names) return "has a sample with the wrong number of label values";
  if (f->kind != TRIN__METRICS__KIND__HISTOGRAM) return NULL;
  if (s->n_bucket_counts != f->n_bounds) return "has a sample with the wrong number of buckets";
  for (size_t b = 0; b < s->n_bucket_counts; b++)
    if ((b > 0 && s->bucket_counts[b] < s->bucket_counts[b - 1]) || s->bucket_counts[b] > s->count)
      return "has a sample whose buckets are not cumulative";
  return NULL;
}

typedef struct {
  int rc;
  trin_err_t *err;
} problems_t;

static void problem(problems_t *p, const char *service, const char *name, const char *why) {
  if (p->rc) return; /* the first one is the one to read */
  p->rc = trin_err_set(p->err, TRIN_EINVALID, "families",
                       "service '%.40s': metric '%.80s' %s; it is left out", str(service),
                       str(name), why);
}

int trin_metrics_render(const Trin__Metrics__MetricsReply *const *snaps, size_t n,
                        trin_buf_t *out, trin_err_t *err) {
  problems_t p = {TRIN_OK, err};
  /* A family is written where its name first appears; every later snapshot
   * holding the name adds its samples there. Quadratic in the number of
   * families, which is a few dozen per service. */
  for (size_t si = 0; si < n; si++) {
    const Trin__Metrics__MetricsReply *s = snaps[si];
    if (!s) continue;
    for (size_t fi = 0; fi < s->n_families; fi++) {
      const Trin__Metrics__Family *f = s->families[fi];
      bool seen = false;
      for (size_t sj = 0; sj <= si && !seen; sj++) {
        if (!snaps[sj]) continue;
        size_t upto = sj == si ? fi : snaps[sj]->n_families;
        for (size_t fj = 0; fj < upto && !seen; fj++)
          seen = strcmp(str(snaps[sj]->families[fj]->name), str(f->name)) == 0 &&
                 !wire_family_problem(snaps[sj]->families[fj]);
      }
      if (seen) continue;
      const char *why = wire_family_problem(f);
      if (why) {
        problem(&p, s->service, f->name, why);
        continue;
      }
      trin_buf_printf(out, "# HELP %s ", f->name);
      escape_help(out, str(f->help));
      trin_buf_printf(out, "\n# TYPE %s %s\n", f->name, kind_name((int)f->kind));
      for (size_t sj = si; sj < n; sj++) {
        const Trin__Metrics__MetricsReply *t = snaps[sj];
        if (!t) continue;
        bool had = false;
        for (size_t fj = sj == si ? fi : 0; fj < t->n_families; fj++) {
          const Trin__Metrics__Family *g = t->families[fj];
          if (strcmp(str(g->name), f->name) != 0) continue;
          if (had) {
            problem(&p, t->service, g->name, "is declared twice in one snapshot");
            continue;
          }
          had = true;
          if (g != f && (why = wire_family_problem(g))) {
            problem(&p, t->service, g->name, why);
            continue;
          }
          if (!same_shape(f, g)) {
            problem(&p, t->service, g->name,
                    "is declared with another type or other buckets than another service's");
            continue;
          }
          for (size_t k = 0; k < g->n_samples; k++) {
            if ((why = sample_problem(g, g->samples[k]))) {
              problem(&p, t->service, g->name, why);
              continue;
            }
            put_samples(out, str(t->service), g, g->samples[k]);
          }
        }
      }
    }
  }
  if (out->failed && !p.rc)
    p.rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory writing the metrics");
  return p.rc;
}
