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
/* Inside the transaction that applies event `seq`. */
int trin_cursor_set(trin_store_t *s, const char *service, uint64_t seq, trin_err_t *err);

#endif
