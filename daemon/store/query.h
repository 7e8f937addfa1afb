/*
 * query.h - totals queries: a year, one metric or all, a breakdown.
 *
 * query_spec_parse() checks a request (pure); query_run() does one range
 * scan per metric, of the rollups that answer the request or else of the
 * totals (store.h), all in the one snapshot it is given, and folds the keys
 * into rows. Rows come sorted by metric (table order), then month, village or
 * dimension value. Without a breakdown every selected metric has a row,
 * zero included; with one, only non-zero rows appear.
 */
#ifndef LAWTALLY_QUERY_H
#define LAWTALLY_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "store.h"
#include "tally.h"
#include "villages.h"

enum query_by { BY_NONE, BY_MONTH, BY_VILLAGE, BY_DIM, BY_TOWNSHIP };

#define QUERY_YEAR_MIN 2000
#define QUERY_YEAR_MAX 2200

struct query_spec {
	int metric;            /* enum tally_metric, or -1 for every metric */
	uint16_t year;
	enum query_by by;
	char dim_name[16];     /* with BY_DIM: "category", "origin", ... */
	char village[VILLAGE_CODE_MAX + 1]; /* "" for all */
	/* at a county (query_spec_township): one township's figures; "" the county's */
	char township[SCOPE_TOWNSHIP_MAX + 1];
};

/*
 * Fills spec from a request's parts (metric and by may be "" or NULL); by
 * "township" breaks a county's figures down by township. A village must be
 * in villages, or with villages NULL (a township's at a county: its own
 * list) be a village code. Returns 0, or LT_EINVAL with *why naming the
 * field.
 */
int query_spec_parse(struct query_spec *spec, unsigned year, const char *metric,
		     const char *by, const char *village, const struct villages *villages,
		     const char **why);

/*
 * Narrows spec to one township of a county (township NULL or "": none).
 * Returns 0, or LT_EINVAL with *why for a code that is not one, or with
 * by=township.
 */
int query_spec_township(struct query_spec *spec, const char *township, const char **why);

struct query_row {
	uint8_t metric;
	char township[SCOPE_TOWNSHIP_MAX + 1]; /* BY_TOWNSHIP */
	uint8_t month;                       /* BY_MONTH: 1..12 */
	char village[VILLAGE_CODE_MAX + 1];  /* BY_VILLAGE, "" = township level */
	int dim;                             /* BY_DIM: the enum value */
	int64_t value;
};

struct query_rows {
	size_t n, cap;
	struct query_row *r;
	/*
	 * query_rows_add's index of the rows of the metric being folded: a
	 * total finds its row in O(1) (a scan of the rows for every total was
	 * three quarters of a query's time on a year with 10,000 totals).
	 */
	uint32_t *index;      /* open addressing: row number + 1, 0 = empty */
	size_t index_cap;     /* a power of two, or 0 */
	size_t index_from;    /* the first row indexed; earlier metrics' rows are not */
	size_t index_n;       /* rows indexed */
	int index_metric;     /* the metric indexed, -1: none */
	char why[256];        /* query_answer's error, when it is not a fixed text */
	/*
	 * The query's village and township filters, copied by query_run: the
	 * reply's rows point here, not into a spec that may be gone by the
	 * time the reply is packed.
	 */
	char village[VILLAGE_CODE_MAX + 1];
	char township[SCOPE_TOWNSHIP_MAX + 1];
};

void query_rows_free(struct query_rows *rows);

/*
 * Empties rows for a new answer, keeping their memory. The row index
 * remembers row numbers: rows emptied any other way can fold a total into a
 * row of the answer before.
 */
void query_rows_reset(struct query_rows *rows);

/* Folds one total into the rows (pure; used by query_run and tests). */
void query_rows_add(struct query_rows *rows, const struct query_spec *spec,
		    const struct tally_key *k, int64_t value);

/* The same for a total of township (with BY_TOWNSHIP). */
void query_rows_add_township(struct query_rows *rows, const struct query_spec *spec,
			     const char *township, const struct tally_key *k, int64_t value);

/* Sorts the rows into their documented order. */
void query_rows_sort(struct query_rows *rows);

/* 1 if metric m is selected by spec. */
int query_selects(const struct query_spec *spec, enum tally_metric m);

/*
 * Runs the query against the store as the snapshot sees it (every metric
 * from the same commit). Returns 0 or an LT_E* code.
 */
int query_run(const struct store_snap *snap, const struct query_spec *spec,
	      struct query_rows *rows);

/* The label of a row's breakdown value ("3", "ZL07", "LAND", or ""). */
const char *query_row_label(const struct query_spec *spec, const struct query_row *row,
			    char *buf, size_t len);

/*
 * Decodes a QueryRequest frame of len bytes: the wire walk first
 * (validate_wire_strings: protobuf-c would cut a string at a NUL), then
 * unpack. Returns NULL with *req set (free it with
 * lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf)), or
 * a one-line reason the frame is refused, with *req NULL.
 */
const char *query_request_parse(const uint8_t *data, size_t len,
				Lawtally__V1__QueryRequest **req);

/*
 * Answers a totals request (one without a view) in one read snapshot of s:
 * fills rep (initialised here) from rows, or sets rep->error to why the
 * request is refused or failed (a damaged store: the record, store_strerror).
 * rep points into rows and static text: reply_clear() it before rows change.
 */
void query_answer(struct store *s, const struct villages *villages, struct query_rows *rows,
		  const Lawtally__V1__QueryRequest *req, Lawtally__V1__QueryReply *rep);

#endif
