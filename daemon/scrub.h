/*
 * scrub.h - the store's scrub: damage found before a figure is read.
 *
 * A thread of its own, at the lowest CPU and I/O priority, walks every
 * record of the store in small steps (store_walk_step: each step a
 * snapshot of a few hundred records, then a pause as long as the step
 * took), checking each seal and that its key leads to it, then recounts
 * every total from the events (store_recount_check, one snapshot, given
 * up while a batch waits to grow the map and tried again). A pass starts
 * once in each period, the first one a minute after the start (or one
 * period, if shorter). Damage it meets marks the store damaged
 * (store_damaged): one line at priority 2, /healthz answers 503 with the
 * reason, and ingest refuses every batch with a temporary error until the
 * store is restored and the daemon restarted.
 */
#ifndef LAWTALLY_SCRUB_H
#define LAWTALLY_SCRUB_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct scrub;

/* What the scrub has done, for /metrics. */
struct scrub_status {
	unsigned period_s;         /* 0: the scrub is off */
	uint64_t passes;           /* passes completed */
	int running;               /* a pass is under way */
	uint64_t records, bytes;   /* checked by the pass under way (or the last one) */
	double progress;           /* 0..1 of the pass under way's walk; 1 when none is */
	double last_end;           /* unix time the last pass ended, 0: none yet */
	double last_seconds;       /* how long it took */
	uint64_t last_records, last_bytes;
	int last_result;           /* 1 sound, 0 damage found, -1 none yet or not finished */
	uint64_t damaged;          /* damaged records the scrub has met, all passes */
};

/*
 * Starts the scrub of s with period_s seconds from the start of one pass
 * to the next (0: none; *out is then NULL and scrub_status says so).
 * Returns 0, or LT_ESYS with a line in err.
 */
int scrub_start(struct scrub **out, struct store *s, unsigned period_s, char *err,
		size_t errlen);

/* Fills *st; sc may be NULL (the scrub is off). Any thread. */
void scrub_status(struct scrub *sc, struct scrub_status *st);

/* Stops the thread (a pass under way ends at its next step), frees, NULLs *sc. Safe on NULL. */
void scrub_stop(struct scrub **sc);

#endif
