/* robust.full_disk — the lifecycle service with its store on a 2 MiB tmpfs
 * that a filler file then fills up: commands are refused with STORE and a
 * message in words, reads and Ping are still answered, the process stays
 * up; once the filler is removed, commands are accepted again; every
 * command acknowledged before, during and after is in the store, and the
 * process stops cleanly.
 *
 * Mounting needs root (CI runs as root). Without it the test is SKIPPED
 * (exit 77, CTest SKIP_RETURN_CODE) with the reason on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testproc.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_client.h"
#include "trin_codec.h"

#define SKIP_CODE 77

static testproc_t lc;
static trin_client_t *cl;
static bool mounted;
static char filler[400];

/* The names acknowledged: every one must be in the store at the end. */
static char acked[4096][16];
static int nacked;

static int create_org(int n, trin_err_t *err) {
  char id[16], name[201];
  snprintf(id, sizeof id, "ORG%d", n);
  memset(name, 'x', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  memcpy(name, id, strlen(id));
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = id;
  o.name = name;
  o.kind = "client";
  Trin__Lifecycle__CreateOrganisation m = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
  m.organisation = &o;
  ProtobufCMessage *reply = NULL;
  memset(err, 0, sizeof *err);
  int rc = trin_client_call(cl, &m.base, &trin__lifecycle__organisation_reply__descriptor,
                            &reply, err);
  trin_codec_free(reply);
  if (rc == TRIN_OK && nacked < 4096) snprintf(acked[nacked++], sizeof acked[0], "%s", id);
  return rc;
}

static void ping(void) {
  Trin__Ping p = TRIN__PING__INIT;
  ProtobufCMessage *pong = NULL;
  trin_err_t err = {0};
  int rc = trin_client_call(cl, &p.base, &trin__pong__descriptor, &pong, &err);
  if (rc != TRIN_OK) fail_msg("Ping: %s", err.message);
  trin_codec_free(pong);
}

/* Writes the filler until the disk is full; returns the bytes written. */
static size_t fill_disk(void) {
  int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  static char block[16384];
  size_t total = 0;
  for (;;) {
    ssize_t n = write(fd, block, sizeof block);
    if (n <= 0) break;
    total += (size_t)n;
  }
  /* Tail: the last partial block. */
  for (;;) {
    ssize_t n = write(fd, block, 512);
    if (n <= 0) break;
    total += (size_t)n;
  }
  close(fd);
  return total;
}

static int setup(void **state) {
  testproc_init(&lc, "fulldisk");
  if (mount("tmpfs", lc.dir, "tmpfs", 0, "size=2m,mode=0700") != 0) {
    fprintf(stderr, "robust.full_disk: SKIPPED: cannot mount a tmpfs on %s: %s "
                    "(needs root; CI runs as root)\n",
            lc.dir, strerror(errno));
    testproc_cleanup(&lc);
    exit(SKIP_CODE);
  }
  mounted = true;
  snprintf(filler, sizeof filler, "%s/filler", lc.dir);
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL)) return -1;
  trin_err_t err;
  return trin_client_new(lc.endpoint, &cl, &err) ? -1 : 0;
}

static int teardown(void **state) {
  trin_client_destroy(&cl);
  unlink(filler);
  int rc = lc.pid > 0 ? testproc_stop(&lc) : 0;
  if (mounted && umount2(lc.dir, MNT_DETACH) != 0) rc = -1;
  testproc_cleanup(&lc);
  return rc == 0 ? 0 : -1;
}

static void store_errors_in_words_then_recovers(void **state) {
  trin_err_t err;
  int n = 0;
  for (; n < 20; n++)
    if (create_org(n, &err) != TRIN_OK) fail_msg("command %d: %s: %s", n, err.field, err.message);
  size_t filled = fill_disk();
  print_message("filled the 2 MiB disk with %zu bytes\n", filled);

  /* Commands until the store can no longer grow. */
  int refused = 0, first_refused = -1;
  trin_err_t first = {0};
  for (int tries = 0; tries < 2000 && refused < 5; tries++, n++) {
    int rc = create_org(n, &err);
    if (rc == TRIN_OK) continue;
    if (rc != TRIN_ESTORE)
      fail_msg("command %d while the disk is full: %s (%d): %s", n, trin_status_name(rc), rc,
               err.message);
    if (!refused++) {
      first = err;
      first_refused = n;
    }
    ping(); /* still answering */
  }
  print_message("first refusal at command %d: STORE: %s\n", first_refused, first.message);
  assert_true(refused >= 5);
  assert_non_null(strstr(first.message, "the disk is full"));

  /* Reads go on while the disk is full. */
  Trin__Lifecycle__ListOrganisations lo = TRIN__LIFECYCLE__LIST_ORGANISATIONS__INIT;
  Trin__Lifecycle__OrganisationList *list = NULL;
  assert_int_equal(trin_client_call(cl, &lo.base, &trin__lifecycle__organisation_list__descriptor,
                                    (ProtobufCMessage **)&list, &err),
                   TRIN_OK);
  trin_codec_free(list);

  /* Space again: commands are accepted again. */
  assert_int_equal(unlink(filler), 0);
  int ok = 0;
  for (int i = 0; i < 20; i++, n++)
    if (create_org(n, &err) == TRIN_OK) ok++;
  print_message("after freeing the disk: %d of 20 commands acknowledged\n", ok);
  assert_int_equal(ok, 20);

  /* Every acknowledged command is in the store. */
  assert_int_equal(trin_client_call(cl, &lo.base, &trin__lifecycle__organisation_list__descriptor,
                                    (ProtobufCMessage **)&list, &err),
                   TRIN_OK);
  for (int i = 0; i < nacked; i++) {
    bool found = false;
    for (size_t k = 0; k < list->n_organisations && !found; k++)
      found = strcmp(list->organisations[k]->id, acked[i]) == 0;
    if (!found) fail_msg("acknowledged organisation %s is not in the store", acked[i]);
  }
  print_message("%d acknowledged commands all in the store\n", nacked);
  trin_codec_free(list);

  /* And after a restart, too (the process stops cleanly first). */
  assert_int_equal(testproc_stop(&lc), 0);
  assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL));
  trin_client_destroy(&cl);
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  assert_int_equal(trin_client_call(cl, &lo.base, &trin__lifecycle__organisation_list__descriptor,
                                    (ProtobufCMessage **)&list, &err),
                   TRIN_OK);
  assert_int_equal(list->n_organisations, (size_t)nacked);
  trin_codec_free(list);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(store_errors_in_words_then_recovers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
