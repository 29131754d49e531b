/* trinctl_main — the command-line client for trin's services: the dispatch
 * table (one line a service), global options, finding the command, help, and
 * turning failures into a message on stderr (and JSON on stdout with --json)
 * plus an exit code. It only wires: the commands live in trinctl_<group>.c,
 * the connection to a service in trinctl.c. */
#include <stdlib.h>
#include <string.h>

#include "trinctl.h"
#include "trinctl_audit.h"
#include "trinctl_benchmark.h"
#include "trinctl_budget.h"
#include "trinctl_key.h"
#include "trinctl_lifecycle.h"
#include "trinctl_print.h"
#include "trinctl_survey.h"
#include "trinctl_token.h"

#ifndef TRINCTL_VERSION
#define TRINCTL_VERSION "unknown"
#endif

/* --------------------------------------------------------- dispatch table */

/* Each service's commands, and where that service listens unless
 * --endpoint says otherwise. A service adds one line here. */
static const trinctl_service_t services[] = {
    {"lifecycle", TRINCTL_ENDPOINT_ENV, TRINCTL_DEFAULT_ENDPOINT, trinctl_lifecycle_cmds},
    {"budget", "TRIN_BUDGET_ENDPOINT", "tcp://127.0.0.1:5711", trinctl_budget_cmds},
    {"survey", "TRIN_SURVEY_ENDPOINT", "tcp://127.0.0.1:5721", trinctl_survey_cmds},
    {"benchmark", "TRIN_BENCHMARK_ENDPOINT", "tcp://127.0.0.1:5731", trinctl_benchmark_cmds},
    {"token", TRINCTL_TOKEN_ENDPOINT_ENV, TRINCTL_TOKEN_DEFAULT_ENDPOINT, trinctl_token_cmds},
    {"key", NULL, NULL, trinctl_key_cmds},  /* files only: no service */
    {"audit", NULL, NULL, trinctl_audit_cmds},  /* its --service picks the endpoint */
};
#define NSERVICES (sizeof services / sizeof *services)

#define FOR_EACH_CMD(c)                                                   \
  for (size_t t_ = 0; t_ < NSERVICES; t_++)                               \
    for (const trinctl_cmd_t *c = services[t_].cmds; c->group; c++)

static const trinctl_service_t *service_of(const trinctl_cmd_t *cmd) {
  for (size_t t = 0; t < NSERVICES; t++)
    for (const trinctl_cmd_t *c = services[t].cmds; c->group; c++)
      if (c == cmd) return &services[t];
  return &services[0];
}

/* ------------------------------------------------------------------- help */

static void endpoints_usage(FILE *f) {
  fprintf(f, "\nEndpoints (--endpoint overrides the one the command goes to):\n");
  for (size_t t = 0; t < NSERVICES; t++)
    if (services[t].endpoint_env)
      fprintf(f, "  %-10s $%s, else %s\n", services[t].name, services[t].endpoint_env,
              services[t].default_endpoint);
  fprintf(f,
          "\nKeys (CURVE; the same for every command that talks to a service):\n"
          "  --key FILE             this client's key pair (trinctl key new), registered\n"
          "                         at the service; env TRIN_KEY\n"
          "  --server-key PUB_OR_FILE  the service's public key (its KEY.pub or 40 Z85\n"
          "                         characters); env TRIN_SERVER_KEY\n"
          "  --peer-keys DIR        instead of --server-key: DIR/<service>.pub for the\n"
          "                         command's service; env TRIN_PEER_KEYS\n"
          "  Without a key trinctl talks plain, which a service with CURVE refuses\n"
          "  (exit 3), as it does a key not in its registry.\n");
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: trinctl [--endpoint EP] [--key FILE [--server-key PUB | --peer-keys DIR]]\n"
          "               [--json] [--timeout MS] <group> [<verb>] [ARG] [--options]\n"
          "\n"
          "The command-line client for trin's services: organisations,\n"
          "partnerships, projects and their stages, pauses, milestones, disputes\n"
          "and defects (lifecycle), and what later services add.\n"
          "\n"
          "Global options (before the group or anywhere after it):\n"
          "  --endpoint EP   the endpoint of the command's service (defaults below)\n"
          "  --json          print JSON on stdout for scripts: one object, or an\n"
          "                  array for lists; field names as in the .proto files,\n"
          "                  money in integer øre (`*_ore`)\n"
          "  --timeout MS    how long to wait for an answer (default %d)\n"
          "  --help          this text; `trinctl <group> --help` for a group,\n"
          "                  `trinctl <group> <verb> --help` for one command\n"
          "  --version       trinctl's version\n"
          "\n"
          "Commands:\n",
          TRINCTL_DEFAULT_TIMEOUT_MS);
  FOR_EACH_CMD(c) trinctl_args_usage(f, c, false);
  endpoints_usage(f);
  fprintf(f,
          "\n"
          "Amounts are kroner as people write them: 2500000, 2.500.000, 12,5,\n"
          "1.234.567,89. Dates are YYYY-MM-DD.\n"
          "\n"
          "Exit status: 0 done; 1 the service refused (invalid, not found,\n"
          "conflict, forbidden, ...); 2 usage error; 3 no answer in time, the\n"
          "connection refused our key, or an I/O error.\n");
}

static void group_usage(FILE *f, const char *group) {
  bool first = true;
  FOR_EACH_CMD(c) {
    if (strcmp(c->group, group) != 0) continue;
    if (!first) fputc('\n', f);
    first = false;
    trinctl_args_usage(f, c, true);
  }
}

static bool group_exists(const char *group) {
  FOR_EACH_CMD(c) if (strcmp(c->group, group) == 0) return true;
  return false;
}

/* "create, add-member, extend" */
static void group_verbs(const char *group, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  FOR_EACH_CMD(c) {
    if (strcmp(c->group, group) != 0 || !c->verb || n >= size) continue;
    n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", c->verb);
  }
}

/* ----------------------------------------------------------------- errors */

/* cmd is the command that ran (NULL before one is found): a refusal of the
 * caller's role names the command the user typed, since that is what they
 * would look up (docs/roles.md) or ask someone else to run. */
static int fail(trinctl_ctx_t *ctx, const trinctl_cmd_t *cmd, int exit_code) {
  const trin_err_t *e = &ctx->err;
  if (cmd && e->code == TRIN_EFORBIDDEN)
    fprintf(stderr, "trinctl %s%s%s: refused: %s%s%s%s (who may do what: docs/roles.md)\n",
            cmd->group, cmd->verb ? " " : "", cmd->verb ? cmd->verb : "", e->message,
            e->field[0] ? " (field: " : "", e->field, e->field[0] ? ")" : "");
  else if (e->field[0])
    fprintf(stderr, "trinctl: error: %s (field: %s)\n", e->message, e->field);
  else
    fprintf(stderr, "trinctl: error: %s\n", e->message);
  if (ctx->g.json) {
    trinctl_json_error(stdout, e);
    fflush(stdout);
  }
  return exit_code;
}

static int usage_error(trinctl_ctx_t *ctx) { return fail(ctx, NULL, TRINCTL_EXIT_USAGE); }

/* ------------------------------------------------------------------- main */

int main(int argc, char **argv) {
  trinctl_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.out = stdout;
  ctx.services = services;
  ctx.nservices = NSERVICES;
  ctx.g.timeout_ms = TRINCTL_DEFAULT_TIMEOUT_MS;

  /* With --json anywhere on the line, errors are reported as JSON too, even
   * when parsing stops before it gets there. */
  for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
    if (strcmp(argv[k], "--json") == 0) ctx.g.json = true;

  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--version") == 0) {
      printf("trinctl %s\n", TRINCTL_VERSION);
      return TRINCTL_EXIT_OK;
    }
    int rc = trinctl_globals_take(&ctx.g, argc, argv, &i, &ctx.err);
    if (rc == 1) continue;
    if (rc == 0)
      trin_err_set(&ctx.err, TRIN_EINVALID, "", "unknown option '%.60s' (see trinctl --help)",
                   argv[i]);
    return usage_error(&ctx);
  }
  if (i >= argc) {
    if (ctx.g.help) {
      usage(stdout);
      return TRINCTL_EXIT_OK;
    }
    usage(stderr);
    if (ctx.g.json) {
      trin_err_set(&ctx.err, TRIN_EINVALID, "", "no command given (see trinctl --help)");
      trinctl_json_error(stdout, &ctx.err);
    }
    return TRINCTL_EXIT_USAGE;
  }

  /* `trinctl help [group]` reads as naturally as --help. */
  const char *group = argv[i++];
  if (strcmp(group, "help") == 0) {
    if (i >= argc) {
      usage(stdout);
      return TRINCTL_EXIT_OK;
    }
    group = argv[i++];
    ctx.g.help = true;
  }
  if (!group_exists(group)) {
    trin_err_set(&ctx.err, TRIN_EINVALID, "", "unknown command '%.60s' (see trinctl --help)",
                 group);
    return usage_error(&ctx);
  }

  const trinctl_cmd_t *cmd = NULL;
  FOR_EACH_CMD(c) if (!c->verb && strcmp(c->group, group) == 0) cmd = c;
  if (!cmd) {
    /* Global options may also sit between the group and its verb. */
    while (i < argc && argv[i][0] == '-') {
      int rc = trinctl_globals_take(&ctx.g, argc, argv, &i, &ctx.err);
      if (rc == 0) break;
      if (rc < 0) return usage_error(&ctx);
      i++;
    }
    const char *verb = i < argc ? argv[i] : NULL;
    if (verb)
      FOR_EACH_CMD(c) if (strcmp(c->group, group) == 0 && c->verb && !strcmp(c->verb, verb))
          cmd = c;
    if (!cmd) {
      if (ctx.g.help && (!verb || verb[0] == '-')) {
        group_usage(stdout, group);
        return TRINCTL_EXIT_OK;
      }
      char verbs[256];
      group_verbs(group, verbs, sizeof verbs);
      if (!verb)
        trin_err_set(&ctx.err, TRIN_EINVALID, "", "'%s' needs a command: %s", group, verbs);
      else
        trin_err_set(&ctx.err, TRIN_EINVALID, "", "unknown command '%s %.60s'; %s commands: %s",
                     group, verb, group, verbs);
      return usage_error(&ctx);
    }
    i++;
  }

  /* Help asked for before the command (`trinctl help project create`) needs
   * none of its options. */
  trinctl_args_t args;
  if (!ctx.g.help && trinctl_args_parse(cmd, argc - i, argv + i, &ctx.g, &args, &ctx.err))
    return usage_error(&ctx);
  if (ctx.g.help) {
    trinctl_args_usage(stdout, cmd, true);
    return TRINCTL_EXIT_OK;
  }

  char service[32];
  trinctl_service_name(service_of(cmd), service, sizeof service);
  ctx.service = service;
  if (!ctx.g.endpoint && service_of(cmd)->endpoint_env) {
    const trinctl_service_t *sv = service_of(cmd);
    const char *env = getenv(sv->endpoint_env);
    ctx.g.endpoint = env && *env ? env : sv->default_endpoint;
  }

  int rc = cmd->run(&ctx, &args);
  trin_client_destroy(&ctx.client);
  memset(&ctx.pair, 0, sizeof ctx.pair);
  if (rc) return fail(&ctx, cmd, rc);
  /* A full disk or closed pipe must not pass for success in a script. */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fputs("trinctl: error: cannot write the output\n", stderr);
    return TRINCTL_EXIT_IO;
  }
  return TRINCTL_EXIT_OK;
}
