/*
 * httplisten.c - bounded, deadlined HTTP connections (see httplisten.h).
 *
 * How the connections are seen: evhttp accepts on our evconnlistener and
 * asks our bufferevent hook for each connection's bufferevent; the hook
 * keeps a reference to it and wakes a top-priority event. By the time
 * that event runs (before any I/O of the new connection can), evhttp has
 * made the connection and set itself as the bufferevent's callback
 * argument: that is how the connection is found (libevent 2.1 hands no
 * other way out). A bufferevent whose callbacks are gone was already
 * let go by evhttp (an error while it set up); the reference kept it
 * from being freed under us.
 *
 * The connections waiting for a request are a list in the order they
 * began to wait: the head is both the next deadline and the one to give
 * way to a new connection. One timer serves all deadlines.
 */
#include "httplisten.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "now.h"
#include "ratelimit.h"
#include "xalloc.h"

/* Connection records are allocated this many at a time and never moved. */
#define CONNS_PER_CHUNK 256
/* What a refused connection may have sent already, read before the 503. */
#define REFUSE_DRAIN_MAX 16384
/*
 * Connections evhttp may make past the limit before they are looked at:
 * accepting stops there until they are, so that a burst of thousands
 * does not take the descriptors the rest of the daemon needs.
 */
#define FRESH_PAST_CAP 8
/* Connections answered 503 from the spare descriptor in one accept error. */
#define SPARE_DRAIN_MAX 64

enum conn_state { CONN_FREE, CONN_WAITING, CONN_SERVING };

struct conn {
	struct httplisten *hl;
	struct evhttp_connection *evcon;   /* NULL while the record is free */
	int fd;
	enum conn_state state;
	int64_t since_ms;                  /* CONN_WAITING: when it began to wait */
	TAILQ_ENTRY(conn) link;            /* the waiting list, or the free list */
	void (*closecb)(struct evhttp_connection *, void *);
	void *closecb_arg;
	char peer[48];
};

struct chunk {
	struct chunk *next;
	struct conn c[CONNS_PER_CHUNK];
};

TAILQ_HEAD(connq, conn);

struct httplisten {
	struct event_base *base;
	struct evhttp *ev;
	struct evconnlistener *lev;        /* evhttp's, freed by evhttp_free */
	struct metrics *m;
	unsigned cap, port;
	int64_t timeout_ms;
	unsigned open;                     /* connections admitted, not yet closed */
	struct connq waiting;              /* oldest first */
	struct connq spare;
	struct chunk *chunks;
	struct conn **by_fd;               /* the record of each open descriptor */
	size_t nby_fd;
	struct bufferevent **fresh;        /* made by evhttp, not yet looked at */
	size_t nfresh, capfresh;
	struct event *fresh_ev, *deadline_ev, *backoff_ev;
	int backing_off;                   /* accepting pauses after an accept error */
	int holding;                       /* accepting waits for the fresh ones to be looked at */
	int spare_fd;                      /* kept open to answer when descriptors run out; -1 */
	struct ratelimit refused, dropped, accept_errors;
	struct httplisten *next;           /* every httplisten, for the listener's error callback */
};

static struct httplisten *all;

unsigned httplisten_limit(unsigned connections_max, uint64_t nofile, unsigned *reserve)
{
	*reserve = 0;
	if (nofile == 0)
		return connections_max ? connections_max : 1;
	uint64_t keep = HTTPLISTEN_FD_RESERVE + nofile / 8;
	*reserve = keep > UINT32_MAX ? UINT32_MAX : (unsigned)keep;
	uint64_t room = nofile > keep ? nofile - keep : 1;
	uint64_t cap = connections_max < room ? connections_max : room;
	return cap ? (unsigned)cap : 1;
}

enum httplisten_verdict httplisten_verdict(unsigned open, unsigned cap, int64_t waited_ms,
				       int ready)
{
	if (open < cap)
		return HTTPLISTEN_ADMIT;
	if (waited_ms >= 0 && (ready || waited_ms >= HTTPLISTEN_SHED_MS))
		return HTTPLISTEN_SHED;
	return HTTPLISTEN_REFUSE;
}

/*
 * 1 if the whole head of a request is already waiting on fd: the client
 * sent it at once, as a program or a browser does, not a line at a time.
 */
static int request_ready(int fd)
{
	char buf[HTTPLISTEN_PEEK_MAX];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	/* the blank line that ends the head: "\n\n", or "\r\n\r\n" */
	for (ssize_t i = 1; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i - 1] == '\n' || (i >= 3 && memcmp(buf + i - 3, "\r\n\r", 3) == 0))
			return 1;
	}
	return 0;
}

static struct conn *conn_get(struct httplisten *hl)
{
	if (TAILQ_EMPTY(&hl->spare)) {
		struct chunk *ch = xcalloc(1, sizeof(*ch));
		ch->next = hl->chunks;
		hl->chunks = ch;
		for (int i = 0; i < CONNS_PER_CHUNK; i++)
			TAILQ_INSERT_TAIL(&hl->spare, &ch->c[i], link);
	}
	struct conn *c = TAILQ_FIRST(&hl->spare);
	TAILQ_REMOVE(&hl->spare, c, link);
	return c;
}

static struct conn *conn_of(struct httplisten *hl, struct evhttp_connection *evcon)
{
	if (!evcon)
		return NULL;
	int fd = (int)bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
	if (fd < 0 || (size_t)fd >= hl->nby_fd)
		return NULL;
	struct conn *c = hl->by_fd[fd];
	return c && c->evcon == evcon ? c : NULL;
}

static void arm_deadline(struct httplisten *hl)
{
	struct conn *head = TAILQ_FIRST(&hl->waiting);
	if (!head || evtimer_pending(hl->deadline_ev, NULL))
		return;
	int64_t wait = head->since_ms + hl->timeout_ms - now_mono_ms();
	if (wait < 0)
		wait = 0;
	struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
	evtimer_add(hl->deadline_ev, &tv);
}

static void start_waiting(struct httplisten *hl, struct conn *c)
{
	c->state = CONN_WAITING;
	c->since_ms = now_mono_ms();
	TAILQ_INSERT_TAIL(&hl->waiting, c, link);
	arm_deadline(hl);
}

/* evhttp closes a connection: what it took is given back. */
static void on_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;
	struct httplisten *hl = c->hl;
	if (c->closecb)
		c->closecb(evcon, c->closecb_arg);
	if (c->state == CONN_WAITING)
		TAILQ_REMOVE(&hl->waiting, c, link);
	if (c->fd >= 0 && (size_t)c->fd < hl->nby_fd && hl->by_fd[c->fd] == c)
		hl->by_fd[c->fd] = NULL;
	/* the record stays valid memory: a late completion callback finds it free */
	c->evcon = NULL;
	c->closecb = NULL;
	c->state = CONN_FREE;
	TAILQ_INSERT_TAIL(&hl->spare, c, link);
	hl->open--;
	hl->m->http_open = hl->open;
}

/* A reply has been sent: the connection waits for its next request. */
static void on_complete(struct evhttp_request *req, void *arg)
{
	struct conn *c = arg;
	if (c->state != CONN_SERVING || c->evcon != evhttp_request_get_connection(req))
		return;
	start_waiting(c->hl, c);
}

void httplisten_serving(struct httplisten *hl, struct evhttp_request *req)
{
	struct conn *c = conn_of(hl, evhttp_request_get_connection(req));
	if (!c || c->state != CONN_WAITING)
		return;
	TAILQ_REMOVE(&hl->waiting, c, link);
	c->state = CONN_SERVING;
	evhttp_request_set_on_complete_cb(req, on_complete, c);
}

void httplisten_set_closecb(struct httplisten *hl, struct evhttp_connection *evcon,
			    void (*fn)(struct evhttp_connection *, void *), void *arg)
{
	struct conn *c = conn_of(hl, evcon);
	if (!c) {
		evhttp_connection_set_closecb(evcon, fn, arg);
		return;
	}
	c->closecb = fn;
	c->closecb_arg = arg;
}

/* Closes a connection that has waited too long, or gives its place away. */
static void drop(struct httplisten *hl, struct conn *c, const char *why)
{
	if (ratelimit_hit(&hl->dropped, c->peer))
		log_warn("http: closed the connection of %s: %s", c->peer, why);
	evhttp_connection_free(c->evcon); /* on_close gives the record back */
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct httplisten *hl = arg;
	struct conn *c;
	char why[64];
	(void)fd, (void)what;
	int64_t now = now_mono_ms();
	snprintf(why, sizeof(why), "no whole request within %lld s",
		 (long long)(hl->timeout_ms / 1000));
	while ((c = TAILQ_FIRST(&hl->waiting)) && now - c->since_ms >= hl->timeout_ms) {
		hl->m->http_timed_out++;
		drop(hl, c, why);
	}
	arm_deadline(hl);
}

/*
 * Writes a 503 with {"error": why} on a socket nothing has read from yet;
 * the caller closes it. What the client sent is read first: closing on
 * unread input would reset the connection, and the client might lose the
 * answer. A fresh socket's buffer takes the answer whole.
 */
static void answer_503(int fd, const char *why)
{
	char body[160], reply[400], scratch[4096];
	size_t drained = 0;
	ssize_t n;
	while (drained < REFUSE_DRAIN_MAX &&
	       (n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT)) > 0)
		drained += (size_t)n;
	int blen = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", why);
	int rlen = snprintf(reply, sizeof(reply),
			    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
			    "Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s",
			    blen, body);
	if (send(fd, reply, (size_t)rlen, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("http: a 503 was not sent: %s", strerror(errno));
}

/* Answers 503 on a connection evhttp has not read yet, and closes it. */
static void refuse(struct httplisten *hl, struct evhttp_connection *evcon, int fd)
{
	char *peer = NULL, why[64];
	ev_uint16_t port;
	evhttp_connection_get_peer(evcon, &peer, &port);
	hl->m->http_refused++;
	if (ratelimit_hit(&hl->refused, peer ? peer : "?"))
		log_warn("http: refused a connection from %s: %u connections open, the most allowed",
			 peer ? peer : "?", hl->cap);
	snprintf(why, sizeof(why), "http: too many connections (%u); try again", hl->cap);
	answer_503(fd, why);
	evhttp_connection_free(evcon);
}

/* Accepting resumes when nothing holds it back. */
static void accepting(struct httplisten *hl)
{
	if (hl->backing_off || hl->holding)
		evconnlistener_disable(hl->lev);
	else
		evconnlistener_enable(hl->lev);
}

static void by_fd_set(struct httplisten *hl, int fd, struct conn *c)
{
	if ((size_t)fd >= hl->nby_fd) {
		size_t n = hl->nby_fd ? hl->nby_fd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct conn **b = xreallocarray(hl->by_fd, n, sizeof(*b));
		memset(b + hl->nby_fd, 0, (n - hl->nby_fd) * sizeof(*b));
		hl->by_fd = b;
		hl->nby_fd = n;
	}
	hl->by_fd[fd] = c;
}

/* A connection evhttp has just made: admitted, given a slot someone waited in, or refused. */
static void take(struct httplisten *hl, struct evhttp_connection *evcon, int fd)
{
	struct conn *head = TAILQ_FIRST(&hl->waiting);
	int64_t waited = head ? now_mono_ms() - head->since_ms : -1;
	int ready = hl->open >= hl->cap && head && request_ready(fd);
	switch (httplisten_verdict(hl->open, hl->cap, waited, ready)) {
	case HTTPLISTEN_REFUSE:
		refuse(hl, evcon, fd);
		return;
	case HTTPLISTEN_SHED:
		hl->m->http_shed++;
		drop(hl, head, "it sent no whole request, and another connection wanted its place");
		break;
	case HTTPLISTEN_ADMIT:
		break;
	}
	struct conn *c = conn_get(hl);
	memset(c, 0, sizeof(*c));
	c->hl = hl;
	c->evcon = evcon;
	c->fd = fd;
	char *peer = NULL;
	ev_uint16_t port;
	evhttp_connection_get_peer(evcon, &peer, &port);
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "?");
	by_fd_set(hl, fd, c);
	evhttp_connection_set_closecb(evcon, on_close, c);
	hl->open++;
	hl->m->http_open = hl->open;
	start_waiting(hl, c);
}

/* The connections evhttp made since the last pass (top priority: before their I/O). */
static void on_fresh(evutil_socket_t sfd, short what, void *arg)
{
	struct httplisten *hl = arg;
	(void)sfd, (void)what;
	for (size_t i = 0; i < hl->nfresh; i++) {
		struct bufferevent *bev = hl->fresh[i];
		bufferevent_data_cb rcb, wcb;
		bufferevent_event_cb ecb;
		void *cbarg = NULL;
		bufferevent_getcb(bev, &rcb, &wcb, &ecb, &cbarg);
		struct evhttp_connection *evcon = ecb ? cbarg : NULL;
		int fd = (int)bufferevent_getfd(bev);
		int ours = evcon && fd >= 0 && evhttp_connection_get_bufferevent(evcon) == bev;
		bufferevent_decref(bev);
		/* if not ours, evhttp gave up on it while setting it up: nothing is open */
		if (ours)
			take(hl, evcon, fd);
	}
	hl->nfresh = 0;
	if (hl->holding) {
		hl->holding = 0;
		accepting(hl);
	}
}

/* evhttp's hook for a new connection's bufferevent. */
static struct bufferevent *on_new_connection(struct event_base *base, void *arg)
{
	struct httplisten *hl = arg;
	if (hl->nfresh == hl->capfresh) {
		size_t n = hl->capfresh ? hl->capfresh * 2 : 64;
		struct bufferevent **f = xreallocarray(hl->fresh, n, sizeof(*f));
		hl->fresh = f;
		hl->capfresh = n;
	}
	/* libevent allocates through xalloc.h: this cannot fail */
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_incref(bev);
	hl->fresh[hl->nfresh++] = bev;
	event_active(hl->fresh_ev, EV_TIMEOUT, 0);
	/* libevent's accept loop stops when its listener is disabled */
	if (!hl->holding && hl->open + hl->nfresh >= hl->cap + FRESH_PAST_CAP) {
		hl->holding = 1;
		accepting(hl);
	}
	return bev;
}

static void on_backoff(evutil_socket_t fd, short what, void *arg)
{
	struct httplisten *hl = arg;
	(void)fd, (void)what;
	hl->backing_off = 0;
	accepting(hl);
}

/*
 * Out of descriptors: the connections waiting in the kernel's queue get a
 * 503 at once, through the one descriptor kept spare for it, instead of
 * waiting unanswered behind each other. Returns how many.
 */
static unsigned drain_with_spare(struct httplisten *hl)
{
	unsigned n = 0;
	int lfd = (int)evconnlistener_get_fd(hl->lev);
	while (hl->spare_fd >= 0 && n < SPARE_DRAIN_MAX) {
		close(hl->spare_fd);
		int fd = accept(lfd, NULL, NULL); /* answer_503 reads and writes without blocking */
		if (fd >= 0) {
			answer_503(fd, "http: out of file descriptors; try again");
			close(fd);
			n++;
		}
		/* if another thread took the descriptor, there is none spare until one is */
		hl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
	}
	return n;
}

/*
 * accept() failed (the callback's argument is evhttp's, so hl is found
 * by its listener). Without a pause the listening socket stays readable and
 * the loop would call this again at once, for as long as the cause lasts.
 */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();
	struct httplisten *hl = all;
	(void)arg;
	while (hl && hl->lev != lev)
		hl = hl->next;
	if (!hl)
		return;
	hl->backing_off = 1;
	accepting(hl);
	struct timeval tv = {0, HTTPLISTEN_BACKOFF_MS * 1000};
	evtimer_add(hl->backoff_ev, &tv);
	hl->m->http_accept_errors++;
	unsigned answered = 0;
	if (e == EMFILE || e == ENFILE) {
		/* one a slow client holds is better used by the next connection */
		struct conn *head = TAILQ_FIRST(&hl->waiting);
		if (head && now_mono_ms() - head->since_ms >= HTTPLISTEN_SHED_MS) {
			hl->m->http_shed++;
			drop(hl, head, "out of descriptors, and it sent no whole request");
		}
		answered = drain_with_spare(hl);
		hl->m->http_refused += answered;
	}
	if (ratelimit_hit(&hl->accept_errors, strerror(e)))
		log_warn("http: cannot accept connections: %s; %u answered 503, accepting pauses "
			 "for %d ms (%u HTTP connections open)", strerror(e), answered,
			 HTTPLISTEN_BACKOFF_MS, hl->open);
}

/* The descriptors this process may open; 0 if unlimited or unknown. */
static uint64_t nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return (uint64_t)rl.rlim_cur;
}

static int listen_on(struct httplisten *hl, const struct httplisten_options *o, char *err,
		     size_t errlen)
{
	struct evutil_addrinfo hints, *ai = NULL;
	char port[8];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", o->port);
	int gai = evutil_getaddrinfo(o->host, port, &hints, &ai);
	if (gai != 0 || !ai) {
		snprintf(err, errlen, "http: cannot resolve %s: %s", o->host,
			 gai ? evutil_gai_strerror(gai) : "no address");
		return LT_EINVAL;
	}
	hl->lev = evconnlistener_new_bind(hl->base, NULL, NULL,
					  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
						  LEV_OPT_REUSEABLE,
					  HTTPLISTEN_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
	int e = errno;
	evutil_freeaddrinfo(ai);
	if (!hl->lev) {
		/* as the listen address is written: host:port, [v6]:port */
		snprintf(err, errlen, strchr(o->host, ':') ? "http: cannot listen on [%s]:%u: %s"
							   : "http: cannot listen on %s:%u: %s",
			 o->host, o->port, strerror(e));
		return LT_ESYS;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	hl->port = o->port;
	if (getsockname(evconnlistener_get_fd(hl->lev), (struct sockaddr *)&ss, &sl) == 0)
		hl->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	if (!evhttp_bind_listener(hl->ev, hl->lev)) {
		evconnlistener_free(hl->lev);
		hl->lev = NULL;
		snprintf(err, errlen, "http: %s: evhttp cannot take the listener", o->host);
		return LT_ESYS;
	}
	evconnlistener_set_error_cb(hl->lev, on_accept_error);
	return 0;
}

int httplisten_start(struct httplisten **out, struct event_base *base, struct evhttp *ev,
		     const struct httplisten_options *o, struct metrics *m, char *err,
		     size_t errlen)
{
	struct httplisten *hl = xcalloc(1, sizeof(*hl));
	hl->base = base;
	hl->ev = ev;
	hl->m = m;
	hl->timeout_ms = (int64_t)o->timeout_s * 1000;
	hl->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	TAILQ_INIT(&hl->waiting);
	TAILQ_INIT(&hl->spare);
	ratelimit_init(&hl->refused, "http: refused connections", "peers");
	ratelimit_init(&hl->dropped, "http: closed connections", "peers");
	ratelimit_init(&hl->accept_errors, "http: accept failed", "errors");
	hl->next = all;
	all = hl;
	unsigned reserve;
	uint64_t nofile = nofile_limit();
	hl->cap = httplisten_limit(o->connections_max, nofile, &reserve);
	if (hl->cap < o->connections_max)
		log_warn("http: %u connections at most, not connections_max = %u: the daemon may "
			 "open %llu files and keeps %u for the rest (raise LimitNOFILE=)",
			 hl->cap, o->connections_max, (unsigned long long)nofile, reserve);
	hl->fresh_ev = event_new(base, -1, 0, on_fresh, hl);
	hl->deadline_ev = evtimer_new(base, on_deadline, hl);
	hl->backoff_ev = evtimer_new(base, on_backoff, hl);
	if (event_priority_set(hl->fresh_ev, 0) != 0) {
		snprintf(err, errlen, "http: the event loop has no priority 0");
		httplisten_free(&hl);
		return LT_ESYS;
	}
	int rc = listen_on(hl, o, err, errlen);
	if (rc) {
		httplisten_free(&hl);
		return rc;
	}
	evhttp_set_bevcb(ev, on_new_connection, hl);
	*out = hl;
	return 0;
}

unsigned httplisten_port(const struct httplisten *hl)
{
	return hl->port;
}

unsigned httplisten_cap(const struct httplisten *hl)
{
	return hl->cap;
}

void httplisten_free(struct httplisten **hlp)
{
	struct httplisten *hl = *hlp;
	if (!hl)
		return;
	for (struct httplisten **p = &all; *p; p = &(*p)->next) {
		if (*p == hl) {
			*p = hl->next;
			break;
		}
	}
	/* evhttp_free has freed the listener and closed the connections */
	for (size_t i = 0; i < hl->nfresh; i++)
		bufferevent_decref(hl->fresh[i]);
	if (hl->fresh_ev)
		event_free(hl->fresh_ev);
	if (hl->deadline_ev)
		event_free(hl->deadline_ev);
	if (hl->backoff_ev)
		event_free(hl->backoff_ev);
	while (hl->chunks) {
		struct chunk *ch = hl->chunks;
		hl->chunks = ch->next;
		free(ch);
	}
	free(hl->by_fd);
	free(hl->fresh);
	if (hl->spare_fd >= 0)
		close(hl->spare_fd);
	ratelimit_fini(&hl->refused);
	ratelimit_fini(&hl->dropped);
	ratelimit_fini(&hl->accept_errors);
	free(hl);
	*hlp = NULL;
}
