/* fuzz.survey_csv — a survey tool's CSV export through the survey
 * service's whole import (survey_import_run inside a store transaction, as
 * ImportResponses runs it): header, roles, scores, respondents' pseudonyms,
 * aggregates, alerts and the events. The first byte picks the round (1, 2,
 * or one that does not exist). Checked besides memory safety: a refused
 * file says why, and an accepted one counts no more answers than it got. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  survey_import_input_t in = {.survey_id = "S1",
                              .round = (int32_t)(data[0] % 3) + 1,
                              .csv = (const char *)data + 1,
                              .csv_len = size - 1};
  Trin__Survey__ImportReply reply;
  trin_err_t err = {0};
  int rc = fuzz_survey_import(&in, &reply, &err);
  if (rc != TRIN_OK && !err.message[0]) abort();
  if (rc == TRIN_OK && (reply.added + reply.replaced > reply.received || reply.received <= 0))
    abort();
  return 0;
}
