/* gateway_json — see gateway_json.h. */
#include "gateway_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_id.h"

/* Deeper than any trin message nests; only a hostile request gets near it. */
#define GATEWAY_JSON_MAX_DEPTH 32
#define PATH_MAX_LEN 256

#define MEMBER(msg, off) ((void *)((char *)(msg) + (off)))
#define CMEMBER(msg, off) ((const void *)((const char *)(msg) + (off)))

/* ------------------------------------------------------------ shared helpers */

static void path_join(char *out, const char *path, const char *name) {
  if (path[0])
    snprintf(out, PATH_MAX_LEN, "%s.%s", path, name);
  else
    snprintf(out, PATH_MAX_LEN, "%s", name);
}

static void path_index(char *out, const char *path, size_t i) {
  snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i);
}

/* proto3's json name: underscores dropped, the letter after one upper-cased
 * ("start_date" -> "startDate"), as protoc's ToJsonName does. */
static void json_name_of(const char *name, char *out, size_t n) {
  size_t j = 0;
  bool upper = false;
  for (const char *p = name; *p && j + 1 < n; p++) {
    if (*p == '_') {
      upper = true;
      continue;
    }
    out[j++] = (upper && *p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    upper = false;
  }
  out[j] = '\0';
}

const ProtobufCFieldDescriptor *gateway_json_find_field(const ProtobufCMessageDescriptor *d,
                                                        const char *key) {
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
  if (f) return f;
  char jn[128];
  for (unsigned i = 0; i < d->n_fields; i++) {
    json_name_of(d->fields[i].name, jn, sizeof jn);
    if (strcmp(jn, key) == 0) return &d->fields[i];
  }
  return NULL;
}

/* protobuf-c keeps no "map entry" flag, so a map is recognised by the shape
 * protoc gives it: a repeated field of a nested message <Field>Entry with
 * exactly key = 1 and value = 2. */
bool gateway_json_is_map(const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE) return false;
  const ProtobufCMessageDescriptor *e = f->descriptor;
  if (e == NULL || e->n_fields != 2) return false;
  const ProtobufCFieldDescriptor *k = protobuf_c_message_descriptor_get_field(e, 1);
  const ProtobufCFieldDescriptor *v = protobuf_c_message_descriptor_get_field(e, 2);
  if (k == NULL || v == NULL || strcmp(k->name, "key") != 0 || strcmp(v->name, "value") != 0)
    return false;
  char want[160];
  json_name_of(f->name, want, sizeof want - 6);
  if (want[0] >= 'a' && want[0] <= 'z') want[0] = (char)(want[0] - 'a' + 'A');
  strcat(want, "Entry");
  return strcmp(e->short_name, want) == 0;
}

static size_t elem_size(ProtobufCType t) {
  switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM:
      return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
      return 8;
    case PROTOBUF_C_TYPE_FLOAT:
      return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE:
      return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
      return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
      return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
      return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
      return sizeof(ProtobufCMessage *);
  }
  return 0;
}

/* Presence: a proto2/proto3-optional scalar carries a has_ flag (strings and
 * messages are present when not NULL); a oneof member is present when the
 * case names it. */
static void mark_present(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    *(uint32_t *)MEMBER(m, f->quantifier_offset) = f->id;
  else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
           f->type != PROTOBUF_C_TYPE_MESSAGE)
    *(protobuf_c_boolean *)MEMBER(m, f->quantifier_offset) = 1;
}

/* ------------------------------------------------------------ JSON -> message */

static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    case JSON_STRING:
      return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
      return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "a boolean";
    case JSON_NULL:
      return "null";
  }
  return "something else";
}

static int type_error(trin_err_t *err, const char *path, const char *expected, const json_t *v) {
  if (path[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, NULL, "expected %s, got %s", expected, json_kind(v));
  return trin_err_set(err, TRIN_EINVALID, path, "%s: expected %s, got %s", path, expected,
                      json_kind(v));
}

static int oom(trin_err_t *err) {
  return trin_err_set(err, TRIN_EINTERNAL, NULL, "out of memory while reading the request");
}

typedef struct {
  bool neg;
  uint64_t mag;
} wide_t;

static bool is_signed(ProtobufCType t) {
  return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
         t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_INT64 ||
         t == PROTOBUF_C_TYPE_SINT64 || t == PROTOBUF_C_TYPE_SFIXED64;
}

/* Decimal text "-?[0-9]+" to sign and magnitude; false on anything else.
 * *overflow says the digits are beyond 64 bits (a range error, not a shape
 * error). */
static bool parse_decimal(const char *s, wide_t *w, bool *overflow) {
  *overflow = false;
  w->neg = false;
  w->mag = 0;
  if (*s == '-') {
    w->neg = true;
    s++;
  }
  if (*s == '\0') return false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    unsigned d = (unsigned)(*s - '0');
    if (w->mag > (UINT64_MAX - d) / 10)
      *overflow = true;
    else
      w->mag = w->mag * 10 + d;
  }
  return true;
}

/* Stores w into dst when it fits the field's type; `shown` is the number as
 * the user wrote it, for the message. */
static int store_int(ProtobufCType t, wide_t w, bool overflow, const char *path, const char *shown,
                     void *dst, trin_err_t *err) {
  bool sig = is_signed(t);
  bool wide = elem_size(t) == 8;
  uint64_t pos_max =
      wide ? (sig ? (uint64_t)INT64_MAX : UINT64_MAX) : (sig ? (uint64_t)INT32_MAX : UINT32_MAX);
  uint64_t neg_max = sig ? (wide ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT32_MAX + 1) : 0;
  if (!overflow && w.neg && w.mag == 0) w.neg = false; /* "-0" */
  if (overflow || (w.neg ? w.mag > neg_max : w.mag > pos_max)) {
    const char *range =
        wide ? (sig ? "-9223372036854775808 to 9223372036854775807" : "0 to 18446744073709551615")
             : (sig ? "-2147483648 to 2147483647" : "0 to 4294967295");
    return trin_err_set(err, TRIN_EINVALID, path, "%s: %.40s is out of range (%s)", path, shown,
                        range);
  }
  if (wide) {
    if (sig) {
      int64_t v = w.neg ? (int64_t)(0 - w.mag) : (int64_t)w.mag;
      memcpy(dst, &v, 8);
    } else {
      memcpy(dst, &w.mag, 8);
    }
  } else {
    if (sig) {
      int32_t v = w.neg ? (int32_t)(int64_t)(0 - (int64_t)w.mag) : (int32_t)w.mag;
      memcpy(dst, &v, 4);
    } else {
      uint32_t v = (uint32_t)w.mag;
      memcpy(dst, &v, 4);
    }
  }
  return TRIN_OK;
}

static int read_int_text(ProtobufCType t, const char *s, const char *path, void *dst,
                         trin_err_t *err) {
  wide_t w;
  bool overflow;
  if (!parse_decimal(s, &w, &overflow))
    return trin_err_set(err, TRIN_EINVALID, path, "%s: expected a whole number, got \"%.32s\"",
                        path, s);
  return store_int(t, w, overflow, path, s, dst, err);
}

static int read_int(const json_t *v, ProtobufCType t, const char *path, void *dst,
                    trin_err_t *err) {
  char shown[48];
  wide_t w = {false, 0};
  if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    w.neg = n < 0;
    w.mag = w.neg ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    snprintf(shown, sizeof shown, "%" JSON_INTEGER_FORMAT, n);
    return store_int(t, w, false, path, shown, dst, err);
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    snprintf(shown, sizeof shown, "%.17g", d);
    if (d != floor(d))
      return trin_err_set(err, TRIN_EINVALID, path, "%s: expected a whole number, got %s", path,
                          shown);
    /* 2^64: every double below it converts exactly to uint64_t. */
    bool overflow = fabs(d) >= 18446744073709551616.0;
    w.neg = d < 0;
    w.mag = overflow ? 0 : (uint64_t)fabs(d);
    return store_int(t, w, overflow, path, shown, dst, err);
  }
  if (json_is_string(v)) return read_int_text(t, json_string_value(v), path, dst, err);
  return type_error(
      err, path, elem_size(t) == 8 ? "a whole number or a string of digits" : "a whole number", v);
}

static int read_float(const json_t *v, ProtobufCType t, const char *path, void *dst,
                      trin_err_t *err) {
  double d;
  if (json_is_number(v)) {
    d = json_number_value(v);
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char *end = NULL;
    if (strcmp(s, "NaN") == 0)
      d = NAN;
    else if (strcmp(s, "Infinity") == 0)
      d = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
      d = -INFINITY;
    else if (s[0] == '\0' || s[0] == ' ' || (d = strtod(s, &end), *end != '\0') || !isfinite(d))
      return trin_err_set(err, TRIN_EINVALID, path, "%s: expected a number, got \"%.32s\"", path,
                          s);
  } else {
    return type_error(err, path, "a number", v);
  }
  if (t == PROTOBUF_C_TYPE_FLOAT) {
    if (isfinite(d) && fabs(d) > 3.4028234663852886e38)
      return trin_err_set(err, TRIN_EINVALID, path, "%s: %g is out of range for a float", path, d);
    float f = (float)d;
    memcpy(dst, &f, sizeof f);
  } else {
    memcpy(dst, &d, sizeof d);
  }
  return TRIN_OK;
}

static void enum_names(const ProtobufCEnumDescriptor *ed, char *out, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (unsigned i = 0; i < ed->n_values; i++) {
    int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", ed->values[i].name);
    if (w < 0 || (size_t)w >= n - used) {
      snprintf(out + (used < n - 5 ? used : n - 5), 5, ", ...");
      return;
    }
    used += (size_t)w;
  }
}

static int read_enum(const json_t *v, const ProtobufCEnumDescriptor *ed, const char *path,
                     void *dst, trin_err_t *err) {
  const ProtobufCEnumValue *ev = NULL;
  char names[128];
  if (json_is_string(v)) {
    ev = protobuf_c_enum_descriptor_get_value_by_name(ed, json_string_value(v));
    if (ev == NULL) {
      enum_names(ed, names, sizeof names);
      return trin_err_set(err, TRIN_EINVALID, path, "%s: \"%.32s\" is not one of %s", path,
                          json_string_value(v), names);
    }
  } else if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    if (n >= INT32_MIN && n <= INT32_MAX) ev = protobuf_c_enum_descriptor_get_value(ed, (int)n);
    if (ev == NULL) {
      enum_names(ed, names, sizeof names);
      return trin_err_set(err, TRIN_EINVALID, path,
                          "%s: %" JSON_INTEGER_FORMAT " is not a value of %s (one of %s)", path, n,
                          ed->name, names);
    }
  } else {
    return type_error(err, path, "a name (a string)", v);
  }
  int32_t val = ev->value;
  memcpy(dst, &val, 4);
  return TRIN_OK;
}

static int b64_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

/* Standard or URL-safe alphabet, padding optional (proto3 JSON accepts
 * both). Returns false on any other character, misplaced padding or a
 * length no encoder makes. */
static bool b64_decode(const char *s, size_t len, uint8_t **out, size_t *outlen) {
  size_t pad = 0;
  while (len > 0 && s[len - 1] == '=' && pad < 2) {
    len--;
    pad++;
  }
  if (pad && (len + pad) % 4 != 0) return false;
  if (len % 4 == 1) return false;
  size_t n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
  *outlen = n;
  *out = NULL;
  if (n == 0) return len == 0;
  uint8_t *b = malloc(n);
  if (b == NULL) return false;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int d = b64_digit((unsigned char)s[i]);
    if (d < 0) {
      free(b);
      return false;
    }
    acc = (acc << 6) | (uint32_t)d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < n) b[o++] = (uint8_t)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  *out = b;
  return true;
}

static int fill_message(const json_t *obj, ProtobufCMessage *m, const char *path, int depth,
                        trin_err_t *err);

/* One value of field f into dst (the member, or one slot of its array).
 * All or nothing: on error nothing is left allocated and dst is unchanged,
 * so the caller's partial message frees cleanly. */
static int read_value(const json_t *v, const ProtobufCFieldDescriptor *f, const char *path,
                      void *dst, int depth, trin_err_t *err) {
  switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
      return read_int(v, f->type, path, dst, err);
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
      return read_float(v, f->type, path, dst, err);
    case PROTOBUF_C_TYPE_BOOL: {
      if (!json_is_boolean(v)) return type_error(err, path, "true or false", v);
      protobuf_c_boolean b = json_is_true(v);
      memcpy(dst, &b, sizeof b);
      return TRIN_OK;
    }
    case PROTOBUF_C_TYPE_ENUM:
      return read_enum(v, f->descriptor, path, dst, err);
    case PROTOBUF_C_TYPE_STRING: {
      if (!json_is_string(v)) return type_error(err, path, "a string", v);
      const char *s = json_string_value(v);
      size_t len = json_string_length(v);
      if (strlen(s) != len)
        return trin_err_set(err, TRIN_EINVALID, path, "%s: text may not contain a NUL character",
                            path);
      char *copy = malloc(len + 1);
      if (copy == NULL) return oom(err);
      memcpy(copy, s, len + 1);
      memcpy(dst, &copy, sizeof copy);
      return TRIN_OK;
    }
    case PROTOBUF_C_TYPE_BYTES: {
      if (!json_is_string(v)) return type_error(err, path, "a base64 string", v);
      ProtobufCBinaryData bd = {0, NULL};
      if (!b64_decode(json_string_value(v), json_string_length(v), &bd.data, &bd.len))
        return trin_err_set(err, TRIN_EINVALID, path, "%s: is not valid base64", path);
      memcpy(dst, &bd, sizeof bd);
      return TRIN_OK;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
      if (!json_is_object(v)) return type_error(err, path, "an object", v);
      if (depth >= GATEWAY_JSON_MAX_DEPTH)
        return trin_err_set(err, TRIN_EINVALID, path, "%s: nested more than %d levels deep", path,
                            GATEWAY_JSON_MAX_DEPTH);
      const ProtobufCMessageDescriptor *d = f->descriptor;
      ProtobufCMessage *sub = malloc(d->sizeof_message);
      if (sub == NULL) return oom(err);
      d->message_init(sub);
      int rc = fill_message(v, sub, path, depth + 1, err);
      if (rc != TRIN_OK) {
        protobuf_c_message_free_unpacked(sub, NULL);
        return rc;
      }
      memcpy(dst, &sub, sizeof sub);
      return TRIN_OK;
    }
  }
  return trin_err_set(err, TRIN_EINTERNAL, path, "%s: field type %d is not supported", path,
                      (int)f->type);
}

static int read_list(const json_t *v, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                     const char *path, int depth, trin_err_t *err) {
  if (!json_is_array(v)) return type_error(err, path, "an array", v);
  size_t n = json_array_size(v);
  if (n == 0) return TRIN_OK;
  size_t es = elem_size(f->type);
  char *arr = calloc(n, es);
  if (arr == NULL) return oom(err);
  /* Hand the array to the message at once, counting only finished slots, so
   * a failure part-way frees exactly what was made. */
  memcpy(MEMBER(m, f->offset), &arr, sizeof arr);
  size_t *count = MEMBER(m, f->quantifier_offset);
  char child[PATH_MAX_LEN];
  for (size_t i = 0; i < n; i++) {
    const json_t *e = json_array_get(v, i);
    path_index(child, path, i);
    if (json_is_null(e))
      return trin_err_set(err, TRIN_EINVALID, child, "%s: a list may not hold null", child);
    int rc = read_value(e, f, child, arr + i * es, depth, err);
    if (rc != TRIN_OK) return rc;
    (*count)++;
  }
  return TRIN_OK;
}

/* JSON keys are text: a numeric key is read as a decimal string, a bool key
 * as its word. */
static json_t *map_key_json(const ProtobufCFieldDescriptor *kf, const char *key) {
  if (kf->type == PROTOBUF_C_TYPE_BOOL && strcmp(key, "true") == 0) return json_true();
  if (kf->type == PROTOBUF_C_TYPE_BOOL && strcmp(key, "false") == 0) return json_false();
  return json_string(key);
}

static int read_map(const json_t *v, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                    const char *path, int depth, trin_err_t *err) {
  if (!json_is_object(v)) return type_error(err, path, "an object", v);
  size_t n = json_object_size(v);
  if (n == 0) return TRIN_OK;
  const ProtobufCMessageDescriptor *ed = f->descriptor;
  const ProtobufCFieldDescriptor *kf = protobuf_c_message_descriptor_get_field(ed, 1);
  const ProtobufCFieldDescriptor *vf = protobuf_c_message_descriptor_get_field(ed, 2);
  ProtobufCMessage **arr = calloc(n, sizeof *arr);
  if (arr == NULL) return oom(err);
  memcpy(MEMBER(m, f->offset), &arr, sizeof arr);
  size_t *count = MEMBER(m, f->quantifier_offset);
  char child[PATH_MAX_LEN];
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)v, key, val) {
    path_join(child, path, key);
    if (json_is_null(val))
      return trin_err_set(err, TRIN_EINVALID, child, "%s: a map value may not be null", child);
    ProtobufCMessage *entry = malloc(ed->sizeof_message);
    if (entry == NULL) return oom(err);
    ed->message_init(entry);
    arr[(*count)++] = entry;
    json_t *kj = map_key_json(kf, key);
    if (kj == NULL) return oom(err);
    int rc = read_value(kj, kf, child, MEMBER(entry, kf->offset), depth, err);
    json_decref(kj);
    if (rc == TRIN_OK) rc = read_value(val, vf, child, MEMBER(entry, vf->offset), depth, err);
    if (rc != TRIN_OK) return rc;
    mark_present(entry, kf);
    mark_present(entry, vf);
  }
  return TRIN_OK;
}

static const char *field_name_by_id(const ProtobufCMessageDescriptor *d, uint32_t id) {
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, id);
  return f ? f->name : "?";
}

static int fill_message(const json_t *obj, ProtobufCMessage *m, const char *path, int depth,
                        trin_err_t *err) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  char child[PATH_MAX_LEN];
  const char *key;
  json_t *val;
  /* Which fields were given, to refuse one given under both of its names. */
  unsigned char seen_small[64] = {0};
  unsigned char *seen = d->n_fields <= sizeof seen_small ? seen_small : calloc(d->n_fields, 1);
  if (seen == NULL) return oom(err);
  int rc = TRIN_OK;
  json_object_foreach((json_t *)obj, key, val) {
    const ProtobufCFieldDescriptor *f = gateway_json_find_field(d, key);
    path_join(child, path, key);
    if (f == NULL) {
      rc = trin_err_set(err, TRIN_EINVALID, child, "there is no field '%.64s' in %s", key, d->name);
      break;
    }
    if (json_is_null(val)) continue; /* proto3 JSON: null = the default */
    path_join(child, path, f->name);
    size_t idx = (size_t)(f - d->fields);
    if (seen[idx]) {
      char jn[128];
      json_name_of(f->name, jn, sizeof jn);
      rc = trin_err_set(err, TRIN_EINVALID, child, "%s: given twice (as '%s' and '%s')", child,
                        f->name, jn);
      break;
    }
    seen[idx] = 1;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t chosen = *(uint32_t *)MEMBER(m, f->quantifier_offset);
      if (chosen != 0 && chosen != f->id) {
        rc = trin_err_set(err, TRIN_EINVALID, child, "%s: only one of '%s' and '%s' may be given",
                          child, field_name_by_id(d, chosen), f->name);
        break;
      }
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
      rc = gateway_json_is_map(f) ? read_map(val, m, f, child, depth, err)
                                  : read_list(val, m, f, child, depth, err);
    else
      rc = read_value(val, f, child, MEMBER(m, f->offset), depth, err);
    if (rc != TRIN_OK) break;
    if (f->label != PROTOBUF_C_LABEL_REPEATED) mark_present(m, f);
  }
  if (seen != seen_small) free(seen);
  return rc;
}

int gateway_json_to_message(const json_t *obj, const ProtobufCMessageDescriptor *desc,
                            ProtobufCMessage **out, trin_err_t *err) {
  *out = NULL;
  if (obj == NULL || !json_is_object(obj))
    return obj ? type_error(err, "", "a JSON object", obj)
               : trin_err_set(err, TRIN_EINVALID, NULL, "expected a JSON object, got nothing");
  ProtobufCMessage *m = malloc(desc->sizeof_message);
  if (m == NULL) return oom(err);
  desc->message_init(m);
  int rc = fill_message(obj, m, "", 0, err);
  if (rc != TRIN_OK) {
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
  }
  *out = m;
  return TRIN_OK;
}

/* ------------------------------------------------------------ message -> JSON */

static json_t *b64_encode(const uint8_t *p, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t olen = (n + 2) / 3 * 4;
  char *s = malloc(olen + 1);
  if (s == NULL) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    s[o++] = A[(v >> 18) & 63];
    s[o++] = A[(v >> 12) & 63];
    s[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
    s[o++] = i + 2 < n ? A[v & 63] : '=';
  }
  s[o] = '\0';
  json_t *j = json_stringn(s, o);
  free(s);
  return j;
}

static json_t *float_json(double d) {
  if (isnan(d)) return json_string("NaN");
  if (isinf(d)) return json_string(d > 0 ? "Infinity" : "-Infinity");
  return json_real(d);
}

static json_t *message_json(const ProtobufCMessage *m);

static json_t *value_json(const ProtobufCFieldDescriptor *f, const void *src) {
  char buf[32];
  switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: {
      int32_t v;
      memcpy(&v, src, 4);
      return json_integer(v);
    }
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
      uint32_t v;
      memcpy(&v, src, 4);
      return json_integer((json_int_t)v);
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: {
      int64_t v;
      memcpy(&v, src, 8);
      snprintf(buf, sizeof buf, "%" PRId64, v);
      return json_string(buf);
    }
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
      uint64_t v;
      memcpy(&v, src, 8);
      snprintf(buf, sizeof buf, "%" PRIu64, v);
      return json_string(buf);
    }
    case PROTOBUF_C_TYPE_FLOAT: {
      float v;
      memcpy(&v, src, sizeof v);
      return float_json(v);
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
      double v;
      memcpy(&v, src, sizeof v);
      return float_json(v);
    }
    case PROTOBUF_C_TYPE_BOOL: {
      protobuf_c_boolean v;
      memcpy(&v, src, sizeof v);
      return json_boolean(v);
    }
    case PROTOBUF_C_TYPE_ENUM: {
      int32_t v;
      memcpy(&v, src, 4);
      const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
      return ev ? json_string(ev->name) : json_integer(v);
    }
    case PROTOBUF_C_TYPE_STRING: {
      const char *s;
      memcpy(&s, src, sizeof s);
      json_t *j = json_string(s ? s : "");
      if (j || s == NULL) return j;
      /* Not UTF-8 (a service's bug; protobuf-c does not check): send it with
       * '?' for the bad bytes rather than fail the whole reply. */
      char *copy = strdup(s);
      if (copy == NULL) return NULL;
      trin_text_sanitize_utf8(copy);
      j = json_string(copy);
      free(copy);
      return j;
    }
    case PROTOBUF_C_TYPE_BYTES: {
      ProtobufCBinaryData bd;
      memcpy(&bd, src, sizeof bd);
      return b64_encode(bd.data, bd.data ? bd.len : 0);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCMessage *sub;
      memcpy(&sub, src, sizeof sub);
      return sub ? message_json(sub) : json_null();
    }
  }
  return json_null();
}

static json_t *map_key_text(const ProtobufCFieldDescriptor *kf, const void *src) {
  json_t *k = value_json(kf, src);
  if (k == NULL || json_is_string(k)) return k;
  char buf[32];
  if (json_is_integer(k))
    snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(k));
  else
    snprintf(buf, sizeof buf, "%s", json_is_true(k) ? "true" : "false");
  json_decref(k);
  return json_string(buf);
}

static json_t *list_json(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  size_t n = *(const size_t *)CMEMBER(m, f->quantifier_offset);
  const char *arr;
  memcpy(&arr, CMEMBER(m, f->offset), sizeof arr);
  if (gateway_json_is_map(f)) {
    json_t *o = json_object();
    const ProtobufCMessageDescriptor *ed = f->descriptor;
    const ProtobufCFieldDescriptor *kf = protobuf_c_message_descriptor_get_field(ed, 1);
    const ProtobufCFieldDescriptor *vf = protobuf_c_message_descriptor_get_field(ed, 2);
    for (size_t i = 0; o && i < n; i++) {
      const ProtobufCMessage *e = ((const ProtobufCMessage *const *)arr)[i];
      if (e == NULL) continue;
      json_t *k = map_key_text(kf, CMEMBER(e, kf->offset));
      json_t *v = value_json(vf, CMEMBER(e, vf->offset));
      /* set_new takes v even when it fails. */
      if (k == NULL || v == NULL || json_object_set_new(o, json_string_value(k), v) != 0) {
        if (k == NULL) json_decref(v);
        json_decref(o);
        o = NULL;
      }
      json_decref(k);
    }
    return o;
  }
  json_t *a = json_array();
  size_t es = elem_size(f->type);
  for (size_t i = 0; a && i < n; i++) {
    if (json_array_append_new(a, value_json(f, arr + i * es)) != 0) {
      json_decref(a);
      a = NULL;
    }
  }
  return a;
}

static bool present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f) {
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    return *(const uint32_t *)CMEMBER(m, f->quantifier_offset) == f->id;
  if (f->label != PROTOBUF_C_LABEL_OPTIONAL) return true;
  if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
    return *(void *const *)CMEMBER(m, f->offset) != NULL;
  return *(const protobuf_c_boolean *)CMEMBER(m, f->quantifier_offset);
}

static json_t *message_json(const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  json_t *o = json_object();
  if (o == NULL) return NULL;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (!present(m, f)) continue;
    json_t *v = f->label == PROTOBUF_C_LABEL_REPEATED ? list_json(m, f)
                                                      : value_json(f, CMEMBER(m, f->offset));
    if (v == NULL || json_object_set_new(o, f->name, v) != 0) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

json_t *gateway_json_from_message(const ProtobufCMessage *msg) {
  return msg ? message_json(msg) : json_null();
}

/* ------------------------------------------------------------ URL parameters */

/* The text of a path segment or query value as the JSON value the field's
 * reader takes, checked now so the error names the parameter. */
static int text_json(const ProtobufCFieldDescriptor *f, const char *text, const char *name,
                     json_t **out, trin_err_t *err) {
  *out = NULL;
  char scratch[sizeof(ProtobufCBinaryData) + 8];
  switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
      if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        *out = json_true();
      else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
        *out = json_false();
      else
        return trin_err_set(err, TRIN_EINVALID, name,
                            "%s: expected true, false, 1 or 0, got \"%.32s\"", name, text);
      break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
      json_t *s = json_string(text);
      if (s == NULL) break;
      int rc = read_float(s, f->type, name, scratch, err);
      json_decref(s);
      if (rc != TRIN_OK) return rc;
      double d;
      if (f->type == PROTOBUF_C_TYPE_FLOAT) {
        float fl;
        memcpy(&fl, scratch, sizeof fl);
        d = fl;
      } else {
        memcpy(&d, scratch, sizeof d);
      }
      *out = isfinite(d) ? json_real(d) : json_string(text);
      break;
    }
    case PROTOBUF_C_TYPE_ENUM: {
      wide_t w;
      bool overflow;
      json_t *j = parse_decimal(text, &w, &overflow) && !overflow && w.mag <= INT32_MAX
                      ? json_integer(w.neg ? -(json_int_t)w.mag : (json_int_t)w.mag)
                      : json_string(text);
      if (j == NULL) break;
      int rc = read_enum(j, f->descriptor, name, scratch, err);
      if (rc != TRIN_OK) {
        json_decref(j);
        return rc;
      }
      *out = j;
      break;
    }
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
      *out = json_string(text);
      if (*out == NULL)
        return trin_err_set(err, TRIN_EINVALID, name, "%s: is not valid UTF-8 text", name);
      break;
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCMessageDescriptor *sd = f->descriptor;
      return trin_err_set(err, TRIN_EINVALID, name,
                          "%s: is a message; set its fields by name, like '%s.%s'", name, name,
                          sd->n_fields ? sd->fields[0].name : "field");
    }
    default: {
      int rc = read_int_text(f->type, text, name, scratch, err);
      if (rc != TRIN_OK) return rc;
      if (elem_size(f->type) == 8) {
        *out = json_string(text);
      } else if (is_signed(f->type)) {
        int32_t v;
        memcpy(&v, scratch, 4);
        *out = json_integer(v);
      } else {
        uint32_t v;
        memcpy(&v, scratch, 4);
        *out = json_integer((json_int_t)v);
      }
      break;
    }
  }
  if (*out == NULL) return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
  return TRIN_OK;
}

static int put_value(json_t *obj, const ProtobufCFieldDescriptor *f, json_t *v, const char *name,
                     trin_err_t *err) {
  if (f->label == PROTOBUF_C_LABEL_REPEATED) {
    json_t *a = json_object_get(obj, f->name);
    if (!json_is_array(a)) {
      a = json_array();
      if (a == NULL || json_object_set_new(obj, f->name, a) != 0) {
        json_decref(v);
        return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
      }
    }
    if (json_array_append_new(a, v) != 0)
      return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
    return TRIN_OK;
  }
  if (json_object_set_new(obj, f->name, v) != 0)
    return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
  return TRIN_OK;
}

int gateway_json_set_param(json_t *obj, const ProtobufCMessageDescriptor *desc, const char *name,
                           const char *value, trin_err_t *err) {
  if (!json_is_object(obj) || desc == NULL || name == NULL || value == NULL)
    return trin_err_set(err, TRIN_EINTERNAL, name, "gateway_json_set_param: bad arguments");
  char seg[PATH_MAX_LEN];
  const char *p = name;
  const ProtobufCMessageDescriptor *d = desc;
  json_t *cur = obj;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    if (len == 0 || len >= sizeof seg)
      return trin_err_set(err, TRIN_EINVALID, name, "'%.64s' is not a field name", name);
    memcpy(seg, p, len);
    seg[len] = '\0';
    const ProtobufCFieldDescriptor *f = gateway_json_find_field(d, seg);
    if (f == NULL)
      return trin_err_set(err, TRIN_EINVALID, name, "there is no field '%.64s' in %s", seg,
                          d->name);
    if (gateway_json_is_map(f)) {
      /* "ids.project": the rest of the name is the key. */
      if (dot == NULL || dot[1] == '\0')
        return trin_err_set(err, TRIN_EINVALID, name, "%s: is a map; set an entry as '%s.<key>'",
                            name, name);
      const ProtobufCMessageDescriptor *ed = f->descriptor;
      json_t *v;
      int rc = text_json(protobuf_c_message_descriptor_get_field(ed, 2), value, name, &v, err);
      if (rc != TRIN_OK) return rc;
      json_t *map = json_object_get(cur, f->name);
      if (!json_is_object(map)) {
        map = json_object();
        if (map == NULL || json_object_set_new(cur, f->name, map) != 0) {
          json_decref(v);
          return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
        }
      }
      if (json_object_set_new(map, dot + 1, v) != 0)
        return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
      return TRIN_OK;
    }
    if (dot == NULL) {
      json_t *v;
      int rc = text_json(f, value, name, &v, err);
      if (rc != TRIN_OK) return rc;
      return put_value(cur, f, v, name, err);
    }
    if (f->type != PROTOBUF_C_TYPE_MESSAGE)
      return trin_err_set(err, TRIN_EINVALID, name, "%s: '%s' has no fields of its own", name,
                          f->name);
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
      return trin_err_set(err, TRIN_EINVALID, name,
                          "%s: '%s' is a list; its items can only be sent in a JSON body", name,
                          f->name);
    json_t *sub = json_object_get(cur, f->name);
    if (sub == NULL || json_is_null(sub)) {
      sub = json_object();
      if (sub == NULL || json_object_set_new(cur, f->name, sub) != 0)
        return trin_err_set(err, TRIN_EINTERNAL, name, "out of memory");
    } else if (!json_is_object(sub)) {
      return trin_err_set(err, TRIN_EINVALID, name, "%s: '%s' is already set to %s", name, f->name,
                          json_kind(sub));
    }
    cur = sub;
    d = f->descriptor;
    p = dot + 1;
  }
}
