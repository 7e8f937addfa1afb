/*
 * officehttp.c - the office's views over HTTP (see officehttp.h): the
 * query string into an office_request, the document into the reply.
 */
#include "officehttp.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "docx.h"
#include "err.h"
#include "httpquery.h"
#include "log.h"
#include "peer.h"

#define OFFICEHTTP_QUERY_MAX 512
/* The events export is built whole: at most this much (a township's years fit easily). */
#define OFFICEHTTP_EXPORT_MAX ((size_t)64 << 20)
#define OFFICEHTTP_DOC_MAX ((size_t)8 << 20)

enum param { P_YEAR, P_LANG, P_FORMAT, P_AS_OF, P_MONTH, P_METRIC, P_BY, P_VILLAGE, P_TOWNSHIP,
	     P_COUNT };
static const char *const param_names[P_COUNT] = {"year", "lang", "format", "as_of", "month",
						 "metric", "by", "village", "township"};
#define BIT(p) (1u << (p))

static const struct route {
	const char *path;
	Lawtally__V1__View__Kind kind;
	unsigned params;    /* the parameters it takes */
	const char *format; /* the format the path names, or NULL */
	const char *file;   /* the file name a download is saved as, or NULL */
} routes[] = {
	{"/v1/report", LAWTALLY__V1__VIEW__KIND__KIND_REPORT,
	 BIT(P_YEAR) | BIT(P_LANG) | BIT(P_FORMAT) | BIT(P_AS_OF) | BIT(P_MONTH) | BIT(P_VILLAGE) |
		 BIT(P_TOWNSHIP),
	 NULL, NULL},
	{"/v1/senders", LAWTALLY__V1__VIEW__KIND__KIND_SENDERS,
	 BIT(P_YEAR) | BIT(P_LANG) | BIT(P_FORMAT), NULL, NULL},
	{"/v1/export/totals.csv", LAWTALLY__V1__VIEW__KIND__KIND_TOTALS_CSV,
	 BIT(P_YEAR) | BIT(P_METRIC) | BIT(P_BY) | BIT(P_LANG) | BIT(P_TOWNSHIP), NULL,
	 "lawtally-totals.csv"},
	{"/v1/export/totals.xlsx", LAWTALLY__V1__VIEW__KIND__KIND_TOTALS_CSV,
	 BIT(P_YEAR) | BIT(P_LANG) | BIT(P_MONTH) | BIT(P_TOWNSHIP), "xlsx", "lawtally-totals.xlsx"},
	{"/v1/export/events.csv", LAWTALLY__V1__VIEW__KIND__KIND_EVENTS_CSV,
	 BIT(P_YEAR) | BIT(P_TOWNSHIP), NULL, "lawtally-events.csv"},
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

/* 1 if the request came from this machine (peer.h). */
static int from_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port;
	if (!c)
		return 0;
	evhttp_connection_get_peer(c, &addr, &port);
	return peer_is_loopback(addr);
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
	if (v[P_MONTH] && r->kind == LAWTALLY__V1__VIEW__KIND__KIND_REPORT)
		rq->kind = LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY;
	if (v[P_VILLAGE] && rq->kind != LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY) {
		snprintf(msg, msglen, "village: only with month (the monthly statistics)");
		return -1;
	}
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
	rq->township = v[P_TOWNSHIP];
	rq->format = r->format ? r->format : v[P_FORMAT];
	rq->as_of = v[P_AS_OF];
	rq->month = v[P_MONTH];
	rq->metric = v[P_METRIC];
	rq->by = v[P_BY];
	rq->village = v[P_VILLAGE];
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
	/* libevent allocates through xalloc.h: a fresh buffer takes what memory holds */
	struct evbuffer *out = evbuffer_new();
	evbuffer_add(out, sbuf_text(&doc), doc.len);
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	evhttp_add_header(hd, "Content-Type", res.content_type);
	evhttp_add_header(hd, "Cache-Control", "no-store");
	/* a page to print: its own style, no script, nothing from elsewhere */
	if (strncmp(res.content_type, "text/html", 9) == 0)
		evhttp_add_header(hd, "Content-Security-Policy",
				  "default-src 'none'; style-src 'unsafe-inline'");
	const char *file = r->file;
	if (strcmp(res.content_type, DOCX_CONTENT_TYPE) == 0)
		file = rq.kind == LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY ? "lawtally-monthly.docx"
									 : "lawtally-report.docx";
	if (file) {
		char cd[96];
		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", file);
		evhttp_add_header(hd, "Content-Disposition", cd);
	}
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	sbuf_free(&doc);
}
