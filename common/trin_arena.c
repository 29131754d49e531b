/* trin_arena — see trin_arena.h. */
#include "trin_arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trin_arena_block {
  trin_arena_block_t *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

#define BLOCK_MIN 8192

void *trin_arena_alloc(trin_arena_t *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  trin_arena_block_t *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
    b = malloc(sizeof *b + cap);
    if (!b) {
      a->failed = 1;
      return NULL;
    }
    b->used = 0;
    b->cap = cap;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *trin_arena_strdup(trin_arena_t *a, const char *s) {
  if (!s) s = "";
  size_t n = strlen(s) + 1;
  char *p = trin_arena_alloc(a, n);
  if (p) memcpy(p, s, n);
  return p ? p : (char *)"";
}

char *trin_arena_printf(trin_arena_t *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = n >= 0 ? trin_arena_alloc(a, (size_t)n + 1) : NULL;
  if (p) vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p ? p : (char *)"";
}

void trin_arena_reset(trin_arena_t *a) {
  for (trin_arena_block_t *b = a->head, *n; b; b = n) {
    n = b->next;
    free(b);
  }
  a->head = NULL;
  a->failed = 0;
}

/* A block larger than this is a one-off (a huge batch): give it back. */
#define KEEP_MAX (1024 * 1024)

void trin_arena_rewind(trin_arena_t *a) {
  trin_arena_block_t *keep = a->head;
  if (keep && keep->cap > KEEP_MAX) keep = NULL;
  if (keep) a->head = keep->next;
  trin_arena_reset(a);
  if (keep) {
    keep->used = 0;
    keep->next = NULL;
    a->head = keep;
  }
}

int trin_arena_vec_push(trin_arena_t *a, trin_arena_vec_t *v, void *item,
                        trin_err_t *err) {
  if (!item) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (v->n == v->cap) {
    size_t nc = v->cap ? v->cap * 2 : 8;
    void **ni = trin_arena_alloc(a, nc * sizeof *ni);
    if (!ni) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    if (v->n) memcpy(ni, v->items, v->n * sizeof *ni);
    v->items = ni;
    v->cap = nc;
  }
  v->items[v->n++] = item;
  return TRIN_OK;
}
