/*
 * store_read.c - read snapshots (see store.h), and the reads of the totals
 * and the store's size that go through them.
 *
 * A snapshot is the store's kept read transaction renewed, or, while
 * another snapshot has that one, a read transaction of its own; either way
 * the map lock is held shared until it ends, so that the writer thread
 * never resizes the map under it.
 */
#include <lmdb.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"
#include "store.h"
#include "store_int.h"

/*
 * Another process grew the map: adopts its size. mdb_env_set_mapsize
 * needs no transaction active in this process, which the map lock taken
 * exclusively ensures; the caller's shared hold is given up meanwhile and
 * taken again. Returns an MDB code.
 */
static int adopt_map_size(struct store *s)
{
	pthread_rwlock_unlock(&s->maplock);
	pthread_rwlock_wrlock(&s->maplock);
	int rc = mdb_env_set_mapsize(s->env, 0);
	pthread_rwlock_unlock(&s->maplock);
	pthread_rwlock_rdlock(&s->maplock);
	return rc;
}

/* One attempt at a read transaction: the kept one when free. Returns an MDB code. */
static int txn_open(struct store *s, MDB_txn **txn)
{
	if (!atomic_exchange(&s->rtxn_busy, 1)) {
		int rc = mdb_txn_renew(s->rtxn);
		if (rc) {
			atomic_store(&s->rtxn_busy, 0);
			return rc;
		}
		*txn = s->rtxn;
		return 0;
	}
	return mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
}

int store_read_begin(struct store *s, struct store_snap *snap)
{
	MDB_txn *txn = NULL;
	snap->store = s;
	snap->txn = NULL;
	snap->township[0] = '\0';
	pthread_rwlock_rdlock(&s->maplock);
	int rc = txn_open(s, &txn);
	if (rc == MDB_MAP_RESIZED && (rc = adopt_map_size(s)) == 0)
		rc = txn_open(s, &txn);
	if (rc) {
		pthread_rwlock_unlock(&s->maplock);
		return lt_from_mdb(rc);
	}
	snap->txn = txn;
	return 0;
}

void store_read_end(struct store_snap *snap)
{
	if (!snap->txn)
		return;
	struct store *s = snap->store;
	if (snap->txn == s->rtxn) {
		mdb_txn_reset(s->rtxn);
		atomic_store(&s->rtxn_busy, 0);
	} else {
		mdb_txn_abort(snap->txn);
	}
	snap->txn = NULL;
	pthread_rwlock_unlock(&s->maplock);
}

int store_scan_prefix(const struct store_snap *snap, MDB_dbi db, const uint8_t *prefix,
		      size_t plen, size_t keylen, store_total_fn fn, void *arg)
{
	MDB_cursor *c;
	if (!snap->txn)
		return LT_EINVAL;
	int rc = mdb_cursor_open(snap->txn, db, &c);
	if (rc)
		return lt_from_mdb(rc);
	MDB_val k = {plen, (void *)prefix}, v;
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != keylen || memcmp(k.mv_data, prefix, plen))
			break;
		if (store_val_open(snap->store, db, &k, &v) != 0 || v.mv_size != 8) {
			ret = LT_ECORRUPT;
			break;
		}
		struct tally_key key;
		tally_key_decode((const uint8_t *)k.mv_data + keylen - TALLY_KEY_LEN, &key);
		ret = fn(&key, (int64_t)le64_load(v.mv_data), arg);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	return ret;
}

int store_scan_totals(const struct store_snap *snap, enum tally_metric m, uint16_t year,
		      store_total_fn fn, void *arg)
{
	if (snap->township[0])
		return store_county_scan(snap, snap->township, m, year, fn, arg);
	uint8_t prefix[TALLY_PREFIX_LEN];
	tally_prefix_encode(m, year, prefix);
	return store_scan_prefix(snap, snap->store->totals, prefix, sizeof(prefix), TALLY_KEY_LEN,
				 fn, arg);
}

int store_stats(const struct store_snap *snap, struct store_stats *st)
{
	struct store *s = snap->store;
	MDB_txn *txn = snap->txn;
	MDB_stat ms;
	MDB_envinfo info;
	memset(st, 0, sizeof(*st));
	if (!txn)
		return LT_EINVAL;
	int rc = mdb_stat(txn, s->events, &ms);
	if (!rc)
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
	return lt_from_mdb(rc);
}
