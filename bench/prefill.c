/*
 * prefill.c - fills a store with N bench events through the daemon's own
 * store code, fast.
 *
 * Sending 10M events through lawtallyd takes minutes; this tool applies
 * the same event mix (workload.h) with store_apply, the function the
 * daemon's ingest calls, in large batches. The store it leaves is what
 * the daemon would have written for those events (same records, ids
 * index, cases and totals); only the commit sizes differ.
 *
 *   prefill --dir DIR --events N [--ids v7|random] [--seed S] [--batch B]
 *
 * Time-ordered ids are UUIDv7 of 2024 timestamps, so ids made later by
 * a live sender sort after them. Prints "key value" lines: events, seconds,
 * store_used_bytes, bytes_per_event.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "err.h"
#include "now.h"
#include "store.h"
#include "uuid.h"
#include "workload.h"
#include "xalloc.h"

#define BATCH_MAX 16384
#define TZ_OFFSET_DEFAULT (8 * 3600) /* the daemon's default zone */
#define V7_BASE_MS 1704038400000ULL  /* 2024-01-01T00:00:00+08:00 */

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dir", required_argument, NULL, 'd'},   {"events", required_argument, NULL, 'n'},
		{"ids", required_argument, NULL, 'i'},   {"seed", required_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'}, {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	uint64_t n = 0, seed = 1;
	unsigned batch = 8192;
	int random_ids = 0, c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'i': random_ids = strcmp(optarg, "random") == 0; break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'b': batch = (unsigned)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!dir || optind != argc || batch < 1 || batch > BATCH_MAX)
		goto usage;

	char err[256];
	struct store *st = NULL;
	struct store_options so = {.dir = dir, .tz_offset = TZ_OFFSET_DEFAULT};
	int rc = store_open(&st, &so, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "prefill: cannot open the store in %s: %s\n", dir, err);
		return 1;
	}
	struct workload_event *we = xcalloc(batch, sizeof(*we));
	struct store_item *items = xcalloc(batch, sizeof(*items));
	struct store_result *res = xcalloc(batch, sizeof(*res));
	uint64_t rng;
	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng)) {
		fprintf(stderr, "prefill: getrandom: %s\n", strerror(errno));
		return 1;
	}
	int64_t now = (int64_t)time(NULL);
	double t0 = now_mono();
	for (uint64_t at = 0; at < n && !rc; at += batch) {
		size_t k = n - at < batch ? (size_t)(n - at) : batch;
		for (size_t i = 0; i < k; i++) {
			uint8_t id[16], rnd[10];
			workload_event(&we[i], seed, at + i);
			if (random_ids) {
				workload_random_id(&rng, id);
			} else {
				uint64_t r = workload_rand(&rng), r2 = workload_rand(&rng);
				memcpy(rnd, &r, 8);
				memcpy(rnd + 8, &r2, 2);
				uuid_v7_from(id, V7_BASE_MS + at + i, rnd);
			}
			workload_set_id(&we[i], id);
			items[i] = (struct store_item){&we[i].e, we[i].e.source, now, 0, NULL};
		}
		rc = store_apply(st, items, k, res);
		for (size_t i = 0; i < k && !rc; i++)
			if (res[i].status != STORE_ACCEPTED) {
				fprintf(stderr, "prefill: event %llu not accepted: %s\n",
					(unsigned long long)(at + i), res[i].reason ? res[i].reason : "duplicate");
				rc = LT_EINVAL;
			}
	}
	double secs = now_mono() - t0;
	struct store_stats ss = {0};
	struct store_snap snap;
	if (!rc && !(rc = store_read_begin(st, &snap))) {
		rc = store_stats(&snap, &ss);
		store_read_end(&snap);
	}
	store_close(&st);
	free(we);
	free(items);
	free(res);
	if (rc) {
		fprintf(stderr, "prefill: %s\n", lt_strerror(rc));
		return 1;
	}
	printf("events %llu\nseconds %.3f\nstore_used_bytes %zu\nbytes_per_event %.1f\n",
	       (unsigned long long)ss.events, secs, ss.used_bytes,
	       ss.events ? (double)ss.used_bytes / (double)ss.events : 0.0);
	return 0;
usage:
	fprintf(stderr, "usage: prefill --dir DIR --events N [--ids v7|random] [--seed S] "
			"[--batch B]\n");
	return 2;
}
