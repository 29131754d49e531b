/* survey_rules — see survey_rules.h. */
#include "survey_rules.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "trin_csv.h"
#include "trin_number.h"

/* ---- words ------------------------------------------------------------------ */

static const char *const ROLE_NAMES[SURVEY_NGROUPS] = {
    "resident_committee", "residents", "client", "advisor", "contractor", "all"};

/* Danish words survey tools put in a role column (lower case). */
static const struct {
  const char *word;
  int role;
} ROLE_ALIASES[] = {
    {"følgegruppe", SURVEY_ROLE_RESIDENT_COMMITTEE},
    {"byggeudvalg", SURVEY_ROLE_RESIDENT_COMMITTEE},
    {"beboer", SURVEY_ROLE_RESIDENTS},
    {"beboere", SURVEY_ROLE_RESIDENTS},
    {"bygherre", SURVEY_ROLE_CLIENT},
    {"rådgiver", SURVEY_ROLE_ADVISOR},
    {"entreprenør", SURVEY_ROLE_CONTRACTOR},
};

/* Lower-cases ASCII and the Danish capitals Æ Ø Å (UTF-8 C3 86/98/85), turns
 * '-' and ' ' into '_', and trims surrounding spaces. */
static void normalise(const char *in, char *out, size_t n) {
  while (*in == ' ') in++;
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && k + 1 < n; p++) {
    unsigned char c = *p;
    if (c == 0xC3 && (p[1] == 0x86 || p[1] == 0x98 || p[1] == 0x85) && k + 2 < n) {
      out[k++] = (char)c;
      out[k++] = (char)(p[1] + 0x20);
      p++;
      continue;
    }
    out[k++] = c == '-' || c == ' ' ? '_' : (char)tolower(c);
  }
  while (k > 0 && out[k - 1] == '_') k--;
  out[k] = '\0';
}

int survey_role_parse(const char *text, const char *field, trin_err_t *err) {
  char w[64];
  normalise(text ? text : "", w, sizeof w);
  for (int r = 0; r < SURVEY_NROLES; r++)
    if (strcmp(w, ROLE_NAMES[r]) == 0) return r;
  for (size_t i = 0; i < sizeof ROLE_ALIASES / sizeof *ROLE_ALIASES; i++)
    if (strcmp(w, ROLE_ALIASES[i].word) == 0) return ROLE_ALIASES[i].role;
  trin_err_set(err, TRIN_EINVALID, field,
               "'%.40s' is not a role; use resident_committee, residents, client, "
               "advisor or contractor",
               text ? text : "");
  return -1;
}

int survey_column_parse(const char *header) {
  static const struct {
    const char *word;
    int column;
  } COLUMNS[] = {
      {"respondent", SURVEY_COLUMN_RESPONDENT}, {"respondent_id", SURVEY_COLUMN_RESPONDENT},
      {"respondentid", SURVEY_COLUMN_RESPONDENT}, {"role", SURVEY_COLUMN_ROLE},
      {"rolle", SURVEY_COLUMN_ROLE},           {"comment", SURVEY_COLUMN_COMMENT},
      {"kommentar", SURVEY_COLUMN_COMMENT},    {"kommentarer", SURVEY_COLUMN_COMMENT},
  };
  char w[64];
  normalise(header ? header : "", w, sizeof w);
  for (size_t i = 0; i < sizeof COLUMNS / sizeof *COLUMNS; i++)
    if (strcmp(w, COLUMNS[i].word) == 0) return COLUMNS[i].column;
  return -1;
}

/* Bytes of the Danish letter at p (2), or 0. */
static size_t danish_letter(const unsigned char *p) {
  if (p[0] != 0xC3) return 0;
  switch (p[1]) {
    case 0x86: case 0x98: case 0x85: case 0xA6: case 0xB8: case 0xA5:
      return 2;
    default:
      return 0;
  }
}

int survey_statement_key_check(const char *key, const char *field, trin_err_t *err) {
  if (!key || !*key) return trin_err_set(err, TRIN_EINVALID, field, "is required");
  size_t n = strlen(key);
  if (n > SURVEY_KEY_MAX)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "is %zu bytes long; at most %d are allowed (Æ, Ø, Å take two)", n,
                        SURVEY_KEY_MAX);
  for (size_t i = 0; i < n;) {
    const unsigned char *p = (const unsigned char *)key + i;
    size_t d = danish_letter(p);
    if (d) {
      i += d;
      continue;
    }
    bool ok = isalnum(*p) && *p < 0x80;
    if (!ok && i > 0) ok = *p == '.' || *p == '_' || *p == '-' || *p == ':';
    if (!ok)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "'%.64s' may only contain letters A-Z and Æ Ø Å, digits and "
                          ". _ - : (starting with a letter or digit)",
                          key);
    i++;
  }
  return TRIN_OK;
}

const char *survey_role_name(int role) {
  return role >= 0 && role < SURVEY_NGROUPS ? ROLE_NAMES[role] : "";
}

const char *survey_alert_kind_name(int kind) {
  static const char *const n[SURVEY_NALERT_KINDS] = {"drop_from_previous",
                                                     "drop_from_baseline", "below_floor"};
  return kind >= 0 && kind < SURVEY_NALERT_KINDS ? n[kind] : "";
}

/* ---- scale ------------------------------------------------------------------- */

int survey_scale_check(survey_scale_t sc, trin_err_t *err) {
  if (sc.min != 0 && sc.min != 1)
    return trin_err_set(err, TRIN_EINVALID, "scale_min", "must be 0 or 1 (got %d)", sc.min);
  if (sc.max <= sc.min || sc.max > 10)
    return trin_err_set(err, TRIN_EINVALID, "scale_max",
                        "must be above scale_min (%d) and at most 10 (got %d)", sc.min,
                        sc.max);
  return TRIN_OK;
}

int survey_score_check(int score, survey_scale_t sc, const char *field, trin_err_t *err) {
  if (score < sc.min || score > sc.max)
    return trin_err_set(err, TRIN_EINVALID, field, "%d is outside the scale %d–%d", score,
                        sc.min, sc.max);
  return TRIN_OK;
}

int survey_score_parse(const char *text, survey_scale_t sc, const char *field, int *out,
                       trin_err_t *err) {
  int64_t v;
  /* Survey tools write "4", "4,0" or "4.00"; a fraction is not a score. */
  if (trin_number_parse(text, 2, &v, field, err)) return TRIN_EINVALID;
  if (v % 100 != 0)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "'%.20s' is not a whole number on the scale %d–%d", text, sc.min,
                        sc.max);
  v /= 100;
  if (v < sc.min || v > sc.max)
    return trin_err_set(err, TRIN_EINVALID, field, "'%.20s' is outside the scale %d–%d",
                        text, sc.min, sc.max);
  *out = (int)v;
  return TRIN_OK;
}

/* ---- aggregates --------------------------------------------------------------- */

void survey_agg_add(survey_agg_t *a, int score, survey_scale_t sc) {
  a->count++;
  a->sum += score;
  a->dist[score - sc.min]++;
}

void survey_agg_remove(survey_agg_t *a, int score, survey_scale_t sc) {
  a->count--;
  a->sum -= score;
  a->dist[score - sc.min]--;
}

void survey_agg_merge(survey_agg_t *a, const survey_agg_t *b) {
  a->count += b->count;
  a->sum += b->sum;
  for (int i = 0; i < SURVEY_MAX_POINTS; i++) a->dist[i] += b->dist[i];
}

int64_t survey_div_round(int64_t num, int64_t den) {
  if (den < 0) num = -num, den = -den;
  int64_t q = num / den, r = num % den;
  if (r < 0) r = -r;
  if (2 * r >= den) q += num < 0 ? -1 : 1;
  return q;
}

int32_t survey_mean_x100(const survey_agg_t *a) {
  return a->count > 0 ? (int32_t)survey_div_round(a->sum * 100, a->count) : 0;
}

int32_t survey_change_x100(const survey_agg_t *now, const survey_agg_t *then) {
  /* sum1/c1 − sum0/c0 = (sum1·c0 − sum0·c1) / (c1·c0): one rounding, at the end.
   * Sums stay below 10^8 and counts below 10^7, so the products fit. */
  return (int32_t)survey_div_round((now->sum * then->count - then->sum * now->count) * 100,
                                   now->count * then->count);
}

char *survey_format_x100(int64_t v, char *buf) {
  int64_t a = v < 0 ? -v : v;
  snprintf(buf, 16, "%s%lld.%02lld", v < 0 ? "-" : "", (long long)(a / 100),
           (long long)(a % 100));
  return buf;
}

/* ---- trend ---------------------------------------------------------------- */

__extension__ typedef __int128 survey_wide_t;

static survey_wide_t wide_gcd(survey_wide_t a, survey_wide_t b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    survey_wide_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* num += a·s / c as a reduced fraction num / den (den > 0). False when a
 * step would overflow: the caller then falls back to long double. */
static bool wide_add_ratio(survey_wide_t *num, survey_wide_t *den, int64_t a, int64_t s,
                           int64_t c) {
  survey_wide_t g = wide_gcd(*den, c), cg = c / g, dg = *den / g, term, left, nd;
  if (__builtin_mul_overflow((survey_wide_t)a, (survey_wide_t)s, &term) ||
      __builtin_mul_overflow(term, dg, &term) || __builtin_mul_overflow(*num, cg, &left) ||
      __builtin_add_overflow(left, term, &left) || __builtin_mul_overflow(*den, cg, &nd))
    return false;
  g = wide_gcd(left, nd);
  *num = g > 1 ? left / g : left;
  *den = g > 1 ? nd / g : nd;
  return true;
}

int32_t survey_trend_x100(const survey_point_t *pts, size_t n, bool *has) {
  *has = false;
  int64_t k = 0, sx = 0, sxx = 0;
  for (size_t i = 0; i < n; i++) {
    if (pts[i].count <= 0) continue;
    k++;
    sx += pts[i].round;
    sxx += (int64_t)pts[i].round * pts[i].round;
  }
  int64_t den = k * sxx - sx * sx;
  if (k < 2 || den == 0) return 0;
  *has = true;
  /* slope = (k·Σxy − Σx·Σy) / den = Σ (k·x_i − Σx)·y_i / den with the exact
   * y_i = sum_i / count_i: summed as one fraction, rounded once at the end. */
  survey_wide_t num = 0, nden = 1;
  bool exact = true;
  long double approx = 0;
  for (size_t i = 0; i < n; i++) {
    if (pts[i].count <= 0) continue;
    int64_t a = k * pts[i].round - sx;
    approx += (long double)a * (long double)pts[i].sum / (long double)pts[i].count;
    if (exact) exact = wide_add_ratio(&num, &nden, a, pts[i].sum, pts[i].count);
  }
  survey_wide_t top, bottom;
  if (exact && !__builtin_mul_overflow(num, (survey_wide_t)100, &top) &&
      !__builtin_mul_overflow(nden, (survey_wide_t)den, &bottom)) {
    /* Half away from zero, as survey_div_round. bottom > 0. */
    survey_wide_t q = top / bottom, r = top % bottom;
    if (r < 0) r = -r;
    if (r >= bottom - r) q += top < 0 ? -1 : 1;
    return (int32_t)q;
  }
  long double x = approx * 100 / (long double)den;
  return (int32_t)(x < 0 ? -(int64_t)(-x + 0.5L) : (int64_t)(x + 0.5L));
}

const char *survey_trend_name(int32_t slope_x100, bool has) {
  if (!has) return "";
  if (slope_x100 >= SURVEY_TREND_STEP_X100) return "up";
  if (slope_x100 <= -SURVEY_TREND_STEP_X100) return "down";
  return "flat";
}

/* ---- alerts --------------------------------------------------------------- */

int survey_thresholds_check(const survey_thresholds_t *t, survey_scale_t sc,
                            trin_err_t *err) {
  int32_t span = (sc.max - sc.min) * 100;
  if (t->drop_from_previous_x100 < 0 || t->drop_from_previous_x100 > span)
    return trin_err_set(err, TRIN_EINVALID, "thresholds.drop_from_previous_x100",
                        "must be 0 (off) to %d hundredths (got %d)", span,
                        t->drop_from_previous_x100);
  if (t->drop_from_baseline_x100 < 0 || t->drop_from_baseline_x100 > span)
    return trin_err_set(err, TRIN_EINVALID, "thresholds.drop_from_baseline_x100",
                        "must be 0 (off) to %d hundredths (got %d)", span,
                        t->drop_from_baseline_x100);
  if (t->floor_x100 != 0 && (t->floor_x100 <= sc.min * 100 || t->floor_x100 > sc.max * 100))
    return trin_err_set(err, TRIN_EINVALID, "thresholds.floor_x100",
                        "must be 0 (off) or above %d and at most %d hundredths (got %d)",
                        sc.min * 100, sc.max * 100, t->floor_x100);
  return TRIN_OK;
}

/* prev − now > t  <=>  (sum_p·c_n − sum_n·c_p)·100 > t·c_p·c_n  (all exact). */
static bool dropped_more_than(const survey_agg_t *now, const survey_agg_t *ref,
                              int32_t t_x100) {
  int64_t lhs = (ref->sum * now->count - now->sum * ref->count) * 100;
  return lhs > (int64_t)t_x100 * ref->count * now->count;
}

size_t survey_alerts_check(const survey_agg_t *now, const survey_agg_t *prev,
                           const survey_agg_t *base, const survey_thresholds_t *t,
                           survey_alert_t out[SURVEY_NALERT_KINDS]) {
  size_t n = 0;
  if (now->count <= 0) return 0;
  int32_t mean = survey_mean_x100(now);
  if (prev && prev->count > 0 && t->drop_from_previous_x100 > 0 &&
      dropped_more_than(now, prev, t->drop_from_previous_x100))
    out[n++] = (survey_alert_t){SURVEY_ALERT_DROP_FROM_PREVIOUS, mean,
                                survey_mean_x100(prev), t->drop_from_previous_x100};
  if (base && base->count > 0 && t->drop_from_baseline_x100 > 0 &&
      dropped_more_than(now, base, t->drop_from_baseline_x100))
    out[n++] = (survey_alert_t){SURVEY_ALERT_DROP_FROM_BASELINE, mean,
                                survey_mean_x100(base), t->drop_from_baseline_x100};
  /* now->sum / count < floor / 100  <=>  sum·100 < floor·count */
  if (t->floor_x100 > 0 && now->sum * 100 < (int64_t)t->floor_x100 * now->count)
    out[n++] = (survey_alert_t){SURVEY_ALERT_BELOW_FLOOR, mean, t->floor_x100,
                                t->floor_x100};
  return n;
}

/* ---- anonymity -------------------------------------------------------------- */

int survey_min_respondents_check(int32_t requested, int32_t current, int32_t *out,
                                 trin_err_t *err) {
  if (requested == 0) {
    *out = current > 0 ? current : SURVEY_DEFAULT_MIN_RESPONDENTS;
    return TRIN_OK;
  }
  if (requested < SURVEY_DEFAULT_MIN_RESPONDENTS || requested > 1000)
    return trin_err_set(err, TRIN_EINVALID, "min_respondents",
                        "must be %d to 1000 (got %d): smaller groups could identify "
                        "respondents",
                        SURVEY_DEFAULT_MIN_RESPONDENTS, requested);
  if (current > 0 && requested < current)
    return trin_err_set(err, TRIN_ECONFLICT, "min_respondents",
                        "can only be raised: it is %d, %d would show groups that were "
                        "hidden",
                        current, requested);
  *out = requested;
  return TRIN_OK;
}

void survey_suppress(const int64_t counts[SURVEY_NGROUPS], int64_t min,
                     bool suppressed[SURVEY_NGROUPS]) {
  int64_t hidden = 0;
  for (int r = 0; r < SURVEY_NROLES; r++) {
    suppressed[r] = counts[r] > 0 && counts[r] < min;
    if (suppressed[r]) hidden += counts[r];
  }
  /* Complementary suppression: "all" minus the visible roles equals the
   * hidden roles' total, so that total must itself be a safe group. */
  while (hidden > 0 && hidden < min) {
    int pick = -1;
    for (int r = 0; r < SURVEY_NROLES; r++)
      if (!suppressed[r] && counts[r] > 0 && (pick < 0 || counts[r] < counts[pick]))
        pick = r;
    if (pick < 0) break;
    suppressed[pick] = true;
    hidden += counts[pick];
  }
  suppressed[SURVEY_ROLE_ALL] = counts[SURVEY_ROLE_ALL] > 0 && counts[SURVEY_ROLE_ALL] < min;
}
