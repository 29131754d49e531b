/* survey_encoding — see survey_encoding.h. */
#include "survey_encoding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trin_text.h"

/* 0x80–0x9F; "" = undefined. 0xA0–0xFF are U+00A0–U+00FF. */
static const char *const HIGH[32] = {
    "€", "",  "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š", "‹", "Œ", "",  "Ž", "",
    "",  "‘", "’", "“", "”", "•", "–", "—", "˜", "™", "š", "›", "œ", "",  "ž", "Ÿ",
};

int survey_encoding_parse(const char *name, survey_encoding_t *out, const char *field,
                          trin_err_t *err) {
  if (!name || !*name || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0) {
    *out = SURVEY_ENCODING_UTF8;
    return TRIN_OK;
  }
  if (strcasecmp(name, "windows-1252") == 0 || strcasecmp(name, "cp1252") == 0) {
    *out = SURVEY_ENCODING_WINDOWS_1252;
    return TRIN_OK;
  }
  return trin_err_set(err, TRIN_EINVALID, field,
                      "'%.40s' is not an encoding trin reads; use utf-8 (the default) or "
                      "windows-1252",
                      name);
}

const char *survey_encoding_windows_1252_char(unsigned char b, char buf[4]) {
  if (b >= 0x80 && b < 0xA0) return HIGH[b - 0x80][0] ? HIGH[b - 0x80] : NULL;
  if (b < 0x80) {
    buf[0] = (char)b;
    buf[1] = '\0';
  } else { /* U+00A0–U+00FF: C2 or C3, then 0x80 | the low six bits */
    buf[0] = (char)(0xC0 | (b >> 6));
    buf[1] = (char)(0x80 | (b & 0x3F));
    buf[2] = '\0';
  }
  return buf;
}

bool survey_encoding_looks_windows_1252(const char *data, size_t len) {
  bool broken = false;
  char buf[4];
  for (size_t i = 0; i < len;) {
    unsigned char b = (unsigned char)data[i];
    if (b == 0) return false;
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t n = trin_text_utf8_len(data + i, len - i);
    if (n > 1 && i + n <= len) return false; /* a whole UTF-8 character */
    if (!survey_encoding_windows_1252_char(b, buf)) return false;
    broken = true;
    i++;
  }
  return broken;
}

int survey_encoding_from_windows_1252(const char *in, size_t len, char **out,
                                      size_t *out_len, const char *field, trin_err_t *err) {
  *out = NULL;
  *out_len = 0;
  if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "line 1: the file starts with a UTF-8 byte-order mark, so it is "
                        "UTF-8, not Windows-1252; import it without encoding windows-1252");
  size_t need = 0, line = 1;
  char buf[4];
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)in[i];
    if (b == '\n') line++;
    if (b < 0x80) {
      need++;
      continue;
    }
    size_t n = trin_text_utf8_len(in + i, len - i);
    if (n > 1 && i + n <= len)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "line %zu: the file holds UTF-8 characters ('%.*s'), so it is "
                          "UTF-8, not Windows-1252; import it without encoding "
                          "windows-1252",
                          line, (int)n, in + i);
    const char *c = survey_encoding_windows_1252_char(b, buf);
    if (!c)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "line %zu: byte 0x%02X is not a Windows-1252 character; is the "
                          "file really Windows-1252?",
                          line, (unsigned)b);
    need += strlen(c);
  }
  char *o = malloc(need + 1);
  if (!o) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    const char *c = survey_encoding_windows_1252_char((unsigned char)in[i], buf);
    size_t n = strlen(c);
    if ((unsigned char)in[i] == 0) n = 1; /* a NUL stays: the CSV reader names it */
    memcpy(o + k, c, n);
    k += n;
  }
  o[k] = '\0';
  *out = o;
  *out_len = k;
  return TRIN_OK;
}
