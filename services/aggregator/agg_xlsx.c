/* agg_xlsx — see agg_xlsx.h. */
#include "agg_xlsx.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "agg_columns.h"

/* A snapshot keeps 8 bytes a cell: the number, or for a text cell the
 * offset of its copy in `text`; a row's empty cells are bits of `empty`
 * (34 columns fit in 64 bits). 100,000 rows take about 28 MB. */
_Static_assert(AGG_NCOLS <= 64, "a row's empty cells are bits of a uint64_t");

struct agg_xlsx_snapshot {
  int64_t *cells;   /* AGG_NCOLS per row */
  uint64_t *empty;  /* one mask per row */
  size_t n, cap;
  trin_buf_t text;  /* the rows' strings, each NUL-terminated */
  bool failed;
};

/* Excel's serial dates (the 1900 system) count days from 1899-12-30. */
#define EXCEL_1970 25569.0
/* Excel holds at most 32,767 characters in a cell. */
#define EXCEL_CELL_MAX 32767

static bool grow(agg_xlsx_snapshot_t *s, size_t cap) {
  int64_t *cells = realloc(s->cells, cap * AGG_NCOLS * sizeof *cells);
  if (cells) s->cells = cells;
  uint64_t *empty = cells ? realloc(s->empty, cap * sizeof *empty) : NULL;
  if (!empty) return false;
  s->empty = empty;
  s->cap = cap;
  return true;
}

agg_xlsx_snapshot_t *agg_xlsx_snapshot_new(size_t rows) {
  agg_xlsx_snapshot_t *s = calloc(1, sizeof *s);
  /* Copying happens on the loop: one allocation instead of a dozen
   * reallocations of up to tens of MB. */
  if (s && rows && !grow(s, rows)) agg_xlsx_snapshot_destroy(&s);
  return s;
}

size_t agg_xlsx_snapshot_rows(const agg_xlsx_snapshot_t *s) { return s->n; }

bool agg_xlsx_snapshot_add(agg_xlsx_snapshot_t *s, const agg_row_t *r) {
  if (s->failed) return false;
  if (s->n == s->cap && !grow(s, s->cap ? s->cap * 2 : 256)) {
    s->failed = true;
    return false;
  }
  int64_t *row = s->cells + s->n * AGG_NCOLS;
  uint64_t mask = 0;
  for (int c = 0; c < AGG_NCOLS; c++) {
    agg_value_t v;
    agg_row_get(r, (agg_col_t)c, &v);
    if (v.null) {
      mask |= (uint64_t)1 << c;
      row[c] = 0;
    } else if (AGG_COLUMNS[c].type == AGG_T_STRING) {
      row[c] = (int64_t)s->text.len;
      trin_buf_add(&s->text, v.s, strlen(v.s) + 1);
    } else {
      row[c] = v.i;
    }
  }
  s->empty[s->n++] = mask;
  if (s->text.failed) s->failed = true;
  return !s->failed;
}

void agg_xlsx_snapshot_destroy(agg_xlsx_snapshot_t **sp) {
  if (!sp || !*sp) return;
  agg_xlsx_snapshot_t *s = *sp;
  *sp = NULL;
  free(s->cells);
  free(s->empty);
  trin_buf_free(&s->text);
  free(s);
}

/* ---- writing ------------------------------------------------------------------- */

typedef struct {
  lxw_format *header, *kr, *dec, *date, *time;
} formats_t;

static bool is_amount(int c) { return strstr(AGG_COLUMNS[c].name, "_dkk") != NULL; }

/* Text cut to Excel's limit at a character boundary: a longer text would
 * make libxlsxwriter refuse the cell. */
static const char *cell_text(const char *s, char *cut, size_t cutn) {
  size_t len = strlen(s);
  if (len <= EXCEL_CELL_MAX) return s;
  len = cutn - 1;
  while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
  memcpy(cut, s, len);
  cut[len] = '\0';
  return cut;
}

static lxw_error write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t v,
                            const char *text, const formats_t *f, char *cut, size_t cutn) {
  switch (AGG_COLUMNS[col].type) {
    case AGG_T_STRING:
      return worksheet_write_string(ws, row, col, cell_text(text + v, cut, cutn), NULL);
    case AGG_T_BOOL: return worksheet_write_boolean(ws, row, col, v != 0, NULL);
    case AGG_T_INT32:
    case AGG_T_INT64: return worksheet_write_number(ws, row, col, (double)v, NULL);
    case AGG_T_DEC2:
      return worksheet_write_number(ws, row, col, (double)v / 100.0,
                                    is_amount(col) ? f->kr : f->dec);
    case AGG_T_DATE: return worksheet_write_number(ws, row, col, (double)v + EXCEL_1970, f->date);
    case AGG_T_TIME:
      return worksheet_write_number(ws, row, col, (double)v / 86400000.0 + EXCEL_1970, f->time);
  }
  return LXW_NO_ERROR;
}

/* Builds the workbook at path; libxlsxwriter's own temporary files go to dir. */
static int build(const agg_xlsx_snapshot_t *s, const char *path, char *dir, trin_err_t *err) {
  lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = dir};
  lxw_workbook *wb = workbook_new_opt(path, &o);
  if (!wb) return trin_err_set(err, TRIN_EIO, "", "the spreadsheet could not be started");
  lxw_worksheet *ws = workbook_add_worksheet(wb, "status");
  formats_t f = {workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb),
                 workbook_add_format(wb), workbook_add_format(wb)};
  lxw_error rc = LXW_NO_ERROR;
  if (!ws || !f.header || !f.kr || !f.dec || !f.date || !f.time) {
    rc = LXW_ERROR_MEMORY_MALLOC_FAILED;
  } else {
    format_set_bold(f.header);
    /* Number formats use "," and "." as placeholders: Excel shows them with
     * the reader's own separators (1.234,50 kr. in a Danish Excel). */
    format_set_num_format(f.kr, "#,##0.00\\ \"kr.\"");
    format_set_num_format(f.dec, "0.00");
    format_set_num_format(f.date, "yyyy-mm-dd");
    format_set_num_format(f.time, "yyyy-mm-dd hh:mm:ss");
    worksheet_freeze_panes(ws, 1, 0);
    for (lxw_col_t c = 0; c < AGG_NCOLS && !rc; c++) {
      double width = (double)strlen(AGG_COLUMNS[c].name) + 3; /* room for the filter button */
      if (AGG_COLUMNS[c].type == AGG_T_TIME) width = 20;
      if (strstr(AGG_COLUMNS[c].name, "_name")) width = 30;
      rc = worksheet_set_column(ws, c, c, width < 10 ? 10 : width, NULL);
    }
    for (lxw_col_t c = 0; c < AGG_NCOLS && !rc; c++)
      rc = worksheet_write_string(ws, 0, c, AGG_COLUMNS[c].name, f.header);
    if (!rc) rc = worksheet_autofilter(ws, 0, 0, (lxw_row_t)s->n, AGG_NCOLS - 1);
  }
  char cut[EXCEL_CELL_MAX + 1];
  for (size_t i = 0; i < s->n && !rc; i++) {
    const int64_t *row = s->cells + i * AGG_NCOLS;
    for (lxw_col_t c = 0; c < AGG_NCOLS && !rc; c++)
      if (!(s->empty[i] >> c & 1))
        rc = write_cell(ws, (lxw_row_t)(i + 1), c, row[c], s->text.data, &f, cut, sizeof cut);
  }
  lxw_error closed = workbook_close(wb); /* frees wb, also after an error */
  if (!rc) rc = closed;
  if (rc)
    return trin_err_set(err, rc == LXW_ERROR_CREATING_XLSX_FILE || rc == LXW_ERROR_CREATING_TMPFILE
                                 ? TRIN_EIO
                                 : TRIN_EINTERNAL,
                        "", "the spreadsheet could not be written: %s", lxw_strerror(rc));
  return TRIN_OK;
}

static int read_back(const char *path, trin_buf_t *out, trin_err_t *err) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return trin_err_set(err, TRIN_EIO, "", "the spreadsheet could not be read back: %s",
                               strerror(errno));
  char chunk[1 << 16];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) trin_buf_add(out, chunk, n);
  bool bad = ferror(fp) != 0;
  fclose(fp);
  if (bad) return trin_err_set(err, TRIN_EIO, "", "the spreadsheet could not be read back");
  if (out->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  return TRIN_OK;
}

int agg_xlsx_write(const agg_xlsx_snapshot_t *s, trin_buf_t *out, trin_err_t *err) {
  if (s->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (s->n >= LXW_ROW_MAX)
    return trin_err_set(err, TRIN_ETOOBIG, "", "%zu rows do not fit in a sheet (Excel holds "
                        "1,048,575 under the header): use the OData feed or the CSV", s->n);
  const char *tmp = getenv("TMPDIR");
  char dir[512], path[560];
  if (!tmp || !*tmp) tmp = "/tmp";
  snprintf(dir, sizeof dir, "%s/trin-xlsx-XXXXXX", tmp);
  /* A directory only we may enter: the workbook holds rows another
   * organisation must not read. */
  if (!mkdtemp(dir))
    return trin_err_set(err, TRIN_EIO, "", "no temporary directory for the spreadsheet in %s: %s",
                        tmp, strerror(errno));
  snprintf(path, sizeof path, "%s/status.xlsx", dir);
  int rc = build(s, path, dir, err);
  if (!rc) rc = read_back(path, out, err);
  unlink(path);
  rmdir(dir);
  return rc;
}
