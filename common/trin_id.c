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

/* Length of the UTF-8 sequence at s, or 0 when it is not valid UTF-8
 * (overlongs, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s) {
  if (s[0] < 0x80) return 1;
  if (s[0] >= 0xC2 && s[0] <= 0xDF) return (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (s[0] >= 0xE0 && s[0] <= 0xEF) {
    if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
    if (s[0] == 0xE0 && s[1] < 0xA0) return 0;
    if (s[0] == 0xED && s[1] >= 0xA0) return 0;
    return 3;
  }
  if (s[0] >= 0xF0 && s[0] <= 0xF4) {
    if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
      return 0;
    if (s[0] == 0xF0 && s[1] < 0x90) return 0;
    if (s[0] == 0xF4 && s[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

int trin_text_check_optional(const char *text, size_t max, const char *field,
                             trin_err_t *err) {
  if (text == NULL) return TRIN_OK;
  size_t n = strlen(text);
  if (n > max)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "is %zu bytes long; at most %zu are allowed", n, max);
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; i < n;) {
    /* Control characters are C0 (tab excepted), DEL and C1 (U+0080-U+009F,
     * encoded C2 80 - C2 9F): none of them belongs in a name. */
    bool control = (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f ||
                   (s[i] == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F);
    if (control)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "contains a control character at byte %zu", i);
    size_t l = utf8_len(s + i);
    if (l == 0)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "is not valid UTF-8 at byte %zu", i);
    i += l;
  }
  return TRIN_OK;
}

int trin_text_check(const char *text, size_t max, const char *field,
                    trin_err_t *err) {
  if (text == NULL || text[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "is required");
  return trin_text_check_optional(text, max, field, err);
}

void trin_text_sanitize_utf8(char *text) {
  unsigned char *s = (unsigned char *)text;
  size_t n = strlen(text);
  for (size_t i = 0; i < n;) {
    /* utf8_len reads up to 3 bytes ahead; the NUL stops a sequence early. */
    size_t l = utf8_len(s + i);
    if (l == 0) {
      s[i++] = '?';
    } else {
      i += l;
    }
  }
}
