/* upstream.c - a township's forwarding to its county (see upstream.h). */
#include "upstream.h"

#include <errno.h>
#include <event2/buffer.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "err.h"
#include "keyfile.h"
#include "log.h"
#include "now.h"
#include "ratelimit.h"
#include "townnames.h"
#include "xalloc.h"

#define POLL_IDLE_MS 1000      /* looks for new events this often without a kick */
#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 30000
#define UPSTREAM_NICE 10       /* below the loop and the writer, above the scrub */

struct upstream {
	struct store *store;
	void *zctx;
	char endpoint[256];
	char township[SCOPE_TOWNSHIP_MAX + 1];
	char name[64];
	int curve;
	char server_key[KEYFILE_Z85_LEN + 1], public_key[KEYFILE_Z85_LEN + 1],
		secret_key[KEYFILE_Z85_LEN + 1];
	unsigned batch_events;
	/* events a batch may hold now: halved by a refused frame, doubled by an ack */
	unsigned limit;
	unsigned ceiling;              /* the smallest batch refused (0: none), never sent again */
	int refused_said;              /* a refused frame was logged (once a run) */
	int reply_ms;

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit, kicked;              /* under mu */
	struct upstream_status st;     /* under mu */
	uint8_t *names;                /* this township's TownshipNames, packed, under mu */
	size_t names_len;              /* under mu */
	uint64_t pending_rejects;      /* rejections not yet logged, under mu */
	char pending_reason[256];      /* the first of them, under mu */

	struct ratelimit rl;           /* the loop thread's */

	/* the thread's own */
	void *sock;
	uint64_t batch_id;
	uint8_t *buf;
	size_t len, cap;
};

/* ---- the request frame, put together by hand from stored events ---------- */

/* Room for n more bytes of the frame. */
static void reserve(struct upstream *u, size_t n)
{
	if (u->len + n <= u->cap)
		return;
	size_t cap = u->cap ? u->cap * 2 : 65536;
	while (cap < u->len + n)
		cap *= 2;
	u->buf = xrealloc(u->buf, cap);
	u->cap = cap;
}

static void put(struct upstream *u, const void *p, size_t n)
{
	reserve(u, n);
	memcpy(u->buf + u->len, p, n);
	u->len += n;
}

static size_t varint(uint8_t out[10], uint64_t v)
{
	size_t n = 0;
	do {
		out[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* A length-delimited field of the SubmitRequest. */
static void put_field(struct upstream *u, uint8_t tag, size_t len)
{
	uint8_t v[10];
	put(u, &tag, 1);
	put(u, v, varint(v, len));
}

struct build {
	struct upstream *u;
	size_t max, n;
	uint64_t last_seq;
};

/*
 * One stored event into the request, as the township stored it, with the
 * sender it was stored from as its source (what a rebuild from the county
 * gives back). Returns 1 to stop: the request is full.
 */
static int build_fn(const struct store_event *ev, void *arg)
{
	struct build *b = arg;
	struct upstream *u = b->u;
	if (b->n == b->max)
		return 1;
	Lawtally__V1__Event *e = (Lawtally__V1__Event *)ev->event;
	char *source = e->source;
	e->source = (char *)ev->sender;
	size_t sz = lawtally__v1__event__get_packed_size(e);
	if (b->n > 0 && u->len + sz + 11 > UPSTREAM_FRAME_MAX) {
		e->source = source;
		return 1;
	}
	put_field(u, 0x12, sz); /* events = 2 */
	reserve(u, sz);
	lawtally__v1__event__pack(e, u->buf + u->len);
	u->len += sz;
	e->source = source; /* the record's own, freed with it */
	b->n++;
	b->last_seq = ev->seq;
	return 0;
}

/*
 * The next batch from the cursor: the frame in u->buf, its events' count
 * and last sequence number in *b. Also refreshes the backlog. Returns 0
 * or an LT_E* code.
 */
static int build_batch(struct upstream *u, struct store_upstream *cur, struct build *b)
{
	struct store_snap snap;
	uint64_t next, backlog;
	int64_t oldest;
	*b = (struct build){.u = u, .max = u->limit};
	u->len = 0;
	int rc = store_read_begin(u->store, &snap);
	if (rc)
		return rc;
	rc = store_upstream_get(&snap, cur);
	if (!rc)
		rc = store_upstream_backlog(&snap, cur->next, &backlog, &oldest);
	if (!rc && backlog) {
		uint8_t v[10];
		uint8_t tag = 0x08; /* batch_id = 1 */
		put(u, &tag, 1);
		put(u, v, varint(v, ++u->batch_id));
		put_field(u, 0x1a, strlen(u->township)); /* township = 3 */
		put(u, u->township, strlen(u->township));
		pthread_mutex_lock(&u->mu); /* names = 4: the county keeps them */
		put_field(u, 0x22, u->names_len);
		put(u, u->names, u->names_len);
		pthread_mutex_unlock(&u->mu);
		rc = store_scan_events(&snap, cur->next, u->limit, build_fn, b, &next);
		if (rc == 1)
			rc = 0;
	}
	store_read_end(&snap);
	if (!rc) {
		pthread_mutex_lock(&u->mu);
		u->st.backlog = backlog;
		u->st.oldest = (double)oldest;
		u->st.acked = cur->acked;
		u->st.rejected = cur->rejected;
		u->st.last_ack = (double)cur->acked_at;
		pthread_mutex_unlock(&u->mu);
	}
	return rc;
}

/* ---- the socket ------------------------------------------------------------ */

static void sock_close(struct upstream *u)
{
	if (u->sock)
		zmq_close(u->sock);
	u->sock = NULL;
}

static int sock_open(struct upstream *u)
{
	int linger = 0;
	int64_t maxmsg = -1;
	u->sock = zmq_socket(u->zctx, ZMQ_DEALER);
	if (!u->sock)
		return LT_ESYS;
	if (zmq_setsockopt(u->sock, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_setsockopt(u->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    (u->curve && (zmq_setsockopt(u->sock, ZMQ_CURVE_SERVERKEY, u->server_key, 40) ||
			  zmq_setsockopt(u->sock, ZMQ_CURVE_PUBLICKEY, u->public_key, 40) ||
			  zmq_setsockopt(u->sock, ZMQ_CURVE_SECRETKEY, u->secret_key, 40))) ||
	    zmq_connect(u->sock, u->endpoint)) {
		sock_close(u);
		return LT_ESYS;
	}
	return 0;
}

/* ---- waiting ------------------------------------------------------------- */

/* Waits ms or until a kick (with kick set) or a stop; returns 1 on a stop. */
static int wait_ms(struct upstream *u, int ms, int kick)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&u->mu);
	while (!u->quit && !(kick && u->kicked))
		if (pthread_cond_timedwait(&u->cv, &u->mu, &ts) == ETIMEDOUT)
			break;
	if (kick)
		u->kicked = 0;
	int quit = u->quit;
	pthread_mutex_unlock(&u->mu);
	return quit;
}

static int quitting(struct upstream *u)
{
	pthread_mutex_lock(&u->mu);
	int q = u->quit;
	pthread_mutex_unlock(&u->mu);
	return q;
}

/*
 * Sends the frame and waits for its reply. Returns the reply (free it), or
 * NULL after reply_ms of silence or on a stop.
 */
static Lawtally__V1__SubmitReply *exchange(struct upstream *u)
{
	if (zmq_send(u->sock, u->buf, u->len, ZMQ_DONTWAIT) < 0)
		return NULL; /* no connection yet: as silence */
	int64_t until = now_mono_ms() + u->reply_ms;
	while (!quitting(u)) {
		zmq_pollitem_t it = {u->sock, 0, ZMQ_POLLIN, 0};
		int64_t left = until - now_mono_ms();
		if (left <= 0)
			return NULL;
		if (zmq_poll(&it, 1, left < 200 ? (long)left : 200) <= 0)
			continue;
		zmq_msg_t msg;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, u->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&msg);
			continue;
		}
		Lawtally__V1__SubmitReply *rep = lawtally__v1__submit_reply__unpack(
			&xalloc_protobuf, zmq_msg_size(&msg), zmq_msg_data(&msg));
		zmq_msg_close(&msg);
		if (rep && rep->batch_id == u->batch_id)
			return rep;
		if (rep) /* an answer to a batch given up before */
			lawtally__v1__submit_reply__free_unpacked(rep, &xalloc_protobuf);
	}
	return NULL;
}

static void set_answering(struct upstream *u, int answering)
{
	pthread_mutex_lock(&u->mu);
	int was = u->st.answering;
	u->st.answering = answering;
	if (!answering)
		u->st.reconnects++;
	pthread_mutex_unlock(&u->mu);
	if (was && !answering)
		log_warn("upstream: the county at %s does not answer; forwarding is retried "
			 "with back-off, events wait in this store", u->endpoint);
	else if (!was && answering)
		log_info("upstream: the county at %s answers; forwarding", u->endpoint);
}

/*
 * The county answered the batch: counts its rejections and moves the
 * cursor past it. Returns 0, or an LT_E* code (the cursor not written:
 * the batch goes again).
 */
static int acknowledged(struct upstream *u, const Lawtally__V1__SubmitReply *rep,
			struct store_upstream *cur, const struct build *b)
{
	uint64_t rejected = 0;
	const char *first = NULL;
	for (size_t i = 0; i < rep->n_acks; i++)
		if (rep->acks[i]->status == LAWTALLY__V1__ACK__STATUS__REJECTED) {
			rejected++;
			if (!first)
				first = rep->acks[i]->reason;
		}
	cur->next = b->last_seq + 1;
	cur->acked_at = (int64_t)now_wall();
	cur->rejected += rejected;
	cur->acked += b->n;
	int rc = store_upstream_set(u->store, cur);
	if (rc)
		return rc;
	pthread_mutex_lock(&u->mu);
	u->st.batches++;
	u->st.acked = cur->acked;
	u->st.rejected = cur->rejected;
	u->st.last_ack = (double)cur->acked_at;
	if (rejected) {
		if (!u->pending_rejects)
			snprintf(u->pending_reason, sizeof(u->pending_reason), "%s", first);
		u->pending_rejects += rejected;
	}
	pthread_mutex_unlock(&u->mu);
	return 0;
}

static void lower_priority(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	if (setpriority(PRIO_PROCESS, (id_t)tid, UPSTREAM_NICE) != 0)
		log_debug("upstream: cannot lower its CPU priority: %s", strerror(errno));
}

static void *run(void *arg)
{
	struct upstream *u = arg;
	int backoff = BACKOFF_MIN_MS, store_said = 0;
	lower_priority();
	while (!quitting(u)) {
		if (!u->sock && sock_open(u)) {
			log_err("upstream: cannot open a socket to %s: %s; tried again in %d s",
				u->endpoint, zmq_strerror(errno), BACKOFF_MAX_MS / 1000);
			wait_ms(u, BACKOFF_MAX_MS, 0);
			continue;
		}
		struct store_upstream cur;
		struct build b;
		int rc = build_batch(u, &cur, &b);
		if (rc) {
			if (!store_said++)
				log_err("upstream: cannot read the store: %s; forwarding waits",
					lt_strerror(rc));
			wait_ms(u, BACKOFF_MAX_MS, 0);
			continue;
		}
		store_said = 0;
		if (b.n == 0) {
			wait_ms(u, POLL_IDLE_MS, 1);
			continue;
		}
		log_debug("upstream: sending %zu events from #%llu (%zu bytes)", b.n,
			  (unsigned long long)cur.next, u->len);
		Lawtally__V1__SubmitReply *rep = exchange(u);
		if (!rep) {
			if (quitting(u))
				break;
			set_answering(u, 0);
			sock_close(u);
			wait_ms(u, backoff, 0);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		set_answering(u, 1);
		if (rep->error[0] && !rep->retry && b.n == 1) {
			/* a frame of one event the county will never take: as a rejection */
			rep->n_acks = 1;
			rep->acks = xcalloc(1, sizeof(*rep->acks));
			rep->acks[0] = xcalloc(1, sizeof(**rep->acks));
			lawtally__v1__ack__init(rep->acks[0]);
			rep->acks[0]->status = LAWTALLY__V1__ACK__STATUS__REJECTED;
			rep->acks[0]->reason = xstrdup(rep->error);
		} else if (rep->error[0] || rep->n_acks != b.n) {
			if (rep->error[0] && !rep->retry) {
				/* a frame refused (too large for the county?): smaller batches */
				if (!u->refused_said++)
					log_warn("upstream: the county refused a batch of %zu events: %s; "
						 "sending smaller ones", b.n, rep->error);
				u->ceiling = (unsigned)b.n;
				u->limit = (unsigned)(b.n / 2);
			} else {
				/* refused for now (the county's store full, its clock behind) */
				log_debug("upstream: the county refused a batch of %zu events for now "
					  "(%zu acks): %s", b.n, rep->n_acks, rep->error);
			}
			lawtally__v1__submit_reply__free_unpacked(rep, &xalloc_protobuf);
			wait_ms(u, backoff, 0);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		rc = acknowledged(u, rep, &cur, &b);
		lawtally__v1__submit_reply__free_unpacked(rep, &xalloc_protobuf);
		if (rc) {
			log_err("upstream: cannot write the cursor: %s; the batch goes again",
				lt_strerror(rc));
			wait_ms(u, BACKOFF_MAX_MS, 0);
			continue;
		}
		backoff = BACKOFF_MIN_MS;
		u->limit = u->limit * 2 < u->batch_events ? u->limit * 2 : u->batch_events;
		if (u->ceiling && u->limit >= u->ceiling)
			u->limit = u->ceiling - 1;
	}
	sock_close(u);
	return NULL;
}

int upstream_start(struct upstream **out, struct store *s, void *zctx,
		   const struct upstream_options *o, char *err, size_t errlen)
{
	struct upstream *u = xcalloc(1, sizeof(*u));
	u->store = s;
	u->zctx = zctx;
	snprintf(u->endpoint, sizeof(u->endpoint), "%s", o->endpoint);
	snprintf(u->township, sizeof(u->township), "%s", o->township);
	snprintf(u->name, sizeof(u->name), "%s", o->name ? o->name : "");
	u->names = townnames_pack(u->name, o->villages, &u->names_len);
	u->batch_events = o->batch_events ? o->batch_events : 1000;
	u->limit = u->batch_events;
	u->reply_ms = o->reply_ms > 0 ? o->reply_ms : UPSTREAM_REPLY_MS;
	if (o->server_key && o->server_key[0]) {
		char why[300];
		u->curve = 1;
		snprintf(u->server_key, sizeof(u->server_key), "%s", o->server_key);
		if (keyfile_z85_decode(u->server_key, strlen(u->server_key), NULL)) {
			snprintf(err, errlen, "[upstream] server_public_key: not a Z85 key");
			free(u->names);
			free(u);
			return LT_EINVAL;
		}
		int rc = keyfile_read(o->secret_key_file, 1, u->secret_key, why, sizeof(why));
		if (!rc && zmq_curve_public(u->public_key, u->secret_key) != 0) {
			rc = LT_EINVAL;
			snprintf(why, sizeof(why), "%s: not a secret key", o->secret_key_file);
		}
		if (rc) {
			snprintf(err, errlen, "[upstream] secret_key_file: %s", why);
			explicit_bzero(u->secret_key, sizeof(u->secret_key));
			free(u->names);
			free(u);
			return rc;
		}
	}
	u->st.on = 1;
	u->st.answering = 1;
	snprintf(u->st.township, sizeof(u->st.township), "%s", u->township);
	pthread_mutex_init(&u->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&u->cv, &ca);
	pthread_condattr_destroy(&ca);
	ratelimit_init(&u->rl, "upstream: events the county rejected", "reasons");
	/* the thread takes no signal: the loop handles them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int prc = pthread_create(&u->thread, NULL, run, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc) {
		snprintf(err, errlen, "cannot start the upstream thread: %s", strerror(prc));
		ratelimit_fini(&u->rl);
		pthread_cond_destroy(&u->cv);
		pthread_mutex_destroy(&u->mu);
		free(u->names);
		free(u);
		return LT_ESYS;
	}
	log_info("upstream: forwarding to the county at %s as township %s%s%s%s", u->endpoint,
		 u->township, u->name[0] ? " (" : "", u->name, u->name[0] ? ")" : "");
	*out = u;
	return 0;
}

void upstream_set_names(struct upstream *u, const char *name, const struct villages *villages)
{
	if (!u)
		return;
	size_t len;
	uint8_t *names = townnames_pack(name, villages, &len);
	pthread_mutex_lock(&u->mu);
	free(u->names);
	u->names = names;
	u->names_len = len;
	pthread_mutex_unlock(&u->mu);
}

void upstream_kick(struct upstream *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	u->kicked = 1;
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

void upstream_status(struct upstream *u, struct upstream_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	*st = u->st;
	pthread_mutex_unlock(&u->mu);
	/* the backlog as the store has it now: the thread may be waiting on the county */
	struct store_snap snap;
	struct store_upstream cur;
	uint64_t backlog;
	int64_t oldest;
	if (store_read_begin(u->store, &snap) == 0) {
		if (store_upstream_get(&snap, &cur) == 0 &&
		    store_upstream_backlog(&snap, cur.next, &backlog, &oldest) == 0) {
			st->backlog = backlog;
			st->oldest = (double)oldest;
			st->acked = cur.acked;
			st->rejected = cur.rejected;
			st->last_ack = (double)cur.acked_at;
		}
		store_read_end(&snap);
	}
}

void upstream_tick(struct upstream *u)
{
	if (!u)
		return;
	uint64_t n;
	char reason[256];
	pthread_mutex_lock(&u->mu);
	n = u->pending_rejects;
	snprintf(reason, sizeof(reason), "%s", u->pending_reason);
	u->pending_rejects = 0;
	pthread_mutex_unlock(&u->mu);
	if (n && ratelimit_hit(&u->rl, reason))
		log_warn("upstream: the county rejected %llu event(s), passed over (counted in "
			 "lawtally_upstream_rejected_total): %s", (unsigned long long)n, reason);
}

#define GAUGE(name, help, fmt, v)                                                            \
	evbuffer_add_printf(out, "# HELP " name " " help "\n# TYPE " name " gauge\n" name " " fmt \
				 "\n", v)
#define COUNTER(name, help, v)                                                               \
	evbuffer_add_printf(out, "# HELP " name " " help "\n# TYPE " name " counter\n" name      \
				 " %llu\n", (unsigned long long)(v))

void upstream_render(const struct upstream_status *st, struct evbuffer *out)
{
	if (!st->on)
		return;
	double now = now_wall();
	GAUGE("lawtally_upstream_backlog_events",
	      "Events stored here that the county has not acknowledged yet.", "%llu",
	      (unsigned long long)st->backlog);
	GAUGE("lawtally_upstream_oldest_age_seconds",
	      "Age of the oldest event not yet acknowledged by the county (0: none).", "%.3f",
	      st->backlog && st->oldest > 0 && now > st->oldest ? now - st->oldest : 0.0);
	GAUGE("lawtally_upstream_last_ack_timestamp_seconds",
	      "Unix time of the county's last acknowledgement (0: none).", "%.0f", st->last_ack);
	COUNTER("lawtally_upstream_acked_total", "Events the county acknowledged.", st->acked);
	COUNTER("lawtally_upstream_rejected_total",
		"Events the county rejected, recorded and passed over.", st->rejected);
	COUNTER("lawtally_upstream_reconnects_total",
		"Times the county stayed silent and the socket was opened anew.", st->reconnects);
	GAUGE("lawtally_upstream_answering", "1 while the county answers, 0 after silence.", "%d",
	      st->answering);
}

void upstream_stop(struct upstream **up)
{
	struct upstream *u = *up;
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	u->quit = 1;
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
	pthread_join(u->thread, NULL);
	ratelimit_fini(&u->rl);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	explicit_bzero(u->secret_key, sizeof(u->secret_key));
	free(u->buf);
	free(u->names);
	free(u);
	*up = NULL;
}
