/*
 * tally.h - the tally rules: what an event adds to the totals.
 *
 * Pure code, no I/O. An event is reduced to a fact (struct tally_fact):
 * what the rules need of it, with its year and month already resolved in
 * the township's zone. Events of case kinds (dispute, petition, lawsuit) are
 * grouped by case; the other kinds stand alone. The contribution of a group
 * to the totals is a function of its facts alone (tally_contrib), so adding
 * or retracting an event changes the totals by contrib(after) - contrib(before),
 * and the live totals always equal a recount of the stored events.
 *
 * Totals are keyed by (metric, year, month, village, dim1, dim2); the key
 * encoding sorts in that order, so every breakdown of a metric in a year is
 * one range scan over the (metric, year) prefix.
 */
#ifndef LAWTALLY_TALLY_H
#define LAWTALLY_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "villages.h"

enum tally_kind {
	TALLY_KIND_NONE = 0,
	TALLY_DISPUTE,
	TALLY_PETITION,
	TALLY_TRAINING,
	TALLY_PUBLICITY,
	TALLY_LAWSUIT,
	TALLY_ENFORCEMENT,
	TALLY_RETRACTION,
	/* stored in case records: a new kind goes at the end */
	TALLY_DOCUMENT,
	TALLY_DECISION,
	TALLY_OPINION,
	TALLY_DISCLOSURE,
	TALLY_SUPERVISION,
	TALLY_STAFF,
	TALLY_TASK,
	/* a device's own counts: stored, never tallied (no rule matches it) */
	TALLY_COUNTERS,
};

enum tally_metric {
	M_DISPUTES_REGISTERED,
	M_DISPUTES_RESOLVED,
	M_DISPUTES_ESCALATED,
	M_DISPUTES_UNRESOLVED,
	M_DISPUTES_AGREEMENT_AMOUNT_FEN,
	M_DISPUTES_PREVENTED_CRIMINAL,
	M_DISPUTES_PREVENTED_GROUP_PETITION,
	M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE,
	M_DISPUTES_OPEN,
	M_PETITIONS_RECEIVED,
	M_PETITIONS_CONCLUDED,
	M_PETITIONS_DIFFICULT_RESOLVED,
	M_TRAININGS_SESSIONS,
	M_TRAININGS_ATTENDEES,
	M_PUBLICITY_ACTIVITIES,
	M_PUBLICITY_MATERIALS,
	M_PUBLICITY_CONSULTATIONS,
	M_LAWSUITS_FILED,
	M_LAWSUITS_LOST,
	M_ENFORCEMENT_ACTIONS,
	M_ENFORCEMENT_RECORDED,
	/*
	 * The number is a metric's key in the store: a new metric goes here,
	 * at the end, so that stored totals keep their meaning.
	 */
	M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE,
	M_TRAININGS_OTHERS,
	M_TRAININGS_OTHERS_ATTENDEES,
	M_DOCUMENTS_DRAFTED,
	M_DOCUMENTS_REGISTERED,
	M_DOCUMENTS_FILED,
	M_DOCUMENTS_REVIEWED,
	M_DECISIONS_MADE,
	M_DECISIONS_COLLECTIVE,
	M_DECISIONS_LEGAL_REVIEWED,
	M_DECISIONS_HEARINGS,
	M_DECISIONS_CONSULTED,
	M_OPINIONS_GIVEN,
	M_DISCLOSURES_RELEASES,
	M_DISCLOSURES_ITEMS,
	M_SUPERVISION_FINDINGS,
	M_SUPERVISION_RECTIFIED,
	M_ENFORCEMENT_TEAM,
	M_ENFORCEMENT_CERTIFIED,
	M_TASKS_PLANNED,
	M_TASKS_DONE,
	M_COUNT
};

/* A metric's own dimensions: up to two enums of its kind's body. */
struct tally_dim {
	const char *name;                    /* "category", "origin", ... */
	const ProtobufCEnumDescriptor *desc; /* the body's enum */
};

struct tally_metric_info {
	const char *name;         /* stable name: "disputes.resolved" */
	enum tally_kind kind;
	int gauge;                /* a live level, not a count of the year */
	struct tally_dim dim[2];  /* dim[i].name NULL when absent */
};

const struct tally_metric_info *tally_metric(enum tally_metric m);

/* The metric with this name, or -1. */
int tally_metric_by_name(const char *name);

/* Index (0 or 1) of the dimension called name of metric m, or -1. */
int tally_dim_by_name(enum tally_metric m, const char *name);

/*
 * The label of a dimension value without the enum's prefix ("LAND" for
 * CATEGORY_LAND), or NULL if value is not one of the enum's values.
 */
const char *tally_dim_label(enum tally_metric m, int dim, int value);

/* The value whose label (with or without the prefix) is label, or -1. */
int tally_dim_value(enum tally_metric m, int dim, const char *label);

/* Fact flags. */
enum {
	FACT_PREVENTED_CRIMINAL = 1 << 0,
	FACT_PREVENTED_GROUP = 1 << 1,
	FACT_DIFFICULT = 1 << 2,
	FACT_JOINT_MEETING = 1 << 3,
	FACT_ACTIVITY = 1 << 4,
	FACT_RECORDED = 1 << 5,
};

/*
 * Flags of the later kinds: a rule reads flags of its own kind only, so
 * these share bits with the ones above (8 bits is all a fact stores).
 */
enum {
	FACT_COLLECTIVE = 1 << 0,    /* decision */
	FACT_LEGAL_REVIEW = 1 << 1,  /* decision */
	FACT_HEARING = 1 << 2,       /* decision */
	FACT_CONSULTED = 1 << 3,     /* decision */
	FACT_CERTIFIED = 1 << 0,     /* enforcement staff */
	FACT_IN_TEAM = 1 << 1,       /* enforcement staff */
	FACT_NOT_MEDIATORS = 1 << 0, /* training of another audience */
};

/* What the rules need of one (non-retraction) event. */
struct tally_fact {
	uint8_t id[16];
	int64_t occurred_at;
	uint16_t year;
	uint8_t month;   /* 1..12 */
	uint8_t kind;    /* enum tally_kind */
	uint8_t stage;   /* the body's stage enum, 0 if none */
	uint8_t dim[2];  /* the kind's dimension values */
	uint8_t aux;     /* lawsuit outcome | training audience */
	uint8_t flags;   /* FACT_* */
	char village[VILLAGE_CODE_MAX]; /* zero-padded, not terminated */
	uint64_t amount; /* dispute agreement amount, fen */
	uint32_t n[2];   /* people | attendees | materials, consultations | items */
};

/* Encoded size of one fact in a case record. */
#define TALLY_FACT_LEN 57

/* Most facts one case may hold; a further event for it is rejected. */
#define TALLY_CASE_FACTS_MAX 64

/* Longest case id. */
#define TALLY_CASE_ID_MAX 64

/* Encoded totals key: metric, year, month, village, dim0, dim1. */
#define TALLY_KEY_LEN 14

struct tally_key {
	uint8_t metric;
	uint16_t year;
	uint8_t month;
	char village[VILLAGE_CODE_MAX]; /* zero-padded; all zero = township */
	uint8_t dim[2];
};

void tally_key_encode(const struct tally_key *k, uint8_t out[TALLY_KEY_LEN]);
void tally_key_decode(const uint8_t in[TALLY_KEY_LEN], struct tally_key *k);

/* The 3-byte prefix shared by every key of (metric, year). */
#define TALLY_PREFIX_LEN 3
void tally_prefix_encode(enum tally_metric m, uint16_t year, uint8_t out[TALLY_PREFIX_LEN]);

/* A change to one total. */
struct tally_delta {
	struct tally_key key;
	int64_t value;
};

/*
 * A growable list of changes; tally_deltas_free releases it. Start it
 * zeroed. tally_contrib adds a change to an equal key's entry when d[]
 * has one (found through slot, an index of d[0..nidx) kept by tally.c),
 * so a batch's list holds its distinct keys, not one entry per change.
 */
struct tally_delta_slot;
struct tally_deltas {
	size_t n, cap;
	struct tally_delta *d;
	struct tally_delta_slot *slot; /* nslot entries, a power of two */
	size_t nslot, nidx;
};

void tally_deltas_reset(struct tally_deltas *ds);
void tally_deltas_free(struct tally_deltas *ds);

/* Adds v to key k's entry (a new entry if k has none yet). */
void tally_deltas_add(struct tally_deltas *ds, const struct tally_key *k, int64_t v);

/* Sorts by key, sums equal keys, drops zeros. */
void tally_deltas_merge(struct tally_deltas *ds);

/*
 * Adds the entries of b to ds, both merged (tally_deltas_merge), keeping
 * ds merged: one pass over both, no sort. b is unchanged.
 */
void tally_deltas_merge_with(struct tally_deltas *ds, const struct tally_deltas *b);

/* The year and month (1..12) of a unix time in a zone tz_offset seconds east of UTC. */
void tally_year_month(int64_t t, int32_t tz_offset, uint16_t *year, uint8_t *month);

/* The kind of an event's body (TALLY_KIND_NONE if none is set). */
enum tally_kind tally_event_kind(const Lawtally__V1__Event *e);

/*
 * 1 if a training is the village's own (its mediators, or its villagers; not
 * stated reads as the mediators): it names its village, counts in the
 * village's scope and comes from the village. Other audiences (the village
 * cadres too, trained by the township all together) are the township's.
 */
int tally_training_in_village(const Lawtally__V1__Training *t);

/* 1 if events of kind are grouped by case. */
int tally_kind_has_cases(enum tally_kind kind);

/*
 * Reduces a validated, non-retraction event to its fact. Returns 0, or
 * LT_EINVAL for a retraction or an event with no body.
 */
int tally_fact_from_event(const Lawtally__V1__Event *e, int32_t tz_offset,
			  struct tally_fact *f);

/*
 * Appends sign * (the contribution of one group of facts) to out. A group is
 * the facts of one case, ordered by tally_fact_cmp, or one fact of a kind
 * without cases.
 */
void tally_contrib(const struct tally_fact *facts, size_t n, int sign,
		   struct tally_deltas *out);

/* Orders facts by time, then id: the order the rules read a case in. */
int tally_fact_cmp(const struct tally_fact *a, const struct tally_fact *b);

/*
 * Case records: the facts of one case, ordered. Inserting a fact whose id
 * is already there is not possible (ids are deduplicated before).
 */
size_t tally_facts_encoded_len(size_t n);
void tally_facts_encode(const struct tally_fact *facts, size_t n, uint8_t *out);
/* Returns 0, or LT_ECORRUPT if len is not a whole number of facts or too many. */
int tally_facts_decode(const uint8_t *in, size_t len, struct tally_fact *facts, size_t *n);

/* Inserts f in order; returns LT_EFULL if the case already holds the maximum. */
int tally_facts_insert(struct tally_fact *facts, size_t *n, const struct tally_fact *f);
/* Removes the fact with this id; returns LT_ENOTFOUND if absent. */
int tally_facts_remove(struct tally_fact *facts, size_t *n, const uint8_t id[16]);

/*
 * The case key of an event of a case kind: kind, village (8 bytes, padded),
 * case id, and for an event with a township (at a county) a NUL and the
 * township's code. Returns its length; out holds at least
 * TALLY_CASE_KEY_MAX bytes.
 */
#define TALLY_TOWNSHIP_MAX 12 /* SCOPE_TOWNSHIP_MAX */
#define TALLY_CASE_KEY_MAX (1 + VILLAGE_CODE_MAX + TALLY_CASE_ID_MAX + 1 + TALLY_TOWNSHIP_MAX)
size_t tally_case_key(const Lawtally__V1__Event *e, uint8_t out[TALLY_CASE_KEY_MAX]);

#endif
