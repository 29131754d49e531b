/* trinctl_args — see trinctl_args.h. */
#include "trinctl_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trin_date.h"
#include "trin_money.h"
#include "trinctl.h"

/* Splits "--name=value" / "--name": *name_len is the length of the name
 * after the dashes, *value the text after '=' or NULL. */
static void split_option(const char *s, const char **name, size_t *name_len,
                         const char **value) {
  const char *n = s + (s[1] == '-' ? 2 : 1);
  const char *eq = strchr(n, '=');
  *name = n;
  *name_len = eq ? (size_t)(eq - n) : strlen(n);
  *value = eq ? eq + 1 : NULL;
}

static bool name_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && strncmp(name, want, len) == 0;
}

/* The value of a value-taking option: after '=' or the next argument. */
static int option_value(int argc, char **argv, int *i, const char *value,
                        const char *opt, const char *metavar,
                        const char *field, const char **out, trin_err_t *err) {
  if (value) {
    *out = value;
    return TRIN_OK;
  }
  if (*i + 1 >= argc)
    return trin_err_set(err, TRIN_EINVALID, field, "--%s needs a value (%s)",
                        opt, metavar);
  *out = argv[++*i];
  return TRIN_OK;
}

/* Whole number in [min, max]; the message names the option. */
static int parse_int(const char *text, int64_t min, int64_t max,
                     const char *opt, const char *field, int64_t *out,
                     trin_err_t *err) {
  errno = 0;
  char *end = NULL;
  long long v = strtoll(text, &end, 10);
  if (!*text || *end || errno == ERANGE || end == text)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "--%s: '%.40s' is not a whole number", opt, text);
  if (v < min || v > max)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "--%s: %lld is outside %lld–%lld", opt, v,
                        (long long)min, (long long)max);
  *out = v;
  return TRIN_OK;
}

/* A global option holding a path or a key: 1 when taken, -1 on a missing or
 * empty value. */
static int path_value(int argc, char **argv, int *i, const char *value, const char *opt,
                      const char *metavar, const char **out, trin_err_t *err) {
  char field[32];
  snprintf(field, sizeof field, "--%s", opt);
  if (option_value(argc, argv, i, value, opt, metavar, field, out, err)) return -1;
  if (!**out) {
    trin_err_set(err, TRIN_EINVALID, field, "%s must not be empty", field);
    return -1;
  }
  return 1;
}

int trinctl_globals_take(trinctl_globals_t *g, int argc, char **argv, int *i,
                         trin_err_t *err) {
  const char *s = argv[*i], *name, *value;
  size_t len;
  if (s[0] != '-') return 0;
  if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
    g->help = true;
    return 1;
  }
  if (s[1] != '-') return 0;
  split_option(s, &name, &len, &value);
  if (name_is(name, len, "json")) {
    if (value) {
      trin_err_set(err, TRIN_EINVALID, "--json", "--json takes no value");
      return -1;
    }
    g->json = true;
    return 1;
  }
  if (name_is(name, len, "endpoint")) {
    if (option_value(argc, argv, i, value, "endpoint", "EP", "--endpoint",
                     &g->endpoint, err))
      return -1;
    if (!*g->endpoint) {
      trin_err_set(err, TRIN_EINVALID, "--endpoint", "--endpoint must not be empty");
      return -1;
    }
    return 1;
  }
  /* The CURVE options: paths or keys, passed on as typed (trinctl_key.c
   * reads them only when a command goes to a service). */
  if (name_is(name, len, "key"))
    return path_value(argc, argv, i, value, "key", "FILE", &g->key, err);
  if (name_is(name, len, "server-key"))
    return path_value(argc, argv, i, value, "server-key", "PUB_OR_FILE", &g->server_key, err);
  if (name_is(name, len, "peer-keys"))
    return path_value(argc, argv, i, value, "peer-keys", "DIR", &g->peer_keys, err);
  if (name_is(name, len, "timeout")) {
    const char *t = NULL;
    int64_t ms;
    if (option_value(argc, argv, i, value, "timeout", "MS", "--timeout", &t, err) ||
        parse_int(t, 1, 3600000, "timeout", "--timeout", &ms, err))
      return -1;
    g->timeout_ms = (int)ms;
    return 1;
  }
  return 0;
}

static const char *metavar_of(const trinctl_opt_t *o) {
  if (o->metavar) return o->metavar;
  switch (o->kind) {
    case TRINCTL_OPT_INT: return "N";
    case TRINCTL_OPT_MONEY: return "KR";
    case TRINCTL_OPT_DATE: return "DATE";
    case TRINCTL_OPT_CHOICE: return "WORD";
    case TRINCTL_OPT_FLAG: return "";
    case TRINCTL_OPT_TEXT: break;
  }
  return "TEXT";
}

/* Writes "a, b, c" into buf. */
static void join_choices(const char *const *choices, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (size_t k = 0; choices[k] && n < size; k++)
    n += (size_t)snprintf(buf + n, size - n, "%s%s", k ? ", " : "", choices[k]);
}

/* Checks and converts one value; fills v. */
static int take_value(const trinctl_opt_t *o, const char *text,
                      trinctl_val_t *v, trin_err_t *err) {
  v->given = true;
  v->text = text;
  switch (o->kind) {
    case TRINCTL_OPT_TEXT:
    case TRINCTL_OPT_FLAG:
      break;
    case TRINCTL_OPT_INT:
      return parse_int(text, o->min, o->max, o->name, o->field, &v->num, err);
    case TRINCTL_OPT_MONEY:
    case TRINCTL_OPT_DATE: {
      trin_err_t e;
      trin_err_clear(&e);
      int rc;
      if (o->kind == TRINCTL_OPT_MONEY) {
        rc = trin_money_parse(text, &v->num, o->field, &e);
      } else {
        trin_date_t d;
        rc = trin_date_parse(text, &d, o->field, &e);
      }
      if (rc) return trin_err_set(err, rc, o->field, "--%s: %s", o->name, e.message);
      break;
    }
    case TRINCTL_OPT_CHOICE: {
      for (size_t k = 0; o->choices[k]; k++)
        if (strcmp(o->choices[k], text) == 0) return TRIN_OK;
      char list[256];
      join_choices(o->choices, list, sizeof list);
      return trin_err_set(err, TRIN_EINVALID, o->field,
                          "--%s: '%.40s' is not one of: %s", o->name, text, list);
    }
  }
  return TRIN_OK;
}

static const char *command_name(const trinctl_cmd_t *cmd, char *buf, size_t size) {
  snprintf(buf, size, "%s%s%s", cmd->group, cmd->verb ? " " : "",
           cmd->verb ? cmd->verb : "");
  return buf;
}

int trinctl_args_parse(const trinctl_cmd_t *cmd, int argc, char **argv,
                       trinctl_globals_t *g, trinctl_args_t *out,
                       trin_err_t *err) {
  memset(out, 0, sizeof *out);
  out->cmd = cmd;
  char cname[64];
  command_name(cmd, cname, sizeof cname);
  size_t nopts = 0;
  while (cmd->opts && cmd->opts[nopts].name) nopts++;
  if (nopts > TRINCTL_MAX_OPTS)
    return trin_err_set(err, TRIN_EINTERNAL, "",
                        "'%s' declares more than %d options", cname, TRINCTL_MAX_OPTS);

  /* Help wins over everything else on the line: someone asking for it is
   * usually in the middle of getting the options wrong. */
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      g->help = true;
      return TRIN_OK;
    }
  }

  bool options_done = false;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (!options_done && strcmp(s, "--") == 0) {
      options_done = true;
      continue;
    }
    if (options_done || s[0] != '-' || s[1] == '\0') {
      if (!cmd->arg_name || out->arg)
        return trin_err_set(err, TRIN_EINVALID, "",
                            "unexpected argument '%.60s' for '%s'", s, cname);
      out->arg = s;
      continue;
    }
    int rc = trinctl_globals_take(g, argc, argv, &i, err);
    if (rc == 1) continue;
    if (rc < 0) return TRIN_EINVALID;

    const char *name, *value;
    size_t len;
    split_option(s, &name, &len, &value);
    size_t k = 0;
    while (cmd->opts && cmd->opts[k].name && !name_is(name, len, cmd->opts[k].name))
      k++;
    if (!cmd->opts || !cmd->opts[k].name)
      return trin_err_set(err, TRIN_EINVALID, "",
                          "unknown option '%.60s' for '%s' (see trinctl %s --help)",
                          s, cname, cname);
    const trinctl_opt_t *o = &cmd->opts[k];
    if (out->vals[k].given)
      return trin_err_set(err, TRIN_EINVALID, o->field, "--%s is given twice",
                          o->name);
    if (o->kind == TRINCTL_OPT_FLAG) {
      if (value)
        return trin_err_set(err, TRIN_EINVALID, o->field,
                            "--%s takes no value", o->name);
      out->vals[k].given = true;
      out->vals[k].text = "";
      continue;
    }
    const char *text = NULL;
    if ((rc = option_value(argc, argv, &i, value, o->name, metavar_of(o),
                           o->field, &text, err)))
      return rc;
    if (o->required && !*text)
      return trin_err_set(err, TRIN_EINVALID, o->field, "--%s must not be empty",
                          o->name);
    if ((rc = take_value(o, text, &out->vals[k], err))) return rc;
  }

  if (cmd->arg_name && cmd->arg_name[0] != '[' && (!out->arg || !*out->arg))
    return trin_err_set(err, TRIN_EINVALID, cmd->arg_field,
                        "missing %s (usage: trinctl %s %s ...)", cmd->arg_name,
                        cname, cmd->arg_name);
  for (size_t k = 0; cmd->opts && cmd->opts[k].name; k++) {
    const trinctl_opt_t *o = &cmd->opts[k];
    if (o->required && !out->vals[k].given)
      return trin_err_set(err, TRIN_EINVALID, o->field,
                          "missing required option --%s %s", o->name,
                          metavar_of(o));
  }
  return TRIN_OK;
}

static const trinctl_val_t *find(const trinctl_args_t *a, const char *name) {
  for (size_t k = 0; a->cmd->opts && a->cmd->opts[k].name; k++)
    if (strcmp(a->cmd->opts[k].name, name) == 0) return &a->vals[k];
  return NULL;
}

const char *trinctl_args_str(const trinctl_args_t *a, const char *name) {
  const trinctl_val_t *v = find(a, name);
  return v && v->given ? v->text : "";
}

bool trinctl_args_has(const trinctl_args_t *a, const char *name) {
  const trinctl_val_t *v = find(a, name);
  return v && v->given;
}

int64_t trinctl_args_num(const trinctl_args_t *a, const char *name) {
  const trinctl_val_t *v = find(a, name);
  return v && v->given ? v->num : 0;
}

/* Appends word to a usage line, wrapping before 79 columns. */
static void usage_word(FILE *f, size_t *col, const char *word) {
  size_t n = strlen(word);
  if (*col + 1 + n > 79) {
    fputs("\n   ", f);
    *col = 3;
  }
  fprintf(f, " %s", word);
  *col += 1 + n;
}

/* Writes text from column col, wrapping at word boundaries before 79
 * columns onto lines indented by `indent`. */
static void wrap_text(FILE *f, const char *text, size_t col, size_t indent) {
  const char *p = text;
  while (*p) {
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ");
    if (n == 0) break;
    if (col > indent && col + 1 + n > 79) {
      fprintf(f, "\n%*s", (int)indent, "");
      col = indent;
    } else if (col > indent) {
      fputc(' ', f);
      col++;
    }
    fwrite(p, 1, n, f);
    /* Columns, not bytes: "ø" and "–" are one each. */
    for (size_t k = 0; k < n; k++)
      if (((unsigned char)p[k] & 0xc0) != 0x80) col++;
    p += n;
  }
}

void trinctl_args_usage(FILE *f, const trinctl_cmd_t *cmd, bool detail) {
  char cname[64], word[96];
  command_name(cmd, cname, sizeof cname);
  size_t col = (size_t)fprintf(f, "  trinctl %s", cname);
  if (cmd->arg_name) usage_word(f, &col, cmd->arg_name);
  for (size_t k = 0; cmd->opts && cmd->opts[k].name; k++) {
    const trinctl_opt_t *o = &cmd->opts[k];
    const char *mv = metavar_of(o);
    snprintf(word, sizeof word, "%s--%s%s%s%s", o->required ? "" : "[", o->name,
             *mv ? " " : "", mv, o->required ? "" : "]");
    usage_word(f, &col, word);
  }
  fputc('\n', f);
  if (!detail) return;
  fprintf(f, "\n%s\n", cmd->summary);
  if (!cmd->arg_name && !(cmd->opts && cmd->opts[0].name)) return;
  fputc('\n', f);
  char text[512];
  if (cmd->arg_name) {
    fprintf(f, "  %-24s ", cmd->arg_name);
    snprintf(text, sizeof text, "%s (%s)", cmd->arg_help,
             cmd->arg_name[0] == '[' ? "optional" : "required");
    wrap_text(f, text, 27, 27);
    fputc('\n', f);
  }
  for (size_t k = 0; cmd->opts && cmd->opts[k].name; k++) {
    const trinctl_opt_t *o = &cmd->opts[k];
    const char *mv = metavar_of(o);
    snprintf(word, sizeof word, "--%s%s%s", o->name, *mv ? " " : "", mv);
    /* An option name longer than its column gets a line of its own. */
    if (strlen(word) > 24) fprintf(f, "  %s\n%27s", word, "");
    else fprintf(f, "  %-24s ", word);
    size_t n = (size_t)snprintf(text, sizeof text, "%s%s", o->help,
                                o->required ? " (required)" : "");
    if (o->kind == TRINCTL_OPT_CHOICE && n < sizeof text) {
      char list[256];
      join_choices(o->choices, list, sizeof list);
      snprintf(text + n, sizeof text - n, "; one of: %s", list);
    }
    wrap_text(f, text, 27, 27);
    fputc('\n', f);
  }
}
