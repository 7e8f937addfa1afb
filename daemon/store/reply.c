/* reply.c - query rows to QueryReply, QueryReply to JSON (see reply.h). */
#include "reply.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void reply_from_rows(Lawtally__V1__QueryReply *r, const struct query_spec *spec,
		     const struct query_rows *rows)
{
	lawtally__v1__query_reply__init(r);
	if (rows->n == 0)
		return;
	Lawtally__V1__Row *cells = xcalloc(rows->n, sizeof(*cells));
	r->rows = xcalloc(rows->n, sizeof(*r->rows));
	for (size_t i = 0; i < rows->n; i++) {
		const struct query_row *q = &rows->r[i];
		Lawtally__V1__Row *c = &cells[i];
		lawtally__v1__row__init(c);
		c->metric = (char *)tally_metric(q->metric)->name;
		c->value = q->value;
		switch (spec->by) {
		case BY_MONTH: c->month = q->month; break;
		case BY_VILLAGE: c->village = (char *)q->village; break;
		case BY_DIM: {
			const char *l = tally_dim_label(q->metric,
							tally_dim_by_name(q->metric, spec->dim_name),
							q->dim);
			c->dimension = (char *)(l ? l : "UNSPECIFIED");
			break;
		}
		case BY_TOWNSHIP: c->township = (char *)q->township; break;
		case BY_NONE: break;
		}
		if (spec->by != BY_VILLAGE && spec->village[0])
			c->village = (char *)rows->village;
		if (spec->township[0])
			c->township = (char *)rows->township;
		r->rows[i] = c;
	}
	r->n_rows = rows->n;
}

void reply_clear(Lawtally__V1__QueryReply *r)
{
	if (r->n_rows)
		free(r->rows[0]); /* the cells are one array */
	free(r->rows);
	lawtally__v1__query_reply__init(r);
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *reply_to_json(const Lawtally__V1__QueryReply *r, unsigned year, const char *metric,
		      const char *by, const char *village)
{
	json_t *rows = json_array();
	json_t *o = json_pack("{s:I, s:o, s:o, s:o}", "year", (json_int_t)year, "metric",
			      str_or_null(metric), "by", str_or_null(by), "village",
			      str_or_null(village));
	if (!rows || !o)
		goto fail;
	for (size_t i = 0; i < r->n_rows; i++) {
		const Lawtally__V1__Row *c = r->rows[i];
		json_t *row = json_pack("{s:s}", "metric", c->metric);
		if (!row || json_array_append_new(rows, row))
			goto fail;
		int rc = 0;
		if (by && strcmp(by, "month") == 0)
			rc = json_object_set_new(row, "month", json_integer(c->month));
		else if (by && strcmp(by, "village") == 0)
			rc = json_object_set_new(row, "village", json_string(c->village));
		else if (by && strcmp(by, "township") == 0)
			rc = json_object_set_new(row, "township", json_string(c->township));
		else if (by && *by)
			rc = json_object_set_new(row, by, json_string(c->dimension));
		if (rc || json_object_set_new(row, "value", json_integer(c->value)))
			goto fail;
	}
	if (json_object_set_new(o, "rows", rows) == 0)
		return o;
	rows = NULL;
fail:
	json_decref(rows);
	json_decref(o);
	return NULL;
}
