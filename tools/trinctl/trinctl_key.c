/* trinctl_key — see trinctl_key.h. The key commands read like their use
 * case: options -> the key file or registry -> print what changed. The
 * secret half of a key pair is never printed. */
#include "trinctl_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_access.h"
#include "trin_keys.h"
#include "trinctl_print.h"

static int usage(trinctl_ctx_t *ctx, const char *field, const char *msg) {
  trin_err_set(&ctx->err, TRIN_EINVALID, field, "%s", msg);
  return TRINCTL_EXIT_USAGE;
}

/* ---- key new ------------------------------------------------------------------------- */

static const trinctl_opt_t no_opts[] = {OPT_END};

static int run_new(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  trin_keypair_t kp;
  int rc = trin_keys_generate(&kp, &ctx->err);
  if (!rc) rc = trin_keys_write(a->arg, &kp, &ctx->err);
  char fp[33];
  trin_keys_fingerprint(kp.public_z85, fp);
  char pub[TRIN_KEY_Z85_LEN + 1];
  memcpy(pub, kp.public_z85, sizeof pub);
  memset(&kp, 0, sizeof kp);
  if (rc) return trinctl_exit_for_status(rc);
  if (ctx->g.json) {
    fprintf(ctx->out, "{\"file\":");
    trinctl_json_string(ctx->out, a->arg);
    char pubfile[1100];
    snprintf(pubfile, sizeof pubfile, "%s.pub", a->arg);
    fprintf(ctx->out, ",\"public_file\":");
    trinctl_json_string(ctx->out, pubfile);
    fprintf(ctx->out, ",\"public_key\":\"%s\",\"fingerprint\":\"%s\"}\n", pub, fp);
    return TRINCTL_EXIT_OK;
  }
  fprintf(ctx->out,
          "public key   %s\n"
          "fingerprint  %s\n"
          "wrote %s (the secret: owner-only, keep it) and %s.pub (the public key: hand it out)\n",
          pub, fp, a->arg, a->arg);
  return TRINCTL_EXIT_OK;
}

/* ---- key register ------------------------------------------------------------------- */

static const trinctl_opt_t register_opts[] = {
    OPT_TEXT("registry", true, "registry", "FILE", "the registry file (made if missing)"),
    OPT_TEXT("org", true, "org", "ORG", "the organisation the key speaks for"),
    OPT_TEXT("role", true, "role", "ROLE",
             "admin, service, writer, reader, calculator, advisor, resident or gateway"),
    OPT_TEXT("name", false, "name", "NAME", "who or what holds the key (free text)"),
    OPT_END};

static int run_register(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  const char *role = trinctl_args_str(a, "role");
  if (trin_role_parse(role) == TRIN_ROLE_NONE) {
    char roles[200];
    size_t n = 0;
    roles[0] = '\0';
    for (int r = TRIN_ROLE_NONE + 1; r < TRIN_ROLE_COUNT_ && n < sizeof roles; r++)
      n += (size_t)snprintf(roles + n, sizeof roles - n, "%s%s", n ? ", " : "",
                            trin_role_name((trin_role_t)r));
    trin_err_set(&ctx->err, TRIN_EINVALID, "role", "--role must be one of %s, not '%.40s'",
                 roles, role);
    return TRINCTL_EXIT_USAGE;
  }
  trin_keys_entry_t e;
  memset(&e, 0, sizeof e);
  if (trin_keys_read_public(a->arg, e.public_z85, &ctx->err)) {
    snprintf(ctx->err.field, sizeof ctx->err.field, "public_key");
    return TRINCTL_EXIT_USAGE;
  }
  const char *org = trinctl_args_str(a, "org"), *name = trinctl_args_str(a, "name");
  if (strlen(org) >= sizeof e.org) return usage(ctx, "org", "--org is too long");
  if (strlen(name) >= sizeof e.name) return usage(ctx, "name", "--name is too long");
  snprintf(e.org, sizeof e.org, "%s", org);
  snprintf(e.role, sizeof e.role, "%s", role);
  snprintf(e.name, sizeof e.name, "%s", name);
  trin_keys_fingerprint(e.public_z85, e.fingerprint);
  int rc = trin_keys_registry_add(trinctl_args_str(a, "registry"), &e, &ctx->err);
  if (rc) return trinctl_exit_for_status(rc);
  if (ctx->g.json) {
    fprintf(ctx->out, "{\"org\":");
    trinctl_json_string(ctx->out, e.org);
    fprintf(ctx->out, ",\"role\":\"%s\",\"name\":", e.role);
    trinctl_json_string(ctx->out, e.name);
    fprintf(ctx->out, ",\"fingerprint\":\"%s\",\"public_key\":\"%s\"}\n", e.fingerprint,
            e.public_z85);
  } else {
    fprintf(ctx->out, "registered %s for %s as %s%s%s\n", e.fingerprint, e.org, e.role,
            *e.name ? ": " : "", e.name);
  }
  return TRINCTL_EXIT_OK;
}

/* ---- key revoke ---------------------------------------------------------------------- */

static const trinctl_opt_t registry_opts[] = {
    OPT_TEXT("registry", true, "registry", "FILE", "the registry file"),
    OPT_END};

static int run_revoke(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  const char *registry = trinctl_args_str(a, "registry");
  /* Look first, to say whose key went. */
  trin_keys_entry_t *all = NULL, gone;
  size_t n = 0;
  int rc = trin_keys_registry_load(registry, &all, &n, &ctx->err);
  if (rc) return trinctl_exit_for_status(rc);
  memset(&gone, 0, sizeof gone);
  for (size_t i = 0; i < n; i++)
    if (strcmp(all[i].public_z85, a->arg) == 0 || strcmp(all[i].fingerprint, a->arg) == 0)
      gone = all[i];
  free(all);
  if ((rc = trin_keys_registry_remove(registry, a->arg, &ctx->err)))
    return trinctl_exit_for_status(rc);
  if (ctx->g.json) {
    fprintf(ctx->out, "{\"revoked\":\"%s\",\"org\":", gone.fingerprint);
    trinctl_json_string(ctx->out, gone.org);
    fprintf(ctx->out, ",\"role\":\"%s\"}\n", gone.role);
  } else {
    fprintf(ctx->out, "revoked %s (%s, %s); its next connection is refused\n", gone.fingerprint,
            gone.org, gone.role);
  }
  return TRINCTL_EXIT_OK;
}

/* ---- key list ------------------------------------------------------------------------ */

static int run_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  trin_keys_entry_t *all = NULL;
  size_t n = 0;
  int rc = trin_keys_registry_load(trinctl_args_str(a, "registry"), &all, &n, &ctx->err);
  if (rc) return trinctl_exit_for_status(rc);
  if (ctx->g.json) {
    fputc('[', ctx->out);
    for (size_t i = 0; i < n; i++) {
      fprintf(ctx->out, "%s{\"org\":", i ? "," : "");
      trinctl_json_string(ctx->out, all[i].org);
      fprintf(ctx->out, ",\"role\":\"%s\",\"name\":", all[i].role);
      trinctl_json_string(ctx->out, all[i].name);
      fprintf(ctx->out, ",\"fingerprint\":\"%s\",\"public_key\":\"%s\"}", all[i].fingerprint,
              all[i].public_z85);
    }
    fputs("]\n", ctx->out);
  } else {
    static const char *const h[] = {"ORG", "ROLE", "NAME", "FINGERPRINT"};
    trinctl_table_t *t = trinctl_table_new(4, h);
    for (size_t i = 0; i < n; i++) {
      trinctl_table_cell(t, "%s", all[i].org);
      trinctl_table_cell(t, "%s", all[i].role);
      trinctl_table_cell(t, "%s", all[i].name);
      trinctl_table_cell(t, "%s", all[i].fingerprint);
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  free(all);
  return TRINCTL_EXIT_OK;
}

const trinctl_cmd_t trinctl_key_cmds[] = {
    {"key", "new", "Make a key pair: FILE (secret, mode 600) and FILE.pub; prints the public key.",
     "FILE", "file", "where the key pair goes (refused if it exists)", no_opts, run_new},
    {"key", "register", "Let a public key in, for an organisation and a role.", "PUBKEY_OR_FILE",
     "public_key", "the key: 40 Z85 characters, a .pub file or a key pair file", register_opts,
     run_register},
    {"key", "revoke", "Take a key out of the registry (its next connection is refused).",
     "KEY_OR_FINGERPRINT", "public_key", "the public key or its 32-character fingerprint",
     registry_opts, run_revoke},
    {"key", "list", "The registered keys: organisation, role, name, fingerprint.", NULL, NULL,
     NULL, registry_opts, run_list},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};
