/* test_json_out.c - the office's JSON builders (daemon/office/json_out.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "json_out.h"

static void test_document(void **state)
{
	(void)state;
	struct sbuf out;
	sbuf_init(&out, 4096);
	json_t *o = json_out_object(), *a = json_out_array();
	json_out_set(o, "year", json_integer(2024));
	json_out_set(o, "name", json_out_string("中心 ZL07"));
	json_out_set(o, "bad", json_out_string("\xff\xfe"));
	json_out_set(o, "none", json_out_string(NULL));
	json_out_set(o, "at", json_out_time(1717205400, 8 * 3600));
	json_out_set(o, "utc", json_out_time(0, 0));
	json_out_set(o, "west", json_out_time(1717205400, -5 * 3600));
	json_out_push(a, json_integer(1));
	json_out_push(a, json_real(93.5));
	json_out_push(a, json_null());
	json_out_set(o, "list", a);
	assert_int_equal(json_out_dump(o, JSON_INDENT(1) | JSON_REAL_PRECISION(6), &out), 0);
	assert_string_equal(sbuf_text(&out), "{\n"
					     " \"year\": 2024,\n"
					     " \"name\": \"中心 ZL07\",\n"
					     " \"bad\": \"?\",\n"
					     " \"none\": \"?\",\n"
					     " \"at\": \"2024-06-01T09:30:00+08:00\",\n"
					     " \"utc\": \"1970-01-01T00:00:00Z\",\n"
					     " \"west\": \"2024-05-31T20:30:00-05:00\",\n"
					     " \"list\": [\n"
					     "  1,\n"
					     "  93.5,\n"
					     "  null\n"
					     " ]\n"
					     "}\n");
	sbuf_free(&out);
}

/* A dump appends, with its own line end; a setting replaces the old value. */
static void test_append_and_replace(void **state)
{
	(void)state;
	struct sbuf out;
	sbuf_init(&out, 4096);
	sbuf_puts(&out, "before\n");
	json_t *o = json_out_object();
	json_out_set(o, "k", json_integer(1));
	json_out_set(o, "k", json_integer(2));
	assert_int_equal(json_out_dump(o, JSON_COMPACT, &out), 0);
	o = json_out_array();
	assert_int_equal(json_out_dump(o, JSON_COMPACT, &out), 0);
	assert_string_equal(sbuf_text(&out), "before\n{\"k\":2}\n[]\n");
	sbuf_free(&out);
}

/* A document longer than the buffer's maximum is cut and says so. */
static void test_full(void **state)
{
	(void)state;
	struct sbuf out;
	sbuf_init(&out, 8);
	json_t *o = json_out_object();
	json_out_set(o, "sender", json_out_string("centre-ZL07"));
	assert_int_equal(json_out_dump(o, JSON_COMPACT, &out), LT_EFULL);
	assert_string_equal(sbuf_text(&out), "{\"sender");
	sbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_append_and_replace),
		cmocka_unit_test(test_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
