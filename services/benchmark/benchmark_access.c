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
    /* competitive exposure (IKU): public statistics of every municipality,
     * imported by the operator as the other bulk imports, read by anyone */
    {"trin.benchmark.ImportIkuCsv", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.benchmark.QueryIku", READERS, TRIN_SCOPE_ANY},
};

const trin_access_table_t benchmark_access = {"benchmark", RULES,
                                              sizeof RULES / sizeof *RULES};
