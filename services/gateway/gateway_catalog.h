/* gateway_catalog — every request the gateway can forward, read from the
 * .proto files' `service` blocks (protobuf-c's service descriptors): which
 * trin service answers it, its request and reply messages, and the
 * resource-shaped HTTP path people would guess, where it has one. Nothing
 * here is written per request: a new rpc in a .proto is a new operation. */
#ifndef GATEWAY_CATALOG_H
#define GATEWAY_CATALOG_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

/* One operation. Every pointer points at static data (descriptors, string
 * literals) or into the catalog, and lives as long as the catalog. */
typedef struct {
  const char *service;  /* the trin service that answers: "lifecycle" */
  const char *name;     /* the rpc's name: "SetMilestone" */
  const char *request;  /* the request's full name: "trin.lifecycle.SetMilestone" */
  const ProtobufCMessageDescriptor *input;
  const ProtobufCMessageDescriptor *output;
  bool writes;          /* changes state (Create*, Set*, ...): needs api:write */
  bool admin_only;      /* EventsSince, AuditSince: operators only */
  /* The resource-shaped route, or NULL method when it has none. The path
   * names request fields in braces: "/api/v1/projects/{project_id}/milestones".
   * The generic route is always POST /api/v1/{service}/{name}. */
  const char *http_method;  /* "GET", "POST", "PUT", "DELETE" or NULL */
  const char *path;
  /* The roles the service's access table allows, space separated
   * ("writer advisor"; admin always may), as the service describes them;
   * NULL while unknown (the service has not answered trin.Describe). */
  const char *roles;
  const char *scope;    /* "own", "member", "any" or NULL while unknown */
} gateway_operation_t;

#endif
