/*
 * store_seqs.c - completeness by sequence numbers (docs/protocol.md,
 * "Sequence numbers"): per sender and epoch, the numbers its events
 * carried and the device cross-check (seqrec.h), kept in the database
 * "seqs" in every batch's own transaction; their scan for the views, and
 * their check against the stored events for `lawtally verify`.
 *
 *   seqs  sender name (store_sender_key), a 0 byte, the event's source when
 *         it is not the sender's name (with auth: the key's name, and the
 *         source its events claim; "" without), a 0 byte, epoch (u64
 *         big-endian) -> its record (seqrec.h), sealed
 *
 * A store from before numbers gets the database (empty) at its first
 * writable open; a read-only open of such a store sees it empty.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

#define SEQ_KEY_MAX (2 * SENDER_NAME_MAX + 2 + 8)
/* Records held open in one batch; a batch from more senders writes some back early. */
#define SEQ_OPEN_MAX 8

int store_seqs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	int rc = mdb_dbi_open(txn, "seqs", s->read_only ? 0 : MDB_CREATE, &s->seqs);
	if (rc == MDB_NOTFOUND && s->read_only)
		return 0; /* a store from before sequence numbers */
	if (rc) {
		snprintf(err, errlen, "cannot open the seqs database: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->has_seqs = 1;
	return 0;
}

/*
 * A numbering is the sender's (the key with auth, else the source) and,
 * within it, the source's: a spool numbers each source on its own.
 */
static size_t seq_key(const char *sender, const char *source, uint64_t epoch,
		      uint8_t key[SEQ_KEY_MAX])
{
	char name[SENDER_NAME_MAX + 1], src[SENDER_NAME_MAX + 1];
	size_t n = store_sender_key(sender ? sender : "", name), m = 0;
	memcpy(key, name, n);
	key[n++] = 0;
	if (source && source[0] && strcmp(source, sender ? sender : "") != 0) {
		m = store_sender_key(source, src);
		memcpy(key + n, src, m);
	}
	key[n + m] = 0;
	be64_store(key + n + m + 1, epoch);
	return n + m + 9;
}

/* Splits a key into the name shown ("sender" or "sender/source") and the epoch; 0 if it is not one. */
static int seq_key_split(const MDB_val *k, char name[STORE_SEQ_NAME_MAX + 1], uint64_t *epoch)
{
	const uint8_t *p = k->mv_data;
	if (k->mv_size < 11 || k->mv_size > SEQ_KEY_MAX || p[k->mv_size - 9] != 0)
		return 0;
	size_t len = k->mv_size - 9;
	const uint8_t *z = memchr(p, 0, len);
	if (!z || z == p || memchr(z + 1, 0, (size_t)(p + len - z - 1)))
		return 0;
	size_t n = (size_t)(z - p), m = len - n - 1;
	if (n > SENDER_NAME_MAX || m > SENDER_NAME_MAX)
		return 0;
	memcpy(name, p, n);
	if (m) {
		name[n] = '/';
		memcpy(name + n + 1, z + 1, m);
		n += 1 + m;
	}
	name[n] = '\0';
	*epoch = be64_load(p + len + 1);
	return 1;
}

/* A record loaded for the batch. */
struct seq_open {
	uint8_t key[SEQ_KEY_MAX];
	size_t klen;
	struct seqrec rec;
};

struct seq_scratch {
	struct seq_open open[SEQ_OPEN_MAX];
	size_t n, last;
	uint8_t buf[SEQREC_ENCODED_MAX];
};

void store_seqs_free(struct store *s)
{
	free(s->qscratch);
	s->qscratch = NULL;
}

static int seq_write(struct store *s, MDB_txn *txn, struct seq_scratch *sc, struct seq_open *o)
{
	MDB_val k = {o->klen, o->key};
	return store_put_sealed(s, txn, s->seqs, &k, sc->buf, seqrec_encode(&o->rec, sc->buf), 0);
}

/*
 * The record of key, loaded (or started) into the scratch. A record that
 * does not decode is started afresh with a warning: the numbers it held
 * show as gaps, which the sender's next re-sends or the office deal with;
 * it must never stop ingest. Damage stops the batch.
 */
static int seq_load(struct store *s, MDB_txn *txn, struct seq_scratch *sc, const uint8_t *key,
		    size_t klen, int create, struct seq_open **out)
{
	for (size_t i = 0; i < sc->n; i++) {
		size_t j = (sc->last + i) % sc->n;
		if (sc->open[j].klen == klen && memcmp(sc->open[j].key, key, klen) == 0) {
			sc->last = j;
			*out = &sc->open[j];
			return 0;
		}
	}
	size_t slot = sc->n;
	int rc = 0;
	/* written back first: a put may move the value a get points into */
	if (sc->n == SEQ_OPEN_MAX) {
		slot = (sc->last + 1) % SEQ_OPEN_MAX;
		if ((rc = seq_write(s, txn, sc, &sc->open[slot])) != 0)
			return rc;
	}
	MDB_val k = {klen, (void *)key}, v;
	rc = store_get(s, NULL, txn, s->seqs, &k, &v);
	if (rc == MDB_NOTFOUND && !create)
		return rc; /* the slot keeps its record, written back already */
	if (rc && rc != MDB_NOTFOUND)
		return rc; /* MDB_CORRUPTED: damage stops the batch */
	if (slot == sc->n)
		sc->n++;
	struct seq_open *o = &sc->open[slot];
	memcpy(o->key, key, klen);
	o->klen = klen;
	if (rc == MDB_NOTFOUND) {
		seqrec_init(&o->rec);
	} else if (seqrec_decode(&o->rec, v.mv_data, v.mv_size) != 0) {
		char name[STORE_SEQ_NAME_MAX + 1];
		uint64_t epoch = 0;
		seq_key_split(&k, name, &epoch);
		log_warn("store: the sequence record of sender %s, epoch %016llx, does not decode; "
			 "starting it afresh", name, (unsigned long long)epoch);
		seqrec_init(&o->rec);
	}
	sc->last = slot;
	*out = o;
	return 0;
}

/*
 * Every numbered item of the batch, whatever became of it (a duplicate or
 * an event the store refused was sent all the same), marks its number
 * seen; accepted ones count for the device cross-check. Only an accepted
 * event starts a record: what is not stored (a stream of rejected events
 * under ever new epochs) cannot grow the database.
 */
int store_seqs_apply(struct store *s, MDB_txn *txn, const struct store_item *items, size_t n,
		     const struct store_result *results)
{
	if (!s->has_seqs)
		return 0;
	struct seq_scratch *sc = s->qscratch;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const Lawtally__V1__Event *e = items[i].event;
		if (e->seq == 0)
			continue;
		if (!sc)
			sc = s->qscratch = xcalloc(1, sizeof(*sc));
		uint8_t key[SEQ_KEY_MAX];
		size_t klen = seq_key(items[i].sender, e->source, e->epoch, key);
		struct seq_open *o;
		rc = seq_load(s, txn, sc, key, klen, results[i].status == STORE_ACCEPTED, &o);
		if (rc == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		if (items[i].received_at > o->rec.last_at)
			o->rec.last_at = items[i].received_at;
		/* the village shown: of a stored event, never one refused */
		if (results[i].status == STORE_ACCEPTED && e->village[0] &&
		    strlen(e->village) <= VILLAGE_CODE_MAX)
			strcpy(o->rec.village, e->village);
		seqrec_event(&o->rec, e, e->occurred_at, results[i].status == STORE_ACCEPTED);
	}
	for (size_t j = 0; sc && j < sc->n && !rc; j++)
		rc = seq_write(s, txn, sc, &sc->open[j]);
	if (sc)
		sc->n = 0;
	return rc;
}

int store_scan_seqs(const struct store_snap *snap, store_seq_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	if (!snap->txn)
		return LT_EINVAL;
	if (!snap->store->has_seqs)
		return 0;
	int rc = mdb_cursor_open(snap->txn, snap->store->seqs, &c);
	if (rc)
		return lt_from_mdb(rc);
	struct seqrec *rec = xmalloc(sizeof(*rec));
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char name[STORE_SEQ_NAME_MAX + 1];
		uint64_t epoch;
		if (store_val_open(snap->store, snap->store->seqs, &k, &v) != 0) {
			ret = LT_ECORRUPT;
			break;
		}
		if (!seq_key_split(&k, name, &epoch) || seqrec_decode(rec, v.mv_data, v.mv_size))
			continue;
		ret = fn(name, epoch, rec, arg);
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	free(rec);
	return ret;
}

/* ---- verify: every stored number is in its sender's set ---- */

struct seq_tally {
	uint8_t key[SEQ_KEY_MAX];
	size_t klen;
	uint64_t enf[SEQREC_ACTIONS + 1];
};

struct seq_check {
	struct store *s;
	MDB_txn *txn;
	struct store_verify *v;
	struct seq_tally *t;
	size_t n, cap;
	struct seqrec *rec;          /* of the last key looked up */
	uint8_t reckey[SEQ_KEY_MAX];
	size_t reclen;
	int found;
};

static struct seq_tally *tally_of(struct seq_check *q, const uint8_t *key, size_t klen)
{
	for (size_t i = q->n; i-- > 0;)
		if (q->t[i].klen == klen && memcmp(q->t[i].key, key, klen) == 0)
			return &q->t[i];
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->t = xreallocarray(q->t, q->cap, sizeof(*q->t));
	}
	struct seq_tally *t = &q->t[q->n++];
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, klen);
	t->klen = klen;
	return t;
}

static void check_event(struct seq_check *q, uint64_t at, const struct record *rec)
{
	const Lawtally__V1__Event *e = rec->event;
	uint8_t key[SEQ_KEY_MAX];
	size_t klen = seq_key(rec->sender, e->source, e->epoch, key);
	if (klen != q->reclen || memcmp(key, q->reckey, klen) != 0) {
		MDB_val k = {klen, key}, v;
		memcpy(q->reckey, key, klen);
		q->reclen = klen;
		q->found = store_get(q->s, NULL, q->txn, q->s->seqs, &k, &v) == 0 &&
			   seqrec_decode(q->rec, v.mv_data, v.mv_size) == 0;
	}
	if (!q->found || !rangeset_has(&q->rec->set, e->seq))
		store_verify_note(q->v, "event #%llu: its number %llu (sender %s) is not in its "
					"sender's sequence record",
				  (unsigned long long)at, (unsigned long long)e->seq, rec->sender);
	if (e->body_case == LAWTALLY__V1__EVENT__BODY_ENFORCEMENT &&
	    e->enforcement->action >= 1 && e->enforcement->action <= SEQREC_ACTIONS)
		tally_of(q, key, klen)->enf[e->enforcement->action]++;
}

int store_seqs_verify(struct store *s, MDB_txn *txn, struct store_verify *v)
{
	if (!s->has_seqs)
		return 0;
	struct seq_check q = {.s = s, .txn = txn, .v = v};
	q.rec = xmalloc(sizeof(*q.rec));
	MDB_cursor *c;
	MDB_val k, val;
	int rc = mdb_cursor_open(txn, s->events, &c);
	if (rc) {
		free(q.rec);
		return lt_from_mdb(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
		struct record rec = {0};
		MDB_val kv = k, vv = val;
		if (k.mv_size != 8 || store_val_open(s, s->events, &kv, &vv) != 0 ||
		    store_record_unpack(&vv, &rec) != 0)
			continue; /* damage and undecodable events: the walk and the recount say so */
		if (rec.event->seq)
			check_event(&q, be64_load(k.mv_data), &rec);
		store_record_free(&rec);
	}
	mdb_cursor_close(c);
	/* every enforcement event the records counted is stored, and no more */
	for (size_t i = 0; i < q.n && (rc == MDB_NOTFOUND); i++) {
		MDB_val sk = {q.t[i].klen, q.t[i].key}, sv;
		char name[STORE_SEQ_NAME_MAX + 1];
		uint64_t epoch = 0;
		seq_key_split(&sk, name, &epoch);
		if (store_get(s, NULL, txn, s->seqs, &sk, &sv) != 0 ||
		    seqrec_decode(q.rec, sv.mv_data, sv.mv_size) != 0)
			continue; /* noted per event above */
		for (int a = 1; a <= SEQREC_ACTIONS; a++)
			if (q.rec->enf[a] != q.t[i].enf[a])
				store_verify_note(v, "sequence record of sender %s, epoch %016llx: %llu "
						     "enforcement events of action %d, %llu stored",
						  name, (unsigned long long)epoch,
						  (unsigned long long)q.rec->enf[a], a,
						  (unsigned long long)q.t[i].enf[a]);
	}
	free(q.t);
	free(q.rec);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}
