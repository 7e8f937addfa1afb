/*
 * desk.c - the desk's HTTP server: evhttp on the agent's loop, bounded
 * (headers, body, time), handing each request to desk_api.c; and the link
 * state the forwarder shares with it (see desk.h).
 */
#include "desk.h"

#include <stdatomic.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "desk_api.h"
#include "desk_assets.h"
#include "err.h"
#include "now.h"
#include "peer.h"
#include "xalloc.h"

#define NAP_STEP_MS 100

/* ---- the link ---- */

void desk_link_init(struct desk_link *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->mu, NULL);
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->state = DESK_LINK_UNKNOWN;
	l->since = (int64_t)time(NULL);
}

void desk_link_destroy(struct desk_link *l)
{
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	pthread_mutex_destroy(&l->mu);
}

void desk_link_set(struct desk_link *l, enum desk_link_state state, const char *error)
{
	pthread_mutex_lock(&l->mu);
	if (l->state != state)
		l->since = (int64_t)time(NULL);
	l->state = state;
	snprintf(l->error, sizeof(l->error), "%s", error ? error : "");
	pthread_mutex_unlock(&l->mu);
}

void desk_link_kick(struct desk_link *l)
{
	uint64_t one = 1;
	if (l->wake_fd >= 0 && write(l->wake_fd, &one, sizeof(one)) != sizeof(one)) {
		/* EAGAIN: the counter is full, a kick is pending anyway */
	}
}

int desk_link_nap(struct desk_link *l, long ms, const atomic_int *stop)
{
	int64_t until = now_mono_ms() + ms;
	for (;;) {
		int64_t left = until - now_mono_ms();
		if ((stop && *stop) || left <= 0)
			return 0;
		/* a signal sets *stop without a kick: look again every step */
		struct pollfd p = {l->wake_fd, POLLIN, 0};
		if (poll(&p, l->wake_fd >= 0, (int)(left < NAP_STEP_MS ? left : NAP_STEP_MS)) > 0) {
			uint64_t n;
			if (read(l->wake_fd, &n, sizeof(n)) == sizeof(n))
				return 1;
		}
	}
}

/* ---- the server ---- */

struct desk {
	struct evhttp *ev;
	struct desk_api *api;
	char address[96];
	char token[33];
	char village[VILLAGE_CODE_MAX + 1], source[72];
};

static enum desk_method method_of(enum evhttp_cmd_type c)
{
	switch (c) {
	case EVHTTP_REQ_GET: return DESK_GET;
	case EVHTTP_REQ_HEAD: return DESK_HEAD;
	case EVHTTP_REQ_POST: return DESK_POST;
	default: return DESK_OTHER;
	}
}

/*
 * 1 if a header the checks rely on comes twice: the checks read the first,
 * something else might read the last.
 */
static int doubled(struct evkeyvalq *in)
{
	static const char *const names[] = {"Host", "Origin", "X-Desk-Token", "Content-Type",
					    "Sec-Fetch-Site"};
	int seen[5] = {0};
	for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next)
		for (int i = 0; i < 5; i++)
			if (strcasecmp(h->key, names[i]) == 0 && seen[i]++)
				return 1;
	return 0;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct desk *d = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	char *peer = NULL;
	ev_uint16_t port;
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &peer, &port);
	struct desk_request rq = {
		.method = method_of(evhttp_request_get_command(req)),
		.path = uri ? evhttp_uri_get_path(uri) : NULL,
		.query = uri ? evhttp_uri_get_query(uri) : NULL,
		.peer = peer,
		.host = evhttp_find_header(in, "Host"),
		.origin = evhttp_find_header(in, "Origin"),
		.token = evhttp_find_header(in, "X-Desk-Token"),
		.content_type = evhttp_find_header(in, "Content-Type"),
		.fetch_site = evhttp_find_header(in, "Sec-Fetch-Site"),
		.body_len = evbuffer_get_length(body),
	};
	rq.body = rq.body_len ? evbuffer_pullup(body, -1) : NULL;
	struct desk_response rs;
	if (doubled(in)) {
		memset(&rs, 0, sizeof(rs));
		rs.status = 400;
		rs.content_type = "application/json; charset=utf-8";
		rs.data = (const unsigned char *)"{\"error\":\"请求头重复\"}";
		rs.len = strlen((const char *)rs.data);
	} else {
		desk_api_handle(d->api, &rq, (int64_t)time(NULL), &rs);
	}
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type", rs.content_type);
	evhttp_add_header(out, "Cache-Control", rs.cache ? "no-cache" : "no-store");
	evhttp_add_header(out, "Content-Security-Policy", DESK_CSP);
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, rs.data, rs.len);
	evhttp_send_reply(req, rs.status, rs.status < 400 ? "OK" : "Refused", b);
	evbuffer_free(b);
	desk_response_free(&rs);
}

/* The token of this run: the page reads it once and sends it back on every call. */
static int make_token(char out[33])
{
	uint8_t b[16];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			got += (size_t)r;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int desk_start(struct desk **out, struct event_base *base, struct spool *sp,
	       struct desk_link *link, const struct desk_config *c, char *err, size_t errlen)
{
	char host[64];
	const char *colon = strrchr(c->listen, ':');
	char *end;
	unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || !colon[1] || *end || port > 65535 ||
	    peer_split_host(c->listen, host, sizeof(host))) {
		snprintf(err, errlen, "desk: listen address '%s' is not host:port", c->listen);
		return LT_EINVAL;
	}
	if (!peer_is_loopback(host)) {
		snprintf(err, errlen, "desk: '%s' is not on loopback: the desk has no password, so it "
			 "listens on this PC only (127.0.0.1 or [::1])", c->listen);
		return LT_EINVAL;
	}
	if (!villages_find(c->villages, c->village)) {
		snprintf(err, errlen, "desk: village '%s' is not in the village list", c->village);
		return LT_EINVAL;
	}
	struct desk *d = xcalloc(1, sizeof(*d));
	if (make_token(d->token)) {
		snprintf(err, errlen, "desk: no randomness for its token: %s", strerror(errno));
		free(d);
		return LT_ESYS;
	}
	d->ev = evhttp_new(base);
	evhttp_set_max_headers_size(d->ev, DESK_HEADERS_MAX);
	evhttp_set_max_body_size(d->ev, DESK_LEDGER_BODY_MAX + 4096);
	evhttp_set_timeout(d->ev, DESK_TIMEOUT_S);
	evhttp_set_allowed_methods(d->ev, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
	evhttp_set_gencb(d->ev, on_request, d);
	errno = 0;
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(d->ev, host, (uint16_t)port);
	if (!bs) {
		snprintf(err, errlen, "desk: cannot listen on %s: %s", c->listen,
			 errno ? strerror(errno) : "no usable address");
		desk_close(&d);
		return LT_ESYS;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned bound = (unsigned)port;
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) == 0)
		bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						      : ((struct sockaddr_in *)&ss)->sin_port);
	snprintf(d->address, sizeof(d->address), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
		 bound);
	snprintf(d->village, sizeof(d->village), "%s", c->village);
	snprintf(d->source, sizeof(d->source), "%s", c->source);
	struct desk_api_config ac = {sp, c->villages, d->village, d->source, c->endpoint, bound,
				     d->token, link};
	d->api = desk_api_new(&ac);
	*out = d;
	return 0;
}

const char *desk_address(const struct desk *d)
{
	return d->address;
}

void desk_close(struct desk **dp)
{
	struct desk *d = *dp;
	if (!d)
		return;
	if (d->ev)
		evhttp_free(d->ev);
	desk_api_free(&d->api);
	free(d);
	*dp = NULL;
}
