/* survey_batch — see survey_batch.h. */
#include "survey_batch.h"

#include <stdlib.h>
#include <string.h>

struct survey_batch {
  survey_batch_options_t o;
  survey_new_response_t rows[SURVEY_STORE_BATCH];
  uint8_t *scores;  /* [SURVEY_STORE_BATCH][nscores] */
  char *comments;   /* [SURVEY_STORE_BATCH][SURVEY_COMMENT_MAX + 1] */
  bool added[SURVEY_STORE_BATCH], found[SURVEY_STORE_BATCH];
  survey_put_t outcome[SURVEY_STORE_BATCH];
  int old_role[SURVEY_STORE_BATCH];
  uint8_t *old_scores; /* [SURVEY_STORE_BATCH][nscores]: what replaced responses held */
  size_t n;
  bool remote;      /* a server store: batches; SQLite: one by one, as before */
  uint8_t *old;     /* nscores: what a replaced response held */
  /* The respondents seen in this import, by the first 8 bytes of their
   * hash (open addressing, 0 = empty; a hash whose prefix is 0 counts as
   * 1). A hit only sends the response the single way, where the store
   * tells a repeat from a prefix shared by chance. */
  uint64_t *seen;
  size_t seen_cap, seen_n;
};

int survey_batch_new(const survey_batch_options_t *o, survey_batch_t **out, trin_err_t *err) {
  survey_batch_t *b = calloc(1, sizeof *b);
  if (b) {
    b->o = *o;
    b->scores = malloc(SURVEY_STORE_BATCH * (o->nscores + 1));
    b->comments = malloc((size_t)SURVEY_STORE_BATCH * (SURVEY_COMMENT_MAX + 1));
    b->old = malloc(o->nscores + 1);
    b->old_scores = malloc(SURVEY_STORE_BATCH * (o->nscores + 1));
    b->remote = trin_store_remote(o->store);
    b->seen_cap = 1024;
    b->seen = calloc(b->seen_cap, sizeof *b->seen);
  }
  if (!b || !b->scores || !b->comments || !b->old || !b->old_scores || !b->seen) {
    survey_batch_destroy(&b);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  *out = b;
  return TRIN_OK;
}

void survey_batch_destroy(survey_batch_t **bp) {
  if (!bp || !*bp) return;
  survey_batch_t *b = *bp;
  free(b->scores);
  free(b->comments);
  free(b->old);
  free(b->old_scores);
  free(b->seen);
  free(b);
  *bp = NULL;
}

static uint64_t prefix_of(const uint8_t hash[SURVEY_HASH_BYTES]) {
  uint64_t k;
  memcpy(&k, hash, sizeof k);
  return k ? k : 1;
}

/* Adds k to the seen set; true when it was there already. */
static bool seen_add(survey_batch_t *b, uint64_t k, trin_err_t *err, int *rc) {
  *rc = TRIN_OK;
  if (2 * (b->seen_n + 1) > b->seen_cap) {
    size_t cap = b->seen_cap * 2;
    uint64_t *t = calloc(cap, sizeof *t);
    if (!t) {
      *rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      return false;
    }
    for (size_t i = 0; i < b->seen_cap; i++) {
      if (!b->seen[i]) continue;
      size_t j = (size_t)(b->seen[i] * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
      while (t[j]) j = (j + 1) & (cap - 1);
      t[j] = b->seen[i];
    }
    free(b->seen);
    b->seen = t;
    b->seen_cap = cap;
  }
  size_t j = (size_t)(k * 0x9E3779B97F4A7C15ull >> 20) & (b->seen_cap - 1);
  while (b->seen[j]) {
    if (b->seen[j] == k) return true;
    j = (j + 1) & (b->seen_cap - 1);
  }
  b->seen[j] = k;
  b->seen_n++;
  return false;
}

/* The single way: the store says what became of it. */
static int put_one(survey_batch_t *b, const uint8_t *hash, int role, const uint8_t *scores,
                   const char *comment, bool *repeated, trin_err_t *err) {
  survey_put_t outcome;
  int old_role = 0;
  int rc = survey_store_response_put(b->o.store, b->o.no, b->o.round, hash, role, scores,
                                     b->o.nscores, comment, b->o.import_no, &outcome,
                                     &old_role, b->old, err);
  if (rc) return rc;
  if (outcome == SURVEY_PUT_DUPLICATE) {
    if (repeated) *repeated = true;
    return repeated ? TRIN_OK
                    : trin_err_set(err, TRIN_EINTERNAL, "", "a respondent came twice unseen");
  }
  return b->o.outcome(b->o.data, role, scores, outcome, old_role, b->old, err);
}

int survey_batch_flush(survey_batch_t *b, trin_err_t *err) {
  size_t n = b->n;
  b->n = 0;
  if (n < SURVEY_STORE_BATCH) { /* the rest of the file */
    for (size_t i = 0; i < n; i++) {
      const survey_new_response_t *r = &b->rows[i];
      int rc = put_one(b, r->hash, r->role, r->scores, r->comment, NULL, err);
      if (rc) return rc;
    }
    return TRIN_OK;
  }
  const size_t ns = b->o.nscores;
  int rc = survey_store_responses_add(b->o.store, b->o.no, b->o.round, b->o.import_no, b->rows,
                                      ns, b->added, err);
  bool rest = false;
  for (size_t i = 0; i < n; i++) rest |= !b->added[i];
  /* Respondents of earlier imports: what they held, in one more. */
  if (!rc && rest)
    rc = survey_store_responses_known(b->o.store, b->o.no, b->o.round, b->o.import_no, b->rows,
                                      b->added, n, ns, b->outcome, b->old_role, b->old_scores,
                                      b->found, err);
  for (size_t i = 0; !rc && i < n; i++) {
    const survey_new_response_t *r = &b->rows[i];
    if (b->added[i])
      rc = b->o.outcome(b->o.data, r->role, r->scores, SURVEY_PUT_ADDED, 0, NULL, err);
    else if (!b->found[i] || b->outcome[i] == SURVEY_PUT_DUPLICATE)
      rc = put_one(b, r->hash, r->role, r->scores, r->comment, NULL, err); /* never, as a rule */
    else
      rc = b->o.outcome(b->o.data, r->role, r->scores, b->outcome[i], b->old_role[i],
                        b->old_scores + i * ns, err);
  }
  return rc;
}

int survey_batch_put(survey_batch_t *b, const uint8_t hash[SURVEY_HASH_BYTES], int role,
                     const uint8_t *scores, const char *comment, bool *repeated,
                     trin_err_t *err) {
  *repeated = false;
  if (!b->remote) return put_one(b, hash, role, scores, comment, repeated, err);
  int rc;
  if (seen_add(b, prefix_of(hash), err, &rc)) {
    /* What is held goes first: outcomes keep the file's order. */
    if ((rc = survey_batch_flush(b, err))) return rc;
    return put_one(b, hash, role, scores, comment, repeated, err);
  }
  if (rc) return rc;
  survey_new_response_t *r = &b->rows[b->n];
  uint8_t *sc = b->scores + b->n * (b->o.nscores + 1);
  char *cm = b->comments + b->n * (size_t)(SURVEY_COMMENT_MAX + 1);
  memcpy(r->hash, hash, SURVEY_HASH_BYTES);
  r->role = role;
  memcpy(sc, scores, b->o.nscores);
  r->scores = sc;
  size_t len = comment ? strlen(comment) : 0;
  if (len > SURVEY_COMMENT_MAX) len = SURVEY_COMMENT_MAX; /* checked before; never cut */
  if (len) memcpy(cm, comment, len);
  cm[len] = '\0';
  r->comment = cm;
  if (++b->n == SURVEY_STORE_BATCH) return survey_batch_flush(b, err);
  return TRIN_OK;
}
