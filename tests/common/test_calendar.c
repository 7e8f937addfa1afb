/*
 * test_calendar.c - days to and from civil dates (common/calendar.c).
 *
 * The day numbers are Python's datetime.date differences from 1970-01-01,
 * an oracle independent of calendar.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "calendar.h"

static const struct {
	int64_t year;
	int month, day;
	int64_t days;
} known[] = {
	{1970, 1, 1, 0},
	{1969, 12, 31, -1},
	{2000, 2, 29, 11016},   /* 2000 is leap: divisible by 400 */
	{2023, 1, 1, 19358},
	{2024, 2, 29, 19782},
	{2024, 12, 31, 20088},
	{2100, 2, 28, 47540},   /* 2100 is not leap: the next day is 1 March */
	{2100, 3, 1, 47541},
	{1900, 1, 1, -25567},
	{1600, 2, 29, -135081},
	{1, 1, 1, -719162},
	{0, 3, 1, -719468},     /* the algorithm's own origin */
	{-1, 12, 31, -719529},  /* year 0 is leap: 0000-01-01 is 60 days before 1 March */
	{9999, 12, 31, 2932896},
};

static void test_known_days(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int64_t y;
		int m, d;
		assert_int_equal(cal_days_from_civil(known[i].year, known[i].month, known[i].day),
				 known[i].days);
		cal_civil_from_days(known[i].days, &y, &m, &d);
		assert_int_equal(y, known[i].year);
		assert_int_equal(m, known[i].month);
		assert_int_equal(d, known[i].day);
	}
}

static void test_leap_years(void **state)
{
	(void)state;
	const int64_t leap[] = {2000, 2024, 1600, 2400, 1996, 0, -4, -400};
	const int64_t common[] = {2023, 2100, 1900, 2200, 1970, 2001, -1, -100};
	for (size_t i = 0; i < sizeof(leap) / sizeof(leap[0]); i++) {
		assert_int_equal(cal_is_leap(leap[i]), 1);
		assert_int_equal(cal_days_in_month(leap[i], 2), 29);
	}
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		assert_int_equal(cal_is_leap(common[i]), 0);
		assert_int_equal(cal_days_in_month(common[i], 2), 28);
	}
}

static void test_month_lengths(void **state)
{
	(void)state;
	const int y2023[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const int y2024[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	for (int m = 1; m <= 12; m++) {
		assert_int_equal(cal_days_in_month(2023, m), y2023[m - 1]);
		assert_int_equal(cal_days_in_month(2024, m), y2024[m - 1]);
	}
	assert_int_equal(cal_days_in_month(2024, 0), 0);
	assert_int_equal(cal_days_in_month(2024, 13), 0);
	assert_int_equal(cal_days_in_month(2024, -1), 0);
}

/*
 * Every day from 1696-03-17 to 4707-11-29: each converts back to its own number, and
 * follows the day before it in the calendar (the next day of its month, or
 * the 1st of the next month after the month's last day).
 */
static void test_round_trip(void **state)
{
	(void)state;
	int64_t py, y;
	int pm, pd, m, d;
	cal_civil_from_days(-100001, &py, &pm, &pd);
	for (int64_t n = -100000; n <= 1000000; n++) {
		cal_civil_from_days(n, &y, &m, &d);
		assert_int_equal(cal_days_from_civil(y, m, d), n);
		if (pd < cal_days_in_month(py, pm)) {
			assert_true(y == py && m == pm && d == pd + 1);
		} else if (pm < 12) {
			assert_true(y == py && m == pm + 1 && d == 1);
		} else {
			assert_true(y == py + 1 && m == 1 && d == 1);
		}
		py = y;
		pm = m;
		pd = d;
	}
	assert_int_equal(py, 4707);
}

static void test_day_of(void **state)
{
	(void)state;
	assert_int_equal(cal_day_of(0), 0);
	assert_int_equal(cal_day_of(86399), 0);
	assert_int_equal(cal_day_of(86400), 1);
	assert_int_equal(cal_day_of(-1), -1);
	assert_int_equal(cal_day_of(-86400), -1);
	assert_int_equal(cal_day_of(-86401), -2);
	assert_int_equal(cal_day_of(1709251199), 19782); /* 2024-02-29T23:59:59Z */
	assert_int_equal(cal_day_of(1709251200), 19783); /* 2024-03-01T00:00:00Z */
	/* the extremes of unix time stay in range */
	int64_t y;
	int m, d;
	cal_civil_from_days(cal_day_of(INT64_MAX), &y, &m, &d);
	assert_int_equal(cal_days_from_civil(y, m, d), cal_day_of(INT64_MAX));
	cal_civil_from_days(cal_day_of(INT64_MIN), &y, &m, &d);
	assert_int_equal(cal_days_from_civil(y, m, d), cal_day_of(INT64_MIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_day_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
