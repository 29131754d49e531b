/* trin_csv — see trin_csv.h. The input is fed to libcsv one physical line
 * at a time so a finished row can be tied to the line it began on. */
#include "trin_csv.h"

#include <csv.h>
#include <stdbool.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trin_text.h"

typedef struct {
  trin_csv_row_fn fn;
  void *data;
  trin_err_t *err;
  int rc;
  size_t max_fields;
  char **fields;
  size_t n, cap;
  bool too_many;
  size_t row_start;   /* line of the row being collected (0 = none yet) */
  size_t line;        /* current physical line */
  const char *field;  /* named in the reader's own errors */
  char **header;      /* the first row's cells, to name columns in errors */
  size_t nheader;
  bool header_seen;
} reader_t;

/* Writes " (name)" for column `col` (0-based) when the header names it. */
static void column_name(const reader_t *r, size_t col, char *out, size_t outn) {
  out[0] = '\0';
  if (col >= r->nheader) return;
  const char *h = r->header[col];
  while (*h == ' ' || *h == '\t') h++;
  size_t n = strlen(h);
  while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t')) n--;
  if (n > 40) n = 40;
  if (n) snprintf(out, outn, " (%.*s)", (int)n, h);
}

/* A cell must be text: libcsv passes a NUL byte through, and every import
 * reads its cells as C strings, so "r1\0x" would silently become "r1"; and
 * the docs promise UTF-8, which the store and every reader downstream
 * assume. copy is the cell with a NUL appended. UTF-8 is judged by
 * trin_text_sanitize_utf8, the one validator: the first byte it replaces
 * is the first that is not UTF-8. */
static int check_cell(reader_t *r, const char *s, size_t len, char *copy) {
  const char *nul = memchr(s, '\0', len);
  size_t bad = 0;
  if (!nul) {
    while (bad < len && (unsigned char)s[bad] < 0x80) bad++;
    if (bad == len) return TRIN_OK;
    /* bad is on a character boundary: everything before it is ASCII. */
    trin_text_sanitize_utf8(copy + bad);
    while (bad < len && copy[bad] == s[bad]) bad++;
    if (bad == len) return TRIN_OK;
  }
  char name[48];
  column_name(r, r->n, name, sizeof name);
  size_t line = r->row_start ? r->row_start : r->line;
  if (nul)
    return trin_err_set(r->err, TRIN_EINVALID, r->field,
                        "line %zu, column %zu%s: the cell holds a NUL byte (at position %zu); "
                        "save the file as UTF-8 text (NUL bytes come from UTF-16 or binary "
                        "files)",
                        line, r->n + 1, name, (size_t)(nul - s) + 1);
  return trin_err_set(r->err, TRIN_EINVALID, r->field,
                      "line %zu, column %zu%s: the cell is not valid UTF-8 (byte 0x%02X at "
                      "position %zu); save the file as UTF-8",
                      line, r->n + 1, name, (unsigned)(unsigned char)s[bad], bad + 1);
}

static void on_field(void *s, size_t len, void *data) {
  reader_t *r = data;
  if (r->rc) return;
  if (r->row_start == 0) r->row_start = r->line;
  if (r->n >= r->max_fields) {
    r->too_many = true;
    return;
  }
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 16;
    char **f = realloc(r->fields, nc * sizeof *f);
    if (!f) {
      r->rc = trin_err_set(r->err, TRIN_EINTERNAL, "", "out of memory");
      return;
    }
    r->fields = f;
    r->cap = nc;
  }
  char *copy = malloc(len + 1);
  if (!copy) {
    r->rc = trin_err_set(r->err, TRIN_EINTERNAL, "", "out of memory");
    return;
  }
  if (len) memcpy(copy, s, len);
  copy[len] = '\0';
  if ((r->rc = check_cell(r, s, len, copy))) {
    free(copy);
    return;
  }
  r->fields[r->n++] = copy;
}

static void clear_fields(reader_t *r) {
  for (size_t i = 0; i < r->n; i++) free(r->fields[i]);
  r->n = 0;
}

static void on_row(int c, void *data) {
  reader_t *r = data;
  if (!r->rc) {
    if (r->too_many) {
      r->rc = trin_err_set(r->err, TRIN_EINVALID, r->field, "line %zu: more than %zu fields",
                           r->row_start ? r->row_start : r->line, r->max_fields);
    } else if (!(r->n == 1 && r->fields[0][0] == '\0')) {
      /* A line with nothing on it is skipped, not a row with one empty field. */
      trin_csv_row_t row = {r->fields, r->n, r->row_start ? r->row_start : r->line};
      r->rc = r->fn(r->data, &row, r->err);
      if (!r->header_seen) {
        /* The header's cells stay with the reader to name columns later. */
        r->header_seen = true;
        r->header = r->fields;
        r->nheader = r->n;
        r->fields = NULL;
        r->n = r->cap = 0;
      }
    }
  }
  clear_fields(r);
  r->too_many = false;
  r->row_start = 0;
}

static char detect_separator(const char *p, size_t len) {
  size_t commas = 0, semis = 0;
  bool quoted = false;
  for (size_t i = 0; i < len && p[i] != '\n'; i++) {
    if (p[i] == '"') quoted = !quoted;
    else if (!quoted && p[i] == ',') commas++;
    else if (!quoted && p[i] == ';') semis++;
  }
  return semis > commas ? ';' : ',';
}

int trin_csv_parse(const char *data, size_t len, const trin_csv_options_t *opt,
                   trin_csv_row_fn fn, void *fn_data, trin_err_t *err) {
  size_t max_bytes = opt && opt->max_bytes ? opt->max_bytes : (size_t)1 << 30;
  const char *field = opt && opt->field ? opt->field : "";
  if (len > max_bytes)
    return trin_err_set(err, TRIN_ETOOBIG, field, "the file is %zu bytes; at most %zu are accepted",
                        len, max_bytes);
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
  }
  char sep = opt && opt->separator ? opt->separator : detect_separator(data, len);
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    return trin_err_set(err, TRIN_EINTERNAL, field, "cannot start the CSV parser");
  csv_set_delim(&p, (unsigned char)sep);
  reader_t r = {.fn = fn, .data = fn_data, .err = err, .field = field,
                .max_fields = opt && opt->max_fields ? opt->max_fields : 1000};
  size_t pos = 0;
  r.line = 1;
  while (pos < len && !r.rc) {
    const char *nl = memchr(data + pos, '\n', len - pos);
    size_t chunk = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
    if (csv_parse(&p, data + pos, chunk, on_field, on_row, &r) != chunk) {
      if (!r.rc)
        r.rc = trin_err_set(err, TRIN_EINVALID, field, "line %zu: %s (check the quotes)",
                            r.row_start ? r.row_start : r.line,
                            csv_strerror(csv_error(&p)));
      break;
    }
    pos += chunk;
    if (nl) r.line++;
  }
  if (!r.rc && csv_fini(&p, on_field, on_row, &r) != 0 && !r.rc)
    r.rc = trin_err_set(err, TRIN_EINVALID, field, "line %zu: a quoted field is not closed",
                        r.row_start ? r.row_start : r.line);
  clear_fields(&r);
  free(r.fields);
  for (size_t i = 0; i < r.nheader; i++) free(r.header[i]);
  free(r.header);
  csv_free(&p);
  return r.rc;
}

int trin_csv_parse_file(const char *path, const trin_csv_options_t *opt,
                        trin_csv_row_fn fn, void *fn_data, trin_err_t *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return trin_err_set(err, TRIN_EIO, "file", "cannot open %s: %s", path, strerror(errno));
  size_t max_bytes = opt && opt->max_bytes ? opt->max_bytes : (size_t)1 << 30;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (size < 0) {
    fclose(f);
    return trin_err_set(err, TRIN_EIO, "file", "cannot read %s", path);
  }
  if ((size_t)size > max_bytes) {
    fclose(f);
    return trin_err_set(err, TRIN_ETOOBIG, "file", "%s is %ld bytes; at most %zu are accepted",
                        path, size, max_bytes);
  }
  char *buf = malloc((size_t)size + 1);
  if (!buf) {
    fclose(f);
    return trin_err_set(err, TRIN_EINTERNAL, "file", "out of memory reading %s", path);
  }
  size_t got = fread(buf, 1, (size_t)size, f);
  fclose(f);
  int rc = got == (size_t)size ? trin_csv_parse(buf, got, opt, fn, fn_data, err)
                               : trin_err_set(err, TRIN_EIO, "file", "cannot read %s", path);
  free(buf);
  return rc;
}

int trin_csv_column(const trin_csv_row_t *header, const char *name) {
  for (size_t i = 0; i < header->n; i++) {
    const char *h = header->fields[i];
    while (isspace((unsigned char)*h)) h++;
    size_t hl = strlen(h);
    while (hl > 0 && isspace((unsigned char)h[hl - 1])) hl--;
    if (hl == strlen(name) && strncasecmp(h, name, hl) == 0) return (int)i;
  }
  return -1;
}
