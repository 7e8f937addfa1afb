/*
 * spool_int.h - what spool.c (opening, the write side) and spool_read.c
 * (status and walks) share: the handle and the record layouts.
 *
 * Records (integers big-endian, so that keys sort by number):
 *   queue     key seq[8] -> enqueued_at[8] packed-Event
 *   rejected  key seq[8] -> rejected_at[8] enqueued_at[8] reason_len[2] reason packed-Event
 *   delivered key seq[8] -> delivered_at[8] enqueued_at[8] packed-Event
 *   meta      "version" -> 1; "next_seq", "queued_bytes", "rejected_bytes",
 *             "last_delivered" -> [8]; "waiting" -> since[8] last[8] reason
 *             (spool_note_wait; a key an older lawtally does not read, and
 *             leaves alone); "epoch" -> [8]: the numbering's epoch;
 *             "seq:SOURCE" -> [8]: the last number given to SOURCE's events
 * Byte counters count whole record values of queue and rejected.
 */
#ifndef LAWTALLY_SPOOL_INT_H
#define LAWTALLY_SPOOL_INT_H

#include <limits.h>
#include <lmdb.h>
#include <pthread.h>

#include "spool.h"

#define QREC_HEADER 8
#define RREC_HEADER 18
#define DREC_HEADER 16
#define WAIT_HEADER 16
#define SPOOL_WAIT_KEY "waiting"
#define LOCK_FILE "sender.lock"

struct spool {
	MDB_env *env;
	MDB_dbi queue, rejected, delivered, meta;
	int lock_fd;
	int sending;             /* this handle holds the sender lock */
	unsigned flags;
	struct spool_limits lim;
	pthread_mutex_t mu;      /* serialises the calls of the threads sharing the handle */
	char dir[PATH_MAX];
	uint8_t *buf;            /* scratch for one record */
	size_t bufcap;
};

/* A meta counter (0 when absent). LT_ECORRUPT, LT_EIO. */
int spool_meta_get(MDB_txn *txn, struct spool *sp, const char *name, uint64_t *v);

/* The number of records of a table as txn sees it. */
uint64_t spool_entries(MDB_txn *txn, MDB_dbi dbi);

/*
 * The wait note of txn into st, if there is one. A note that does not
 * decode is taken as none: it is no figure, and the next note replaces it.
 */
int spool_wait_get(struct spool *sp, MDB_txn *txn, struct spool_status *st);

/* The pid written in the lock file by the process holding it, or 0. */
long spool_lock_pid(int fd);

#endif
