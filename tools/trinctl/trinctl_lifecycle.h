/* trinctl_lifecycle — the lifecycle service's commands (organisations,
 * partnerships, projects, milestones, disputes, defects) plus the requests
 * every service understands (events, ping), as trinctl's dispatch table. */
#ifndef TRINCTL_LIFECYCLE_H
#define TRINCTL_LIFECYCLE_H

#include <protobuf-c/protobuf-c.h>

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_lifecycle_cmds[];

/* The descriptor of a message in envelope.proto or lifecycle.proto by its
 * full name ("trin.lifecycle.ProjectEvent"), or NULL; lets JSON output show
 * event payloads decoded. */
const ProtobufCMessageDescriptor *trinctl_lifecycle_resolve(const char *full_name);

#endif
