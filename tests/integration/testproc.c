/* testproc — see testproc.h. */
#include "testproc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trin/envelope.pb-c.h"
#include "trin_client.h"
#include "trin_codec.h"
#include "../pg/pg_test.h"

void testproc_init(testproc_t *p, const char *name) {
  memset(p, 0, sizeof *p);
  snprintf(p->dir, sizeof p->dir, "/tmp/trin-test-%s-XXXXXX", name);
  if (!mkdtemp(p->dir)) {
    perror("mkdtemp");
    exit(2);
  }
  snprintf(p->endpoint, sizeof p->endpoint, "ipc://%s/req.sock", p->dir);
  snprintf(p->pub, sizeof p->pub, "ipc://%s/pub.sock", p->dir);
  /* A test's `.pg` twin puts the store on PostgreSQL, a schema of its own. */
  if (pg_test_wanted()) pg_test_location(p->store, sizeof p->store, name);
  else snprintf(p->store, sizeof p->store, "sqlite:%s/store.db", p->dir);
  snprintf(p->log, sizeof p->log, "%s/service.log", p->dir);
}

static bool ping(const char *endpoint, const trin_curve_client_t *curve, int timeout_ms) {
  trin_client_t *c;
  trin_err_t err;
  if (trin_client_new_curve(endpoint, curve, &c, &err)) return false;
  trin_client_set_timeout(c, timeout_ms);
  Trin__Ping ping = TRIN__PING__INIT;
  ProtobufCMessage *pong = NULL;
  int rc = trin_client_call(c, &ping.base, &trin__pong__descriptor, &pong, &err);
  trin_codec_free(pong);
  trin_client_destroy(&c);
  return rc == TRIN_OK;
}

bool testproc_start(testproc_t *p, const char *binary, const char *const *extra) {
  return testproc_start_curve(p, binary, extra, NULL);
}

bool testproc_start_curve(testproc_t *p, const char *binary, const char *const *extra,
                          const trin_curve_client_t *curve) {
  char a_ep[400], a_pub[400], a_store[400];
  snprintf(a_ep, sizeof a_ep, "--endpoint=%s", p->endpoint);
  snprintf(a_pub, sizeof a_pub, "--pub-endpoint=%s", p->pub);
  snprintf(a_store, sizeof a_store, "--store=%s", p->store);
  const char *argv[32] = {binary, a_ep, a_pub, a_store};
  int n = 4;
  for (int i = 0; extra && extra[i] && n < 31; i++) argv[n++] = extra[i];
  argv[n] = NULL;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    /* A test that fails midway (cmocka jumps out of it, or it aborts) never
     * stops its services: they go with it instead of holding ports, sockets
     * and database sessions into the tests after it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    /* The survey's respondent key lives beside a SQLite store; with a
     * PostgreSQL one it goes in the test's folder. */
    if (pg_test_wanted()) {
      char key[300];
      snprintf(key, sizeof key, "%s/store.key", p->dir);
      setenv("TRIN_SURVEY_KEY_FILE", key, 0);
    }
    int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    /* Tests and benchmarks run the services without keys, some on tcp
     * loopback: a test that checks the CURVE rule sets TRIN_INSECURE itself. */
    setenv("TRIN_INSECURE", "true", 0);
    execv(binary, (char *const *)argv);
    _exit(127);
  }
  p->pid = pid;
  for (int i = 0; i < 100; i++) {
    if (ping(p->endpoint, curve, 200)) return true;
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      fprintf(stderr, "testproc: %s exited early; see %s\n", binary, p->log);
      p->pid = 0;
      return false;
    }
  }
  fprintf(stderr, "testproc: %s did not answer; see %s\n", binary, p->log);
  return false;
}

void testproc_kill9(testproc_t *p) {
  if (p->pid <= 0) return;
  kill(p->pid, SIGKILL);
  waitpid(p->pid, NULL, 0);
  p->pid = 0;
}

int testproc_stop(testproc_t *p) {
  if (p->pid <= 0) return -1;
  kill(p->pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500; i++) {
    if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
      p->pid = 0;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  testproc_kill9(p);
  return -1;
}

void testproc_cleanup(testproc_t *p) {
  char cmd[400];
  if (getenv("TRIN_TEST_KEEP")) {
    fprintf(stderr, "testproc: kept %s\n", p->dir);
    return;
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
  if (system(cmd) != 0) fprintf(stderr, "testproc: could not remove %s\n", p->dir);
}

int testproc_run(const char *cmd, char *out, size_t out_size) {
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  size_t n = 0;
  char buf[4096];
  size_t r;
  while ((r = fread(buf, 1, sizeof buf, f)) > 0) {
    if (out && n + 1 < out_size) {
      size_t c = r < out_size - 1 - n ? r : out_size - 1 - n;
      memcpy(out + n, buf, c);
      n += c;
    }
  }
  if (out) out[n] = '\0';
  int status = pclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int testproc_http_port(const testproc_t *p) {
  for (int i = 0; i < 3000; i++) {
    FILE *f = fopen(p->log, "r");
    int port = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
      const char *at = strstr(line, "http: listening on ");
      const char *paren = at ? strstr(at, "(port ") : NULL;
      if (paren) port = atoi(paren + 6);
    }
    if (f) fclose(f);
    if (port > 0) return port;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return 0;
}

void testproc_watchdog(int seconds) {
  pid_t test = getpid();
  pid_t pid = fork();
  if (pid != 0) return; /* the test goes on; a failed fork only loses the watch */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != test) _exit(0);
  /* Sleeps in short steps so that it notices the test has ended. */
  for (int waited = 0; waited < seconds * 10; waited++) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (getppid() != test) _exit(0);
  }
  char cmd[1400];
  snprintf(cmd, sizeof cmd,
           "exec 1>&2; d() { for c in $(pgrep -P $1); do [ $c = $$ ] || [ $c = $PPID ] || { echo $c; d $c; }; "
           "done; }; all=\"%d $(d %d)\"; "
           "echo 'watchdog: test %d still running after %d s; its processes:'; "
           "for p in $all; do ps -o pid=,ppid=,etime=,args= -p $p; done; "
           "command -v gdb >/dev/null || exit 0; for p in $all; do "
           "echo \"watchdog: stacks of $p\"; "
           "gdb -batch -nx -p $p -ex 'thread apply all bt 12' 2>/dev/null | "
           "grep -E '^(Thread|#)'; done",
           (int)test, (int)test, (int)test, seconds);
  if (system(cmd) < 0) perror("watchdog");
  kill(test, SIGABRT);
  _exit(0);
}
