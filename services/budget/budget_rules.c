/* budget_rules — see budget_rules.h. Integer arithmetic throughout; where
 * a product can leave int64 (øre × basis points, øre × index values) it is
 * done in 128 bits and checked on the way back. */
#include "budget_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_id.h"
#include "trin_number.h"

__extension__ typedef __int128 i128;

/* ---- names ------------------------------------------------------------------ */

static int parse_word(const char *const *words, int n, const char *text, const char *what,
                      const char *field, trin_err_t *err) {
  for (int i = 0; i < n; i++)
    if (text && strcmp(text, words[i]) == 0) return i;
  char list[256] = "";
  size_t k = 0;
  for (int i = 0; i < n && k < sizeof list; i++)
    k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", words[i]);
  if (!text || !*text)
    trin_err_set(err, TRIN_EINVALID, field, "is required: %s (%s)", what, list);
  else
    trin_err_set(err, TRIN_EINVALID, field, "'%.40s' is not a %s; use one of %s", text,
                 what, list);
  return -1;
}

static const char *const KINDS[] = {"skema_a", "skema_b", "skema_c", "forecast"};
static const char *const CATEGORIES[] = {"craft",          "advisor_fees", "early_advice",
                                         "management_fee", "risk_pool",    "margin",
                                         "fees_other",     "financing"};
static const char *const STATUSES[] = {"draft", "submitted", "approved"};
static const char *const OPTION_STATUSES[] = {"proposed", "accepted", "rejected"};
static const char *const PARTIES[] = {"advisors", "contractor", "other"};

#define NAME_OF(arr, i) ((i) >= 0 && (i) < (int)(sizeof arr / sizeof *arr) ? arr[i] : "")

int budget_kind_parse(const char *t, const char *f, trin_err_t *e) {
  return parse_word(KINDS, BUDGET_KIND_COUNT, t, "budget kind", f, e);
}
const char *budget_kind_name(int k) { return NAME_OF(KINDS, k); }
int budget_status_parse(const char *t, const char *f, trin_err_t *e) {
  return parse_word(STATUSES, BUDGET_STATUS_COUNT, t, "budget status", f, e);
}
int budget_category_parse(const char *t, const char *f, trin_err_t *e) {
  return parse_word(CATEGORIES, BUDGET_CATEGORY_COUNT, t, "budget line category", f, e);
}
const char *budget_category_name(int c) { return NAME_OF(CATEGORIES, c); }
int budget_option_status_parse(const char *t, const char *f, trin_err_t *e) {
  return parse_word(OPTION_STATUSES, BUDGET_OPTION_STATUS_COUNT, t, "option status", f, e);
}
const char *budget_party_name(int p) { return NAME_OF(PARTIES, p); }

budget_party_t budget_category_party(budget_category_t c) {
  switch (c) {
    case BUDGET_CAT_ADVISOR_FEES: return BUDGET_PARTY_ADVISORS;
    case BUDGET_CAT_CRAFT:
    case BUDGET_CAT_EARLY_ADVICE:
    case BUDGET_CAT_MANAGEMENT_FEE:
    case BUDGET_CAT_RISK_POOL:
    case BUDGET_CAT_MARGIN: return BUDGET_PARTY_CONTRACTOR;
    default: return BUDGET_PARTY_OTHER;
  }
}

/* ---- arithmetic -------------------------------------------------------------- */

/* q = round(p / d) half away from zero, d > 0. */
static i128 div_round(i128 p, i128 d) {
  i128 q = p / d, r = p % d;
  if (r * 2 >= d) q++;
  else if (r * 2 <= -d) q--;
  return q;
}

bool budget_mul_div(int64_t a, int64_t num, int64_t den, int64_t *out) {
  if (den <= 0) return false;
  i128 q = div_round((i128)a * num, den);
  if (q > INT64_MAX || q < INT64_MIN) return false;
  *out = (int64_t)q;
  return true;
}

int32_t budget_ratio_bp(int64_t num, int64_t den) {
  if (den == 0) return 0;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  i128 q = div_round((i128)num * 10000, den);
  if (q > INT32_MAX) return INT32_MAX;
  if (q < INT32_MIN) return INT32_MIN;
  return (int32_t)q;
}

/* A percentage in basis points must lie in 0..BUDGET_BP_MAX. */
static int budget_bp_check(int64_t bp, const char *field, trin_err_t *err) {
  if (bp < 0 || bp > BUDGET_BP_MAX)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "must be 0–10000 basis points (0–100 %%), got %lld",
                        (long long)bp);
  return TRIN_OK;
}

static int overflow(const char *field, trin_err_t *err) {
  return trin_err_set(err, TRIN_EINVALID, field,
                      "the amount is too large to compute in øre without overflow");
}

/* "1234567.89" with the sign; for working lines. */
static const char *kr(trin_ore_t v, char *buf) { return trin_money_format(v, buf); }

/* "8.50 %" */
static const char *pct(int32_t bp, char *buf) {
  snprintf(buf, 16, "%d.%02d %%", bp / 100, bp % 100);
  return buf;
}

/* ---- the model and the price ------------------------------------------------------ */

int budget_model_check(const budget_model_t *m, trin_err_t *err) {
  int rc;
  if ((rc = budget_bp_check(m->management_fee_bp, "model.management_fee_bp", err)) ||
      (rc = budget_bp_check(m->risk_bp, "model.risk_bp", err)) ||
      (rc = budget_bp_check(m->advisor_fee_bp, "model.advisor_fee_bp", err)) ||
      (rc = budget_bp_check(m->margin_bp, "model.margin_bp", err)) ||
      (rc = budget_bp_check(m->molio_deduction_bp, "model.molio_deduction_bp", err)))
    return rc;
  if (m->nrates < 0 || m->nrates > BUDGET_MAX_RATES)
    return trin_err_set(err, TRIN_ETOOBIG, "model.rates", "at most %d hourly rates",
                        BUDGET_MAX_RATES);
  for (int i = 0; i < m->nrates; i++) {
    char f[48];
    if (m->rates[i].rate_ore < 0) {
      snprintf(f, sizeof f, "model.rates[%d].rate_ore", i);
      return trin_money_check_nonnegative(m->rates[i].rate_ore, f, err);
    }
    for (int j = 0; j < i; j++)
      if (strcmp(m->rates[i].role, m->rates[j].role) == 0) {
        snprintf(f, sizeof f, "model.rates[%d].role", i);
        return trin_err_set(err, TRIN_EINVALID, f, "role '%s' has a rate already",
                            m->rates[i].role);
      }
  }
  return TRIN_OK;
}

static void price_line(budget_price_t *p, budget_category_t c, trin_ore_t base, int32_t bp,
                       trin_ore_t amount, const char *working) {
  budget_price_line_t *l = &p->lines[p->nlines++];
  l->category = c;
  l->base_ore = base;
  l->rate_bp = bp;
  l->amount_ore = amount;
  snprintf(l->working, sizeof l->working, "%s", working);
}

/* A percentage line: amount = round(base × bp / 10000). */
static int pct_line(budget_price_t *p, budget_category_t c, trin_ore_t base, int32_t bp,
                    trin_ore_t *amount, trin_err_t *err) {
  if (!trin_money_apply_bp(base, bp, amount)) return overflow(budget_category_name(c), err);
  char b1[TRIN_MONEY_BUF], b2[TRIN_MONEY_BUF], b3[16], w[BUDGET_WORKING_MAX];
  snprintf(w, sizeof w, "%s × %s = %s", kr(base, b1), pct(bp, b3), kr(*amount, b2));
  price_line(p, c, base, bp, *amount, w);
  return TRIN_OK;
}

int budget_price_calculate(const budget_model_t *m, trin_ore_t craft, const budget_hours_t *hours,
                           int nhours, budget_price_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  int rc = trin_money_check_nonnegative(craft, "craft_ore", err);
  if (rc) return rc;
  char b1[TRIN_MONEY_BUF], b2[TRIN_MONEY_BUF], w[BUDGET_WORKING_MAX];
  snprintf(w, sizeof w, "craft costs as given = %s", kr(craft, b1));
  price_line(out, BUDGET_CAT_CRAFT, craft, 0, craft, w);

  /* Early advice: each role's hours × its tendered rate, rounded per role. */
  trin_ore_t advice = 0;
  size_t wn = (size_t)snprintf(w, sizeof w, "Σ hours × rate:");
  for (int i = 0; i < nhours; i++) {
    char f[32];
    snprintf(f, sizeof f, "hours[%d].role", i);
    const budget_rate_t *r = NULL;
    for (int k = 0; k < m->nrates; k++)
      if (hours[i].role && strcmp(m->rates[k].role, hours[i].role) == 0) r = &m->rates[k];
    if (!r)
      return trin_err_set(err, TRIN_EINVALID, f, "role '%.64s' has no hourly rate in the model",
                          hours[i].role ? hours[i].role : "");
    if (hours[i].hours_x100 < 0) {
      snprintf(f, sizeof f, "hours[%d].hours_x100", i);
      return trin_err_set(err, TRIN_EINVALID, f, "must not be negative");
    }
    trin_ore_t cost;
    if (!budget_mul_div(hours[i].hours_x100, r->rate_ore, 100, &cost) ||
        !trin_money_add(advice, cost, &advice))
      return overflow("hours", err);
    if (wn < sizeof w)
      wn += (size_t)snprintf(w + wn, sizeof w - wn, " %lld.%02lld h × %s;",
                             (long long)(hours[i].hours_x100 / 100),
                             (long long)(hours[i].hours_x100 % 100), kr(r->rate_ore, b1));
  }
  if (wn < sizeof w) snprintf(w + wn, sizeof w - wn, " = %s", kr(advice, b2));
  price_line(out, BUDGET_CAT_EARLY_ADVICE, 0, 0, advice, w);

  trin_ore_t advisor, mgmt, risk, margin, base;
  if ((rc = pct_line(out, BUDGET_CAT_ADVISOR_FEES, craft, m->advisor_fee_bp, &advisor, err)) ||
      (rc = pct_line(out, BUDGET_CAT_MANAGEMENT_FEE, craft, m->management_fee_bp, &mgmt, err)) ||
      (rc = pct_line(out, BUDGET_CAT_RISK_POOL, craft, m->risk_bp, &risk, err)))
    return rc;
  if (!trin_money_add(craft, mgmt, &base) || !trin_money_add(base, risk, &base))
    return overflow("craft_ore", err);
  if ((rc = pct_line(out, BUDGET_CAT_MARGIN, base, m->margin_bp, &margin, err))) return rc;

  trin_ore_t price = 0;
  for (int i = 0; i < out->nlines; i++)
    if (!trin_money_add(price, out->lines[i].amount_ore, &price)) return overflow("craft_ore", err);
  out->price_ore = price;
  return TRIN_OK;
}

/* ---- lines ---------------------------------------------------------------------- */

int budget_line_check(const budget_line_t *l, trin_err_t *err) {
  int rc = trin_money_check_nonnegative(l->amount_ore, "amount_ore", err);
  if (!rc) rc = trin_money_check_nonnegative(l->molio_reference_ore, "molio_reference_ore", err);
  if (!rc && l->molio_reference_ore > 0 && l->category != BUDGET_CAT_CRAFT)
    rc = trin_err_set(err, TRIN_EINVALID, "molio_reference_ore",
                      "a MOLIO reference price belongs on a craft line, not on %s",
                      budget_category_name(l->category));
  return rc;
}

bool budget_lines_total(const budget_line_t *lines, size_t n, trin_ore_t *out) {
  trin_ore_t t = 0;
  for (size_t i = 0; i < n; i++)
    if (__builtin_add_overflow(t, lines[i].amount_ore, &t)) return false;
  *out = t;
  return true;
}

/* ---- MOLIO ------------------------------------------------------------------------ */

void budget_molio_line(trin_ore_t amount, trin_ore_t reference, int32_t deduction_bp,
                       budget_molio_t *out) {
  trin_ore_t limit = 0;
  /* reference and (10000 − bp) are bounded, so this cannot overflow in 128
   * bits; a result beyond int64 saturates (every amount passes). */
  if (!trin_money_apply_bp(reference, BUDGET_BP_MAX - deduction_bp, &limit)) limit = INT64_MAX;
  out->limit_ore = limit;
  out->passes = amount <= limit;
  out->excess_ore = out->passes ? 0 : amount - limit;
}

void budget_molio_lines(const budget_line_t *lines, size_t n, int32_t deduction_bp,
                        budget_molio_summary_t *out) {
  memset(out, 0, sizeof *out);
  /* The limit factor is the same for every line: keep it in a register. */
  const int64_t keep = BUDGET_BP_MAX - deduction_bp;
  for (size_t i = 0; i < n; i++) {
    const budget_line_t *l = &lines[i];
    if (l->category != BUDGET_CAT_CRAFT || l->molio_reference_ore <= 0) continue;
    out->checked++;
    trin_ore_t limit;
    if (!trin_money_apply_bp(l->molio_reference_ore, keep, &limit)) continue;
    if (l->amount_ore > limit) {
      out->failing++;
      out->excess_ore += l->amount_ore - limit;
    }
  }
}

/* ---- index ------------------------------------------------------------------------- */

int budget_index_at(const budget_index_point_t *pts, size_t n, trin_date_t date,
                    const char *series, const char *field, budget_index_point_t *out,
                    trin_err_t *err) {
  /* Binary search for the last point with pts[i].date <= date. */
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (pts[mid].date <= date) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) {
    char d[TRIN_DATE_BUF], first[TRIN_DATE_BUF];
    trin_date_format(date, d);
    if (n == 0)
      return trin_err_set(err, TRIN_ECONFLICT, field,
                          "index series %s has no points; load them before computing drift "
                          "(nothing is interpolated)",
                          series);
    return trin_err_set(err, TRIN_ECONFLICT, field,
                        "index series %s has no point at or before %s (its first is %s); "
                        "nothing is interpolated",
                        series, d, trin_date_format(pts[0].date, first));
  }
  *out = pts[lo - 1];
  return TRIN_OK;
}

int budget_index_date_parse(const char *text, trin_date_t *out, const char *field,
                            trin_err_t *err) {
  if (!text || !*text) return trin_err_set(err, TRIN_EINVALID, field, "the date is missing");
  /* 2024K1 / 2024Q1: Danmarks Statistik's quarter notation. */
  if (strlen(text) == 6 && isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[1]) &&
      isdigit((unsigned char)text[2]) && isdigit((unsigned char)text[3]) &&
      (text[4] == 'K' || text[4] == 'Q' || text[4] == 'k' || text[4] == 'q') &&
      text[5] >= '1' && text[5] <= '4') {
    int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    if (y < 1900 || y > 2199)
      return trin_err_set(err, TRIN_EINVALID, field, "year %d is out of range 1900–2199", y);
    *out = trin_date_from_ymd(y, (text[5] - '1') * 3 + 1, 1);
    return TRIN_OK;
  }
  return trin_date_parse(text, out, field, err);
}

typedef struct {
  int date_col, value_col;
  budget_index_point_t *pts;
  size_t n, cap;
} csv_state_t;

static int on_index_row(void *data, const trin_csv_row_t *row, trin_err_t *err) {
  csv_state_t *s = data;
  if (s->date_col < 0) {
    s->date_col = trin_csv_column(row, "date");
    s->value_col = trin_csv_column(row, "value");
    if (s->date_col < 0 || s->value_col < 0)
      return trin_err_set(err, TRIN_EINVALID, "csv",
                          "line %zu: the header needs columns 'date' and 'value'", row->line);
    return TRIN_OK;
  }
  trin_err_t e = {0};
  const char *d = (size_t)s->date_col < row->n ? row->fields[s->date_col] : "";
  const char *v = (size_t)s->value_col < row->n ? row->fields[s->value_col] : "";
  budget_index_point_t p;
  int rc = budget_index_date_parse(d, &p.date, "date", &e);
  if (!rc) {
    if (!*v) rc = trin_err_set(&e, TRIN_EINVALID, "value", "the value is missing");
    else rc = trin_number_parse(v, 2, &p.value_x100, "value", &e);
  }
  if (!rc && p.value_x100 <= 0)
    rc = trin_err_set(&e, TRIN_EINVALID, "value", "must be above 0, got '%.20s'", v);
  if (rc) return trin_err_set(err, rc, "csv", "line %zu: %s: %s", row->line, e.field, e.message);
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    budget_index_point_t *np = realloc(s->pts, nc * sizeof *np);
    if (!np) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    s->pts = np;
    s->cap = nc;
  }
  s->pts[s->n++] = p;
  return TRIN_OK;
}

static int cmp_point(const void *a, const void *b) {
  const budget_index_point_t *x = a, *y = b;
  return (x->date > y->date) - (x->date < y->date);
}

int budget_index_parse_csv(const char *csv, size_t len, budget_index_point_t **out,
                           size_t *n, trin_err_t *err) {
  csv_state_t s = {.date_col = -1, .value_col = -1};
  trin_csv_options_t o = {.max_bytes = 16u << 20, .field = "csv"};
  int rc = trin_csv_parse(csv, len, &o, on_index_row, &s, err);
  if (!rc && s.date_col < 0)
    rc = trin_err_set(err, TRIN_EINVALID, "csv", "the CSV is empty: it needs a header "
                                                 "with 'date' and 'value' and one row per point");
  if (!rc && s.n == 0) rc = trin_err_set(err, TRIN_EINVALID, "csv", "the CSV has no points");
  if (!rc) {
    qsort(s.pts, s.n, sizeof *s.pts, cmp_point);
    for (size_t i = 1; i < s.n; i++)
      if (s.pts[i].date == s.pts[i - 1].date) {
        char d[TRIN_DATE_BUF];
        rc = trin_err_set(err, TRIN_EINVALID, "csv", "the date %s appears twice",
                          trin_date_format(s.pts[i].date, d));
        break;
      }
  }
  if (rc) {
    free(s.pts);
    return rc;
  }
  *out = s.pts;
  *n = s.n;
  return TRIN_OK;
}

/* ---- drift -------------------------------------------------------------------------- */

int budget_drift(trin_ore_t a, trin_date_t a_date, trin_ore_t b, trin_date_t b_date,
                 const budget_index_point_t *ia, const budget_index_point_t *ib,
                 const budget_change_t *changes, size_t nchanges, budget_drift_t *out,
                 trin_err_t *err) {
  memset(out, 0, sizeof *out);
  out->a_ore = a;
  out->b_ore = b;
  if (!trin_money_sub(b, a, &out->total_ore)) return overflow("skema_b", err);
  if (ia && ib && ia->value_x100 > 0) {
    trin_ore_t indexed;
    if (!budget_mul_div(a, ib->value_x100, ia->value_x100, &indexed) ||
        !trin_money_sub(indexed, a, &out->market_ore))
      return overflow("skema_a", err);
    out->market_known = true;
  }
  for (size_t i = 0; i < nchanges; i++)
    if (changes[i].date > a_date && changes[i].date <= b_date &&
        !trin_money_add(out->scope_ore, changes[i].amount_ore, &out->scope_ore))
      return overflow("scope", err);
  /* The invariant of the decomposition: total = market + scope + unexplained,
   * exactly, in øre. It holds by construction — the unexplained rest is
   * whatever market and scope do not explain, never rounded on its own — so
   * the parts always add up to the drift the users see. */
  trin_ore_t explained;
  if (!trin_money_add(out->market_ore, out->scope_ore, &explained) ||
      !trin_money_sub(out->total_ore, explained, &out->unexplained_ore) ||
      !trin_money_sub(out->total_ore, out->market_ore, &out->market_adjusted_ore))
    return overflow("scope", err);
  out->total_bp = budget_ratio_bp(out->total_ore, a);
  out->market_bp = budget_ratio_bp(out->market_ore, a);
  out->scope_bp = budget_ratio_bp(out->scope_ore, a);
  out->unexplained_bp = budget_ratio_bp(out->unexplained_ore, a);
  out->market_adjusted_bp = budget_ratio_bp(out->market_adjusted_ore, a);
  return TRIN_OK;
}

/* ---- forecast -------------------------------------------------------------------------- */

int budget_forecast(trin_ore_t base, trin_date_t base_date, const budget_change_t *scope,
                    size_t nscope, const budget_change_t *savings, size_t nsavings,
                    trin_ore_t costs, budget_forecast_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  out->base_ore = base;
  out->base_date = base_date;
  out->costs_to_date_ore = costs;
  for (size_t i = 0; i < nscope; i++)
    if (scope[i].date > base_date &&
        !trin_money_add(out->scope_after_ore, scope[i].amount_ore, &out->scope_after_ore))
      return overflow("scope", err);
  for (size_t i = 0; i < nsavings; i++)
    if (savings[i].date > base_date &&
        !trin_money_sub(out->savings_after_ore, savings[i].amount_ore, &out->savings_after_ore))
      return overflow("savings", err);
  trin_ore_t f;
  if (!trin_money_add(base, out->scope_after_ore, &f) ||
      !trin_money_sub(f, out->savings_after_ore, &f))
    return overflow("forecast", err);
  out->at_completion_ore = f > costs ? f : costs;
  out->cost_to_complete_ore = out->at_completion_ore - costs;
  return TRIN_OK;
}

/* ---- rent -------------------------------------------------------------------------------- */

int budget_rent_check(const budget_rent_params_t *p, trin_err_t *err) {
  int rc = budget_bp_check(p->loan_share_bp, "parameters.loan_share_bp", err);
  if (rc) return rc;
  if (p->interest_bp < 0 || p->interest_bp > 3000)
    return trin_err_set(err, TRIN_EINVALID, "parameters.interest_bp",
                        "must be 0–3000 basis points (0–30 %%), got %d", p->interest_bp);
  if (p->term_years < 1 || p->term_years > 60)
    return trin_err_set(err, TRIN_EINVALID, "parameters.term_years",
                        "must be 1–60 years, got %d", p->term_years);
  if (p->rentable_area_m2 <= 0)
    return trin_err_set(err, TRIN_EINVALID, "parameters.rentable_area_m2",
                        "must be above 0, got %d", p->rentable_area_m2);
  if ((rc = trin_money_check_nonnegative(p->current_rent_ore_per_m2,
                                         "parameters.current_rent_ore_per_m2", err)))
    return rc;
  return trin_money_check_nonnegative(p->max_rent_ore_per_m2, "parameters.max_rent_ore_per_m2",
                                      err);
}

int budget_rent(trin_ore_t price, const budget_rent_params_t *p, budget_rent_t *out,
                trin_err_t *err) {
  memset(out, 0, sizeof *out);
  int rc = budget_rent_check(p, err);
  if (rc) return rc;
  if (!trin_money_apply_bp(price, p->loan_share_bp, &out->financed_ore))
    return overflow("financed", err);
  trin_ore_t pay;
  if (p->interest_bp == 0) {
    if (!budget_mul_div(out->financed_ore, 1, p->term_years, &pay)) return overflow("financed", err);
  } else {
    /* (1 + r)^n in fixed point with 15 decimals, rounded at each step; the
     * error stays far below half an øre for any trin amount. */
    const i128 S = (i128)1000000000000000LL;
    i128 f = S + (i128)p->interest_bp * 100000000000LL; /* bp × 10^11 = r × 10^15 */
    i128 pw = S;
    for (int i = 0; i < p->term_years; i++) pw = div_round(pw * f, S);
    /* payment = L × r × pw / (pw − S), r = bp / 10000 */
    i128 num = (i128)out->financed_ore * p->interest_bp * pw;
    i128 den = (i128)10000 * (pw - S);
    i128 q = div_round(num, den);
    if (q > INT64_MAX || q < INT64_MIN) return overflow("financed", err);
    pay = (trin_ore_t)q;
  }
  out->yearly_payment_ore = pay;
  if (!budget_mul_div(pay, 1, p->rentable_area_m2, &out->increase_ore_per_m2) ||
      !trin_money_add(p->current_rent_ore_per_m2, out->increase_ore_per_m2,
                      &out->new_rent_ore_per_m2))
    return overflow("rent", err);
  out->increase_bp = budget_ratio_bp(out->increase_ore_per_m2, p->current_rent_ore_per_m2);
  out->within_max = out->new_rent_ore_per_m2 <= p->max_rent_ore_per_m2;
  return TRIN_OK;
}

/* ---- a project's figures ------------------------------------------------------------------ */

int budget_project_figures(const budget_project_input_t *in, budget_project_figures_t *out,
                           trin_err_t *err) {
  memset(out, 0, sizeof *out);
  int rc;
  if (in->has_a && in->has_b) {
    out->drift_known = true;
    /* Drift counts scope changes and accepted savings together. */
    budget_change_t stack[64];
    size_t n = in->nscope + in->nsavings;
    budget_change_t *all = n <= 64 ? stack : malloc(n * sizeof *all);
    if (!all) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    if (in->nscope) memcpy(all, in->scope, in->nscope * sizeof *all);
    if (in->nsavings) memcpy(all + in->nscope, in->savings, in->nsavings * sizeof *all);
    rc = budget_drift(in->a_ore, in->a_date, in->b_ore, in->b_date, in->ia, in->ib, all, n,
                      &out->drift, err);
    if (all != stack) free(all);
    if (rc) return rc;
  }
  budget_molio_lines(in->price_lines, in->nprice_lines, in->molio_deduction_bp, &out->molio);
  trin_ore_t base = 0;
  trin_date_t base_date = TRIN_DATE_NONE;
  if (in->has_forecast) {
    base = in->forecast_version_ore;
    base_date = in->forecast_version_date;
  } else if (in->has_b) {
    base = in->b_ore;
    base_date = in->b_date;
  } else if (in->has_a) {
    base = in->a_ore;
    base_date = in->a_date;
  }
  return budget_forecast(base, base_date, in->scope, in->nscope, in->savings, in->nsavings,
                         in->costs_to_date_ore, &out->forecast, err);
}

static bool drift_equal(const budget_drift_t *x, const budget_drift_t *y) {
  return x->a_ore == y->a_ore && x->b_ore == y->b_ore && x->total_ore == y->total_ore &&
         x->market_ore == y->market_ore && x->scope_ore == y->scope_ore &&
         x->unexplained_ore == y->unexplained_ore &&
         x->market_adjusted_ore == y->market_adjusted_ore && x->total_bp == y->total_bp &&
         x->market_bp == y->market_bp && x->scope_bp == y->scope_bp &&
         x->unexplained_bp == y->unexplained_bp &&
         x->market_adjusted_bp == y->market_adjusted_bp && x->market_known == y->market_known;
}

static bool forecast_equal(const budget_forecast_t *x, const budget_forecast_t *y) {
  return x->base_ore == y->base_ore && x->base_date == y->base_date &&
         x->scope_after_ore == y->scope_after_ore &&
         x->savings_after_ore == y->savings_after_ore &&
         x->costs_to_date_ore == y->costs_to_date_ore &&
         x->cost_to_complete_ore == y->cost_to_complete_ore &&
         x->at_completion_ore == y->at_completion_ore;
}

bool budget_project_figures_equal(const budget_project_figures_t *x,
                                  const budget_project_figures_t *y) {
  return x->drift_known == y->drift_known && drift_equal(&x->drift, &y->drift) &&
         x->molio.checked == y->molio.checked && x->molio.failing == y->molio.failing &&
         x->molio.excess_ore == y->molio.excess_ore &&
         forecast_equal(&x->forecast, &y->forecast);
}

/* ---- corrections ---------------------------------------------------------------- */

int budget_reason_check(const char *reason, trin_err_t *err) {
  const char *r = reason ? reason : "";
  while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') r++;
  if (!*r)
    return trin_err_set(err, TRIN_EINVALID, "reason",
                        "is required: say why the budget goes back to draft");
  return trin_text_check(reason, BUDGET_REASON_MAX_BYTES, "reason", err);
}

int budget_withdraw_check(const budget_state_t *b, trin_err_t *err) {
  if (strcmp(b->status, "submitted") == 0) return TRIN_OK;
  return trin_err_set(err, TRIN_ECONFLICT, "status",
                      "budget '%s' is %s; only a submitted budget can be withdrawn%s", b->id,
                      b->status,
                      strcmp(b->status, "approved") == 0 ? " (an approved one is reopened)" : "");
}

/* The day a refusal names, NULL when it is not known. */
static const char *on_day(const char *on) { return on && *on ? on : NULL; }

int budget_reopen_check(const budget_state_t *b, const budget_price_closing_t *pc,
                        trin_err_t *err) {
  if (strcmp(b->status, "approved") != 0)
    return trin_err_set(err, TRIN_ECONFLICT, "status",
                        "budget '%s' is %s; only an approved budget can be reopened%s", b->id,
                        b->status,
                        strcmp(b->status, "submitted") == 0 ? " (a submitted one is withdrawn)"
                                                            : "");
  const char *day = on_day(pc->on);
  if (b->kind == BUDGET_SKEMA_B)
    return trin_err_set(err, TRIN_ECONFLICT, "price_closed",
                        "budget '%s' is the approved Skema B of project '%s': approving it "
                        "closed the price (prisen er lukket%s%s), and a closed price is not "
                        "reopened",
                        b->id, b->project_id, day ? " " : "", day ? day : "");
  if (b->kind == BUDGET_SKEMA_A && pc->closed) {
    char by[200];
    if (pc->skema_b_id && *pc->skema_b_id)
      snprintf(by, sizeof by, " by Skema B '%s'", pc->skema_b_id);
    else
      snprintf(by, sizeof by, " in the project's lifecycle");
    return trin_err_set(err, TRIN_ECONFLICT, "price_closed",
                        "the price of project '%s' is closed%s (prisen er lukket%s%s): the "
                        "drift is measured from its approved Skema A '%s', which can no longer "
                        "be reopened",
                        b->project_id, by, day ? " " : "", day ? day : "", b->id);
  }
  return TRIN_OK;
}
