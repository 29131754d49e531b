/* common.csv — separators, quoting with embedded separators, quotes and
 * newlines, BOM, CRLF, empty lines, line numbers, broken rows, limits,
 * header columns, and cells that are not UTF-8 text (a NUL byte, invalid
 * UTF-8) refused with their line, column and the header's name for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trin_csv.h"

typedef struct {
  char cells[16][8][64];
  size_t nfields[16];
  size_t lines[16];
  int rows;
} collected_t;

static int collect(void *data, const trin_csv_row_t *row, trin_err_t *err) {
  collected_t *c = data;
  if (c->rows >= 16) return trin_err_set(err, TRIN_ETOOBIG, "", "too many rows");
  for (size_t i = 0; i < row->n && i < 8; i++)
    snprintf(c->cells[c->rows][i], 64, "%s", row->fields[i]);
  c->nfields[c->rows] = row->n;
  c->lines[c->rows] = row->line;
  c->rows++;
  return TRIN_OK;
}

static int parse(const char *text, collected_t *c, trin_err_t *err) {
  memset(c, 0, sizeof *c);
  return trin_csv_parse(text, strlen(text), NULL, collect, c, err);
}

static void separators_and_bom(void **state) {
  collected_t c;
  trin_err_t err;
  assert_int_equal(parse("a,b,c\n1,2,3\n", &c, &err), TRIN_OK);
  assert_int_equal(c.rows, 2);
  assert_string_equal(c.cells[1][2], "3");
  assert_int_equal(parse("\xEF\xBB\xBFnavn;score;kommentar\r\nA;4,5;\"godt; meget\"\r\n", &c, &err),
                   TRIN_OK);
  assert_int_equal(c.rows, 2);
  assert_string_equal(c.cells[0][0], "navn"); /* BOM gone */
  assert_string_equal(c.cells[1][1], "4,5");
  assert_string_equal(c.cells[1][2], "godt; meget");
  assert_int_equal(c.nfields[1], 3);
}

static void quoting_empty_lines_and_line_numbers(void **state) {
  collected_t c;
  trin_err_t err;
  const char *text = "id,comment\n"
                     "\n"
                     "1,\"two\nlines\"\n"
                     "2,\"say \"\"hej\"\"\"\n"
                     "\n"
                     "3,\n";
  assert_int_equal(parse(text, &c, &err), TRIN_OK);
  assert_int_equal(c.rows, 4);
  assert_int_equal(c.lines[0], 1);
  assert_int_equal(c.lines[1], 3);
  assert_string_equal(c.cells[1][1], "two\nlines");
  assert_int_equal(c.lines[2], 5);
  assert_string_equal(c.cells[2][1], "say \"hej\"");
  assert_int_equal(c.lines[3], 7);
  assert_string_equal(c.cells[3][1], "");
  assert_int_equal(c.nfields[3], 2);
}

static void broken_rows(void **state) {
  collected_t c;
  trin_err_t err;
  assert_int_equal(parse("a,b\n1,\"open\n2,3\n", &c, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 2"));
  assert_int_equal(parse("a,b\n1,x\"y\"\n", &c, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 2"));
  trin_csv_options_t o = {.max_fields = 2};
  memset(&c, 0, sizeof c);
  assert_int_equal(trin_csv_parse("a,b,c\n", 6, &o, collect, &c, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 1"));
  o = (trin_csv_options_t){.max_bytes = 4};
  assert_int_equal(trin_csv_parse("a,b,c\n", 6, &o, collect, &c, &err), TRIN_ETOOBIG);
  assert_int_equal(trin_csv_parse_file("/nonexistent.csv", NULL, collect, &c, &err), TRIN_EIO);
}

static void columns(void **state) {
  collected_t c;
  trin_err_t err;
  assert_int_equal(parse(" Navn ; Score\n", &c, &err), TRIN_OK);
  char *f[] = {c.cells[0][0], c.cells[0][1]};
  trin_csv_row_t h = {f, 2, 1};
  assert_int_equal(trin_csv_column(&h, "score"), 1);
  assert_int_equal(trin_csv_column(&h, "navn"), 0);
  assert_int_equal(trin_csv_column(&h, "missing"), -1);
}

static int parse_n(const char *text, size_t len, const char *field, collected_t *c,
                   trin_err_t *err) {
  memset(c, 0, sizeof *c);
  memset(err, 0, sizeof *err);
  trin_csv_options_t o = {.field = field};
  return trin_csv_parse(text, len, &o, collect, c, err);
}

static void nul_bytes_and_invalid_utf8(void **state) {
  collected_t c;
  trin_err_t err;
  /* Valid UTF-8 of every length passes untouched, tab and quoted newline too. */
  static const char good[] = "navn,note\nBjørn,\"æ\tø\nå €  \xf0\x9f\x98\x80\"\n";
  assert_int_equal(parse_n(good, sizeof good - 1, NULL, &c, &err), TRIN_OK);
  assert_int_equal(c.rows, 2);
  assert_string_equal(c.cells[1][0], "Bjørn");
  assert_string_equal(c.cells[1][1], "æ\tø\nå €  \xf0\x9f\x98\x80");

  static const char nul[] = "id,respondent\n1,r1\n2,r1\0x\n";
  assert_int_equal(parse_n(nul, sizeof nul - 1, "csv", &c, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "csv");
  assert_string_equal(err.message,
                      "line 3, column 2 (respondent): the cell holds a NUL byte (at position 3); "
                      "save the file as UTF-8 text (NUL bytes come from UTF-16 or binary files)");
  assert_int_equal(c.rows, 2); /* the bad row never reached the callback */

  static const char ff[] = "id,respondent\n1,r\xff\xfe\n";
  assert_int_equal(parse_n(ff, sizeof ff - 1, NULL, &c, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "");
  assert_string_equal(err.message,
                      "line 2, column 2 (respondent): the cell is not valid UTF-8 (byte 0xFF at "
                      "position 2); save the file as UTF-8");
  assert_int_equal(c.rows, 1);

  /* Each kind of bad sequence; the header's name trimmed; a column past
   * the header has no name; a header cell has none either. */
  const struct {
    const char *text;
    const char *want;
  } bad[] = {
      {"a; Navn \t;b\nx;\xc0\x80;y\n", "line 2, column 2 (Navn): the cell is not valid UTF-8 (byte 0xC0 at position 1)"},
      {"a;b\nx;ok \xed\xa0\x80\n", "line 2, column 2 (b): the cell is not valid UTF-8 (byte 0xED at position 4)"},
      {"a;b\nx;\xf5\x80\x80\x80\n", "line 2, column 2 (b): the cell is not valid UTF-8 (byte 0xF5 at position 1)"},
      {"a;b\nx;\"\xe2\x82\"\n", "line 2, column 2 (b): the cell is not valid UTF-8 (byte 0xE2 at position 1)"},
      {"a;b\nx;y;\xe9\n", "line 2, column 3: the cell is not valid UTF-8 (byte 0xE9 at position 1)"},
      {"a;b\xe6\n", "line 1, column 2: the cell is not valid UTF-8 (byte 0xE6 at position 2)"},
      {"a;b\n\nx;\"two\nlines \x80\"\n", "line 3, column 2 (b): the cell is not valid UTF-8 (byte 0x80 at position 11)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int rc = parse_n(bad[i].text, strlen(bad[i].text), "csv", &c, &err);
    if (rc != TRIN_EINVALID || !strstr(err.message, bad[i].want))
      print_error("case %zu: rc %d, '%s'\n", i, rc, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_string_equal(err.field, "csv");
    assert_non_null(strstr(err.message, bad[i].want));
  }
  /* The reader's other errors name the field too. */
  assert_int_equal(parse_n("a\n\"open\n", 8, "csv", &c, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "csv");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(separators_and_bom),
      cmocka_unit_test(quoting_empty_lines_and_line_numbers),
      cmocka_unit_test(broken_rows),
      cmocka_unit_test(columns),
      cmocka_unit_test(nul_bytes_and_invalid_utf8),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
