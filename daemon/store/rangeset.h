/*
 * rangeset.h - the sequence numbers a sender's events carried, kept as
 * sorted, disjoint, non-adjacent ranges [lo, hi] (docs/protocol.md,
 * "Sequence numbers"): a million numbers with no gap are one range.
 *
 * Pure code. Each range keeps the time of its first and last number (the
 * event's occurred_at, or when it was received), so that a gap between two
 * ranges can be dated "expected around" the edges on either side.
 *
 * Bounded: at most RANGESET_MAX ranges. A number that would make one more
 * range when the set is full first merges the two lowest ranges over the
 * gap between them; those numbers are then counted in `forgotten` and
 * every gap below `forgotten_below` is no longer listed. The set says so
 * (rangeset_overflowed): a view shows it as an error, never as "complete".
 *
 * Encoded (unsigned LEB128 varints, "v"; zigzag for signed, "z"):
 *   u8 version (1), v forgotten, v forgotten_below, v n,
 *   n x (v lo - previous hi, v hi - lo, z lo_at - previous hi_at, v hi_at - lo_at
 *        as zigzag too)
 * (previous hi and hi_at are 0 for the first range).
 */
#ifndef LAWTALLY_RANGESET_H
#define LAWTALLY_RANGESET_H

#include <stddef.h>
#include <stdint.h>

#define RANGESET_MAX 256
/* The longest encoding: the header and RANGESET_MAX ranges of four 10-byte varints. */
#define RANGESET_ENCODED_MAX (1 + 3 * 10 + RANGESET_MAX * 40)

struct seq_range {
	uint64_t lo, hi;     /* 1 <= lo <= hi */
	int64_t lo_at, hi_at; /* when lo and hi happened, unix seconds */
};

struct rangeset {
	size_t n;
	uint64_t forgotten;        /* numbers of gaps merged over when the set was full */
	uint64_t forgotten_below;  /* gaps below this number are no longer listed; 0: none */
	struct seq_range r[RANGESET_MAX];
};

/* A missing run of numbers, and when it was expected around. */
struct seq_gap {
	uint64_t lo, hi;
	int64_t after_at;  /* time of the number before lo; 0 when lo is 1 */
	int64_t before_at; /* time of the number after hi */
};

/* Empties s. */
void rangeset_init(struct rangeset *s);

/*
 * Adds number x (>= 1) that happened at `at`. Returns 1 if x is new, 0 if
 * the set had it (a re-send), -1 for x == 0 (not a sequence number).
 */
int rangeset_add(struct rangeset *s, uint64_t x, int64_t at);

/* 1 if x is in the set. */
int rangeset_has(const struct rangeset *s, uint64_t x);

/* The highest number seen, 0 for an empty set. */
uint64_t rangeset_last(const struct rangeset *s);

/*
 * The gaps, lowest first: before the first range (from 1) and between
 * ranges; none after the last (nothing says more was sent). Writes at most
 * max of them to out and returns how many there are.
 */
size_t rangeset_gaps(const struct rangeset *s, struct seq_gap *out, size_t max);

/* Numbers missing in the listed gaps (forgotten ones not included). */
uint64_t rangeset_missing(const struct rangeset *s);

/* 1 if the set was full and merged gaps away (see above). */
int rangeset_overflowed(const struct rangeset *s);

/* Writes s to out (RANGESET_ENCODED_MAX bytes); returns the length. */
size_t rangeset_encode(const struct rangeset *s, uint8_t *out);

/*
 * Reads a set from in[0..len); sets *used to the bytes it took. Returns 0,
 * or LT_ECORRUPT (ranges out of order, overlapping or too many).
 */
int rangeset_decode(struct rangeset *s, const uint8_t *in, size_t len, size_t *used);

/* LEB128 varints, shared with the sequence record (seqrec.c). */
size_t rangeset_put_varint(uint8_t *out, uint64_t v);
/* Returns the bytes read, 0 when in[0..len) holds no whole varint. */
size_t rangeset_get_varint(const uint8_t *in, size_t len, uint64_t *v);

#endif
