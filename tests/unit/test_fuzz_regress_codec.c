/* fuzz_regress.codec — inputs fuzz.codec (tests/fuzz) found, kept as
 * tests. protobuf-c 1.4 accepted field number 0 when its tag was written in
 * two bytes (0x81 0x00) and packed it back as the one-byte tag 0x01, which
 * it then refused: a message decoded from such a request could not be
 * decoded again once packed into a reply or an event. trin_codec_unpack now
 * refuses field number 0 in any spelling and at any depth, with DECODE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trin/budget.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_codec.h"

/* The crashing input: trin.budget.HoursByRole, a fixed64 under the tag
 * 0x81 0x00 (field 0), then field 8 as a string. */
static const uint8_t FIELD_ZERO_TOP[] = {0x81, 0x00, 0x42, 0xda, 0x3d, 0x42,
                                         0x0c, 0x22, 0x67, 0x67};

static void field_zero_is_refused(void **state) {
  ProtobufCMessage *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_codec_unpack(&trin__budget__hours_by_role__descriptor, FIELD_ZERO_TOP,
                                     sizeof FIELD_ZERO_TOP, "payload", &m, &err),
                   TRIN_EDECODE);
  assert_null(m);
  assert_string_equal(err.field, "payload");
  assert_non_null(strstr(err.message, "not a valid trin.budget.HoursByRole message"));
  /* The one-byte spelling was always refused. */
  static const uint8_t one_byte[] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0};
  assert_int_equal(trin_codec_unpack(&trin__budget__hours_by_role__descriptor, one_byte,
                                     sizeof one_byte, "payload", &m, &err),
                   TRIN_EDECODE);
}

static void field_zero_in_a_nested_message_is_refused(void **state) {
  /* Partnership{id "P1", members [Member{org_id "KAB", field 0 varint}]} */
  static const uint8_t nested[] = {0x0a, 0x02, 'P', '1', 0x22, 0x08, 0x0a, 0x03,
                                   'K',  'A',  'B', 0x80, 0x00, 0x05};
  ProtobufCMessage *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_codec_unpack(&trin__lifecycle__partnership__descriptor, nested,
                                     sizeof nested, "payload", &m, &err),
                   TRIN_EDECODE);
  assert_null(m);
}

static void unknown_fields_still_travel(void **state) {
  /* A field this version does not know (number 99) is kept and packs back
   * to the same bytes: newer clients stay welcome. */
  static const uint8_t newer[] = {0x0a, 0x03, 'K', 'A', 'B', 0x98, 0x06, 0x07};
  ProtobufCMessage *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_codec_unpack(&trin__lifecycle__organisation__descriptor, newer,
                                     sizeof newer, "payload", &m, &err),
                   TRIN_OK);
  assert_int_equal(m->n_unknown_fields, 1);
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(trin_codec_pack(m, &out, &n, &err), TRIN_OK);
  assert_int_equal(n, sizeof newer);
  assert_memory_equal(out, newer, n);
  free(out);
  trin_codec_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(field_zero_is_refused),
      cmocka_unit_test(field_zero_in_a_nested_message_is_refused),
      cmocka_unit_test(unknown_fields_still_travel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
