/* common.config — precedence (defaults < file < environment < flags), the
 * file format and its errors with line numbers, unknown keys refused,
 * typed getters with ranges, and secrets: `<key>-file` (missing, readable by
 * others, trailing newline, empty), TRIN_<KEY>_FILE, the warning for a
 * secret flag and what --help says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "trin_config.h"

static const trin_config_key_t KEYS[] = {
    {"endpoint", "tcp://127.0.0.1:5701", "requests"},
    {"batch-max", "512", "batch"},
    {"sync", "full", "durability"},
    {"log-level", "info", "log"},
    {"token", NULL, "no default"},
    {"api-token", "", TRIN_CONFIG_SECRET "the operator's token"},
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
  unsetenv("TRIN_API_TOKEN");
  unsetenv("TRIN_API_TOKEN_FILE");
  unsetenv("TRIN_BUDGET_API_TOKEN_FILE");
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

static char secret_path[64];

static void write_secret(const char *text, mode_t mode) {
  snprintf(secret_path, sizeof secret_path, "/tmp/trin-config-%d.secret", (int)getpid());
  unlink(secret_path);
  FILE *f = fopen(secret_path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  assert_int_equal(chmod(secret_path, mode), 0);
}

/* Runs trin_config_load with stderr in a file; returns what was logged. */
static char logged[4096];
static int load_capturing(trin_config_t *c, int argc, char **argv, trin_err_t *err) {
  char log_path[64];
  snprintf(log_path, sizeof log_path, "/tmp/trin-config-%d.log", (int)getpid());
  fflush(stderr);
  int saved = dup(2);
  FILE *f = fopen(log_path, "w+");
  assert_non_null(f);
  dup2(fileno(f), 2);
  bool help;
  int rc = trin_config_load(c, argc, argv, &help, err);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(f);
  size_t n = fread(logged, 1, sizeof logged - 1, f);
  logged[n] = '\0';
  fclose(f);
  unlink(log_path);
  return rc;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
  return n;
}

static void secret_file(void **state) {
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  trin_err_t err;
  /* The first line is the secret; its line end (and trailing blanks) go. */
  write_secret("s3cret-token\r\nsecond line is ignored\n", 0600);
  assert_int_equal(trin_config_set(c, "api-token-file", secret_path, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "s3cret-token");
  assert_null(trin_config_get(c, "api-token-file"));
  /* The group may read it (0640 root:trin under systemd); others may not. */
  write_secret("group-token\n", 0640);
  assert_int_equal(trin_config_set(c, "api-token-file", secret_path, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "group-token");
  write_secret("open-token\n", 0644);
  assert_int_equal(trin_config_set(c, "api-token-file", secret_path, &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.field, "api-token-file");
  char want[256];
  snprintf(want, sizeof want,
           "%s holds a secret but others may read or change it (mode 0644); run `chmod 600 %s`",
           secret_path, secret_path);
  assert_string_equal(err.message, want);
  assert_string_equal(trin_config_get(c, "api-token"), "group-token"); /* unchanged */
  /* An empty first line would silently mean "no token": refused. */
  write_secret("\nlater\n", 0600);
  assert_int_equal(trin_config_set(c, "api-token-file", secret_path, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "is empty: its first line must be the secret"));
  unlink(secret_path);
  assert_int_equal(trin_config_set(c, "api-token-file", secret_path, &err), TRIN_EIO);
  assert_string_equal(err.field, "api-token-file");
  assert_non_null(strstr(err.message, "cannot open"));
  assert_non_null(strstr(err.message, "No such file"));
  /* Only a secret has a -file form. */
  assert_int_equal(trin_config_set(c, "endpoint-file", "/etc/passwd", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "endpoint-file");
  assert_non_null(strstr(err.message, "is not a setting"));
  trin_config_destroy(&c);
}

static void secret_sources(void **state) {
  /* In the config file. */
  write_secret("from-file\n", 0600);
  char conf[256];
  snprintf(conf, sizeof conf, "api-token-file = %s\n", secret_path);
  write_file(conf);
  char a0[] = "svc", a1[80];
  snprintf(a1, sizeof a1, "--config=%s", path);
  char *argv[] = {a0, a1};
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  trin_err_t err;
  assert_int_equal(load_capturing(c, 2, argv, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "from-file");
  assert_string_equal(logged, "");
  trin_config_destroy(&c);

  /* TRIN_<SERVICE>_<KEY>_FILE, over the file. */
  write_file("api-token = in-the-conf\n");
  setenv("TRIN_BUDGET_API_TOKEN_FILE", secret_path, 1);
  c = trin_config_new(KEYS, NKEYS);
  trin_config_set_env_prefix(c, "budget");
  assert_int_equal(load_capturing(c, 2, argv, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "from-file");
  trin_config_destroy(&c);
  unsetenv("TRIN_BUDGET_API_TOKEN_FILE");
  /* A refused file in the environment stops the start (others may write it). */
  chmod(secret_path, 0602);
  setenv("TRIN_API_TOKEN_FILE", secret_path, 1);
  c = trin_config_new(KEYS, NKEYS);
  assert_int_equal(load_capturing(c, 1, argv, &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "chmod 600"));
  trin_config_destroy(&c);
  unsetenv("TRIN_API_TOKEN_FILE");
  /* Plain TRIN_<KEY> still works, and logs nothing. */
  setenv("TRIN_API_TOKEN", "from-env", 1);
  c = trin_config_new(KEYS, NKEYS);
  assert_int_equal(load_capturing(c, 1, argv, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "from-env");
  assert_string_equal(logged, "");
  trin_config_destroy(&c);
  unsetenv("TRIN_API_TOKEN");

  /* As a flag: works, over everything, with one warning however often given;
   * --api-token-file is no secret on the command line. */
  chmod(secret_path, 0600);
  char b1[] = "--api-token=on-the-line", b2[] = "--api-token", b3[] = "again", b4[80];
  snprintf(b4, sizeof b4, "--api-token-file=%s", secret_path);
  char *argv2[] = {a0, b1, b2, b3};
  c = trin_config_new(KEYS, NKEYS);
  trin_config_set_env_prefix(c, "budget");
  assert_int_equal(load_capturing(c, 4, argv2, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "again");
  assert_int_equal(count(logged, "--api-token: a secret on the command line is shown to every "
                                 "local user by ps; give it by --api-token-file FILE (mode 600) "
                                 "or TRIN_BUDGET_API_TOKEN instead"),
                   1);
  assert_null(strstr(logged, "again"));
  assert_null(strstr(logged, "on-the-line"));
  trin_config_destroy(&c);
  char *argv3[] = {a0, b4};
  c = trin_config_new(KEYS, NKEYS);
  assert_int_equal(load_capturing(c, 2, argv3, &err), TRIN_OK);
  assert_string_equal(trin_config_get(c, "api-token"), "from-file");
  assert_string_equal(logged, "");
  trin_config_destroy(&c);
  unlink(secret_path);
}

static void secret_help(void **state) {
  /* --help says how to give a secret, and not the marker. */
  trin_config_t *c = trin_config_new(KEYS, NKEYS);
  trin_config_set_env_prefix(c, "aggregator");
  char out_path[64];
  snprintf(out_path, sizeof out_path, "/tmp/trin-config-%d.help", (int)getpid());
  fflush(stdout);
  int saved = dup(1);
  FILE *f = fopen(out_path, "w+");
  assert_non_null(f);
  dup2(fileno(f), 1);
  trin_config_print_help(c);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  rewind(f);
  char text[8192];
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  unlink(out_path);
  assert_non_null(strstr(text, "--api-token"));
  assert_non_null(strstr(text, " the operator's token\n"));
  assert_non_null(strstr(text, "secret: give it by --api-token-file FILE (mode 600) or the "
                               "environment (TRIN_AGGREGATOR_API_TOKEN or "
                               "TRIN_AGGREGATOR_API_TOKEN_FILE), not on the command line "
                               "(ps shows arguments)"));
  assert_int_equal(count(text, "secret: "), 1); /* only the secret */
  trin_config_destroy(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(precedence),
      cmocka_unit_test(errors),
      cmocka_unit_test(service_prefix),
      cmocka_unit_test(secret_file),
      cmocka_unit_test(secret_sources),
      cmocka_unit_test(secret_help),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
