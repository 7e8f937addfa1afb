/*
 * office.h - the township office's views, rendered from the store: the
 * year-end report, the monthly mediation statistics, completeness per
 * sender, CSV exports, and closing a year.
 *
 * The same view is asked for over HTTP (officehttp.h) or over the ZeroMQ
 * query endpoint (QueryRequest.view) and gives the same bytes. This module
 * gathers the figures (live totals, an as-of recount, a closed year's
 * snapshot) and hands them to the pure renderers (report.h, monthly.h,
 * export.h). It owns the report templates: config/report.zh.txt and
 * config/report.en.txt are built in; [report] templates names a directory
 * whose report.LANG.txt replace them, read at start and on SIGHUP.
 *
 * Office-only views (the raw events, closing a year) are answered only
 * when the caller says the peer is trusted: an office key with auth on,
 * a loopback peer with auth off.
 */
#ifndef LAWTALLY_OFFICE_H
#define LAWTALLY_OFFICE_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "sbuf.h"
#include "store.h"
#include "villages.h"

struct office;

struct office_options {
	const char *templates_dir;  /* "" : the built-in templates */
	unsigned silent_days;       /* senders silent longer are flagged */
};

/* Events read per page of the events export. */
#define OFFICE_EVENTS_PAGE 1000
/* Most senders listed. */
#define OFFICE_SENDERS_MAX 4096

/*
 * Loads the templates. Returns 0, or LT_EINVAL / LT_ESYS with one line in
 * err naming the file, line and column ("report.zh.txt:12:5: unknown
 * metric 'x'").
 */
int office_new(struct office **out, struct store *store, const struct villages *villages,
	       const struct office_options *opts, char *err, size_t errlen);

/*
 * Re-reads the templates with new options (SIGHUP): all or nothing; on an
 * error the office keeps what it had. Returns 0 or an LT_E* code with err.
 */
int office_reload(struct office *o, const struct office_options *opts, char *err, size_t errlen);

/* Checks a templates directory without an office (lawtallyd --check-config). */
int office_check_templates(const char *templates_dir, char *err, size_t errlen);

void office_set_villages(struct office *o, const struct villages *villages);
void office_free(struct office **o);

/* What a view needs, from a View message or an HTTP query string. */
struct office_request {
	Lawtally__V1__View__Kind kind;
	unsigned year;                /* 0: the current year */
	const char *lang, *format;    /* NULL or "": zh, text */
	const char *as_of, *month;    /* NULL or "": none */
	const char *metric, *by;      /* KIND_TOTALS_CSV */
	const char *village;          /* KIND_MONTHLY: one committee's form; NULL or "": all */
	uint64_t cursor;              /* KIND_EVENTS_CSV */
	int trusted;                  /* the peer may have office-only views */
	int accept_gaps;              /* KIND_CLOSE_YEAR: close with things missing */
	/* at a county: one township's figures (report, monthly, totals); NULL or "": the county's */
	const char *township;
};

struct office_result {
	int http_status;              /* 200, 400, 403, 404, 409, 500, 503 */
	char error[200];              /* with a status other than 200 */
	const char *content_type;
	uint64_t next_cursor;         /* KIND_EVENTS_CSV: 0 after the last page */
};

/*
 * Renders the view into out (its maximum bounds the document). Returns 0
 * with res->http_status 200, or an LT_E* code with res->http_status and
 * res->error saying what went wrong in one line.
 */
int office_view(struct office *o, const struct office_request *rq, struct sbuf *out,
		struct office_result *res);

/*
 * Answers a QueryRequest with a view: fills rep->document (pointing into
 * doc, which must outlive rep), content_type, next_cursor, or rep->error.
 */
void office_query(struct office *o, const Lawtally__V1__QueryRequest *req, int trusted,
		  struct sbuf *doc, Lawtally__V1__QueryReply *rep, char *errbuf, size_t errlen);

#endif
