/*
 * tally.c - the metrics, the tally rules that feed them, and the encodings
 * of totals keys and case records. See tally.h for the model.
 */
#include "tally.h"

#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "calendar.h"
#include "err.h"
#include "xalloc.h"

#define DISPUTE_DIMS {{"category", &lawtally__v1__dispute__category__descriptor}, \
		      {"initiated", &lawtally__v1__dispute__initiated__descriptor}}
#define PETITION_DIMS {{"origin", &lawtally__v1__petition__origin__descriptor}, {0, 0}}
#define VENUE_DIMS {{"venue", &lawtally__v1__publicity__venue__descriptor}, {0, 0}}
#define LAWSUIT_DIMS {{"kind", &lawtally__v1__lawsuit__kind__descriptor}, {0, 0}}
#define ENFORCEMENT_DIMS {{"action", &lawtally__v1__enforcement__action__descriptor}, \
			  {"campaign", &lawtally__v1__enforcement__campaign__descriptor}}
#define NO_DIMS {{0, 0}, {0, 0}}
#define VENUE_LAW_DIMS {{"venue", &lawtally__v1__publicity__venue__descriptor}, \
			{"law", &lawtally__v1__publicity__law__descriptor}}
#define AUDIENCE_DIMS {{"audience", &lawtally__v1__training__audience__descriptor}, {0, 0}}
#define DECISION_DIMS {{"category", &lawtally__v1__major_decision__category__descriptor}, {0, 0}}
#define OPINION_DIMS {{"subject", &lawtally__v1__legal_opinion__subject__descriptor}, \
		      {"adviser", &lawtally__v1__legal_opinion__adviser__descriptor}}
#define DISCLOSURE_DIMS {{"content", &lawtally__v1__disclosure__content__descriptor}, \
			 {"channel", &lawtally__v1__disclosure__channel__descriptor}}
#define SUPERVISION_DIMS {{"supervisor", &lawtally__v1__supervision__supervisor__descriptor}, {0, 0}}
#define TASK_DIMS {{"item", &lawtally__v1__task__item__descriptor}, {0, 0}}

static const struct tally_metric_info metrics[M_COUNT] = {
	[M_DISPUTES_REGISTERED] = {"disputes.registered", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_RESOLVED] = {"disputes.resolved", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_ESCALATED] = {"disputes.escalated", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_UNRESOLVED] = {"disputes.unresolved", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_AGREEMENT_AMOUNT_FEN] = {"disputes.agreement_amount_fen", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_PREVENTED_CRIMINAL] = {"disputes.prevented_criminal", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_PREVENTED_GROUP_PETITION] = {"disputes.prevented_group_petition", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE] = {"disputes.prevented_group_petition_people", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE] = {"disputes.prevented_criminal_people", TALLY_DISPUTE, 0, DISPUTE_DIMS},
	[M_DISPUTES_OPEN] = {"disputes.open", TALLY_DISPUTE, 1, DISPUTE_DIMS},
	[M_PETITIONS_RECEIVED] = {"petitions.received", TALLY_PETITION, 0, PETITION_DIMS},
	[M_PETITIONS_CONCLUDED] = {"petitions.concluded", TALLY_PETITION, 0, PETITION_DIMS},
	[M_PETITIONS_DIFFICULT_RESOLVED] = {"petitions.difficult_resolved", TALLY_PETITION, 0, PETITION_DIMS},
	[M_TRAININGS_SESSIONS] = {"trainings.sessions", TALLY_TRAINING, 0, NO_DIMS},
	[M_TRAININGS_ATTENDEES] = {"trainings.attendees", TALLY_TRAINING, 0, NO_DIMS},
	[M_PUBLICITY_ACTIVITIES] = {"publicity.activities", TALLY_PUBLICITY, 0, VENUE_LAW_DIMS},
	[M_PUBLICITY_MATERIALS] = {"publicity.materials", TALLY_PUBLICITY, 0, VENUE_LAW_DIMS},
	[M_PUBLICITY_CONSULTATIONS] = {"publicity.consultations", TALLY_PUBLICITY, 0, VENUE_LAW_DIMS},
	[M_LAWSUITS_FILED] = {"lawsuits.filed", TALLY_LAWSUIT, 0, LAWSUIT_DIMS},
	[M_LAWSUITS_LOST] = {"lawsuits.lost", TALLY_LAWSUIT, 0, LAWSUIT_DIMS},
	[M_ENFORCEMENT_ACTIONS] = {"enforcement.actions", TALLY_ENFORCEMENT, 0, ENFORCEMENT_DIMS},
	[M_ENFORCEMENT_RECORDED] = {"enforcement.recorded", TALLY_ENFORCEMENT, 0, ENFORCEMENT_DIMS},
	[M_TRAININGS_OTHERS] = {"trainings.others", TALLY_TRAINING, 0, AUDIENCE_DIMS},
	[M_TRAININGS_OTHERS_ATTENDEES] = {"trainings.others_attendees", TALLY_TRAINING, 0, AUDIENCE_DIMS},
	[M_DOCUMENTS_DRAFTED] = {"documents.drafted", TALLY_DOCUMENT, 0, NO_DIMS},
	[M_DOCUMENTS_REGISTERED] = {"documents.registered", TALLY_DOCUMENT, 0, NO_DIMS},
	[M_DOCUMENTS_FILED] = {"documents.filed", TALLY_DOCUMENT, 0, NO_DIMS},
	[M_DOCUMENTS_REVIEWED] = {"documents.reviewed", TALLY_DOCUMENT, 0, NO_DIMS},
	[M_DECISIONS_MADE] = {"decisions.made", TALLY_DECISION, 0, DECISION_DIMS},
	[M_DECISIONS_COLLECTIVE] = {"decisions.collective", TALLY_DECISION, 0, DECISION_DIMS},
	[M_DECISIONS_LEGAL_REVIEWED] = {"decisions.legal_reviewed", TALLY_DECISION, 0, DECISION_DIMS},
	[M_DECISIONS_HEARINGS] = {"decisions.hearings", TALLY_DECISION, 0, DECISION_DIMS},
	[M_DECISIONS_CONSULTED] = {"decisions.consulted", TALLY_DECISION, 0, DECISION_DIMS},
	[M_OPINIONS_GIVEN] = {"opinions.given", TALLY_OPINION, 0, OPINION_DIMS},
	[M_DISCLOSURES_RELEASES] = {"disclosures.releases", TALLY_DISCLOSURE, 0, DISCLOSURE_DIMS},
	[M_DISCLOSURES_ITEMS] = {"disclosures.items", TALLY_DISCLOSURE, 0, DISCLOSURE_DIMS},
	[M_SUPERVISION_FINDINGS] = {"supervision.findings", TALLY_SUPERVISION, 0, SUPERVISION_DIMS},
	[M_SUPERVISION_RECTIFIED] = {"supervision.rectified", TALLY_SUPERVISION, 0, SUPERVISION_DIMS},
	[M_ENFORCEMENT_TEAM] = {"enforcement.team", TALLY_STAFF, 0, NO_DIMS},
	[M_ENFORCEMENT_CERTIFIED] = {"enforcement.certified", TALLY_STAFF, 0, NO_DIMS},
	[M_TASKS_PLANNED] = {"tasks.planned", TALLY_TASK, 0, TASK_DIMS},
	[M_TASKS_DONE] = {"tasks.done", TALLY_TASK, 0, TASK_DIMS},
};

/*
 * How a rule counts:
 *  PER_EVENT       every matching fact adds its value (kinds without cases);
 *  FIRST_IN_YEAR   a case adds the value of its first matching fact of each
 *                  year, once: "distinct cases that reached the stage in the year";
 *  OPEN            a case that has a matching fact and no terminal-stage fact
 *                  adds 1 at its first matching fact (the live backlog).
 */
enum rule_mode { PER_EVENT, FIRST_IN_YEAR, OPEN };

/* What a rule adds for a matching fact. */
enum rule_value { V_ONE, V_AMOUNT, V_N0, V_N1 };

struct rule {
	enum tally_metric metric;
	uint8_t kind;
	enum rule_mode mode;
	uint8_t stage;     /* 0: any stage */
	uint8_t flags;     /* all of these flags must be set */
	uint8_t aux;       /* 0: any */
	enum rule_value value;
};

#define DSTAGE(s) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##s
#define PSTAGE(s) LAWTALLY__V1__PETITION__STAGE__STAGE_##s
#define LSTAGE(s) LAWTALLY__V1__LAWSUIT__STAGE__STAGE_##s
#define DOC(a) LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_##a
#define SSTAGE(s) LAWTALLY__V1__SUPERVISION__STAGE__STAGE_##s
#define TSTAGE(s) LAWTALLY__V1__TASK__STAGE__STAGE_##s
#define MEDIATORS LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_MEDIATORS

static const struct rule rules[] = {
	{M_DISPUTES_REGISTERED, TALLY_DISPUTE, FIRST_IN_YEAR, DSTAGE(REGISTERED), 0, 0, V_ONE},
	{M_DISPUTES_RESOLVED, TALLY_DISPUTE, FIRST_IN_YEAR, DSTAGE(RESOLVED), 0, 0, V_ONE},
	{M_DISPUTES_ESCALATED, TALLY_DISPUTE, FIRST_IN_YEAR, DSTAGE(ESCALATED), 0, 0, V_ONE},
	{M_DISPUTES_UNRESOLVED, TALLY_DISPUTE, FIRST_IN_YEAR, DSTAGE(UNRESOLVED), 0, 0, V_ONE},
	{M_DISPUTES_AGREEMENT_AMOUNT_FEN, TALLY_DISPUTE, FIRST_IN_YEAR, DSTAGE(RESOLVED), 0, 0, V_AMOUNT},
	{M_DISPUTES_PREVENTED_CRIMINAL, TALLY_DISPUTE, FIRST_IN_YEAR, 0, FACT_PREVENTED_CRIMINAL, 0, V_ONE},
	{M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE, TALLY_DISPUTE, FIRST_IN_YEAR, 0, FACT_PREVENTED_CRIMINAL, 0, V_N1},
	{M_DISPUTES_PREVENTED_GROUP_PETITION, TALLY_DISPUTE, FIRST_IN_YEAR, 0, FACT_PREVENTED_GROUP, 0, V_ONE},
	{M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE, TALLY_DISPUTE, FIRST_IN_YEAR, 0, FACT_PREVENTED_GROUP, 0, V_N0},
	{M_DISPUTES_OPEN, TALLY_DISPUTE, OPEN, DSTAGE(REGISTERED), 0, 0, V_ONE},
	{M_PETITIONS_RECEIVED, TALLY_PETITION, FIRST_IN_YEAR, PSTAGE(RECEIVED), 0, 0, V_ONE},
	{M_PETITIONS_CONCLUDED, TALLY_PETITION, FIRST_IN_YEAR, PSTAGE(CONCLUDED), 0, 0, V_ONE},
	{M_PETITIONS_DIFFICULT_RESOLVED, TALLY_PETITION, FIRST_IN_YEAR, PSTAGE(CONCLUDED),
	 FACT_DIFFICULT | FACT_JOINT_MEETING, 0, V_ONE},
	/* the report's "培训N次" counts the village mediators' trainings only;
	 * the others count apart, so that a training stored before audiences
	 * existed (a mediators') feeds exactly what it fed then */
	{M_TRAININGS_SESSIONS, TALLY_TRAINING, PER_EVENT, 0, 0, MEDIATORS, V_ONE},
	{M_TRAININGS_ATTENDEES, TALLY_TRAINING, PER_EVENT, 0, 0, MEDIATORS, V_N0},
	{M_TRAININGS_OTHERS, TALLY_TRAINING, PER_EVENT, 0, FACT_NOT_MEDIATORS, 0, V_ONE},
	{M_TRAININGS_OTHERS_ATTENDEES, TALLY_TRAINING, PER_EVENT, 0, FACT_NOT_MEDIATORS, 0, V_N0},
	{M_PUBLICITY_ACTIVITIES, TALLY_PUBLICITY, PER_EVENT, 0, FACT_ACTIVITY, 0, V_ONE},
	{M_PUBLICITY_MATERIALS, TALLY_PUBLICITY, PER_EVENT, 0, 0, 0, V_N0},
	{M_PUBLICITY_CONSULTATIONS, TALLY_PUBLICITY, PER_EVENT, 0, 0, 0, V_N1},
	{M_LAWSUITS_FILED, TALLY_LAWSUIT, FIRST_IN_YEAR, LSTAGE(FILED), 0, 0, V_ONE},
	{M_LAWSUITS_LOST, TALLY_LAWSUIT, FIRST_IN_YEAR, LSTAGE(JUDGED), 0,
	 LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_LOST, V_ONE},
	{M_ENFORCEMENT_ACTIONS, TALLY_ENFORCEMENT, PER_EVENT, 0, 0, 0, V_ONE},
	{M_ENFORCEMENT_RECORDED, TALLY_ENFORCEMENT, PER_EVENT, 0, FACT_RECORDED, 0, V_ONE},
	/* a document counts once a year at each step it reached */
	{M_DOCUMENTS_DRAFTED, TALLY_DOCUMENT, FIRST_IN_YEAR, DOC(DRAFTED), 0, 0, V_ONE},
	{M_DOCUMENTS_REGISTERED, TALLY_DOCUMENT, FIRST_IN_YEAR, DOC(REGISTERED), 0, 0, V_ONE},
	{M_DOCUMENTS_FILED, TALLY_DOCUMENT, FIRST_IN_YEAR, DOC(FILED), 0, 0, V_ONE},
	{M_DOCUMENTS_REVIEWED, TALLY_DOCUMENT, FIRST_IN_YEAR, DOC(REVIEWED), 0, 0, V_ONE},
	{M_DECISIONS_MADE, TALLY_DECISION, PER_EVENT, 0, 0, 0, V_ONE},
	{M_DECISIONS_COLLECTIVE, TALLY_DECISION, PER_EVENT, 0, FACT_COLLECTIVE, 0, V_ONE},
	{M_DECISIONS_LEGAL_REVIEWED, TALLY_DECISION, PER_EVENT, 0, FACT_LEGAL_REVIEW, 0, V_ONE},
	{M_DECISIONS_HEARINGS, TALLY_DECISION, PER_EVENT, 0, FACT_HEARING, 0, V_ONE},
	{M_DECISIONS_CONSULTED, TALLY_DECISION, PER_EVENT, 0, FACT_CONSULTED, 0, V_ONE},
	{M_OPINIONS_GIVEN, TALLY_OPINION, PER_EVENT, 0, 0, 0, V_ONE},
	{M_DISCLOSURES_RELEASES, TALLY_DISCLOSURE, PER_EVENT, 0, 0, 0, V_ONE},
	{M_DISCLOSURES_ITEMS, TALLY_DISCLOSURE, PER_EVENT, 0, 0, 0, V_N0},
	{M_SUPERVISION_FINDINGS, TALLY_SUPERVISION, FIRST_IN_YEAR, SSTAGE(RECEIVED), 0, 0, V_ONE},
	{M_SUPERVISION_RECTIFIED, TALLY_SUPERVISION, FIRST_IN_YEAR, SSTAGE(RECTIFIED), 0, 0, V_ONE},
	/* a person counts once a year, however often the roster is sent */
	{M_ENFORCEMENT_TEAM, TALLY_STAFF, FIRST_IN_YEAR, 0, FACT_IN_TEAM, 0, V_ONE},
	{M_ENFORCEMENT_CERTIFIED, TALLY_STAFF, FIRST_IN_YEAR, 0, FACT_CERTIFIED, 0, V_ONE},
	{M_TASKS_PLANNED, TALLY_TASK, FIRST_IN_YEAR, TSTAGE(PLANNED), 0, 0, V_ONE},
	{M_TASKS_DONE, TALLY_TASK, FIRST_IN_YEAR, TSTAGE(DONE), 0, 0, V_ONE},
};

/* Stages after which a dispute is no longer open. */
static int dispute_stage_terminal(uint8_t stage)
{
	return stage == DSTAGE(RESOLVED) || stage == DSTAGE(ESCALATED) ||
	       stage == DSTAGE(UNRESOLVED);
}

const struct tally_metric_info *tally_metric(enum tally_metric m)
{
	if ((unsigned)m >= M_COUNT)
		return NULL;
	return &metrics[m];
}

int tally_metric_by_name(const char *name)
{
	for (int m = 0; m < M_COUNT; m++)
		if (strcmp(metrics[m].name, name) == 0)
			return m;
	return -1;
}

int tally_dim_by_name(enum tally_metric m, const char *name)
{
	if ((unsigned)m >= M_COUNT)
		return -1;
	for (int i = 0; i < 2; i++)
		if (metrics[m].dim[i].name && strcmp(metrics[m].dim[i].name, name) == 0)
			return i;
	return -1;
}

/* Length of the prefix every value name of desc shares ("CATEGORY_"). */
static size_t enum_prefix_len(const ProtobufCEnumDescriptor *desc)
{
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(desc, 0);
	const char *u = strstr(zero->name, "UNSPECIFIED");
	return u ? (size_t)(u - zero->name) : 0;
}

const char *tally_dim_label(enum tally_metric m, int dim, int value)
{
	if ((unsigned)m >= M_COUNT || dim < 0 || dim > 1 || !metrics[m].dim[dim].desc)
		return NULL;
	const ProtobufCEnumDescriptor *desc = metrics[m].dim[dim].desc;
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
	if (!v)
		return NULL;
	return v->name + enum_prefix_len(desc);
}

int tally_dim_value(enum tally_metric m, int dim, const char *label)
{
	if ((unsigned)m >= M_COUNT || dim < 0 || dim > 1 || !metrics[m].dim[dim].desc)
		return -1;
	const ProtobufCEnumDescriptor *desc = metrics[m].dim[dim].desc;
	size_t plen = enum_prefix_len(desc);
	for (unsigned i = 0; i < desc->n_values; i++) {
		const char *name = desc->values[i].name;
		if (strcmp(name, label) == 0 || strcmp(name + plen, label) == 0)
			return desc->values[i].value;
	}
	return -1;
}

void tally_prefix_encode(enum tally_metric m, uint16_t year, uint8_t out[TALLY_PREFIX_LEN])
{
	out[0] = (uint8_t)m;
	be16_store(out + 1, year); /* big-endian: keys sort by year */
}

void tally_key_encode(const struct tally_key *k, uint8_t out[TALLY_KEY_LEN])
{
	tally_prefix_encode(k->metric, k->year, out);
	out[3] = k->month;
	memcpy(out + 4, k->village, VILLAGE_CODE_MAX);
	out[12] = k->dim[0];
	out[13] = k->dim[1];
}

void tally_key_decode(const uint8_t in[TALLY_KEY_LEN], struct tally_key *k)
{
	k->metric = in[0];
	k->year = be16_load(in + 1);
	k->month = in[3];
	memcpy(k->village, in + 4, VILLAGE_CODE_MAX);
	k->dim[0] = in[12];
	k->dim[1] = in[13];
}

/* nidx when the index does not match d[] (rebuilt at the next push). */
#define DELTAS_UNINDEXED ((size_t)-1)

void tally_deltas_reset(struct tally_deltas *ds)
{
	ds->n = 0;
	ds->nidx = DELTAS_UNINDEXED;
}

void tally_deltas_free(struct tally_deltas *ds)
{
	free(ds->d);
	free(ds->slot);
	*ds = (struct tally_deltas){0};
}

/* A delta with its encoded key read as two big-endian integers: for sorting. */
_Static_assert(TALLY_KEY_LEN <= 16, "a totals key fits two 64-bit integers");
struct sort_delta {
	uint64_t hi, lo;
	int64_t value;
};

/* The encoded key as two big-endian integers: equal keys, equal words; same order. */
static void key_words(const struct tally_key *k, uint64_t *hi, uint64_t *lo)
{
	uint8_t e[16] = {0};
	tally_key_encode(k, e);
	*hi = be64_load(e);
	*lo = be64_load(e + 8);
}

static void sort_delta_from(const struct tally_delta *d, struct sort_delta *s)
{
	key_words(&d->key, &s->hi, &s->lo);
	s->value = d->value;
}

/*
 * The index of a list's entries by key: open addressing, at most half
 * full. A batch of a few thousand events brings tens of thousands of
 * changes to a few hundred keys; summing each into its key's entry as it
 * comes keeps the list (and the sort in tally_deltas_merge) to the
 * distinct keys, where sorting every change was ~8 % of the daemon's CPU
 * at saturation (BENCHMARKS.md). Only an accelerator: merge still sums
 * equal keys, so entries added around it (figures_add) stay correct.
 */
struct tally_delta_slot {
	uint64_t hi, lo;
	size_t idx1; /* the entry's index + 1; 0: empty */
};

static size_t slot_hash(uint64_t hi, uint64_t lo)
{
	uint64_t h = hi ^ (lo * 0x9E3779B97F4A7C15u);
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9u;
	return (size_t)(h ^ h >> 29);
}

/* The slot holding key (hi, lo), or the empty slot where it belongs. */
static struct tally_delta_slot *slot_find(const struct tally_deltas *ds, uint64_t hi, uint64_t lo)
{
	size_t mask = ds->nslot - 1;
	/* ends: the table is never more than half full */
	for (size_t p = slot_hash(hi, lo) & mask;; p = (p + 1) & mask) {
		struct tally_delta_slot *sl = &ds->slot[p];
		if (sl->idx1 == 0 || (sl->hi == hi && sl->lo == lo))
			return sl;
	}
}

/* Indexes d[0..n) afresh in a table of at least 4 (n + 1) slots. */
static void index_rebuild(struct tally_deltas *ds)
{
	size_t nslot = ds->nslot ? ds->nslot : 256;
	while (nslot < 4 * (ds->n + 1))
		nslot *= 2;
	if (nslot != ds->nslot) {
		free(ds->slot);
		ds->slot = xreallocarray(NULL, nslot, sizeof(*ds->slot));
		ds->nslot = nslot;
	}
	memset(ds->slot, 0, nslot * sizeof(*ds->slot));
	for (size_t i = 0; i < ds->n; i++) {
		uint64_t hi, lo;
		key_words(&ds->d[i].key, &hi, &lo);
		struct tally_delta_slot *sl = slot_find(ds, hi, lo);
		if (sl->idx1 == 0) /* a repeated key stays a second entry: merge sums it */
			*sl = (struct tally_delta_slot){hi, lo, i + 1};
	}
	ds->nidx = ds->n;
}

static void deltas_push(struct tally_deltas *ds, const struct tally_key *k, int64_t v)
{
	if (v == 0)
		return;
	if (ds->nidx != ds->n || !ds->slot || 2 * (ds->n + 1) > ds->nslot)
		index_rebuild(ds);
	uint64_t hi, lo;
	key_words(k, &hi, &lo);
	struct tally_delta_slot *sl = slot_find(ds, hi, lo);
	if (sl->idx1) {
		ds->d[sl->idx1 - 1].value += v;
		return;
	}
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 64;
		ds->d = xreallocarray(ds->d, cap, sizeof(*ds->d));
		ds->cap = cap;
	}
	ds->d[ds->n].key = *k;
	ds->d[ds->n].value = v;
	ds->n++;
	*sl = (struct tally_delta_slot){hi, lo, ds->n};
	ds->nidx = ds->n;
}

void tally_deltas_add(struct tally_deltas *ds, const struct tally_key *k, int64_t v)
{
	deltas_push(ds, k, v);
}

static int sort_delta_cmp(const void *pa, const void *pb)
{
	const struct sort_delta *a = pa, *b = pb;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return (a->lo > b->lo) - (a->lo < b->lo);
}

/*
 * Sorts by the encoded key (LMDB's order of the totals) and sums equal
 * keys. Each key is encoded once into two integers, so a comparison is
 * two integer compares instead of two encodings and a memcmp.
 */
void tally_deltas_merge(struct tally_deltas *ds)
{
	if (ds->n == 0)
		return;
	struct sort_delta *s = xreallocarray(NULL, ds->n, sizeof(*s));
	for (size_t i = 0; i < ds->n; i++)
		sort_delta_from(&ds->d[i], &s[i]);
	qsort(s, ds->n, sizeof(s[0]), sort_delta_cmp);
	size_t out = 0;
	for (size_t i = 0; i < ds->n; i++) {
		if (out > 0 && s[out - 1].hi == s[i].hi && s[out - 1].lo == s[i].lo)
			s[out - 1].value += s[i].value;
		else
			s[out++] = s[i];
	}
	ds->n = 0;
	for (size_t i = 0; i < out; i++) {
		if (s[i].value == 0)
			continue;
		uint8_t e[16];
		be64_store(e, s[i].hi);
		be64_store(e + 8, s[i].lo);
		tally_key_decode(e, &ds->d[ds->n].key);
		ds->d[ds->n++].value = s[i].value;
	}
	free(s);
	ds->nidx = DELTAS_UNINDEXED; /* entries moved: the index no longer matches */
}

void tally_deltas_merge_with(struct tally_deltas *ds, const struct tally_deltas *b)
{
	if (b->n == 0)
		return;
	size_t cap = ds->n + b->n, i = 0, j = 0, n = 0;
	struct tally_delta *out = xreallocarray(NULL, cap, sizeof(*out));
	while (i < ds->n || j < b->n) {
		int c = 0;
		if (i == ds->n) {
			c = 1;
		} else if (j < b->n) {
			uint64_t ah, al, bh, bl;
			key_words(&ds->d[i].key, &ah, &al);
			key_words(&b->d[j].key, &bh, &bl);
			c = ah != bh ? (ah < bh ? -1 : 1) : (al > bl) - (al < bl);
		} else {
			c = -1;
		}
		struct tally_delta d = c <= 0 ? ds->d[i] : b->d[j];
		if (c == 0)
			d.value += b->d[j].value;
		i += c <= 0;
		j += c >= 0;
		if (d.value != 0)
			out[n++] = d;
	}
	free(ds->d);
	ds->d = out;
	ds->n = n;
	ds->cap = cap;
	ds->nidx = DELTAS_UNINDEXED;
}

void tally_year_month(int64_t t, int32_t tz_offset, uint16_t *year, uint8_t *month)
{
	int64_t y;
	int m, d;
	cal_civil_from_days(cal_day_of(t + tz_offset), &y, &m, &d);
	*year = (uint16_t)y;
	*month = (uint8_t)m;
}

enum tally_kind tally_event_kind(const Lawtally__V1__Event *e)
{
	switch (e->body_case) {
	case LAWTALLY__V1__EVENT__BODY_DISPUTE: return TALLY_DISPUTE;
	case LAWTALLY__V1__EVENT__BODY_PETITION: return TALLY_PETITION;
	case LAWTALLY__V1__EVENT__BODY_TRAINING: return TALLY_TRAINING;
	case LAWTALLY__V1__EVENT__BODY_PUBLICITY: return TALLY_PUBLICITY;
	case LAWTALLY__V1__EVENT__BODY_LAWSUIT: return TALLY_LAWSUIT;
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT: return TALLY_ENFORCEMENT;
	case LAWTALLY__V1__EVENT__BODY_RETRACTION: return TALLY_RETRACTION;
	case LAWTALLY__V1__EVENT__BODY_DOCUMENT: return TALLY_DOCUMENT;
	case LAWTALLY__V1__EVENT__BODY_DECISION: return TALLY_DECISION;
	case LAWTALLY__V1__EVENT__BODY_OPINION: return TALLY_OPINION;
	case LAWTALLY__V1__EVENT__BODY_DISCLOSURE: return TALLY_DISCLOSURE;
	case LAWTALLY__V1__EVENT__BODY_SUPERVISION: return TALLY_SUPERVISION;
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF: return TALLY_STAFF;
	case LAWTALLY__V1__EVENT__BODY_TASK: return TALLY_TASK;
	case LAWTALLY__V1__EVENT__BODY_COUNTERS: return TALLY_COUNTERS;
	default: return TALLY_KIND_NONE;
	}
}

int tally_training_in_village(const Lawtally__V1__Training *t)
{
	return t->audience == LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_UNSPECIFIED ||
	       t->audience == LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_MEDIATORS ||
	       t->audience == LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_VILLAGERS;
}

int tally_kind_has_cases(enum tally_kind kind)
{
	return kind == TALLY_DISPUTE || kind == TALLY_PETITION || kind == TALLY_LAWSUIT ||
	       kind == TALLY_DOCUMENT || kind == TALLY_SUPERVISION || kind == TALLY_STAFF ||
	       kind == TALLY_TASK;
}

int tally_fact_from_event(const Lawtally__V1__Event *e, int32_t tz_offset,
			  struct tally_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)tally_event_kind(e);
	if (f->kind == TALLY_KIND_NONE || f->kind == TALLY_RETRACTION)
		return LT_EINVAL;
	if (e->id.len == 16)
		memcpy(f->id, e->id.data, 16);
	f->occurred_at = e->occurred_at;
	tally_year_month(e->occurred_at, tz_offset, &f->year, &f->month);
	size_t vlen = strlen(e->village);
	memcpy(f->village, e->village, vlen < VILLAGE_CODE_MAX ? vlen : VILLAGE_CODE_MAX);

	switch (f->kind) {
	case TALLY_DISPUTE: {
		const Lawtally__V1__Dispute *d = e->dispute;
		f->stage = (uint8_t)d->stage;
		f->dim[0] = (uint8_t)d->category;
		f->dim[1] = (uint8_t)d->initiated;
		f->amount = d->agreement_amount_fen;
		f->n[0] = d->people;
		f->n[1] = d->prevented_criminal_people;
		f->flags = (uint8_t)((d->prevented_criminal ? FACT_PREVENTED_CRIMINAL : 0) |
				     (d->prevented_group_petition ? FACT_PREVENTED_GROUP : 0));
		break;
	}
	case TALLY_PETITION: {
		const Lawtally__V1__Petition *p = e->petition;
		f->stage = (uint8_t)p->stage;
		f->dim[0] = (uint8_t)p->origin;
		f->flags = (uint8_t)((p->difficult ? FACT_DIFFICULT : 0) |
				     (p->joint_meeting ? FACT_JOINT_MEETING : 0));
		break;
	}
	case TALLY_TRAINING: {
		/* not stated: a mediators' training, as every training was before */
		int a = e->training->audience ? (int)e->training->audience : MEDIATORS;
		f->dim[0] = (uint8_t)a;
		f->aux = (uint8_t)a;
		f->flags = a != MEDIATORS ? FACT_NOT_MEDIATORS : 0;
		f->n[0] = e->training->attendees;
		break;
	}
	case TALLY_PUBLICITY: {
		const Lawtally__V1__Publicity *p = e->publicity;
		f->dim[0] = (uint8_t)p->venue;
		f->n[0] = p->materials;
		f->n[1] = p->consultations;
		f->dim[1] = (uint8_t)p->law;
		f->flags = p->is_activity ? FACT_ACTIVITY : 0;
		break;
	}
	case TALLY_LAWSUIT: {
		const Lawtally__V1__Lawsuit *l = e->lawsuit;
		f->stage = (uint8_t)l->stage;
		f->dim[0] = (uint8_t)l->kind;
		f->aux = (uint8_t)l->outcome;
		break;
	}
	case TALLY_ENFORCEMENT: {
		const Lawtally__V1__Enforcement *x = e->enforcement;
		f->dim[0] = (uint8_t)x->action;
		f->dim[1] = (uint8_t)x->campaign;
		f->flags = x->recorded ? FACT_RECORDED : 0;
		break;
	}
	case TALLY_DOCUMENT:
		f->stage = (uint8_t)e->document->action;
		break;
	case TALLY_DECISION: {
		const Lawtally__V1__MajorDecision *d = e->decision;
		f->dim[0] = (uint8_t)d->category;
		f->flags = (uint8_t)((d->collective ? FACT_COLLECTIVE : 0) |
				     (d->legal_review ? FACT_LEGAL_REVIEW : 0) |
				     (d->hearing ? FACT_HEARING : 0) |
				     (d->public_consultation ? FACT_CONSULTED : 0));
		break;
	}
	case TALLY_OPINION:
		f->dim[0] = (uint8_t)e->opinion->subject;
		f->dim[1] = (uint8_t)e->opinion->adviser;
		break;
	case TALLY_DISCLOSURE:
		f->dim[0] = (uint8_t)e->disclosure->content;
		f->dim[1] = (uint8_t)e->disclosure->channel;
		f->n[0] = e->disclosure->items;
		break;
	case TALLY_SUPERVISION:
		f->stage = (uint8_t)e->supervision->stage;
		f->dim[0] = (uint8_t)e->supervision->supervisor;
		break;
	case TALLY_STAFF:
		f->flags = (uint8_t)((e->enforcement_staff->certified ? FACT_CERTIFIED : 0) |
				     (e->enforcement_staff->in_team ? FACT_IN_TEAM : 0));
		break;
	case TALLY_TASK:
		f->stage = (uint8_t)e->task->stage;
		f->dim[0] = (uint8_t)e->task->item;
		break;
	}
	return 0;
}

static int rule_matches(const struct rule *r, const struct tally_fact *f)
{
	return f->kind == r->kind && (r->stage == 0 || f->stage == r->stage) &&
	       (f->flags & r->flags) == r->flags && (r->aux == 0 || f->aux == r->aux);
}

static int64_t rule_value(const struct rule *r, const struct tally_fact *f)
{
	switch (r->value) {
	case V_ONE: return 1;
	case V_AMOUNT: return (int64_t)f->amount;
	case V_N0: return f->n[0];
	case V_N1: return f->n[1];
	}
	return 0;
}

static void emit(const struct rule *r, const struct tally_fact *f, int64_t v,
		 struct tally_deltas *out)
{
	/* a metric keys only its own dimensions: a fact's other values (the
	 * audience of a mediators' training) stay out of its totals' keys */
	const struct tally_metric_info *mi = &metrics[r->metric];
	struct tally_key k = {
		.metric = (uint8_t)r->metric, .year = f->year, .month = f->month,
		.dim = {mi->dim[0].name ? f->dim[0] : 0, mi->dim[1].name ? f->dim[1] : 0},
	};
	memcpy(k.village, f->village, VILLAGE_CODE_MAX);
	deltas_push(out, &k, v);
}

static void apply_rule(const struct rule *r, const struct tally_fact *facts,
		       size_t n, int sign, struct tally_deltas *out)
{
	switch (r->mode) {
	case PER_EVENT:
		for (size_t i = 0; i < n; i++)
			if (rule_matches(r, &facts[i]))
				emit(r, &facts[i], sign * rule_value(r, &facts[i]), out);
		break;
	case FIRST_IN_YEAR: {
		/* facts are in time order, so years ascend */
		unsigned last_year = 0;
		for (size_t i = 0; i < n; i++) {
			if (!rule_matches(r, &facts[i]) || facts[i].year == last_year)
				continue;
			last_year = facts[i].year;
			emit(r, &facts[i], sign * rule_value(r, &facts[i]), out);
		}
		break;
	}
	case OPEN: {
		const struct tally_fact *first = NULL;
		for (size_t i = 0; i < n; i++) {
			if (dispute_stage_terminal(facts[i].stage))
				return;
			if (!first && rule_matches(r, &facts[i]))
				first = &facts[i];
		}
		if (first)
			emit(r, first, sign * rule_value(r, first), out);
		break;
	}
	}
}

void tally_contrib(const struct tally_fact *facts, size_t n, int sign,
		   struct tally_deltas *out)
{
	if (n == 0)
		return;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].kind == facts[0].kind)
			apply_rule(&rules[i], facts, n, sign, out);
}

int tally_fact_cmp(const struct tally_fact *a, const struct tally_fact *b)
{
	if (a->occurred_at != b->occurred_at)
		return a->occurred_at < b->occurred_at ? -1 : 1;
	return memcmp(a->id, b->id, 16);
}

/*
 * Fact record layout (little-endian, TALLY_FACT_LEN bytes):
 * id[16] occurred_at[8] year[2] month kind stage dim0 dim1 aux flags
 * village[8] amount[8] n0[4] n1[4]
 */
static void fact_encode(const struct tally_fact *f, uint8_t *p)
{
	memset(p, 0, TALLY_FACT_LEN);
	memcpy(p, f->id, 16);
	le64_store(p + 16, (uint64_t)f->occurred_at);
	le16_store(p + 24, f->year);
	p[26] = f->month;
	p[27] = f->kind;
	p[28] = f->stage;
	p[29] = f->dim[0];
	p[30] = f->dim[1];
	p[31] = f->aux;
	p[32] = f->flags;
	memcpy(p + 33, f->village, VILLAGE_CODE_MAX);
	le64_store(p + 41, f->amount);
	le32_store(p + 49, f->n[0]);
	le32_store(p + 53, f->n[1]);
}

static void fact_decode(const uint8_t *p, struct tally_fact *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->id, p, 16);
	f->occurred_at = (int64_t)le64_load(p + 16);
	f->year = le16_load(p + 24);
	f->month = p[26];
	f->kind = p[27];
	f->stage = p[28];
	f->dim[0] = p[29];
	f->dim[1] = p[30];
	f->aux = p[31];
	f->flags = p[32];
	memcpy(f->village, p + 33, VILLAGE_CODE_MAX);
	f->amount = le64_load(p + 41);
	f->n[0] = le32_load(p + 49);
	f->n[1] = le32_load(p + 53);
}

size_t tally_facts_encoded_len(size_t n)
{
	return n * TALLY_FACT_LEN;
}

void tally_facts_encode(const struct tally_fact *facts, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		fact_encode(&facts[i], out + i * TALLY_FACT_LEN);
}

int tally_facts_decode(const uint8_t *in, size_t len, struct tally_fact *facts, size_t *n)
{
	if (len % TALLY_FACT_LEN || len / TALLY_FACT_LEN > TALLY_CASE_FACTS_MAX)
		return LT_ECORRUPT;
	*n = len / TALLY_FACT_LEN;
	for (size_t i = 0; i < *n; i++)
		fact_decode(in + i * TALLY_FACT_LEN, &facts[i]);
	return 0;
}

int tally_facts_insert(struct tally_fact *facts, size_t *n, const struct tally_fact *f)
{
	if (*n >= TALLY_CASE_FACTS_MAX)
		return LT_EFULL;
	size_t i = *n;
	while (i > 0 && tally_fact_cmp(&facts[i - 1], f) > 0) {
		facts[i] = facts[i - 1];
		i--;
	}
	facts[i] = *f;
	(*n)++;
	return 0;
}

int tally_facts_remove(struct tally_fact *facts, size_t *n, const uint8_t id[16])
{
	for (size_t i = 0; i < *n; i++) {
		if (memcmp(facts[i].id, id, 16) != 0)
			continue;
		memmove(&facts[i], &facts[i + 1], (*n - i - 1) * sizeof(facts[0]));
		(*n)--;
		return 0;
	}
	return LT_ENOTFOUND;
}

size_t tally_case_key(const Lawtally__V1__Event *e, uint8_t out[TALLY_CASE_KEY_MAX])
{
	const char *case_id = "";
	switch (e->body_case) {
	case LAWTALLY__V1__EVENT__BODY_DISPUTE: case_id = e->dispute->case_id; break;
	case LAWTALLY__V1__EVENT__BODY_PETITION: case_id = e->petition->case_id; break;
	case LAWTALLY__V1__EVENT__BODY_LAWSUIT: case_id = e->lawsuit->case_id; break;
	case LAWTALLY__V1__EVENT__BODY_DOCUMENT: case_id = e->document->document_id; break;
	case LAWTALLY__V1__EVENT__BODY_SUPERVISION: case_id = e->supervision->case_id; break;
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF:
		case_id = e->enforcement_staff->staff_id;
		break;
	case LAWTALLY__V1__EVENT__BODY_TASK: case_id = e->task->task_id; break;
	default: break;
	}
	size_t vlen = strlen(e->village), clen = strlen(case_id);
	if (vlen > VILLAGE_CODE_MAX)
		vlen = VILLAGE_CODE_MAX;
	if (clen > TALLY_CASE_ID_MAX)
		clen = TALLY_CASE_ID_MAX;
	memset(out, 0, 1 + VILLAGE_CODE_MAX);
	out[0] = (uint8_t)tally_event_kind(e);
	memcpy(out + 1, e->village, vlen);
	memcpy(out + 1 + VILLAGE_CODE_MAX, case_id, clen);
	size_t n = 1 + VILLAGE_CODE_MAX + clen;
	/* at a county: the case within its township (a case id holds no NUL) */
	size_t tlen = strnlen(e->township, TALLY_TOWNSHIP_MAX);
	if (tlen) {
		out[n] = 0;
		memcpy(out + n + 1, e->township, tlen);
		n += 1 + tlen;
	}
	return n;
}
