/*
 * loadgen.c - the bench's load generator for lawtallyd.
 *
 * N sender threads, each with its own DEALER socket and up to W batches
 * of B events in flight, send the bench's event mix (workload.h) with
 * time-ordered (UUIDv7) or random ids. Every request is packed before the
 * clock starts, so the generator spends its CPU on sockets, not protobuf.
 *
 *   saturation (--rate 0): each sender sends as fast as its acks come
 *     back; the latency of an event is from its batch's send to the reply.
 *   fixed rate (--rate R): batches leave on an open-loop schedule of R
 *     events/s in total; the latency of an event is from the batch's
 *     *scheduled* time (or its real send, if earlier) to the reply, so a
 *     stalled daemon cannot hide latency by slowing the senders down (no
 *     coordinated omission).
 *
 * With --senders 0 it is a prober instead, run as a process of its own
 * beside a loaded one, as the office's clients are: for --seconds it
 * queries the totals in a loop (one at a time, --probe-gap-ms apart), a
 * QueryRequest on the ZeroMQ query endpoint and GET /v1/totals over one
 * kept-alive HTTP connection. (Probe threads inside the load generator
 * measured the generator instead: they queued behind 8 busy senders for
 * its ZeroMQ I/O thread and its share of the CPU.)
 *
 * Answers under ingest: senders with --mix registered send only new
 * disputes at STAGE_REGISTERED (workload_registered: each adds 1 to
 * disputes.registered and to disputes.open in one commit), packed as they
 * leave, so a run may last as long as it is needed; SIGTERM or SIGINT
 * stops them sending (what is in flight is still answered). A prober with
 * --check-open asks for every metric of 2024 and counts the answers in
 * which the two differ: an answer that read them from two commits.
 * --answers and --zmq-answers stop each prober after that many answers.
 *
 * With --townships N every request forwards for one of N townships
 * (SubmitRequest.township, docs/county.md), spread over the senders and
 * batches: a county daemon's load from N townships' forwarders.
 *
 * Every ack must be ACCEPTED (the ids are fresh): anything else is an
 * error and the exit status is 1. Results are "key value" lines on stdout.
 */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "hist.h"
#include "now.h"
#include "uuid.h"
#include "workload.h"
#include "xalloc.h"

#define SENDERS_MAX 256
#define WINDOW_MAX 64
#define BATCH_MAX 1000
#define REPLY_MAX (4 << 20)
#define HTTP_BUF 65536
/*
 * zmq_poll waits whole milliseconds: at a fixed rate a batch may leave up
 * to this much before its scheduled time rather than spin for the rest.
 */
#define EARLY_S 0.001

struct options {
	const char *endpoint;
	unsigned senders, window, batch;
	uint64_t events;         /* total to send (saturation) */
	double seconds;          /* stop sending new batches after this */
	double rate;             /* events/s offered; 0: saturation */
	int random_ids;
	uint64_t seed;
	const char *query_endpoint;
	const char *http;        /* host:port */
	unsigned probe_gap_ms;
	unsigned timeout_ms;     /* silence after which the run fails */
	int mix_registered;      /* --mix registered: packed as batches leave */
	int check_open;          /* probers check registered == open in every answer */
	uint64_t http_answers, zmq_answers; /* probers stop after these (0: --seconds) */
	unsigned townships;      /* --townships N: requests forward for N townships (a county) */
};

struct batch {
	uint8_t *buf;
	size_t len, count;
	double t_send;           /* send time, or scheduled time at a fixed rate */
	int answered;
};

/* Scratch for packing batches; one per sender when they pack as they send. */
struct packer {
	Lawtally__V1__Event **ev;
	struct workload_event *we;
	uint64_t rng;            /* random ids */
	uint64_t counter;        /* time-ordered ids made as batches leave */
};

struct sender {
	const struct options *o;
	unsigned index;
	void *sock;
	struct batch *b;
	size_t nb;
	uint64_t first, n;       /* its events of the stream */
	struct packer pk;        /* --mix registered */
	struct hist h;
	uint64_t sent_events, accepted, not_accepted;
	double t_last;
	int failed;
	char err[256];
	pthread_t th;
};

struct prober {
	const struct options *o;
	void *zctx;
	struct hist h;
	uint64_t errors;
	int failed;
	char err[256];
	pthread_t th;
	/* --check-open */
	uint64_t broken;              /* answers with registered != open */
	int64_t first, last;          /* registered in the first and last answer */
	char example[96];             /* the first broken answer */
	atomic_int done;
};

static double t0;                 /* common start, monotonic seconds */
static atomic_int stop_probes;
static volatile sig_atomic_t stop_sending; /* SIGTERM, SIGINT */

static void sleep_until(double t)
{
	double d = t - now_mono();
	if (d <= 0)
		return;
	struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Scheduled time of a sender's batch at a fixed rate: batches interleave evenly. */
static double schedule(const struct sender *s, size_t b)
{
	double g = (double)b * s->o->senders + s->index;
	return t0 + g * s->o->batch / s->o->rate;
}

static int fail(struct sender *s, const char *fmt, const char *detail)
{
	snprintf(s->err, sizeof(s->err), fmt, detail);
	s->failed = 1;
	return -1;
}

/* Takes one SubmitReply: every ack must be ACCEPTED. */
static int take_reply(struct sender *s, const void *data, size_t len, double now)
{
	Lawtally__V1__SubmitReply *rep = lawtally__v1__submit_reply__unpack(NULL, len, data);
	if (!rep)
		return fail(s, "a reply does not decode%s", "");
	int rc = 0;
	uint64_t id = rep->batch_id;
	if (rep->error[0]) {
		rc = fail(s, "the daemon refused a batch: %s", rep->error);
	} else if (id == 0 || id > s->nb || s->b[id - 1].answered || !s->b[id - 1].t_send) {
		rc = fail(s, "a reply to a batch not in flight%s", "");
	} else if (rep->n_acks != s->b[id - 1].count) {
		rc = fail(s, "a reply with the wrong number of acks%s", "");
	} else {
		struct batch *b = &s->b[id - 1];
		b->answered = 1;
		for (size_t i = 0; i < rep->n_acks; i++) {
			if (rep->acks[i]->status == LAWTALLY__V1__ACK__STATUS__ACCEPTED)
				s->accepted++;
			else
				s->not_accepted++;
		}
		if (s->not_accepted)
			rc = fail(s, "an event was not ACCEPTED: %s",
				  rep->acks[0]->reason[0] ? rep->acks[0]->reason : "duplicate");
		double lat = now - b->t_send;
		hist_add(&s->h, lat > 0 ? (uint64_t)(lat * 1e6) : 0, b->count);
		s->t_last = now;
		if (s->o->mix_registered) {
			free(b->buf); /* packed as it left: a long run holds only what is in flight */
			b->buf = NULL;
		}
	}
	lawtally__v1__submit_reply__free_unpacked(rep, NULL);
	return rc;
}

static int pack_batch(struct sender *s, size_t b, struct packer *pk, int late);

/* One sender: keeps up to window batches in flight until all are answered. */
static void *sender_run(void *arg)
{
	struct sender *s = arg;
	const struct options *o = s->o;
	size_t next = 0, done = 0, limit = s->nb;
	unsigned inflight = 0;
	double last_progress;
	sleep_until(t0);
	last_progress = now_mono();
	while (next < limit || done < next) {
		double now = now_mono();
		if (((o->rate == 0 && o->seconds > 0 && now - t0 >= o->seconds) || stop_sending) &&
		    limit > next)
			limit = next; /* time is up: no new batches, wait for the rest */
		while (inflight < o->window && next < limit &&
		       (o->rate == 0 || now >= schedule(s, next) - EARLY_S)) {
			struct batch *b = &s->b[next];
			if (!b->buf && pack_batch(s, next, &s->pk, 1) != 0) {
				fail(s, "cannot pack a batch: %s", "no random ids");
				return NULL;
			}
			if (zmq_send(s->sock, b->buf, b->len, ZMQ_DONTWAIT) < 0) {
				if (errno == EAGAIN)
					break;
				fail(s, "send: %s", zmq_strerror(errno));
				return NULL;
			}
			/* a batch sent early is timed from its real send: never flattering */
			b->t_send = o->rate && schedule(s, next) < now ? schedule(s, next) : now;
			s->sent_events += b->count;
			next++;
			inflight++;
		}
		if (next >= limit && done == next)
			break;
		long wait_ms = 100;
		if (o->rate && next < limit && inflight < o->window) {
			double d = schedule(s, next) - EARLY_S - now_mono();
			wait_ms = d <= 0 ? 0 : (long)(d * 1000);
		}
		zmq_pollitem_t pi = {s->sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&pi, 1, wait_ms) < 0 && errno != EINTR) {
			fail(s, "poll: %s", zmq_strerror(errno));
			return NULL;
		}
		for (;;) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				break;
			}
			now = now_mono();
			int rc = take_reply(s, zmq_msg_data(&m), zmq_msg_size(&m), now);
			zmq_msg_close(&m);
			if (rc)
				return NULL;
			done++;
			inflight--;
			last_progress = now;
		}
		if (now_mono() - last_progress > o->timeout_ms / 1000.0 && done < next) {
			fail(s, "no reply from the daemon within the time out%s", "");
			return NULL;
		}
	}
	return NULL;
}

/* ---- probers ----------------------------------------------------------- */

static void probe_fail(struct prober *p, const char *what, const char *detail)
{
	snprintf(p->err, sizeof(p->err), "%s: %s", what, detail);
	p->failed = 1;
}

/*
 * --check-open: takes one answer's disputes.registered and disputes.open
 * (-1 where the answer had no such row) and counts it.
 */
static void check_answer(struct prober *p, int64_t registered, int64_t open)
{
	uint64_t n = p->h.count; /* answers before this one */
	if (n == 0)
		p->first = registered;
	p->last = registered;
	if (registered >= 0 && registered == open)
		return;
	if (p->broken++ == 0)
		snprintf(p->example, sizeof(p->example), "registered=%lld,open=%lld",
			 (long long)registered, (long long)open);
}

/* The prober's answers are all in: by count, or the run is over. */
static int probe_done(const struct prober *p, uint64_t limit)
{
	return atomic_load(&stop_probes) || (limit && p->h.count >= limit);
}

/* QueryRequest -> QueryReply on one DEALER socket, one at a time. */
static void *zmq_probe_run(void *arg)
{
	struct prober *p = arg;
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	uint8_t req[256];
	q.year = 2024;
	if (!p->o->check_open) {
		q.metric = "disputes.resolved";
		q.by = "village";
	}
	size_t len = lawtally__v1__query_request__pack(&q, req);
	void *sock = zmq_socket(p->zctx, ZMQ_DEALER);
	int linger = 0;
	if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_connect(sock, p->o->query_endpoint)) {
		probe_fail(p, "query socket", zmq_strerror(errno));
		if (sock)
			zmq_close(sock);
		atomic_store(&p->done, 1);
		return NULL;
	}
	sleep_until(t0);
	while (!probe_done(p, p->o->zmq_answers)) {
		double start = now_mono();
		if (zmq_send(sock, req, len, 0) < 0) {
			probe_fail(p, "query send", zmq_strerror(errno));
			break;
		}
		zmq_pollitem_t pi = {sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&pi, 1, (long)p->o->timeout_ms) <= 0) {
			probe_fail(p, "query", "no reply within the time out");
			break;
		}
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			probe_fail(p, "query receive", zmq_strerror(errno));
			break;
		}
		double lat = now_mono() - start;
		Lawtally__V1__QueryReply *rep =
			lawtally__v1__query_reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (!rep || rep->error[0]) {
			probe_fail(p, "query reply", rep ? rep->error : "does not decode");
			if (rep)
				lawtally__v1__query_reply__free_unpacked(rep, NULL);
			break;
		}
		if (p->o->check_open) {
			int64_t v[2] = {-1, -1};
			for (size_t i = 0; i < rep->n_rows; i++) {
				if (strcmp(rep->rows[i]->metric, "disputes.registered") == 0)
					v[0] = rep->rows[i]->value;
				else if (strcmp(rep->rows[i]->metric, "disputes.open") == 0)
					v[1] = rep->rows[i]->value;
			}
			check_answer(p, v[0], v[1]);
		}
		lawtally__v1__query_reply__free_unpacked(rep, NULL);
		hist_add(&p->h, (uint64_t)(lat * 1e6), 1);
		sleep_until(now_mono() + p->o->probe_gap_ms / 1000.0);
	}
	zmq_close(sock);
	atomic_store(&p->done, 1);
	return NULL;
}

static int http_connect(const char *hostport, unsigned timeout_ms)
{
	char host[64];
	const char *colon = strrchr(hostport, ':');
	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One GET on a kept-alive connection: sends the request, reads the head
 * and a Content-Length body into buf, *body pointing at the body and
 * NUL-terminated (NULL when it does not fit in cap: it was read and
 * dropped). Returns the status code, or -1 when the connection failed or
 * closed (the caller reconnects).
 */
static int http_get(int fd, const char *req, size_t reqlen, char *buf, size_t cap,
		    const char **body_out)
{
	*body_out = NULL;
	if (send(fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen)
		return -1;
	size_t have = 0;
	char *body = NULL;
	while (!body) {
		if (have + 1 >= cap)
			return -1;
		ssize_t n = recv(fd, buf + have, cap - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		body = strstr(buf, "\r\n\r\n");
	}
	body += 4;
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl)
		return -1;
	size_t want = (size_t)strtoul(cl + 17, NULL, 10);
	size_t got = have - (size_t)(body - buf);
	int fits = (size_t)(body - buf) + want < cap;
	while (got < want) {
		char sink[4096];
		char *to = fits ? body + got : sink;
		size_t room = fits ? want - got : sizeof(sink);
		size_t ask = want - got < room ? want - got : room;
		ssize_t n = recv(fd, to, ask, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	if (fits) {
		body[want] = '\0';
		*body_out = body;
	}
	return status;
}

/* --check-open: disputes.registered and .open of a /v1/totals body (-1: absent). */
static void http_figures(const char *body, int64_t v[2])
{
	v[0] = v[1] = -1;
	json_t *root = body ? json_loads(body, 0, NULL) : NULL;
	json_t *rows = json_object_get(root, "rows"), *row;
	size_t i;
	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric"));
		json_int_t value = json_integer_value(json_object_get(row, "value"));
		if (metric && strcmp(metric, "disputes.registered") == 0)
			v[0] = value;
		else if (metric && strcmp(metric, "disputes.open") == 0)
			v[1] = value;
	}
	json_decref(root);
}

/* GET /v1/totals in a loop on one kept-alive connection. */
static void *http_probe_run(void *arg)
{
	struct prober *p = arg;
	char req[256], *buf = xmalloc(HTTP_BUF);
	const char *body;
	int len = snprintf(req, sizeof(req),
			   "GET /v1/totals?year=2024%s HTTP/1.1\r\nHost: %s\r\n\r\n",
			   p->o->check_open ? "" : "&metric=disputes.resolved&by=village", p->o->http);
	int fd = http_connect(p->o->http, p->o->timeout_ms);
	if (fd < 0) {
		probe_fail(p, "http connect", p->o->http);
		free(buf);
		atomic_store(&p->done, 1);
		return NULL;
	}
	sleep_until(t0);
	while (!probe_done(p, p->o->http_answers)) {
		double start = now_mono();
		int status = http_get(fd, req, (size_t)len, buf, HTTP_BUF, &body);
		if (status < 0) {
			/* the server closed the kept-alive connection: once more, fresh */
			close(fd);
			p->errors++;
			fd = http_connect(p->o->http, p->o->timeout_ms);
			start = now_mono();
			status = fd < 0 ? -1 : http_get(fd, req, (size_t)len, buf, HTTP_BUF, &body);
		}
		if (status != 200) {
			probe_fail(p, "GET /v1/totals", status < 0 ? "connection failed" : "status not 200");
			break;
		}
		double lat = now_mono() - start;
		if (p->o->check_open) {
			int64_t v[2];
			http_figures(body, v);
			check_answer(p, v[0], v[1]);
		}
		hist_add(&p->h, (uint64_t)(lat * 1e6), 1);
		sleep_until(now_mono() + p->o->probe_gap_ms / 1000.0);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	atomic_store(&p->done, 1);
	return NULL;
}

/* ---- set-up ------------------------------------------------------------ */

/* Scratch for one batch's events. */
static void packer_init(struct packer *pk, const struct options *o, uint64_t rng)
{
	pk->ev = xcalloc(o->batch, sizeof(*pk->ev));
	pk->we = xcalloc(o->batch, sizeof(*pk->we));
	pk->rng = rng;
}

static void packer_free(struct packer *pk)
{
	free(pk->ev);
	free(pk->we);
}

/*
 * Packs batch b of sender s into s->b[b]. Time-ordered ids come from
 * uuid_v7() when packed before the clock starts (one thread), and when
 * packed as the batch leaves (late) from the clock with the sender's
 * index and a count of its own in the random bits, so that the senders'
 * threads never share state. Returns 0, or -1 when uuid_v7 has no random
 * bits.
 */
static int pack_batch(struct sender *s, size_t b, struct packer *pk, int late)
{
	const struct options *o = s->o;
	uint64_t lo = b * o->batch, hi = lo + o->batch < s->n ? lo + o->batch : s->n;
	for (uint64_t i = lo; i < hi; i++) {
		struct workload_event *w = &pk->we[i - lo];
		uint8_t id[16];
		if (o->mix_registered)
			workload_registered(w, o->seed, s->first + i);
		else
			workload_event(w, o->seed, s->first + i);
		if (o->random_ids) {
			workload_random_id(&pk->rng, id);
		} else if (late) {
			uint8_t rnd[10];
			uint64_t c = pk->counter++;
			rnd[0] = (uint8_t)(s->index >> 8);
			rnd[1] = (uint8_t)s->index;
			for (int k = 2; k < 10; k++)
				rnd[k] = (uint8_t)(c >> (8 * (9 - k)));
			uuid_v7_from(id, (uint64_t)(now_wall() * 1000), rnd);
		} else if (uuid_v7(id) != 0) {
			return -1;
		}
		workload_set_id(w, id);
		pk->ev[i - lo] = &w->e;
	}
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	char township[16];
	req.batch_id = b + 1;
	if (o->townships) {
		/* a county: the batches of N townships' forwarders, spread over the senders */
		snprintf(township, sizeof(township), "T%05u",
			 (unsigned)((s->index * 7919u + b) % o->townships));
		req.township = township;
	}
	req.n_events = (size_t)(hi - lo);
	req.events = pk->ev;
	struct batch *bt = &s->b[b];
	bt->len = lawtally__v1__submit_request__get_packed_size(&req);
	bt->buf = xmalloc(bt->len);
	lawtally__v1__submit_request__pack(&req, bt->buf);
	bt->count = req.n_events;
	return 0;
}

/*
 * Shares the total among the senders and, for the bench's mix, packs
 * every batch before the clock starts. Ids are made in the order the
 * batches will leave (batch b of every sender before batch b + 1), so
 * time-ordered ids arrive nearly in order, as from real senders sharing a
 * clock. With --mix registered each sender packs its batches as they
 * leave instead (a run of it lasts as long as it is needed).
 */
static int prepack(struct sender *snd, const struct options *o, uint64_t total)
{
	uint64_t per = total / o->senders, extra = total % o->senders;
	size_t maxnb = 0;
	uint64_t rng;
	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng))
		return -1;
	uint64_t at = 0;
	for (unsigned s = 0; s < o->senders; s++) {
		snd[s].n = per + (s < extra);
		snd[s].first = at;
		at += snd[s].n;
		snd[s].nb = (size_t)((snd[s].n + o->batch - 1) / o->batch);
		snd[s].b = xcalloc(snd[s].nb ? snd[s].nb : 1, sizeof(struct batch));
		if (snd[s].nb > maxnb)
			maxnb = snd[s].nb;
		if (o->mix_registered)
			packer_init(&snd[s].pk, o, rng ^ s);
	}
	if (o->mix_registered)
		return 0;
	struct packer pk = {0};
	int rc = 0;
	packer_init(&pk, o, rng);
	for (size_t b = 0; b < maxnb && !rc; b++)
		for (unsigned s = 0; s < o->senders && !rc; s++)
			if (b < snd[s].nb)
				rc = pack_batch(&snd[s], b, &pk, 0);
	packer_free(&pk);
	return rc;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_sending = 1;
}

static const char usage[] =
	"usage: loadgen --endpoint E [--senders N] [--window W] [--batch B]\n"
	"               [--events N] [--seconds S] [--rate EV_PER_S] [--ids v7|random]\n"
	"               [--mix bench|registered] [--seed N] [--timeout-ms MS]\n"
	"               [--townships N]\n"
	"       loadgen --senders 0 --seconds S [--query E] [--http HOST:PORT]\n"
	"               [--probe-gap-ms MS] [--timeout-ms MS]\n"
	"               [--check-open] [--answers N] [--zmq-answers N]\n";

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
		{"endpoint", required_argument, NULL, 'e'}, {"senders", required_argument, NULL, 'n'},
		{"window", required_argument, NULL, 'w'},   {"batch", required_argument, NULL, 'b'},
		{"events", required_argument, NULL, 'N'},   {"seconds", required_argument, NULL, 's'},
		{"rate", required_argument, NULL, 'r'},     {"ids", required_argument, NULL, 'i'},
		{"seed", required_argument, NULL, 'S'},     {"query", required_argument, NULL, 'q'},
		{"http", required_argument, NULL, 'H'},     {"probe-gap-ms", required_argument, NULL, 'g'},
		{"timeout-ms", required_argument, NULL, 't'}, {"mix", required_argument, NULL, 'm'},
		{"check-open", no_argument, NULL, 'c'},     {"answers", required_argument, NULL, 'a'},
		{"zmq-answers", required_argument, NULL, 'z'}, {"townships", required_argument, NULL, 'T'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct options){.senders = 1, .window = 4, .batch = 256, .events = 100000,
			      .seed = 1, .probe_gap_ms = 10, .timeout_ms = 30000};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'e': o->endpoint = optarg; break;
		case 'n': o->senders = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': o->window = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': o->batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'N': o->events = strtoull(optarg, NULL, 10); break;
		case 's': o->seconds = strtod(optarg, NULL); break;
		case 'r': o->rate = strtod(optarg, NULL); break;
		case 'i':
			if (strcmp(optarg, "v7") && strcmp(optarg, "random"))
				return -1;
			o->random_ids = strcmp(optarg, "random") == 0;
			break;
		case 'S': o->seed = strtoull(optarg, NULL, 10); break;
		case 'q': o->query_endpoint = optarg; break;
		case 'H': o->http = optarg; break;
		case 'g': o->probe_gap_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': o->timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm':
			if (strcmp(optarg, "bench") && strcmp(optarg, "registered"))
				return -1;
			o->mix_registered = strcmp(optarg, "registered") == 0;
			break;
		case 'c': o->check_open = 1; break;
		case 'a': o->http_answers = strtoull(optarg, NULL, 10); break;
		case 'z': o->zmq_answers = strtoull(optarg, NULL, 10); break;
		case 'T': o->townships = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	int probing = o->query_endpoint || o->http;
	if (o->senders == 0)
		return probing && o->seconds > 0 && o->timeout_ms >= 100 && optind == argc ? 0 : -1;
	if (probing || o->check_open || !o->endpoint || optind != argc || o->senders > SENDERS_MAX ||
	    o->window < 1 || o->window > WINDOW_MAX || o->batch < 1 || o->batch > BATCH_MAX ||
	    o->rate < 0 || o->timeout_ms < 100 || (o->rate > 0 && o->seconds <= 0) ||
	    (o->rate == 0 && o->events == 0))
		return -1;
	return 0;
}

static void print_hist(const char *name, const struct hist *h)
{
	printf("%s_n %llu\n", name, (unsigned long long)h->count);
	if (!h->count)
		return;
	printf("%s_p50_us %llu\n%s_p99_us %llu\n%s_p999_us %llu\n%s_max_us %llu\n", name,
	       (unsigned long long)hist_quantile(h, 0.50), name,
	       (unsigned long long)hist_quantile(h, 0.99), name,
	       (unsigned long long)hist_quantile(h, 0.999), name, (unsigned long long)h->max);
}

/* --check-open: what a prober's answers showed. */
static void print_check(const char *name, const struct prober *p)
{
	printf("%s_broken %llu\n%s_registered_first %lld\n%s_registered_last %lld\n", name,
	       (unsigned long long)p->broken, name, (long long)p->first, name, (long long)p->last);
	if (p->broken)
		printf("%s_broken_example %s\n", name, p->example);
}

/* --senders 0: the probers alone, for o->seconds or until their answers are in. */
static int probe_only(const struct options *o)
{
	void *zctx = zmq_ctx_new();
	if (!zctx) {
		fprintf(stderr, "loadgen: cannot create a ZeroMQ context\n");
		return 1;
	}
	struct prober probes[2] = {{.o = o, .zctx = zctx}, {.o = o, .zctx = zctx}};
	int has_probe[2] = {o->query_endpoint != NULL, o->http != NULL};
	void *(*probe_fn[2])(void *) = {zmq_probe_run, http_probe_run};
	int failed = 0;
	t0 = now_mono() + 0.05;
	for (int i = 0; i < 2; i++)
		if (has_probe[i] && pthread_create(&probes[i].th, NULL, probe_fn[i], &probes[i]) != 0) {
			fprintf(stderr, "loadgen: cannot start a thread\n");
			return 1;
		}
	while (now_mono() < t0 + o->seconds &&
	       (!has_probe[0] || !atomic_load(&probes[0].done) || !has_probe[1] ||
		!atomic_load(&probes[1].done)))
		sleep_until(now_mono() + 0.01);
	atomic_store(&stop_probes, 1);
	for (int i = 0; i < 2; i++) {
		if (!has_probe[i])
			continue;
		pthread_join(probes[i].th, NULL);
		if (probes[i].failed) {
			fprintf(stderr, "loadgen: %s prober: %s\n", i ? "http" : "query", probes[i].err);
			failed = 1;
		}
	}
	if (has_probe[0])
		print_hist("zmq_query", &probes[0].h);
	if (has_probe[1]) {
		print_hist("http_query", &probes[1].h);
		printf("http_reconnects %llu\n", (unsigned long long)probes[1].errors);
	}
	if (o->check_open && has_probe[0])
		print_check("zmq", &probes[0]);
	if (o->check_open && has_probe[1])
		print_check("http", &probes[1]);
	zmq_ctx_term(zctx);
	return failed;
}

int main(int argc, char **argv)
{
	struct options o;
	if (parse(argc, argv, &o)) {
		fputs(usage, stderr);
		return 2;
	}
	if (o.senders == 0)
		return probe_only(&o);
	uint64_t total = o.rate > 0 ? (uint64_t)(o.rate * o.seconds) : o.events;
	if (total < o.senders)
		total = o.senders;
	void *zctx = zmq_ctx_new();
	struct sender *snd = xcalloc(o.senders, sizeof(*snd));
	if (!zctx) {
		fprintf(stderr, "loadgen: cannot create a ZeroMQ context: %s\n", zmq_strerror(errno));
		return 1;
	}
	int linger = 0;
	int64_t maxmsg = REPLY_MAX;
	for (unsigned s = 0; s < o.senders; s++) {
		snd[s].o = &o;
		snd[s].index = s;
		snd[s].sock = zmq_socket(zctx, ZMQ_DEALER);
		if (!snd[s].sock || zmq_setsockopt(snd[s].sock, ZMQ_LINGER, &linger, sizeof(linger)) ||
		    zmq_setsockopt(snd[s].sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
		    zmq_connect(snd[s].sock, o.endpoint)) {
			fprintf(stderr, "loadgen: cannot connect to %s: %s\n", o.endpoint,
				zmq_strerror(errno));
			return 1;
		}
	}
	if (prepack(snd, &o, total)) {
		fprintf(stderr, "loadgen: cannot prepare %llu events: no random ids\n",
			(unsigned long long)total);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal; /* no SA_RESTART: polls return early */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		fprintf(stderr, "loadgen: cannot install signal handlers\n");
		return 1;
	}
	/* connections settle while the threads start; the clock starts together */
	t0 = now_mono() + 0.2;
	for (unsigned s = 0; s < o.senders; s++)
		if (pthread_create(&snd[s].th, NULL, sender_run, &snd[s]) != 0) {
			fprintf(stderr, "loadgen: cannot start a thread\n");
			return 1;
		}
	struct hist *all = xcalloc(1, sizeof(*all));
	uint64_t sent = 0, accepted = 0;
	double t_end = t0;
	int failed = 0;
	for (unsigned s = 0; s < o.senders; s++) {
		pthread_join(snd[s].th, NULL);
		if (snd[s].failed) {
			fprintf(stderr, "loadgen: sender %u: %s\n", s, snd[s].err);
			failed = 1;
		}
		hist_merge(all, &snd[s].h);
		sent += snd[s].sent_events;
		accepted += snd[s].accepted;
		if (snd[s].t_last > t_end)
			t_end = snd[s].t_last;
	}
	double secs = t_end - t0;
	printf("senders %u\nwindow %u\nbatch %u\nids %s\nmix %s\nrate %.0f\n", o.senders, o.window,
	       o.batch, o.random_ids ? "random" : "v7", o.mix_registered ? "registered" : "bench",
	       o.rate);
	printf("sent %llu\naccepted %llu\nseconds %.6f\nevents_per_s %.0f\n",
	       (unsigned long long)sent, (unsigned long long)accepted, secs,
	       secs > 0 ? (double)accepted / secs : 0.0);
	print_hist("ack", all);
	if (!failed && accepted != sent) {
		fprintf(stderr, "loadgen: %llu events sent, %llu accepted\n",
			(unsigned long long)sent, (unsigned long long)accepted);
		failed = 1;
	}
	for (unsigned s = 0; s < o.senders; s++) {
		zmq_close(snd[s].sock);
		for (size_t b = 0; b < snd[s].nb; b++)
			free(snd[s].b[b].buf);
		free(snd[s].b);
		packer_free(&snd[s].pk);
	}
	free(snd);
	free(all);
	zmq_ctx_term(zctx);
	return failed;
}
