/*
 * ingest.c - ZeroMQ ingest with group commit (see ingest.h).
 *
 * One pass of the loop over the ROUTER socket: drain the requests that are
 * readable now (up to batch_events_max events or INGEST_REQUESTS_MAX
 * requests), validate each event, apply all valid events in one store
 * transaction, then send every reply. The commit is synchronous, so while
 * it runs new requests queue in ZeroMQ and form the next group: the busier
 * the senders, the larger the groups and the fewer the fsyncs per event.
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "err.h"
#include "log.h"
#include "scope.h"
#include "validate.h"
#include "zsock.h"

#define INGEST_REQUESTS_MAX 256
#define INGEST_LINGER_MS 1000

/* A request read in this pass, waiting for the commit. */
struct pending {
	zmq_msg_t env[ZSOCK_PARTS_MAX]; /* routing id, maybe an empty delimiter */
	int nenv;
	zmq_msg_t payload;              /* kept: the store takes the events' bytes from it */
	Lawtally__V1__SubmitRequest *req;
	size_t first_slot;              /* its events' slots */
	/* with auth on: the sender's name (stored with its events) and role */
	char sender[KEYFILE_NAME_MAX + 1];
	struct scope scope;
};

struct ingest {
	struct event_base *base;
	void *sock;
	struct zsock *z;
	struct store *store;
	const struct villages *villages;
	struct metrics *m;
	struct ingest_options o;
	char endpoint[256];
	int failed;
	void (*on_commit)(void *arg);   /* after a commit that stored something */
	void *on_commit_arg;

	struct pending pend[INGEST_REQUESTS_MAX];
	size_t npend;
	/* per event of the group: a validation reason, or its item index */
	const char **slot_reason;
	long *slot_item;
	size_t nslots;
	struct store_item *items;
	struct store_packed *packed;    /* per item: its event's bytes in its request */
	struct store_result *results;
	struct validate_span *spans;    /* scratch: where a request's events lie */
	size_t nitems, cap;
	/* reply scratch */
	Lawtally__V1__Ack *acks;
	Lawtally__V1__Ack **ackp;
	uint8_t *out;
	size_t outcap;
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Packs and sends a reply to env; a reply that cannot go is counted. */
static void send_reply(struct ingest *in, zmq_msg_t *env, int nenv,
		       const Lawtally__V1__SubmitReply *rep)
{
	size_t len = lawtally__v1__submit_reply__get_packed_size(rep);
	if (len > in->outcap) {
		uint8_t *b = realloc(in->out, len);
		if (!b)
			fatal("ingest: out of memory for a %zu-byte reply", len);
		in->out = b;
		in->outcap = len;
	}
	lawtally__v1__submit_reply__pack(rep, in->out);
	if (zsock_send(in->sock, env, nenv, in->out, len) != 0) {
		in->m->replies_dropped++;
		log_debug("ingest: reply to batch %llu dropped: %s",
			  (unsigned long long)rep->batch_id, zmq_strerror(errno));
	}
}

static void send_error(struct ingest *in, zmq_msg_t *env, int nenv, uint64_t batch_id,
		       const char *error, int retry)
{
	Lawtally__V1__SubmitReply rep = LAWTALLY__V1__SUBMIT_REPLY__INIT;
	rep.batch_id = batch_id;
	rep.error = (char *)error;
	rep.retry = retry;
	send_reply(in, env, nenv, &rep);
}

/*
 * With auth on, who sent this message: a client of the clients directory
 * (1, *who set), or nobody (0; the parts are consumed). A message without
 * a User-Id can only come through a ZAP failure and is dropped unanswered;
 * a key revoked since its connection was made gets a refusal.
 */
static int sender_known(struct ingest *in, zmq_msg_t *parts, int n,
			const struct keyring_entry **who)
{
	enum auth_sender s = auth_identify(in->o.auth, &parts[n - 1], who);
	if (s == AUTH_CLIENT)
		return 1;
	in->m->auth_refused++;
	if (s == AUTH_REVOKED && n >= 2) {
		log_debug("ingest: request from a revoked key refused");
		send_error(in, parts, n - 1, 0, "auth: this key is not registered with lawtallyd", 0);
	} else {
		log_warn("ingest: message without an authenticated User-Id dropped");
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&parts[i]);
	return 0;
}

/*
 * Takes one received message: answers a bad frame at once, or queues the
 * request with its events validated. Consumes the parts.
 */
static void take_request(struct ingest *in, zmq_msg_t *parts, int n, int64_t now)
{
	int nenv = n - 1;
	zmq_msg_t *payload = &parts[n - 1];
	const uint8_t *data = zmq_msg_data(payload);
	size_t size = zmq_msg_size(payload);
	Lawtally__V1__SubmitRequest *req = NULL;
	const char *why = NULL;
	uint64_t batch_id = 0;
	size_t nspans = 0;

	in->m->requests++;
	const struct keyring_entry *who = NULL;
	if (in->o.auth && !sender_known(in, parts, n, &who))
		return;
	if (nenv < 1) {
		why = "frame: no routing envelope";
	} else if ((why = validate_request_wire(data, size, in->spans, in->o.request_events_max,
						&nspans))) {
		/* why says what */
	} else if (!(req = lawtally__v1__submit_request__unpack(NULL, size, data))) {
		why = "frame: not a SubmitRequest";
	} else if (req->n_events == 0 || req->n_events > in->o.request_events_max) {
		batch_id = req->batch_id;
		why = "events: a request holds 1 to request_events_max (1000) events";
	}
	if (why) {
		in->m->bad_frames++;
		log_debug("ingest: bad request: %s", why);
		if (nenv >= 1)
			send_error(in, parts, nenv, batch_id, why, 0);
		if (req)
			lawtally__v1__submit_request__free_unpacked(req, NULL);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
		return;
	}

	struct pending *p = &in->pend[in->npend++];
	p->nenv = nenv;
	for (int i = 0; i < nenv; i++) {
		zmq_msg_init(&p->env[i]);
		zmq_msg_move(&p->env[i], &parts[i]);
		zmq_msg_close(&parts[i]);
	}
	/* the payload stays open until the reply: the store copies events from it */
	zmq_msg_init(&p->payload);
	zmq_msg_move(&p->payload, payload);
	zmq_msg_close(payload);
	const uint8_t *body = zmq_msg_data(&p->payload); /* moved: small ones live inline */
	p->req = req;
	p->first_slot = in->nslots;
	if (who) {
		memcpy(p->sender, who->name, sizeof(p->sender));
		p->scope = who->scope;
	}
	for (size_t i = 0; i < req->n_events; i++) {
		const Lawtally__V1__Event *e = req->events[i];
		size_t slot = in->nslots++;
		const char *reason = validate_event(e, in->villages, now);
		/* the sender's role, never the event's claimed source, decides */
		if (!reason && who)
			reason = scope_check_event(&p->scope, e);
		in->slot_reason[slot] = reason;
		in->slot_item[slot] = -1;
		if (reason) {
			metrics_rejected(in->m, reason);
			continue;
		}
		in->slot_item[slot] = (long)in->nitems;
		/* the walk saw each event the unpack did, in order, or the event is packed again */
		in->packed[in->nitems] = nspans == req->n_events
						 ? (struct store_packed){body + in->spans[i].off,
									 in->spans[i].len}
						 : (struct store_packed){NULL, 0};
		in->items[in->nitems++] = who ? (struct store_item){e, p->sender, now,
								    !scope_retracts_any(&p->scope)}
					      : (struct store_item){e, e->source, now, 0};
	}
}

/* Commits the group and answers every queued request. */
static void commit_and_reply(struct ingest *in)
{
	int rc = 0;
	uint64_t accepted = in->m->accepted;
	if (in->nitems > 0) {
		double t0 = mono_now();
		rc = store_apply_packed(in->store, in->items, in->packed, in->nitems, in->results);
		if (rc == 0)
			metrics_commit(in->m, (unsigned)in->nitems, mono_now() - t0, wall_now());
	}
	if (rc) {
		in->m->refusals += in->npend;
		if (rc == LT_EIO || rc == LT_ECORRUPT) {
			log_err("ingest: the store failed (%s); stopping so that the supervisor "
				"restarts the daemon", lt_strerror(rc));
			in->failed = 1;
			event_base_loopbreak(in->base);
		}
	}
	for (size_t r = 0; r < in->npend; r++) {
		struct pending *p = &in->pend[r];
		Lawtally__V1__SubmitReply rep = LAWTALLY__V1__SUBMIT_REPLY__INIT;
		rep.batch_id = p->req->batch_id;
		if (rc) {
			/* nothing of the batch was stored: the sender keeps it and retries */
			rep.error = rc == LT_EFULL ? "store full: retry later"
						   : "store failed: retry later";
			rep.retry = 1;
		} else {
			for (size_t i = 0; i < p->req->n_events; i++) {
				size_t slot = p->first_slot + i;
				Lawtally__V1__Ack *a = &in->acks[i];
				lawtally__v1__ack__init(a);
				a->id = p->req->events[i]->id;
				if (in->slot_item[slot] < 0) {
					a->status = LAWTALLY__V1__ACK__STATUS__REJECTED;
					a->reason = (char *)in->slot_reason[slot];
				} else {
					const struct store_result *res = &in->results[in->slot_item[slot]];
					a->status = (Lawtally__V1__Ack__Status)res->status;
					if (res->status == STORE_REJECTED) {
						a->reason = (char *)res->reason;
						metrics_rejected(in->m, res->reason);
					} else if (res->status == STORE_ACCEPTED) {
						in->m->accepted++;
					} else {
						in->m->duplicate++;
					}
				}
				in->ackp[i] = a;
			}
			rep.n_acks = p->req->n_events;
			rep.acks = in->ackp;
		}
		send_reply(in, p->env, p->nenv, &rep);
		for (int i = 0; i < p->nenv; i++)
			zmq_msg_close(&p->env[i]);
		zmq_msg_close(&p->payload);
		lawtally__v1__submit_request__free_unpacked(p->req, NULL);
	}
	in->npend = in->nslots = in->nitems = 0;
	if (in->on_commit && in->m->accepted != accepted)
		in->on_commit(in->on_commit_arg);
}

static void on_readable(void *sock, void *arg)
{
	struct ingest *in = arg;
	int64_t now = (int64_t)time(NULL);
	while (!in->failed && in->nitems < in->o.batch_events_max &&
	       in->nslots < in->o.batch_events_max && in->npend < INGEST_REQUESTS_MAX) {
		zmq_msg_t parts[ZSOCK_PARTS_MAX];
		int n = zsock_recv(sock, parts, ZSOCK_PARTS_MAX);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EPROTO) {
				in->m->bad_frames++;
				continue;
			}
			log_warn("ingest: receive failed: %s", zmq_strerror(errno));
			break;
		}
		take_request(in, parts, n, now);
	}
	commit_and_reply(in);
}

static int set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

int ingest_start(struct ingest **out, struct event_base *base, void *zctx,
		 const struct ingest_options *opts, struct store *store,
		 const struct villages *villages, struct metrics *metrics, char *err,
		 size_t errlen)
{
	struct ingest *in = calloc(1, sizeof(*in));
	if (!in)
		return LT_ENOMEM;
	in->base = base;
	in->store = store;
	in->villages = villages;
	in->m = metrics;
	in->o = *opts;
	in->cap = opts->batch_events_max + opts->request_events_max;
	in->slot_reason = calloc(in->cap, sizeof(*in->slot_reason));
	in->slot_item = calloc(in->cap, sizeof(*in->slot_item));
	in->items = calloc(in->cap, sizeof(*in->items));
	in->packed = calloc(in->cap, sizeof(*in->packed));
	in->spans = calloc(opts->request_events_max, sizeof(*in->spans));
	in->results = calloc(in->cap, sizeof(*in->results));
	in->acks = calloc(opts->request_events_max, sizeof(*in->acks));
	in->ackp = calloc(opts->request_events_max, sizeof(*in->ackp));
	if (!in->slot_reason || !in->slot_item || !in->items || !in->results || !in->acks ||
	    !in->ackp || !in->packed || !in->spans) {
		snprintf(err, errlen, "ingest: out of memory");
		ingest_close(&in);
		return LT_ENOMEM;
	}
	in->sock = zmq_socket(zctx, ZMQ_ROUTER);
	int64_t maxmsg = opts->frame_bytes_max;
	if (in->sock && opts->auth && auth_server_socket(opts->auth, in->sock, err, errlen) != 0) {
		ingest_close(&in);
		return LT_ESYS;
	}
	if (!in->sock || zmq_setsockopt(in->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    set_int(in->sock, ZMQ_RCVHWM, opts->hwm) || set_int(in->sock, ZMQ_SNDHWM, opts->hwm) ||
	    set_int(in->sock, ZMQ_ROUTER_MANDATORY, 1) ||
	    set_int(in->sock, ZMQ_LINGER, INGEST_LINGER_MS)) {
		snprintf(err, errlen, "ingest: cannot set up the socket: %s", zmq_strerror(errno));
		ingest_close(&in);
		return LT_ESYS;
	}
	if (zmq_bind(in->sock, opts->endpoint) != 0) {
		snprintf(err, errlen, "ingest: cannot bind %s: %s", opts->endpoint,
			 zmq_strerror(errno));
		ingest_close(&in);
		return LT_ESYS;
	}
	size_t len = sizeof(in->endpoint);
	if (zmq_getsockopt(in->sock, ZMQ_LAST_ENDPOINT, in->endpoint, &len) != 0)
		snprintf(in->endpoint, sizeof(in->endpoint), "%s", opts->endpoint);
	int rc = zsock_new(&in->z, base, in->sock, on_readable, in);
	if (rc) {
		snprintf(err, errlen, "ingest: cannot join the event loop: %s", lt_strerror(rc));
		ingest_close(&in);
		return rc;
	}
	*out = in;
	return 0;
}

const char *ingest_endpoint(const struct ingest *in)
{
	return in->endpoint;
}

void ingest_set_villages(struct ingest *in, const struct villages *villages)
{
	in->villages = villages;
}

void ingest_on_commit(struct ingest *in, void (*fn)(void *arg), void *arg)
{
	in->on_commit = fn;
	in->on_commit_arg = arg;
}

void ingest_stop_reading(struct ingest *in)
{
	if (in->z)
		zsock_pause(in->z, 1);
}

int ingest_failed(const struct ingest *in)
{
	return in->failed;
}

void ingest_close(struct ingest **inp)
{
	struct ingest *in = *inp;
	if (!in)
		return;
	zsock_destroy(&in->z);
	if (in->sock)
		zmq_close(in->sock);
	free(in->slot_reason);
	free(in->slot_item);
	free(in->items);
	free(in->packed);
	free(in->spans);
	free(in->results);
	free(in->acks);
	free(in->ackp);
	free(in->out);
	free(in);
	*inp = NULL;
}
