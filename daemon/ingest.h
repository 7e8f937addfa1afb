/*
 * ingest.h - the ZeroMQ ingest endpoint with group commit.
 *
 * A ROUTER socket takes SubmitRequests from DEALER (or REQ) senders. The
 * loop thread reads and validates requests into a group; the writer thread
 * (writer.h) commits a group in one store transaction while the next one
 * fills with what arrives meanwhile. Each SubmitReply is sent, from the
 * loop thread, only after its group has committed. A frame that is not a
 * valid SubmitRequest gets an error reply and the daemon goes on.
 */
#ifndef LAWTALLY_INGEST_H
#define LAWTALLY_INGEST_H

#include <event2/event.h>

#include "metrics.h"
#include "store.h"
#include "villages.h"

struct ingest;
struct auth;

/*
 * Ingest's events (reading, answering, commits done) run at this loop
 * priority, below libevent's default: in a pass of the loop, queries and
 * HTTP requests that are ready go first, and a query waits for at most the
 * one ingest step already running. The daemon's base is made with
 * INGEST_PRIORITY + 1 priorities; with fewer, all share one.
 */
#define INGEST_PRIORITY 2

struct ingest_options {
	const char *endpoint;       /* where to bind; "tcp://127.0.0.1:0" picks a port */
	unsigned batch_events_max;  /* events in one commit */
	unsigned request_events_max;/* events in one request */
	unsigned frame_bytes_max;   /* ZMQ_MAXMSGSIZE */
	int hwm;                    /* receive and send high-water marks */
	struct auth *auth;          /* CurveZMQ senders (auth.h); NULL: auth is off */
};

/*
 * Binds the endpoint and joins the loop. villages and the store must
 * outlive the ingest; the village list may be replaced by ingest_set_villages.
 * Returns 0, or an LT_E* code with a line in err.
 */
int ingest_start(struct ingest **out, struct event_base *base, void *zctx,
		 const struct ingest_options *opts, struct store *store,
		 const struct villages *villages, struct metrics *metrics, char *err,
		 size_t errlen);

/* The endpoint actually bound (with the port chosen). */
const char *ingest_endpoint(const struct ingest *in);

/* Uses a new village list from now on (SIGHUP). */
void ingest_set_villages(struct ingest *in, const struct villages *villages);

/*
 * Calls fn(arg) after each commit that stored something new, once the
 * replies have gone (the dashboards hear of it). NULL turns it off.
 */
void ingest_on_commit(struct ingest *in, void (*fn)(void *arg), void *arg);

/* Stops reading new requests (shutdown); what was read is already answered. */
void ingest_stop_reading(struct ingest *in);

/*
 * Non-zero once the store failed in a way that must not be retried
 * (LT_EIO): the daemon must exit and be restarted. A damaged store
 * (store_damaged) is not that: every batch is refused with a temporary
 * error while the daemon goes on answering.
 */
int ingest_failed(const struct ingest *in);

/*
 * Seconds the commit in hand has been running (0 with none): the watchdog
 * stops its keep-alives when a commit hangs (notify_watch).
 */
double ingest_commit_age(struct ingest *in);

/*
 * Waits for the commit in hand and commits what was read since, answering
 * every request read (shutdown, after the loop has stopped); then closes
 * the socket, stops the writer thread and frees everything; NULLs *in.
 * The on_commit callback may still be called from here.
 */
void ingest_close(struct ingest **in);

#endif
