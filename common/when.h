/*
 * when.h - moments and months as the office writes them, in the township's
 * zone: parsing the as-of moment and the month of a report, formatting
 * times in RFC 3339.
 *
 * Pure code; zones are fixed offsets in seconds east of UTC (config.h).
 */
#ifndef LAWTALLY_WHEN_H
#define LAWTALLY_WHEN_H

#include <stdint.h>

/* Longest as-of text accepted. */
#define WHEN_TEXT_MAX 40

/* The last second of 9999-12-31 UTC: dates end there, and so do moments. */
#define WHEN_SECONDS_MAX INT64_C(253402300799)

/* Room for when_format's "2024-06-01T09:30:00+08:00" and a NUL. */
#define WHEN_FORMAT_LEN 32

/* Unix seconds of 00:00 on a civil date in zone tz. */
int64_t when_from_civil(int year, int month, int day, int32_t tz);

/*
 * Parses an as-of moment (at most WHEN_TEXT_MAX bytes):
 *   "YYYY-MM-DD"                      the end of that day (23:59:59) in tz
 *   "YYYY-MM-DDTHH:MM[:SS][ZONE]"     a "T" or one blank between date and time;
 *                                     ZONE "Z" or "+HH:MM"/"-HH:MM", none: tz
 *   "@SECONDS"                        unix seconds, 0..WHEN_SECONDS_MAX
 * Returns 0 with *out set, or LT_EINVAL (a form not above, a date that
 * does not exist, a number out of range).
 */
int when_parse_moment(const char *s, int32_t tz, int64_t *out);

/* "YYYY-MM" with a year 2000..2200. Returns 0, or LT_EINVAL. */
int when_parse_month(const char *s, unsigned *year, unsigned *month);

/* t in zone tz as "2024-06-01T09:30:00+08:00". */
void when_format(int64_t t, int32_t tz, char out[WHEN_FORMAT_LEN]);

/* t in zone tz as "2024-06-01 09:30" (for documents people read). */
void when_format_short(int64_t t, int32_t tz, char out[WHEN_FORMAT_LEN]);

/*
 * A span of seconds (0 or more; less is taken as 0) as people read it, in
 * its two largest units: "3 d 2 h", "5 h 0 min", "12 min 5 s", "40 s".
 */
void when_format_span(int64_t seconds, char out[WHEN_FORMAT_LEN]);

#endif
