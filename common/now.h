/*
 * now.h - the time now: the monotonic clock for intervals, deadlines and
 * rates (it does not jump when the wall clock is set), and the real-time
 * clock for moments that are shown or stored.
 *
 * Static inline so that small programs (the bench's) use them without
 * linking the common library. clock_gettime cannot fail for these clocks
 * on Linux, so none of these returns an error.
 */
#ifndef LAWTALLY_NOW_H
#define LAWTALLY_NOW_H

#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds, from an unspecified start. */
static inline int64_t now_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Monotonic seconds with a fraction, from an unspecified start. */
static inline double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Unix time in seconds with a fraction. */
static inline double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
