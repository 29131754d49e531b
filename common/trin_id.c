/* trin_id — see trin_id.h. */
#include "trin_id.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static bool id_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return !first && (c == '.' || c == '_' || c == '-' || c == ':');
}

int trin_id_check(const char *id, const char *field, trin_err_t *err) {
  if (id == NULL || id[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "is required");
  size_t n = strlen(id);
  if (n > TRIN_ID_MAX)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "is %zu characters long; at most %d are allowed", n,
                        TRIN_ID_MAX);
  for (size_t i = 0; i < n; i++)
    if (!id_char(id[i], i == 0))
      return trin_err_set(err, TRIN_EINVALID, field,
                          "'%.64s' may only contain letters A-Z, digits and "
                          ". _ - : (starting with a letter or digit)",
                          id);
  return TRIN_OK;
}

int trin_id_check_optional(const char *id, const char *field, trin_err_t *err) {
  if (id == NULL || id[0] == '\0') return TRIN_OK;
  return trin_id_check(id, field, err);
}

void trin_id_random(char out[TRIN_ID_RANDOM_BUF]) {
  uint8_t b[16];
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
    /* getrandom cannot fail for 16 bytes after boot; keep going anyway with a
     * time-derived value, since a correlation id need not be secret. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    for (int i = 0; i < 16; i++) b[i] = (uint8_t)(x >> ((i % 8) * 8)) ^ (uint8_t)i;
  }
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 16; i++) {
    out[2 * i] = hex[b[i] >> 4];
    out[2 * i + 1] = hex[b[i] & 15];
  }
  out[32] = '\0';
}

int trin_text_check_optional(const char *text, size_t max, const char *field,
                             trin_err_t *err) {
  if (text == NULL) return TRIN_OK;
  size_t n = strlen(text);
  if (n > max)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "is %zu bytes long; at most %zu are allowed", n, max);
  size_t at = 0;
  switch (trin_text_typed_fault(text, n, &at)) {
    case TRIN_TEXT_CONTROL:
      return trin_err_set(err, TRIN_EINVALID, field,
                          "contains a control character at byte %zu", at);
    case TRIN_TEXT_NOT_UTF8:
      return trin_err_set(err, TRIN_EINVALID, field, "is not valid UTF-8 at byte %zu", at);
    case TRIN_TEXT_FINE:
      break;
  }
  return TRIN_OK;
}

int trin_text_check(const char *text, size_t max, const char *field,
                    trin_err_t *err) {
  if (text == NULL || text[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "is required");
  return trin_text_check_optional(text, max, field, err);
}
