/* common.codec — decoding into an arena (the replay and live event paths):
 * the same message as the plain decoder, the same refusals, and memory
 * that is reused once the arena is rewound instead of allocated again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_codec.h"

static void packed_partnership(uint8_t **out, size_t *n) {
  Trin__Lifecycle__Partnership p = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  Trin__Lifecycle__Member m1 = TRIN__LIFECYCLE__MEMBER__INIT;
  Trin__Lifecycle__Member m2 = TRIN__LIFECYCLE__MEMBER__INIT;
  Trin__Lifecycle__Member *ms[2] = {&m1, &m2};
  p.id = "LIVA";
  p.name = "Strategisk partnerskab Lejerbo";
  p.client_org = "KAB";
  m1.org_id = "KAB";
  m2.org_id = "Enemaerke & Petersen";
  p.members = ms;
  p.n_members = 2;
  trin_err_t err;
  assert_int_equal(trin_codec_pack(&p.base, out, n, &err), TRIN_OK);
}

static void arena_decode_matches_plain_decode(void **state) {
  uint8_t *b = NULL;
  size_t n = 0;
  packed_partnership(&b, &n);
  trin_arena_t a = TRIN_ARENA_INIT;
  trin_err_t err;
  Trin__Lifecycle__Partnership *p = NULL;
  assert_int_equal(trin_codec_unpack_in(&a, &trin__lifecycle__partnership__descriptor, b, n,
                                        "payload", (ProtobufCMessage **)&p, &err),
                   TRIN_OK);
  assert_string_equal(p->id, "LIVA");
  assert_int_equal(p->n_members, 2);
  assert_string_equal(p->members[1]->org_id, "Enemaerke & Petersen");
  uint8_t *again = NULL;
  size_t an = 0;
  assert_int_equal(trin_codec_pack(&p->base, &again, &an, &err), TRIN_OK);
  assert_int_equal(an, n);
  assert_memory_equal(again, b, n);
  free(again);

  /* Rewound, the arena decodes the next message into the same memory. */
  void *first = p;
  for (int i = 0; i < 1000; i++) {
    trin_arena_rewind(&a);
    assert_int_equal(trin_codec_unpack_in(&a, &trin__lifecycle__partnership__descriptor, b, n,
                                          "payload", (ProtobufCMessage **)&p, &err),
                     TRIN_OK);
    assert_ptr_equal(p, first);
  }
  trin_arena_reset(&a);
  free(b);
}

static void arena_decode_refuses_like_plain_decode(void **state) {
  trin_arena_t a = TRIN_ARENA_INIT;
  trin_err_t err;
  ProtobufCMessage *m = NULL;
  static const uint8_t truncated[] = {0x0a, 0x09, 'L', 'I'};
  assert_int_equal(trin_codec_unpack_in(&a, &trin__lifecycle__partnership__descriptor,
                                        truncated, sizeof truncated, "payload", &m, &err),
                   TRIN_EDECODE);
  assert_string_equal(err.field, "payload");
  assert_non_null(strstr(err.message, "not a valid trin.lifecycle.Partnership message"));
  /* Field number 0 nested in a member, as fuzz_regress.codec. */
  static const uint8_t nested[] = {0x0a, 0x02, 'P', '1', 0x22, 0x08, 0x0a, 0x03,
                                   'K',  'A',  'B', 0x80, 0x00, 0x05};
  assert_int_equal(trin_codec_unpack_in(&a, &trin__lifecycle__partnership__descriptor, nested,
                                        sizeof nested, "payload", &m, &err),
                   TRIN_EDECODE);
  assert_false(a.failed);
  trin_arena_reset(&a);
}

/* A block larger than the arena keeps is given back on rewind, and the
 * arena still works afterwards. */
static void rewind_gives_back_huge_blocks(void **state) {
  trin_arena_t a = TRIN_ARENA_INIT;
  char *big = trin_arena_alloc(&a, 4 * 1024 * 1024);
  assert_non_null(big);
  big[4 * 1024 * 1024 - 1] = 'x';
  trin_arena_rewind(&a);
  assert_null(a.head);
  char *s = trin_arena_strdup(&a, "after");
  assert_string_equal(s, "after");
  trin_arena_rewind(&a);
  assert_non_null(a.head); /* the ordinary block is kept */
  trin_arena_reset(&a);
  assert_null(a.head);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_decode_matches_plain_decode),
      cmocka_unit_test(arena_decode_refuses_like_plain_decode),
      cmocka_unit_test(rewind_gives_back_huge_blocks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
