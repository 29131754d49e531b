/* trin_codec — packing and unpacking the envelope and any protobuf message,
 * with the size limit and error words every service and client shares. */
#ifndef TRIN_CODEC_H
#define TRIN_CODEC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "trin/envelope.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"

/* Default largest request a service accepts (configurable per service). */
#define TRIN_CODEC_MAX_MESSAGE (1024 * 1024)

/* Packs msg into a new malloc'd buffer the caller frees. */
int trin_codec_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *len,
                    trin_err_t *err);

/* Unpacks bytes as desc; the result is freed with trin_codec_free. field
 * names what was being decoded in the error ("payload", "envelope"). */
int trin_codec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                      size_t len, const char *field, ProtobufCMessage **out,
                      trin_err_t *err);
void trin_codec_free(void *msg); /* NULL is fine */

/* trin_codec_unpack with every allocation taken from arena: nothing to free
 * per message, the arena's owner resets it when the message is done with.
 * For hot paths that decode many messages (replayed batches, payloads). */
int trin_codec_unpack_in(trin_arena_t *arena, const ProtobufCMessageDescriptor *desc,
                         const uint8_t *data, size_t len, const char *field,
                         ProtobufCMessage **out, trin_err_t *err);

/* A reply envelope carrying err (status, field, message), packed. */
int trin_codec_pack_error_reply(const char *correlation_id, const trin_err_t *e,
                                uint8_t **out, size_t *len);

/* Copies an Error from a reply into err; returns its code. */
int trin_codec_error_from_reply(const Trin__Envelope *env, trin_err_t *err);

#endif
