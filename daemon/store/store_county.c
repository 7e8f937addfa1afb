/*
 * store_county.c - the township as a dimension of a county's store, and
 * a township's cursor of what the county has acknowledged (docs/county.md).
 *
 * A county's store keeps every event a township forwarded with its
 * township (Event.township), in the one event log, ids index and cases of
 * any store: the ids and case keys of such an event end in a NUL and the
 * township's code (store_id_key, tally_case_key), so two townships' ZL07
 * never meet. The totals stay the county's, the sum over its townships;
 * beside them, "ttotals" keeps each township's: the township's code,
 * zero-padded to SCOPE_TOWNSHIP_MAX bytes, then the totals key. A store
 * that never took a forwarded event has the database empty, and one from
 * before it gets it, empty, at its first writable open: no schema step.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

#define TTOTALS_KEY_LEN (SCOPE_TOWNSHIP_MAX + TALLY_KEY_LEN)

int store_county_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	int rc = mdb_dbi_open(txn, "ttotals", s->read_only ? 0 : MDB_CREATE, &s->ttotals);
	if (rc == MDB_NOTFOUND && s->read_only)
		return 0; /* a store from before counties: no township's totals */
	if (rc) {
		snprintf(err, errlen, "cannot open the township totals database: %s",
			 mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->has_ttotals = 1;
	return 0;
}

struct tally_deltas *store_county_deltas(struct county_deltas *cd, const char *township)
{
	for (size_t i = 0; i < cd->n; i++)
		if (strcmp(cd->t[i].code, township) == 0)
			return &cd->t[i].d;
	if (cd->n == cd->cap) {
		size_t cap = cd->cap ? cd->cap * 2 : 8;
		cd->t = xreallocarray(cd->t, cap, sizeof(*cd->t));
		memset(cd->t + cd->cap, 0, (cap - cd->cap) * sizeof(*cd->t));
		cd->cap = cap;
	}
	struct county_township *t = &cd->t[cd->n++];
	snprintf(t->code, sizeof(t->code), "%s", township);
	tally_deltas_reset(&t->d);
	return &t->d;
}

void store_county_reset(struct county_deltas *cd)
{
	cd->n = 0;
}

void store_county_free(struct county_deltas *cd)
{
	for (size_t i = 0; i < cd->cap; i++)
		tally_deltas_free(&cd->t[i].d);
	free(cd->t);
	memset(cd, 0, sizeof(*cd));
}

static void ttotals_key(const char *township, const struct tally_key *k,
			uint8_t out[TTOTALS_KEY_LEN])
{
	memset(out, 0, SCOPE_TOWNSHIP_MAX);
	memcpy(out, township, strnlen(township, SCOPE_TOWNSHIP_MAX));
	tally_key_encode(k, out + SCOPE_TOWNSHIP_MAX);
}

int store_county_apply(struct store *s, MDB_txn *txn)
{
	struct county_deltas *cd = &s->county;
	if (cd->n == 0)
		return 0;
	if (!s->has_ttotals)
		return MDB_BAD_DBI;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, s->ttotals, &c);
	for (size_t t = 0; t < cd->n && !rc; t++) {
		struct tally_deltas *d = &cd->t[t].d;
		tally_deltas_merge(d);
		for (size_t i = 0; i < d->n && !rc; i++) {
			uint8_t kb[TTOTALS_KEY_LEN];
			ttotals_key(cd->t[t].code, &d->d[i].key, kb);
			rc = store_add_i64(s, c, kb, sizeof(kb), d->d[i].value);
		}
	}
	if (!rc)
		mdb_cursor_close(c);
	return rc;
}

/* One township's total as the recount makes it. */
struct tentry {
	uint8_t key[TTOTALS_KEY_LEN];
	int64_t value;
};

static int tentry_cmp(const void *pa, const void *pb)
{
	return memcmp(((const struct tentry *)pa)->key, ((const struct tentry *)pb)->key,
		      TTOTALS_KEY_LEN);
}

static void describe(const uint8_t *kb, char *out, size_t len)
{
	struct tally_key k;
	char what[96], code[4 * SCOPE_TOWNSHIP_MAX + 4];
	tally_key_decode(kb + SCOPE_TOWNSHIP_MAX, &k);
	store_describe_key(&k, what, sizeof(what));
	record_escape(kb, strnlen((const char *)kb, SCOPE_TOWNSHIP_MAX), code, sizeof(code));
	snprintf(out, len, "township %s %s", code, what);
}

int store_county_verify(struct store *s, MDB_txn *txn, struct county_deltas *cd,
			struct store_verify *v)
{
	size_t n = 0;
	for (size_t t = 0; t < cd->n; t++) {
		tally_deltas_merge(&cd->t[t].d);
		n += cd->t[t].d.n;
	}
	struct tentry *e = xcalloc(n ? n : 1, sizeof(*e));
	size_t j = 0;
	for (size_t t = 0; t < cd->n; t++)
		for (size_t i = 0; i < cd->t[t].d.n; i++, j++) {
			ttotals_key(cd->t[t].code, &cd->t[t].d.d[i].key, e[j].key);
			e[j].value = cd->t[t].d.d[i].value;
		}
	if (n)
		qsort(e, n, sizeof(*e), tentry_cmp);
	if (!s->has_ttotals) {
		if (n)
			store_verify_note(v, "township totals: missing, recount has %zu", n);
		free(e);
		return 0;
	}
	MDB_cursor *c;
	MDB_val k, val;
	char what[160];
	int rc = mdb_cursor_open(txn, s->ttotals, &c);
	if (rc) {
		free(e);
		return lt_from_mdb(rc);
	}
	size_t i = 0;
	uint64_t found = 0;
	rc = mdb_cursor_get(c, &k, &val, MDB_FIRST);
	while (i < n || rc == 0) {
		int order = i == n ? 1 : rc != 0 ? -1
			  : store_key_cmp(e[i].key, TTOTALS_KEY_LEN, k.mv_data, k.mv_size);
		if (order < 0) {
			describe(e[i].key, what, sizeof(what));
			store_verify_note(v, "total %s: live 0, recount %lld", what,
					  (long long)e[i].value);
			i++;
			continue;
		}
		found++;
		int damaged = store_val_open(s, s->ttotals, &k, &val) != 0 || val.mv_size != 8;
		int64_t live = damaged ? 0 : (int64_t)le64_load(val.mv_data);
		if (damaged) {
			/* store_verify_all's walk lists it */
		} else if (k.mv_size != TTOTALS_KEY_LEN) {
			store_verify_note(v, "township totals: a key of %zu bytes", k.mv_size);
		} else if (order > 0) {
			describe(k.mv_data, what, sizeof(what));
			store_verify_note(v, "total %s: live %lld, recount 0", what, (long long)live);
		} else if (live != e[i].value) {
			describe(e[i].key, what, sizeof(what));
			store_verify_note(v, "total %s: live %lld, recount %lld", what,
					  (long long)live, (long long)e[i].value);
		}
		if (order == 0)
			i++;
		rc = mdb_cursor_get(c, &k, &val, MDB_NEXT);
	}
	mdb_cursor_close(c);
	free(e);
	return rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

/* ---- reading ------------------------------------------------------------- */

int store_snap_township(struct store_snap *snap, const char *township)
{
	if (township[0] && !scope_township_valid(township))
		return LT_EINVAL;
	snprintf(snap->township, sizeof(snap->township), "%s", township);
	return 0;
}

int store_county_scan(const struct store_snap *snap, const char *township, enum tally_metric m,
		      uint16_t year, store_total_fn fn, void *arg)
{
	if (!snap->store->has_ttotals)
		return snap->txn ? 0 : LT_EINVAL;
	uint8_t prefix[SCOPE_TOWNSHIP_MAX + TALLY_PREFIX_LEN] = {0};
	memcpy(prefix, township, strnlen(township, SCOPE_TOWNSHIP_MAX));
	tally_prefix_encode(m, year, prefix + SCOPE_TOWNSHIP_MAX);
	return store_scan_prefix(snap, snap->store->ttotals, prefix, sizeof(prefix),
				 TTOTALS_KEY_LEN, fn, arg);
}

int store_townships(const struct store_snap *snap, store_township_fn fn, void *arg)
{
	if (!snap->txn)
		return LT_EINVAL;
	if (!snap->store->has_ttotals)
		return 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(snap->txn, snap->store->ttotals, &c);
	if (rc)
		return lt_from_mdb(rc);
	/* one seek a township: past every key of the one before */
	uint8_t seek[TTOTALS_KEY_LEN + 1] = {0};
	MDB_val k = {1, seek}, v;
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) {
		if (k.mv_size != TTOTALS_KEY_LEN) {
			ret = LT_ECORRUPT;
			break;
		}
		char code[SCOPE_TOWNSHIP_MAX + 1] = {0};
		memcpy(code, k.mv_data, SCOPE_TOWNSHIP_MAX);
		if (!scope_township_valid(code)) {
			ret = LT_ECORRUPT;
			break;
		}
		ret = fn(code, arg);
		memcpy(seek, k.mv_data, SCOPE_TOWNSHIP_MAX);
		memset(seek + SCOPE_TOWNSHIP_MAX, 0xff, sizeof(seek) - SCOPE_TOWNSHIP_MAX);
		k = (MDB_val){sizeof(seek), seek};
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	return ret;
}

/* ---- a township's cursor of what the county acknowledged ------------------ */

static const MDB_val upstream_key = {8, "upstream"};
#define UPSTREAM_LEN 32 /* next seq, acked_at, rejected, acked events */

int store_upstream_get(const struct store_snap *snap, struct store_upstream *u)
{
	memset(u, 0, sizeof(*u));
	u->next = 1;
	if (!snap->txn)
		return LT_EINVAL;
	MDB_val k = upstream_key, v;
	int rc = store_get(snap->store, NULL, snap->txn, snap->store->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lt_from_mdb(rc);
	if (v.mv_size != UPSTREAM_LEN)
		return LT_ECORRUPT;
	const uint8_t *p = v.mv_data;
	u->next = le64_load(p);
	u->acked_at = (int64_t)le64_load(p + 8);
	u->rejected = le64_load(p + 16);
	u->acked = le64_load(p + 24);
	return 0;
}

int store_upstream_set(struct store *s, const struct store_upstream *u)
{
	if (s->read_only)
		return LT_EINVAL;
	if (atomic_load(&s->damaged))
		return LT_ECORRUPT;
	uint8_t b[UPSTREAM_LEN];
	le64_store(b, u->next);
	le64_store(b + 8, (uint64_t)u->acked_at);
	le64_store(b + 16, u->rejected);
	le64_store(b + 24, u->acked);
	MDB_txn *txn;
	int rc = store_write_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	MDB_val k = upstream_key;
	rc = store_put_sealed(s, txn, s->meta, &k, b, sizeof(b), 0);
	int erc = store_write_end(s, txn, rc == 0);
	return lt_from_mdb(rc ? rc : erc);
}

int store_upstream_backlog(const struct store_snap *snap, uint64_t next, uint64_t *events,
			   int64_t *oldest)
{
	*events = 0;
	*oldest = 0;
	if (!snap->txn)
		return LT_EINVAL;
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(snap->txn, snap->store->events, &c);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == 8 && be64_load(k.mv_data) >= next) {
		*events = be64_load(k.mv_data) - next + 1;
		uint8_t start[8];
		be64_store(start, next);
		k = (MDB_val){8, start};
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		struct record rec = {0};
		if (rc == 0 && store_val_open(snap->store, snap->store->events, &k, &v) == 0 &&
		    store_record_unpack(&v, &rec) == 0)
			*oldest = rec.received_at;
		store_record_free(&rec);
	}
	mdb_cursor_close(c);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lt_from_mdb(rc);
}

struct township_filter {
	const char *township;
	store_event_fn fn;
	void *arg;
};

static int township_filter_fn(const struct store_event *e, void *arg)
{
	struct township_filter *f = arg;
	return strcmp(e->event->township, f->township) == 0 ? f->fn(e, f->arg) : 0;
}

int store_scan_township_events(const struct store_snap *snap, const char *township,
			       uint64_t from, size_t max_records, store_event_fn fn, void *arg,
			       uint64_t *next)
{
	struct township_filter f = {township, fn, arg};
	return store_scan_events(snap, from, max_records, township_filter_fn, &f, next);
}
