/*
 * httpquery.c - query strings, GET /v1/totals parameters and single
 * headers (see httpquery.h).
 */
#include "httpquery.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "err.h"
#include "scope.h"

int httpquery_params(const char *query, size_t max, struct evkeyvalq *params, char *msg,
		     size_t msglen)
{
	if (!query)
		return 0;
	if (strlen(query) > max || evhttp_parse_query_str(query, params)) {
		snprintf(msg, msglen, "query string: malformed or too long");
		return LT_EINVAL;
	}
	for (const char *p = query; (p = strchr(p, '%')) != NULL; p++) {
		if (p[1] == '0' && p[2] == '0') {
			snprintf(msg, msglen, "query string: a NUL byte (%%00) in a parameter");
			return LT_EINVAL;
		}
	}
	return 0;
}

int httpquery_headers(const struct evkeyvalq *headers, char *msg, size_t msglen)
{
	static const char *const single[] = {"Host", "Authorization", "Content-Length",
					     "Content-Type", "Transfer-Encoding"};
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		int seen = 0;
		for (const struct evkeyval *kv = headers->tqh_first; kv; kv = kv->next.tqe_next)
			seen += strcasecmp(kv->key, single[i]) == 0;
		if (seen > 1) {
			snprintf(msg, msglen, "%s: given more than once", single[i]);
			return LT_EINVAL;
		}
	}
	return 0;
}

/* The parameters: where each value goes, in table order. */
enum param { P_YEAR, P_METRIC, P_BY, P_VILLAGE, P_TOWNSHIP, P_COUNT };
static const char *const param_names[P_COUNT] = {"year", "metric", "by", "village", "township"};

/* Reads the decoded parameters into vals; 0, or LT_EINVAL with msg. */
static int read_params(const struct evkeyvalq *params, const char *vals[P_COUNT], char *msg,
		       size_t msglen)
{
	for (const struct evkeyval *kv = params->tqh_first; kv; kv = kv->next.tqe_next) {
		int p = -1;
		for (int i = 0; i < P_COUNT; i++)
			if (strcmp(kv->key, param_names[i]) == 0)
				p = i;
		if (p < 0 || vals[p]) {
			snprintf(msg, msglen, "%.40s: unknown or repeated parameter", kv->key);
			return LT_EINVAL;
		}
		vals[p] = kv->value;
	}
	return 0;
}

/* Copies v (or NULL) into buf, which holds it (lengths are checked before). */
static const char *keep(const char *v, char *buf, size_t len)
{
	if (!v)
		return NULL;
	snprintf(buf, len, "%s", v);
	return buf;
}

int httpquery_totals(const char *query, const struct villages *villages,
		     struct httpquery_totals *out, char *msg, size_t msglen)
{
	struct evkeyvalq params;
	const char *vals[P_COUNT] = {NULL};
	const char *why = NULL;
	int rc = LT_EINVAL;
	TAILQ_INIT(&params);
	memset(out, 0, sizeof(*out));
	if (httpquery_params(query, HTTPQUERY_MAX, &params, msg, msglen))
		goto clear_params;
	if (read_params(&params, vals, msg, msglen))
		goto clear_params;
	const char *year = vals[P_YEAR];
	char *end = NULL;
	unsigned long y = year ? strtoul(year, &end, 10) : 0;
	/* digits only: strtoul would take blanks and a sign */
	if (!year || year[0] < '0' || year[0] > '9' || *end || y > 9999) {
		snprintf(msg, msglen, "year: required, 2000-2200");
		goto clear_params;
	}
	for (int i = P_METRIC; i < P_COUNT; i++) {
		if (vals[i] && strlen(vals[i]) > HTTPQUERY_VALUE_MAX) {
			snprintf(msg, msglen, "%s: longer than %d bytes", param_names[i],
				 HTTPQUERY_VALUE_MAX);
			goto clear_params;
		}
	}
	out->metric = keep(vals[P_METRIC], out->metric_buf, sizeof(out->metric_buf));
	out->by = keep(vals[P_BY], out->by_buf, sizeof(out->by_buf));
	out->village = keep(vals[P_VILLAGE], out->village_buf, sizeof(out->village_buf));
	/* a township's villages at a county are its own: their codes' form is checked */
	if (query_spec_parse(&out->spec, (unsigned)y, out->metric, out->by, out->village,
			     vals[P_TOWNSHIP] && *vals[P_TOWNSHIP] ? NULL : villages, &why) != 0 ||
	    query_spec_township(&out->spec, vals[P_TOWNSHIP], &why) != 0) {
		snprintf(msg, msglen, "%s", why);
		goto clear_params;
	}
	rc = 0;
clear_params:
	evhttp_clear_headers(&params);
	return rc;
}

int httpquery_township(const char *query, char township[SCOPE_TOWNSHIP_MAX + 1], char *msg,
		       size_t msglen)
{
	struct evkeyvalq params;
	int rc = LT_EINVAL;
	TAILQ_INIT(&params);
	township[0] = '\0';
	if (httpquery_params(query, HTTPQUERY_MAX, &params, msg, msglen))
		goto clear_params;
	for (const struct evkeyval *kv = params.tqh_first; kv; kv = kv->next.tqe_next) {
		if (strcmp(kv->key, "township") != 0 || township[0]) {
			snprintf(msg, msglen, "%.40s: unknown or repeated parameter", kv->key);
			goto clear_params;
		}
		if (!scope_township_valid(kv->value)) {
			snprintf(msg, msglen, "township: not a township code (1-12 of A-Z a-z 0-9 _ -)");
			goto clear_params;
		}
		snprintf(township, SCOPE_TOWNSHIP_MAX + 1, "%s", kv->value);
	}
	rc = 0;
clear_params:
	evhttp_clear_headers(&params);
	return rc;
}
