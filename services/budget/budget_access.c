/* budget_access — see budget_access.h. A project's or partnership's client
 * and membership come from lifecycle's events (budget_lifecycle_events). */
#include "budget_access.h"

#define R(role) TRIN_ROLE_BIT(TRIN_ROLE_##role)
/* Everyone who works in a partnership reads its economy; resident
 * committees do not. */
#define READERS (R(READER) | R(WRITER) | R(CALCULATOR) | R(ADVISOR) | R(SERVICE))

static const trin_access_rule_t RULES[] = {
    /* the partnership's tendered model: set by the client, read by members */
    {"trin.budget.SetEconomicModel", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.budget.GetEconomicModel", READERS, TRIN_SCOPE_MEMBER},
    {"trin.budget.CalculatePrice", READERS, TRIN_SCOPE_MEMBER},
    /* budgets (Skema A/B/C, forecasts): the contractor's calculator writes them,
     * the client's writers approve them (approving Skema B closes the price) */
    {"trin.budget.CreateBudget", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.SetBudgetLine", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.RemoveBudgetLine", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.SubmitBudget", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.ApproveBudget", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.budget.GetBudget", READERS, TRIN_SCOPE_MEMBER},
    {"trin.budget.ListBudgets", READERS, TRIN_SCOPE_MEMBER}, /* filtered without a project */
    /* construction-cost index series: the operator's data, public to keys */
    {"trin.budget.AddIndexPoints", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.budget.ImportIndexCsv", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.budget.GetIndexSeries", READERS, TRIN_SCOPE_ANY},
    /* scope changes and rent: the client's; optimisation log and actual
     * costs: the calculator's; the client decides the options */
    {"trin.budget.RecordScopeChange", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.budget.ProposeOption", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.DecideOption", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.budget.RecordActualCost", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.SetRentParameters", R(WRITER), TRIN_SCOPE_OWN},
    /* the project's economy: members read */
    {"trin.budget.GetProjectEconomy", READERS, TRIN_SCOPE_MEMBER},
    {"trin.budget.GetDrift", READERS, TRIN_SCOPE_MEMBER},
    {"trin.budget.VerifyMolio", READERS, TRIN_SCOPE_MEMBER},
    {"trin.budget.GetTurnoverSplit", READERS, TRIN_SCOPE_MEMBER},
    /* corrections (issue 19): a budget goes back to draft by the side that
     * moved it on — the calculator withdraws what it submitted, the client's
     * writer reopens what it approved */
    {"trin.budget.WithdrawBudget", R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.budget.ReopenBudget", R(WRITER), TRIN_SCOPE_OWN},
    /* lists (issue 19): the index series are public to keys, as GetIndexSeries */
    {"trin.budget.ListIndexSeries", READERS, TRIN_SCOPE_ANY},
};

/* What each request does, for refusals and docs/roles.md (a request added
 * above gets a line here too; without one it is named by its full name). */
static const trin_access_words_t WORDS[] = {
    {"trin.budget.SetEconomicModel", "set a partnership's economic model"},
    {"trin.budget.GetEconomicModel", "read a partnership's economic model"},
    {"trin.budget.CalculatePrice", "calculate a price"},
    {"trin.budget.CreateBudget", "create a budget"},
    {"trin.budget.SetBudgetLine", "set a budget line"},
    {"trin.budget.RemoveBudgetLine", "remove a budget line"},
    {"trin.budget.SubmitBudget", "submit a budget"},
    {"trin.budget.ApproveBudget", "approve a budget"},
    {"trin.budget.GetBudget", "read a budget"},
    {"trin.budget.ListBudgets", "list budgets"},
    {"trin.budget.AddIndexPoints", "add construction-cost index points"},
    {"trin.budget.ImportIndexCsv", "import construction-cost index points"},
    {"trin.budget.GetIndexSeries", "read a construction-cost index series"},
    {"trin.budget.RecordScopeChange", "record a scope change"},
    {"trin.budget.ProposeOption", "propose an optimisation option"},
    {"trin.budget.DecideOption", "decide an optimisation option"},
    {"trin.budget.RecordActualCost", "record an actual cost"},
    {"trin.budget.SetRentParameters", "set a project's rent parameters"},
    {"trin.budget.GetProjectEconomy", "read a project's economy"},
    {"trin.budget.GetDrift", "read a project's budget drift"},
    {"trin.budget.VerifyMolio", "check a budget against MOLIO"},
    {"trin.budget.GetTurnoverSplit", "read a project's turnover split"},
};

const trin_access_table_t budget_access = {"budget", RULES, sizeof RULES / sizeof *RULES, WORDS,
                                           sizeof WORDS / sizeof *WORDS};
