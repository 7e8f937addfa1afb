/*
 * test_export.c - CSV for spreadsheets: the byte order mark, CRLF, RFC
 * 4180 quoting, formulas neutralised, totals in every breakdown form and
 * stored events of every kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "export.h"

#define TZ 28800

static void test_quoting(void **state)
{
	(void)state;
	struct sbuf out;
	sbuf_init(&out, 4096);
	const char *cells[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "=1+2", "-3", "-x",
			       "+86 138", "@SUM(A1)", "", NULL, "中文", "-1.5"};
	export_row(&out, cells, sizeof(cells) / sizeof(cells[0]));
	assert_string_equal(sbuf_text(&out),
			    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=1+2,-3,'-x,'+86 138,"
			    "'@SUM(A1),,,中文,-1.5\r\n");
	sbuf_free(&out);
}

static void test_totals(void **state)
{
	(void)state;
	struct villages *v = malloc(sizeof(*v));
	villages_builtin(v);
	Lawtally__V1__Row r[3];
	Lawtally__V1__Row *rows[3] = {&r[0], &r[1], &r[2]};
	for (int i = 0; i < 3; i++)
		lawtally__v1__row__init(&r[i]);
	r[0].metric = "lawsuits.filed", r[0].dimension = "ADMINISTRATIVE", r[0].value = 3;
	r[1].metric = "lawsuits.filed", r[1].dimension = "ENV_POLLUTION_CIVIL", r[1].value = 9;
	Lawtally__V1__QueryReply rep = LAWTALLY__V1__QUERY_REPLY__INIT;
	rep.rows = rows;
	rep.n_rows = 2;
	struct sbuf out;
	sbuf_init(&out, 4096);
	export_totals(&rep, "kind", LANG_ZH, v, &out);
	assert_string_equal(sbuf_text(&out),
			    EXPORT_BOM "metric,label,kind,kind_label,unit,value\r\n"
			    "lawsuits.filed,涉诉案件,ADMINISTRATIVE,行政诉讼,起,3\r\n"
			    "lawsuits.filed,涉诉案件,ENV_POLLUTION_CIVIL,环境污染附带民事诉讼,起,9\r\n");

	r[0].metric = "disputes.resolved", r[0].dimension = "", r[0].village = "ZL07", r[0].value = 12;
	r[1].metric = "disputes.resolved", r[1].dimension = "", r[1].village = "", r[1].value = 1;
	sbuf_reset(&out);
	export_totals(&rep, "village", LANG_EN, v, &out);
	assert_string_equal(sbuf_text(&out),
			    EXPORT_BOM "metric,label,village,village_name,unit,value\r\n"
			    "disputes.resolved,disputes resolved,ZL07,王岗村,,12\r\n"
			    "disputes.resolved,disputes resolved,,township level,,1\r\n");

	r[0].village = "", r[0].month = 6;
	r[1].month = 12, r[1].value = -2;
	sbuf_reset(&out);
	export_totals(&rep, "month", LANG_ZH, v, &out);
	assert_string_equal(sbuf_text(&out), EXPORT_BOM "metric,label,month,unit,value\r\n"
					     "disputes.resolved,调解成功,6,件,12\r\n"
					     "disputes.resolved,调解成功,12,件,-2\r\n");
	/* amounts in yuan, never fen, with their unit */
	r[1].metric = "disputes.agreement_amount_fen", r[1].value = 7250050;
	sbuf_reset(&out);
	export_totals(&rep, "", LANG_ZH, v, &out);
	assert_string_equal(sbuf_text(&out), EXPORT_BOM "metric,label,unit,value\r\n"
					     "disputes.resolved,调解成功,件,12\r\n"
					     "disputes.agreement_amount_fen,协议涉及金额,元,72500.50\r\n");
	sbuf_reset(&out);
	export_totals(&rep, "", LANG_EN, v, &out);
	assert_string_equal(sbuf_text(&out), EXPORT_BOM "metric,label,unit,value\r\n"
					     "disputes.resolved,disputes resolved,,12\r\n"
					     "disputes.agreement_amount_fen,agreement amounts,yuan,72500.50\r\n");
	sbuf_free(&out);
	free(v);
}

static void test_events(void **state)
{
	(void)state;
	uint8_t id[16] = {0x01, 0x90, 0xc8, 0xe2, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 1};
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	Lawtally__V1__Dispute d = LAWTALLY__V1__DISPUTE__INIT;
	e.id = (ProtobufCBinaryData){16, id};
	e.village = "ZL07";
	e.occurred_at = 1717205400;
	e.source = "centre-ZL07";
	e.recorded_by = "王秀兰, 调解员";
	e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	e.dispute = &d;
	d.case_id = "ZL07-2024-031";
	d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
	d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED;
	d.agreement_amount_fen = 250000;
	struct sbuf out;
	sbuf_init(&out, 8192);
	export_events_header(&out);
	struct export_record rec = {7, 1717205460, "centre-ZL07", 1, &e};
	export_event(&out, &rec, TZ);
	const char *s = sbuf_text(&out);
	assert_true(strncmp(s, EXPORT_BOM "seq,id,received_at,sender,retracted,occurred_at,village,",
			    strlen(EXPORT_BOM) + 54) == 0);
	const char *line = strstr(s, "\r\n") + 2;
	assert_string_equal(line, "7,0190c8e2-0000-7000-8000-000000000001,2024-06-01 09:31:00,"
				  "centre-ZL07,1,2024-06-01 09:30:00,ZL07,centre-ZL07,"
				  "\"王秀兰, 调解员\",dispute,ZL07-2024-031,RESOLVED,NEIGHBOUR,,,,,,,,"
				  ",,,,0,0,,,,,2500.00,,,,\r\n");

	Lawtally__V1__Retraction r = LAWTALLY__V1__RETRACTION__INIT;
	e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	e.retraction = &r;
	e.recorded_by = "";
	e.village = "";
	r.event_id = (ProtobufCBinaryData){16, id};
	r.reason = "=HYPERLINK(\"x\")";
	sbuf_reset(&out);
	rec.retracted = 0;
	export_event(&out, &rec, TZ);
	assert_string_equal(sbuf_text(&out),
			    "7,0190c8e2-0000-7000-8000-000000000001,2024-06-01 09:31:00,centre-ZL07,0,"
			    "2024-06-01 09:30:00,,centre-ZL07,,retraction,,,,,,,,,,,,,,,,,,,,,,,,"
			    "0190c8e2-0000-7000-8000-000000000001,\"'=HYPERLINK(\"\"x\"\")\"\r\n");

	/* a kind of the township's own work: its kind, case and stage, the rest empty */
	Lawtally__V1__Task tk = LAWTALLY__V1__TASK__INIT;
	e.body_case = LAWTALLY__V1__EVENT__BODY_TASK;
	e.task = &tk;
	tk.task_id = "RW-2024-01";
	tk.item = LAWTALLY__V1__TASK__ITEM__ITEM_LEADING_GROUP;
	tk.stage = LAWTALLY__V1__TASK__STAGE__STAGE_DONE;
	tk.responsible_office = "党政办";
	sbuf_reset(&out);
	export_event(&out, &rec, TZ);
	assert_string_equal(sbuf_text(&out),
			    "7,0190c8e2-0000-7000-8000-000000000001,2024-06-01 09:31:00,centre-ZL07,0,"
			    "2024-06-01 09:30:00,,centre-ZL07,,task,RW-2024-01,DONE,,,,,,,,,,,,,,,,,,,,,,,"
			    "\r\n");
	sbuf_free(&out);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_events),
	};
	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
