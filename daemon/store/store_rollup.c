/*
 * store_rollup.c - the totals summed over dimensions, and over months and
 * villages, kept beside the totals so that a query reads a few hundred
 * keys instead of every total of its year.
 *
 * A busy year holds some 27,000 totals of one metric (12 months x 41
 * villages x its dimension values); "disputes resolved by village" used
 * to read them all, about 0.6 ms of the loop thread per query. Two kinds
 * of rollup keys, in the rollups database (kind byte + a totals key):
 *
 *   ROLLUP_DIMS  (metric, year, month, village, 0, 0): summed over the
 *                dimensions; answers no breakdown, by month, by village,
 *                with or without a village filter
 *   ROLLUP_YEAR  (metric, year, 0, township, dim0, dim1): summed over the
 *                months and villages; answers a breakdown by dimension
 *
 * They change in the batch's own transaction, from the batch's merged
 * deltas, so they always equal the sums of the totals; store_verify checks
 * that they do. A store from before them gets them at its first writable
 * open, summed from its totals in one transaction (meta "rollups").
 */
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

#define ROLLUP_KEY_LEN (1 + TALLY_KEY_LEN)

static void roll_key(enum store_rollup kind, const struct tally_key *k, struct tally_key *out)
{
	*out = *k;
	if (kind == ROLLUP_DIMS) {
		out->dim[0] = out->dim[1] = 0;
	} else {
		out->month = 0;
		memset(out->village, 0, sizeof(out->village));
	}
}

static int same_but_dims(const struct tally_key *a, const struct tally_key *b)
{
	return a->metric == b->metric && a->year == b->year && a->month == b->month &&
	       memcmp(a->village, b->village, sizeof(a->village)) == 0;
}

static void encode(enum store_rollup kind, const struct tally_key *k, uint8_t out[ROLLUP_KEY_LEN])
{
	out[0] = (uint8_t)kind;
	tally_key_encode(k, out + 1);
}

/*
 * Adds d (merged totals deltas, in key order) to both kinds of rollups in
 * txn. Keys that differ only in their dimensions are adjacent in d, so the
 * rollups over dimensions are summed run by run, already in key order;
 * the few over the year go through a deltas table.
 */
static int apply_deltas(struct store *s, MDB_txn *txn, const struct tally_deltas *d)
{
	MDB_cursor *c = NULL;
	uint8_t kb[ROLLUP_KEY_LEN];
	int rc = mdb_cursor_open(txn, s->rollups, &c);
	struct tally_deltas *year = &s->rdeltas;
	tally_deltas_reset(year);
	for (size_t i = 0; i < d->n && !rc;) {
		struct tally_key run, key;
		roll_key(ROLLUP_DIMS, &d->d[i].key, &run);
		int64_t sum = 0;
		for (; i < d->n && same_but_dims(&d->d[i].key, &run); i++) {
			sum += d->d[i].value;
			roll_key(ROLLUP_YEAR, &d->d[i].key, &key);
			tally_deltas_add(year, &key, d->d[i].value);
		}
		encode(ROLLUP_DIMS, &run, kb);
		rc = store_add_i64(s, c, kb, sizeof(kb), sum);
	}
	if (!rc)
		tally_deltas_merge(year);
	for (size_t i = 0; i < year->n && !rc; i++) {
		encode(ROLLUP_YEAR, &year->d[i].key, kb);
		rc = store_add_i64(s, c, kb, sizeof(kb), year->d[i].value);
	}
	if (!rc)
		mdb_cursor_close(c); /* on failure the aborted transaction closes it */
	return rc;
}

int store_rollups_apply(struct store *s, MDB_txn *txn, const struct tally_deltas *merged)
{
	if (!s->has_rollups || merged->n == 0)
		return 0;
	return apply_deltas(s, txn, merged);
}

/*
 * Every total of the store as deltas (to sum rollups from), leaving out
 * damaged ones with skip_damaged, else stopping at one; an MDB code.
 */
static int all_totals(struct store *s, MDB_txn *txn, struct tally_deltas *out, int skip_damaged)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, s->totals, &c);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != TALLY_KEY_LEN || store_val_open(s, s->totals, &k, &v) != 0 ||
		    v.mv_size != 8) {
			if (skip_damaged)
				continue; /* store_verify_all's walk lists it */
			rc = MDB_CORRUPTED;
			break;
		}
		struct tally_key key;
		tally_key_decode(k.mv_data, &key);
		tally_deltas_add(out, &key, (int64_t)le64_load(v.mv_data));
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (!rc)
		tally_deltas_merge(out);
	return rc;
}

int store_rollups_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	int rc = mdb_dbi_open(txn, "rollups", s->read_only ? 0 : MDB_CREATE, &s->rollups);
	if (rc == MDB_NOTFOUND && s->read_only)
		return 0; /* a store from before them: queries read the totals */
	if (rc) {
		snprintf(err, errlen, "cannot open the rollups database: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	MDB_val mk = {7, "rollups"}, mv;
	rc = mdb_get(txn, s->meta, &mk, &mv);
	if (rc == MDB_NOTFOUND && !s->read_only) {
		/* first open by a version with rollups: sum them from the totals */
		struct tally_deltas all = {0};
		tally_deltas_reset(&all);
		s->has_rollups = 1;
		rc = all_totals(s, txn, &all, 0);
		if (!rc)
			rc = mdb_drop(txn, s->rollups, 0);
		if (!rc)
			rc = apply_deltas(s, txn, &all);
		uint8_t one = 1;
		if (!rc)
			rc = store_put_sealed(s, txn, s->meta, &mk, &one, 1, 0);
		if (!rc && all.n)
			log_info("store: rollups summed from %zu totals", all.n);
		tally_deltas_free(&all);
	} else if (rc == MDB_NOTFOUND) {
		return 0; /* read-only, not built yet: queries read the totals */
	}
	if (rc) {
		s->has_rollups = 0;
		snprintf(err, errlen, "cannot build the rollups: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->has_rollups = 1;
	return 0;
}

void store_rollups_free(struct store *s)
{
	tally_deltas_free(&s->rdeltas);
}

int store_scan_rollup(const struct store_snap *snap, enum store_rollup kind,
		      enum tally_metric m, uint16_t year, store_total_fn fn, void *arg)
{
	if (!snap->store->has_rollups || snap->township[0])
		return LT_ENOTFOUND;
	uint8_t prefix[1 + TALLY_PREFIX_LEN];
	prefix[0] = (uint8_t)kind;
	tally_prefix_encode(m, year, prefix + 1);
	return store_scan_prefix(snap, snap->store->rollups, prefix, sizeof(prefix),
				 ROLLUP_KEY_LEN, fn, arg);
}

static void verify_rollup_note(struct store_verify *v, const uint8_t *kb, int64_t live,
			       int64_t want)
{
	struct tally_key key;
	char what[96];
	tally_key_decode(kb + 1, &key);
	store_describe_key(&key, what, sizeof(what));
	store_verify_note(v, "rollup %s of %s: live %lld, sum of the totals %lld",
			  kb[0] == ROLLUP_DIMS ? "over dimensions" : "over the year", what,
			  (long long)live, (long long)want);
}

int store_rollups_verify(struct store *s, MDB_txn *txn, struct store_verify *v, int yield)
{
	uint64_t seen = 0;
	if (!s->has_rollups)
		return 0;
	struct tally_deltas all = {0}, want[2] = {{0}, {0}};
	static const enum store_rollup kinds[] = {ROLLUP_DIMS, ROLLUP_YEAR};
	tally_deltas_reset(&all);
	int rc = all_totals(s, txn, &all, 1);
	for (size_t k = 0; k < 2 && !rc; k++) {
		tally_deltas_reset(&want[k]);
		for (size_t i = 0; i < all.n; i++) {
			struct tally_key key;
			roll_key(kinds[k], &all.d[i].key, &key);
			tally_deltas_add(&want[k], &key, all.d[i].value);
		}
		tally_deltas_merge(&want[k]);
	}
	/* walk the rollups beside the sums, both in key order (kind 1 first) */
	MDB_cursor *c = NULL;
	MDB_val key, val;
	if (!rc)
		rc = mdb_cursor_open(txn, s->rollups, &c);
	size_t k = 0, i = 0;
	int crc = rc ? rc : mdb_cursor_get(c, &key, &val, MDB_FIRST);
	while (!rc && (k < 2 || crc == 0)) {
		if (k < 2 && i == want[k].n) {
			k++, i = 0;
			continue;
		}
		if (crc == 0 && key.mv_size != ROLLUP_KEY_LEN) {
			store_verify_note(v, "rollups: a key of %zu bytes", key.mv_size);
			crc = mdb_cursor_get(c, &key, &val, MDB_NEXT);
			continue;
		}
		uint8_t kb[ROLLUP_KEY_LEN];
		int order = 1;
		if (k < 2) {
			encode(kinds[k], &want[k].d[i].key, kb);
			order = crc ? -1 : store_key_cmp(kb, ROLLUP_KEY_LEN, key.mv_data, key.mv_size);
		}
		int64_t live = 0;
		int damaged = 0;
		if (crc == 0) {
			MDB_val o = val;
			damaged = store_val_open(s, s->rollups, &key, &o) != 0 || o.mv_size != 8;
			live = damaged ? 0 : (int64_t)le64_load(o.mv_data);
		}
		if (yield && ++seen % STORE_YIELD_EVERY == 0 && atomic_load(&s->grow_waiting)) {
			rc = LT_EBUSY;
			break;
		}
		if (order < 0)
			verify_rollup_note(v, kb, 0, want[k].d[i].value);
		else if (damaged)
			; /* store_verify_all's walk lists it */
		else if (order > 0)
			verify_rollup_note(v, key.mv_data, live, 0);
		else if (live != want[k].d[i].value)
			verify_rollup_note(v, kb, live, want[k].d[i].value);
		if (order <= 0)
			i++;
		if (order >= 0)
			crc = mdb_cursor_get(c, &key, &val, MDB_NEXT);
	}
	if (c)
		mdb_cursor_close(c);
	if (!rc && crc != MDB_NOTFOUND)
		rc = crc;
	tally_deltas_free(&all);
	tally_deltas_free(&want[0]);
	tally_deltas_free(&want[1]);
	return rc == LT_EBUSY ? rc : lt_from_mdb(rc);
}
