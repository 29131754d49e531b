/* lifecycle_access — who may send which lifecycle request: the service's
 * rule table (one row per request), and the membership tables lifecycle
 * keeps itself as partnerships and projects are created and changed. */
#ifndef TRIN_LIFECYCLE_ACCESS_H
#define TRIN_LIFECYCLE_ACCESS_H

#include "trin/lifecycle.pb-c.h"
#include "trin_access.h"

extern const trin_access_table_t lifecycle_access;

/* Creates the access tables and, the first time, fills them from the
 * partnerships and projects already stored. Called from lifecycle's migration. */
int lifecycle_access_migrate(trin_store_t *s, trin_err_t *err);

/* Writes the partnership (its client and members) into the access tables. */
int lifecycle_access_put_partnership(trin_store_t *s, const Trin__Lifecycle__Partnership *p,
                                     trin_err_t *err);

#endif
