/* survey_import — see survey_import.h. */
#include "survey_import.h"

#include "survey_batch.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "survey_encoding.h"
#include "survey_mapping.h"
#include "survey_results.h"
#include "trin_csv.h"
#include "trin_date.h"
#include "trin_id.h"
#include "trin_log.h"

/* ---- pseudonyms ------------------------------------------------------------------ */

void survey_respondent_hash(const uint8_t key[SURVEY_KEY_BYTES], const char *survey_id,
                            const char *respondent, uint8_t out[SURVEY_HASH_BYTES]) {
  crypto_auth_hmacsha256_state st;
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, key, SURVEY_KEY_BYTES);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)survey_id, strlen(survey_id) + 1);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)respondent, strlen(respondent));
  crypto_auth_hmacsha256_final(&st, mac);
  memcpy(out, mac, SURVEY_HASH_BYTES);
  sodium_memzero(&st, sizeof st);
}

int survey_key_load(const char *path, uint8_t key[SURVEY_KEY_BYTES], int *created,
                    trin_err_t *err) {
  *created = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      return trin_err_set(err, TRIN_EIO, "key-file", "cannot create '%s': %s", path,
                          strerror(errno));
    randombytes_buf(key, SURVEY_KEY_BYTES);
    ssize_t w = write(fd, key, SURVEY_KEY_BYTES);
    int sync_rc = fsync(fd);
    close(fd);
    if (w != SURVEY_KEY_BYTES || sync_rc != 0) {
      unlink(path);
      return trin_err_set(err, TRIN_EIO, "key-file", "cannot write '%s'", path);
    }
    *created = 1;
    return TRIN_OK;
  }
  if (fd < 0)
    return trin_err_set(err, TRIN_EIO, "key-file", "cannot open '%s': %s", path,
                        strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
    close(fd);
    return trin_err_set(err, TRIN_EFORBIDDEN, "key-file",
                        "'%s' may be read by others; chmod 600 it (it keeps respondents "
                        "pseudonymous)",
                        path);
  }
  ssize_t r = read(fd, key, SURVEY_KEY_BYTES);
  close(fd);
  if (r != SURVEY_KEY_BYTES || sb.st_size != SURVEY_KEY_BYTES)
    return trin_err_set(err, TRIN_EINVALID, "key-file",
                        "'%s' is not a key file (expected exactly %d bytes)", path,
                        SURVEY_KEY_BYTES);
  return TRIN_OK;
}

/* ---- the import ----------------------------------------------------------------------- */

typedef struct {
  trin_store_t *s;
  const uint8_t *key;
  const survey_survey_msg_t *sv;
  int64_t no;
  int round;
  survey_scale_t scale;
  size_t nstmt;
  int64_t import_no;
  uint8_t *scores;           /* nstmt bytes */
  survey_agg_t *delta;       /* [role][stmt] */
  int32_t received, added, replaced, unchanged;
  /* CSV columns */
  int col_respondent, col_role, col_comment;
  int *col_stmt;             /* column -> statement index, -1 = not a statement */
  size_t ncols;
  /* Mapped imports (issue 20, item 7): the survey's mapping, the role every
   * row has when it names no role column (-1 = from the column), and the
   * headers as the file wrote them (malloc'd, for refusals). */
  const Trin__Survey__ImportMapping *map;
  int fixed_role;
  char **headers;
  survey_batch_t *batch;     /* the responses on their way to the store */
} import_t;

/* A comment as people write them: several lines are fine (CRLF becomes
 * LF); other control characters, invalid UTF-8 or over 2000 bytes are not.
 * out holds SURVEY_COMMENT_MAX + 1 bytes. */
static int comment_prepare(const char *in, char *out, const char *field, trin_err_t *err) {
  size_t k = 0;
  in = in ? in : "";
  for (const char *p = in; *p; p++) {
    if (p[0] == '\r' && p[1] == '\n') continue;
    if (k >= SURVEY_COMMENT_MAX)
      return trin_err_set(err, TRIN_EINVALID, field, "is longer than %d bytes",
                          SURVEY_COMMENT_MAX);
    out[k++] = *p;
  }
  out[k] = '\0';
  char check[SURVEY_COMMENT_MAX + 1];
  memcpy(check, out, k + 1);
  for (size_t i = 0; i < k; i++)
    if (check[i] == '\n' || check[i] == '\r') check[i] = ' ';
  return trin_text_check_optional(check, SURVEY_COMMENT_MAX, field, err);
}

/* A response's outcome (survey_batch_outcome_fn): the counts, and the
 * aggregates' net change. */
static int account(void *data, int role, const uint8_t *scores, survey_put_t outcome,
                   int old_role, const uint8_t *old, trin_err_t *err) {
  import_t *im = data;
  (void)err;
  switch (outcome) {
    case SURVEY_PUT_DUPLICATE: /* refused by put_response before it comes here */
    case SURVEY_PUT_UNCHANGED:
      im->unchanged += outcome == SURVEY_PUT_UNCHANGED;
      return TRIN_OK;
    case SURVEY_PUT_REPLACED:
      im->replaced++;
      for (size_t k = 0; k < im->nstmt; k++)
        if (old[k] != SURVEY_NO_ANSWER)
          survey_agg_remove(&im->delta[(size_t)old_role * im->nstmt + k], old[k], im->scale);
      break;
    case SURVEY_PUT_ADDED:
      im->added++;
      break;
  }
  for (size_t k = 0; k < im->nstmt; k++)
    if (scores[k] != SURVEY_NO_ANSWER)
      survey_agg_add(&im->delta[(size_t)role * im->nstmt + k], scores[k], im->scale);
  return TRIN_OK;
}

static int put_response(import_t *im, const char *respondent, int role, const char *comment,
                        const char *where, trin_err_t *err) {
  bool any = false;
  for (size_t k = 0; k < im->nstmt; k++) any |= im->scores[k] != SURVEY_NO_ANSWER;
  if (!any)
    return trin_err_set(err, TRIN_EINVALID, "", "%sno statement is scored", where);
  uint8_t hash[SURVEY_HASH_BYTES];
  survey_respondent_hash(im->key, im->sv->id, respondent, hash);
  bool repeated = false;
  int rc = survey_batch_put(im->batch, hash, role, im->scores, comment, &repeated, err);
  if (rc) return rc;
  im->received++;
  if (repeated)
    return trin_err_set(err, TRIN_EINVALID, "",
                        "%srespondent '%.60s' appears more than once in this import",
                        where, respondent);
  return TRIN_OK;
}

static int stmt_index(const survey_survey_msg_t *sv, const char *key) {
  for (size_t k = 0; k < sv->n_statements; k++)
    if (strcmp(sv->statements[k]->key, key) == 0) return (int)k;
  return -1;
}

/* Matching the statement key of a CSV header: surrounding spaces ignored,
 * case kept (keys are ids). */
static int header_stmt(const survey_survey_msg_t *sv, const char *name) {
  char w[SURVEY_KEY_MAX + 1];
  while (*name == ' ') name++;
  size_t n = strlen(name);
  while (n > 0 && name[n - 1] == ' ') n--;
  if (n > SURVEY_KEY_MAX) return -1;
  memcpy(w, name, n);
  w[n] = '\0';
  return stmt_index(sv, w);
}

/* A statement's own key wins over a column name: a survey may have a
 * statement KOMMENTAR, and then that column holds its scores. */
static int csv_header(import_t *im, const trin_csv_row_t *row, trin_err_t *err) {
  im->col_stmt = malloc((row->n ? row->n : 1) * sizeof *im->col_stmt);
  if (!im->col_stmt) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  im->ncols = row->n;
  im->col_respondent = im->col_role = im->col_comment = -1;
  bool seen[SURVEY_MAX_STATEMENTS] = {false};
  size_t nscored = 0;
  for (size_t c = 0; c < row->n; c++) {
    im->col_stmt[c] = -1;
    int k = header_stmt(im->sv, row->fields[c]);
    if (k < 0) {
      int col = survey_column_parse(row->fields[c]);
      int *slot = col == SURVEY_COLUMN_RESPONDENT ? &im->col_respondent
                  : col == SURVEY_COLUMN_ROLE     ? &im->col_role
                  : col == SURVEY_COLUMN_COMMENT  ? &im->col_comment
                                                  : NULL;
      if (slot && *slot >= 0)
        return trin_err_set(err, TRIN_EINVALID, "csv",
                            "line %zu: columns %d '%.60s' and %zu '%.60s' are the same column",
                            row->line, *slot + 1, row->fields[*slot], c + 1, row->fields[c]);
      if (slot) {
        *slot = (int)c;
        continue;
      }
      return trin_err_set(err, TRIN_EINVALID, "csv",
                          "line %zu: column %zu '%.60s' is neither respondent, role, "
                          "comment (respondent, rolle, kommentar) nor a statement key of "
                          "survey '%s'",
                          row->line, c + 1, row->fields[c], im->sv->id);
    }
    if (seen[k])
      return trin_err_set(err, TRIN_EINVALID, "csv",
                          "line %zu: statement '%s' has two columns", row->line,
                          im->sv->statements[k]->key);
    seen[k] = true;
    im->col_stmt[c] = k;
    nscored++;
  }
  if (im->col_respondent < 0 || im->col_role < 0)
    return trin_err_set(err, TRIN_EINVALID, "csv",
                        "line %zu: the header needs the columns respondent and role (or "
                        "rolle)",
                        row->line);
  if (nscored == 0)
    return trin_err_set(err, TRIN_EINVALID, "csv",
                        "line %zu: no column is a statement key of survey '%s'", row->line,
                        im->sv->id);
  return TRIN_OK;
}

/* Which mapped column a header is (-1 none): the respondent's, the role's,
 * the comment's (SURVEY_COLUMN_*) or a statement's (3 + its index in the
 * mapping's columns). */
static int mapped_column(const Trin__Survey__ImportMapping *m, const char *header) {
  char h[SURVEY_MAPPING_NORM_BUF], w[SURVEY_MAPPING_NORM_BUF];
  if (!survey_mapping_normalise(header, h, sizeof h) || !*h) return -1;
  const char *named[3] = {m->respondent_column, m->role_column, m->comment_column};
  for (int i = 0; i < 3; i++) {
    survey_mapping_normalise(named[i], w, sizeof w);
    if (*w && strcmp(h, w) == 0) return i;
  }
  for (size_t i = 0; i < m->n_columns; i++) {
    survey_mapping_normalise(m->columns[i]->header, w, sizeof w);
    if (strcmp(h, w) == 0) return 3 + (int)i;
  }
  return -1;
}

/* The header of an export as it comes: every column the mapping names but
 * the comment's must be there once (a renamed question would otherwise drop
 * its answers without a word); columns it does not name (Start time, Email,
 * ...) are read past. */
static int csv_header_mapped(import_t *im, const trin_csv_row_t *row, trin_err_t *err) {
  const Trin__Survey__ImportMapping *m = im->map;
  if (m->n_columns > SURVEY_MAX_STATEMENTS) /* checked when saved; at[] holds no more */
    return trin_err_set(err, TRIN_EINTERNAL, "mapped", "the saved mapping has too many columns");
  size_t n = row->n ? row->n : 1;
  im->col_stmt = malloc(n * sizeof *im->col_stmt);
  im->headers = calloc(n, sizeof *im->headers);
  if (!im->col_stmt || !im->headers) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  im->ncols = row->n;
  im->col_respondent = im->col_role = im->col_comment = -1;
  int at[3 + SURVEY_MAX_STATEMENTS];
  for (size_t i = 0; i < 3 + m->n_columns; i++) at[i] = -1;
  for (size_t c = 0; c < row->n; c++) {
    im->col_stmt[c] = -1;
    if (!(im->headers[c] = strdup(row->fields[c])))
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    int j = mapped_column(m, row->fields[c]);
    if (j < 0) continue;
    if (at[j] >= 0)
      return trin_err_set(err, TRIN_EINVALID, "csv",
                          "line %zu: columns %d and %zu are both '%.60s'; the mapping needs "
                          "one column of each name",
                          row->line, at[j] + 1, c + 1, row->fields[c]);
    at[j] = (int)c;
    if (j >= 3) im->col_stmt[c] = stmt_index(im->sv, m->columns[j - 3]->statement_key);
  }
  im->col_respondent = at[SURVEY_COLUMN_RESPONDENT];
  im->col_role = at[SURVEY_COLUMN_ROLE];
  im->col_comment = at[SURVEY_COLUMN_COMMENT];
  /* A file without the comment column has no comments (one may have been
   * taken out before sending, comments being free text). */
  const char *missing = im->col_respondent < 0                   ? m->respondent_column
                        : im->fixed_role < 0 && im->col_role < 0 ? m->role_column
                                                                 : NULL;
  for (size_t i = 0; !missing && i < m->n_columns; i++)
    if (at[3 + i] < 0) missing = m->columns[i]->header;
  if (missing)
    return trin_err_set(err, TRIN_EINVALID, "csv",
                        "line %zu: the file has no column '%.80s', which survey '%s''s "
                        "mapping names (was the question renamed? save the mapping again)",
                        row->line, missing, im->sv->id);
  return TRIN_OK;
}

/* A refused cell of a mapped import: its line, column and header. */
static int mapped_refusal(const import_t *im, const trin_csv_row_t *row, size_t c,
                          const trin_err_t *e, trin_err_t *err) {
  return trin_err_set(err, e->code, "csv", "line %zu, column %zu (%.60s): %s", row->line, c + 1,
                      im->headers[c], e->message);
}

/* One cell of a mapped import -> im->scores; EINVALID naming the word. */
static int mapped_cell(import_t *im, const trin_csv_row_t *row, size_t c, trin_err_t *err) {
  int k = im->col_stmt[c];
  const char *cell = row->fields[c];
  char w[SURVEY_MAPPING_NORM_BUF];
  survey_mapping_normalise(cell, w, sizeof w);
  if (!*w) return TRIN_OK; /* not answered */
  int score;
  if (survey_mapping_score(im->map, im->scale, cell, &score)) {
    im->scores[k] = (uint8_t)score;
    return TRIN_OK;
  }
  char words[300];
  survey_mapping_words(im->map, words, sizeof words);
  trin_err_t e = {0};
  trin_err_set(&e, TRIN_EINVALID, "", "'%.60s' is not an answer word of the mapping (%s)", cell,
               words);
  return mapped_refusal(im, row, c, &e, err);
}

static int csv_row(void *data, const trin_csv_row_t *row, trin_err_t *err) {
  import_t *im = data;
  if (!im->col_stmt) return im->map ? csv_header_mapped(im, row, err) : csv_header(im, row, err);
  if (row->n != im->ncols)
    return trin_err_set(err, TRIN_EINVALID, "csv", "line %zu: %zu fields, the header has %zu",
                        row->line, row->n, im->ncols);
  char where[48];
  snprintf(where, sizeof where, "line %zu: ", row->line);
  const char *respondent = row->fields[im->col_respondent];
  trin_err_t e = {0};
  int rc = TRIN_OK;
  if (!*respondent || strlen(respondent) > SURVEY_RESPONDENT_MAX)
    rc = trin_err_set(&e, TRIN_EINVALID, "", "respondent must be 1–%d characters",
                      SURVEY_RESPONDENT_MAX);
  if (rc && im->map) return mapped_refusal(im, row, (size_t)im->col_respondent, &e, err);
  int role = im->map && im->fixed_role >= 0 ? im->fixed_role : -1;
  if (!rc && role < 0) {
    role = survey_role_parse(row->fields[im->col_role], "role", &e);
    if (role < 0) rc = TRIN_EINVALID;
    if (rc && im->map) return mapped_refusal(im, row, (size_t)im->col_role, &e, err);
  }
  char comment[SURVEY_COMMENT_MAX + 1];
  if (!rc)
    rc = comment_prepare(im->col_comment >= 0 ? row->fields[im->col_comment] : "", comment,
                         "comment", &e);
  if (rc && im->map) return mapped_refusal(im, row, (size_t)im->col_comment, &e, err);
  memset(im->scores, SURVEY_NO_ANSWER, im->nstmt);
  for (size_t c = 0; !rc && im->map && c < row->n; c++)
    if (im->col_stmt[c] >= 0) {
      int crc = mapped_cell(im, row, c, err);
      if (crc) return crc;
    }
  for (size_t c = 0; !rc && !im->map && c < row->n; c++) {
    int k = im->col_stmt[c];
    const char *cell = row->fields[c];
    if (k < 0) continue;
    while (*cell == ' ') cell++;
    if (!*cell) continue; /* not answered */
    int score;
    rc = survey_score_parse(cell, im->scale, im->sv->statements[k]->key, &score, &e);
    if (!rc) im->scores[k] = (uint8_t)score;
  }
  if (!rc) rc = put_response(im, respondent, role, comment, "", &e);
  if (rc) {
    if (rc == TRIN_ESTORE || rc == TRIN_EINTERNAL) {
      *err = e;
      return rc;
    }
    return trin_err_set(err, rc, "csv", "line %zu: %s%s%s", row->line, e.field,
                        e.field[0] ? ": " : "", e.message);
  }
  return TRIN_OK;
}

static int message_response(import_t *im, size_t i, const Trin__Survey__Response *r,
                            trin_err_t *err) {
  char f[48];
  snprintf(f, sizeof f, "responses[%zu]", i);
  int rc = TRIN_OK;
  if (!r->respondent || !*r->respondent || strlen(r->respondent) > SURVEY_RESPONDENT_MAX)
    rc = trin_err_set(err, TRIN_EINVALID, "respondent", "must be 1–%d characters",
                      SURVEY_RESPONDENT_MAX);
  /* The CSV reader refuses bytes that are not UTF-8 in every cell; a
   * message's strings come unchecked from protobuf-c. */
  if (!rc) rc = trin_text_check(r->respondent, SURVEY_RESPONDENT_MAX, "respondent", err);
  int role = -1;
  if (!rc && (role = survey_role_parse(r->role, "role", err)) < 0) rc = TRIN_EINVALID;
  char comment[SURVEY_COMMENT_MAX + 1];
  if (!rc) rc = comment_prepare(r->comment, comment, "comment", err);
  memset(im->scores, SURVEY_NO_ANSWER, im->nstmt);
  for (size_t j = 0; !rc && j < r->n_scores; j++) {
    const Trin__Survey__Response__ScoresEntry *e = r->scores[j];
    char sf[96];
    snprintf(sf, sizeof sf, "scores.%.60s", e->key ? e->key : "");
    int k = stmt_index(im->sv, e->key ? e->key : "");
    if (k < 0)
      rc = trin_err_set(err, TRIN_EINVALID, sf, "is not a statement of survey '%s'",
                        im->sv->id);
    else if (im->scores[k] != SURVEY_NO_ANSWER)
      rc = trin_err_set(err, TRIN_EINVALID, sf, "is given twice");
    else if (!(rc = survey_score_check(e->value, im->scale, sf, err)))
      im->scores[k] = (uint8_t)e->value;
  }
  if (!rc) rc = put_response(im, r->respondent, role, comment, "", err);
  if (rc && rc != TRIN_ESTORE && rc != TRIN_EINTERNAL) trin_err_prefix_field(err, f);
  return rc;
}

static int find_round(const survey_survey_msg_t *sv, int32_t round) {
  for (size_t i = 0; i < sv->n_rounds; i++)
    if (sv->rounds[i]->number == round) return (int)i;
  return -1;
}

size_t survey_event_ids(const survey_survey_msg_t *sv, trin_event_id_t ids[3]) {
  size_t n = 0;
  ids[n++] = (trin_event_id_t){"survey", sv->id};
  ids[n++] = (trin_event_id_t){"project", sv->project_id};
  if (sv->partnership_id && *sv->partnership_id)
    ids[n++] = (trin_event_id_t){"partnership", sv->partnership_id};
  return n;
}

int survey_cube_load(trin_store_t *s, int64_t no, const survey_survey_msg_t *sv, int nrounds,
                     survey_agg_t **cube, trin_err_t *err) {
  size_t n = (size_t)(nrounds > 0 ? nrounds : 1) * SURVEY_NROLES *
             (sv->n_statements ? sv->n_statements : 1);
  *cube = calloc(n, sizeof **cube);
  if (!*cube) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (nrounds <= 0) return TRIN_OK;
  return survey_store_agg_load(s, no, nrounds, sv->n_statements, *cube, err);
}

static bool same_alert(const survey_alert_row_t *a, const survey_alert_row_t *b) {
  return a->round == b->round && a->group == b->group && a->stmt == b->stmt &&
         a->kind == b->kind;
}

int survey_alerts_refresh(trin_request_t *req, const survey_survey_msg_t *sv, int64_t no,
                          int from_round, int32_t *raised, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  int nrounds = (int)sv->n_rounds;
  if (nrounds > SURVEY_MAX_ROUNDS) nrounds = SURVEY_MAX_ROUNDS;
  survey_agg_t *cube = NULL;
  survey_alert_row_t *old = NULL, *now = NULL;
  size_t nold = 0, nnow = 0;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = survey_cube_load(s, no, sv, nrounds, &cube, err);
  /* Every round's standing alerts: a later round may clear an earlier one. */
  if (!rc) rc = survey_store_alerts_load(s, no, 1, &old, &nold, err);
  if (rc) goto out;
  survey_view_t v;
  survey_view_init(&v, sv, nrounds, cube);
  size_t cap = (size_t)(nrounds - from_round + 1 > 0 ? nrounds - from_round + 1 : 1) *
               sv->n_statements * SURVEY_NGROUPS * SURVEY_NALERT_KINDS;
  now = malloc((cap ? cap : 1) * sizeof *now);
  if (!now) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  for (int r = from_round; r <= nrounds; r++)
    nnow += survey_view_alerts(&v, r, now + nnow, cap - nnow);
  /* A round's figures that a later round already recovered from raise
   * nothing (a late import of an earlier round). */
  size_t kept = 0;
  for (size_t j = 0; j < nnow; j++)
    if (!survey_view_alert_cleared_by(&v, &now[j])) now[kept++] = now[j];
  nnow = kept;
  trin_event_id_t ids[3];
  size_t nids = survey_event_ids(sv, ids);
  char at[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), at);
  /* Gone: cleared — by a later round that recovered, or because the
   * raising round's own figures changed. Alerts of rounds before
   * from_round were not re-evaluated: only a later round clears them. */
  for (size_t i = 0; !rc && i < nold; i++) {
    int by = survey_view_alert_cleared_by(&v, &old[i]);
    bool stays = old[i].round < from_round && !by;
    for (size_t j = 0; j < nnow && !stays; j++) stays = same_alert(&old[i], &now[j]);
    if (stays) continue;
    rc = survey_store_alert_delete(s, no, &old[i], err);
    Trin__Survey__Alert *m = rc ? NULL : survey_alert_message(&v, &old[i], &a);
    if (!rc && !m) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    if (!rc) m->cleared_by_round = by;
    if (!rc) rc = survey_store_alert_log_cleared(s, no, &old[i], by, at, err);
    if (!rc) rc = trin_request_emit(req, "survey.alert_cleared", sv->client_org, ids, nids,
                                    &m->base, NULL, err);
  }
  /* New: raised. Standing ones keep their row, with today's figures. */
  for (size_t j = 0; !rc && j < nnow; j++) {
    bool was = false;
    for (size_t i = 0; i < nold && !was; i++) was = same_alert(&old[i], &now[j]);
    rc = survey_store_alert_put(s, no, &now[j], err);
    if (!rc && !was) rc = survey_store_alert_log_raised(s, no, &now[j], at, err);
    if (rc || was) continue;
    Trin__Survey__Alert *m = survey_alert_message(&v, &now[j], &a);
    if (!m) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    if (!rc) rc = trin_request_emit(req, "survey.alert_raised", sv->client_org, ids, nids,
                                    &m->base, NULL, err);
    if (!rc && raised) (*raised)++;
  }
out:
  free(cube);
  free(old);
  free(now);
  trin_arena_reset(&a);
  return rc;
}

int survey_results_emit(trin_request_t *req, const survey_survey_msg_t *sv, int64_t no,
                        int round, uint64_t *seq, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  survey_agg_t *cube = NULL;
  survey_alert_row_t *al = NULL;
  size_t nal = 0;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = survey_cube_load(s, no, sv, round, &cube, err);
  if (!rc) rc = survey_store_alerts_load(s, no, round, &al, &nal, err);
  survey_view_t v;
  survey_view_init(&v, sv, round, cube);
  Trin__Survey__RoundResults res;
  if (!rc) rc = survey_view_results(&v, round, &a, &res, err);
  if (!rc && nal) {
    res.alerts = trin_arena_alloc(&a, nal * sizeof *res.alerts);
    for (size_t i = 0; res.alerts && i < nal; i++)
      if (al[i].round == round) res.alerts[res.n_alerts++] = survey_alert_message(&v, &al[i], &a);
    if (a.failed) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  trin_event_id_t ids[3];
  size_t nids = survey_event_ids(sv, ids);
  if (!rc)
    rc = trin_request_emit(req, "survey.results_changed", sv->client_org, ids, nids,
                           &res.base, seq, err);
  free(cube);
  free(al);
  trin_arena_reset(&a);
  return rc;
}

/* The survey's saved mapping, unpacked (free with
 * trin__survey__import_mapping__free_unpacked); NOT_FOUND on mapped when it
 * has none. */
static int mapping_load(trin_store_t *s, const survey_survey_msg_t *sv, int64_t no,
                        trin_arena_t *a, Trin__Survey__ImportMapping **out, trin_err_t *err) {
  survey_mapping_row_t row;
  int rc = survey_store_mapping_get(s, no, a, &row, err);
  if (rc) return rc;
  if (!row.found)
    return trin_err_set(err, TRIN_ENOTFOUND, "mapped",
                        "survey '%s' has no import mapping; save one first (trinctl survey "
                        "mapping-set)",
                        sv->id);
  *out = trin__survey__import_mapping__unpack(NULL, row.len, row.mapping);
  if (!*out)
    return trin_err_set(err, TRIN_EINTERNAL, "mapped", "survey '%s''s saved mapping is unreadable",
                        sv->id);
  return TRIN_OK;
}

/* A cell that is not UTF-8 in a file that reads as Windows-1252: the
 * reader's words name the cell and the byte; say what the file is and how
 * to save it, in Excel's own (Danish) menu names. */
static void advise_windows_1252(const char *csv, size_t len, trin_err_t *err) {
  const char *cut = strstr(err->message, ": the cell is not valid UTF-8 (byte 0x");
  if (!cut || !survey_encoding_looks_windows_1252(csv, len)) return;
  unsigned byte = 0;
  size_t pos = 0;
  if (sscanf(cut, ": the cell is not valid UTF-8 (byte 0x%2X at position %zu)", &byte, &pos) != 2)
    return;
  char where[TRIN_ERR_MESSAGE_MAX], buf[4];
  snprintf(where, sizeof where, "%.*s", (int)(cut - err->message), err->message);
  const char *c = survey_encoding_windows_1252_char((unsigned char)byte, buf);
  trin_err_set(err, TRIN_EINVALID, "csv",
               "%s: the cell is not valid UTF-8 (byte 0x%02X at position %zu); it looks like "
               "Windows-1252 (0x%02X = '%s'), Excel's \"CSV (semikolonsepareret)\": save it "
               "as \"CSV UTF-8 (kommasepareret)\" or use encoding windows-1252",
               where, byte, pos, byte, c ? c : "?");
}

int survey_import_run(trin_request_t *req, const uint8_t key[SURVEY_KEY_BYTES],
                      const survey_import_input_t *in, Trin__Survey__ImportReply *reply,
                      trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  import_t im;
  char *converted = NULL;
  Trin__Survey__ImportMapping *mapping = NULL;
  memset(&im, 0, sizeof im);
  survey_survey_msg_t sv;
  int rc = trin_id_check(in->survey_id, "survey_id", err);
  if (!rc) rc = survey_store_survey_get(s, in->survey_id, "survey_id", &a, &sv, &im.no, err);
  if (rc) goto out;
  if (find_round(&sv, in->round) < 0) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "round", "survey '%s' has no round %d (add it first)",
                      sv.id, in->round);
    goto out;
  }
  bool has_csv = in->csv && in->csv_len > 0;
  if (has_csv == (in->n_responses > 0)) {
    rc = trin_err_set(err, TRIN_EINVALID, has_csv ? "responses" : "csv",
                      has_csv ? "give either csv or responses, not both"
                              : "give the responses (csv or a list)");
    goto out;
  }
  im.s = s;
  im.key = key;
  im.sv = &sv;
  im.round = in->round;
  im.scale = (survey_scale_t){sv.scale_min, sv.scale_max};
  im.nstmt = sv.n_statements;
  im.scores = malloc(im.nstmt + 1);
  im.delta = calloc(SURVEY_NROLES * im.nstmt + 1, sizeof *im.delta);
  if (!im.scores || !im.delta) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  survey_encoding_t enc;
  if ((rc = survey_encoding_parse(in->encoding, &enc, "encoding", err))) goto out;
  im.fixed_role = -1;
  if (in->mapped && !has_csv) {
    rc = trin_err_set(err, TRIN_EINVALID, "mapped",
                      "applies to csv only (a survey tool's export as it comes)");
    goto out;
  }
  if (in->mapped && (rc = mapping_load(s, &sv, im.no, &a, &mapping, err))) goto out;
  if (mapping) {
    im.map = mapping;
    if (mapping->role && *mapping->role)
      im.fixed_role = survey_role_parse(mapping->role, "mapped", err);
    if (im.fixed_role < 0 && mapping->role && *mapping->role) {
      rc = TRIN_EINVALID;
      goto out;
    }
  }
  if (enc != SURVEY_ENCODING_UTF8 && !has_csv) {
    rc = trin_err_set(err, TRIN_EINVALID, "encoding",
                      "applies to csv only (responses are UTF-8 text)");
    goto out;
  }
  if ((rc = survey_store_next_import(s, im.no, &im.import_no, err))) goto out;
  survey_batch_options_t bo = {s, im.no, im.round, im.import_no, im.nstmt, account, &im};
  if ((rc = survey_batch_new(&bo, &im.batch, err))) goto out;
  if (has_csv) {
    const char *csv = in->csv;
    size_t csv_len = in->csv_len;
    if (enc == SURVEY_ENCODING_WINDOWS_1252) {
      if ((rc = survey_encoding_from_windows_1252(in->csv, in->csv_len, &converted, &csv_len,
                                                  "csv", err)))
        goto out;
      csv = converted;
    }
    /* An export as it comes carries the tool's own columns too. */
    trin_csv_options_t o = {.max_fields = im.map ? 1000 : SURVEY_MAX_STATEMENTS + 8,
                            .field = "csv"};
    rc = trin_csv_parse(csv, csv_len, &o, csv_row, &im, err);
    if (rc == TRIN_EINVALID && enc == SURVEY_ENCODING_UTF8)
      advise_windows_1252(in->csv, in->csv_len, err);
    if (rc == TRIN_EINVALID && strcmp(err->field, "csv") != 0) err->field[0] = '\0';
    if (rc == TRIN_EINVALID && !err->field[0]) snprintf(err->field, sizeof err->field, "csv");
    if (!rc && !im.col_stmt)
      rc = trin_err_set(err, TRIN_EINVALID, "csv", "the file is empty (no header line)");
    if (!rc && im.received == 0)
      rc = trin_err_set(err, TRIN_EINVALID, "csv", "the file has a header but no responses");
  } else {
    for (size_t i = 0; !rc && i < in->n_responses; i++)
      rc = message_response(&im, i, in->responses[i], err);
  }
  if (!rc) rc = survey_batch_flush(im.batch, err);
  if (rc) goto out;

  /* Fold the import's net change into the running aggregates. */
  for (int r = 0; !rc && r < SURVEY_NROLES; r++)
    for (size_t k = 0; !rc && k < im.nstmt; k++) {
      const survey_agg_t *d = &im.delta[(size_t)r * im.nstmt + k];
      bool zero = d->count == 0 && d->sum == 0;
      for (int i = 0; zero && i < SURVEY_MAX_POINTS; i++) zero = d->dist[i] == 0;
      if (!zero) rc = survey_store_agg_add(s, im.no, im.round, r, (int)k, d, err);
    }
  if (!rc && im.added)
    rc = survey_store_round_add_respondents(s, im.no, im.round, im.added, err);
  if (rc) goto out;

  trin__survey__import_reply__init(reply);
  reply->received = im.received;
  reply->added = im.added;
  reply->replaced = im.replaced;
  reply->unchanged = im.unchanged;
  if (im.added || im.replaced) {
    /* Reload: the rounds' respondent counts changed. */
    trin_arena_reset(&a);
    if ((rc = survey_store_survey_get(s, in->survey_id, "survey_id", &a, &sv, &im.no, err)))
      goto out;
    rc = survey_alerts_refresh(req, &sv, im.no, im.round, &reply->alerts_raised, err);
    if (!rc) rc = survey_results_emit(req, &sv, im.no, im.round, &reply->seq, err);
  }
out:
  survey_batch_destroy(&im.batch);
  free(im.scores);
  free(im.delta);
  free(im.col_stmt);
  for (size_t c = 0; im.headers && c < im.ncols; c++) free(im.headers[c]);
  free(im.headers);
  free(converted);
  if (mapping) trin__survey__import_mapping__free_unpacked(mapping, NULL);
  trin_arena_reset(&a);
  return rc;
}
