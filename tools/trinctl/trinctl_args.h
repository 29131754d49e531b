/* trinctl_args — command-line parsing for trinctl: global options, and each
 * command's options declared as a table (--flag value / --flag=value,
 * required or optional) and checked early — amounts as people type them,
 * ISO dates, numbers, the proto's enumeration words — so a typo is a usage
 * error naming the option, not a round trip to the service. */
#ifndef TRINCTL_ARGS_H
#define TRINCTL_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trin_err.h"

struct trinctl_cmd;

typedef enum {
  TRINCTL_OPT_TEXT,   /* passed through; the service checks ids and texts */
  TRINCTL_OPT_INT,    /* a whole number within [min, max] */
  TRINCTL_OPT_MONEY,  /* kroner as typed ("1.234.567,89") -> øre */
  TRINCTL_OPT_DATE,   /* YYYY-MM-DD */
  TRINCTL_OPT_CHOICE, /* one of choices */
  TRINCTL_OPT_FLAG,   /* no value */
} trinctl_opt_kind_t;

typedef struct {
  const char *name;      /* without the leading "--"; NULL ends a table */
  trinctl_opt_kind_t kind;
  bool required;
  const char *field;     /* the request field it fills, e.g.
                            "partnership.framework_start" */
  const char *metavar;   /* shown in help; NULL = from the kind */
  const char *help;
  const char *const *choices; /* CHOICE: NULL-terminated */
  int64_t min, max;      /* INT */
} trinctl_opt_t;

/* Options that apply to every command; accepted before the group and
 * anywhere after it. */
typedef struct {
  const char *endpoint;
  bool json;
  int timeout_ms;
  bool help;
  /* CURVE (trinctl_key.h): own key pair file, the service's public key (a
   * .pub file or 40 Z85 characters), or a folder of SERVICE.pub files. */
  const char *key;
  const char *server_key;
  const char *peer_keys;
} trinctl_globals_t;

/* Room for the longest command's options (partnership create has 12). */
#define TRINCTL_MAX_OPTS 24

typedef struct {
  bool given;
  const char *text;  /* as typed (points into argv) */
  int64_t num;       /* INT: the number; MONEY: øre */
} trinctl_val_t;

typedef struct {
  const struct trinctl_cmd *cmd;
  const char *arg;   /* the positional argument, or NULL */
  trinctl_val_t vals[TRINCTL_MAX_OPTS];
} trinctl_args_t;

/* If argv[*i] is a global option, applies it to g, advances *i past its
 * value and returns 1; returns 0 when it is not a global option, or -1
 * (err filled) when it is one with a bad or missing value. */
int trinctl_globals_take(trinctl_globals_t *g, int argc, char **argv, int *i,
                         trin_err_t *err);

/* Parses a command's arguments (everything after its verb). Global options
 * met on the way go to g. On a usage error returns TRIN_EINVALID with err
 * naming the option in `field` (the request field it fills). When --help is
 * met, g->help is set and the remaining arguments are not checked. */
int trinctl_args_parse(const struct trinctl_cmd *cmd, int argc, char **argv,
                       trinctl_globals_t *g, trinctl_args_t *out,
                       trin_err_t *err);

/* Accessors by option name (as declared, without "--"). A name the command
 * does not declare is a bug in the command table: it reads as not given. */
const char *trinctl_args_str(const trinctl_args_t *a, const char *name); /* "" */
bool trinctl_args_has(const trinctl_args_t *a, const char *name);
int64_t trinctl_args_num(const trinctl_args_t *a, const char *name);  /* 0 */

/* "usage: trinctl project advance ID --to STAGE ..." and one line per
 * option. */
void trinctl_args_usage(FILE *f, const struct trinctl_cmd *cmd, bool detail);


/* Shorthands for the command files' option tables (one option per line,
 * a table ends with TRINCTL_END). */
#define OPT_TEXT(n, req, fld, mv, h) \
  {.name = n, .kind = TRINCTL_OPT_TEXT, .required = req, .field = fld, .metavar = mv, .help = h}
#define OPT_DATE(n, req, fld, h) \
  {.name = n, .kind = TRINCTL_OPT_DATE, .required = req, .field = fld, .help = h}
#define OPT_MONEY(n, req, fld, h) \
  {.name = n, .kind = TRINCTL_OPT_MONEY, .required = req, .field = fld, .help = h}
#define OPT_INT(n, req, fld, lo, hi, h)                                          \
  {.name = n, .kind = TRINCTL_OPT_INT, .required = req, .field = fld, .min = lo, \
   .max = hi, .help = h}
#define OPT_CHOICE(n, req, fld, mv, list, h)                             \
  {.name = n, .kind = TRINCTL_OPT_CHOICE, .required = req, .field = fld, \
   .metavar = mv, .choices = list, .help = h}
#define OPT_FLAG(n, fld, h) {.name = n, .kind = TRINCTL_OPT_FLAG, .field = fld, .help = h}
#define OPT_END {.name = NULL}

#endif
