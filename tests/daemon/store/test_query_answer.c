/*
 * test_query_answer.c - the ZeroMQ query endpoint's answers without the
 * socket (daemon/store/query.c: query_request_parse, query_answer): which
 * frames and requests are refused with what line, and the exact rows of a
 * good request against a real store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "err.h"
#include "query.h"
#include "reply.h"
#include "tmpstore.h"
#include "villages.h"
#include "xalloc.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 +08:00 */

struct fx {
	char dir[64];
	struct store *s;
	struct villages v;
	struct query_rows rows;
};

/* Two disputes registered in 2024: one in ZL07 (June), one in ZL08 (June). */
static void seed(struct store *s)
{
	Lawtally__V1__Event e[2];
	Lawtally__V1__Dispute d[2];
	static uint8_t id[2][16] = {{0xB7, [15] = 1}, {0xB7, [15] = 2}};
	static const char *village[2] = {"ZL07", "ZL08"};
	static const char *case_id[2] = {"2024-001", "2024-002"};
	struct store_item items[2];
	for (int i = 0; i < 2; i++) {
		lawtally__v1__event__init(&e[i]);
		lawtally__v1__dispute__init(&d[i]);
		e[i].id = (ProtobufCBinaryData){16, id[i]};
		e[i].village = (char *)village[i];
		e[i].occurred_at = T2024;
		e[i].body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
		e[i].dispute = &d[i];
		d[i].case_id = (char *)case_id[i];
		d[i].category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
		d[i].stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
		items[i] = (struct store_item){&e[i], village[i], T2024 + 60, 0, NULL};
	}
	struct store_result res[2];
	assert_int_equal(store_apply(s, items, 2, res), 0);
	assert_int_equal(res[0].status, STORE_ACCEPTED);
	assert_int_equal(res[1].status, STORE_ACCEPTED);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char err[256] = "";
	snprintf(f->dir, sizeof(f->dir), "/tmp/lawtally-test-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	struct store_options so = {.dir = f->dir, .tz_offset = TZ};
	if (store_open(&f->s, &so, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	villages_builtin(&f->v);
	seed(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	query_rows_free(&f->rows);
	villages_clear(&f->v);
	store_close(&f->s);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* The packed request; *len its size. */
static uint8_t *pack(const Lawtally__V1__QueryRequest *rq, size_t *len)
{
	*len = lawtally__v1__query_request__get_packed_size(rq);
	uint8_t *buf = xmalloc(*len ? *len : 1);
	lawtally__v1__query_request__pack(rq, buf);
	return buf;
}

/* Parses and answers rq as the endpoint does; returns the reply's error ("" if none). */
static const char *answer(struct fx *f, const Lawtally__V1__QueryRequest *rq,
			  Lawtally__V1__QueryReply *rep)
{
	size_t len;
	uint8_t *buf = pack(rq, &len);
	Lawtally__V1__QueryRequest *req;
	assert_null(query_request_parse(buf, len, &req));
	query_answer(f->s, &f->v, &f->rows, req, rep);
	lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf);
	free(buf);
	return rep->error ? rep->error : "";
}

/* Writes over the stack below the caller's frame, as later calls would. */
static __attribute__((noinline)) void scribble_stack(void)
{
	volatile char junk[16384];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 'x';
}

static void test_rows(void **state)
{
	struct fx *f = *state;
	Lawtally__V1__QueryRequest rq = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__QueryReply rep;
	rq.year = 2024;
	rq.metric = "disputes.registered";
	rq.by = "village";
	assert_string_equal(answer(f, &rq, &rep), "");
	assert_int_equal(rep.n_rows, 2);
	assert_string_equal(rep.rows[0]->metric, "disputes.registered");
	assert_string_equal(rep.rows[0]->village, "ZL07");
	assert_int_equal(rep.rows[0]->value, 1);
	assert_string_equal(rep.rows[1]->village, "ZL08");
	assert_int_equal(rep.rows[1]->value, 1);
	reply_clear(&rep);

	/* one village, no breakdown: its total, the row naming the village
	 * even after the stack query_answer ran on is used again (the reply
	 * is packed after query_answer has returned) */
	rq.by = "";
	rq.village = "ZL08";
	assert_string_equal(answer(f, &rq, &rep), "");
	scribble_stack();
	assert_int_equal(rep.n_rows, 1);
	assert_int_equal(rep.rows[0]->value, 1);
	assert_string_equal(rep.rows[0]->village, "ZL08");
	reply_clear(&rep);

	/* another year: the metric's row, zero */
	rq.village = "";
	rq.year = 2023;
	assert_string_equal(answer(f, &rq, &rep), "");
	assert_int_equal(rep.n_rows, 1);
	assert_int_equal(rep.rows[0]->value, 0);
	reply_clear(&rep);
}

static void test_refused_requests(void **state)
{
	struct fx *f = *state;
	static const struct {
		unsigned year;
		const char *metric, *by, *village, *error;
	} cases[] = {
		{0, "", "", "", "year: required, 2000-2200"},
		{1999, "", "", "", "year: required, 2000-2200"},
		{2201, "", "", "", "year: required, 2000-2200"},
		{2024, "disputes.nope", "", "", "metric: unknown metric name"},
		{2024, "", "", "ZL99", "village: not in the configured village list"},
		{2024, "", "colour", "", "by: not month, village or a metric's dimension"},
		{2024, "disputes.registered", "origin", "",
		 "by: not month, village or this metric's dimension"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		Lawtally__V1__QueryRequest rq = LAWTALLY__V1__QUERY_REQUEST__INIT;
		Lawtally__V1__QueryReply rep;
		rq.year = cases[i].year;
		rq.metric = (char *)cases[i].metric;
		rq.by = (char *)cases[i].by;
		rq.village = (char *)cases[i].village;
		assert_string_equal(answer(f, &rq, &rep), cases[i].error);
		assert_int_equal(rep.n_rows, 0);
		reply_clear(&rep);
	}
}

static void test_refused_frames(void **state)
{
	(void)state;
	Lawtally__V1__QueryRequest *req = (void *)1;
	static const uint8_t junk[] = {0x0a, 0x7f, 0x41};
	assert_string_equal(query_request_parse(junk, sizeof(junk), &req),
			    "frame: malformed protobuf"); /* the walk sees it first */
	assert_null(req);

	/* a NUL inside the metric name: protobuf-c would cut it short */
	Lawtally__V1__QueryRequest rq = LAWTALLY__V1__QUERY_REQUEST__INIT;
	rq.year = 2024;
	rq.metric = "disputes.registered";
	size_t len;
	uint8_t *buf = pack(&rq, &len);
	uint8_t *dot = memchr(buf, '.', len);
	assert_non_null(dot);
	*dot = '\0';
	const char *why = query_request_parse(buf, len, &req);
	assert_non_null(why);
	assert_non_null(strstr(why, "NUL"));
	assert_null(req);
	free(buf);

	/* an empty frame is a request with every field at its default */
	assert_null(query_request_parse((const uint8_t *)"", 0, &req));
	assert_non_null(req);
	assert_int_equal(req->year, 0);
	lawtally__v1__query_request__free_unpacked(req, &xalloc_protobuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_requests, setup, teardown),
		cmocka_unit_test(test_refused_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
