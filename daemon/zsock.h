/*
 * zsock.h - a ZeroMQ socket inside the libevent loop.
 *
 * ZMQ_FD is edge-triggered and "readable" does not mean a message is
 * there: the owner's callback is called while ZMQ_EVENTS says POLLIN and
 * must receive with ZMQ_DONTWAIT. A callback may stop early (for fairness
 * or a bound); zsock then comes back on the loop's next pass, after it has
 * polled, so other sockets and the HTTP server get their turn. Sending
 * changes ZMQ_EVENTS too, so after every callback the state is checked
 * again.
 */
#ifndef LAWTALLY_ZSOCK_H
#define LAWTALLY_ZSOCK_H

#include <event2/event.h>
#include <stddef.h>
#include <zmq.h>

struct zsock;

/* Called when the socket has input; receives what it wants to. */
typedef void (*zsock_fn)(void *sock, void *arg);

/*
 * Wraps sock (owned by the caller); its events get loop priority priority
 * (-1: libevent's default). Returns 0, or LT_ESYS (its descriptor cannot
 * be had or watched) / LT_EINVAL (no such priority) with the reason in
 * err, for the caller to say which socket.
 */
int zsock_new(struct zsock **out, struct event_base *base, void *sock, int priority,
	      zsock_fn fn, void *arg, char *err, size_t errlen);

/* Stops watching and NULLs *z; the ZeroMQ socket stays open. */
void zsock_destroy(struct zsock **z);

/* Stops or resumes calling fn (shutdown stops reading first). */
void zsock_pause(struct zsock *z, int paused);

/* Makes the loop check the socket again soon (after a send elsewhere). */
void zsock_kick(struct zsock *z);

/* Most frames of one message we accept (envelope frames and payload). */
#define ZSOCK_PARTS_MAX 8

/*
 * Receives one whole multipart message without blocking. Returns the
 * number of parts (>0), 0 if none is waiting, or -1 if the message had
 * more than max parts (it is consumed and dropped) or another error.
 * The caller closes the parts it got.
 */
int zsock_recv(void *sock, zmq_msg_t *parts, int max);

/*
 * Sends the envelope parts (routing id, optional empty delimiter) and then
 * data, without blocking. Returns 0, or -1 with errno (EHOSTUNREACH: peer
 * gone; EAGAIN: its queue is full).
 */
int zsock_send(void *sock, zmq_msg_t *env, int nenv, const void *data, size_t len);

#endif
