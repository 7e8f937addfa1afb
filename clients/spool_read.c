/*
 * spool_read.c - reading a spool: its status, the queued count of a
 * range, the rejected list and the walk over every record (see spool.h;
 * layouts in spool_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "byteorder.h"
#include "err.h"
#include "spool.h"
#include "spool_int.h"
#include "xalloc.h"

static int read_txn(struct spool *sp, MDB_txn **txn)
{
	return lt_from_mdb(mdb_txn_begin(sp->env, NULL, MDB_RDONLY, txn));
}

/* The pid holding the sender lock when this handle does not, or 0. */
static long other_sender(struct spool *sp)
{
	char path[PATH_MAX + 16];
	long pid = 0;
	snprintf(path, sizeof(path), "%s/" LOCK_FILE, sp->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
			pid = spool_lock_pid(fd);
		close(fd);
	}
	return pid;
}

int spool_wait_get(struct spool *sp, MDB_txn *txn, struct spool_status *st)
{
	MDB_val k = {sizeof(SPOOL_WAIT_KEY) - 1, SPOOL_WAIT_KEY}, d;
	int rc = mdb_get(txn, sp->meta, &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lt_from_mdb(rc);
	if (d.mv_size < WAIT_HEADER || d.mv_size - WAIT_HEADER > SPOOL_REASON_MAX)
		return 0;
	size_t rlen = d.mv_size - WAIT_HEADER;
	const uint8_t *p = d.mv_data;
	st->wait_since = (int64_t)be64_load(p);
	st->wait_last = (int64_t)be64_load(p + 8);
	memcpy(st->wait_reason, p + WAIT_HEADER, rlen);
	st->wait_reason[rlen] = '\0';
	return 0;
}

static int status_locked(struct spool *sp, struct spool_status *st)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	uint64_t last = 0;
	int rc;
	if ((rc = read_txn(sp, &txn)))
		return rc;
	st->queued = spool_entries(txn, sp->queue);
	st->rejected = spool_entries(txn, sp->rejected);
	st->delivered = spool_entries(txn, sp->delivered);
	if ((rc = spool_meta_get(txn, sp, "queued_bytes", &st->queued_bytes)) ||
	    (rc = spool_meta_get(txn, sp, "rejected_bytes", &st->rejected_bytes)) ||
	    (rc = spool_meta_get(txn, sp, "next_seq", &st->next_seq)) ||
	    (rc = spool_meta_get(txn, sp, "last_delivered", &last)) ||
	    (rc = spool_wait_get(sp, txn, st)) ||
	    (rc = lt_from_mdb(mdb_cursor_open(txn, sp->queue, &cur))))
		goto txn_abort;
	st->last_delivered = (int64_t)last;
	MDB_val k, d;
	if (mdb_cursor_get(cur, &k, &d, MDB_FIRST) == 0 && d.mv_size >= QREC_HEADER)
		st->oldest = (int64_t)be64_load(d.mv_data);
	mdb_cursor_close(cur);
	st->max_events = sp->lim.max_events;
	st->max_bytes = sp->lim.max_bytes;
	st->sender_pid = sp->sending ? (long)getpid() : other_sender(sp);
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

int spool_status(struct spool *sp, struct spool_status *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&sp->mu);
	int rc = status_locked(sp, st);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

static int count_locked(struct spool *sp, uint64_t first, uint64_t last, uint64_t *queued)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;
	if ((rc = read_txn(sp, &txn)))
		return rc;
	if ((rc = lt_from_mdb(mdb_cursor_open(txn, sp->queue, &cur))))
		goto txn_abort;
	uint8_t kb[8];
	be64_store(kb, first);
	MDB_val k = {8, kb}, d;
	int mrc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	while (mrc == 0 && be64_load(k.mv_data) <= last) {
		(*queued)++;
		mrc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (mrc != 0 && mrc != MDB_NOTFOUND)
		rc = lt_from_mdb(mrc);
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

int spool_count_queued(struct spool *sp, uint64_t first, uint64_t last, uint64_t *queued)
{
	*queued = 0;
	pthread_mutex_lock(&sp->mu);
	int rc = count_locked(sp, first, last, queued);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/* A rejected record's parts; -1 if it is malformed. */
static int rejected_parts(const MDB_val *d, int64_t *at, int64_t *enq, char *reason,
			  const uint8_t **ev, size_t *evlen)
{
	const uint8_t *p = d->mv_data;
	size_t rlen = d->mv_size >= RREC_HEADER ? (size_t)be16_load(p + 16) : 0;
	if (d->mv_size < RREC_HEADER || rlen > d->mv_size - RREC_HEADER || rlen > SPOOL_REASON_MAX)
		return -1;
	*at = (int64_t)be64_load(p);
	*enq = (int64_t)be64_load(p + 8);
	memcpy(reason, p + RREC_HEADER, rlen);
	reason[rlen] = '\0';
	*ev = p + RREC_HEADER + rlen;
	*evlen = d->mv_size - RREC_HEADER - rlen;
	return 0;
}

static int rejected_locked(struct spool *sp, spool_rejected_fn fn, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;
	if ((rc = read_txn(sp, &txn)))
		return rc;
	if ((rc = lt_from_mdb(mdb_cursor_open(txn, sp->rejected, &cur))))
		goto txn_abort;
	MDB_val k, d;
	int mrc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	while (mrc == 0 && rc == 0) {
		char reason[SPOOL_REASON_MAX + 1];
		int64_t at, enq;
		const uint8_t *ev;
		size_t evlen;
		if (rejected_parts(&d, &at, &enq, reason, &ev, &evlen)) {
			rc = LT_ECORRUPT;
			break;
		}
		Lawtally__V1__Event *e = lawtally__v1__event__unpack(&xalloc_protobuf, evlen, ev);
		rc = fn(be64_load(k.mv_data), at, reason, e, arg);
		if (e)
			lawtally__v1__event__free_unpacked(e, &xalloc_protobuf);
		mrc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (rc == 0 && mrc != MDB_NOTFOUND)
		rc = lt_from_mdb(mrc);
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

int spool_rejected(struct spool *sp, spool_rejected_fn fn, void *arg)
{
	pthread_mutex_lock(&sp->mu);
	int rc = rejected_locked(sp, fn, arg);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/* One cursor of the walk: a table, and its current record if any. */
struct lane {
	MDB_cursor *cur;
	enum spool_state state;
	int have;
	MDB_val k, d;
};

static int lane_step(struct lane *l, MDB_cursor_op op)
{
	int mrc = mdb_cursor_get(l->cur, &l->k, &l->d, op);
	l->have = mrc == 0 && l->k.mv_size == 8;
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : lt_from_mdb(mrc);
}

/* Decodes the current record of lane l into *r and hands it to fn. */
static int lane_emit(struct lane *l, spool_record_fn fn, void *arg)
{
	struct spool_record r = {.seq = be64_load(l->k.mv_data), .state = l->state};
	char reason[SPOOL_REASON_MAX + 1];
	const uint8_t *ev = NULL, *p = l->d.mv_data;
	size_t evlen = 0;
	switch (l->state) {
	case SPOOL_QUEUED:
		if (l->d.mv_size < QREC_HEADER)
			return LT_ECORRUPT;
		r.enqueued_at = (int64_t)be64_load(p);
		ev = p + QREC_HEADER, evlen = l->d.mv_size - QREC_HEADER;
		break;
	case SPOOL_DELIVERED:
		if (l->d.mv_size < DREC_HEADER)
			return LT_ECORRUPT;
		r.settled_at = (int64_t)be64_load(p);
		r.enqueued_at = (int64_t)be64_load(p + 8);
		ev = p + DREC_HEADER, evlen = l->d.mv_size - DREC_HEADER;
		break;
	case SPOOL_REJECTED:
		if (rejected_parts(&l->d, &r.settled_at, &r.enqueued_at, reason, &ev, &evlen))
			return LT_ECORRUPT;
		r.reason = reason;
		break;
	}
	Lawtally__V1__Event *e = lawtally__v1__event__unpack(&xalloc_protobuf, evlen, ev);
	r.e = e;
	int rc = fn(&r, arg);
	if (e)
		lawtally__v1__event__free_unpacked(e, &xalloc_protobuf);
	return rc;
}

static int records_locked(struct spool *sp, uint64_t first, spool_record_fn fn, void *arg)
{
	MDB_txn *txn;
	struct lane lanes[3] = {{.state = SPOOL_QUEUED}, {.state = SPOOL_DELIVERED},
				{.state = SPOOL_REJECTED}};
	const MDB_dbi dbi[3] = {sp->queue, sp->delivered, sp->rejected};
	uint8_t kb[8];
	int rc;
	be64_store(kb, first);
	if ((rc = read_txn(sp, &txn)))
		return rc;
	for (int i = 0; i < 3 && rc == 0; i++) {
		if ((rc = lt_from_mdb(mdb_cursor_open(txn, dbi[i], &lanes[i].cur))))
			break;
		lanes[i].k = (MDB_val){8, kb};
		rc = lane_step(&lanes[i], MDB_SET_RANGE);
	}
	/* a sequence number is in one table at a time: merge by number */
	while (rc == 0) {
		struct lane *low = NULL;
		for (int i = 0; i < 3; i++)
			if (lanes[i].have &&
			    (!low || be64_load(lanes[i].k.mv_data) < be64_load(low->k.mv_data)))
				low = &lanes[i];
		if (!low)
			break;
		if ((rc = lane_emit(low, fn, arg)) == 0)
			rc = lane_step(low, MDB_NEXT);
	}
	for (int i = 0; i < 3; i++)
		if (lanes[i].cur)
			mdb_cursor_close(lanes[i].cur);
	mdb_txn_abort(txn);
	return rc;
}

int spool_records(struct spool *sp, uint64_t first, spool_record_fn fn, void *arg)
{
	pthread_mutex_lock(&sp->mu);
	int rc = records_locked(sp, first, fn, arg);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}
