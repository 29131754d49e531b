/* survey_webhook — the JSON webhook survey tools call over HTTP:
 *   POST /v1/survey/responses
 *   Authorization: Bearer TOKEN   (or X-API-Key: TOKEN, or Basic with the
 *   token as password): an organisation's token of scope survey:write, or
 *   the operator's webhook-token
 *   {"survey_id": "S-P1", "round": 2,
 *    "responses": [{"respondent": "r-17", "role": "residents",
 *                   "scores": {"TRUST_ECONOMY": 4, "DIALOGUE": 5},
 *                   "comment": "..."}]}
 * Or a survey tool's export as it is (issue 20, item 7):
 *   POST /v1/survey/responses?survey_id=S-P1&round=2&mapped=true
 *   Content-Type: text/csv
 *   (the CSV file; mapped=true reads it through the survey's saved
 *   mapping, without it the headers are statement keys as in the CSV
 *   import; encoding=windows-1252 as ImportResponses.encoding)
 * The body is one import: all or nothing, in its own store transaction
 * (trin_server_apply), with the same events as ImportResponses. Tokens are
 * compared in constant time and never logged. Replies are JSON: 200 with the counts, or
 * {"error": {"code", "field", "message"}} with 400/401/404/405/409/413/503. */
#ifndef TRIN_SURVEY_WEBHOOK_H
#define TRIN_SURVEY_WEBHOOK_H

#include <stddef.h>
#include <uv.h>

#include "survey_handlers.h"
#include "trin_http.h"
#include "trin_server.h"

typedef struct survey_webhook survey_webhook_t;

#define SURVEY_WEBHOOK_PATH "/v1/survey/responses"

/* server and svc are borrowed; token (the operator's, any survey; NULL or
 * "" = none) is hashed at once. Organisations' tokens (scope survey:write,
 * trin_token.h) live in the server's store: such a token writes only to
 * surveys of projects its organisation may see (client or partnership
 * member; otherwise 403). */
int survey_webhook_new(uv_loop_t *loop, trin_server_t *server, survey_service_t *svc,
                       const char *address, const char *token, size_t max_body,
                       survey_webhook_t **out, trin_err_t *err);
void survey_webhook_destroy(survey_webhook_t **w);
int survey_webhook_port(const survey_webhook_t *w);

/* Parses the webhook's JSON body into an import (strings and messages in
 * arena a). Exposed for tests. */
int survey_webhook_parse(const char *body, size_t len, trin_arena_t *a,
                         survey_import_input_t *out, trin_err_t *err);

/* The query of a text/csv request into an import whose csv is the body
 * (borrowed: valid while req is). Exposed for tests. */
int survey_webhook_parse_csv(const trin_http_request_t *req, trin_arena_t *a,
                             survey_import_input_t *out, trin_err_t *err);

#endif
