/* testcall — what the integration tests share for calling a service: the
 * request helper testcall() and the assertions OK (the call succeeded) and
 * REFUSED_WITH / REFUSED_UNCHANGED (the service said no, and changed
 * nothing). Header only; the assertions need <cmocka.h> included first. */
#ifndef TRIN_TESTCALL_H
#define TRIN_TESTCALL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trin_client.h"
#include "trin_codec.h"
#include "trin_err.h"

/* Sends req and waits for a reply of d. With out, *out is the reply (the
 * caller's to trin_codec_free; NULL on failure); without, the reply is
 * dropped. Returns the status and fills err. */
static inline int testcall(trin_client_t *c, const ProtobufCMessage *req,
                           const ProtobufCMessageDescriptor *d, ProtobufCMessage **out,
                           trin_err_t *err) {
  ProtobufCMessage *r = NULL;
  int rc = trin_client_call(c, req, d, &r, err);
  if (out) *out = r;
  else trin_codec_free(r);
  return rc;
}

/* The assertions declare the error `e_` for the call to fill: OK(lc_org(c,
 * "A", "client", &e_)). A failure names the call, the status, the message
 * and the field. */

/* expr must succeed. */
#define OK(expr)                                                                      \
  do {                                                                                \
    trin_err_t e_ = {0};                                                              \
    int rc_ = (expr);                                                                 \
    if (rc_ != TRIN_OK)                                                               \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);   \
    assert_int_equal(rc_, TRIN_OK);                                                   \
  } while (0)

/* expr must fail with code. */
#define REFUSED_WITH(expr, code)                                                      \
  do {                                                                                \
    trin_err_t e_ = {0};                                                              \
    int rc_ = (expr);                                                                 \
    if (rc_ != (code))                                                                \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);   \
    assert_int_equal(rc_, (code));                                                    \
  } while (0)

/* expr must fail with code, name the field fld, say why in words (more than
 * five characters), and commit nothing: last_seq, an expression for the
 * service's last event sequence, reads the same before and after. */
#define REFUSED_UNCHANGED(expr, code, fld, last_seq)                                  \
  do {                                                                                \
    trin_err_t e_ = {0};                                                              \
    uint64_t before_ = (last_seq);                                                    \
    int rc_ = (expr);                                                                 \
    if (rc_ != (code))                                                                \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);   \
    assert_int_equal(rc_, (code));                                                    \
    assert_string_equal(e_.field, (fld));                                             \
    assert_true(strlen(e_.message) > 5);                                              \
    assert_int_equal((last_seq), before_);                                            \
  } while (0)

#endif
