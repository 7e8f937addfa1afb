/*
 * workload.h - the bench's event stream, the same for every tool.
 *
 * Event i of stream `seed` is a pure function of (seed, i), so the load
 * generator, the store prefill, the raw-LMDB ceiling and the Redis client
 * all write events of identical shape. Every run of ten events holds:
 *   2 disputes of case A (REGISTERED, then RESOLVED with an amount),
 *   2 disputes of case B (REGISTERED, RESOLVED), 1 dispute of case C
 *   (REGISTERED, stays open), 2 enforcement actions, 2 publicity days and
 *   1 training, all in 2024, in villages ZL01..ZL41 round robin.
 * Case ids grow with i within each village, so case keys are appended.
 * So ten events add exactly 3 to disputes.registered, 2 to
 * disputes.resolved, 2 to enforcement.actions and 1 to trainings.sessions.
 *
 * The id is not part of the stream: the caller sets it (time-ordered
 * UUIDv7 or random), because that is what the bench varies.
 */
#ifndef LAWTALLY_BENCH_WORKLOAD_H
#define LAWTALLY_BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

#define WORKLOAD_ROUND 10 /* events per round of the mix */

/* Per round of ten events, what the totals gain. */
#define WORKLOAD_REGISTERED_PER_ROUND 3
#define WORKLOAD_RESOLVED_PER_ROUND 2
#define WORKLOAD_ACTIONS_PER_ROUND 2
#define WORKLOAD_TRAININGS_PER_ROUND 1

/* One event and the storage its pointers point into. */
struct workload_event {
	Lawtally__V1__Event e;
	union {
		Lawtally__V1__Dispute dispute;
		Lawtally__V1__Enforcement enforcement;
		Lawtally__V1__Publicity publicity;
		Lawtally__V1__Training training;
	} body;
	uint8_t id[16];
	char village[8];
	char source[24];
	char case_id[40];
};

/* Fills w with event i of stream seed; w->id is zeroed for the caller. */
void workload_event(struct workload_event *w, uint64_t seed, uint64_t i);

/*
 * Fills w with event i of stream seed of the other mix, for checking
 * answers under ingest: every event a dispute of a case of its own at
 * STAGE_REGISTERED, in 2024, villages and months round robin. Each adds
 * exactly 1 to disputes.registered and 1 to disputes.open, so the two are
 * equal in the store after every commit.
 */
void workload_registered(struct workload_event *w, uint64_t seed, uint64_t i);

/* Sets w's id. */
void workload_set_id(struct workload_event *w, const uint8_t id[16]);

/* splitmix64: small, fast, seeded randomness for ids and choices. */
uint64_t workload_rand(uint64_t *state);

/* A random 16-byte id shaped as a UUIDv4. */
void workload_random_id(uint64_t *state, uint8_t id[16]);

#endif
