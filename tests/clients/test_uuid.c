/* test_uuid.c - UUIDv7 ids: layout (shared with v8), order, text form, threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "uuid.h"

/* RFC 9562, appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F */
static void test_rfc_example(void **state)
{
	(void)state;
	const uint8_t rnd[10] = {0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f};
	uint8_t id[UUID_LEN];
	char text[UUID_STR_LEN + 1];
	uuid_v7_from(id, 0x017F22E279B0ULL, rnd);
	uuid_format(id, text);
	assert_string_equal(text, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
}

/* The shared layout with another version (the ledger's v8 ids); wider fields are cut. */
static void test_pack(void **state)
{
	(void)state;
	uint8_t id[UUID_LEN];
	char text[UUID_STR_LEN + 1];
	uuid_pack(id, 8, 0x017F22E279B0ULL, 0xCC3, 0x18C4DC0C0C07398FULL);
	uuid_format(id, text);
	assert_string_equal(text, "017f22e2-79b0-8cc3-98c4-dc0c0c07398f");
	uuid_pack(id, 8, UINT64_MAX, UINT16_MAX, UINT64_MAX);
	uuid_format(id, text);
	assert_string_equal(text, "ffffffff-ffff-8fff-bfff-ffffffffffff");
	uuid_pack(id, 7, 0, 0, 0);
	uuid_format(id, text);
	assert_string_equal(text, "00000000-0000-7000-8000-000000000000");
}

static void test_parse_format(void **state)
{
	(void)state;
	uint8_t id[UUID_LEN];
	char text[UUID_STR_LEN + 1];
	assert_int_equal(uuid_parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F", id), 0);
	uuid_format(id, text);
	assert_string_equal(text, "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
	static const char *const bad[] = {
		"", "017f22e2-79b0-7cc3-98c4-dc0c0c07398", "017f22e2-79b0-7cc3-98c4-dc0c0c07398f0",
		"017f22e279b0-7cc3-98c4-dc0c0c07398f-", "017f22e2-79b0-7cc3-98c4-dc0c0c07398g",
		"017f22e2+79b0-7cc3-98c4-dc0c0c07398f",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(uuid_parse(bad[i], id), LT_EINVAL);
}

/* Ids made one after another sort in making order, with version 7 and variant 10. */
static void test_v7_increasing(void **state)
{
	(void)state;
	uint8_t prev[UUID_LEN], id[UUID_LEN];
	assert_int_equal(uuid_v7(prev), 0);
	for (int i = 0; i < 100000; i++) {
		assert_int_equal(uuid_v7(id), 0);
		assert_true(memcmp(prev, id, UUID_LEN) < 0);
		assert_int_equal(id[6] >> 4, 7);
		assert_int_equal(id[8] >> 6, 2);
		memcpy(prev, id, UUID_LEN);
	}
}

#define DRAW_THREADS 8
#define DRAW_IDS 20000

struct draw {
	pthread_t thread;
	pthread_barrier_t *start;
	uint8_t (*ids)[UUID_LEN];
	int failed;                      /* uuid_v7 returned an error */
};

static void *draw_ids(void *arg)
{
	struct draw *d = arg;
	pthread_barrier_wait(d->start);
	for (int i = 0; i < DRAW_IDS; i++)
		if (uuid_v7(d->ids[i]) != 0)
			d->failed = 1;
	return NULL;
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

/*
 * Threads drawing ids at once (device firmware may send from several):
 * each thread's ids still increase, and no id is drawn twice.
 */
static void test_v7_threads(void **state)
{
	(void)state;
	static uint8_t ids[DRAW_THREADS * DRAW_IDS][UUID_LEN];
	struct draw d[DRAW_THREADS];
	pthread_barrier_t start;
	assert_int_equal(pthread_barrier_init(&start, NULL, DRAW_THREADS), 0);
	for (int t = 0; t < DRAW_THREADS; t++) {
		d[t] = (struct draw){.start = &start, .ids = &ids[t * DRAW_IDS]};
		assert_int_equal(pthread_create(&d[t].thread, NULL, draw_ids, &d[t]), 0);
	}
	for (int t = 0; t < DRAW_THREADS; t++) {
		assert_int_equal(pthread_join(d[t].thread, NULL), 0);
		assert_int_equal(d[t].failed, 0);
	}
	pthread_barrier_destroy(&start);
	for (int t = 0; t < DRAW_THREADS; t++)
		for (int i = 1; i < DRAW_IDS; i++)
			assert_true(memcmp(d[t].ids[i - 1], d[t].ids[i], UUID_LEN) < 0);
	qsort(ids, DRAW_THREADS * DRAW_IDS, UUID_LEN, id_cmp);
	for (size_t i = 1; i < DRAW_THREADS * DRAW_IDS; i++)
		assert_true(memcmp(ids[i - 1], ids[i], UUID_LEN) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_example),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_v7_increasing),
		cmocka_unit_test(test_v7_threads),
	};
	return cmocka_run_group_tests_name("uuid", tests, NULL, NULL);
}
