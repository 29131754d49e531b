/* trin_outbox — the transactional outbox: events are written to the
 * service's own log in the same store transaction as the state change they
 * describe, numbered 1, 2, 3, ... per service, published only after commit,
 * and answered from the log to anyone asking for "events since N".
 *
 * Invariant: the log holds every committed event and no other, with
 * sequence numbers that rise by exactly one. Numbers are handed out inside
 * the transaction (last committed + pending + 1); a savepoint rewind or a
 * rollback hands them back, so a refused command leaves no hole. */
#ifndef TRIN_OUTBOX_H
#define TRIN_OUTBOX_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_store.h"

typedef struct trin_outbox trin_outbox_t;

typedef struct {
  const char *key;   /* "project", "partnership", ... */
  const char *value;
} trin_event_id_t;

/* An event ready to publish: the packed trin.Event. Owned by the outbox. */
typedef struct {
  uint64_t seq;
  uint8_t *bytes;
  size_t len;
} trin_outbox_event_t;

/* store and service must outlive the outbox; service is copied. Creates the
 * log table if needed. */
int trin_outbox_open(trin_store_t *store, const char *service,
                     trin_outbox_t **out, trin_err_t *err);
void trin_outbox_destroy(trin_outbox_t **ob);

uint64_t trin_outbox_last_seq(const trin_outbox_t *ob); /* last committed */

/* Inside an open transaction: writes the event and returns its number. */
int trin_outbox_append(trin_outbox_t *ob, const char *type, const char *org,
                       const trin_event_id_t *ids, size_t nids,
                       const ProtobufCMessage *payload, uint64_t *seq,
                       trin_err_t *err);

/* Who caused an event, kept beside it in the log for the audit trail:
 * the caller's organisation, role and key fingerprint ("" where unknown;
 * role "service" with org and key "" when a service applies another's
 * event). Strings are borrowed for the call. */
typedef struct {
  const char *org;
  const char *role;
  const char *key;
  const char *person;  /* the person the gateway acted for; NULL or "" for none */
} trin_outbox_actor_t;

/* trin_outbox_append, recording actor (NULL = all ""). trin_outbox_append
 * records an empty actor. */
int trin_outbox_append_as(trin_outbox_t *ob, const trin_outbox_actor_t *actor,
                          const char *type, const char *org, const trin_event_id_t *ids,
                          size_t nids, const ProtobufCMessage *payload, uint64_t *seq,
                          trin_err_t *err);

/* One event's audit row, read back from the log. */
typedef struct {
  uint64_t seq;
  char type[128];
  char time[40];        /* ISO 8601 UTC, when the event was written */
  char actor_org[65];
  char actor_role[33];
  char actor_key[33];   /* key fingerprint (hex), never the key */
  char actor_person[201];
} trin_outbox_audit_t;

/* Reads up to cap committed events' audit rows after after_seq, in sequence
 * order, into rows (caller-owned); *n is how many. Events written before the
 * audit columns existed read with an empty actor. */
int trin_outbox_audit(trin_outbox_t *ob, uint64_t after_seq, trin_outbox_audit_t *rows,
                      size_t cap, size_t *n, trin_err_t *err);

/* Pair with store savepoints: mark before, rewind if the savepoint is rolled
 * back. */
size_t trin_outbox_mark(const trin_outbox_t *ob);
void trin_outbox_rewind(trin_outbox_t *ob, size_t mark);
/* After the transaction: committed moves the pending events to the ready
 * list; aborted drops them. */
void trin_outbox_committed(trin_outbox_t *ob);
void trin_outbox_aborted(trin_outbox_t *ob);

/* Events committed but not yet published (by trin_server). The array stays
 * valid until trin_outbox_clear_ready. */
size_t trin_outbox_ready(const trin_outbox_t *ob, const trin_outbox_event_t **evs);
void trin_outbox_clear_ready(trin_outbox_t *ob);

/* Fills batch with up to limit (1..1000) events after after_seq, read from
 * the log. Free with trin_outbox_free_batch. */
int trin_outbox_since(trin_outbox_t *ob, uint64_t after_seq, uint32_t limit,
                      Trin__EventBatch *batch, trin_err_t *err);
void trin_outbox_free_batch(Trin__EventBatch *batch);

/* The same batch, already packed as a trin.EventBatch: the stored events'
 * bytes are copied in as they are, never decoded and packed again (replay
 * is the hot path of a subscriber catching up). *out is malloc'd, the
 * caller frees it. */
int trin_outbox_since_packed(trin_outbox_t *ob, uint64_t after_seq, uint32_t limit,
                             uint8_t **out, size_t *len, trin_err_t *err);

#endif
