/* trin_buf — see trin_buf.h. */
#include "trin_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trin_buf_add(trin_buf_t *b, const void *d, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + n + 1) nc *= 2;
    char *p = realloc(b->data, nc);
    if (!p) {
      b->failed = true;
      return;
    }
    b->data = p;
    b->cap = nc;
  }
  if (n) memcpy(b->data + b->len, d, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void trin_buf_puts(trin_buf_t *b, const char *s) { trin_buf_add(b, s, strlen(s)); }

void trin_buf_vprintf(trin_buf_t *b, const char *fmt, va_list ap) {
  char small[256];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  if (n >= 0 && (size_t)n < sizeof small) {
    trin_buf_add(b, small, (size_t)n);
  } else if (n >= 0) {
    char *big = malloc((size_t)n + 1);
    if (big) {
      vsnprintf(big, (size_t)n + 1, fmt, ap2);
      trin_buf_add(b, big, (size_t)n);
      free(big);
    } else {
      b->failed = true;
    }
  }
  va_end(ap2);
}

void trin_buf_printf(trin_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  trin_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void trin_buf_varint(trin_buf_t *b, uint64_t v) {
  uint8_t tmp[10];
  size_t k = 0;
  for (; v >= 0x80; v >>= 7) tmp[k++] = (uint8_t)(v | 0x80);
  tmp[k++] = (uint8_t)v;
  trin_buf_add(b, tmp, k);
}

void trin_buf_free(trin_buf_t *b) {
  free(b->data);
  *b = (trin_buf_t){0};
}
