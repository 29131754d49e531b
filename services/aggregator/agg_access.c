/* agg_access — see agg_access.h. */
#include "agg_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_token.h"

/* request → roles allowed → scope. Admin always passes. GetRows is for
 * every organisation's key: the handler gives each only its rows. */
static const trin_access_rule_t RULES[] = {
    {"trin.aggregator.GetRows",
     TRIN_ROLE_BIT(TRIN_ROLE_SERVICE) | TRIN_ROLE_BIT(TRIN_ROLE_WRITER) |
         TRIN_ROLE_BIT(TRIN_ROLE_READER) | TRIN_ROLE_BIT(TRIN_ROLE_CALCULATOR) |
         TRIN_ROLE_BIT(TRIN_ROLE_ADVISOR),
     TRIN_SCOPE_MEMBER},
    /* earned value (issue 20 item 1): as GetRows, one project */
    {"trin.aggregator.GetProjectRow",
     TRIN_ROLE_BIT(TRIN_ROLE_SERVICE) | TRIN_ROLE_BIT(TRIN_ROLE_WRITER) |
         TRIN_ROLE_BIT(TRIN_ROLE_READER) | TRIN_ROLE_BIT(TRIN_ROLE_CALCULATOR) |
         TRIN_ROLE_BIT(TRIN_ROLE_ADVISOR),
     TRIN_SCOPE_MEMBER},
    TRIN_TOKEN_ACCESS_RULES,
};

/* What each request does, for refusals and docs/roles.md (a request added
 * above gets a line here too; without one it is named by its full name). */
static const trin_access_words_t WORDS[] = {
    {"trin.aggregator.GetRows", "read the status feed's rows"},
    {"trin.aggregator.GetProjectRow", "read one project's status row (earned value)"},
    TRIN_TOKEN_ACCESS_WORDS,
};

const trin_access_table_t AGG_ACCESS = {
    .service = "the aggregator",
    .rules = RULES,
    .nrules = sizeof RULES / sizeof *RULES,
    .words = WORDS,
    .nwords = sizeof WORDS / sizeof *WORDS,
};

void agg_viewer_init(agg_viewer_t *v, trin_store_t *store, const char *org) {
  memset(v, 0, sizeof *v);
  v->all = org == NULL;
  v->store = store;
  if (org) snprintf(v->org, sizeof v->org, "%s", org);
}

static size_t hash_key(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static bool grow(agg_viewer_t *v) {
  size_t n = v->nslots ? v->nslots * 2 : 64;
  struct agg_viewer_slot *s = calloc(n, sizeof *s);
  if (!s) return false;
  for (size_t i = 0; i < v->nslots; i++) {
    if (!v->slots[i].key) continue;
    size_t k = hash_key(v->slots[i].key) & (n - 1);
    while (s[k].key) k = (k + 1) & (n - 1);
    s[k] = v->slots[i];
  }
  free(v->slots);
  v->slots = s;
  v->nslots = n;
  return true;
}

bool agg_viewer_sees(agg_viewer_t *v, const agg_row_t *r) {
  if (v->all) return true;
  const char *client = r->client_org_id ? r->client_org_id : "";
  const char *part = r->partnership_id ? r->partnership_id : "";
  if (!v->org[0]) return false;
  if (strcmp(client, v->org) == 0) return true;
  if (!*part) return false;
  char key[200];
  snprintf(key, sizeof key, "%s\x1f%s", client, part);
  if (v->nslots) {
    size_t k = hash_key(key) & (v->nslots - 1);
    for (; v->slots[k].key; k = (k + 1) & (v->nslots - 1))
      if (strcmp(v->slots[k].key, key) == 0) return v->slots[k].yes;
  }
  bool yes = trin_access_may_see(v->store, v->org, client, part);
  /* Remember it (a failed allocation only costs asking again). */
  if ((v->used + 1) * 2 > v->nslots && !grow(v)) return yes;
  char *dup = strdup(key);
  if (!dup) return yes;
  size_t k = hash_key(key) & (v->nslots - 1);
  while (v->slots[k].key) k = (k + 1) & (v->nslots - 1);
  v->slots[k].key = dup;
  v->slots[k].yes = yes;
  v->used++;
  return yes;
}

void agg_viewer_free(agg_viewer_t *v) {
  for (size_t i = 0; i < v->nslots; i++) free(v->slots[i].key);
  free(v->slots);
  v->slots = NULL;
  v->nslots = v->used = 0;
}
