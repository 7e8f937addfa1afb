/*
 * officehttp.c - the office's views over HTTP (see officehttp.h): the
 * query string into an office_request, the document into the reply.
 */
#include "officehttp.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "err.h"
#include "httpquery.h"
#include "log.h"

#define OFFICEHTTP_QUERY_MAX 512
/* The events export is built whole: at most this much (a township's years fit easily). */
#define OFFICEHTTP_EXPORT_MAX ((size_t)64 << 20)
#define OFFICEHTTP_DOC_MAX ((size_t)8 << 20)

enum param { P_YEAR, P_LANG, P_FORMAT, P_AS_OF, P_MONTH, P_METRIC, P_BY, P_COUNT };
static const char *const param_names[P_COUNT] = {"year", "lang", "format", "as_of",
						 "month", "metric", "by"};
#define BIT(p) (1u << (p))

static const struct route {
	const char *path;
	Lawtally__V1__View__Kind kind;
	unsigned params;    /* the parameters it takes */
} routes[] = {
	{"/v1/report", LAWTALLY__V1__VIEW__KIND__KIND_REPORT,
	 BIT(P_YEAR) | BIT(P_LANG) | BIT(P_FORMAT) | BIT(P_AS_OF) | BIT(P_MONTH)},
	{"/v1/senders", LAWTALLY__V1__VIEW__KIND__KIND_SENDERS, 0},
	{"/v1/export/totals.csv", LAWTALLY__V1__VIEW__KIND__KIND_TOTALS_CSV,
	 BIT(P_YEAR) | BIT(P_METRIC) | BIT(P_BY) | BIT(P_LANG)},
	{"/v1/export/events.csv", LAWTALLY__V1__VIEW__KIND__KIND_EVENTS_CSV, BIT(P_YEAR)},
};

static const struct route *find(const char *path)
{
	for (size_t i = 0; path && i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(path, routes[i].path) == 0)
			return &routes[i];
	return NULL;
}

int officehttp_route(const char *path)
{
	return find(path) != NULL;
}

static void send_error(struct evhttp_request *req, int code, const char *msg)
{
	static const struct {
		int code;
		const char *reason;
	} reasons[] = {
		{400, "Bad Request"}, {403, "Forbidden"}, {404, "Not Found"}, {409, "Conflict"},
		{500, "Internal Server Error"}, {503, "Service Unavailable"},
	};
	const char *reason = "Error";
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			reason = reasons[i].reason;
	struct evbuffer *out = evbuffer_new();
	if (!out) {
		evhttp_send_error(req, 500, "Out of memory");
		return;
	}
	/* one JSON string: anything but plain printable ASCII becomes '?' */
	evbuffer_add(out, "{\"error\":\"", 10);
	for (const char *s = msg; *s; s++) {
		char c = *s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ||
				 (unsigned char)*s >= 0x7f ? '?' : *s;
		evbuffer_add(out, &c, 1);
	}
	evbuffer_add(out, "\"}\n", 3);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

/* 1 if the request came from this machine (127.0.0.0/8, ::1, ::ffff:127.x). */
static int from_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port;
	struct in_addr a4;
	struct in6_addr a6;
	if (!c)
		return 0;
	evhttp_connection_get_peer(c, &addr, &port);
	if (!addr)
		return 0;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return 0;
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return IN6_IS_ADDR_LOOPBACK(&a6) ||
	       (memcmp(a6.s6_addr, v4mapped, 12) == 0 && a6.s6_addr[12] == 127);
}

/* Fills rq from the query string; returns 0, or -1 with msg for the 400. */
static int parse(const struct route *r, const char *query, struct evkeyvalq *params,
		 struct office_request *rq, char *msg, size_t msglen)
{
	const char *v[P_COUNT] = {0};
	if (httpquery_params(query, OFFICEHTTP_QUERY_MAX, params, msg, msglen))
		return -1;
	for (struct evkeyval *kv = params->tqh_first; kv; kv = kv->next.tqe_next) {
		int p = 0;
		while (p < P_COUNT && strcmp(kv->key, param_names[p]) != 0)
			p++;
		if (p == P_COUNT || !(r->params & BIT(p)) || v[p]) {
			snprintf(msg, msglen, "%.40s: unknown or repeated parameter", kv->key);
			return -1;
		}
		v[p] = kv->value;
	}
	memset(rq, 0, sizeof(*rq));
	rq->kind = r->kind;
	if (v[P_MONTH])
		rq->kind = LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY;
	if (v[P_YEAR]) {
		char *end;
		unsigned long y = strtoul(v[P_YEAR], &end, 10);
		if (!*v[P_YEAR] || *end || y > 9999 || v[P_YEAR][0] == '-' || v[P_YEAR][0] == '+') {
			snprintf(msg, msglen, "year: 2000-2200");
			return -1;
		}
		rq->year = (unsigned)y;
		if (rq->year == 0) {
			snprintf(msg, msglen, "year: 2000-2200");
			return -1;
		}
	}
	rq->lang = v[P_LANG];
	rq->format = v[P_FORMAT];
	rq->as_of = v[P_AS_OF];
	rq->month = v[P_MONTH];
	rq->metric = v[P_METRIC];
	rq->by = v[P_BY];
	return 0;
}

void officehttp_handle(struct office *o, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const struct route *r = find(uri ? evhttp_uri_get_path(uri) : NULL);
	struct evkeyvalq params;
	struct office_request rq;
	struct office_result res;
	struct sbuf doc;
	char msg[128];
	TAILQ_INIT(&params);
	if (!r) {
		send_error(req, 404, "no such resource");
		return;
	}
	if (parse(r, evhttp_uri_get_query(uri), &params, &rq, msg, sizeof(msg)) != 0) {
		evhttp_clear_headers(&params);
		send_error(req, 400, msg);
		return;
	}
	int events = rq.kind == LAWTALLY__V1__VIEW__KIND__KIND_EVENTS_CSV;
	rq.trusted = from_loopback(req);
	sbuf_init(&doc, events ? OFFICEHTTP_EXPORT_MAX : OFFICEHTTP_DOC_MAX);
	struct sbuf page;
	sbuf_init(&page, OFFICEHTTP_DOC_MAX);
	int rc;
	/* the events export: every page, one after the other */
	do {
		rc = office_view(o, &rq, events ? &page : &doc, &res);
		if (!rc && events) {
			sbuf_put(&doc, sbuf_text(&page), page.len);
			if (sbuf_status(&doc)) {
				rc = LT_EFULL;
				res.http_status = 500;
				snprintf(res.error, sizeof(res.error),
					 "events export: more than %zu MiB; use lawtally export --events",
					 OFFICEHTTP_EXPORT_MAX >> 20);
			}
			rq.cursor = res.next_cursor;
		}
	} while (!rc && events && rq.cursor);
	evhttp_clear_headers(&params);
	sbuf_free(&page);
	if (rc) {
		sbuf_free(&doc);
		send_error(req, res.http_status, res.error);
		return;
	}
	struct evbuffer *out = evbuffer_new();
	if (!out || evbuffer_add(out, sbuf_text(&doc), doc.len) != 0) {
		if (out)
			evbuffer_free(out);
		sbuf_free(&doc);
		evhttp_send_error(req, 500, "Out of memory");
		return;
	}
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	evhttp_add_header(hd, "Content-Type", res.content_type);
	evhttp_add_header(hd, "Cache-Control", "no-store");
	if (strstr(res.content_type, "text/csv"))
		evhttp_add_header(hd, "Content-Disposition",
				  events ? "attachment; filename=\"lawtally-events.csv\""
					 : "attachment; filename=\"lawtally-totals.csv\"");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	sbuf_free(&doc);
}
