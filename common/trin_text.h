/* trin_text — what trin accepts as text: valid UTF-8 (every protobuf string
 * field and every store column assume it) and, for text a person typed, no
 * control characters but tab. Plain functions on bytes, below trin_err: error
 * messages are cleaned with trin_text_sanitize_utf8, and trin_text_check
 * (trin_id.h) words a broken rule as an error. */
#ifndef TRIN_TEXT_H
#define TRIN_TEXT_H

#include <stddef.h>

/* Length (1–4) of the UTF-8 sequence that starts at s, or 0 when s does not
 * start a valid one (overlongs, surrogates and code points past U+10FFFF
 * included) or the sequence would need more than the avail bytes there
 * (buffers need not end in a NUL). Reads at most min(4, avail) bytes and
 * stops early at a NUL. */
size_t trin_text_utf8_len(const char *s, size_t avail);

typedef enum {
  TRIN_TEXT_FINE = 0,
  TRIN_TEXT_CONTROL,   /* C0 but tab, DEL, or C1 (U+0080–U+009F) */
  TRIN_TEXT_NOT_UTF8,
} trin_text_fault_t;

/* The first rule text (n bytes, NUL-terminated) breaks as text a person
 * typed, with *at (may be NULL) set to the byte where it does. */
trin_text_fault_t trin_text_typed_fault(const char *text, size_t n, size_t *at);

/* Replaces, in place, every byte that is not part of valid UTF-8 with '?'
 * (a quoted input cut at a length limit can end mid-character). */
void trin_text_sanitize_utf8(char *text);

#endif
