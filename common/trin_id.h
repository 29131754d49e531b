/* trin_id — identifiers: the rules for ids people choose (project numbers,
 * organisation codes) and random ids trin makes itself (correlation ids). */
#ifndef TRIN_ID_H
#define TRIN_ID_H

#include <stddef.h>

#include "trin_err.h"
#include "trin_text.h"

#define TRIN_ID_MAX 64  /* longest id, without the NUL */
#define TRIN_ID_RANDOM_BUF 33

/* An id is 1–64 characters of A–Z a–z 0–9 and . _ - : starting with a letter
 * or digit — safe in URLs, CSV, file names and log lines without quoting. */
int trin_id_check(const char *id, const char *field, trin_err_t *err);

/* As trin_id_check, but "" is accepted (an absent optional reference). */
int trin_id_check_optional(const char *id, const char *field, trin_err_t *err);

/* 32 lowercase hex characters from the system's random source. */
void trin_id_random(char out[TRIN_ID_RANDOM_BUF]);

/* Text a person typed (names, descriptions): required, at most max bytes,
 * and trin_text_typed_fault's rule (valid UTF-8, no control characters
 * except tab), refused with TRIN_EINVALID naming field and the byte. */
int trin_text_check(const char *text, size_t max, const char *field,
                    trin_err_t *err);
int trin_text_check_optional(const char *text, size_t max, const char *field,
                             trin_err_t *err);

#endif
