/* agg_xlsx — the status rows as an Excel workbook (.xlsx, written by
 * Debian's libxlsxwriter), for /api/v1/status.xlsx: one sheet "status",
 * the columns of the feed in order under a bold, frozen header row with an
 * autofilter; typed cells — numbers as numbers (amounts in kr. with a
 * "kr." number format), dates as dates, instants as date-times (UTC),
 * booleans as booleans, text as text (never a formula: no neutralising is
 * needed as in the CSV), empty columns as empty cells.
 *
 * Writing a large workbook takes a while (seconds for 100,000 rows), so it
 * is split in two: on the loop, agg_xlsx_snapshot_add copies the rows the
 * reader may see (quick); then agg_xlsx_write, which touches nothing but the
 * snapshot and may run on a worker thread (uv_queue_work), builds the file.
 *
 *   agg_xlsx_snapshot_t *s = agg_xlsx_snapshot_new(rows_expected);
 *   for each visible row: agg_xlsx_snapshot_add(s, row);
 *   agg_xlsx_write(s, &body, &err);          (any thread)
 *   agg_xlsx_snapshot_destroy(&s);
 */
#ifndef TRIN_AGG_XLSX_H
#define TRIN_AGG_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "agg_rows.h"
#include "trin_buf.h"
#include "trin_err.h"

typedef struct agg_xlsx_snapshot agg_xlsx_snapshot_t;

/* rows: how many rows will likely be added (room is made at once; more
 * may be added). NULL when out of memory. */
agg_xlsx_snapshot_t *agg_xlsx_snapshot_new(size_t rows);
/* Copies the row's cells (its strings too: the row may change or go away
 * afterwards). False when out of memory (the snapshot is then unusable). */
bool agg_xlsx_snapshot_add(agg_xlsx_snapshot_t *s, const agg_row_t *r);
size_t agg_xlsx_snapshot_rows(const agg_xlsx_snapshot_t *s);
void agg_xlsx_snapshot_destroy(agg_xlsx_snapshot_t **s);

/* Appends the whole .xlsx file to out. The file is built in a private
 * directory (mode 0700) under $TMPDIR or /tmp — libxlsxwriter 1.1 writes
 * only to files — read back and removed before returning, error or not.
 * TRIN_EIO when the temporary directory cannot be made or written,
 * TRIN_EINTERNAL when libxlsxwriter fails (its reason in the message),
 * TRIN_ETOOBIG beyond Excel's 1,048,575 data rows. Thread-safe: it reads
 * only s. */
int agg_xlsx_write(const agg_xlsx_snapshot_t *s, trin_buf_t *out, trin_err_t *err);

#endif
