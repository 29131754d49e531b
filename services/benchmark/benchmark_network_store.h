/* benchmark_network_store — networks (benchmark_network.h) in their own
 * migration scope ("benchmark_networks") beside the benchmark service's:
 * the network, its members' spans, its shared requirements and the
 * members' adoptions. Dates are kept as ISO 8601 text. Writes run inside
 * the caller's transaction. */
#ifndef TRIN_BENCHMARK_NETWORK_STORE_H
#define TRIN_BENCHMARK_NETWORK_STORE_H

#include <stdbool.h>

#include "trin/benchmark.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

int benchmark_network_store_migrate(trin_store_t *s, trin_err_t *err);

/* The network with its members (by org id), requirements (by date, id) and
 * adoptions (by date); every string and array lives in a. TRIN_ENOTFOUND
 * ("there is no network 'ID'", on field) when there is none. */
int benchmark_network_store_get(trin_store_t *s, const char *id, const char *field,
                                trin_arena_t *a, Trin__Benchmark__Network *out, trin_err_t *err);

/* Creates the network or replaces its name and visibility (admin_org is
 * kept from its creation). */
int benchmark_network_store_put(trin_store_t *s, const char *id, const char *name, bool open_inside,
                                const char *admin_org, trin_err_t *err);

/* Creates or replaces a member's span (left "" = still a member). */
int benchmark_network_store_member_put(trin_store_t *s, const char *network,
                                       const Trin__Benchmark__NetworkMember *m, trin_err_t *err);

int benchmark_network_store_requirement_put(trin_store_t *s, const char *network,
                                            const Trin__Benchmark__NetworkRequirement *r,
                                            trin_err_t *err);

/* TRIN_ECONFLICT when the same member already adopted the requirement in
 * the same project. */
int benchmark_network_store_adoption_add(trin_store_t *s, const char *network,
                                         const Trin__Benchmark__NetworkAdoption *ad,
                                         trin_err_t *err);

#endif
