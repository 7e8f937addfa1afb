/*
 * test_office.c - the office's views over a real store (daemon/office/
 * office.c): how each bad parameter is refused (status and one line, the
 * same over HTTP and ZeroMQ), that office-only views need a trusted peer,
 * and the exact documents of a small year.
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
#include "office.h"
#include "sbuf.h"
#include "store.h"
#include "tmpstore.h"
#include "villages.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 14:13:20 +08:00 */
#define KIND(x) LAWTALLY__V1__VIEW__KIND__KIND_##x

struct fx {
	char dir[64];
	struct store *s;
	struct villages v;
	struct office *o;
	struct sbuf out;
};

/* Stores one dispute of ZL07 registered on T2024 and one training. */
static void seed(struct store *s)
{
	Lawtally__V1__Event e[2];
	Lawtally__V1__Dispute d = LAWTALLY__V1__DISPUTE__INIT;
	Lawtally__V1__Training t = LAWTALLY__V1__TRAINING__INIT;
	static uint8_t id[2][16] = {{0xB7, [15] = 1}, {0xB7, [15] = 2}};
	for (int i = 0; i < 2; i++) {
		lawtally__v1__event__init(&e[i]);
		e[i].id = (ProtobufCBinaryData){16, id[i]};
		e[i].village = "ZL07";
		e[i].occurred_at = T2024;
	}
	e[0].body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	e[0].dispute = &d;
	d.case_id = "2024-001";
	d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
	d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
	e[1].body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	e[1].training = &t;
	t.attendees = 40;
	struct store_item items[2] = {{&e[0], "zl07", T2024 + 60, 0, NULL}, {&e[1], "zl07", T2024 + 60, 0, NULL}};
	struct store_result res[2];
	assert_int_equal(store_apply(s, items, 2, res), 0);
	assert_int_equal(res[0].status, STORE_ACCEPTED);
	assert_int_equal(res[1].status, STORE_ACCEPTED);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256] = "";
	snprintf(f->dir, sizeof(f->dir), "/tmp/lawtally-test-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	struct store_options so = {.dir = f->dir, .tz_offset = TZ};
	if (store_open(&f->s, &so, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	villages_builtin(&f->v);
	struct office_options oo = {.templates_dir = "", .silent_days = 7};
	if (office_new(&f->o, f->s, &f->v, &oo, err, sizeof(err)))
		fail_msg("office_new: %s", err);
	seed(f->s);
	sbuf_init(&f->out, 1 << 20);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sbuf_free(&f->out);
	office_free(&f->o);
	villages_clear(&f->v);
	store_close(&f->s);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* Each bad parameter: its status and its one line, for every view it applies to. */
static void test_refusals(void **state)
{
	struct fx *f = *state;
	static const struct {
		struct office_request rq;
		int status;
		const char *error;
	} cases[] = {
		{{.kind = KIND(REPORT), .year = 2024, .lang = "fr"}, 400, "lang: zh or en"},
		{{.kind = KIND(REPORT), .year = 2024, .format = "pdf"}, 400,
		 "format: text, markdown, json, html or docx"},
		{{.kind = KIND(REPORT), .year = 1999}, 400, "year: 2000-2200"},
		{{.kind = KIND(REPORT), .year = 2201}, 400, "year: 2000-2200"},
		{{.kind = KIND(REPORT), .year = 2024, .as_of = "yesterday"}, 400,
		 "as_of: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] or @UNIXTIME"},
		{{.kind = KIND(TOTALS_CSV), .year = 2024, .metric = "no.such"}, 400, NULL},
		{{.kind = KIND(TOTALS_CSV), .year = 2024, .lang = "de"}, 400, "lang: zh or en"},
		{{.kind = KIND(EVENTS_CSV), .year = 2024}, 403,
		 "events export: office only (an office key, or from this machine when auth is "
		 "off)"},
		{{.kind = (Lawtally__V1__View__Kind)99, .year = 2024}, 400,
		 "view.kind: not a known view"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct office_result res;
		int rc = office_view(f->o, &cases[i].rq, &f->out, &res);
		if (rc == 0)
			fail_msg("case %zu: accepted", i);
		assert_int_equal(res.http_status, cases[i].status);
		if (cases[i].error)
			assert_string_equal(res.error, cases[i].error);
		else
			assert_true(res.error[0] != '\0');
	}
}

/* The events export of a trusted peer: a header and one line an event, one page. */
static void test_events_csv(void **state)
{
	struct fx *f = *state;
	struct office_request rq = {.kind = KIND(EVENTS_CSV), .year = 2024, .trusted = 1};
	struct office_result res;
	assert_int_equal(office_view(f->o, &rq, &f->out, &res), 0);
	assert_int_equal(res.http_status, 200);
	assert_string_equal(res.content_type, "text/csv; charset=utf-8");
	assert_int_equal(res.next_cursor, 0);
	size_t lines = 0;
	for (size_t i = 0; i < f->out.len; i++)
		lines += f->out.p[i] == '\n';
	assert_int_equal(lines, 3);
	assert_non_null(strstr(f->out.p, "2024-001"));

	/* another year's export holds the header only */
	rq.year = 2023;
	assert_int_equal(office_view(f->o, &rq, &f->out, &res), 0);
	lines = 0;
	for (size_t i = 0; i < f->out.len; i++)
		lines += f->out.p[i] == '\n';
	assert_int_equal(lines, 1);
}

/* The totals export by village: the BOM, the header, the stored figure exactly. */
static void test_totals_csv(void **state)
{
	struct fx *f = *state;
	struct office_request rq = {
		.kind = KIND(TOTALS_CSV), .year = 2024, .metric = "disputes.registered",
		.by = "village", .lang = "en",
	};
	struct office_result res;
	assert_int_equal(office_view(f->o, &rq, &f->out, &res), 0);
	assert_int_equal(res.http_status, 200);
	assert_non_null(strstr(f->out.p, "disputes.registered"));
	assert_non_null(strstr(f->out.p, "ZL07"));
	assert_string_equal(f->out.p, "\xEF\xBB\xBF"
				      "metric,label,village,village_name,unit,value\r\n"
				      "disputes.registered,disputes registered,ZL07,王岗村,,1\r\n");
}

/* The senders view: the one sender, when it was heard, its month's count. */
static void test_senders(void **state)
{
	struct fx *f = *state;
	struct office_request rq = {.kind = KIND(SENDERS)};
	struct office_result res;
	assert_int_equal(office_view(f->o, &rq, &f->out, &res), 0);
	assert_int_equal(res.http_status, 200);
	assert_string_equal(res.content_type, "application/json");
	assert_non_null(strstr(f->out.p, "\"sender\": \"zl07\""));
	assert_non_null(strstr(f->out.p, "\"last_heard\": \"2024-06-10T14:14:20+08:00\""));
	assert_non_null(strstr(f->out.p, "\"silent\": true"));
	assert_non_null(strstr(f->out.p, "\"2024-06\": 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_senders, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
