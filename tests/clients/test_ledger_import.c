/*
 * test_ledger_import.c - a whole ledger file into rows of events with each
 * row's outcome: the header under a title row, a column it does not know,
 * a case twice at one stage, a total row, a row the daemon would refuse,
 * the reader picked by the name or the content.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "ledger_import.h"

static const char ledger[] =
	"王岗村台账,,,,,\n"
	"日期,案件编号,纠纷类型,调解结果,天气,当事人\n"
	"2024/2/1,D-1,邻里纠纷,调解成功,晴,张某\n"
	"2024/2/1,D-2,合同,受理,阴,李某\n"
	"1999/12/31,D-3,合同,受理,雨,王某\n"
	"2024/2/3,D-1,邻里,调解成功,晴,张某\n"
	"合计,,,,,\n";

static const struct ledger_import_opts opts = {
	.kind = LEDGER_DISPUTE, .format = LEDGER_FORMAT_AUTO, .encoding = CSV_AUTO,
	.name = "wg.csv", .village = "ZL07", .village_name = "王岗村", .source = "centre-ZL07",
};

static void test_outcomes(void **state)
{
	(void)state;
	struct ledger_import im;
	char err[512];
	assert_int_equal(ledger_import_read(&im, ledger, strlen(ledger), &opts, err, sizeof(err)), 0);
	assert_string_equal(im.used, "UTF-8");
	assert_int_equal(im.header_line, 2);
	assert_int_equal(im.cases, 2);
	assert_int_equal(im.bad, 2);
	assert_int_equal(im.skipped, 1);
	assert_int_equal(im.nevents, 3); /* D-1 registered and resolved, D-2 registered */
	static const struct {
		size_t line;
		enum ledger_outcome outcome;
		const char *why;
	} want[] = {
		{2, LEDGER_ROW_NOTE, "column E \"天气\": not a ledger column we know; ignored"},
		{3, LEDGER_ROW_EVENTS, NULL},
		{4, LEDGER_ROW_EVENTS, NULL},
		{5, LEDGER_ROW_BAD, "lawtallyd would refuse this row: occurred_at: before 2000-01-01"},
		{6, LEDGER_ROW_BAD, "column B (案件编号): case D-1, 调解成功, is on line 3 and again on "
				    "line 6; this row is left out"},
		{7, LEDGER_ROW_SKIPPED, "a total row"},
	};
	assert_int_equal(im.nlines, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < im.nlines; i++) {
		assert_int_equal(im.lines[i].line, want[i].line);
		assert_int_equal(im.lines[i].outcome, want[i].outcome);
		if (want[i].why)
			assert_string_equal(im.lines[i].why, want[i].why);
		else
			assert_null(im.lines[i].why);
	}
	assert_int_equal(im.event_line[0], 3);
	assert_int_equal(im.event_line[2], 4);
	assert_string_equal(im.events[2]->dispute->case_id, "D-2");
	ledger_import_free(&im);
	assert_int_equal(im.nlines, 0);
}

static void test_refused_whole(void **state)
{
	(void)state;
	struct ledger_import im;
	struct ledger_import_opts o = opts;
	char err[512];
	const char *none = "a,b\n1,2\n";
	assert_int_equal(ledger_import_read(&im, none, strlen(none), &o, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "no header row (日期, 案件编号, 纠纷类型, ... or 日期, 培训内容, 参训人数)");
	ledger_import_free(&im);
	/* a workbook named .csv is read as the workbook it is not: said plainly */
	o.format = LEDGER_FORMAT_TEXT;
	assert_int_equal(ledger_import_read(&im, "PK\x03\x04zz", 6, &o, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "an Excel workbook, not CSV or text: import it as .xlsx");
	ledger_import_free(&im);
	/* by the name, an .xlsx is a workbook even when it is not one */
	o.format = LEDGER_FORMAT_AUTO;
	o.name = "台账.XLSX";
	assert_int_equal(ledger_import_read(&im, ledger, strlen(ledger), &o, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "not an Excel workbook (.xlsx is a zip file; this is not one)");
	ledger_import_free(&im);
	/* no name: the content decides */
	o.name = NULL;
	assert_int_equal(ledger_import_read(&im, ledger, strlen(ledger), &o, err, sizeof(err)), 0);
	ledger_import_free(&im);
}

static void test_format_of_name(void **state)
{
	(void)state;
	assert_int_equal(ledger_format_of_name("a.xlsx"), LEDGER_FORMAT_XLSX);
	assert_int_equal(ledger_format_of_name("a.b.XLS"), LEDGER_FORMAT_XLSX);
	assert_int_equal(ledger_format_of_name("台账.csv"), LEDGER_FORMAT_TEXT);
	assert_int_equal(ledger_format_of_name("a.txt"), LEDGER_FORMAT_TEXT);
	assert_int_equal(ledger_format_of_name("a"), LEDGER_FORMAT_AUTO);
	assert_int_equal(ledger_format_of_name(NULL), LEDGER_FORMAT_AUTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_refused_whole),
		cmocka_unit_test(test_format_of_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
