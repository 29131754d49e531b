/* benchmark_network — see benchmark_network.h. */
#include "benchmark_network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool benchmark_network_member_on(const benchmark_network_span_t *span, trin_date_t date) {
  if (span->joined == TRIN_DATE_NONE || date < span->joined) return false;
  return span->left == TRIN_DATE_NONE || date < span->left;
}

trin_date_t benchmark_network_year_date(int year) { return trin_date_from_ymd(year, 12, 31); }

int benchmark_network_span_check(const benchmark_network_span_t *span, trin_err_t *err) {
  if (span->joined == TRIN_DATE_NONE)
    return trin_err_set(err, TRIN_EINVALID, "joined", "is required (the day the member joined)");
  if (span->left != TRIN_DATE_NONE && span->left <= span->joined)
    return trin_err_set(err, TRIN_EINVALID, "left",
                        "must be after joined: a member counts from the day it joined up to, "
                        "not including, the day it left");
  return TRIN_OK;
}

void benchmark_network_split(const benchmark_ranked_t *all, const bool *member, size_t n,
                             benchmark_direction_t dir, benchmark_ranked_t *in, size_t *nin,
                             benchmark_ranked_t *out, size_t *nout) {
  *nin = *nout = 0;
  for (size_t i = 0; i < n; i++) {
    if (member[i])
      in[(*nin)++] = all[i];
    else
      out[(*nout)++] = all[i];
  }
  benchmark_rank(in, *nin, dir);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

void benchmark_network_side(const benchmark_ranked_t *items, size_t n, int min_group,
                            const char *name, benchmark_network_side_t *out) {
  memset(out, 0, sizeof *out);
  out->organisations = (int32_t)n;
  if (n == 0) {
    snprintf(out->reason, sizeof out->reason, "no organisation %s has a value", name);
    return;
  }
  if (!benchmark_group_visible(n, min_group)) {
    snprintf(out->reason, sizeof out->reason,
             "%zu organisation%s %s %s a value: fewer than the minimum of %d", n,
             n == 1 ? "" : "s", name, n == 1 ? "has" : "have", min_group);
    return;
  }
  int64_t *v = malloc(n * sizeof *v);
  if (!v) {
    snprintf(out->reason, sizeof out->reason, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) v[i] = items[i].value;
  qsort(v, n, sizeof *v, cmp_i64);
  out->median = benchmark_quartile(v, n, 2);
  out->shown = true;
  free(v);
}

bool benchmark_network_name_visible(bool network_open, const char *viewer, bool viewer_open,
                                    const char *subject, bool subject_open) {
  if (network_open && viewer && *viewer) return true;
  return benchmark_name_visible(viewer, viewer_open, subject, subject_open);
}
