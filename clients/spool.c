/*
 * spool.c - the sender's durable queue in LMDB (see spool.h): opening,
 * the sender lock, enqueueing and settling. Record layouts are in
 * spool_int.h; status and walks in spool_read.c. LMDB codes become LT_E*
 * codes through err.h's lt_from_mdb, as in the daemon's store.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "byteorder.h"
#include "dirs.h"
#include "err.h"
#include "spool_int.h"
#include "xalloc.h"

#define SPOOL_VERSION 1
#define DATA_FILE "data.mdb"
#define LMDB_LOCK_FILE "lock.mdb"
#define MAP_SLACK ((size_t)64 << 20)
#define DAY 86400
/* How long a process that finds the lock held waits for its holder's pid. */
#define PID_TRIES 40
#define PID_NAP_NS 5000000L

static void scratch(struct spool *sp, size_t need)
{
	if (need <= sp->bufcap)
		return;
	sp->buf = xrealloc(sp->buf, need);
	sp->bufcap = need;
}

int spool_meta_get(MDB_txn *txn, struct spool *sp, const char *name, uint64_t *v)
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

/*
 * The spool's numbering (docs/protocol.md, "Sequence numbers"): a random
 * non-zero epoch, made when the spool is created (or, for a spool from
 * before numbering, at its next enqueue), and per source a counter of the
 * numbers given, meta "seq:SOURCE" (absent: none yet).
 */
static int epoch_get(MDB_txn *txn, struct spool *sp, uint64_t *epoch)
{
	int rc = spool_meta_get(txn, sp, "epoch", epoch);
	if (rc || *epoch)
		return rc;
	do {
		if (getrandom(epoch, sizeof(*epoch), 0) != (ssize_t)sizeof(*epoch))
			return LT_ESYS;
	} while (*epoch == 0);
	return meta_put(txn, sp, "epoch", *epoch);
}

/* The meta key of source's counter into key ("seq:" and the source, cut to 64 bytes). */
static void counter_key(const char *source, char key[5 + 64 + 1])
{
	snprintf(key, 5 + 64 + 1, "seq:%.64s", source ? source : "");
}

uint64_t spool_entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat st;
	return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

long spool_lock_pid(int fd)
{
	char b[32] = {0};
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);
	return r > 0 ? strtol(b, NULL, 10) : 0;
}

/*
 * The line for a process the spool's permissions keep out: the spool is
 * shared through its directory's group, so it names that group.
 */
static void no_access(const char *dir, const char *what, char *err, size_t errlen)
{
	struct stat st;
	char gname[64] = SPOOL_GROUP;
	if (stat(dir, &st) == 0) {
		struct group *g = getgrgid(st.st_gid);
		if (g)
			snprintf(gname, sizeof(gname), "%s", g->gr_name);
		else
			snprintf(gname, sizeof(gname), "%u", (unsigned)st.st_gid);
	}
	snprintf(err, errlen,
		 "spool %s: %s: permission denied; only root and the members of the group %s may "
		 "use it (usermod -aG %s USER, then log in again)",
		 dir, what, gname, gname);
}

/*
 * Creates the spool's directory when missing: mode 2770 whatever the
 * umask (the files made in it get its group), and as root the group
 * SPOOL_GROUP when the machine has it, as the agent's unit would.
 */
static int make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0;
	if (dirs_make(dir, 0770) != 0) {
		int e = errno;
		snprintf(err, errlen, "spool %s: cannot create it: %s%s", dir, strerror(e),
			 e == EACCES ? " (the lawtally agent's service makes it: "
				       "systemctl start lawtally-agent)" : "");
		return LT_ESYS;
	}
	if (geteuid() == 0) {
		struct group *g = getgrnam(SPOOL_GROUP);
		if (g && chown(dir, (uid_t)-1, g->gr_gid) != 0) {
			snprintf(err, errlen, "spool %s: chown: %s", dir, strerror(errno));
			return LT_ESYS;
		}
	}
	if (chmod(dir, 02770) != 0) {
		snprintf(err, errlen, "spool %s: chmod: %s", dir, strerror(errno));
		return LT_ESYS;
	}
	return 0;
}

/*
 * Opens (creating) DIR/name for reading and writing with the group's
 * read and write bits set whatever the umask, so that the agent and the
 * mediators' accounts can all open it; LMDB then opens the files as
 * they are. Returns the descriptor, or -1 with err written.
 */
static int open_shared(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			no_access(dir, name, err, errlen);
		else
			snprintf(err, errlen, "spool %s: %s: %s", dir, name, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 0660) != 0660 &&
	    fchmod(fd, (st.st_mode & 07777) | 0660) != 0) {
		snprintf(err, errlen, "spool %s: %s: chmod: %s", dir, name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int take_sender_lock(struct spool *sp, char *err, size_t errlen)
{
	if (sp->sending)
		return 0;
	if (sp->lock_fd < 0 && (sp->lock_fd = open_shared(sp->dir, LOCK_FILE, err, errlen)) < 0)
		return LT_ESYS;
	/*
	 * flock (not fcntl) locks belong to the open file, so a process killed
	 * with -9 releases it at once. The holder writes its pid just after it
	 * took the lock: one that finds the lock held waits a moment for it.
	 */
	long pid = 0;
	for (int i = 0; i < PID_TRIES; i++) {
		if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) == 0)
			goto locked;
		if (errno != EWOULDBLOCK) {
			snprintf(err, errlen, "spool %s: lock: %s", sp->dir, strerror(errno));
			return LT_ESYS;
		}
		if ((pid = spool_lock_pid(sp->lock_fd)) > 0)
			break;
		nanosleep(&(struct timespec){0, PID_NAP_NS}, NULL);
	}
	if (pid > 0)
		snprintf(err, errlen, "spool %s: another process (pid %ld) is sending from it", sp->dir,
			 pid);
	else
		snprintf(err, errlen, "spool %s: another process is sending from it", sp->dir);
	return LT_EBUSY;
locked:;
	char text[24];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(sp->lock_fd, 0) != 0 || pwrite(sp->lock_fd, text, (size_t)len, 0) != len) {
		snprintf(err, errlen, "spool %s: %s: %s", sp->dir, LOCK_FILE, strerror(errno));
		flock(sp->lock_fd, LOCK_UN);
		return LT_ESYS;
	}
	sp->sending = 1;
	return 0;
}

int spool_lock_sender(struct spool *sp, char *err, size_t errlen)
{
	err[0] = '\0';
	pthread_mutex_lock(&sp->mu);
	int rc = take_sender_lock(sp, err, errlen);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/* Opens the four tables and checks (or, when new, writes) the version. */
static int open_tables(struct spool *sp, char *err, size_t errlen)
{
	MDB_txn *txn;
	int rc = lt_from_mdb(mdb_txn_begin(sp->env, NULL, 0, &txn));
	if (rc)
		goto fail;
	uint64_t version = 0;
	if ((rc = lt_from_mdb(mdb_dbi_open(txn, "queue", MDB_CREATE, &sp->queue))) ||
	    (rc = lt_from_mdb(mdb_dbi_open(txn, "rejected", MDB_CREATE, &sp->rejected))) ||
	    (rc = lt_from_mdb(mdb_dbi_open(txn, "delivered", MDB_CREATE, &sp->delivered))) ||
	    (rc = lt_from_mdb(mdb_dbi_open(txn, "meta", MDB_CREATE, &sp->meta))) ||
	    (rc = spool_meta_get(txn, sp, "version", &version)))
		goto txn_abort;
	if (version == 0) {
		uint64_t epoch;
		if ((rc = meta_put(txn, sp, "version", SPOOL_VERSION)) ||
		    (rc = meta_put(txn, sp, "next_seq", 1)) ||
		    (rc = epoch_get(txn, sp, &epoch)))
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
	int rc, fd;
	err[0] = '\0';
	sp->lock_fd = -1;
	sp->flags = flags;
	pthread_mutex_init(&sp->mu, NULL);
	sp->lim.max_events = limits && limits->max_events ? limits->max_events
							   : SPOOL_DEFAULT_MAX_EVENTS;
	sp->lim.max_bytes = limits && limits->max_bytes ? limits->max_bytes : SPOOL_DEFAULT_MAX_BYTES;
	if (snprintf(sp->dir, sizeof(sp->dir), "%s", dir) >= (int)sizeof(sp->dir) - 16) {
		snprintf(err, errlen, "spool directory name too long");
		rc = LT_EINVAL;
		goto free_spool;
	}
	if (flags & SPOOL_CREATE) {
		if ((rc = make_dir(dir, err, errlen)))
			goto free_spool;
	} else {
		char data[PATH_MAX + 16];
		snprintf(data, sizeof(data), "%s/" DATA_FILE, dir);
		if (stat(data, &st) != 0) {
			if (errno == EACCES) {
				no_access(dir, DATA_FILE, err, errlen);
				rc = LT_ESYS;
			} else {
				snprintf(err, errlen, "no spool at %s", dir);
				rc = LT_ENOTFOUND;
			}
			goto free_spool;
		}
	}
	if ((fd = open_shared(dir, DATA_FILE, err, errlen)) < 0 ||
	    (close(fd), fd = open_shared(dir, LMDB_LOCK_FILE, err, errlen)) < 0) {
		rc = LT_ESYS;
		goto free_spool;
	}
	close(fd);
	if (flags & SPOOL_SEND && (rc = take_sender_lock(sp, err, errlen)))
		goto close_lock;
	size_t map = (size_t)sp->lim.max_bytes * 4 + MAP_SLACK;
	unsigned envflags = MDB_NOTLS | (flags & SPOOL_NOSYNC ? MDB_NOSYNC : 0);
	if ((rc = lt_from_mdb(mdb_env_create(&sp->env))) ||
	    (rc = lt_from_mdb(mdb_env_set_maxdbs(sp->env, 4))) ||
	    (rc = lt_from_mdb(mdb_env_set_mapsize(sp->env, map))) ||
	    (rc = lt_from_mdb(mdb_env_open(sp->env, dir, envflags, 0660)))) {
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
	pthread_mutex_destroy(&sp->mu);
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
		if (sp->sending && ftruncate(sp->lock_fd, 0) != 0) {
			/* only the pid shown by `spool status` is stale */
		}
		close(sp->lock_fd); /* releases the flock */
	}
	pthread_mutex_destroy(&sp->mu);
	free(sp->buf);
	free(sp);
	*spp = NULL;
}

static int write_txn(struct spool *sp, MDB_txn **txn)
{
	return lt_from_mdb(mdb_txn_begin(sp->env, NULL, 0, txn));
}

/*
 * The numbers of events[0..n) into num: each source's next, counted on
 * from its counter (an event numbered already keeps its own: num 0).
 * The counters are written back in txn.
 */
static int number_events(MDB_txn *txn, struct spool *sp, Lawtally__V1__Event *const *events,
			 size_t n, uint64_t *num)
{
	struct counter {
		const char *source;
		uint64_t last;
	} *c = xcalloc(n, sizeof(*c));
	size_t nc = 0, k;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (events[i]->seq)
			continue;
		const char *src = events[i]->source ? events[i]->source : "";
		for (k = 0; k < nc && strncmp(c[k].source, src, 64) != 0; k++)
			;
		if (k == nc) {
			char key[5 + 64 + 1];
			counter_key(src, key);
			c[nc].source = src;
			rc = spool_meta_get(txn, sp, key, &c[nc++].last);
		}
		num[i] = ++c[k].last;
	}
	for (k = 0; k < nc && !rc; k++) {
		char key[5 + 64 + 1];
		counter_key(c[k].source, key);
		rc = meta_put(txn, sp, key, c[k].last);
	}
	free(c);
	return rc;
}

/*
 * An event as the spool keeps it: numbered seq of epoch, unless it carries
 * a number already (an event relayed from another sender keeps its own).
 * The caller's event is left as it was.
 */
static size_t numbered_size(Lawtally__V1__Event *e, uint64_t seq, uint64_t epoch)
{
	if (e->seq)
		return lawtally__v1__event__get_packed_size(e);
	e->seq = seq;
	e->epoch = epoch;
	size_t len = lawtally__v1__event__get_packed_size(e);
	e->seq = e->epoch = 0;
	return len;
}

static size_t numbered_pack(Lawtally__V1__Event *e, uint64_t seq, uint64_t epoch, uint8_t *out)
{
	if (e->seq)
		return lawtally__v1__event__pack(e, out);
	e->seq = seq;
	e->epoch = epoch;
	size_t len = lawtally__v1__event__pack(e, out);
	e->seq = e->epoch = 0;
	return len;
}

/*
 * Appends events[0..n) to the queue inside txn: the checks and records of
 * spool_enqueue(). Leaves txn to the caller, aborted or not.
 */
static int enqueue_numbered(struct spool *sp, MDB_txn *txn, Lawtally__V1__Event *const *events,
			    size_t n, uint64_t *num, uint64_t *first_seq, char *err, size_t errlen)
{
	uint64_t next, qbytes, rbytes, added = 0, epoch;
	int rc;
	if ((rc = spool_meta_get(txn, sp, "next_seq", &next)) || (rc = epoch_get(txn, sp, &epoch)) ||
	    (rc = number_events(txn, sp, events, n, num)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t len = numbered_size(events[i], num[i], epoch);
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
	scratch(sp, QREC_HEADER + SPOOL_EVENT_MAX);
	if ((rc = spool_meta_get(txn, sp, "queued_bytes", &qbytes)) ||
	    (rc = spool_meta_get(txn, sp, "rejected_bytes", &rbytes)))
		goto fail;
	uint64_t held = spool_entries(txn, sp->queue) + spool_entries(txn, sp->rejected);
	if (held + n > sp->lim.max_events || qbytes + rbytes + added > sp->lim.max_bytes) {
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
		size_t len = numbered_pack(events[i], num[i], epoch, sp->buf + QREC_HEADER);
		MDB_val k = {8, kb}, d = {QREC_HEADER + len, sp->buf};
		if ((rc = lt_from_mdb(mdb_put(txn, sp->queue, &k, &d, MDB_APPEND))))
			goto fail;
	}
	if ((rc = meta_put(txn, sp, "next_seq", next + n)) ||
	    (rc = meta_put(txn, sp, "queued_bytes", qbytes + added)))
		goto fail;
	if (first_seq)
		*first_seq = next;
	return 0;
fail:
	snprintf(err, errlen, "spool %s: cannot store the events: %s", sp->dir,
		 rc == LT_EFULL ? "its map or the disk is full" : lt_strerror(rc));
	return rc;
}

static int enqueue_in(struct spool *sp, MDB_txn *txn, Lawtally__V1__Event *const *events,
		      size_t n, uint64_t *first_seq, char *err, size_t errlen)
{
	uint64_t *num = xcalloc(n, sizeof(*num));
	int rc = enqueue_numbered(sp, txn, events, n, num, first_seq, err, errlen);
	free(num);
	return rc;
}

/* Commits txn, saying so in err on failure. */
static int commit(struct spool *sp, MDB_txn *txn, char *err, size_t errlen)
{
	int rc = lt_from_mdb(mdb_txn_commit(txn));
	if (rc)
		snprintf(err, errlen, "spool %s: cannot store the events: %s", sp->dir,
			 rc == LT_EFULL ? "its map or the disk is full" : lt_strerror(rc));
	return rc;
}

int spool_enqueue(struct spool *sp, Lawtally__V1__Event *const *events, size_t n,
		  uint64_t *first_seq, char *err, size_t errlen)
{
	MDB_txn *txn;
	int rc;
	err[0] = '\0';
	if (n == 0)
		return 0;
	pthread_mutex_lock(&sp->mu);
	if ((rc = write_txn(sp, &txn))) {
		snprintf(err, errlen, "spool %s: cannot store the events: %s", sp->dir,
			 lt_strerror(rc));
	} else if ((rc = enqueue_in(sp, txn, events, n, first_seq, err, errlen))) {
		mdb_txn_abort(txn);
	} else {
		rc = commit(sp, txn, err, errlen);
	}
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

int spool_replace(struct spool *sp, uint64_t rejected_seq, Lawtally__V1__Event *const *events,
		  size_t n, uint64_t *first_seq, char *err, size_t errlen)
{
	MDB_txn *txn;
	uint64_t rbytes;
	uint8_t kb[8];
	int rc;
	err[0] = '\0';
	be64_store(kb, rejected_seq);
	MDB_val k = {8, kb}, d;
	pthread_mutex_lock(&sp->mu);
	if ((rc = write_txn(sp, &txn))) {
		snprintf(err, errlen, "spool %s: %s", sp->dir, lt_strerror(rc));
		goto unlock;
	}
	if ((rc = mdb_get(txn, sp->rejected, &k, &d)) == MDB_NOTFOUND) {
		snprintf(err, errlen, "spool %s: no rejected event #%llu", sp->dir,
			 (unsigned long long)rejected_seq);
		rc = LT_ENOTFOUND;
		goto txn_abort;
	}
	if ((rc = lt_from_mdb(rc)) || (rc = spool_meta_get(txn, sp, "rejected_bytes", &rbytes)) ||
	    (rc = meta_put(txn, sp, "rejected_bytes", rbytes - d.mv_size)) ||
	    (rc = lt_from_mdb(mdb_del(txn, sp->rejected, &k, NULL)))) {
		snprintf(err, errlen, "spool %s: %s", sp->dir, lt_strerror(rc));
		goto txn_abort;
	}
	if ((rc = enqueue_in(sp, txn, events, n, first_seq, err, errlen)))
		goto txn_abort;
	rc = commit(sp, txn, err, errlen);
	goto unlock;
txn_abort:
	mdb_txn_abort(txn);
unlock:
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/*
 * Moves queue record val (key seq) to the rejected list with reason,
 * inside txn, and keeps the byte counters *qbytes / *rbytes in step.
 */
static int move_to_rejected(struct spool *sp, MDB_txn *txn, uint64_t seq, const MDB_val *val,
			    const char *reason, int64_t now, uint64_t *qbytes, uint64_t *rbytes)
{
	size_t rlen = strnlen(reason, SPOOL_REASON_MAX);
	size_t elen = val->mv_size - QREC_HEADER;
	size_t total = RREC_HEADER + rlen + elen;
	uint8_t kb[8];
	int rc;
	scratch(sp, total);
	be64_store(sp->buf, (uint64_t)now);
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

/* Moves queue record val (key seq) to the delivered log, inside txn. */
static int move_to_delivered(struct spool *sp, MDB_txn *txn, uint64_t seq, const MDB_val *val,
			     int64_t now, uint64_t *qbytes)
{
	size_t elen = val->mv_size - QREC_HEADER;
	uint8_t kb[8];
	int rc;
	scratch(sp, DREC_HEADER + elen);
	be64_store(sp->buf, (uint64_t)now);
	memcpy(sp->buf + 8, val->mv_data, 8); /* enqueued_at */
	memcpy(sp->buf + DREC_HEADER, (const uint8_t *)val->mv_data + QREC_HEADER, elen);
	uint64_t vsize = val->mv_size;
	be64_store(kb, seq);
	MDB_val k = {8, kb}, d = {DREC_HEADER + elen, sp->buf};
	if ((rc = lt_from_mdb(mdb_put(txn, sp->delivered, &k, &d, 0))) ||
	    (rc = lt_from_mdb(mdb_del(txn, sp->queue, &k, NULL))))
		return rc;
	*qbytes -= vsize;
	return 0;
}

/* Drops the oldest records of the delivered log beyond its bounds. */
static int trim_delivered(struct spool *sp, MDB_txn *txn, int64_t now)
{
	MDB_cursor *cur;
	MDB_val k, d;
	uint64_t n = spool_entries(txn, sp->delivered);
	int rc = lt_from_mdb(mdb_cursor_open(txn, sp->delivered, &cur));
	if (rc)
		return rc;
	int mrc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	while (mrc == 0 && (n > SPOOL_DELIVERED_MAX ||
			    (d.mv_size >= 8 &&
			     (int64_t)be64_load(d.mv_data) < now - (int64_t)SPOOL_DELIVERED_DAYS * DAY))) {
		if ((mrc = mdb_cursor_del(cur, 0)) != 0)
			break;
		n--;
		mrc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	}
	mdb_cursor_close(cur);
	return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : lt_from_mdb(mrc);
}

static int settle_locked(struct spool *sp, const uint64_t *seq, const char *const *reason,
			 size_t n)
{
	MDB_txn *txn;
	uint64_t qbytes, rbytes;
	int64_t now = (int64_t)time(NULL);
	int rc, delivered = 0;
	if (!sp->sending)
		return LT_EINVAL;
	if (n == 0)
		return 0;
	if ((rc = write_txn(sp, &txn)))
		return rc;
	if ((rc = spool_meta_get(txn, sp, "queued_bytes", &qbytes)) ||
	    (rc = spool_meta_get(txn, sp, "rejected_bytes", &rbytes)))
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
			rc = move_to_rejected(sp, txn, seq[i], &d, reason[i], now, &qbytes, &rbytes);
		} else {
			rc = move_to_delivered(sp, txn, seq[i], &d, now, &qbytes);
			delivered = 1;
		}
		if (rc)
			goto txn_abort;
	}
	if ((rc = meta_put(txn, sp, "queued_bytes", qbytes)) ||
	    (rc = meta_put(txn, sp, "rejected_bytes", rbytes)) ||
	    (delivered && (rc = meta_put(txn, sp, "last_delivered", (uint64_t)now))) ||
	    (delivered && (rc = trim_delivered(sp, txn, now))))
		goto txn_abort;
	return lt_from_mdb(mdb_txn_commit(txn));
txn_abort:
	mdb_txn_abort(txn);
	return rc;
}

int spool_settle(struct spool *sp, const uint64_t *seq, const char *const *reason, size_t n)
{
	pthread_mutex_lock(&sp->mu);
	int rc = settle_locked(sp, seq, reason, n);
	pthread_mutex_unlock(&sp->mu);
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

static int take_locked(struct spool *sp, uint64_t after, size_t max, struct spool_batch *out)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	uint64_t bad[16];
	size_t nbad = 0;
	int rc;
	if (!sp->sending)
		return LT_EINVAL;
	if (max == 0)
		return 0;
	out->seq = xreallocarray(NULL, max, sizeof(*out->seq));
	out->events = xreallocarray(NULL, max, sizeof(*out->events));
	if ((rc = lt_from_mdb(mdb_txn_begin(sp->env, NULL, MDB_RDONLY, &txn))))
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
		if ((rc = settle_locked(sp, bad, why, nbad)))
			goto batch_free;
	}
	return 0;
txn_abort:
	mdb_txn_abort(txn);
batch_free:
	spool_batch_free(out);
	return rc;
}

int spool_take(struct spool *sp, uint64_t after, size_t max, struct spool_batch *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&sp->mu);
	int rc = take_locked(sp, after, max, out);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

int spool_rejected_clear(struct spool *sp, uint64_t *n)
{
	MDB_txn *txn;
	int rc;
	pthread_mutex_lock(&sp->mu);
	if ((rc = write_txn(sp, &txn)))
		goto unlock;
	*n = spool_entries(txn, sp->rejected);
	if ((rc = lt_from_mdb(mdb_drop(txn, sp->rejected, 0))) ||
	    (rc = meta_put(txn, sp, "rejected_bytes", 0))) {
		mdb_txn_abort(txn);
		goto unlock;
	}
	rc = lt_from_mdb(mdb_txn_commit(txn));
unlock:
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

int spool_note_wait(struct spool *sp, const char *why, int restart)
{
	MDB_txn *txn;
	MDB_val k = {sizeof(SPOOL_WAIT_KEY) - 1, SPOOL_WAIT_KEY};
	int rc;
	if (!sp->sending)
		return LT_EINVAL;
	pthread_mutex_lock(&sp->mu);
	if ((rc = write_txn(sp, &txn)))
		goto unlock;
	if (!why) {
		rc = mdb_del(txn, sp->meta, &k, NULL);
		rc = rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
	} else {
		struct spool_status old = {0};
		uint8_t rec[WAIT_HEADER + SPOOL_REASON_MAX];
		size_t rlen = strnlen(why, SPOOL_REASON_MAX);
		uint64_t now = (uint64_t)time(NULL);
		rc = restart ? 0 : spool_wait_get(sp, txn, &old);
		be64_store(rec, old.wait_since ? (uint64_t)old.wait_since : now);
		be64_store(rec + 8, now);
		memcpy(rec + WAIT_HEADER, why, rlen);
		MDB_val d = {WAIT_HEADER + rlen, rec};
		if (!rc)
			rc = lt_from_mdb(mdb_put(txn, sp->meta, &k, &d, 0));
	}
	if (rc) {
		mdb_txn_abort(txn);
		goto unlock;
	}
	rc = lt_from_mdb(mdb_txn_commit(txn));
unlock:
	pthread_mutex_unlock(&sp->mu);
	return rc;
}
