/* survey_mapping — see survey_mapping.h. */
#include "survey_mapping.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "trin_id.h"

/* ---- matching ---------------------------------------------------------------- */

/* Bytes of white space at p: ASCII space, tab, CR, LF, and U+00A0 (the
 * no-break space Excel and Forms put in headers). 0 when none. */
static size_t space_at(const unsigned char *p) {
  if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') return 1;
  if (p[0] == 0xC2 && p[1] == 0xA0) return 2;
  return 0;
}

bool survey_mapping_normalise(const char *in, char *out, size_t n) {
  const unsigned char *p = (const unsigned char *)(in ? in : "");
  size_t k = 0;
  bool gap = false, fits = true;
  while (*p) {
    size_t sp = space_at(p);
    if (sp) {
      gap = k > 0; /* leading space dropped; inner runs become one */
      p += sp;
      continue;
    }
    /* A character is copied whole or not at all, so a cut leaves UTF-8. */
    size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < len; i++)
      if (!p[i]) len = i;
    if (k + gap + len + 1 > n) {
      fits = false;
      break;
    }
    if (gap) out[k++] = ' ';
    gap = false;
    /* Æ Ø Å É (C3 86 / 98 / 85 / 89) are their small letters plus 0x20. */
    if (len == 2 && p[0] == 0xC3 && (p[1] == 0x86 || p[1] == 0x98 || p[1] == 0x85 ||
                                     p[1] == 0x89)) {
      out[k++] = (char)p[0];
      out[k++] = (char)(p[1] + 0x20);
    } else if (len == 1) {
      out[k++] = (char)tolower(*p);
    } else {
      memcpy(out + k, p, len);
      k += len;
    }
    p += len;
  }
  if (n) out[k < n ? k : n - 1] = '\0';
  return fits;
}

/* ---- the Danish five-point agreement scale ------------------------------------------- */

#define WORD(w, s, none) {PROTOBUF_C_MESSAGE_INIT(&trin__survey__answer_word__descriptor), \
                          (char *)(w), (s), (none)}

static const Trin__Survey__AnswerWord DEFAULT_WORDS[] = {
    WORD("Meget enig", 5, false),
    WORD("Enig", 4, false),
    WORD("Hverken enig eller uenig", 3, false),
    WORD("Uenig", 2, false),
    WORD("Meget uenig", 1, false),
    WORD("Ved ikke", 0, true),
};
#define NDEFAULT (sizeof DEFAULT_WORDS / sizeof *DEFAULT_WORDS)

static const Trin__Survey__AnswerWord *const DEFAULT_LIST[NDEFAULT] = {
    &DEFAULT_WORDS[0], &DEFAULT_WORDS[1], &DEFAULT_WORDS[2],
    &DEFAULT_WORDS[3], &DEFAULT_WORDS[4], &DEFAULT_WORDS[5],
};

size_t survey_mapping_default_answers(const Trin__Survey__AnswerWord *const **out) {
  *out = DEFAULT_LIST;
  return NDEFAULT;
}

/* The words in force: the mapping's, or the default scale's. */
static size_t answers_of(const Trin__Survey__ImportMapping *m,
                         const Trin__Survey__AnswerWord *const **out) {
  if (m->n_answers == 0) return survey_mapping_default_answers(out);
  *out = (const Trin__Survey__AnswerWord *const *)m->answers;
  return m->n_answers;
}

bool survey_mapping_score(const Trin__Survey__ImportMapping *m, survey_scale_t sc,
                          const char *cell, int *score) {
  char w[SURVEY_MAPPING_WORD_MAX + 1], have[SURVEY_MAPPING_WORD_MAX + 1];
  if (survey_mapping_normalise(cell, w, sizeof w)) {
    const Trin__Survey__AnswerWord *const *words;
    size_t n = answers_of(m, &words);
    for (size_t i = 0; i < n; i++) {
      survey_mapping_normalise(words[i]->word, have, sizeof have);
      if (strcmp(w, have) != 0) continue;
      *score = words[i]->no_answer ? SURVEY_NO_ANSWER : words[i]->score;
      return true;
    }
  }
  /* Some tools export the scale's numbers instead of its words. */
  trin_err_t ignored = {0};
  return survey_score_parse(cell, sc, "", score, &ignored) == TRIN_OK;
}

void survey_mapping_words(const Trin__Survey__ImportMapping *m, char *buf, size_t n) {
  const Trin__Survey__AnswerWord *const *words;
  size_t nw = answers_of(m, &words), k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nw && n > 8; i++) {
    int w = snprintf(buf + k, n - k, "%s'%s'", i ? ", " : "", words[i]->word);
    if (w < 0 || (size_t)w >= n - k - 4) {
      snprintf(buf + k, n - k, "%s...", i ? ", " : "");
      return;
    }
    k += (size_t)w;
  }
}

/* ---- checking ------------------------------------------------------------------------ */

static int header_check(const char *h, const char *field, bool required, trin_err_t *err) {
  int rc = required ? trin_text_check(h, SURVEY_MAPPING_HEADER_MAX, field, err)
                    : trin_text_check_optional(h, SURVEY_MAPPING_HEADER_MAX, field, err);
  char w[SURVEY_MAPPING_NORM_BUF];
  if (!rc && h && *h && (survey_mapping_normalise(h, w, sizeof w), !*w))
    rc = trin_err_set(err, TRIN_EINVALID, field, "is only white space");
  return rc;
}

/* Two headers that read the same would make one column answer twice. */
static int header_clash(const char *const *seen, const char *const *fields, size_t n,
                        const char *h, const char *field, trin_err_t *err) {
  char a[SURVEY_MAPPING_NORM_BUF], b[SURVEY_MAPPING_NORM_BUF];
  survey_mapping_normalise(h, a, sizeof a);
  for (size_t i = 0; i < n; i++) {
    survey_mapping_normalise(seen[i], b, sizeof b);
    if (strcmp(a, b) == 0)
      return trin_err_set(err, TRIN_EINVALID, field, "column '%.60s' is named already by %s",
                          h, fields[i]);
  }
  return TRIN_OK;
}

int survey_mapping_check(const Trin__Survey__ImportMapping *m, const Trin__Survey__Survey *sv,
                         trin_err_t *err) {
  if (!m) return trin_err_set(err, TRIN_EINVALID, "mapping", "is required");
  int rc = header_check(m->respondent_column, "mapping.respondent_column", true, err);
  bool has_col = m->role_column && *m->role_column, has_role = m->role && *m->role;
  if (!rc && has_col == has_role)
    rc = trin_err_set(err, TRIN_EINVALID, "mapping.role_column",
                      has_col ? "give either role_column or role, not both"
                              : "is required (the column with the respondent's role), or "
                                "give role for every row");
  if (!rc && has_col) rc = header_check(m->role_column, "mapping.role_column", true, err);
  if (!rc && has_role && survey_role_parse(m->role, "mapping.role", err) < 0) rc = TRIN_EINVALID;
  if (!rc) rc = header_check(m->comment_column, "mapping.comment_column", false, err);
  if (rc) return rc;
  if (m->n_columns == 0 || m->n_columns > SURVEY_MAX_STATEMENTS)
    return trin_err_set(err, TRIN_EINVALID, "mapping.columns",
                        "1–%d columns are required (question text -> statement key)",
                        SURVEY_MAX_STATEMENTS);
  /* Every header named, with the field that named it, to refuse a clash. */
  const char *seen[SURVEY_MAX_STATEMENTS + 3], *by[SURVEY_MAX_STATEMENTS + 3];
  char fields[SURVEY_MAX_STATEMENTS][48];
  size_t nseen = 0;
  seen[nseen] = m->respondent_column;
  by[nseen++] = "mapping.respondent_column";
  if (has_col) {
    if ((rc = header_clash(seen, by, nseen, m->role_column, "mapping.role_column", err)))
      return rc;
    seen[nseen] = m->role_column;
    by[nseen++] = "mapping.role_column";
  }
  if (m->comment_column && *m->comment_column) {
    if ((rc = header_clash(seen, by, nseen, m->comment_column, "mapping.comment_column", err)))
      return rc;
    seen[nseen] = m->comment_column;
    by[nseen++] = "mapping.comment_column";
  }
  bool used[SURVEY_MAX_STATEMENTS] = {false};
  for (size_t i = 0; i < m->n_columns; i++) {
    const Trin__Survey__MappedColumn *c = m->columns[i];
    snprintf(fields[i], sizeof fields[i], "mapping.columns[%zu].header", i);
    if ((rc = header_check(c->header, fields[i], true, err))) return rc;
    if ((rc = header_clash(seen, by, nseen, c->header, fields[i], err))) return rc;
    seen[nseen] = c->header;
    by[nseen++] = fields[i];
    char f[48];
    snprintf(f, sizeof f, "mapping.columns[%zu].statement_key", i);
    size_t k = 0;
    const char *key = c->statement_key ? c->statement_key : "";
    while (k < sv->n_statements && strcmp(sv->statements[k]->key, key) != 0) k++;
    if (k == sv->n_statements)
      return trin_err_set(err, TRIN_EINVALID, f, "'%.64s' is not a statement of survey '%s'",
                          key, sv->id);
    if (used[k])
      return trin_err_set(err, TRIN_EINVALID, f, "statement '%s' has a column already",
                          c->statement_key);
    used[k] = true;
  }
  if (m->n_answers == 0) {
    if (sv->scale_min != 1 || sv->scale_max != 5)
      return trin_err_set(err, TRIN_EINVALID, "mapping.answers",
                          "are required: the shipped Danish five-point scale (Meget enig 5 "
                          "… Meget uenig 1) fits surveys on 1–5, survey '%s' is on %d–%d",
                          sv->id, sv->scale_min, sv->scale_max);
    return TRIN_OK;
  }
  if (m->n_answers > SURVEY_MAPPING_MAX_ANSWERS)
    return trin_err_set(err, TRIN_EINVALID, "mapping.answers", "at most %d answer words",
                        SURVEY_MAPPING_MAX_ANSWERS);
  survey_scale_t sc = {sv->scale_min, sv->scale_max};
  char norm[SURVEY_MAPPING_MAX_ANSWERS][SURVEY_MAPPING_WORD_MAX + 1];
  for (size_t i = 0; i < m->n_answers; i++) {
    const Trin__Survey__AnswerWord *w = m->answers[i];
    char f[48];
    snprintf(f, sizeof f, "mapping.answers[%zu].word", i);
    if ((rc = trin_text_check(w->word, SURVEY_MAPPING_WORD_MAX, f, err))) return rc;
    survey_mapping_normalise(w->word, norm[i], sizeof norm[i]);
    if (!norm[i][0]) return trin_err_set(err, TRIN_EINVALID, f, "is only white space");
    for (size_t j = 0; j < i; j++)
      if (strcmp(norm[i], norm[j]) == 0)
        return trin_err_set(err, TRIN_EINVALID, f, "'%s' is given already as answers[%zu]",
                            w->word, j);
    snprintf(f, sizeof f, "mapping.answers[%zu].score", i);
    if (w->no_answer && w->score != 0)
      return trin_err_set(err, TRIN_EINVALID, f,
                          "must be 0 for a word meaning \"not answered\" (got %d)", w->score);
    if (!w->no_answer && (rc = survey_score_check(w->score, sc, f, err))) return rc;
  }
  return TRIN_OK;
}

Trin__Survey__ImportMapping *survey_mapping_effective(const Trin__Survey__ImportMapping *m,
                                                     trin_arena_t *a, bool *defaulted) {
  Trin__Survey__ImportMapping *c = trin_arena_alloc(a, sizeof *c);
  if (!c) return NULL;
  *c = *m;
  *defaulted = m->n_answers == 0;
  if (*defaulted) {
    const Trin__Survey__AnswerWord *const *words;
    c->n_answers = survey_mapping_default_answers(&words);
    c->answers = (Trin__Survey__AnswerWord **)words;
  }
  return c;
}
