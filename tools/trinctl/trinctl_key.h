/* trinctl_key — CurveZMQ keys from the command line: the `key` commands
 * (new, register, revoke, list; they work on files and talk to no service).
 * The CURVE options of the commands that talk to a service are trinctl.h's
 * (trinctl_call). */
#ifndef TRINCTL_KEY_H
#define TRINCTL_KEY_H

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_key_cmds[];

#endif
