/*
 * fixture.h - the 2024 acceptance fixture: a realistic, seeded event stream
 * of Zhangliang Town whose totals are the figures of the 2024 report.
 *
 * fixture_generate() makes the work of a whole year as the senders would
 * send it: dispute cases of the 41 village mediation centres, petitions,
 * lawsuits, trainings, publicity, enforcement actions, and the office's own
 * work (documents, decisions, opinions, disclosures, supervision, the
 * enforcement staff, the year's tasks; illustrative where the seed report
 * gives no number), with the mess of real
 * use: events sent twice, a few late paper records out of time order, and a
 * few mistaken events withdrawn later by a retraction. Replayed under the
 * rules of common/tally.c in UTC+08:00, the 2024 totals are exactly
 * fixture_2024_figures[], whatever the seed; the seed only changes the
 * stream (villages, days, categories, ids, publicity.materials).
 *
 * Pure code: no I/O, no clock, no global state; the same seed gives the
 * same stream, byte for byte, on every run.
 */
#ifndef LAWTALLY_FIXTURE_H
#define LAWTALLY_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

/* The year the fixture covers, and its bounds in UTC+08:00 (unix seconds). */
#define FIXTURE_YEAR 2024
#define FIXTURE_TZ_OFFSET 28800
#define FIXTURE_YEAR_START 1704038400LL  /* 2024-01-01T00:00:00+08:00 */
#define FIXTURE_YEAR_END 1735660800LL    /* 2025-01-01T00:00:00+08:00, exclusive */

/* Where publicity.materials falls: the report prints "8000多份". */
#define FIXTURE_MATERIALS_MIN 8000
#define FIXTURE_MATERIALS_MAX 8999

struct fixture_arena;

struct fixture {
	/*
	 * The stream in sending order. A re-sent event appears again as the
	 * same pointer; every retraction comes after the event it withdraws.
	 */
	size_t n;
	Lawtally__V1__Event **events;
	size_t n_distinct;          /* distinct ids (n minus the re-sends) */
	size_t n_retractions;       /* retraction events among them */
	uint32_t materials;         /* the exact publicity.materials total */
	struct fixture_arena *arena; /* owns the events and all they point to */
};

/* Makes the stream for seed into *out (overwritten). Release with fixture_free(). */
void fixture_generate(uint64_t seed, struct fixture *out);

/* Frees everything fixture_generate() made and empties f. Safe on an empty f. */
void fixture_free(struct fixture *f);

/*
 * One figure of the report's 2024 table: the year total of metric, summed
 * over every village and month, restricted to one value of one of the
 * metric's dimensions when dim is set. The total must lie in [min, max];
 * min == max for an exact count.
 */
struct fixture_figure {
	const char *report;    /* the report's words, for failure messages */
	const char *metric;    /* "lawsuits.filed" */
	const char *dim;       /* dimension name ("kind"), or NULL: all values */
	const char *label;     /* its value without prefix ("ADMINISTRATIVE") */
	int64_t min, max;
};

extern const struct fixture_figure fixture_2024_figures[];
extern const size_t fixture_2024_nfigures;

#endif
