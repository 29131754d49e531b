/* trinctl_audit — `trinctl audit`: the audit trail of any service (who
 * caused each state change: organisation, role, key fingerprint), read with
 * the AuditSince request every service answers to its operators. */
#ifndef TRINCTL_AUDIT_H
#define TRINCTL_AUDIT_H

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_audit_cmds[];

#endif
