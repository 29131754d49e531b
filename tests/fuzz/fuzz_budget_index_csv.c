/* fuzz.budget_index_csv — the budget service's price-index import
 * (ImportIndexCsv: columns date and value) through budget_index_parse_csv,
 * the text a user uploads. Checked besides memory safety: an accepted file
 * gives points sorted by date without duplicates, every value positive,
 * and each point is found again by budget_index_at; a refused file says why
 * with field "csv". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  budget_index_point_t *pts = NULL;
  size_t n = 0;
  trin_err_t err = {0};
  int rc = budget_index_parse_csv((const char *)data, size, &pts, &n, &err);
  if (rc != TRIN_OK) {
    if (!err.message[0]) abort();
    free(pts);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (pts[i].value_x100 <= 0) abort();
    if (i > 0 && !(pts[i - 1].date < pts[i].date)) abort();
    budget_index_point_t at;
    trin_err_t e = {0};
    if (budget_index_at(pts, n, pts[i].date, "index", "date", &at, &e) != TRIN_OK) abort();
    if (at.date != pts[i].date || at.value_x100 != pts[i].value_x100) abort();
  }
  free(pts);
  return 0;
}
