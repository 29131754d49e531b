/* trin_strmap — a map from a string to a small integer (an index into the
 * caller's own array): open addressing with linear probing, FNV-1a, kept at
 * most half full. For the in-memory indexes that services rebuild from
 * their stores (status rows by project id, benchmark entities by id).
 *
 * Ownership: keys are borrowed — each must stay valid and unchanged while
 * it is in the map (point it at the string of the entity the value names).
 * A zeroed trin_strmap_t is an empty map; trin_strmap_free releases it. */
#ifndef TRIN_STRMAP_H
#define TRIN_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char **keys; /* borrowed */
  int32_t *vals;
  size_t cap, n;
} trin_strmap_t;

/* The value stored for key, or -1 when key is not in the map. */
int32_t trin_strmap_get(const trin_strmap_t *m, const char *key);
/* Stores value (>= 0) for key, replacing an earlier one. -1 when memory
 * ran out (the map is unchanged), else 0. */
int trin_strmap_put(trin_strmap_t *m, const char *key, int32_t value);
/* Entries in the map. */
size_t trin_strmap_count(const trin_strmap_t *m);
/* Empties the map and frees its memory (not the keys). */
void trin_strmap_free(trin_strmap_t *m);

#endif
