/*
 * test_query.c - folding totals into query rows (daemon/store/query.c): the
 * hashed row index gives the sums a plain scan of the rows gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query.h"

#define NVILLAGES 100
#define NMONTHS 12
#define NDIMS 7

static uint64_t rng = 88172645463325252ull;

static int64_t next_value(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (int64_t)(rng % 1000) - 100; /* negative ones too: retractions */
}

static void key_of(struct tally_key *k, int metric, int month, int village, int dim)
{
	memset(k, 0, sizeof(*k));
	k->metric = (uint8_t)metric;
	k->year = 2024;
	k->month = (uint8_t)month;
	char code[VILLAGE_CODE_MAX + 1];
	snprintf(code, sizeof(code), "V%03d", village);
	memcpy(k->village, code, strlen(code));
	k->dim[0] = (uint8_t)dim;
}

static const struct query_row *find(const struct query_rows *rows, int metric,
				    const char *village, int month, int dim)
{
	const struct query_row *hit = NULL;
	for (size_t i = 0; i < rows->n; i++) {
		const struct query_row *r = &rows->r[i];
		if (r->metric == metric && r->month == month && r->dim == dim &&
		    strcmp(r->village, village) == 0) {
			assert_null(hit); /* one row per breakdown value */
			hit = r;
		}
	}
	return hit;
}

/* Two metrics, in key order as a scan gives them: sums per village of each. */
static void test_by_village_two_metrics(void **state)
{
	(void)state;
	static int64_t want[2][NVILLAGES];
	memset(want, 0, sizeof(want));
	struct query_spec spec = {.metric = -1, .year = 2024, .by = BY_VILLAGE};
	struct query_rows rows = {0};
	struct tally_key k;
	for (int m = 0; m < 2; m++)
		for (int mo = 1; mo <= NMONTHS; mo++)
			for (int v = 0; v < NVILLAGES; v++)
				for (int d = 1; d <= NDIMS; d++) {
					int64_t x = next_value();
					key_of(&k, m, mo, v, d);
					query_rows_add(&rows, &spec, &k, x);
					want[m][v] += x;
				}
	assert_int_equal(rows.n, 2 * NVILLAGES);
	for (int m = 0; m < 2; m++)
		for (int v = 0; v < NVILLAGES; v++) {
			char code[8];
			snprintf(code, sizeof(code), "V%03d", v);
			const struct query_row *r = find(&rows, m, code, 0, 0);
			assert_non_null(r);
			assert_int_equal(r->value, want[m][v]);
		}
	query_rows_free(&rows);
}

/* 256 values of a dimension: the index grows past its first size. */
static void test_by_dim_grows(void **state)
{
	(void)state;
	struct query_spec spec = {.metric = M_DISPUTES_RESOLVED, .year = 2024, .by = BY_DIM};
	snprintf(spec.dim_name, sizeof(spec.dim_name), "category");
	struct query_rows rows = {0};
	struct tally_key k;
	int64_t want[256] = {0};
	for (int round = 0; round < 3; round++)
		for (int d = 0; d < 256; d++) {
			key_of(&k, M_DISPUTES_RESOLVED, 1 + round, d % 5, d);
			query_rows_add(&rows, &spec, &k, d + round);
			want[d] += d + round;
		}
	assert_int_equal(rows.n, 256);
	for (int d = 0; d < 256; d++) {
		const struct query_row *r = find(&rows, M_DISPUTES_RESOLVED, "", 0, d);
		assert_non_null(r);
		assert_int_equal(r->value, want[d]);
	}
	query_rows_free(&rows);
}

/* Rows emptied by the caller and filled again: nothing of the old sums remains. */
static void test_reused_rows(void **state)
{
	(void)state;
	struct query_spec spec = {.metric = 0, .year = 2024, .by = BY_MONTH};
	struct query_rows rows = {0};
	struct tally_key k;
	for (int pass = 1; pass <= 2; pass++) {
		rows.n = 0;
		for (int mo = 1; mo <= NMONTHS; mo++)
			for (int v = 0; v < 3; v++) {
				key_of(&k, 0, mo, v, 1);
				query_rows_add(&rows, &spec, &k, pass * mo);
			}
		assert_int_equal(rows.n, NMONTHS);
		for (int mo = 1; mo <= NMONTHS; mo++) {
			const struct query_row *r = find(&rows, 0, "", mo, 0);
			assert_non_null(r);
			assert_int_equal(r->value, 3 * pass * mo);
		}
	}
	query_rows_free(&rows);
}

/* A village filter keeps that village's totals only. */
static void test_village_filter(void **state)
{
	(void)state;
	struct query_spec spec = {.metric = 0, .year = 2024, .by = BY_NONE};
	snprintf(spec.village, sizeof(spec.village), "V007");
	struct query_rows rows = {0};
	struct tally_key k;
	int64_t want = 0;
	for (int v = 0; v < 20; v++)
		for (int mo = 1; mo <= NMONTHS; mo++) {
			key_of(&k, 0, mo, v, 2);
			query_rows_add(&rows, &spec, &k, v * 100 + mo);
			if (v == 7)
				want += v * 100 + mo;
		}
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.r[0].value, want);
	query_rows_free(&rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_village_two_metrics),
		cmocka_unit_test(test_by_dim_grows),
		cmocka_unit_test(test_reused_rows),
		cmocka_unit_test(test_village_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
