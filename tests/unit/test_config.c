/* common.config — precedence (defaults < file < environment < flags), the
 * file format and its errors with line numbers, unknown keys refused,
 * typed getters with ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "trin_config.h"

static const trin_config_key_t KEYS[] = {
    {"endpoint", "tcp://127.0.0.1:5701", "requests"},
    {"batch-max", "512", "batch"},
    {"sync", "full", "durability"},
    {"log-level", "info", "log"},
    {"token", NULL, "no default"},
};
#define NKEYS ((int)(sizeof KEYS / sizeof *KEYS))

static char path[64];

static void write_file(const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  snprintf(path, sizeof path, "/tmp/trin-config-%d.conf", (int)getpid());
  unsetenv("TRIN_CONFIG");
  unsetenv("TRIN_BATCH_MAX");
  unsetenv("TRIN_SYNC");
  return 0;
}

static int teardown(void **state) {
  unlink(path);
  unsetenv("TRIN_BATCH_MAX");
  return 0;
}

static void precedence(void **state) {
  write_file("# a comment\n\n endpoint = tcp://0.0.0.0:6000 \nbatch-max=100\nsync = \"normal\"\n");
  setenv("TRIN_BATCH_MAX", "200", 1);
  char a0[] = "svc", a1[64], a2[] = "--log-level", a3[] = "debug";
  snprintf(a1, sizeof a1, "--config=%s", path);
  char *argv[] = {a0, a1, a2, a3};
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  bool help;
  trin_err_t err;
  assert_int_equal(trin_config_load(c, 4, argv, &help, &err), TRIN_OK);
  assert_false(help);
  assert_string_equal(trin_config_get(c, "endpoint"), "tcp://0.0.0.0:6000"); /* file */
  assert_string_equal(trin_config_get(c, "sync"), "normal");                 /* quotes gone */
  int64_t n;
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 1000, &n, &err), TRIN_OK);
  assert_int_equal(n, 200);                                                  /* env over file */
  assert_string_equal(trin_config_get(c, "log-level"), "debug");             /* flag */
  assert_null(trin_config_get(c, "token"));
  assert_null(trin_config_get(c, "no-such-key"));
  /* A flag beats the environment. */
  char b2[] = "--batch-max=300";
  char *argv2[] = {a0, b2};
  assert_int_equal(trin_config_load(c, 2, argv2, &help, &err), TRIN_OK);
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 1000, &n, &err), TRIN_OK);
  assert_int_equal(n, 300);
  trin_config_destroy(&c);
  assert_null(c);
}

static void service_prefix(void **state) {
  /* TRIN_<SERVICE>_<KEY> wins over TRIN_<KEY>, so one shell can start
   * several services. */
  setenv("TRIN_BATCH_MAX", "200", 1);
  setenv("TRIN_BUDGET_BATCH_MAX", "77", 1);
  char a0[] = "svc";
  char *argv[] = {a0};
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  trin_config_set_env_prefix(c, "budget");
  bool help;
  trin_err_t err;
  assert_int_equal(trin_config_load(c, 1, argv, &help, &err), TRIN_OK);
  int64_t n;
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 1000, &n, &err), TRIN_OK);
  assert_int_equal(n, 77);
  trin_config_destroy(&c);
  c = trin_config_new(KEYS, NKEYS);
  trin_config_set_env_prefix(c, "survey");
  assert_int_equal(trin_config_load(c, 1, argv, &help, &err), TRIN_OK);
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 1000, &n, &err), TRIN_OK);
  assert_int_equal(n, 200);
  trin_config_destroy(&c);
  unsetenv("TRIN_BUDGET_BATCH_MAX");
}

static void errors(void **state) {
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  trin_err_t err;
  bool help;
  write_file("endpoint = x\nbatchmax = 5\n");
  assert_int_equal(trin_config_load_file(c, path, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 2"));
  assert_string_equal(err.field, "batchmax");
  write_file("just words\n");
  assert_int_equal(trin_config_load_file(c, path, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 1"));
  assert_int_equal(trin_config_load_file(c, "/nonexistent/trin.conf", &err), TRIN_EIO);
  char a0[] = "svc", a1[] = "--bogus=1";
  char *argv[] = {a0, a1};
  assert_int_equal(trin_config_load(c, 2, argv, &help, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "bogus");
  char b1[] = "--endpoint";
  char *argv2[] = {a0, b1};
  assert_int_equal(trin_config_load(c, 2, argv2, &help, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "needs a value"));
  char c1[] = "stray";
  char *argv3[] = {a0, c1};
  assert_int_equal(trin_config_load(c, 2, argv3, &help, &err), TRIN_EINVALID);
  char d1[] = "--help";
  char *argv4[] = {a0, d1};
  assert_int_equal(trin_config_load(c, 2, argv4, &help, &err), TRIN_OK);
  assert_true(help);
  /* Typed getters. */
  int64_t n;
  bool b;
  assert_int_equal(trin_config_set(c, "batch-max", "12x", &err), TRIN_OK);
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 100, &n, &err), TRIN_EINVALID);
  assert_int_equal(trin_config_set(c, "batch-max", "1000", &err), TRIN_OK);
  assert_int_equal(trin_config_get_int(c, "batch-max", 1, 100, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "1..100"));
  assert_int_equal(trin_config_set(c, "sync", "yes", &err), TRIN_OK);
  assert_int_equal(trin_config_get_bool(c, "sync", &b, &err), TRIN_OK);
  assert_true(b);
  assert_int_equal(trin_config_set(c, "sync", "maybe", &err), TRIN_OK);
  assert_int_equal(trin_config_get_bool(c, "sync", &b, &err), TRIN_EINVALID);
  trin_config_destroy(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(precedence),
      cmocka_unit_test(errors),
      cmocka_unit_test(service_prefix),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
