/* gateway_rate — see gateway_rate.h.
 *
 * Buckets are found by key in a hash table (SipHash with a random key, as
 * keys may be chosen by clients) and ordered in a binary min-heap by the
 * time they are full again (full_ms). Invariant: every bucket is in both;
 * heap[i]->heap_index == i; a parent's full_ms <= its children's. So the
 * bucket that may be forgotten soonest is heap[0], and "is any bucket
 * full now?" is heap[0]->full_ms <= now.
 *
 * A bucket's tokens are stored as of last_ms and refilled lazily on the
 * next take: tokens(t) = min(burst, tokens + (t - last_ms) * per_second). */
#include "gateway_rate.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Far enough to mean "never" without overflowing uint64 arithmetic. */
#define FAR_MS 1e15

typedef struct bucket {
  struct bucket *next;  /* hash chain */
  uint64_t hash;
  double tokens;        /* as of last_ms */
  uint64_t last_ms;
  uint64_t full_ms;     /* when tokens reach burst again */
  size_t heap_index;
  char key[];           /* NUL-terminated copy */
} bucket_t;

struct gateway_rate {
  double per_second, burst;
  size_t max_keys, count;
  bucket_t **slots;  /* nslots chains, nslots a power of two >= count */
  size_t nslots;
  bucket_t **heap;   /* count entries, room for heap_cap */
  size_t heap_cap;
  unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

int gateway_rate_new(double per_second, double burst, size_t max_keys, gateway_rate_t **out,
                     trin_err_t *err) {
  if (!isfinite(per_second) || per_second < 0)
    return trin_err_set(err, TRIN_EINVALID, "per_second",
                        "must be a number of requests per second, or 0 for no limit (got %g)",
                        per_second);
  if (per_second > 0 && (!isfinite(burst) || burst < 1))
    return trin_err_set(err, TRIN_EINVALID, "burst",
                        "must be at least 1 request, the most a rested caller may send at "
                        "once (got %g)", burst);
  if (max_keys == 0)
    return trin_err_set(err, TRIN_EINVALID, "max_keys",
                        "must be at least 1: the most callers the limiter remembers");
  if (sodium_init() < 0) return trin_err_set(err, TRIN_EINTERNAL, "", "libsodium did not start");
  gateway_rate_t *r = calloc(1, sizeof *r);
  if (r) r->slots = calloc(16, sizeof *r->slots);
  if (!r || !r->slots) {
    free(r);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  r->nslots = 16;
  r->per_second = per_second;
  r->burst = burst;
  r->max_keys = max_keys;
  crypto_shorthash_keygen(r->hash_key);
  *out = r;
  return TRIN_OK;
}

/* ---- the hash table --------------------------------------------------------------- */

static uint64_t hash_of(const gateway_rate_t *r, const char *key) {
  unsigned char h[crypto_shorthash_BYTES];
  crypto_shorthash(h, (const unsigned char *)key, strlen(key), r->hash_key);
  uint64_t v;
  memcpy(&v, h, sizeof v);
  return v;
}

static bucket_t *find(const gateway_rate_t *r, const char *key, uint64_t hash) {
  for (bucket_t *b = r->slots[hash & (r->nslots - 1)]; b; b = b->next)
    if (b->hash == hash && strcmp(b->key, key) == 0) return b;
  return NULL;
}

/* Doubles the table when it holds more buckets than slots; a failed
 * allocation only leaves the chains longer. */
static void grow_table(gateway_rate_t *r) {
  if (r->count <= r->nslots) return;
  size_t n = r->nslots * 2;
  bucket_t **slots = calloc(n, sizeof *slots);
  if (!slots) return;
  for (size_t i = 0; i < r->nslots; i++) {
    bucket_t *b = r->slots[i];
    while (b) {
      bucket_t *next = b->next;
      b->next = slots[b->hash & (n - 1)];
      slots[b->hash & (n - 1)] = b;
      b = next;
    }
  }
  free(r->slots);
  r->slots = slots;
  r->nslots = n;
}

static void unlink_slot(gateway_rate_t *r, bucket_t *b) {
  bucket_t **pp = &r->slots[b->hash & (r->nslots - 1)];
  while (*pp != b) pp = &(*pp)->next;
  *pp = b->next;
}

/* ---- the heap by full_ms ------------------------------------------------------------ */

static void heap_set(gateway_rate_t *r, size_t i, bucket_t *b) {
  r->heap[i] = b;
  b->heap_index = i;
}

static void sift_up(gateway_rate_t *r, size_t i) {
  bucket_t *b = r->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (r->heap[parent]->full_ms <= b->full_ms) break;
    heap_set(r, i, r->heap[parent]);
    i = parent;
  }
  heap_set(r, i, b);
}

static void sift_down(gateway_rate_t *r, size_t i) {
  bucket_t *b = r->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= r->count) break;
    if (child + 1 < r->count && r->heap[child + 1]->full_ms < r->heap[child]->full_ms) child++;
    if (b->full_ms <= r->heap[child]->full_ms) break;
    heap_set(r, i, r->heap[child]);
    i = child;
  }
  heap_set(r, i, b);
}

/* Forgets heap[0] (a full bucket). */
static void evict_top(gateway_rate_t *r) {
  bucket_t *b = r->heap[0];
  unlink_slot(r, b);
  r->count--;
  if (r->count > 0) {
    heap_set(r, 0, r->heap[r->count]);
    sift_down(r, 0);
  }
  free(b);
}

/* ---- taking ---------------------------------------------------------------------- */

static uint32_t whole_seconds(double s) {
  double up = ceil(s - 1e-9);
  if (up < 1) return 1;
  if (up > UINT32_MAX) return UINT32_MAX;
  return (uint32_t)up;
}

static bool refuse(uint32_t *retry_after_s, double seconds) {
  if (retry_after_s) *retry_after_s = whole_seconds(seconds);
  return false;
}

/* A new full bucket for key, making room by forgetting a full one; NULL
 * (and *wait_s) when every bucket held is still below full. */
static bucket_t *add_bucket(gateway_rate_t *r, const char *key, uint64_t hash, uint64_t now_ms,
                            double *wait_s) {
  if (r->count >= r->max_keys) {
    if (r->heap[0]->full_ms > now_ms) {
      *wait_s = (double)(r->heap[0]->full_ms - now_ms) / 1000.0;
      return NULL;
    }
    evict_top(r);
  }
  *wait_s = 1;
  if (r->count == r->heap_cap) {
    size_t cap = r->heap_cap ? r->heap_cap * 2 : 16;
    if (cap > r->max_keys) cap = r->max_keys;
    bucket_t **heap = realloc(r->heap, cap * sizeof *heap);
    if (!heap) return NULL;
    r->heap = heap;
    r->heap_cap = cap;
  }
  size_t len = strlen(key);
  bucket_t *b = calloc(1, sizeof *b + len + 1);
  if (!b) return NULL;
  memcpy(b->key, key, len + 1);
  b->hash = hash;
  b->tokens = r->burst;
  b->last_ms = b->full_ms = now_ms;
  b->next = r->slots[hash & (r->nslots - 1)];
  r->slots[hash & (r->nslots - 1)] = b;
  heap_set(r, r->count, b);
  r->count++;
  sift_up(r, b->heap_index);
  grow_table(r);
  return b;
}

bool gateway_rate_take(gateway_rate_t *r, const char *key, uint64_t now_ms,
                       uint32_t *retry_after_s) {
  if (retry_after_s) *retry_after_s = 0;
  if (r->per_second == 0) return true;
  if (!key) key = "";
  uint64_t hash = hash_of(r, key);
  bucket_t *b = find(r, key, hash);
  if (!b) {
    double wait_s;
    b = add_bucket(r, key, hash, now_ms, &wait_s);
    if (!b) return refuse(retry_after_s, wait_s);
  }
  if (now_ms > b->last_ms) {
    b->tokens += (double)(now_ms - b->last_ms) * r->per_second / 1000.0;
    if (b->tokens > r->burst) b->tokens = r->burst;
    b->last_ms = now_ms;
  }
  /* The epsilon forgives the rounding of a refill that lands on a whole
   * token (0.1 * 10 is not quite 1 in binary). */
  bool ok = b->tokens >= 1 - 1e-9;
  double wait_s = 0;
  if (ok) b->tokens = b->tokens >= 1 ? b->tokens - 1 : 0;
  else wait_s = (1 - b->tokens) / r->per_second;
  double to_full_ms = ceil((r->burst - b->tokens) / r->per_second * 1000.0);
  if (to_full_ms > FAR_MS) to_full_ms = FAR_MS;
  uint64_t old = b->full_ms;
  b->full_ms = b->last_ms + (uint64_t)to_full_ms;
  if (b->full_ms < old) sift_up(r, b->heap_index);
  else sift_down(r, b->heap_index);
  return ok ? true : refuse(retry_after_s, wait_s);
}

size_t gateway_rate_count(const gateway_rate_t *r) { return r ? r->count : 0; }

void gateway_rate_destroy(gateway_rate_t **rp) {
  if (!rp || !*rp) return;
  gateway_rate_t *r = *rp;
  *rp = NULL;
  for (size_t i = 0; i < r->count; i++) free(r->heap[i]);
  free(r->heap);
  free(r->slots);
  free(r);
}
