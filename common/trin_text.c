/* trin_text — see trin_text.h. */
#include "trin_text.h"

#include <stdbool.h>
#include <string.h>

size_t trin_text_utf8_len(const char *text, size_t avail) {
  const unsigned char *s = (const unsigned char *)text;
  if (avail == 0) return 0;
  if (s[0] < 0x80) return 1;
  /* The lead byte says how long the sequence is; none may run past avail. */
  size_t need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
  if (need > avail) return 0;
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

trin_text_fault_t trin_text_typed_fault(const char *text, size_t n, size_t *at) {
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; i < n;) {
    /* Control characters are C0 (tab excepted), DEL and C1 (U+0080-U+009F,
     * encoded C2 80 - C2 9F): none of them belongs in a name. */
    bool control = (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f ||
                   (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F);
    size_t l = control ? 0 : trin_text_utf8_len(text + i, n - i);
    if (l == 0) {
      if (at) *at = i;
      return control ? TRIN_TEXT_CONTROL : TRIN_TEXT_NOT_UTF8;
    }
    i += l;
  }
  if (at) *at = n;
  return TRIN_TEXT_FINE;
}

void trin_text_sanitize_utf8(char *text) {
  size_t n = strlen(text);
  for (size_t i = 0; i < n;) {
    size_t l = trin_text_utf8_len(text + i, n - i);
    if (l == 0) {
      text[i++] = '?';
    } else {
      i += l;
    }
  }
}
