/* fuzz.csv — common/trin_csv: the reader every CSV import goes through
 * (separator detection, BOM, quoting, quoted newlines, limits), column
 * lookup and the decimal parser on every cell. The first byte chooses the
 * options (separator given or detected, a small field limit) so the limit
 * paths are reached too.
 *
 * Checked besides memory safety: a row never has more fields than the
 * limit, line numbers never go backwards, and an error always has words. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trin_csv.h"
#include "trin_number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  size_t max_fields;
  size_t last_line;
  size_t rows;
  const trin_csv_row_t *header;
  int stop_at;
} seen_t;

static int on_row(void *p, const trin_csv_row_t *row, trin_err_t *err) {
  seen_t *s = p;
  if (row->n > s->max_fields) abort();
  if (row->line < s->last_line || row->line == 0) abort();
  s->last_line = row->line;
  for (size_t i = 0; i < row->n; i++) {
    if (!row->fields[i]) abort();
    int64_t v;
    trin_err_t e = {0};
    int rc = trin_number_parse(row->fields[i], (int)(i % 7), &v, "cell", &e);
    if (rc != TRIN_OK && !e.message[0]) abort();
  }
  if (s->rows == 0 && row->n > 0) {
    /* Look each header name up again, trimmed as the lookup trims the
     * header: it is found at i or at an earlier column with the same name. */
    for (size_t i = 0; i < row->n && i < 32; i++) {
      const char *f = row->fields[i];
      while (isspace((unsigned char)*f)) f++;
      size_t n = strlen(f);
      while (n > 0 && isspace((unsigned char)f[n - 1])) n--;
      char name[256];
      if (n >= sizeof name) continue;
      memcpy(name, f, n);
      name[n] = '\0';
      int c = trin_csv_column(row, name);
      if (c < 0 || (size_t)c > i) abort();
    }
  }
  s->rows++;
  if (s->stop_at && (int)s->rows == s->stop_at)
    return trin_err_set(err, TRIN_EINVALID, "csv", "line %zu: stopped by the callback",
                        row->line);
  return TRIN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  uint8_t mode = data[0];
  trin_csv_options_t o = {0};
  o.separator = (mode & 3) == 1 ? ',' : (mode & 3) == 2 ? ';' : 0;
  o.max_fields = (mode & 4) ? 3 : 0;
  o.max_bytes = (mode & 8) ? 64 : 0;
  seen_t s = {.max_fields = o.max_fields ? o.max_fields : 1000, .stop_at = (mode >> 4) & 3};
  trin_err_t err = {0};
  int rc = trin_csv_parse((const char *)data + 1, size - 1, &o, on_row, &s, &err);
  if (rc != TRIN_OK && !err.message[0]) abort();
  if (o.max_bytes && size - 1 > o.max_bytes && rc == TRIN_OK) abort();
  return 0;
}
