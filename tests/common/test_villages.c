/* test_villages.c - the village list: what people type for a village, and the list in a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "villages.h"

static struct villages list;

static void test_lookup(void **state)
{
	(void)state;
	villages_builtin(&list);
	static const char *const zl07[] = {"ZL07", "zl07", "Zl07", "王岗村", "王岗", " 王岗村 ",
					   "ＺＬ０７", "ｚｌ０７"};
	for (size_t i = 0; i < sizeof(zl07) / sizeof(zl07[0]); i++) {
		const struct village *v = villages_lookup(&list, zl07[i]);
		assert_non_null(v);
		assert_string_equal(v->code, "ZL07");
	}
	/* 王营村 and 王岗村 are two villages; a name is matched whole */
	assert_string_equal(villages_lookup(&list, "王营")->code, "ZL20");
	assert_null(villages_lookup(&list, "王"));
	assert_null(villages_lookup(&list, "村"));
	assert_null(villages_lookup(&list, "王港村"));
	assert_null(villages_lookup(&list, "ZL99"));
	assert_null(villages_lookup(&list, ""));
}

static void test_describe(void **state)
{
	(void)state;
	char out[4096], small[40];
	villages_builtin(&list);
	villages_describe(&list, out, sizeof(out));
	assert_int_equal(strncmp(out, "ZL01 张北村, ZL02 张南村, ZL03 姚吴程村, ", 48), 0);
	assert_non_null(strstr(out, "ZL41 刘庄村"));
	assert_null(strstr(out, "..."));
	villages_describe(&list, small, sizeof(small));
	assert_string_equal(small, "ZL01 张北村, ZL02 张南村, ...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
