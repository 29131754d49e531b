/* common.outbox — numbering without holes across savepoint rewinds and
 * rollbacks, publishing only after commit, replay pages, continuing the
 * sequence after a reopen, and the packed replay being exactly the batch
 * protobuf-c would pack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "trin_codec.h"
#include "trin_outbox.h"
#include "trin_store.h"
#include "../pg/pg_test.h"

/* A SQLite file, or under the .pg twin a schema on PostgreSQL (the same
 * one on reopening). */
static char path[512];

static trin_store_t *open_store(void) {
  trin_store_t *s = NULL;
  trin_err_t err;
  trin_store_options_t o = {.location = path, .sync = TRIN_STORE_SYNC_NORMAL};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  return s;
}

static int setup(void **state) {
  if (pg_test_wanted()) {
    pg_test_location(path, sizeof path, "outbox");
    return 0;
  }
  snprintf(path, sizeof path, "/tmp/trin-outbox-%d.db", (int)getpid());
  unlink(path);
  return 0;
}

static int teardown(void **state) {
  char p[600];
  if (pg_test_wanted()) return 0; /* the server is throw-away */
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
  return 0;
}

static uint64_t append(trin_outbox_t *ob, const char *type) {
  Trin__Ping payload = TRIN__PING__INIT;
  trin_event_id_t ids[1] = {{"project", "P-1"}};
  uint64_t seq = 0;
  trin_err_t err;
  assert_int_equal(trin_outbox_append(ob, type, "org-1", ids, 1, &payload.base, &seq, &err),
                   TRIN_OK);
  return seq;
}

/* trin_outbox_since_packed gives, byte for byte, what packing
 * trin_outbox_since's batch gives, and it decodes to the same events. */
static void packed_matches(trin_outbox_t *ob, uint64_t after, uint32_t limit) {
  trin_err_t err;
  Trin__EventBatch batch;
  assert_int_equal(trin_outbox_since(ob, after, limit, &batch, &err), TRIN_OK);
  uint8_t *want = NULL, *got = NULL;
  size_t wn = 0, gn = 0;
  assert_int_equal(trin_codec_pack(&batch.base, &want, &wn, &err), TRIN_OK);
  assert_int_equal(trin_outbox_since_packed(ob, after, limit, &got, &gn, &err), TRIN_OK);
  assert_int_equal(gn, wn);
  assert_memory_equal(got, want, wn);
  Trin__EventBatch *back = NULL;
  assert_int_equal(trin_codec_unpack(&trin__event_batch__descriptor, got, gn, "batch",
                                     (ProtobufCMessage **)&back, &err),
                   TRIN_OK);
  assert_int_equal(back->n_events, batch.n_events);
  assert_int_equal(back->last_seq, batch.last_seq);
  assert_string_equal(back->service, "test");
  for (size_t i = 0; i < back->n_events; i++)
    assert_int_equal(back->events[i]->seq, batch.events[i]->seq);
  trin_codec_free(back);
  free(want);
  free(got);
  trin_outbox_free_batch(&batch);
}

static void numbering_and_publishing(void **state) {
  trin_store_t *s = open_store();
  trin_outbox_t *ob = NULL;
  trin_err_t err;
  assert_int_equal(trin_outbox_open(s, "test", &ob, &err), TRIN_OK);
  assert_int_equal(trin_outbox_last_seq(ob), 0);

  /* Outside a transaction: refused. */
  Trin__Ping payload = TRIN__PING__INIT;
  assert_int_equal(trin_outbox_append(ob, "x", "", NULL, 0, &payload.base, NULL, &err),
                   TRIN_EINTERNAL);

  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(append(ob, "a"), 1);
  /* A refused command inside the batch hands its number back. */
  size_t mark = trin_outbox_mark(ob);
  assert_int_equal(trin_store_savepoint(s, &err), TRIN_OK);
  assert_int_equal(append(ob, "refused"), 2);
  assert_int_equal(trin_store_rollback_to(s, &err), TRIN_OK);
  trin_outbox_rewind(ob, mark);
  assert_int_equal(append(ob, "b"), 2);
  const trin_outbox_event_t *evs;
  assert_int_equal(trin_outbox_ready(ob, &evs), 0);  /* nothing before commit */
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  trin_outbox_committed(ob);
  assert_int_equal(trin_outbox_last_seq(ob), 2);
  assert_int_equal(trin_outbox_ready(ob, &evs), 2);
  Trin__Event *ev = trin__event__unpack(NULL, evs[1].len, evs[1].bytes);
  assert_non_null(ev);
  assert_int_equal(ev->seq, 2);
  assert_string_equal(ev->type, "b");
  assert_string_equal(ev->service, "test");
  assert_string_equal(ev->org, "org-1");
  assert_int_equal(ev->n_ids, 1);
  assert_string_equal(ev->ids[0]->key, "project");
  assert_string_equal(ev->payload_type, "trin.Ping");
  trin__event__free_unpacked(ev, NULL);
  trin_outbox_clear_ready(ob);

  /* A rolled-back batch leaves no trace and no hole. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(append(ob, "lost"), 3);
  assert_int_equal(trin_store_rollback(s, &err), TRIN_OK);
  trin_outbox_aborted(ob);
  assert_int_equal(trin_outbox_last_seq(ob), 2);
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  for (int i = 0; i < 2500; i++) append(ob, "bulk");
  /* Replay inside an open batch sees only committed events. */
  Trin__EventBatch batch;
  assert_int_equal(trin_outbox_since(ob, 0, 0, &batch, &err), TRIN_OK);
  assert_int_equal(batch.n_events, 2);
  assert_int_equal(batch.last_seq, 2);
  trin_outbox_free_batch(&batch);
  packed_matches(ob, 0, 0);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  trin_outbox_committed(ob);
  trin_outbox_clear_ready(ob);
  assert_int_equal(trin_outbox_last_seq(ob), 2502);
  trin_outbox_destroy(&ob);
  trin_store_destroy(&s);

  /* Reopen: the sequence continues; replay pages by 1000 at most. */
  s = open_store();
  assert_int_equal(trin_outbox_open(s, "test", &ob, &err), TRIN_OK);
  assert_int_equal(trin_outbox_last_seq(ob), 2502);
  uint64_t after = 0, expect = 1;
  int pages = 0;
  for (;;) {
    assert_int_equal(trin_outbox_since(ob, after, 5000, &batch, &err), TRIN_OK);
    if (batch.n_events == 0) {
      trin_outbox_free_batch(&batch);
      break;
    }
    assert_true(batch.n_events <= 1000);
    for (size_t i = 0; i < batch.n_events; i++) assert_int_equal(batch.events[i]->seq, expect++);
    after = batch.events[batch.n_events - 1]->seq;
    trin_outbox_free_batch(&batch);
    pages++;
  }
  assert_int_equal(expect, 2503);
  assert_int_equal(pages, 3);
  packed_matches(ob, 0, 5000);  /* a full page of 1000 */
  packed_matches(ob, 1500, 7);
  packed_matches(ob, 2502, 10); /* nothing after the last */
  packed_matches(ob, 9999, 10); /* asked beyond it */
  assert_int_equal(trin_outbox_since(ob, 2502, 10, &batch, &err), TRIN_OK);
  assert_int_equal(batch.n_events, 0);
  trin_outbox_free_batch(&batch);
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(append(ob, "after reopen"), 2503);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  trin_outbox_committed(ob);
  trin_outbox_destroy(&ob);
  trin_store_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(numbering_and_publishing)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
