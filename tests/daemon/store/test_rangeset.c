/*
 * test_rangeset.c - the sequence numbers a sender sent, as ranges
 * (rangeset.c), and the record per sender and epoch with its device
 * cross-check (seqrec.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "rangeset.h"
#include "seqrec.h"

static struct rangeset *fresh(void)
{
	struct rangeset *s = malloc(sizeof(*s));
	rangeset_init(s);
	return s;
}

static void assert_ranges(const struct rangeset *s, const uint64_t *lohi, size_t n)
{
	assert_int_equal(s->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s->r[i].lo, lohi[2 * i]);
		assert_int_equal(s->r[i].hi, lohi[2 * i + 1]);
	}
}

static void test_in_order_is_one_range(void **state)
{
	(void)state;
	struct rangeset *s = fresh();
	for (uint64_t x = 1; x <= 1000; x++)
		assert_int_equal(rangeset_add(s, x, (int64_t)x * 10), 1);
	static const uint64_t want[] = {1, 1000};
	assert_ranges(s, want, 1);
	assert_int_equal(s->r[0].lo_at, 10);
	assert_int_equal(s->r[0].hi_at, 10000);
	assert_int_equal(rangeset_missing(s), 0);
	assert_int_equal(rangeset_gaps(s, NULL, 0), 0);
	assert_int_equal(rangeset_last(s), 1000);
	free(s);
}

static void test_gaps_and_fills(void **state)
{
	(void)state;
	struct rangeset *s = fresh();
	/* 1..10 without 4, 7, 8; and 20 */
	for (uint64_t x = 1; x <= 10; x++)
		if (x != 4 && x != 7 && x != 8)
			rangeset_add(s, x, (int64_t)x * 100);
	rangeset_add(s, 20, 2000);
	static const uint64_t w1[] = {1, 3, 5, 6, 9, 10, 20, 20};
	assert_ranges(s, w1, 4);
	struct seq_gap g[8];
	assert_int_equal(rangeset_gaps(s, g, 8), 3);
	assert_int_equal(g[0].lo, 4);
	assert_int_equal(g[0].hi, 4);
	assert_int_equal(g[0].after_at, 300);
	assert_int_equal(g[0].before_at, 500);
	assert_int_equal(g[1].lo, 7);
	assert_int_equal(g[1].hi, 8);
	assert_int_equal(g[2].lo, 11);
	assert_int_equal(g[2].hi, 19);
	assert_int_equal(g[2].after_at, 1000);
	assert_int_equal(g[2].before_at, 2000);
	assert_int_equal(rangeset_missing(s), 1 + 2 + 9);
	/* a fill joining two ranges, one extending each side */
	assert_int_equal(rangeset_add(s, 4, 400), 1);
	assert_int_equal(rangeset_add(s, 7, 700), 1);
	static const uint64_t w2[] = {1, 7, 9, 10, 20, 20};
	assert_ranges(s, w2, 3);
	assert_int_equal(rangeset_add(s, 19, 1900), 1);
	static const uint64_t w3[] = {1, 7, 9, 10, 19, 20};
	assert_ranges(s, w3, 3);
	assert_int_equal(s->r[2].lo_at, 1900);
	assert_int_equal(rangeset_add(s, 8, 800), 1);
	static const uint64_t w4[] = {1, 10, 19, 20};
	assert_ranges(s, w4, 2);
	assert_int_equal(s->r[0].hi_at, 1000);
	free(s);
}

static void test_duplicates_and_bounds(void **state)
{
	(void)state;
	struct rangeset *s = fresh();
	assert_int_equal(rangeset_add(s, 0, 1), -1);
	assert_int_equal(s->n, 0);
	assert_int_equal(rangeset_add(s, 5, 1), 1);
	assert_int_equal(rangeset_add(s, 5, 2), 0);
	assert_int_equal(s->r[0].lo_at, 1);
	assert_true(rangeset_has(s, 5));
	assert_false(rangeset_has(s, 4));
	assert_false(rangeset_has(s, 6));
	/* missing from 1 before the first number seen */
	struct seq_gap g[2];
	assert_int_equal(rangeset_gaps(s, g, 2), 1);
	assert_int_equal(g[0].lo, 1);
	assert_int_equal(g[0].hi, 4);
	assert_int_equal(g[0].after_at, 0);
	assert_int_equal(rangeset_add(s, UINT64_MAX, 9), 1);
	assert_int_equal(rangeset_add(s, UINT64_MAX, 9), 0);
	assert_int_equal(rangeset_last(s), UINT64_MAX);
	free(s);
}

static void test_out_of_order(void **state)
{
	(void)state;
	struct rangeset *s = fresh();
	static const uint64_t order[] = {10, 2, 8, 1, 9, 5, 3, 7, 4, 6};
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(rangeset_add(s, order[i], (int64_t)order[i]), 1);
	static const uint64_t want[] = {1, 10};
	assert_ranges(s, want, 1);
	assert_int_equal(s->r[0].lo_at, 1);
	assert_int_equal(s->r[0].hi_at, 10);
	free(s);
}

static void test_full_forgets_lowest_gaps(void **state)
{
	(void)state;
	struct rangeset *s = fresh();
	/* odd numbers only: every one a range of its own */
	for (uint64_t x = 1; x <= 2 * RANGESET_MAX - 1; x += 2)
		rangeset_add(s, x, 0);
	assert_int_equal(s->n, RANGESET_MAX);
	assert_false(rangeset_overflowed(s));
	rangeset_add(s, 2 * RANGESET_MAX + 1, 0);
	assert_int_equal(s->n, RANGESET_MAX);
	assert_true(rangeset_overflowed(s));
	assert_int_equal(s->forgotten, 1);
	assert_int_equal(s->forgotten_below, 3);
	assert_int_equal(s->r[0].lo, 1);
	assert_int_equal(s->r[0].hi, 3);
	/* a pathological sender: a million numbers, none adjacent */
	for (uint64_t x = 2 * RANGESET_MAX + 3; x < 2000000; x += 2)
		rangeset_add(s, x, 0);
	assert_int_equal(s->n, RANGESET_MAX);
	assert_int_equal(rangeset_last(s), 1999999);
	/* the latest gaps are still exact */
	assert_false(rangeset_has(s, 1999998));
	assert_true(rangeset_has(s, 1999997));
	uint8_t buf[RANGESET_ENCODED_MAX];
	assert_true(rangeset_encode(s, buf) <= RANGESET_ENCODED_MAX);
	free(s);
}

static void test_encode_round_trip(void **state)
{
	(void)state;
	struct rangeset *s = fresh(), *t = fresh();
	rangeset_add(s, 3, 1717948800);
	rangeset_add(s, 4, 1717948700); /* times need not grow */
	rangeset_add(s, 100, -5);
	rangeset_add(s, 1ULL << 53, 1717948900);
	s->forgotten = 7;
	s->forgotten_below = 2;
	uint8_t buf[RANGESET_ENCODED_MAX + 4];
	size_t n = rangeset_encode(s, buf), used = 0;
	buf[n] = 0xEE; /* what follows is not the set's */
	assert_int_equal(rangeset_decode(t, buf, n + 1, &used), 0);
	assert_int_equal(used, n);
	assert_int_equal(t->n, 3);
	assert_memory_equal(t->r, s->r, 3 * sizeof(s->r[0]));
	assert_int_equal(t->forgotten, 7);
	assert_int_equal(t->forgotten_below, 2);
	/* cut short, or ranges that touch, do not decode */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(rangeset_decode(t, buf, k, &used), LT_ECORRUPT);
	static const uint8_t touching[] = {1, 0, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0};
	assert_int_equal(rangeset_decode(t, touching, sizeof(touching), &used), LT_ECORRUPT);
	static const uint8_t zero_lo[] = {1, 0, 0, 1, 0, 0, 0, 0};
	assert_int_equal(rangeset_decode(t, zero_lo, sizeof(zero_lo), &used), LT_ECORRUPT);
	free(s);
	free(t);
}

/* ---- seqrec: the device cross-check ---- */

struct dev_ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Enforcement x;
	Lawtally__V1__CounterSnapshot cs;
	Lawtally__V1__CounterSnapshot__Count c[2];
	Lawtally__V1__CounterSnapshot__Count *cp[2];
};

static const Lawtally__V1__Event *enforcement(struct dev_ev *d, uint64_t seq, int action)
{
	d->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	d->x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
	d->x.action = (Lawtally__V1__Enforcement__Action)action;
	d->e.seq = seq;
	d->e.epoch = 1;
	d->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
	d->e.enforcement = &d->x;
	return &d->e;
}

static const Lawtally__V1__Event *snapshot(struct dev_ev *d, uint64_t seq, uint64_t up_to,
					   uint64_t inspections, uint64_t penalties)
{
	d->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	d->cs = (Lawtally__V1__CounterSnapshot)LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
	for (int i = 0; i < 2; i++) {
		d->c[i] = (Lawtally__V1__CounterSnapshot__Count)LAWTALLY__V1__COUNTER_SNAPSHOT__COUNT__INIT;
		d->cp[i] = &d->c[i];
	}
	d->c[0].action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
	d->c[0].count = inspections;
	d->c[1].action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_PENALTY;
	d->c[1].count = penalties;
	d->cs.device_id = "ZFJLY-0007";
	d->cs.up_to = up_to;
	d->cs.n_counts = 2;
	d->cs.counts = d->cp;
	d->e.seq = seq;
	d->e.epoch = 1;
	d->e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
	d->e.counters = &d->cs;
	return &d->e;
}

#define INSP LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION
#define PEN LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_PENALTY

static void test_device_off_by_one_then_agrees(void **state)
{
	(void)state;
	struct seqrec *r = malloc(sizeof(*r));
	struct dev_ev d;
	int64_t diff[SEQREC_ACTIONS + 1];
	seqrec_init(r);
	/* 1..10: inspections, 10 a penalty; 6 lost on the way */
	for (uint64_t x = 1; x <= 10; x++)
		if (x != 6)
			seqrec_event(r, enforcement(&d, x, x == 10 ? PEN : INSP), 100, 1);
	assert_int_equal(seqrec_diff(r, diff), 0); /* no snapshot yet */
	seqrec_event(r, snapshot(&d, 11, 10, 9, 1), 200, 1);
	assert_int_equal(seqrec_diff(r, diff), 1);
	assert_int_equal(diff[INSP], 1);
	assert_int_equal(diff[PEN], 0);
	assert_false(r->inexact);
	/* a later event, above the snapshot, does not change it */
	seqrec_event(r, enforcement(&d, 12, INSP), 300, 1);
	assert_int_equal(seqrec_diff(r, diff), 1);
	/* a duplicate (not stored) neither */
	seqrec_event(r, enforcement(&d, 5, INSP), 300, 0);
	assert_int_equal(seqrec_diff(r, diff), 1);
	/* the lost one arrives */
	seqrec_event(r, enforcement(&d, 6, INSP), 300, 1);
	assert_int_equal(seqrec_diff(r, diff), 0);
	/* round trip through the encoding */
	uint8_t buf[SEQREC_ENCODED_MAX];
	size_t n = seqrec_encode(r, buf);
	struct seqrec *t = malloc(sizeof(*t));
	assert_int_equal(seqrec_decode(t, buf, n), 0);
	assert_int_equal(seqrec_encode(t, buf), n);
	assert_int_equal(t->snap_up_to, 10);
	assert_int_equal(t->stored[INSP], 9);
	assert_int_equal(t->enf[INSP], 10);
	assert_int_equal(seqrec_decode(t, buf, n - 1), LT_ECORRUPT);
	free(t);
	free(r);
}

static void test_device_snapshot_after_later_events(void **state)
{
	(void)state;
	struct seqrec *r = malloc(sizeof(*r));
	struct dev_ev d;
	int64_t diff[SEQREC_ACTIONS + 1];
	seqrec_init(r);
	for (uint64_t x = 1; x <= 5; x++)
		seqrec_event(r, enforcement(&d, x, INSP), 100, 1);
	/* 7, 8 arrive before the snapshot numbered 6 covering 1..5 */
	seqrec_event(r, enforcement(&d, 7, INSP), 100, 1);
	seqrec_event(r, enforcement(&d, 8, INSP), 100, 1);
	seqrec_event(r, snapshot(&d, 6, 5, 5, 0), 100, 1);
	assert_int_equal(seqrec_diff(r, diff), 0);
	assert_false(r->inexact);
	/* an older snapshot sent again is ignored */
	seqrec_event(r, snapshot(&d, 4, 3, 1, 0), 100, 1);
	assert_int_equal(r->snap_up_to, 5);
	/* more events above the snapshot than the tail holds: inexact, said so */
	for (uint64_t x = 100; x < 100 + SEQREC_TAIL + 1; x++)
		seqrec_event(r, enforcement(&d, x, INSP), 100, 1);
	seqrec_event(r, snapshot(&d, 200, 8, 7, 0), 100, 1);
	assert_true(r->inexact);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_is_one_range),
		cmocka_unit_test(test_gaps_and_fills),
		cmocka_unit_test(test_duplicates_and_bounds),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_full_forgets_lowest_gaps),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_device_off_by_one_then_agrees),
		cmocka_unit_test(test_device_snapshot_after_later_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
