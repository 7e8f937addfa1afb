/* querysock.c - the ZeroMQ query endpoint (see querysock.h). */
#include "querysock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "err.h"
#include "log.h"
#include "office.h"
#include "peer.h"
#include "query.h"
#include "ratelimit.h"
#include "reply.h"
#include "scope.h"
#include "xalloc.h"
#include "zsock.h"

#define QUERY_FRAME_MAX 4096   /* a QueryRequest is a few short fields */
#define QUERIES_PER_PASS 64

struct querysock {
	void *sock;
	struct zsock *z;
	struct store *store;
	const struct villages *villages;
	struct metrics *m;
	struct auth *auth;           /* NULL: auth is off */
	struct office *office;       /* QueryRequest.view; NULL: not set up */
	char endpoint[256];
	struct query_rows rows;
	struct ratelimit anonymous;  /* "without a User-Id" lines */
};

static void answer(struct querysock *q, zmq_msg_t *env, int nenv, const Lawtally__V1__QueryReply *rep)
{
	size_t len = lawtally__v1__query_reply__get_packed_size(rep);
	uint8_t *buf = xmalloc(len);
	lawtally__v1__query_reply__pack(rep, buf);
	if (zsock_send(q->sock, env, nenv, buf, len) != 0)
		log_debug("query: reply dropped: %s", zmq_strerror(errno));
	free(buf);
}

/*
 * With auth on: why the sender of payload gets no totals, or NULL if it
 * may query. Sets *silent when it gets no answer at all (no User-Id: only
 * a ZAP failure lets such a message through).
 */
static const char *refusal(struct querysock *q, zmq_msg_t *payload, int *silent,
			   const char **township)
{
	const struct keyring_entry *who;
	enum auth_sender s = auth_identify(q->auth, payload, &who);
	*silent = 0;
	*township = NULL;
	/* a township's key reads back its own events only (answer_forwarded) */
	if (s == AUTH_CLIENT && who->scope.role == SCOPE_TOWNSHIP)
		*township = who->scope.township;
	if (s == AUTH_CLIENT && (scope_may_query(&who->scope) || *township)) {
		if (auth_admit(q->auth, payload, who) == 0)
			return NULL;
		q->m->auth_refused++;
		return AUTH_TOO_MANY;
	}
	q->m->auth_refused++;
	if (s == AUTH_ANONYMOUS) {
		const char *peer = zmq_msg_gets(payload, "Peer-Address");
		if (ratelimit_hit(&q->anonymous, peer ? peer : "?"))
			log_warn("query: message without an authenticated User-Id from %s dropped",
				 peer ? peer : "?");
		*silent = 1;
		return "auth: no authenticated sender";
	}
	return s == AUTH_REVOKED ? "auth: this key is not registered with lawtallyd"
				 : "auth: only office keys may query";
}

/*
 * The peer of payload may have the office-only views: with auth on every
 * peer that gets this far holds an office key; with auth off only a peer
 * on this machine (loopback TCP; ipc and inproc carry no Peer-Address).
 */
static int peer_is_office(const struct querysock *q, zmq_msg_t *payload)
{
	if (q->auth)
		return 1;
	const char *peer = zmq_msg_gets(payload, "Peer-Address");
	if (!peer)
		return 1;
	return peer_is_loopback(peer);
}

/* Answers a QueryRequest with a view: a document rendered by the office. */
static void answer_view(struct querysock *q, zmq_msg_t *parts, int n,
			const Lawtally__V1__QueryRequest *req)
{
	Lawtally__V1__QueryReply rep = LAWTALLY__V1__QUERY_REPLY__INIT;
	struct sbuf doc;
	char err[200];
	office_query(q->office, req, peer_is_office(q, &parts[n - 1]), &doc, &rep, err,
		     sizeof(err));
	answer(q, parts, n - 1, &rep);
	sbuf_free(&doc);
}

/* One page of a township's events at a county (View.KIND_FORWARDED). */
struct forwarded_page {
	Lawtally__V1__Event **ev;
	size_t n, cap, bytes;
	uint64_t last_seq;
};

#define FORWARDED_PAGE_EVENTS 1000
#define FORWARDED_PAGE_BYTES (900u << 10)
#define FORWARDED_PAGE_READ 5000 /* records read for one page, at most */

static int forwarded_fn(const struct store_event *e, void *arg)
{
	struct forwarded_page *p = arg;
	size_t len = lawtally__v1__event__get_packed_size(e->event);
	if (p->n == FORWARDED_PAGE_EVENTS || (p->n && p->bytes + len > FORWARDED_PAGE_BYTES))
		return 1;
	/* a copy that outlives the snapshot: the reply is packed after it ends */
	uint8_t *buf = xmalloc(len);
	lawtally__v1__event__pack(e->event, buf);
	Lawtally__V1__Event *c = lawtally__v1__event__unpack(&xalloc_protobuf, len, buf);
	free(buf);
	if (!c)
		return LT_ECORRUPT;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->ev = xreallocarray(p->ev, p->cap, sizeof(*p->ev));
	}
	p->ev[p->n++] = c;
	p->bytes += len + 4;
	p->last_seq = e->seq;
	return 0;
}

/*
 * Answers View.KIND_FORWARDED: the events township req->township forwarded,
 * from the view's cursor on. With auth, only that township's key or an
 * office key; without, only a peer on this machine, as the event export.
 */
static void answer_forwarded(struct querysock *q, zmq_msg_t *parts, int n,
			     const Lawtally__V1__QueryRequest *req, const char *township_key)
{
	Lawtally__V1__QueryReply rep = LAWTALLY__V1__QUERY_REPLY__INIT;
	struct forwarded_page p = {0};
	uint64_t next = 0;
	const char *why = NULL;
	if (!scope_township_valid(req->township)) {
		why = "township: required, the township's code";
	} else if (township_key && strcmp(township_key, req->township) != 0) {
		why = "auth: a township key reads back its own township's events only";
	} else if (!q->auth && !peer_is_office(q, &parts[n - 1])) {
		why = "view: with auth = off only a peer on this machine reads events back";
	} else {
		struct store_snap snap;
		int rc = store_read_begin(q->store, &snap);
		if (!rc)
			rc = store_scan_township_events(&snap, req->township, req->view->cursor,
							FORWARDED_PAGE_READ, forwarded_fn, &p, &next);
		store_read_end(&snap);
		if (rc == 1)
			next = p.last_seq + 1; /* the page is full */
		else if (rc)
			why = "store: reading the events failed";
	}
	if (why) {
		rep.error = (char *)why;
	} else {
		rep.events = p.ev;
		rep.n_events = p.n;
		rep.next_cursor = next;
	}
	answer(q, parts, n - 1, &rep);
	for (size_t i = 0; i < p.n; i++)
		lawtally__v1__event__free_unpacked(p.ev[i], &xalloc_protobuf);
	free(p.ev);
}

static void handle(struct querysock *q, zmq_msg_t *parts, int n)
{
	Lawtally__V1__QueryReply rep = LAWTALLY__V1__QUERY_REPLY__INIT;
	zmq_msg_t *payload = &parts[n - 1];
	Lawtally__V1__QueryRequest *req = NULL;
	const char *why = NULL, *township_key = NULL;
	int silent = 0;
	q->m->queries_zmq++;
	if (q->auth && (why = refusal(q, payload, &silent, &township_key)) != NULL) {
		if (silent)
			return;
	} else if ((why = query_request_parse(zmq_msg_data(payload), zmq_msg_size(payload),
					      &req))) {
		/* why says what */
	} else if (req->view && req->view->kind == LAWTALLY__V1__VIEW__KIND__KIND_FORWARDED) {
		answer_forwarded(q, parts, n, req, township_key);
		lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf);
		return;
	} else if (township_key) {
		why = "auth: a township key reads back its own township's events only";
	} else if (req->view && q->office) {
		answer_view(q, parts, n, req);
		lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf);
		return;
	} else if (req->view) {
		why = "view: the office's views are not set up";
	} else {
		query_answer(q->store, q->villages, &q->rows, req, &rep);
	}
	if (why)
		rep.error = (char *)why;
	answer(q, parts, n - 1, &rep);
	reply_clear(&rep);
	if (req)
		lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf);
}

static void on_readable(void *sock, void *arg)
{
	struct querysock *q = arg;
	for (int k = 0; k < QUERIES_PER_PASS; k++) {
		zmq_msg_t parts[ZSOCK_PARTS_MAX];
		int n = zsock_recv(sock, parts, ZSOCK_PARTS_MAX);
		if (n == 0)
			break;
		if (n < 0)
			continue;
		if (n >= 2)
			handle(q, parts, n);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
	}
}

int querysock_start(struct querysock **out, struct event_base *base, void *zctx,
		    const char *endpoint, int hwm, struct store *store,
		    const struct villages *villages, struct metrics *metrics,
		    struct auth *auth, char *err, size_t errlen)
{
	struct querysock *q = xcalloc(1, sizeof(*q));
	q->store = store;
	q->villages = villages;
	q->m = metrics;
	q->auth = auth;
	char why[300];
	ratelimit_init(&q->anonymous, "query: messages without an authenticated User-Id dropped",
		       "peers");
	q->sock = zmq_socket(zctx, ZMQ_ROUTER);
	if (q->sock && auth && auth_server_socket(auth, q->sock, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "query: %s: %s", endpoint, why);
		querysock_close(&q);
		return LT_ESYS;
	}
	int64_t maxmsg = QUERY_FRAME_MAX + (auth ? AUTH_CURVE_OVERHEAD : 0);
	int one = 1, linger = 0;
	if (!q->sock || zmq_setsockopt(q->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) ||
	    zmq_setsockopt(q->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(q->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(q->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) ||
	    zmq_setsockopt(q->sock, ZMQ_LINGER, &linger, sizeof(linger))) {
		snprintf(err, errlen, "query: %s: cannot set up the socket: %s", endpoint,
			 zmq_strerror(errno));
		querysock_close(&q);
		return LT_ESYS;
	}
	if (zmq_bind(q->sock, endpoint) != 0) {
		snprintf(err, errlen, "query: cannot bind %s: %s", endpoint, zmq_strerror(errno));
		querysock_close(&q);
		return LT_ESYS;
	}
	size_t len = sizeof(q->endpoint);
	if (zmq_getsockopt(q->sock, ZMQ_LAST_ENDPOINT, q->endpoint, &len) != 0)
		snprintf(q->endpoint, sizeof(q->endpoint), "%s", endpoint);
	int rc = zsock_new(&q->z, base, q->sock, -1, on_readable, q, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "query: %s: cannot join the event loop: %s", q->endpoint, why);
		querysock_close(&q);
		return rc;
	}
	*out = q;
	return 0;
}

const char *querysock_endpoint(const struct querysock *q)
{
	return q->endpoint;
}

void querysock_set_office(struct querysock *q, struct office *office)
{
	q->office = office;
}

void querysock_set_villages(struct querysock *q, const struct villages *villages)
{
	q->villages = villages;
}

void querysock_close(struct querysock **qp)
{
	struct querysock *q = *qp;
	if (!q)
		return;
	zsock_destroy(&q->z);
	if (q->sock)
		zmq_close(q->sock);
	query_rows_free(&q->rows);
	ratelimit_fini(&q->anonymous);
	free(q);
	*qp = NULL;
}
