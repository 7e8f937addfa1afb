/* test_when.c - spans of time as the daemon's lines write them (common/when.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "when.h"

static void test_format_span(void **state)
{
	(void)state;
	static const struct {
		int64_t seconds;
		const char *text;
	} rows[] = {
		{0, "0 s"},
		{-5, "0 s"},
		{59, "59 s"},
		{60, "1 min 0 s"},
		{3599, "59 min 59 s"},
		{3600, "1 h 0 min"},
		{86399, "23 h 59 min"},
		{86400, "1 d 0 h"},
		{3 * 86400 + 2 * 3600 + 59, "3 d 2 h"},
		{INT64_MAX, "106751991167300 d 15 h"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[WHEN_FORMAT_LEN];
		when_format_span(rows[i].seconds, out);
		assert_string_equal(out, rows[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
