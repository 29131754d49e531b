/* trinctl_file — see trinctl_file.h. */
#include "trinctl_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int trinctl_file_read(const char *path, size_t limit, const char *field, char **data, size_t *len,
                      trin_err_t *err) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return trin_err_set(err, TRIN_EIO, field, "cannot read '%s': %s", path, strerror(errno));
  /* Grown by doubling; one byte more than cap for the closing NUL. */
  size_t cap = 1 << 16, n = 0, r;
  if (limit && cap > limit) cap = limit;
  char *buf = malloc(cap + 1);
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n < cap) continue;
    if (limit && cap >= limit) break;
    size_t next = limit && cap * 2 > limit ? limit : cap * 2;
    char *nb = realloc(buf, next + 1);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap = next;
  }
  fclose(f);
  if (!buf) return trin_err_set(err, TRIN_ETOOBIG, field, "'%s' does not fit in memory", path);
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}
