/* when.c - moments and months in the township's zone (see when.h). */
#include "when.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date and time of day of unix time t shifted by tz. */
static void civil(int64_t t, int32_t tz, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	int64_t x = t + tz;
	int64_t days = x / 86400 - (x % 86400 < 0);
	int64_t sod = x - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
	*h = (int)(sod / 3600);
	*mi = (int)(sod % 3600 / 60);
	*s = (int)(sod % 60);
}

int64_t when_from_civil(int year, int month, int day, int32_t tz)
{
	return days_from_civil(year, month, day) * 86400 - tz;
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

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dm[m - 1] + (m == 2 && leap);
}

/* "YYYY-MM-DD" at s; returns 0 or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*y < 1970 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
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
