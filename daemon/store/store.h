/*
 * store.h - the LMDB store: events, cases and running totals, exactly once.
 *
 * One environment in one directory, five named databases (and, further
 * down, the office views' two and the rollups that queries read):
 *   meta    "schema" -> u32 version, "tz_offset" -> i32 seconds east of UTC,
 *           "identity" -> 16 random bytes, also in the directory's store.id,
 *           "commit" -> u64 id of the write transaction that last committed
 *   events  seq (u64 big-endian, append-only) -> stored event record
 *   ids     event id (16 bytes) and its scope's key (scope.h) -> seq: the
 *           dedupe index; an id is unique within its scope (schema 2; a
 *           store of schema 1, one id space, is migrated when opened for
 *           writing)
 *   cases   kind, village, case id -> the facts of the case (tally.h)
 *   totals  totals key (tally.h) -> i64 value; zero totals are deleted
 *
 * store_apply() applies a whole batch in ONE write transaction: dedupe,
 * case updates, counter changes, commit. It returns only after the commit
 * is durable (LMDB's default sync mode), or with nothing of the batch kept.
 * The event log is keyed by sequence so that it is always appended in key
 * order, whatever the ids look like; only the ids index takes random keys.
 *
 * Every read goes through a read snapshot (store_read_begin, below): one
 * read transaction for a whole answer, so that an answer never mixes two
 * commits.
 *
 * Every value but the ids index's and meta "schema" is sealed (record.h):
 * a value whose checksum does not match is an error with its key, never a
 * figure, and marks the store damaged (store_damaged, below), after which
 * it takes no more batches. Beside the store, DIR/STORE_COMMIT_FILE keeps
 * the id of the last transaction committed, so that a store that went
 * back to an older commit is refused at open.
 *
 * Threads: batches (store_apply) come from one thread, snapshots from any
 * (one at a time per thread), and store_close_year from either; LMDB
 * serialises the writers and a lock keeps map growth away from open
 * transactions. A store must not be used across fork().
 */
#ifndef LAWTALLY_STORE_H
#define LAWTALLY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "figures.h"
#include "lawtally.pb-c.h"
#include "scope.h"
#include "senders.h"
#include "seqrec.h"
#include "tally.h"
#include "townnames.h"

/*
 * 2: ids per scope; 3: sealed values (record.h). A store of version 1 or 2
 * is brought to 3 at its first writable open, one step after the other.
 */
#define STORE_SCHEMA_VERSION 3
#define STORE_SENDER_MAX 64
/* Beside data.mdb: the id of the last transaction committed (store_int.h). */
#define STORE_COMMIT_FILE "last-commit"

struct store;

struct store_options {
	const char *dir;          /* created if missing (mode 0700) */
	size_t map_size;          /* initial map size, bytes (0: 64 MiB) */
	size_t map_size_max;      /* growth stops here (0: 16 GiB) */
	int32_t tz_offset;        /* zone of years and months, seconds east of UTC */
	int read_only;            /* open for reading only (verify, queries) */
	/*
	 * With read_only: a store of an older schema opens too, to be copied
	 * whole (restore of an old backup); only store_stats, store_backup and
	 * store_identity may then be used on it.
	 */
	int old_schema_ok;
};

/*
 * Opens (creating if needed) the store in opts->dir, clears stale reader
 * slots and checks the schema version, the zone and the identity. Opened
 * for writing, a store of schema 1 or 2 is migrated (one transaction, one
 * log line a step), a store without an identity gets one, and a directory
 * without store.id gets the store's written there. A directory whose
 * store.id says it held a store refuses a data.mdb that is missing, empty
 * or another store's (LT_ECORRUPT: `lawtally restore` puts a backup back),
 * and never makes an empty store in its place. Refuses a store whose
 * newest meta page does not name the transaction that last wrote it, or
 * that went back to an older commit than DIR/STORE_COMMIT_FILE records
 * (LT_ECORRUPT). Returns 0 and sets *out, or an LT_E* code with a one-line
 * explanation in err.
 */
int store_open(struct store **out, const struct store_options *opts, char *err, size_t errlen);

/*
 * Copies the store's identity into id (DATADIR_ID_LEN bytes). Returns 1,
 * or 0 for a store from before identities opened read-only.
 */
int store_identity(const struct store *s, uint8_t *id);

/* Closes the store and NULLs *s. Safe on NULL. */
void store_close(struct store **s);

/*
 * One event to apply, already validated (validate_event). Its id is
 * deduplicated within its scope (scope_event_key), so re-sends through any
 * key count once, and an event of one scope never meets the ids of another.
 */
struct store_item {
	const Lawtally__V1__Event *event;
	const char *sender;   /* who sent it: authenticated identity or claimed source */
	int64_t received_at;  /* daemon clock, unix seconds */
	/*
	 * A retraction from this sender may withdraw only events stored with
	 * the same sender (auth on and not an office key); 0: any event.
	 */
	int own_only;
	/*
	 * At a county: the forwarding township's names (townnames_read took
	 * them), kept for the event's township in the same transaction; set
	 * on one item of a request. NULL: none.
	 */
	const Lawtally__V1__TownshipNames *names;
};

/* Values match Ack.Status of the wire schema. */
enum store_status {
	STORE_ACCEPTED = LAWTALLY__V1__ACK__STATUS__ACCEPTED,
	STORE_DUPLICATE = LAWTALLY__V1__ACK__STATUS__DUPLICATE,
	STORE_REJECTED = LAWTALLY__V1__ACK__STATUS__REJECTED,
};

struct store_result {
	enum store_status status;
	const char *reason;   /* static, with STORE_REJECTED only */
};

/*
 * Applies n items in one write transaction and fills results[0..n).
 * An id seen before in the event's scope (in the store or earlier in the
 * batch) is DUPLICATE. Rejections the store makes: a retraction of an
 * event unknown in the scope it names or already retracted, or (own_only)
 * of another sender's event, a case with too many events.
 *
 * Returns 0 when the transaction committed; otherwise nothing of the batch
 * was stored and the results are void: LT_EFULL (map at its maximum or disk
 * full: retry later), LT_EIO (do not retry: exit and let the supervisor
 * restart; LMDB's own ENOMEM is one), LT_ECORRUPT (the store is damaged,
 * store_damaged says where: every later batch is refused so, until the
 * store is restored and the daemon restarted). A full map below the
 * maximum is grown and the transaction retried here.
 */
int store_apply(struct store *s, const struct store_item *items, size_t n,
		struct store_result *results);

/* The bytes an event was unpacked from: its sub-message of the request. */
struct store_packed {
	const uint8_t *data; /* NULL: none, the event is packed again */
	size_t len;
};

/*
 * As a store_packed's len with data NULL: an event refused before the
 * store (validation, scope) whose sequence number is marked seen all the
 * same (it reached the daemon: no gap); nothing else of it is stored, and
 * its result is STORE_REJECTED.
 */
#define STORE_SEEN_ONLY SIZE_MAX

/*
 * store_apply that stores item i's event as packed[i], the bytes it was
 * unpacked from, instead of packing the decoded event again (they decode
 * to the same event: the stored format is unchanged). packed may be NULL.
 */
int store_apply_packed(struct store *s, const struct store_item *items,
		       const struct store_packed *packed, size_t n,
		       struct store_result *results);

/*
 * What the loop thread works out for an accepted event ahead of its
 * batch's commit (store_prepare), so that the writer thread, which every
 * batch waits for, mostly looks up and puts: the event's ids key, its
 * fact and its case's key. The contribution of a fact that stands alone
 * (no case: it cannot depend on what is stored) is added to the batch's
 * counted deltas there too; the writer takes it back out when the event
 * is not stored after all (a duplicate; an item STORE_SEEN_ONLY). An
 * event with a township (at a county) has its keys with the township, as
 * store_apply's, and is never counted ahead: its township's totals change
 * with the county's in the batch (store_county.c).
 */
/* the id, the scope key, and at a county a NUL and the township (store_county.c) */
#define STORE_ID_KEY_MAX (16 + SCOPE_KEY_MAX + 1 + SCOPE_TOWNSHIP_MAX)
struct store_prep {
	uint8_t idkey[STORE_ID_KEY_MAX];
	uint8_t idlen;    /* 0: no scope */
	uint8_t caselen;  /* the case key's length; 0: the fact stands alone */
	uint8_t counted;  /* its contribution is in the batch's counted deltas */
	uint8_t fact_ok;  /* 0: the event gives no fact (not an event of the model) */
	struct tally_fact fact;
	uint8_t casekey[TALLY_CASE_KEY_MAX];
};

/*
 * Fills p for event e (validated) as store_apply would work it out, and
 * adds a standing-alone fact's contribution to counted. Reads only the
 * store's zone, fixed at open: any thread.
 */
void store_prepare(const struct store *s, const Lawtally__V1__Event *e, struct store_prep *p,
		   struct tally_deltas *counted);

/*
 * store_apply_packed with prep[i] (store_prepare's) for item i, and
 * counted, merged (tally_deltas_merge), the contributions of the items
 * store_prepare counted. prep and counted may be NULL together.
 */
int store_apply_prepared(struct store *s, const struct store_item *items,
			 const struct store_packed *packed, const struct store_prep *prep,
			 const struct tally_deltas *counted, size_t n,
			 struct store_result *results);

/* ---- reading: one snapshot per answer ------------------------------------
 *
 * A snapshot is one LMDB read transaction: what is read through it is the
 * store as one commit left it, however many scans the reading takes. Every
 * read function below takes one, so that no answer can be put together
 * from two commits (a commit landing between the scans of two metrics once
 * showed a dispute registered but not yet open). Begin one per answer
 * (a ZeroMQ query, an HTTP request, a document, a recount), read all the
 * answer needs through it, and end it before the answer is sent: an open
 * snapshot keeps the pages it sees from being reused and holds off map
 * growth, so it is never kept across a wait. Beginning one is cheap: a
 * kept read transaction renewed and a lock taken shared.
 *
 * A thread holds at most one snapshot at a time, and stores nothing while
 * it holds one: beginning a snapshot, or a batch, may have to wait for the
 * map to grow, which waits for every open snapshot to end. Snapshots of
 * different threads may be open together, and beside the writer's batches.
 */
struct MDB_txn;
struct store_snap {
	struct store *store;
	struct MDB_txn *txn;  /* the read transaction; NULL once ended */
	/*
	 * At a county: "" (store_read_begin) reads the county's figures; a
	 * township's code (store_snap_township) has store_scan_totals,
	 * store_figures and store_recount_asof read that township's only, and
	 * store_scan_rollup answer LT_ENOTFOUND (scan the totals then).
	 */
	char township[SCOPE_TOWNSHIP_MAX + 1];
};

/*
 * Begins a snapshot of s. Returns 0, or an LT_E* code (LT_EIO when LMDB
 * has no reader slot free) with nothing to end. Read functions given a
 * snapshot not begun, or ended, return LT_EINVAL.
 */
int store_read_begin(struct store *s, struct store_snap *snap);

/* Ends the snapshot. Safe on one ended already, or zeroed. */
void store_read_end(struct store_snap *snap);

/*
 * Makes the snapshot read one township's figures (docs/county.md), or the
 * whole store's with "". Returns 0, or LT_EINVAL for an invalid code.
 */
int store_snap_township(struct store_snap *snap, const char *township);

/* Called for each total of a scan; a non-zero return stops the scan with it. */
typedef int (*store_total_fn)(const struct tally_key *k, int64_t value, void *arg);

/*
 * Calls fn for every non-zero total of metric m in year, in key order (one
 * range scan). Returns 0, fn's non-zero return, or an LT_E* code.
 */
int store_scan_totals(const struct store_snap *snap, enum tally_metric m, uint16_t year,
		      store_total_fn fn, void *arg);

/*
 * Adds every total of the years [year_min, year_max] to f (figures.h) and
 * seals it: the live figures of the office's documents. Returns 0 or an
 * LT_E* code (f then holds part of them: free it).
 */
int store_figures(const struct store_snap *snap, uint16_t year_min, uint16_t year_max,
		  struct figures *f);

/* Sums of the totals kept for queries (store_rollup.c). */
enum store_rollup {
	ROLLUP_DIMS = 1,  /* over the dimensions: (metric, year, month, village) */
	ROLLUP_YEAR = 2,  /* over the months and villages: (metric, year, dim0, dim1) */
};

/*
 * store_scan_totals over the rollups of one kind instead: the keys fn sees
 * have the summed-over parts zero. Returns LT_ENOTFOUND, calling nothing,
 * for a store opened read-only from before rollups (scan the totals then).
 */
int store_scan_rollup(const struct store_snap *snap, enum store_rollup kind,
		      enum tally_metric m, uint16_t year, store_total_fn fn, void *arg);

struct store_stats {
	uint64_t events;        /* stored events, retractions included */
	uint64_t cases;
	uint64_t totals;        /* non-zero totals */
	size_t map_size;        /* current map size, bytes */
	size_t used_bytes;      /* pages in use, bytes */
};

/* Fills *st as of the snapshot. Returns 0 or an LT_E* code. */
int store_stats(const struct store_snap *snap, struct store_stats *st);

/* Outcome of a recount. */
struct store_verify {
	uint64_t events;           /* events read */
	uint64_t mismatches;       /* totals or cases that differ */
	uint64_t damaged;          /* records whose seal does not match, or not found by key */
	char first[8][160];        /* the first differences, one line each */
	size_t nfirst;
};

/* Called with one line of text that is safe to print (bytes escaped, record.h). */
typedef void (*store_note_fn)(const char *line, void *arg);

/*
 * In the snapshot: walks every record of every database, checking
 * its seal and that a lookup by its key finds it (a damaged branch page
 * leads elsewhere), and calls fn (if not NULL) once for each damaged
 * record with its database, key and bytes; then rebuilds every case and
 * total from the stored events alone and compares them with the live ones
 * (damaged records left out). Returns 0 if all is well, LT_ECORRUPT if a
 * record is damaged (v->damaged), LT_EMISMATCH if only the recount
 * differs (details in v), or another LT_E* code if it could not run.
 * Memory grows with the number of stored events (about 100 bytes each).
 */
int store_verify_all(const struct store_snap *snap, struct store_verify *v, store_note_fn fn,
		     void *arg);

/* store_verify_all with no fn. */
int store_verify(const struct store_snap *snap, struct store_verify *v);

/* ---- damage: what the store has met, and the scrub's steps ---------------- */

/*
 * 1 when the store has met a damaged record (a read, a batch, the scrub),
 * with the first as one line in buf ("damaged record in totals, key
 * 0a...: checksum mismatch") unless len is 0; 0 when not. Any thread.
 */
int store_damaged(struct store *s, char *buf, size_t len);

/*
 * Why a read failed with rc, as one line in buf (returned): lt_strerror's
 * phrase, and for LT_ECORRUPT the damage the store met ("stored data
 * corrupt: damaged record in totals, key 0a...: checksum mismatch").
 */
const char *store_strerror(struct store *s, int rc, char *buf, size_t len);

/* Where a walk of every record of every database is (store_walk_step). */
#define STORE_KEY_MAX 511
struct store_walk {
	unsigned db;                /* the database walked; STORE_WALK_DBS: done */
	int started;                /* key holds the last record checked in db */
	size_t klen;
	uint8_t key[STORE_KEY_MAX];
	uint64_t records, bytes;    /* checked so far, keys and values */
	uint64_t damaged;           /* damaged records met so far */
};
#define STORE_WALK_DBS 10

/* Sets w to the first record of the first database. */
void store_walk_start(struct store_walk *w);

/*
 * Checks up to max more records from where w is, as store_verify_all's
 * walk does, in a read transaction of its own (the scrub: small steps
 * that keep no snapshot for long). Damaged records are counted in w,
 * passed to fn (if not NULL) and mark the store damaged. Returns 1 when
 * every database has been walked, 0 when more remain, or an LT_E* code.
 * It begins a snapshot of its own: the thread must hold none.
 */
int store_walk_step(struct store *s, struct store_walk *w, size_t max, store_note_fn fn,
		    void *arg);

/*
 * The recount of store_verify_all (no walk), in a snapshot of its own (the
 * thread must hold none), for the scrub: it gives way to the writer when a
 * batch waits to grow the map, returning LT_EBUSY (run it again later).
 * Returns as store_verify_all; a difference also marks the store damaged.
 */
int store_recount_check(struct store *s, struct store_verify *v);

/*
 * Frees the reader slots of processes that died inside a read transaction
 * (they pin old pages and make the file grow). Done at open; the daemon
 * also calls it periodically. Sets *cleared. Returns 0 or an LT_E* code.
 */
int store_reader_check(struct store *s, int *cleared);

/* The zone the store counts in. */
int32_t store_tz_offset(const struct store *s);

/*
 * Writes a compacted copy of the store as of one read transaction (a
 * daemon may go on committing meanwhile; mdb_env_copyfd2 with
 * MDB_CP_COMPACT) to dir/data.mdb: first to dir/data.mdb.partial, created
 * 0600, then fsync, rename and fsync of dir, so that dir ends up with the
 * whole copy, durably, or with nothing new. Run as root, the copy takes
 * the owner of dir. dir must exist; with replace 0 an existing
 * dir/data.mdb is LT_EEXIST, with replace 1 it is replaced atomically
 * (restore), dir/STORE_COMMIT_FILE removed first (the copy is numbered
 * anew; the daemon writes the file again). The copy carries no such file.
 * Sets *bytes to the size of the copy. Returns 0, or LT_EEXIST,
 * LT_EBUSY (a data.mdb.partial is there), LT_EFULL, LT_EIO, LT_ESYS with
 * one line in err; on failure no partial file is left.
 */
int store_backup(struct store *s, const char *dir, int replace, uint64_t *bytes, char *err,
		 size_t errlen);

/*
 * Sets the size the map may grow to (a SIGHUP with a new map_size_max_mb):
 * a store that was full at its old maximum takes batches again from the
 * next commit. A maximum below the current map size stops growth where it
 * is (LMDB files do not shrink). Returns the maximum now in force, bytes.
 */
size_t store_set_map_size_max(struct store *s, size_t max);

/* ---- office views: as-of recounts, closed years, senders, event export ----
 *
 * Two more databases, created with the store (a read-only open of a store
 * made before them sees them empty):
 *   closed   year (u16 big-endian) -> u8 version (1), i64 closed_at (LE),
 *            SHA-256 of the entries (32 bytes), the entries (figures.h);
 *            or version 2 with what was accepted missing (below)
 *   senders  sender name (1..64 bytes) -> its record (senders.h); kept by
 *            store_apply in the batch's own transaction
 */

/*
 * The totals as they stood at received_max: a recount of the events
 * received up to then, where a retraction counts only if it was itself
 * received by then. Fills out (reset first; merged and sorted) with every
 * total of every year. Reads every stored event (store_verify's recount):
 * for reports, never on the ingest path. Returns 0 or an LT_E* code.
 */
int store_recount_asof(const struct store_snap *snap, int64_t received_max,
		       struct tally_deltas *out);

/* A closed year's snapshot. */
struct store_closed {
	uint16_t year;
	int64_t closed_at;                    /* daemon clock, unix seconds */
	uint8_t sha256[FIGURES_SHA256_LEN];   /* of the entries */
	uint8_t *entries;                     /* figures_decode() reads them; malloc'd */
	size_t len;
	/* what was missing when it closed, accepted (close-year --accept-gaps):
	 * lines of text, malloc'd; NULL when nothing was */
	char *accepted;
};

/*
 * Freezes the year's current totals in one write transaction. Returns 0
 * with *out filled (free with store_closed_free), LT_EEXIST if the year is
 * closed already, LT_EFULL if the store is full, or another LT_E* code.
 */
int store_close_year(struct store *s, uint16_t year, int64_t now, struct store_closed *out);

/*
 * store_close_year that also keeps, with the snapshot, what was missing
 * and accepted (accepted: lines of text; NULL or "" for nothing, which
 * stores the snapshot as store_close_year does). The value then is
 * version 2: u8 2, i64 closed_at, SHA-256, u32 entries length, the
 * entries, the accepted text.
 */
int store_close_year_accepting(struct store *s, uint16_t year, int64_t now, const char *accepted,
			       struct store_closed *out);

/*
 * The snapshot of a closed year. Returns 0 with *out filled, LT_ENOTFOUND
 * if the year is not closed, LT_ECORRUPT if the entries do not match their
 * hash, or another LT_E* code.
 */
int store_closed_get(const struct store_snap *snap, uint16_t year, struct store_closed *out);
void store_closed_free(struct store_closed *c);

/* Called for each sender record; a non-zero return stops the scan with it. */
typedef int (*store_sender_fn)(const struct sender_record *rec, void *arg);

/* Calls fn for every sender, by name. Returns 0, fn's return or an LT_E* code. */
int store_scan_senders(const struct store_snap *snap, store_sender_fn fn, void *arg);

/* ---- completeness: sequence numbers per sender and epoch (store_seqs.c) ----
 *
 *   seqs  sender name, a 0 byte, the events' source if it is not the
 *         sender's name, a 0 byte, epoch (u64 big-endian) -> its record
 *         (seqrec.h); kept by store_apply in the batch's own transaction
 *         from every numbered item, whatever became of it
 */

/* A numbering's name as scans give it: "sender", or "sender/source" (the key's name with auth, and the source). */
#define STORE_SEQ_NAME_MAX (2 * SENDER_NAME_MAX + 1)

/* Called per sender and epoch; r is valid during the call. Non-zero stops the scan. */
typedef int (*store_seq_fn)(const char *sender, uint64_t epoch, const struct seqrec *r,
			    void *arg);

/* Calls fn for every sender and epoch, by name then epoch. Returns 0, fn's return or LT_E*. */
int store_scan_seqs(const struct store_snap *snap, store_seq_fn fn, void *arg);

/* A stored event as the export reads it; valid during the callback only. */
struct store_event {
	uint64_t seq;
	int64_t received_at;
	const char *sender;
	int retracted;
	const Lawtally__V1__Event *event;
};
typedef int (*store_event_fn)(const struct store_event *e, void *arg);

/*
 * Calls fn for the stored events from sequence number from (1 is the
 * first) on, reading at most max_records of them. Sets *next to the
 * sequence number to go on from, or 0 when the log is at its end. Returns
 * 0, fn's non-zero return, or an LT_E* code.
 */
int store_scan_events(const struct store_snap *snap, uint64_t from, size_t max_records,
		      store_event_fn fn, void *arg, uint64_t *next);

/* ---- a county's townships, a township's upstream (store_county.c) -------- */

/*
 * Calls fn for every non-zero total of township's metric m in year, in key
 * order, whatever the snapshot's own township. Returns as store_scan_totals.
 */
int store_county_scan(const struct store_snap *snap, const char *township, enum tally_metric m,
		      uint16_t year, store_total_fn fn, void *arg);

/*
 * store_scan_events over the events of one township of a county (the
 * others are read, not passed to fn): what `lawtally restore
 * --from-upstream` takes back.
 */
int store_scan_township_events(const struct store_snap *snap, const char *township,
			       uint64_t from, size_t max_records, store_event_fn fn, void *arg,
			       uint64_t *next);

/* Called with each township's code; a non-zero return stops the scan with it. */
typedef int (*store_township_fn)(const char *township, void *arg);

/*
 * Calls fn for every township that has a non-zero total, by code (one seek
 * a township). Returns 0, fn's return or an LT_E* code.
 */
int store_townships(const struct store_snap *snap, store_township_fn fn, void *arg);

/*
 * A township's names as it last forwarded them to this county (its name
 * and village list, store_names.c). Returns 0, LT_ENOTFOUND (it never
 * sent them: a township on an older version), LT_ECORRUPT or an LT_E*
 * code; out is empty unless 0.
 */
int store_township_names(const struct store_snap *snap, const char *township,
			 struct townnames *out);

/* A township's forwarding to its county, kept in meta "upstream" (sealed). */
struct store_upstream {
	uint64_t next;      /* the sequence number to forward next (1: none yet) */
	int64_t acked_at;   /* daemon clock of the last acknowledgement, 0: none */
	uint64_t rejected;  /* events the county rejected, recorded and passed over */
	uint64_t acked;     /* events the county acknowledged, in all */
};

/* Reads it (a store that never forwarded: next 1, the rest 0). Returns 0 or an LT_E* code. */
int store_upstream_get(const struct store_snap *snap, struct store_upstream *u);

/*
 * Writes it in a write transaction of its own, durably. The thread must
 * hold no snapshot. Returns 0, LT_ECORRUPT on a damaged store, LT_EFULL,
 * or another LT_E* code.
 */
int store_upstream_set(struct store *s, const struct store_upstream *u);

/*
 * The events from sequence number next on: how many, and when the first
 * was received (0 when none). Returns 0 or an LT_E* code.
 */
int store_upstream_backlog(const struct store_snap *snap, uint64_t next, uint64_t *events,
			   int64_t *oldest);

#endif
