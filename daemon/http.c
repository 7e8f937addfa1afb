/* http.c - read-only HTTP: totals, health, metrics (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "err.h"
#include "log.h"
#include "query.h"
#include "reply.h"

#define HTTP_HEADERS_MAX 8192
#define HTTP_BODY_MAX 1024
#define HTTP_QUERY_MAX 512

struct http {
	struct evhttp *ev;
	struct store *store;
	const struct villages *villages;
	struct metrics *m;
	char address[160];
	struct query_rows rows;
};

static void send_json(struct evhttp_request *req, int code, const char *reason, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(body);
	if (!out || !text) {
		free(text);
		if (out)
			evbuffer_free(out);
		evhttp_send_error(req, 500, "Out of memory");
		return;
	}
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

/* GET /v1/totals?year=Y[&metric=M][&by=D][&village=V] */
static void on_totals(struct http *h, struct evhttp_request *req, const char *query)
{
	struct evkeyvalq params;
	TAILQ_INIT(&params);
	if (query && (strlen(query) > HTTP_QUERY_MAX || evhttp_parse_query_str(query, &params))) {
		send_error_json(req, 400, "Bad Request", "query string: malformed or too long");
		return;
	}
	const char *year = NULL, *metric = NULL, *by = NULL, *village = NULL, *bad = NULL;
	for (struct evkeyval *kv = params.tqh_first; kv; kv = kv->next.tqe_next) {
		const char **slot = strcmp(kv->key, "year") == 0 ? &year
				  : strcmp(kv->key, "metric") == 0 ? &metric
				  : strcmp(kv->key, "by") == 0 ? &by
				  : strcmp(kv->key, "village") == 0 ? &village : NULL;
		if (!slot || *slot)
			bad = kv->key;
		else
			*slot = kv->value;
	}
	char *end = NULL;
	unsigned long y = year ? strtoul(year, &end, 10) : 0;
	const char *why = NULL;
	struct query_spec spec;
	char msg[128];
	if (bad) {
		snprintf(msg, sizeof(msg), "%.40s: unknown or repeated parameter", bad);
		why = msg;
	} else if (!year || !*year || *end || y > 9999) {
		why = "year: required, 2000-2200";
	} else {
		query_spec_parse(&spec, (unsigned)y, metric, by, village, h->villages, &why);
	}
	if (why) {
		send_error_json(req, 400, "Bad Request", why);
		evhttp_clear_headers(&params);
		return;
	}
	Lawtally__V1__QueryReply rep;
	h->m->queries_http++;
	if (query_run(h->store, &spec, &h->rows) || reply_from_rows(&rep, &spec, &h->rows)) {
		send_error_json(req, 500, "Internal Server Error", "store: query failed");
	} else {
		send_json(req, 200, "OK", reply_to_json(&rep, spec.year, metric, by, village));
		reply_clear(&rep);
	}
	evhttp_clear_headers(&params);
}

static void on_healthz(struct http *h, struct evhttp_request *req, const char *query)
{
	struct store_stats st;
	(void)query;
	if (store_stats(h->store, &st)) {
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
	if (!out) {
		evhttp_send_error(req, 500, "Out of memory");
		return;
	}
	metrics_render(h->m, store_stats(h->store, &st) == 0 ? &st : NULL, out);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static const struct route {
	const char *path;
	void (*fn)(struct http *h, struct evhttp_request *req, const char *query);
} routes[] = {
	{"/v1/totals", on_totals},
	{"/healthz", on_healthz},
	{"/metrics", on_metrics},
};

static void on_request(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
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

int http_start(struct http **out, struct event_base *base, const char *listen,
	       unsigned timeout_s, struct store *store, const struct villages *villages,
	       struct metrics *metrics, char *err, size_t errlen)
{
	char host[128];
	unsigned port;
	if (split_listen(listen, host, sizeof(host), &port)) {
		snprintf(err, errlen, "http: listen address '%s' is not host:port", listen);
		return LT_EINVAL;
	}
	struct http *h = calloc(1, sizeof(*h));
	if (!h || !(h->ev = evhttp_new(base))) {
		free(h);
		snprintf(err, errlen, "http: out of memory");
		return LT_ENOMEM;
	}
	h->store = store;
	h->villages = villages;
	h->m = metrics;
	evhttp_set_max_headers_size(h->ev, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(h->ev, HTTP_BODY_MAX);
	evhttp_set_timeout(h->ev, (int)timeout_s);
	evhttp_set_allowed_methods(h->ev, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(h->ev, on_request, h);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(h->ev, host, (uint16_t)port);
	if (!bs) {
		snprintf(err, errlen, "http: cannot listen on %s", listen);
		http_close(&h);
		return LT_ESYS;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned bound = port;
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) == 0)
		bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						      : ((struct sockaddr_in *)&ss)->sin_port);
	snprintf(h->address, sizeof(h->address), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
		 bound);
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

void http_close(struct http **hp)
{
	struct http *h = *hp;
	if (!h)
		return;
	if (h->ev)
		evhttp_free(h->ev);
	query_rows_free(&h->rows);
	free(h);
	*hp = NULL;
}
