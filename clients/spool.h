/*
 * spool.h - a durable queue of events on the sender's side (LMDB).
 *
 * A village centre's PC or a device keeps every event it makes in a spool
 * until lawtallyd has acknowledged it, so that nothing entered is lost when
 * the network or the township server is down. The spool is a directory of
 * its own (never the daemon's data directory) holding an LMDB environment
 * with four tables:
 *
 *   queue     sequence number -> event waiting to be sent (append-only
 *             numbering: the order events were enqueued)
 *   rejected  sequence number -> event the daemon REJECTED, with its reason
 *             and when, kept for an operator to read and fix
 *   delivered sequence number -> event the daemon acknowledged, and when:
 *             a bounded log (SPOOL_DELIVERED_MAX events, SPOOL_DELIVERED_DAYS
 *             days) so that a village desk can show what was delivered
 *   meta      version, next sequence number, byte counters, and why the
 *             queued events wait (the daemon's refusal for now, or its
 *             silence) while they do; the spool's epoch
 *
 * Numbering (docs/protocol.md, "Sequence numbers"): spool_enqueue() gives
 * each event it queues its number in the event itself, in the same
 * transaction: Event.epoch, the spool's random epoch made when it was
 * created, and Event.seq, 1, 2, 3... per source (the sender the daemon
 * sees without authentication: a village PC's spool carries the events of
 * `send` and of `import` under their own sources). An event that carries
 * a number already keeps it.
 *
 * and a file sender.lock. Life of an event: spool_enqueue() commits it to
 * disk before returning; a sender reads events with spool_take() (they stay
 * queued), sends them, and only after the daemon's Ack calls spool_settle(),
 * which moves the ACCEPTED and DUPLICATE ones to the delivered log and the
 * REJECTED ones to the rejected list, in one transaction. A crash anywhere
 * leaves every unacknowledged event queued; sending it again is harmless
 * (the daemon counts an id once, ever). The delivered log is not counted
 * against the spool's limits.
 *
 * Files: the directory is made mode 2770 and its files 0660 whatever the
 * umask, so that the members of its group (SPOOL_GROUP on a village PC:
 * the agent's and the mediators' accounts) may all use it; a process that
 * may not gets LT_ESYS and a line naming the group to join.
 *
 * Processes and threads: any number of processes may open one spool and
 * enqueue or read it at the same time (LMDB serialises their writes). Only
 * one process at a time may *send* from it: spool_open() with SPOOL_SEND,
 * or spool_lock_sender() later, takes an exclusive flock(2) on
 * DIR/sender.lock and fails with LT_EBUSY while another process (typically
 * `lawtally agent`) holds it. Open a spool at most once per process
 * (LMDB's rule); the threads of that process may share the handle (its
 * calls are serialised by a mutex). Never use a handle across fork().
 *
 * Every function returns 0 or a negative LT_E* code (err.h); those taking
 * err/errlen also write one line saying what went wrong.
 */
#ifndef LAWTALLY_SPOOL_H
#define LAWTALLY_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

/* A packed event larger than this is refused (no valid event comes near). */
#define SPOOL_EVENT_MAX 1024
/* Reasons of rejected events are kept up to this many bytes. */
#define SPOOL_REASON_MAX 200
/* Default bounds: events and bytes held (queued + rejected). */
#define SPOOL_DEFAULT_MAX_EVENTS 500000
#define SPOOL_DEFAULT_MAX_BYTES ((uint64_t)128 << 20)

/* The delivered log keeps at most this many events, for at most this many days. */
#define SPOOL_DELIVERED_MAX 100000
#define SPOOL_DELIVERED_DAYS 400

/* The group whose members share a village PC's spool (the unit's Group=). */
#define SPOOL_GROUP "lawtally"

/* Flags of spool_open(). */
#define SPOOL_CREATE 0x1 /* create DIR (mode 2770; as root, group SPOOL_GROUP) if missing */
#define SPOOL_SEND 0x2   /* take the sender lock: needed for spool_take/settle */
#define SPOOL_NOSYNC 0x4 /* tests and fuzzing only: commits are not flushed to disk */

struct spool;

/* Bounds of a spool; 0 in a field means its default. */
struct spool_limits {
	uint64_t max_events;
	uint64_t max_bytes;
};

/*
 * Opens (with SPOOL_CREATE, creates) the spool in directory dir. limits may
 * be NULL for the defaults; they bound what spool_enqueue() accepts and
 * size the LMDB map. On 0, *out is the handle (spool_close() it). Errors:
 * LT_ENOTFOUND (no spool there and no SPOOL_CREATE), LT_EBUSY (SPOOL_SEND
 * and another process sends from this spool), LT_ESCHEMA (made by an
 * incompatible version), LT_ESYS (err names the group to join when the
 * spool's permissions keep this process out), LT_EIO, LT_ECORRUPT.
 */
int spool_open(struct spool **out, const char *dir, unsigned flags,
	       const struct spool_limits *limits, char *err, size_t errlen);

/*
 * Takes the sender lock on a handle opened without SPOOL_SEND, without
 * waiting: 0 (also when this handle holds it already), or LT_EBUSY with
 * err naming the process that holds it ("another process (pid N) is
 * sending from it"), or LT_ESYS. A caller that must wait tries again.
 */
int spool_lock_sender(struct spool *sp, char *err, size_t errlen);

/* Closes the environment and releases the sender lock; NULLs *sp. */
void spool_close(struct spool **sp);

/*
 * Appends events[0..n) to the queue in one transaction, durably committed
 * (fsync) before it returns: all of them or none. Each event must carry its
 * 16-byte id and pack to at most SPOOL_EVENT_MAX bytes (else LT_EINVAL,
 * naming the index). The events stay the caller's. On 0, *first_seq (if
 * not NULL) is the sequence number of events[0]; the others follow
 * consecutively. LT_EFULL when the spool would hold more than its limits
 * (err says which); LT_EIO.
 */
int spool_enqueue(struct spool *sp, Lawtally__V1__Event *const *events, size_t n,
		  uint64_t *first_seq, char *err, size_t errlen);

/* Events read from the queue; owned by the batch. */
struct spool_batch {
	size_t n;
	uint64_t *seq;
	Lawtally__V1__Event **events;
};

/*
 * Reads up to max queued events with sequence numbers above after, oldest
 * first, into *out (overwritten; free with spool_batch_free()). They stay
 * queued until settled. n == 0 means nothing is queued after `after`. A
 * record that does not decode is moved to the rejected list on the way.
 * Needs SPOOL_SEND (else LT_EINVAL). LT_EIO.
 */
int spool_take(struct spool *sp, uint64_t after, size_t max, struct spool_batch *out);

/* Frees what spool_take() gave and empties b. Safe on an empty batch. */
void spool_batch_free(struct spool_batch *b);

/*
 * spool_enqueue() of the events that replace rejected event rejected_seq
 * (its correction), and the removal of that event from the rejected list,
 * in one transaction. LT_ENOTFOUND (with err) when rejected_seq is not in
 * the rejected list; else as spool_enqueue().
 */
int spool_replace(struct spool *sp, uint64_t rejected_seq, Lawtally__V1__Event *const *events,
		  size_t n, uint64_t *first_seq, char *err, size_t errlen);

/*
 * Applies the daemon's answers for n queued events in one transaction:
 * reason[i] NULL (ACCEPTED or DUPLICATE) moves event seq[i] to the
 * delivered log (trimmed to its bounds on the way); a reason moves it to
 * the rejected list with that reason; both with the current time.
 * Sequence numbers no longer queued are skipped. Needs the sender lock.
 * LT_EIO.
 */
int spool_settle(struct spool *sp, const uint64_t *seq, const char *const *reason, size_t n);

struct spool_status {
	uint64_t queued, queued_bytes;     /* waiting to be sent */
	uint64_t rejected, rejected_bytes; /* in the rejected list */
	int64_t oldest;                    /* when the oldest queued event was enqueued, 0 if none */
	uint64_t next_seq;                 /* the sequence number the next event gets */
	uint64_t max_events, max_bytes;    /* the limits in force */
	long sender_pid;                   /* process holding the sender lock, 0 if none */
	/* spool_note_wait: why the queued events wait, "" if nothing was noted */
	char wait_reason[SPOOL_REASON_MAX + 1];
	int64_t wait_since, wait_last;     /* the first and the last try that noted it */
	uint64_t delivered;                /* in the delivered log */
	int64_t last_delivered;            /* when the last event was delivered, 0 if never */
};

/*
 * Notes why the queued events wait, one line cut to SPOOL_REASON_MAX bytes
 * (the daemon's refusal for now, or that it did not answer), for
 * spool_status to show; why NULL removes the note (nothing waits any
 * more). restart 1 starts the wait now (the daemon took events since the
 * last note), 0 keeps the start of the one noted. Needs the sender lock
 * (else LT_EINVAL), or LT_EIO.
 */
int spool_note_wait(struct spool *sp, const char *why, int restart);

/* Fills *st. LT_EIO. */
int spool_status(struct spool *sp, struct spool_status *st);

/* The number of events still queued with first <= seq <= last, in *queued. */
int spool_count_queued(struct spool *sp, uint64_t first, uint64_t last, uint64_t *queued);

/*
 * Called once per rejected event, oldest first; a non-zero return stops
 * the walk and is returned by spool_rejected(). e is NULL if the record
 * held bytes that do not decode. Nothing passed outlives the call.
 */
typedef int (*spool_rejected_fn)(uint64_t seq, int64_t rejected_at, const char *reason,
				 const Lawtally__V1__Event *e, void *arg);

/* Walks the rejected list; fn must not call the spool. */
int spool_rejected(struct spool *sp, spool_rejected_fn fn, void *arg);

/* Empties the rejected list (after an operator has dealt with it); *n gets how many. */
int spool_rejected_clear(struct spool *sp, uint64_t *n);

/* Where a record of the spool is. */
enum spool_state { SPOOL_QUEUED, SPOOL_DELIVERED, SPOOL_REJECTED };

/* One record as spool_records() passes it; nothing of it outlives the call. */
struct spool_record {
	uint64_t seq;
	enum spool_state state;
	int64_t enqueued_at;          /* unix seconds */
	int64_t settled_at;           /* delivered or rejected at; 0 while queued */
	const char *reason;           /* SPOOL_REJECTED: the daemon's reason; else NULL */
	const Lawtally__V1__Event *e; /* NULL if the stored bytes do not decode */
};

/* Called per record; a non-zero return stops the walk and is returned. */
typedef int (*spool_record_fn)(const struct spool_record *r, void *arg);

/*
 * Walks every record with a sequence number of at least first, queued,
 * delivered (as far as the log goes back) and rejected alike, in
 * sequence order (the order they were enqueued), in one read transaction.
 * fn must not call the spool (the handle is locked meanwhile). LT_EIO,
 * LT_ECORRUPT.
 */
int spool_records(struct spool *sp, uint64_t first, spool_record_fn fn, void *arg);

#endif
