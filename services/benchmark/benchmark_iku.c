/* benchmark_iku — see benchmark_iku.h. Invariant of the amounts: every
 * row has purchases + own_won <= tasks <= BENCHMARK_IKU_AMOUNT_MAX, so a
 * municipality's sums over six accounts times 10,000 fit in int64 and no
 * IKU passes 10,000 basis points. */
#include "benchmark_iku.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const benchmark_iku_account_t benchmark_iku_accounts[BENCHMARK_IKU_ACCOUNTS] = {
    {"byudvikling", 0, "Byudvikling"},
    {"transport", 2, "Transport og infrastruktur"},
    {"undervisning", 3, "Undervisning og kultur"},
    {"sundhed", 4, "Sundhed"},
    {"sociale", 5, "Sociale opgaver"},
    {"administration", 6, "Administration og it"},
};

int benchmark_iku_account_parse(const char *text, const char *field, trin_err_t *err) {
  const char *t = text ? text : "";
  while (*t == ' ') t++;
  size_t len = strlen(t);
  while (len && t[len - 1] == ' ') len--;
  for (int i = 0; i < BENCHMARK_IKU_ACCOUNTS; i++) {
    const benchmark_iku_account_t *a = &benchmark_iku_accounts[i];
    char num[4];
    snprintf(num, sizeof num, "%d", a->number);
    if ((strlen(a->key) == len && strncasecmp(t, a->key, len) == 0) ||
        (strlen(a->name) == len && strncasecmp(t, a->name, len) == 0) ||
        (strlen(num) == len && strncmp(t, num, len) == 0))
      return i;
  }
  trin_err_set(err, TRIN_EINVALID, field,
               "'%.*s' is not a main account: write its number (0, 2, 3, 4, 5, 6), its name "
               "(e.g. Sundhed) or its key (byudvikling, transport, undervisning, sundhed, "
               "sociale, administration)",
               (int)(len > 60 ? 60 : len), t);
  return -1;
}

int benchmark_iku_amounts_check(const benchmark_iku_amounts_t *a, trin_err_t *err) {
  const struct {
    const char *field;
    int64_t v;
  } f[] = {{"purchases", a->purchases}, {"own_won", a->own_won}, {"tasks", a->tasks}};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
    if (f[i].v < 0) return trin_err_set(err, TRIN_EINVALID, f[i].field, "may not be negative");
    if (f[i].v > BENCHMARK_IKU_AMOUNT_MAX)
      return trin_err_set(err, TRIN_EINVALID, f[i].field,
                          "is over 1.000.000.000.000 kr., more than any municipality spends");
  }
  if (a->purchases + a->own_won > a->tasks)
    return trin_err_set(err, TRIN_EINVALID, "tasks",
                        "purchases plus own tenders won exceed the tasks private suppliers could "
                        "perform; they are part of those tasks (are two columns swapped?)");
  return TRIN_OK;
}

static int32_t bp_of(int64_t num, int64_t tasks) {
  /* half away from zero for num >= 0: an exact half needs an even tasks */
  return (int32_t)((num * 10000 + tasks / 2) / tasks);
}

bool benchmark_iku_bp(const benchmark_iku_amounts_t *a, int32_t *bp) {
  if (a->tasks <= 0) return false;
  *bp = bp_of(a->purchases + a->own_won, a->tasks);
  return true;
}

const char *benchmark_iku_state_name(benchmark_iku_state_t s) {
  switch (s) {
    case BENCHMARK_IKU_OK: return "ok";
    case BENCHMARK_IKU_NO_TASKS: return "no_tasks";
    case BENCHMARK_IKU_MISSING: return "missing";
    case BENCHMARK_IKU_PARTIAL: return "partial";
  }
  return "?";
}

/* One municipality's seven figures in one year (six accounts, the total),
 * from its rows [lo, hi); ranks and averages are the caller's. */
enum { NFIG = BENCHMARK_IKU_ACCOUNTS + 1, TOTAL = BENCHMARK_IKU_ACCOUNTS };

static void figures_of(const benchmark_iku_row_t *rows, size_t lo, size_t hi,
                       benchmark_iku_figure_t fig[NFIG]) {
  memset(fig, 0, NFIG * sizeof *fig);
  bool seen[BENCHMARK_IKU_ACCOUNTS] = {false};
  for (size_t i = lo; i < hi; i++) {
    int k = rows[i].account;
    if (k < 0 || k >= BENCHMARK_IKU_ACCOUNTS) continue;
    seen[k] = true;
    fig[k].sum = rows[i].a;
  }
  int reported = 0;
  benchmark_iku_amounts_t *t = &fig[TOTAL].sum;
  for (int k = 0; k < BENCHMARK_IKU_ACCOUNTS; k++) {
    if (!seen[k]) {
      fig[k].state = BENCHMARK_IKU_MISSING;
      continue;
    }
    reported++;
    t->purchases += fig[k].sum.purchases;
    t->own_won += fig[k].sum.own_won;
    t->tasks += fig[k].sum.tasks;
    fig[k].has_value = benchmark_iku_bp(&fig[k].sum, &fig[k].bp);
    fig[k].state = fig[k].has_value ? BENCHMARK_IKU_OK : BENCHMARK_IKU_NO_TASKS;
  }
  fig[TOTAL].has_value = benchmark_iku_bp(t, &fig[TOTAL].bp);
  fig[TOTAL].state = reported < BENCHMARK_IKU_ACCOUNTS ? BENCHMARK_IKU_PARTIAL
                     : fig[TOTAL].has_value          ? BENCHMARK_IKU_OK
                                                     : BENCHMARK_IKU_NO_TASKS;
}

/* The end of the run of rows sharing rows[i]'s key (its year, or within a
 * year its municipality). */
static size_t year_end(const benchmark_iku_row_t *rows, size_t n, size_t i) {
  size_t j = i;
  while (j < n && rows[j].year == rows[i].year) j++;
  return j;
}

static size_t municipality_end(const benchmark_iku_row_t *rows, size_t hi, size_t i) {
  size_t j = i;
  while (j < hi && strcmp(rows[j].municipality, rows[i].municipality) == 0) j++;
  return j;
}

/* The municipality's figures in one year's rows [lo, hi), ranked against
 * every other municipality of those rows. *found false when it has none. */
static void rank_year(const benchmark_iku_row_t *rows, size_t lo, size_t hi,
                      const char *municipality, benchmark_iku_figure_t mine[NFIG], bool *found,
                      int *municipalities) {
  *found = false;
  *municipalities = 0;
  for (size_t i = lo; i < hi; i = municipality_end(rows, hi, i)) {
    (*municipalities)++;
    if (!*found && strcmp(rows[i].municipality, municipality) == 0) {
      figures_of(rows, i, municipality_end(rows, hi, i), mine);
      *found = true;
    }
  }
  if (!*found) {
    for (int f = 0; f < NFIG; f++) mine[f] = (benchmark_iku_figure_t){0};
    for (int f = 0; f < NFIG; f++) mine[f].state = BENCHMARK_IKU_MISSING;
    return;
  }
  int64_t sum[NFIG] = {0};
  for (size_t i = lo; i < hi;) {
    size_t j = municipality_end(rows, hi, i);
    benchmark_iku_figure_t other[NFIG];
    figures_of(rows, i, j, other);
    for (int f = 0; f < NFIG; f++) {
      if (other[f].state != BENCHMARK_IKU_OK) continue;
      mine[f].of++;
      sum[f] += other[f].bp;
      if (mine[f].state == BENCHMARK_IKU_OK && other[f].bp > mine[f].bp) mine[f].rank++;
    }
    i = j;
  }
  for (int f = 0; f < NFIG; f++) {
    /* unranked keeps rank 0; `of` still counts those ranked ("not ranked; 97 are") */
    if (mine[f].state == BENCHMARK_IKU_OK) mine[f].rank++;
    if (mine[f].of > 0) {
      mine[f].has_average = true;
      mine[f].average_bp = (int32_t)((sum[f] + mine[f].of / 2) / mine[f].of);
    }
  }
}

void benchmark_iku_report(const benchmark_iku_row_t *rows, size_t n, const char *municipality,
                          int year, benchmark_iku_report_t *out) {
  memset(out, 0, sizeof *out);
  out->year = year;
  int first = year - (BENCHMARK_IKU_HISTORY_YEARS - 1);
  for (int k = 0; k < BENCHMARK_IKU_HISTORY_YEARS; k++) {
    out->history[k].year = first + k;
    out->history[k].state = BENCHMARK_IKU_MISSING;
  }
  benchmark_iku_figure_t fig[NFIG];
  bool found;
  int count;
  for (int f = 0; f < NFIG; f++) fig[f] = (benchmark_iku_figure_t){.state = BENCHMARK_IKU_MISSING};
  for (int f = 0; f < BENCHMARK_IKU_ACCOUNTS; f++) out->accounts[f] = fig[f];
  out->total = fig[TOTAL];
  for (size_t i = 0; i < n;) {
    size_t j = year_end(rows, n, i);
    int y = rows[i].year;
    if (y >= first && y <= year) {
      rank_year(rows, i, j, municipality, fig, &found, &count);
      out->found = out->found || found;
      benchmark_iku_point_t *p = &out->history[y - first];
      p->state = fig[TOTAL].state;
      p->has_value = fig[TOTAL].has_value;
      p->bp = fig[TOTAL].bp;
      p->rank = fig[TOTAL].rank;
      p->of = fig[TOTAL].of;
      if (y == year) {
        out->municipalities = count;
        for (int f = 0; f < BENCHMARK_IKU_ACCOUNTS; f++) out->accounts[f] = fig[f];
        out->total = fig[TOTAL];
      }
    }
    i = j;
  }
}
