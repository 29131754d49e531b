/* agg_web — the dashboard's files (services/aggregator/web/), compiled into
 * the binary at build time (agg_web_embed.cmake) so the page needs no web
 * root, no CDN and no build step. */
#ifndef TRIN_AGG_WEB_H
#define TRIN_AGG_WEB_H

#include <stddef.h>

typedef struct {
  const char *path;          /* "/index.html" */
  const char *content_type;
  const unsigned char *data;
  size_t len;
} agg_web_file_t;

extern const agg_web_file_t AGG_WEB_FILES[];
extern const size_t AGG_WEB_NFILES;

#endif
