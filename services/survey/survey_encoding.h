/* survey_encoding — CSV files as Danish offices save them: Excel's plain
 * "CSV (semikolonsepareret)" on a Danish Windows is Windows-1252, not
 * UTF-8. Recognising such a file (to refuse it with advice instead of a
 * byte offset) and converting it when the sender says that is what it is.
 * Plain functions on bytes. */
#ifndef TRIN_SURVEY_ENCODING_H
#define TRIN_SURVEY_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "trin_err.h"

typedef enum {
  SURVEY_ENCODING_UTF8 = 0,
  SURVEY_ENCODING_WINDOWS_1252 = 1,
} survey_encoding_t;

/* "" or "utf-8" / "utf8", "windows-1252" / "cp1252" (any case) -> *out;
 * anything else EINVALID on field. */
int survey_encoding_parse(const char *name, survey_encoding_t *out, const char *field,
                          trin_err_t *err);

/* True when data is not UTF-8 but reads as Windows-1252 text: no NUL byte,
 * no byte Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D), and
 * not one valid multi-byte UTF-8 sequence — a UTF-8 file with one broken
 * character has others that are whole. */
bool survey_encoding_looks_windows_1252(const char *data, size_t len);

/* The character a Windows-1252 byte stands for, as UTF-8 ("æ" for 0xE6),
 * or NULL for an undefined byte; written into buf or a constant. ASCII
 * bytes stand for themselves. */
const char *survey_encoding_windows_1252_char(unsigned char b, char buf[4]);

/* Converts Windows-1252 to UTF-8 (*out malloc'd, NUL-terminated). Refused
 * (EINVALID on field, naming the physical line): an undefined byte, a
 * UTF-8 byte-order mark, or a file that already holds UTF-8 characters
 * (converting it would turn "ø" into "Ã¸"). */
int survey_encoding_from_windows_1252(const char *in, size_t len, char **out,
                                      size_t *out_len, const char *field, trin_err_t *err);

#endif
