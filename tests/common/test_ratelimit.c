/*
 * test_ratelimit.c - unit tests of common/ratelimit.c: the lines a window
 * gives for one, two alternating, and many different offenders, the
 * bounded table and the summary's exact text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ratelimit.h"

/* Offences of keys[i % nkeys] at times t0 + i * step; returns the full lines. */
static unsigned offend(struct ratelimit *rl, const char *const *keys, size_t nkeys,
		       unsigned times, int64_t t0, int64_t step, unsigned *summaries)
{
	char line[RATELIMIT_LINE_MAX];
	unsigned full = 0;
	for (unsigned i = 0; i < times; i++) {
		int64_t now = t0 + (int64_t)i * step;
		*summaries += (unsigned)ratelimit_roll(rl, now, line, sizeof(line));
		full += (unsigned)ratelimit_count(rl, keys[i % nkeys], now);
	}
	return full;
}

static void test_one_key(void **state)
{
	(void)state;
	struct ratelimit rl;
	const char *k[] = {"KEY-A"};
	char line[RATELIMIT_LINE_MAX];
	unsigned sums = 0;
	ratelimit_init(&rl, "auth: refused key", "keys");
	/* one a second for a minute: one full line, the rest counted */
	assert_int_equal(offend(&rl, k, 1, 60, 1000, 1, &sums), 1);
	assert_int_equal(sums, 0);
	assert_int_equal(ratelimit_roll(&rl, 1059, line, sizeof(line)), 0);
	assert_int_equal(ratelimit_roll(&rl, 1060, line, sizeof(line)), 1);
	assert_string_equal(line, "auth: refused key: 59 more in the last 60 s, from 1 keys; "
				  "most often KEY-A (60)");
	/* the window closed: the next offence is logged in full again */
	assert_int_equal(ratelimit_roll(&rl, 1061, line, sizeof(line)), 0);
	assert_int_equal(ratelimit_count(&rl, "KEY-A", 1061), 1);
	ratelimit_fini(&rl);
}

/* The old limiter remembered one key: two alternating keys gave a line each time. */
static void test_two_alternating(void **state)
{
	(void)state;
	struct ratelimit rl;
	const char *k[] = {"KEY-A", "KEY-B"};
	char line[RATELIMIT_LINE_MAX];
	unsigned sums = 0;
	ratelimit_init(&rl, "auth: refused key", "keys");
	assert_int_equal(offend(&rl, k, 2, 200, 0, 0, &sums), 2);
	assert_int_equal(ratelimit_roll(&rl, 60, line, sizeof(line)), 1);
	assert_string_equal(line, "auth: refused key: 198 more in the last 60 s, from 2 keys; "
				  "most often KEY-A (100)");
	ratelimit_fini(&rl);
}

/* 200 fresh keys in a minute: RATELIMIT_BURST lines and one summary. */
static void test_many_keys(void **state)
{
	(void)state;
	struct ratelimit rl;
	static char names[200][16];
	const char *k[200];
	char line[RATELIMIT_LINE_MAX];
	unsigned sums = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "K%03d", i);
		k[i] = names[i];
	}
	ratelimit_init(&rl, "http: refused a connection", "peers");
	assert_int_equal(offend(&rl, k, 200, 200, 0, 0, &sums), RATELIMIT_BURST);
	assert_int_equal(rl.n, RATELIMIT_SLOTS);
	assert_int_equal(rl.overflow, 200 - RATELIMIT_SLOTS);
	assert_int_equal(ratelimit_roll(&rl, 75, line, sizeof(line)), 1);
	assert_string_equal(line, "http: refused a connection: 197 more in the last 75 s, from "
				  "more than 32 peers; most often K000 (1)");
	/* 200 attempts a minute for 10 minutes: at most BURST + 1 lines each minute */
	unsigned full = offend(&rl, k, 200, 2000, 100, 0, &sums) +
			offend(&rl, k, 7, 600, 100, 1, &sums);
	assert_true(full <= 11 * RATELIMIT_BURST);
	assert_true(sums <= 11);
	ratelimit_fini(&rl);
}

static void test_long_key_and_list(void **state)
{
	(void)state;
	struct ratelimit a, b;
	char longkey[200];
	memset(longkey, 'x', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	ratelimit_init(&a, "a", "keys");
	ratelimit_init(&b, "b", "keys");
	assert_int_equal(ratelimit_count(&a, longkey, 5), 1);
	assert_int_equal(strlen(a.slot[0].key), RATELIMIT_KEY_MAX);
	/* the same key cut to the same bytes is the same offender */
	assert_int_equal(ratelimit_count(&a, longkey, 6), 0);
	assert_int_equal(a.slot[0].count, 2);
	ratelimit_fini(&a);
	ratelimit_fini(&b);
	ratelimit_fini(&b); /* twice is harmless */
	ratelimit_flush_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_key),
		cmocka_unit_test(test_two_alternating),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_long_key_and_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
