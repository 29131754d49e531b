/* trinctl_file — reading a whole file that a command sends to a service as
 * it is (a CSV to import), so each command does not grow its own loop. */
#ifndef TRINCTL_FILE_H
#define TRINCTL_FILE_H

#include <stddef.h>

#include "trin_err.h"

/* Reads the file at path into *data, *len bytes followed by a NUL that *len
 * does not count; *data is the caller's to free. With limit > 0 it reads the
 * first limit bytes at most. Returns TRIN_OK; TRIN_EIO for a file that cannot
 * be opened, or TRIN_ETOOBIG for one that does not fit in memory, with err
 * saying which file and why on `field` (the request field the bytes fill)
 * and *data NULL. */
int trinctl_file_read(const char *path, size_t limit, const char *field, char **data, size_t *len,
                      trin_err_t *err);

#endif
