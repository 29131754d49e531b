/* trin_outbox — see trin_outbox.h. */
#include "trin_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_buf.h"
#include "trin_codec.h"
#include "trin_date.h"

#define SINCE_MAX 1000

struct trin_outbox {
  trin_store_t *store;
  char service[32];
  uint64_t last_seq;             /* last committed */
  uint64_t reconnects;           /* trin_store_reconnects when last_seq was read */
  trin_outbox_event_t *pending;  /* appended in the open transaction */
  size_t npending, cap_pending;
  trin_outbox_event_t *ready;    /* committed, not yet published */
  size_t nready, cap_ready;
};

static const trin_migration_t OUTBOX_MIGRATIONS[] = {
    {1,
     "CREATE TABLE trin_outbox ("
     " seq INTEGER PRIMARY KEY,"
     " type TEXT NOT NULL,"
     " time TEXT NOT NULL,"
     " event BLOB NOT NULL)"},
    /* The actor of each event (issue 7): older rows read as "". */
    {2,
     "ALTER TABLE trin_outbox ADD COLUMN actor_org TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE trin_outbox ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE trin_outbox ADD COLUMN actor_key TEXT NOT NULL DEFAULT ''"},
    /* The person the gateway acted for (issue 15): older rows read as "". */
    {3, "ALTER TABLE trin_outbox ADD COLUMN actor_person TEXT NOT NULL DEFAULT ''"},
};
#define OUTBOX_NMIGRATIONS ((int)(sizeof OUTBOX_MIGRATIONS / sizeof OUTBOX_MIGRATIONS[0]))

int trin_outbox_open(trin_store_t *store, const char *service,
                     trin_outbox_t **out, trin_err_t *err) {
  int rc = trin_store_migrate(store, "outbox", OUTBOX_MIGRATIONS, OUTBOX_NMIGRATIONS, err);
  if (rc) return rc;
  trin_outbox_t *ob = calloc(1, sizeof *ob);
  if (!ob) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  ob->store = store;
  snprintf(ob->service, sizeof ob->service, "%s", service);
  trin_stmt_t *st;
  if ((rc = trin_store_stmt(store, "SELECT COALESCE(MAX(seq), 0) FROM trin_outbox",
                            &st, err))) {
    free(ob);
    return rc;
  }
  rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    ob->last_seq = (uint64_t)trin_stmt_int64(st, 0);
    rc = TRIN_OK;
  }
  trin_stmt_reset(st);
  if (rc) {
    free(ob);
    return rc;
  }
  *out = ob;
  return TRIN_OK;
}

static void free_events(trin_outbox_event_t *evs, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) free(evs[i].bytes);
}

void trin_outbox_destroy(trin_outbox_t **obp) {
  if (!obp || !*obp) return;
  trin_outbox_t *ob = *obp;
  free_events(ob->pending, 0, ob->npending);
  free_events(ob->ready, 0, ob->nready);
  free(ob->pending);
  free(ob->ready);
  free(ob);
  *obp = NULL;
}

uint64_t trin_outbox_last_seq(const trin_outbox_t *ob) { return ob->last_seq; }

static int push(trin_outbox_event_t **arr, size_t *n, size_t *cap,
                trin_outbox_event_t ev) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    trin_outbox_event_t *a = realloc(*arr, nc * sizeof *a);
    if (!a) return -1;
    *arr = a;
    *cap = nc;
  }
  (*arr)[(*n)++] = ev;
  return 0;
}

int trin_outbox_append(trin_outbox_t *ob, const char *type, const char *org,
                       const trin_event_id_t *ids, size_t nids,
                       const ProtobufCMessage *payload, uint64_t *seq_out,
                       trin_err_t *err) {
  return trin_outbox_append_as(ob, NULL, type, org, ids, nids, payload, seq_out, err);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

int trin_outbox_append_as(trin_outbox_t *ob, const trin_outbox_actor_t *actor,
                          const char *type, const char *org, const trin_event_id_t *ids,
                          size_t nids, const ProtobufCMessage *payload, uint64_t *seq_out,
                          trin_err_t *err) {
  if (!trin_store_in_transaction(ob->store))
    return trin_err_set(err, TRIN_EINTERNAL, "", "outbox append outside a transaction");
  if (ob->npending == 0 && trin_store_reconnects(ob->store) != ob->reconnects) {
    /* The store lost its server since last_seq was read: a commit whose
     * answer was lost may have stored events after all. Number on from
     * what the store holds, read inside this transaction. */
    trin_stmt_t *q;
    int qrc = trin_store_stmt(ob->store, "SELECT COALESCE(MAX(seq), 0) FROM trin_outbox", &q, err);
    if (qrc) return qrc;
    qrc = trin_stmt_step(q, err);
    if (qrc == TRIN_STORE_ROW) ob->last_seq = (uint64_t)trin_stmt_int64(q, 0);
    trin_stmt_reset(q);
    if (qrc != TRIN_STORE_ROW) return qrc;
    ob->reconnects = trin_store_reconnects(ob->store);
  }
  uint64_t seq = ob->last_seq + ob->npending + 1;
  char now[TRIN_TIME_BUF];
  trin_time_format(trin_time_now(), now);

  uint8_t *pl = NULL;
  size_t pl_len = 0;
  int rc = trin_codec_pack(payload, &pl, &pl_len, err);
  if (rc) return rc;

  Trin__Event ev = TRIN__EVENT__INIT;
  Trin__Event__IdsEntry entries[8];
  Trin__Event__IdsEntry *entry_ptrs[8];
  if (nids > 8) nids = 8;
  for (size_t i = 0; i < nids; i++) {
    trin__event__ids_entry__init(&entries[i]);
    entries[i].key = (char *)ids[i].key;
    entries[i].value = (char *)(ids[i].value ? ids[i].value : "");
    entry_ptrs[i] = &entries[i];
  }
  ev.service = ob->service;
  ev.seq = seq;
  ev.time = now;
  ev.type = (char *)type;
  ev.n_ids = nids;
  ev.ids = entry_ptrs;
  ev.org = (char *)(org ? org : "");
  ev.payload_type = (char *)payload->descriptor->name;
  ev.payload.data = pl;
  ev.payload.len = pl_len;

  trin_outbox_event_t out = {.seq = seq};
  rc = trin_codec_pack(&ev.base, &out.bytes, &out.len, err);
  free(pl);
  if (rc) return rc;

  trin_stmt_t *st;
  if ((rc = trin_store_stmt(ob->store,
                            "INSERT INTO trin_outbox(seq, type, time, event, actor_org, "
                            "actor_role, actor_key, actor_person) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            &st, err)))
    goto fail;
  trin_stmt_bind_int64(st, 1, (int64_t)seq);
  trin_stmt_bind_text(st, 2, type);
  trin_stmt_bind_text(st, 3, now);
  trin_stmt_bind_blob(st, 4, out.bytes, out.len);
  trin_stmt_bind_text(st, 5, or_empty(actor ? actor->org : NULL));
  trin_stmt_bind_text(st, 6, or_empty(actor ? actor->role : NULL));
  trin_stmt_bind_text(st, 7, or_empty(actor ? actor->key : NULL));
  trin_stmt_bind_text(st, 8, or_empty(actor ? actor->person : NULL));
  /* The sequence is ours alone, so only a failing store refuses this row:
   * a server store takes it with the next round trip. */
  if ((rc = trin_stmt_run_deferred(st, err))) goto fail;
  if (push(&ob->pending, &ob->npending, &ob->cap_pending, out)) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto fail;
  }
  if (seq_out) *seq_out = seq;
  return TRIN_OK;
fail:
  free(out.bytes);
  return rc;
}

size_t trin_outbox_mark(const trin_outbox_t *ob) { return ob->npending; }

void trin_outbox_rewind(trin_outbox_t *ob, size_t mark) {
  if (mark >= ob->npending) return;
  free_events(ob->pending, mark, ob->npending);
  ob->npending = mark;
}

void trin_outbox_committed(trin_outbox_t *ob) {
  for (size_t i = 0; i < ob->npending; i++) {
    if (push(&ob->ready, &ob->nready, &ob->cap_ready, ob->pending[i])) {
      /* Publishing is only a hint (subscribers repair from the log), so an
       * event we cannot queue is simply not pushed live. */
      free(ob->pending[i].bytes);
    }
  }
  if (ob->npending) ob->last_seq = ob->pending[ob->npending - 1].seq;
  ob->npending = 0;
}

void trin_outbox_aborted(trin_outbox_t *ob) { trin_outbox_rewind(ob, 0); }

size_t trin_outbox_ready(const trin_outbox_t *ob, const trin_outbox_event_t **evs) {
  *evs = ob->ready;
  return ob->nready;
}

void trin_outbox_clear_ready(trin_outbox_t *ob) {
  free_events(ob->ready, 0, ob->nready);
  ob->nready = 0;
}

/* The committed events after after_seq, up to limit, in order: the one
 * query behind both forms of replay. Only committed events: a reader inside
 * the writer's open batch would otherwise see events that may still be
 * rolled back. */
static int since_stmt(trin_outbox_t *ob, uint64_t after_seq, uint64_t limit, trin_stmt_t **st,
                      trin_err_t *err) {
  int rc = trin_store_stmt(ob->store,
                           "SELECT event FROM trin_outbox WHERE seq > ? AND seq <= ? "
                           "ORDER BY seq LIMIT ?",
                           st, err);
  if (rc) return rc;
  trin_stmt_bind_int64(*st, 1, (int64_t)after_seq);
  trin_stmt_bind_int64(*st, 2, (int64_t)ob->last_seq);
  trin_stmt_bind_int64(*st, 3, (int64_t)limit);
  return TRIN_OK;
}

int trin_outbox_since(trin_outbox_t *ob, uint64_t after_seq, uint32_t limit,
                      Trin__EventBatch *batch, trin_err_t *err) {
  trin__event_batch__init(batch);
  batch->service = ob->service;
  batch->last_seq = ob->last_seq;
  if (limit == 0 || limit > SINCE_MAX) limit = SINCE_MAX;
  if (after_seq >= ob->last_seq) return TRIN_OK;
  uint64_t avail = ob->last_seq - after_seq;
  size_t cap = avail < limit ? (size_t)avail : limit;
  batch->events = calloc(cap, sizeof *batch->events);
  if (!batch->events) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");

  trin_stmt_t *st;
  int rc = since_stmt(ob, after_seq, cap, &st, err);
  if (rc) return rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW && batch->n_events < cap) {
    size_t len;
    const void *b = trin_stmt_blob(st, 0, &len);
    ProtobufCMessage *m;
    rc = trin_codec_unpack(&trin__event__descriptor, b, len, "event", &m, err);
    if (rc) break;
    batch->events[batch->n_events++] = (Trin__Event *)m;
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* A length-delimited field: tag (field number, wire type 2), length, bytes. */
static void buf_field_bytes(trin_buf_t *o, unsigned field, const void *data, size_t len) {
  trin_buf_varint(o, (uint64_t)field << 3 | 2);
  trin_buf_varint(o, len);
  trin_buf_add(o, data, len);
}

int trin_outbox_since_packed(trin_outbox_t *ob, uint64_t after_seq, uint32_t limit,
                             uint8_t **out, size_t *len, trin_err_t *err) {
  /* The fields of trin.EventBatch (envelope.proto), in number order as
   * protobuf-c would write them. */
  enum { F_SERVICE = 1, F_EVENTS = 2, F_LAST_SEQ = 3 };
  trin_buf_t o = {0};
  uint64_t last = ob->last_seq;
  if (ob->service[0]) buf_field_bytes(&o, F_SERVICE, ob->service, strlen(ob->service));
  int rc = TRIN_OK;
  if (limit == 0 || limit > SINCE_MAX) limit = SINCE_MAX;
  if (after_seq < last) {
    trin_stmt_t *st;
    if ((rc = since_stmt(ob, after_seq, limit, &st, err))) {
      trin_buf_free(&o);
      return rc;
    }
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      size_t n;
      const void *b = trin_stmt_blob(st, 0, &n);
      buf_field_bytes(&o, F_EVENTS, b, n);
    }
    trin_stmt_reset(st);
    if (rc != TRIN_OK) {
      trin_buf_free(&o);
      return rc;
    }
  }
  if (last) {
    trin_buf_varint(&o, F_LAST_SEQ << 3 | 0);
    trin_buf_varint(&o, last);
  }
  trin_buf_add(&o, "", 0); /* an empty batch is a buffer too */
  if (o.failed) {
    trin_buf_free(&o);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  *out = (uint8_t *)o.data;
  *len = o.len;
  return TRIN_OK;
}

void trin_outbox_free_batch(Trin__EventBatch *batch) {
  for (size_t i = 0; i < batch->n_events; i++) trin_codec_free(batch->events[i]);
  free(batch->events);
  batch->events = NULL;
  batch->n_events = 0;
}

int trin_outbox_audit(trin_outbox_t *ob, uint64_t after_seq, trin_outbox_audit_t *rows,
                      size_t cap, size_t *n, trin_err_t *err) {
  *n = 0;
  if (cap == 0) return TRIN_OK;
  trin_stmt_t *st;
  int rc = trin_store_stmt(ob->store,
                           "SELECT seq, type, time, actor_org, actor_role, actor_key, actor_person "
                           "FROM trin_outbox WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_int64(st, 1, (int64_t)after_seq);
  trin_stmt_bind_int64(st, 2, (int64_t)ob->last_seq); /* committed events only */
  trin_stmt_bind_int64(st, 3, (int64_t)cap);
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW && *n < cap) {
    trin_outbox_audit_t *r = &rows[(*n)++];
    r->seq = (uint64_t)trin_stmt_int64(st, 0);
    snprintf(r->type, sizeof r->type, "%s", or_empty(trin_stmt_text(st, 1)));
    snprintf(r->time, sizeof r->time, "%s", or_empty(trin_stmt_text(st, 2)));
    snprintf(r->actor_org, sizeof r->actor_org, "%s", or_empty(trin_stmt_text(st, 3)));
    snprintf(r->actor_role, sizeof r->actor_role, "%s", or_empty(trin_stmt_text(st, 4)));
    snprintf(r->actor_key, sizeof r->actor_key, "%s", or_empty(trin_stmt_text(st, 5)));
    snprintf(r->actor_person, sizeof r->actor_person, "%s", or_empty(trin_stmt_text(st, 6)));
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW || rc == TRIN_OK ? TRIN_OK : rc;
}
