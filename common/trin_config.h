/* trin_config — a service's settings from, in rising precedence: built-in
 * defaults, a `key = value` file (--config FILE or TRIN_CONFIG), environment
 * variables TRIN_<KEY> (upper case, '.' and '-' as '_'), and command-line
 * flags --key=value or --key value. Endpoints live here, never in code.
 *
 * Secrets (tokens) must not be given as flags: every local user sees a
 * process's arguments with ps. A secret setting is marked by starting its help
 * with TRIN_CONFIG_SECRET; it then also accepts `<key>-file = PATH` (in the
 * file, as TRIN_<KEY>_FILE or as --<key>-file): the first line of PATH is the
 * secret, and PATH must not be readable by others (mode 600, or 640 with the
 * service's group). A secret given as a flag still works but is logged as a
 * warning; --help says how to give it instead. */
#ifndef TRIN_CONFIG_H
#define TRIN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "trin_err.h"

typedef struct trin_config trin_config_t;

/* Starts the help of a secret setting: {"token", "", TRIN_CONFIG_SECRET "the
 * operator's token"}. --help prints the help without it and says how to give
 * the secret. */
#define TRIN_CONFIG_SECRET "secret: "

/* One known key: its default and a line of help. Unknown keys in a file or
 * on the command line are an error, so a typo never silently does nothing. */
typedef struct {
  const char *key;
  const char *default_value; /* NULL = no default */
  const char *help;
} trin_config_key_t;

/* keys must outlive the config (a static table). Returns NULL on OOM. */
trin_config_t *trin_config_new(const trin_config_key_t *keys, int nkeys);
void trin_config_destroy(trin_config_t **cfg);

/* Environment variables are looked up as TRIN_<PREFIX>_<KEY> first, then
 * TRIN_<KEY>, so several services started from one shell can be told apart
 * (TRIN_LIFECYCLE_ENDPOINT is also what trinctl reads). prefix is copied. */
void trin_config_set_env_prefix(trin_config_t *cfg, const char *prefix);

/* Reads file (if given by --config or TRIN_CONFIG), environment and argv.
 * argv[0] is skipped; `--help` sets *help_requested. */
int trin_config_load(trin_config_t *cfg, int argc, char **argv,
                     bool *help_requested, trin_err_t *err);
/* Reads one file now (also used by trin_config_load). */
int trin_config_load_file(trin_config_t *cfg, const char *path, trin_err_t *err);
/* Sets a key as a flag would. For a secret's `<key>-file`, value is the path
 * and the file is read now: TRIN_EIO when it cannot be read, TRIN_EFORBIDDEN
 * when others may read it (the message says the chmod that fixes it),
 * TRIN_EINVALID when its first line is empty. */
int trin_config_set(trin_config_t *cfg, const char *key, const char *value,
                    trin_err_t *err);

/* The value (owned by cfg, valid until the key is set again or cfg is
 * destroyed), or NULL when neither set nor defaulted. */
const char *trin_config_get(const trin_config_t *cfg, const char *key);
int trin_config_get_int(const trin_config_t *cfg, const char *key, int64_t min,
                        int64_t max, int64_t *out, trin_err_t *err);
int trin_config_get_bool(const trin_config_t *cfg, const char *key, bool *out,
                         trin_err_t *err);

/* Prints "  --key  (default ...)  help" lines to stdout. */
void trin_config_print_help(const trin_config_t *cfg);

#endif
