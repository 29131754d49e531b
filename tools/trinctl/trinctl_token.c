/* trinctl_token — see trinctl_token.h. Each command: options -> request ->
 * call -> print. The token's text is printed once, by create, and nowhere
 * else. */
#include "trinctl_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/token.pb-c.h"
#include "trin_codec.h"
#include "trinctl_print.h"

static const char *const SERVICES[] = {"aggregator", "survey", "gateway", NULL};
static const char *const SCOPES[] = {"feed:read", "survey:write", "api:read", "api:write", NULL};
static const char *const ROLES[] = {"admin",   "writer",   "reader", "calculator",
                                    "advisor", "resident", NULL};

/* Tokens live in the service that checks them: the aggregator unless
 * --service survey or gateway. An --endpoint given on the command line wins. */
static void choose_endpoint(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  const char *service = trinctl_args_str(a, "service");
  bool survey = strcmp(service, "survey") == 0;
  if (!survey && strcmp(service, "gateway") != 0) return;
  ctx->service = survey ? "survey" : "gateway"; /* --peer-keys then picks <service>.pub */
  const char *agg = getenv(TRINCTL_TOKEN_ENDPOINT_ENV);
  if (!agg || !*agg) agg = TRINCTL_TOKEN_DEFAULT_ENDPOINT;
  if (ctx->g.endpoint && strcmp(ctx->g.endpoint, agg) != 0) return; /* --endpoint given */
  const char *sv = getenv(survey ? "TRIN_SURVEY_ENDPOINT" : "TRIN_GATEWAY_ENDPOINT");
  ctx->g.endpoint = sv && *sv ? sv : survey ? "tcp://127.0.0.1:5721" : "tcp://127.0.0.1:5751";
}

/* Where each scope's tokens are checked. */
static const char *service_for(const char *scope) {
  if (strcmp(scope, "survey:write") == 0) return "survey";
  if (strncmp(scope, "api:", 4) == 0) return "gateway";
  return "aggregator";
}

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, NULL};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

static int run_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  choose_endpoint(ctx, a);
  Trin__Token__CreateToken req = TRIN__TOKEN__CREATE_TOKEN__INIT;
  req.org = (char *)trinctl_args_str(a, "org");
  req.scope = (char *)trinctl_args_str(a, "scope");
  req.name = (char *)trinctl_args_str(a, "name");
  req.role = (char *)trinctl_args_str(a, "role");
  req.person = (char *)trinctl_args_str(a, "person");
  req.expires = (char *)trinctl_args_str(a, "expires");
  /* The feed, the webhook and the gateway live in different services: a
   * token made in the wrong one would never be accepted. */
  const char *service = trinctl_args_str(a, "service");
  const char *home = service_for(req.scope);
  if (strcmp(service, home) != 0) {
    trin_err_set(&ctx->err, TRIN_EINVALID, "scope", "%s tokens are made at the %s (use --service %s)",
                 req.scope, home, home);
    return TRINCTL_EXIT_USAGE;
  }
  bool survey = strcmp(service, "survey") == 0;
  Trin__Token__TokenCreated *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__token__token_created__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else {
    if (r->info && r->info->person && *r->info->person)
      fprintf(ctx->out, "token %s made for %s of %s, role %s (%s%s%s)\n", r->id,
              r->info->person, r->info->org, r->info->role, req.scope,
              *r->info->expires_at ? ", until " : "", r->info->expires_at);
    else
      fprintf(ctx->out, "token %s made for %s (%s)\n", r->id, r->info ? r->info->org : req.org,
              req.scope);
    fprintf(ctx->out, "%s\n", r->token);
    fprintf(ctx->out, "This is the only time the token is shown: keep it now. "
                      "Revoke it with `trinctl token revoke %s%s`.\n",
            r->id, survey ? " --service survey" : strcmp(service, "gateway") == 0 ? " --service gateway" : "");
  }
  /* Do not leave the secret in freed memory longer than needed. */
  if (r->token) memset(r->token, 0, strlen(r->token));
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static void print_info_table(FILE *f, Trin__Token__TokenInfo *const *t, size_t n) {
  const char *h[] = {"id", "org", "scope", "person", "role", "name", "created", "expires", "revoked"};
  trinctl_table_t *tb = trinctl_table_new(9, h);
  for (size_t i = 0; i < n; i++) {
    trinctl_table_cell(tb, "%s", t[i]->id);
    trinctl_table_cell(tb, "%s", t[i]->org);
    trinctl_table_cell(tb, "%s", t[i]->scope);
    trinctl_table_cell(tb, "%s", t[i]->person);
    trinctl_table_cell(tb, "%s", t[i]->role);
    trinctl_table_cell(tb, "%s", t[i]->name);
    trinctl_table_cell(tb, "%s", t[i]->created_at);
    trinctl_table_cell(tb, "%s", t[i]->expires_at);
    trinctl_table_cell(tb, "%s", t[i]->revoked_at);
  }
  trinctl_table_print(f, tb, 0);
  trinctl_table_destroy(&tb);
}

static int run_revoke(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  choose_endpoint(ctx, a);
  Trin__Token__RevokeToken req = TRIN__TOKEN__REVOKE_TOKEN__INIT;
  req.id = (char *)a->arg;
  Trin__Token__TokenReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__token__token_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json(ctx, &r->base);
  else if (r->info)
    fprintf(ctx->out, "token %s of %s revoked at %s\n", r->info->id, r->info->org,
            r->info->revoked_at);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  choose_endpoint(ctx, a);
  Trin__Token__ListTokens req = TRIN__TOKEN__LIST_TOKENS__INIT;
  req.org = (char *)trinctl_args_str(a, "org");
  Trin__Token__TokenList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__token__token_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, NULL};
    trinctl_json_repeated(&j, &r->base, "tokens");
    fputc('\n', ctx->out);
  } else {
    print_info_table(ctx->out, r->tokens, r->n_tokens);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

#define OPT_SERVICE                                                                  \
  OPT_CHOICE("service", false, "service", "SERVICE", SERVICES,                        \
             "where the token is checked: aggregator (feed, default), survey (webhook) or "   \
             "gateway (personal tokens for the HTTP API)")

static const trinctl_opt_t create_opts[] = {
    OPT_TEXT("org", true, "org", "ORG", "the organisation whose rows/surveys it reaches"),
    OPT_CHOICE("scope", true, "scope", "SCOPE", SCOPES,
               "feed:read (the aggregator's feed), survey:write (the survey webhook), "
               "api:read or api:write (a person's token for the gateway's HTTP API)"),
    OPT_TEXT("name", false, "name", "NAME", "what it is for, e.g. \"Power BI finance\""),
    OPT_CHOICE("role", false, "role", "ROLE", ROLES,
               "api tokens: the role the person acts in (admin, writer, reader, calculator, "
               "advisor, resident)"),
    OPT_TEXT("person", false, "person", "NAME", "api tokens: the person's name (audit trail)"),
    OPT_TEXT("expires", false, "expires", "DATE", "api tokens: last valid day YYYY-MM-DD (UTC)"),
    OPT_SERVICE,
    OPT_END};
static const trinctl_opt_t revoke_opts[] = {OPT_SERVICE, OPT_END};
static const trinctl_opt_t list_opts[] = {
    OPT_TEXT("org", false, "org", "ORG", "only this organisation's tokens"), OPT_SERVICE,
    OPT_END};

const trinctl_cmd_t trinctl_token_cmds[] = {
    {"token", "create", "Make an HTTP token for an organisation; it is printed once.", NULL,
     NULL, NULL, create_opts, run_create},
    {"token", "revoke", "Revoke a token; the next request with it is refused.", "ID", "id",
     "the token's public id (from create or list)", revoke_opts, run_revoke},
    {"token", "list", "List tokens (never their text).", NULL, NULL, NULL, list_opts, run_list},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};
