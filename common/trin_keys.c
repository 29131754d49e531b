/* trin_keys — see trin_keys.h. */
#include "trin_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "trin_caller.h"
#include "trin_id.h"

#define FILE_MAX (4u << 20) /* a registry of 4 MiB is ~30 000 keys */

static const char Z85_CHARS[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool trin_keys_valid_z85(const char *z85) {
  if (!z85 || strlen(z85) != TRIN_KEY_Z85_LEN) return false;
  for (const char *p = z85; *p; p++)
    if (!strchr(Z85_CHARS, *p)) return false;
  uint8_t bin[32];
  return zmq_z85_decode(bin, z85) != NULL;
}

void trin_keys_fingerprint(const char *public_z85, char out[33]) {
  uint8_t bin[32], hash[16];
  out[0] = '\0';
  if (!trin_keys_valid_z85(public_z85) || sodium_init() < 0) return;
  zmq_z85_decode(bin, public_z85);
  crypto_generichash(hash, sizeof hash, bin, sizeof bin, NULL, 0);
  sodium_bin2hex(out, 33, hash, sizeof hash);
}

int trin_keys_generate(trin_keypair_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  if (zmq_curve_keypair(out->public_z85, out->secret_z85) != 0)
    return trin_err_set(err, TRIN_EINTERNAL, "",
                        "this ZeroMQ library cannot make CURVE keys (built without "
                        "libsodium?): %s",
                        zmq_strerror(errno));
  return TRIN_OK;
}

/* ---- files ------------------------------------------------------------------ */

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Creates path with exactly `mode` (the umask does not apply) and writes
 * data. excl refuses an existing file. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode, bool excl,
                      trin_err_t *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
  if (fd < 0) {
    if (errno == EEXIST)
      return trin_err_set(err, TRIN_ECONFLICT, "", "%s already exists; not overwriting a key",
                          path);
    return trin_err_set(err, TRIN_EIO, "", "cannot create %s: %s", path, strerror(errno));
  }
  if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
    int e = errno;
    close(fd);
    unlink(path);
    return trin_err_set(err, TRIN_EIO, "", "cannot write %s: %s", path, strerror(e));
  }
  if (close(fd) != 0)
    return trin_err_set(err, TRIN_EIO, "", "cannot write %s: %s", path, strerror(errno));
  return TRIN_OK;
}

/* Reads a whole small file into a NUL-terminated malloc'ed buffer. *missing
 * (when not NULL) reports ENOENT instead of failing. */
static int read_file(const char *path, char **out, struct stat *st_out, bool *missing,
                     trin_err_t *err) {
  *out = NULL;
  if (missing) *missing = false;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && missing) {
      *missing = true;
      return TRIN_OK;
    }
    return trin_err_set(err, errno == ENOENT ? TRIN_ENOTFOUND : TRIN_EIO, "",
                        "cannot read %s: %s", path, strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return trin_err_set(err, TRIN_EIO, "", "%s is not a regular file", path);
  }
  if ((size_t)st.st_size > FILE_MAX) {
    close(fd);
    return trin_err_set(err, TRIN_ETOOBIG, "", "%s is larger than %u bytes", path, FILE_MAX);
  }
  char *buf = malloc((size_t)st.st_size + 1);
  if (!buf) {
    close(fd);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return trin_err_set(err, TRIN_EIO, "", "cannot read %s: %s", path, strerror(e));
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  close(fd);
  buf[got] = '\0';
  if (st_out) *st_out = st;
  *out = buf;
  return TRIN_OK;
}

/* Splits the next line off *cursor (in place); NULL at the end. */
static char *next_line(char **cursor) {
  char *line = *cursor;
  if (!line || !*line) return NULL;
  char *nl = strchr(line, '\n');
  if (nl) {
    *nl = '\0';
    *cursor = nl + 1;
  } else {
    *cursor = line + strlen(line);
  }
  size_t n = strlen(line);
  if (n && line[n - 1] == '\r') line[n - 1] = '\0';
  return line;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
  return s;
}

/* "name = value" from a key file; false for anything else. */
static bool key_value(char *line, char **name, char **value) {
  char *eq = strchr(line, '=');
  if (!eq) return false;
  *eq = '\0';
  *name = trim(line);
  *value = trim(eq + 1);
  return true;
}

int trin_keys_write(const char *path, const trin_keypair_t *kp, trin_err_t *err) {
  if (!path || !*path) return trin_err_set(err, TRIN_EINVALID, "", "no key file named");
  if (!trin_keys_valid_z85(kp->public_z85) || !trin_keys_valid_z85(kp->secret_z85))
    return trin_err_set(err, TRIN_EINVALID, "", "the key pair is not two 40-character Z85 keys");
  char pub_path[4096];
  if ((size_t)snprintf(pub_path, sizeof pub_path, "%s.pub", path) >= sizeof pub_path)
    return trin_err_set(err, TRIN_EINVALID, "", "the key file's path is too long");
  char text[256];
  int n = snprintf(text, sizeof text,
                   "# trin key pair: keep this file secret (owner-only)\n"
                   "public = %s\nsecret = %s\n",
                   kp->public_z85, kp->secret_z85);
  int rc = write_file(path, text, (size_t)n, 0600, true, err);
  sodium_memzero(text, sizeof text);
  if (rc) return rc;
  n = snprintf(text, sizeof text, "public = %s\n", kp->public_z85);
  if ((rc = write_file(pub_path, text, (size_t)n, 0644, false, err))) unlink(path);
  return rc;
}

int trin_keys_read_pair(const char *path, trin_keypair_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  char *text;
  struct stat st;
  int rc = read_file(path, &text, &st, NULL, err);
  if (rc) return rc;
  /* A secret others can read is no longer a secret: refuse rather than
   * run with it, and say how to fix it. (The mode is the opened file's.) */
  if (st.st_mode & 077) {
    sodium_memzero(text, strlen(text));
    free(text);
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "key file %s holds a secret key but group or others may read it "
                        "(mode %04o); run `chmod 600 %s`",
                        path, (unsigned)(st.st_mode & 07777), path);
  }
  char *cur = text, *line;
  int lineno = 0;
  while ((line = next_line(&cur))) {
    lineno++;
    char *t = trim(line), *name, *value;
    if (!*t || *t == '#') continue;
    if (!key_value(t, &name, &value) ||
        (strcmp(name, "public") != 0 && strcmp(name, "secret") != 0)) {
      rc = trin_err_set(err, TRIN_EINVALID, "",
                        "key file %s line %d: expected `public = KEY` or `secret = KEY`",
                        path, lineno);
      break;
    }
    if (!trin_keys_valid_z85(value)) {
      rc = trin_err_set(err, TRIN_EINVALID, "",
                        "key file %s line %d: the %s key is not 40 Z85 characters", path,
                        lineno, name);
      break;
    }
    snprintf(strcmp(name, "public") == 0 ? out->public_z85 : out->secret_z85,
             TRIN_KEY_Z85_LEN + 1, "%s", value);
  }
  sodium_memzero(text, strlen(text));
  free(text);
  if (rc) {
    sodium_memzero(out, sizeof *out);
    return rc;
  }
  if (!out->secret_z85[0] || !out->public_z85[0]) {
    sodium_memzero(out, sizeof *out);
    return trin_err_set(err, TRIN_EINVALID, "",
                        "key file %s must hold both `public = ...` and `secret = ...` "
                        "(make one with `trinctl key new`)",
                        path);
  }
  char derived[TRIN_KEY_Z85_LEN + 1];
  if (zmq_curve_public(derived, out->secret_z85) != 0 ||
      strcmp(derived, out->public_z85) != 0) {
    sodium_memzero(out, sizeof *out);
    return trin_err_set(err, TRIN_EINVALID, "",
                        "key file %s: the public key does not belong to the secret key", path);
  }
  return TRIN_OK;
}

int trin_keys_read_public(const char *path_or_z85, char out[TRIN_KEY_Z85_LEN + 1],
                          trin_err_t *err) {
  out[0] = '\0';
  if (!path_or_z85 || !*path_or_z85)
    return trin_err_set(err, TRIN_EINVALID, "", "no public key or key file given");
  struct stat st;
  if (stat(path_or_z85, &st) != 0) {
    if (trin_keys_valid_z85(path_or_z85)) {
      memcpy(out, path_or_z85, TRIN_KEY_Z85_LEN + 1);
      return TRIN_OK;
    }
    return trin_err_set(err, TRIN_ENOTFOUND, "",
                        "'%s' is neither a key file nor a 40-character Z85 public key",
                        path_or_z85);
  }
  char *text;
  int rc = read_file(path_or_z85, &text, NULL, NULL, err);
  if (rc) return rc;
  char *cur = text, *line;
  while ((line = next_line(&cur))) {
    char *t = trim(line), *name, *value;
    if (*t == '#' || !key_value(t, &name, &value) || strcmp(name, "public") != 0) continue;
    if (trin_keys_valid_z85(value)) {
      memcpy(out, value, TRIN_KEY_Z85_LEN + 1);
      break;
    }
  }
  /* The file may be a key pair: do not leave its secret in freed memory. */
  sodium_memzero(text, strlen(text));
  free(text);
  if (!out[0])
    return trin_err_set(err, TRIN_EINVALID, "",
                        "%s holds no `public = KEY` line with a 40-character Z85 key",
                        path_or_z85);
  return TRIN_OK;
}

/* ---- registry ---------------------------------------------------------------- */

static bool is_hex32(const char *s) {
  if (strlen(s) != 32) return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
  return true;
}

/* Parses one registry line (already trimmed, not a comment) into e. */
static int parse_entry(char *line, const char *path, int lineno, trin_keys_entry_t *e,
                       trin_err_t *err) {
  memset(e, 0, sizeof *e);
  char *tok[3];
  char *p = line;
  for (int i = 0; i < 3; i++) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p)
      return trin_err_set(err, TRIN_EINVALID, "",
                          "registry %s line %d: expected `KEY ORGANISATION ROLE [NAME]`",
                          path, lineno);
    tok[i] = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    if (*p) *p++ = '\0';
  }
  if (!trin_keys_valid_z85(tok[0]))
    return trin_err_set(err, TRIN_EINVALID, "",
                        "registry %s line %d: the key is not 40 Z85 characters", path, lineno);
  trin_err_t idle;
  if (trin_id_check(tok[1], "org", &idle))
    return trin_err_set(err, TRIN_EINVALID, "",
                        "registry %s line %d: '%.64s' is not an organisation id (%s)", path,
                        lineno, tok[1], idle.message);
  if (trin_role_parse(tok[2]) == TRIN_ROLE_NONE)
    return trin_err_set(err, TRIN_EINVALID, "",
                        "registry %s line %d: unknown role '%.32s' (admin, service, writer, "
                        "reader, calculator, advisor, resident or gateway)",
                        path, lineno, tok[2]);
  char *name = trim(p);
  if (strlen(name) >= sizeof e->name)
    return trin_err_set(err, TRIN_EINVALID, "",
                        "registry %s line %d: the name is longer than %zu bytes", path,
                        lineno, sizeof e->name - 1);
  snprintf(e->public_z85, sizeof e->public_z85, "%s", tok[0]);
  snprintf(e->org, sizeof e->org, "%s", tok[1]);
  snprintf(e->role, sizeof e->role, "%s", tok[2]);
  snprintf(e->name, sizeof e->name, "%s", name);
  trin_keys_fingerprint(e->public_z85, e->fingerprint);
  return TRIN_OK;
}

/* Parses registry text (modified in place). */
static int parse_registry(char *text, const char *path, trin_keys_entry_t **out, size_t *n,
                          trin_err_t *err) {
  *out = NULL;
  *n = 0;
  size_t cap = 0, count = 0;
  trin_keys_entry_t *arr = NULL;
  char *cur = text, *line;
  int lineno = 0;
  while ((line = next_line(&cur))) {
    lineno++;
    char *t = trim(line);
    if (!*t || *t == '#') continue;
    if (count == cap) {
      size_t nc = cap ? cap * 2 : 16;
      trin_keys_entry_t *a = realloc(arr, nc * sizeof *a);
      if (!a) {
        free(arr);
        return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      }
      arr = a;
      cap = nc;
    }
    int rc = parse_entry(t, path, lineno, &arr[count], err);
    for (size_t i = 0; !rc && i < count; i++)
      if (strcmp(arr[i].public_z85, arr[count].public_z85) == 0)
        rc = trin_err_set(err, TRIN_EINVALID, "",
                          "registry %s line %d: key %s is registered twice", path, lineno,
                          arr[count].fingerprint);
    if (rc) {
      free(arr);
      return rc;
    }
    count++;
  }
  *out = arr;
  *n = count;
  return TRIN_OK;
}

int trin_keys_registry_load(const char *path, trin_keys_entry_t **out, size_t *n,
                            trin_err_t *err) {
  *out = NULL;
  *n = 0;
  char *text;
  bool missing;
  int rc = read_file(path, &text, NULL, &missing, err);
  if (rc || missing) return rc;
  rc = parse_registry(text, path, out, n, err);
  free(text);
  return rc;
}

/* Returns the locked descriptor, or -1 with err filled.
 * Serialises registry edits between processes (two `trinctl key add` at
 * once must not lose one): an exclusive lock on the registry's folder, which
 * outlives the renames that replace the file itself. */
static int lock_dir_of(const char *path, trin_err_t *err) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == dir) dir[1] = '\0';
  else *slash = '\0';
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || flock(fd, LOCK_EX) != 0) {
    int e = errno;
    if (fd >= 0) close(fd);
    trin_err_set(err, TRIN_EIO, "", "cannot lock the folder of %s: %s", path, strerror(e));
    return -1;
  }
  return fd;
}

/* Closing the folder's descriptor releases the lock. */
static void unlock_dir(int fd) {
  if (fd >= 0) close(fd);
}

/* Replaces path with data: write a temporary file beside it, fsync, rename,
 * so readers (the ZAP handler) see the old file or the new, never half. */
static int rewrite_atomic(const char *path, const char *data, size_t len, mode_t mode,
                          trin_err_t *err) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  unlink(tmp);
  int rc = write_file(tmp, data, len, mode, true, err);
  if (rc) return rc;
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return trin_err_set(err, TRIN_EIO, "", "cannot replace %s: %s", path, strerror(e));
  }
  return TRIN_OK;
}

int trin_keys_registry_add(const char *path, const trin_keys_entry_t *e, trin_err_t *err) {
  if (!trin_keys_valid_z85(e->public_z85))
    return trin_err_set(err, TRIN_EINVALID, "public_key",
                        "the public key is not 40 Z85 characters");
  int rc = trin_id_check(e->org, "org", err);
  if (rc) return rc;
  if (trin_role_parse(e->role) == TRIN_ROLE_NONE)
    return trin_err_set(err, TRIN_EINVALID, "role",
                        "unknown role '%.32s' (admin, service, writer, reader, calculator, "
                        "advisor, resident or gateway)",
                        e->role);
  if ((rc = trin_text_check_optional(e->name, sizeof e->name - 1, "name", err))) return rc;
  if (strchr(e->name, '\t'))
    return trin_err_set(err, TRIN_EINVALID, "name", "must not hold a tab");

  int lock = lock_dir_of(path, err);
  if (lock < 0) return TRIN_EIO;
  char *text = NULL;
  bool missing;
  struct stat st;
  rc = read_file(path, &text, &st, &missing, err);
  trin_keys_entry_t *arr = NULL;
  size_t n = 0;
  if (!rc && !missing) {
    char *copy = strdup(text);
    rc = copy ? parse_registry(copy, path, &arr, &n, err)
              : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    free(copy);
  }
  for (size_t i = 0; !rc && i < n; i++)
    if (strcmp(arr[i].public_z85, e->public_z85) == 0)
      rc = trin_err_set(err, TRIN_ECONFLICT, "public_key",
                        "key %s is already registered (organisation %s, role %s)",
                        arr[i].fingerprint, arr[i].org, arr[i].role);
  if (!rc) {
    size_t old = text ? strlen(text) : 0;
    size_t cap = old + 512;
    char *out = malloc(cap);
    if (!out) {
      rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    } else {
      const char *head = missing ? "# trin key registry: KEY ORGANISATION ROLE [NAME]\n" : "";
      int k = snprintf(out, cap, "%s%s%s%s %s %s%s%s\n", head, old ? text : "",
                       old && text[old - 1] != '\n' ? "\n" : "", e->public_z85, e->org,
                       e->role, e->name[0] ? " " : "", e->name);
      rc = rewrite_atomic(path, out, (size_t)k, missing ? 0644 : (st.st_mode & 0777), err);
      free(out);
    }
  }
  free(arr);
  free(text);
  unlock_dir(lock);
  return rc;
}

int trin_keys_registry_remove(const char *path, const char *key_or_fingerprint,
                              trin_err_t *err) {
  if (!key_or_fingerprint || !*key_or_fingerprint)
    return trin_err_set(err, TRIN_EINVALID, "key", "no key or fingerprint given");
  int lock = lock_dir_of(path, err);
  if (lock < 0) return TRIN_EIO;
  char *text = NULL, *out = NULL;
  bool missing;
  struct stat st;
  int rc = read_file(path, &text, &st, &missing, err);
  trin_keys_entry_t *arr = NULL;
  size_t n = 0;
  if (!rc && !missing) {
    char *copy = strdup(text);
    rc = copy ? parse_registry(copy, path, &arr, &n, err)
              : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    free(copy);
  }
  const char *victim = NULL;
  for (size_t i = 0; !rc && i < n; i++)
    if (strcmp(arr[i].public_z85, key_or_fingerprint) == 0 ||
        (is_hex32(key_or_fingerprint) && strcmp(arr[i].fingerprint, key_or_fingerprint) == 0))
      victim = arr[i].public_z85;
  if (!rc && !victim)
    rc = trin_err_set(err, TRIN_ENOTFOUND, "key", "'%.64s' is not registered in %s",
                      key_or_fingerprint, path);
  if (!rc) {
    /* Keep every other line as it was (comments too); drop the key's line. */
    size_t len = strlen(text), k = 0;
    out = malloc(len + 2);
    if (!out) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    char *cur = text, *line;
    while (!rc && (line = next_line(&cur))) {
      char *t = line;
      while (*t == ' ' || *t == '\t') t++;
      if (strncmp(t, victim, TRIN_KEY_Z85_LEN) == 0 &&
          (t[TRIN_KEY_Z85_LEN] == ' ' || t[TRIN_KEY_Z85_LEN] == '\t' ||
           t[TRIN_KEY_Z85_LEN] == '\0'))
        continue;
      size_t l = strlen(line);
      memcpy(out + k, line, l);
      k += l;
      out[k++] = '\n';
    }
    if (!rc) rc = rewrite_atomic(path, out, k, st.st_mode & 0777, err);
  }
  free(out);
  free(arr);
  free(text);
  unlock_dir(lock);
  return rc;
}

/* ---- sockets ------------------------------------------------------------------ */

int trin_keys_set_server(void *socket, const trin_keypair_t *kp, const char *zap_domain,
                         trin_err_t *err) {
  int one = 1;
  if (zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
      zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, kp->secret_z85, TRIN_KEY_Z85_LEN + 1) != 0 ||
      (zap_domain &&
       zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, zap_domain, strlen(zap_domain)) != 0))
    return trin_err_set(err, TRIN_EINVALID, "",
                        "cannot make the socket a CURVE server: %s (is the secret key valid?)",
                        zmq_strerror(errno));
  return TRIN_OK;
}

int trin_keys_set_client(void *socket, const trin_curve_client_t *curve, trin_err_t *err) {
  if (!curve->own || !trin_keys_valid_z85(curve->server_public_z85))
    return trin_err_set(err, TRIN_EINVALID, "",
                        "a CURVE connection needs our key pair and the service's public key");
  if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, curve->server_public_z85,
                     TRIN_KEY_Z85_LEN + 1) != 0 ||
      zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, curve->own->public_z85,
                     TRIN_KEY_Z85_LEN + 1) != 0 ||
      zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, curve->own->secret_z85,
                     TRIN_KEY_Z85_LEN + 1) != 0)
    return trin_err_set(err, TRIN_EINVALID, "", "cannot set the socket's CURVE keys: %s",
                        zmq_strerror(errno));
  return TRIN_OK;
}
