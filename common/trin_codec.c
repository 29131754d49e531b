/* trin_codec — see trin_codec.h. */
#include "trin_codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int trin_codec_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len,
                    trin_err_t *err) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  uint8_t *b = malloc(n ? n : 1);
  if (!b) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  protobuf_c_message_pack(msg, b);
  *out = b;
  *len = n;
  return TRIN_OK;
}

/* protobuf-c 1.4 accepts field number 0 when the tag is written in more
 * than one byte (0x81 0x00), keeps it as an unknown field, packs it back as
 * the one-byte tag 0x01 — and then refuses those bytes. A request carrying
 * one would decode, and a message built from it (a reply, an event in the
 * outbox) would not decode anywhere: a poisoned event. So field number 0
 * anywhere in the message refuses it here, like the one-byte form.
 * (Found by tests/fuzz fuzz.codec; regression test fuzz_regress.codec.) */
static bool has_field_zero(const ProtobufCMessage *m, int depth) {
  if (!m || depth > 100) return depth > 100;
  for (unsigned i = 0; i < m->n_unknown_fields; i++)
    if (m->unknown_fields[i].tag == 0) return true;
  const ProtobufCMessageDescriptor *d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    const char *base = (const char *)m;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)(base + f->quantifier_offset);
      ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(base + f->offset);
      for (size_t k = 0; k < n; k++)
        if (has_field_zero(v[k], depth + 1)) return true;
    } else {
      if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
          *(const uint32_t *)(base + f->quantifier_offset) != f->id)
        continue;
      if (has_field_zero(*(ProtobufCMessage *const *)(base + f->offset), depth + 1))
        return true;
    }
  }
  return false;
}

static void *arena_alloc(void *data, size_t n) { return trin_arena_alloc(data, n); }
static void arena_free(void *data, void *p) {
  (void)data;
  (void)p; /* the arena's owner frees everything at once */
}

static int unpack(ProtobufCAllocator *al, const ProtobufCMessageDescriptor *desc,
                  const uint8_t *data, size_t len, const char *field, ProtobufCMessage **out,
                  trin_err_t *err) {
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, al, len, data);
  if (m && has_field_zero(m, 0)) {
    protobuf_c_message_free_unpacked(m, al);
    return trin_err_set(err, TRIN_EDECODE, field,
                        "the %zu bytes are not a valid %s message (field number 0)", len,
                        desc->name);
  }
  if (!m)
    return trin_err_set(err, TRIN_EDECODE, field,
                        "the %zu bytes are not a valid %s message", len,
                        desc->name);
  *out = m;
  return TRIN_OK;
}

int trin_codec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                      size_t len, const char *field, ProtobufCMessage **out,
                      trin_err_t *err) {
  return unpack(NULL, desc, data, len, field, out, err);
}

int trin_codec_unpack_in(trin_arena_t *arena, const ProtobufCMessageDescriptor *desc,
                         const uint8_t *data, size_t len, const char *field,
                         ProtobufCMessage **out, trin_err_t *err) {
  ProtobufCAllocator al = {arena_alloc, arena_free, arena};
  int failed = arena->failed;
  arena->failed = 0;
  int rc = unpack(&al, desc, data, len, field, out, err);
  if (arena->failed)
    return trin_err_set(err, TRIN_EINTERNAL, field, "out of memory decoding %s", desc->name);
  arena->failed = failed;
  return rc;
}

void trin_codec_free(void *msg) {
  if (msg) protobuf_c_message_free_unpacked(msg, NULL);
}

int trin_codec_pack_error_reply(const char *correlation_id, const trin_err_t *e,
                                uint8_t **out, size_t *len) {
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  Trin__Error er = TRIN__ERROR__INIT;
  env.correlation_id = (char *)(correlation_id ? correlation_id : "");
  env.status = (Trin__Status)e->code;
  er.code = (Trin__Status)e->code;
  er.field = (char *)e->field;
  er.message = (char *)e->message;
  env.error = &er;
  return trin_codec_pack(&env.base, out, len, NULL);
}

int trin_codec_error_from_reply(const Trin__Envelope *env, trin_err_t *err) {
  int code = env->status ? (int)env->status : TRIN_EINTERNAL;
  if (env->error)
    return trin_err_set(err, code, env->error->field, "%s", env->error->message);
  return trin_err_set(err, code, "", "request failed (%s)", trin_status_name(code));
}
