/* trinctl_benchmark_network — `trinctl benchmark network-*`: networks
 * (benchlearning circles and buyer groups, issue 20 item 8): create one,
 * set members' dates, record shared requirements and adoptions, show it,
 * and a figure among its members. Their options and run functions, listed
 * in trinctl_benchmark's dispatch table. Output for people is Danish. */
#ifndef TRINCTL_BENCHMARK_NETWORK_H
#define TRINCTL_BENCHMARK_NETWORK_H

#include "trinctl.h"

extern const trinctl_opt_t trinctl_network_set_opts[], trinctl_network_member_opts[],
    trinctl_network_requirement_opts[], trinctl_network_adopt_opts[],
    trinctl_network_show_opts[], trinctl_network_query_opts[], trinctl_network_history_opts[];

int trinctl_network_set(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_member(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_requirement(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_adopt(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_show(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_query(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_network_history(trinctl_ctx_t *ctx, const trinctl_args_t *a);

#endif
