/* rangeset.c - sequence numbers as ranges (see rangeset.h). */
#include "rangeset.h"

#include <string.h>

#include "err.h"

#define RANGESET_VERSION 1

void rangeset_init(struct rangeset *s)
{
	s->n = 0;
	s->forgotten = 0;
	s->forgotten_below = 0;
}

/* The index of the first range with hi >= x - 1 (the one x may join or precede); x >= 1. */
static size_t lower_bound(const struct rangeset *s, uint64_t x)
{
	size_t a = 0, b = s->n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (s->r[m].hi < x - 1) /* x >= 1; hi + 1 could wrap */
			a = m + 1;
		else
			b = m;
	}
	return a;
}

int rangeset_has(const struct rangeset *s, uint64_t x)
{
	if (x == 0)
		return 0;
	size_t i = lower_bound(s, x);
	return i < s->n && s->r[i].lo <= x && x <= s->r[i].hi;
}

uint64_t rangeset_last(const struct rangeset *s)
{
	return s->n ? s->r[s->n - 1].hi : 0;
}

/* Merges the two lowest ranges over their gap: room for one more. */
static void forget_lowest_gap(struct rangeset *s)
{
	struct seq_range *a = &s->r[0], *b = &s->r[1];
	s->forgotten += b->lo - a->hi - 1;
	s->forgotten_below = b->lo;
	a->hi = b->hi;
	a->hi_at = b->hi_at;
	memmove(&s->r[1], &s->r[2], (s->n - 2) * sizeof(s->r[0]));
	s->n--;
}

int rangeset_add(struct rangeset *s, uint64_t x, int64_t at)
{
	if (x == 0)
		return -1;
	size_t i = lower_bound(s, x);
	if (i < s->n && s->r[i].lo <= x && x <= s->r[i].hi)
		return 0;
	int joins_left = i < s->n && s->r[i].hi + 1 == x;
	int joins_right = i < s->n && x + 1 == s->r[i].lo;
	/* x + 1 == r[i+1].lo when x extends r[i] upward */
	if (joins_left && i + 1 < s->n && x + 1 == s->r[i + 1].lo) {
		s->r[i].hi = s->r[i + 1].hi;
		s->r[i].hi_at = s->r[i + 1].hi_at;
		memmove(&s->r[i + 1], &s->r[i + 2], (s->n - i - 2) * sizeof(s->r[0]));
		s->n--;
		return 1;
	}
	if (joins_left) {
		s->r[i].hi = x;
		s->r[i].hi_at = at;
		return 1;
	}
	if (joins_right) {
		s->r[i].lo = x;
		s->r[i].lo_at = at;
		return 1;
	}
	if (s->n == RANGESET_MAX) {
		forget_lowest_gap(s);
		if (i > 0)
			i--;
		/* x may now lie inside the merged range */
		if (s->r[0].lo <= x && x <= s->r[0].hi)
			return 0;
	}
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
	s->r[i] = (struct seq_range){x, x, at, at};
	s->n++;
	return 1;
}

size_t rangeset_gaps(const struct rangeset *s, struct seq_gap *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t lo = i ? s->r[i - 1].hi + 1 : 1;
		if (lo >= s->r[i].lo)
			continue;
		if (k < max)
			out[k] = (struct seq_gap){lo, s->r[i].lo - 1, i ? s->r[i - 1].hi_at : 0,
						  s->r[i].lo_at};
		k++;
	}
	return k;
}

uint64_t rangeset_missing(const struct rangeset *s)
{
	uint64_t m = 0;
	for (size_t i = 0; i < s->n; i++)
		m += s->r[i].lo - (i ? s->r[i - 1].hi + 1 : 1);
	return m;
}

int rangeset_overflowed(const struct rangeset *s)
{
	return s->forgotten_below != 0;
}

size_t rangeset_put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

size_t rangeset_get_varint(const uint8_t *in, size_t len, uint64_t *v)
{
	uint64_t r = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		r |= (uint64_t)(in[i] & 0x7f) << (7 * i);
		if (!(in[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

size_t rangeset_encode(const struct rangeset *s, uint8_t *out)
{
	uint8_t *p = out;
	*p++ = RANGESET_VERSION;
	p += rangeset_put_varint(p, s->forgotten);
	p += rangeset_put_varint(p, s->forgotten_below);
	p += rangeset_put_varint(p, s->n);
	uint64_t prev = 0;
	int64_t prev_at = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct seq_range *r = &s->r[i];
		p += rangeset_put_varint(p, r->lo - prev);
		p += rangeset_put_varint(p, r->hi - r->lo);
		p += rangeset_put_varint(p, zigzag((int64_t)((uint64_t)r->lo_at - (uint64_t)prev_at)));
		p += rangeset_put_varint(p, zigzag((int64_t)((uint64_t)r->hi_at - (uint64_t)r->lo_at)));
		prev = r->hi;
		prev_at = r->hi_at;
	}
	return (size_t)(p - out);
}

int rangeset_decode(struct rangeset *s, const uint8_t *in, size_t len, size_t *used)
{
	size_t off = 1, k;
	uint64_t n, v[4];
	if (len < 1 || in[0] != RANGESET_VERSION)
		return LT_ECORRUPT;
	rangeset_init(s);
	if (!(k = rangeset_get_varint(in + off, len - off, &s->forgotten)))
		return LT_ECORRUPT;
	off += k;
	if (!(k = rangeset_get_varint(in + off, len - off, &s->forgotten_below)))
		return LT_ECORRUPT;
	off += k;
	if (!(k = rangeset_get_varint(in + off, len - off, &n)) || n > RANGESET_MAX)
		return LT_ECORRUPT;
	off += k;
	uint64_t prev = 0;
	int64_t prev_at = 0;
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < 4; j++) {
			if (!(k = rangeset_get_varint(in + off, len - off, &v[j])))
				return LT_ECORRUPT;
			off += k;
		}
		/* disjoint and not adjacent: a gap of at least one number before each range */
		uint64_t lo = prev + v[0];
		if (v[0] < (i ? 2u : 1u) || lo < prev || lo + v[1] < lo)
			return LT_ECORRUPT;
		struct seq_range *r = &s->r[i];
		r->lo = lo;
		r->hi = lo + v[1];
		r->lo_at = (int64_t)((uint64_t)prev_at + (uint64_t)unzigzag(v[2]));
		r->hi_at = (int64_t)((uint64_t)r->lo_at + (uint64_t)unzigzag(v[3]));
		prev = r->hi;
		prev_at = r->hi_at;
	}
	s->n = n;
	*used = off;
	return 0;
}
