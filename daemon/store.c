/*
 * store.c - the LMDB store (see store.h for the layout and the promises).
 *
 * Every LMDB return code is translated into err.h's vocabulary here and
 * nowhere else (lt_from_mdb). A write transaction keeps its first error:
 * the helpers below return it and the caller aborts.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "err.h"
#include "figures.h"
#include "log.h"
#include "senders.h"

#define MAP_SIZE_DEFAULT ((size_t)64 << 20)
#define MAP_SIZE_MAX_DEFAULT ((size_t)16 << 30)

/* Stored event record: header, then the packed Event. */
#define REC_VERSION 1
#define REC_RETRACTED 0x01
#define REC_HEADER_LEN 11 /* version, flags, received_at[8], sender_len */

struct store {
	MDB_env *env;
	MDB_dbi meta, events, ids, cases, totals;
	MDB_txn *rtxn;            /* reset read transaction, renewed per query */
	size_t map_size, map_size_max;
	int32_t tz_offset;
	int read_only;
	struct tally_deltas deltas; /* scratch for one batch */
	uint8_t *buf;             /* scratch for one event record */
	size_t bufcap;
	/* office views (end of file): closed years, per-sender completeness */
	MDB_dbi closed, senders;
	int has_office_dbs;       /* 0 only for a read-only open of an older store */
	struct sender_ref *srefs; /* scratch: a batch's items ordered by sender */
	size_t srefcap;
};

static int office_dbs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
static int senders_apply(struct store *s, MDB_txn *txn, const struct store_item *items,
			 size_t n, const struct store_result *results);

static int lt_from_mdb(int rc)
{
	switch (rc) {
	case 0: return 0;
	case MDB_NOTFOUND: return LT_ENOTFOUND;
	case MDB_KEYEXIST: return LT_EEXIST;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EDQUOT: return LT_EFULL;
	case ENOMEM: return LT_ENOMEM;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: return LT_ECORRUPT;
	case EAGAIN:
	case EBUSY: return LT_EBUSY;
	default: return LT_EIO;
	}
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A grown scratch buffer; out of memory here is fatal by policy. */
static uint8_t *scratch(struct store *s, size_t len)
{
	if (len > s->bufcap) {
		size_t cap = len < 4096 ? 4096 : len * 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b)
			fatal("store: out of memory for a %zu-byte record", len);
		s->buf = b;
		s->bufcap = cap;
	}
	return s->buf;
}

int store_reader_check(struct store *s, int *cleared)
{
	*cleared = 0;
	int rc = mdb_reader_check(s->env, cleared);
	if (rc == 0 && *cleared > 0)
		log_info("store: cleared %d stale reader slot(s)", *cleared);
	return lt_from_mdb(rc);
}

int32_t store_tz_offset(const struct store *s)
{
	return s->tz_offset;
}

/*
 * Checks or, on a new store, writes the schema version and the zone. A
 * store counted in one zone cannot silently be read in another: its
 * totals would disagree with a recount.
 */
static int check_meta(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val k = {6, "schema"}, v;
	int rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (s->read_only) {
			snprintf(err, errlen, "store is empty (no schema version)");
			return LT_ESCHEMA;
		}
		uint8_t ver[4] = {STORE_SCHEMA_VERSION, 0, 0, 0};
		uint8_t tz[4];
		for (int i = 0; i < 4; i++)
			tz[i] = (uint8_t)((uint32_t)s->tz_offset >> (8 * i));
		MDB_val vv = {4, ver}, tk = {9, "tz_offset"}, tv = {4, tz};
		rc = mdb_put(txn, s->meta, &k, &vv, 0);
		if (!rc)
			rc = mdb_put(txn, s->meta, &tk, &tv, 0);
		if (rc)
			snprintf(err, errlen, "cannot write store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	if (rc) {
		snprintf(err, errlen, "cannot read store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	const uint8_t *p = v.mv_data;
	if (v.mv_size != 4 || p[0] != STORE_SCHEMA_VERSION || p[1] || p[2] || p[3]) {
		snprintf(err, errlen, "store schema version %u, this lawtally reads version %d",
			 v.mv_size == 4 ? (unsigned)p[0] : 0u, STORE_SCHEMA_VERSION);
		return LT_ESCHEMA;
	}
	MDB_val tk = {9, "tz_offset"};
	rc = mdb_get(txn, s->meta, &tk, &v);
	if (rc || v.mv_size != 4) {
		snprintf(err, errlen, "store metadata has no time zone");
		return LT_ECORRUPT;
	}
	p = v.mv_data;
	int32_t tz = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24);
	if (tz != s->tz_offset && s->read_only) {
		s->tz_offset = tz; /* a reader (backup, verify) counts in the store's own zone */
	} else if (tz != s->tz_offset) {
		snprintf(err, errlen,
			 "store counts in UTC%+03d:%02d but the configured zone is UTC%+03d:%02d",
			 tz / 3600, abs(tz % 3600) / 60, s->tz_offset / 3600,
			 abs(s->tz_offset % 3600) / 60);
		return LT_EINVAL;
	}
	return 0;
}

static int open_dbs(struct store *s, char *err, size_t errlen)
{
	MDB_txn *txn;
	unsigned dbflags = s->read_only ? 0 : MDB_CREATE;
	int rc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &txn);
	if (rc) {
		snprintf(err, errlen, "cannot begin transaction: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	struct {
		const char *name;
		MDB_dbi *dbi;
	} dbs[] = {
		{"meta", &s->meta}, {"events", &s->events}, {"ids", &s->ids},
		{"cases", &s->cases}, {"totals", &s->totals},
	};
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		rc = mdb_dbi_open(txn, dbs[i].name, dbflags, dbs[i].dbi);
		if (rc) {
			snprintf(err, errlen, "cannot open database '%s': %s", dbs[i].name,
				 mdb_strerror(rc));
			mdb_txn_abort(txn);
			return rc == MDB_NOTFOUND ? LT_ESCHEMA : lt_from_mdb(rc);
		}
	}
	int lrc = check_meta(s, txn, err, errlen);
	if (!lrc)
		lrc = office_dbs_open(s, txn, err, errlen);
	if (lrc) {
		mdb_txn_abort(txn);
		return lrc;
	}
	rc = mdb_txn_commit(txn);
	if (rc) {
		snprintf(err, errlen, "cannot commit: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	return 0;
}

/*
 * A data file shorter than its last page (a copy cut short, a disk that
 * filled during a copy by hand) would fault with SIGBUS at the first read
 * of a missing page: refuse it at open with a line instead.
 */
static int check_file_size(struct store *s, char *err, size_t errlen)
{
	MDB_envinfo info;
	MDB_stat st;
	struct stat fst;
	int fd;
	if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &st) || mdb_env_get_fd(s->env, &fd) ||
	    fstat(fd, &fst) != 0) {
		snprintf(err, errlen, "cannot read the size of the store file");
		return LT_EIO;
	}
	uint64_t need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	if ((uint64_t)fst.st_size < need) {
		snprintf(err, errlen, "the store file is cut short: %llu bytes, its pages need %llu",
			 (unsigned long long)fst.st_size, (unsigned long long)need);
		return LT_ECORRUPT;
	}
	return 0;
}

int store_open(struct store **out, const struct store_options *opts, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return LT_ENOMEM;
	}
	s->map_size = opts->map_size ? opts->map_size : MAP_SIZE_DEFAULT;
	s->map_size_max = opts->map_size_max ? opts->map_size_max : MAP_SIZE_MAX_DEFAULT;
	if (s->map_size > s->map_size_max)
		s->map_size = s->map_size_max;
	s->tz_offset = opts->tz_offset;
	s->read_only = opts->read_only;
	int lrc;

	if (!s->read_only && mkdir(opts->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", opts->dir, strerror(errno));
		lrc = LT_ESYS;
		goto free_store;
	}
	int rc = mdb_env_create(&s->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(s->env, 8);
	if (!rc)
		rc = mdb_env_set_mapsize(s->env, s->map_size);
	if (rc) {
		snprintf(err, errlen, "cannot set up LMDB: %s", mdb_strerror(rc));
		lrc = lt_from_mdb(rc);
		goto env_close;
	}
	rc = mdb_env_open(s->env, opts->dir, MDB_NOTLS | (s->read_only ? MDB_RDONLY : 0), 0600);
	if (rc) {
		snprintf(err, errlen, "cannot open store %s: %s", opts->dir, mdb_strerror(rc));
		lrc = rc == ENOENT ? LT_ENOTFOUND : lt_from_mdb(rc);
		goto env_close;
	}
	lrc = check_file_size(s, err, errlen);
	if (lrc)
		goto env_close;
	int dead = 0;
	store_reader_check(s, &dead);

	/* the file may already be larger than asked: use its size */
	MDB_envinfo info;
	if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize > s->map_size)
		s->map_size = info.me_mapsize;
	if (s->map_size > s->map_size_max)
		s->map_size_max = s->map_size;

	lrc = open_dbs(s, err, errlen);
	if (lrc)
		goto env_close;
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn);
	if (rc) {
		snprintf(err, errlen, "cannot begin read transaction: %s", mdb_strerror(rc));
		lrc = lt_from_mdb(rc);
		goto env_close;
	}
	mdb_txn_reset(s->rtxn);
	*out = s;
	return 0;

env_close:
	mdb_env_close(s->env);
free_store:
	free(s);
	return lrc;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	if (s->rtxn)
		mdb_txn_abort(s->rtxn);
	mdb_env_close(s->env);
	tally_deltas_free(&s->deltas);
	free(s->buf);
	free(s->srefs);
	free(s);
	*sp = NULL;
}

/* Packs the event with its server metadata into the scratch buffer. */
static MDB_val record_pack(struct store *s, const struct store_item *it, uint8_t flags)
{
	size_t slen = strlen(it->sender);
	if (slen > STORE_SENDER_MAX)
		slen = STORE_SENDER_MAX;
	size_t plen = protobuf_c_message_get_packed_size(&it->event->base);
	uint8_t *p = scratch(s, REC_HEADER_LEN + slen + plen);
	p[0] = REC_VERSION;
	p[1] = flags;
	put_le64(p + 2, (uint64_t)it->received_at);
	p[10] = (uint8_t)slen;
	memcpy(p + REC_HEADER_LEN, it->sender, slen);
	protobuf_c_message_pack(&it->event->base, p + REC_HEADER_LEN + slen);
	return (MDB_val){REC_HEADER_LEN + slen + plen, p};
}

/* A stored record, decoded. The event is freed with record_free. */
struct record {
	uint8_t flags;
	int64_t received_at;
	char sender[STORE_SENDER_MAX + 1];
	Lawtally__V1__Event *event;
};

static int record_unpack(const MDB_val *v, struct record *r)
{
	const uint8_t *p = v->mv_data;
	if (v->mv_size < REC_HEADER_LEN || p[0] != REC_VERSION ||
	    v->mv_size < REC_HEADER_LEN + (size_t)p[10] || p[10] > STORE_SENDER_MAX)
		return LT_ECORRUPT;
	r->flags = p[1];
	r->received_at = (int64_t)get_le64(p + 2);
	memcpy(r->sender, p + REC_HEADER_LEN, p[10]);
	r->sender[p[10]] = '\0';
	size_t off = REC_HEADER_LEN + p[10];
	r->event = lawtally__v1__event__unpack(NULL, v->mv_size - off, p + off);
	return r->event ? 0 : LT_ECORRUPT;
}

static void record_free(struct record *r)
{
	if (r->event)
		lawtally__v1__event__free_unpacked(r->event, NULL);
	r->event = NULL;
}

/* Loads a case's facts; a missing case is empty. Returns an MDB code. */
static int case_load(struct store *s, MDB_txn *txn, const uint8_t *key, size_t klen,
		     struct tally_fact *facts, size_t *n)
{
	MDB_val k = {klen, (void *)key}, v;
	*n = 0;
	int rc = mdb_get(txn, s->cases, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	return tally_facts_decode(v.mv_data, v.mv_size, facts, n) ? MDB_CORRUPTED : 0;
}

static int case_save(struct store *s, MDB_txn *txn, const uint8_t *key, size_t klen,
		     const struct tally_fact *facts, size_t n)
{
	MDB_val k = {klen, (void *)key};
	if (n == 0) {
		int rc = mdb_del(txn, s->cases, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	MDB_val v = {tally_facts_encoded_len(n), NULL};
	int rc = mdb_put(txn, s->cases, &k, &v, MDB_RESERVE);
	if (!rc)
		tally_facts_encode(facts, n, v.mv_data);
	return rc;
}

/*
 * Adds (sign +1) or removes (sign -1) one event's fact: for a case kind,
 * the case's contribution before and after is diffed into the batch's
 * deltas; otherwise the fact stands alone. *full is set (and nothing
 * written) when the case already holds the maximum of events.
 */
static int tally_event(struct store *s, MDB_txn *txn, const Lawtally__V1__Event *e,
		       int sign, int *full)
{
	struct tally_fact f;
	*full = 0;
	if (tally_fact_from_event(e, s->tz_offset, &f))
		return MDB_CORRUPTED;
	if (!tally_kind_has_cases(f.kind)) {
		tally_contrib(&f, 1, sign, &s->deltas);
		return 0;
	}
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen = tally_case_key(e, key);
	struct tally_fact before[TALLY_CASE_FACTS_MAX], after[TALLY_CASE_FACTS_MAX];
	size_t nb, na;
	int rc = case_load(s, txn, key, klen, before, &nb);
	if (rc)
		return rc;
	memcpy(after, before, nb * sizeof(before[0]));
	na = nb;
	if (sign > 0) {
		if (tally_facts_insert(after, &na, &f) == LT_EFULL) {
			*full = 1;
			return 0;
		}
	} else if (tally_facts_remove(after, &na, f.id) != 0) {
		return MDB_CORRUPTED; /* the case lost track of a stored event */
	}
	tally_contrib(before, nb, -1, &s->deltas);
	tally_contrib(after, na, +1, &s->deltas);
	return case_save(s, txn, key, klen, after, na);
}

static const char *const reason_case_full =
	"case: more than 64 events for one case";
static const char *const reason_retract_unknown =
	"retraction.event_id: no stored event has this id";
static const char *const reason_retract_twice =
	"retraction.event_id: the event is already retracted";
static const char *const reason_retract_retraction =
	"retraction.event_id: a retraction cannot be retracted";
static const char *const reason_retract_other =
	"retraction.event_id: only the original sender or an office key may retract it";

/*
 * Withdraws the event a retraction names: marks its record retracted and
 * takes its fact out of the totals. Sets *reason for a refusal, among them
 * an event not sent by only_sender (when not NULL).
 */
static int retract(struct store *s, MDB_txn *txn, const Lawtally__V1__Retraction *r,
		   const char *only_sender, const char **reason)
{
	MDB_val k = {16, r->event_id.data}, seqv, recv;
	int rc = mdb_get(txn, s->ids, &k, &seqv);
	if (rc == MDB_NOTFOUND) {
		*reason = reason_retract_unknown;
		return 0;
	}
	if (rc)
		return rc;
	rc = mdb_get(txn, s->events, &seqv, &recv);
	if (rc)
		return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
	/* copy key and record out of the map before the transaction writes */
	uint8_t seqkey[8];
	memcpy(seqkey, seqv.mv_data, 8);
	size_t reclen = recv.mv_size;
	uint8_t *copy = scratch(s, reclen);
	memcpy(copy, recv.mv_data, reclen);
	recv.mv_data = copy;
	struct record rec = {0};
	if (record_unpack(&recv, &rec))
		return MDB_CORRUPTED;
	if (only_sender && strncmp(rec.sender, only_sender, STORE_SENDER_MAX) != 0) {
		*reason = reason_retract_other;
		goto done;
	}
	if (rec.flags & REC_RETRACTED) {
		*reason = reason_retract_twice;
		goto done;
	}
	if (rec.event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION) {
		*reason = reason_retract_retraction;
		goto done;
	}
	int full;
	rc = tally_event(s, txn, rec.event, -1, &full);
	if (rc)
		goto done;
	copy[1] |= REC_RETRACTED;
	MDB_val sk = {8, seqkey}, nv = {reclen, copy};
	rc = mdb_put(txn, s->events, &sk, &nv, 0);
done:
	record_free(&rec);
	return rc;
}

/* Adds the batch's merged deltas to the totals, deleting totals that reach 0. */
static int totals_apply(struct store *s, MDB_txn *txn)
{
	tally_deltas_merge(&s->deltas);
	for (size_t i = 0; i < s->deltas.n; i++) {
		uint8_t kb[TALLY_KEY_LEN], vb[8];
		tally_key_encode(&s->deltas.d[i].key, kb);
		MDB_val k = {TALLY_KEY_LEN, kb}, v;
		int64_t cur = 0;
		int rc = mdb_get(txn, s->totals, &k, &v);
		if (rc == 0 && v.mv_size == 8)
			cur = (int64_t)get_le64(v.mv_data);
		else if (rc != MDB_NOTFOUND)
			return rc ? rc : MDB_CORRUPTED;
		cur += s->deltas.d[i].value;
		if (cur == 0) {
			rc = mdb_del(txn, s->totals, &k, NULL);
		} else {
			put_le64(vb, (uint64_t)cur);
			v = (MDB_val){8, vb};
			rc = mdb_put(txn, s->totals, &k, &v, 0);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* The next free sequence number of the event log. */
static int next_seq(struct store *s, MDB_txn *txn, uint64_t *seq)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, s->events, &c);
	if (rc)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND) {
		*seq = 1;
		return 0;
	}
	if (rc)
		return rc;
	if (k.mv_size != 8)
		return MDB_CORRUPTED;
	*seq = get_be64(k.mv_data) + 1;
	return 0;
}

/* Applies one event inside the batch's transaction. Returns an MDB code. */
static int apply_one(struct store *s, MDB_txn *txn, const struct store_item *it,
		     uint64_t *seq, struct store_result *res)
{
	const Lawtally__V1__Event *e = it->event;
	MDB_val idk = {16, e->id.data}, v;
	int rc = mdb_get(txn, s->ids, &idk, &v);
	if (rc == 0) {
		res->status = STORE_DUPLICATE;
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return rc;

	const char *reason = NULL;
	if (e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION) {
		rc = retract(s, txn, e->retraction, it->own_only ? it->sender : NULL, &reason);
	} else {
		int full;
		rc = tally_event(s, txn, e, +1, &full);
		if (full)
			reason = reason_case_full;
	}
	if (rc)
		return rc;
	if (reason) {
		res->status = STORE_REJECTED;
		res->reason = reason;
		return 0;
	}

	uint8_t seqkey[8];
	put_be64(seqkey, *seq);
	MDB_val sk = {8, seqkey}, rec = record_pack(s, it, 0);
	rc = mdb_put(txn, s->events, &sk, &rec, MDB_APPEND);
	if (!rc)
		rc = mdb_put(txn, s->ids, &idk, &sk, MDB_NOOVERWRITE);
	if (rc)
		return rc;
	(*seq)++;
	res->status = STORE_ACCEPTED;
	return 0;
}

/* One attempt at the batch; returns an MDB code, the transaction closed. */
static int apply_txn(struct store *s, const struct store_item *items, size_t n,
		     struct store_result *results)
{
	MDB_txn *txn;
	uint64_t seq;
	tally_deltas_reset(&s->deltas);
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return rc;
	rc = next_seq(s, txn, &seq);
	for (size_t i = 0; i < n && !rc; i++) {
		results[i] = (struct store_result){0, NULL};
		rc = apply_one(s, txn, &items[i], &seq, &results[i]);
	}
	if (!rc)
		rc = totals_apply(s, txn);
	if (!rc)
		rc = senders_apply(s, txn, items, n, results);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/*
 * LMDB reports a write that came up short as EIO, and a disk that fills
 * mid-commit often does just that. A failed commit never wrote the meta
 * page, so nothing committed was touched: with the filesystem (nearly)
 * full the batch is refused as full and retried later, instead of
 * stopping the daemon as for a failing disk.
 */
#define DISK_FULL_MARGIN ((uint64_t)8 << 20)

static int disk_nearly_full(struct store *s)
{
	const char *path;
	struct statvfs vfs;
	if (mdb_env_get_path(s->env, &path) || statvfs(path, &vfs) != 0)
		return 0;
	uint64_t avail = (uint64_t)(geteuid() == 0 ? vfs.f_bfree : vfs.f_bavail) * vfs.f_frsize;
	return avail < DISK_FULL_MARGIN;
}

int store_apply(struct store *s, const struct store_item *items, size_t n,
		struct store_result *results)
{
	if (s->read_only)
		return LT_EINVAL;
	for (;;) {
		int rc = apply_txn(s, items, n, results);
		if (rc == EIO && disk_nearly_full(s))
			rc = ENOSPC;
		if (rc != MDB_MAP_FULL || s->map_size >= s->map_size_max) {
			if (rc == MDB_MAP_FULL)
				log_warn("store: full at its maximum map size of %zu MiB",
					 s->map_size >> 20);
			else if (rc)
				log_err("store: batch of %zu events not stored: %s", n,
					mdb_strerror(rc));
			return lt_from_mdb(rc);
		}
		/* no transaction is open now: the map may be resized */
		size_t grown = s->map_size > s->map_size_max / 2 ? s->map_size_max
								 : s->map_size * 2;
		rc = mdb_env_set_mapsize(s->env, grown);
		if (rc) {
			log_err("store: cannot grow the map to %zu MiB: %s", grown >> 20,
				mdb_strerror(rc));
			return lt_from_mdb(rc);
		}
		log_info("store: map grown from %zu to %zu MiB", s->map_size >> 20, grown >> 20);
		s->map_size = grown;
	}
}

/* Begins the store's read transaction; end it with read_end. */
static int read_begin(struct store *s, MDB_txn **txn)
{
	int rc = mdb_txn_renew(s->rtxn);
	if (rc == MDB_MAP_RESIZED) {
		/* another process grew the map; adopt its size */
		rc = mdb_env_set_mapsize(s->env, 0);
		if (!rc)
			rc = mdb_txn_renew(s->rtxn);
	}
	*txn = s->rtxn;
	return rc;
}

static void read_end(struct store *s)
{
	mdb_txn_reset(s->rtxn);
}

int store_scan_totals(struct store *s, enum tally_metric m, uint16_t year,
		      store_total_fn fn, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	uint8_t prefix[TALLY_PREFIX_LEN];
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_open(txn, s->totals, &c);
	if (rc) {
		read_end(s);
		return lt_from_mdb(rc);
	}
	tally_prefix_encode(m, year, prefix);
	MDB_val k = {TALLY_PREFIX_LEN, prefix}, v;
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != TALLY_KEY_LEN || memcmp(k.mv_data, prefix, TALLY_PREFIX_LEN))
			break;
		if (v.mv_size != 8) {
			ret = LT_ECORRUPT;
			break;
		}
		struct tally_key key;
		tally_key_decode(k.mv_data, &key);
		ret = fn(&key, (int64_t)get_le64(v.mv_data), arg);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	read_end(s);
	return ret;
}

int store_stats(struct store *s, struct store_stats *st)
{
	MDB_txn *txn;
	MDB_stat ms;
	MDB_envinfo info;
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	memset(st, 0, sizeof(*st));
	if (!rc && !(rc = mdb_stat(txn, s->events, &ms)))
		st->events = ms.ms_entries;
	if (!rc && !(rc = mdb_stat(txn, s->cases, &ms)))
		st->cases = ms.ms_entries;
	if (!rc && !(rc = mdb_stat(txn, s->totals, &ms)))
		st->totals = ms.ms_entries;
	if (!rc && !(rc = mdb_env_info(s->env, &info))) {
		MDB_stat es;
		mdb_env_stat(s->env, &es);
		st->map_size = info.me_mapsize;
		st->used_bytes = (info.me_last_pgno + 1) * (size_t)es.ms_psize;
	}
	read_end(s);
	return lt_from_mdb(rc);
}

/* ---- recount ---------------------------------------------------------- */

/* A fact of a case kind with its case key, for grouping by sorting. */
struct case_fact {
	uint8_t key[TALLY_CASE_KEY_MAX];
	uint8_t klen;
	struct tally_fact fact;
};

/* LMDB's default key order: bytes, then the shorter first. */
static int lmdb_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int case_fact_cmp(const void *pa, const void *pb)
{
	const struct case_fact *a = pa, *b = pb;
	int c = lmdb_key_cmp(a->key, a->klen, b->key, b->klen);
	return c ? c : tally_fact_cmp(&a->fact, &b->fact);
}

static void verify_note(struct store_verify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void verify_note(struct store_verify *v, const char *fmt, ...)
{
	v->mismatches++;
	if (v->nfirst == sizeof(v->first) / sizeof(v->first[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->first[v->nfirst++], sizeof(v->first[0]), fmt, ap);
	va_end(ap);
}

/* "ZL07/2024-015" for a case key (kind byte, padded village, case id). */
static void describe_case(const uint8_t *key, size_t klen, char *out, size_t len)
{
	size_t vlen = strnlen((const char *)key + 1, VILLAGE_CODE_MAX);
	snprintf(out, len, "%.*s/%.*s", (int)vlen, (const char *)key + 1,
		 (int)(klen - 1 - VILLAGE_CODE_MAX), (const char *)key + 1 + VILLAGE_CODE_MAX);
}

struct recount {
	struct case_fact *cf;
	size_t ncf, capcf;
	struct tally_deltas deltas;
};

struct recount_cut;
static int cut_excludes(const struct recount_cut *cut, const struct record *rec);

/*
 * Reads every event into the recount: per-event facts straight to deltas.
 * With cut (an as-of recount, end of file) only the events it keeps count;
 * without, every event not retracted.
 */
static int recount_events(struct store *s, MDB_txn *txn, struct recount *rc_,
			  struct store_verify *v, const struct recount_cut *cut)
{
	MDB_cursor *c;
	MDB_val k, val;
	int rc = mdb_cursor_open(txn, s->events, &c);
	if (rc)
		return lt_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
		struct record rec = {0};
		uint64_t seq = k.mv_size == 8 ? get_be64(k.mv_data) : 0;
		v->events++;
		if (record_unpack(&val, &rec) || rec.event->id.len != 16) {
			verify_note(v, "event #%llu: does not decode", (unsigned long long)seq);
			record_free(&rec);
			continue;
		}
		MDB_val idk = {16, rec.event->id.data}, sv;
		if (mdb_get(txn, s->ids, &idk, &sv) != 0 || sv.mv_size != 8 ||
		    memcmp(sv.mv_data, k.mv_data, 8) != 0)
			verify_note(v, "event #%llu: missing from the id index",
				    (unsigned long long)seq);
		if (cut ? cut_excludes(cut, &rec)
			: (rec.flags & REC_RETRACTED) ||
				  rec.event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION) {
			record_free(&rec);
			continue;
		}
		struct tally_fact f;
		if (tally_fact_from_event(rec.event, s->tz_offset, &f)) {
			verify_note(v, "event #%llu: has no body", (unsigned long long)seq);
		} else if (!tally_kind_has_cases(f.kind)) {
			tally_contrib(&f, 1, +1, &rc_->deltas);
		} else {
			if (rc_->ncf == rc_->capcf) {
				size_t cap = rc_->capcf ? rc_->capcf * 2 : 1024;
				struct case_fact *n = realloc(rc_->cf, cap * sizeof(*n));
				if (!n) {
					record_free(&rec);
					mdb_cursor_close(c);
					return LT_ENOMEM;
				}
				rc_->cf = n;
				rc_->capcf = cap;
			}
			struct case_fact *cf = &rc_->cf[rc_->ncf++];
			cf->klen = (uint8_t)tally_case_key(rec.event, cf->key);
			cf->fact = f;
		}
		record_free(&rec);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

/*
 * The facts of the case starting at r->cf[i] (sorted) into group; returns
 * the index of the next case.
 */
static size_t next_group(const struct recount *r, size_t i,
			 struct tally_fact group[TALLY_CASE_FACTS_MAX], size_t *ng)
{
	size_t j = i;
	*ng = 0;
	while (j < r->ncf && lmdb_key_cmp(r->cf[j].key, r->cf[j].klen, r->cf[i].key,
					  r->cf[i].klen) == 0) {
		if (*ng < TALLY_CASE_FACTS_MAX)
			group[(*ng)++] = r->cf[j].fact;
		j++;
	}
	return j;
}

/*
 * Groups the case facts, adds each case's contribution, and walks the cases
 * database beside the groups: both are in LMDB key order.
 */
static int recount_cases(struct store *s, MDB_txn *txn, struct recount *r,
			 struct store_verify *v)
{
	MDB_cursor *c;
	MDB_val k, val;
	if (r->ncf)
		qsort(r->cf, r->ncf, sizeof(r->cf[0]), case_fact_cmp);
	int rc = mdb_cursor_open(txn, s->cases, &c);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_get(c, &k, &val, MDB_FIRST);
	size_t i = 0;
	while (i < r->ncf || rc == 0) {
		struct tally_fact group[TALLY_CASE_FACTS_MAX];
		size_t ng, j = next_group(r, i, group, &ng);
		int order = i == r->ncf ? 1 : rc != 0 ? -1
			  : lmdb_key_cmp(r->cf[i].key, r->cf[i].klen, k.mv_data, k.mv_size);
		char what[96];
		if (order <= 0)
			describe_case(r->cf[i].key, r->cf[i].klen, what, sizeof(what));
		else if (k.mv_size > VILLAGE_CODE_MAX && k.mv_size <= TALLY_CASE_KEY_MAX)
			describe_case(k.mv_data, k.mv_size, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "with a %zu-byte key", k.mv_size);
		if (order < 0) {
			verify_note(v, "case %s: has events but no case record", what);
		} else if (order > 0) {
			verify_note(v, "case %s: record without events", what);
		} else {
			uint8_t enc[TALLY_CASE_FACTS_MAX * TALLY_FACT_LEN];
			tally_facts_encode(group, ng, enc);
			if (val.mv_size != tally_facts_encoded_len(ng) ||
			    memcmp(val.mv_data, enc, val.mv_size) != 0)
				verify_note(v, "case %s: record differs from its events", what);
		}
		if (order <= 0) {
			tally_contrib(group, ng, +1, &r->deltas);
			i = j;
		}
		if (order >= 0)
			rc = mdb_cursor_get(c, &k, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

static void describe_key(const struct tally_key *k, char *out, size_t len)
{
	const struct tally_metric_info *mi = tally_metric(k->metric);
	snprintf(out, len, "%s %u-%02u village '%.8s' dims %u,%u",
		 mi ? mi->name : "?", k->year, k->month, k->village, k->dim[0], k->dim[1]);
}

/* Walks the totals database beside the recounted, merged deltas. */
static int recount_totals(struct store *s, MDB_txn *txn, struct recount *r,
			  struct store_verify *v)
{
	MDB_cursor *c;
	MDB_val k, val;
	char what[96];
	tally_deltas_merge(&r->deltas);
	int rc = mdb_cursor_open(txn, s->totals, &c);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_get(c, &k, &val, MDB_FIRST);
	size_t i = 0;
	while (i < r->deltas.n || rc == 0) {
		uint8_t kb[TALLY_KEY_LEN];
		int order;
		if (i == r->deltas.n) {
			order = 1;
		} else {
			tally_key_encode(&r->deltas.d[i].key, kb);
			order = rc != 0 ? -1 : lmdb_key_cmp(kb, TALLY_KEY_LEN, k.mv_data, k.mv_size);
		}
		if (order < 0) {
			describe_key(&r->deltas.d[i].key, what, sizeof(what));
			verify_note(v, "total %s: live 0, recount %lld", what,
				    (long long)r->deltas.d[i].value);
			i++;
			continue;
		}
		struct tally_key key;
		int64_t live = val.mv_size == 8 ? (int64_t)get_le64(val.mv_data) : 0;
		if (k.mv_size != TALLY_KEY_LEN) {
			verify_note(v, "totals: a key of %zu bytes", k.mv_size);
		} else if (order > 0) {
			tally_key_decode(k.mv_data, &key);
			describe_key(&key, what, sizeof(what));
			verify_note(v, "total %s: live %lld, recount 0", what, (long long)live);
		} else if (live != r->deltas.d[i].value) {
			describe_key(&r->deltas.d[i].key, what, sizeof(what));
			verify_note(v, "total %s: live %lld, recount %lld", what, (long long)live,
				    (long long)r->deltas.d[i].value);
		}
		if (order == 0)
			i++;
		rc = mdb_cursor_get(c, &k, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

int store_verify(struct store *s, struct store_verify *v)
{
	MDB_txn *txn;
	struct recount r = {0};
	memset(v, 0, sizeof(*v));
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	int lrc = recount_events(s, txn, &r, v, NULL);
	if (!lrc)
		lrc = recount_cases(s, txn, &r, v);
	if (!lrc)
		lrc = recount_totals(s, txn, &r, v);
	read_end(s);
	free(r.cf);
	tally_deltas_free(&r.deltas);
	if (lrc)
		return lrc;
	return v->mismatches ? LT_EMISMATCH : 0;
}

/* ---- operations: backup, live map limit -------------------------------- */

/* One attempt at the compacted copy; a map grown by the writer meanwhile is adopted. */
static int copy_to(struct store *s, int fd)
{
	int rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
	if (rc == MDB_MAP_RESIZED && mdb_env_set_mapsize(s->env, 0) == 0 &&
	    ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0)
		rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
	return rc;
}

int store_backup(struct store *s, const char *dir, int replace, uint64_t *bytes, char *err,
		 size_t errlen)
{
	char tmp[4096], final[4096];
	struct stat dst, fst;
	if (snprintf(tmp, sizeof(tmp), "%s/data.mdb.partial", dir) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return LT_EINVAL;
	}
	snprintf(final, sizeof(final), "%s/data.mdb", dir);
	if (stat(dir, &dst) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return LT_ESYS;
	}
	if (!S_ISDIR(dst.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return LT_EINVAL;
	}
	if (!replace && lstat(final, &fst) == 0) {
		snprintf(err, errlen, "%s already holds a store (data.mdb): choose a new directory",
			 dir);
		return LT_EEXIST;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		snprintf(err, errlen, "%s exists: another copy is running, or one was interrupted "
				      "(then remove it)", tmp);
		return LT_EBUSY;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return LT_ESYS;
	}
	int lrc = LT_ESYS;
	/* as root, the copy takes the directory's owner (a service's state directory) */
	if (geteuid() == 0 && fchown(fd, dst.st_uid, dst.st_gid) != 0) {
		snprintf(err, errlen, "cannot give %s to the owner of %s: %s", tmp, dir,
			 strerror(errno));
		goto unlink_tmp;
	}
	int rc = copy_to(s, fd);
	if (rc) {
		snprintf(err, errlen, "cannot copy the store to %s: %s", tmp, mdb_strerror(rc));
		lrc = lt_from_mdb(rc);
		goto unlink_tmp;
	}
	if (fstat(fd, &fst) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		lrc = errno == ENOSPC || errno == EDQUOT ? LT_EFULL : LT_EIO;
		goto unlink_tmp;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	fd = -1;
	if (rename(tmp, final) != 0) {
		snprintf(err, errlen, "cannot rename %s to data.mdb: %s", tmp, strerror(errno));
		goto unlink_tmp;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		snprintf(err, errlen, "cannot sync the directory %s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return LT_EIO;
	}
	close(dfd);
	*bytes = (uint64_t)fst.st_size;
	return 0;

unlink_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return lrc;
}

size_t store_set_map_size_max(struct store *s, size_t max)
{
	s->map_size_max = max > s->map_size ? max : s->map_size;
	return s->map_size_max;
}

/* ---- office views: as-of recounts, closed years, senders, event export -- */

#define CLOSED_VERSION 1
#define CLOSED_HEADER_LEN (1 + 8 + FIGURES_SHA256_LEN)

/* Opens (creating when writable) the closed and senders databases. */
static int office_dbs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	unsigned flags = s->read_only ? 0 : MDB_CREATE;
	int rc = mdb_dbi_open(txn, "closed", flags, &s->closed);
	if (!rc)
		rc = mdb_dbi_open(txn, "senders", flags, &s->senders);
	if (rc == MDB_NOTFOUND && s->read_only)
		return 0; /* a store from before them: nothing closed, no senders */
	if (rc) {
		snprintf(err, errlen, "cannot open the closed and senders databases: %s",
			 mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->has_office_dbs = 1;
	return 0;
}

/* A moment's cut of the event log: received by then, and not retracted by then. */
struct recount_cut {
	int64_t received_max;
	uint8_t (*retracted)[16];   /* ids retracted by then, sorted */
	size_t n, cap;
};

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int cut_excludes(const struct recount_cut *cut, const struct record *rec)
{
	if (rec->received_at > cut->received_max ||
	    rec->event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION)
		return 1;
	return cut->n && bsearch(rec->event->id.data, cut->retracted, cut->n, 16, id_cmp);
}

/* Collects the targets of the retractions received by the cut's moment. */
static int cut_collect(struct store *s, MDB_txn *txn, struct recount_cut *cut)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, s->events, &c);
	if (rc)
		return lt_from_mdb(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct record rec = {0};
		if (record_unpack(&v, &rec) != 0 || rec.received_at > cut->received_max ||
		    rec.event->body_case != LAWTALLY__V1__EVENT__BODY_RETRACTION ||
		    rec.event->retraction->event_id.len != 16) {
			record_free(&rec);
			continue;
		}
		if (cut->n == cut->cap) {
			size_t cap = cut->cap ? cut->cap * 2 : 64;
			uint8_t(*ids)[16] = realloc(cut->retracted, cap * 16);
			if (!ids) {
				record_free(&rec);
				mdb_cursor_close(c);
				return LT_ENOMEM;
			}
			cut->retracted = ids;
			cut->cap = cap;
		}
		memcpy(cut->retracted[cut->n++], rec.event->retraction->event_id.data, 16);
		record_free(&rec);
	}
	mdb_cursor_close(c);
	if (cut->n)
		qsort(cut->retracted, cut->n, 16, id_cmp);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

/* Adds the contribution of every case of the recount (no comparison). */
static void recount_groups(struct recount *r)
{
	struct tally_fact group[TALLY_CASE_FACTS_MAX];
	size_t ng;
	if (r->ncf)
		qsort(r->cf, r->ncf, sizeof(r->cf[0]), case_fact_cmp);
	for (size_t i = 0; i < r->ncf;) {
		size_t j = next_group(r, i, group, &ng);
		tally_contrib(group, ng, +1, &r->deltas);
		i = j;
	}
}

int store_recount_asof(struct store *s, int64_t received_max, struct tally_deltas *out)
{
	MDB_txn *txn;
	struct recount r = {0};
	struct recount_cut cut = {.received_max = received_max};
	struct store_verify v;
	memset(&v, 0, sizeof(v));
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	int lrc = cut_collect(s, txn, &cut);
	if (!lrc)
		lrc = recount_events(s, txn, &r, &v, &cut);
	read_end(s);
	if (!lrc) {
		recount_groups(&r);
		tally_deltas_merge(&r.deltas);
		tally_deltas_free(out);
		*out = r.deltas;
		r.deltas = (struct tally_deltas){0};
	}
	if (v.mismatches)
		log_warn("store: as-of recount met %llu problem(s), e.g. %s; lawtally verify "
			 "checks the store", (unsigned long long)v.mismatches, v.first[0]);
	free(r.cf);
	free(cut.retracted);
	tally_deltas_free(&r.deltas);
	return lrc;
}

static void closed_key(uint16_t year, uint8_t key[2])
{
	key[0] = (uint8_t)(year >> 8);
	key[1] = (uint8_t)year;
}

/* Reads every total of year into f (sealed). Returns an MDB code. */
static int year_totals(struct store *s, MDB_txn *txn, uint16_t year, struct figures *f)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, s->totals, &c);
	if (rc)
		return rc;
	for (int m = 0; m < M_COUNT && (rc == 0 || rc == MDB_NOTFOUND); m++) {
		uint8_t prefix[TALLY_PREFIX_LEN];
		tally_prefix_encode(m, year, prefix);
		MDB_val k = {TALLY_PREFIX_LEN, prefix}, v;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (k.mv_size != TALLY_KEY_LEN || memcmp(k.mv_data, prefix, TALLY_PREFIX_LEN))
				break;
			if (v.mv_size != 8) {
				rc = MDB_CORRUPTED;
				break;
			}
			struct tally_key key;
			tally_key_decode(k.mv_data, &key);
			figures_add(f, &key, (int64_t)get_le64(v.mv_data));
		}
	}
	mdb_cursor_close(c);
	figures_seal(f);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static int closed_decode(const MDB_val *v, uint16_t year, struct store_closed *out)
{
	const uint8_t *p = v->mv_data;
	if (v->mv_size < CLOSED_HEADER_LEN || p[0] != CLOSED_VERSION ||
	    (v->mv_size - CLOSED_HEADER_LEN) % FIGURES_ENTRY_LEN)
		return LT_ECORRUPT;
	memset(out, 0, sizeof(*out));
	out->year = year;
	out->closed_at = (int64_t)get_le64(p + 1);
	memcpy(out->sha256, p + 9, FIGURES_SHA256_LEN);
	out->len = v->mv_size - CLOSED_HEADER_LEN;
	out->entries = malloc(out->len ? out->len : 1);
	if (!out->entries)
		return LT_ENOMEM;
	memcpy(out->entries, p + CLOSED_HEADER_LEN, out->len);
	uint8_t digest[FIGURES_SHA256_LEN];
	figures_sha256(out->entries, out->len, digest);
	if (memcmp(digest, out->sha256, FIGURES_SHA256_LEN) != 0) {
		store_closed_free(out);
		return LT_ECORRUPT;
	}
	return 0;
}

int store_close_year(struct store *s, uint16_t year, int64_t now, struct store_closed *out)
{
	if (s->read_only || !s->has_office_dbs)
		return LT_EINVAL;
	MDB_txn *txn;
	uint8_t key[2];
	struct figures f = {0};
	closed_key(year, key);
	MDB_val k = {2, key}, v;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_get(txn, s->closed, &k, &v);
	if (rc == 0) {
		mdb_txn_abort(txn);
		return LT_EEXIST;
	}
	if (rc == MDB_NOTFOUND)
		rc = year_totals(s, txn, year, &f);
	size_t elen = figures_encoded_len(&f, year);
	if (!rc) {
		v = (MDB_val){CLOSED_HEADER_LEN + elen, NULL};
		rc = mdb_put(txn, s->closed, &k, &v, MDB_RESERVE);
	}
	if (rc) {
		mdb_txn_abort(txn);
		figures_free(&f);
		return lt_from_mdb(rc);
	}
	uint8_t *p = v.mv_data;
	p[0] = CLOSED_VERSION;
	put_le64(p + 1, (uint64_t)now);
	figures_encode(&f, year, p + CLOSED_HEADER_LEN);
	figures_sha256(p + CLOSED_HEADER_LEN, elen, p + 9);
	MDB_val copy = v;
	int lrc = closed_decode(&copy, year, out);
	figures_free(&f);
	if (lrc) {
		mdb_txn_abort(txn);
		return lrc;
	}
	rc = mdb_txn_commit(txn);
	if (rc) {
		store_closed_free(out);
		log_err("store: closing %u not stored: %s", (unsigned)year, mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	return 0;
}

int store_closed_get(struct store *s, uint16_t year, struct store_closed *out)
{
	MDB_txn *txn;
	uint8_t key[2];
	if (!s->has_office_dbs)
		return LT_ENOTFOUND;
	closed_key(year, key);
	MDB_val k = {2, key}, v;
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_get(txn, s->closed, &k, &v);
	int lrc = rc ? lt_from_mdb(rc) : closed_decode(&v, year, out);
	read_end(s);
	return lrc;
}

void store_closed_free(struct store_closed *c)
{
	free(c->entries);
	c->entries = NULL;
	c->len = 0;
}

/* One item of a batch, for grouping the batch by sender. */
struct sender_ref {
	const char *name;
	size_t item;
};

static int sender_ref_cmp(const void *a, const void *b)
{
	const struct sender_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->item > y->item) - (x->item < y->item);
}

/* The key of a sender: its name cut to SENDER_NAME_MAX bytes on a character boundary. */
static size_t sender_key(const char *name, char key[SENDER_NAME_MAX + 1])
{
	size_t n = strlen(name);
	if (n == 0) {
		name = "(none)";
		n = 6;
	}
	if (n > SENDER_NAME_MAX) {
		n = SENDER_NAME_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(key, name, n);
	key[n] = '\0';
	return n;
}

/*
 * Completeness, in the batch's own transaction: for each sender of the
 * batch, when it was last heard (any item, stored or not) and how many of
 * its events were accepted, by the month they occurred in. One read and one write per
 * distinct sender. A record that does not decode is started afresh with a
 * warning: it is a convenience, not a figure, and must never stop ingest.
 */
static int senders_apply(struct store *s, MDB_txn *txn, const struct store_item *items,
			 size_t n, const struct store_result *results)
{
	if (!s->has_office_dbs || n == 0)
		return 0;
	if (n > s->srefcap) {
		struct sender_ref *r = realloc(s->srefs, n * sizeof(*r));
		if (!r)
			fatal("store: out of memory for a batch of %zu events", n);
		s->srefs = r;
		s->srefcap = n;
	}
	for (size_t i = 0; i < n; i++)
		s->srefs[i] = (struct sender_ref){items[i].sender ? items[i].sender : "", i};
	qsort(s->srefs, n, sizeof(s->srefs[0]), sender_ref_cmp);
	for (size_t i = 0; i < n;) {
		struct sender_record rec;
		char key[SENDER_NAME_MAX + 1];
		MDB_val k = {sender_key(s->srefs[i].name, key), key}, v;
		int rc = mdb_get(txn, s->senders, &k, &v);
		memset(&rec, 0, sizeof(rec));
		if (rc == 0 && sender_record_decode(&rec, v.mv_data, v.mv_size) != 0) {
			log_warn("store: the record of sender %s does not decode; starting it afresh", key);
			memset(&rec, 0, sizeof(rec));
		} else if (rc && rc != MDB_NOTFOUND) {
			return rc;
		}
		size_t j = i;
		for (; j < n && strcmp(s->srefs[j].name, s->srefs[i].name) == 0; j++) {
			const struct store_item *it = &items[s->srefs[j].item];
			if (it->received_at > rec.last_received)
				rec.last_received = it->received_at;
			if (results[s->srefs[j].item].status != STORE_ACCEPTED)
				continue;
			uint16_t y;
			uint8_t m;
			tally_year_month(it->event->occurred_at, s->tz_offset, &y, &m);
			sender_record_count(&rec, y, m, 1);
		}
		uint8_t buf[SENDER_RECORD_MAX];
		v = (MDB_val){sender_record_encode(&rec, buf), buf};
		rc = mdb_put(txn, s->senders, &k, &v, 0);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

int store_scan_senders(struct store *s, store_sender_fn fn, void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	if (!s->has_office_dbs)
		return 0;
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_open(txn, s->senders, &c);
	if (rc) {
		read_end(s);
		return lt_from_mdb(rc);
	}
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct sender_record rec;
		memset(&rec, 0, sizeof(rec));
		if (k.mv_size == 0 || k.mv_size > SENDER_NAME_MAX ||
		    sender_record_decode(&rec, v.mv_data, v.mv_size) != 0)
			continue;
		memcpy(rec.name, k.mv_data, k.mv_size);
		rec.name[k.mv_size] = '\0';
		ret = fn(&rec, arg);
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	read_end(s);
	return ret;
}

int store_scan_events(struct store *s, uint64_t from, size_t max_records, store_event_fn fn,
		      void *arg, uint64_t *next)
{
	MDB_txn *txn;
	MDB_cursor *c;
	uint8_t start[8];
	*next = 0;
	put_be64(start, from ? from : 1);
	MDB_val k = {8, start}, v;
	int rc = read_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_open(txn, s->events, &c);
	if (rc) {
		read_end(s);
		return lt_from_mdb(rc);
	}
	int ret = 0;
	size_t read = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8) {
			ret = LT_ECORRUPT;
			break;
		}
		uint64_t seq = get_be64(k.mv_data);
		if (read == max_records) {
			*next = seq;
			break;
		}
		read++;
		struct record rec = {0};
		if (record_unpack(&v, &rec) != 0) {
			ret = LT_ECORRUPT;
			break;
		}
		struct store_event ev = {seq, rec.received_at, rec.sender,
					 (rec.flags & REC_RETRACTED) != 0, rec.event};
		ret = fn(&ev, arg);
		record_free(&rec);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	read_end(s);
	return ret;
}
