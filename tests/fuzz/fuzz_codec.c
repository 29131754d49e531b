/* fuzz.codec — the bytes a service's ROUTER receives, through the decoders
 * the request path uses (trin_server: envelope, then the payload as the
 * message the envelope's type names), and every other message of the
 * contract directly (the first byte picks which, so messages no envelope
 * in the corpus names are reached too).
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks one
 * property: what decodes packs again, and packing is a fixed point —
 * pack(unpack(pack(m))) == pack(m) — so a reply built from a decoded
 * request can always be sent. An error reply made from the decoded
 * envelope's strings also decodes again. Decoding into an arena (the
 * replay and live event paths) accepts exactly what the plain decoder
 * accepts, and packs to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trin_codec.h"

extern const ProtobufCMessageDescriptor *const fuzz_descriptors[];
extern const size_t fuzz_ndescriptors;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCMessageDescriptor *by_name(const char *name) {
  for (size_t i = 0; i < fuzz_ndescriptors; i++)
    if (strcmp(fuzz_descriptors[i]->name, name) == 0) return fuzz_descriptors[i];
  return NULL;
}

/* Decodes bytes as desc and checks the pack fixed point. */
static trin_arena_t arena;

static void decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t size) {
  ProtobufCMessage *m = NULL, *in_arena = NULL;
  trin_err_t err = {0}, aerr = {0};
  int arc = trin_codec_unpack_in(&arena, desc, data, size, "payload", &in_arena, &aerr);
  if (trin_codec_unpack(desc, data, size, "payload", &m, &err) != TRIN_OK) {
    if (err.code != TRIN_EDECODE || !err.message[0]) abort();
    if (arc != TRIN_EDECODE) abort();
    trin_arena_rewind(&arena);
    return;
  }
  if (arc != TRIN_OK) abort();
  uint8_t *p1 = NULL, *p2 = NULL;
  size_t n1 = 0, n2 = 0;
  if (trin_codec_pack(m, &p1, &n1, &err) != TRIN_OK) abort();
  ProtobufCMessage *again = NULL;
  if (trin_codec_unpack(desc, p1, n1, "payload", &again, &err) != TRIN_OK) abort();
  if (trin_codec_pack(again, &p2, &n2, &err) != TRIN_OK) abort();
  if (n1 != n2 || memcmp(p1, p2, n1) != 0) abort();
  free(p2);
  if (trin_codec_pack(in_arena, &p2, &n2, &err) != TRIN_OK) abort();
  if (n1 != n2 || memcmp(p1, p2, n1) != 0) abort();
  trin_arena_rewind(&arena);
  free(p1);
  free(p2);
  trin_codec_free(again);
  trin_codec_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The request path: an envelope, then its payload by type. */
  Trin__Envelope *env = NULL;
  trin_err_t err = {0};
  if (trin_codec_unpack(&trin__envelope__descriptor, data, size, "envelope",
                        (ProtobufCMessage **)&env, &err) == TRIN_OK) {
    const ProtobufCMessageDescriptor *d = env->type ? by_name(env->type) : NULL;
    if (d) decode(d, env->payload.data, env->payload.len);
    trin_err_t e = {0};
    trin_codec_error_from_reply(env, &e);
    uint8_t *out = NULL;
    size_t n = 0;
    if (trin_codec_pack_error_reply(env->correlation_id, &e, &out, &n) != TRIN_OK) abort();
    Trin__Envelope *back = NULL;
    if (trin_codec_unpack(&trin__envelope__descriptor, out, n, "envelope",
                          (ProtobufCMessage **)&back, &err) != TRIN_OK)
      abort();
    trin_codec_free(back);
    free(out);
    trin_codec_free(env);
  }
  /* Every message of the contract: the first byte picks one. */
  if (size > 0) decode(fuzz_descriptors[data[0] % fuzz_ndescriptors], data + 1, size - 1);
  return 0;
}
