/*
 * ingest.c - ZeroMQ ingest with group commit (see ingest.h).
 *
 * Two groups take turns. The loop thread reads requests into the group
 * being filled, a few at a time (INGEST_PASS_SLOTS events a pass), and
 * validates their events; when the writer thread is free it takes that
 * group and commits it in one transaction, and what arrives meanwhile
 * fills the other: the busier the senders, the larger the groups and the
 * fewer the fsyncs per event. A committed group is answered a pass at a
 * time too, so that no step of ingest holds the loop for long: a query
 * waits for one pass at most. While both groups are taken (one
 * committing, one being answered), reading waits and requests queue in
 * ZeroMQ, up to its high-water mark.
 */
#include "ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "log.h"
#include "now.h"
#include "ratelimit.h"
#include "scope.h"
#include "submit.h"
#include "townnames.h"
#include "validate.h"
#include "when.h"
#include "writer.h"
#include "xalloc.h"
#include "zsock.h"

#define INGEST_REQUESTS_MAX 256
#define INGEST_PASS_SLOTS 256   /* events read, or answered, in one pass of the loop */
/*
 * Request bytes in one group, at most (one more request may overshoot it):
 * with the group's unpacked copies, what two groups hold stays some tens
 * of MiB even when every request is a frame of frame_bytes_max.
 */
#define INGEST_GROUP_BYTES ((size_t)8 << 20)
#define INGEST_LINGER_MS 1000
#define AHEAD_LOG_SECONDS 60

/* A request read, waiting for its group's commit. */
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

enum group_state {
	GROUP_FREE,     /* being filled, or empty */
	GROUP_COMMIT,   /* with the writer thread */
	GROUP_REPLY,    /* committed (or refused): being answered */
};

/*
 * A group of requests committed together. The writer thread reads only
 * items and packed (and the requests they point into) and writes results,
 * rc and seconds; everything else is the loop thread's.
 */
struct group {
	struct ingest *in;
	enum group_state state;
	struct pending pend[INGEST_REQUESTS_MAX];
	size_t npend;
	struct arena arena;             /* its requests, unpacked */
	/* per event of the group: a validation reason, or its item index */
	const char **slot_reason;
	long *slot_item;
	size_t nslots;
	struct store_item *items;
	struct store_packed *packed;    /* per item: its event's bytes in its request */
	/* per item, what the writer would otherwise work out (store_prepare), and
	 * the contributions it counted: the loop thread's share of a commit */
	struct store_prep *prep;
	struct tally_deltas counted;
	struct store_result *results;
	size_t nitems;
	size_t bytes;                   /* of its requests' frames */
	int rc;                         /* store_apply's return */
	double seconds;                 /* its duration */
	size_t replied;                 /* requests answered so far */
	uint64_t accepted;              /* events acknowledged ACCEPTED so far */
};

struct ingest {
	struct event_base *base;
	void *sock;
	struct zsock *z;
	struct store *store;
	struct writer *writer;
	const struct villages *villages;
	struct metrics *m;
	struct ingest_options o;
	char endpoint[256];
	int failed;
	int stopping;
	int paused;                     /* reading waits for a free group */
	struct ratelimit anonymous;     /* "without a User-Id" lines */
	struct ratelimit recv_errors;   /* "receive failed" lines */
	/* why events were rejected and requests refused, for the operator at
	 * <6>: a sender stuck on one bad event must not flood the journal */
	struct ratelimit rejected;      /* offender: the reason */
	struct ratelimit refused;
	void (*on_commit)(void *arg);   /* after a commit that stored something */
	void *on_commit_arg;
	/*
	 * Requests refused for events ahead of this clock: one line a minute
	 * at most, with how far ahead and how many, not one a request.
	 */
	int64_t ahead_logged;           /* monotonic seconds of the last line, 0: none */
	unsigned long ahead_refused;    /* requests refused since then */
	int64_t ahead_max;              /* the furthest ahead since then, seconds */

	struct group groups[2];
	struct group *fill;             /* being read into; NULL while both are taken */
	struct group *commit;           /* with the writer thread, or NULL */
	struct group *answer[2];        /* being answered, first first */
	int nanswer;
	struct event *answer_ev;        /* zero timer: the next pass of answers */
	struct validate_span *spans;    /* scratch: where a request's events lie */
	struct townnames *names;        /* scratch: a forwarding township's names, read */
	/* reply scratch */
	Lawtally__V1__Ack *acks;
	Lawtally__V1__Ack **ackp;
	uint8_t *out;
	size_t outcap;
};

/* Logs why at <6>, through rl (ratelimit.h): what is "rejected an event" or "refused a request". */
static void log_rejected(struct ratelimit *rl, const char *what, const char *reason)
{
	if (ratelimit_hit(rl, reason))
		log_info("ingest: %s: %s", what, reason);
}

/* Packs and sends a reply to env; a reply that cannot go is counted. */
static void send_reply(struct ingest *in, zmq_msg_t *env, int nenv,
		       const Lawtally__V1__SubmitReply *rep)
{
	size_t len = lawtally__v1__submit_reply__get_packed_size(rep);
	if (len > in->outcap) {
		in->out = xrealloc(in->out, len);
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
 * a key revoked since its connection was made gets a refusal, and so does
 * a connection past its key's bound (it may retry on one it has).
 */
static int sender_known(struct ingest *in, zmq_msg_t *parts, int n,
			const struct keyring_entry **who)
{
	enum auth_sender s = auth_identify(in->o.auth, &parts[n - 1], who);
	if (s == AUTH_CLIENT && auth_admit(in->o.auth, &parts[n - 1], *who) == 0)
		return 1;
	in->m->auth_refused++;
	if (s == AUTH_CLIENT && n >= 2) {
		send_error(in, parts, n - 1, 0, AUTH_TOO_MANY, 1);
	} else if (s == AUTH_REVOKED && n >= 2) {
		log_debug("ingest: request from a revoked key refused");
		send_error(in, parts, n - 1, 0, "auth: this key is not registered with lawtallyd", 0);
	} else {
		const char *peer = zmq_msg_gets(&parts[n - 1], "Peer-Address");
		if (ratelimit_hit(&in->anonymous, peer ? peer : "?"))
			log_warn("ingest: message without an authenticated User-Id from %s dropped",
				 peer ? peer : "?");
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&parts[i]);
	return 0;
}

/*
 * A request refused for events ahead of this clock. Either clock may be
 * wrong, and the senders keep retrying until it is put right: the line
 * says how far ahead, so that an operator looks at NTP.
 */
static void note_ahead(struct ingest *in, int64_t ahead)
{
	int64_t now = (int64_t)now_mono();
	in->m->clock_refusals++;
	in->ahead_refused++;
	if (ahead > in->ahead_max)
		in->ahead_max = ahead;
	if (in->ahead_logged && now - in->ahead_logged < AHEAD_LOG_SECONDS)
		return;
	char span[WHEN_FORMAT_LEN];
	when_format_span(in->ahead_max, span);
	log_warn("ingest: events up to %s ahead of this machine's clock (more than 1 d): %lu "
		 "request(s) refused for now, kept by their senders; check the clocks (NTP) here "
		 "and at the senders", span, in->ahead_refused);
	in->ahead_logged = now > 0 ? now : 1;
	in->ahead_refused = 0;
	in->ahead_max = 0;
}

/*
 * Takes one received message into the group being filled: answers a bad
 * frame, or a request with events ahead of this clock, at once, or queues
 * the request with its events validated. Consumes the parts.
 */
static void take_request(struct ingest *in, zmq_msg_t *parts, int n, int64_t now)
{
	struct group *g = in->fill;
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
	if (nenv < 1)
		why = "frame: no routing envelope";
	else
		why = submit_parse(data, size, in->o.request_events_max, &g->arena.pb, in->spans,
				   &nspans, &req, &batch_id);
	if (why) {
		in->m->bad_frames++;
		log_rejected(&in->refused, "refused a request", why);
		if (nenv >= 1)
			send_error(in, parts, nenv, batch_id, why, 0);
		/* an unpacked req stays in the arena until the group is answered */
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
		return;
	}
	char clock_why[SUBMIT_CLOCK_WHY_MAX];
	int64_t ahead;
	if (submit_clock_check(req, now, &ahead, clock_why)) {
		note_ahead(in, ahead);
		send_error(in, parts, nenv, batch_id, clock_why, 1);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
		return;
	}

	struct pending *p = &g->pend[g->npend++];
	g->bytes += size;
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
	p->first_slot = g->nslots;
	if (who) {
		memcpy(p->sender, who->name, sizeof(p->sender));
		p->scope = who->scope;
	}
	/* a township forwarding to this county: its events keep their township */
	const char *township;
	const char *refused = submit_township(who ? &p->scope : NULL, req, &township);
	if (township)
		snprintf(p->sender, sizeof(p->sender), "township:%s", township);
	/* its names go with the request's first event stored: the county keeps them */
	const Lawtally__V1__TownshipNames *names = township && !refused ? req->names : NULL;
	const char *bad_names = names ? townnames_read(names, in->names) : NULL;
	if (bad_names) {
		names = NULL;
		in->m->names_rejected++;
		log_rejected(&in->rejected, "ignored a township's names", bad_names);
	}
	for (size_t i = 0; i < req->n_events; i++) {
		Lawtally__V1__Event *e = req->events[i];
		size_t slot = g->nslots++;
		const char *reason = refused ? refused : submit_township_event(township, e);
		/* a township's villages are its own list's, not this daemon's */
		if (!reason)
			reason = validate_event(e, township ? NULL : in->villages);
		/* the sender's role, never the event's claimed source, decides */
		if (!reason && who)
			reason = scope_check_event(&p->scope, e);
		g->slot_reason[slot] = reason;
		g->slot_item[slot] = -1;
		if (reason) {
			metrics_rejected(in->m, reason);
			log_rejected(&in->rejected, "rejected an event", reason);
			/* its number reached us: no gap (STORE_SEEN_ONLY) */
			if (e->seq && e->epoch) {
				g->packed[g->nitems] = (struct store_packed){NULL, STORE_SEEN_ONLY};
				/* nothing counted ahead for it (the slot may hold an earlier group's) */
				g->prep[g->nitems] = (struct store_prep){.counted = 0};
				g->items[g->nitems++] = (struct store_item){
					e, who ? p->sender : e->source, now, 0, NULL};
			}
			continue;
		}
		g->slot_item[slot] = (long)g->nitems;
		/* the walk saw each event the unpack did, in order, or the event is packed again */
		g->packed[g->nitems] = nspans == req->n_events && !township
					       ? (struct store_packed){body + in->spans[i].off,
								       in->spans[i].len}
					       : (struct store_packed){NULL, 0};
		store_prepare(in->store, e, &g->prep[g->nitems], &g->counted);
		g->items[g->nitems++] =
			township ? (struct store_item){e, p->sender, now, 0, names}
			: who	 ? (struct store_item){e, p->sender, now,
						       !scope_retracts_any(&p->scope), NULL}
				 : (struct store_item){e, e->source, now, 0, NULL};
		names = NULL;
	}
}

/* No room for another request in g. */
static int group_full(const struct ingest *in, const struct group *g)
{
	return g->nitems >= in->o.batch_events_max || g->nslots >= in->o.batch_events_max ||
	       g->npend >= INGEST_REQUESTS_MAX || g->bytes >= INGEST_GROUP_BYTES;
}

static void count_store_reject(const char *reason, void *arg)
{
	struct ingest *in = arg;
	metrics_rejected(in->m, reason);
	log_rejected(&in->rejected, "rejected an event", reason);
}

/* Answers request p of g, committed with g->rc; lets go of the request. */
static void reply_one(struct ingest *in, struct group *g, struct pending *p)
{
	Lawtally__V1__SubmitReply rep;
	struct submit_counts c;
	submit_reply_fill(&rep, p->req, g->rc, p->first_slot, g->slot_reason, g->slot_item,
			  g->results, in->acks, in->ackp, &c, count_store_reject, in);
	in->m->accepted += c.accepted;
	in->m->duplicate += c.duplicate;
	g->accepted += c.accepted;
	send_reply(in, p->env, p->nenv, &rep);
	for (int i = 0; i < p->nenv; i++)
		zmq_msg_close(&p->env[i]);
	zmq_msg_close(&p->payload);
}

/* Empties an answered group for filling again. */
static void group_reset(struct group *g)
{
	g->npend = g->nslots = g->nitems = g->replied = g->bytes = 0;
	tally_deltas_reset(&g->counted);
	g->accepted = 0;
	g->rc = 0;
	arena_reset(&g->arena);
	g->state = GROUP_FREE;
}

/* Queues g, committed (or refused) with g->rc, to be answered. */
static void answer_later(struct ingest *in, struct group *g)
{
	g->state = GROUP_REPLY;
	in->answer[in->nanswer++] = g;
	if (in->nanswer == 1) {
		static const struct timeval zero = {0, 0};
		evtimer_add(in->answer_ev, &zero);
	}
}

/* Writer thread: the group's one transaction. */
static void commit_work(void *arg)
{
	struct group *g = arg;
	struct ingest *in = g->in;
	double t0 = now_mono();
	g->rc = store_apply_prepared(in->store, g->items, g->packed, g->prep, &g->counted, g->nitems,
				     g->results);
	g->seconds = now_mono() - t0;
}

static void commit_done(void *arg);

/*
 * Starts the commit of the group being filled if the writer is free: what
 * arrived while the last commit ran forms the next group. A group with
 * nothing to store (every event rejected), or any group once the store has
 * failed or met damage, goes straight to be answered. The next group to fill is the
 * other one if it is free, else none until it is.
 */
static void dispatch(struct ingest *in)
{
	struct group *g = in->fill;
	if (!g || g->npend == 0)
		return;
	/* nothing more is written on a damaged store: its senders keep their events */
	int damaged = !in->failed && g->nitems > 0 && store_damaged(in->store, NULL, 0);
	if (in->failed || damaged || g->nitems == 0) {
		g->rc = in->failed ? LT_EIO : damaged ? LT_ECORRUPT : 0;
		if (in->failed || damaged)
			in->m->refusals += g->npend;
		answer_later(in, g);
	} else if (in->commit) {
		return;
	} else {
		g->state = GROUP_COMMIT;
		in->commit = g;
		tally_deltas_merge(&g->counted); /* sorted here, not on the writer */
		if (writer_submit(in->writer, commit_work, commit_done, g) != 0)
			fatal("ingest: the writer was busy with no commit in hand");
	}
	struct group *o = g == &in->groups[0] ? &in->groups[1] : &in->groups[0];
	in->fill = o->state == GROUP_FREE ? o : NULL;
}

/* Loop thread, after commit_work: count it, queue its answers, start the next group. */
static void commit_done(void *arg)
{
	struct group *g = arg;
	struct ingest *in = g->in;
	in->commit = NULL;
	if (g->rc == 0)
		metrics_commit(in->m, (unsigned)g->nitems, g->seconds, now_wall());
	if (g->rc) {
		in->m->refusals += g->npend;
		/* (LT_ECORRUPT: the store is marked damaged and refuses batches from now on) */
		if (g->rc == LT_EIO && !in->failed) {
			log_err("ingest: the store failed (%s); stopping so that the supervisor "
				"restarts the daemon", lt_strerror(g->rc));
			in->failed = 1;
			event_base_loopbreak(in->base);
		}
	}
	answer_later(in, g);
	dispatch(in);
}

/*
 * One pass of answers: requests of the first group queued, about
 * INGEST_PASS_SLOTS events' worth. A group wholly answered is free again;
 * reading resumes if it waited for one.
 */
static void answer_pass(evutil_socket_t fd, short what, void *arg)
{
	struct ingest *in = arg;
	(void)fd, (void)what;
	if (in->nanswer == 0)
		return;
	struct group *g = in->answer[0];
	size_t events = 0;
	while (g->replied < g->npend && events < INGEST_PASS_SLOTS) {
		struct pending *p = &g->pend[g->replied++];
		events += p->req->n_events;
		reply_one(in, g, p);
	}
	if (g->replied == g->npend) {
		int stored = g->accepted > 0;
		group_reset(g);
		in->answer[0] = in->answer[1];
		in->nanswer--;
		if (!in->fill)
			in->fill = g;
		if (stored && in->on_commit)
			in->on_commit(in->on_commit_arg);
		dispatch(in);
	}
	if (in->nanswer > 0) {
		static const struct timeval zero = {0, 0};
		evtimer_add(in->answer_ev, &zero);
	}
	/* the replies sent may have taken ZMQ_FD's edge: look at the socket again */
	if (in->paused && in->fill && !in->stopping && !in->failed) {
		in->paused = 0;
		zsock_pause(in->z, 0);
	} else if (in->z) {
		zsock_kick(in->z);
	}
}

/*
 * Reads a few requests (about INGEST_PASS_SLOTS events), then returns to
 * the loop: queries and HTTP requests wait for one pass at most, never
 * for a whole group. zsock brings it back while input is waiting.
 */
static void on_readable(void *sock, void *arg)
{
	struct ingest *in = arg;
	int64_t now = (int64_t)time(NULL);
	size_t budget = INGEST_PASS_SLOTS;
	while (!in->failed && !in->stopping) {
		if (!in->fill || group_full(in, in->fill)) {
			dispatch(in); /* a free writer takes it, and the other group fills */
			if (!in->fill || group_full(in, in->fill)) {
				/* both groups are taken: wait (answer_pass resumes) */
				in->paused = 1;
				zsock_pause(in->z, 1);
				break;
			}
		}
		struct group *g = in->fill;
		size_t before = g->nslots;
		if (budget == 0)
			break;
		zmq_msg_t parts[ZSOCK_PARTS_MAX];
		int n = zsock_recv(sock, parts, ZSOCK_PARTS_MAX);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EPROTO) {
				in->m->bad_frames++;
				continue;
			}
			if (ratelimit_hit(&in->recv_errors, zmq_strerror(errno)))
				log_warn("ingest: receive failed: %s", zmq_strerror(errno));
			break;
		}
		take_request(in, parts, n, now);
		size_t took = g->nslots > before ? g->nslots - before : 1; /* a bad frame costs 1 */
		budget = took >= budget ? 0 : budget - took;
	}
	dispatch(in);
}

static int set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

static void group_init(struct group *g, struct ingest *in, size_t cap)
{
	g->in = in;
	arena_init(&g->arena);
	g->slot_reason = xcalloc(cap, sizeof(*g->slot_reason));
	g->slot_item = xcalloc(cap, sizeof(*g->slot_item));
	g->items = xcalloc(cap, sizeof(*g->items));
	g->packed = xcalloc(cap, sizeof(*g->packed));
	g->prep = xcalloc(cap, sizeof(*g->prep));
	g->results = xcalloc(cap, sizeof(*g->results));
}

static void group_free(struct group *g)
{
	arena_free(&g->arena);
	free(g->slot_reason);
	free(g->slot_item);
	free(g->items);
	free(g->packed);
	free(g->prep);
	tally_deltas_free(&g->counted);
	free(g->results);
}

int ingest_start(struct ingest **out, struct event_base *base, void *zctx,
		 const struct ingest_options *opts, struct store *store,
		 const struct villages *villages, struct metrics *metrics, char *err,
		 size_t errlen)
{
	struct ingest *in = xcalloc(1, sizeof(*in));
	in->base = base;
	in->store = store;
	in->villages = villages;
	in->m = metrics;
	in->o = *opts;
	ratelimit_init(&in->anonymous, "ingest: messages without an authenticated User-Id dropped",
		       "peers");
	ratelimit_init(&in->recv_errors, "ingest: receive failed", "errors");
	ratelimit_init(&in->rejected, "ingest: events rejected", "reasons");
	ratelimit_init(&in->refused, "ingest: requests refused", "reasons");
	/* a group takes requests until batch_events_max: one more may overshoot it */
	size_t cap = opts->batch_events_max + opts->request_events_max;
	group_init(&in->groups[0], in, cap);
	group_init(&in->groups[1], in, cap);
	in->fill = &in->groups[0];
	in->spans = xcalloc(opts->request_events_max, sizeof(*in->spans));
	in->names = xmalloc(sizeof(*in->names));
	in->acks = xcalloc(opts->request_events_max, sizeof(*in->acks));
	in->ackp = xcalloc(opts->request_events_max, sizeof(*in->ackp));
	in->answer_ev = evtimer_new(base, answer_pass, in);
	int rc = writer_start(&in->writer, base, err, errlen);
	if (rc) {
		ingest_close(&in);
		return rc;
	}
	char why[300];
	in->sock = zmq_socket(zctx, ZMQ_ROUTER);
	int64_t maxmsg = (int64_t)opts->frame_bytes_max + (opts->auth ? AUTH_CURVE_OVERHEAD : 0);
	if (in->sock && opts->auth && auth_server_socket(opts->auth, in->sock, why, sizeof(why))) {
		snprintf(err, errlen, "ingest: %s: %s", opts->endpoint, why);
		ingest_close(&in);
		return LT_ESYS;
	}
	if (!in->sock || zmq_setsockopt(in->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    set_int(in->sock, ZMQ_RCVHWM, opts->hwm) || set_int(in->sock, ZMQ_SNDHWM, opts->hwm) ||
	    set_int(in->sock, ZMQ_ROUTER_MANDATORY, 1) ||
	    set_int(in->sock, ZMQ_LINGER, INGEST_LINGER_MS)) {
		snprintf(err, errlen, "ingest: %s: cannot set up the socket: %s", opts->endpoint,
			 zmq_strerror(errno));
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
	/* ingest's events run below the default priority (ingest.h) when the base has it */
	int prio = event_base_get_npriorities(base) > INGEST_PRIORITY ? INGEST_PRIORITY : -1;
	if (prio >= 0 && (writer_set_priority(in->writer, prio) ||
			  event_priority_set(in->answer_ev, prio))) {
		snprintf(err, errlen, "ingest: %s: cannot set the priority of its events",
			 in->endpoint);
		ingest_close(&in);
		return LT_ESYS;
	}
	rc = zsock_new(&in->z, base, in->sock, prio, on_readable, in, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "ingest: %s: cannot join the event loop: %s", in->endpoint,
			 why);
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
	in->stopping = 1;
	if (in->z)
		zsock_pause(in->z, 1);
}

int ingest_failed(const struct ingest *in)
{
	return in->failed;
}

double ingest_commit_age(struct ingest *in)
{
	return in->writer ? writer_job_age(in->writer) : 0;
}

void ingest_close(struct ingest **inp)
{
	struct ingest *in = *inp;
	if (!in)
		return;
	/* what was read is answered: the commit in hand, then the group being filled */
	in->stopping = 1;
	while (in->writer &&
	       (writer_busy(in->writer) || in->nanswer > 0 || (in->fill && in->fill->npend > 0))) {
		if (in->nanswer > 0)
			answer_pass(-1, 0, in);
		else if (writer_busy(in->writer))
			writer_wait(in->writer);
		else
			dispatch(in);
	}
	writer_stop(&in->writer);
	if (in->answer_ev)
		event_free(in->answer_ev);
	zsock_destroy(&in->z);
	if (in->sock)
		zmq_close(in->sock);
	group_free(&in->groups[0]);
	group_free(&in->groups[1]);
	free(in->spans);
	free(in->names);
	free(in->acks);
	free(in->ackp);
	free(in->out);
	ratelimit_fini(&in->anonymous);
	ratelimit_fini(&in->recv_errors);
	ratelimit_fini(&in->rejected);
	ratelimit_fini(&in->refused);
	free(in);
	*inp = NULL;
}
