/*
 * forward.h - delivering a spool to lawtallyd: the sender side of spool.h.
 *
 * forward_flush() takes the queued events in order, sends them with
 * client_submit() (a window of batches in flight on one DEALER, Lazy Pirate
 * on silence), and settles each chunk in the spool once its Acks are in:
 * ACCEPTED and DUPLICATE events leave the spool, REJECTED ones move to its
 * rejected list. Events the daemon refuses for now (its store is full, or
 * they lie more than a day ahead of its clock) or that it does not answer
 * stay queued, and the spool notes why (spool_note_wait) until a flush
 * empties the queue. Used by `lawtally send --spool`, `spool flush`, `agent`,
 * `import` and `simulate --spool`.
 */
#ifndef LAWTALLY_FORWARD_H
#define LAWTALLY_FORWARD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "spool.h"

/* Called once per event the daemon rejected, with its spool sequence number. */
typedef void (*forward_reject_fn)(uint64_t seq, const Lawtally__V1__Event *e,
				  const char *reason, void *arg);

/*
 * Called once per event the daemon answered, whatever the answer, with its
 * spool sequence number; reason is the rejection's (NULL otherwise).
 */
typedef void (*forward_ack_fn)(uint64_t seq, Lawtally__V1__Ack__Status status, const char *reason,
			       void *arg);

/*
 * Called once per event taken from the spool, before it is sent, with its
 * spool sequence number: 1 holds it back (not sent, left queued: a later
 * flush sends it), 0 sends it. For `simulate --drop`, which loses numbered
 * events on purpose so that the daemon's gap report can be seen working.
 */
typedef int (*forward_hold_fn)(uint64_t seq, const Lawtally__V1__Event *e, void *arg);

struct forward_opts {
	const char *endpoint;            /* ingest endpoint */
	const struct client_keys *keys;  /* NULL without CurveZMQ */
	size_t batch_size;               /* events per request, 1..CLIENT_BATCH_MAX */
	unsigned window;                 /* requests in flight, 1..64 */
	int timeout_ms;                  /* give up after this long without an Ack */
	int retry_ms;                    /* reopen the socket after this much silence; 0: default */
	const atomic_int *cancel; /* stop soon once non-zero; may be NULL */
	forward_reject_fn on_reject;     /* may be NULL */
	void *arg;
	forward_ack_fn on_ack;           /* may be NULL; gets arg too */
	forward_hold_fn hold;            /* may be NULL (send everything); gets arg too */
};

struct forward_result {
	uint64_t accepted, duplicate, rejected; /* answers received by this flush */
	uint64_t left;                          /* events still queued when it returned */
	unsigned reconnects;                    /* sockets reopened on silence */
};

/*
 * Sends every event queued in sp (opened with SPOOL_SEND), oldest first,
 * until the queue is empty (but for those o->hold holds back). *res
 * (zeroed first) counts what happened.
 * Returns 0 when the queue is empty; LT_ETIMEOUT when the daemon gave no
 * Ack for timeout_ms, refusing for now or silent (err says which), or
 * cancel was set (what was acknowledged is settled, the rest stays
 * queued); LT_EPROTO when the daemon refused a request as
 * malformed; LT_EINVAL for a bad endpoint; LT_EIO and others from the
 * spool. err gets one line on failure.
 */
int forward_flush(struct spool *sp, const struct forward_opts *o, struct forward_result *res,
		  char *err, size_t errlen);

#endif
