/*
 * http.h - the read-only HTTP endpoint (libevent evhttp).
 *
 * GET /v1/totals (JSON), /healthz, /metrics (Prometheus text); the live
 * dashboard: GET / and /static/... (assets.h), /v1/villages (JSON) and
 * /v1/stream (Server-Sent Events, stream.h). Header and body sizes,
 * methods, connections and the time a request may take are bounded
 * (evhttp has no limits by default; httplisten.h).
 */
#ifndef LAWTALLY_HTTP_H
#define LAWTALLY_HTTP_H

#include <event2/event.h>

#include "metrics.h"
#include "store.h"
#include "villages.h"

struct http;

struct http_options {
	const char *listen;         /* "host:port" or "[v6addr]:port"; port 0: any free port */
	unsigned timeout_s;         /* a whole request, and between reads and writes */
	unsigned connections_max;   /* connections open at once (httplisten.h) */
};

/*
 * Listens as o says. Returns 0, or an LT_E* code with a line in err.
 */
int http_start(struct http **out, struct event_base *base, const struct http_options *o,
	       struct store *store, const struct villages *villages, struct metrics *metrics,
	       char *err, size_t errlen);

/* "127.0.0.1:8570" with the port actually bound. */
const char *http_address(const struct http *h);

void http_set_villages(struct http *h, const struct villages *villages);

/*
 * Requires the bearer token of token_file on every request (httpauth.h);
 * with token_file "", refuses (LT_EINVAL, a line in err) unless the server
 * is on loopback. Call after http_start(), before the loop runs.
 */
int http_set_token(struct http *h, const char *token_file, char *err, size_t errlen);

/* The totals changed: the dashboards hear of it within a second (stream.h). */
void http_notify_commit(struct http *h);

/* Serves the office's views (officehttp.h) from office, which must outlive h. */
struct office;
void http_set_office(struct http *h, struct office *office);

/* /metrics shows the scrub's progress (scrub.h; NULL: off); sc must outlive h. */
struct scrub;
/* Forwarding to the county, for /metrics; NULL: none. */
struct upstream;
void http_set_upstream(struct http *h, struct upstream *u);

void http_set_scrub(struct http *h, struct scrub *sc);

void http_close(struct http **h);

#endif
