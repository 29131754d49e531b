/* trin_keys — CurveZMQ key pairs and the registry of client keys: making
 * and reading key files (secret files owner-only), fingerprints, and the
 * registry file that binds a public key to an organisation and a role.
 *
 * Key file (secret, mode 0600), written by trin_keys_write as PATH:
 *     # trin key pair: keep this file secret (owner-only)
 *     public = <40 Z85 characters>
 *     secret = <40 Z85 characters>
 * and its public part as PATH.pub (mode 0644): the `public = ...` line only.
 *
 * Registry file, one registered key per line, `#` starts a comment:
 *     <public key, 40 Z85 characters> <organisation id> <role> [name ...]
 * The role is one of trin_caller.h's role names. */
#ifndef TRIN_KEYS_H
#define TRIN_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "trin_err.h"

#define TRIN_KEY_Z85_LEN 40

typedef struct {
  char public_z85[TRIN_KEY_Z85_LEN + 1];
  char secret_z85[TRIN_KEY_Z85_LEN + 1];
} trin_keypair_t;

/* A CURVE client's view of a connection: its own pair and the server's
 * public key. NULL where a plain connection is meant. Borrowed by whoever
 * takes it; the strings must outlive the call that uses them. */
typedef struct {
  const trin_keypair_t *own;
  char server_public_z85[TRIN_KEY_Z85_LEN + 1];
} trin_curve_client_t;

int trin_keys_generate(trin_keypair_t *out, trin_err_t *err);
/* Writes path (0600, refused if it exists) and path.pub (0644). */
int trin_keys_write(const char *path, const trin_keypair_t *kp, trin_err_t *err);
/* Reads a key pair; refuses a file that group or others may read, naming
 * the file and the chmod that fixes it. */
int trin_keys_read_pair(const char *path, trin_keypair_t *out, trin_err_t *err);
/* Reads a public key from a .pub file, a key pair file, or a literal 40
 * character Z85 string. */
int trin_keys_read_public(const char *path_or_z85, char out[TRIN_KEY_Z85_LEN + 1],
                          trin_err_t *err);
bool trin_keys_valid_z85(const char *z85);
/* 32 hex characters naming a public key in logs and audit (BLAKE2b-128 of
 * the 32 key bytes); never the key itself. */
void trin_keys_fingerprint(const char *public_z85, char out[33]);

/* One registry line. */
typedef struct {
  char public_z85[TRIN_KEY_Z85_LEN + 1];
  char org[65];
  char role[33];
  char name[129];
  char fingerprint[33];
} trin_keys_entry_t;

/* Reads the whole registry into a malloc'ed array (caller frees *out). A
 * missing file is an empty registry; a bad line is an error naming the line. */
int trin_keys_registry_load(const char *path, trin_keys_entry_t **out, size_t *n,
                            trin_err_t *err);
/* Appends a line (refuses a key already registered, an unknown role, a bad
 * organisation id); the file is rewritten atomically (write + rename). */
int trin_keys_registry_add(const char *path, const trin_keys_entry_t *e, trin_err_t *err);
/* Removes the key given as public Z85 or fingerprint; TRIN_ENOTFOUND if absent. */
int trin_keys_registry_remove(const char *path, const char *key_or_fingerprint,
                              trin_err_t *err);

/* ---- applying keys to a ZeroMQ socket (before its bind or connect) ---------- */

/* Makes socket a CURVE server with kp's secret key; zap_domain (NULL = none)
 * selects the trin_zap rules (TRIN_ZAP_REQUESTS or TRIN_ZAP_EVENTS). */
int trin_keys_set_server(void *socket, const trin_keypair_t *kp, const char *zap_domain,
                         trin_err_t *err);
/* Makes socket a CURVE client of curve->server_public_z85 with curve->own. */
int trin_keys_set_client(void *socket, const trin_curve_client_t *curve, trin_err_t *err);

#endif
