/* lcclient — short calls into the lifecycle service for integration tests
 * and benchmarks: each returns the status and fills err. */
#ifndef TRIN_LCCLIENT_H
#define TRIN_LCCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "trin/lifecycle.pb-c.h"
#include "trin_client.h"

int lc_org(trin_client_t *c, const char *id, const char *kind, trin_err_t *err);
int lc_partnership(trin_client_t *c, const char *id, const char *client,
                   const char *start, const char *price_point, int64_t trivial_ore,
                   trin_err_t *err);
int lc_project(trin_client_t *c, const char *id, const char *partnership,
               const char *client, bool fast_track, const char *start, trin_err_t *err);
int lc_advance(trin_client_t *c, const char *id, const char *to, const char *date,
               trin_err_t *err);
int lc_close_price(trin_client_t *c, const char *id, const char *date, trin_err_t *err);
int lc_pause(trin_client_t *c, const char *id, const char *reason, const char *date,
             trin_err_t *err);
int lc_resume(trin_client_t *c, const char *id, const char *date, trin_err_t *err);
int lc_milestone(trin_client_t *c, const char *id, const char *name, const char *baseline,
                 const char *forecast, const char *actual, trin_err_t *err);
int lc_dispute_open(trin_client_t *c, const char *project, const char *id,
                    int64_t amount_ore, const char *date, trin_err_t *err);
int lc_dispute_escalate(trin_client_t *c, const char *id, int level, const char *date,
                        trin_err_t *err);
int lc_dispute_resolve(trin_client_t *c, const char *id, const char *date,
                       const char *resolution, trin_err_t *err);
/* *out is owned by the caller (trin_codec_free). */
int lc_get(trin_client_t *c, const char *id, Trin__Lifecycle__ProjectReply **out,
           trin_err_t *err);

/* Rehousing (issue 20, item 4): SetRehousingPlan and RecordRehousingMove. */
int lc_rehousing_plan(trin_client_t *c, const char *project, int households, bool without,
                      trin_err_t *err);
int lc_rehousing_move(trin_client_t *c, const char *project, const char *kind, int households,
                      const char *date, const char *note, bool beyond_plan, trin_err_t *err);

#endif
