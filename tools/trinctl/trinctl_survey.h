/* trinctl_survey — the survey service's commands (surveys, rounds,
 * baseline, thresholds, CSV import, results, comparison) as trinctl's
 * dispatch table. */
#ifndef TRINCTL_SURVEY_H
#define TRINCTL_SURVEY_H

#include <protobuf-c/protobuf-c.h>

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_survey_cmds[];

/* The descriptor of a survey.proto message by full name, or NULL. */
const ProtobufCMessageDescriptor *trinctl_survey_resolve(const char *full_name);

#endif
