/*
 * httpquery.h - what an HTTP request says, read strictly: the query string
 * of every resource, the parameters of GET /v1/totals, and the headers
 * that must come once.
 *
 * Pure (no I/O): the decoding and every check of a query string happen
 * here, so that they can be tested and fuzzed without a server.
 */
#ifndef LAWTALLY_HTTPQUERY_H
#define LAWTALLY_HTTPQUERY_H

#include <stddef.h>

#include "query.h"
#include "villages.h"

/* Longest query string read, in bytes. */
#define HTTPQUERY_MAX 512
/* Longest parameter value kept; longer ones fail the query's own checks. */
#define HTTPQUERY_VALUE_MAX 64

struct httpquery_totals {
	struct query_spec spec;
	/* the parameters as given, for the reply; NULL when absent */
	const char *metric, *by, *village;
	char metric_buf[HTTPQUERY_VALUE_MAX + 1];
	char by_buf[HTTPQUERY_VALUE_MAX + 1];
	char village_buf[HTTPQUERY_VALUE_MAX + 1];
};

/*
 * Decodes a query string of at most max bytes (query may be NULL: no
 * parameters) into params (initialised by the caller, cleared by it with
 * evhttp_clear_headers in any case). A %00 is refused: decoded, a NUL
 * would cut the value short without a word ("year=2026%00" reading as
 * 2026). Returns 0, or LT_EINVAL with the reason for the 400 in msg.
 */
struct evkeyvalq;
int httpquery_params(const char *query, size_t max, struct evkeyvalq *params, char *msg,
		     size_t msglen);

/*
 * Headers a request may carry once at most (Host, Authorization,
 * Content-Length, Content-Type, Transfer-Encoding): with two, which one
 * counts depends on who reads them (a proxy, evhttp, us). Returns 0, or
 * LT_EINVAL with "NAME: given more than once" in msg.
 */
int httpquery_headers(const struct evkeyvalq *headers, char *msg, size_t msglen);

/*
 * Parses "year=Y[&metric=M][&by=D][&village=V]" (query may be NULL) into
 * out. Returns 0, or LT_EINVAL with the reason for the 400 reply in msg,
 * e.g. "year: required, 2000-2200" or "colour: unknown or repeated parameter".
 */
int httpquery_totals(const char *query, const struct villages *villages,
		     struct httpquery_totals *out, char *msg, size_t msglen);

/*
 * Parses "[township=CODE]" (query may be NULL) into township ("" when not
 * given). Returns 0, or LT_EINVAL with the reason in msg.
 */
int httpquery_township(const char *query, char township[SCOPE_TOWNSHIP_MAX + 1], char *msg,
		       size_t msglen);

#endif
