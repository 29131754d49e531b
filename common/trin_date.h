/* trin_date — calendar dates and UTC instants. Dates cross every boundary as
 * ISO 8601 text ("2026-11-25"), instants as "2026-11-25T08:16:48.123Z";
 * inside a process they are plain integers so they compare and subtract. */
#ifndef TRIN_DATE_H
#define TRIN_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "trin_err.h"

/* Days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t trin_date_t;
#define TRIN_DATE_NONE INT32_MIN
#define TRIN_DATE_BUF 11  /* "YYYY-MM-DD" + NUL */

/* Milliseconds since 1970-01-01T00:00:00Z. */
typedef int64_t trin_time_t;
#define TRIN_TIME_BUF 25  /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

bool trin_date_valid_ymd(int y, int m, int d);
trin_date_t trin_date_from_ymd(int y, int m, int d); /* caller checks valid */
void trin_date_to_ymd(trin_date_t date, int *y, int *m, int *d);

/* Strict "YYYY-MM-DD" with years 1900–2199 (trin's domain never needs more,
 * and a typo like 20260 should be caught, not stored). */
int trin_date_parse(const char *text, trin_date_t *out, const char *field,
                    trin_err_t *err);
/* As trin_date_parse, but "" or NULL gives TRIN_DATE_NONE. */
int trin_date_parse_optional(const char *text, trin_date_t *out,
                             const char *field, trin_err_t *err);
/* Writes "YYYY-MM-DD", or "" for TRIN_DATE_NONE. Returns buf. */
char *trin_date_format(trin_date_t date, char *buf);

/* The same day n years later; 29 February becomes 28 February. */
trin_date_t trin_date_add_years(trin_date_t date, int years);
trin_date_t trin_date_today(void); /* UTC */

/* Fails with "<later_field> (...) is before <earlier_field> (...)" unless
 * earlier <= later. TRIN_DATE_NONE on either side passes. */
int trin_date_check_order(trin_date_t earlier, const char *earlier_field,
                          trin_date_t later, const char *later_field,
                          trin_err_t *err);

trin_time_t trin_time_now(void);
char *trin_time_format(trin_time_t t, char *buf);
/* Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z" and "+HH:MM"/"-HH:MM" offsets. */
int trin_time_parse(const char *text, trin_time_t *out, const char *field,
                    trin_err_t *err);

#endif
