/* fuzz.webhook_json — the body a survey tool POSTs to the webhook, through
 * survey_webhook_parse (jansson) and, when it parses, the import it
 * describes (survey_import_run in its own transaction, as the webhook runs
 * it). Checked besides memory safety: every refusal says why. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_survey.h"
#include "survey_webhook.h"
#include "trin_arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_survey_start();
  trin_arena_t a = TRIN_ARENA_INIT;
  survey_import_input_t in;
  trin_err_t err = {0};
  int rc = survey_webhook_parse((const char *)data, size, &a, &in, &err);
  if (rc != TRIN_OK) {
    if (!err.message[0]) abort();
  } else {
    Trin__Survey__ImportReply reply;
    trin_err_t e = {0};
    rc = fuzz_survey_import(&in, &reply, &e);
    if (rc != TRIN_OK && !e.message[0]) abort();
  }
  trin_arena_reset(&a);
  return 0;
}
