/* test_now.c - the clocks (common/now.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "now.h"

/* The three read the clocks they name, in the units they name. */
static void test_units(void **state)
{
	(void)state;
	struct timespec m0, w0, m1, w1;
	clock_gettime(CLOCK_MONOTONIC, &m0);
	clock_gettime(CLOCK_REALTIME, &w0);
	int64_t ms = now_mono_ms();
	double mono = now_mono(), wall = now_wall();
	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &w1);
	int64_t lo = (int64_t)m0.tv_sec * 1000 + m0.tv_nsec / 1000000;
	int64_t hi = (int64_t)m1.tv_sec * 1000 + m1.tv_nsec / 1000000;
	assert_true(ms >= lo && ms <= hi);
	assert_true(mono >= m0.tv_sec + m0.tv_nsec / 1e9 && mono <= m1.tv_sec + m1.tv_nsec / 1e9);
	assert_true(wall >= w0.tv_sec + w0.tv_nsec / 1e9 && wall <= w1.tv_sec + w1.tv_nsec / 1e9);
}

/* A 30 ms sleep shows as at least 30 ms on the monotonic clock, never less. */
static void test_interval(void **state)
{
	(void)state;
	int64_t ms0 = now_mono_ms();
	double s0 = now_mono();
	struct timespec d = {0, 30 * 1000000L};
	while (nanosleep(&d, &d) != 0)
		;
	assert_true(now_mono_ms() - ms0 >= 30);
	assert_true(now_mono() - s0 >= 0.030);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
