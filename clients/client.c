/* client.c - submit events and query totals over ZeroMQ (see client.h). */
#include "client.h"

#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "now.h"
#include "xalloc.h"

#define CLIENT_REPLY_MAX (4 << 20)  /* bytes: 1000 acks with reasons fit easily */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000
#define RETRY_DEFAULT_MS 2000
#define CANCEL_POLL_MS 200
#define ENDPOINT_MAX 256

struct client {
	void *ctx;
	void *sock;
	uint64_t next_batch_id;
	int has_keys;
	struct client_keys keys;
	char endpoint[ENDPOINT_MAX];
	int retry_ms;
	unsigned reconnects;     /* sockets reopened, in all */
	unsigned silent_rounds;  /* reopened since the last reply: the back-off's exponent */
	uint64_t rng; /* xorshift64 state for back-off jitter */
	const atomic_int *cancel;
	char refused[256]; /* the daemon's last refusal for now since an Ack came, or "" */
};

/*
 * A DEALER (or other) socket that never blocks the process at exit, with
 * the CurveZMQ client keys set when keys is not NULL.
 */
static void *new_socket(void *ctx, int type, const struct client_keys *keys)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0, hwm = 10000;
	int64_t maxmsg = CLIENT_REPLY_MAX;
	if (!s)
		return NULL;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    (keys && (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, keys->server_public, 40) ||
		      zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, keys->public_key, 40) ||
		      zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys->secret_key, 40)))) {
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* A new DEALER with the client's keys, connected to its endpoint. */
static int connect_socket(struct client *c)
{
	c->sock = new_socket(c->ctx, ZMQ_DEALER, c->has_keys ? &c->keys : NULL);
	if (!c->sock)
		return c->has_keys ? LT_EINVAL : LT_ESYS;
	if (zmq_connect(c->sock, c->endpoint) != 0) {
		zmq_close(c->sock);
		c->sock = NULL;
		return LT_EINVAL;
	}
	return 0;
}

int client_open(struct client **out, const char *endpoint, const struct client_keys *keys)
{
	struct client *c = xcalloc(1, sizeof(*c));
	if (keys) {
		c->has_keys = 1;
		c->keys = *keys;
	}
	if (snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint) >= (int)sizeof(c->endpoint)) {
		free(c);
		return LT_EINVAL;
	}
	c->ctx = zmq_ctx_new();
	int rc = c->ctx ? connect_socket(c) : LT_ESYS;
	if (rc) {
		client_close(&c);
		return rc;
	}
	/* batch ids distinct across runs, so a late reply is never mistaken */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->next_batch_id = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec;
	if (c->next_batch_id == 0)
		c->next_batch_id = 1;
	/* jitter differs between the senders of a village that restart together */
	c->rng = c->next_batch_id ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ULL;
	*out = c;
	return 0;
}

void client_close(struct client **cp)
{
	struct client *c = *cp;
	if (!c)
		return;
	if (c->sock)
		zmq_close(c->sock);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

void client_set_retry(struct client *c, int retry_ms)
{
	c->retry_ms = retry_ms > 0 ? retry_ms : 0;
}

void client_set_cancel(struct client *c, const atomic_int *cancel)
{
	c->cancel = cancel;
}

unsigned client_reconnects(const struct client *c)
{
	return c->reconnects;
}

enum flight_state { FREE, TO_SEND, SENT, WAITING };

struct flight {
	enum flight_state state;
	size_t first, count;
	uint64_t id;
	int64_t not_before;
	unsigned attempts;
};

static int send_batch(struct client *c, Lawtally__V1__Event *const *events, struct flight *f)
{
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	req.batch_id = f->id;
	req.n_events = f->count;
	req.events = (Lawtally__V1__Event **)(events + f->first);
	size_t len = lawtally__v1__submit_request__get_packed_size(&req);
	uint8_t *buf = xmalloc(len);
	lawtally__v1__submit_request__pack(&req, buf);
	int rc = zmq_send(c->sock, buf, len, ZMQ_DONTWAIT);
	free(buf);
	if (rc < 0)
		return errno == EAGAIN ? 0 : LT_ESYS; /* EAGAIN: left TO_SEND, tried again */
	f->state = SENT;
	return 0;
}

/*
 * Exponential back-off with jitter: the n-th wait is drawn uniformly from
 * the upper half of min(100 ms * 2^n, 5 s), so that the senders of a
 * township that lost the link together do not come back in step.
 */
static int64_t backoff_ms(struct client *c, unsigned attempts)
{
	int64_t ms = BACKOFF_FIRST_MS << (attempts < 6 ? attempts : 6);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return ms / 2 + (int64_t)(c->rng % (uint64_t)(ms / 2 + 1));
}

/*
 * Handles one reply; returns 0, 1 when the daemon refused a batch for now
 * (it waits to be sent again), or LT_EPROTO with err set.
 */
static int take_reply(struct client *c, struct flight *fl, unsigned nfl, const uint8_t *data,
		      size_t len, const struct client_submit *o, int64_t now, char *err,
		      size_t errlen)
{
	Lawtally__V1__SubmitReply *rep = lawtally__v1__submit_reply__unpack(&xalloc_protobuf, len,
									      data);
	if (!rep) {
		snprintf(err, errlen, "the daemon sent a reply that does not decode");
		return LT_EPROTO;
	}
	struct flight *f = NULL;
	for (unsigned i = 0; i < nfl; i++)
		if (fl[i].state == SENT && fl[i].id == rep->batch_id)
			f = &fl[i];
	int rc = 0;
	if (!f) {
		if (rep->batch_id == 0 && rep->error[0]) {
			snprintf(err, errlen, "the daemon refused a request: %s", rep->error);
			rc = LT_EPROTO;
		}
		/* otherwise a late reply to a batch already answered: ignore */
	} else if (rep->error[0]) {
		if (rep->retry) {
			f->state = WAITING;
			f->not_before = now + backoff_ms(c, f->attempts++);
			snprintf(c->refused, sizeof(c->refused), "%s", rep->error);
			rc = 1;
		} else {
			snprintf(err, errlen, "the daemon refused a request: %s", rep->error);
			rc = LT_EPROTO;
		}
	} else if (rep->n_acks != f->count) {
		snprintf(err, errlen, "the daemon answered %zu acks for %zu events", rep->n_acks,
			 f->count);
		rc = LT_EPROTO;
	} else {
		for (size_t i = 0; i < rep->n_acks; i++)
			o->on_ack(f->first + i, rep->acks[i]->status,
				  rep->acks[i]->reason[0] ? rep->acks[i]->reason : NULL, o->arg);
		f->state = FREE;
		c->refused[0] = '\0';
	}
	lawtally__v1__submit_reply__free_unpacked(rep, &xalloc_protobuf);
	return rc;
}

/*
 * Lazy Pirate: the daemon went silent with requests in flight. Close the
 * DEALER (dropping what it still queues for a dead connection, and any late
 * reply), open a new one, and re-send the unanswered requests after a
 * back-off; their events keep their ids, so a request that did get stored
 * comes back DUPLICATE.
 */
static int reopen(struct client *c, struct flight *fl, unsigned nfl, int64_t now)
{
	zmq_close(c->sock);
	c->sock = NULL;
	int rc = connect_socket(c);
	if (rc)
		return rc;
	int64_t wait = backoff_ms(c, c->silent_rounds++);
	c->reconnects++;
	for (unsigned i = 0; i < nfl; i++)
		if (fl[i].state == SENT || fl[i].state == TO_SEND) {
			fl[i].state = WAITING;
			fl[i].not_before = now + wait;
		}
	return 0;
}

int client_submit(struct client *c, Lawtally__V1__Event *const *events, size_t n,
		  const struct client_submit *o, char *err, size_t errlen)
{
	struct flight fl[CLIENT_WINDOW_MAX] = {0};
	unsigned nfl = o->window < 1 ? 1 : o->window > CLIENT_WINDOW_MAX ? CLIENT_WINDOW_MAX : o->window;
	size_t bs = o->batch_size < 1 ? 1 : o->batch_size > CLIENT_BATCH_MAX ? CLIENT_BATCH_MAX
									       : o->batch_size;
	int retry = c->retry_ms ? c->retry_ms : RETRY_DEFAULT_MS;
	if (retry > o->timeout_ms)
		retry = o->timeout_ms;
	size_t next = 0;
	int64_t last_progress = now_mono_ms(), last_heard = last_progress;
	err[0] = '\0';
	c->refused[0] = '\0';
	for (;;) {
		int64_t now = now_mono_ms(), wake = now + o->timeout_ms;
		int busy = 0, sent = 0;
		if (c->cancel && *c->cancel) {
			snprintf(err, errlen, "interrupted");
			return LT_ETIMEOUT;
		}
		for (unsigned i = 0; i < nfl; i++) {
			struct flight *f = &fl[i];
			if (f->state == FREE && next < n) {
				*f = (struct flight){TO_SEND, next, n - next < bs ? n - next : bs,
						     c->next_batch_id++, 0, 0};
				next += f->count;
			}
			if (f->state == WAITING && now >= f->not_before) {
				f->state = TO_SEND;
				f->id = c->next_batch_id++; /* the old id's late reply is ignored */
			}
			if (f->state == TO_SEND) {
				int rc = send_batch(c, events, f);
				if (rc) {
					snprintf(err, errlen, "cannot send: %s", zmq_strerror(errno));
					return rc;
				}
			}
			if (f->state == WAITING && f->not_before < wake)
				wake = f->not_before;
			busy |= f->state != FREE;
			sent |= f->state == SENT;
		}
		if (!busy)
			return 0;
		int64_t deadline = last_progress + o->timeout_ms;
		if (now >= deadline) {
			if (c->refused[0])
				snprintf(err, errlen, "the daemon refuses for now: %s", c->refused);
			else
				snprintf(err, errlen, "no answer from the daemon within %d ms",
					 o->timeout_ms);
			return LT_ETIMEOUT;
		}
		if (!sent)
			last_heard = now; /* silence counts only while something is in flight */
		else if (now - last_heard >= retry) {
			int rc = reopen(c, fl, nfl, now);
			if (rc) {
				snprintf(err, errlen, "cannot reopen the socket to %s", c->endpoint);
				return rc;
			}
			last_heard = now;
			continue;
		} else if (last_heard + retry < wake) {
			wake = last_heard + retry;
		}
		if (wake > deadline)
			wake = deadline;
		if (c->cancel && wake > now + CANCEL_POLL_MS)
			wake = now + CANCEL_POLL_MS;
		zmq_pollitem_t pi = {c->sock, 0, ZMQ_POLLIN, 0};
		int prc = zmq_poll(&pi, 1, (long)(wake - now));
		if (prc < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", zmq_strerror(errno));
			return LT_ESYS;
		}
		for (;;) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				break;
			}
			now = now_mono_ms();
			last_heard = now;
			c->silent_rounds = 0; /* the link is back: the next back-off starts short */
			int rc = take_reply(c, fl, nfl, zmq_msg_data(&m), zmq_msg_size(&m), o, now,
					    err, errlen);
			zmq_msg_close(&m);
			if (rc < 0)
				return rc;
			/* a refusal for now is an answer, but no progress: the timeout runs on */
			if (rc == 0)
				last_progress = now;
		}
	}
}

int client_query(const char *endpoint, const struct client_keys *keys,
		 const Lawtally__V1__QueryRequest *q, int timeout_ms, Lawtally__V1__QueryReply **out)
{
	int rc = LT_ESYS;
	void *ctx = zmq_ctx_new();
	void *s = ctx ? new_socket(ctx, ZMQ_DEALER, keys) : NULL;
	if (!s)
		goto ctx_term;
	if (zmq_connect(s, endpoint) != 0) {
		rc = LT_EINVAL;
		goto sock_close;
	}
	size_t len = lawtally__v1__query_request__get_packed_size(q);
	uint8_t buf[2048];
	if (len > sizeof(buf)) {
		rc = LT_EINVAL;
		goto sock_close;
	}
	lawtally__v1__query_request__pack(q, buf);
	if (zmq_send(s, buf, len, 0) < 0)
		goto sock_close;
	zmq_pollitem_t pi = {s, 0, ZMQ_POLLIN, 0};
	int prc = zmq_poll(&pi, 1, timeout_ms);
	if (prc == 0) {
		rc = LT_ETIMEOUT;
		goto sock_close;
	}
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (prc < 0 || zmq_msg_recv(&m, s, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		goto sock_close;
	}
	*out = lawtally__v1__query_reply__unpack(&xalloc_protobuf, zmq_msg_size(&m),
						 zmq_msg_data(&m));
	zmq_msg_close(&m);
	rc = *out ? 0 : LT_EPROTO;
sock_close:
	zmq_close(s);
ctx_term:
	if (ctx)
		zmq_ctx_term(ctx);
	return rc;
}
