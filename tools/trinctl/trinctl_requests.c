/* trinctl_requests — see trinctl_requests.h. */
#include "trinctl_requests.h"

#include <string.h>

/* One line per (request, command) pair: a command that sends two requests
 * (benchmark model reads or sets) has two lines, a request several commands
 * send has one per command. A new command adds its line at the end. */
static const trinctl_request_t REQUESTS[] = {
    {"trin.lifecycle.CreateOrganisation", "org create"},
    {"trin.lifecycle.ListOrganisations", "org list"},
    {"trin.lifecycle.CreatePartnership", "partnership create"},
    {"trin.lifecycle.AddMember", "partnership add-member"},
    {"trin.lifecycle.ExtendFramework", "partnership extend"},
    {"trin.lifecycle.GetPartnership", "partnership show"},
    {"trin.lifecycle.ListPartnerships", "partnership list"},
    {"trin.lifecycle.CreateProject", "project create"},
    {"trin.lifecycle.AdvanceStage", "project advance"},
    {"trin.lifecycle.ClosePrice", "project close-price"},
    {"trin.lifecycle.PauseProject", "project pause"},
    {"trin.lifecycle.ResumeProject", "project resume"},
    {"trin.lifecycle.GetProject", "project show"},
    {"trin.lifecycle.ListProjects", "project list"},
    {"trin.lifecycle.SetMilestone", "milestone set"},
    {"trin.lifecycle.OpenDispute", "dispute open"},
    {"trin.lifecycle.EscalateDispute", "dispute escalate"},
    {"trin.lifecycle.ResolveDispute", "dispute resolve"},
    {"trin.lifecycle.ReportDefect", "defect report"},
    {"trin.lifecycle.FixDefect", "defect fix"},
    {"trin.lifecycle.ConfirmDefectFix", "defect confirm"},
    {"trin.lifecycle.RejectDefectFix", "defect reject"},
    {"trin.budget.SetEconomicModel", "budget model"},
    {"trin.budget.CalculatePrice", "budget price"},
    {"trin.budget.CreateBudget", "budget create"},
    {"trin.budget.SetBudgetLine", "budget line"},
    {"trin.budget.SubmitBudget", "budget submit"},
    {"trin.budget.ApproveBudget", "budget approve"},
    {"trin.budget.GetBudget", "budget show"},
    {"trin.budget.ListBudgets", "budget list"},
    {"trin.budget.GetProjectEconomy", "budget economy"},
    {"trin.budget.GetDrift", "budget drift"},
    {"trin.budget.VerifyMolio", "budget molio"},
    {"trin.budget.RecordScopeChange", "budget scope"},
    {"trin.budget.ProposeOption", "budget option"},
    {"trin.budget.DecideOption", "budget decide"},
    {"trin.budget.RecordActualCost", "budget cost"},
    {"trin.budget.SetRentParameters", "budget rent"},
    {"trin.budget.GetTurnoverSplit", "budget turnover"},
    {"trin.budget.ImportIndexCsv", "index import"},
    {"trin.budget.AddIndexPoints", "index add"},
    {"trin.budget.GetIndexSeries", "index show"},
    {"trin.survey.CreateSurvey", "survey create"},
    {"trin.survey.AddRound", "survey round"},
    {"trin.survey.SetBaseline", "survey baseline"},
    {"trin.survey.SetThresholds", "survey thresholds"},
    {"trin.survey.ImportResponses", "survey import"},
    {"trin.survey.GetResults", "survey results"},
    {"trin.survey.GetSurvey", "survey show"},
    {"trin.survey.ListSurveys", "survey list"},
    {"trin.survey.ListAlerts", "survey alerts"},
    {"trin.survey.Compare", "survey compare"},
    {"trin.benchmark.SetOrganisation", "benchmark org"},
    {"trin.benchmark.ImportCsv", "benchmark import"},
    {"trin.benchmark.ListFigures", "benchmark figures"},
    {"trin.benchmark.QueryFigure", "benchmark query"},
    {"trin.benchmark.QueryHistory", "benchmark history"},
    {"trin.benchmark.ComparePartnerships", "benchmark compare"},
    {"trin.benchmark.SetMaintenanceModel", "benchmark model"},
    {"trin.benchmark.GetMaintenanceModel", "benchmark model"},
    {"trin.lifecycle.EditOrganisation", "org edit"},
    {"trin.lifecycle.EditPartnership", "partnership edit"},
    {"trin.lifecycle.EditProject", "project edit"},
    {"trin.lifecycle.CorrectStage", "project correct-stage"},
    {"trin.lifecycle.ListDisputes", "dispute list"},
    {"trin.lifecycle.ListDefects", "defect list"},
    {"trin.lifecycle.SetRehousingPlan", "project rehousing-plan"},
    {"trin.lifecycle.RecordRehousingMove", "project rehousing-move"},
    {"trin.budget.RemoveBudgetLine", "budget remove-line"},
    {"trin.budget.WithdrawBudget", "budget withdraw"},
    {"trin.budget.ReopenBudget", "budget reopen"},
    {"trin.budget.ListIndexSeries", "index list"},
    {"trin.survey.AcknowledgeAlert", "survey ack"},
    {"trin.survey.ListAlerts", "survey project-alerts"},
    {"trin.survey.RemoveResponse", "survey remove-response"},
    {"trin.survey.ClearRound", "survey clear-round"},
    {"trin.benchmark.ListProperties", "benchmark properties"},
    {"trin.benchmark.ImportIkuCsv", "benchmark iku-import"},
    {"trin.benchmark.QueryIku", "benchmark iku"},
    {"trin.benchmark.QueryRepetition", "benchmark repetition"},
    {"trin.token.CreateToken", "token create"},
    {"trin.token.RevokeToken", "token revoke"},
    {"trin.token.ListTokens", "token list"},
    /* issue 20, item 7: survey exports as they come */
    {"trin.survey.SetImportMapping", "survey mapping-set"},
    {"trin.survey.GetImportMapping", "survey mapping-show"},
    /* issue 20, item 6: AB18 deadlines */
    {"trin.lifecycle.HoldInspection", "project inspection"},
    /* earned value (issue 20 item 1): `project show --earned-value` */
    {"trin.aggregator.GetProjectRow", "project show"},
    /* sustainability and reuse (issue 20, item 3) */
    {"trin.lifecycle.RecordSustainability", "project sustainability"},
    /* lessons learned (issue 20, item 5) */
    {"trin.lifecycle.RecordLesson", "lesson record"},
    {"trin.lifecycle.AdoptLesson", "lesson adopt"},
    {"trin.lifecycle.ListLessons", "lesson list"},
    /* networks: benchlearning circles and buyer groups (issue 20, item 8) */
    {"trin.benchmark.SetNetwork", "benchmark network-set"},
    {"trin.benchmark.SetNetworkMember", "benchmark network-member"},
    {"trin.benchmark.SetNetworkRequirement", "benchmark network-requirement"},
    {"trin.benchmark.AddNetworkAdoption", "benchmark network-adopt"},
    {"trin.benchmark.GetNetwork", "benchmark network-show"},
    {"trin.benchmark.QueryNetworkFigure", "benchmark network-query"},
    {"trin.benchmark.QueryNetworkHistory", "benchmark network-history"},
};

const trinctl_request_t *trinctl_requests(size_t *n) {
  *n = sizeof REQUESTS / sizeof *REQUESTS;
  return REQUESTS;
}

size_t trinctl_request_commands(const char *request, const char **out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; request && i < sizeof REQUESTS / sizeof *REQUESTS; i++)
    if (strcmp(REQUESTS[i].request, request) == 0 && n < cap) out[n++] = REQUESTS[i].command;
  return n;
}
