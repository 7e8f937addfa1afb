/* test_hist.c - the bench's latency histogram (bench/hist.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../bench/hist.h"

static void test_empty(void **state)
{
	(void)state;
	struct hist h;
	hist_reset(&h);
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	assert_int_equal(h.count, 0);
}

/* Below HIST_SUB every value has its own bucket: quantiles are exact. */
static void test_exact_small_values(void **state)
{
	(void)state;
	struct hist h;
	hist_reset(&h);
	for (uint64_t v = 1; v <= 100; v++)
		hist_add(&h, v, 1);
	assert_int_equal(h.count, 100);
	assert_int_equal(hist_quantile(&h, 0.50), 50);
	assert_int_equal(hist_quantile(&h, 0.99), 99);
	assert_int_equal(hist_quantile(&h, 0.999), 100);
	assert_int_equal(hist_quantile(&h, 1.0), 100);
	assert_int_equal(hist_quantile(&h, 0.0), 1);
}

/* Above, a quantile is never below the true value and at most 1/64 above. */
static void test_bounded_error(void **state)
{
	(void)state;
	struct hist h;
	for (uint64_t v = 128; v < (1ULL << 36); v = v * 3 / 2 + 7) {
		hist_reset(&h);
		hist_add(&h, v, 1);
		hist_add(&h, v + 1000000000000ULL, 1); /* max above, so the bucket top shows */
		uint64_t q = hist_quantile(&h, 0.5);
		assert_true(q >= v);
		assert_true(q - v <= v / 64);
	}
}

/* The result is capped by the largest recorded value. */
static void test_capped_by_max(void **state)
{
	(void)state;
	struct hist h;
	hist_reset(&h);
	hist_add(&h, 1000, 3);
	assert_int_equal(hist_quantile(&h, 0.99), 1000);
	assert_int_equal(h.max, 1000);
}

/* Weighted adds and merges: one batch's latency counts once per event. */
static void test_weights_and_merge(void **state)
{
	(void)state;
	struct hist a, b;
	hist_reset(&a);
	hist_reset(&b);
	hist_add(&a, 10, 990);
	hist_add(&b, 20, 9);
	hist_add(&b, 30, 1);
	hist_merge(&a, &b);
	assert_int_equal(a.count, 1000);
	assert_int_equal(a.max, 30);
	assert_int_equal(hist_quantile(&a, 0.50), 10);
	assert_int_equal(hist_quantile(&a, 0.99), 10);
	assert_int_equal(hist_quantile(&a, 0.995), 20);
	assert_int_equal(hist_quantile(&a, 0.9995), 30);
}

/* Values past the top clamp instead of overflowing the buckets. */
static void test_huge_value(void **state)
{
	(void)state;
	struct hist h;
	hist_reset(&h);
	hist_add(&h, UINT64_MAX, 1);
	assert_int_equal(h.count, 1);
	assert_int_equal(hist_quantile(&h, 0.5), (1ULL << HIST_TOP_BITS) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_small_values),
		cmocka_unit_test(test_bounded_error),
		cmocka_unit_test(test_capped_by_max),
		cmocka_unit_test(test_weights_and_merge),
		cmocka_unit_test(test_huge_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
