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

#include "trin_err.h"

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

typedef struct gateway_catalog gateway_catalog_t;

/* The catalog of every service the gateway reaches (lifecycle, budget,
 * survey, benchmark, aggregator, and the gateway's own token requests). */
int gateway_catalog_new(gateway_catalog_t **out, trin_err_t *err);
void gateway_catalog_destroy(gateway_catalog_t **c);

/* Every operation, in a stable order (services, then their .proto order). */
const gateway_operation_t *gateway_catalog_ops(const gateway_catalog_t *c, size_t *n);
/* The services' names, NULL-terminated. */
const char *const *gateway_catalog_services(void);

/* The generic route's operation: service "lifecycle", name "SetMilestone";
 * NULL when there is none. */
const gateway_operation_t *gateway_catalog_find(const gateway_catalog_t *c,
                                                const char *service, const char *name);

/* A resource-shaped route: method and a percent-decoded path. On a match
 * the path's {field} parts are copied into params as name/value pairs. */
#define GATEWAY_MAX_PARAMS 4
typedef struct {
  size_t n;
  char name[GATEWAY_MAX_PARAMS][64];
  char value[GATEWAY_MAX_PARAMS][256];
} gateway_params_t;
const gateway_operation_t *gateway_catalog_route(const gateway_catalog_t *c, const char *method,
                                                 const char *path, gateway_params_t *params);
/* True when some resource route has this path but another method (for 405). */
bool gateway_catalog_path_known(const gateway_catalog_t *c, const char *path);

/* A message by its full name ("trin.lifecycle.ProjectReply"), among every
 * operation's request and reply; NULL when none. */
const ProtobufCMessageDescriptor *gateway_catalog_message(const gateway_catalog_t *c,
                                                          const char *full_name);

/* Records what service says of its requests (trin.Describe's reply):
 * roles and scope of each of its operations. The description is copied. */
void gateway_catalog_set_rules(gateway_catalog_t *c, const char *service,
                               const ProtobufCMessage *description);
/* True once service has described itself. */
bool gateway_catalog_described(const gateway_catalog_t *c, const char *service);

#endif
