/* hist.c - log-linear latency histograms (see hist.h). */
#include "hist.h"

#include <string.h>

#define HIST_VALUE_MAX ((1ULL << HIST_TOP_BITS) - 1)

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Index of v's bucket: exact below HIST_SUB, then HIST_SUB/2 per octave. */
static unsigned bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= HIST_SUB_BITS */
	unsigned shift = msb - (HIST_SUB_BITS - 1);        /* keep HIST_SUB_BITS - 1 bits */
	unsigned sub = (unsigned)(v >> shift) - HIST_SUB / 2; /* 0 .. HIST_SUB/2 - 1 */
	return HIST_SUB + (msb - HIST_SUB_BITS) * (HIST_SUB / 2) + sub;
}

/* The largest value that falls in bucket b. */
static uint64_t bucket_top(unsigned b)
{
	if (b < HIST_SUB)
		return b;
	unsigned octave = (b - HIST_SUB) / (HIST_SUB / 2);
	unsigned sub = (b - HIST_SUB) % (HIST_SUB / 2);
	unsigned shift = octave + 1;
	return ((uint64_t)(HIST_SUB / 2 + sub + 1) << shift) - 1;
}

void hist_add(struct hist *h, uint64_t value, uint64_t n)
{
	if (value > HIST_VALUE_MAX)
		value = HIST_VALUE_MAX;
	h->bucket[bucket_of(value)] += n;
	h->count += n;
	if (n && value > h->max)
		h->max = value;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* rank of the wanted value, 1-based: at least 1, at most count */
	uint64_t rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			uint64_t top = bucket_top(b);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}
