/* trin_err — errors as values: a status code plus the field it concerns and
 * a sentence a user can act on. Every trin function that can fail returns a
 * trin_status_t and fills a caller-owned trin_err_t. */
#ifndef TRIN_ERR_H
#define TRIN_ERR_H

#include <stdarg.h>

/* The numbers are part of the wire contract (proto/trin/envelope.proto,
 * enum Status): never renumber, only append. */
typedef enum {
  TRIN_OK = 0,
  TRIN_EINVALID = 1,      /* a field's value is wrong or missing */
  TRIN_ENOTFOUND = 2,     /* the thing named does not exist */
  TRIN_ECONFLICT = 3,     /* the current state does not allow it */
  TRIN_EFORBIDDEN = 4,    /* the caller may not do it */
  TRIN_EDECODE = 5,       /* the bytes are not a valid message */
  TRIN_EUNKNOWN_TYPE = 6, /* no handler for that message type */
  TRIN_ETOOBIG = 7,       /* message or input over a limit */
  TRIN_ESTORE = 8,        /* the store failed; nothing was committed */
  TRIN_EIO = 9,           /* socket, file or system call failed */
  TRIN_ETIMEOUT = 10,     /* no answer in time */
  TRIN_EINTERNAL = 11,    /* a bug: please report it */
  TRIN_EUNAUTHENTICATED = 12,
} trin_status_t;

#define TRIN_ERR_FIELD_MAX 64
#define TRIN_ERR_MESSAGE_MAX 256

typedef struct {
  int code;                            /* trin_status_t */
  char field[TRIN_ERR_FIELD_MAX];      /* "" when no single field is to blame */
  char message[TRIN_ERR_MESSAGE_MAX];  /* a sentence, no trailing newline */
} trin_err_t;

/* Fills err (when not NULL) and returns code, so callers can write
 * `return trin_err_set(err, TRIN_EINVALID, "dwellings", "must be ...");`.
 * field may be NULL. */
int trin_err_set(trin_err_t *err, int code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int trin_err_vset(trin_err_t *err, int code, const char *field,
                  const char *fmt, va_list ap);

/* Prefixes the error's field with `prefix.` (e.g. "milestones[2]") so nested
 * validation can name the full path. */
void trin_err_prefix_field(trin_err_t *err, const char *prefix);

void trin_err_clear(trin_err_t *err);

/* Short stable name of a status ("invalid", "not_found", ...). */
const char *trin_status_name(int code);

#endif
