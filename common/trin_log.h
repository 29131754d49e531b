/* trin_log — one line per event on standard error: UTC time, level, service,
 * message. Services log what an operator needs; never payloads or secrets. */
#ifndef TRIN_LOG_H
#define TRIN_LOG_H

typedef enum {
  TRIN_LOG_DEBUG = 0,
  TRIN_LOG_INFO = 1,
  TRIN_LOG_WARN = 2,
  TRIN_LOG_ERROR = 3,
} trin_log_level_t;

/* name is copied. */
void trin_log_set_service(const char *name);
void trin_log_set_level(trin_log_level_t level);
/* "debug", "info", "warn", "error"; returns -1 for anything else. */
int trin_log_level_parse(const char *text);

void trin_log(trin_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define trin_log_debug(...) trin_log(TRIN_LOG_DEBUG, __VA_ARGS__)
#define trin_log_info(...) trin_log(TRIN_LOG_INFO, __VA_ARGS__)
#define trin_log_warn(...) trin_log(TRIN_LOG_WARN, __VA_ARGS__)
#define trin_log_error(...) trin_log(TRIN_LOG_ERROR, __VA_ARGS__)

#endif
