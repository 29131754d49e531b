/* trin_log — see trin_log.h. */
#include "trin_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trin_date.h"

static char service[32] = "trin";
static trin_log_level_t min_level = TRIN_LOG_INFO;

void trin_log_set_service(const char *name) {
  snprintf(service, sizeof service, "%s", name ? name : "trin");
}

void trin_log_set_level(trin_log_level_t level) { min_level = level; }

int trin_log_level_parse(const char *text) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  for (int i = 0; i < 4; i++)
    if (text && strcmp(text, names[i]) == 0) return i;
  return -1;
}

void trin_log(trin_log_level_t level, const char *fmt, ...) {
  if (level < min_level) return;
  static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  char ts[TRIN_TIME_BUF], line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One fprintf per line so lines from several processes sharing a terminal
   * do not interleave mid-line. */
  fprintf(stderr, "%s %-5s %s: %s\n", trin_time_format(trin_time_now(), ts),
          names[level], service, line);
}
