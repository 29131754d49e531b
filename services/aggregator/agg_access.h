/* agg_access — who may see what of the aggregator: the rule table its
 * ZeroMQ requests pass (trin_access gate), and which status rows one
 * organisation may see — a row of a project whose client it is, or of a
 * partnership it is a member of (trin_access_may_see on the membership the
 * aggregator learns from lifecycle's events). */
#ifndef TRIN_AGG_ACCESS_H
#define TRIN_AGG_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "agg_rows.h"
#include "trin_access.h"
#include "trin_store.h"

/* GetRows for every role (rows filtered by the caller's organisation);
 * token management for writers (trin_token.h). */
extern const trin_access_table_t AGG_ACCESS;

/* One reader's view of the rows. Answers are remembered per (client,
 * partnership) while the viewer lives, so a feed of 100,000 rows asks the
 * store once per partnership, not once per row: make a viewer per request
 * (or per batch of changes for a stream), not for longer. */
typedef struct {
  bool all;           /* sees every row (operator token, unrestricted caller) */
  char org[65];
  trin_store_t *store;  /* borrowed */
  /* memo: open addressing, keys "client\x1fpartnership" */
  struct agg_viewer_slot {
    char *key;
    bool yes;
  } *slots;
  size_t nslots, used;
} agg_viewer_t;

/* org NULL = every row. store is borrowed for the viewer's life. */
void agg_viewer_init(agg_viewer_t *v, trin_store_t *store, const char *org);
bool agg_viewer_sees(agg_viewer_t *v, const agg_row_t *r);
void agg_viewer_free(agg_viewer_t *v);

#endif
