/* trinctl_print — see trinctl_print.h. */
#include "trinctl_print.h"

#include "lifecycle_rules.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trin_money.h"
#include "trin_number.h"

/* ================================================================== JSON */

/* Length of the valid UTF-8 sequence at s (1–4), or 0 when the bytes there
 * are not one (bad lead, bad continuation, overlong, surrogate, > U+10FFFF). */
static size_t utf8_seq(const unsigned char *s) {
  unsigned c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
  else return 0;
  for (size_t k = 1; k < n; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0; /* also stops at the NUL */
    cp = (cp << 6) | (s[k] & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

void trinctl_json_string(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)(str ? str : "");
  fputc('"', f);
  while (*s) {
    unsigned c = *s;
    if (c == '"' || c == '\\') {
      fputc('\\', f);
      fputc((int)c, f);
      s++;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default: fprintf(f, "\\u%04x", c); break;
      }
      s++;
    } else if (c == 0x7f) {
      fputs("\\u007f", f);
      s++;
    } else {
      size_t n = utf8_seq(s);
      if (n == 0) {
        fputs("\\ufffd", f);
        s++;
      } else {
        fwrite(s, 1, n, f);
        s += n;
      }
    }
  }
  fputc('"', f);
}

static void json_base64(FILE *f, const ProtobufCBinaryData *b) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  fputc('"', f);
  size_t i = 0;
  for (; i + 3 <= b->len; i += 3) {
    uint32_t v = (uint32_t)b->data[i] << 16 | (uint32_t)b->data[i + 1] << 8 |
                 b->data[i + 2];
    fputc(tab[v >> 18], f);
    fputc(tab[(v >> 12) & 63], f);
    fputc(tab[(v >> 6) & 63], f);
    fputc(tab[v & 63], f);
  }
  if (b->len - i == 1) {
    uint32_t v = (uint32_t)b->data[i] << 16;
    fprintf(f, "%c%c==", tab[v >> 18], tab[(v >> 12) & 63]);
  } else if (b->len - i == 2) {
    uint32_t v = (uint32_t)b->data[i] << 16 | (uint32_t)b->data[i + 1] << 8;
    fprintf(f, "%c%c%c=", tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63]);
  }
  fputc('"', f);
}

/* Bytes one element of a repeated field takes in its array. */
static size_t elem_size(ProtobufCType t) {
  switch (t) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return sizeof(int32_t);
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return sizeof(int64_t);
    case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  }
  return sizeof(void *);
}

static void json_value(const trinctl_json_t *j, const ProtobufCFieldDescriptor *fd,
                       const void *p);

/* protobuf-c has no flag for map fields; a map is a repeated message of a
 * generated `...Entry` type with exactly `key` = 1 and `value` = 2. */
static bool is_map(const ProtobufCFieldDescriptor *fd) {
  if (fd->label != PROTOBUF_C_LABEL_REPEATED || fd->type != PROTOBUF_C_TYPE_MESSAGE)
    return false;
  const ProtobufCMessageDescriptor *d = fd->descriptor;
  size_t sl = strlen(d->short_name);
  return d->n_fields == 2 && sl > 5 && strcmp(d->short_name + sl - 5, "Entry") == 0 &&
         strcmp(d->fields[0].name, "key") == 0 && d->fields[0].id == 1 &&
         strcmp(d->fields[1].name, "value") == 0 && d->fields[1].id == 2;
}

/* JSON object keys are strings: integer and bool map keys are quoted. */
static void json_map_key(FILE *f, const ProtobufCFieldDescriptor *kd, const void *p) {
  switch (kd->type) {
    case PROTOBUF_C_TYPE_STRING:
      trinctl_json_string(f, *(char *const *)p);
      return;
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
      fprintf(f, "\"%" PRId32 "\"", *(const int32_t *)p);
      return;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
      fprintf(f, "\"%" PRIu32 "\"", *(const uint32_t *)p);
      return;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
      fprintf(f, "\"%" PRId64 "\"", *(const int64_t *)p);
      return;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
      fprintf(f, "\"%" PRIu64 "\"", *(const uint64_t *)p);
      return;
    case PROTOBUF_C_TYPE_BOOL:
      fputs(*(const protobuf_c_boolean *)p ? "\"true\"" : "\"false\"", f);
      return;
    default:
      fputs("\"\"", f); /* proto allows no other key types */
      return;
  }
}

static void json_map(const trinctl_json_t *j, const ProtobufCFieldDescriptor *fd,
                     size_t n, ProtobufCMessage *const *entries) {
  const ProtobufCMessageDescriptor *d = fd->descriptor;
  const ProtobufCFieldDescriptor *kd = &d->fields[0], *vd = &d->fields[1];
  fputc('{', j->f);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', j->f);
    const char *e = (const char *)entries[i];
    json_map_key(j->f, kd, e + kd->offset);
    fputc(':', j->f);
    json_value(j, vd, e + vd->offset);
  }
  fputc('}', j->f);
}

static void json_value(const trinctl_json_t *j, const ProtobufCFieldDescriptor *fd,
                       const void *p) {
  FILE *f = j->f;
  switch (fd->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
      fprintf(f, "%" PRId32, *(const int32_t *)p);
      return;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
      fprintf(f, "%" PRIu32, *(const uint32_t *)p);
      return;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
      fprintf(f, "%" PRId64, *(const int64_t *)p);
      return;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
      fprintf(f, "%" PRIu64, *(const uint64_t *)p);
      return;
    case PROTOBUF_C_TYPE_FLOAT: {
      double v = *(const float *)p;
      if (isfinite(v)) fprintf(f, "%.9g", v);
      else fputs("null", f); /* JSON has no NaN or infinity */
      return;
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
      double v = *(const double *)p;
      if (isfinite(v)) fprintf(f, "%.17g", v);
      else fputs("null", f);
      return;
    }
    case PROTOBUF_C_TYPE_BOOL:
      fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
      return;
    case PROTOBUF_C_TYPE_ENUM: {
      int v = *(const int *)p;
      const ProtobufCEnumValue *ev =
          protobuf_c_enum_descriptor_get_value(fd->descriptor, v);
      if (ev) trinctl_json_string(f, ev->name);
      else fprintf(f, "%d", v); /* a value newer than this build */
      return;
    }
    case PROTOBUF_C_TYPE_STRING:
      trinctl_json_string(f, *(char *const *)p);
      return;
    case PROTOBUF_C_TYPE_BYTES:
      json_base64(f, (const ProtobufCBinaryData *)p);
      return;
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
      if (m) trinctl_json_message(j, m);
      else fputs("null", f);
      return;
    }
  }
  fputs("null", f);
}

/* Is an optional (proto2 / proto3 `optional`) or oneof field set? */
static bool field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  const char *base = (const char *)m;
  if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    return *(const uint32_t *)(base + fd->quantifier_offset) == fd->id;
  if (fd->label != PROTOBUF_C_LABEL_OPTIONAL) return true;
  if (fd->type == PROTOBUF_C_TYPE_MESSAGE || fd->type == PROTOBUF_C_TYPE_STRING)
    return *(void *const *)(base + fd->offset) != NULL;
  return *(const protobuf_c_boolean *)(base + fd->quantifier_offset);
}

/* A `payload` whose sibling `payload_type` names a message the resolver
 * knows is written decoded; returns false to fall back to base64. */
static bool json_payload(const trinctl_json_t *j, const ProtobufCMessage *m,
                         const ProtobufCFieldDescriptor *fd) {
  if (!j->resolve || fd->type != PROTOBUF_C_TYPE_BYTES ||
      fd->label == PROTOBUF_C_LABEL_REPEATED || strcmp(fd->name, "payload") != 0)
    return false;
  const ProtobufCFieldDescriptor *td =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "payload_type");
  if (!td || td->type != PROTOBUF_C_TYPE_STRING || td->label == PROTOBUF_C_LABEL_REPEATED)
    return false;
  const char *type = *(char *const *)((const char *)m + td->offset);
  const ProtobufCMessageDescriptor *pd = type ? j->resolve(type) : NULL;
  if (!pd) return false;
  const ProtobufCBinaryData *b =
      (const ProtobufCBinaryData *)((const char *)m + fd->offset);
  ProtobufCMessage *inner = protobuf_c_message_unpack(pd, NULL, b->len, b->data);
  if (!inner) return false;
  trinctl_json_message(j, inner);
  protobuf_c_message_free_unpacked(inner, NULL);
  return true;
}

static void json_field(const trinctl_json_t *j, const ProtobufCMessage *m,
                       const ProtobufCFieldDescriptor *fd) {
  const char *base = (const char *)m;
  if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
    if (!json_payload(j, m, fd)) json_value(j, fd, base + fd->offset);
    return;
  }
  size_t n = *(const size_t *)(base + fd->quantifier_offset);
  const char *arr = *(const char *const *)(base + fd->offset);
  if (is_map(fd)) {
    json_map(j, fd, n, (ProtobufCMessage *const *)arr);
    return;
  }
  fputc('[', j->f);
  size_t sz = elem_size(fd->type);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', j->f);
    json_value(j, fd, arr + i * sz);
  }
  fputc(']', j->f);
}

void trinctl_json_message(const trinctl_json_t *j, const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  bool first = true;
  fputc('{', j->f);
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[i];
    if (!field_present(m, fd)) continue;
    if (!first) fputc(',', j->f);
    first = false;
    trinctl_json_string(j->f, fd->name);
    fputc(':', j->f);
    json_field(j, m, fd);
  }
  fputc('}', j->f);
}

void trinctl_json_repeated(const trinctl_json_t *j, const ProtobufCMessage *m,
                           const char *field) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, field);
  if (!fd || fd->label != PROTOBUF_C_LABEL_REPEATED) {
    fputs("[]", j->f); /* a bug in the caller; still valid JSON */
    return;
  }
  json_field(j, m, fd);
}

void trinctl_json_error(FILE *f, const trin_err_t *e) {
  fputs("{\"error\":{\"code\":", f);
  trinctl_json_string(f, trin_status_name(e->code));
  fputs(",\"field\":", f);
  trinctl_json_string(f, e->field);
  fputs(",\"message\":", f);
  trinctl_json_string(f, e->message);
  fputs("}}\n", f);
}

/* ================================================================ tables */

struct trinctl_table {
  size_t ncols, ncells, cap;
  const char *const *headers;
  char **cells;
};

#define TABLE_MAX_COLS 16

trinctl_table_t *trinctl_table_new(size_t ncols, const char *const *headers) {
  if (ncols == 0 || ncols > TABLE_MAX_COLS) return NULL;
  trinctl_table_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->ncols = ncols;
  t->headers = headers;
  return t;
}

void trinctl_table_cell(trinctl_table_t *t, const char *fmt, ...) {
  if (!t) return;
  if (t->ncells == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    char **c = realloc(t->cells, cap * sizeof *c);
    if (!c) return; /* out of memory: the table comes out short, not wrong */
    t->cells = c;
    t->cap = cap;
  }
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  if (!s) return;
  t->cells[t->ncells++] = s;
}

/* Characters, not bytes: continuation bytes do not count. */
static size_t display_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80) w++;
  return w;
}

static void pad(FILE *f, size_t n) {
  while (n--) fputc(' ', f);
}

void trinctl_table_print(FILE *f, const trinctl_table_t *t, int indent) {
  if (!t) return;
  size_t rows = t->ncells / t->ncols;
  if (rows == 0) {
    pad(f, (size_t)indent);
    fputs("(ingen)\n", f);
    return;
  }
  size_t width[TABLE_MAX_COLS] = {0};
  size_t nc = t->ncols;
  for (size_t c = 0; c < nc; c++) {
    width[c] = display_width(t->headers[c]);
    for (size_t r = 0; r < rows; r++) {
      size_t w = display_width(t->cells[r * t->ncols + c]);
      if (w > width[c]) width[c] = w;
    }
  }
  for (size_t r = 0; r <= rows; r++) {
    const char *const *row = r == 0 ? t->headers : (const char *const *)t->cells +
                                                       (r - 1) * t->ncols;
    /* No trailing blanks: stop after the last non-empty cell. */
    size_t end = nc;
    while (end > 1 && !*row[end - 1]) end--;
    pad(f, (size_t)indent);
    for (size_t c = 0; c < end; c++) {
      fputs(row[c], f);
      if (c + 1 < end) pad(f, width[c] - display_width(row[c]) + 2);
    }
    fputc('\n', f);
  }
}

void trinctl_table_destroy(trinctl_table_t **tp) {
  if (!tp || !*tp) return;
  for (size_t i = 0; i < (*tp)->ncells; i++) free((*tp)->cells[i]);
  free((*tp)->cells);
  free(*tp);
  *tp = NULL;
}

/* ======================================================== readable views */

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

/* "  label:            value" — the sheets' field lines. */
static void kv(FILE *f, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void kv(FILE *f, const char *label, const char *fmt, ...) {
  size_t w = display_width(label);
  fprintf(f, "  %s", label);
  pad(f, w < 19 ? 19 - w : 1);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
}

const char *trinctl_dispute_level_name(int level) {
  return lifecycle_dispute_level_name(level);
}

char *trinctl_num(int64_t v, int decimals, char *buf) {
  return trin_number_format_dk(v, decimals, false, buf);
}

char *trinctl_num_signed(int64_t v, int decimals, char *buf) {
  return trin_number_format_dk(v, decimals, true, buf);
}

char *trinctl_pct_bp(int64_t bp, char *buf) {
  trin_number_format_dk(bp, 2, false, buf);
  strcat(buf, " %");
  return buf;
}

char *trinctl_pct_bp1(int64_t bp, char *buf) {
  trin_number_format_dk((bp < 0 ? bp - 5 : bp + 5) / 10, 1, false, buf);
  strcat(buf, " %");
  return buf;
}

char *trinctl_kr(int64_t ore, char *buf) { return trin_money_format_dk(ore, buf); }

char *trinctl_num_text(const char *machine, bool sign, char *buf) {
  /* Machine form only: [-]digits[.digits], '.' the decimal mark, never
   * grouping, so "2.380" is two and 380 thousandths, not 2380. */
  const char *p = machine ? machine : "";
  bool neg = *p == '-';
  if (neg) p++;
  uint64_t m = 0;
  int decimals = -1, digits = 0;
  for (; *p; p++) {
    if (*p >= '0' && *p <= '9' && m <= (uint64_t)INT64_MAX / 10) {
      m = m * 10 + (uint64_t)(*p - '0');
      digits++;
      if (decimals >= 0) decimals++;
    } else if (*p == '.' && decimals < 0 && digits > 0) {
      decimals = 0;
    } else {
      break;
    }
  }
  if (*p || digits == 0 || decimals == 0 || decimals > 9 || m > (uint64_t)INT64_MAX) {
    snprintf(buf, TRINCTL_NUM_BUF, "%s", machine ? machine : "");
    return buf;
  }
  int64_t v = neg ? -(int64_t)m : (int64_t)m;
  return trin_number_format_dk(v, decimals < 0 ? 0 : decimals, sign, buf);
}

char *trinctl_variance_text(int days, char *buf) {
  if (days == 0) snprintf(buf, 24, "til tiden");
  else snprintf(buf, 24, "%+d dag%s", days, days == 1 || days == -1 ? "" : "e");
  return buf;
}

void trinctl_print_organisations(FILE *f, const Trin__Lifecycle__OrganisationList *l) {
  static const char *const h[] = {"ID", "KIND", "NAME"};
  trinctl_table_t *t = trinctl_table_new(3, h);
  for (size_t i = 0; i < l->n_organisations; i++) {
    const Trin__Lifecycle__Organisation *o = l->organisations[i];
    trinctl_table_cell(t, "%s", o->id);
    trinctl_table_cell(t, "%s", or_dash(o->kind));
    trinctl_table_cell(t, "%s", or_dash(o->name));
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
}

static const char *money_or(int64_t ore, const char *zero, char *buf) {
  return ore ? trinctl_kr(ore, buf) : zero;
}

void trinctl_print_partnership(FILE *f, const Trin__Lifecycle__Partnership *p) {
  char m[TRIN_MONEY_BUF];
  char d1[TRINCTL_DA_DATE_BUF], d2[TRINCTL_DA_DATE_BUF];
  fprintf(f, "Partnerskab %s — %s\n", p->id, p->name);
  kv(f, "bygherre", "%s", or_dash(p->client_org));
  kv(f, "økonomisk ramme", "%s", money_or(p->economic_frame_ore, "ikke oplyst", m));
  if (p->extension_years)
    kv(f, "rammeaftale", "%s – %s (%d år + %d års forlængelse)",
       trinctl_da_date(p->framework_start, d1), trinctl_da_date(p->framework_end, d2),
       p->framework_years, p->extension_years);
  else
    kv(f, "rammeaftale", "%s – %s (%d år)", trinctl_da_date(p->framework_start, d1),
       trinctl_da_date(p->framework_end, d2), p->framework_years);
  if (p->horizon_years)
    kv(f, "horisont", "til %s (%d år efter rammeaftalen)", trinctl_da_date(p->horizon_end, d1),
       p->horizon_years);
  else
    kv(f, "horisont", "slutter med rammeaftalen (%s)", trinctl_da_date(p->horizon_end, d1));
  kv(f, "prislukning", "%s", or_dash(p->price_closing_point));
  kv(f, "ABT fra", "%s", or_dash(p->abt_starts_at));
  kv(f, "bagatelgrænse", "%s", money_or(p->trivial_threshold_ore, "ingen", m));
  fprintf(f, "\nMedlemmer\n");
  static const char *const h[] = {"ORGANISATION", "ROLLE"};
  trinctl_table_t *t = trinctl_table_new(2, h);
  for (size_t i = 0; i < p->n_members; i++) {
    trinctl_table_cell(t, "%s", p->members[i]->org_id);
    trinctl_table_cell(t, "%s", or_dash(p->members[i]->role));
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);
}

void trinctl_print_partnerships(FILE *f, const Trin__Lifecycle__PartnershipList *l) {
  static const char *const h[] = {"ID", "CLIENT", "FRAMEWORK", "HORIZON END",
                                  "PRICE CLOSING", "ABT", "MEMBERS", "FRAME", "NAME"};
  trinctl_table_t *t = trinctl_table_new(9, h);
  char m[TRIN_MONEY_BUF];
  for (size_t i = 0; i < l->n_partnerships; i++) {
    const Trin__Lifecycle__Partnership *p = l->partnerships[i];
    trinctl_table_cell(t, "%s", p->id);
    trinctl_table_cell(t, "%s", or_dash(p->client_org));
    trinctl_table_cell(t, "%s – %s", or_dash(p->framework_start), or_dash(p->framework_end));
    trinctl_table_cell(t, "%s", or_dash(p->horizon_end));
    trinctl_table_cell(t, "%s", or_dash(p->price_closing_point));
    trinctl_table_cell(t, "%s", or_dash(p->abt_starts_at));
    trinctl_table_cell(t, "%zu", p->n_members);
    trinctl_table_cell(t, "%s", money_or(p->economic_frame_ore, "-", m));
    trinctl_table_cell(t, "%s", or_dash(p->name));
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
}

char *trinctl_da_date(const char *iso, char *buf) {
  int y, m, d;
  char tail;
  if (!iso || !*iso) return strcpy(buf, "-");
  if (sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    snprintf(buf, TRINCTL_DA_DATE_BUF, "%s", iso);
  else
    snprintf(buf, TRINCTL_DA_DATE_BUF, "%02d.%02d.%04d", d, m, y);
  return buf;
}

/* What next_deadline_kind means, in the sheet's words. */
static const char *deadline_kind_text(const char *kind) {
  if (strcmp(kind, "inspection_1y") == 0) return "1-års eftersynet";
  if (strcmp(kind, "inspection_5y") == 0) return "5-års eftersynet";
  if (strcmp(kind, "arbitration") == 0) return "voldgift efter opmandens afgørelse";
  if (strcmp(kind, "defect") == 0) return "en mangels frist";
  return kind;
}

/* AB18 deadlines (issue 20, item 6): the handover they count from, the
 * inspections, the arbitration deadline and the next one, in Danish dates. */
static void print_ab18(FILE *f, const Trin__Lifecycle__Project *p) {
  char d1[TRINCTL_DA_DATE_BUF], d2[TRINCTL_DA_DATE_BUF];
  fprintf(f, "\nAB18-frister\n");
  if (!*p->handover_on) {
    kv(f, "afleveret", "endnu ikke (eftersynene regnes fra afleveringen)");
  } else {
    kv(f, "afleveret", "%s", trinctl_da_date(p->handover_on, d1));
    const char *due[2] = {p->inspection_1y_due, p->inspection_5y_due};
    const char *held[2] = {p->inspection_1y_held, p->inspection_5y_held};
    static const char *const label[2] = {"1-års eftersyn", "5-års eftersyn"};
    for (int i = 0; i < 2; i++) {
      if (*held[i])
        kv(f, label[i], "forfalder %s, holdt %s", trinctl_da_date(due[i], d1),
           trinctl_da_date(held[i], d2));
      else
        kv(f, label[i], "forfalder %s, ikke holdt", trinctl_da_date(due[i], d1));
    }
    kv(f, "mangelkrav", "indtil %s (§ 49: 5 år efter afleveringen)",
       trinctl_da_date(p->inspection_5y_due, d1));
  }
  if (*p->arbitration_deadline)
    kv(f, "voldgift senest", "%s (§ 68: opmandens afgørelse binder, medmindre den "
       "indbringes for voldgift inden 8 uger)", trinctl_da_date(p->arbitration_deadline, d1));
  if (*p->next_deadline)
    kv(f, "næste frist", "%s: %s", trinctl_da_date(p->next_deadline, d1),
       deadline_kind_text(p->next_deadline_kind));
  else
    kv(f, "næste frist", "ingen");
}

static void print_disputes(FILE *f, const Trin__Lifecycle__Project *p) {
  char m[TRIN_MONEY_BUF], d1[TRINCTL_DA_DATE_BUF];
  fprintf(f, "\nTvister\n");
  if (p->n_disputes == 0) fprintf(f, "  (ingen)\n");
  for (size_t i = 0; i < p->n_disputes; i++) {
    const Trin__Lifecycle__Dispute *d = p->disputes[i];
    const char *lname = *d->level_name ? d->level_name
                                       : trinctl_dispute_level_name(d->level);
    fprintf(f, "  %s  %s\n", d->id, d->title);
    fprintf(f, "    beløb %s, rejst af %s den %s, niveau %d (%s), ",
            trinctl_kr(d->amount_ore, m), or_dash(d->raised_by),
            trinctl_da_date(d->opened_on, d1), d->level, lname);
    if (d->resolved) {
      fprintf(f, "afgjort %s", trinctl_da_date(d->resolved_on, d1));
      fprintf(f, ", forligt for %s\n", trinctl_kr(d->settled_ore, m));
      fprintf(f, "    afgørelse: %s\n", or_dash(d->resolution));
    } else {
      fprintf(f, "åben\n");
    }
    if (*d->arbitration_deadline)
      fprintf(f, "    voldgift senest %s (AB18 § 68: 8 uger efter opmandens afgørelse)\n",
              trinctl_da_date(d->arbitration_deadline, d1));
    static const char *const h[] = {"NIVEAU", "DATO", "AF", "NOTE"};
    trinctl_table_t *t = trinctl_table_new(4, h);
    for (size_t k = 0; k < d->n_steps; k++) {
      const Trin__Lifecycle__DisputeStep *s = d->steps[k];
      trinctl_table_cell(t, "%d %s", s->level, trinctl_dispute_level_name(s->level));
      trinctl_table_cell(t, "%s", trinctl_da_date(s->date, d1));
      trinctl_table_cell(t, "%s", or_dash(s->by_org));
      trinctl_table_cell(t, "%s", s->note);
    }
    trinctl_table_print(f, t, 4);
    trinctl_table_destroy(&t);
  }
}

/* Genhusning (issue 20, item 4): the plan, the service's sums and every
 * movement, in Danish. */
static void print_rehousing(FILE *f, const Trin__Lifecycle__Project *p) {
  fprintf(f, "\nGenhusning\n");
  if (!p->rehousing_planned) {
    fprintf(f, "  ingen plan registreret\n");
    return;
  }
  if (p->without_rehousing) {
    fprintf(f, "  renoveres uden genhusning\n");
    return;
  }
  char a[32], b[32], c[32], d[32], d1[TRINCTL_DA_DATE_BUF], d2[TRINCTL_DA_DATE_BUF];
  kv(f, "skal genhuses", "%s husstande", trinctl_num(p->households_to_rehouse, 0, a));
  kv(f, "genhuset", "%s (%s midlertidigt, %s permanent)%s%s",
     trinctl_num(p->households_rehoused_temporary + p->households_rehoused_permanent, 0, a),
     trinctl_num(p->households_rehoused_temporary, 0, b),
     trinctl_num(p->households_rehoused_permanent, 0, c), *p->first_rehoused_on ? ", først " : "",
     *p->first_rehoused_on ? trinctl_da_date(p->first_rehoused_on, d1) : "");
  kv(f, "flyttet tilbage", "%s%s%s", trinctl_num(p->households_moved_back, 0, d),
     *p->last_moved_back_on ? ", senest " : "",
     *p->last_moved_back_on ? trinctl_da_date(p->last_moved_back_on, d2) : "");
  static const char *const hr[] = {"DATO", "FLYTNING", "HUSSTANDE", "UD OVER PLANEN", "NOTE"};
  trinctl_table_t *t = trinctl_table_new(5, hr);
  for (size_t i = 0; i < p->n_rehousing_moves; i++) {
    const Trin__Lifecycle__RehousingMove *m = p->rehousing_moves[i];
    trinctl_table_cell(t, "%s", trinctl_da_date(m->date, d1));
    trinctl_table_cell(t, "%s", m->kind);
    trinctl_table_cell(t, "%s", trinctl_num(m->households, 0, a));
    trinctl_table_cell(t, "%s", m->beyond_plan ? "ja" : "");
    trinctl_table_cell(t, "%s", m->note);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);
}

void trinctl_print_project(FILE *f, const Trin__Lifecycle__Project *p) {
  char v[24], n[TRINCTL_NUM_BUF], d1[TRINCTL_DA_DATE_BUF], d2[TRINCTL_DA_DATE_BUF];
  fprintf(f, "Projekt %s — %s\n", p->id, p->name);
  kv(f, "partnerskab", "%s", *p->partnership_id ? p->partnership_id
                                                 : "intet (uden for partnerskab)");
  kv(f, "bygherre", "%s", or_dash(p->client_org));
  kv(f, "type", "%s%s", or_dash(p->kind), p->fast_track ? ", fast track" : "");
  kv(f, "afdeling", "%s", or_dash(p->department));
  kv(f, "kommune", "%s", or_dash(p->municipality));
  kv(f, "boliger", "%s", trinctl_num(p->dwellings, 0, n));
  kv(f, "bruttoareal", "%s m²", trinctl_num(p->gross_area_m2, 0, n));
  kv(f, "startdato", "%s", trinctl_da_date(p->start_date, d1));
  kv(f, "trin", "%s siden %s", or_dash(p->stage), trinctl_da_date(p->stage_since, d1));
  if (p->price_closed) kv(f, "pris", "lukket %s", trinctl_da_date(p->price_closed_on, d1));
  else kv(f, "pris", "ikke lukket");
  if (p->paused)
    kv(f, "på pause", "ja: %s siden %s", or_dash(p->pause_reason),
       trinctl_da_date(p->paused_since, d1));
  else kv(f, "på pause", "nej");
  if (*p->baseline_handover)
    kv(f, "aflevering", "plan %s, prognose %s (%s)", trinctl_da_date(p->baseline_handover, d1),
       trinctl_da_date(p->forecast_handover, d2),
       trinctl_variance_text(p->schedule_variance_days, v));
  else kv(f, "aflevering", "ingen afleveringsmilepæl");
  if (p->open_disputes)
    kv(f, "åbne tvister", "%d, højeste niveau %d (%s)", p->open_disputes,
       p->max_dispute_level, trinctl_dispute_level_name(p->max_dispute_level));
  else kv(f, "åbne tvister", "0");
  kv(f, "åbne mangler", "%d", p->open_defects);
  print_ab18(f, p);

  fprintf(f, "\nTrinhistorik\n");
  static const char *const hs[] = {"TRIN", "SIDEN", "NOTE"};
  trinctl_table_t *t = trinctl_table_new(3, hs);
  for (size_t i = 0; i < p->n_stages; i++) {
    trinctl_table_cell(t, "%s", p->stages[i]->stage);
    trinctl_table_cell(t, "%s", trinctl_da_date(p->stages[i]->since, d1));
    trinctl_table_cell(t, "%s", p->stages[i]->note);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);

  fprintf(f, "\nPauser\n");
  static const char *const hp[] = {"ÅRSAG", "FRA", "TIL", "NOTE"};
  t = trinctl_table_new(4, hp);
  for (size_t i = 0; i < p->n_pauses; i++) {
    trinctl_table_cell(t, "%s", p->pauses[i]->reason);
    trinctl_table_cell(t, "%s", trinctl_da_date(p->pauses[i]->from, d1));
    trinctl_table_cell(t, "%s",
                       *p->pauses[i]->to ? trinctl_da_date(p->pauses[i]->to, d2) : "(løbende)");
    trinctl_table_cell(t, "%s", p->pauses[i]->note);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);

  fprintf(f, "\nMilepæle\n");
  static const char *const hm[] = {"NAVN",      "PLAN",              "PROGNOSE", "FAKTISK",
                                   "AFVIGELSE", "PLANLAGT OMKOSTNING", "FÆRDIG"};
  t = trinctl_table_new(7, hm);
  for (size_t i = 0; i < p->n_milestones; i++) {
    const Trin__Lifecycle__Milestone *ms = p->milestones[i];
    char kr[TRIN_MONEY_BUF], pct[48];
    trinctl_table_cell(t, "%s", ms->name);
    trinctl_table_cell(t, "%s", trinctl_da_date(ms->baseline, d1));
    trinctl_table_cell(t, "%s", trinctl_da_date(ms->forecast, d1));
    trinctl_table_cell(t, "%s", trinctl_da_date(ms->actual, d1));
    trinctl_table_cell(t, "%s", trinctl_variance_text(ms->variance_days, v));
    /* earned value's inputs (issue 20 item 1) */
    trinctl_table_cell(t, "%s",
                       ms->has_planned_cost_ore ? trinctl_kr(ms->planned_cost_ore, kr) : "-");
    trinctl_table_cell(t, "%s",
                       ms->has_percent_complete_bp ? trinctl_pct_bp(ms->percent_complete_bp, pct)
                                                   : "-");
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);

  print_disputes(f, p);
  print_rehousing(f, p);

  fprintf(f, "\nFejl og mangler\n");
  static const char *const hd[] = {"ID",   "ALVOR",        "FUNDET VED", "ANMELDT",
                                   "FRIST", "AB18",        "KRAV SENEST", "UDBEDRET",
                                   "BETALES AF", "BESKRIVELSE"};
  t = trinctl_table_new(10, hd);
  for (size_t i = 0; i < p->n_defects; i++) {
    const Trin__Lifecycle__Defect *d = p->defects[i];
    char dd[TRINCTL_DA_DATE_BUF];
    trinctl_table_cell(t, "%s", d->id);
    trinctl_table_cell(t, "%s", or_dash(d->severity));
    trinctl_table_cell(t, "%s", or_dash(d->found_at));
    trinctl_table_cell(t, "%s", trinctl_da_date(d->reported_on, d1));
    trinctl_table_cell(t, "%s", trinctl_da_date(d->due_on, d1));
    trinctl_table_cell(t, "§ %d%s", d->ab18_section, d->after_claim_limit ? ", for sent" : "");
    trinctl_table_cell(t, "%s", trinctl_da_date(d->claim_limit, dd));
    /* A reported repair waits for the client: still open, so say both. */
    if (*d->fixed_on)
      trinctl_table_cell(t, "%s", trinctl_da_date(d->fixed_on, d1));
    else if (d->awaiting_confirmation)
      trinctl_table_cell(t, "(åben: meldt udbedret %s af %s, afventer bygherrens godkendelse)",
                         trinctl_da_date(d->fix_reported_on, d1), or_dash(d->fix_reported_by));
    else if (*d->fix_rejected_on)
      trinctl_table_cell(t, "(åben: udbedring afvist %s: %s)",
                         trinctl_da_date(d->fix_rejected_on, d1), d->fix_rejection_note);
    else
      trinctl_table_cell(t, "(åben)");
    trinctl_table_cell(t, "%s", or_dash(d->cost_bearer));
    trinctl_table_cell(t, "%s", d->description);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);
}

void trinctl_print_earned_value(FILE *f, const Trin__Aggregator__StatusRow *r) {
  char a[48], b[48];
  fprintf(f, "\nEarned value (statusfeedens række, pr. i dag)\n");
  if (r->has_spi_x100)
    kv(f, "SPI", "%s (EV/PV: under 1 er bagud for planen)", trinctl_num(r->spi_x100, 2, a));
  else
    kv(f, "SPI", "- (kræver et prisbudget, en påbegyndt plan og en rapporteret færdiggrad)");
  if (r->has_cpi_x100)
    kv(f, "CPI", "%s (EV/AC: under 1 er over budget)", trinctl_num(r->cpi_x100, 2, a));
  else kv(f, "CPI", "- (kræver en rapporteret færdiggrad og faktiske omkostninger)");
  if (r->has_eac_ore) {
    kv(f, "EAC", "%s", trinctl_kr(r->eac_ore, a));
    kv(f, "VAC", "%s%s", trinctl_kr(r->vac_ore, b),
       r->vac_ore < 0 ? " (overskridelse forventet)" : "");
  } else {
    kv(f, "EAC", "- (kræver CPI og noget optjent)");
    kv(f, "VAC", "-");
  }
}

void trinctl_print_projects(FILE *f, const Trin__Lifecycle__ProjectList *l) {
  static const char *const h[] = {"ID", "PARTNERSHIP", "CLIENT", "KIND", "STAGE",
                                  "SINCE", "PAUSED", "HANDOVER", "VARIANCE",
                                  "DISPUTES", "DEFECTS", "NAME"};
  trinctl_table_t *t = trinctl_table_new(12, h);
  char v[24];
  for (size_t i = 0; i < l->n_projects; i++) {
    const Trin__Lifecycle__Project *p = l->projects[i];
    trinctl_table_cell(t, "%s", p->id);
    trinctl_table_cell(t, "%s", or_dash(p->partnership_id));
    trinctl_table_cell(t, "%s", or_dash(p->client_org));
    trinctl_table_cell(t, "%s%s", or_dash(p->kind), p->fast_track ? " (fast)" : "");
    trinctl_table_cell(t, "%s", or_dash(p->stage));
    trinctl_table_cell(t, "%s", or_dash(p->stage_since));
    trinctl_table_cell(t, "%s", p->paused ? or_dash(p->pause_reason) : "-");
    trinctl_table_cell(t, "%s", *p->forecast_handover ? p->forecast_handover
                                                       : or_dash(p->baseline_handover));
    trinctl_table_cell(t, "%s", *p->baseline_handover
                                    ? trinctl_variance_text(p->schedule_variance_days, v)
                                    : "-");
    if (p->open_disputes)
      trinctl_table_cell(t, "%d (level %d)", p->open_disputes, p->max_dispute_level);
    else
      trinctl_table_cell(t, "0");
    trinctl_table_cell(t, "%d", p->open_defects);
    trinctl_table_cell(t, "%s", or_dash(p->name));
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
}

void trinctl_print_disputes(FILE *f, const Trin__Lifecycle__DisputeList *l) {
  static const char *const h[] = {"ID", "PROJECT", "PARTNERSHIP", "LEVEL", "STATUS",
                                  "ARBITRATION BY", "OPENED", "RAISED BY", "AMOUNT", "TITLE"};
  trinctl_table_t *t = trinctl_table_new(10, h);
  char m[TRINCTL_NUM_BUF], dd[TRINCTL_DA_DATE_BUF];
  for (size_t i = 0; i < l->n_disputes; i++) {
    const Trin__Lifecycle__Dispute *d = l->disputes[i]->dispute;
    const Trin__Lifecycle__ProjectRef *p = l->disputes[i]->project;
    if (!d || !p) continue;
    trinctl_table_cell(t, "%s", d->id);
    trinctl_table_cell(t, "%s", or_dash(p->id));
    trinctl_table_cell(t, "%s", or_dash(p->partnership_id));
    trinctl_table_cell(t, "%d %s", d->level, trinctl_dispute_level_name(d->level));
    if (d->resolved) trinctl_table_cell(t, "resolved %s", or_dash(d->resolved_on));
    else trinctl_table_cell(t, "open");
    trinctl_table_cell(t, "%s", trinctl_da_date(d->arbitration_deadline, dd));
    trinctl_table_cell(t, "%s", or_dash(d->opened_on));
    trinctl_table_cell(t, "%s", or_dash(d->raised_by));
    trinctl_table_cell(t, "%s", trinctl_kr(d->amount_ore, m));
    trinctl_table_cell(t, "%s", or_dash(d->title));
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
}

void trinctl_print_defects(FILE *f, const Trin__Lifecycle__DefectList *l) {
  static const char *const h[] = {"ID", "PROJECT", "PARTNERSHIP", "SEVERITY", "STATUS",
                                  "REPORTED", "DUE", "AB18", "CLAIM LIMIT", "COST BEARER",
                                  "DESCRIPTION"};
  trinctl_table_t *t = trinctl_table_new(11, h);
  char dd[TRINCTL_DA_DATE_BUF];
  size_t overdue = 0;
  for (size_t i = 0; i < l->n_defects; i++) {
    const Trin__Lifecycle__Defect *d = l->defects[i]->defect;
    const Trin__Lifecycle__ProjectRef *p = l->defects[i]->project;
    if (!d || !p) continue;
    trinctl_table_cell(t, "%s", d->id);
    trinctl_table_cell(t, "%s", or_dash(p->id));
    trinctl_table_cell(t, "%s", or_dash(p->partnership_id));
    trinctl_table_cell(t, "%s", or_dash(d->severity));
    if (!d->open) trinctl_table_cell(t, "fixed %s", or_dash(d->fixed_on));
    else if (l->defects[i]->overdue) trinctl_table_cell(t, "OVERDUE");
    else trinctl_table_cell(t, "open");
    overdue += l->defects[i]->overdue;
    trinctl_table_cell(t, "%s", or_dash(d->reported_on));
    trinctl_table_cell(t, "%s", or_dash(d->due_on));
    trinctl_table_cell(t, "§ %d%s", d->ab18_section, d->after_claim_limit ? ", late" : "");
    trinctl_table_cell(t, "%s", trinctl_da_date(d->claim_limit, dd));
    trinctl_table_cell(t, "%s", or_dash(d->cost_bearer));
    trinctl_table_cell(t, "%s", or_dash(d->description));
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
  if (l->n_defects > 0)
    fprintf(f, "%zu overdue as of %s\n", overdue, or_dash(l->as_of));
}

void trinctl_print_events(FILE *f, const Trin__EventBatch *b) {
  static const char *const h[] = {"SEQ", "TIME", "TYPE", "ORG", "IDS"};
  trinctl_table_t *t = trinctl_table_new(5, h);
  uint64_t last_listed = 0;
  for (size_t i = 0; i < b->n_events; i++) {
    const Trin__Event *e = b->events[i];
    trinctl_table_cell(t, "%" PRIu64, e->seq);
    trinctl_table_cell(t, "%s", or_dash(e->time));
    trinctl_table_cell(t, "%s", or_dash(e->type));
    trinctl_table_cell(t, "%s", or_dash(e->org));
    /* Ids as key=value words, in the order the service sent them. */
    char ids[512];
    size_t n = 0;
    ids[0] = '\0';
    for (size_t k = 0; k < e->n_ids && n < sizeof ids; k++)
      n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%s=%s", k ? " " : "",
                            e->ids[k]->key, e->ids[k]->value);
    trinctl_table_cell(t, "%s", or_dash(ids));
    last_listed = e->seq;
  }
  trinctl_table_print(f, t, 0);
  trinctl_table_destroy(&t);
  if (b->n_events > 0 && b->last_seq > last_listed)
    fprintf(f, "(more: the log goes up to %" PRIu64 "; trinctl events --after %" PRIu64
               ")\n", b->last_seq, last_listed);
}
