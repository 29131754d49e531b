/* trinctl_token — HTTP tokens (`trinctl token create|revoke|list`): feed
 * tokens at the aggregator, webhook tokens at the survey service
 * (--service survey), as trinctl's dispatch table. */
#ifndef TRINCTL_TOKEN_H
#define TRINCTL_TOKEN_H

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_token_cmds[];

#define TRINCTL_TOKEN_ENDPOINT_ENV "TRIN_AGGREGATOR_ENDPOINT"
#define TRINCTL_TOKEN_DEFAULT_ENDPOINT "tcp://127.0.0.1:5741"

#endif
