/* trinctl_budget — the budget service's commands: the partnership's
 * economic model and the open-book price, budget versions and their lines,
 * index series (CSV import), scope changes, the optimisation log, actual
 * costs, rent parameters, and the project economy, drift, MOLIO and
 * turnover views, as trinctl's dispatch table. */
#ifndef TRINCTL_BUDGET_H
#define TRINCTL_BUDGET_H

#include <protobuf-c/protobuf-c.h>

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_budget_cmds[];

/* The descriptor of a budget.proto message by its full name, or NULL. */
const ProtobufCMessageDescriptor *trinctl_budget_resolve(const char *full_name);

#endif
