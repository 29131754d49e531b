/* trin_access — who may do what: the check a service's rule table runs for
 * each request over the caller's role (trin_caller.h), and the partnership
 * membership each service keeps in its store (learnt from lifecycle's events:
 * services/lifecycle/lifecycle_membership decodes them for the followers).
 *
 * A service declares one readable table (services/NAME/NAME_access.c):
 * request → roles allowed → scope. trin_access_gate refuses a request whose
 * caller's role is not in its row before the handler runs; the handler, once
 * it knows which project or partnership the request touches, calls
 * trin_access_require_on to check the scope. Organisations named in a message
 * body are never trusted: the caller's organisation comes from its key. */
#ifndef TRIN_ACCESS_H
#define TRIN_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "trin_caller.h"
#include "trin_err.h"
#include "trin_server.h"
#include "trin_store.h"

/* What a rule's resource must be to the caller's organisation. */
typedef enum {
  TRIN_SCOPE_ANY = 0,  /* nothing to check beyond the role (e.g. anonymous figures) */
  TRIN_SCOPE_OWN,      /* the resource's client organisation is the caller's */
  TRIN_SCOPE_MEMBER,   /* the caller's organisation is the client or a member of
                          the resource's partnership */
} trin_scope_t;

typedef struct {
  const char *request;  /* full request name, "trin.budget.SetLine" */
  unsigned roles;       /* TRIN_ROLE_BIT(..) | ...; admin is always allowed */
  trin_scope_t scope;
} trin_access_rule_t;

/* What a request does, in the words a refusal and docs/roles.md use
 * ("advance a project's stage"): "may not advance a project's stage
 * (trin.lifecycle.AdvanceStage)". A request without words is named by its
 * full name alone. */
typedef struct {
  const char *request;  /* full request name, as in the rules */
  const char *what;     /* a verb phrase in English, lower case */
} trin_access_words_t;

typedef struct {
  const char *service;  /* for error messages */
  const trin_access_rule_t *rules;
  size_t nrules;
  const trin_access_words_t *words;  /* may be NULL */
  size_t nwords;
} trin_access_table_t;

/* The words for request in table, or NULL when it has none. */
const char *trin_access_what(const trin_access_table_t *table, const char *request);

/* The roles of a rule's mask (admin is implied and not in it) in the order
 * people read them: writer, reader, calculator, advisor, resident, then
 * service and gateway. Fills at most cap; returns how many. */
size_t trin_access_roles_of(unsigned roles, trin_role_t *out, size_t cap);

/* "writer (bygherre), calculator (kalkulator) or advisor (rådgiver)": the
 * roles of a rule's mask (admin is implied and not named) with the
 * partnership's words, into buf; "admin (driftsansvarlig)" for an empty
 * mask. Returns buf. */
const char *trin_access_roles_text(unsigned roles, char *buf, size_t cap);

/* Makes table the server's gate (trin_access_gate) and what trin.Describe
 * tells of each request (trin_access_describe). table is borrowed and must
 * outlive the server. */
void trin_access_install(trin_server_t *server, const trin_access_table_t *table);

/* A trin_gate_describe_fn: data is a const trin_access_table_t *. */
void trin_access_describe(void *data, const char *request_type, const char **roles,
                          size_t *nroles, size_t cap, const char **scope);

/* A trin_gate_fn: data is a const trin_access_table_t *. Refuses with
 * TRIN_EFORBIDDEN a request that has no row (deny by default) or whose row
 * does not name the caller's role, saying what the request does and whose
 * role may: `organisation "x" (role reader) may not advance a project's
 * stage (trin.lifecycle.AdvanceStage): only writer (bygherre) may`. */
int trin_access_gate(const trin_caller_t *caller, const char *request_type, void *data,
                     trin_err_t *err);

/* Checks the running request's rule scope against a resource that belongs to
 * client_org and, when partnership_id is not "", to that partnership; the
 * refusal names the resource and both organisations:
 * `organisation "nabo" (role writer) may not advance a project's stage
 * (trin.lifecycle.AdvanceStage) on project "P-1" of organisation "bolig":
 * ...`. what ("project") and id may be
 * NULL; field (may be NULL) is the request field naming the resource. */
int trin_access_require_on(trin_request_t *req, const trin_access_table_t *table,
                           const char *client_org, const char *partnership_id,
                           const char *what, const char *id, const char *field,
                           trin_err_t *err);

/* The check behind trin_access_require_on, for a given store, caller and
 * request name (what the request's handler would pass); unit tests and
 * code outside a request use it directly.
 *
 * A caller outside the resource altogether (neither its organisation nor a
 * member of its partnership) is told it does not exist, in the words of
 * trin_access_not_found: an outsider cannot tell another organisation's
 * project from no project, nor learn whose it is. Callers who can see the
 * resource but may not do this to it get TRIN_EFORBIDDEN, saying why.
 * Organisations themselves are not hidden (they are the deployment's
 * parties). */
int trin_access_check(trin_store_t *store, const trin_caller_t *caller,
                      const trin_access_table_t *table, const char *request,
                      const char *client_org, const char *partnership_id, const char *what,
                      const char *id, const char *field, trin_err_t *err);

/* The one answer for "no such resource" (TRIN_ENOTFOUND on field: there is
 * no <what> '<id>'), used by every service for the kinds of resource access
 * hides, so an outsider's refusal and a missing id read the same. */
int trin_access_not_found(trin_err_t *err, const char *field, const char *what,
                          const char *id);

/* The organisation a restricted caller acts for (its key's), or NULL when the
 * caller is unrestricted or a service key, which may act for any. The string
 * is owned by the request. */
const char *trin_access_caller_org(const trin_request_t *req);

/* Body claims: refuses with TRIN_EFORBIDDEN naming field when a restricted
 * caller names an organisation (org, not "") other than its own. */
int trin_access_require_org(trin_request_t *req, const char *org, const char *field,
                            trin_err_t *err);

/* For list/query handlers: may the running request's caller see a resource
 * of client_org / partnership_id (always for unrestricted and service callers). */
bool trin_access_request_may_see(trin_request_t *req, const char *client_org,
                                 const char *partnership_id);

/* ---- membership, kept in each service's store ------------------------------ */

/* Creates the access tables (scope "access") if needed. */
int trin_access_migrate(trin_store_t *store, trin_err_t *err);
/* The same for a service that learns membership by following lifecycle
 * with trin_follower, and, once per store (scope "access_replay"): a store
 * that followed lifecycle before it kept membership (or before its access
 * tables were complete) rewinds its lifecycle cursor (trin_cursor_rewind),
 * so the events it applied are replayed through the follower's replay
 * function (lifecycle's lifecycle_membership_replay). */
int trin_access_migrate_follower(trin_store_t *store, trin_err_t *err);

typedef struct {
  const char *org;
  const char *kind;  /* the part it plays: client, advisor, contractor, ... */
} trin_access_member_t;

/* Replaces the partnership's client and member list. */
int trin_access_put_partnership(trin_store_t *store, const char *partnership_id,
                                const char *client_org, const trin_access_member_t *members,
                                size_t nmembers, trin_err_t *err);
int trin_access_put_project(trin_store_t *store, const char *project_id,
                            const char *client_org, const char *partnership_id,
                            trin_err_t *err);

/* The project's client and partnership (copied into the buffers); TRIN_ENOTFOUND
 * when the project is not known. */
int trin_access_project(trin_store_t *store, const char *project_id, char *client_org,
                        size_t client_cap, char *partnership_id, size_t partnership_cap,
                        trin_err_t *err);

/* May organisation `org` see a resource of client_org / partnership_id: it is
 * the client, or a member of that partnership. */
bool trin_access_may_see(trin_store_t *store, const char *org, const char *client_org,
                         const char *partnership_id);

#endif
