/*
 * store.c - the LMDB store (see store.h for the layout and the promises).
 *
 * Every LMDB return code is translated into err.h's vocabulary by
 * lt_from_mdb (shared with the client's spool). A write transaction keeps
 * its first error: the helpers below return it and the caller aborts.
 */
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "byteorder.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "now.h"
#include "xalloc.h"

static int grow(struct store *s);

uint8_t *store_scratch(struct store *s, size_t len)
{
	if (len > s->bufcap) {
		size_t cap = len < 4096 ? 4096 : len * 2;
		s->buf = xrealloc(s->buf, cap);
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

int store_identity(const struct store *s, uint8_t *id)
{
	if (s->has_identity)
		memcpy(id, s->identity, DATADIR_ID_LEN);
	return s->has_identity;
}

size_t store_id_key(const Lawtally__V1__Event *e, uint8_t key[ID_KEY_MAX])
{
	if (e->id.len != 16)
		return 0;
	size_t n = scope_event_key(e, key + 16);
	if (n == 0)
		return 0;
	memcpy(key, e->id.data, 16);
	/* at a county: the scope within the township (store_county.c) */
	size_t tlen = strnlen(e->township, SCOPE_TOWNSHIP_MAX);
	if (tlen) {
		key[16 + n] = 0;
		memcpy(key + 17 + n, e->township, tlen);
		n += 1 + tlen;
	}
	return 16 + n;
}

/*
 * Opens the databases and checks the store in one transaction: a writable
 * one also builds what an older store lacks and marks the commit, whose id
 * it sets in *committed (0 for a read-only open). recorded: the id
 * DIR/STORE_COMMIT_FILE holds (store_commit_check).
 */
static int open_dbs_once(struct store *s, const char *dir, uint64_t recorded,
			 uint64_t *committed, char *err, size_t errlen)
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
	int lrc = store_meta_open(s, txn, err, errlen);
	if (!lrc)
		lrc = store_office_dbs_open(s, txn, err, errlen);
	if (!lrc)
		lrc = store_seqs_open(s, txn, err, errlen);
	if (!lrc)
		lrc = store_rollups_open(s, txn, err, errlen);
	if (!lrc)
		lrc = store_county_open(s, txn, err, errlen);
	if (!lrc)
		lrc = store_commit_check(s, txn, recorded, dir, err, errlen);
	if (!lrc && !s->read_only) {
		*committed = (uint64_t)mdb_txn_id(txn);
		rc = store_commit_mark(s, txn);
		if (rc) {
			snprintf(err, errlen, "cannot write store metadata: %s", mdb_strerror(rc));
			lrc = lt_from_mdb(rc);
		}
	}
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

/* The databases and meta in one transaction, with the map grown for a migration. */
static int open_dbs(struct store *s, const char *dir, uint64_t recorded, uint64_t *committed,
		    char *err, size_t errlen)
{
	int lrc;
	while ((lrc = open_dbs_once(s, dir, recorded, committed, err, errlen)) == LT_EFULL &&
	       !s->read_only) {
		s->id_to_write = s->has_identity = s->migrated = s->sealed_now = 0;
		if (grow(s) != 0)
			break;
	}
	return lrc;
}

/*
 * After the open's commit: a new identity goes beside the store, and a
 * migration is said once. Returns 0 or an LT_E* code with err.
 */
static int after_open(struct store *s, const char *dir, char *err, size_t errlen)
{
	if (s->migrated)
		log_info("store: migrated from schema 1 to 2: ids are now unique per scope "
			 "(village, device, township); %llu events indexed again, %zu retractions "
			 "given the scope of their event",
			 (unsigned long long)s->migrated_events, s->migrated_retractions);
	if (s->sealed_now)
		log_info("store: migrated from schema 2 to 3: checksums added to %llu records in "
			 "%.1f s", (unsigned long long)s->sealed_records, s->sealed_seconds);
	if (!s->id_to_write)
		return 0;
	char text[DATADIR_ID_TEXT + 1];
	datadir_id_format(s->identity, text);
	int lrc = datadir_id_write(dir, s->identity, err, errlen);
	if (!lrc)
		log_info("store: identity %s written to %s/%s", text, dir, DATADIR_ID_FILE);
	return lrc;
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

/* LMDB found its own structure broken (a damaged page): say so before it aborts. */
static void on_lmdb_assert(MDB_env *env, const char *msg)
{
	(void)env;
	fault_lmdb_assert(msg);
}

int store_open(struct store **out, const struct store_options *opts, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	s->map_size = opts->map_size ? opts->map_size : MAP_SIZE_DEFAULT;
	s->map_size_max = opts->map_size_max ? opts->map_size_max : MAP_SIZE_MAX_DEFAULT;
	if (s->map_size > s->map_size_max)
		s->map_size = s->map_size_max;
	s->tz_offset = opts->tz_offset;
	s->read_only = opts->read_only;
	s->old_schema_ok = opts->read_only && opts->old_schema_ok;
	s->sealed = 1;
	s->commit_fd = -1;
	pthread_rwlock_init(&s->maplock, NULL);
	pthread_mutex_init(&s->damage_mu, NULL);
	int lrc;

	if (!s->read_only && mkdir(opts->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", opts->dir, strerror(errno));
		lrc = LT_ESYS;
		goto free_store;
	}
	/* before LMDB makes a new, empty data.mdb where the directory's store was lost */
	lrc = datadir_check(opts->dir, s->dir_id, &s->dir_held, err, errlen);
	if (lrc)
		goto free_store;
	int rc = mdb_env_create(&s->env);
	if (!rc)
		rc = mdb_env_set_assert(s->env, on_lmdb_assert);
	if (!rc)
		rc = mdb_env_set_maxdbs(s->env, 12);
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
	MDB_stat est;
	mdb_env_stat(s->env, &est); /* cannot fail on an open environment */
	s->psize = est.ms_psize;
	int dead = 0;
	store_reader_check(s, &dead);

	/* the file may already be larger than asked: use its size */
	MDB_envinfo info;
	if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize > s->map_size)
		s->map_size = info.me_mapsize;
	if (s->map_size > s->map_size_max)
		s->map_size_max = s->map_size;

	/* read before any transaction: a daemon committing meanwhile only adds to the store */
	uint64_t recorded, committed = 0;
	if (store_commit_read(opts->dir, &recorded) == LT_ECORRUPT && !s->read_only)
		log_warn("store: %s/%s does not read (a write cut short?): written afresh",
			 opts->dir, STORE_COMMIT_FILE);
	lrc = open_dbs(s, opts->dir, recorded, &committed, err, errlen);
	if (!lrc)
		lrc = after_open(s, opts->dir, err, errlen);
	if (lrc)
		goto env_close;
	if (!s->read_only) {
		lrc = store_commit_file_open(s, opts->dir, committed, err, errlen);
		if (lrc)
			goto env_close;
	}
	rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn);
	if (rc) {
		snprintf(err, errlen, "cannot begin read transaction: %s", mdb_strerror(rc));
		lrc = lt_from_mdb(rc);
		goto env_close;
	}
	mdb_txn_reset(s->rtxn);
	atomic_init(&s->rtxn_busy, 0);
	*out = s;
	return 0;

env_close:
	if (s->commit_fd >= 0)
		close(s->commit_fd);
	mdb_env_close(s->env);
free_store:
	pthread_rwlock_destroy(&s->maplock);
	pthread_mutex_destroy(&s->damage_mu);
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
	if (s->commit_fd >= 0)
		close(s->commit_fd);
	mdb_env_close(s->env);
	tally_deltas_free(&s->deltas);
	free(s->buf);
	store_senders_free(s);
	store_seqs_free(s);
	store_rollups_free(s);
	store_county_free(&s->county);
	pthread_rwlock_destroy(&s->maplock);
	pthread_mutex_destroy(&s->damage_mu);
	free(s);
	*sp = NULL;
}

/*
 * Appends the event with its server metadata under key, written straight
 * into the space LMDB reserves for it. The event's bytes are the ones it
 * was received as when packed is given (packing the decoded event again
 * was ~8 % of the daemon's CPU at saturation), else it is packed.
 */
static int record_append(struct store *s, MDB_val *key,
			 const struct store_item *it, const struct store_packed *packed)
{
	size_t slen = strlen(it->sender);
	if (slen > STORE_SENDER_MAX)
		slen = STORE_SENDER_MAX;
	size_t plen = packed ? packed->len : protobuf_c_message_get_packed_size(&it->event->base);
	size_t vlen = REC_HEADER_LEN + slen + plen;
	MDB_val v = {vlen + RECORD_SEAL_LEN, NULL}, last;
	/* a cursor at the end appends with no search (mdb_cursor_last keeps its place) */
	int rc = s->ev_moved ? mdb_cursor_get(s->ev_cur, &last, &v, MDB_LAST) : 0;
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	s->ev_moved = 0;
	v = (MDB_val){vlen + RECORD_SEAL_LEN, NULL};
	rc = mdb_cursor_put(s->ev_cur, key, &v, MDB_APPEND | MDB_RESERVE);
	if (rc)
		return rc;
	uint8_t *p = v.mv_data;
	p[0] = REC_VERSION;
	p[1] = 0; /* flags */
	le64_store(p + 2, (uint64_t)it->received_at);
	p[10] = (uint8_t)slen;
	memcpy(p + REC_HEADER_LEN, it->sender, slen);
	if (packed)
		memcpy(p + REC_HEADER_LEN + slen, packed->data, plen);
	else
		protobuf_c_message_pack(&it->event->base, p + REC_HEADER_LEN + slen);
	record_seal(key, p, vlen);
	return 0;
}


int store_record_unpack(const MDB_val *v, struct record *r)
{
	const uint8_t *p = v->mv_data;
	if (v->mv_size < REC_HEADER_LEN || p[0] != REC_VERSION ||
	    v->mv_size < REC_HEADER_LEN + (size_t)p[10] || p[10] > STORE_SENDER_MAX)
		return LT_ECORRUPT;
	r->flags = p[1];
	r->received_at = (int64_t)le64_load(p + 2);
	memcpy(r->sender, p + REC_HEADER_LEN, p[10]);
	r->sender[p[10]] = '\0';
	size_t off = REC_HEADER_LEN + p[10];
	r->event = lawtally__v1__event__unpack(&xalloc_protobuf, v->mv_size - off, p + off);
	return r->event ? 0 : LT_ECORRUPT;
}

void store_record_free(struct record *r)
{
	if (r->event)
		lawtally__v1__event__free_unpacked(r->event, &xalloc_protobuf);
	r->event = NULL;
}

static const char *const reason_seen_only = "refused before the store";

int store_result_seen_only(const struct store_result *r)
{
	return r->status == STORE_REJECTED && r->reason == reason_seen_only;
}
static const char *const reason_case_full =
	"case: more than 64 events for one case";
static const char *const reason_retract_unknown =
	"retraction.event_id: no stored event has this id in the scope retraction.scope names";
static const char *const reason_no_scope =
	"retraction.scope: required, the withdrawn event's scope: "
	"village:CODE, device, device:DEVICE_ID or township";
static const char *const reason_retract_twice =
	"retraction.event_id: the event is already retracted";
static const char *const reason_retract_retraction =
	"retraction.event_id: a retraction cannot be retracted";
static const char *const reason_retract_other =
	"retraction.event_id: only the original sender or an office key may retract it";

/*
 * Withdraws the event a retraction names by its id and scope (the
 * retraction's own scope key, in its ids key idk after the 16 bytes of its
 * own id): marks its record retracted and takes its fact out of the
 * totals. Sets *reason for a refusal, among them an event not sent by
 * only_sender (when not NULL).
 */
static int retract(struct store *s, MDB_txn *txn, const Lawtally__V1__Retraction *r,
		   const MDB_val *idk, const char *only_sender, const char **reason)
{
	uint8_t target[ID_KEY_MAX];
	memcpy(target, r->event_id.data, 16);
	memcpy(target + 16, (const uint8_t *)idk->mv_data + 16, idk->mv_size - 16);
	MDB_val k = {idk->mv_size, target}, seqv, recv;
	int rc = mdb_get(txn, s->ids, &k, &seqv);
	if (rc == MDB_NOTFOUND) {
		*reason = reason_retract_unknown;
		return 0;
	}
	if (rc)
		return rc;
	if (seqv.mv_size != 8)
		return MDB_CORRUPTED;
	/* copy the key out of the map before the transaction writes */
	uint8_t seqkey[8];
	memcpy(seqkey, seqv.mv_data, 8);
	MDB_val sk = {8, seqkey};
	rc = store_get(s, NULL, txn, s->events, &sk, &recv);
	if (rc)
		return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
	size_t reclen = recv.mv_size;
	uint8_t *copy = store_scratch(s, reclen + RECORD_SEAL_LEN);
	memcpy(copy, recv.mv_data, reclen);
	recv.mv_data = copy;
	struct record rec = {0};
	if (store_record_unpack(&recv, &rec))
		return MDB_CORRUPTED;
	/* the index led to another event: it is damaged */
	if (rec.event->id.len != 16 || memcmp(rec.event->id.data, r->event_id.data, 16) != 0) {
		store_note_damage(s, s->ids, &k, "it leads to an event of another id");
		store_record_free(&rec);
		return MDB_CORRUPTED;
	}
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
	rc = store_tally_event(s, txn, rec.event, -1, &full);
	if (rc)
		goto done;
	copy[1] |= REC_RETRACTED;
	record_seal(&sk, copy, reclen);
	MDB_val nv = {reclen + RECORD_SEAL_LEN, copy};
	rc = mdb_put(txn, s->events, &sk, &nv, 0);
	s->ev_moved = 1;
done:
	store_record_free(&rec);
	return rc;
}

int store_add_i64(struct store *s, MDB_cursor *c, const uint8_t *key, size_t klen,
		  int64_t delta)
{
	uint8_t vb[8 + RECORD_SEAL_LEN];
	MDB_val k = {klen, (void *)key}, v;
	int rc = mdb_cursor_get(c, &k, &v, MDB_SET_KEY);
	if (rc == MDB_NOTFOUND) {
		if (delta == 0)
			return 0;
		le64_store(vb, (uint64_t)delta);
		record_seal(&k, vb, 8);
		v = (MDB_val){sizeof(vb), vb};
		return mdb_cursor_put(c, &k, &v, 0);
	}
	/* a damaged total is never added to: that would seal the damage anew */
	if (!rc)
		rc = store_val_open(s, mdb_cursor_dbi(c), &k, &v);
	if (rc)
		return rc;
	if (v.mv_size != 8)
		return MDB_CORRUPTED;
	int64_t cur = (int64_t)le64_load(v.mv_data) + delta;
	if (cur == 0)
		return mdb_cursor_del(c, 0);
	/* the cursor is on the key: rewrite its value in place, no second search */
	le64_store(vb, (uint64_t)cur);
	record_seal(&k, vb, 8);
	v = (MDB_val){sizeof(vb), vb};
	return mdb_cursor_put(c, &k, &v, MDB_CURRENT);
}

/*
 * Adds the batch's deltas, merged with those counted ahead (NULL: none),
 * to the totals, deleting totals that reach 0.
 */
static int totals_apply(struct store *s, MDB_txn *txn, const struct tally_deltas *counted)
{
	MDB_cursor *c = NULL;
	tally_deltas_merge(&s->deltas);
	if (counted)
		tally_deltas_merge_with(&s->deltas, counted);
	int rc = mdb_cursor_open(txn, s->totals, &c);
	for (size_t i = 0; i < s->deltas.n && !rc; i++) {
		uint8_t kb[TALLY_KEY_LEN];
		tally_key_encode(&s->deltas.d[i].key, kb);
		rc = store_add_i64(s, c, kb, sizeof(kb), s->deltas.d[i].value);
	}
	if (!rc)
		mdb_cursor_close(c); /* on failure the aborted transaction closes it */
	return rc;
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
	*seq = be64_load(k.mv_data) + 1;
	return 0;
}

/* Applies one event inside the batch's transaction. Returns an MDB code. */
static int apply_one(struct store *s, MDB_txn *txn, const struct store_item *it,
		     const struct store_packed *packed, const struct store_prep *prep,
		     uint64_t *seq, struct store_result *res)
{
	const Lawtally__V1__Event *e = it->event;
	if (packed && !packed->data && packed->len == STORE_SEEN_ONLY) {
		res->status = STORE_REJECTED;
		res->reason = reason_seen_only;
		return 0;
	}
	uint8_t key[ID_KEY_MAX];
	MDB_val idk = {prep ? prep->idlen : store_id_key(e, key), prep ? (void *)prep->idkey : key}, v;
	if (idk.mv_size == 0) {
		res->status = STORE_REJECTED;
		res->reason = reason_no_scope;
		return 0;
	}
	MDB_val found = idk;
	int rc = mdb_cursor_get(s->ids_cur, &found, &v, MDB_SET);
	if (rc == 0) {
		res->status = STORE_DUPLICATE;
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return rc;

	const char *reason = NULL;
	if (e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION) {
		rc = retract(s, txn, e->retraction, &idk, it->own_only ? it->sender : NULL,
			     &reason);
	} else {
		int full;
		rc = prep ? store_tally_prepared(s, txn, prep, e->township, &full)
			  : store_tally_event(s, txn, e, +1, &full);
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
	be64_store(seqkey, *seq);
	MDB_val sk = {8, seqkey};
	rc = record_append(s, &sk, it, packed && packed->data ? packed : NULL);
	if (!rc)
		rc = mdb_cursor_put(s->ids_cur, &idk, &sk, MDB_NOOVERWRITE);
	if (rc)
		return rc;
	(*seq)++;
	res->status = STORE_ACCEPTED;
	return 0;
}

/* One attempt at the batch; returns an MDB code, the transaction closed. */
static int apply_txn(struct store *s, const struct store_item *items,
		     const struct store_packed *packed, const struct store_prep *prep,
		     const struct tally_deltas *counted, size_t n, struct store_result *results)
{
	MDB_txn *txn;
	uint64_t seq;
	tally_deltas_reset(&s->deltas);
	store_county_reset(&s->county);
	s->cases_cur = s->ids_cur = s->ev_cur = NULL;
	s->ev_moved = 1;
	int rc = store_write_begin(s, &txn);
	if (rc)
		return rc;
	rc = next_seq(s, txn, &seq);
	if (!rc)
		rc = mdb_cursor_open(txn, s->cases, &s->cases_cur);
	if (!rc)
		rc = mdb_cursor_open(txn, s->ids, &s->ids_cur);
	if (!rc)
		rc = mdb_cursor_open(txn, s->events, &s->ev_cur);
	for (size_t i = 0; i < n && !rc; i++) {
		results[i] = (struct store_result){0, NULL};
		const struct store_prep *p = prep ? &prep[i] : NULL;
		rc = apply_one(s, txn, &items[i], packed ? &packed[i] : NULL, p, &seq, &results[i]);
		/* counted ahead but not stored (a duplicate, refused before the store): taken back */
		if (!rc && p && p->counted && results[i].status != STORE_ACCEPTED)
			tally_contrib(&p->fact, 1, -1, &s->deltas);
	}
	if (!rc)
		rc = totals_apply(s, txn, counted);
	if (!rc)
		rc = store_county_apply(s, txn);
	if (!rc)
		rc = store_rollups_apply(s, txn, &s->deltas);
	if (!rc)
		rc = store_senders_apply(s, txn, items, n, results);
	if (!rc)
		rc = store_seqs_apply(s, txn, items, n, results);
	if (!rc)
		rc = store_names_apply(s, txn, items, n);
	s->cases_cur = s->ids_cur = s->ev_cur = NULL; /* the transaction's end closes them */
	if (rc) {
		store_write_end(s, txn, 0);
		return rc;
	}
	return store_write_end(s, txn, 1);
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
	return store_apply_packed(s, items, NULL, n, results);
}

#define FULL_LOG_SECONDS 60

/*
 * A batch refused because the map is at its maximum or the disk is full.
 * Senders retry every few seconds while it lasts, and small or duplicate
 * batches may still commit in between: one line a minute says so, with the
 * count, instead of one line a batch flooding the journal.
 */
static void note_full(struct store *s, int rc)
{
	int64_t now = now_mono_ms() / 1000;
	s->full_refused++;
	if (s->full_logged && now - s->full_logged < FULL_LOG_SECONDS)
		return;
	if (rc == MDB_MAP_FULL)
		log_warn("store: full at its maximum map size of %zu MiB; %lu batch(es) refused "
			 "(raise map_size_max_mb and reload)",
			 s->map_size >> 20, s->full_refused);
	else
		log_warn("store: the disk is full (%s); %lu batch(es) refused", mdb_strerror(rc),
			 s->full_refused);
	s->full_logged = now > 0 ? now : 1;
	s->full_refused = 0;
	s->full_said = 1;
}

/* A commit after a logged refusal: ingest has resumed by itself. */
static void note_room(struct store *s)
{
	log_info("store: room again; ingest resumed (%lu more batch(es) were refused "
		 "since the last warning)", s->full_refused);
	s->full_said = 0;
}

/*
 * After MAP_FULL with no transaction open: grows the map towards its
 * maximum, with every reader of this process held off (mdb_env_set_mapsize
 * needs no transaction active). Returns 0, MDB_MAP_FULL at the maximum, or
 * an MDB code.
 */
static int grow(struct store *s)
{
	/* a scrub's recount holding a snapshot gives way (store_recount_check) */
	atomic_fetch_add(&s->grow_waiting, 1);
	pthread_rwlock_wrlock(&s->maplock);
	atomic_fetch_sub(&s->grow_waiting, 1);
	if (s->map_size >= s->map_size_max) {
		pthread_rwlock_unlock(&s->maplock);
		return MDB_MAP_FULL;
	}
	size_t grown = s->map_size > s->map_size_max / 2 ? s->map_size_max : s->map_size * 2;
	int rc = mdb_env_set_mapsize(s->env, grown);
	if (!rc) {
		log_info("store: map grown from %zu to %zu MiB", s->map_size >> 20, grown >> 20);
		s->map_size = grown;
	}
	pthread_rwlock_unlock(&s->maplock);
	return rc;
}

int store_apply_packed(struct store *s, const struct store_item *items,
		       const struct store_packed *packed, size_t n,
		       struct store_result *results)
{
	return store_apply_prepared(s, items, packed, NULL, NULL, n, results);
}

int store_apply_prepared(struct store *s, const struct store_item *items,
			 const struct store_packed *packed, const struct store_prep *prep,
			 const struct tally_deltas *counted, size_t n,
			 struct store_result *results)
{
	if (s->read_only)
		return LT_EINVAL;
	if (atomic_load(&s->damaged))
		return LT_ECORRUPT; /* nothing more is written on a damaged store */
	int rc;
	do
		rc = apply_txn(s, items, packed, prep, counted, n, results);
	while (rc == MDB_MAP_FULL && (rc = grow(s)) == 0);
	if (rc == EIO && disk_nearly_full(s))
		rc = ENOSPC;
	if (lt_from_mdb(rc) == LT_EFULL) {
		note_full(s, rc);
	} else if (lt_from_mdb(rc) == LT_ECORRUPT) {
		/* a damaged record was noted where it was met; LMDB's own findings here */
		if (!atomic_load(&s->damaged)) {
			char line[160];
			snprintf(line, sizeof(line), "a batch met damage LMDB found: %s",
				 mdb_strerror(rc));
			store_note_damage_line(s, line);
		}
	} else if (rc)
		log_err("store: batch of %zu events not stored: %s", n, mdb_strerror(rc));
	else if (s->full_said)
		note_room(s);
	return lt_from_mdb(rc);
}

int store_write_begin(struct store *s, MDB_txn **txn)
{
	pthread_rwlock_rdlock(&s->maplock);
	int rc = mdb_txn_begin(s->env, NULL, 0, txn);
	if (rc)
		pthread_rwlock_unlock(&s->maplock);
	return rc;
}

int store_write_end(struct store *s, MDB_txn *txn, int commit)
{
	int rc = 0;
	uint64_t id = (uint64_t)mdb_txn_id(txn);
	if (commit && (rc = store_commit_mark(s, txn)) != 0)
		commit = 0;
	if (commit)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->maplock);
	if (commit && rc == 0)
		store_commit_note(s, id);
	return rc;
}
