/*
 * spool.c - the sender's durable queue in LMDB (see spool.h).
 *
 * Records (integers big-endian, so that keys sort by number):
 *   queue     key seq[8] -> enqueued_at[8] packed-Event
 *   rejected  key seq[8] -> rejected_at[8] enqueued_at[8] reason_len[2] reason packed-Event
 *   meta      "version" -> 1; "next_seq", "queued_bytes", "rejected_bytes" -> [8];
 *             "waiting" -> since[8] last[8] reason (spool_note_wait; a key an
 *             older lawtally does not read, and leaves alone)
 * Byte counters count whole record values. LMDB codes become LT_E* codes
 * through err.h's lt_from_mdb, as in the daemon's store.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "byteorder.h"
#include "dirs.h"
#include "err.h"
#include "xalloc.h"

#define SPOOL_VERSION 1
#define QREC_HEADER 8
#define RREC_HEADER 18
#define WAIT_HEADER 16
#define WAIT_KEY "waiting"
#define LOCK_FILE "sender.lock"
#define DATA_FILE "data.mdb"
#define MAP_SLACK ((size_t)64 << 20)

struct spool {
	MDB_env *env;
	MDB_dbi queue, rejected, meta;
	int lock_fd;
	unsigned flags;
	struct spool_limits lim;
	char dir[PATH_MAX];
	uint8_t *buf; /* scratch for one record */
	size_t bufcap;
};

static void scratch(struct spool *sp, size_t need)
{
	if (need <= sp->bufcap)
		return;
	sp->buf = xrealloc(sp->buf, need);
	sp->bufcap = need;
}

static int meta_get(MDB_txn *txn, struct spool *sp, const char *name, uint64_t *v)
{
	MDB_val k = {strlen(name), (void *)name}, d;
	int rc = mdb_get(txn, sp->meta, &k, &d);
	if (rc == MDB_NOTFOUND) {
		*v = 0;
		return 0;
	}
	if (rc)
		return lt_from_mdb(rc);
	if (d.mv_size != 8)
		return LT_ECORRUPT;
	*v = be64_load(d.mv_data);
	return 0;
}

static int meta_put(MDB_txn *txn, struct spool *sp, const char *name, uint64_t v)
{
	uint8_t b[8];
	be64_store(b, v);
	MDB_val k = {strlen(name), (void *)name}, d = {8, b};
	return lt_from_mdb(mdb_put(txn, sp->meta, &k, &d, 0));
}

/* The pid written in the lock file by the process holding it, or 0. */
static long read_lock_pid(int fd)
{
	char b[32] = {0};
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);
	return r > 0 ? strtol(b, NULL, 10) : 0;
}

/*
 * Takes the sender lock: an exclusive flock on DIR/sender.lock, held while
 * the handle lives, with our pid written in the file for `spool status`.
 * flock (not fcntl) locks belong to the open file, so a process killed
 * with -9 releases it at once.
 */
static int take_sender_lock(struct spool *sp, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/" LOCK_FILE, sp->dir);
	sp->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (sp->lock_fd < 0) {
		snprintf(err, errlen, "spool %s: %s: %s", sp->dir, LOCK_FILE, strerror(errno));
		return LT_ESYS;
	}
	if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			snprintf(err, errlen, "spool %s: another process (pid %ld) is sending from it",
				 sp->dir, read_lock_pid(sp->lock_fd));
			return LT_EBUSY;
		}
		snprintf(err, errlen, "spool %s: lock: %s", sp->dir, strerror(errno));
		return LT_ESYS;
	}
	char pid[24];
	int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(sp->lock_fd, 0) != 0 || pwrite(sp->lock_fd, pid, (size_t)len, 0) != len) {
		snprintf(err, errlen, "spool %s: %s: %s", sp->dir, LOCK_FILE, strerror(errno));
		return LT_ESYS;
	}
	return 0;
}

/* Opens the three tables and checks (or, when new, writes) the version. */
static int open_tables(struct spool *sp, char *err, size_t errlen)
{
	MDB_txn *txn;
	int rc = lt_from_mdb(mdb_txn_begin(sp->env, NULL, 0, &txn));
	if (rc)
		goto fail;
	uint64_t version = 0;
	if ((rc = lt_from_mdb(mdb_dbi_open(txn, "queue", MDB_CREATE, &sp->queue))) ||
	    (rc = lt_from_mdb(mdb_dbi_open(txn, "rejected", MDB_CREATE, &sp->rejected))) ||
	    (rc = lt_from_mdb(mdb_dbi_open(txn, "meta", MDB_CREATE, &sp->meta))) ||
	    (rc = meta_get(txn, sp, "version", &version)))
		goto txn_abort;
	if (version == 0) {
		if ((rc = meta_put(txn, sp, "version", SPOOL_VERSION)) ||
		    (rc = meta_put(txn, sp, "next_seq", 1)))
			goto txn_abort;
	} else if (version != SPOOL_VERSION) {
		mdb_txn_abort(txn);
		snprintf(err, errlen, "spool %s: made by an incompatible version (%llu)", sp->dir,
			 (unsigned long long)version);
		return LT_ESCHEMA;
	}
	rc = lt_from_mdb(mdb_txn_commit(txn));
	if (rc)
		goto fail;
	return 0;
txn_abort:
	mdb_txn_abort(txn);
fail:
	snprintf(err, errlen, "spool %s: cannot open its tables: %s", sp->dir, lt_strerror(rc));
	return rc;
}

int spool_open(struct spool **out, const char *dir, unsigned flags,
	       const struct spool_limits *limits, char *err, size_t errlen)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));
	struct stat st;
	int rc;
	err[0] = '\0';
	sp->lock_fd = -1;
	sp->flags = flags;
	sp->lim.max_events = limits && limits->max_events ? limits->max_events
							   : SPOOL_DEFAULT_MAX_EVENTS;
	sp->lim.max_bytes = limits && limits->max_bytes ? limits->max_bytes : SPOOL_DEFAULT_MAX_BYTES;
	if (snprintf(sp->dir, sizeof(sp->dir), "%s", dir) >= (int)sizeof(sp->dir) - 16) {
		snprintf(err, errlen, "spool directory name too long");
		rc = LT_EINVAL;
		goto free_spool;
	}
	if (flags & SPOOL_CREATE) {
		if (dirs_make(dir, 0770) != 0) {
			snprintf(err, errlen, "spool %s: cannot create: %s", dir, strerror(errno));
			rc = LT_ESYS;
			goto free_spool;
		}
	} else {
		char data[PATH_MAX + 16];
		snprintf(data, sizeof(data), "%s/" DATA_FILE, dir);
		if (stat(data, &st) != 0) {
			snprintf(err, errlen, "no spool at %s", dir);
			rc = LT_ENOTFOUND;
			goto free_spool;
		}
	}
	if (flags & SPOOL_SEND && (rc = take_sender_lock(sp, err, errlen)))
		goto close_lock;
	size_t map = (size_t)sp->lim.max_bytes * 4 + MAP_SLACK;
	if ((rc = lt_from_mdb(mdb_env_create(&sp->env))) ||
	    (rc = lt_from_mdb(mdb_env_set_maxdbs(sp->env, 3))) ||
	    (rc = lt_from_mdb(mdb_env_set_mapsize(sp->env, map))) ||
	    (rc = lt_from_mdb(mdb_env_open(sp->env, dir, MDB_NOTLS, 0660)))) {
		snprintf(err, errlen, "spool %s: cannot open: %s", dir, lt_strerror(rc));
		goto close_env;
	}
	int dead;
	mdb_reader_check(sp->env, &dead); /* slots of killed readers pin old pages */
	if ((rc = open_tables(sp, err, errlen)))
		goto close_env;
	*out = sp;
	return 0;
close_env:
	if (sp->env)
		mdb_env_close(sp->env);
close_lock:
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);
free_spool:
	free(sp);
	return rc;
}

void spool_close(struct spool **spp)
{
	struct spool *sp = *spp;
	if (!sp)
		return;
	mdb_env_close(sp->env);
	if (sp->lock_fd >= 0) {
		if (ftruncate(sp->lock_fd, 0) != 0) {
			/* only the pid shown by `spool status` is stale */
		}
		close(sp->lock_fd); /* releases the flock */
	}
	free(sp->buf);
	free(sp);
	*spp = NULL;
}

static int write_txn(struct spool *sp, MDB_txn **txn)
{
	return lt_from_mdb(mdb_txn_begin(sp->env, NULL, 0, txn));
}

static int read_txn(struct spool *sp, MDB_txn **txn)
{
	return lt_from_mdb(mdb_txn_begin(sp->env, NULL, MDB_RDONLY, txn));
}

static uint64_t entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;
	return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

int spool_enqueue(struct spool *sp, Lawtally__V1__Event *const *events, size_t n,
		  uint64_t *first_seq, char *err, size_t errlen)
{
	MDB_txn *txn;
	uint64_t next, qbytes, rbytes, added = 0;
	int rc;
	err[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t len = lawtally__v1__event__get_packed_size(events[i]);
		if (events[i]->id.len != 16) {
			snprintf(err, errlen, "event %zu: no 16-byte id (needed so that re-sending never counts twice)", i);
			return LT_EINVAL;
		}
		if (len > SPOOL_EVENT_MAX) {
			snprintf(err, errlen, "event %zu: %zu bytes packed, more than %d", i, len,
				 SPOOL_EVENT_MAX);
			return LT_EINVAL;
		}
		added += QREC_HEADER + len;
	}
	if (n == 0)
		return 0;
	scratch(sp, QREC_HEADER + SPOOL_EVENT_MAX);
	if ((rc = write_txn(sp, &txn)))
		goto fail;
	if ((rc = meta_get(txn, sp, "next_seq", &next)) ||
	    (rc = meta_get(txn, sp, "queued_bytes", &qbytes)) ||
	    (rc = meta_get(txn, sp, "rejected_bytes", &rbytes)))
		goto txn_abort;
	uint64_t held = entries(txn, sp->queue) + entries(txn, sp->rejected);
	if (held + n > sp->lim.max_events || qbytes + rbytes + added > sp->lim.max_bytes) {
		mdb_txn_abort(txn);
		snprintf(err, errlen,
			 "spool %s full: it holds %llu events, %llu bytes (at most %llu events, %llu bytes); "
			 "flush it, or clear its rejected list",
			 sp->dir, (unsigned long long)held, (unsigned long long)(qbytes + rbytes),
			 (unsigned long long)sp->lim.max_events, (unsigned long long)sp->lim.max_bytes);
		return LT_EFULL;
	}
	uint64_t now = (uint64_t)time(NULL);
	for (size_t i = 0; i < n; i++) {
		uint8_t kb[8];
		be64_store(kb, next + i);
		be64_store(sp->buf, now);
		size_t len = lawtally__v1__event__pack(events[i], sp->buf + QREC_HEADER);
		MDB_val k = {8, kb}, d = {QREC_HEADER + len, sp->buf};
		if ((rc = lt_from_mdb(mdb_put(txn, sp->queue, &k, &d, MDB_APPEND))))
			goto txn_abort;
	}
	if ((rc = meta_put(txn, sp, "next_seq", next + n)) ||
	    (rc = meta_put(txn, sp, "queued_bytes", qbytes + added)))
		goto txn_abort;
	if ((rc = lt_from_mdb(mdb_txn_commit(txn))))
		goto fail;
	if (first_seq)
		*first_seq = next;
	return 0;
txn_abort:
	mdb_txn_abort(txn);
fail:
	snprintf(err, errlen, "spool %s: cannot store the events: %s", sp->dir,
		 rc == LT_EFULL ? "its map or the disk is full" : lt_strerror(rc));
	return rc;
}

/*
 * Moves queue record val (key seq) to the rejected list with reason,
 * inside txn, and keeps the byte counters *qbytes / *rbytes in step.
 */
static int move_to_rejected(struct spool *sp, MDB_txn *txn, uint64_t seq, const MDB_val *val,
			    const char *reason, uint64_t *qbytes, uint64_t *rbytes)
{
	size_t rlen = strnlen(reason, SPOOL_REASON_MAX);
	size_t elen = val->mv_size - QREC_HEADER;
	size_t total = RREC_HEADER + rlen + elen;
	uint8_t kb[8];
	int rc;
	scratch(sp, total);
	be64_store(sp->buf, (uint64_t)time(NULL));
	memcpy(sp->buf + 8, val->mv_data, 8); /* enqueued_at */
	be16_store(sp->buf + 16, (uint16_t)rlen);
	memcpy(sp->buf + RREC_HEADER, reason, rlen);
	memcpy(sp->buf + RREC_HEADER + rlen, (const uint8_t *)val->mv_data + QREC_HEADER, elen);
	uint64_t vsize = val->mv_size;
	be64_store(kb, seq);
	MDB_val k = {8, kb}, d = {total, sp->buf};
	if ((rc = lt_from_mdb(mdb_put(txn, sp->rejected, &k, &d, 0))) ||
	    (rc = lt_from_mdb(mdb_del(txn, sp->queue, &k, NULL))))
		return rc;
	*qbytes -= vsize;
	*rbytes += total;
	return 0;
}

int spool_settle(struct spool *sp, const uint64_t *seq, const char *const *reason, size_t n)
{
	MDB_txn *txn;
	uint64_t qbytes, rbytes;
	int rc;
	if (!(sp->flags & SPOOL_SEND))
		return LT_EINVAL;
	if (n == 0)
		return 0;
	if ((rc = write_txn(sp, &txn)))
		return rc;
	if ((rc = meta_get(txn, sp, "queued_bytes", &qbytes)) ||
	    (rc = meta_get(txn, sp, "rejected_bytes", &rbytes)))
		goto txn_abort;
	for (size_t i = 0; i < n; i++) {
		uint8_t kb[8];
		be64_store(kb, seq[i]);
		MDB_val k = {8, kb}, d;
		rc = mdb_get(txn, sp->queue, &k, &d);
		if (rc == MDB_NOTFOUND)
			continue;
		if ((rc = lt_from_mdb(rc)))
			goto txn_abort;
		if (d.mv_size < QREC_HEADER) {
			rc = LT_ECORRUPT;
			goto txn_abort;
		}
		if (reason && reason[i]) {
			if ((rc = move_to_rejected(sp, txn, seq[i], &d, reason[i], &qbytes, &rbytes)))
				goto txn_abort;
		} else {
			qbytes -= d.mv_size;
			if ((rc = lt_from_mdb(mdb_del(txn, sp->queue, &k, NULL))))
				goto txn_abort;
		}
	}
	if ((rc = meta_put(txn, sp, "queued_bytes", qbytes)) ||
	    (rc = meta_put(txn, sp, "rejected_bytes", rbytes)))
		goto txn_abort;
	return lt_from_mdb(mdb_txn_commit(txn));
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

void spool_batch_free(struct spool_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		lawtally__v1__event__free_unpacked(b->events[i], &xalloc_protobuf);
	free(b->events);
	free(b->seq);
	memset(b, 0, sizeof(*b));
}

int spool_take(struct spool *sp, uint64_t after, size_t max, struct spool_batch *out)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	uint64_t bad[16];
	size_t nbad = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!(sp->flags & SPOOL_SEND))
		return LT_EINVAL;
	if (max == 0)
		return 0;
	out->seq = xreallocarray(NULL, max, sizeof(*out->seq));
	out->events = xreallocarray(NULL, max, sizeof(*out->events));
	if ((rc = read_txn(sp, &txn)))
		goto batch_free;
	if ((rc = lt_from_mdb(mdb_cursor_open(txn, sp->queue, &cur))))
		goto txn_abort;
	uint8_t kb[8];
	be64_store(kb, after + 1);
	MDB_val k = {8, kb}, d;
	int mrc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	while (mrc == 0 && out->n < max) {
		uint64_t seq = be64_load(k.mv_data);
		Lawtally__V1__Event *e = d.mv_size > QREC_HEADER
			? lawtally__v1__event__unpack(&xalloc_protobuf, d.mv_size - QREC_HEADER,
						      (const uint8_t *)d.mv_data + QREC_HEADER)
			: NULL;
		if (e) {
			out->seq[out->n] = seq;
			out->events[out->n++] = e;
		} else if (nbad < sizeof(bad) / sizeof(bad[0])) {
			bad[nbad++] = seq;
		} else {
			break; /* the rest next time, after these are moved away */
		}
		mrc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (mrc != 0 && mrc != MDB_NOTFOUND) {
		rc = lt_from_mdb(mrc);
		goto batch_free;
	}
	if (out->n == 0)
		spool_batch_free(out); /* an empty batch holds nothing to free */
	if (nbad) {
		const char *why[sizeof(bad) / sizeof(bad[0])];
		for (size_t i = 0; i < nbad; i++)
			why[i] = "spool: the stored record does not decode";
		if ((rc = spool_settle(sp, bad, why, nbad)))
			goto batch_free;
	}
	return 0;
txn_abort:
	mdb_txn_abort(txn);
batch_free:
	spool_batch_free(out);
	return rc;
}

/*
 * The wait note of txn into st, if there is one. A note that does not
 * decode is taken as none: it is no figure, and the next note replaces it.
 */
static int wait_get(struct spool *sp, MDB_txn *txn, struct spool_status *st)
{
	MDB_val k = {sizeof(WAIT_KEY) - 1, WAIT_KEY}, d;
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

int spool_status(struct spool *sp, struct spool_status *st)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;
	memset(st, 0, sizeof(*st));
	if ((rc = read_txn(sp, &txn)))
		return rc;
	st->queued = entries(txn, sp->queue);
	st->rejected = entries(txn, sp->rejected);
	if ((rc = meta_get(txn, sp, "queued_bytes", &st->queued_bytes)) ||
	    (rc = meta_get(txn, sp, "rejected_bytes", &st->rejected_bytes)) ||
	    (rc = meta_get(txn, sp, "next_seq", &st->next_seq)) ||
	    (rc = wait_get(sp, txn, st)) ||
	    (rc = lt_from_mdb(mdb_cursor_open(txn, sp->queue, &cur))))
		goto txn_abort;
	MDB_val k, d;
	if (mdb_cursor_get(cur, &k, &d, MDB_FIRST) == 0 && d.mv_size >= QREC_HEADER)
		st->oldest = (int64_t)be64_load(d.mv_data);
	mdb_cursor_close(cur);
	st->max_events = sp->lim.max_events;
	st->max_bytes = sp->lim.max_bytes;
	if (sp->flags & SPOOL_SEND) {
		st->sender_pid = (long)getpid();
	} else {
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/" LOCK_FILE, sp->dir);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
				st->sender_pid = read_lock_pid(fd);
			close(fd);
		}
	}
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

int spool_note_wait(struct spool *sp, const char *why, int restart)
{
	MDB_txn *txn;
	MDB_val k = {sizeof(WAIT_KEY) - 1, WAIT_KEY};
	int rc;
	if (!(sp->flags & SPOOL_SEND))
		return LT_EINVAL;
	if ((rc = write_txn(sp, &txn)))
		return rc;
	if (!why) {
		rc = mdb_del(txn, sp->meta, &k, NULL);
		rc = rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
	} else {
		struct spool_status old = {0};
		uint8_t rec[WAIT_HEADER + SPOOL_REASON_MAX];
		size_t rlen = strnlen(why, SPOOL_REASON_MAX);
		uint64_t now = (uint64_t)time(NULL);
		rc = restart ? 0 : wait_get(sp, txn, &old);
		be64_store(rec, old.wait_since ? (uint64_t)old.wait_since : now);
		be64_store(rec + 8, now);
		memcpy(rec + WAIT_HEADER, why, rlen);
		MDB_val d = {WAIT_HEADER + rlen, rec};
		if (!rc)
			rc = lt_from_mdb(mdb_put(txn, sp->meta, &k, &d, 0));
	}
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return lt_from_mdb(mdb_txn_commit(txn));
}

int spool_count_queued(struct spool *sp, uint64_t first, uint64_t last, uint64_t *queued)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc;
	*queued = 0;
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

int spool_rejected(struct spool *sp, spool_rejected_fn fn, void *arg)
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
		const uint8_t *p = d.mv_data;
		size_t rlen = d.mv_size >= RREC_HEADER ? (size_t)be16_load(p + 16) : 0;
		if (d.mv_size < RREC_HEADER || rlen > d.mv_size - RREC_HEADER) {
			rc = LT_ECORRUPT;
			break;
		}
		char reason[SPOOL_REASON_MAX + 1];
		memcpy(reason, p + RREC_HEADER, rlen);
		reason[rlen] = '\0';
		size_t off = RREC_HEADER + rlen;
		Lawtally__V1__Event *e =
			lawtally__v1__event__unpack(&xalloc_protobuf, d.mv_size - off, p + off);
		rc = fn(be64_load(k.mv_data), (int64_t)be64_load(p), reason, e, arg);
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

int spool_rejected_clear(struct spool *sp, uint64_t *n)
{
	MDB_txn *txn;
	int rc;
	if ((rc = write_txn(sp, &txn)))
		return rc;
	*n = entries(txn, sp->rejected);
	if ((rc = lt_from_mdb(mdb_drop(txn, sp->rejected, 0))) ||
	    (rc = meta_put(txn, sp, "rejected_bytes", 0))) {
		mdb_txn_abort(txn);
		return rc;
	}
	return lt_from_mdb(mdb_txn_commit(txn));
}
