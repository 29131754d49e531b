/* trin_config — see trin_config.h. */
#include "trin_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trin_log.h"

struct trin_config {
  const trin_config_key_t *keys;
  int nkeys;
  char **values; /* per key: owned copy, or NULL = use default */
  bool *warned;  /* per key: the secret-on-the-command-line warning was logged */
  char prefix[32];
};

trin_config_t *trin_config_new(const trin_config_key_t *keys, int nkeys) {
  trin_config_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->values = calloc((size_t)nkeys + 1, sizeof *c->values);
  c->warned = calloc((size_t)nkeys + 1, sizeof *c->warned);
  if (!c->values || !c->warned) {
    free(c->values);
    free(c->warned);
    free(c);
    return NULL;
  }
  c->keys = keys;
  c->nkeys = nkeys;
  return c;
}

void trin_config_destroy(trin_config_t **cfg) {
  if (!cfg || !*cfg) return;
  for (int i = 0; i < (*cfg)->nkeys; i++) free((*cfg)->values[i]);
  free((*cfg)->values);
  free((*cfg)->warned);
  free(*cfg);
  *cfg = NULL;
}

static int find(const trin_config_t *c, const char *key) {
  for (int i = 0; i < c->nkeys; i++)
    if (strcmp(c->keys[i].key, key) == 0) return i;
  return -1;
}

static bool is_secret(const trin_config_key_t *k) {
  return k->help && strncmp(k->help, TRIN_CONFIG_SECRET, strlen(TRIN_CONFIG_SECRET)) == 0;
}

/* The secret whose `<key>-file` form key is, or -1. */
static int find_file_form(const trin_config_t *c, const char *key) {
  size_t n = strlen(key);
  if (n <= 5 || strcmp(key + n - 5, "-file") != 0) return -1;
  for (int i = 0; i < c->nkeys; i++)
    if (is_secret(&c->keys[i]) && strlen(c->keys[i].key) == n - 5 &&
        strncmp(c->keys[i].key, key, n - 5) == 0)
      return i;
  return -1;
}

/* The first line of path, without its line end. The mode is the opened
 * file's, so a file swapped after the check is still the one checked. Group
 * may read it: systemd installs keep secrets 0640 root:trin. */
static int read_secret(const char *key, const char *path, char **out, trin_err_t *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return trin_err_set(err, TRIN_EIO, key, "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return trin_err_set(err, TRIN_EIO, key, "cannot read %s: %s", path, strerror(e));
  }
  if (st.st_mode & 006) {
    close(fd);
    return trin_err_set(err, TRIN_EFORBIDDEN, key,
                        "%s holds a secret but others may read or change it (mode %04o); "
                        "run `chmod 600 %s`",
                        path, (unsigned)(st.st_mode & 07777), path);
  }
  FILE *f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return trin_err_set(err, TRIN_EINTERNAL, key, "out of memory");
  }
  char *line = NULL;
  size_t cap = 0;
  errno = 0;
  ssize_t n = getline(&line, &cap, f);
  int e = errno, failed = n < 0 && ferror(f);
  fclose(f);
  if (failed) {
    free(line);
    return trin_err_set(err, TRIN_EIO, key, "cannot read %s: %s", path, strerror(e));
  }
  if (n < 0) n = 0;
  while (n > 0 && isspace((unsigned char)line[n - 1])) n--;
  if (n == 0) {
    free(line);
    return trin_err_set(err, TRIN_EINVALID, key,
                        "%s is empty: its first line must be the secret", path);
  }
  line[n] = '\0';
  *out = line;
  return TRIN_OK;
}

int trin_config_set(trin_config_t *c, const char *key, const char *value,
                    trin_err_t *err) {
  int i = find(c, key);
  if (i < 0) {
    int s = find_file_form(c, key);
    if (s < 0)
      return trin_err_set(err, TRIN_EINVALID, key,
                          "'%s' is not a setting of this program (see --help)", key);
    char *secret = NULL;
    int rc = read_secret(key, value, &secret, err);
    if (rc) return rc;
    free(c->values[s]);
    c->values[s] = secret;
    return TRIN_OK;
  }
  char *v = strdup(value);
  if (!v) return trin_err_set(err, TRIN_EINTERNAL, key, "out of memory");
  free(c->values[i]);
  c->values[i] = v;
  return TRIN_OK;
}

const char *trin_config_get(const trin_config_t *c, const char *key) {
  int i = find(c, key);
  if (i < 0) return NULL;
  return c->values[i] ? c->values[i] : c->keys[i].default_value;
}

int trin_config_get_int(const trin_config_t *c, const char *key, int64_t min,
                        int64_t max, int64_t *out, trin_err_t *err) {
  const char *v = trin_config_get(c, key);
  if (!v || !*v) return trin_err_set(err, TRIN_EINVALID, key, "is not set");
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || *end || end == v)
    return trin_err_set(err, TRIN_EINVALID, key, "'%s' is not a whole number", v);
  if (n < min || n > max)
    return trin_err_set(err, TRIN_EINVALID, key,
                        "%lld is outside the allowed range %lld..%lld", n,
                        (long long)min, (long long)max);
  *out = n;
  return TRIN_OK;
}

int trin_config_get_bool(const trin_config_t *c, const char *key, bool *out,
                         trin_err_t *err) {
  const char *v = trin_config_get(c, key);
  if (!v) return trin_err_set(err, TRIN_EINVALID, key, "is not set");
  if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) {
    *out = true;
  } else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") ||
             !strcmp(v, "off") || !*v) {
    *out = false;
  } else {
    return trin_err_set(err, TRIN_EINVALID, key, "'%s' is not true or false", v);
  }
  return TRIN_OK;
}

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

int trin_config_load_file(trin_config_t *c, const char *path, trin_err_t *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return trin_err_set(err, TRIN_EIO, "config", "cannot open %s: %s", path,
                        strerror(errno));
  char line[1024];
  int lineno = 0, rc = TRIN_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *s = trim(line);
    if (*s == '\0' || *s == '#') continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = trin_err_set(err, TRIN_EINVALID, "config",
                        "%s line %d: expected 'key = value'", path, lineno);
      break;
    }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    size_t vl = strlen(val);
    if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
      val[vl - 1] = '\0';
      val++;
    }
    rc = trin_config_set(c, key, val, err);
    if (rc) {
      char msg[TRIN_ERR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%s line %d: %s", path, lineno, err ? err->message : "");
      trin_err_set(err, rc, key, "%s", msg);
      break;
    }
  }
  fclose(f);
  return rc;
}

void trin_config_set_env_prefix(trin_config_t *c, const char *prefix) {
  size_t o = 0;
  for (const char *p = prefix ? prefix : ""; *p && o + 1 < sizeof c->prefix; p++)
    c->prefix[o++] = (*p == '.' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
  c->prefix[o] = '\0';
}

static void env_name(const char *prefix, const char *key, char *out, size_t n) {
  size_t o = (size_t)snprintf(out, n, prefix && *prefix ? "TRIN_%s_" : "TRIN_%s", prefix ? prefix : "");
  for (const char *k = key; *k && o + 1 < n; k++)
    out[o++] = (*k == '.' || *k == '-') ? '_' : (char)toupper((unsigned char)*k);
  out[o] = '\0';
}

int trin_config_load(trin_config_t *c, int argc, char **argv,
                     bool *help_requested, trin_err_t *err) {
  *help_requested = false;
  /* The file first, wherever --config stands, so flags override it. */
  const char *file = getenv("TRIN_CONFIG");
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--config=", 9) == 0) file = argv[i] + 9;
    else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) file = argv[i + 1];
  }
  int rc;
  if (file && *file && (rc = trin_config_load_file(c, file, err))) return rc;

  /* Per key the first of TRIN_<PREFIX>_<KEY>, TRIN_<PREFIX>_<KEY>_FILE (a
   * secret's), TRIN_<KEY>, TRIN_<KEY>_FILE. */
  for (int i = 0; i < c->nkeys; i++) {
    char file_key[128];
    snprintf(file_key, sizeof file_key, "%s-file", c->keys[i].key);
    const char *forms[2] = {c->keys[i].key, is_secret(&c->keys[i]) ? file_key : NULL};
    bool done = false;
    for (int p = c->prefix[0] ? 0 : 1; p < 2 && !done; p++) {
      for (int f = 0; f < 2 && forms[f] && !done; f++) {
        char name[160];
        env_name(p == 0 ? c->prefix : NULL, forms[f], name, sizeof name);
        const char *v = getenv(name);
        if (!v) continue;
        if ((rc = trin_config_set(c, forms[f], v, err))) return rc;
        done = true;
      }
    }
  }

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      *help_requested = true;
      continue;
    }
    if (strncmp(a, "--", 2) != 0)
      return trin_err_set(err, TRIN_EINVALID, a,
                          "unexpected argument '%s' (settings are --key=value)", a);
    char key[128];
    const char *val;
    const char *eq = strchr(a + 2, '=');
    if (eq) {
      snprintf(key, sizeof key, "%.*s", (int)(eq - a - 2), a + 2);
      val = eq + 1;
    } else {
      snprintf(key, sizeof key, "%s", a + 2);
      if (i + 1 >= argc)
        return trin_err_set(err, TRIN_EINVALID, key, "--%s needs a value", key);
      val = argv[++i];
    }
    if (strcmp(key, "config") == 0) continue;
    if ((rc = trin_config_set(c, key, val, err))) return rc;
    int k = find(c, key);
    if (k >= 0 && is_secret(&c->keys[k]) && !c->warned[k]) {
      char env[160];
      env_name(c->prefix, key, env, sizeof env);
      trin_log_warn("--%s: a secret on the command line is shown to every local user by ps; "
                    "give it by --%s-file FILE (mode 600) or %s instead",
                    key, key, env);
      c->warned[k] = true;
    }
  }
  return TRIN_OK;
}

void trin_config_print_help(const trin_config_t *c) {
  printf("  --config FILE   read 'key = value' settings from FILE\n");
  for (int i = 0; i < c->nkeys; i++) {
    char env[160];
    env_name(c->prefix, c->keys[i].key, env, sizeof env);
    bool secret = is_secret(&c->keys[i]);
    const char *help = c->keys[i].help ? c->keys[i].help : "";
    if (secret) help += strlen(TRIN_CONFIG_SECRET);
    printf("  --%-20s %s\n  %-22s   (default: %s; environment %s)\n",
           c->keys[i].key, help, "",
           c->keys[i].default_value ? c->keys[i].default_value : "none", env);
    if (secret)
      printf("  %-22s   secret: give it by --%s-file FILE (mode 600) or the environment "
             "(%s or %s_FILE), not on the command line (ps shows arguments)\n",
             "", c->keys[i].key, env, env);
  }
}
