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
    /* Personal tokens (the gateway's api:read / api:write, issue 15). */
    {2,
     "ALTER TABLE trin_tokens ADD COLUMN role TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE trin_tokens ADD COLUMN person TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE trin_tokens ADD COLUMN expires_at TEXT NOT NULL DEFAULT ''"},
};
#define COLUMNS "id, org, scope, name, created_at, revoked_at, role, person, expires_at"

int trin_token_migrate(trin_store_t *store, trin_err_t *err) {
  return trin_store_migrate(store, "tokens", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

static bool is_personal(const char *scope) {
  return scope && (strcmp(scope, TRIN_TOKEN_API_READ) == 0 ||
                   strcmp(scope, TRIN_TOKEN_API_WRITE) == 0);
}

bool trin_token_scope_valid(const char *scope) {
  return scope && (strcmp(scope, TRIN_TOKEN_FEED_READ) == 0 ||
                   strcmp(scope, TRIN_TOKEN_SURVEY_WRITE) == 0 || is_personal(scope));
}

static void hash_text(const char *text, size_t len, unsigned char out[HASH_BYTES]) {
  crypto_generichash(out, HASH_BYTES, (const unsigned char *)text, len, NULL, 0);
}

static void read_info(trin_stmt_t *st, trin_token_info_t *t) {
  /* columns: COLUMNS */
  snprintf(t->id, sizeof t->id, "%s", trin_stmt_text(st, 0));
  snprintf(t->org, sizeof t->org, "%s", trin_stmt_text(st, 1));
  snprintf(t->scope, sizeof t->scope, "%s", trin_stmt_text(st, 2));
  snprintf(t->name, sizeof t->name, "%s", trin_stmt_text(st, 3));
  snprintf(t->created_at, sizeof t->created_at, "%s", trin_stmt_text(st, 4));
  snprintf(t->revoked_at, sizeof t->revoked_at, "%s", trin_stmt_text(st, 5));
  snprintf(t->role, sizeof t->role, "%s", trin_stmt_text(st, 6));
  snprintf(t->person, sizeof t->person, "%s", trin_stmt_text(st, 7));
  snprintf(t->expires_at, sizeof t->expires_at, "%s", trin_stmt_text(st, 8));
}

/* "2027-06-30" (through that day, UTC) or "2027-06-30T12:00:00Z" → the
 * instant written as trin writes instants; it must lie ahead. */
static int expiry(const char *given, char out[TRIN_TIME_BUF], trin_err_t *err) {
  out[0] = '\0';
  if (!given || !*given) return TRIN_OK;
  trin_time_t t;
  trin_date_t d;
  int rc;
  if (strlen(given) == 10) {
    if ((rc = trin_date_parse(given, &d, "expires", err))) return rc;
    char s[40];
    snprintf(s, sizeof s, "%sT23:59:59.999Z", given);
    if ((rc = trin_time_parse(s, &t, "expires", err))) return rc;
  } else if (trin_time_parse(given, &t, "expires", NULL) != TRIN_OK) {
    return trin_err_set(err, TRIN_EINVALID, "expires",
                        "'%.40s' is neither a date YYYY-MM-DD nor an instant "
                        "YYYY-MM-DDThh:mm:ssZ",
                        given);
  }
  if (t <= trin_time_now())
    return trin_err_set(err, TRIN_EINVALID, "expires", "'%.40s' has already passed", given);
  trin_time_format(t, out);
  return TRIN_OK;
}

/* ---- create, get, revoke, list ------------------------------------------------- */

int trin_token_create(trin_store_t *store, const char *org, const char *scope,
                      const char *name, trin_token_info_t *info,
                      char text[TRIN_TOKEN_TEXT_BUF], trin_err_t *err) {
  return trin_token_create_personal(store, org, scope, name, NULL, NULL, NULL, info, text, err);
}

int trin_token_create_personal(trin_store_t *store, const char *org, const char *scope,
                               const char *name, const char *role, const char *person,
                               const char *expires, trin_token_info_t *info,
                               char text[TRIN_TOKEN_TEXT_BUF], trin_err_t *err) {
  if (!name) name = "";
  if (!role) role = "";
  if (!person) person = "";
  int rc = trin_id_check(org, "org", err);
  if (rc) return rc;
  if (!trin_token_scope_valid(scope))
    return trin_err_set(err, TRIN_EINVALID, "scope", "must be %s, %s, %s or %s, not '%.40s'",
                        TRIN_TOKEN_FEED_READ, TRIN_TOKEN_SURVEY_WRITE, TRIN_TOKEN_API_READ,
                        TRIN_TOKEN_API_WRITE, scope ? scope : "");
  if ((rc = trin_text_check_optional(name, 200, "name", err))) return rc;
  char until[TRIN_TIME_BUF] = "";
  if (is_personal(scope)) {
    trin_role_t r = trin_role_parse(role);
    if (r == TRIN_ROLE_NONE || r == TRIN_ROLE_SERVICE || r == TRIN_ROLE_GATEWAY)
      return trin_err_set(err, TRIN_EINVALID, "role",
                          "a personal token needs the role its person acts in: admin, writer, "
                          "reader, calculator, advisor or resident (not '%.32s')",
                          role);
    if (!*person)
      return trin_err_set(err, TRIN_EINVALID, "person",
                          "a personal token needs the name of its person");
    if ((rc = trin_text_check_optional(person, 200, "person", err))) return rc;
    if ((rc = expiry(expires, until, err))) return rc;
  } else if (*role || *person || (expires && *expires)) {
    return trin_err_set(err, TRIN_EINVALID, *role ? "role" : *person ? "person" : "expires",
                        "only personal tokens (%s, %s) have a role, a person and an expiry",
                        TRIN_TOKEN_API_READ, TRIN_TOKEN_API_WRITE);
  }
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
                         " revoked_at, role, person, expires_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
                         &st, err);
    if (rc) break;
    trin_stmt_bind_text(st, 1, t.id);
    trin_stmt_bind_text(st, 2, hex);
    trin_stmt_bind_text(st, 3, org);
    trin_stmt_bind_text(st, 4, scope);
    trin_stmt_bind_text(st, 5, name);
    trin_stmt_bind_text(st, 6, now);
    trin_stmt_bind_text(st, 7, role);
    trin_stmt_bind_text(st, 8, person);
    trin_stmt_bind_text(st, 9, until);
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
  snprintf(t.role, sizeof t.role, "%s", role);
  snprintf(t.person, sizeof t.person, "%s", person);
  snprintf(t.expires_at, sizeof t.expires_at, "%s", until);
  if (info) *info = t;
  return TRIN_OK;
}

int trin_token_get(trin_store_t *store, const char *id, trin_token_info_t *out,
                   trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(store,
                           "SELECT " COLUMNS " FROM trin_tokens"
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
                           "SELECT " COLUMNS " FROM trin_tokens"
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
                           "SELECT " COLUMNS ", hash"
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
    const char *hex = trin_stmt_text(st, 9);
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
  if (t.expires_at[0]) {
    trin_time_t until;
    if (trin_time_parse(t.expires_at, &until, "expires_at", NULL) != TRIN_OK ||
        until <= trin_time_now())
      return trin_err_set(err, TRIN_EUNAUTHENTICATED, "", "token %s expired at %s", t.id,
                          t.expires_at);
  }
  bool write_reads = scope && strcmp(scope, TRIN_TOKEN_API_READ) == 0 &&
                     strcmp(t.scope, TRIN_TOKEN_API_WRITE) == 0;
  if (!scope || (strcmp(t.scope, scope) != 0 && !write_reads))
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

static int may_make(const trin_caller_t *caller, const Trin__Token__CreateToken *q,
                    trin_err_t *err) {
  int rc = trin_token_may_manage(caller, q->org, err);
  if (rc == TRIN_OK && !trin_access_unrestricted(caller) && q->role &&
      trin_role_parse(q->role) == TRIN_ROLE_ADMIN)
    return trin_err_set(err, TRIN_EFORBIDDEN, "role",
                        "only the deployment's operators (admin) make admin tokens");
  return rc;
}

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
  m->role = trin_arena_strdup(a, t->role);
  m->person = trin_arena_strdup(a, t->person);
  m->expires_at = trin_arena_strdup(a, t->expires_at);
  return m;
}

static int handle_create(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Token__CreateToken *q = (const Trin__Token__CreateToken *)msg;
  (void)data;
  int rc = may_make(trin_request_caller(req), q, err);
  if (rc) return rc;
  trin_token_info_t t;
  char text[TRIN_TOKEN_TEXT_BUF];
  rc = trin_token_create_personal(trin_request_store(req), q->org, q->scope, q->name, q->role,
                                  q->person, q->expires, &t, text, err);
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
