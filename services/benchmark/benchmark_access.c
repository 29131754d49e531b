/* benchmark_access — see benchmark_access.h. A property belongs to its
 * owner organisation; figures are anonymous except where the open
 * benchmarking rule (benchmark_rules) names an organisation, and the viewer
 * is always the caller's own organisation. */
#include "benchmark_access.h"

#define R(role) TRIN_ROLE_BIT(TRIN_ROLE_##role)
#define READERS (R(READER) | R(WRITER) | R(CALCULATOR) | R(ADVISOR) | R(SERVICE))

static const trin_access_rule_t RULES[] = {
    /* an organisation's own entry (its name, open benchmarking): its writers */
    {"trin.benchmark.SetOrganisation", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.benchmark.ListOrganisations", READERS, TRIN_SCOPE_ANY},
    /* properties and their yearly measures: the owner's writers; the owner reads */
    {"trin.benchmark.SetProperty", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.benchmark.GetProperty", READERS, TRIN_SCOPE_OWN},
    {"trin.benchmark.SetMeasure", R(WRITER), TRIN_SCOPE_OWN},
    /* bulk CSV (many owners at once) and the maintenance model: the operator */
    {"trin.benchmark.ImportCsv", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.benchmark.SetMaintenanceModel", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.benchmark.GetMaintenanceModel", READERS, TRIN_SCOPE_ANY},
    /* figures: anonymous to anyone working in trin; names only as open
     * benchmarking allows, with the caller's organisation as the viewer */
    {"trin.benchmark.ListFigures", READERS, TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryFigure", READERS, TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryHistory", READERS, TRIN_SCOPE_ANY},
    {"trin.benchmark.ComparePartnerships", READERS, TRIN_SCOPE_ANY},
    /* lists (issue 19): an organisation's own properties */
    {"trin.benchmark.ListProperties", READERS, TRIN_SCOPE_OWN}, /* filtered */
    /* competitive exposure (IKU): public statistics of every municipality,
     * imported by the operator as the other bulk imports, read by anyone */
    {"trin.benchmark.ImportIkuCsv", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryIku", READERS, TRIN_SCOPE_ANY},
    /* repetition evidence (issue 20, item 5): a partnership's own projects'
     * trends, named by project, so its client and members only */
    {"trin.benchmark.QueryRepetition", READERS, TRIN_SCOPE_MEMBER},
    /* networks (issue 20, item 8): created by an organisation's writers, which
     * then administer it (members, visibility, requirements); a member's
     * writers record its own adoptions; its members and the administrator
     * read it — to anyone else it does not exist (checked in the handler) */
    {"trin.benchmark.SetNetwork", R(WRITER), TRIN_SCOPE_ANY},
    {"trin.benchmark.SetNetworkMember", R(WRITER), TRIN_SCOPE_ANY},
    {"trin.benchmark.SetNetworkRequirement", R(WRITER), TRIN_SCOPE_ANY},
    {"trin.benchmark.AddNetworkAdoption", R(WRITER), TRIN_SCOPE_ANY},
    {"trin.benchmark.GetNetwork", READERS, TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryNetworkFigure", READERS, TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryNetworkHistory", READERS, TRIN_SCOPE_ANY},
};

/* What each request does, for refusals and docs/roles.md (a request added
 * above gets a line here too; without one it is named by its full name). */
static const trin_access_words_t WORDS[] = {
    {"trin.benchmark.SetOrganisation", "set an organisation's benchmark entry"},
    {"trin.benchmark.ListOrganisations", "list the benchmark's organisations"},
    {"trin.benchmark.SetProperty", "set a property"},
    {"trin.benchmark.GetProperty", "read a property"},
    {"trin.benchmark.SetMeasure", "set a property's yearly measures"},
    {"trin.benchmark.ImportCsv", "import benchmark measures"},
    {"trin.benchmark.SetMaintenanceModel", "set the maintenance model"},
    {"trin.benchmark.GetMaintenanceModel", "read the maintenance model"},
    {"trin.benchmark.ListFigures", "list the benchmark's figures"},
    {"trin.benchmark.QueryFigure", "compare a benchmark figure"},
    {"trin.benchmark.QueryHistory", "read a benchmark figure's history"},
    {"trin.benchmark.ComparePartnerships", "compare partnerships' figures"},
    {"trin.benchmark.ListProperties", "list an organisation's properties"},
    {"trin.benchmark.ImportIkuCsv", "import municipalities' competitive exposure (IKU)"},
    {"trin.benchmark.QueryIku", "read a municipality's competitive exposure (IKU)"},
    /* issue 20, item 5 */
    {"trin.benchmark.QueryRepetition", "read a partnership's repetition evidence"},
    /* networks (issue 20, item 8) */
    {"trin.benchmark.SetNetwork", "create or change a benchmark network"},
    {"trin.benchmark.SetNetworkMember", "set a benchmark network's member"},
    {"trin.benchmark.SetNetworkRequirement", "record a network's shared requirement"},
    {"trin.benchmark.AddNetworkAdoption", "record a member's adoption of a network requirement"},
    {"trin.benchmark.GetNetwork", "read a benchmark network"},
    {"trin.benchmark.QueryNetworkFigure", "compare a figure within a benchmark network"},
    {"trin.benchmark.QueryNetworkHistory", "read a member's rank history in a network"},
};

const trin_access_table_t benchmark_access = {"benchmark", RULES, sizeof RULES / sizeof *RULES,
                                              WORDS, sizeof WORDS / sizeof *WORDS};
