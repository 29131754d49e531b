/* trin_token — see trin_token.h. */
#include "trin_token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "trin/token.pb-c.h"
#include "trin_arena.h"
#include "trin_date.h"
#include "trin_id.h"
#include "trin_log.h"

#define PREFIX "trin_"
#define PREFIX_LEN 5
#define SECRET_BYTES 32
#define HASH_BYTES crypto_generichash_BYTES /* 32 */

/* Portable SQL (TEXT only, `?` parameters): the hash is stored as hex. */
static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE trin_tokens ("
     " id TEXT PRIMARY KEY, hash TEXT NOT NULL, org TEXT NOT NULL, scope TEXT NOT NULL,"
     " name TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT NOT NULL);"
     "CREATE INDEX trin_tokens_org ON trin_tokens(org, created_at);"},
};

int trin_token_migrate(trin_store_t *store, trin_err_t *err) {
  return trin_store_migrate(store, "tokens", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

bool trin_token_scope_valid(const char *scope) {
  return scope && (strcmp(scope, TRIN_TOKEN_FEED_READ) == 0 ||
                   strcmp(scope, TRIN_TOKEN_SURVEY_WRITE) == 0);
}

static void hash_text(const char *text, size_t len, unsigned char out[HASH_BYTES]) {
  crypto_generichash(out, HASH_BYTES, (const unsigned char *)text, len, NULL, 0);
}

static void read_info(trin_stmt_t *st, trin_token_info_t *t) {
  /* columns: id, org, scope, name, created_at, revoked_at */
  snprintf(t->id, sizeof t->id, "%s", trin_stmt_text(st, 0));
  snprintf(t->org, sizeof t->org, "%s", trin_stmt_text(st, 1));
  snprintf(t->scope, sizeof t->scope, "%s", trin_stmt_text(st, 2));
  snprintf(t->name, sizeof t->name, "%s", trin_stmt_text(st, 3));
  snprintf(t->created_at, sizeof t->created_at, "%s", trin_stmt_text(st, 4));
  snprintf(t->revoked_at, sizeof t->revoked_at, "%s", trin_stmt_text(st, 5));
}

/* ---- create, get, revoke, list ------------------------------------------------- */

int trin_token_create(trin_store_t *store, const char *org, const char *scope,
                      const char *name, trin_token_info_t *info,
                      char text[TRIN_TOKEN_TEXT_BUF], trin_err_t *err) {
  if (!name) name = "";
  int rc = trin_id_check(org, "org", err);
  if (rc) return rc;
  if (!trin_token_scope_valid(scope))
    return trin_err_set(err, TRIN_EINVALID, "scope", "must be %s or %s, not '%.40s'",
                        TRIN_TOKEN_FEED_READ, TRIN_TOKEN_SURVEY_WRITE, scope ? scope : "");
  if ((rc = trin_text_check_optional(name, 200, "name", err))) return rc;
  if (sodium_init() < 0) return trin_err_set(err, TRIN_EINTERNAL, "", "libsodium did not start");

  trin_token_info_t t = {0};
  unsigned char idb[TRIN_TOKEN_ID_LEN / 2], secret[SECRET_BYTES], h[HASH_BYTES];
  char b64[sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  char hex[HASH_BYTES * 2 + 1], now[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), now);
  trin_stmt_t *st;
  /* A fresh id is all but certain to be new (48 random bits); one clash
   * is retried with another. */
  for (int attempt = 0; attempt < 3; attempt++) {
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(t.id, sizeof t.id, idb, sizeof idb);
    sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(text, TRIN_TOKEN_TEXT_BUF, PREFIX "%s_%s", t.id, b64);
    hash_text(text, strlen(text), h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    rc = trin_store_stmt(store,
                         "INSERT INTO trin_tokens (id, hash, org, scope, name, created_at,"
                         " revoked_at) VALUES (?, ?, ?, ?, ?, ?, '')",
                         &st, err);
    if (rc) break;
    trin_stmt_bind_text(st, 1, t.id);
    trin_stmt_bind_text(st, 2, hex);
    trin_stmt_bind_text(st, 3, org);
    trin_stmt_bind_text(st, 4, scope);
    trin_stmt_bind_text(st, 5, name);
    trin_stmt_bind_text(st, 6, now);
    rc = trin_stmt_run(st, err);
    trin_stmt_reset(st);
    if (rc != TRIN_ECONFLICT) break;
  }
  sodium_memzero(secret, sizeof secret);
  sodium_memzero(b64, sizeof b64);
  if (rc) {
    sodium_memzero(text, TRIN_TOKEN_TEXT_BUF);
    return rc;
  }
  snprintf(t.org, sizeof t.org, "%s", org);
  snprintf(t.scope, sizeof t.scope, "%s", scope);
  snprintf(t.name, sizeof t.name, "%s", name);
  snprintf(t.created_at, sizeof t.created_at, "%s", now);
  if (info) *info = t;
  return TRIN_OK;
}

int trin_token_get(trin_store_t *store, const char *id, trin_token_info_t *out,
                   trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(store,
                           "SELECT id, org, scope, name, created_at, revoked_at FROM trin_tokens"
                           " WHERE id = ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, id ? id : "");
  rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    read_info(st, out);
    rc = TRIN_OK;
  } else if (rc == TRIN_OK) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "id", "no token '%.40s'", id ? id : "");
  }
  trin_stmt_reset(st);
  return rc;
}

int trin_token_revoke(trin_store_t *store, const char *id, trin_token_info_t *info,
                      trin_err_t *err) {
  trin_token_info_t t;
  int rc = trin_token_get(store, id, &t, err);
  if (rc) return rc;
  if (!t.revoked_at[0]) {
    char now[TRIN_TIME_BUF];
    trin_time_format(trin_time_now(), now);
    trin_stmt_t *st;
    rc = trin_store_stmt(store,
                         "UPDATE trin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''",
                         &st, err);
    if (rc) return rc;
    trin_stmt_bind_text(st, 1, now);
    trin_stmt_bind_text(st, 2, t.id);
    rc = trin_stmt_run(st, err);
    trin_stmt_reset(st);
    if (rc) return rc;
    snprintf(t.revoked_at, sizeof t.revoked_at, "%s", now);
  }
  if (info) *info = t;
  return TRIN_OK;
}

int trin_token_list(trin_store_t *store, const char *org, trin_token_each_fn fn, void *data,
                    trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(store,
                           "SELECT id, org, scope, name, created_at, revoked_at FROM trin_tokens"
                           " WHERE ? = '' OR org = ? ORDER BY created_at DESC, id",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, org ? org : "");
  trin_stmt_bind_text(st, 2, org ? org : "");
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    trin_token_info_t t;
    read_info(st, &t);
    fn(data, &t);
  }
  trin_stmt_reset(st);
  return rc;
}

/* ---- verify ----------------------------------------------------------------------- */

static bool is_hex_id(const char *p) {
  for (int i = 0; i < TRIN_TOKEN_ID_LEN; i++)
    if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return false;
  return true;
}

int trin_token_verify(trin_store_t *store, const char *text, size_t len, const char *scope,
                      trin_token_info_t *out, trin_err_t *err) {
  static const char refused[] = "the token is not valid here";
  if (!text || len != TRIN_TOKEN_TEXT_LEN || memcmp(text, PREFIX, PREFIX_LEN) != 0 ||
      !is_hex_id(text + PREFIX_LEN) || text[PREFIX_LEN + TRIN_TOKEN_ID_LEN] != '_')
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "", "%s (not a trin token)", refused);
  char id[TRIN_TOKEN_ID_LEN + 1];
  memcpy(id, text + PREFIX_LEN, TRIN_TOKEN_ID_LEN);
  id[TRIN_TOKEN_ID_LEN] = '\0';

  trin_stmt_t *st;
  int rc = trin_store_stmt(store,
                           "SELECT id, org, scope, name, created_at, revoked_at, hash"
                           " FROM trin_tokens WHERE id = ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, id);
  rc = trin_stmt_step(st, err);
  trin_token_info_t t = {0};
  unsigned char stored[HASH_BYTES] = {0}, presented[HASH_BYTES];
  bool found = rc == TRIN_STORE_ROW;
  if (found) {
    read_info(st, &t);
    const char *hex = trin_stmt_text(st, 6);
    size_t n = 0;
    if (sodium_hex2bin(stored, sizeof stored, hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != sizeof stored)
      found = false;
  }
  trin_stmt_reset(st);
  if (rc != TRIN_STORE_ROW && rc != TRIN_OK) return rc;
  /* Hashing and comparing even for an unknown id keeps the time of a
   * refusal the same whether the id exists or not. */
  hash_text(text, len, presented);
  bool same = sodium_memcmp(presented, stored, HASH_BYTES) == 0;
  sodium_memzero(presented, sizeof presented);
  if (!found || !same)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "", "%s", refused);
  if (t.revoked_at[0])
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "", "token %s was revoked at %s", t.id,
                        t.revoked_at);
  if (!scope || strcmp(t.scope, scope) != 0)
    return trin_err_set(err, TRIN_EFORBIDDEN, "", "token %s is for %s, not %s", t.id, t.scope,
                        scope ? scope : "");
  if (out) *out = t;
  return TRIN_OK;
}

/* ---- HTTP ---------------------------------------------------------------------------- */

static bool copy_trimmed(const char *s, size_t n, char *out, size_t cap) {
  while (n && (*s == ' ' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (n == 0 || n >= cap) return false;
  memcpy(out, s, n);
  out[n] = '\0';
  return true;
}

bool trin_token_from_http(const trin_http_request_t *req, char *out, size_t cap) {
  const char *auth = trin_http_header(req, "Authorization");
  if (auth) {
    while (*auth == ' ') auth++;
    if (strncasecmp(auth, "Bearer ", 7) == 0) return copy_trimmed(auth + 7, strlen(auth + 7), out, cap);
    if (strncasecmp(auth, "Basic ", 6) == 0) {
      const char *b64 = auth + 6;
      while (*b64 == ' ') b64++;
      unsigned char dec[512];
      size_t dn = 0;
      bool ok = false;
      if (sodium_base642bin(dec, sizeof dec - 1, b64, strlen(b64), " ", &dn, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0) {
        const char *colon = memchr(dec, ':', dn);
        if (colon)
          ok = copy_trimmed(colon + 1, dn - (size_t)(colon + 1 - (const char *)dec), out, cap);
      }
      sodium_memzero(dec, sizeof dec);
      if (ok) return true;
    }
  }
  const char *key = trin_http_header(req, "X-API-Key");
  return key && copy_trimmed(key, strlen(key), out, cap);
}

/* ---- management over ZeroMQ ---------------------------------------------------------- */

int trin_token_may_manage(const trin_caller_t *caller, const char *org, trin_err_t *err) {
  if (trin_access_unrestricted(caller)) return TRIN_OK;
  if (trin_role_parse(caller->role) != TRIN_ROLE_WRITER)
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "only an admin, or a writer of the organisation, manages its tokens");
  if (!org || strcmp(org, caller->org) != 0)
    return trin_err_set(err, TRIN_EFORBIDDEN, "org",
                        "a key of %s manages only %s's tokens, not those of %.64s",
                        caller->org, caller->org, org && *org ? org : "every organisation");
  return TRIN_OK;
}

static Trin__Token__TokenInfo *info_msg(trin_arena_t *a, const trin_token_info_t *t) {
  Trin__Token__TokenInfo *m = trin_arena_alloc(a, sizeof *m);
  if (!m) return NULL;
  trin__token__token_info__init(m);
  m->id = trin_arena_strdup(a, t->id);
  m->org = trin_arena_strdup(a, t->org);
  m->scope = trin_arena_strdup(a, t->scope);
  m->name = trin_arena_strdup(a, t->name);
  m->created_at = trin_arena_strdup(a, t->created_at);
  m->revoked_at = trin_arena_strdup(a, t->revoked_at);
  return m;
}

static int handle_create(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Token__CreateToken *q = (const Trin__Token__CreateToken *)msg;
  (void)data;
  int rc = trin_token_may_manage(trin_request_caller(req), q->org, err);
  if (rc) return rc;
  trin_token_info_t t;
  char text[TRIN_TOKEN_TEXT_BUF];
  rc = trin_token_create(trin_request_store(req), q->org, q->scope, q->name, &t, text, err);
  if (rc) return rc;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Token__TokenCreated reply = TRIN__TOKEN__TOKEN_CREATED__INIT;
  reply.id = t.id;
  reply.token = text;
  reply.info = info_msg(&a, &t);
  rc = a.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                : trin_request_reply(req, &reply.base, err);
  trin_arena_reset(&a);
  sodium_memzero(text, sizeof text);
  if (!rc)
    trin_log_info("token %s made for %s (%s)%s%s", t.id, t.org, t.scope, t.name[0] ? ": " : "",
                  t.name);
  return rc;
}

static int handle_revoke(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Token__RevokeToken *q = (const Trin__Token__RevokeToken *)msg;
  const trin_token_hooks_t *hooks = data;
  trin_store_t *st = trin_request_store(req);
  trin_token_info_t t;
  if (!q->id || !*q->id) return trin_err_set(err, TRIN_EINVALID, "id", "is required");
  int rc = trin_token_get(st, q->id, &t, err);
  if (!rc) rc = trin_token_may_manage(trin_request_caller(req), t.org, err);
  if (!rc) rc = trin_token_revoke(st, t.id, &t, err);
  if (rc) return rc;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Token__TokenReply reply = TRIN__TOKEN__TOKEN_REPLY__INIT;
  reply.info = info_msg(&a, &t);
  rc = a.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                : trin_request_reply(req, &reply.base, err);
  trin_arena_reset(&a);
  if (!rc) {
    trin_log_info("token %s of %s revoked", t.id, t.org);
    if (hooks && hooks->on_revoked) hooks->on_revoked(hooks->data, t.id);
  }
  return rc;
}

typedef struct {
  trin_arena_t *a;
  Trin__Token__TokenInfo **items;
  size_t n, cap;
  bool failed;
} list_acc_t;

static void collect(void *data, const trin_token_info_t *t) {
  list_acc_t *l = data;
  if (l->failed) return;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    Trin__Token__TokenInfo **p = trin_arena_alloc(l->a, cap * sizeof *p);
    if (!p) {
      l->failed = true;
      return;
    }
    if (l->n) memcpy(p, l->items, l->n * sizeof *p);
    l->items = p;
    l->cap = cap;
  }
  Trin__Token__TokenInfo *m = info_msg(l->a, t);
  if (!m) l->failed = true;
  else l->items[l->n++] = m;
}

static int handle_list(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Token__ListTokens *q = (const Trin__Token__ListTokens *)msg;
  const trin_caller_t *caller = trin_request_caller(req);
  (void)data;
  const char *org = q->org ? q->org : "";
  /* A restricted caller asking for "every organisation" means its own. */
  if (!*org && !trin_access_unrestricted(caller)) org = caller->org;
  if (*org) {
    int rc = trin_token_may_manage(caller, org, err);
    if (rc) return rc;
  }
  trin_arena_t a = TRIN_ARENA_INIT;
  list_acc_t l = {.a = &a};
  int rc = trin_token_list(trin_request_store(req), org, collect, &l, err);
  if (!rc && (l.failed || a.failed)) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (!rc) {
    Trin__Token__TokenList reply = TRIN__TOKEN__TOKEN_LIST__INIT;
    reply.tokens = l.items;
    reply.n_tokens = l.n;
    rc = trin_request_reply(req, &reply.base, err);
  }
  trin_arena_reset(&a);
  return rc;
}

int trin_token_register(trin_server_t *server, const trin_token_hooks_t *hooks) {
  if (sodium_init() < 0) return TRIN_EINTERNAL;
  int rc = trin_server_handle(server, &trin__token__create_token__descriptor, handle_create, NULL);
  if (!rc)
    rc = trin_server_handle(server, &trin__token__revoke_token__descriptor, handle_revoke,
                            (void *)hooks);
  if (!rc)
    rc = trin_server_handle(server, &trin__token__list_tokens__descriptor, handle_list, NULL);
  return rc;
}
