/* zsock.c - ZeroMQ sockets in a libevent loop (see zsock.h). */
#include "zsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "xalloc.h"

struct zsock {
	void *sock;
	struct event *ev;
	struct event *again;  /* one-shot zero timer: back after the loop has polled */
	zsock_fn fn;
	void *arg;
	int paused;
};

static const struct timeval zero_tv = {0, 0};

static int has_input(void *sock)
{
	int events = 0;
	size_t len = sizeof(events);
	if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &len) != 0)
		return 0;
	return events & ZMQ_POLLIN;
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	struct zsock *z = arg;
	(void)fd, (void)what;
	if (z->paused)
		return;
	if (!has_input(z->sock))
		return;
	z->fn(z->sock, z->arg);
	/*
	 * The callback may have stopped early, or sent: the edge may be gone.
	 * Come back through a zero timer, not event_active(): libevent runs
	 * re-activated events before it polls again, so a socket that always
	 * has input (ingest at saturation) would starve the other sockets and
	 * the HTTP server for as long as the load lasts.
	 */
	if (!z->paused && has_input(z->sock))
		evtimer_add(z->again, &zero_tv);
}

int zsock_new(struct zsock **out, struct event_base *base, void *sock, int priority,
	      zsock_fn fn, void *arg, char *err, size_t errlen)
{
	int fd;
	size_t len = sizeof(fd);
	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) != 0) {
		snprintf(err, errlen, "no descriptor to watch: %s", zmq_strerror(errno));
		return LT_ESYS;
	}
	struct zsock *z = xcalloc(1, sizeof(*z));
	z->sock = sock;
	z->fn = fn;
	z->arg = arg;
	z->ev = event_new(base, fd, EV_READ | EV_PERSIST, on_event, z);
	z->again = evtimer_new(base, on_event, z);
	int rc = 0;
	if (priority >= 0 && (event_priority_set(z->ev, priority) ||
			      event_priority_set(z->again, priority))) {
		snprintf(err, errlen, "the event loop has no priority %d", priority);
		rc = LT_EINVAL;
	} else if (event_add(z->ev, NULL) != 0) {
		snprintf(err, errlen, "cannot watch its descriptor: %s", strerror(errno));
		rc = LT_ESYS;
	}
	if (rc) {
		event_free(z->ev);
		event_free(z->again);
		free(z);
		return rc;
	}
	/* messages may already be queued: the edge will not come again */
	event_active(z->ev, EV_READ, 0);
	*out = z;
	return 0;
}

void zsock_destroy(struct zsock **zp)
{
	struct zsock *z = *zp;
	if (!z)
		return;
	event_free(z->ev);
	event_free(z->again);
	free(z);
	*zp = NULL;
}

void zsock_pause(struct zsock *z, int paused)
{
	z->paused = paused;
	if (!paused)
		event_active(z->ev, EV_READ, 0);
}

void zsock_kick(struct zsock *z)
{
	if (!z->paused)
		event_active(z->ev, EV_READ, 0);
}

int zsock_recv(void *sock, zmq_msg_t *parts, int max)
{
	int n = 0, more = 0, too_many = 0;
	do {
		zmq_msg_t scratch;
		zmq_msg_t *m = n < max ? &parts[n] : &scratch;
		zmq_msg_init(m);
		if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
			int e = errno;
			zmq_msg_close(m);
			for (int i = 0; i < n && i < max; i++)
				zmq_msg_close(&parts[i]);
			if (e == EAGAIN && n == 0)
				return 0;
			errno = e;
			return -1;
		}
		more = zmq_msg_more(m);
		if (n < max)
			n++;
		else {
			too_many = 1;
			zmq_msg_close(m);
		}
	} while (more);
	if (too_many) {
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
		errno = EPROTO;
		return -1;
	}
	return n;
}

int zsock_send(void *sock, zmq_msg_t *env, int nenv, const void *data, size_t len)
{
	for (int i = 0; i < nenv; i++) {
		zmq_msg_t copy;
		zmq_msg_init(&copy);
		zmq_msg_copy(&copy, &env[i]);
		if (zmq_msg_send(&copy, sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
			int e = errno;
			zmq_msg_close(&copy);
			errno = e;
			return -1;
		}
	}
	return zmq_send(sock, data, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}
