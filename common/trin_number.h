/* trin_number — numbers as people write them, read into and written from
 * scaled integers (øre, hundredths of an index point, basis points). Every
 * importer and every trinctl option reads numbers here, so "1.250.000,50" and
 * "1250000.50" mean the same everywhere and a bad number is always refused
 * with the same words. It is not in trin_money because most of these numbers
 * are not money: index points, percentages, areas, years, scale points. */
#ifndef TRIN_NUMBER_H
#define TRIN_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

/* Reads text scaled by 10^decimals into *out (decimals 0..9): "1250000",
 * "1250000.50", "1250000,50", "1.250.000,50", "1,250,000.50",
 * "1 250 000,50", "-12,5", "+3". Leading and trailing spaces are ignored.
 * When both '.' and ',' occur the last one is the decimal mark and the other
 * groups thousands; a mark used more than once groups thousands; thousands
 * groups have exactly three digits. More decimals than allowed is an error,
 * never a rounding. A single mark before exactly three digits ("113,105",
 * "1.250") is ambiguous — Danish thousands or decimals — and refused, except
 * in a whole number (decimals 0: "2.024" is 2024), where it can only group.
 * field names the input in err; every message starts "'<text>' is not a
 * number: ...". */
int trin_number_parse(const char *text, int decimals, int64_t *out, const char *field,
                      trin_err_t *err);

/* trin_number_parse, with lone_groups saying whether that single mark before
 * three digits groups thousands (true) or is refused as ambiguous (false).
 * Amounts in kroner pass true (trin_money_parse: "250.000" is 250 000 kr, as
 * Danes write it, and kroner never have three decimals). */
int trin_number_parse_ex(const char *text, int decimals, bool lone_groups, int64_t *out,
                         const char *field, trin_err_t *err);

/* Writes v / 10^decimals the Danish way for people: "1.234.567,89",
 * "-0,60", "118,20", "3" (decimals 0). With sign, a value >= 0 gets a '+'
 * ("+0,60", "+0,00"), so a column of changes lines up; negatives always use
 * ASCII '-' (terminals and grep read it). buf needs TRIN_NUMBER_BUF bytes.
 * Returns buf. */
#define TRIN_NUMBER_BUF 40
char *trin_number_format_dk(int64_t v, int decimals, bool sign, char *buf);

#endif
