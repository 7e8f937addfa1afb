/* query.c - totals queries over the store (see query.h). */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "reply.h"
#include "validate.h"
#include "xalloc.h"

int query_spec_parse(struct query_spec *spec, unsigned year, const char *metric,
		     const char *by, const char *village, const struct villages *villages,
		     const char **why)
{
	memset(spec, 0, sizeof(*spec));
	spec->metric = -1;
	if (year < QUERY_YEAR_MIN || year > QUERY_YEAR_MAX) {
		*why = "year: required, 2000-2200";
		return LT_EINVAL;
	}
	spec->year = (uint16_t)year;
	if (metric && *metric) {
		spec->metric = tally_metric_by_name(metric);
		if (spec->metric < 0) {
			*why = "metric: unknown metric name";
			return LT_EINVAL;
		}
	}
	if (village && *village) {
		if (villages ? !villages_find(villages, village) : !village_code_valid(village)) {
			*why = villages ? "village: not in the configured village list"
					: "village: not a village code (1-8 of A-Z a-z 0-9 _ -)";
			return LT_EINVAL;
		}
		snprintf(spec->village, sizeof(spec->village), "%s", village);
	}
	if (!by || !*by) {
		spec->by = BY_NONE;
	} else if (strcmp(by, "month") == 0) {
		spec->by = BY_MONTH;
	} else if (strcmp(by, "village") == 0) {
		spec->by = BY_VILLAGE;
	} else if (strcmp(by, "township") == 0) {
		spec->by = BY_TOWNSHIP;
	} else {
		int any = 0;
		for (int m = 0; m < M_COUNT; m++)
			if ((spec->metric < 0 || spec->metric == m) && tally_dim_by_name(m, by) >= 0)
				any = 1;
		if (!any || strlen(by) >= sizeof(spec->dim_name)) {
			*why = spec->metric < 0 ? "by: not month, village or a metric's dimension"
						: "by: not month, village or this metric's dimension";
			return LT_EINVAL;
		}
		spec->by = BY_DIM;
		snprintf(spec->dim_name, sizeof(spec->dim_name), "%s", by);
	}
	return 0;
}

int query_spec_township(struct query_spec *spec, const char *township, const char **why)
{
	if (!township || !*township)
		return 0;
	if (!scope_township_valid(township)) {
		*why = "township: not a township code (1-12 of A-Z a-z 0-9 _ -)";
		return LT_EINVAL;
	}
	if (spec->by == BY_TOWNSHIP) {
		*why = "township: not with by=township";
		return LT_EINVAL;
	}
	snprintf(spec->township, sizeof(spec->township), "%s", township);
	return 0;
}

int query_selects(const struct query_spec *spec, enum tally_metric m)
{
	if (spec->metric >= 0 && spec->metric != (int)m)
		return 0;
	return spec->by != BY_DIM || tally_dim_by_name(m, spec->dim_name) >= 0;
}

void query_rows_free(struct query_rows *rows)
{
	free(rows->r);
	free(rows->index);
	memset(rows, 0, sizeof(*rows));
}

static struct query_row *row_push(struct query_rows *rows)
{
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 32;
		rows->r = xreallocarray(rows->r, cap, sizeof(*rows->r));
		rows->cap = cap;
	}
	struct query_row *row = &rows->r[rows->n++];
	memset(row, 0, sizeof(*row));
	return row;
}

static uint32_t row_hash(const struct query_row *r)
{
	uint32_t h = 2166136261u;
	h = (h ^ r->month) * 16777619u;
	h = (h ^ (uint32_t)r->dim) * 16777619u;
	for (const char *c = r->village; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (const char *c = r->township; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return h;
}

static int row_same(const struct query_row *a, const struct query_row *b)
{
	return a->month == b->month && a->dim == b->dim && strcmp(a->village, b->village) == 0 &&
	       strcmp(a->township, b->township) == 0;
}

/* Puts row i in the index (it is not there yet). */
static void index_put(struct query_rows *rows, size_t i)
{
	size_t mask = rows->index_cap - 1;
	for (size_t h = row_hash(&rows->r[i]) & mask;; h = (h + 1) & mask)
		if (!rows->index[h]) {
			rows->index[h] = (uint32_t)(i + 1);
			return;
		}
}

/* Starts the index afresh at row from (a new metric, or rows were moved). */
static void index_restart(struct query_rows *rows, int metric)
{
	if (rows->index)
		memset(rows->index, 0, rows->index_cap * sizeof(*rows->index));
	rows->index_from = rows->n;
	rows->index_n = 0;
	rows->index_metric = metric;
}

/* Room for one more row at half load at most. */
static void index_reserve(struct query_rows *rows)
{
	if (rows->index_cap && (rows->index_n + 1) * 2 <= rows->index_cap)
		return;
	size_t cap = rows->index_cap ? rows->index_cap * 2 : 64;
	uint32_t *idx = xcalloc(cap, sizeof(*idx));
	free(rows->index);
	rows->index = idx;
	rows->index_cap = cap;
	for (size_t i = rows->index_from; i < rows->index_from + rows->index_n; i++)
		index_put(rows, i);
}

void query_rows_add(struct query_rows *rows, const struct query_spec *spec,
		    const struct tally_key *k, int64_t value)
{
	query_rows_add_township(rows, spec, "", k, value);
}

void query_rows_add_township(struct query_rows *rows, const struct query_spec *spec,
			     const char *township, const struct tally_key *k, int64_t value)
{
	char village[VILLAGE_CODE_MAX + 1] = {0};
	memcpy(village, k->village, VILLAGE_CODE_MAX);
	if (spec->village[0] && strcmp(village, spec->village) != 0)
		return;
	struct query_row want = {.metric = k->metric};
	switch (spec->by) {
	case BY_NONE: break;
	case BY_MONTH: want.month = k->month; break;
	case BY_VILLAGE: memcpy(want.village, village, sizeof(village)); break;
	case BY_DIM: want.dim = k->dim[tally_dim_by_name(k->metric, spec->dim_name)]; break;
	case BY_TOWNSHIP:
		snprintf(want.township, sizeof(want.township), "%s", township);
		break;
	}
	/* the rows of this metric are the indexed ones, from index_from on */
	if (rows->index_metric != k->metric || rows->index_from + rows->index_n != rows->n)
		index_restart(rows, k->metric);
	index_reserve(rows);
	size_t mask = rows->index_cap - 1;
	size_t h = row_hash(&want) & mask;
	for (; rows->index[h]; h = (h + 1) & mask) {
		struct query_row *r = &rows->r[rows->index[h] - 1];
		if (row_same(r, &want)) {
			r->value += value;
			return;
		}
	}
	struct query_row *r = row_push(rows);
	*r = want;
	r->value = value;
	rows->index[h] = (uint32_t)rows->n;
	rows->index_n++;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct query_row *a = pa, *b = pb;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	int c = strcmp(a->township, b->township);
	if (!c)
		c = strcmp(a->village, b->village);
	if (c)
		return c;
	return (a->dim > b->dim) - (a->dim < b->dim);
}

void query_rows_sort(struct query_rows *rows)
{
	if (rows->n)
		qsort(rows->r, rows->n, sizeof(rows->r[0]), row_cmp);
}

struct run_arg {
	struct query_rows *rows;
	const struct query_spec *spec;
	const char *township;  /* BY_TOWNSHIP: the township scanned */
};

static int run_fn(const struct tally_key *k, int64_t value, void *arg)
{
	struct run_arg *a = arg;
	query_rows_add_township(a->rows, a->spec, a->township, k, value);
	return 0;
}

/* A county's townships, for by=township. */
struct townships {
	size_t n, cap;
	char (*code)[SCOPE_TOWNSHIP_MAX + 1];
};

static int township_fn(const char *township, void *arg)
{
	struct townships *t = arg;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->code = xreallocarray(t->code, t->cap, sizeof(*t->code));
	}
	snprintf(t->code[t->n++], sizeof(t->code[0]), "%s", township);
	return 0;
}

/*
 * One metric's totals for spec, from the rollups where they answer it:
 * the same rows from a few hundred keys instead of every total of the
 * year. A breakdown by dimension of one village reads the totals.
 */
static int scan(const struct store_snap *s, const struct query_spec *spec, enum tally_metric m,
		struct run_arg *a, const struct townships *t)
{
	int rc = LT_ENOTFOUND;
	if (spec->by == BY_TOWNSHIP) {
		rc = 0;
		for (size_t i = 0; i < t->n && !rc; i++) {
			a->township = t->code[i];
			rc = store_county_scan(s, t->code[i], m, spec->year, run_fn, a);
		}
		a->township = "";
		return rc;
	}
	if (spec->by != BY_DIM)
		rc = store_scan_rollup(s, ROLLUP_DIMS, m, spec->year, run_fn, a);
	else if (!spec->village[0])
		rc = store_scan_rollup(s, ROLLUP_YEAR, m, spec->year, run_fn, a);
	if (rc == LT_ENOTFOUND)
		rc = store_scan_totals(s, m, spec->year, run_fn, a);
	return rc;
}

void query_rows_reset(struct query_rows *rows)
{
	rows->n = 0;
	rows->index_metric = -1;
	rows->index_n = 0;
}

int query_run(const struct store_snap *snap, const struct query_spec *spec,
	      struct query_rows *rows)
{
	struct run_arg a = {rows, spec, ""};
	struct townships t = {0};
	/* one township's figures: the same snapshot, reading its totals */
	struct store_snap one = *snap;
	const struct store_snap *s = &one;
	query_rows_reset(rows);
	memcpy(rows->village, spec->village, sizeof(rows->village));
	memcpy(rows->township, spec->township, sizeof(rows->township));
	if (spec->township[0] && store_snap_township(&one, spec->township))
		return LT_EINVAL;
	if (spec->by == BY_TOWNSHIP) {
		int rc = store_townships(snap, township_fn, &t);
		if (rc) {
			free(t.code);
			return rc;
		}
	}
	for (int m = 0; m < M_COUNT; m++) {
		if (!query_selects(spec, m))
			continue;
		size_t before = rows->n;
		int rc = scan(s, spec, m, &a, &t);
		if (rc) {
			free(t.code);
			return rc;
		}
		if (spec->by == BY_NONE && rows->n == before) {
			struct query_row *r = row_push(rows);
			r->metric = (uint8_t)m;
		}
		/* drop breakdown rows that summed to zero */
		size_t out = before;
		for (size_t i = before; i < rows->n; i++)
			if (rows->r[i].value != 0 || spec->by == BY_NONE)
				rows->r[out++] = rows->r[i];
		rows->n = out;
	}
	free(t.code);
	query_rows_sort(rows);
	return 0;
}

const char *query_row_label(const struct query_spec *spec, const struct query_row *row,
			    char *buf, size_t len)
{
	switch (spec->by) {
	case BY_MONTH:
		snprintf(buf, len, "%u", row->month);
		return buf;
	case BY_VILLAGE:
		return row->village;
	case BY_TOWNSHIP:
		return row->township;
	case BY_DIM: {
		const char *l = tally_dim_label(row->metric,
						tally_dim_by_name(row->metric, spec->dim_name),
						row->dim);
		return l ? l : "UNSPECIFIED";
	}
	case BY_NONE: break;
	}
	return "";
}

const char *query_request_parse(const uint8_t *data, size_t len,
				Lawtally__V1__QueryRequest **req)
{
	const char *why = validate_wire_strings(&lawtally__v1__query_request__descriptor, data, len);
	*req = NULL;
	if (why)
		return why;
	*req = lawtally__v1__query_request__unpack(&xalloc_protobuf, len, data);
	return *req ? NULL : "frame: not a QueryRequest";
}

void query_answer(struct store *s, const struct villages *villages, struct query_rows *rows,
		  const Lawtally__V1__QueryRequest *req, Lawtally__V1__QueryReply *rep)
{
	struct query_spec spec;
	const char *why = NULL;
	lawtally__v1__query_reply__init(rep);
	/* a township's villages at a county are its own: their codes' form is checked */
	if (query_spec_parse(&spec, req->year, req->metric, req->by, req->village,
			     req->township[0] ? NULL : villages, &why) != 0 ||
	    query_spec_township(&spec, req->township, &why) != 0) {
		rep->error = (char *)why;
		return;
	}
	struct store_snap snap;
	int rc = store_read_begin(s, &snap);
	if (!rc)
		rc = query_run(&snap, &spec, rows);
	store_read_end(&snap);
	if (rc == LT_ECORRUPT) {
		char damage[sizeof(rows->why) - 8];
		snprintf(rows->why, sizeof(rows->why), "store: %s",
			 store_strerror(s, rc, damage, sizeof(damage)));
		rep->error = rows->why;
	} else if (rc) {
		rep->error = "store: query failed";
	} else {
		reply_from_rows(rep, &spec, rows);
	}
}
