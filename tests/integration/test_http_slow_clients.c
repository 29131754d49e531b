/* robust.http_slow_clients — the finding "1,025 trickling connections from
 * one address shut out the feed" against a real trin-aggregator process
 * with its default HTTP limits, on the loopback only:
 *   - 1,100 connections from 127.0.0.1 each send one header byte now and
 *     then and never finish their head; the ones the server closes come
 *     back after a pause (bounded in number);
 *   - meanwhile a normal client on 127.0.0.2 makes 50 sequential
 *     GET /healthz, and every one is answered 200;
 *   - 20 more trickling connections from 127.0.0.3 (under the per-address
 *     cap) are each answered 408 and closed: the head deadline holds even
 *     though a byte arrives every second;
 *   - refusals are logged as a few lines with counts, not one per
 *     connection; afterwards 127.0.0.1 is served again and the aggregator
 *     stops cleanly on SIGTERM.
 * No timing is asserted: every wait ends when its condition holds, within
 * generous bounds. Exit 77 (skipped) when the file limit is too low or the
 * extra loopback addresses cannot be used; a `.pg` twin runs the
 * aggregator's store on PostgreSQL (testproc). With the argument "gateway"
 * (CTest gateway.slow_clients) the same runs against trin-gateway's API. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "testproc.h"

#define SKIP 77
#ifndef TRIN_GATEWAY_BIN
#define TRIN_GATEWAY_BIN "trin-gateway"
#endif
#define ATTACKERS 1100     /* from 127.0.0.1 */
#define PROBES 20          /* from 127.0.0.3: must each get 408 */
#define NSLOTS (ATTACKERS + PROBES)
#define REQUESTS 50        /* the normal client's, from 127.0.0.2 */
#define MAX_CONNECTS 9000  /* the attacker's connects in all, so ports never run out */
#define TRICKLE_MS 1000    /* a byte per connection per second or so */
#define COMEBACK_MS 3000   /* an attacker closed by the server returns after this */
#define ATTACK_MAX_MS 180000

static testproc_t agg;
static int port;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int aggregator_port(void) { return testproc_http_port(&agg); }

/* A socket bound to the loopback address src, connecting to the feed;
 * non-blocking when asked. -1 when it cannot be made. */
static int dial_from(const char *src, bool nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  /* 127.0.0.1 is the source anyway; binding it would take a port per
   * socket up front. */
  if (strcmp(src, "127.0.0.1") != 0) {
    struct sockaddr_in b = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &b.sin_addr);
    if (bind(fd, (struct sockaddr *)&b, sizeof b) != 0) {
      close(fd);
      return -1;
    }
  }
  if (nonblocking) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* GET /healthz from src on a new connection: the status, or 0 when no
 * answer came (closed, reset, or nothing within 20 s). */
static int healthz_from(const char *src) {
  int fd = dial_from(src, false);
  if (fd < 0) return 0;
  struct timeval tv = {20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const char *req = "GET /healthz HTTP/1.1\r\nHost: feed\r\nConnection: close\r\n\r\n";
  int status = 0;
  if (send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req)) {
    char buf[512];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf - 1 && (n = recv(fd, buf + len, sizeof buf - 1 - len, 0)) > 0) {
      len += (size_t)n;
      buf[len] = '\0';
      if (strstr(buf, "\r\n\r\n")) break;
    }
    buf[len] = '\0';
    sscanf(buf, "HTTP/1.1 %d", &status);
  }
  close(fd);
  return status;
}

/* ---- the normal client, on its own thread -------------------------------------------- */

static atomic_int answered_200, client_done, stop_client;
static int other_status; /* the first status other than 200, for the report */

static void normal_client(void *arg) {
  (void)arg;
  for (int i = 0; i < REQUESTS && !atomic_load(&stop_client); i++) {
    int st = healthz_from("127.0.0.2");
    if (st == 200) atomic_fetch_add(&answered_200, 1);
    else if (!other_status) other_status = st ? st : -1;
  }
  atomic_store(&client_done, 1);
}

/* ---- the trickling connections ------------------------------------------------------- */

typedef enum { S_WAIT, S_CONNECTING, S_OPEN, S_DONE } slot_state_t;

typedef struct {
  slot_state_t state;
  int fd;
  uint64_t at;     /* S_WAIT: reconnect then; S_OPEN: next byte then; S_CONNECTING: since */
  size_t sent;     /* bytes of the endless head sent on this connection */
  bool probe;      /* from 127.0.0.3, never comes back */
  bool got_408;
} slot_t;

static slot_t slots[NSLOTS];
static struct pollfd pfds[NSLOTS];
static int pslot[NSLOTS];

/* The head that never ends: a request line, then header lines forever. */
static char head_byte(size_t i) {
  static const char line[] = "GET /healthz HTTP/1.1\r\n";
  static const char more[] = "X-Slow: 1\r\n";
  if (i < sizeof line - 1) return line[i];
  return more[(i - (sizeof line - 1)) % (sizeof more - 1)];
}

static unsigned long connects, refusals_seen, resets;

static void slot_closed(slot_t *s, uint64_t now) {
  close(s->fd);
  s->fd = -1;
  if (s->probe) {
    s->state = S_DONE;
    return;
  }
  s->state = S_WAIT;
  s->at = now + COMEBACK_MS + (uint64_t)(rand() % 1000);
}

static void slot_connect(slot_t *s, uint64_t now) {
  if (!s->probe && connects >= MAX_CONNECTS) {
    s->state = S_DONE;
    return;
  }
  s->fd = dial_from(s->probe ? "127.0.0.3" : "127.0.0.1", true);
  connects++;
  s->sent = 0;
  if (s->fd < 0) {
    s->state = S_WAIT;
    s->at = now + COMEBACK_MS;
    return;
  }
  s->state = S_CONNECTING;
  s->at = now;
}

static void slot_trickle(slot_t *s, uint64_t now) {
  char b = head_byte(s->sent);
  if (send(s->fd, &b, 1, MSG_NOSIGNAL) != 1) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) slot_closed(s, now);
    return;
  }
  s->sent++;
  s->at = now + TRICKLE_MS / 2 + (uint64_t)(rand() % TRICKLE_MS);
}

/* Reads what the server sent; true when it closed the connection. */
static bool slot_read(slot_t *s) {
  char buf[1024];
  for (;;) {
    ssize_t n = recv(s->fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n > 0) {
      buf[n] = '\0';
      if (strstr(buf, "HTTP/1.1 408")) s->got_408 = true;
      if (strstr(buf, "HTTP/1.1 429") || strstr(buf, "HTTP/1.1 503")) refusals_seen++;
      continue;
    }
    if (n == 0) return true;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    if (errno == EINTR) continue;
    resets++;
    return true;
  }
}

/* One turn: connect, trickle and read what is due. */
static void attack_turn(void) {
  uint64_t now = now_ms();
  int np = 0;
  for (int i = 0; i < NSLOTS; i++) {
    slot_t *s = &slots[i];
    if (s->state == S_WAIT && now >= s->at) slot_connect(s, now);
    if (s->state == S_OPEN && now >= s->at) slot_trickle(s, now);
    if (s->state == S_CONNECTING && now - s->at > 15000) slot_closed(s, now); /* SYN dropped */
    if (s->state == S_CONNECTING || s->state == S_OPEN) {
      pfds[np] = (struct pollfd){.fd = s->fd,
                                 .events = s->state == S_CONNECTING ? POLLOUT : POLLIN};
      pslot[np++] = i;
    }
  }
  if (poll(pfds, (nfds_t)np, 20) <= 0) return;
  now = now_ms();
  for (int k = 0; k < np; k++) {
    if (!pfds[k].revents) continue;
    slot_t *s = &slots[pslot[k]];
    if (s->state == S_CONNECTING) {
      int e = 0;
      socklen_t el = sizeof e;
      getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
      if (e) {
        slot_closed(s, now);
        continue;
      }
      s->state = S_OPEN;
      slot_trickle(s, now);
    } else if (s->state == S_OPEN && slot_read(s)) {
      slot_closed(s, now);
    }
  }
}

static int count_in_log(const char *pattern) {
  char cmd[800], out[64];
  snprintf(cmd, sizeof cmd, "grep -c -- '%s' %s", pattern, agg.log);
  testproc_run(cmd, out, sizeof out); /* grep exits 1 on no match: the count is 0 then */
  return atoi(out);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  /* The same attack on trin-gateway's API when asked (gateway.slow_clients). */
  bool gateway = argc > 1 && strcmp(argv[1], "gateway") == 0;
  srand(12345);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < NSLOTS + 200) {
    printf("SKIP robust.http_slow_clients: RLIMIT_NOFILE is %lu, %d are needed\n",
           (unsigned long)rl.rlim_cur, NSLOTS + 200);
    return SKIP;
  }

  testproc_init(&agg, gateway ? "http-slow-gateway" : "http-slow");
  const char *extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=slow-clients-operator", NULL};
  const char *gw_extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=", "--survey-endpoint=",
                            "--benchmark-endpoint=", "--aggregator-endpoint=",
                            "--http-addr=127.0.0.1:0", NULL};
  if (!testproc_start(&agg, gateway ? TRIN_GATEWAY_BIN : TRIN_AGGREGATOR_BIN,
                      gateway ? gw_extra : extra)) {
    printf("robust.http_slow_clients: FAILED: %s did not start (%s)\n",
           gateway ? "trin-gateway" : "trin-aggregator", agg.log);
    return 1;
  }
  port = aggregator_port();
  if (!port) {
    printf("robust.http_slow_clients: FAILED: no HTTP port in %s\n", agg.log);
    testproc_stop(&agg);
    return 1;
  }
  int probe = dial_from("127.0.0.2", false), probe3 = dial_from("127.0.0.3", false);
  if (probe >= 0) close(probe);
  if (probe3 >= 0) close(probe3);
  if (probe < 0 || probe3 < 0) {
    printf("SKIP robust.http_slow_clients: cannot connect from 127.0.0.2 and 127.0.0.3\n");
    testproc_stop(&agg);
    testproc_cleanup(&agg);
    return SKIP;
  }
  int failed = 0;
  if (healthz_from("127.0.0.1") != 200) {
    printf("robust.http_slow_clients: FAILED: the feed does not answer before the attack\n");
    failed = 1;
  }

  /* The attack: every slot connects at once, then trickles. */
  uint64_t start = now_ms();
  for (int i = 0; i < NSLOTS; i++) {
    slots[i] = (slot_t){.state = S_WAIT, .fd = -1, .at = start, .probe = i < PROBES};
  }
  uv_thread_t client;
  bool client_started = false;
  while (!failed && now_ms() - start < ATTACK_MAX_MS) {
    attack_turn();
    /* The normal client starts once every attacker has tried its first
     * connection, and the attack goes on until it is done. */
    if (!client_started && connects >= NSLOTS) {
      pause_ms(500);
      uv_thread_create(&client, normal_client, NULL);
      client_started = true;
    }
    bool probes_done = true;
    for (int i = 0; i < PROBES; i++) probes_done &= slots[i].state == S_DONE;
    if (client_started && atomic_load(&client_done) && probes_done) break;
  }
  uint64_t attack_ms = now_ms() - start;
  if (client_started) {
    atomic_store(&stop_client, 1);
    uv_thread_join(&client);
  }
  int open_attackers = 0, probes_408 = 0, probes_closed = 0;
  for (int i = 0; i < NSLOTS; i++) {
    if (slots[i].state == S_OPEN || slots[i].state == S_CONNECTING) {
      if (!slots[i].probe) open_attackers++;
      close(slots[i].fd);
    }
    if (slots[i].probe && slots[i].state == S_DONE) probes_closed++;
    if (slots[i].probe && slots[i].got_408) probes_408++;
  }
  printf("robust.http_slow_clients: %.1f s of attack, %lu connects, %lu refusals read, %lu "
         "resets, %d attackers open at the end; normal client: %d of %d answered 200; "
         "probes: %d of %d closed, %d with 408\n",
         (double)attack_ms / 1000, connects, refusals_seen, resets, open_attackers,
         (int)atomic_load(&answered_200), REQUESTS, probes_closed, PROBES, probes_408);
  if (atomic_load(&answered_200) != REQUESTS) {
    printf("robust.http_slow_clients: FAILED: the normal client got %d of %d answers "
           "(first other status %d; 0/-1 = none)\n",
           (int)atomic_load(&answered_200), REQUESTS, other_status);
    failed = 1;
  }
  if (probes_408 != PROBES) {
    printf("robust.http_slow_clients: FAILED: %d of %d trickling connections got 408 "
           "(the head deadline)\n", probes_408, PROBES);
    failed = 1;
  }
  /* The attacker's address is served again once it stops. */
  int st = 0;
  for (int i = 0; i < 200 && st != 200; i++) {
    st = healthz_from("127.0.0.1");
    if (st != 200) pause_ms(100);
  }
  if (st != 200) {
    printf("robust.http_slow_clients: FAILED: 127.0.0.1 is not served after the attack (%d)\n",
           st);
    failed = 1;
  }
  int rc = testproc_stop(&agg);
  if (rc != 0) {
    printf("robust.http_slow_clients: FAILED: the aggregator exited with %d on SIGTERM\n", rc);
    failed = 1;
  }
  /* Refusals, sheds and timeouts as a rate: one line per 10 s at most
   * (plus the first and the last, written when the server closes), not one
   * per connection. */
  int lines = count_in_log("(counts since the last such line)");
  int refused_lines = count_in_log("; refused ");
  int most = (int)(attack_ms / 10000) + 4;
  printf("robust.http_slow_clients: %d log lines about refusals, sheds and timeouts (%d with "
         "refusals; at most %d allowed)\n", lines, refused_lines, most);
  if (lines < 1 || lines > most) {
    printf("robust.http_slow_clients: FAILED: %d such lines in %s\n", lines, agg.log);
    failed = 1;
  }
  if (failed) {
    printf("robust.http_slow_clients: the aggregator's log is %s\n", agg.log);
    return 1;
  }
  testproc_cleanup(&agg);
  printf("robust.http_slow_clients: passed\n");
  return 0;
}
