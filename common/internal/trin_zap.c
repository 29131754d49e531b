/* trin_zap — see trin_zap.h.
 *
 * ZAP (ZeroMQ RFC 27): libzmq sends each new connection's handshake to a
 * REP socket bound at inproc://zeromq.zap.01 in the same context as
 * [version, request id, domain, address, routing id, mechanism,
 * credentials...] and waits for [version, request id, status, text,
 * user id, metadata]. The connection is held in its handshake meanwhile, by
 * libzmq's own threads, so answering from the loop thread never blocks the
 * server. Only the connection's first handshake asks; messages after it
 * carry the User-Id we gave as metadata.
 *
 * So that a key revoked after its handshake does not keep its open
 * connections, trin_server asks trin_zap_recheck before every request. That
 * answer comes from memory: a hash set of the registered fingerprints,
 * rebuilt whenever the registry is read, and the file itself is looked at
 * (one stat) at most once a second. The server finds the handler by its
 * ZeroMQ context, as libzmq does (one ZAP endpoint per context); one lock
 * guards the list of handlers and their keys, since a server may run on
 * another thread than its handler. */
#include "trin_zap.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "trin_caller.h"
#include "trin_keys.h"
#include "trin_log.h"
#include "trin_zsock.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES_MAX 8
#define LOG_SLOTS 16
#define LOG_QUIET_MS 60000 /* a refused client retries every 100 ms: log once a minute */
#define RECHECK_NS 1000000000ull /* how often a request may make us stat the registry */

typedef struct {
  uint8_t key[32];
  trin_keys_entry_t e;
} zap_key_t;

/* What the registry file looked like when it was last read. */
typedef struct {
  bool present;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
} file_sig_t;

typedef struct {
  char what[80];  /* fingerprint + reason */
  uint64_t at;
  unsigned suppressed;
} log_slot_t;

struct trin_zap {
  uv_loop_t *loop;
  void *zctx;
  trin_zap_t *next;  /* in the list of running handlers */
  char path[1024];
  trin_zsock_t *zs;
  zap_key_t *keys;
  size_t nkeys;
  /* Open addressing over keys by fingerprint: index[i] is a position in
   * keys plus one, 0 = empty; nindex is a power of two above 2 * nkeys, so
   * a probe always ends. The fingerprint is already a hash (BLAKE2b): its
   * first hex digits are the slot. */
  uint32_t *index;
  size_t nindex;
  uint64_t checked_ns; /* when a request last made us stat the file */
  file_sig_t loaded;  /* the registry in keys */
  file_sig_t failed;  /* last version that did not parse (warned once) */
  log_slot_t slots[LOG_SLOTS];
};

static file_sig_t sig_of(const char *path) {
  file_sig_t s = {0};
  struct stat st;
  if (stat(path, &st) != 0) return s;
  s.present = true;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime = st.st_mtim;
  return s;
}

static bool sig_equal(const file_sig_t *a, const file_sig_t *b) {
  return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
         a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
         a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Every handler running in this process, and (the same lock) every
 * handler's keys and index. */
static pthread_mutex_t zaps_lock = PTHREAD_MUTEX_INITIALIZER;
static trin_zap_t *zaps;

static size_t slot_of(const char *fp, size_t nindex) {
  size_t h = 0;
  for (int i = 0; i < 8; i++) {
    char c = fp[i];
    h = h << 4 | (size_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
  }
  return h & (nindex - 1);
}

/* The index in keys of the key with this fingerprint, or -1. */
static long find_fingerprint(const trin_zap_t *z, const char *fp) {
  if (!z->nindex || strlen(fp) != 32) return -1;
  for (size_t i = slot_of(fp, z->nindex);; i = (i + 1) & (z->nindex - 1)) {
    uint32_t v = z->index[i];
    if (!v) return -1;
    if (memcmp(z->keys[v - 1].e.fingerprint, fp, 32) == 0) return (long)v - 1;
  }
}

/* Tells the operator which keys a new version of the registry dropped:
 * from now on their open connections are refused too. */
static void log_revoked(const trin_zap_t *z, const zap_key_t *old, size_t nold) {
  for (size_t i = 0; i < nold; i++)
    if (find_fingerprint(z, old[i].e.fingerprint) < 0)
      trin_log_info("key %s (%s, %s) revoked: requests on its open connections are refused "
                    "from now on",
                    old[i].e.fingerprint, old[i].e.org, old[i].e.role);
}

static int load(trin_zap_t *z, const file_sig_t *sig, trin_err_t *err) {
  trin_keys_entry_t *entries;
  size_t n;
  int rc = trin_keys_registry_load(z->path, &entries, &n, err);
  if (rc) return rc;
  size_t nindex = 8;
  while (nindex < 2 * n) nindex *= 2;
  zap_key_t *keys = n ? calloc(n, sizeof *keys) : NULL;
  uint32_t *index = calloc(nindex, sizeof *index);
  if ((n && !keys) || !index || n >= UINT32_MAX) {
    free(entries);
    free(keys);
    free(index);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    keys[i].e = entries[i];
    zmq_z85_decode(keys[i].key, entries[i].public_z85);
    size_t at = slot_of(keys[i].e.fingerprint, nindex);
    while (index[at]) at = (at + 1) & (nindex - 1);
    index[at] = (uint32_t)i + 1;
  }
  free(entries);
  zap_key_t *old = z->keys;
  size_t nold = z->nkeys;
  free(z->index);
  z->keys = keys;
  z->nkeys = n;
  z->index = index;
  z->nindex = nindex;
  z->loaded = *sig;
  log_revoked(z, old, nold);
  free(old);
  return TRIN_OK;
}

/* Reads the registry again if the file changed since; a version that does
 * not parse is reported once and the last good one stays in force. */
static void refresh(trin_zap_t *z) {
  file_sig_t sig = sig_of(z->path);
  if (sig_equal(&sig, &z->loaded) || sig_equal(&sig, &z->failed)) return;
  trin_err_t err = {0};
  if (load(z, &sig, &err) == TRIN_OK) {
    trin_log_info("key registry %s read again: %zu keys%s", z->path, z->nkeys,
                  sig.present ? "" : " (the file is missing: every key is refused)");
    memset(&z->failed, 0, sizeof z->failed);
  } else {
    z->failed = sig;
    trin_log_warn("key registry %s changed but cannot be read; the previous %zu keys stay "
                  "in force: %s",
                  z->path, z->nkeys, err.message);
  }
}

static const zap_key_t *find_key(const trin_zap_t *z, const uint8_t key[32]) {
  for (size_t i = 0; i < z->nkeys; i++)
    if (memcmp(z->keys[i].key, key, 32) == 0) return &z->keys[i];
  return NULL;
}

/* Logs a refusal, but the same one at most once a minute (a refused client
 * keeps reconnecting). */
static void log_refusal(trin_zap_t *z, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_refusal(trin_zap_t *z, const char *what, const char *fmt, ...) {
  uint64_t now = uv_now(z->loop);
  log_slot_t *slot = NULL, *oldest = &z->slots[0];
  for (int i = 0; i < LOG_SLOTS; i++) {
    if (strcmp(z->slots[i].what, what) == 0) slot = &z->slots[i];
    if (z->slots[i].at < oldest->at) oldest = &z->slots[i];
  }
  if (slot && slot->at && now - slot->at < LOG_QUIET_MS) {
    slot->suppressed++;
    return;
  }
  unsigned before = slot ? slot->suppressed : 0;
  if (!slot) {
    slot = oldest;
    snprintf(slot->what, sizeof slot->what, "%s", what);
  }
  slot->at = now ? now : 1;
  slot->suppressed = 0;
  char line[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (before)
    trin_log_warn("%s (and %u times more in the last minute)", line, before);
  else
    trin_log_warn("%s", line);
}

typedef struct {
  const char *status;
  const char *text;
  char user_id[160];
} verdict_t;

static void decide_key(trin_zap_t *z, const uint8_t *key, const char *domain,
                       const char *address, verdict_t *v);

static void decide(trin_zap_t *z, zmq_msg_t *f, int n, verdict_t *v) {
  v->status = "400";
  v->text = "refused";
  v->user_id[0] = '\0';
  char domain[64], address[64], mechanism[16];
  snprintf(domain, sizeof domain, "%.*s", (int)zmq_msg_size(&f[2]), (char *)zmq_msg_data(&f[2]));
  snprintf(address, sizeof address, "%.*s", (int)zmq_msg_size(&f[3]),
           (char *)zmq_msg_data(&f[3]));
  snprintf(mechanism, sizeof mechanism, "%.*s", (int)zmq_msg_size(&f[5]),
           (char *)zmq_msg_data(&f[5]));
  if (!address[0]) snprintf(address, sizeof address, "a local peer");

  if (strcmp(mechanism, "CURVE") != 0) {
    /* ZeroMQ asks about NULL (plain) connections only on sockets with a ZAP
     * domain, which trin sets only where CURVE is required. */
    v->text = "only CURVE connections with a registered key are accepted";
    char what[80];
    snprintf(what, sizeof what, "%s:%s", mechanism, address);
    log_refusal(z, what, "refused a %s (not CURVE) connection from %s",
                strcmp(mechanism, "NULL") == 0 ? "plain" : mechanism, address);
    return;
  }
  if (n < 7 || zmq_msg_size(&f[6]) != 32) {
    v->status = "500";
    v->text = "malformed CURVE credentials";
    return;
  }
  const uint8_t *key = zmq_msg_data(&f[6]);
  pthread_mutex_lock(&zaps_lock);
  decide_key(z, key, domain, address, v);
  pthread_mutex_unlock(&zaps_lock);
}

/* decide's part under zaps_lock: the key's entry lives only as long as
 * this version of the registry. */
static void decide_key(trin_zap_t *z, const uint8_t *key, const char *domain,
                       const char *address, verdict_t *v) {
  refresh(z);
  const zap_key_t *k = find_key(z, key);
  if (!k) {
    char z85[TRIN_KEY_Z85_LEN + 1], fp[33];
    zmq_z85_encode(z85, key, 32);
    trin_keys_fingerprint(z85, fp);
    v->text = "key not registered";
    log_refusal(z, fp, "refused key %s from %s: not in the registry %s", fp, address, z->path);
    return;
  }
  if (strcmp(domain, TRIN_ZAP_EVENTS) == 0) {
    /* The gateway may act for any person, admins included; it follows the
     * aggregator's rows for its event stream. */
    trin_role_t role = trin_role_parse(k->e.role);
    if (role != TRIN_ROLE_SERVICE && role != TRIN_ROLE_ADMIN && role != TRIN_ROLE_GATEWAY) {
      v->text = "events are for service, gateway and admin keys";
      char what[80];
      snprintf(what, sizeof what, "%s:events", k->e.fingerprint);
      log_refusal(z, what,
                  "refused key %s (%s, role %s) from %s on the events socket: only service, "
                  "gateway and admin keys may follow events",
                  k->e.fingerprint, k->e.org, k->e.role, address);
      return;
    }
  } else if (domain[0] && strcmp(domain, TRIN_ZAP_REQUESTS) != 0) {
    v->text = "unknown ZAP domain";
    log_refusal(z, domain, "refused key %s: the socket's ZAP domain '%s' is not trin's",
                k->e.fingerprint, domain);
    return;
  }
  v->status = "200";
  v->text = "OK";
  snprintf(v->user_id, sizeof v->user_id, "%s/%s/%s", k->e.org, k->e.role, k->e.fingerprint);
  trin_log_debug("key %s (%s, %s) connected from %s", k->e.fingerprint, k->e.org, k->e.role,
                 address);
}

static void on_request(trin_zsock_t *zs, void *sock, void *data) {
  trin_zap_t *z = data;
  for (int round = 0; round < 64; round++) {
    zmq_msg_t f[ZAP_FRAMES_MAX];
    int n = 0;
    bool more = true;
    while (more) {
      zmq_msg_t m;
      zmq_msg_init(&m);
      if (zmq_msg_recv(&m, sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
        zmq_msg_close(&m);
        if (n == 0) return;
        break;
      }
      more = zmq_msg_more(&m);
      if (n < ZAP_FRAMES_MAX) {
        zmq_msg_init(&f[n]);
        zmq_msg_move(&f[n], &m);
        n++;
      }
      zmq_msg_close(&m);
    }
    verdict_t v;
    if (n < 6 || zmq_msg_size(&f[0]) != 3 || memcmp(zmq_msg_data(&f[0]), "1.0", 3) != 0) {
      v.status = "500";
      v.text = "malformed ZAP request";
      v.user_id[0] = '\0';
    } else {
      decide(z, f, n, &v);
    }
    /* REP must answer every request, even a malformed one. */
    zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
    if (n >= 2) zmq_send(sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
    else zmq_send(sock, "", 0, ZMQ_SNDMORE);
    zmq_send(sock, v.status, 3, ZMQ_SNDMORE);
    zmq_send(sock, v.text, strlen(v.text), ZMQ_SNDMORE);
    zmq_send(sock, v.user_id, strlen(v.user_id), ZMQ_SNDMORE);
    zmq_send(sock, "", 0, 0);
    for (int i = 0; i < n; i++) zmq_msg_close(&f[i]);
  }
  (void)zs;
}

int trin_zap_start(uv_loop_t *loop, void *zctx, const char *registry_path, trin_zap_t **out,
                   trin_err_t *err) {
  if (!registry_path || !*registry_path)
    return trin_err_set(err, TRIN_EINVALID, "key-registry",
                        "CURVE needs a key registry file (trinctl key register)");
  trin_zap_t *z = calloc(1, sizeof *z);
  if (!z) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  z->loop = loop;
  z->zctx = zctx;
  snprintf(z->path, sizeof z->path, "%s", registry_path);
  file_sig_t sig = sig_of(z->path);
  int rc = load(z, &sig, err);
  if (rc) {
    free(z);
    return rc;
  }
  void *sock = zmq_socket(zctx, ZMQ_REP);
  if (!sock) {
    free(z->keys);
    free(z->index);
    free(z);
    return trin_err_set(err, TRIN_EIO, "", "cannot create the ZAP socket: %s",
                        zmq_strerror(errno));
  }
  int linger = 0;
  zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_bind(sock, ZAP_ENDPOINT) != 0) {
    int e = errno;
    zmq_close(sock);
    free(z->keys);
    free(z->index);
    free(z);
    if (e == EADDRINUSE)
      return trin_err_set(err, TRIN_ECONFLICT, "",
                          "a ZAP handler already runs in this ZeroMQ context");
    return trin_err_set(err, TRIN_EIO, "", "cannot bind the ZAP handler: %s",
                        zmq_strerror(e));
  }
  if ((rc = trin_zsock_new(loop, sock, on_request, z, &z->zs, err))) {
    zmq_close(sock);
    free(z->keys);
    free(z->index);
    free(z);
    return rc;
  }
  pthread_mutex_lock(&zaps_lock);
  z->next = zaps;
  zaps = z;
  pthread_mutex_unlock(&zaps_lock);
  trin_log_info("CURVE: %zu registered keys in %s%s", z->nkeys, z->path,
                sig.present ? "" : " (missing: every key is refused until it exists)");
  *out = z;
  return TRIN_OK;
}

void trin_zap_destroy(trin_zap_t **zp) {
  if (!zp || !*zp) return;
  trin_zap_t *z = *zp;
  *zp = NULL;
  pthread_mutex_lock(&zaps_lock);
  for (trin_zap_t **p = &zaps; *p; p = &(*p)->next)
    if (*p == z) {
      *p = z->next;
      break;
    }
  pthread_mutex_unlock(&zaps_lock);
  trin_zsock_close(&z->zs);  /* frees its handles once libuv lets go of them */
  free(z->keys);
  free(z->index);
  free(z);
}

bool trin_zap_caller(const char *user_id, trin_caller_t *caller) {
  memset(caller, 0, sizeof *caller);
  if (!user_id || !*user_id) return false;
  const char *a = strchr(user_id, '/');
  const char *b = a ? strchr(a + 1, '/') : NULL;
  if (!a || !b || strchr(b + 1, '/')) return false;
  size_t org_len = (size_t)(a - user_id), role_len = (size_t)(b - a - 1);
  const char *fp = b + 1;
  if (org_len == 0 || org_len >= sizeof caller->org || role_len == 0 ||
      role_len >= sizeof caller->role || strlen(fp) != 32)
    return false;
  for (const char *p = fp; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
  memcpy(caller->org, user_id, org_len);
  memcpy(caller->role, a + 1, role_len);
  memcpy(caller->key, fp, 33);
  caller->authenticated = true;
  return true;
}

/* Copied whole on every request: the registry's fields must be the caller's. */
_Static_assert(sizeof(((trin_caller_t *)0)->org) == sizeof(((trin_keys_entry_t *)0)->org) &&
                   sizeof(((trin_caller_t *)0)->role) == sizeof(((trin_keys_entry_t *)0)->role),
               "trin_caller_t and trin_keys_entry_t disagree on org or role");

int trin_zap_recheck(void *zctx, trin_caller_t *caller, trin_err_t *err) {
  pthread_mutex_lock(&zaps_lock);
  trin_zap_t *z = zaps;
  while (z && z->zctx != zctx) z = z->next;
  if (!z) {
    pthread_mutex_unlock(&zaps_lock);
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                        "no key registry is in force (this service's ZAP handler has "
                        "stopped): key %s is refused",
                        caller->key);
  }
  uint64_t now = uv_hrtime();
  if (now - z->checked_ns >= RECHECK_NS) {
    z->checked_ns = now;
    refresh(z);
  }
  long i = find_fingerprint(z, caller->key);
  if (i >= 0) {
    const trin_keys_entry_t *e = &z->keys[i].e;
    memcpy(caller->org, e->org, sizeof caller->org);
    memcpy(caller->role, e->role, sizeof caller->role);
  }
  pthread_mutex_unlock(&zaps_lock);
  if (i < 0)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                        "key %s was revoked: it is no longer in this service's key registry "
                        "(trinctl key register lets it in again)",
                        caller->key);
  return TRIN_OK;
}
