/* trin_secure — see trin_secure.h. */
#include "trin_secure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trin_log.h"
#include "trin_zap.h"

const trin_config_key_t trin_secure_keys[TRIN_SECURE_NKEYS] = {
    {"key", "",
     "this process's CurveZMQ key pair file (trinctl key new); when set, its ROUTER and PUB "
     "speak CURVE and only registered keys get in"},
    {"key-registry", "", "the registry of client keys (trinctl key register); required with key"},
    {"peer-keys", "",
     "folder holding SERVICE.pub, the public key of each service this one connects to"},
    {"insecure", "false",
     "true lets tcp:// run without CURVE (a trusted network only; logged as a warning)"},
};

typedef struct {
  char name[32];
  trin_curve_client_t curve;
} peer_t;

struct trin_secure {
  bool keyed;
  bool insecure;
  trin_keypair_t pair;
  char registry[1024];
  char peer_keys[1024];
  trin_zap_t *zap;
  peer_t peers[TRIN_SECURE_MAX_PEERS];
  int npeers;
};

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int setup(trin_secure_t *s, const trin_config_t *cfg, const char *role, trin_err_t *err) {
  const char *key = trin_config_get(cfg, "key");
  const char *registry = trin_config_get(cfg, "key-registry");
  const char *peer_keys = trin_config_get(cfg, "peer-keys");
  int rc = trin_config_get_bool(cfg, "insecure", &s->insecure, err);
  if (rc) return rc;
  snprintf(s->peer_keys, sizeof s->peer_keys, "%s", peer_keys ? peer_keys : "");
  if (!key || !*key) return TRIN_OK;

  if (!registry || !*registry)
    return trin_err_set(err, TRIN_EINVALID, "key-registry",
                        "is required when key is set: the registry of the keys that may "
                        "connect (trinctl key register --registry FILE ...)");
  if (!is_file(registry))
    return trin_err_set(err, TRIN_EINVALID, "key-registry",
                        "no such file '%.200s' (make it with trinctl key register --registry)",
                        registry);
  /* A bad line should stop the start, not surface at the first handshake. */
  trin_keys_entry_t *entries = NULL;
  size_t n;
  if ((rc = trin_keys_registry_load(registry, &entries, &n, err))) {
    snprintf(err->field, sizeof err->field, "key-registry");
    return rc;
  }
  if ((rc = trin_keys_read_pair(key, &s->pair, err))) {
    free(entries);
    snprintf(err->field, sizeof err->field, "key");
    return rc;
  }
  /* A person's key (TRIN_KEY is trinctl's too) as a service's identity
   * would give the service that person's rights and a public key its peers
   * do not expect: refused here rather than as failing handshakes later. */
  for (size_t i = 0; i < n; i++)
    if (strcmp(entries[i].public_z85, s->pair.public_z85) == 0 &&
        strcmp(entries[i].role, role) != 0) {
      rc = trin_err_set(err, TRIN_EINVALID, "key",
                        "'%.200s' is registered as organisation '%s', role '%s' (%s): a key for "
                        "trinctl, not a %s's. Give the %s its own key, registered with role "
                        "%s, by --key or TRIN_<SERVICE>_KEY (TRIN_KEY is trinctl's key too)",
                        key, entries[i].org, entries[i].role, entries[i].name, role, role,
                        role);
      free(entries);
      return rc;
    }
  free(entries);
  snprintf(s->registry, sizeof s->registry, "%s", registry);
  s->keyed = true;
  char fp[33];
  trin_keys_fingerprint(s->pair.public_z85, fp);
  trin_log_info("CURVE on: key %s (fingerprint %s)", key, fp);
  return TRIN_OK;
}

int trin_secure_new(const trin_config_t *cfg, trin_secure_t **out, trin_err_t *err) {
  return trin_secure_new_as(cfg, "service", out, err);
}

int trin_secure_new_as(const trin_config_t *cfg, const char *role, trin_secure_t **out,
                       trin_err_t *err) {
  *out = NULL;
  trin_secure_t *s = calloc(1, sizeof *s);
  if (!s) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = setup(s, cfg, role, err);
  if (rc) {
    trin_secure_destroy(&s);
    return rc;
  }
  *out = s;
  return TRIN_OK;
}

void trin_secure_destroy(trin_secure_t **sp) {
  if (!sp || !*sp) return;
  trin_secure_t *s = *sp;
  *sp = NULL;
  trin_secure_stop_zap(s);
  /* The secret key must not linger in freed memory. */
  memset(&s->pair, 0, sizeof s->pair);
  for (int i = 0; i < s->npeers; i++) memset(&s->peers[i], 0, sizeof s->peers[i]);
  free(s);
}

const trin_keypair_t *trin_secure_keypair(const trin_secure_t *s) {
  return s && s->keyed ? &s->pair : NULL;
}

int trin_secure_check(const trin_secure_t *s, const char *field, const char *endpoint,
                      trin_err_t *err) {
  if (!endpoint || strncmp(endpoint, "tcp://", 6) != 0 || s->keyed) return TRIN_OK;
  if (!s->insecure)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "tcp:// needs CURVE: set key and key-registry, or insecure=true for "
                        "a trusted network");
  trin_log_warn("INSECURE: %s %s is plain tcp without CURVE (insecure = true): anyone who "
                "can reach it can read every event and send any request",
                field, endpoint);
  return TRIN_OK;
}

int trin_secure_start_zap(trin_secure_t *s, uv_loop_t *loop, void *zctx, trin_err_t *err) {
  if (!s->keyed || s->zap) return TRIN_OK;
  return trin_zap_start(loop, zctx, s->registry, &s->zap, err);
}

void trin_secure_stop_zap(trin_secure_t *s) {
  if (s) trin_zap_destroy(&s->zap);
}

int trin_secure_peer(trin_secure_t *s, const char *peer, const char *endpoint,
                     const char *pub_endpoint, const trin_curve_client_t **out,
                     trin_err_t *err) {
  *out = NULL;
  char f1[64], f2[64];
  snprintf(f1, sizeof f1, "%s-endpoint", peer);
  snprintf(f2, sizeof f2, "%s-pub-endpoint", peer);
  int rc;
  if ((rc = trin_secure_check(s, f1, endpoint, err)) ||
      (rc = trin_secure_check(s, f2, pub_endpoint, err)))
    return rc;
  if (!s->keyed) return TRIN_OK;

  for (int i = 0; i < s->npeers; i++)
    if (strcmp(s->peers[i].name, peer) == 0) {
      *out = &s->peers[i].curve;
      return TRIN_OK;
    }
  if (s->npeers == TRIN_SECURE_MAX_PEERS)
    return trin_err_set(err, TRIN_EINTERNAL, "", "more than %d peers", TRIN_SECURE_MAX_PEERS);
  if (!s->peer_keys[0])
    return trin_err_set(err, TRIN_EINVALID, "peer-keys",
                        "is required with key: a folder holding %s.pub, the %s service's "
                        "public key",
                        peer, peer);
  char path[1200];
  snprintf(path, sizeof path, "%s/%s.pub", s->peer_keys, peer);
  if (!is_file(path))
    return trin_err_set(err, TRIN_EINVALID, "peer-keys",
                        "no public key for %s: %.200s does not exist (copy the %s service's "
                        "KEY.pub there)",
                        peer, path, peer);
  peer_t *p = &s->peers[s->npeers];
  memset(p, 0, sizeof *p);
  if ((rc = trin_keys_read_public(path, p->curve.server_public_z85, err))) {
    snprintf(err->field, sizeof err->field, "peer-keys");
    return rc;
  }
  snprintf(p->name, sizeof p->name, "%s", peer);
  p->curve.own = &s->pair;
  s->npeers++;
  *out = &p->curve;
  return TRIN_OK;
}
