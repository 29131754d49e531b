/* gateway_json — JSON <-> protobuf for any trin message, driven only by the
 * protobuf-c descriptors (no per-message code), following proto3's JSON
 * mapping with the .proto's own field names.
 *
 * The mapping, both ways (gateway_openapi describes the same in JSON Schema):
 *   string                 JSON string (UTF-8 without NUL characters)
 *   bytes                  base64 string; read: standard or URL-safe alphabet,
 *                          padding optional; written: standard, padded
 *   bool                   true / false
 *   int32 uint32 sint32 fixed32 sfixed32
 *                          read: number or decimal string, whole and in
 *                          range; written: number
 *   int64 uint64 sint64 fixed64 sfixed64
 *                          read: number (exactly whole and in range) or
 *                          decimal string; written: decimal string, so
 *                          JavaScript clients keep every digit
 *   float double           read: number, decimal string, "NaN", "Infinity",
 *                          "-Infinity"; written: number (those three strings
 *                          for the non-finite values)
 *   enum                   read: the value's name or its number; written:
 *                          the name (the number when it has no name)
 *   message                object; null = absent; written: null when absent
 *   repeated               array
 *   map<K,V>               object keyed by the key as text
 * Field names are read as in the .proto (snake_case) or as proto3's
 * lowerCamelCase json name; they are written as in the .proto.
 *
 * Written output carries EVERY field, defaults included ("" 0 false [] {}),
 * so clients always see the whole shape; the exceptions are fields with
 * presence that are not set: an absent sub-message is written as null, and an
 * unset oneof member or proto3 `optional` field is left out.
 *
 * Errors (status TRIN_EINVALID) name the field by its dotted path from the
 * top of the request, with list indices and map keys: "project.start_dat",
 * "milestones[2].name", "ids.project"; the message repeats the path and says
 * what was expected. */
#ifndef GATEWAY_JSON_H
#define GATEWAY_JSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>

#include "trin_err.h"

/* Builds a message of type `desc` from the JSON object `obj` (borrowed).
 * Unknown fields, wrong JSON types, out-of-range numbers, bad base64 and
 * unknown enum names are refused with TRIN_EINVALID. On TRIN_OK *out is a new
 * message the caller frees with protobuf_c_message_free_unpacked(*out, NULL)
 * (every string, array and sub-message is malloc'd; default strings point at
 * the descriptor's default as protobuf-c's own unpack leaves them); on error
 * *out is NULL and nothing is left allocated. TRIN_EINTERNAL when memory runs
 * out. */
int gateway_json_to_message(const json_t *obj, const ProtobufCMessageDescriptor *desc,
                            ProtobufCMessage **out, trin_err_t *err);

/* The message as canonical JSON (see the mapping above): a new reference the
 * caller json_decref()s, NULL only when memory runs out. `msg` is borrowed. */
json_t *gateway_json_from_message(const ProtobufCMessage *msg);

/* Sets field `name` of the JSON object `obj` (a request of type `desc` being
 * built from a URL's path and query) from the text `value`, converted as the
 * field's type needs: bool from "true"/"false"/"1"/"0", 32-bit integers and
 * floating point as JSON numbers, 64-bit integers as decimal strings (checked
 * here, so the error names the parameter), enums as their name, strings and
 * bytes as given. `name` may be the .proto name or the json name, and dotted
 * for fields of sub-messages ("milestone.name": objects are created as
 * needed) or map entries ("ids.project"). A repeated field gets the value
 * appended, so "?stage=trin1&stage=trin2" makes a list. Setting a field
 * again replaces its value. Unknown names, sub-messages themselves, fields
 * inside lists and values that do not convert are refused with TRIN_EINVALID
 * naming `name`. `obj` stays owned by the caller; on error it may hold the
 * objects created for the dotted path. */
int gateway_json_set_param(json_t *obj, const ProtobufCMessageDescriptor *desc, const char *name,
                           const char *value, trin_err_t *err);

/* The field of `d` called `name` (the .proto name or the json name, one
 * level, no dots), or NULL. Points into the static descriptor. */
const ProtobufCFieldDescriptor *gateway_json_find_field(const ProtobufCMessageDescriptor *d,
                                                        const char *name);

/* Whether f is a map<K,V> (protobuf-c marks none: it is recognised by the
 * <Field>Entry shape protoc gives maps). */
bool gateway_json_is_map(const ProtobufCFieldDescriptor *f);

#endif
