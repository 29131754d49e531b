/* fuzz_survey — see fuzz_survey.h. */
#include "fuzz_survey.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_inproc.h"
#include "survey_store.h"
#include "trin_arena.h"

static fuzz_inproc_t svc;
static bool started;
static const uint8_t KEY[SURVEY_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

void fuzz_survey_start(void) {
  if (started) return;
  started = true;
  fuzz_inproc_start(&svc, "survey", survey_store_migrate);
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT,
                          c = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Vi har tillid til økonomien";
  a.common = true;
  b.key = "DIALOGUE";
  b.text = "Dialogen er god";
  c.key = "TILES";
  c.text = "Valget af fliser";
  Trin__Survey__Statement *sts[] = {&a, &b, &c};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S1";
  sv.project_id = "P1";
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.min_respondents = 5;
  sv.statements = sts;
  sv.n_statements = 3;
  trin_err_t err = {0};
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Survey__Survey got;
  int64_t no = 0;
  if (trin_store_begin(svc.store, &err) ||
      survey_store_project_upsert(svc.store, "P1", "", "KAB", &err) ||
      survey_store_survey_insert(svc.store, &sv, &err) ||
      survey_store_survey_get(svc.store, "S1", "survey_id", &ar, &got, &no, &err)) {
    fprintf(stderr, "fuzz_survey: seeding: %s %s\n", err.field, err.message);
    abort();
  }
  for (int32_t n = 1; n <= 2; n++) {
    Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
    r.number = n;
    r.opens = n == 1 ? "2024-01-01" : "2024-06-01";
    r.closes = n == 1 ? "2024-01-31" : "2024-06-30";
    if (survey_store_round_insert(svc.store, no, &r, &err)) abort();
  }
  if (trin_store_commit(svc.store, &err)) abort();
  trin_arena_reset(&ar);
}

typedef struct {
  const survey_import_input_t *in;
  Trin__Survey__ImportReply *reply;
} job_t;

static int run_import(trin_request_t *req, void *data, trin_err_t *err) {
  job_t *j = data;
  return survey_import_run(req, KEY, j->in, j->reply, err);
}

int fuzz_survey_import(const survey_import_input_t *in, Trin__Survey__ImportReply *reply,
                       trin_err_t *err) {
  fuzz_survey_start();
  job_t j = {in, reply};
  trin__survey__import_reply__init(reply);
  int rc = trin_server_apply(svc.server, run_import, &j, err);
  /* Let the server publish what the import emitted, as the loop would. */
  uv_run(&svc.loop, UV_RUN_NOWAIT);
  return rc;
}
