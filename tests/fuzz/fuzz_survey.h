/* fuzz_survey — the survey service in-process for the import fuzz targets:
 * project P1 and survey S1 (three statements TRUST_ECONOMY, DIALOGUE,
 * TILES on 1–5, at least 5 respondents) with rounds 1 and 2, and a way to
 * run one import in its own transaction. */
#ifndef FUZZ_SURVEY_H
#define FUZZ_SURVEY_H

#include "survey_import.h"

/* Makes the service on first use. */
void fuzz_survey_start(void);
/* Runs survey_import_run on `in` through trin_server_apply. */
int fuzz_survey_import(const survey_import_input_t *in, Trin__Survey__ImportReply *reply,
                       trin_err_t *err);

#endif
