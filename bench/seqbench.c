/*
 * seqbench.c - what the sequence numbers cost per sender (store_seqs.c):
 * the record one sender and epoch keeps after many events with gaps, in
 * bytes stored and bytes of memory, and the time to merge a number and to
 * read and write the record (which the store does once per sender and
 * batch). Measured on the record itself (seqrec.c, rangeset.c), the code
 * the store runs, without LMDB.
 *
 *   seqbench [--events N] [--drop P] [--batch B] [--seed S]
 *
 * One sender numbers N events 1..N; each is lost with probability P (never
 * sent again), the others arrive in order in batches of B (an enforcement
 * event every tenth, a counter snapshot every 10000th). Prints "key value"
 * lines: events, lost, ranges, listed_gaps, forgotten, value_bytes,
 * key_bytes, stored_bytes (value, seal and a 20-byte key), memory_bytes
 * (one record held in memory), merge_ns (per number), batch_us (decode and
 * encode once per batch), then the same record after the lost numbers are
 * sent again: refilled_ranges, refilled_value_bytes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "now.h"
#include "record.h"
#include "seqrec.h"

static uint64_t rng = 1;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"events", required_argument, NULL, 'n'}, {"drop", required_argument, NULL, 'p'},
		{"batch", required_argument, NULL, 'b'},  {"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	uint64_t n = 1000000, batch = 1000;
	double drop = 0.01;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'p': drop = strtod(optarg, NULL); break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: seqbench [--events N] [--drop P] [--batch B] [--seed S]\n");
			return 2;
		}
	}
	if (n == 0 || batch == 0)
		return 2;
	struct seqrec *r = malloc(sizeof(*r));
	uint8_t *buf = malloc(SEQREC_ENCODED_MAX);
	uint64_t *lost = malloc(n * sizeof(*lost)), nlost = 0;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	Lawtally__V1__Enforcement x = LAWTALLY__V1__ENFORCEMENT__INIT;
	Lawtally__V1__Training t = LAWTALLY__V1__TRAINING__INIT;
	Lawtally__V1__CounterSnapshot cs = LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
	x.action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
	e.epoch = 42;
	seqrec_init(r);
	double merge = 0, io = 0;
	uint64_t batches = 0;
	size_t len = seqrec_encode(r, buf);
	for (uint64_t s = 1; s <= n; s += batch) {
		uint64_t end = s + batch - 1 < n ? s + batch - 1 : n;
		double t0 = now_mono();
		if (seqrec_decode(r, buf, len) != 0) {
			fprintf(stderr, "seqbench: the record does not decode\n");
			return 1;
		}
		double t1 = now_mono();
		for (uint64_t k = s; k <= end; k++) {
			if ((double)(rnd() >> 11) / 9007199254740992.0 < drop) {
				lost[nlost++] = k;
				continue;
			}
			e.seq = k;
			if (k % 10000 == 0 && k > 1) {
				cs.up_to = k - 1;
				e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
				e.counters = &cs;
			} else if (k % 10 == 0) {
				e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
				e.enforcement = &x;
			} else {
				e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
				e.training = &t;
			}
			seqrec_event(r, &e, 1700000000 + (int64_t)k * 60, 1);
		}
		double t2 = now_mono();
		len = seqrec_encode(r, buf);
		double t3 = now_mono();
		merge += t2 - t1;
		io += (t1 - t0) + (t3 - t2);
		batches++;
	}
	struct seq_gap *g = malloc(RANGESET_MAX * sizeof(*g));
	size_t listed = rangeset_gaps(&r->set, g, RANGESET_MAX);
	printf("events %llu\nlost %llu\nranges %zu\nlisted_gaps %zu\nforgotten %llu\n",
	       (unsigned long long)n, (unsigned long long)nlost, r->set.n, listed,
	       (unsigned long long)r->set.forgotten);
	printf("value_bytes %zu\nkey_bytes 20\nstored_bytes %zu\nmemory_bytes %zu\n", len,
	       len + (size_t)RECORD_SEAL_LEN + 20, sizeof(*r));
	printf("merge_ns %.1f\nbatch_us %.2f\n", merge * 1e9 / (double)(n - nlost),
	       io * 1e6 / (double)batches);
	/* the lost ones sent again */
	e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	e.training = &t;
	for (uint64_t i = 0; i < nlost; i++) {
		e.seq = lost[i];
		seqrec_event(r, &e, 1700000000 + (int64_t)lost[i] * 60, 1);
	}
	printf("refilled_ranges %zu\nrefilled_value_bytes %zu\n", r->set.n, seqrec_encode(r, buf));
	free(g);
	free(lost);
	free(buf);
	free(r);
	return 0;
}
