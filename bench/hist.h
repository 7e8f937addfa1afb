/*
 * hist.h - latency histograms with log-linear buckets (HdrHistogram-like).
 *
 * Values are non-negative integers (the bench records microseconds).
 * Values below HIST_SUB are kept exactly; above, each power of two is cut
 * into HIST_SUB / 2 equal buckets, so a reported percentile is at most
 * 1/64 (1.6 %) above the true value and never below it. Fixed size, no
 * allocation: a histogram can live on the stack or in a thread's state.
 */
#ifndef LAWTALLY_BENCH_HIST_H
#define LAWTALLY_BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)              /* 128 exact values */
#define HIST_TOP_BITS 40                            /* values up to 2^40 - 1 */
#define HIST_BUCKETS (HIST_SUB + (HIST_TOP_BITS - HIST_SUB_BITS) * (HIST_SUB / 2))

struct hist {
	uint64_t count;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

/* Empties h. */
void hist_reset(struct hist *h);

/* Records value n times; values of 2^40 and above count as 2^40 - 1. */
void hist_add(struct hist *h, uint64_t value, uint64_t n);

/* Adds every count of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/*
 * The smallest bucket upper bound below which at least q (0..1) of the
 * values lie: the q-quantile, rounded up to its bucket. 0 when empty.
 */
uint64_t hist_quantile(const struct hist *h, double q);

#endif
