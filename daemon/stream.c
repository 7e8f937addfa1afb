/* stream.c - Server-Sent Events to the dashboards (see stream.h). */
#include "stream.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <time.h>

#include "err.h"
#include "httplisten.h"
#include "log.h"
#include "now.h"
#include "ratelimit.h"
#include "xalloc.h"

/* A client sends nothing after its request; more than this is not read. */
#define STREAM_INPUT_MAX 4096

struct client {
	LIST_ENTRY(client) link;
	struct stream *s;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
};

struct stream {
	struct event_base *base;
	struct httplisten *listen;  /* the connections' close callbacks go through it */
	stream_data_fn data;
	void *arg;
	struct event *flush_ev;     /* one-shot: the coalesced commit event */
	struct event *keepalive_ev; /* persistent */
	struct evbuffer *buf;       /* scratch: evhttp_send_reply_chunk drains it */
	LIST_HEAD(, client) clients;
	size_t n;
	int64_t last_flush_ms;      /* monotonic */
	struct ratelimit refusals;  /* "refused a dashboard" lines */
};

/*
 * Queues text on one client's connection, unless the client has not read
 * what it was sent before: a notification it would read late is worth
 * nothing, and skipping it keeps the daemon's memory bounded.
 */
static void client_send(struct stream *s, struct client *c, const char *text, size_t len)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
	if (evbuffer_get_length(bufferevent_get_output(bev)) > STREAM_BACKLOG_MAX)
		return;
	evbuffer_add(s->buf, text, len);
	evhttp_send_reply_chunk(c->req, s->buf);
	evbuffer_drain(s->buf, evbuffer_get_length(s->buf));
}

static void broadcast(struct stream *s, const char *text, size_t len)
{
	struct client *c;
	LIST_FOREACH(c, &s->clients, link)
		client_send(s, c, text, len);
}

/* "event: NAME\ndata: JSON\n\n" into out; 0, or -1 if there is nothing to send. */
static int compose(struct stream *s, const char *prefix, const char *name, char *out,
		   size_t outlen, size_t *len)
{
	char data[STREAM_DATA_MAX];
	int n = s->data(data, sizeof(data), s->arg);
	if (n < 0 || (size_t)n >= sizeof(data))
		return -1;
	n = snprintf(out, outlen, "%sevent: %s\ndata: %s\n\n", prefix, name, data);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	*len = (size_t)n;
	return 0;
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct stream *s = arg;
	char text[STREAM_DATA_MAX + 64];
	size_t len;
	(void)fd, (void)what;
	s->last_flush_ms = now_mono_ms();
	if (compose(s, "", "commit", text, sizeof(text), &len) == 0)
		broadcast(s, text, len);
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	broadcast(arg, ":\n\n", 3);
}

/*
 * The client went (EOF, error, write timeout) or the server is freeing the
 * connection. When evhttp has already let go of the request (it does so
 * for a request whose reply is still open), ending the reply frees it.
 */
static void on_close(struct evhttp_connection *evcon, void *arg)
{
	struct client *c = arg;
	struct stream *s = c->s;
	(void)evcon;
	LIST_REMOVE(c, link);
	s->n--;
	if (!evhttp_request_get_connection(c->req))
		evhttp_send_reply_end(c->req);
	free(c);
	log_debug("stream: a dashboard left, %zu connected", s->n);
}

static void refuse(struct evhttp_request *req, int code, const char *reason, const char *msg)
{
	struct evbuffer *out = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(h, "Retry-After", "10");
	evbuffer_add_printf(out, "%s\n", msg);
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

void stream_attach(struct stream *s, struct evhttp_request *req)
{
	if (s->n >= STREAM_CLIENTS_MAX) {
		char *peer = NULL;
		ev_uint16_t port;
		evhttp_connection_get_peer(evhttp_request_get_connection(req), &peer, &port);
		if (ratelimit_hit(&s->refusals, peer ? peer : "?"))
			log_warn("stream: refused a dashboard at %s: %d already connected",
				 peer ? peer : "?", STREAM_CLIENTS_MAX);
		refuse(req, 503, "Service Unavailable", "stream: too many dashboards connected");
		return;
	}
	struct client *c = xcalloc(1, sizeof(*c));
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_send_reply_start(req, 200, "OK");
	c->s = s;
	c->req = req;
	c->evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
	struct timeval wt = {STREAM_WRITE_TIMEOUT_S, 0};
	bufferevent_set_timeouts(bev, NULL, &wt);
	bufferevent_setwatermark(bev, EV_READ, 0, STREAM_INPUT_MAX);
	httplisten_set_closecb(s->listen, c->evcon, on_close, c);
	LIST_INSERT_HEAD(&s->clients, c, link);
	s->n++;
	log_debug("stream: a dashboard joined, %zu connected", s->n);

	char text[STREAM_DATA_MAX + 64];
	char prefix[32];
	size_t len;
	snprintf(prefix, sizeof(prefix), "retry: %d\n", STREAM_RETRY_MS);
	if (compose(s, prefix, "hello", text, sizeof(text), &len) == 0)
		client_send(s, c, text, len);
}

void stream_notify(struct stream *s)
{
	if (s->n == 0 || evtimer_pending(s->flush_ev, NULL))
		return;
	int64_t wait = s->last_flush_ms + STREAM_INTERVAL_MS - now_mono_ms();
	if (wait < 0)
		wait = 0;
	struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
	evtimer_add(s->flush_ev, &tv);
}

size_t stream_clients(const struct stream *s)
{
	return s->n;
}

struct stream *stream_new(struct event_base *base, struct httplisten *listen,
			  stream_data_fn data, void *arg)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->listen = listen;
	s->data = data;
	s->arg = arg;
	s->last_flush_ms = now_mono_ms() - STREAM_INTERVAL_MS;
	ratelimit_init(&s->refusals, "stream: refused dashboards", "peers");
	LIST_INIT(&s->clients);
	struct timeval ka = {STREAM_KEEPALIVE_S, 0};
	s->flush_ev = evtimer_new(base, on_flush, s);
	s->keepalive_ev = event_new(base, -1, EV_PERSIST, on_keepalive, s);
	s->buf = evbuffer_new();
	/* a timer's event_add can fail for want of memory only */
	event_add(s->keepalive_ev, &ka);
	return s;
}

void stream_free(struct stream **sp)
{
	struct stream *s = *sp;
	if (!s)
		return;
	struct client *c;
	while ((c = LIST_FIRST(&s->clients)) != NULL) {
		LIST_REMOVE(c, link);
		httplisten_set_closecb(s->listen, c->evcon, NULL, NULL);
		evhttp_send_reply_end(c->req);
		free(c);
	}
	if (s->flush_ev)
		event_free(s->flush_ev);
	if (s->keepalive_ev)
		event_free(s->keepalive_ev);
	if (s->buf)
		evbuffer_free(s->buf);
	ratelimit_fini(&s->refusals);
	free(s);
	*sp = NULL;
}
