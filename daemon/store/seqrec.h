/*
 * seqrec.h - what the store keeps per sender and numbering epoch
 * (docs/protocol.md, "Sequence numbers"): the numbers seen (rangeset.h),
 * the village its events were last of, and for the device cross-check the
 * enforcement events stored from it by action and its latest counter
 * snapshot compared with them.
 *
 * Pure code. The snapshot's comparison is kept up to date as events come:
 * when a snapshot arrives, the stored counts up to its number are the
 * counts of every enforcement event stored so far less those numbered
 * above it, which the record's tail of the latest SEQREC_TAIL enforcement
 * events tells; an event numbered above it that already left the tail
 * makes the comparison inexact (said in the view, never a difference
 * made up). A later event numbered up to the snapshot's number (a gap
 * filled) counts on the stored side.
 *
 * Encoded: u8 version (1), z last_at, u8 village length, village, the
 * range set (rangeset.h), u8 flags (1: a snapshot, 2: inexact), 7 x v enforcement
 * events by action, u8 tail length, tail x (v seq, u8 action), v highest
 * number evicted from the tail; with a snapshot: v up_to, v its own seq,
 * z received, 7 x v device counts, 7 x v stored counts.
 */
#ifndef LAWTALLY_SEQREC_H
#define LAWTALLY_SEQREC_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "rangeset.h"
#include "villages.h"

/* Enforcement.Action values 1..SEQREC_ACTIONS. */
#define SEQREC_ACTIONS 7
#define SEQREC_TAIL 32
#define SEQREC_ENCODED_MAX                                                                       \
	(1 + 10 + 1 + VILLAGE_CODE_MAX + RANGESET_ENCODED_MAX + 1 + SEQREC_ACTIONS * 10 + 1 +      \
	 SEQREC_TAIL * 11 + 10 + 3 * 10 + 2 * SEQREC_ACTIONS * 10)

struct seqrec_tail {
	uint64_t seq;
	uint8_t action;
};

struct seqrec {
	int64_t last_at;                       /* daemon clock: when last heard */
	char village[VILLAGE_CODE_MAX + 1];    /* of its latest event with one, else "" */
	struct rangeset set;
	uint64_t enf[SEQREC_ACTIONS + 1];       /* stored enforcement events, by action ([0] unused) */
	size_t ntail;
	struct seqrec_tail tail[SEQREC_TAIL];  /* the latest counted, oldest first */
	uint64_t evicted_max;                  /* highest number that left the tail */
	int has_snap, inexact;
	uint64_t snap_up_to, snap_seq;
	int64_t snap_at;
	uint64_t dev[SEQREC_ACTIONS + 1];       /* the device's counts */
	uint64_t stored[SEQREC_ACTIONS + 1];    /* stored, numbered 1..snap_up_to */
};

/* Empties r. */
void seqrec_init(struct seqrec *r);

/* Writes r to out (SEQREC_ENCODED_MAX bytes); returns the length. */
size_t seqrec_encode(const struct seqrec *r, uint8_t *out);

/* Fills r from in[0..len). Returns 0, or LT_ECORRUPT. */
int seqrec_decode(struct seqrec *r, const uint8_t *in, size_t len);

/*
 * One event of this sender and epoch, numbered e->seq, at `at` (its
 * occurred_at): its number joins the set; stored 1 (ACCEPTED) counts an
 * enforcement event on the stored side, or takes a counter snapshot as
 * the latest (a snapshot numbered below the one kept is an old one sent
 * again: ignored).
 */
void seqrec_event(struct seqrec *r, const Lawtally__V1__Event *e, int64_t at, int stored);

/*
 * The snapshot's differences: device count less stored count, by action,
 * into diff. Returns how many actions differ (0 without a snapshot).
 */
size_t seqrec_diff(const struct seqrec *r, int64_t diff[SEQREC_ACTIONS + 1]);

#endif
