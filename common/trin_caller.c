/* trin_caller — see trin_caller.h. */
#include "trin_caller.h"

#include <string.h>

static const char *const role_names[TRIN_ROLE_COUNT_] = {
    [TRIN_ROLE_NONE] = "none",          [TRIN_ROLE_ADMIN] = "admin",
    [TRIN_ROLE_SERVICE] = "service",    [TRIN_ROLE_WRITER] = "writer",
    [TRIN_ROLE_READER] = "reader",      [TRIN_ROLE_CALCULATOR] = "calculator",
    [TRIN_ROLE_ADVISOR] = "advisor",    [TRIN_ROLE_RESIDENT] = "resident",
    [TRIN_ROLE_GATEWAY] = "gateway",
};

trin_role_t trin_role_parse(const char *name) {
  if (name == NULL) return TRIN_ROLE_NONE;
  for (int r = TRIN_ROLE_NONE + 1; r < TRIN_ROLE_COUNT_; r++)
    if (strcmp(name, role_names[r]) == 0) return (trin_role_t)r;
  return TRIN_ROLE_NONE;
}

const char *trin_role_name(trin_role_t role) {
  if ((int)role < 0 || role >= TRIN_ROLE_COUNT_) return "none";
  return role_names[role];
}

/* The words the partnership itself uses for who holds such a key; a refusal
 * and docs/roles.md say them beside the role's name. */
static const char *const role_words_da[TRIN_ROLE_COUNT_] = {
    [TRIN_ROLE_NONE] = "ingen",
    [TRIN_ROLE_ADMIN] = "driftsansvarlig",
    [TRIN_ROLE_SERVICE] = "trin selv",
    [TRIN_ROLE_WRITER] = "bygherre",
    [TRIN_ROLE_READER] = "læser",
    [TRIN_ROLE_CALCULATOR] = "kalkulator",
    [TRIN_ROLE_ADVISOR] = "rådgiver",
    [TRIN_ROLE_RESIDENT] = "beboerrepræsentant",
    [TRIN_ROLE_GATEWAY] = "gateway",
};

const char *trin_role_word_da(trin_role_t role) {
  if ((int)role < 0 || role >= TRIN_ROLE_COUNT_) return role_words_da[TRIN_ROLE_NONE];
  return role_words_da[role];
}

bool trin_access_unrestricted(const trin_caller_t *caller) {
  if (caller == NULL || !caller->authenticated) return true;
  return trin_role_parse(caller->role) == TRIN_ROLE_ADMIN;
}
