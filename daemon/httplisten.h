/*
 * httplisten.h - the accepting side of the HTTP server: a real bound on
 * connections, a deadline on every request, and a listener that pauses
 * instead of spinning when descriptors run out.
 *
 * libevent 2.1's evhttp has no connection limit, and its timeout restarts
 * on every read, so a client trickling one header line every few seconds
 * keeps its connection for ever (docs pitfalls). httplisten makes the
 * listening socket itself (an evconnlistener handed to evhttp) and sees
 * every connection evhttp makes on it (evhttp's bufferevent hook), before
 * evhttp reads a byte of it:
 *
 *  - At most httplisten_limit() connections are open: connections_max,
 *    and fewer when the process may not open that many files and keep
 *    HTTPLISTEN_FD_RESERVE-odd descriptors for ingest, queries and the
 *    store. A new connection past it takes the place of the connection
 *    that has waited longest for a request, if the new one has sent its
 *    whole request already (it will not hold the place long) or the old
 *    one has waited HTTPLISTEN_SHED_MS or more (a slow client holds no
 *    slot for good); otherwise it is answered 503 and closed at once.
 *  - A connection waiting for a request (a new one, or a kept-alive one
 *    after its reply) is closed timeout_s after it began to wait, however
 *    it trickles. While a request is served (its reply is being written,
 *    or a dashboard's event stream is open) the deadline does not run.
 *  - When accept() fails (EMFILE, ENFILE, ...) the listener is disabled
 *    for HTTPLISTEN_BACKOFF_MS, so the loop does not spin; the connections
 *    already open are served meanwhile.
 *
 * Every refusal, drop and accept error is counted (metrics.h) and logged
 * through a ratelimit (ratelimit.h). Everything runs on the loop's thread.
 */
#ifndef LAWTALLY_HTTPLISTEN_H
#define LAWTALLY_HTTPLISTEN_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdint.h>

#include "metrics.h"

/* How long a connection must have waited for a request to give way to any new one. */
#define HTTPLISTEN_SHED_MS 1000
/* Bytes of a new connection's input looked at for a whole request head. */
#define HTTPLISTEN_PEEK_MAX 8192
/* How long accepting pauses after accept() failed. */
#define HTTPLISTEN_BACKOFF_MS 100
/* Connections the kernel queues for accepting. */
#define HTTPLISTEN_BACKLOG 1024

struct httplisten;

struct httplisten_options {
	const char *host;           /* numeric address or name, as [http] listen gives it */
	unsigned port;              /* 0: any free port */
	unsigned connections_max;   /* [http] connections_max */
	unsigned timeout_s;         /* [http] timeout_s: the whole request, and idle keep-alive */
};

/*
 * Listens on host:port for ev (created on base; its request callback must
 * call httplisten_serving first). m's http counters are kept up to date;
 * m must outlive hl. Returns 0, or LT_ESYS / LT_EINVAL with one line in
 * err. Free hl with httplisten_free after evhttp_free(ev).
 */
int httplisten_start(struct httplisten **out, struct event_base *base, struct evhttp *ev,
		     const struct httplisten_options *o, struct metrics *m, char *err,
		     size_t errlen);

/* The port bound (the one chosen when the options asked for 0). */
unsigned httplisten_port(const struct httplisten *hl);

/* Connections allowed open at once (httplisten_limit of the options). */
unsigned httplisten_cap(const struct httplisten *hl);

/*
 * The request callback's first step: req is complete and is being served,
 * so its connection's deadline stops until its reply has been sent.
 */
void httplisten_serving(struct httplisten *hl, struct evhttp_request *req);

/*
 * Calls fn(evcon, arg) when evcon closes (evhttp's close callback is
 * httplisten's own, which counts). fn NULL: no longer. For a connection
 * httplisten does not know, sets evhttp's close callback itself.
 */
void httplisten_set_closecb(struct httplisten *hl, struct evhttp_connection *evcon,
			    void (*fn)(struct evhttp_connection *, void *), void *arg);

/* Frees hl; call after evhttp_free (which closes the connections). NULLs *hl. */
void httplisten_free(struct httplisten **hl);

/*
 * Pure: the connections allowed open at once for connections_max when the
 * process may open nofile files (0: no limit known), keeping *reserve
 * descriptors for the rest of the daemon (at least 1 connection).
 */
#define HTTPLISTEN_FD_RESERVE 64
unsigned httplisten_limit(unsigned connections_max, uint64_t nofile, unsigned *reserve);

/* What to do with a new connection (httplisten_verdict). */
enum httplisten_verdict {
	HTTPLISTEN_ADMIT,    /* there is room */
	HTTPLISTEN_SHED,     /* close the connection waiting longest, then admit */
	HTTPLISTEN_REFUSE,   /* 503 and close */
};

/*
 * Pure: the verdict on a new connection with open connections open and
 * cap allowed, when the connection waiting longest for a request has
 * waited waited_ms (-1: none is waiting), and ready is 1 if the new one
 * has sent its whole request head already.
 */
enum httplisten_verdict httplisten_verdict(unsigned open, unsigned cap, int64_t waited_ms,
				       int ready);

#endif
