/*
 * store_int.h - what the parts of the store share, and nothing else uses:
 * the store's struct, the stored record layout, and the helpers of
 * store.c that store_recount.c, store_backup.c and store_office.c call.
 * LMDB's return codes become LT_E* codes through err.h's lt_from_mdb.
 *
 *   store.c          open, close, apply a batch
 *   store_read.c     read snapshots, scans of the totals, stats
 *   store_meta.c     schema version, zone and identity; schema migration
 *   store_recount.c  rebuild totals from the events: verify and as-of
 *   store_backup.c   hot backup, live map limit
 *   store_office.c   closed years, per-sender completeness, event export
 *   store_rollup.c   totals summed over dimensions, and over the year
 */
#ifndef LAWTALLY_STORE_INT_H
#define LAWTALLY_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "datadir.h"
#include "figures.h"
#include "scope.h"
#include "senders.h"
#include "store.h"

#define MAP_SIZE_DEFAULT ((size_t)64 << 20)
#define MAP_SIZE_MAX_DEFAULT ((size_t)16 << 30)

/* Stored event record: header, then the packed Event. */
#define REC_VERSION 1
#define REC_RETRACTED 0x01
#define REC_HEADER_LEN 11 /* version, flags, received_at[8], sender_len */

/*
 * A key of the ids index: the event's id, then the key of its scope
 * (scope.h). The id comes first so that time-ordered ids keep appending
 * at one end of the index, whatever scope each belongs to.
 */
#define ID_KEY_MAX (16 + SCOPE_KEY_MAX)

struct store {
	MDB_env *env;
	MDB_dbi meta, events, ids, cases, totals;
	/*
	 * A reset read transaction, renewed for a snapshot (cheaper than a new
	 * one); rtxn_busy while a snapshot has it, and another snapshot begins
	 * a transaction of its own meanwhile.
	 */
	MDB_txn *rtxn;
	atomic_int rtxn_busy;
	/*
	 * Held shared by every transaction of this process, for the life of a
	 * snapshot, exclusive around mdb_env_set_mapsize (which needs none
	 * open): the writer thread grows the map while the loop thread may be
	 * reading.
	 */
	pthread_rwlock_t maplock;
	size_t map_size, map_size_max;
	int32_t tz_offset;
	int read_only;
	struct tally_deltas deltas; /* scratch for one batch */
	uint8_t *buf;             /* scratch for one event record */
	size_t bufcap;
	/* office views (end of file): closed years, per-sender completeness */
	MDB_dbi closed, senders;
	int has_office_dbs;       /* 0 only for a read-only open of an older store */
	struct sender_scratch *sscratch; /* a batch's items grouped by sender */
	/* refusals while full: logged once a minute, not once a batch */
	int64_t full_logged;      /* monotonic seconds of the last full line, 0: none */
	unsigned long full_refused; /* batches refused since that line */
	int full_said;            /* a full line was logged since the last "room" line */
	/* rollups (end of file): sums of the totals that queries read */
	MDB_dbi rollups;
	int has_rollups;          /* 0 only for a read-only open of an older store */
	struct tally_deltas rdeltas; /* scratch for one batch's rollup changes */
	/* meta (store_meta.c) */
	unsigned schema;          /* the version read; below the current only with old_schema_ok */
	int old_schema_ok;
	uint8_t dir_id[DATADIR_ID_LEN]; /* the data directory's store.id, if dir_held */
	int dir_held;
	uint8_t identity[DATADIR_ID_LEN];
	int has_identity;         /* 0 only for a read-only open of a store from before them */
	int id_to_write;          /* store.id is to be written after the open's commit */
	int migrated;             /* schema 1 to 2 at this open: */
	uint64_t migrated_events; /* events indexed again, */
	size_t migrated_retractions; /* and retractions given the scope of their event */
};

/* A stored record, decoded. The event is freed with store_record_free. */
struct record {
	uint8_t flags;
	int64_t received_at;
	char sender[STORE_SENDER_MAX + 1];
	Lawtally__V1__Event *event;
};

/*
 * The ids key of event e (validated) into key. Returns its length, or 0
 * when e has no scope (a retraction whose scope does not parse).
 */
size_t store_id_key(const Lawtally__V1__Event *e, uint8_t key[ID_KEY_MAX]);

/*
 * store_meta.c: checks (or, on a new store, writes) the schema version,
 * the zone and the identity in the open's transaction, and migrates a
 * store of an older schema when opened for writing. Returns 0 or an LT_E*
 * code with one line in err; LT_EFULL when the map is too small for the
 * migration (grow it and open again).
 */
int store_meta_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);

/* The record scratch buffer, grown to len. */
uint8_t *store_scratch(struct store *s, size_t len);

/* Decodes a stored record; LT_ECORRUPT if it does not. Free with store_record_free. */
int store_record_unpack(const MDB_val *v, struct record *r);
void store_record_free(struct record *r);

/*
 * A write transaction under the map lock: begin, then end with commit 1
 * (returns mdb_txn_commit's code) or 0 (abort, returns 0). Returns an MDB code.
 */
int store_write_begin(struct store *s, MDB_txn **txn);
int store_write_end(struct store *s, MDB_txn *txn, int commit);

/* LMDB's default key order: bytes, then the shorter first. */
int store_key_cmp(const void *a, size_t alen, const void *b, size_t blen);

/* store_office.c: its databases at open, its step of every batch. */
int store_office_dbs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
int store_senders_apply(struct store *s, MDB_txn *txn, const struct store_item *items,
			size_t n, const struct store_result *results);
void store_senders_free(struct store *s); /* its scratch, at close */

/*
 * Calls fn for every value of db whose key starts with prefix and is
 * keylen bytes long, decoding the totals key of its last TALLY_KEY_LEN
 * bytes, in one range scan of the snapshot. Returns 0, fn's non-zero
 * return, or an LT_E* code.
 */
int store_scan_prefix(const struct store_snap *snap, MDB_dbi db, const uint8_t *prefix,
		      size_t plen, size_t keylen, store_total_fn fn, void *arg);

/*
 * Adds delta to the little-endian i64 stored under key in the cursor's
 * database (a write transaction's), deleting it when it reaches 0; an
 * existing value is rewritten through the cursor, with no second search.
 * Returns an MDB code.
 */
int store_add_i64(MDB_cursor *c, const uint8_t *key, size_t klen, int64_t delta);

/* store_recount.c: one more difference found (its first few are kept as lines). */
void store_verify_note(struct store_verify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void store_describe_key(const struct tally_key *k, char *out, size_t len);

/* store_rollup.c: open (building them for an older store), a batch's step, verify. */
int store_rollups_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
int store_rollups_apply(struct store *s, MDB_txn *txn, const struct tally_deltas *merged);
int store_rollups_verify(struct store *s, MDB_txn *txn, struct store_verify *v);
void store_rollups_free(struct store *s);

#endif
