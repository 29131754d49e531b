/* survey_handlers — the survey service's requests, each reading like its
 * use case (decode is done by trin_server; validate → references → rules →
 * write + emit in the batch transaction → reply), and the application of
 * the lifecycle service's events that tell which projects exist. */
#ifndef TRIN_SURVEY_HANDLERS_H
#define TRIN_SURVEY_HANDLERS_H

#include <stdint.h>

#include "survey_import.h"
#include "trin/envelope.pb-c.h"
#include "trin_server.h"

/* What the handlers share: the key that makes respondents pseudonymous. */
typedef struct {
  uint8_t key[SURVEY_KEY_BYTES];
} survey_service_t;

/* Registers every survey request on server; svc must outlive it. */
int survey_handlers_register(trin_server_t *server, survey_service_t *svc);

/* A trin_apply_fn for one lifecycle Event (data): records the project a
 * ProjectEvent describes (id, partnership, client) and the cursor, in one
 * transaction. Other events only move the cursor. */
int survey_apply_lifecycle_event(trin_request_t *req, const Trin__Event *ev, void *data,
                                 trin_err_t *err);

#endif
