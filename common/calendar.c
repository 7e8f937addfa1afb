/*
 * calendar.c - days to and from civil dates (see calendar.h).
 *
 * Howard Hinnant's algorithms: the year is counted from 1 March, so that
 * the leap day falls last, in 400-year eras of 146097 days; within an era
 * the day of the year of a month follows from (153 * month + 2) / 5.
 */
#include "calendar.h"

/* Days from 0000-03-01 to 1970-01-01. */
#define CAL_EPOCH_SHIFT 719468
#define CAL_ERA_DAYS 146097

int cal_is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int cal_days_in_month(int64_t year, int month)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	return dm[month - 1] + (month == 2 && cal_is_leap(year));
}

int64_t cal_days_from_civil(int64_t year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                    /* 0..399 */
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */
	return era * CAL_ERA_DAYS + doe - CAL_EPOCH_SHIFT;
}

void cal_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + CAL_EPOCH_SHIFT;
	int64_t era = (z >= 0 ? z : z - (CAL_ERA_DAYS - 1)) / CAL_ERA_DAYS;
	int64_t doe = z - era * CAL_ERA_DAYS;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / (CAL_ERA_DAYS - 1)) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* 0 = March .. 11 = February */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

int64_t cal_day_of(int64_t t)
{
	return t / CAL_DAY_SECONDS - (t % CAL_DAY_SECONDS < 0);
}
