/* survey_handlers — the survey service's requests, each reading like its
 * use case (decode is done by trin_server; validate → references → rules →
 * write + emit in the batch transaction → reply). */
#ifndef TRIN_SURVEY_HANDLERS_H
#define TRIN_SURVEY_HANDLERS_H

#include <stdint.h>

#include "survey_import.h"
#include "trin_server.h"

/* What the handlers share: the key that makes respondents pseudonymous. */
typedef struct {
  uint8_t key[SURVEY_KEY_BYTES];
} survey_service_t;

/* Registers every survey request on server; svc must outlive it. */
int survey_handlers_register(trin_server_t *server, survey_service_t *svc);

#endif
