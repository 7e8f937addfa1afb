/*
 * store.h - the LMDB store: events, cases and running totals, exactly once.
 *
 * One environment in one directory, five named databases:
 *   meta    "schema" -> u32 version, "tz_offset" -> i32 seconds east of UTC
 *   events  seq (u64 big-endian, append-only) -> stored event record
 *   ids     event id (16 bytes) -> seq: the dedupe index
 *   cases   kind, village, case id -> the facts of the case (tally.h)
 *   totals  totals key (tally.h) -> i64 value; zero totals are deleted
 *
 * store_apply() applies a whole batch in ONE write transaction: dedupe,
 * case updates, counter changes, commit. It returns only after the commit
 * is durable (LMDB's default sync mode), or with nothing of the batch kept.
 * The event log is keyed by sequence so that it is always appended in key
 * order, whatever the ids look like; only the ids index takes random keys.
 *
 * A store is used from one thread; it must not be used across fork().
 */
#ifndef LAWTALLY_STORE_H
#define LAWTALLY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "tally.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_SENDER_MAX 64

struct store;

struct store_options {
	const char *dir;          /* created if missing (mode 0700) */
	size_t map_size;          /* initial map size, bytes (0: 64 MiB) */
	size_t map_size_max;      /* growth stops here (0: 16 GiB) */
	int32_t tz_offset;        /* zone of years and months, seconds east of UTC */
	int read_only;            /* open for reading only (verify, queries) */
};

/*
 * Opens (creating if needed) the store in opts->dir, clears stale reader
 * slots and checks the schema version and the zone. Returns 0 and sets
 * *out, or an LT_E* code with a one-line explanation in err.
 */
int store_open(struct store **out, const struct store_options *opts, char *err, size_t errlen);

/* Closes the store and NULLs *s. Safe on NULL. */
void store_close(struct store **s);

/* One event to apply, already validated (validate_event). */
struct store_item {
	const Lawtally__V1__Event *event;
	const char *sender;   /* who sent it: authenticated identity or claimed source */
	int64_t received_at;  /* daemon clock, unix seconds */
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
 * An id seen before (in the store or earlier in the batch) is DUPLICATE.
 * Rejections the store makes: a retraction of an unknown or already
 * retracted event, a case with too many events.
 *
 * Returns 0 when the transaction committed; otherwise nothing of the batch
 * was stored and the results are void: LT_EFULL (map at its maximum or disk
 * full: retry later), LT_EIO (do not retry: exit and let the supervisor
 * restart), LT_ECORRUPT, LT_ENOMEM. A full map below the maximum is grown
 * and the transaction retried here.
 */
int store_apply(struct store *s, const struct store_item *items, size_t n,
		struct store_result *results);

/* Called for each total of a scan; a non-zero return stops the scan with it. */
typedef int (*store_total_fn)(const struct tally_key *k, int64_t value, void *arg);

/*
 * Calls fn for every non-zero total of metric m in year, in key order (one
 * range scan). Returns 0, fn's non-zero return, or an LT_E* code.
 */
int store_scan_totals(struct store *s, enum tally_metric m, uint16_t year,
		      store_total_fn fn, void *arg);

struct store_stats {
	uint64_t events;        /* stored events, retractions included */
	uint64_t cases;
	uint64_t totals;        /* non-zero totals */
	size_t map_size;        /* current map size, bytes */
	size_t used_bytes;      /* pages in use, bytes */
};

int store_stats(struct store *s, struct store_stats *st);

/* Outcome of a recount. */
struct store_verify {
	uint64_t events;           /* events read */
	uint64_t mismatches;       /* totals or cases that differ */
	char first[8][160];        /* the first differences, one line each */
	size_t nfirst;
};

/*
 * Rebuilds every case and total from the stored events alone and compares
 * them with the live ones. Returns 0 if they agree, LT_EMISMATCH if not
 * (details in v), or another LT_E* code if the recount could not run.
 * Memory grows with the number of stored events (about 100 bytes each).
 */
int store_verify(struct store *s, struct store_verify *v);

/*
 * Frees the reader slots of processes that died inside a read transaction
 * (they pin old pages and make the file grow). Done at open; the daemon
 * also calls it periodically. Sets *cleared. Returns 0 or an LT_E* code.
 */
int store_reader_check(struct store *s, int *cleared);

/* The zone the store counts in. */
int32_t store_tz_offset(const struct store *s);

#endif
