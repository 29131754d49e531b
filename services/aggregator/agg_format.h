/* agg_format — rows as JSON and CSV text, written into a growing buffer
 * (trin_buf).
 * JSON follows OData's minimal metadata conventions (which plain JSON
 * readers read as they are): numbers as JSON numbers (Edm.Int64 and
 * Edm.Decimal as strings when the client asked IEEE754Compatible=true),
 * dates "YYYY-MM-DD", instants ISO 8601 UTC with Z, empty columns null.
 * CSV is RFC 4180: comma, CRLF, a header row, fields quoted when they hold
 * a comma, quote or line break; empty columns are empty fields. */
#ifndef TRIN_AGG_FORMAT_H
#define TRIN_AGG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "agg_rows.h"
#include "trin_buf.h"

/* A JSON string literal with its quotes. */
void agg_json_string(trin_buf_t *b, const char *s);
/* One cell as JSON. */
void agg_json_value(trin_buf_t *b, agg_type_t t, const agg_value_t *v, bool ieee754);
/* A row as a JSON object with the columns cols[0..ncols) (all when cols is
 * NULL), in column order. Strings longer than max_string bytes are cut at
 * a character boundary (0 = no limit; Power BI push allows 4,000). */
void agg_json_row(trin_buf_t *b, const agg_row_t *r, const int *cols, int ncols, bool ieee754,
                  size_t max_string);

void agg_csv_header(trin_buf_t *b);
void agg_csv_row(trin_buf_t *b, const agg_row_t *r);

/* One cell as text without quoting (CSV field content, filters). */
void agg_value_text(trin_buf_t *b, agg_type_t t, const agg_value_t *v);

#endif
