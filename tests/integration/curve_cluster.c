/* curve_cluster — see curve_cluster.h. */
#include "curve_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trin/envelope.pb-c.h"
#include "trin_codec.h"

static const char *const SVC_NAME[CC_NSVC] = {"lifecycle", "budget", "survey", "benchmark"};

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) &&
      !getsockname(fd, (struct sockaddr *)&a, &len))
    port = ntohs(a.sin_port);
  else
    perror("curve_cluster: a free port");
  if (fd >= 0) close(fd);
  return port;
}

static bool registered(curve_cluster_t *c, const trin_keypair_t *kp, const char *org,
                       const char *role, const char *name) {
  trin_keys_entry_t e;
  memset(&e, 0, sizeof e);
  snprintf(e.public_z85, sizeof e.public_z85, "%s", kp->public_z85);
  snprintf(e.org, sizeof e.org, "%s", org);
  snprintf(e.role, sizeof e.role, "%s", role);
  snprintf(e.name, sizeof e.name, "%s", name);
  trin_err_t err;
  if (trin_keys_registry_add(c->registry, &e, &err)) {
    fprintf(stderr, "curve_cluster: registry: %s\n", err.message);
    return false;
  }
  return true;
}

bool curve_cluster_launch(curve_cluster_t *c, int svc) {
  char key[260], reg[260], peer[260], eps[CC_NSVC][2][120];
  snprintf(key, sizeof key, "--key=%s/%s", c->peers, SVC_NAME[svc]);
  snprintf(reg, sizeof reg, "--key-registry=%s", c->registry);
  snprintf(peer, sizeof peer, "--peer-keys=%s", c->peers);
  const char *extra[24] = {key, reg, peer, "--insecure=false"};
  int n = 4;
  for (int up = CC_LC; up <= CC_SV; up++) {
    if (up == svc || (svc != CC_BM && up != CC_LC) || svc == CC_LC) continue;
    snprintf(eps[up][0], sizeof eps[up][0], "--%s-endpoint=%s", SVC_NAME[up], c->ep[up]);
    snprintf(eps[up][1], sizeof eps[up][1], "--%s-pub-endpoint=%s", SVC_NAME[up], c->pub[up]);
    extra[n++] = eps[up][0];
    extra[n++] = eps[up][1];
  }
  /* Tests run side by side: no fixed webhook port to clash over. */
  if (svc == CC_SV) extra[n++] = "--http-address=";
  extra[n] = NULL;
  trin_curve_client_t curve = {.own = &c->who_key[0]};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
           c->svc_key[svc].public_z85);
  return testproc_start_curve(&c->proc[svc], c->bin[svc], extra, &curve);
}

bool curve_cluster_start(curve_cluster_t *c, const char *name, const curve_cluster_who_t *who,
                         int nwho, const char *const bins[CC_NSVC]) {
  memset(c, 0, sizeof *c);
  if (nwho < 1 || nwho > CC_MAX_WHO) {
    fprintf(stderr, "curve_cluster: %d key holders (1 to %d)\n", nwho, CC_MAX_WHO);
    return false;
  }
  c->nwho = nwho;
  snprintf(c->dir, sizeof c->dir, "/tmp/trin-%s-XXXXXX", name);
  if (!mkdtemp(c->dir)) return false;
  snprintf(c->registry, sizeof c->registry, "%s/registry", c->dir);
  snprintf(c->peers, sizeof c->peers, "%s/keys", c->dir);
  if (mkdir(c->peers, 0700)) return false;
  trin_err_t err;
  for (int s = 0; s < CC_NSVC; s++) {
    char path[260];
    snprintf(path, sizeof path, "%s/%s", c->peers, SVC_NAME[s]);
    if (trin_keys_generate(&c->svc_key[s], &err) ||
        trin_keys_write(path, &c->svc_key[s], &err)) {
      fprintf(stderr, "curve_cluster: keys: %s\n", err.message);
      return false;
    }
    if (!registered(c, &c->svc_key[s], "trin", "service", SVC_NAME[s])) return false;
    int p1 = free_port(), p2 = free_port();
    if (!p1 || !p2) return false;
    snprintf(c->ep[s], sizeof c->ep[s], "tcp://127.0.0.1:%d", p1);
    snprintf(c->pub[s], sizeof c->pub[s], "tcp://127.0.0.1:%d", p2);
    c->bin[s] = bins[s];
  }
  for (int w = 0; w < nwho; w++) {
    if (trin_keys_generate(&c->who_key[w], &err) ||
        !registered(c, &c->who_key[w], who[w].org, who[w].role, "test key"))
      return false;
  }
  setenv("TRIN_INSECURE", "false", 1);
  for (int s = 0; s < CC_NSVC; s++) {
    testproc_init(&c->proc[s], name);
    snprintf(c->proc[s].endpoint, sizeof c->proc[s].endpoint, "%s", c->ep[s]);
    snprintf(c->proc[s].pub, sizeof c->proc[s].pub, "%s", c->pub[s]);
    c->nstarted = s + 1;
    if (!curve_cluster_launch(c, s)) return false;
  }
  return true;
}

trin_client_t *curve_cluster_as(curve_cluster_t *c, int who, int svc) {
  if (who < 0 || who >= c->nwho || svc < 0 || svc >= CC_NSVC) return NULL;
  if (!c->cl[who][svc]) {
    trin_curve_client_t curve = {.own = &c->who_key[who]};
    snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s",
             c->svc_key[svc].public_z85);
    trin_err_t err;
    if (trin_client_new_curve(c->ep[svc], &curve, &c->cl[who][svc], &err)) {
      fprintf(stderr, "curve_cluster: client: %s\n", err.message);
      return NULL;
    }
  }
  return c->cl[who][svc];
}

uint64_t curve_cluster_last_seq(curve_cluster_t *c, int svc) {
  trin_client_t *cl = curve_cluster_as(c, 0, svc);
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  if (!cl || trin_client_call(cl, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong,
                              &err)) {
    return UINT64_MAX;
  }
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

int curve_cluster_stop(curve_cluster_t *c) {
  for (int w = 0; w < c->nwho; w++)
    for (int s = 0; s < CC_NSVC; s++) trin_client_destroy(&c->cl[w][s]);
  int bad = 0;
  for (int s = c->nstarted - 1; s >= 0; s--) {
    if (testproc_stop(&c->proc[s]) != 0) bad = 1;
    testproc_cleanup(&c->proc[s]);
  }
  if (c->dir[0] && !getenv("TRIN_TEST_KEEP")) {
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    if (system(cmd) != 0) bad = 1;
  }
  return bad ? -1 : 0;
}
