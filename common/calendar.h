/*
 * calendar.h - the proleptic Gregorian calendar in whole days: leap years,
 * month lengths, and days since 1970-01-01 to and from a civil date.
 *
 * Pure code, no libc time zone: moments in the township's zone are its
 * callers' business (when.h, tally.h), which shift unix time by the zone's
 * offset and then count days here. Exact for years of magnitude below
 * 2^50, far beyond any date the office or a ledger writes, and for every
 * day an int64_t unix time falls on.
 */
#ifndef LAWTALLY_CALENDAR_H
#define LAWTALLY_CALENDAR_H

#include <stdint.h>

#define CAL_DAY_SECONDS 86400

/* 1 if year has a 29 February, else 0. */
int cal_is_leap(int64_t year);

/* Days of month (1..12) in year: 28..31, or 0 for a month outside 1..12. */
int cal_days_in_month(int64_t year, int month);

/*
 * Days since 1970-01-01 (negative before it) of year-month-day. month must
 * be 1..12 and day 1..cal_days_in_month; callers check the date first.
 */
int64_t cal_days_from_civil(int64_t year, int month, int day);

/* The civil date of days since 1970-01-01; the inverse of the above. */
void cal_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* The day since 1970-01-01 that unix time t falls on (rounding down, also before 1970). */
int64_t cal_day_of(int64_t t);

#endif
