/*
 * client.h - talking to lawtallyd over ZeroMQ: submit events, query totals.
 *
 * The client library that `lawtally` links and that other C programs (a
 * device's firmware, a village PC's agent) can link too. Submission keeps
 * a window of batches in flight on one DEALER socket and calls back once
 * per event with its Ack. Nothing here blocks longer than the timeout
 * given: when the daemon stays silent that long, the call returns
 * LT_ETIMEOUT and the caller decides (keep the events, retry later).
 */
#ifndef LAWTALLY_CLIENT_H
#define LAWTALLY_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

#define CLIENT_BATCH_MAX 1000 /* events per SubmitRequest (the daemon's bound) */
#define CLIENT_WINDOW_MAX 64   /* requests in flight on one socket */

struct client;

/* CurveZMQ keys (Z85, 40 characters each) when the daemon has auth = curve. */
struct client_keys {
	char server_public[41]; /* the daemon's public key */
	char public_key[41];    /* this client's key pair */
	char secret_key[41];
};

/*
 * Connects a DEALER socket to endpoint (connection happens in the
 * background; an unreachable daemon shows as a timeout later). keys is
 * NULL without authentication; it is copied. Returns 0 or LT_ESYS /
 * LT_EINVAL (bad endpoint or keys).
 */
int client_open(struct client **out, const char *endpoint, const struct client_keys *keys);

/* Closes the socket without waiting for unsent data; NULLs *c. */
void client_close(struct client **c);

/*
 * The Lazy Pirate pattern of client_submit(): when requests are in flight
 * and the daemon has been silent for retry_ms (default 2000, never more
 * than the submit's timeout), the DEALER is closed and a new one opened with
 * the same endpoint and keys (dropping whatever the dead connection still
 * queued), and every unacknowledged request is sent again, after an
 * exponential back-off with jitter (100 ms doubling to 5 s, each drawn
 * from its upper half). 0 restores the default.
 */
void client_set_retry(struct client *c, int retry_ms);

/*
 * A flag (set by a signal handler, or by another thread: atomic for both)
 * that client_submit() checks at least every 200 ms: once non-zero it
 * returns LT_ETIMEOUT with err saying "interrupted"; events without an Ack
 * were not called back. NULL: none.
 */
void client_set_cancel(struct client *c, const atomic_int *cancel);

/* How many times the socket was reopened (Lazy Pirate) since client_open(). */
unsigned client_reconnects(const struct client *c);

/* Called once per event with the daemon's Ack status and reason (or NULL). */
typedef void (*client_ack_fn)(size_t index, Lawtally__V1__Ack__Status status,
			      const char *reason, void *arg);

struct client_submit {
	size_t batch_size;      /* events per request, 1..CLIENT_BATCH_MAX */
	unsigned window;        /* requests in flight, >= 1 */
	int timeout_ms;         /* silence after which to give up */
	client_ack_fn on_ack;
	void *arg;
};

/*
 * Submits events[0..n) and waits for every Ack. A batch the daemon refuses
 * for a temporary cause (reply with error and retry set: store full, an
 * event more than a day ahead of its clock) is sent again with exponential
 * back-off while time remains; silence reopens the socket
 * (client_set_retry). Returns 0 when every event has its Ack; LT_ETIMEOUT
 * when no Ack came for timeout_ms, refusals or not (events without an Ack
 * were not called back: the caller must keep them; err then gives the
 * daemon's last refusal, "the daemon refuses for now: ...", if it refused
 * since the last Ack); LT_EPROTO if the daemon refused a request as
 * malformed (err says why); LT_ESYS on a socket error.
 */
int client_submit(struct client *c, Lawtally__V1__Event *const *events, size_t n,
		  const struct client_submit *opts, char *err, size_t errlen);

/*
 * Sends one QueryRequest to the query endpoint and waits up to timeout_ms
 * for the reply. On 0, *out holds the reply (free it with
 * lawtally__v1__query_reply__free_unpacked and &xalloc_protobuf, xalloc.h).
 * LT_ETIMEOUT, LT_EPROTO, LT_ESYS.
 */
int client_query(const char *endpoint, const struct client_keys *keys,
		 const Lawtally__V1__QueryRequest *q, int timeout_ms, Lawtally__V1__QueryReply **out);

#endif
