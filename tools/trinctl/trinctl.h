/* trinctl — what the command-line client's parts share: the run context
 * (global options, the connection to the command's service, made on the
 * first call, the last error), exit codes and the shape of one command and
 * of one service in the dispatch table (trinctl_main.c). */
#ifndef TRINCTL_H
#define TRINCTL_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdio.h>

#include "trin_client.h"
#include "trin_err.h"
#include "trinctl_args.h"

/* Exit codes are part of trinctl's interface: scripts tell a refusal (fix the
 * data) from a usage slip (fix the command) from a silent service (retry). */
enum {
  TRINCTL_EXIT_OK = 0,
  TRINCTL_EXIT_REFUSED = 1, /* the service (or its reply) said no */
  TRINCTL_EXIT_USAGE = 2,   /* the command line is wrong */
  TRINCTL_EXIT_IO = 3,      /* no answer in time, socket or output failure */
};

#define TRINCTL_DEFAULT_ENDPOINT "tcp://127.0.0.1:5701"
#define TRINCTL_ENDPOINT_ENV "TRIN_LIFECYCLE_ENDPOINT"
#define TRINCTL_DEFAULT_TIMEOUT_MS 5000

typedef struct {
  trinctl_globals_t g;
  trin_client_t *client; /* made on the first call, so usage errors never
                            wait on a socket */
  trin_err_t err;        /* why the command failed */
  FILE *out;
  const char *service;   /* the command's service ("lifecycle"): picks
                            <peer-keys>/<service>.pub */
  trin_keypair_t pair;   /* CURVE: this client's key pair, when given */
  bool curve;            /* the client speaks CURVE */
  const struct trinctl_service *services; /* the dispatch table, borrowed: the */
  size_t nservices;                       /* services a command may name */
} trinctl_ctx_t;

/* One command: `trinctl <group> [<verb>] [ARG] [--options]`. verb is NULL
 * for the one-word commands (events, ping). arg_name names the positional
 * argument when the command takes one: required, unless it is written in
 * brackets ("[PROJECT]", `budget list` across projects). */
typedef struct trinctl_cmd {
  const char *group;
  const char *verb;
  const char *summary;
  const char *arg_name;   /* e.g. "PROJECT", or "[PROJECT]" when optional */
  const char *arg_field;  /* the request field it fills, for error reports */
  const char *arg_help;
  const trinctl_opt_t *opts; /* terminated by an entry with name NULL */
  /* Builds the request, calls the service, prints the reply. Returns a
   * TRINCTL_EXIT_* code with ctx->err filled on failure. */
  int (*run)(trinctl_ctx_t *ctx, const trinctl_args_t *a);
} trinctl_cmd_t;

/* One service's commands, and where that service listens unless --endpoint
 * says otherwise: a line of the dispatch table. */
typedef struct trinctl_service {
  const char *name;             /* the group, as help shows it ("token") */
  const char *endpoint_env;     /* NULL for a group that talks to no one service */
  const char *default_endpoint;
  const trinctl_cmd_t *cmds;    /* ends with an entry whose group is NULL */
} trinctl_service_t;

/* Sends req and waits for a reply of reply_desc; on success *reply is the
 * caller's to trin_codec_free. The first call makes ctx->client, with CURVE
 * when --key/--server-key/--peer-keys (or TRIN_KEY, TRIN_SERVER_KEY,
 * TRIN_PEER_KEYS) give keys: <peer-keys>/<ctx->service>.pub is the service's
 * key. Returns a TRINCTL_EXIT_* code with ctx->err filled on failure (a key
 * without a server key, or a key file that cannot be read, is a usage
 * error). */
int trinctl_call(trinctl_ctx_t *ctx, const ProtobufCMessage *req,
                 const ProtobufCMessageDescriptor *reply_desc,
                 ProtobufCMessage **reply);

/* The exit code a trin status deserves. */
int trinctl_exit_for_status(int code);

/* The name sv's service goes by in <peer-keys>/<name>.pub: the NAME of its
 * TRIN_NAME_ENDPOINT (the token group talks to the aggregator), else sv's
 * name. Written to out (size bytes). */
void trinctl_service_name(const trinctl_service_t *sv, char *out, size_t size);

/* For commands that talk to a service they are told (trinctl audit
 * --service NAME): the endpoint of the service called `service` as in
 * <peer-keys>/<service>.pub ("lifecycle", "aggregator"), among ctx's
 * services: $TRIN_NAME_ENDPOINT, else its default. NULL for a name no group
 * talks to, with `known` (size bytes) listing the names there are. */
const char *trinctl_service_endpoint(const trinctl_ctx_t *ctx, const char *service, char *known,
                                     size_t size);

#endif
