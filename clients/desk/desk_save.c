/*
 * desk_save.c - what the desk writes to the spool: a record, a correction
 * (a retraction and the record that replaces it, as the protocol has it;
 * a rejected record, never counted, is simply replaced), a withdrawal,
 * and a ledger's rows (see desk_api.h). Nothing is answered 已保存 before
 * spool_enqueue() has committed it to disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_int.h"
#include "err.h"
#include "ledger_import.h"
#include "xalloc.h"

#define RETRACT_REASON_DEFAULT "村调解室更正录入错误"

/* The body as a JSON object, or NULL with the refusal answered. */
static json_t *body_object(const struct desk_request *rq, struct desk_response *rs)
{
	json_error_t jerr;
	json_t *obj = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(obj)) {
		json_decref(obj);
		desk_reply_error(rs, 400, "请求不是一条记录（JSON 对象）", NULL, NULL);
		return NULL;
	}
	return obj;
}

static void spool_failed(struct desk_response *rs, int rc, const char *err)
{
	if (rc == LT_EFULL)
		desk_reply_error(rs, 507, "本机待发送的记录已满：请检查与乡镇的网络，发送后再录入", NULL,
				 err);
	else
		desk_reply_error(rs, 500, "没能保存到本机的记录库（spool）", NULL, err);
}

static void saved(struct desk_api *a, struct desk_response *rs, uint64_t seq,
		  const Lawtally__V1__Event *e)
{
	if (a->c.link)
		desk_link_kick(a->c.link);
	json_t *rec = desk_record_json(e);
	json_object_set_new(rec, "seq", json_integer((json_int_t)seq));
	json_object_set_new(rec, "state", json_string("queued"));
	desk_reply_json(rs, 200, json_pack("{s:b, s:I, s:o}", "saved", 1, "seq", (json_int_t)seq,
					   "record", rec));
}

void desk_post_record(struct desk_api *a, const struct desk_request *rq, int64_t now,
		      struct desk_response *rs)
{
	struct desk_event *de = xmalloc(sizeof(*de));
	struct desk_refusal why;
	char err[512];
	uint64_t seq;
	json_t *obj = body_object(rq, rs);
	if (!obj)
		goto out;
	if (desk_record_event(obj, &a->who, now, de, &why)) {
		desk_reply_error(rs, 422, why.message, why.field, why.detail);
		goto out;
	}
	Lawtally__V1__Event *ev = &de->ev;
	int rc = spool_enqueue(a->c.sp, &ev, 1, &seq, err, sizeof(err));
	if (rc)
		spool_failed(rs, rc, err);
	else
		saved(a, rs, seq, ev);
out:
	json_decref(obj);
	free(de);
}

/* The record SEQ as the change needs it. */
struct target {
	uint64_t seq;
	int found;
	enum spool_state state;
	int kind; /* the body case */
	uint8_t id[16];
	int64_t occurred_at;
	char village[VILLAGE_CODE_MAX + 1];
};

static int find_target(const struct spool_record *r, void *arg)
{
	struct target *t = arg;
	if (r->seq != t->seq)
		return 1; /* the walk starts at seq: anything else means it is gone */
	t->found = r->e && r->e->id.len == 16;
	if (t->found) {
		t->state = r->state;
		t->kind = r->e->body_case;
		t->occurred_at = r->e->occurred_at;
		snprintf(t->village, sizeof(t->village), "%s", r->e->village);
		memcpy(t->id, r->e->id.data, 16);
	}
	return 1;
}

void desk_post_change(struct desk_api *a, const struct desk_request *rq, uint64_t seq,
		      const char *what, int64_t now, struct desk_response *rs)
{
	struct desk_event *de = xcalloc(2, sizeof(*de));
	struct desk_refusal why;
	struct desk_ids retracted = {0};
	struct target t = {.seq = seq};
	char err[512], reason[DESK_FIELD_MAX + 1] = RETRACT_REASON_DEFAULT;
	uint64_t first;
	int correct = strcmp(what, "correct") == 0, rc;
	json_t *obj = body_object(rq, rs);
	if (!obj)
		goto out;
	rc = spool_records(a->c.sp, seq, find_target, &t);
	if (rc < 0) {
		spool_failed(rs, rc, lt_strerror(rc));
		goto out;
	}
	if (!t.found) {
		desk_reply_error(rs, 404, "没有这条记录", NULL, NULL);
		goto out;
	}
	if (t.kind != LAWTALLY__V1__EVENT__BODY_DISPUTE &&
	    t.kind != LAWTALLY__V1__EVENT__BODY_TRAINING) {
		desk_reply_error(rs, 409, "更正记录不能再更正", NULL, NULL);
		goto out;
	}
	if ((rc = desk_spool_ids(a->c.sp, NULL, &retracted))) {
		spool_failed(rs, rc, lt_strerror(rc));
		goto out;
	}
	if (desk_ids_has(&retracted, t.id)) {
		desk_reply_error(rs, 409, "这条记录已经更正或撤回过", NULL, NULL);
		goto out;
	}
	const json_t *given = json_object_get(obj, "reason");
	if (json_is_string(given) && json_string_length(given) > 0) {
		if (json_string_length(given) >= sizeof(reason) ||
		    memchr(json_string_value(given), '\0', json_string_length(given))) {
			desk_reply_error(rs, 422, "更正原因最长200字节", "reason", NULL);
			goto out;
		}
		memcpy(reason, json_string_value(given), json_string_length(given) + 1);
	}
	/* a rejected record was never counted: it is replaced, or dropped */
	int rejected = t.state == SPOOL_REJECTED;
	size_t n = 0;
	Lawtally__V1__Event *ev[2];
	if (!rejected) {
		if (desk_record_retraction(t.id, t.occurred_at, t.village, reason, &a->who, now, &de[n],
					   &why)) {
			desk_reply_error(rs, 422, why.message, why.field, why.detail);
			goto out;
		}
		ev[n] = &de[n].ev;
		n++;
	}
	if (correct) {
		const json_t *rec = json_object_get(obj, "record");
		if (desk_record_event(rec ? rec : obj, &a->who, now, &de[n], &why)) {
			desk_reply_error(rs, 422, why.message, why.field, why.detail);
			goto out;
		}
		ev[n] = &de[n].ev;
		n++;
	}
	rc = rejected ? spool_replace(a->c.sp, seq, ev, n, &first, err, sizeof(err))
		      : spool_enqueue(a->c.sp, ev, n, &first, err, sizeof(err));
	if (rc == LT_ENOTFOUND) {
		desk_reply_error(rs, 409, "这条记录已经处理过，请刷新", NULL, err);
	} else if (rc) {
		spool_failed(rs, rc, err);
	} else if (n && correct) {
		saved(a, rs, first + n - 1, ev[n - 1]);
	} else {
		if (n && a->c.link)
			desk_link_kick(a->c.link);
		desk_reply_json(rs, 200, json_pack("{s:b, s:I}", "saved", 1, "seq",
						   (json_int_t)(n ? first : 0)));
	}
out:
	desk_ids_free(&retracted);
	json_decref(obj);
	free(de);
}

/* ---- POST /api/ledger ---- */

/* A row each of whose events the spool already holds. */
static int row_known(const struct ledger_row *row, const struct desk_ids *have)
{
	for (size_t k = 0; k < row->n; k++)
		if (!desk_ids_has(have, row->ev[k].id.data))
			return 0;
	return row->n > 0;
}

/*
 * Each line's outcome as the page lists it (the first DESK_LEDGER_ROWS_SHOWN);
 * *already gets the cases the spool holds already.
 */
static json_t *ledger_rows(const struct ledger_import *im, const struct desk_ids *have,
			   size_t *already)
{
	static const char *const words[] = {
		[LEDGER_ROW_EVENTS] = "events", [LEDGER_ROW_SKIPPED] = "skipped",
		[LEDGER_ROW_BAD] = "error", [LEDGER_ROW_NOTE] = "note",
	};
	json_t *rows = json_array();
	*already = 0;
	for (size_t i = 0; i < im->nlines; i++) {
		const struct ledger_line *l = &im->lines[i];
		const struct ledger_row *row = l->outcome == LEDGER_ROW_EVENTS ? &im->rows[l->row] : NULL;
		const char *outcome = words[l->outcome];
		if (row && row_known(row, have)) {
			outcome = "already";
			(*already)++;
		}
		if (i >= DESK_LEDGER_ROWS_SHOWN)
			continue;
		json_t *o = json_pack("{s:I, s:s}", "line", (json_int_t)l->line, "outcome", outcome);
		if (l->why)
			json_object_set_new(o, "message", json_string(l->why));
		if (row) {
			json_object_set_new(o, "events", json_integer((json_int_t)row->n));
			json_object_set_new(o, "record", desk_record_json(&row->ev[row->n - 1]));
		}
		json_array_append_new(rows, o);
	}
	return rows;
}

/* The query's value of key ("kind=training&commit=1"), into out; 0 if absent. */
static int query_value(const char *query, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	for (const char *p = query; p && *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = len - klen - 1;
			if (vlen >= cap)
				return 0;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

void desk_post_ledger(struct desk_api *a, const struct desk_request *rq, int64_t now,
		      struct desk_response *rs)
{
	char kind[16] = "dispute", commit[4] = "0", name[128] = "", err[512];
	struct desk_ids have = {0};
	struct ledger_import im;
	size_t already = 0;
	(void)now;
	memset(&im, 0, sizeof(im));
	query_value(rq->query, "kind", kind, sizeof(kind));
	query_value(rq->query, "commit", commit, sizeof(commit));
	query_value(rq->query, "name", name, sizeof(name));
	int k = ledger_kind_by_name(kind), rc;
	if (k < 0) {
		desk_reply_error(rs, 400, "台账种类应为 dispute 或 training", "kind", NULL);
		return;
	}
	if ((rc = desk_spool_ids(a->c.sp, &have, NULL))) {
		spool_failed(rs, rc, lt_strerror(rc));
		return;
	}
	const struct village *v = villages_find(a->c.villages, a->c.village);
	/* the file's name only says its format (.xlsx or text); anything else is ignored */
	struct ledger_import_opts o = {(enum ledger_kind)k, ledger_format_of_name(name), CSV_AUTO,
				       NULL, name, a->c.village, v ? v->name : "", a->c.source};
	rc = ledger_import_read(&im, rq->body, rq->body_len, &o, err, sizeof(err));
	if (rc) {
		desk_reply_error(rs, 422, "读不了这个台账文件", NULL, err);
		goto out;
	}
	json_t *rows = ledger_rows(&im, &have, &already);
	/* the events the spool does not hold yet, in file order */
	size_t fresh = 0;
	for (size_t i = 0; i < im.nevents; i++)
		if (!desk_ids_has(&have, im.events[i]->id.data))
			im.events[fresh++] = im.events[i];
	json_t *answer = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "encoding", im.used,
				   "cases", (json_int_t)im.cases, "events", (json_int_t)im.nevents,
				   "new_events", (json_int_t)fresh, "bad", (json_int_t)im.bad,
				   "skipped", (json_int_t)im.skipped, "already", (json_int_t)already,
				   "rows", rows);
	uint64_t first = 0;
	int save = strcmp(commit, "1") == 0;
	if (save && fresh && (rc = spool_enqueue(a->c.sp, im.events, fresh, &first, err,
						 sizeof(err)))) {
		json_decref(answer);
		spool_failed(rs, rc, err);
		goto out;
	}
	if (save && fresh && a->c.link)
		desk_link_kick(a->c.link);
	json_object_set_new(answer, "saved", json_boolean(save));
	json_object_set_new(answer, "first_seq", json_integer((json_int_t)first));
	desk_reply_json(rs, 200, answer);
out:
	ledger_import_free(&im);
	desk_ids_free(&have);
}
