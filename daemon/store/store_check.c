/*
 * store_check.c - damage inside the store: sealed values read and written,
 * the damage the store has met, the walk of every record (lawtally verify
 * and the daemon's scrub), and the last commit kept beside the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

/* ---- sealed values ------------------------------------------------------- */

const char *store_db_name(const struct store *s, MDB_dbi db)
{
	const struct {
		const MDB_dbi *dbi;
		const char *name;
	} names[] = {
		{&s->meta, "meta"}, {&s->events, "events"}, {&s->ids, "ids"},
		{&s->cases, "cases"}, {&s->totals, "totals"}, {&s->rollups, "rollups"},
		{&s->closed, "closed"}, {&s->senders, "senders"}, {&s->seqs, "seqs"},
		{&s->ttotals, "ttotals"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (*names[i].dbi == db)
			return names[i].name;
	return "?";
}

void store_note_damage_line(struct store *s, const char *what)
{
	atomic_fetch_add(&s->damaged_records, 1);
	pthread_mutex_lock(&s->damage_mu);
	int first = !atomic_load(&s->damaged);
	if (first) {
		snprintf(s->damage, sizeof(s->damage), "%s", what);
		atomic_store(&s->damaged, 1);
	}
	pthread_mutex_unlock(&s->damage_mu);
	if (first && !s->read_only)
		log_crit("store: %s; no more events are stored: restore a backup (lawtally "
			 "restore) and restart; lawtally verify lists every damaged record", what);
}

void store_note_damage(struct store *s, MDB_dbi db, const MDB_val *k, const char *what)
{
	char hex[2 * 24 + 4], line[200];
	record_hex(k->mv_data, k->mv_size, hex, sizeof(hex));
	snprintf(line, sizeof(line), "damaged record in %s, key %s: %s", store_db_name(s, db),
		 hex, what);
	store_note_damage_line(s, line);
}

int store_damaged(struct store *s, char *buf, size_t len)
{
	if (!atomic_load(&s->damaged))
		return 0;
	if (len == 0)
		return 1;
	pthread_mutex_lock(&s->damage_mu);
	snprintf(buf, len, "%s", s->damage);
	pthread_mutex_unlock(&s->damage_mu);
	return 1;
}

const char *store_strerror(struct store *s, int rc, char *buf, size_t len)
{
	char why[sizeof(s->damage)];
	if (rc != LT_ECORRUPT || !store_damaged(s, why, sizeof(why)))
		snprintf(buf, len, "%s", lt_strerror(rc));
	else
		snprintf(buf, len, "%s: %s", lt_strerror(rc), why);
	return buf;
}

/*
 * LMDB 0.9's leaf nodes: an 8-byte header, the key, then the value, when
 * the node fits in a page (at most a nodemax of bytes, so that two fit in
 * one); a larger value is the data of a run of overflow pages, right after
 * the first one's 16-byte header (flags, then its count of pages). A
 * damaged node can give a key or a value a size that runs off its page
 * and, near the end of the file, off the map: reading it for its checksum
 * would fault. (LMDB itself reads the key: it may already have.)
 */
#define NODE_HEADER 8
#define PAGE_HEADER 16
#define P_OVERFLOW 0x04

int store_bytes_in_page(const struct store *s, const MDB_val *k, const MDB_val *v)
{
	size_t nodemax = ((s->psize - PAGE_HEADER) / 2 & ~(size_t)1) - 2;
	if (k->mv_size > STORE_KEY_MAX)
		return 0;
	if ((const uint8_t *)v->mv_data == (const uint8_t *)k->mv_data + k->mv_size)
		return NODE_HEADER + k->mv_size + v->mv_size <= nodemax;
	const uint8_t *run = (const uint8_t *)v->mv_data - PAGE_HEADER;
	uint16_t flags;
	uint32_t pages;
	memcpy(&flags, run + 10, sizeof(flags));
	memcpy(&pages, run + 12, sizeof(pages));
	return (flags & P_OVERFLOW) && v->mv_size <= (uint64_t)pages * s->psize - PAGE_HEADER;
}

int store_val_open(struct store *s, MDB_dbi db, const MDB_val *k, MDB_val *v)
{
	if (!s->sealed)
		return 0;
	if (!store_bytes_in_page(s, k, v)) {
		store_note_damage(s, db, k, "its size runs off its page");
		return MDB_CORRUPTED;
	}
	if (record_open(k, v) == 0)
		return 0;
	store_note_damage(s, db, k, "checksum mismatch");
	return MDB_CORRUPTED;
}

int store_get(struct store *s, MDB_cursor *c, MDB_txn *txn, MDB_dbi db, const MDB_val *key,
	      MDB_val *v)
{
	MDB_cursor *own = NULL;
	int rc = 0;
	if (!c && (rc = mdb_cursor_open(txn, db, &own)) != 0)
		return rc;
	/* the key as the page holds it: its place says whether the value is beside it */
	MDB_val k = *key;
	rc = mdb_cursor_get(c ? c : own, &k, v, MDB_SET_KEY);
	if (own)
		mdb_cursor_close(own);
	return rc ? rc : store_val_open(s, db, &k, v);
}

int store_put_reserve(MDB_txn *txn, MDB_dbi db, const MDB_val *k, size_t vlen,
		      unsigned flags, uint8_t **p)
{
	MDB_val v = {vlen + RECORD_SEAL_LEN, NULL};
	int rc = mdb_put(txn, db, (MDB_val *)k, &v, flags | MDB_RESERVE);
	*p = rc ? NULL : v.mv_data;
	return rc;
}

int store_put_sealed(struct store *s, MDB_txn *txn, MDB_dbi db, const MDB_val *k,
		     const void *v, size_t vlen, unsigned flags)
{
	uint8_t *p;
	(void)s;
	int rc = store_put_reserve(txn, db, k, vlen, flags, &p);
	if (rc)
		return rc;
	memcpy(p, v, vlen);
	record_seal(k, p, vlen);
	return 0;
}

/* ---- the last commit ----------------------------------------------------- */

/*
 * The file holds one line: the id in 20 decimal digits, a blank, the
 * CRC-32 of the digits in 8 hex digits. Always the same length, so that
 * it is rewritten in place by one pwrite.
 */
#define COMMIT_LINE_LEN 30

static int commit_path(const char *dir, char *out, size_t len)
{
	return snprintf(out, len, "%s/%s", dir, STORE_COMMIT_FILE) < (int)len ? 0 : LT_EINVAL;
}

static void commit_line(uint64_t id, char out[COMMIT_LINE_LEN + 1])
{
	char digits[21];
	snprintf(digits, sizeof(digits), "%020" PRIu64, id);
	uint32_t c = crc32_gzip_refl(0, (const unsigned char *)digits, 20);
	snprintf(out, COMMIT_LINE_LEN + 1, "%s %08lx\n", digits, (unsigned long)c);
}

int store_commit_read(const char *dir, uint64_t *id)
{
	char path[4200], text[COMMIT_LINE_LEN + 1], want[COMMIT_LINE_LEN + 1];
	*id = 0;
	if (commit_path(dir, path, sizeof(path)))
		return LT_EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : LT_ESYS;
	ssize_t n = pread(fd, text, COMMIT_LINE_LEN, 0);
	close(fd);
	if (n != COMMIT_LINE_LEN)
		return LT_ECORRUPT;
	text[COMMIT_LINE_LEN] = '\0';
	char *end;
	errno = 0;
	uint64_t v = strtoull(text, &end, 10);
	if (errno || end != text + 20)
		return LT_ECORRUPT;
	commit_line(v, want);
	if (strcmp(text, want) != 0)
		return LT_ECORRUPT;
	*id = v;
	return 0;
}

int store_commit_mark(struct store *s, MDB_txn *txn)
{
	uint8_t id[8];
	MDB_val k = {6, "commit"};
	le64_store(id, (uint64_t)mdb_txn_id(txn));
	return store_put_sealed(s, txn, s->meta, &k, id, sizeof(id), 0);
}

void store_commit_note(struct store *s, uint64_t id)
{
	char line[COMMIT_LINE_LEN + 1];
	if (s->commit_fd < 0)
		return;
	commit_line(id, line);
	/* a failed write leaves the file behind the store, which it may be */
	if (pwrite(s->commit_fd, line, COMMIT_LINE_LEN, 0) != COMMIT_LINE_LEN)
		log_warn("store: cannot write %s: %s", STORE_COMMIT_FILE, strerror(errno));
}

int store_commit_file_open(struct store *s, const char *dir, uint64_t id, char *err,
			   size_t errlen)
{
	char path[4200];
	if (commit_path(dir, path, sizeof(path))) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return LT_EINVAL;
	}
	s->commit_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->commit_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return LT_ESYS;
	}
	store_commit_note(s, id);
	return 0;
}

int store_commit_check(struct store *s, MDB_txn *txn, uint64_t recorded, const char *dir,
		       char *err, size_t errlen)
{
	/* the id of the last commit: a write transaction's own is the next one */
	uint64_t last = (uint64_t)mdb_txn_id(txn) - (s->read_only ? 0 : 1);
	MDB_val k = {6, "commit"}, v;
	int rc = store_get(s, NULL, txn, s->meta, &k, &v);
	if (rc == MDB_CORRUPTED || (rc == 0 && v.mv_size != 8)) {
		snprintf(err, errlen, "its record of the last commit is damaged (meta \"commit\")");
		return LT_ECORRUPT;
	}
	if (rc && rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "cannot read store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	/*
	 * A tree written by an earlier transaction than its meta page names:
	 * the older meta page with a damaged id has become the newest (or
	 * another program wrote the store). A later one is a compacted copy
	 * (backup, restore): LMDB numbers its one transaction 1.
	 */
	uint64_t wrote = rc == 0 ? le64_load(v.mv_data) : 0;
	if (rc == 0 && wrote < last) {
		snprintf(err, errlen,
			 "its newest meta page names transaction %" PRIu64 ", but its data was last "
			 "written by transaction %" PRIu64 ": a damaged meta page, or a change made by "
			 "another program",
			 last, wrote);
		return LT_ECORRUPT;
	}
	if (recorded > last && last == 0) {
		snprintf(err, errlen,
			 "the store file is new or empty, but lawtallyd had committed transaction "
			 "%" PRIu64 " here (%s/%s): data.mdb was lost",
			 recorded, dir, STORE_COMMIT_FILE);
		return LT_ECORRUPT;
	}
	if (recorded > last) {
		snprintf(err, errlen,
			 "the store went back to an older commit: its last transaction is %" PRIu64
			 ", but lawtallyd had committed %" PRIu64 " (%s/%s)",
			 last, recorded, dir, STORE_COMMIT_FILE);
		return LT_ECORRUPT;
	}
	return 0;
}

/* ---- the walk of every record ------------------------------------------- */

void store_walk_start(struct store_walk *w)
{
	memset(w, 0, sizeof(*w));
}

/* The i-th database of the walk; 0 if the store has none such (an older store). */
static int walk_db(struct store *s, unsigned i, MDB_dbi *db, int *sealed)
{
	const MDB_dbi dbs[STORE_WALK_DBS] = {s->meta,   s->events,  s->ids,  s->cases,
					     s->totals, s->rollups, s->closed, s->senders,
					     s->seqs,   s->ttotals};
	if ((i == 5 && !s->has_rollups) || (i == 6 && !s->has_office_dbs) ||
	    (i == 7 && !s->has_office_dbs) || (i == 8 && !s->has_seqs) ||
	    (i == 9 && !s->has_ttotals))
		return 0;
	*db = dbs[i];
	*sealed = s->sealed && dbs[i] != s->ids;
	return 1;
}

struct walk_ctx {
	struct store *s;
	MDB_txn *txn;
	MDB_dbi db;
	struct store_walk *w;
	store_note_fn fn;
	void *arg;
	size_t psize;
};

static void walk_damaged(struct walk_ctx *c, const MDB_val *k, const MDB_val *v,
			 const char *what)
{
	char hex[2 * 40 + 4], bytes[4 * 48 + 4], line[512];
	c->w->damaged++;
	store_note_damage(c->s, c->db, k, what);
	if (!c->fn)
		return;
	record_hex(k->mv_data, k->mv_size, hex, sizeof(hex));
	record_escape(v->mv_data, v->mv_size, bytes, sizeof(bytes));
	snprintf(line, sizeof(line), "damaged record in %s, key %s: %s; its %zu bytes: \"%s\"",
		 store_db_name(c->s, c->db), hex, what, v->mv_size, bytes);
	c->fn(line, c->arg);
}

/*
 * A lookup by the key must find the very record the walk is on: with a
 * damaged branch page, a search (and a range scan's start) goes to
 * another leaf. Checked for the first and the last record of each leaf
 * page, the ones the branch keys above them divide.
 */
static void walk_lookup(struct walk_ctx *c, const MDB_val *k, const MDB_val *v)
{
	MDB_val got;
	int rc = mdb_get(c->txn, c->db, (MDB_val *)k, &got);
	if (rc != 0 || got.mv_data != v->mv_data)
		walk_damaged(c, k, v, "a lookup by its key does not find it (damaged index)");
}

static uintptr_t page_of(const struct walk_ctx *c, const void *p)
{
	return (uintptr_t)p / c->psize;
}

/* Walks db from where w is, up to *budget records; returns an MDB code, MDB_NOTFOUND at its end. */
static int walk_one_db(struct walk_ctx *c, int sealed, size_t *budget)
{
	struct store_walk *w = c->w;
	MDB_cursor *cur;
	MDB_val k, v, pk = {0, NULL}, pv = {0, NULL};
	int rc = mdb_cursor_open(c->txn, c->db, &cur);
	if (rc)
		return rc;
	if (w->started) {
		k = (MDB_val){w->klen, w->key};
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		/* the last key checked, if still there, was checked */
		if (rc == 0 && k.mv_size == w->klen && memcmp(k.mv_data, w->key, w->klen) == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	} else {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	}
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		/*
		 * Keys come in order; one that does not is on a damaged page.
		 * Only keys past the last one checked count against the budget
		 * and move the walk on, so that a step resumes beyond them and
		 * a run out of order cannot keep the walk in one place.
		 */
		int ahead = k.mv_size <= STORE_KEY_MAX &&
			    (!w->started || store_key_cmp(k.mv_data, k.mv_size, w->key, w->klen) > 0);
		if (ahead && *budget == 0)
			break;
		w->records++;
		w->bytes += k.mv_size + v.mv_size;
		if (ahead) {
			(*budget)--;
			memcpy(w->key, k.mv_data, k.mv_size);
			w->klen = k.mv_size;
			w->started = 1;
		}
		MDB_val open = v;
		if (!store_bytes_in_page(c->s, &k, &v)) {
			MDB_val none = {0, NULL}; /* (its bytes run off the page: not printed) */
			if (k.mv_size > STORE_KEY_MAX)
				k.mv_size = 0;
			walk_damaged(c, &k, &none, "its size runs off its page");
			continue;
		}
		if (!ahead)
			walk_damaged(c, &k, &v, "out of order: not after the key before it");
		if (sealed && !(c->db == c->s->meta && k.mv_size == 6 && !memcmp(k.mv_data, "schema", 6)) &&
		    record_open(&k, &open) != 0)
			walk_damaged(c, &k, &v, "checksum mismatch");
		if (!pk.mv_data || page_of(c, k.mv_data) != page_of(c, pk.mv_data)) {
			if (pk.mv_data)
				walk_lookup(c, &pk, &pv);
			walk_lookup(c, &k, &v);
		}
		pk = k, pv = v;
	}
	if (pk.mv_data && rc != 0)
		walk_lookup(c, &pk, &pv); /* the last record of the database */
	mdb_cursor_close(cur);
	return rc;
}

/* LMDB stopped the walk of db with rc: a page it cannot read is damage too. */
static int walk_failed(struct store *s, MDB_dbi db, int rc)
{
	if (lt_from_mdb(rc) == LT_ECORRUPT) {
		char line[160];
		snprintf(line, sizeof(line), "database %s: LMDB cannot read a page of it: %s",
			 store_db_name(s, db), mdb_strerror(rc));
		store_note_damage_line(s, line);
	}
	return lt_from_mdb(rc);
}

/* Walks on in txn; returns 1 when done, 0 when more remain, or an LT_E* code. */
static int walk_txn(struct store *s, MDB_txn *txn, struct store_walk *w, size_t max,
		    store_note_fn fn, void *arg)
{
	MDB_stat st;
	int rc = mdb_env_stat(s->env, &st);
	if (rc)
		return lt_from_mdb(rc);
	struct walk_ctx c = {s, txn, 0, w, fn, arg, st.ms_psize};
	size_t budget = max;
	while (w->db < STORE_WALK_DBS && budget > 0) {
		int sealed;
		if (!walk_db(s, w->db, &c.db, &sealed)) {
			w->db++;
			continue;
		}
		/*
		 * A database walked whole in this transaction: its count must
		 * agree (the recount counts the events, ids, cases, totals and
		 * rollups in its one transaction).
		 */
		int whole = !w->started &&
			    (c.db == s->meta || c.db == s->closed || c.db == s->senders ||
			     (s->has_seqs && c.db == s->seqs));
		uint64_t before = w->records;
		rc = walk_one_db(&c, sealed, &budget);
		if (rc && rc != MDB_NOTFOUND)
			return walk_failed(s, c.db, rc);
		if (rc == 0)
			break; /* the budget ran out */
		MDB_stat dst;
		if (whole && mdb_stat(txn, c.db, &dst) == 0 && dst.ms_entries != w->records - before) {
			char line[160];
			snprintf(line, sizeof(line),
				 "database %s counts %zu records, but %" PRIu64 " were found in it",
				 store_db_name(s, c.db), dst.ms_entries, w->records - before);
			w->damaged++;
			store_note_damage_line(s, line);
			if (fn)
				fn(line, arg);
		}
		w->db++;
		w->started = 0;
		w->klen = 0;
	}
	return w->db == STORE_WALK_DBS;
}

int store_walk_step(struct store *s, struct store_walk *w, size_t max, store_note_fn fn,
		    void *arg)
{
	struct store_snap snap;
	int lrc = store_read_begin(s, &snap);
	if (lrc)
		return lrc;
	lrc = walk_txn(s, snap.txn, w, max, fn, arg);
	store_read_end(&snap);
	return lrc;
}

int store_verify_walk(struct store *s, MDB_txn *txn, struct store_verify *v, store_note_fn fn,
		      void *arg)
{
	struct store_walk w;
	store_walk_start(&w);
	int rc = walk_txn(s, txn, &w, SIZE_MAX, fn, arg);
	v->damaged += w.damaged;
	return rc < 0 ? rc : 0;
}
