/*
 * desk_view.c - what the desk lists from the spool: this month's records
 * with their states, and the village's open cases (see desk_api.h).
 *
 * Everything is read from the spool as it stands: the queue (待发送), the
 * delivered log (已送达) and the rejected list (被退回). A record that a
 * later retraction withdraws (not itself rejected) is shown as corrected.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "desk_int.h"
#include "err.h"
#include "uuid.h"
#include "xalloc.h"

void desk_ids_add(struct desk_ids *s, const uint8_t *id)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->id = xreallocarray(s->id, s->cap, sizeof(*s->id));
	}
	memcpy(s->id[s->n++], id, 16);
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

void desk_ids_sort(struct desk_ids *s)
{
	if (s->n)
		qsort(s->id, s->n, sizeof(*s->id), cmp_id);
}

int desk_ids_has(const struct desk_ids *s, const uint8_t *id)
{
	return s->n && bsearch(id, s->id, s->n, sizeof(*s->id), cmp_id) != NULL;
}

void desk_ids_free(struct desk_ids *s)
{
	free(s->id);
	memset(s, 0, sizeof(*s));
}

/* The id a retraction that counts (not rejected) withdraws, or NULL. */
static const uint8_t *withdrawn(const struct spool_record *r)
{
	const Lawtally__V1__Event *e = r->e;
	if (!e || r->state == SPOOL_REJECTED || e->body_case != LAWTALLY__V1__EVENT__BODY_RETRACTION ||
	    e->retraction->event_id.len != 16)
		return NULL;
	return e->retraction->event_id.data;
}

struct ids_walk {
	struct desk_ids *all, *retracted;
};

static int note_ids(const struct spool_record *r, void *arg)
{
	struct ids_walk *w = arg;
	const uint8_t *t = withdrawn(r);
	if (t && w->retracted)
		desk_ids_add(w->retracted, t);
	if (w->all && r->e && r->state != SPOOL_REJECTED && r->e->id.len == 16)
		desk_ids_add(w->all, r->e->id.data);
	return 0;
}

int desk_spool_ids(struct spool *sp, struct desk_ids *all, struct desk_ids *retracted)
{
	struct ids_walk w = {all, retracted};
	int rc = spool_records(sp, 1, note_ids, &w);
	if (all)
		desk_ids_sort(all);
	if (retracted)
		desk_ids_sort(retracted);
	return rc;
}

/* ---- GET /api/records ---- */

struct shown {
	json_t *rec;     /* the page's object for it */
	uint8_t id[16];
	int has_id;
};

struct records_walk {
	int64_t today, month_first; /* local day numbers */
	struct shown *list;         /* a ring of the newest DESK_RECORDS_SHOWN */
	size_t n, head, cap, dropped;
	struct desk_ids retracted;
};

static const char *const state_words[] = {
	[SPOOL_QUEUED] = "queued", [SPOOL_DELIVERED] = "delivered", [SPOOL_REJECTED] = "rejected",
};

/* The first day of the month of local day number day. */
static int64_t month_first(int64_t day)
{
	int64_t y;
	int m, d;
	cal_civil_from_days(day, &y, &m, &d);
	return day - (d - 1);
}

static int note_record(const struct spool_record *r, void *arg)
{
	struct records_walk *w = arg;
	const uint8_t *t = withdrawn(r);
	if (t)
		desk_ids_add(&w->retracted, t);
	int64_t day = desk_local_day(r->enqueued_at);
	/* this month's, and whatever still needs the mediator: queued or rejected */
	if (day < w->month_first && r->state == SPOOL_DELIVERED)
		return 0;
	struct shown *s;
	if (w->n == DESK_RECORDS_SHOWN) { /* keep the newest */
		s = &w->list[w->head];
		json_decref(s->rec);
		w->head = (w->head + 1) % DESK_RECORDS_SHOWN;
		w->dropped++;
	} else {
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 64;
			if (w->cap > DESK_RECORDS_SHOWN)
				w->cap = DESK_RECORDS_SHOWN;
			w->list = xreallocarray(w->list, w->cap, sizeof(*w->list));
		}
		s = &w->list[w->n++];
	}
	memset(s, 0, sizeof(*s));
	s->rec = r->e ? desk_record_json(r->e) : json_pack("{s:s}", "kind", "unreadable");
	if (r->e && r->e->id.len == 16) {
		memcpy(s->id, r->e->id.data, 16);
		s->has_id = 1;
	}
	json_object_set_new(s->rec, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(s->rec, "state", json_string(state_words[r->state]));
	json_object_set_new(s->rec, "entered", json_integer(r->enqueued_at));
	json_object_set_new(s->rec, "settled", json_integer(r->settled_at));
	json_object_set_new(s->rec, "today", json_boolean(day == w->today));
	if (r->reason) {
		const char *zh = desk_reason_zh(r->reason);
		json_object_set_new(s->rec, "reason", json_string(r->reason));
		json_object_set_new(s->rec, "reason_zh", json_string(zh ? zh : ""));
	}
	return 0;
}

void desk_get_records(struct desk_api *a, int64_t now, struct desk_response *rs)
{
	struct records_walk w = {0};
	w.today = desk_local_day(now);
	w.month_first = month_first(w.today);
	int rc = spool_records(a->c.sp, 1, note_record, &w);
	desk_ids_sort(&w.retracted);
	json_t *list = json_array();
	for (size_t k = 0; k < w.n; k++) { /* newest first */
		struct shown *s = &w.list[(w.head + w.n - 1 - k) % (w.n ? w.n : 1)];
		json_object_set_new(s->rec, "corrected",
				    json_boolean(s->has_id && desk_ids_has(&w.retracted, s->id)));
		json_array_append_new(list, s->rec);
	}
	free(w.list);
	desk_ids_free(&w.retracted);
	if (rc) {
		json_decref(list);
		desk_reply_error(rs, 500, "读不了本机的记录库（spool）", NULL, lt_strerror(rc));
		return;
	}
	desk_reply_json(rs, 200, json_pack("{s:o, s:I}", "records", list, "older_not_shown",
					   (json_int_t)w.dropped));
}

/* ---- GET /api/cases ---- */

/* One dispute event of the village, reduced to what decides its case. */
struct stage_rec {
	char case_id[72];
	uint8_t id[16];
	int stage, category, initiated;
	int64_t occurred;
	uint64_t seq;
};

struct cases_walk {
	const char *village;
	struct stage_rec *list;
	size_t n, cap;
	struct desk_ids retracted;
};

static int note_stage(const struct spool_record *r, void *arg)
{
	struct cases_walk *w = arg;
	const uint8_t *t = withdrawn(r);
	const Lawtally__V1__Event *e = r->e;
	if (t)
		desk_ids_add(&w->retracted, t);
	if (!e || r->state == SPOOL_REJECTED || e->body_case != LAWTALLY__V1__EVENT__BODY_DISPUTE ||
	    strcmp(e->village, w->village) != 0 || e->id.len != 16 ||
	    strlen(e->dispute->case_id) >= sizeof(w->list[0].case_id))
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->list = xreallocarray(w->list, w->cap, sizeof(*w->list));
	}
	struct stage_rec *s = &w->list[w->n++];
	strcpy(s->case_id, e->dispute->case_id);
	memcpy(s->id, e->id.data, 16);
	s->stage = e->dispute->stage;
	s->category = e->dispute->category;
	s->initiated = e->dispute->initiated;
	s->occurred = e->occurred_at;
	s->seq = r->seq;
	return 0;
}

static int by_case(const void *a, const void *b)
{
	const struct stage_rec *x = a, *y = b;
	int c = strcmp(x->case_id, y->case_id);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

void desk_get_cases(struct desk_api *a, struct desk_response *rs)
{
	struct cases_walk w = {.village = a->c.village};
	int rc = spool_records(a->c.sp, 1, note_stage, &w);
	desk_ids_sort(&w.retracted);
	if (w.n)
		qsort(w.list, w.n, sizeof(*w.list), by_case);
	json_t *cases = json_array();
	/* a case is open when registered and no later stage (not withdrawn) closed it */
	for (size_t i = 0; i < w.n;) {
		size_t j = i;
		const struct stage_rec *reg = NULL;
		int closed = 0;
		for (; j < w.n && strcmp(w.list[j].case_id, w.list[i].case_id) == 0; j++) {
			const struct stage_rec *s = &w.list[j];
			if (desk_ids_has(&w.retracted, s->id))
				continue;
			if (s->stage == LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED)
				reg = reg ? reg : s;
			else
				closed = 1;
		}
		if (reg && !closed) {
			Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
			Lawtally__V1__Dispute d = LAWTALLY__V1__DISPUTE__INIT;
			d.case_id = (char *)reg->case_id;
			d.category = reg->category;
			d.stage = reg->stage;
			d.initiated = reg->initiated;
			e.occurred_at = reg->occurred;
			e.village = (char *)a->c.village;
			e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
			e.dispute = &d;
			json_t *c = desk_record_json(&e);
			json_object_set_new(c, "seq", json_integer((json_int_t)reg->seq));
			json_array_append_new(cases, c);
		}
		i = j;
	}
	free(w.list);
	desk_ids_free(&w.retracted);
	if (rc) {
		json_decref(cases);
		desk_reply_error(rs, 500, "读不了本机的记录库（spool）", NULL, lt_strerror(rc));
		return;
	}
	desk_reply_json(rs, 200, json_pack("{s:o}", "cases", cases));
}
