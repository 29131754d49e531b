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

static const char *const SERVICES[] = {"aggregator", "survey", NULL};
static const char *const SCOPES[] = {"feed:read", "survey:write", NULL};

/* Tokens live in the service that checks them: the aggregator unless
 * --service survey. An --endpoint given on the command line wins. */
static void choose_endpoint(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  if (strcmp(trinctl_args_str(a, "service"), "survey") != 0) return;
  ctx->service = "survey"; /* --peer-keys then picks survey.pub */
  const char *agg = getenv(TRINCTL_TOKEN_ENDPOINT_ENV);
  if (!agg || !*agg) agg = TRINCTL_TOKEN_DEFAULT_ENDPOINT;
  if (ctx->g.endpoint && strcmp(ctx->g.endpoint, agg) != 0) return; /* --endpoint given */
  const char *sv = getenv("TRIN_SURVEY_ENDPOINT");
  ctx->g.endpoint = sv && *sv ? sv : "tcp://127.0.0.1:5721";
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
  /* Power BI's feed and the survey webhook live in different services: a
   * token made in the wrong one would never be accepted. */
  const char *service = trinctl_args_str(a, "service");
  bool survey = strcmp(service, "survey") == 0;
  if (survey != (strcmp(req.scope, "survey:write") == 0)) {
    trin_err_set(&ctx->err, TRIN_EINVALID, "scope",
                 "%s tokens are made at the %s (use --service %s)", req.scope,
                 survey ? "aggregator" : "survey service", survey ? "aggregator" : "survey");
    return TRINCTL_EXIT_USAGE;
  }
  Trin__Token__TokenCreated *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__token__token_created__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else {
    fprintf(ctx->out, "token %s made for %s (%s)\n", r->id, r->info ? r->info->org : req.org,
            req.scope);
    fprintf(ctx->out, "%s\n", r->token);
    fprintf(ctx->out, "This is the only time the token is shown: keep it now. "
                      "Revoke it with `trinctl token revoke %s%s`.\n",
            r->id, survey ? " --service survey" : "");
  }
  /* Do not leave the secret in freed memory longer than needed. */
  if (r->token) memset(r->token, 0, strlen(r->token));
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static void print_info_table(FILE *f, Trin__Token__TokenInfo *const *t, size_t n) {
  const char *h[] = {"id", "org", "scope", "name", "created", "revoked"};
  trinctl_table_t *tb = trinctl_table_new(6, h);
  for (size_t i = 0; i < n; i++) {
    trinctl_table_cell(tb, "%s", t[i]->id);
    trinctl_table_cell(tb, "%s", t[i]->org);
    trinctl_table_cell(tb, "%s", t[i]->scope);
    trinctl_table_cell(tb, "%s", t[i]->name);
    trinctl_table_cell(tb, "%s", t[i]->created_at);
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
             "where the token is checked: aggregator (feed, default) or survey (webhook)")

static const trinctl_opt_t create_opts[] = {
    OPT_TEXT("org", true, "org", "ORG", "the organisation whose rows/surveys it reaches"),
    OPT_CHOICE("scope", true, "scope", "SCOPE", SCOPES,
               "feed:read (the aggregator's feed) or survey:write (the survey webhook)"),
    OPT_TEXT("name", false, "name", "NAME", "what it is for, e.g. \"Power BI finance\""),
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
