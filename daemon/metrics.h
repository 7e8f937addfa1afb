/*
 * metrics.h - the daemon's own counters, for GET /metrics.
 *
 * Plain counters and fixed-bucket histograms updated on the hot path with
 * no allocation; metrics_render() writes them in the Prometheus text
 * exposition format. Rejection reasons are static strings (validate.c,
 * store.c), so they are counted by pointer in a small bounded table.
 */
#ifndef LAWTALLY_METRICS_H
#define LAWTALLY_METRICS_H

#include <event2/buffer.h>
#include <stdint.h>

#include "store.h"

#define METRICS_REASONS_MAX 64
#define METRICS_BATCH_BUCKETS 14   /* 1, 2, 4, ... 8192 events */
#define METRICS_LATENCY_BUCKETS 12 /* 0.25 ms ... 512 ms */

struct histogram {
	uint64_t count;
	double sum;
	uint64_t bucket[16]; /* cumulative counts are made when rendering */
};

struct metrics {
	uint64_t accepted, duplicate, rejected;
	uint64_t requests, bad_frames, refusals, replies_dropped;
	uint64_t clock_refusals;  /* requests with events over a day ahead of this clock */
	uint64_t auth_refused;   /* messages of revoked or unauthenticated keys (auth.h) */
	uint64_t names_rejected; /* townships' names not kept (townnames_read said why) */
	uint64_t queries_zmq, queries_http;
	/* HTTP connections (httplisten.h): open now; refused at the limit, closed
	 * to make room, closed at their deadline; failed accepts */
	uint64_t http_open, http_refused, http_shed, http_timed_out, http_accept_errors;
	struct {
		const char *reason;
		uint64_t count;
	} reasons[METRICS_REASONS_MAX];
	unsigned nreasons;
	uint64_t reasons_other;
	struct histogram batch_events;    /* events per commit */
	struct histogram commit_seconds;  /* store_apply time */
	double last_commit;               /* unix time of the last commit, 0 if none */
	uint64_t refusals_at_commit;      /* refusals counted then (backlog: the rest) */
	double started;
};

void metrics_init(struct metrics *m, double now);
void metrics_rejected(struct metrics *m, const char *reason);
void metrics_commit(struct metrics *m, unsigned events, double seconds, double now);

struct scrub_status;

/*
 * Appends the exposition text; st may be NULL if the store could not be
 * read. sc is the scrub's status (scrub.h); damaged whether the store has
 * met damage (store_damaged).
 */
int metrics_render(const struct metrics *m, const struct store_stats *st,
		   const struct scrub_status *sc, int damaged, struct evbuffer *out);

#endif
