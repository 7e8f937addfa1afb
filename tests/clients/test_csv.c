/* test_csv.c - RFC 4180 records, line numbers of errors, encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "err.h"

struct reader {
	struct csv_reader *r;
	struct csv_record rec;
	char err[256];
};

static void open_text(struct reader *t, const char *text)
{
	memset(t, 0, sizeof(*t));
	t->r = csv_open(text, strlen(text));
}

/* Reads the next record and checks its line and fields (NULL-terminated list). */
static void expect(struct reader *t, size_t line, ...)
{
	va_list ap;
	assert_int_equal(csv_next(t->r, &t->rec, t->err, sizeof(t->err)), 1);
	assert_int_equal(t->rec.line, line);
	va_start(ap, line);
	size_t i = 0;
	for (const char *f; (f = va_arg(ap, const char *)); i++) {
		assert_true(i < t->rec.n);
		assert_string_equal(t->rec.field[i], f);
	}
	va_end(ap);
	assert_int_equal(t->rec.n, i);
}

static void expect_error(struct reader *t, const char *msg)
{
	assert_int_equal(csv_next(t->r, &t->rec, t->err, sizeof(t->err)), LT_EINVAL);
	assert_string_equal(t->err, msg);
}

static void expect_end(struct reader *t)
{
	assert_int_equal(csv_next(t->r, &t->rec, t->err, sizeof(t->err)), 0);
	csv_close(&t->r);
	assert_null(t->r);
}

static void test_plain_and_quoted(void **state)
{
	(void)state;
	struct reader t;
	open_text(&t, "日期,案件编号,纠纷类型\r\n"
		      "2024/1/8,WG-1,\"邻里纠纷\"\r\n"
		      "\"a,b\",\"say \"\"hi\"\"\",\r\n"
		      ",,\n"
		      "last");
	expect(&t, 1, "日期", "案件编号", "纠纷类型", NULL);
	expect(&t, 2, "2024/1/8", "WG-1", "邻里纠纷", NULL);
	expect(&t, 3, "a,b", "say \"hi\"", "", NULL);
	expect(&t, 4, "", "", "", NULL);
	expect(&t, 5, "last", NULL);
	expect_end(&t);
}

/* A line break inside quotes belongs to the field; lines are still counted. */
static void test_line_breaks_in_quotes(void **state)
{
	(void)state;
	struct reader t;
	open_text(&t, "1,\"two\r\nlines\",x\r\n2,\"three\nlines\nhere\"\r3,y\n");
	expect(&t, 1, "1", "two\nlines", "x", NULL);
	expect(&t, 3, "2", "three\nlines\nhere", NULL);
	expect(&t, 6, "3", "y", NULL);
	expect_end(&t);
}

/* A bad record names its line and column, is skipped, and the rest go on. */
static void test_errors_and_resync(void **state)
{
	(void)state;
	struct reader t;
	open_text(&t, "a,b,c\n"
		      "1,ab\"c,3\n"
		      "2,\"x\"y,3\n"
		      "3,ok,3\n"
		      "4,\"never closed\n5,6\n");
	expect(&t, 1, "a", "b", "c", NULL);
	expect_error(&t, "line 2, column 2: a quote inside a field that does not start with one");
	expect_error(&t, "line 3, column 2: text after the closing quote of a field");
	expect(&t, 4, "3", "ok", "3", NULL);
	expect_error(&t, "line 5, column 2: a quoted field is never closed");
	expect_end(&t);
}

static void test_empty_input(void **state)
{
	(void)state;
	struct reader t;
	open_text(&t, "");
	expect_end(&t);
	open_text(&t, "\n");
	expect(&t, 1, "", NULL);
	expect_end(&t);
}

static void test_too_many_fields(void **state)
{
	(void)state;
	char line[CSV_FIELDS_MAX + 8];
	memset(line, ',', CSV_FIELDS_MAX);
	strcpy(line + CSV_FIELDS_MAX, "\nok\n");
	struct reader t;
	open_text(&t, line);
	expect_error(&t, "line 1, column 256: more than 256 fields");
	expect(&t, 2, "ok", NULL);
	expect_end(&t);
}

static void test_decode(void **state)
{
	(void)state;
	char *out, err[128];
	size_t len;
	const char *used;
	/* UTF-8 with BOM: the BOM goes */
	assert_int_equal(csv_decode("\xEF\xBB\xBF日期,x\n", 12, CSV_AUTO, &out, &len, &used, err,
				    sizeof(err)), 0);
	assert_string_equal(out, "日期,x\n");
	assert_int_equal(len, strlen("日期,x\n"));
	assert_string_equal(used, "UTF-8 with BOM");
	free(out);
	/* UTF-8 without BOM */
	assert_int_equal(csv_decode("日期\n", strlen("日期\n"), CSV_AUTO, &out, &len, &used, err,
				    sizeof(err)), 0);
	assert_string_equal(used, "UTF-8");
	free(out);
	/* GB18030: 日 C8D5, 期 C6DA, 邻 C1DA, 里 C0EF */
	const char gb[] = "a\n\xC8\xD5\xC6\xDA,\xC1\xDA\xC0\xEF\n";
	assert_int_equal(csv_decode(gb, sizeof(gb) - 1, CSV_AUTO, &out, &len, &used, err,
				    sizeof(err)), 0);
	assert_string_equal(out, "a\n日期,邻里\n");
	assert_string_equal(used, "GB18030");
	free(out);
	/* forced UTF-8 on GB18030 bytes names the line */
	assert_int_equal(csv_decode(gb, sizeof(gb) - 1, CSV_UTF8, &out, &len, &used, err,
				    sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "line 2: not valid UTF-8");
	/* bytes that are neither */
	const char bad[] = "ok\nok\n\x81\x20\n";
	assert_int_equal(csv_decode(bad, sizeof(bad) - 1, CSV_AUTO, &out, &len, &used, err,
				    sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "line 3: not valid GB18030 (nor UTF-8)");
}

static void test_column_names(void **state)
{
	(void)state;
	static const struct {
		size_t col;
		const char *name;
	} cases[] = {{0, "A"}, {3, "D"}, {25, "Z"}, {26, "AA"}, {51, "AZ"}, {52, "BA"}, {701, "ZZ"},
		     {702, "AAA"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[8];
		csv_column_name(cases[i].col, out);
		assert_string_equal(out, cases[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_line_breaks_in_quotes),
		cmocka_unit_test(test_errors_and_resync),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_column_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
