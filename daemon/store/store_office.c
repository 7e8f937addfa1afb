/*
 * store_office.c - what the office's views need from the store: closed
 * years (snapshots with their hash), per-sender completeness updated in
 * every batch, and paging through the stored events for export.
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

#define CLOSED_VERSION 1
/* version 2: closed with what was missing accepted (store_close_year_accepting) */
#define CLOSED_VERSION_ACCEPTED 2
#define CLOSED_HEADER_LEN (1 + 8 + FIGURES_SHA256_LEN)

/* Opens (creating when writable) the closed and senders databases. */
int store_office_dbs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
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

static void closed_key(uint16_t year, uint8_t key[2])
{
	be16_store(key, year);
}

/* Adds every total of year to f (not sealed). Returns an MDB code. */
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
			if ((rc = store_val_open(s, s->totals, &k, &v)) != 0 || v.mv_size != 8) {
				rc = MDB_CORRUPTED;
				break;
			}
			struct tally_key key;
			tally_key_decode(k.mv_data, &key);
			figures_add(f, &key, (int64_t)le64_load(v.mv_data));
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static int figures_fn(const struct tally_key *k, int64_t value, void *arg)
{
	figures_add(arg, k, value);
	return 0;
}

int store_figures(const struct store_snap *snap, uint16_t year_min, uint16_t year_max,
		  struct figures *f)
{
	int rc = 0;
	if (!snap->txn)
		return LT_EINVAL;
	if (snap->township[0]) {
		/* one township of a county: its own totals, metric by metric */
		for (unsigned y = year_min; y <= year_max && !rc; y++)
			for (int m = 0; m < M_COUNT && !rc; m++)
				rc = store_county_scan(snap, snap->township, m, (uint16_t)y,
						       figures_fn, f);
		figures_seal(f);
		return rc;
	}
	for (unsigned y = year_min; y <= year_max && !rc; y++)
		rc = year_totals(snap->store, snap->txn, (uint16_t)y, f);
	figures_seal(f);
	return lt_from_mdb(rc);
}

/* Decodes a closed year's value (opened: no seal). */
static int closed_decode(const MDB_val *v, uint16_t year, struct store_closed *out)
{
	const uint8_t *p = v->mv_data;
	size_t elen = v->mv_size >= CLOSED_HEADER_LEN ? v->mv_size - CLOSED_HEADER_LEN : 0;
	size_t off = CLOSED_HEADER_LEN;
	if (v->mv_size < CLOSED_HEADER_LEN ||
	    (p[0] != CLOSED_VERSION && p[0] != CLOSED_VERSION_ACCEPTED))
		return LT_ECORRUPT;
	if (p[0] == CLOSED_VERSION_ACCEPTED) {
		if (v->mv_size < CLOSED_HEADER_LEN + 4)
			return LT_ECORRUPT;
		elen = le32_load(p + CLOSED_HEADER_LEN);
		off += 4;
		if (elen > v->mv_size - off)
			return LT_ECORRUPT;
	}
	if (elen % FIGURES_ENTRY_LEN)
		return LT_ECORRUPT;
	memset(out, 0, sizeof(*out));
	out->year = year;
	out->closed_at = (int64_t)le64_load(p + 1);
	memcpy(out->sha256, p + 9, FIGURES_SHA256_LEN);
	out->len = elen;
	out->entries = xmemdup(p + off, out->len);
	if (p[0] == CLOSED_VERSION_ACCEPTED) {
		size_t alen = v->mv_size - off - elen;
		out->accepted = xmalloc(alen + 1);
		memcpy(out->accepted, p + off + elen, alen);
		out->accepted[alen] = '\0';
	}
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
	return store_close_year_accepting(s, year, now, NULL, out);
}

int store_close_year_accepting(struct store *s, uint16_t year, int64_t now, const char *accepted,
			       struct store_closed *out)
{
	if (s->read_only || !s->has_office_dbs)
		return LT_EINVAL;
	MDB_txn *txn;
	uint8_t key[2];
	struct figures f = {0};
	closed_key(year, key);
	MDB_val k = {2, key}, v;
	int rc = store_write_begin(s, &txn);
	if (rc)
		return lt_from_mdb(rc);
	rc = mdb_get(txn, s->closed, &k, &v);
	if (rc == 0) {
		store_write_end(s, txn, 0);
		return LT_EEXIST;
	}
	if (rc == MDB_NOTFOUND)
		rc = year_totals(s, txn, year, &f);
	figures_seal(&f);
	size_t elen = figures_encoded_len(&f, year);
	size_t alen = accepted ? strlen(accepted) : 0;
	/* the list accepted follows the entries, which a length then says */
	size_t head = alen ? CLOSED_HEADER_LEN + 4 : CLOSED_HEADER_LEN;
	uint8_t *p = NULL;
	if (!rc)
		rc = store_put_reserve(txn, s->closed, &k, head + elen + alen, 0, &p);
	if (rc) {
		store_write_end(s, txn, 0);
		figures_free(&f);
		return lt_from_mdb(rc);
	}
	p[0] = alen ? CLOSED_VERSION_ACCEPTED : CLOSED_VERSION;
	le64_store(p + 1, (uint64_t)now);
	if (alen)
		le32_store(p + CLOSED_HEADER_LEN, (uint32_t)elen);
	figures_encode(&f, year, p + head);
	figures_sha256(p + head, elen, p + 9);
	if (alen)
		memcpy(p + head + elen, accepted, alen);
	record_seal(&k, p, head + elen + alen);
	MDB_val copy = {head + elen + alen, p};
	int lrc = closed_decode(&copy, year, out);
	figures_free(&f);
	if (lrc) {
		store_write_end(s, txn, 0);
		return lrc;
	}
	rc = store_write_end(s, txn, 1);
	if (rc) {
		store_closed_free(out);
		log_err("store: closing %u not stored: %s", (unsigned)year, mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	return 0;
}

int store_closed_get(const struct store_snap *snap, uint16_t year, struct store_closed *out)
{
	uint8_t key[2];
	if (!snap->txn)
		return LT_EINVAL;
	if (!snap->store->has_office_dbs)
		return LT_ENOTFOUND;
	closed_key(year, key);
	MDB_val k = {2, key}, v;
	int rc = store_get(snap->store, NULL, snap->txn, snap->store->closed, &k, &v);
	return rc ? lt_from_mdb(rc) : closed_decode(&v, year, out);
}

void store_closed_free(struct store_closed *c)
{
	free(c->entries);
	c->entries = NULL;
	free(c->accepted);
	c->accepted = NULL;
	c->len = 0;
}

/* The items of one batch from one sender (by name): first, last and, per item, the next. */
struct sender_group {
	const char *name;
	size_t first, last;
};

#define SENDER_ITEM_END ((size_t)-1)

/*
 * Scratch for grouping a batch by sender name, kept between batches: the
 * groups in order of first appearance, a hash table of their names (open
 * addressing, at least twice as many slots as items, 0 = empty, else the
 * group's index + 1) and, per item, the next item of its group. A batch
 * holds thousands of items from a few senders: one hash and one compare
 * per item, where sorting the items by name cost ~12 strcmp per item
 * (about 7 % of the daemon's CPU at saturation, BENCHMARKS.md).
 */
struct sender_scratch {
	size_t cap, nslots;
	struct sender_group *groups; /* cap */
	size_t *next;                /* cap */
	size_t *slots;               /* nslots */
};

void store_senders_free(struct store *s)
{
	struct sender_scratch *sc = s->sscratch;
	if (!sc)
		return;
	free(sc->groups);
	free(sc->next);
	free(sc->slots);
	free(sc);
	s->sscratch = NULL;
}

/* The scratch, grown to n items. */
static struct sender_scratch *sender_scratch(struct store *s, size_t n)
{
	struct sender_scratch *sc = s->sscratch;
	if (!sc)
		sc = s->sscratch = xcalloc(1, sizeof(*sc));
	if (n <= sc->cap)
		return sc;
	size_t nslots = 16;
	while (nslots < 2 * n)
		nslots *= 2;
	sc->groups = xreallocarray(sc->groups, n, sizeof(*sc->groups));
	sc->next = xreallocarray(sc->next, n, sizeof(*sc->next));
	sc->slots = xreallocarray(sc->slots, nslots, sizeof(*sc->slots));
	sc->cap = n;
	sc->nslots = nslots;
	return sc;
}

/* FNV-1a: spreads short names over the table's slots. */
static size_t sender_hash(const char *name)
{
	uint64_t h = 14695981039346656037u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return (size_t)(h ^ h >> 32);
}

/* The group of name, added (with item i as its first) when the batch has none yet. */
static size_t sender_group_of(struct sender_scratch *sc, const char *name, size_t i, size_t *ng)
{
	size_t mask = sc->nslots - 1;
	/* ends: the table has more slots than the batch has items */
	for (size_t p = sender_hash(name) & mask;; p = (p + 1) & mask) {
		if (sc->slots[p] == 0) {
			sc->groups[*ng] = (struct sender_group){name, i, i};
			sc->slots[p] = ++*ng;
			return *ng - 1;
		}
		if (strcmp(sc->groups[sc->slots[p] - 1].name, name) == 0)
			return sc->slots[p] - 1;
	}
}

/*
 * Groups the batch's items by sender name; returns the number of groups.
 * Items of one group keep their batch order. An item usually comes from
 * the same sender as the one before it: that is checked before the table.
 */
static size_t senders_group(struct sender_scratch *sc, const struct store_item *items, size_t n)
{
	size_t ng = 0, prev = 0;
	memset(sc->slots, 0, sc->nslots * sizeof(sc->slots[0]));
	for (size_t i = 0; i < n; i++) {
		const char *name = items[i].sender ? items[i].sender : "";
		const char *pname = ng > 0 ? sc->groups[prev].name : NULL;
		size_t g = pname && (name == pname || strcmp(name, pname) == 0)
				   ? prev
				   : sender_group_of(sc, name, i, &ng);
		sc->next[i] = SENDER_ITEM_END;
		if (sc->groups[g].first != i) {
			sc->next[sc->groups[g].last] = i;
			sc->groups[g].last = i;
		}
		prev = g;
	}
	return ng;
}

size_t store_sender_key(const char *name, char key[SENDER_NAME_MAX + 1])
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
int store_senders_apply(struct store *s, MDB_txn *txn, const struct store_item *items,
			 size_t n, const struct store_result *results)
{
	if (!s->has_office_dbs || n == 0)
		return 0;
	struct sender_scratch *sc = sender_scratch(s, n);
	size_t ng = senders_group(sc, items, n);
	for (size_t g = 0; g < ng; g++) {
		struct sender_record rec;
		char key[SENDER_NAME_MAX + 1];
		MDB_val k = {store_sender_key(sc->groups[g].name, key), key}, v;
		int rc = store_get(s, NULL, txn, s->senders, &k, &v);
		memset(&rec, 0, sizeof(rec));
		if (rc == MDB_CORRUPTED)
			return rc; /* damaged: never counted on, nor sealed anew */
		if (rc == 0 && sender_record_decode(&rec, v.mv_data, v.mv_size) != 0) {
			log_warn("store: the record of sender %s does not decode; starting it afresh", key);
			memset(&rec, 0, sizeof(rec));
		} else if (rc && rc != MDB_NOTFOUND) {
			return rc;
		}
		size_t heard = 0;
		for (size_t j = sc->groups[g].first; j != SENDER_ITEM_END; j = sc->next[j]) {
			const struct store_item *it = &items[j];
			/* refused before the store: its sender is not heard, as before numbers */
			if (store_result_seen_only(&results[j]))
				continue;
			heard++;
			if (it->received_at > rec.last_received)
				rec.last_received = it->received_at;
			if (results[j].status != STORE_ACCEPTED)
				continue;
			uint16_t y;
			uint8_t m;
			tally_year_month(it->event->occurred_at, s->tz_offset, &y, &m);
			sender_record_count(&rec, y, m, 1);
		}
		if (!heard)
			continue;
		uint8_t buf[SENDER_RECORD_MAX];
		rc = store_put_sealed(s, txn, s->senders, &k, buf, sender_record_encode(&rec, buf), 0);
		if (rc)
			return rc;
	}
	return 0;
}

int store_scan_senders(const struct store_snap *snap, store_sender_fn fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k, v;
	if (!snap->txn)
		return LT_EINVAL;
	if (!snap->store->has_office_dbs)
		return 0;
	int rc = mdb_cursor_open(snap->txn, snap->store->senders, &c);
	if (rc)
		return lt_from_mdb(rc);
	int ret = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct sender_record rec;
		memset(&rec, 0, sizeof(rec));
		if (store_val_open(snap->store, snap->store->senders, &k, &v) != 0) {
			ret = LT_ECORRUPT;
			break;
		}
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
	return ret;
}

int store_scan_events(const struct store_snap *snap, uint64_t from, size_t max_records,
		      store_event_fn fn, void *arg, uint64_t *next)
{
	MDB_cursor *c;
	uint8_t start[8];
	*next = 0;
	if (!snap->txn)
		return LT_EINVAL;
	be64_store(start, from ? from : 1);
	MDB_val k = {8, start}, v;
	int rc = mdb_cursor_open(snap->txn, snap->store->events, &c);
	if (rc)
		return lt_from_mdb(rc);
	int ret = 0;
	size_t read = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8) {
			ret = LT_ECORRUPT;
			break;
		}
		uint64_t seq = be64_load(k.mv_data);
		if (read == max_records) {
			*next = seq;
			break;
		}
		read++;
		struct record rec = {0};
		if (store_val_open(snap->store, snap->store->events, &k, &v) != 0 ||
		    store_record_unpack(&v, &rec) != 0) {
			ret = LT_ECORRUPT;
			break;
		}
		struct store_event ev = {seq, rec.received_at, rec.sender,
					 (rec.flags & REC_RETRACTED) != 0, rec.event};
		ret = fn(&ev, arg);
		store_record_free(&rec);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lt_from_mdb(rc);
	mdb_cursor_close(c);
	return ret;
}
