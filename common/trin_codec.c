/* trin_codec — see trin_codec.h. */
#include "trin_codec.h"

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

int trin_codec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                      size_t len, const char *field, ProtobufCMessage **out,
                      trin_err_t *err) {
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, len, data);
  if (!m)
    return trin_err_set(err, TRIN_EDECODE, field,
                        "the %zu bytes are not a valid %s message", len,
                        desc->name);
  *out = m;
  return TRIN_OK;
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
