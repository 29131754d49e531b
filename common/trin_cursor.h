/* trin_cursor — where a consumer is in another service's event stream: the
 * last sequence number applied, stored in the consumer's own store in the
 * same transaction as the effect of the event, so a restart resumes exactly
 * after the last event applied — never twice, never skipped. */
#ifndef TRIN_CURSOR_H
#define TRIN_CURSOR_H

#include <stdint.h>

#include "trin_err.h"
#include "trin_store.h"

/* Creates the cursor table if needed. */
int trin_cursor_migrate(trin_store_t *s, trin_err_t *err);
/* 0 when nothing was applied yet. */
int trin_cursor_get(trin_store_t *s, const char *service, uint64_t *seq, trin_err_t *err);
/* Inside the transaction that applies event `seq`. Reaching the replay mark
 * (below) clears it. */
int trin_cursor_set(trin_store_t *s, const char *service, uint64_t seq, trin_err_t *err);

/* Replay: a consumer that learns to do more with the events it follows (a
 * newer version keeps something the old one did not) must see the events
 * it has already applied once more. trin_cursor_rewind moves the cursor
 * back to 0 and marks where it was (replay_until); events up to the mark
 * are then delivered again, and the consumer applies only the new duty to
 * them (trin_follower's replay function). No-op for a cursor at 0 or one
 * already replaying. Run it once: in a migration step (trin_store_migrate_fn). */
int trin_cursor_rewind(trin_store_t *s, const char *service, trin_err_t *err);
/* The cursor and its replay mark (0: none). replay_until may be NULL. */
int trin_cursor_get_replay(trin_store_t *s, const char *service, uint64_t *seq,
                           uint64_t *replay_until, trin_err_t *err);

#endif
