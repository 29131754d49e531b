/* survey_access — see survey_access.h. A survey belongs to its project's
 * client and partnership, learnt from lifecycle's events. */
#include "survey_access.h"

#include "trin_token.h"

#define R(role) TRIN_ROLE_BIT(TRIN_ROLE_##role)
#define READERS (R(READER) | R(WRITER) | R(CALCULATOR) | R(ADVISOR) | R(SERVICE))

static const trin_access_rule_t RULES[] = {
    /* survey definitions and rounds: the client's writers */
    {"trin.survey.CreateSurvey", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.survey.AddRound", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.survey.SetBaseline", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.survey.SetThresholds", R(WRITER), TRIN_SCOPE_OWN},
    /* reading a survey: members, and residents who answer it */
    {"trin.survey.GetSurvey", READERS | R(RESIDENT), TRIN_SCOPE_MEMBER},
    {"trin.survey.ListSurveys", READERS | R(RESIDENT), TRIN_SCOPE_MEMBER}, /* filtered */
    /* answers: the partnership's resident committees and the client's writers */
    {"trin.survey.ImportResponses", R(RESIDENT) | R(WRITER), TRIN_SCOPE_MEMBER},
    /* results: members (not residents: they answer, the landlord reports back) */
    {"trin.survey.GetResults", READERS, TRIN_SCOPE_MEMBER},
    /* pooled inside/outside comparison: anonymous, for any working role;
     * naming a client is only allowed for the caller's own */
    {"trin.survey.Compare", READERS, TRIN_SCOPE_ANY},
    /* an alert's life: members read it (as results); the client's writers
     * and the advisors acknowledge it with a note */
    {"trin.survey.ListAlerts", READERS, TRIN_SCOPE_MEMBER},
    {"trin.survey.AcknowledgeAlert", R(WRITER) | R(ADVISOR), TRIN_SCOPE_MEMBER},
    /* the webhook's survey:write tokens: an organisation's writers, its own */
    TRIN_TOKEN_ACCESS_RULES,
    /* issue 19, corrections: who may import answers may remove them */
    {"trin.survey.RemoveResponse", R(RESIDENT) | R(WRITER), TRIN_SCOPE_MEMBER},
    {"trin.survey.ClearRound", R(RESIDENT) | R(WRITER), TRIN_SCOPE_MEMBER},
    /* issue 20, item 7: the import mapping is part of the survey's
     * definition (the client's writers); those who read the survey or
     * import into it read it */
    {"trin.survey.SetImportMapping", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.survey.GetImportMapping", READERS | R(RESIDENT), TRIN_SCOPE_MEMBER},
};

/* What each request does, for refusals and docs/roles.md (a request added
 * above gets a line here too; without one it is named by its full name). */
static const trin_access_words_t WORDS[] = {
    {"trin.survey.CreateSurvey", "create a survey"},
    {"trin.survey.AddRound", "add a survey round"},
    {"trin.survey.SetBaseline", "set a survey's baseline"},
    {"trin.survey.SetThresholds", "set a survey's alert thresholds"},
    {"trin.survey.GetSurvey", "read a survey"},
    {"trin.survey.ListSurveys", "list surveys"},
    {"trin.survey.ImportResponses", "import survey responses"},
    {"trin.survey.GetResults", "read a survey's results"},
    {"trin.survey.Compare", "compare satisfaction inside and outside partnerships"},
    {"trin.survey.ListAlerts", "list a survey's alerts"},
    {"trin.survey.AcknowledgeAlert", "acknowledge a survey alert"},
    {"trin.survey.RemoveResponse", "remove a respondent's answers from a round"},
    {"trin.survey.ClearRound", "clear a wrongly imported round"},
    {"trin.survey.SetImportMapping",
     "save a survey's import mapping (export columns and answer words)"},
    {"trin.survey.GetImportMapping", "read a survey's import mapping"},
    TRIN_TOKEN_ACCESS_WORDS,
};

const trin_access_table_t survey_access = {"survey", RULES, sizeof RULES / sizeof *RULES, WORDS,
                                           sizeof WORDS / sizeof *WORDS};
