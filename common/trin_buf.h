/* trin_buf — a growing byte buffer, always NUL-terminated: what replies,
 * feeds, translated SQL and packed batches are written into. An allocation
 * that fails marks the buffer failed and later writes do nothing, so a
 * writer checks once at the end. */
#ifndef TRIN_BUF_H
#define TRIN_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zero-initialise ({0}); data is malloc'd and owned by the buffer until
 * trin_buf_free (or a caller takes it and frees it itself). */
typedef struct {
  char *data;
  size_t len, cap;
  bool failed;  /* an allocation failed; the content is incomplete */
} trin_buf_t;

void trin_buf_add(trin_buf_t *b, const void *d, size_t n);
void trin_buf_puts(trin_buf_t *b, const char *s);
void trin_buf_printf(trin_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void trin_buf_vprintf(trin_buf_t *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* A protobuf varint (base 128, little end first). */
void trin_buf_varint(trin_buf_t *b, uint64_t v);
void trin_buf_free(trin_buf_t *b);

#endif
