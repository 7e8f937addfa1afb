/*
 * desk_api.h - the village desk's requests, without the network: what
 * desk.c's HTTP server hands over and sends back, so that the same code
 * is driven by browsers, the unit tests and the fuzzer.
 *
 * Routes (JSON in and out, UTF-8):
 *   GET  /                        the page (desk.html), /desk.js, /desk.css
 *   GET  /api/state               village, link, counts, labels, today; the run's token
 *   GET  /api/records             this month's records, the queued and the rejected ones
 *   GET  /api/cases               the village's open cases
 *   POST /api/records             save a record (desk_record.h)
 *   POST /api/records/SEQ/correct a record that replaces record SEQ
 *   POST /api/records/SEQ/retract withdraw record SEQ
 *   POST /api/ledger?kind=K[&commit=1]  a ledger file (CSV) as the body: each
 *                                 row's outcome; with commit=1 also saved
 *
 * Every request must come from loopback and name the desk's own address
 * in Host (no other site's name resolving to 127.0.0.1); every request to
 * /api/ but /api/state carries the run's token (X-Desk-Token); a POST
 * carries Origin equal to the desk's own, and the content type of its
 * route. A cross-site page can send none of these without the browser's
 * preflight, which the desk refuses.
 */
#ifndef LAWTALLY_DESK_API_H
#define LAWTALLY_DESK_API_H

#include <stddef.h>
#include <stdint.h>

#include "desk.h"
#include "spool.h"
#include "villages.h"

/* Bodies: a record, and a ledger file. */
#define DESK_RECORD_BODY_MAX 16384
#define DESK_LEDGER_BODY_MAX ((size_t)8 << 20)
/* Rows of a ledger whose outcome the answer lists (the counts cover them all). */
#define DESK_LEDGER_ROWS_SHOWN 2000
/* Records /api/records lists at most. */
#define DESK_RECORDS_SHOWN 1000

enum desk_method { DESK_GET, DESK_HEAD, DESK_POST, DESK_OTHER };

struct desk_request {
	enum desk_method method;
	const char *path;         /* without the query */
	const char *query;        /* NULL if none */
	const char *peer;         /* the client's address, numeric */
	/* headers, NULL when absent */
	const char *host, *origin, *token, *content_type, *fetch_site;
	const uint8_t *body;
	size_t body_len;
};

struct desk_response {
	int status;
	const char *content_type;
	const unsigned char *data; /* the body: body when owned, else static */
	size_t len;
	char *body;                /* malloc'd when the answer was made for this request */
	int cache;                 /* 1: an asset (no-cache), 0: never stored (no-store) */
};

struct desk_api;

struct desk_api_config {
	struct spool *sp;                 /* shared with the forwarder */
	const struct villages *villages;
	const char *village, *source;     /* who records */
	const char *endpoint;             /* the township's, shown on the page */
	unsigned port;                    /* the desk's own port, for Host and Origin */
	const char *token;                /* the run's token (hex) */
	struct desk_link *link;           /* the forwarder's state; may be NULL */
};

/* A handler over c (copied; the pointers must outlive it). Never NULL. */
struct desk_api *desk_api_new(const struct desk_api_config *c);

void desk_api_free(struct desk_api **a);

/* Answers rq into *rs (free with desk_response_free()), at unix time now. */
void desk_api_handle(struct desk_api *a, const struct desk_request *rq, int64_t now,
		     struct desk_response *rs);

void desk_response_free(struct desk_response *rs);

#endif
