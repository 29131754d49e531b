/* trinctl_key — CurveZMQ keys from the command line: the `key` commands
 * (new, register, revoke, list; they work on files and talk to no service)
 * and the CURVE options every command that talks to a service uses, from
 * --key/--server-key/--peer-keys or TRIN_KEY/TRIN_SERVER_KEY/TRIN_PEER_KEYS. */
#ifndef TRINCTL_KEY_H
#define TRINCTL_KEY_H

#include <stdbool.h>

#include "trin_keys.h"
#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_key_cmds[];

/* Fills *curve for a command going to `service` ("lifecycle") and sets *on;
 * *on = false (plain) when no key is given. The server's key is
 * --server-key, else TRIN_SERVER_KEY, else <peer-keys>/<service>.pub.
 * pair receives the own key pair (curve->own points at it). Returns a
 * TRINCTL_EXIT_* code with err filled: a key without a server key, or a
 * file that cannot be read, is a usage error. */
int trinctl_key_client(const trinctl_globals_t *g, const char *service, trin_keypair_t *pair,
                       trin_curve_client_t *curve, bool *on, trin_err_t *err);

#endif
