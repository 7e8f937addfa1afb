/*
 * store_recount.c - rebuilding cases and totals from the stored events
 * alone: store_verify compares the result with the live ones, and
 * store_recount_asof counts only what had been received by a moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byteorder.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

/* A fact of a case kind with its case key, for grouping by sorting. */
struct case_fact {
	uint8_t key[TALLY_CASE_KEY_MAX];
	uint8_t klen;
	char township[SCOPE_TOWNSHIP_MAX + 1]; /* at a county; else "" */
	struct tally_fact fact;
};

/* LMDB's default key order: bytes, then the shorter first. */
int store_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int case_fact_cmp(const void *pa, const void *pb)
{
	const struct case_fact *a = pa, *b = pb;
	int c = store_key_cmp(a->key, a->klen, b->key, b->klen);
	return c ? c : tally_fact_cmp(&a->fact, &b->fact);
}


void store_verify_note(struct store_verify *v, const char *fmt, ...)
{
	v->mismatches++;
	if (v->nfirst == sizeof(v->first) / sizeof(v->first[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->first[v->nfirst++], sizeof(v->first[0]), fmt, ap);
	va_end(ap);
}

/*
 * "ZL07/2024-015" for a case key (kind byte, padded village, case id),
 * its bytes escaped: a key read from a damaged page is printed, not sent
 * raw to a terminal.
 */
static void describe_case(const uint8_t *key, size_t klen, char *out, size_t len)
{
	char village[4 * VILLAGE_CODE_MAX + 4], id[4 * 32 + 4];
	size_t vlen = strnlen((const char *)key + 1, VILLAGE_CODE_MAX);
	record_escape(key + 1, vlen, village, sizeof(village));
	record_escape(key + 1 + VILLAGE_CODE_MAX, klen - 1 - VILLAGE_CODE_MAX, id, sizeof(id));
	snprintf(out, len, "%s/%s", village, id);
}

/*
 * The recount groups the facts of case events by case, which takes memory
 * for every fact it holds. To keep that bounded whatever the store's size,
 * it goes in passes, each over a range of case keys [lo, hi) that the cases
 * database says holds about store_recount_pass_facts facts (2^17, about 11 MiB): each
 * pass walks the event log again and keeps only the facts of its range. The
 * first pass also counts the events without cases and checks the ids index.
 */
size_t store_recount_pass_facts = 1u << 17;

struct recount {
	struct case_fact *cf;
	size_t ncf, capcf;
	struct tally_deltas deltas;
	struct county_deltas county; /* each township's, at a county */
	const char *township;     /* only this township's events (an as-of of one), or "" */
	int yield;                /* give way to a batch that waits to grow the map */
	uint64_t seen;            /* records read, for the yield */
	int first;                /* the first pass: also the facts without cases */
	uint8_t lo[TALLY_CASE_KEY_MAX], hi[TALLY_CASE_KEY_MAX];
	size_t lolen, hilen;
	int has_hi;               /* else the range runs to the end */
};

/* Whether a case key lies in this pass's range. */
static int recount_in_range(const struct recount *r, const uint8_t *key, size_t klen)
{
	if (!r->first && store_key_cmp(key, klen, r->lo, r->lolen) < 0)
		return 0;
	return !r->has_hi || store_key_cmp(key, klen, r->hi, r->hilen) < 0;
}

/*
 * Ends this pass's range after about store_recount_pass_facts facts of the cases
 * database from lo on; has_hi 0 when the rest of it fits.
 */
static int recount_range(struct store *s, MDB_txn *txn, struct recount *r)
{
	MDB_cursor *c;
	MDB_val k = {r->lolen, r->lo}, val;
	int rc = mdb_cursor_open(txn, s->cases, &c);
	if (rc)
		return lt_from_mdb(rc);
	size_t facts = 0;
	r->has_hi = 0;
	for (rc = mdb_cursor_get(c, &k, &val, r->first ? MDB_FIRST : MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &val, MDB_NEXT)) {
		if (facts >= store_recount_pass_facts && k.mv_size <= TALLY_CASE_KEY_MAX &&
		    store_key_cmp(k.mv_data, k.mv_size, r->lo, r->lolen) > 0) {
			memcpy(r->hi, k.mv_data, k.mv_size);
			r->hilen = k.mv_size;
			r->has_hi = 1;
			break;
		}
		facts += val.mv_size / TALLY_FACT_LEN + 1;
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

/* The next pass's range starts where this one ended; 0 when none is left. */
static int recount_next_range(struct recount *r)
{
	if (!r->has_hi)
		return 0;
	memcpy(r->lo, r->hi, r->hilen);
	r->lolen = r->hilen;
	r->first = 0;
	r->ncf = 0;
	return 1;
}

/* LT_EBUSY when the recount should give way now (STORE_YIELD_EVERY). */
static int recount_yield(struct store *s, struct recount *r)
{
	return r->yield && ++r->seen % STORE_YIELD_EVERY == 0 && atomic_load(&s->grow_waiting)
		       ? LT_EBUSY
		       : 0;
}

/* A database's count of records must be what a walk of it found. */
static void recount_count(struct store *s, MDB_txn *txn, MDB_dbi db, uint64_t found,
			  struct store_verify *v)
{
	MDB_stat st;
	if (mdb_stat(txn, db, &st) == 0 && st.ms_entries != found)
		store_verify_note(v, "database %s counts %zu records, but %llu were found",
				  store_db_name(s, db), st.ms_entries, (unsigned long long)found);
}

struct recount_cut;
static int cut_excludes(const struct recount_cut *cut, const struct record *rec);

/*
 * Reads every event into the recount: per-event facts straight to deltas.
 * With cut (an as-of recount, end of file) only the events it keeps count,
 * and a damaged one stops it (LT_ECORRUPT); without, every event not
 * retracted, a damaged one left out (store_verify_all's walk lists it).
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
		uint64_t seq = k.mv_size == 8 ? be64_load(k.mv_data) : 0;
		v->events += rc_->first;
		int lrc = recount_yield(s, rc_);
		if (lrc) {
			mdb_cursor_close(c);
			return lrc;
		}
		if (store_val_open(s, s->events, &k, &val) != 0) {
			if (cut) {
				mdb_cursor_close(c);
				return LT_ECORRUPT;
			}
			continue;
		}
		if (store_record_unpack(&val, &rec) || rec.event->id.len != 16) {
			if (rc_->first)
				store_verify_note(v, "event #%llu: does not decode",
						  (unsigned long long)seq);
			store_record_free(&rec);
			continue;
		}
		uint8_t key[ID_KEY_MAX];
		MDB_val idk = {store_id_key(rec.event, key), key}, sv;
		if (!rc_->first)
			; /* checked in the first pass */
		else if (idk.mv_size == 0)
			store_verify_note(v, "event #%llu: a retraction without a scope",
					  (unsigned long long)seq);
		else if (mdb_get(txn, s->ids, &idk, &sv) != 0 || sv.mv_size != 8 ||
			 memcmp(sv.mv_data, k.mv_data, 8) != 0)
			store_verify_note(v, "event #%llu: missing from the id index",
				    (unsigned long long)seq);
		if ((cut ? cut_excludes(cut, &rec)
			 : (rec.flags & REC_RETRACTED) ||
				   rec.event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION) ||
		    (rc_->township && strcmp(rc_->township, rec.event->township) != 0)) {
			store_record_free(&rec);
			continue;
		}
		struct tally_fact f;
		uint8_t ck[TALLY_CASE_KEY_MAX];
		size_t cklen;
		if (tally_fact_from_event(rec.event, s->tz_offset, &f)) {
			if (rc_->first)
				store_verify_note(v, "event #%llu: has no body",
						  (unsigned long long)seq);
		} else if (!tally_kind_has_cases(f.kind)) {
			if (rc_->first) {
				tally_contrib(&f, 1, +1, &rc_->deltas);
				if (rec.event->township[0] && !rc_->township)
					tally_contrib(&f, 1, +1,
						      store_county_deltas(&rc_->county,
									  rec.event->township));
			}
		} else if (cklen = tally_case_key(rec.event, ck), recount_in_range(rc_, ck, cklen)) {
			if (rc_->ncf == rc_->capcf) {
				size_t cap = rc_->capcf ? rc_->capcf * 2 : 1024;
				rc_->cf = xreallocarray(rc_->cf, cap, sizeof(*rc_->cf));
				rc_->capcf = cap;
			}
			struct case_fact *cf = &rc_->cf[rc_->ncf++];
			memcpy(cf->key, ck, cklen);
			cf->klen = (uint8_t)cklen;
			snprintf(cf->township, sizeof(cf->township), "%s", rec.event->township);
			cf->fact = f;
		}
		store_record_free(&rec);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return lt_from_mdb(rc);
	if (!cut && rc_->first) {
		recount_count(s, txn, s->events, v->events, v);
		recount_count(s, txn, s->ids, v->events, v); /* one id for every event */
	}
	return 0;
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
	while (j < r->ncf && store_key_cmp(r->cf[j].key, r->cf[j].klen, r->cf[i].key,
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
			 struct store_verify *v, uint64_t *found)
{
	MDB_cursor *c;
	MDB_val k = {r->lolen, r->lo}, val;
	if (r->ncf)
		qsort(r->cf, r->ncf, sizeof(r->cf[0]), case_fact_cmp);
	int rc = mdb_cursor_open(txn, s->cases, &c);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_get(c, &k, &val, r->first ? MDB_FIRST : MDB_SET_RANGE);
	if (rc == 0 && !recount_in_range(r, k.mv_data, k.mv_size))
		rc = MDB_NOTFOUND; /* this range's cases end here */
	size_t i = 0;
	while (i < r->ncf || rc == 0) {
		int lrc = recount_yield(s, r);
		if (lrc) {
			mdb_cursor_close(c);
			return lrc;
		}
		struct tally_fact group[TALLY_CASE_FACTS_MAX];
		size_t ng, j = next_group(r, i, group, &ng);
		int order = i == r->ncf ? 1 : rc != 0 ? -1
			  : store_key_cmp(r->cf[i].key, r->cf[i].klen, k.mv_data, k.mv_size);
		char what[192];
		if (order <= 0)
			describe_case(r->cf[i].key, r->cf[i].klen, what, sizeof(what));
		else if (k.mv_size > VILLAGE_CODE_MAX && k.mv_size <= TALLY_CASE_KEY_MAX)
			describe_case(k.mv_data, k.mv_size, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "with a %zu-byte key", k.mv_size);
		if (order < 0) {
			store_verify_note(v, "case %s: has events but no case record", what);
		} else if (order > 0) {
			store_verify_note(v, "case %s: record without events", what);
		} else if (store_val_open(s, s->cases, &k, &val) == 0) {
			/* (a damaged one: store_verify_all's walk lists it) */
			uint8_t enc[TALLY_CASE_FACTS_MAX * TALLY_FACT_LEN];
			tally_facts_encode(group, ng, enc);
			if (val.mv_size != tally_facts_encoded_len(ng) ||
			    memcmp(val.mv_data, enc, val.mv_size) != 0)
				store_verify_note(v, "case %s: record differs from its events", what);
		}
		if (order <= 0) {
			tally_contrib(group, ng, +1, &r->deltas);
			if (r->cf[i].township[0])
				tally_contrib(group, ng, +1,
					      store_county_deltas(&r->county, r->cf[i].township));
			i = j;
		}
		if (order >= 0) {
			(*found)++;
			rc = mdb_cursor_get(c, &k, &val, MDB_NEXT);
			if (rc == 0 && !recount_in_range(r, k.mv_data, k.mv_size))
				rc = MDB_NOTFOUND;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

void store_describe_key(const struct tally_key *k, char *out, size_t len)
{
	const struct tally_metric_info *mi = tally_metric(k->metric);
	char village[4 * VILLAGE_CODE_MAX + 4];
	record_escape(k->village, strnlen(k->village, VILLAGE_CODE_MAX), village, sizeof(village));
	snprintf(out, len, "%s %u-%02u village '%s' dims %u,%u",
		 mi ? mi->name : "?", k->year, k->month, village, k->dim[0], k->dim[1]);
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
	uint64_t found = 0;
	while (i < r->deltas.n || rc == 0) {
		uint8_t kb[TALLY_KEY_LEN];
		int order;
		int lrc = recount_yield(s, r);
		if (lrc) {
			mdb_cursor_close(c);
			return lrc;
		}
		if (i == r->deltas.n) {
			order = 1;
		} else {
			tally_key_encode(&r->deltas.d[i].key, kb);
			order = rc != 0 ? -1 : store_key_cmp(kb, TALLY_KEY_LEN, k.mv_data, k.mv_size);
		}
		if (order < 0) {
			store_describe_key(&r->deltas.d[i].key, what, sizeof(what));
			store_verify_note(v, "total %s: live 0, recount %lld", what,
				    (long long)r->deltas.d[i].value);
			i++;
			continue;
		}
		struct tally_key key;
		int damaged = store_val_open(s, s->totals, &k, &val) != 0 || val.mv_size != 8;
		int64_t live = damaged ? 0 : (int64_t)le64_load(val.mv_data);
		found++;
		if (damaged) {
			/* store_verify_all's walk lists it */
		} else if (k.mv_size != TALLY_KEY_LEN) {
			store_verify_note(v, "totals: a key of %zu bytes", k.mv_size);
		} else if (order > 0) {
			tally_key_decode(k.mv_data, &key);
			store_describe_key(&key, what, sizeof(what));
			store_verify_note(v, "total %s: live %lld, recount 0", what, (long long)live);
		} else if (live != r->deltas.d[i].value) {
			store_describe_key(&r->deltas.d[i].key, what, sizeof(what));
			store_verify_note(v, "total %s: live %lld, recount %lld", what, (long long)live,
				    (long long)r->deltas.d[i].value);
		}
		if (order == 0)
			i++;
		rc = mdb_cursor_get(c, &k, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return lt_from_mdb(rc);
	recount_count(s, txn, s->totals, found, v);
	return 0;
}

/* The recount of store_verify_all in txn (v filled, not reset). */
static int recount_all(struct store *s, MDB_txn *txn, struct store_verify *v, int yield)
{
	struct recount r = {.yield = yield, .first = 1};
	uint64_t cases = 0;
	int lrc;
	do {
		lrc = recount_range(s, txn, &r);
		if (!lrc)
			lrc = recount_events(s, txn, &r, v, NULL);
		if (!lrc)
			lrc = recount_cases(s, txn, &r, v, &cases);
	} while (!lrc && recount_next_range(&r));
	if (!lrc)
		recount_count(s, txn, s->cases, cases, v);
	if (!lrc)
		lrc = recount_totals(s, txn, &r, v);
	if (!lrc)
		lrc = store_rollups_verify(s, txn, v, yield);
	if (!lrc)
		lrc = store_county_verify(s, txn, &r.county, v);
	free(r.cf);
	tally_deltas_free(&r.deltas);
	store_county_free(&r.county);
	return lrc;
}

static int verify_result(const struct store_verify *v)
{
	return v->damaged ? LT_ECORRUPT : v->mismatches ? LT_EMISMATCH : 0;
}

int store_verify_all(const struct store_snap *snap, struct store_verify *v, store_note_fn fn,
		     void *arg)
{
	memset(v, 0, sizeof(*v));
	if (!snap->txn)
		return LT_EINVAL;
	if (snap->store->schema < 2)
		return LT_ESCHEMA; /* schema 1 (one id space), opened only to be copied */
	int lrc = store_verify_walk(snap->store, snap->txn, v, fn, arg);
	if (!lrc)
		lrc = recount_all(snap->store, snap->txn, v, 0);
	if (!lrc)
		lrc = store_seqs_verify(snap->store, snap->txn, v);
	return lrc ? lrc : verify_result(v);
}

int store_verify(const struct store_snap *snap, struct store_verify *v)
{
	return store_verify_all(snap, v, NULL, NULL);
}

int store_recount_check(struct store *s, struct store_verify *v)
{
	struct store_snap snap;
	memset(v, 0, sizeof(*v));
	int lrc = store_read_begin(s, &snap);
	if (lrc)
		return lrc;
	lrc = recount_all(s, snap.txn, v, 1);
	store_read_end(&snap);
	if (lrc == LT_ECORRUPT && !store_damaged(s, NULL, 0))
		store_note_damage_line(s, "the recount met a page LMDB cannot read");
	if (lrc)
		return lrc;
	if (v->mismatches) {
		char line[320];
		snprintf(line, sizeof(line), "the recount differs from the live figures in %llu "
			 "place(s), e.g. %s", (unsigned long long)v->mismatches, v->first[0]);
		store_note_damage_line(s, line);
	}
	return verify_result(v);
}

/* An ids key (id and scope), as a retraction names the event it withdraws. */
struct cut_key {
	uint8_t len;
	uint8_t key[ID_KEY_MAX];
};

/* A moment's cut of the event log: received by then, and not retracted by then. */
struct recount_cut {
	int64_t received_max;
	struct cut_key *retracted;  /* (id, scope) retracted by then, sorted */
	size_t n, cap;
};

static int cut_key_cmp(const void *pa, const void *pb)
{
	const struct cut_key *a = pa, *b = pb;
	return store_key_cmp(a->key, a->len, b->key, b->len);
}

static int cut_excludes(const struct recount_cut *cut, const struct record *rec)
{
	if (rec->received_at > cut->received_max ||
	    rec->event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION)
		return 1;
	struct cut_key k;
	k.len = (uint8_t)store_id_key(rec->event, k.key);
	return cut->n && bsearch(&k, cut->retracted, cut->n, sizeof(k), cut_key_cmp);
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
		if (store_val_open(s, s->events, &k, &v) != 0) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (store_record_unpack(&v, &rec) != 0 || rec.received_at > cut->received_max ||
		    rec.event->body_case != LAWTALLY__V1__EVENT__BODY_RETRACTION ||
		    rec.event->retraction->event_id.len != 16) {
			store_record_free(&rec);
			continue;
		}
		if (cut->n == cut->cap) {
			size_t cap = cut->cap ? cut->cap * 2 : 64;
			cut->retracted = xreallocarray(cut->retracted, cap, sizeof(*cut->retracted));
			cut->cap = cap;
		}
		/* the event withdrawn: its id in the retraction's own scope */
		struct cut_key *t = &cut->retracted[cut->n];
		t->len = (uint8_t)store_id_key(rec.event, t->key);
		memcpy(t->key, rec.event->retraction->event_id.data, 16);
		cut->n += t->len > 0;
		store_record_free(&rec);
	}
	mdb_cursor_close(c);
	if (cut->n)
		qsort(cut->retracted, cut->n, sizeof(*cut->retracted), cut_key_cmp);
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

int store_recount_asof(const struct store_snap *snap, int64_t received_max,
		       struct tally_deltas *out)
{
	struct store *s = snap->store;
	MDB_txn *txn = snap->txn;
	struct recount r = {.first = 1, .township = snap->township[0] ? snap->township : NULL};
	struct recount_cut cut = {.received_max = received_max};
	struct store_verify v;
	memset(&v, 0, sizeof(v));
	if (!txn)
		return LT_EINVAL;
	if (s->schema != STORE_SCHEMA_VERSION)
		return LT_ESCHEMA; /* opened only to be copied */
	int lrc = cut_collect(s, txn, &cut);
	do {
		if (!lrc)
			lrc = recount_range(s, txn, &r);
		if (!lrc)
			lrc = recount_events(s, txn, &r, &v, &cut);
		if (!lrc)
			recount_groups(&r);
	} while (!lrc && recount_next_range(&r));
	if (!lrc) {
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
	store_county_free(&r.county);
	return lrc;
}

