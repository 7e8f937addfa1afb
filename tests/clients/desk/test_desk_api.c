/*
 * test_desk_api.c - the village desk's requests over a real spool: who may
 * ask, a record checked by the daemon's rules before it is saved (amounts
 * in 元 to fen, Chinese words, a record with no stage refused at once),
 * open cases, corrections of delivered and rejected records, and a
 * ledger's rows.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "desk_api.h"
#include "desk_record.h"
#include "err.h"
#include "spool.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define NOW 1734660000LL /* 2024-12-20T10:00:00+08:00 */
#define HOST "127.0.0.1:8571"

struct fx {
	char dir[64];
	struct villages villages;
	struct spool *sp;
	struct desk_api *api;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_desk.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	villages_builtin(&f->villages);
	if (spool_open(&f->sp, f->dir, SPOOL_CREATE | SPOOL_SEND | SPOOL_NOSYNC, NULL, err,
		       sizeof(err)))
		return -1;
	struct desk_api_config c = {f->sp, &f->villages, "ZL07", "centre-ZL07", "tcp://x:5570",
				    8571, TOKEN, NULL};
	f->api = desk_api_new(&c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	desk_api_free(&f->api);
	spool_close(&f->sp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* A request as the page makes it; answers the status and the JSON in *out. */
static int ask(struct fx *f, enum desk_method m, const char *path, const char *body, json_t **out)
{
	struct desk_request rq = {m, path, NULL, "127.0.0.1", HOST, "http://" HOST, TOKEN,
				  "application/json", "same-origin",
				  (const uint8_t *)body, body ? strlen(body) : 0};
	char p[256];
	snprintf(p, sizeof(p), "%s", path);
	char *q = strchr(p, '?');
	if (q) {
		*q++ = '\0';
		rq.path = p;
		rq.query = q;
		rq.content_type = "application/octet-stream";
	}
	struct desk_response rs;
	desk_api_handle(f->api, &rq, NOW, &rs);
	if (out)
		*out = json_loadb((const char *)rs.data, rs.len, 0, NULL);
	int status = rs.status;
	desk_response_free(&rs);
	return status;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(none)";
}

static void test_checks(void **state)
{
	struct fx *f = *state;
	struct desk_response rs;
	struct desk_request ok = {DESK_GET, "/api/records", NULL, "127.0.0.1", HOST, NULL, TOKEN,
				  NULL, NULL, NULL, 0};
	struct desk_request rq = ok;
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 200);
	desk_response_free(&rs);
	rq.peer = "192.168.1.20"; /* off loopback */
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	rq = ok;
	rq.host = "evil.example:8571"; /* a name of another site resolving to 127.0.0.1 */
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	rq = ok;
	rq.token = "0123456789abcdef0123456789abcdeX";
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	rq = ok;
	rq.path = "/api/state"; /* where the page learns the token */
	rq.token = NULL;
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 200);
	assert_non_null(strstr((const char *)rs.data, "\"token\":\"" TOKEN "\""));
	assert_non_null(strstr((const char *)rs.data, "\"name\":\"王岗村\""));
	desk_response_free(&rs);
	/* a POST from elsewhere, or without Origin, or as a form, saves nothing */
	const char *rec = "{\"kind\":\"training\",\"date\":\"2024-12-20\",\"attendees\":\"30\"}";
	struct desk_request post = {DESK_POST, "/api/records", NULL, "127.0.0.1", HOST,
				    "http://evil.example", TOKEN, "application/json", NULL,
				    (const uint8_t *)rec, strlen(rec)};
	desk_api_handle(f->api, &post, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	post.origin = NULL;
	desk_api_handle(f->api, &post, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	post.origin = "http://" HOST;
	post.content_type = "text/plain";
	desk_api_handle(f->api, &post, NOW, &rs);
	assert_int_equal(rs.status, 415);
	desk_response_free(&rs);
	post.content_type = "application/json; charset=utf-8";
	post.fetch_site = "cross-site";
	desk_api_handle(f->api, &post, NOW, &rs);
	assert_int_equal(rs.status, 403);
	desk_response_free(&rs);
	struct spool_status st;
	assert_int_equal(spool_status(f->sp, &st), 0);
	assert_int_equal(st.next_seq, 1);
	post.fetch_site = "same-origin";
	desk_api_handle(f->api, &post, NOW, &rs);
	assert_int_equal(rs.status, 200);
	desk_response_free(&rs);
	assert_int_equal(spool_status(f->sp, &st), 0);
	assert_int_equal(st.next_seq, 2);
	assert_int_equal(st.queued, 1);
	rq = ok;
	rq.path = "/api/cases";
	rq.method = DESK_POST;
	rq.origin = "http://" HOST;
	desk_api_handle(f->api, &rq, NOW, &rs); /* POST to a GET route */
	assert_int_equal(rs.status, 405);
	desk_response_free(&rs);
	rq = ok;
	rq.path = "/desk.js";
	desk_api_handle(f->api, &rq, NOW, &rs);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.content_type, "text/javascript; charset=utf-8");
	desk_response_free(&rs);
}

static void test_records_checked_before_saving(void **state)
{
	struct fx *f = *state;
	json_t *o;
	/* the record with no stage: refused at once, not days later */
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"邻里纠纷\","
			     "\"date\":\"2024-12-20\"}", &o), 422);
	assert_string_equal(str(o, "field"), "stage");
	assert_string_equal(str(o, "error"), "请选择办理阶段");
	assert_string_equal(str(o, "detail"),
			    "dispute.stage: required, one of REGISTERED, RESOLVED, ESCALATED, UNRESOLVED");
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"NEIGHBOUR\","
			     "\"stage\":\"REGISTERED\",\"amount\":\"100\",\"date\":\"2024-12-20\"}", &o),
			 422);
	assert_string_equal(str(o, "field"), "amount");
	assert_string_equal(str(o, "error"), "协议金额只在调解成功时填写");
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"NEIGHBOUR\","
			     "\"stage\":\"REGISTERED\",\"date\":\"2024-12-23\"}", &o), 422);
	assert_string_equal(str(o, "field"), "date");
	assert_string_equal(str(o, "detail"), "occurred_at: more than one day ahead of this PC's clock");
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"打架\","
			     "\"stage\":\"REGISTERED\",\"date\":\"2024-12-20\"}", &o), 422);
	assert_string_equal(str(o, "field"), "category");
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"LAND\","
			     "\"stage\":\"RESOLVED\",\"criminal_people\":\"3\",\"date\":\"2024-12-20\"}",
			     &o), 422);
	assert_string_equal(str(o, "field"), "criminal_people");
	assert_string_equal(str(o, "error"), "民转刑涉及人数只在防止民转刑时填写");
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records", "[1,2]", &o), 400);
	json_decref(o);
	/* saved: Chinese words, 元 with a thousands separator, full-width digits */
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"邻里纠纷\","
			     "\"stage\":\"调解成功\",\"initiated\":\"申请调解\",\"amount\":\"2,500.50\","
			     "\"prevented_group_petition\":true,\"people\":\"１２\",\"date\":\"2024-12-20\","
			     "\"time\":\"09:30\",\"recorded_by\":\"李梅\"}", &o), 200);
	json_t *r = json_object_get(o, "record");
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 1);
	assert_string_equal(str(r, "category"), "NEIGHBOUR");
	assert_string_equal(str(r, "category_label"), "邻里");
	assert_string_equal(str(r, "stage_label"), "调解成功");
	assert_string_equal(str(r, "initiated_label"), "申请调解");
	assert_string_equal(str(r, "amount"), "2500.50");
	assert_string_equal(str(r, "time"), "09:30");
	assert_int_equal(json_integer_value(json_object_get(r, "people")), 12);
	assert_string_equal(str(r, "state"), "queued");
	json_decref(o);
	struct spool_batch b;
	assert_int_equal(spool_take(f->sp, 0, 10, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.events[0]->dispute->agreement_amount_fen, 250050);
	assert_int_equal(b.events[0]->occurred_at, 1734658200LL); /* 09:30 at UTC+8 */
	assert_string_equal(b.events[0]->source, "centre-ZL07");
	spool_batch_free(&b);
}

static int count_cases(struct fx *f, char *ids, size_t cap)
{
	json_t *o;
	assert_int_equal(ask(f, DESK_GET, "/api/cases", NULL, &o), 200);
	json_t *a = json_object_get(o, "cases"), *c;
	size_t i;
	ids[0] = '\0';
	json_array_foreach(a, i, c)
		snprintf(ids + strlen(ids), cap - strlen(ids), "%s%s", i ? " " : "", str(c, "case_id"));
	int n = (int)json_array_size(a);
	json_decref(o);
	return n;
}

static json_t *record(struct fx *f, uint64_t seq)
{
	json_t *o, *r, *found = NULL;
	size_t i;
	assert_int_equal(ask(f, DESK_GET, "/api/records", NULL, &o), 200);
	json_array_foreach(json_object_get(o, "records"), i, r)
		if ((uint64_t)json_integer_value(json_object_get(r, "seq")) == seq)
			found = json_incref(r);
	json_decref(o);
	return found;
}

#define REG(c, cat) "{\"kind\":\"dispute\",\"case_id\":\"" c "\",\"category\":\"" cat \
	"\",\"stage\":\"REGISTERED\",\"date\":\"2024-12-18\"}"

static void test_cases_and_corrections(void **state)
{
	struct fx *f = *state;
	char ids[256];
	json_t *o, *r;
	assert_int_equal(ask(f, DESK_POST, "/api/records", REG("WG-1", "LAND"), NULL), 200);
	assert_int_equal(ask(f, DESK_POST, "/api/records", REG("WG-2", "CONTRACT"), NULL), 200);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 2);
	assert_string_equal(ids, "WG-1 WG-2");
	assert_int_equal(ask(f, DESK_POST, "/api/records",
			     "{\"kind\":\"dispute\",\"case_id\":\"WG-1\",\"category\":\"LAND\","
			     "\"stage\":\"ESCALATED\",\"date\":\"2024-12-19\"}", NULL), 200);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 1);
	assert_string_equal(ids, "WG-2");
	/* delivered: 1..3; WG-2's registration (2) is then corrected to MEDICAL */
	struct spool_batch b;
	assert_int_equal(spool_take(f->sp, 0, 10, &b), 0);
	assert_int_equal(spool_settle(f->sp, b.seq, NULL, b.n), 0);
	spool_batch_free(&b);
	assert_int_equal(ask(f, DESK_POST, "/api/records/2/correct",
			     "{\"record\":" REG("WG-2", "MEDICAL") ",\"reason\":\"类型填错\"}", &o), 200);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 5); /* retraction 4, new 5 */
	json_decref(o);
	assert_int_equal(spool_take(f->sp, 3, 10, &b), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.events[0]->body_case, LAWTALLY__V1__EVENT__BODY_RETRACTION);
	assert_string_equal(b.events[0]->retraction->reason, "类型填错");
	assert_string_equal(b.events[0]->retraction->scope, "village:ZL07");
	assert_int_equal(b.events[0]->occurred_at, 1734494400LL); /* that of the record withdrawn */
	assert_int_equal(b.events[1]->dispute->category,
			 LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_MEDICAL);
	spool_batch_free(&b);
	r = record(f, 2);
	assert_true(json_is_true(json_object_get(r, "corrected")));
	assert_string_equal(str(r, "state"), "delivered");
	json_decref(r);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 1);
	assert_string_equal(ids, "WG-2");
	/* once corrected, never again */
	assert_int_equal(ask(f, DESK_POST, "/api/records/2/correct", "{\"record\":" REG("WG-2", "LAND") "}",
			     &o), 409);
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/records/4/retract", "{}", &o), 409);
	json_decref(o);
	/* the township rejects the correction (5): replacing it withdraws nothing */
	assert_int_equal(spool_take(f->sp, 3, 10, &b), 0);
	const char *why[2] = {NULL, "village: not in the configured village list"};
	assert_int_equal(spool_settle(f->sp, b.seq, why, 2), 0);
	spool_batch_free(&b);
	r = record(f, 5);
	assert_string_equal(str(r, "state"), "rejected");
	assert_string_equal(str(r, "reason_zh"), "乡镇的村名单里没有这个村");
	json_decref(r);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 0);
	assert_int_equal(ask(f, DESK_POST, "/api/records/5/correct", "{\"record\":" REG("WG-2", "MEDICAL") "}",
			     &o), 200);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 6);
	json_decref(o);
	r = record(f, 5);
	assert_null(r);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 1);
	/* a withdrawal of the registration closes the case's listing */
	assert_int_equal(ask(f, DESK_POST, "/api/records/6/retract", "{\"reason\":\"重复录入\"}", &o),
			 200);
	json_decref(o);
	assert_int_equal(count_cases(f, ids, sizeof(ids)), 0);
	assert_int_equal(ask(f, DESK_POST, "/api/records/99/correct", "{}", &o), 404);
	json_decref(o);
}

static void test_ledger(void **state)
{
	struct fx *f = *state;
	const char *csv = "矛盾纠纷排查化解台账\n"
			  "序号,受理日期,案件编号,纠纷类型,调解结果,协议金额（元）\n"
			  "1,2024/3/5,WG-7,邻里纠纷,调解成功,\"2,500\"\n"
			  "2,2024/3/31,WG-8,打架纠纷,调解中,\n"
			  "合计,,,,,2500\n";
	json_t *o;
	assert_int_equal(ask(f, DESK_POST, "/api/ledger?kind=dispute", csv, &o), 200);
	json_t *rows = json_object_get(o, "rows");
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(str(json_array_get(rows, 0), "outcome"), "events");
	assert_string_equal(str(json_array_get(rows, 1), "outcome"), "error");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 1), "line")), 4);
	assert_memory_equal(str(json_array_get(rows, 1), "message"),
			    "column D (纠纷类型): unknown dispute type \"打架纠纷\"", 52);
	assert_string_equal(str(json_array_get(rows, 2), "outcome"), "skipped");
	assert_string_equal(str(json_array_get(rows, 2), "message"), "a total row");
	assert_int_equal(json_integer_value(json_object_get(o, "new_events")), 2);
	assert_true(json_is_false(json_object_get(o, "saved")));
	json_decref(o);
	struct spool_status st;
	assert_int_equal(spool_status(f->sp, &st), 0);
	assert_int_equal(st.next_seq, 1);
	assert_int_equal(ask(f, DESK_POST, "/api/ledger?kind=dispute&commit=1", csv, &o), 200);
	assert_int_equal(json_integer_value(json_object_get(o, "first_seq")), 1);
	json_decref(o);
	assert_int_equal(ask(f, DESK_POST, "/api/ledger?kind=dispute&commit=1", csv, &o), 200);
	assert_int_equal(json_integer_value(json_object_get(o, "already")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "new_events")), 0);
	json_decref(o);
	assert_int_equal(spool_status(f->sp, &st), 0);
	assert_int_equal(st.queued, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_checked_before_saving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cases_and_corrections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
