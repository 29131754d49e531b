/* trin_money — money as integer øre (1 DKK = 100 øre), never floating point:
 * parsing what people type, formatting for machines and people, and
 * overflow-checked arithmetic. */
#ifndef TRIN_MONEY_H
#define TRIN_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

typedef int64_t trin_ore_t;

/* Parses a kroner amount as people write it: "1234", "1234.5", "1234,50",
 * "1.234.567,89", "1,234,567.89", "1 234 567,89", "-12,5", optionally
 * followed by " kr", "kr." or " DKK". The number is read by
 * trin_number_parse_ex with two decimals, so the rules and the error texts are
 * those of every other number; as an amount, a single separator before three
 * digits groups thousands ("1.234" is 1,234 kr). More than two decimals is an
 * error (no silent rounding). field names the input in err. */
int trin_money_parse(const char *text, trin_ore_t *out, const char *field,
                     trin_err_t *err);

/* Parses a plain integer øre amount ("123456"), as used in CSV and flags
 * that say "_ore". */
int trin_money_parse_ore(const char *text, trin_ore_t *out, const char *field,
                         trin_err_t *err);

/* "1234567.89" (machine form: '.' decimal, no grouping, always 2 decimals).
 * buf needs at least TRIN_MONEY_BUF bytes. Returns buf. */
#define TRIN_MONEY_BUF 32
char *trin_money_format(trin_ore_t v, char *buf);

/* "1.234.567,89 kr." (Danish reading form). buf >= TRIN_MONEY_BUF. */
char *trin_money_format_dk(trin_ore_t v, char *buf);

/* Overflow-checked arithmetic; false on overflow (out untouched). */
bool trin_money_add(trin_ore_t a, trin_ore_t b, trin_ore_t *out);
bool trin_money_sub(trin_ore_t a, trin_ore_t b, trin_ore_t *out);

/* a × basis points / 10000, rounded half away from zero (bankers would differ;
 * the partnerships' calculations round commercially). False on overflow. */
bool trin_money_apply_bp(trin_ore_t a, int64_t basis_points, trin_ore_t *out);

/* Rejects a negative amount with a message naming field. */
int trin_money_check_nonnegative(trin_ore_t v, const char *field,
                                 trin_err_t *err);

#endif
