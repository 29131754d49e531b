/* trinctl_print — trinctl's output: JSON for scripts, written by walking
 * protobuf-c's descriptors so every message prints without per-message code
 * and stays in step with the .proto; and the readable views (aligned
 * tables, project and partnership sheets) for people. */
#ifndef TRINCTL_PRINT_H
#define TRINCTL_PRINT_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trin/aggregator.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_err.h"

/* ---- JSON -----------------------------------------------------------------
 * Field names are the proto field names; every field is written, zero values
 * included, so scripts see a fixed shape. int64/uint64 are JSON numbers
 * (money in øre stays exact up to 2^53 øre, ~90 trillion kr.). Repeated
 * fields are arrays, map fields objects, enums their proto names, bytes
 * base64 — except a `payload` beside a `payload_type` the resolver knows,
 * which is written as the decoded message. Strings are escaped, control
 * characters as \uXXXX, valid UTF-8 passes through and invalid bytes
 * become U+FFFD, so the output is always valid JSON. */

/* Finds the descriptor for a full message name ("trin.lifecycle.Project"),
 * or NULL. */
typedef const ProtobufCMessageDescriptor *(*trinctl_json_resolver_fn)(
    const char *full_name);

typedef struct {
  FILE *f;
  trinctl_json_resolver_fn resolve; /* may be NULL */
} trinctl_json_t;

void trinctl_json_string(FILE *f, const char *s); /* NULL writes "" */
void trinctl_json_message(const trinctl_json_t *j, const ProtobufCMessage *m);
/* Writes only the repeated field `field` of m, as an array. */
void trinctl_json_repeated(const trinctl_json_t *j, const ProtobufCMessage *m,
                           const char *field);
/* {"error":{"code":"invalid","field":"...","message":"..."}} */
void trinctl_json_error(FILE *f, const trin_err_t *e);

/* ---- tables ----------------------------------------------------------------
 * Cells are added left to right, top to bottom; columns are as wide as their
 * widest cell counted in characters (UTF-8 aware: "Ørestad" is 7). */
typedef struct trinctl_table trinctl_table_t;

trinctl_table_t *trinctl_table_new(size_t ncols, const char *const *headers);
void trinctl_table_cell(trinctl_table_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints with `indent` spaces before each line; "(none)" when empty. */
void trinctl_table_print(FILE *f, const trinctl_table_t *t, int indent);
void trinctl_table_destroy(trinctl_table_t **t);

/* ---- readable views ---------------------------------------------------- */

/* Name of dispute ladder level 1–7 ("conflict forum"), "" outside. */
const char *trinctl_dispute_level_name(int level);

void trinctl_print_organisations(FILE *f, const Trin__Lifecycle__OrganisationList *l);
void trinctl_print_partnership(FILE *f, const Trin__Lifecycle__Partnership *p);
void trinctl_print_partnerships(FILE *f, const Trin__Lifecycle__PartnershipList *l);
/* The full sheet: fields, then stage history, pauses, milestones with
 * variance, disputes with their steps, defects. */
void trinctl_print_project(FILE *f, const Trin__Lifecycle__Project *p);
void trinctl_print_projects(FILE *f, const Trin__Lifecycle__ProjectList *l);
/* Earned value (issue 20 item 1): the status row's SPI, CPI, EAC and VAC,
 * each with why it is empty when it is. */
void trinctl_print_earned_value(FILE *f, const Trin__Aggregator__StatusRow *r);
void trinctl_print_events(FILE *f, const Trin__EventBatch *b);
/* Lists across partnerships (issue 19): one row per dispute / defect with
 * its project; defects say which are overdue on the list's as_of. */
void trinctl_print_disputes(FILE *f, const Trin__Lifecycle__DisputeList *l);
void trinctl_print_defects(FILE *f, const Trin__Lifecycle__DefectList *l);

/* ---- numbers for people ----------------------------------------------------
 * trinctl's text output writes every number the Danish way, as its users
 * read them: decimal comma, thousands dot ("1.234,56", "705.000,00 kr."), a
 * space before the percent sign ("2,38 %"), and changes with their sign
 * ("+0,60", "-0,60", "+0,00"; ASCII '-' so terminals, grep and scripts read
 * it). This is the one place text output formats numbers; --json output
 * is not touched and keeps the machine form. buf >= TRINCTL_NUM_BUF. */
#define TRINCTL_NUM_BUF 48
/* v / 10^decimals: "1.234,56", "118,20", "3" */
char *trinctl_num(int64_t v, int decimals, char *buf);
/* the same with a sign for a change: "+0,60", "-0,60" */
char *trinctl_num_signed(int64_t v, int decimals, char *buf);
/* basis points as a percentage: 238 -> "2,38 %" */
char *trinctl_pct_bp(int64_t bp, char *buf);
/* the same to one decimal, as published statistics write it (half away
 * from zero): 2735 -> "27,4 %" */
char *trinctl_pct_bp1(int64_t bp, char *buf);
/* øre as kroner: "705.000,00 kr." */
char *trinctl_kr(int64_t ore, char *buf);
/* A number the services send as machine text ("3.67", "-0.60", "12") the
 * Danish way, signed when `sign`; other text ("", "n/a") is copied as is. */
char *trinctl_num_text(const char *machine, bool sign, char *buf);

/* "+12 days", "-3 days", "on time". buf >= 24 bytes. */
char *trinctl_variance_text(int days, char *buf);
/* An ISO date ("2026-06-15") as a Danish date ("15.06.2026"), for the AB18
 * deadlines (issue 20, item 6); "-" for "" and the text itself when it is
 * not a date. buf holds TRINCTL_DA_DATE_BUF bytes. */
#define TRINCTL_DA_DATE_BUF 16
char *trinctl_da_date(const char *iso, char *buf);

#endif
