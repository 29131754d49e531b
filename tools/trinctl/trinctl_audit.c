/* trinctl_audit — see trinctl_audit.h. */
#include "trinctl_audit.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "trin/envelope.pb-c.h"
#include "trin_codec.h"
#include "trinctl_print.h"

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void print_audit(FILE *f, const Trin__AuditBatch *b) {
  static const char *const h[] = {"SEQ", "TIME", "TYPE", "ORG", "ROLE", "KEY", "PERSON", "IDS"};
  trinctl_table_t *t = trinctl_table_new(8, h);
  uint64_t last_listed = 0;
  for (size_t i = 0; i < b->n_entries; i++) {
    const Trin__AuditEntry *e = b->entries[i];
    trinctl_table_cell(t, "%" PRIu64, e->seq);
    trinctl_table_cell(t, "%s", or_dash(e->time));
    trinctl_table_cell(t, "%s", or_dash(e->type));
    trinctl_table_cell(t, "%s", or_dash(e->actor_org));
    trinctl_table_cell(t, "%s", or_dash(e->actor_role));
    trinctl_table_cell(t, "%s", or_dash(e->actor_key));
    trinctl_table_cell(t, "%s", or_dash(e->actor_person));
    char ids[512];
    size_t n = 0;
    ids[0] = '\0';
    for (size_t k = 0; k < e->n_ids && n < sizeof ids; k++)
      n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%s=%s", k ? " " : "",
                            e->ids[k]->key, e->ids[k]->value);
    trinctl_table_cell(t, "%s", or_dash(ids));
    last_listed = e->seq;
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
  if (b->n_entries > 0 && b->last_seq > last_listed)
    fprintf(f, "(more: the log goes up to %" PRIu64 "; trinctl audit --service %s --after %"
               PRIu64 ")\n", b->last_seq, or_dash(b->service), last_listed);
}

static int run_audit(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  /* The service decides the endpoint (unless --endpoint says) and which
   * public key in --peer-keys is the server's. */
  const char *service = trinctl_args_has(a, "service") ? trinctl_args_str(a, "service")
                                                       : "lifecycle";
  char known[160];
  const char *endpoint = trinctl_service_endpoint(ctx, service, known, sizeof known);
  if (!endpoint) {
    trin_err_set(&ctx->err, TRIN_EINVALID, "service",
                 "--service: no service called '%.60s'; the services are %s", service, known);
    return TRINCTL_EXIT_USAGE;
  }
  ctx->service = service;
  if (!ctx->g.endpoint) ctx->g.endpoint = endpoint;

  Trin__AuditSince req = TRIN__AUDIT_SINCE__INIT;
  req.after_seq = (uint64_t)trinctl_args_num(a, "after");
  req.limit = (uint32_t)trinctl_args_num(a, "limit");
  Trin__AuditBatch *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__audit_batch__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    /* The whole batch, as with events: last_seq is what a script pages with. */
    trinctl_json_t j = {ctx->out, NULL};
    trinctl_json_message(&j, &r->base);
    fputc('\n', ctx->out);
  } else {
    print_audit(ctx->out, r);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static const trinctl_opt_t audit_opts[] = {
    OPT_TEXT("service", false, "service", "NAME",
             "the service whose trail to read: lifecycle (default), budget, survey, "
             "benchmark or aggregator, at its endpoint (trinctl --help lists them)"),
    OPT_INT("after", false, "after_seq", 0, INT64_MAX,
            "list events after this number (default 0)"),
    OPT_INT("limit", false, "limit", 0, 1000,
            "at most this many (0 = the service's default, 1000)"),
    OPT_END};

const trinctl_cmd_t trinctl_audit_cmds[] = {
    {"audit", NULL,
     "Who caused each state change: event number, time, type, and the caller's "
     "organisation, role and key fingerprint (admin key only).",
     NULL, NULL, NULL, audit_opts, run_audit},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};
