/* agg_format — rows as JSON and CSV text, written into a growing buffer
 * (trin_buf).
 * JSON follows OData's minimal metadata conventions (which plain JSON
 * readers read as they are): numbers as JSON numbers (Edm.Int64 and
 * Edm.Decimal as strings when the client asked IEEE754Compatible=true),
 * dates "YYYY-MM-DD", instants ISO 8601 UTC with Z, empty columns null.
 * CSV is RFC 4180: comma (or semicolon), CRLF, a header row, fields quoted
 * when they hold the delimiter, a quote or a line break; empty columns are
 * empty fields. A text cell that a spreadsheet would run as a formula — one
 * starting with = + - @ tab or CR — is written with a ' in front (OWASP's
 * rule against CSV injection); numeric, date and boolean columns are never
 * touched, so -3 in a number column stays the number -3. */
#ifndef TRIN_AGG_FORMAT_H
#define TRIN_AGG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "agg_columns.h"
#include "agg_rows.h"
#include "trin_buf.h"

/* A JSON string literal with its quotes. */
void agg_json_string(trin_buf_t *b, const char *s);
/* A row as a JSON object with the columns cols[0..ncols) (all when cols is
 * NULL), in column order. Strings longer than max_string bytes are cut at
 * a character boundary (0 = no limit; Power BI push allows 4,000). */
void agg_json_row(trin_buf_t *b, const agg_row_t *r, const int *cols, int ncols, bool ieee754,
                  size_t max_string);

/* How a CSV is written: delimiter ',' or ';', decimal mark '.' or ','
 * (',' only with ';': a comma would split the number). Zeroed = ',' '.'. */
typedef struct {
  char delimiter;
  char decimal;
} agg_csv_style_t;

/* style NULL = comma and point. */
void agg_csv_header(trin_buf_t *b, const agg_csv_style_t *style);
void agg_csv_row(trin_buf_t *b, const agg_row_t *r, const agg_csv_style_t *style);
/* One text cell: neutralised when it starts with a formula character, then
 * quoted when it holds the delimiter, a quote or a line break. */
void agg_csv_text(trin_buf_t *b, const char *s, char delimiter);
/* True when a spreadsheet would read s as a formula (first byte = + - @
 * tab or CR): what agg_csv_text prefixes with '. */
bool agg_csv_formula_like(const char *s);

/* One cell as text without quoting (CSV field content, filters). */
void agg_value_text(trin_buf_t *b, agg_type_t t, const agg_value_t *v);

#endif
