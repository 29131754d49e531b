/* gateway_rate — how many requests a caller may make: one token bucket per
 * key (a token id, an organisation, a peer address), refilled at a steady
 * rate up to a burst, in bounded memory. The caller passes the time, so the
 * limiter holds no clock and tests run without one.
 *
 *   gateway_rate_t *r;
 *   if (gateway_rate_new(5.0, 20.0, 10000, &r, &err)) ...;   5/s, bursts of 20
 *   uint32_t wait_s;
 *   if (!gateway_rate_take(r, token_id, now_ms, &wait_s)) answer 429, Retry-After: wait_s
 *   gateway_rate_destroy(&r);
 *
 * Memory: at most max_keys buckets. A full bucket behaves exactly as no
 * bucket, so full ones are forgotten first; the limiter never forgets a
 * bucket that is not full. When all max_keys buckets are below full, a new
 * key is refused (with the time until one is full) rather than let a flood
 * of keys wipe out the debts of the keys being limited. Size max_keys
 * above (new keys per second) x burst / per_second to keep that rare.
 *
 * Not thread-safe: one limiter per loop. */
#ifndef GATEWAY_RATE_H
#define GATEWAY_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

typedef struct gateway_rate gateway_rate_t;

/* per_second: tokens added per second (0 = no limit: every take succeeds
 * and nothing is stored; burst is then ignored). burst: the bucket's size,
 * the requests a rested key may make at once (at least 1). max_keys: the
 * most buckets kept (at least 1). *out is the caller's, freed with
 * gateway_rate_destroy. Refuses NaN, infinities and negative rates with
 * TRIN_EINVALID naming the argument. */
int gateway_rate_new(double per_second, double burst, size_t max_keys, gateway_rate_t **out,
                     trin_err_t *err);

/* Takes one token from key's bucket at now_ms (any monotonic millisecond
 * clock; a time before the key's last take counts as that time). key is
 * copied; NULL counts as "". Returns true when the request may go ahead
 * (retry_after_s = 0), false when the key is over its rate — or the
 * limiter is full of keys being limited, or out of memory — with
 * retry_after_s the whole seconds until a token is back (at least 1).
 * retry_after_s may be NULL. */
bool gateway_rate_take(gateway_rate_t *r, const char *key, uint64_t now_ms,
                       uint32_t *retry_after_s);

/* Buckets held now (for /metrics and tests). */
size_t gateway_rate_count(const gateway_rate_t *r);

/* Frees everything and sets *r to NULL; NULL and *r == NULL are fine. */
void gateway_rate_destroy(gateway_rate_t **r);

#endif
