/*
 * store_int.h - what the parts of the store share, and nothing else uses:
 * the store's struct, the stored record layout, and the helpers of
 * store.c that store_recount.c, store_backup.c and store_office.c call.
 * LMDB's return codes become LT_E* codes through err.h's lt_from_mdb.
 *
 *   store.c          open, close, apply a batch
 *   store_tally.c    an event's fact into the batch's deltas, through its case
 *   store_read.c     read snapshots, scans of the totals, stats
 *   store_meta.c     schema version, zone and identity; schema migrations
 *   store_recount.c  rebuild totals from the events: verify and as-of
 *   store_backup.c   hot backup, live map limit
 *   store_office.c   closed years, per-sender completeness, event export
 *   store_rollup.c   totals summed over dimensions, and over the year
 *   store_check.c    damage: sealed values, the walk of every record,
 *                    the last commit kept beside the store
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
#include "record.h"
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
#define ID_KEY_MAX STORE_ID_KEY_MAX

/* A batch's (or a recount's) changes to each township's totals (store_county.c). */
struct county_township {
	char code[SCOPE_TOWNSHIP_MAX + 1];
	struct tally_deltas d;
};
struct county_deltas {
	size_t n, cap;
	struct county_township *t;
};

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
	/* sequence numbers (store_seqs.c): per sender and epoch */
	MDB_dbi seqs;
	int has_seqs;             /* 0 only for a read-only open of an older store */
	struct seq_scratch *qscratch; /* the records a batch holds open */
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
	int sealed_now;           /* schema 2 to 3 at this open: */
	uint64_t sealed_records;  /* values sealed, */
	double sealed_seconds;    /* in this long */
	uint64_t migrated_events; /* events indexed again, */
	size_t migrated_retractions; /* and retractions given the scope of their event */
	/*
	 * The batch's cursors (closed with its transaction). Kept on the page
	 * they last touched, a look-up or put near it skips the descent from
	 * the root: the ids of time-ordered events, appended records, a case
	 * put back where it was read. ev_cur is at the log's end for
	 * MDB_APPEND unless ev_moved (a retraction rewrote a record).
	 */
	MDB_cursor *cases_cur, *ids_cur, *ev_cur;
	int ev_moved;
	/* a county's townships (store_county.c) */
	MDB_dbi ttotals;
	int has_ttotals;          /* 0 only for a read-only open of an older store */
	struct county_deltas county; /* scratch for one batch's township changes */
	/* damage (store_check.c) */
	int sealed;               /* values carry seals; 0 only read-only below schema 3 */
	size_t psize;             /* LMDB's page size */
	int commit_fd;            /* DIR/STORE_COMMIT_FILE, written after each commit; -1 */
	atomic_int grow_waiting;  /* the writer waits for readers to grow the map */
	atomic_int damaged;       /* a damaged record was met: nothing more is written */
	atomic_ullong damaged_records; /* how many times one was met */
	pthread_mutex_t damage_mu;
	char damage[256];         /* the first one, under damage_mu */
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

/*
 * store_tally.c: adds (sign +1) or removes (sign -1) event e's fact in
 * the batch's transaction (into s->deltas, through s->cases_cur for a
 * case, and at a county into its township's deltas in s->county); the
 * same for +1 from what store_prepare worked out for an event of township
 * ("" for none). *full is set
 * (and nothing written) when the case already holds the maximum of
 * events. Return an MDB code: MDB_CORRUPTED for a damaged case or an
 * event that gives no fact.
 */
int store_tally_event(struct store *s, MDB_txn *txn, const Lawtally__V1__Event *e, int sign,
		      int *full);
int store_tally_prepared(struct store *s, MDB_txn *txn, const struct store_prep *p,
			 const char *township, int *full);

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
 * The key of a sender in senders and seqs: its name ("(none)" for "") cut
 * to SENDER_NAME_MAX bytes on a character boundary; returns its length.
 */
size_t store_sender_key(const char *name, char key[SENDER_NAME_MAX + 1]);

/* 1 for the result of a STORE_SEEN_ONLY item (store.c): only its number counts. */
int store_result_seen_only(const struct store_result *r);

/* store_seqs.c: its database at open, its step of every batch, verify's check. */
int store_seqs_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
int store_seqs_apply(struct store *s, MDB_txn *txn, const struct store_item *items, size_t n,
		     const struct store_result *results);
void store_seqs_free(struct store *s);
/* Notes in v every stored numbered event its record lacks, and device counts that differ. */
int store_seqs_verify(struct store *s, MDB_txn *txn, struct store_verify *v);

/*
 * Calls fn for every value of db whose key starts with prefix and is
 * keylen bytes long, decoding the totals key of its last TALLY_KEY_LEN
 * bytes, in one range scan of the snapshot. Returns 0, fn's non-zero
 * return, or an LT_E* code.
 */
int store_scan_prefix(const struct store_snap *snap, MDB_dbi db, const uint8_t *prefix,
		      size_t plen, size_t keylen, store_total_fn fn, void *arg);

/*
 * Adds delta to the little-endian i64 (sealed) stored under key in the
 * cursor's database (a write transaction's), deleting it when it reaches
 * 0; an existing value is rewritten through the cursor, with no second
 * search. Returns an MDB code: MDB_CORRUPTED for a value whose seal does
 * not match (the store marked damaged).
 */
int store_add_i64(struct store *s, MDB_cursor *c, const uint8_t *key, size_t klen,
		  int64_t delta);

/*
 * store_recount.c: the facts of case events a recount holds in memory at
 * once; it goes in as many passes over the event log as the cases need
 * (a tunable only so that tests can make it go in many).
 */
extern size_t store_recount_pass_facts;

/* store_recount.c: one more difference found (its first few are kept as lines). */
void store_verify_note(struct store_verify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void store_describe_key(const struct tally_key *k, char *out, size_t len);

/* ---- store_check.c: damage ---------------------------------------------- */

/* The name of one of the store's databases, for messages ("?" if unknown). */
const char *store_db_name(const struct store *s, MDB_dbi db);

/*
 * 1 if key k and value v, as read (k as its page holds it: a cursor's),
 * lie where LMDB keeps them (within
 * their leaf page, or a value in its overflow pages); 0 when a damaged
 * size would have them run off it (reading them could fault).
 */
int store_bytes_in_page(const struct store *s, const MDB_val *k, const MDB_val *v);

/*
 * Opens a value read from db under k (record_open) when the store is
 * sealed, after store_bytes_in_page. On a mismatch the store is marked damaged (store_note_damage)
 * and MDB_CORRUPTED returned, v unchanged; else 0, v without its seal.
 */
int store_val_open(struct store *s, MDB_dbi db, const MDB_val *k, MDB_val *v);

/*
 * Looks key up in db (through cursor c, or one of its own when c is NULL)
 * and opens the value found (store_val_open) into *v. Returns 0,
 * MDB_NOTFOUND, MDB_CORRUPTED (damage: the store marked), or an MDB code.
 * Sealed values are read through it, or through a cursor and then
 * store_val_open with the key the cursor gives: never mdb_get, whose key
 * is the caller's own and says nothing about where the value lies.
 */
int store_get(struct store *s, MDB_cursor *c, MDB_txn *txn, MDB_dbi db, const MDB_val *key,
	      MDB_val *v);

/*
 * Marks the store damaged: the first time, keeps "damaged record in DB,
 * key HEX: what" as the reason store_damaged() gives and, in a writable
 * store (the daemon), logs it at priority 2 with what to do. Any thread.
 */
void store_note_damage(struct store *s, MDB_dbi db, const MDB_val *k, const char *what);

/* The same for damage that is not one record's (what: one line). */
void store_note_damage_line(struct store *s, const char *what);

/*
 * Puts a sealed copy of the vlen bytes at v under k in db. Returns an MDB
 * code.
 */
int store_put_sealed(struct store *s, MDB_txn *txn, MDB_dbi db, const MDB_val *k,
		     const void *v, size_t vlen, unsigned flags);

/*
 * Reserves room for a value of vlen bytes and its seal under k (MDB_RESERVE);
 * fill *p's vlen bytes, then call record_seal(k, *p, vlen). MDB code.
 */
int store_put_reserve(MDB_txn *txn, MDB_dbi db, const MDB_val *k, size_t vlen,
		      unsigned flags, uint8_t **p);

/*
 * The last commit: every write transaction puts its own id under meta
 * "commit" (store_commit_mark, just before it commits) and, once it has
 * committed, the id goes into DIR/STORE_COMMIT_FILE (store_commit_note;
 * no flush: the file may lag the store after a power cut, never lead it).
 * At open store_commit_check refuses a store whose newest meta page names
 * a later transaction than the one that wrote the tree it points to (the
 * older meta page with a damaged id, or another program's write), or
 * whose last transaction is older than the file records (a store that
 * went back); recorded is the file's id read before the transaction
 * began (0: none). Each returns an MDB code, the check an LT_E* code with
 * one line in err.
 */
int store_commit_mark(struct store *s, MDB_txn *txn);
void store_commit_note(struct store *s, uint64_t id);
int store_commit_check(struct store *s, MDB_txn *txn, uint64_t recorded, const char *dir,
		       char *err, size_t errlen);

/*
 * Reads the id DIR/STORE_COMMIT_FILE records into *id (0 when there is no
 * file). Returns 0, or LT_ECORRUPT when the file does not read as one (a
 * write cut by a power failure), *id 0.
 */
int store_commit_read(const char *dir, uint64_t *id);

/* Opens (creating) the file for store_commit_note; writes id. LT_ESYS with a line. */
int store_commit_file_open(struct store *s, const char *dir, uint64_t id, char *err,
			   size_t errlen);

/*
 * store_verify_all's walk of every record in txn: damaged records counted
 * in v->damaged and passed to fn. Returns 0 or an LT_E* code.
 */
int store_verify_walk(struct store *s, MDB_txn *txn, struct store_verify *v, store_note_fn fn,
		      void *arg);


/* store_rollup.c: open (building them for an older store), a batch's step, verify. */
int store_rollups_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
int store_rollups_apply(struct store *s, MDB_txn *txn, const struct tally_deltas *merged);
int store_rollups_verify(struct store *s, MDB_txn *txn, struct store_verify *v, int yield);

/* store_names.c: a batch's step, a forwarding township's names kept (an MDB code). */
int store_names_apply(struct store *s, MDB_txn *txn, const struct store_item *items, size_t n);

/*
 * store_county.c: the township totals database at open; the deltas of one
 * township in cd (a new, empty entry the first time: valid until cd
 * changes); a batch's step (s->county into the township totals, an MDB
 * code); a recount's comparison of cd with them (LT_E* code, differences
 * noted in v).
 */
int store_county_open(struct store *s, MDB_txn *txn, char *err, size_t errlen);
struct tally_deltas *store_county_deltas(struct county_deltas *cd, const char *township);
void store_county_reset(struct county_deltas *cd);
void store_county_free(struct county_deltas *cd);
int store_county_apply(struct store *s, MDB_txn *txn);
int store_county_verify(struct store *s, MDB_txn *txn, struct county_deltas *cd,
			struct store_verify *v);

/*
 * With yield, a recount gives way to a batch waiting to grow the map
 * (which waits for every read transaction to end): every so many records
 * it looks, and returns LT_EBUSY when one waits.
 */
#define STORE_YIELD_EVERY 1024
void store_rollups_free(struct store *s);

#endif
