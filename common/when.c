/* when.c - moments and months in the township's zone (see when.h). */
#include "when.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "err.h"

/* The civil date and time of day of unix time t shifted by tz. */
static void civil(int64_t t, int32_t tz, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	int64_t x = t + tz;
	int64_t days = cal_day_of(x), year;
	int64_t sod = x - days * CAL_DAY_SECONDS;
	cal_civil_from_days(days, &year, mo, d);
	*y = (int)year;
	*h = (int)(sod / 3600);
	*mi = (int)(sod % 3600 / 60);
	*s = (int)(sod % 60);
}

int64_t when_from_civil(int year, int month, int day, int32_t tz)
{
	return cal_days_from_civil(year, month, day) * CAL_DAY_SECONDS - tz;
}

/* n decimal digits at s into *v; returns 0 or -1. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD" at s; returns 0 or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*y < 1970 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > cal_days_in_month(*y, *m))
		return -1;
	return 0;
}

int when_parse_moment(const char *s, int32_t tz, int64_t *out)
{
	size_t len = strlen(s);
	int y, mo, d, h, mi, sec = 0;
	if (len == 0 || len > WHEN_TEXT_MAX)
		return LT_EINVAL;
	if (s[0] == '@') {
		char *end;
		errno = 0;
		long long v = strtoll(s + 1, &end, 10);
		/* strtoll gives LLONG_MAX for 99999999999999999999: out of range, not a moment */
		if (!s[1] || *end || s[1] == '-' || s[1] == '+' || s[1] == ' ' || errno == ERANGE ||
		    v > WHEN_SECONDS_MAX)
			return LT_EINVAL;
		*out = (int64_t)v;
		return 0;
	}
	if (len < 10 || parse_date(s, &y, &mo, &d))
		return LT_EINVAL;
	if (len == 10) {
		*out = when_from_civil(y, mo, d, tz) + 86400 - 1;
		return 0;
	}
	const char *p = s + 10;
	if ((*p != 'T' && *p != ' ') || digits(p + 1, 2, &h) || p[3] != ':' ||
	    digits(p + 4, 2, &mi) || h > 23 || mi > 59)
		return LT_EINVAL;
	p += 6;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec) || sec > 59)
			return LT_EINVAL;
		p += 3;
	}
	int32_t zone = tz;
	if (*p == 'Z') {
		zone = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int zh, zm;
		if (digits(p + 1, 2, &zh) || p[3] != ':' || digits(p + 4, 2, &zm) || zh > 14 ||
		    zm > 59)
			return LT_EINVAL;
		zone = (zh * 3600 + zm * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	}
	if (*p)
		return LT_EINVAL;
	*out = when_from_civil(y, mo, d, zone) + h * 3600 + mi * 60 + sec;
	return 0;
}

int when_parse_month(const char *s, unsigned *year, unsigned *month)
{
	int y, m;
	if (!s || strlen(s) != 7 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) ||
	    y < 2000 || y > 2200 || m < 1 || m > 12)
		return LT_EINVAL;
	*year = (unsigned)y;
	*month = (unsigned)m;
	return 0;
}

void when_format(int64_t t, int32_t tz, char out[WHEN_FORMAT_LEN])
{
	int y, mo, d, h, mi, s;
	civil(t, tz, &y, &mo, &d, &h, &mi, &s);
	int32_t a = tz < 0 ? -tz : tz;
	if (tz == 0)
		snprintf(out, WHEN_FORMAT_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
	else
		snprintf(out, WHEN_FORMAT_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d,
			 h, mi, s, tz < 0 ? '-' : '+', (int)(a / 3600), (int)(a % 3600 / 60));
}

void when_format_short(int64_t t, int32_t tz, char out[WHEN_FORMAT_LEN])
{
	int y, mo, d, h, mi, s;
	civil(t, tz, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, WHEN_FORMAT_LEN, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

void when_format_span(int64_t seconds, char out[WHEN_FORMAT_LEN])
{
	long long t = seconds > 0 ? (long long)seconds : 0;
	if (t >= 86400)
		snprintf(out, WHEN_FORMAT_LEN, "%lld d %lld h", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		snprintf(out, WHEN_FORMAT_LEN, "%lld h %lld min", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(out, WHEN_FORMAT_LEN, "%lld min %lld s", t / 60, t % 60);
	else
		snprintf(out, WHEN_FORMAT_LEN, "%lld s", t);
}
