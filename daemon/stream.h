/*
 * stream.h - Server-Sent Events to the dashboards: "the totals changed".
 *
 * GET /v1/stream keeps an HTTP response open (chunked text/event-stream).
 * The daemon calls stream_notify() after each commit; the stream coalesces
 * bursts into at most one `event: commit` every STREAM_INTERVAL_MS and
 * writes it to every connected client, who then refetches what it shows.
 * The event names no figures: it only says when to look again.
 *
 * Bounded: at most STREAM_CLIENTS_MAX clients (more get 503), at most
 * STREAM_BACKLOG_MAX bytes queued per client (a client that does not read
 * gets no more events, and the write timeout closes it). A comment line
 * every STREAM_KEEPALIVE_S keeps proxies and NAT tables from dropping an
 * idle stream. evhttp's read timeout would close a stream whose client
 * (rightly) sends nothing, so a stream connection has no read timeout;
 * the client closing is seen as EOF, and its slot is freed at once.
 */
#ifndef LAWTALLY_STREAM_H
#define LAWTALLY_STREAM_H

#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>

#define STREAM_CLIENTS_MAX 32
#define STREAM_INTERVAL_MS 500
#define STREAM_KEEPALIVE_S 15
#define STREAM_BACKLOG_MAX 65536
#define STREAM_WRITE_TIMEOUT_S 30
/* What the browser waits before it reconnects a dropped stream. */
#define STREAM_RETRY_MS 3000
/* The longest data line an event may carry. */
#define STREAM_DATA_MAX 256

struct stream;

/*
 * Writes the one-line JSON data of an event ("hello" or "commit") into buf
 * (at most len bytes, NUL-terminated); returns its length, or -1 to send
 * nothing.
 */
typedef int (*stream_data_fn)(char *buf, size_t len, void *arg);

/*
 * A stream on base, for connections listen accepts (it must outlive the
 * stream); data composes each event's data line. It has timers only, no
 * descriptor, so nothing can fail but memory (xalloc.h).
 */
struct httplisten;
struct stream *stream_new(struct event_base *base, struct httplisten *listen,
			  stream_data_fn data, void *arg);

/*
 * Takes over req (a GET /v1/stream): answers 200 with the event stream and
 * a first `event: hello`, or 503 when STREAM_CLIENTS_MAX are connected.
 * The request stays the stream's until its client goes or stream_free().
 */
void stream_attach(struct stream *s, struct evhttp_request *req);

/*
 * The totals changed (a commit). Cheap and never blocks: it arms a timer;
 * the event goes out within STREAM_INTERVAL_MS.
 */
void stream_notify(struct stream *s);

/* Clients connected now. */
size_t stream_clients(const struct stream *s);

/*
 * Ends every stream (the browsers reconnect to the next daemon) and frees
 * everything; NULLs *s. Call before evhttp_free().
 */
void stream_free(struct stream **s);

#endif
