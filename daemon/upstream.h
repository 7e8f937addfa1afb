/*
 * upstream.h - a township forwarding what it stores to its county
 * (docs/county.md): every event and retraction of the store's log, in
 * commit order, over the same SubmitRequest protocol any sender speaks.
 *
 * A thread of its own, at a lower CPU priority, with its own read
 * snapshots and its own DEALER: the loop and the writer never wait for it
 * (it takes the store's write lock only for the moment its cursor is
 * written). Its cursor, meta "upstream" in the township's store
 * (store_upstream_get), names the next event to send and moves only
 * after the county's acknowledgement of a whole batch, in a transaction
 * of its own: after a restart, a kill -9 or an outage of days it goes on
 * from there, and what it sends again the county answers DUPLICATE.
 *
 * One request in flight: at most batch_events events and under 1 MiB.
 * When the county stays silent for UPSTREAM_REPLY_MS the socket is closed
 * and opened anew (Lazy Pirate, as clients/client.c does for senders:
 * the daemon may not link the client library, so the few lines are its
 * own) and the batch sent again after a back-off (200 ms doubling to
 * 30 s). An event the county REJECTS would stall the cursor forever if
 * it waited for it: it is counted (store_upstream.rejected, /metrics),
 * logged at most a few times a minute, and passed over. A request refused
 * for good (more events than the county's request_events_max) is sent
 * again in halves, down to one event (refused for good: then such a
 * rejection), and no batch that large is sent again. The county's
 * frame_bytes_max must exceed UPSTREAM_FRAME_MAX (its default does): libzmq
 * drops a larger frame unanswered, which looks like silence.
 */
#ifndef LAWTALLY_UPSTREAM_H
#define LAWTALLY_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "villages.h"

#define UPSTREAM_REPLY_MS 5000
#define UPSTREAM_FRAME_MAX 1000000 /* bytes of a request, under the county's 1 MiB */

struct upstream;
struct evbuffer;

struct upstream_options {
	const char *endpoint;        /* the county's ingest endpoint */
	const char *township;        /* this township's code */
	const char *name;            /* its name, for lines and the county ("" none) */
	const struct villages *villages; /* its villages, named to the county */
	const char *server_key;      /* the county's public key (Z85), "" without CurveZMQ */
	const char *secret_key_file; /* this township's secret key, with server_key */
	unsigned batch_events;       /* 1..1000 */
	int reply_ms;                /* silence before a reconnect; 0: UPSTREAM_REPLY_MS */
};

/*
 * Starts forwarding s to the county with a socket of zctx. Returns 0, or
 * LT_EINVAL / LT_ESYS with one line in err (a key file that does not
 * read, a thread that does not start).
 */
int upstream_start(struct upstream **out, struct store *s, void *zctx,
		   const struct upstream_options *o, char *err, size_t errlen);

/*
 * The names the county keeps for this township (TownshipNames, sent with
 * every batch): after a reload changed them. Safe on NULL. Any thread.
 */
void upstream_set_names(struct upstream *u, const char *name, const struct villages *villages);

/* A commit landed: look for new events now rather than at the next poll. Any thread. */
void upstream_kick(struct upstream *u);

/* What the forwarding has done, for /metrics and the status line. */
struct upstream_status {
	int on;                     /* 0: no [upstream] */
	char township[SCOPE_TOWNSHIP_MAX + 1];
	uint64_t backlog;           /* events stored, not yet acknowledged */
	double oldest;              /* unix time the oldest of them was received, 0: none */
	double last_ack;            /* unix time of the last acknowledgement, 0: none */
	uint64_t acked, rejected;   /* events acknowledged, of them rejected (all time) */
	uint64_t batches;           /* requests acknowledged since the start */
	uint64_t reconnects;        /* sockets opened anew after silence */
	int answering;              /* 1 while the county answers, 0 after silence */
};

/*
 * Fills *st, the backlog read from the store now (a snapshot of its own:
 * the calling thread must hold none); u may be NULL (no forwarding). Any
 * thread.
 */
void upstream_status(struct upstream *u, struct upstream_status *st);

/*
 * On the loop thread, every few seconds: logs the county's rejections
 * seen since the last call, through a ratelimit.
 */
void upstream_tick(struct upstream *u);

/* Appends the status as Prometheus text (GET /metrics). */
void upstream_render(const struct upstream_status *st, struct evbuffer *out);

/* Stops the thread (a request in flight is given up), frees, NULLs *u. Safe on NULL. */
void upstream_stop(struct upstream **u);

#endif
