/*
 * scrubrate.c - how fast the scrub reads a store, with no pause between
 * its steps: the rate its pass is paced down from.
 *
 *   scrubrate --dir DIR [--step N]
 *
 * Opens the store in DIR read-only, walks every record in steps of N
 * (default 512, the daemon's) with store_walk_step, then runs the recount
 * with store_recount_check, as one pass of the daemon's scrub does without
 * its pauses. Prints "key value" lines: records, bytes, walk_seconds,
 * recount_seconds, records_per_s, mib_per_s (of the walk and the recount
 * together), damaged, and private_peak_kib: the most anonymous memory
 * (RssAnon of /proc/self/status, the store's map not included) the process
 * held during the walk and the recount, sampled every 2 ms by a thread.
 * Exit 0, 1 if the store is damaged or cannot be read.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "now.h"
#include "store.h"

static atomic_int sampling = 1;
static atomic_long peak_kib;

static long rss_anon_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "RssAnon:", 8) == 0)
			kib = strtol(line + 8, NULL, 10);
	fclose(f);
	return kib;
}

static void *sample(void *arg)
{
	(void)arg;
	const struct timespec pause = {0, 2000000};
	do {
		long kib = rss_anon_kib();
		if (kib > atomic_load(&peak_kib))
			atomic_store(&peak_kib, kib);
		nanosleep(&pause, NULL);
	} while (atomic_load(&sampling));
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dir", required_argument, NULL, 'd'},
		{"step", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	size_t step = 512;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 's': step = strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!dir || optind != argc || step == 0)
		goto usage;
	char err[256];
	struct store *s;
	struct store_options o = {.dir = dir, .read_only = 1};
	if (store_open(&s, &o, err, sizeof(err))) {
		fprintf(stderr, "scrubrate: %s: %s\n", dir, err);
		return 1;
	}
	struct store_walk w;
	struct store_verify v;
	store_walk_start(&w);
	pthread_t sampler;
	if (pthread_create(&sampler, NULL, sample, NULL)) {
		fprintf(stderr, "scrubrate: cannot start the memory sampler\n");
		return 1;
	}
	double t0 = now_mono();
	int rc;
	while ((rc = store_walk_step(s, &w, step, NULL, NULL)) == 0)
		;
	double t1 = now_mono();
	int rrc = rc == 1 ? store_recount_check(s, &v) : rc;
	double t2 = now_mono();
	atomic_store(&sampling, 0);
	pthread_join(sampler, NULL);
	store_close(&s);
	printf("records %llu\nbytes %llu\nwalk_seconds %.3f\nrecount_seconds %.3f\n"
	       "records_per_s %.0f\nmib_per_s %.1f\ndamaged %llu\nprivate_peak_kib %ld\n",
	       (unsigned long long)w.records, (unsigned long long)w.bytes, t1 - t0, t2 - t1,
	       (double)w.records / (t2 - t0), (double)w.bytes / (1 << 20) / (t2 - t0),
	       (unsigned long long)w.damaged, atomic_load(&peak_kib));
	if (rc != 1 || rrc != 0) {
		fprintf(stderr, "scrubrate: %s: %s\n", dir,
			lt_strerror(rc != 1 ? rc : rrc));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: scrubrate --dir DIR [--step N]\n");
	return 2;
}
