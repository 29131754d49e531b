/* trin_csv — reading CSV exports from spreadsheets and survey tools with
 * libcsv (RFC 4180 quoting, quoted newlines): a UTF-8 byte order mark is
 * skipped, the separator (',' or ';') is detected from the header, empty
 * lines are skipped, every cell is checked to be UTF-8 text, and every row
 * knows the line it started on so an import can say "line 17: ...". */
#ifndef TRIN_CSV_H
#define TRIN_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

typedef struct {
  char **fields;   /* NUL-terminated, owned by the reader, valid during the call */
  size_t n;
  size_t line;     /* 1-based physical line the row starts on */
} trin_csv_row_t;

/* Return TRIN_OK to continue; any other value stops the parse and is
 * returned (err filled by the callback). */
typedef int (*trin_csv_row_fn)(void *data, const trin_csv_row_t *row, trin_err_t *err);

typedef struct {
  char separator;        /* ',' or ';', or 0 = detect from the first line */
  size_t max_bytes;      /* refuse larger input (0 = 1 GiB) */
  size_t max_fields;     /* refuse rows with more fields (0 = 1000) */
  const char *field;     /* the field the reader's own errors name, e.g. "csv"
                            (NULL = ""); borrowed for the call */
} trin_csv_options_t;

/* Parses the whole buffer; the first row (the header) is passed like any
 * other. A malformed quote or a row over the limits stops with EINVALID
 * naming the line ("line 12: ..."). A cell holding a NUL byte or bytes that
 * are not UTF-8 stops with EINVALID naming the line, the column (1-based)
 * and the header's name for it: "line 3, column 2 (respondent): the cell
 * holds a NUL byte (at position 3); ..." / "...: the cell is not valid
 * UTF-8 (byte 0xFF at position 2); save the file as UTF-8". So every cell
 * a callback sees is a whole, valid UTF-8 string. */
int trin_csv_parse(const char *data, size_t len, const trin_csv_options_t *opt,
                   trin_csv_row_fn fn, void *fn_data, trin_err_t *err);
/* Reads and parses a file. */
int trin_csv_parse_file(const char *path, const trin_csv_options_t *opt,
                        trin_csv_row_fn fn, void *fn_data, trin_err_t *err);

/* Index of the column named `name` in a header row (case-insensitive,
 * surrounding spaces ignored), or -1. */
int trin_csv_column(const trin_csv_row_t *header, const char *name);

#endif
