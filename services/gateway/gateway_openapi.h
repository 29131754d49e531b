/* gateway_openapi — the gateway's OpenAPI 3.1 document, made from the
 * operation catalog and the protobuf-c descriptors alone: every message a
 * request or reply reaches becomes a JSON Schema (2020-12) that matches
 * gateway_json's mapping, so what the gateway writes validates against it.
 *
 * The document holds:
 *   components.schemas   one schema per reachable message, named by its full
 *                        proto name ("trin.lifecycle.Project"), referenced as
 *                        "#/components/schemas/trin.lifecycle.Project"; plus
 *                        "Problem" (RFC 9457 + trin's `code` and `field`).
 *                        One schema serves requests and replies: no property
 *                        is `required` (a request may leave any out; a reply
 *                        carries all), unknown properties are refused, 64-bit
 *                        integers are an integer or a decimal string
 *                        (replies: the string), enums a name (or a number),
 *                        an absent sub-message null.
 *   servers              "/": the gateway that serves the document.
 *   securitySchemes      bearerAuth (personal token or OpenID Connect access
 *                        token) and apiKey (header X-API-Key); both apply to
 *                        every operation.
 *   paths                per operation: POST /api/v1/{service}/{name}
 *                        (operationId "<service>.<name>") with the request as
 *                        the JSON body; and, when it has one, the resource
 *                        route (operationId "<service>.<name>.rest") whose
 *                        {field}s are path parameters; a GET takes the other
 *                        top-level scalar fields as optional query parameters,
 *                        POST/PUT/DELETE the request as an optional body. Every
 *                        POST takes an Idempotency-Key header. Replies: 200
 *                        with the reply message, and application/problem+json
 *                        for 400 401 403 404 409 412 413 415 422 429 503.
 *                        `x-trin-roles` holds the operation's roles ("unknown"
 *                        while the service has not said) and the description
 *                        names them and the scope needed (api:read/api:write).
 * When two operations claim the same method and path, the first keeps it. */
#ifndef GATEWAY_OPENAPI_H
#define GATEWAY_OPENAPI_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "gateway_catalog.h"

/* The whole document: a new reference the caller json_decref()s; NULL only
 * when memory runs out. `ops` (nops of them), `title` and `version` are
 * borrowed and only read during the call (NULL title/version: "trin", "0").
 * Operations without input or output descriptors are left out. */
json_t *gateway_openapi_document(const gateway_operation_t *ops, size_t nops, const char *title,
                                 const char *version);

/* The schema of one message as it appears in components.schemas (other
 * messages by $ref): a new reference, NULL when memory runs out. */
json_t *gateway_openapi_schema_for(const ProtobufCMessageDescriptor *d);

#endif
