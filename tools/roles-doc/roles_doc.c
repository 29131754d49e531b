/* trin-roles-doc — prints docs/roles.md: the hand-written part
 * (docs/roles.md.in: who holds which key, in the partnership's own words),
 * then, per service, every request of its rule table (services/NAME/
 * NAME_access.c) with what it does, the trinctl command that sends it
 * (tools/trinctl/trinctl_requests.c), who may send it and on what.
 *
 * The tables are read from the services' own libraries, so the document
 * cannot say other than the services do: the test docs.roles fails when
 * docs/roles.md differs from this program's output; `cmake --build build
 * --target roles-doc` writes it anew.
 *
 * Usage: trin-roles-doc TEMPLATE [OUT]   (OUT omitted: standard output)
 * Exit 0, or 1 naming what is wrong (an unreadable template, a trinctl
 * command said to send a request no service has a rule for). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agg_access.h"
#include "benchmark_access.h"
#include "budget_access.h"
#include "gateway_access.h"
#include "lifecycle_access.h"
#include "survey_access.h"
#include "trin_access.h"
#include "trinctl_requests.h"

typedef struct {
  const char *title;  /* the section's heading */
  const char *intro;  /* a sentence under it */
  const trin_access_table_t *table;
} section_t;

static const section_t SECTIONS[] = {
    {"lifecycle", "Organisations, partnerships, projects and their stages, milestones, disputes "
                  "and defects (`trin-lifecycle`).",
     &lifecycle_access},
    {"budget", "The economy: economic models, budgets (Skema A/B/C), index series, scope "
               "changes, optimisation and rent (`trin-budget`).",
     &budget_access},
    {"survey", "Resident satisfaction: surveys, rounds, answers, results and alerts "
               "(`trin-survey`).",
     &survey_access},
    {"benchmark", "Operating figures of properties, compared (`trin-benchmark`).",
     &benchmark_access},
    {"aggregator", "The status feed, one row per project, and its tokens (`trin-aggregator`).",
     &AGG_ACCESS},
    {"gateway", "The HTTP gateway's own requests: personal tokens (`trin-gateway`; every "
                "other request through it is the service's own, with the rules above).",
     &gateway_access_rules},
};
#define NSECTIONS (sizeof SECTIONS / sizeof *SECTIONS)

static const char *scope_text(trin_scope_t scope) {
  switch (scope) {
    case TRIN_SCOPE_OWN: return "own organisation (the client's)";
    case TRIN_SCOPE_MEMBER: return "member of the partnership";
    default: return "any";
  }
}

/* "bygherre (`writer`), kalkulator (`calculator`)": Danish first, the role
 * name a key is registered with beside it. */
static void who_text(FILE *f, unsigned roles) {
  trin_role_t r[TRIN_ROLE_COUNT_];
  size_t n = trin_access_roles_of(roles, r, TRIN_ROLE_COUNT_);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%s (`%s`)", i ? ", " : "", trin_role_word_da(r[i]), trin_role_name(r[i]));
  if (n == 0)
    fprintf(f, "only %s (`admin`)", trin_role_word_da(TRIN_ROLE_ADMIN));
}

static void print_section(FILE *f, const section_t *s) {
  fprintf(f, "\n### %s\n\n%s\n\n", s->title, s->intro);
  fprintf(f, "| request | what it does | trinctl | who may | on what |\n");
  fprintf(f, "|---|---|---|---|---|\n");
  for (size_t i = 0; i < s->table->nrules; i++) {
    const trin_access_rule_t *r = &s->table->rules[i];
    const char *what = trin_access_what(s->table, r->request);
    const char *cmds[8];
    size_t n = trinctl_request_commands(r->request, cmds, 8);
    fprintf(f, "| `%s` | %s | ", r->request, what ? what : "");
    for (size_t c = 0; c < n && c < 8; c++)
      fprintf(f, "%s`trinctl %s`", c ? ", " : "", cmds[c]);
    if (n == 0) fprintf(f, "—");
    fprintf(f, " | ");
    who_text(f, r->roles);
    fprintf(f, " | %s |\n", scope_text(r->scope));
  }
}

/* A command said to send a request no table has a rule for is a slip in
 * trinctl_requests.c (or a rule lost): refuse to print a document that
 * would hide it. */
static int check_requests(void) {
  size_t n = 0;
  const trinctl_request_t *req = trinctl_requests(&n);
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    bool found = false;
    for (size_t s = 0; s < NSECTIONS && !found; s++)
      for (size_t r = 0; r < SECTIONS[s].table->nrules && !found; r++)
        found = strcmp(SECTIONS[s].table->rules[r].request, req[i].request) == 0;
    if (!found) {
      fprintf(stderr,
              "trin-roles-doc: tools/trinctl/trinctl_requests.c: `trinctl %s` sends %s, "
              "which no service's rule table has\n",
              req[i].command, req[i].request);
      bad = 1;
    }
  }
  return bad;
}

static int copy_template(FILE *out, const char *path) {
  FILE *in = fopen(path, "r");
  if (!in) {
    fprintf(stderr, "trin-roles-doc: cannot read the template %s\n", path);
    return 1;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
  fclose(in);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: trin-roles-doc TEMPLATE [OUT]\n");
    return 2;
  }
  if (check_requests()) return 1;
  FILE *out = argc == 3 ? fopen(argv[2], "w") : stdout;
  if (!out) {
    fprintf(stderr, "trin-roles-doc: cannot write %s\n", argv[2]);
    return 1;
  }
  int rc = copy_template(out, argv[1]);
  if (!rc) {
    fprintf(out,
            "\n## Who may do what, service by service\n\n"
            "Generated from the services' rule tables by `tools/roles-doc` (do not edit below "
            "this line: `cmake --build build --target roles-doc` writes it anew). An admin key "
            "(%s) may do everything and is not listed. *On what*: **own organisation** — the "
            "project, partnership or property must belong to the caller's own organisation; "
            "**member of the partnership** — the caller's organisation is the client or a "
            "member of the partnership the project belongs to; **any** — the role is "
            "enough.\n",
            trin_role_word_da(TRIN_ROLE_ADMIN));
    for (size_t s = 0; s < NSECTIONS; s++) print_section(out, &SECTIONS[s]);
  }
  if (fflush(out) != 0 || ferror(out)) rc = 1;
  if (out != stdout) fclose(out);
  return rc;
}
