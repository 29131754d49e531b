/* trin_err — see trin_err.h. */
#include "trin_err.h"

#include <stdio.h>
#include <string.h>

#include "trin_text.h"

int trin_err_vset(trin_err_t *err, int code, const char *field,
                  const char *fmt, va_list ap) {
  if (err == NULL) return code;
  err->code = code;
  snprintf(err->field, sizeof err->field, "%s", field ? field : "");
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  /* Messages quote user input and travel in protobuf string fields, which
   * must be UTF-8: never pass on a cut or broken character. */
  trin_text_sanitize_utf8(err->message);
  return code;
}

int trin_err_set(trin_err_t *err, int code, const char *field,
                 const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  trin_err_vset(err, code, field, fmt, ap);
  va_end(ap);
  return code;
}

void trin_err_prefix_field(trin_err_t *err, const char *prefix) {
  if (err == NULL || prefix == NULL || prefix[0] == '\0') return;
  char tmp[2 * TRIN_ERR_FIELD_MAX + 2];
  if (err->field[0])
    snprintf(tmp, sizeof tmp, "%s.%s", prefix, err->field);
  else
    snprintf(tmp, sizeof tmp, "%s", prefix);
  snprintf(err->field, sizeof err->field, "%.*s", TRIN_ERR_FIELD_MAX - 1, tmp);
}

void trin_err_clear(trin_err_t *err) {
  if (err == NULL) return;
  err->code = TRIN_OK;
  err->field[0] = '\0';
  err->message[0] = '\0';
}

const char *trin_status_name(int code) {
  switch (code) {
    case TRIN_OK: return "ok";
    case TRIN_EINVALID: return "invalid";
    case TRIN_ENOTFOUND: return "not_found";
    case TRIN_ECONFLICT: return "conflict";
    case TRIN_EFORBIDDEN: return "forbidden";
    case TRIN_EDECODE: return "decode";
    case TRIN_EUNKNOWN_TYPE: return "unknown_type";
    case TRIN_ETOOBIG: return "too_big";
    case TRIN_ESTORE: return "store";
    case TRIN_EIO: return "io";
    case TRIN_ETIMEOUT: return "timeout";
    case TRIN_EINTERNAL: return "internal";
    case TRIN_EUNAUTHENTICATED: return "unauthenticated";
    default: return "unknown";
  }
}
