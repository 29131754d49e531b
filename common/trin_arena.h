/* trin_arena — a bump allocator for one request's short-lived data (strings
 * copied out of store rows, arrays of reply messages): allocate freely,
 * release everything with one call. */
#ifndef TRIN_ARENA_H
#define TRIN_ARENA_H

#include <stddef.h>

#include "trin_err.h"

typedef struct trin_arena_block trin_arena_block_t;
typedef struct {
  trin_arena_block_t *head;
  int failed;  /* set once an allocation failed */
} trin_arena_t;

#define TRIN_ARENA_INIT {0}

/* Zeroed memory, 16-byte aligned, owned by the arena. NULL on OOM (and
 * arena->failed is set, so callers may check once at the end). */
void *trin_arena_alloc(trin_arena_t *a, size_t n);
/* A copy of s (NULL copies as ""). */
char *trin_arena_strdup(trin_arena_t *a, const char *s);
/* printf into the arena. */
char *trin_arena_printf(trin_arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A growing array of pointers held in the arena, for the repeated fields of
 * a reply built from store rows. */
typedef struct {
  void **items;
  size_t n, cap;
} trin_arena_vec_t;

/* Appends item; fails (TRIN_EINTERNAL, "out of memory") when item is NULL
 * — an allocation that failed — or the array cannot grow. */
int trin_arena_vec_push(trin_arena_t *a, trin_arena_vec_t *v, void *item,
                        trin_err_t *err);

/* Frees every allocation; the arena can be used again. */
void trin_arena_reset(trin_arena_t *a);
/* Like trin_arena_reset, but keeps the newest block (when it is not huge)
 * for the next allocations: for an arena emptied once per message, so that
 * decoding one costs no malloc at all. */
void trin_arena_rewind(trin_arena_t *a);

#endif
