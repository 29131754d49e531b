/* trinctl — see trinctl.h: the connection a command makes to its service
 * (the CURVE options, the client made on the first call) and the exit code
 * a trin status deserves. */
#include "trinctl.h"

#include <stdlib.h>
#include <string.h>

#include "trin_keys.h"

int trinctl_exit_for_status(int code) {
  switch (code) {
    case TRIN_OK: return TRINCTL_EXIT_OK;
    case TRIN_ETIMEOUT:
    case TRIN_EUNAUTHENTICATED:  /* the connection, not the data: fix the key */
    case TRIN_EIO: return TRINCTL_EXIT_IO;
    default: return TRINCTL_EXIT_REFUSED;
  }
}

/* ---- the client's CURVE options -------------------------------------------------- */

static const char *flag_or_env(const char *flag, const char *env) {
  if (flag) return flag;
  const char *v = getenv(env);
  return v && *v ? v : NULL;
}

/* Fills *curve for a command going to `service` ("lifecycle") and sets *on;
 * *on = false (plain) when no key is given. The server's key is
 * --server-key, else TRIN_SERVER_KEY, else <peer-keys>/<service>.pub.
 * pair receives the own key pair (curve->own points at it). A key without a
 * server key, or a file that cannot be read, is a usage error. */
static int curve_options(const trinctl_globals_t *g, const char *service, trin_keypair_t *pair,
                         trin_curve_client_t *curve, bool *on, trin_err_t *err) {
  *on = false;
  memset(curve, 0, sizeof *curve);
  const char *key = flag_or_env(g->key, "TRIN_KEY");
  const char *server = flag_or_env(g->server_key, "TRIN_SERVER_KEY");
  const char *dir = flag_or_env(g->peer_keys, "TRIN_PEER_KEYS");
  if (!key && g->server_key) {
    trin_err_set(err, TRIN_EINVALID, "--key",
                 "--server-key needs --key (or TRIN_KEY): this client's key pair");
    return TRINCTL_EXIT_USAGE;
  }
  if (!key) return TRINCTL_EXIT_OK;
  char path[1200];
  if (!server && dir && service) {
    snprintf(path, sizeof path, "%s/%s.pub", dir, service);
    server = path;
  }
  if (!server) {
    trin_err_set(err, TRIN_EINVALID, "--server-key",
                 "--key needs the service's public key: --server-key PUB_OR_FILE or "
                 "--peer-keys DIR (or TRIN_SERVER_KEY / TRIN_PEER_KEYS)");
    return TRINCTL_EXIT_USAGE;
  }
  if (trin_keys_read_pair(key, pair, err)) {
    snprintf(err->field, sizeof err->field, "--key");
    return TRINCTL_EXIT_USAGE;
  }
  if (trin_keys_read_public(server, curve->server_public_z85, err)) {
    snprintf(err->field, sizeof err->field, server == path ? "--peer-keys" : "--server-key");
    return TRINCTL_EXIT_USAGE;
  }
  curve->own = pair;
  *on = true;
  return TRINCTL_EXIT_OK;
}

/* ---- the call ------------------------------------------------------------------------ */

int trinctl_call(trinctl_ctx_t *ctx, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *reply_desc,
                 ProtobufCMessage **reply) {
  if (!ctx->client) {
    trin_curve_client_t curve;
    int rc = curve_options(&ctx->g, ctx->service, &ctx->pair, &curve, &ctx->curve, &ctx->err);
    if (rc) return rc;
    rc = trin_client_new_curve(ctx->g.endpoint, ctx->curve ? &curve : NULL, &ctx->client,
                               &ctx->err);
    /* An endpoint ZeroMQ cannot parse is a slip on the command line. */
    if (rc) return rc == TRIN_EINVALID ? TRINCTL_EXIT_USAGE : trinctl_exit_for_status(rc);
    trin_client_set_timeout(ctx->client, ctx->g.timeout_ms);
  }
  int rc = trin_client_call(ctx->client, req, reply_desc, reply, &ctx->err);
  /* Say how trinctl takes a key when the service wants one (the client's
   * message already names the key when one was given). */
  size_t n = strlen(ctx->err.message);
  if (!ctx->curve && (rc == TRIN_ETIMEOUT || rc == TRIN_EUNAUTHENTICATED))
    snprintf(ctx->err.message + n, sizeof ctx->err.message - n, "; %s --key FILE with "
             "--server-key PUB or --peer-keys DIR (or TRIN_KEY, TRIN_PEER_KEYS)",
             rc == TRIN_ETIMEOUT ? "if it uses CURVE, give" : "trinctl takes them as");
  return trinctl_exit_for_status(rc);
}

/* ---- the services -------------------------------------------------------------------- */

void trinctl_service_name(const trinctl_service_t *sv, char *out, size_t size) {
  const char *env = sv->endpoint_env, *end = env ? strstr(env, "_ENDPOINT") : NULL;
  if (!env || strncmp(env, "TRIN_", 5) != 0 || !end) {
    snprintf(out, size, "%s", sv->name);
    return;
  }
  size_t n = 0;
  for (const char *p = env + 5; p < end && n + 1 < size; p++)
    out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
  out[n] = '\0';
}

const char *trinctl_service_endpoint(const trinctl_ctx_t *ctx, const char *service, char *known,
                                     size_t size) {
  size_t n = 0;
  if (size) known[0] = '\0';
  for (size_t t = 0; t < ctx->nservices; t++) {
    const trinctl_service_t *sv = &ctx->services[t];
    if (!sv->endpoint_env) continue;
    char name[32];
    trinctl_service_name(sv, name, sizeof name);
    if (strcmp(name, service) == 0) {
      const char *env = getenv(sv->endpoint_env);
      return env && *env ? env : sv->default_endpoint;
    }
    if (n < size) n += (size_t)snprintf(known + n, size - n, "%s%s", n ? ", " : "", name);
  }
  return NULL;
}
