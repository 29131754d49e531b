/* agg_odata — the read-only OData v4 view of the rows (entity set
 * ProjectStatus, key project_id): query options $select, $filter, $orderby,
 * $top, $skip, $count, $skiptoken, server-driven paging, $metadata (CSDL
 * XML) and the service document. Pure functions: the HTTP layer hands in
 * the raw query string and sends what comes back.
 *
 * $filter grammar (OData 4.0 URL conventions, the part trin supports):
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | column op literal
 *            | contains|startswith|endswith '(' column ',' 'text' ')'
 *   op      := eq ne gt ge lt le
 *   literal := 'text' ('' for a quote) | number | true | false | null
 *            | 2026-11-25 | 2026-11-25T08:16:48Z
 * A comparison with an empty (null) column is false, except `ne` (true) and
 * `eq null`. Literals must fit the column's type (a number for a number
 * column, a date for a date column, ...), else the query is refused.
 *
 * Paging: pages hold at most page_size rows. Without $orderby the rows come
 * in project_id order and the next page starts after the last key returned
 * ($skiptoken=k:ID), so rows added or changed between pages are neither
 * repeated nor skipped; with $orderby the next page starts at an offset
 * ($skiptoken=o:N). */
#ifndef TRIN_AGG_ODATA_H
#define TRIN_AGG_ODATA_H

#include <stdbool.h>
#include <stdint.h>

#include "agg_format.h"
#include "agg_rows.h"
#include "trin_err.h"

typedef struct agg_filter agg_filter_t;

#define AGG_ODATA_MAX_ORDER 8

typedef struct {
  int select[AGG_NCOLS];
  int nselect;               /* 0 = every column */
  agg_filter_t *filter;      /* NULL = every row */
  struct {
    int col;
    bool desc;
  } order[AGG_ODATA_MAX_ORDER];
  int norder;
  int64_t top;               /* -1 = none */
  int64_t skip;
  bool count;
  char skiptoken[128];       /* "" or "k:<id>" / "o:<offset>" */
  bool ieee754;              /* IEEE754Compatible=true: Int64 and Decimal as strings */
  /* The options as they came (still percent-encoded), for the next link. */
  char *raw_filter, *raw_select, *raw_orderby;
  /* The token when the reader put it in the URL (?api_key=, the first one):
   * the next link carries it, or page 2 would come back 401 to a client
   * (Power BI with the token pasted into the URL) that only follows links. */
  char *raw_api_key;
  /* The rows the reader may see at all (NULL = every row), set by the
   * caller after agg_odata_parse: rows it refuses are neither listed,
   * counted ($count, @odata.count) nor found by key, so paging and counts
   * agree with what the reader gets. */
  bool (*visible)(void *data, const agg_row_t *r);
  void *visible_data;
} agg_odata_query_t;

/* Parses a raw query string ("$top=5&$filter=stage%20eq%20'trin3'").
 * Unknown system options ($expand, $search, ...) are refused; api_key is
 * kept for the next link, other parameters are ignored. On error, err->field names the
 * option ("$filter") and the message says what is wrong. */
int agg_odata_parse(const char *query, agg_odata_query_t *q, trin_err_t *err);
void agg_odata_query_free(agg_odata_query_t *q);

bool agg_odata_match(const agg_filter_t *f, const agg_row_t *r);
/* The row is visible to the reader and matches the query's $filter. */
bool agg_odata_wanted(const agg_odata_query_t *q, const agg_row_t *r);

/* Writes one page of ProjectStatus for q as OData JSON into out. service_url
 * is the absolute service root ("http://host:8080/odata"). */
int agg_odata_page(agg_rows_t *rows, const agg_odata_query_t *q, int page_size,
                   const char *service_url, trin_buf_t *out, trin_err_t *err);

/* The entity with key id, or TRIN_ENOTFOUND. */
int agg_odata_entity(agg_rows_t *rows, const char *id, const agg_odata_query_t *q,
                     const char *service_url, trin_buf_t *out, trin_err_t *err);

void agg_odata_metadata(trin_buf_t *out);
void agg_odata_service_document(const char *service_url, trin_buf_t *out);
/* {"error":{"code":...,"message":...,"target":...}} */
void agg_odata_error(trin_buf_t *out, const char *code, const char *message, const char *target);

/* Percent-encodes s for a query value. */
void agg_url_encode(trin_buf_t *b, const char *s);

#endif
