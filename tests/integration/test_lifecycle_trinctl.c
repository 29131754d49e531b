/* lifecycle.trinctl — the real trin-lifecycle process driven through the
 * trinctl binary as a person or a script would: the same flows as
 * lifecycle.flow, readable and --json output, and the exit status and
 * error text of each kind of failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "testproc.h"

static testproc_t svc;
static char out[65536];

/* Runs trinctl with args against the service; returns its exit status and
 * leaves stdout in `out` (stderr is folded in when err_too). */
static int ctl(bool err_too, const char *fmt, ...) {
  char args[2048], cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s%s", TRINCTL_BIN, svc.endpoint, args,
           err_too ? " 2>&1" : " 2>/dev/null");
  return testproc_run(cmd, out, sizeof out);
}

#define OK(...)                                                             \
  do {                                                                      \
    int rc_ = ctl(true, __VA_ARGS__);                                       \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out); \
    assert_int_equal(rc_, 0);                                               \
  } while (0)

static int setup(void **state) {
  testproc_init(&svc, "trinctl");
  return testproc_start(&svc, TRIN_LIFECYCLE_BIN, NULL) ? 0 : -1;
}

static int teardown(void **state) {
  int rc = testproc_stop(&svc);
  testproc_cleanup(&svc);
  return rc == 0 ? 0 : -1;
}

static void set_up_partnership(void **state) {
  OK("org create --id CIV --name 'Civica' --kind client");
  OK("org create --id TE --name 'Totalentreprenøren' --kind contractor");
  OK("partnership create --id LIVA --name LIVA --client CIV --framework-start 2022-09-01 "
     "--horizon-years 10 --price-closing myndighedsprojekt --abt-start trin1 "
     "--frame 1.800.000.000 --trivial-threshold 50.000");
  OK("partnership add-member --partnership LIVA --org TE --role contractor");
  OK("partnership show LIVA");
  assert_non_null(strstr(out, "myndighedsprojekt"));
  assert_non_null(strstr(out, "TE"));
  OK("--json partnership show LIVA");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *p = json_object_get(j, "partnership");
  assert_int_equal(json_integer_value(json_object_get(p, "economic_frame_ore")),
                   180000000000LL);
  assert_int_equal(json_integer_value(json_object_get(p, "trivial_threshold_ore")), 5000000);
  assert_string_equal(json_string_value(json_object_get(p, "framework_end")), "2026-08-31");
  json_decref(j);
}

static void project_to_closed(void **state) {
  OK("project create --id P1 --name 'Kildeparken' --partnership LIVA --kind helhedsplan "
     "--dwellings 120 --area 9000 --start 2023-01-10");
  OK("project advance P1 --to trin1 --date 2023-02-01");
  OK("project advance P1 --to trin2 --date 2023-06-01");
  /* Refused: price not closed. Exit 1, the service's words on stderr. */
  assert_int_equal(ctl(true, "project advance P1 --to trin3 --date 2023-09-01"), 1);
  assert_non_null(strstr(out, "trinctl: error:"));
  assert_non_null(strstr(out, "price_closed"));
  OK("project close-price P1 --date 2023-08-15 --reference 'Skema B'");
  const char *steps[][2] = {{"trin3", "2023-09-01"}, {"handover", "2025-05-01"},
                            {"inspection_1y", "2026-05-01"}, {"inspection_5y", "2030-05-01"},
                            {"closed", "2030-08-01"}};
  for (int i = 0; i < 5; i++) OK("project advance P1 --to %s --date %s", steps[i][0], steps[i][1]);
  OK("project show P1");
  assert_non_null(strstr(out, "closed siden 01.08.2030"));
  OK("--json project show P1");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *stages = json_object_get(json_object_get(j, "project"), "stages");
  assert_int_equal(json_array_size(stages), 8);
  json_decref(j);

  /* Defects: nothing to confirm before a repair is reported; this
   * unauthenticated local caller acts as the operator, so its fix closes. */
  OK("defect report P1 --id F1 --description 'Utæt tag' --severity major --found-at other "
     "--reported 2030-08-02");
  assert_int_equal(ctl(true, "defect confirm F1 --date 2030-08-03"), 1);
  assert_non_null(strstr(out, "trinctl: error: no repair of the defect awaits confirmation: "
                              "the contractor reports it remedied first (defect fix)"));
  OK("defect fix F1 --date 2030-08-03");
  assert_non_null(strstr(out, "defect F1 fixed on 2030-08-03; 0 open defects"));
  assert_int_equal(ctl(true, "defect reject F1 --date 2030-08-04 --note 'Drypper'"), 1);
  assert_non_null(strstr(out, "the defect was already closed on 2030-08-03"));
  assert_int_equal(ctl(true, "defect reject F1 --date 2030-08-04"), 2); /* --note required */
}

static void fast_track_pause_and_dispute(void **state) {
  OK("project create --id F1 --name 'Tag' --partnership LIVA --kind maintenance --fast-track "
     "--start 2023-03-01");
  OK("project advance F1 --to trin1_2 --date 2023-04-01");
  OK("project pause F1 --reason authority --date 2023-05-01 --note 'Byggetilladelse'");
  assert_int_equal(ctl(true, "project pause F1 --reason financing --date 2023-05-02"), 1);
  assert_non_null(strstr(out, "paused"));
  OK("project resume F1 --date 2023-07-01");
  OK("project close-price F1 --date 2023-07-15");
  OK("project advance F1 --to trin3 --date 2023-08-01");
  OK("dispute open F1 --id T1 --title 'Ekstraarbejde tag' --amount 250.000 --date 2023-09-01 "
     "--raised-by TE");
  OK("dispute escalate T1 --level 2 --date 2023-09-10 --by TE");
  OK("dispute escalate T1 --level 3 --date 2023-10-01 --by CIV --note 'Konfliktforum'");
  OK("dispute resolve T1 --date 2023-10-20 --resolution 'Forlig' --settled 125.000");
  OK("project show F1");
  assert_non_null(strstr(out, "conflict forum"));
  assert_non_null(strstr(out, "authority"));
  OK("--json project list --stage trin3");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  assert_true(json_is_array(j));
  assert_int_equal(json_array_size(j), 1);
  json_decref(j);
}

/* Corrections: only the options given change, the output says what, a
 * refusal's words reach the user, --reason is required. */
static void corrections(void **state) {
  OK("project create --id E1 --name 'Kildeparkn' --partnership LIVA --kind helhedsplan "
     "--municipality Aarhus --dwellings 12 --start 2023-04-01");
  OK("project edit E1 --name 'Kildeparken 2' --dwellings 1200 "
     "--reason 'stavefejl og et nul for lidt'");
  assert_non_null(
      strstr(out, "E1: corrected; Kildeparken 2, helhedsplan, Aarhus, 1.200 dwellings"));
  assert_non_null(strstr(out, "(event "));
  OK("project edit E1 --dwellings 1200 --reason igen");
  assert_non_null(strstr(out, "unchanged"));
  OK("project advance E1 --to trin1 --date 2023-05-01");
  OK("project correct-stage E1 --from trin1 --reason 'for tidligt'");
  assert_non_null(strstr(out, "E1: stage corrected: back in pre_study since 2023-04-01"));
  OK("project show E1");
  assert_non_null(strstr(out, "for tidligt"));
  assert_int_equal(ctl(true, "project correct-stage E1 --reason 'igen'"), 1);
  assert_non_null(strstr(out, "there is no stage to go back to"));
  assert_int_equal(ctl(true, "project edit E1 --name X"), 2);
  assert_non_null(strstr(out, "--reason"));
  OK("org edit TE --name 'Totalentreprenøren A/S' --reason 'det fulde navn'");
  assert_non_null(strstr(out, "TE: renamed to Totalentreprenøren A/S (event "));
  assert_int_equal(ctl(true, "org edit TE --name TE --kind client --reason x"), 1);
  assert_non_null(strstr(out, "'TE' is a contractor organisation and stays one"));
  OK("partnership edit LIVA --frame 2.000.000.000 --reason 'rammen efter forlængelsen'");
  assert_non_null(strstr(out, "LIVA: corrected economic_frame_ore (event "));
  assert_non_null(strstr(out, "economic frame 2.000.000.000,00 kr."));
  assert_int_equal(ctl(true, "partnership edit LIVA --price-closing projektforslag --reason x"),
                   1);
  assert_non_null(strstr(out, "closed their price at the current price-closing point"));
  OK("--json project edit E1 --municipality '' --reason 'ukendt kommune'");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "project"),
                                                        "municipality")), "");
  json_decref(j);
}

/* Rehousing (issue 20, item 4): the client's plan and movements, Danish
 * words and numbers for people, the sums in --json, and every refusal's
 * text as the user reads it. */
static void rehousing(void **state) {
  OK("project create --id R1 --name 'Gadelandet' --partnership LIVA --kind renovation "
     "--dwellings 1500 --area 90000 --start 2023-03-01");
  /* Usage: one of --households or --without-rehousing. */
  assert_int_equal(ctl(true, "project rehousing-plan R1"), 2);
  assert_non_null(strstr(out, "give either --households N"));
  /* A move before any plan is refused by the service. */
  assert_int_equal(ctl(true, "project rehousing-move R1 --kind temporary --households 5 "
                             "--date 2023-04-01"),
                   1);
  assert_non_null(strstr(out, "the project has no rehousing plan yet"));
  OK("project rehousing-plan R1 --households 1200");
  assert_non_null(strstr(out, "R1: genhusningsplan: 1.200 husstande skal genhuses; genhuset "
                              "i alt 0 af 1.200, flyttet tilbage 0"));
  OK("project rehousing-move R1 --kind temporary --households 1100 --date 2023-04-01");
  assert_non_null(strstr(out, "R1: 1.100 husstande genhuset midlertidigt 2023-04-01; genhuset "
                              "i alt 1.100 af 1.200, flyttet tilbage 0"));
  OK("project rehousing-move R1 --kind permanent --households 1 --date 2023-04-02");
  assert_non_null(strstr(out, "1 husstand genhuset permanent 2023-04-02"));
  /* Refusals, in the service's words. */
  assert_int_equal(ctl(true, "project rehousing-move R1 --kind temporary --households 100 "
                             "--date 2023-05-01"),
                   1);
  assert_non_null(strstr(out, "1201 households would be rehoused, more than the 1200 the plan "
                              "says"));
  assert_int_equal(ctl(true, "project rehousing-move R1 --kind temporary --households 100 "
                             "--date 2023-05-01 --beyond-plan"),
                   1);
  assert_non_null(strstr(out, "is required with beyond_plan"));
  OK("project rehousing-move R1 --kind temporary --households 100 --date 2023-05-01 "
     "--beyond-plan --note 'to opgange mere end ventet'");
  assert_int_equal(ctl(true, "project rehousing-move R1 --kind moved_back --households 1201 "
                             "--date 2024-01-10"),
                   1);
  assert_non_null(strstr(out, "by 2024-01-10 1200 households were rehoused temporarily and 0 "
                              "had moved back; 1201 more cannot move back"));
  assert_int_equal(ctl(true, "project rehousing-move R1 --kind moved_back --households 1 "
                             "--date 2023-02-01"),
                   1);
  assert_non_null(strstr(out, "move.date (2023-02-01) is before the project's start date "
                              "(2023-03-01)"));
  assert_int_equal(ctl(true, "project rehousing-plan R1 --without-rehousing"), 1);
  assert_non_null(strstr(out, "1201 households were already rehoused, so the project is not a "
                              "renovation without rehousing"));
  assert_int_equal(ctl(true, "project rehousing-plan R1 --households 1000"), 1);
  assert_non_null(strstr(out, "1201 households were already rehoused; the plan cannot say "
                              "fewer (1000)"));
  assert_int_equal(ctl(true, "project rehousing-plan R1 --households 1501"), 1);
  assert_non_null(strstr(out, "the project has 1500 dwellings; 1501 households to rehouse"));
  OK("project rehousing-move R1 --kind moved_back --households 1000 --date 2024-01-10 "
     "--note 'første tilbageflytning'");
  assert_non_null(strstr(out, "genhuset i alt 1.201 af 1.200, flyttet tilbage 1.000"));
  OK("project show R1");
  assert_non_null(strstr(out, "Genhusning"));
  assert_non_null(strstr(out, "1.201 (1.200 midlertidigt, 1 permanent), først 01.04.2023"));
  assert_non_null(strstr(out, "1.000, senest 10.01.2024"));
  assert_non_null(strstr(out, "første tilbageflytning"));
  OK("--json project show R1");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *p = json_object_get(j, "project");
  assert_true(json_is_true(json_object_get(p, "rehousing_planned")));
  assert_int_equal(json_integer_value(json_object_get(p, "households_to_rehouse")), 1200);
  assert_int_equal(json_integer_value(json_object_get(p, "households_rehoused_temporary")), 1200);
  assert_int_equal(json_integer_value(json_object_get(p, "households_rehoused_permanent")), 1);
  assert_int_equal(json_integer_value(json_object_get(p, "households_moved_back")), 1000);
  assert_string_equal(json_string_value(json_object_get(p, "last_moved_back_on")), "2024-01-10");
  assert_int_equal(json_array_size(json_object_get(p, "rehousing_moves")), 4);
  json_decref(j);
  /* Without rehousing: a flag, and no movements afterwards. */
  OK("project create --id R2 --name 'Tåstrupgård' --partnership LIVA --kind renovation "
     "--dwellings 300 --start 2023-03-01");
  OK("project rehousing-plan R2 --without-rehousing");
  assert_non_null(strstr(out, "R2: genhusningsplan: renoveres uden genhusning"));
  assert_int_equal(ctl(true, "project rehousing-move R2 --kind temporary --households 1 "
                             "--date 2023-04-01"),
                   1);
  assert_non_null(strstr(out, "the project is renovated without rehousing"));
}

static void errors_and_exit_codes(void **state) {
  /* Usage errors: exit 2, naming the option. */
  assert_int_equal(ctl(true, "project create --id X --name X --kind helhedsplan"), 2);
  assert_non_null(strstr(out, "--start"));
  assert_int_equal(ctl(true, "dispute open F1 --id T9 --title t --amount abc --date 2023-01-01 "
                             "--raised-by TE"),
                   2);
  assert_int_equal(ctl(true, "project advance F1 --to trin3 --date 2023-02-30"), 2);
  assert_int_equal(ctl(true, "frobnicate"), 2);
  /* Refusals: exit 1; with --json the error object on stdout. */
  assert_int_equal(ctl(false, "--json project show NOPE"), 1);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *e = json_object_get(j, "error");
  assert_string_equal(json_string_value(json_object_get(e, "code")), "not_found");
  assert_string_equal(json_string_value(json_object_get(e, "field")), "project_id");
  json_decref(j);
  /* No service: exit 3. */
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s --endpoint ipc:///tmp/trin-nobody-here --timeout 300 ping 2>&1",
           TRINCTL_BIN);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 3);
  /* Events: the log lists what happened, in order. */
  OK("--json events --after 0 --limit 3");
  j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *evs = json_object_get(j, "events");
  assert_int_equal(json_array_size(evs), 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "type")),
                      "lifecycle.organisation_created");
  json_decref(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(set_up_partnership),
      cmocka_unit_test(project_to_closed),
      cmocka_unit_test(fast_track_pause_and_dispute),
      cmocka_unit_test(corrections),
      cmocka_unit_test(rehousing),
      cmocka_unit_test(errors_and_exit_codes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
