/* http.c - read-only HTTP: totals, health, metrics (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

#include "assets.h"
#include "err.h"
#include "httpauth.h"
#include "httplisten.h"
#include "httpquery.h"
#include "log.h"
#include "officehttp.h"
#include "query.h"
#include "reply.h"
#include "scrub.h"
#include "upstream.h"
#include "stream.h"
#include "tally.h"
#include "xalloc.h"

#define HTTP_HEADERS_MAX 8192
#define HTTP_BODY_MAX 1024

struct http {
	struct evhttp *ev;
	struct httplisten *listen;  /* the connections: bound, deadlined (httplisten.h) */
	struct store *store;
	const struct villages *villages;
	struct metrics *m;
	char address[160];
	struct query_rows rows;
	struct httpauth auth;       /* the bearer token off loopback (httpauth.h) */
	struct stream *stream;      /* GET /v1/stream: the dashboards' events */
	struct office *office;      /* report, senders, exports (officehttp.h); may be NULL */
	struct scrub *scrub;        /* the store's scrub (scrub.h); NULL: off */
	struct upstream *upstream;  /* forwarding to the county (upstream.h); NULL: none */
};

static void send_json(struct evhttp_request *req, int code, const char *reason, json_t *body)
{
	/* body is NULL only when its text was not UTF-8: jansson refuses such text */
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(body);
	if (!text) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	struct evbuffer *out = evbuffer_new();
	evbuffer_add(out, text, strlen(text));
	evbuffer_add(out, "\n", 1);
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

static void send_error_json(struct evhttp_request *req, int code, const char *reason,
			    const char *msg)
{
	send_json(req, code, reason, json_pack("{s:s}", "error", msg));
}

/* The store failed a read: 500 with the damage, or a short reason. */
static void send_store_error(struct http *h, struct evhttp_request *req, int rc)
{
	char why[256], line[300];
	snprintf(line, sizeof(line), "store: %s", store_strerror(h->store, rc, why, sizeof(why)));
	send_error_json(req, 500, "Internal Server Error",
			rc == LT_ECORRUPT ? line : "store: query failed");
}

/* GET /v1/totals?year=Y[&metric=M][&by=D][&village=V] (httpquery.h) */
static void on_totals(struct http *h, struct evhttp_request *req, const char *query)
{
	struct httpquery_totals t;
	char msg[128];
	if (httpquery_totals(query, h->villages, &t, msg, sizeof(msg)) != 0) {
		send_error_json(req, 400, "Bad Request", msg);
		return;
	}
	Lawtally__V1__QueryReply rep;
	struct store_snap snap;
	h->m->queries_http++;
	int rc = store_read_begin(h->store, &snap);
	if (!rc)
		rc = query_run(&snap, &t.spec, &h->rows);
	store_read_end(&snap);
	if (rc) {
		send_store_error(h, req, rc);
	} else {
		reply_from_rows(&rep, &t.spec, &h->rows);
		send_json(req, 200, "OK", reply_to_json(&rep, t.spec.year, t.metric, t.by, t.village));
		reply_clear(&rep);
	}
}

/* The store's counts, read in a snapshot of their own. Returns 0 or an LT_E* code. */
static int stats(struct http *h, struct store_stats *st)
{
	struct store_snap snap;
	int rc = store_read_begin(h->store, &snap);
	if (!rc)
		rc = store_stats(&snap, st);
	store_read_end(&snap);
	return rc;
}

/*
 * 503 while the store cannot be read, and once it has met damage (a read,
 * a batch or the scrub: ingest is refused from then on), with the reason.
 */
static void on_healthz(struct http *h, struct evhttp_request *req, const char *query)
{
	struct store_stats st;
	char why[256];
	(void)query;
	if (store_damaged(h->store, why, sizeof(why))) {
		send_json(req, 503, "Service Unavailable",
			  json_pack("{s:s, s:s}", "status", "damaged", "error", why));
		return;
	}
	if (stats(h, &st)) {
		send_error_json(req, 503, "Service Unavailable", "store: unreadable");
		return;
	}
	send_json(req, 200, "OK", json_pack("{s:s, s:I}", "status", "ok", "events",
					    (json_int_t)st.events));
}

static void on_metrics(struct http *h, struct evhttp_request *req, const char *query)
{
	struct store_stats st;
	(void)query;
	struct evbuffer *out = evbuffer_new();
	struct scrub_status ss;
	scrub_status(h->scrub, &ss);
	metrics_render(h->m, stats(h, &st) == 0 ? &st : NULL, &ss, store_damaged(h->store, NULL, 0),
		       out);
	struct upstream_status us;
	upstream_status(h->upstream, &us);
	upstream_render(&us, out);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static json_t *villages_json(const struct villages *v)
{
	json_t *list = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "code", v->v[i].code, "name",
						      v->v[i].name));
	return list;
}

/*
 * GET /v1/villages: the configured list, for the dashboard's labels; at a
 * county, ?township=CODE: that township's own, as it forwarded them
 * (empty, with "name" "", for one that never did).
 */
static void on_villages(struct http *h, struct evhttp_request *req, const char *query)
{
	char township[SCOPE_TOWNSHIP_MAX + 1], msg[128];
	if (httpquery_township(query, township, msg, sizeof(msg))) {
		send_error_json(req, 400, "Bad Request", msg);
		return;
	}
	if (!township[0]) {
		send_json(req, 200, "OK", json_pack("{s:o}", "villages", villages_json(h->villages)));
		return;
	}
	struct townnames *tn = xmalloc(sizeof(*tn));
	struct store_snap snap;
	int rc = store_read_begin(h->store, &snap);
	if (!rc)
		rc = store_township_names(&snap, township, tn);
	store_read_end(&snap);
	if (rc && rc != LT_ENOTFOUND)
		send_store_error(h, req, rc);
	else
		send_json(req, 200, "OK",
			  json_pack("{s:s, s:s, s:o}", "township", township, "name", tn->name,
				    "villages", villages_json(&tn->villages)));
	free(tn);
}

struct townships_arg {
	const struct store_snap *snap;
	struct townnames *tn;
	json_t *list;
	int rc;
};

static int township_fn(const char *township, void *arg)
{
	struct townships_arg *a = arg;
	int rc = store_township_names(a->snap, township, a->tn);
	if (rc && rc != LT_ENOTFOUND)
		return a->rc = rc;
	json_array_append_new(a->list, json_pack("{s:s, s:s}", "township", township, "name",
						 a->tn->name));
	return 0;
}

/*
 * GET /v1/townships: at a county, the townships with figures, by code,
 * each with its name as it forwarded it ("" if it never did); [] at a
 * township.
 */
static void on_townships(struct http *h, struct evhttp_request *req, const char *query)
{
	if (query && *query) {
		send_error_json(req, 400, "Bad Request", "query string: /v1/townships takes no parameters");
		return;
	}
	struct store_snap snap;
	struct townships_arg a = {&snap, xmalloc(sizeof(*a.tn)), json_array(), 0};
	int rc = store_read_begin(h->store, &snap);
	if (!rc)
		rc = store_townships(&snap, township_fn, &a);
	store_read_end(&snap);
	if (rc) {
		json_decref(a.list);
		send_store_error(h, req, a.rc ? a.rc : rc);
	} else {
		send_json(req, 200, "OK", json_pack("{s:o}", "townships", a.list));
	}
	free(a.tn);
}

/* GET / and /static/...: the dashboard, from memory (assets.h). */
static void on_asset(struct http *h, struct evhttp_request *req, const char *query)
{
	(void)h, (void)query;
	const struct asset *a = assets_find(evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)));
	if (!a) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_reference(out, a->data, (size_t)(a->end - a->data), NULL, NULL);
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	evhttp_add_header(hd, "Content-Type", a->content_type);
	evhttp_add_header(hd, "Cache-Control", a->cache_control);
	evhttp_add_header(hd, "Content-Security-Policy", ASSETS_CSP);
	evhttp_add_header(hd, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(hd, "Referrer-Policy", "no-referrer");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

/* GET /v1/stream: Server-Sent Events, one after each (coalesced) commit. */
static void on_stream(struct http *h, struct evhttp_request *req, const char *query)
{
	(void)query;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
				  "text/event-stream; charset=utf-8");
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	stream_attach(h->stream, req);
}

/*
 * The data of a stream event: the current year in the township's zone
 * (the dashboard follows it across New Year), the events stored, the time.
 */
static int stream_data(char *buf, size_t len, void *arg)
{
	struct http *h = arg;
	struct store_stats st;
	int64_t now = (int64_t)time(NULL);
	uint16_t year;
	uint8_t month;
	tally_year_month(now, store_tz_offset(h->store), &year, &month);
	if (stats(h, &st) != 0)
		return snprintf(buf, len, "{\"year\":%u,\"time\":%lld}", (unsigned)year,
				(long long)now);
	return snprintf(buf, len, "{\"year\":%u,\"events\":%llu,\"time\":%lld}",
			(unsigned)year, (unsigned long long)st.events, (long long)now);
}

/* The office's views: the report, senders, CSV exports (officehttp.h). */
static void on_office(struct http *h, struct evhttp_request *req, const char *query)
{
	(void)query;
	if (!h->office) {
		send_error_json(req, 503, "Service Unavailable", "the office's views are not set up");
		return;
	}
	officehttp_handle(h->office, req);
}

static const struct route {
	const char *path;
	void (*fn)(struct http *h, struct evhttp_request *req, const char *query);
} routes[] = {
	{"/v1/totals", on_totals},
	{"/healthz", on_healthz},
	{"/metrics", on_metrics},
	{"/v1/villages", on_villages},
	{"/v1/townships", on_townships},
	{"/v1/stream", on_stream},
	{"/", on_asset},
	{"/static/dashboard.js", on_asset},
	{"/static/dashboard.css", on_asset},
	{"/static/chart.js", on_asset},
	{"/v1/report", on_office},
	{"/v1/senders", on_office},
	{"/v1/export/totals.csv", on_office},
	{"/v1/export/totals.xlsx", on_office},
	{"/v1/export/events.csv", on_office},
};

static void on_request(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	httplisten_serving(h->listen, req);
	char msg[96];
	if (httpquery_headers(evhttp_request_get_input_headers(req), msg, sizeof(msg))) {
		/* where this request ends is in doubt: none other is read after it */
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		send_error_json(req, 400, "Bad Request", msg);
		return;
	}
	if (!httpauth_check(&h->auth, evhttp_find_header(evhttp_request_get_input_headers(req),
							 "Authorization"))) {
		/* browsers answer the Basic challenge; programs send the bearer token */
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Basic realm=\"lawtally\", charset=\"UTF-8\"");
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer realm=\"lawtally\"");
		send_error_json(req, 401, "Unauthorized", "a bearer token is required");
		return;
	}
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	for (size_t i = 0; path && i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) == 0) {
			routes[i].fn(h, req, evhttp_uri_get_query(uri));
			return;
		}
	}
	send_error_json(req, 404, "Not Found", "no such resource");
}

/* Splits "host:port" or "[v6]:port". Returns 0 or LT_EINVAL. */
static int split_listen(const char *listen, char *host, size_t hostlen, unsigned *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return LT_EINVAL;
	const char *h = listen, *hend = colon;
	if (*h == '[') {
		if (hend[-1] != ']')
			return LT_EINVAL;
		h++, hend--;
	}
	if ((size_t)(hend - h) >= hostlen)
		return LT_EINVAL;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	char *end;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p > 65535)
		return LT_EINVAL;
	*port = (unsigned)p;
	return 0;
}

int http_start(struct http **out, struct event_base *base, const struct http_options *o,
	       struct store *store, const struct villages *villages, struct metrics *metrics,
	       char *err, size_t errlen)
{
	char host[128];
	unsigned port;
	if (split_listen(o->listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "http: listen address '%s' is not host:port", o->listen);
		return LT_EINVAL;
	}
	/* libevent would resolve it too, but not say why it could not */
	struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *ai;
	int grc = getaddrinfo(host, NULL, &hints, &ai);
	if (grc) {
		snprintf(err, errlen, "http: cannot listen on %s: %s", o->listen,
			 grc == EAI_SYSTEM ? strerror(errno) : gai_strerror(grc));
		return LT_EINVAL;
	}
	freeaddrinfo(ai);
	struct http *h = xcalloc(1, sizeof(*h));
	h->ev = evhttp_new(base);
	h->store = store;
	h->villages = villages;
	h->m = metrics;
	evhttp_set_max_headers_size(h->ev, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(h->ev, HTTP_BODY_MAX);
	/* between reads and writes; httplisten bounds a whole request */
	evhttp_set_timeout(h->ev, (int)o->timeout_s);
	evhttp_set_allowed_methods(h->ev, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(h->ev, on_request, h);
	struct httplisten_options lo = {host, port, o->connections_max, o->timeout_s};
	int rc = httplisten_start(&h->listen, base, h->ev, &lo, metrics, err, errlen);
	if (rc) {
		http_close(&h);
		return rc;
	}
	h->stream = stream_new(base, h->listen, stream_data, h);
	snprintf(h->address, sizeof(h->address), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
		 httplisten_port(h->listen));
	*out = h;
	return 0;
}

const char *http_address(const struct http *h)
{
	return h->address;
}

void http_set_villages(struct http *h, const struct villages *villages)
{
	h->villages = villages;
}

void http_set_upstream(struct http *h, struct upstream *u)
{
	h->upstream = u;
}

void http_set_scrub(struct http *h, struct scrub *sc)
{
	h->scrub = sc;
}

void http_set_office(struct http *h, struct office *office)
{
	h->office = office;
}

void http_notify_commit(struct http *h)
{
	stream_notify(h->stream);
}

int http_set_token(struct http *h, const char *token_file, char *err, size_t errlen)
{
	return httpauth_load(&h->auth, token_file, h->address, err, errlen);
}

void http_close(struct http **hp)
{
	struct http *h = *hp;
	if (!h)
		return;
	stream_free(&h->stream); /* before evhttp_free: it ends the open replies */
	if (h->ev)
		evhttp_free(h->ev);
	httplisten_free(&h->listen); /* after: closing the connections gives back their slots */
	query_rows_free(&h->rows);
	free(h);
	*hp = NULL;
}
