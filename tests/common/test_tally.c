/*
 * test_tally.c - unit tests of common/tally.c: civil year and month in the
 * township's zone, totals keys, metric and dimension names, every tally
 * rule from real events (exact deltas), retraction as contrib(after) -
 * contrib(before), and the case record encoding.
 *
 * Times are built with libc's timegm, an oracle independent of tally.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "err.h"
#include "tally.h"

#define TZ8 (8 * 3600) /* the township's zone, UTC+08:00 */

/* Unix time of a local wall-clock time in a zone tz seconds east of UTC. */
static int64_t at_tz(int y, int mo, int d, int h, int mi, int s, int32_t tz)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = s};
	return (int64_t)timegm(&tm) - tz;
}

/* 09:00 on a day in the township's zone. */
static int64_t at(int y, int mo, int d)
{
	return at_tz(y, mo, d, 9, 0, 0, TZ8);
}

/* --- tally_year_month -------------------------------------------------- */

struct ym_row {
	int64_t t;
	int32_t tz;
	int year, month;
};

static const struct ym_row ym_rows[] = {
	{1704038399, TZ8, 2023, 12},       /* 2023-12-31T15:59:59Z */
	{1704038400, TZ8, 2024, 1},        /* 2023-12-31T16:00:00Z */
	{1709135999, TZ8, 2024, 2},        /* 2024-02-28T23:59:59+08 */
	{1709136000, TZ8, 2024, 2},        /* 2024-02-29T00:00:00+08 */
	{1709222399, TZ8, 2024, 2},        /* 2024-02-29T23:59:59+08 */
	{1709222400, TZ8, 2024, 3},        /* 2024-03-01T00:00:00+08 */
	{1677599999, TZ8, 2023, 2},        /* 2023-02-28T23:59:59+08 */
	{1677600000, TZ8, 2023, 3},        /* 2023-03-01T00:00:00+08, no Feb 29 */
	{951796800, TZ8, 2000, 2},         /* 2000-02-29T12:00+08, a leap century */
	{951840000, TZ8, 2000, 3},         /* 2000-03-01T00:00+08 */
	{4107513599, TZ8, 2100, 2},        /* 2100-02-28T23:59:59+08 */
	{4107513600, TZ8, 2100, 3},        /* 2100-03-01: 2100 is not leap */
	{0, 0, 1970, 1},
	{-1, 0, 1969, 12},
	{-28800, TZ8, 1970, 1},            /* 1970-01-01T00:00+08 */
	{-28801, TZ8, 1969, 12},
	{-1, TZ8, 1970, 1},                /* 1970-01-01T07:59:59+08 */
	{-14182940, 0, 1969, 7},           /* 1969-07-20T20:17:40Z */
	{-2203920001, TZ8, 1900, 2},       /* 1900-02-28T23:59:59+08 */
	{-2203920000, TZ8, 1900, 3},       /* 1900: not leap */
	{-11670912000, 0, 1600, 3},        /* 1600-03-01T00:00Z */
	{-11670912001, 0, 1600, 2},        /* 1600-02-29T23:59:59Z, leap */
	{1704085199, -5 * 3600, 2023, 12}, /* 2024-01-01T04:59:59Z at -05:00 */
	{1704085200, -5 * 3600, 2024, 1},
	{1704110399, -12 * 3600, 2023, 12},
	{1704110400, -12 * 3600, 2024, 1}, /* 2024-01-01T12:00Z at -12:00 */
	{1704016799, 14 * 3600, 2023, 12},
	{1704016800, 14 * 3600, 2024, 1},  /* 2023-12-31T10:00Z at +14:00 */
	{1704038400, 0, 2023, 12},         /* the same instant, three zones */
	{1704038400, -5 * 3600, 2023, 12},
};

static void test_year_month_boundaries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ym_rows) / sizeof(ym_rows[0]); i++) {
		const struct ym_row *r = &ym_rows[i];
		uint16_t y = 0;
		uint8_t m = 0;
		tally_year_month(r->t, r->tz, &y, &m);
		if (y != r->year || m != r->month)
			fail_msg("t=%lld tz=%d: want %d-%02d, got %d-%02d", (long long)r->t,
				 (int)r->tz, r->year, r->month, y, m);
	}
}

/* The first second of each month of 2024 in UTC+08:00, and of 2025. */
static void test_year_month_2024_month_ends(void **state)
{
	(void)state;
	static const int64_t starts[13] = {
		1704038400, 1706716800, 1709222400, 1711900800, 1714492800,
		1717171200, 1719763200, 1722441600, 1725120000, 1727712000,
		1730390400, 1732982400, 1735660800,
	};
	for (int i = 0; i < 13; i++) {
		uint16_t y;
		uint8_t m;
		tally_year_month(starts[i], TZ8, &y, &m);
		assert_int_equal(y, i < 12 ? 2024 : 2025);
		assert_int_equal(m, i < 12 ? i + 1 : 1);
		tally_year_month(starts[i] - 1, TZ8, &y, &m);
		assert_int_equal(y, i == 0 ? 2023 : 2024);
		assert_int_equal(m, i == 0 ? 12 : i);
	}
}

/* Every month boundary 1900..2199 in several zones, against gmtime_r. */
static void test_year_month_against_libc(void **state)
{
	(void)state;
	static const int32_t zones[] = {TZ8, 0, -5 * 3600, -12 * 3600, 14 * 3600, 19800};
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		int32_t tz = zones[z];
		for (int y = 1900; y < 2200; y++)
			for (int mo = 1; mo <= 12; mo++) {
				int64_t t = at_tz(y, mo, 1, 0, 0, 0, tz);
				uint16_t gy;
				uint8_t gm;
				tally_year_month(t, tz, &gy, &gm);
				if (gy != y || gm != mo)
					fail_msg("tz=%d %d-%02d-01: got %d-%02d", (int)tz, y, mo,
						 gy, gm);
				tally_year_month(t - 1, tz, &gy, &gm);
				int py = mo == 1 ? y - 1 : y, pm = mo == 1 ? 12 : mo - 1;
				if (gy != py || gm != pm)
					fail_msg("tz=%d before %d-%02d-01: got %d-%02d", (int)tz,
						 y, mo, gy, gm);
			}
		/* and arbitrary instants, a little over a day apart */
		for (int64_t t = -2208988800LL; t < 7258118400LL; t += 97213) {
			time_t s = (time_t)(t + tz);
			struct tm tm;
			assert_non_null(gmtime_r(&s, &tm));
			uint16_t gy;
			uint8_t gm;
			tally_year_month(t, tz, &gy, &gm);
			if (gy != tm.tm_year + 1900 || gm != tm.tm_mon + 1)
				fail_msg("t=%lld tz=%d: want %d-%02d, got %d-%02d", (long long)t,
					 (int)tz, tm.tm_year + 1900, tm.tm_mon + 1, gy, gm);
		}
	}
}

/* --- totals keys ------------------------------------------------------- */

static struct tally_key key(int metric, int year, int month, const char *village,
			    int dim0, int dim1)
{
	struct tally_key k;
	memset(&k, 0, sizeof(k));
	k.metric = (uint8_t)metric;
	k.year = (uint16_t)year;
	k.month = (uint8_t)month;
	memcpy(k.village, village, strnlen(village, VILLAGE_CODE_MAX));
	k.dim[0] = (uint8_t)dim0;
	k.dim[1] = (uint8_t)dim1;
	return k;
}

static void assert_key_equal(const struct tally_key *a, const struct tally_key *b)
{
	assert_int_equal(a->metric, b->metric);
	assert_int_equal(a->year, b->year);
	assert_int_equal(a->month, b->month);
	assert_memory_equal(a->village, b->village, VILLAGE_CODE_MAX);
	assert_int_equal(a->dim[0], b->dim[0]);
	assert_int_equal(a->dim[1], b->dim[1]);
}

static void test_key_roundtrip(void **state)
{
	(void)state;
	const struct tally_key ks[] = {
		key(M_DISPUTES_RESOLVED, 2024, 3, "ZL07", 7, 1),
		key(M_ENFORCEMENT_RECORDED, 2199, 12, "ABCDEFGH", 255, 254),
		key(M_DISPUTES_REGISTERED, 2000, 1, "", 0, 0),
		key(M_PETITIONS_RECEIVED, 0xABCD, 0, "ZL41", 3, 0),
	};
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint8_t enc[TALLY_KEY_LEN];
		struct tally_key back;
		memset(&back, 0xEE, sizeof(back));
		tally_key_encode(&ks[i], enc);
		tally_key_decode(enc, &back);
		assert_key_equal(&back, &ks[i]);
	}
	/* the layout: metric, year big-endian, month, village, dims */
	uint8_t enc[TALLY_KEY_LEN];
	struct tally_key k = key(M_LAWSUITS_FILED, 2024, 9, "ZL07", 2, 0);
	tally_key_encode(&k, enc);
	const uint8_t want[TALLY_KEY_LEN] = {M_LAWSUITS_FILED, 0x07, 0xE8, 9,
					     'Z', 'L', '0', '7', 0, 0, 0, 0, 2, 0};
	assert_memory_equal(enc, want, TALLY_KEY_LEN);
}

/* Keys listed in the order (metric, year, month, village, dims) must encode ascending. */
static void test_key_order(void **state)
{
	(void)state;
	const struct tally_key ks[] = {
		key(M_DISPUTES_REGISTERED, 2024, 12, "ZL41", 15, 3),
		key(M_DISPUTES_RESOLVED, 1999, 1, "", 0, 0),
		key(M_DISPUTES_RESOLVED, 2023, 12, "ZL41", 15, 3),
		key(M_DISPUTES_RESOLVED, 2024, 0, "", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "", 0, 1),
		key(M_DISPUTES_RESOLVED, 2024, 1, "", 1, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "ZL01", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "ZL01", 7, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "ZL01A", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 1, "ZL02", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 2, "", 0, 0),
		key(M_DISPUTES_RESOLVED, 2024, 12, "ZL41", 255, 255),
		key(M_DISPUTES_RESOLVED, 2047, 1, "", 0, 0),   /* 0x07FF */
		key(M_DISPUTES_RESOLVED, 2048, 1, "", 0, 0),   /* 0x0800 */
		key(M_DISPUTES_RESOLVED, 2303, 1, "", 0, 0),   /* 0x08FF */
		key(M_DISPUTES_RESOLVED, 2304, 1, "", 0, 0),   /* 0x0900 */
		key(M_PETITIONS_RECEIVED, 2000, 1, "", 0, 0),
		key(M_ENFORCEMENT_RECORDED, 2000, 1, "", 0, 0),
	};
	for (size_t i = 1; i < sizeof(ks) / sizeof(ks[0]); i++) {
		uint8_t a[TALLY_KEY_LEN], b[TALLY_KEY_LEN];
		tally_key_encode(&ks[i - 1], a);
		tally_key_encode(&ks[i], b);
		if (memcmp(a, b, TALLY_KEY_LEN) >= 0)
			fail_msg("key %zu does not sort before key %zu", i - 1, i);
	}
}

static void test_prefix(void **state)
{
	(void)state;
	uint8_t p[TALLY_PREFIX_LEN], k[TALLY_KEY_LEN];
	struct tally_key tk = key(M_PUBLICITY_MATERIALS, 2024, 5, "ZL03", 5, 0);
	tally_prefix_encode(M_PUBLICITY_MATERIALS, 2024, p);
	tally_key_encode(&tk, k);
	assert_memory_equal(p, k, TALLY_PREFIX_LEN);
	const uint8_t want[TALLY_PREFIX_LEN] = {M_PUBLICITY_MATERIALS, 0x07, 0xE8};
	assert_memory_equal(p, want, TALLY_PREFIX_LEN);
	tally_prefix_encode(M_PUBLICITY_MATERIALS, 2025, p);
	assert_memory_not_equal(p, k, TALLY_PREFIX_LEN);
}

/* --- metrics and dimensions -------------------------------------------- */

static const struct {
	const char *name;
	int metric;
	enum tally_kind kind;
	int gauge;
	const char *dim0, *dim1;
} metric_rows[] = {
	{"disputes.registered", M_DISPUTES_REGISTERED, TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.resolved", M_DISPUTES_RESOLVED, TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.escalated", M_DISPUTES_ESCALATED, TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.unresolved", M_DISPUTES_UNRESOLVED, TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.agreement_amount_fen", M_DISPUTES_AGREEMENT_AMOUNT_FEN, TALLY_DISPUTE, 0,
	 "category", "initiated"},
	{"disputes.prevented_criminal", M_DISPUTES_PREVENTED_CRIMINAL, TALLY_DISPUTE, 0,
	 "category", "initiated"},
	{"disputes.prevented_group_petition", M_DISPUTES_PREVENTED_GROUP_PETITION,
	 TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.prevented_group_petition_people", M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE,
	 TALLY_DISPUTE, 0, "category", "initiated"},
	{"disputes.open", M_DISPUTES_OPEN, TALLY_DISPUTE, 1, "category", "initiated"},
	{"petitions.received", M_PETITIONS_RECEIVED, TALLY_PETITION, 0, "origin", NULL},
	{"petitions.concluded", M_PETITIONS_CONCLUDED, TALLY_PETITION, 0, "origin", NULL},
	{"petitions.difficult_resolved", M_PETITIONS_DIFFICULT_RESOLVED, TALLY_PETITION, 0,
	 "origin", NULL},
	{"trainings.sessions", M_TRAININGS_SESSIONS, TALLY_TRAINING, 0, NULL, NULL},
	{"trainings.attendees", M_TRAININGS_ATTENDEES, TALLY_TRAINING, 0, NULL, NULL},
	{"publicity.activities", M_PUBLICITY_ACTIVITIES, TALLY_PUBLICITY, 0, "venue", "law"},
	{"publicity.materials", M_PUBLICITY_MATERIALS, TALLY_PUBLICITY, 0, "venue", "law"},
	{"publicity.consultations", M_PUBLICITY_CONSULTATIONS, TALLY_PUBLICITY, 0, "venue", "law"},
	{"lawsuits.filed", M_LAWSUITS_FILED, TALLY_LAWSUIT, 0, "kind", NULL},
	{"lawsuits.lost", M_LAWSUITS_LOST, TALLY_LAWSUIT, 0, "kind", NULL},
	{"enforcement.actions", M_ENFORCEMENT_ACTIONS, TALLY_ENFORCEMENT, 0, "action", "campaign"},
	{"enforcement.recorded", M_ENFORCEMENT_RECORDED, TALLY_ENFORCEMENT, 0, "action",
	 "campaign"},
	{"disputes.prevented_criminal_people", M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE,
	 TALLY_DISPUTE, 0, "category", "initiated"},
	{"trainings.others", M_TRAININGS_OTHERS, TALLY_TRAINING, 0, "audience", NULL},
	{"trainings.others_attendees", M_TRAININGS_OTHERS_ATTENDEES, TALLY_TRAINING, 0, "audience",
	 NULL},
	{"documents.drafted", M_DOCUMENTS_DRAFTED, TALLY_DOCUMENT, 0, NULL, NULL},
	{"documents.registered", M_DOCUMENTS_REGISTERED, TALLY_DOCUMENT, 0, NULL, NULL},
	{"documents.filed", M_DOCUMENTS_FILED, TALLY_DOCUMENT, 0, NULL, NULL},
	{"documents.reviewed", M_DOCUMENTS_REVIEWED, TALLY_DOCUMENT, 0, NULL, NULL},
	{"decisions.made", M_DECISIONS_MADE, TALLY_DECISION, 0, "category", NULL},
	{"decisions.collective", M_DECISIONS_COLLECTIVE, TALLY_DECISION, 0, "category", NULL},
	{"decisions.legal_reviewed", M_DECISIONS_LEGAL_REVIEWED, TALLY_DECISION, 0, "category",
	 NULL},
	{"decisions.hearings", M_DECISIONS_HEARINGS, TALLY_DECISION, 0, "category", NULL},
	{"decisions.consulted", M_DECISIONS_CONSULTED, TALLY_DECISION, 0, "category", NULL},
	{"opinions.given", M_OPINIONS_GIVEN, TALLY_OPINION, 0, "subject", "adviser"},
	{"disclosures.releases", M_DISCLOSURES_RELEASES, TALLY_DISCLOSURE, 0, "content", "channel"},
	{"disclosures.items", M_DISCLOSURES_ITEMS, TALLY_DISCLOSURE, 0, "content", "channel"},
	{"supervision.findings", M_SUPERVISION_FINDINGS, TALLY_SUPERVISION, 0, "supervisor", NULL},
	{"supervision.rectified", M_SUPERVISION_RECTIFIED, TALLY_SUPERVISION, 0, "supervisor", NULL},
	{"enforcement.team", M_ENFORCEMENT_TEAM, TALLY_STAFF, 0, NULL, NULL},
	{"enforcement.certified", M_ENFORCEMENT_CERTIFIED, TALLY_STAFF, 0, NULL, NULL},
	{"tasks.planned", M_TASKS_PLANNED, TALLY_TASK, 0, "item", NULL},
	{"tasks.done", M_TASKS_DONE, TALLY_TASK, 0, "item", NULL},
};

static void check_dim_name(int metric, int i, const char *want)
{
	const struct tally_metric_info *mi = tally_metric((enum tally_metric)metric);
	if (!want) {
		assert_null(mi->dim[i].name);
		return;
	}
	assert_non_null(mi->dim[i].name);
	assert_string_equal(mi->dim[i].name, want);
	assert_int_equal(tally_dim_by_name((enum tally_metric)metric, want), i);
}

static void test_metric_names(void **state)
{
	(void)state;
	size_t n = sizeof(metric_rows) / sizeof(metric_rows[0]);
	assert_int_equal(n, M_COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(tally_metric_by_name(metric_rows[i].name), metric_rows[i].metric);
		const struct tally_metric_info *mi = tally_metric(metric_rows[i].metric);
		assert_non_null(mi);
		assert_string_equal(mi->name, metric_rows[i].name);
		assert_int_equal(mi->kind, metric_rows[i].kind);
		assert_int_equal(mi->gauge, metric_rows[i].gauge);
		check_dim_name(metric_rows[i].metric, 0, metric_rows[i].dim0);
		check_dim_name(metric_rows[i].metric, 1, metric_rows[i].dim1);
	}
	assert_null(tally_metric(M_COUNT));
	assert_null(tally_metric((enum tally_metric)-1));
	assert_int_equal(tally_metric_by_name("disputes"), -1);
	assert_int_equal(tally_metric_by_name(""), -1);
	assert_int_equal(tally_metric_by_name("disputes.resolved "), -1);
	assert_int_equal(tally_metric_by_name("Disputes.Resolved"), -1);
	assert_int_equal(tally_metric_by_name("lawsuits.won"), -1);
}

static void test_dim_by_name(void **state)
{
	(void)state;
	assert_int_equal(tally_dim_by_name(M_DISPUTES_RESOLVED, "category"), 0);
	assert_int_equal(tally_dim_by_name(M_DISPUTES_RESOLVED, "initiated"), 1);
	assert_int_equal(tally_dim_by_name(M_DISPUTES_RESOLVED, "origin"), -1);
	assert_int_equal(tally_dim_by_name(M_DISPUTES_RESOLVED, "month"), -1);
	assert_int_equal(tally_dim_by_name(M_ENFORCEMENT_ACTIONS, "action"), 0);
	assert_int_equal(tally_dim_by_name(M_ENFORCEMENT_ACTIONS, "campaign"), 1);
	assert_int_equal(tally_dim_by_name(M_TRAININGS_SESSIONS, "category"), -1);
	assert_int_equal(tally_dim_by_name(M_TRAININGS_SESSIONS, ""), -1);
	assert_int_equal(tally_dim_by_name(M_COUNT, "category"), -1);
}

static const struct {
	int metric, dim, value;
	const char *label;
} label_rows[] = {
	{M_DISPUTES_RESOLVED, 0, LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_LAND, "LAND"},
	{M_DISPUTES_RESOLVED, 0, LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_LAND_ACQUISITION,
	 "LAND_ACQUISITION"},
	{M_DISPUTES_OPEN, 0, LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_MARRIAGE_FAMILY,
	 "MARRIAGE_FAMILY"},
	{M_DISPUTES_REGISTERED, 0, LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_OTHER, "OTHER"},
	{M_DISPUTES_RESOLVED, 1, LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_PROACTIVE,
	 "PROACTIVE"},
	{M_DISPUTES_RESOLVED, 1, LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_REFERRAL, "REFERRAL"},
	{M_PETITIONS_RECEIVED, 0, LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_HIGHER_LEVEL,
	 "HIGHER_LEVEL"},
	{M_PETITIONS_RECEIVED, 0, LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_PROVINCIAL_INSPECTION,
	 "PROVINCIAL_INSPECTION"},
	{M_PUBLICITY_CONSULTATIONS, 0, LAWTALLY__V1__PUBLICITY__VENUE__VENUE_SCHOOL, "SCHOOL"},
	{M_LAWSUITS_FILED, 0, LAWTALLY__V1__LAWSUIT__KIND__KIND_ADMINISTRATIVE, "ADMINISTRATIVE"},
	{M_LAWSUITS_LOST, 0, LAWTALLY__V1__LAWSUIT__KIND__KIND_ENV_POLLUTION_CIVIL,
	 "ENV_POLLUTION_CIVIL"},
	{M_ENFORCEMENT_ACTIONS, 0, LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_LEGAL_REVIEW,
	 "LEGAL_REVIEW"},
	{M_ENFORCEMENT_ACTIONS, 1, LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_STRAW_BURNING,
	 "STRAW_BURNING"},
};

static void test_dim_label_and_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(label_rows) / sizeof(label_rows[0]); i++) {
		enum tally_metric m = (enum tally_metric)label_rows[i].metric;
		const char *l = tally_dim_label(m, label_rows[i].dim, label_rows[i].value);
		assert_non_null(l);
		assert_string_equal(l, label_rows[i].label);
		assert_int_equal(tally_dim_value(m, label_rows[i].dim, label_rows[i].label),
				 label_rows[i].value);
	}
	/* with or without the enum's prefix */
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "LAND"), 7);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "CATEGORY_LAND"), 7);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "CATEGORY_LAND_ACQUISITION"), 8);
	assert_int_equal(tally_dim_value(M_PUBLICITY_ACTIVITIES, 0, "VENUE_ORGAN"), 3);
	assert_int_equal(tally_dim_value(M_ENFORCEMENT_RECORDED, 1, "CAMPAIGN_OTHER"), 3);
	assert_int_equal(tally_dim_value(M_LAWSUITS_FILED, 0, "KIND_OTHER"), 3);
	/* unknown labels, a label of the other dimension, a wrong prefix */
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "BOGUS"), -1);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, ""), -1);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "PROACTIVE"), -1);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 0, "VENUE_LAND"), -1);
	assert_int_equal(tally_dim_value(M_ENFORCEMENT_ACTIONS, 0, "STRAW_BURNING"), -1);
	/* no such dimension */
	assert_int_equal(tally_dim_value(M_PETITIONS_RECEIVED, 1, "HIGHER_LEVEL"), -1);
	assert_int_equal(tally_dim_value(M_TRAININGS_SESSIONS, 0, "LAND"), -1);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, 2, "LAND"), -1);
	assert_int_equal(tally_dim_value(M_DISPUTES_RESOLVED, -1, "LAND"), -1);
	assert_int_equal(tally_dim_value(M_COUNT, 0, "LAND"), -1);
	/* values that are not in the enum, and dimensions that do not exist */
	assert_null(tally_dim_label(M_DISPUTES_RESOLVED, 0, 16));
	assert_null(tally_dim_label(M_DISPUTES_RESOLVED, 0, 99));
	assert_null(tally_dim_label(M_PUBLICITY_MATERIALS, 0, 6));
	assert_null(tally_dim_label(M_PETITIONS_RECEIVED, 1, 1));
	assert_null(tally_dim_label(M_TRAININGS_ATTENDEES, 0, 0));
	assert_null(tally_dim_label(M_DISPUTES_RESOLVED, 2, 1));
	assert_null(tally_dim_label(M_DISPUTES_RESOLVED, -1, 1));
	assert_null(tally_dim_label(M_COUNT, 0, 1));
}

/* --- events and facts -------------------------------------------------- */

/* One event with every body; the builders below fill one of them. */
struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Petition p;
	Lawtally__V1__Training t;
	Lawtally__V1__Publicity pub;
	Lawtally__V1__Lawsuit l;
	Lawtally__V1__Enforcement x;
	Lawtally__V1__Retraction r;
	Lawtally__V1__NormativeDocument doc;
	Lawtally__V1__MajorDecision dec;
	Lawtally__V1__LegalOpinion op;
	Lawtally__V1__Disclosure dis;
	Lawtally__V1__Supervision sup;
	Lawtally__V1__EnforcementStaff st;
	Lawtally__V1__Task tk;
	uint8_t id[16];
};

/* The envelope: id tag fills the id's first byte, the rest is fixed. */
static Lawtally__V1__Event *ev_base(struct ev *v, uint8_t tag, int64_t t, const char *village)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	memset(v->id, 0x5A, sizeof(v->id));
	v->id[0] = tag;
	v->e.id.len = 16;
	v->e.id.data = v->id;
	v->e.occurred_at = t;
	v->e.village = (char *)village;
	v->e.source = "test";
	return &v->e;
}

static Lawtally__V1__Event *dispute(struct ev *v, uint8_t tag, int64_t t, const char *village,
				    const char *case_id, int category, int stage)
{
	ev_base(v, tag, t, village);
	v->d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
	v->d.case_id = (char *)case_id;
	v->d.category = (Lawtally__V1__Dispute__Category)category;
	v->d.stage = (Lawtally__V1__Dispute__Stage)stage;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	v->e.dispute = &v->d;
	return &v->e;
}

static Lawtally__V1__Event *petition(struct ev *v, uint8_t tag, int64_t t, const char *case_id,
				     int origin, int stage)
{
	ev_base(v, tag, t, "");
	v->p = (Lawtally__V1__Petition)LAWTALLY__V1__PETITION__INIT;
	v->p.case_id = (char *)case_id;
	v->p.origin = (Lawtally__V1__Petition__Origin)origin;
	v->p.stage = (Lawtally__V1__Petition__Stage)stage;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_PETITION;
	v->e.petition = &v->p;
	return &v->e;
}

static Lawtally__V1__Event *training(struct ev *v, uint8_t tag, int64_t t, const char *village,
				     uint32_t attendees)
{
	ev_base(v, tag, t, village);
	v->t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	v->t.attendees = attendees;
	v->t.topic = "人民调解";
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	v->e.training = &v->t;
	return &v->e;
}

static Lawtally__V1__Event *publicity(struct ev *v, uint8_t tag, int64_t t, int venue,
				      uint32_t materials, uint32_t consultations, int activity)
{
	ev_base(v, tag, t, "");
	v->pub = (Lawtally__V1__Publicity)LAWTALLY__V1__PUBLICITY__INIT;
	v->pub.venue = (Lawtally__V1__Publicity__Venue)venue;
	v->pub.materials = materials;
	v->pub.consultations = consultations;
	v->pub.is_activity = activity;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
	v->e.publicity = &v->pub;
	return &v->e;
}

static Lawtally__V1__Event *lawsuit(struct ev *v, uint8_t tag, int64_t t, const char *case_id,
				    int kind, int stage, int outcome)
{
	ev_base(v, tag, t, "");
	v->l = (Lawtally__V1__Lawsuit)LAWTALLY__V1__LAWSUIT__INIT;
	v->l.case_id = (char *)case_id;
	v->l.kind = (Lawtally__V1__Lawsuit__Kind)kind;
	v->l.stage = (Lawtally__V1__Lawsuit__Stage)stage;
	v->l.outcome = (Lawtally__V1__Lawsuit__Outcome)outcome;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_LAWSUIT;
	v->e.lawsuit = &v->l;
	return &v->e;
}

static Lawtally__V1__Event *enforcement(struct ev *v, uint8_t tag, int64_t t, int action,
					int campaign, int recorded)
{
	ev_base(v, tag, t, "");
	v->x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
	v->x.action = (Lawtally__V1__Enforcement__Action)action;
	v->x.campaign = (Lawtally__V1__Enforcement__Campaign)campaign;
	v->x.recorded = recorded;
	v->x.device_id = "ZFJLY-0007";
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
	v->e.enforcement = &v->x;
	return &v->e;
}

static Lawtally__V1__Event *document(struct ev *v, uint8_t tag, int64_t t, const char *doc_id,
				     int action)
{
	ev_base(v, tag, t, "");
	v->doc = (Lawtally__V1__NormativeDocument)LAWTALLY__V1__NORMATIVE_DOCUMENT__INIT;
	v->doc.document_id = (char *)doc_id;
	v->doc.action = (Lawtally__V1__NormativeDocument__Action)action;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_DOCUMENT;
	v->e.document = &v->doc;
	return &v->e;
}

static Lawtally__V1__Event *decision(struct ev *v, uint8_t tag, int64_t t, int category,
				     int collective, int review, int hearing, int consulted)
{
	ev_base(v, tag, t, "");
	v->dec = (Lawtally__V1__MajorDecision)LAWTALLY__V1__MAJOR_DECISION__INIT;
	v->dec.decision_id = "JC-1";
	v->dec.category = (Lawtally__V1__MajorDecision__Category)category;
	v->dec.collective = collective;
	v->dec.legal_review = review;
	v->dec.hearing = hearing;
	v->dec.public_consultation = consulted;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_DECISION;
	v->e.decision = &v->dec;
	return &v->e;
}

static Lawtally__V1__Event *opinion(struct ev *v, uint8_t tag, int64_t t, int adviser, int subject)
{
	ev_base(v, tag, t, "");
	v->op = (Lawtally__V1__LegalOpinion)LAWTALLY__V1__LEGAL_OPINION__INIT;
	v->op.adviser = (Lawtally__V1__LegalOpinion__Adviser)adviser;
	v->op.subject = (Lawtally__V1__LegalOpinion__Subject)subject;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_OPINION;
	v->e.opinion = &v->op;
	return &v->e;
}

static Lawtally__V1__Event *disclosure(struct ev *v, uint8_t tag, int64_t t, int content,
				       int channel, uint32_t items)
{
	ev_base(v, tag, t, "");
	v->dis = (Lawtally__V1__Disclosure)LAWTALLY__V1__DISCLOSURE__INIT;
	v->dis.content = (Lawtally__V1__Disclosure__Content)content;
	v->dis.channel = (Lawtally__V1__Disclosure__Channel)channel;
	v->dis.items = items;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_DISCLOSURE;
	v->e.disclosure = &v->dis;
	return &v->e;
}

static Lawtally__V1__Event *supervision(struct ev *v, uint8_t tag, int64_t t, const char *case_id,
					int supervisor, int stage)
{
	ev_base(v, tag, t, "");
	v->sup = (Lawtally__V1__Supervision)LAWTALLY__V1__SUPERVISION__INIT;
	v->sup.case_id = (char *)case_id;
	v->sup.supervisor = (Lawtally__V1__Supervision__Supervisor)supervisor;
	v->sup.stage = (Lawtally__V1__Supervision__Stage)stage;
	v->sup.responsible_leader = "副镇长";
	v->sup.responsible_unit = "综合执法队";
	v->sup.responsible_person = "队长";
	v->sup.deadline = t + 86400;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_SUPERVISION;
	v->e.supervision = &v->sup;
	return &v->e;
}

static Lawtally__V1__Event *staff(struct ev *v, uint8_t tag, int64_t t, const char *staff_id,
				  int certified, int in_team)
{
	ev_base(v, tag, t, "");
	v->st = (Lawtally__V1__EnforcementStaff)LAWTALLY__V1__ENFORCEMENT_STAFF__INIT;
	v->st.staff_id = (char *)staff_id;
	v->st.certified = certified;
	v->st.in_team = in_team;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF;
	v->e.enforcement_staff = &v->st;
	return &v->e;
}

static Lawtally__V1__Event *task(struct ev *v, uint8_t tag, int64_t t, const char *task_id,
				 int item, int stage)
{
	ev_base(v, tag, t, "");
	v->tk = (Lawtally__V1__Task)LAWTALLY__V1__TASK__INIT;
	v->tk.task_id = (char *)task_id;
	v->tk.item = (Lawtally__V1__Task__Item)item;
	v->tk.stage = (Lawtally__V1__Task__Stage)stage;
	v->tk.responsible_office = "党政办";
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_TASK;
	v->e.task = &v->tk;
	return &v->e;
}

static struct tally_fact fact(const Lawtally__V1__Event *e)
{
	struct tally_fact f;
	assert_int_equal(tally_fact_from_event(e, TZ8, &f), 0);
	return f;
}

/* The facts of one case, kept in rule order. */
struct group {
	size_t n;
	struct tally_fact f[TALLY_CASE_FACTS_MAX];
};

static void add(struct group *g, const Lawtally__V1__Event *e)
{
	struct tally_fact f = fact(e);
	assert_int_equal(tally_facts_insert(g->f, &g->n, &f), 0);
}

/* ds := contrib(g), merged. */
static void contrib(const struct group *g, struct tally_deltas *ds)
{
	tally_deltas_reset(ds);
	tally_contrib(g->f, g->n, 1, ds);
	tally_deltas_merge(ds);
}

/* ds := contrib(after) - contrib(before), merged. */
static void diff(const struct group *before, const struct group *after, struct tally_deltas *ds)
{
	tally_deltas_reset(ds);
	tally_contrib(after->f, after->n, 1, ds);
	tally_contrib(before->f, before->n, -1, ds);
	tally_deltas_merge(ds);
}

/* An expected delta. */
struct want {
	int metric, year, month;
	const char *village;
	int dim0, dim1;
	int64_t value;
};

static void dump(const struct tally_deltas *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		const struct tally_delta *d = &ds->d[i];
		print_message("  got %s %d-%02d '%.8s' [%d,%d] %lld\n",
			      tally_metric((enum tally_metric)d->key.metric)->name, d->key.year,
			      d->key.month, d->key.village, d->key.dim[0], d->key.dim[1],
			      (long long)d->value);
	}
}

/* ds (merged) holds exactly the deltas of w, in any order. */
static void expect_deltas(const struct tally_deltas *ds, const struct want *w, size_t n)
{
	if (ds->n != n) {
		dump(ds);
		fail_msg("want %zu deltas, got %zu", n, ds->n);
	}
	for (size_t i = 0; i < n; i++) {
		struct tally_key k = key(w[i].metric, w[i].year, w[i].month, w[i].village,
					 w[i].dim0, w[i].dim1);
		uint8_t kw[TALLY_KEY_LEN];
		tally_key_encode(&k, kw);
		size_t j;
		for (j = 0; j < ds->n; j++) {
			uint8_t kg[TALLY_KEY_LEN];
			tally_key_encode(&ds->d[j].key, kg);
			if (memcmp(kw, kg, TALLY_KEY_LEN) == 0)
				break;
		}
		if (j == ds->n || ds->d[j].value != w[i].value) {
			dump(ds);
			fail_msg("want %s %d-%02d '%s' [%d,%d] %lld: %s",
				 tally_metric((enum tally_metric)w[i].metric)->name, w[i].year,
				 w[i].month, w[i].village, w[i].dim0, w[i].dim1,
				 (long long)w[i].value, j == ds->n ? "missing" : "other value");
		}
	}
}

#define EXPECT(ds, ...)                                                          \
	expect_deltas((ds), (const struct want[]){__VA_ARGS__},                  \
		      sizeof((const struct want[]){__VA_ARGS__}) / sizeof(struct want))
#define EXPECT_NONE(ds) expect_deltas((ds), NULL, 0)

/* Short names for the enum values used below. */
#define LAND LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_LAND
#define NEIGHBOUR LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR
#define REGISTERED LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED
#define RESOLVED LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED
#define ESCALATED LAWTALLY__V1__DISPUTE__STAGE__STAGE_ESCALATED
#define UNRESOLVED LAWTALLY__V1__DISPUTE__STAGE__STAGE_UNRESOLVED
#define PROACTIVE LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_PROACTIVE
#define HIGHER LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_HIGHER_LEVEL
#define TOWNSHIP LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_TOWNSHIP
#define PROVINCIAL LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_PROVINCIAL_INSPECTION
#define RECEIVED LAWTALLY__V1__PETITION__STAGE__STAGE_RECEIVED
#define CONCLUDED LAWTALLY__V1__PETITION__STAGE__STAGE_CONCLUDED
#define ADMIN LAWTALLY__V1__LAWSUIT__KIND__KIND_ADMINISTRATIVE
#define ENVCIVIL LAWTALLY__V1__LAWSUIT__KIND__KIND_ENV_POLLUTION_CIVIL
#define FILED LAWTALLY__V1__LAWSUIT__STAGE__STAGE_FILED
#define JUDGED LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED
#define WON LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_WON
#define LOST LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_LOST
#define SETTLED LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_SETTLED
#define SCHOOL LAWTALLY__V1__PUBLICITY__VENUE__VENUE_SCHOOL
#define VILLAGE_VENUE LAWTALLY__V1__PUBLICITY__VENUE__VENUE_VILLAGE
#define PENALTY LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_PENALTY
#define GUIDANCE LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_GUIDANCE
#define STRAW LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_STRAW_BURNING
#define RURAL LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_RURAL_REVITALIZATION
#define MEDIATORS LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_MEDIATORS
#define CORRECTION LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_COMMUNITY_CORRECTION
#define VCADRES LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_VILLAGE_CADRES
#define CIVIL_CODE LAWTALLY__V1__PUBLICITY__LAW__LAW_CIVIL_CODE
#define DRAFTED LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_DRAFTED
#define DOC_FILED LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_FILED
#define DOC_REVIEWED LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_REVIEWED
#define DOC_REGISTERED LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_REGISTERED
#define PROJECT LAWTALLY__V1__MAJOR_DECISION__CATEGORY__CATEGORY_MAJOR_PROJECT
#define FUNDS LAWTALLY__V1__MAJOR_DECISION__CATEGORY__CATEGORY_LARGE_FUNDS
#define LAWYER LAWTALLY__V1__LEGAL_OPINION__ADVISER__ADVISER_PUBLIC_LAWYER
#define ADVISER LAWTALLY__V1__LEGAL_OPINION__ADVISER__ADVISER_LEGAL_ADVISER
#define CONTRACT LAWTALLY__V1__LEGAL_OPINION__SUBJECT__SUBJECT_CONTRACT
#define RESULT LAWTALLY__V1__DISCLOSURE__CONTENT__CONTENT_RESULT
#define WEBSITE LAWTALLY__V1__DISCLOSURE__CHANNEL__CHANNEL_WEBSITE
#define BOARD LAWTALLY__V1__DISCLOSURE__CHANNEL__CHANNEL_NOTICE_BOARD
#define DEPUTIES LAWTALLY__V1__SUPERVISION__SUPERVISOR__SUPERVISOR_DEPUTIES
#define SUP_RECEIVED LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECEIVED
#define SUP_RECTIFIED LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECTIFIED
#define GROUP LAWTALLY__V1__TASK__ITEM__ITEM_LEADING_GROUP
#define PLANNED LAWTALLY__V1__TASK__STAGE__STAGE_PLANNED
#define DONE LAWTALLY__V1__TASK__STAGE__STAGE_DONE

static void test_event_kind(void **state)
{
	(void)state;
	struct ev v;
	assert_int_equal(tally_event_kind(dispute(&v, 1, at(2024, 3, 1), "ZL07", "c", LAND,
						  REGISTERED)),
			 TALLY_DISPUTE);
	assert_int_equal(tally_event_kind(petition(&v, 1, at(2024, 3, 1), "c", HIGHER, RECEIVED)),
			 TALLY_PETITION);
	assert_int_equal(tally_event_kind(training(&v, 1, at(2024, 3, 1), "ZL07", 1)),
			 TALLY_TRAINING);
	assert_int_equal(tally_event_kind(publicity(&v, 1, at(2024, 3, 1), SCHOOL, 1, 1, 1)),
			 TALLY_PUBLICITY);
	assert_int_equal(tally_event_kind(lawsuit(&v, 1, at(2024, 3, 1), "c", ADMIN, FILED, 0)),
			 TALLY_LAWSUIT);
	assert_int_equal(tally_event_kind(enforcement(&v, 1, at(2024, 3, 1), PENALTY, STRAW, 1)),
			 TALLY_ENFORCEMENT);
	ev_base(&v, 1, at(2024, 3, 1), "");
	assert_int_equal(tally_event_kind(&v.e), TALLY_KIND_NONE);

	assert_true(tally_kind_has_cases(TALLY_DISPUTE));
	assert_true(tally_kind_has_cases(TALLY_PETITION));
	assert_true(tally_kind_has_cases(TALLY_LAWSUIT));
	assert_false(tally_kind_has_cases(TALLY_TRAINING));
	assert_false(tally_kind_has_cases(TALLY_PUBLICITY));
	assert_false(tally_kind_has_cases(TALLY_ENFORCEMENT));
	assert_false(tally_kind_has_cases(TALLY_RETRACTION));
	assert_false(tally_kind_has_cases(TALLY_KIND_NONE));
}

static void test_fact_from_event(void **state)
{
	(void)state;
	struct ev v;
	struct tally_fact f;

	/* 2023-12-31T16:30Z is 2024-01-01 in the township */
	Lawtally__V1__Event *e = dispute(&v, 0xC3, at_tz(2023, 12, 31, 16, 30, 0, 0), "ZL07",
					 "2024-001", LAND, RESOLVED);
	v.d.initiated = PROACTIVE;
	v.d.agreement_amount_fen = 1000000000000ULL;
	v.d.prevented_group_petition = 1;
	v.d.people = 120;
	f = fact(e);
	assert_memory_equal(f.id, v.id, 16);
	assert_int_equal(f.occurred_at, at_tz(2023, 12, 31, 16, 30, 0, 0));
	assert_int_equal(f.year, 2024);
	assert_int_equal(f.month, 1);
	assert_int_equal(f.kind, TALLY_DISPUTE);
	assert_int_equal(f.stage, RESOLVED);
	assert_int_equal(f.dim[0], LAND);
	assert_int_equal(f.dim[1], PROACTIVE);
	assert_int_equal(f.aux, 0);
	assert_int_equal(f.flags, FACT_PREVENTED_GROUP);
	assert_memory_equal(f.village, "ZL07\0\0\0\0", VILLAGE_CODE_MAX);
	assert_int_equal(f.amount, 1000000000000ULL);
	assert_int_equal(f.n[0], 120);
	assert_int_equal(f.n[1], 0);
	/* the same instant in UTC is still 2023 */
	assert_int_equal(tally_fact_from_event(e, 0, &f), 0);
	assert_int_equal(f.year, 2023);
	assert_int_equal(f.month, 12);

	v.d.prevented_criminal = 1;
	v.d.prevented_group_petition = 0;
	f = fact(e);
	assert_int_equal(f.flags, FACT_PREVENTED_CRIMINAL);

	e = petition(&v, 2, at(2024, 5, 6), "XF-1", PROVINCIAL, CONCLUDED);
	v.p.difficult = 1;
	v.p.joint_meeting = 1;
	f = fact(e);
	assert_int_equal(f.kind, TALLY_PETITION);
	assert_int_equal(f.stage, CONCLUDED);
	assert_int_equal(f.dim[0], PROVINCIAL);
	assert_int_equal(f.flags, FACT_DIFFICULT | FACT_JOINT_MEETING);
	assert_memory_equal(f.village, "\0\0\0\0\0\0\0\0", VILLAGE_CODE_MAX);
	assert_int_equal(f.year, 2024);
	assert_int_equal(f.month, 5);

	f = fact(training(&v, 3, at(2024, 7, 1), "ZL03", 35));
	assert_int_equal(f.kind, TALLY_TRAINING);
	assert_int_equal(f.n[0], 35);
	assert_int_equal(f.stage, 0);
	assert_memory_equal(f.village, "ZL03\0\0\0\0", VILLAGE_CODE_MAX);

	f = fact(publicity(&v, 4, at(2024, 8, 1), SCHOOL, 800, 95, 1));
	assert_int_equal(f.kind, TALLY_PUBLICITY);
	assert_int_equal(f.dim[0], SCHOOL);
	assert_int_equal(f.n[0], 800);
	assert_int_equal(f.n[1], 95);
	assert_int_equal(f.flags, FACT_ACTIVITY);
	f = fact(publicity(&v, 4, at(2024, 8, 1), SCHOOL, 800, 95, 0));
	assert_int_equal(f.flags, 0);

	f = fact(lawsuit(&v, 5, at(2024, 9, 1), "L-1", ENVCIVIL, JUDGED, LOST));
	assert_int_equal(f.kind, TALLY_LAWSUIT);
	assert_int_equal(f.stage, JUDGED);
	assert_int_equal(f.dim[0], ENVCIVIL);
	assert_int_equal(f.aux, LOST);

	f = fact(enforcement(&v, 6, at(2024, 10, 1), GUIDANCE, RURAL, 1));
	assert_int_equal(f.kind, TALLY_ENFORCEMENT);
	assert_int_equal(f.dim[0], GUIDANCE);
	assert_int_equal(f.dim[1], RURAL);
	assert_int_equal(f.flags, FACT_RECORDED);

	/* a retraction and an event without a body have no fact */
	ev_base(&v, 7, at(2024, 10, 1), "");
	v.r = (Lawtally__V1__Retraction)LAWTALLY__V1__RETRACTION__INIT;
	v.r.event_id.len = 16;
	v.r.event_id.data = v.id;
	v.r.reason = "typo";
	v.e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	v.e.retraction = &v.r;
	assert_int_equal(tally_fact_from_event(&v.e, TZ8, &f), LT_EINVAL);
	ev_base(&v, 8, at(2024, 10, 1), "");
	assert_int_equal(tally_fact_from_event(&v.e, TZ8, &f), LT_EINVAL);
}

/* --- the rules: disputes ----------------------------------------------- */

/* Registered, then resolved twice in the same year: one resolved case. */
static void test_dispute_distinct_cases_same_year(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, dispute(&v, 1, at(2024, 3, 1), "ZL07", "2024-001", LAND, REGISTERED));
	add(&g, dispute(&v, 2, at(2024, 3, 10), "ZL07", "2024-001", LAND, RESOLVED));
	add(&g, dispute(&v, 3, at(2024, 4, 2), "ZL07", "2024-001", LAND, RESOLVED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_REGISTERED, 2024, 3, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_RESOLVED, 2024, 3, "ZL07", LAND, 0, 1});
	tally_deltas_free(&ds);
}

/* A case resolved in December and again in January counts once in each year. */
static void test_dispute_resolved_two_years(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, dispute(&v, 1, at(2023, 11, 15), "ZL02", "A-9", NEIGHBOUR, REGISTERED));
	add(&g, dispute(&v, 2, at(2023, 12, 20), "ZL02", "A-9", NEIGHBOUR, RESOLVED));
	add(&g, dispute(&v, 3, at(2024, 1, 5), "ZL02", "A-9", NEIGHBOUR, RESOLVED));
	add(&g, dispute(&v, 4, at(2024, 2, 5), "ZL02", "A-9", NEIGHBOUR, RESOLVED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_REGISTERED, 2023, 11, "ZL02", NEIGHBOUR, 0, 1},
	       {M_DISPUTES_RESOLVED, 2023, 12, "ZL02", NEIGHBOUR, 0, 1},
	       {M_DISPUTES_RESOLVED, 2024, 1, "ZL02", NEIGHBOUR, 0, 1});
	tally_deltas_free(&ds);
}

/* The year boundary is the township's: 2023-12-31T16:00Z is already 2024. */
static void test_dispute_year_in_township_zone(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, dispute(&v, 1, at_tz(2023, 12, 31, 15, 59, 59, 0), "ZL07", "Y", LAND, RESOLVED));
	add(&g, dispute(&v, 2, at_tz(2023, 12, 31, 16, 0, 0, 0), "ZL07", "Y", LAND, RESOLVED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2023, 12, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_RESOLVED, 2024, 1, "ZL07", LAND, 0, 1});
	tally_deltas_free(&ds);
}

static void test_dispute_open_gauge(void **state)
{
	(void)state;
	struct ev v;
	struct tally_deltas ds = {0};
	static const int closing[] = {RESOLVED, ESCALATED, UNRESOLVED};
	static const int closing_metric[] = {M_DISPUTES_RESOLVED, M_DISPUTES_ESCALATED,
					     M_DISPUTES_UNRESOLVED};

	struct group g = {0};
	add(&g, dispute(&v, 1, at(2024, 3, 1), "ZL07", "O-1", LAND, REGISTERED));
	/* registered again by a second event: still one open case */
	add(&g, dispute(&v, 2, at(2024, 3, 5), "ZL07", "O-1", LAND, REGISTERED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_REGISTERED, 2024, 3, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_OPEN, 2024, 3, "ZL07", LAND, 0, 1});

	for (int i = 0; i < 3; i++) {
		struct group c = {0};
		add(&c, dispute(&v, 1, at(2024, 3, 1), "ZL07", "O-2", LAND, REGISTERED));
		add(&c, dispute(&v, 2, at(2024, 5, 1), "ZL07", "O-2", LAND, closing[i]));
		contrib(&c, &ds);
		EXPECT(&ds, {M_DISPUTES_REGISTERED, 2024, 3, "ZL07", LAND, 0, 1},
		       {closing_metric[i], 2024, 5, "ZL07", LAND, 0, 1});
	}

	/* resolved without being registered: never open */
	struct group r = {0};
	add(&r, dispute(&v, 1, at(2024, 6, 1), "ZL07", "O-3", LAND, RESOLVED));
	contrib(&r, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 6, "ZL07", LAND, 0, 1});
	tally_deltas_free(&ds);
}

/* The delta of resolving an open case: resolved +1, open -1. */
static void test_dispute_resolve_delta(void **state)
{
	(void)state;
	struct ev v;
	struct group before = {0}, after;
	struct tally_deltas ds = {0};
	add(&before, dispute(&v, 1, at(2024, 3, 1), "ZL07", "D-1", LAND, REGISTERED));
	after = before;
	dispute(&v, 2, at(2024, 4, 2), "ZL07", "D-1", LAND, RESOLVED);
	v.d.agreement_amount_fen = 250000;
	add(&after, &v.e);
	diff(&before, &after, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 4, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 4, "ZL07", LAND, 0, 250000},
	       {M_DISPUTES_OPEN, 2024, 3, "ZL07", LAND, 0, -1});
	tally_deltas_free(&ds);
}

/* Two resolved events of one case each carrying the amount: counted once. */
static void test_dispute_amount_once_per_case(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	dispute(&v, 1, at(2024, 3, 10), "ZL11", "M-5", LAND, RESOLVED);
	v.d.agreement_amount_fen = 999999999999ULL;
	add(&g, &v.e);
	dispute(&v, 2, at(2024, 3, 12), "ZL11", "M-5", LAND, RESOLVED);
	v.d.agreement_amount_fen = 999999999999ULL;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 3, "ZL11", LAND, 0, 1},
	       {M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL11", LAND, 0, 999999999999LL});

	/* two different cases with amounts: both summed */
	struct group h = {0};
	dispute(&v, 3, at(2024, 3, 20), "ZL11", "M-6", LAND, RESOLVED);
	v.d.agreement_amount_fen = 1;
	add(&h, &v.e);
	tally_deltas_reset(&ds);
	tally_contrib(g.f, g.n, 1, &ds);
	tally_contrib(h.f, h.n, 1, &ds);
	tally_deltas_merge(&ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 3, "ZL11", LAND, 0, 2},
	       {M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL11", LAND, 0, 1000000000000LL});
	tally_deltas_free(&ds);
}

static void test_dispute_prevented(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	dispute(&v, 1, at(2024, 5, 1), "ZL20", "P-1", NEIGHBOUR, REGISTERED);
	v.d.initiated = PROACTIVE;
	add(&g, &v.e);
	dispute(&v, 2, at(2024, 5, 3), "ZL20", "P-1", NEIGHBOUR, RESOLVED);
	v.d.initiated = PROACTIVE;
	v.d.prevented_criminal = 1;
	v.d.prevented_criminal_people = 4;
	v.d.prevented_group_petition = 1;
	v.d.people = 37;
	add(&g, &v.e);
	/* said again on a later event of the same case: not counted twice */
	dispute(&v, 3, at(2024, 6, 3), "ZL20", "P-1", NEIGHBOUR, RESOLVED);
	v.d.initiated = PROACTIVE;
	v.d.prevented_criminal = 1;
	v.d.prevented_criminal_people = 4;
	v.d.prevented_group_petition = 1;
	v.d.people = 37;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISPUTES_REGISTERED, 2024, 5, "ZL20", NEIGHBOUR, PROACTIVE, 1},
	       {M_DISPUTES_RESOLVED, 2024, 5, "ZL20", NEIGHBOUR, PROACTIVE, 1},
	       {M_DISPUTES_PREVENTED_CRIMINAL, 2024, 5, "ZL20", NEIGHBOUR, PROACTIVE, 1},
	       {M_DISPUTES_PREVENTED_GROUP_PETITION, 2024, 5, "ZL20", NEIGHBOUR, PROACTIVE, 1},
	       {M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE, 2024, 5, "ZL20", NEIGHBOUR,
		PROACTIVE, 37},
	       {M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE, 2024, 5, "ZL20", NEIGHBOUR, PROACTIVE, 4});

	/* prevented criminal alone feeds neither group metric */
	struct group c = {0};
	dispute(&v, 4, at(2024, 7, 1), "ZL20", "P-2", LAND, ESCALATED);
	v.d.prevented_criminal = 1;
	v.d.prevented_criminal_people = 2;
	add(&c, &v.e);
	contrib(&c, &ds);
	EXPECT(&ds, {M_DISPUTES_ESCALATED, 2024, 7, "ZL20", LAND, 0, 1},
	       {M_DISPUTES_PREVENTED_CRIMINAL, 2024, 7, "ZL20", LAND, 0, 1},
	       {M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE, 2024, 7, "ZL20", LAND, 0, 2});
	tally_deltas_free(&ds);
}

/* A late paper record that resolves earlier moves the case's month. */
static void test_dispute_late_event_reorders(void **state)
{
	(void)state;
	struct ev v;
	struct group before = {0}, after;
	struct tally_deltas ds = {0};
	add(&before, dispute(&v, 9, at(2024, 4, 2), "ZL07", "L-1", LAND, RESOLVED));
	after = before;
	add(&after, dispute(&v, 8, at(2024, 3, 10), "ZL07", "L-1", LAND, RESOLVED));
	assert_int_equal(after.f[0].month, 3);
	diff(&before, &after, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 3, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_RESOLVED, 2024, 4, "ZL07", LAND, 0, -1});
	tally_deltas_free(&ds);
}

/* --- retraction -------------------------------------------------------- */

static void test_retract_only_resolved(void **state)
{
	(void)state;
	struct ev v;
	struct group before = {0}, after;
	struct tally_deltas ds = {0};
	add(&before, dispute(&v, 1, at(2024, 3, 1), "ZL07", "R-1", LAND, REGISTERED));
	dispute(&v, 2, at(2024, 3, 10), "ZL07", "R-1", LAND, RESOLVED);
	v.d.agreement_amount_fen = 50000;
	add(&before, &v.e);
	after = before;
	assert_int_equal(tally_facts_remove(after.f, &after.n, v.id), 0);
	assert_int_equal(after.n, 1);
	diff(&before, &after, &ds);
	EXPECT(&ds, {M_DISPUTES_RESOLVED, 2024, 3, "ZL07", LAND, 0, -1},
	       {M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL07", LAND, 0, -50000},
	       {M_DISPUTES_OPEN, 2024, 3, "ZL07", LAND, 0, 1});
	/* and the result equals a recount of what is left */
	struct tally_deltas re = {0};
	contrib(&after, &re);
	EXPECT(&re, {M_DISPUTES_REGISTERED, 2024, 3, "ZL07", LAND, 0, 1},
	       {M_DISPUTES_OPEN, 2024, 3, "ZL07", LAND, 0, 1});
	/* retracting the last fact takes the whole case away */
	struct group none = {0};
	diff(&after, &none, &ds);
	EXPECT(&ds, {M_DISPUTES_REGISTERED, 2024, 3, "ZL07", LAND, 0, -1},
	       {M_DISPUTES_OPEN, 2024, 3, "ZL07", LAND, 0, -1});
	tally_deltas_free(&re);
	tally_deltas_free(&ds);
}

static void test_retract_one_of_two_resolved(void **state)
{
	(void)state;
	struct ev v;
	struct group before = {0}, after;
	struct tally_deltas ds = {0};
	uint8_t first[16], second[16];
	add(&before, dispute(&v, 1, at(2024, 3, 1), "ZL07", "R-2", LAND, REGISTERED));
	dispute(&v, 2, at(2024, 3, 10), "ZL07", "R-2", LAND, RESOLVED);
	v.d.agreement_amount_fen = 50000;
	add(&before, &v.e);
	memcpy(first, v.id, 16);
	dispute(&v, 3, at(2024, 3, 20), "ZL07", "R-2", LAND, RESOLVED);
	v.d.agreement_amount_fen = 50000;
	add(&before, &v.e);
	memcpy(second, v.id, 16);

	after = before;
	assert_int_equal(tally_facts_remove(after.f, &after.n, second), 0);
	diff(&before, &after, &ds);
	EXPECT_NONE(&ds);

	after = before;
	assert_int_equal(tally_facts_remove(after.f, &after.n, first), 0);
	diff(&before, &after, &ds);
	EXPECT_NONE(&ds);
	tally_deltas_free(&ds);
}

/* sign -1 gives exactly the negated contribution. */
static void test_contrib_sign(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, training(&v, 1, at(2024, 2, 2), "ZL03", 40));
	tally_contrib(g.f, g.n, -1, &ds);
	tally_deltas_merge(&ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 2, "ZL03", 0, 0, -1},
	       {M_TRAININGS_ATTENDEES, 2024, 2, "ZL03", 0, 0, -40});
	tally_deltas_reset(&ds);
	tally_contrib(g.f, 0, 1, &ds);
	assert_int_equal(ds.n, 0);
	tally_deltas_free(&ds);
}

/* --- the rules: petitions, lawsuits ------------------------------------ */

static void test_petitions(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, petition(&v, 1, at(2024, 2, 1), "XF-7", HIGHER, RECEIVED));
	add(&g, petition(&v, 2, at(2024, 2, 3), "XF-7", HIGHER, RECEIVED)); /* resent */
	petition(&v, 3, at(2024, 5, 6), "XF-7", HIGHER, CONCLUDED);
	v.p.difficult = 1;
	v.p.joint_meeting = 1;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_PETITIONS_RECEIVED, 2024, 2, "", HIGHER, 0, 1},
	       {M_PETITIONS_CONCLUDED, 2024, 5, "", HIGHER, 0, 1},
	       {M_PETITIONS_DIFFICULT_RESOLVED, 2024, 5, "", HIGHER, 0, 1});

	/* a township case received in one year, concluded in the next */
	struct group t = {0};
	add(&t, petition(&v, 4, at(2023, 12, 28), "ZF-1", TOWNSHIP, RECEIVED));
	add(&t, petition(&v, 5, at(2024, 1, 8), "ZF-1", TOWNSHIP, CONCLUDED));
	contrib(&t, &ds);
	EXPECT(&ds, {M_PETITIONS_RECEIVED, 2023, 12, "", TOWNSHIP, 0, 1},
	       {M_PETITIONS_CONCLUDED, 2024, 1, "", TOWNSHIP, 0, 1});
	tally_deltas_free(&ds);
}

/* difficult_resolved needs difficult and joint_meeting on the concluded event. */
static void test_petition_difficult_resolved(void **state)
{
	(void)state;
	static const struct {
		int received_difficult, difficult, joint, stage, want;
	} rows[] = {
		{0, 1, 1, CONCLUDED, 1},
		{0, 1, 0, CONCLUDED, 0},
		{0, 0, 1, CONCLUDED, 0},
		{1, 0, 1, CONCLUDED, 0},
		{0, 1, 1, RECEIVED, 0},
	};
	struct tally_deltas ds = {0};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ev v;
		struct group g = {0};
		petition(&v, 1, at(2024, 3, 1), "YN-1", PROVINCIAL, RECEIVED);
		v.p.difficult = rows[i].received_difficult;
		add(&g, &v.e);
		petition(&v, 2, at(2024, 6, 1), "YN-1", PROVINCIAL, rows[i].stage);
		v.p.difficult = rows[i].difficult;
		v.p.joint_meeting = rows[i].joint;
		add(&g, &v.e);
		contrib(&g, &ds);
		int64_t got = 0;
		for (size_t j = 0; j < ds.n; j++)
			if (ds.d[j].key.metric == M_PETITIONS_DIFFICULT_RESOLVED) {
				assert_int_equal(ds.d[j].key.month, 6);
				assert_int_equal(ds.d[j].key.dim[0], PROVINCIAL);
				got += ds.d[j].value;
			}
		if (got != rows[i].want)
			fail_msg("row %zu: want %d, got %lld", i, rows[i].want, (long long)got);
	}
	tally_deltas_free(&ds);
}

static void test_lawsuits(void **state)
{
	(void)state;
	struct ev v;
	struct tally_deltas ds = {0};

	struct group a = {0};
	add(&a, lawsuit(&v, 1, at(2024, 3, 5), "(2024)行初12号", ADMIN, FILED, 0));
	add(&a, lawsuit(&v, 2, at(2024, 3, 6), "(2024)行初12号", ADMIN, FILED, 0));
	add(&a, lawsuit(&v, 3, at(2024, 9, 1), "(2024)行初12号", ADMIN, JUDGED, LOST));
	contrib(&a, &ds);
	EXPECT(&ds, {M_LAWSUITS_FILED, 2024, 3, "", ADMIN, 0, 1},
	       {M_LAWSUITS_LOST, 2024, 9, "", ADMIN, 0, 1});

	struct group b = {0};
	add(&b, lawsuit(&v, 4, at(2024, 4, 5), "E-3", ENVCIVIL, FILED, 0));
	add(&b, lawsuit(&v, 5, at(2024, 10, 1), "E-3", ENVCIVIL, JUDGED, WON));
	contrib(&b, &ds);
	EXPECT(&ds, {M_LAWSUITS_FILED, 2024, 4, "", ENVCIVIL, 0, 1});

	struct group c = {0};
	add(&c, lawsuit(&v, 6, at(2024, 11, 1), "E-4", ENVCIVIL, JUDGED, SETTLED));
	contrib(&c, &ds);
	EXPECT_NONE(&ds);
	tally_deltas_free(&ds);
}

/* --- the rules: kinds without cases ------------------------------------ */

static void test_trainings(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	/* no audience stated: the mediators' training it always was */
	add(&g, training(&v, 1, at(2024, 4, 9), "ZL03", 35));
	contrib(&g, &ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 4, "ZL03", 0, 0, 1},
	       {M_TRAININGS_ATTENDEES, 2024, 4, "ZL03", 0, 0, 35});
	g.n = 0;
	add(&g, training(&v, 2, at(2024, 4, 9), "ZL03", 0));
	contrib(&g, &ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 4, "ZL03", 0, 0, 1});
	/* every event is its own session, even on the same day; stated or not,
	 * a mediators' training keys the same totals */
	training(&v, 3, at(2024, 4, 9), "ZL03", 10000);
	v.t.audience = MEDIATORS;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 4, "ZL03", 0, 0, 2},
	       {M_TRAININGS_ATTENDEES, 2024, 4, "ZL03", 0, 0, 10000});
	tally_deltas_free(&ds);
}

/* Trainings of other audiences count in trainings.others, never in the
 * mediators' "培训N次" (nor a mediators' training in trainings.others). */
static void test_training_audiences(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	training(&v, 1, at(2024, 9, 3), "", 18);
	v.t.audience = CORRECTION;
	v.t.trainer = "公职律师蔺文龙";
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_TRAININGS_OTHERS, 2024, 9, "", CORRECTION, 0, 1},
	       {M_TRAININGS_OTHERS_ATTENDEES, 2024, 9, "", CORRECTION, 0, 18});
	g.n = 0;
	training(&v, 2, at(2024, 9, 4), "ZL05", 12);
	v.t.audience = VCADRES;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_TRAININGS_OTHERS, 2024, 9, "ZL05", VCADRES, 0, 1},
	       {M_TRAININGS_OTHERS_ATTENDEES, 2024, 9, "ZL05", VCADRES, 0, 12});
	tally_deltas_free(&ds);
}

/* The law a publicity activity covered is its second dimension. */
static void test_publicity_law(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	publicity(&v, 1, at(2024, 3, 15), VILLAGE_VENUE, 300, 20, 1);
	v.pub.law = CIVIL_CODE;
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_PUBLICITY_ACTIVITIES, 2024, 3, "", VILLAGE_VENUE, CIVIL_CODE, 1},
	       {M_PUBLICITY_MATERIALS, 2024, 3, "", VILLAGE_VENUE, CIVIL_CODE, 300},
	       {M_PUBLICITY_CONSULTATIONS, 2024, 3, "", VILLAGE_VENUE, CIVIL_CODE, 20});
	tally_deltas_free(&ds);
}

/* A document counts once a year at each step; re-sending a step adds nothing. */
static void test_documents(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, document(&v, 1, at(2024, 2, 1), "张政〔2024〕1号", DRAFTED));
	add(&g, document(&v, 2, at(2024, 2, 5), "张政〔2024〕1号", DOC_REVIEWED));
	add(&g, document(&v, 3, at(2024, 2, 8), "张政〔2024〕1号", DOC_REGISTERED));
	add(&g, document(&v, 4, at(2024, 3, 1), "张政〔2024〕1号", DOC_FILED));
	add(&g, document(&v, 5, at(2024, 3, 2), "张政〔2024〕1号", DOC_FILED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DOCUMENTS_DRAFTED, 2024, 2, "", 0, 0, 1},
	       {M_DOCUMENTS_REVIEWED, 2024, 2, "", 0, 0, 1},
	       {M_DOCUMENTS_REGISTERED, 2024, 2, "", 0, 0, 1},
	       {M_DOCUMENTS_FILED, 2024, 3, "", 0, 0, 1});
	tally_deltas_free(&ds);
}

/* Every decision counts; its legal review, hearing and consultation too. */
static void test_decisions(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, decision(&v, 1, at(2024, 5, 20), PROJECT, 1, 1, 1, 1));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DECISIONS_MADE, 2024, 5, "", PROJECT, 0, 1},
	       {M_DECISIONS_COLLECTIVE, 2024, 5, "", PROJECT, 0, 1},
	       {M_DECISIONS_LEGAL_REVIEWED, 2024, 5, "", PROJECT, 0, 1},
	       {M_DECISIONS_HEARINGS, 2024, 5, "", PROJECT, 0, 1},
	       {M_DECISIONS_CONSULTED, 2024, 5, "", PROJECT, 0, 1});
	g.n = 0;
	add(&g, decision(&v, 2, at(2024, 6, 1), FUNDS, 1, 0, 0, 0));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DECISIONS_MADE, 2024, 6, "", FUNDS, 0, 1},
	       {M_DECISIONS_COLLECTIVE, 2024, 6, "", FUNDS, 0, 1});
	tally_deltas_free(&ds);
}

static void test_opinions_disclosures(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, opinion(&v, 1, at(2024, 7, 1), LAWYER, CONTRACT));
	contrib(&g, &ds);
	EXPECT(&ds, {M_OPINIONS_GIVEN, 2024, 7, "", CONTRACT, LAWYER, 1});
	g.n = 0;
	add(&g, disclosure(&v, 2, at(2024, 7, 2), RESULT, BOARD, 6));
	contrib(&g, &ds);
	EXPECT(&ds, {M_DISCLOSURES_RELEASES, 2024, 7, "", RESULT, BOARD, 1},
	       {M_DISCLOSURES_ITEMS, 2024, 7, "", RESULT, BOARD, 6});
	tally_deltas_free(&ds);
}

/* A finding counts when received and again when rectified, once each a year. */
static void test_supervision(void **state)
{
	(void)state;
	struct ev v;
	struct group before = {0}, g = {0};
	struct tally_deltas ds = {0};
	add(&g, supervision(&v, 1, at(2024, 4, 1), "ZG-1", DEPUTIES, SUP_RECEIVED));
	add(&g, supervision(&v, 2, at(2024, 4, 3), "ZG-1", DEPUTIES, SUP_RECEIVED));
	contrib(&g, &ds);
	EXPECT(&ds, {M_SUPERVISION_FINDINGS, 2024, 4, "", DEPUTIES, 0, 1});
	before = g;
	add(&g, supervision(&v, 3, at(2024, 6, 30), "ZG-1", DEPUTIES, SUP_RECTIFIED));
	diff(&before, &g, &ds);
	EXPECT(&ds, {M_SUPERVISION_RECTIFIED, 2024, 6, "", DEPUTIES, 0, 1});
	tally_deltas_free(&ds);
}

/* A person counts once a year in the team and once as a certificate holder. */
static void test_enforcement_staff(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, staff(&v, 1, at(2024, 1, 5), "ZF-1", 1, 1));
	add(&g, staff(&v, 2, at(2024, 7, 5), "ZF-1", 1, 1)); /* the roster sent again */
	add(&g, staff(&v, 3, at(2025, 1, 5), "ZF-1", 1, 0)); /* left the team */
	contrib(&g, &ds);
	EXPECT(&ds, {M_ENFORCEMENT_TEAM, 2024, 1, "", 0, 0, 1},
	       {M_ENFORCEMENT_CERTIFIED, 2024, 1, "", 0, 0, 1},
	       {M_ENFORCEMENT_CERTIFIED, 2025, 1, "", 0, 0, 1});
	tally_deltas_free(&ds);
}

static void test_tasks(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, task(&v, 1, at(2024, 1, 10), "RW-1", GROUP, PLANNED));
	add(&g, task(&v, 2, at(2024, 3, 10), "RW-1", GROUP, DONE));
	add(&g, task(&v, 3, at(2024, 3, 11), "RW-1", GROUP, DONE));
	contrib(&g, &ds);
	EXPECT(&ds, {M_TASKS_PLANNED, 2024, 1, "", GROUP, 0, 1},
	       {M_TASKS_DONE, 2024, 3, "", GROUP, 0, 1});
	tally_deltas_free(&ds);
}

/* The new kinds with a case are grouped by it; their case keys differ by kind. */
static void test_new_case_kinds(void **state)
{
	(void)state;
	assert_true(tally_kind_has_cases(TALLY_DOCUMENT));
	assert_true(tally_kind_has_cases(TALLY_SUPERVISION));
	assert_true(tally_kind_has_cases(TALLY_STAFF));
	assert_true(tally_kind_has_cases(TALLY_TASK));
	assert_false(tally_kind_has_cases(TALLY_DECISION));
	assert_false(tally_kind_has_cases(TALLY_OPINION));
	assert_false(tally_kind_has_cases(TALLY_DISCLOSURE));
	struct ev v;
	uint8_t k1[TALLY_CASE_KEY_MAX], k2[TALLY_CASE_KEY_MAX];
	size_t n1 = tally_case_key(task(&v, 1, at(2024, 1, 1), "X-1", GROUP, DONE), k1);
	size_t n2 = tally_case_key(supervision(&v, 1, at(2024, 1, 1), "X-1", DEPUTIES, SUP_RECEIVED), k2);
	assert_int_equal(n1, 1 + VILLAGE_CODE_MAX + 3);
	assert_int_equal(n2, n1);
	assert_int_equal(k1[0], TALLY_TASK);
	assert_int_equal(k2[0], TALLY_SUPERVISION);
	assert_memory_equal(k1 + 1 + VILLAGE_CODE_MAX, "X-1", 3);
	assert_memory_equal(k2 + 1 + VILLAGE_CODE_MAX, "X-1", 3);
}

static void test_publicity(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, publicity(&v, 1, at(2024, 12, 4), SCHOOL, 800, 95, 1));
	contrib(&g, &ds);
	EXPECT(&ds, {M_PUBLICITY_ACTIVITIES, 2024, 12, "", SCHOOL, 0, 1},
	       {M_PUBLICITY_MATERIALS, 2024, 12, "", SCHOOL, 0, 800},
	       {M_PUBLICITY_CONSULTATIONS, 2024, 12, "", SCHOOL, 0, 95});
	/* a desk day is not an activity but its figures count */
	g.n = 0;
	add(&g, publicity(&v, 2, at(2024, 6, 1), VILLAGE_VENUE, 1000000, 100000, 0));
	contrib(&g, &ds);
	EXPECT(&ds, {M_PUBLICITY_MATERIALS, 2024, 6, "", VILLAGE_VENUE, 0, 1000000},
	       {M_PUBLICITY_CONSULTATIONS, 2024, 6, "", VILLAGE_VENUE, 0, 100000});
	g.n = 0;
	add(&g, publicity(&v, 3, at(2024, 6, 1), VILLAGE_VENUE, 0, 0, 1));
	contrib(&g, &ds);
	EXPECT(&ds, {M_PUBLICITY_ACTIVITIES, 2024, 6, "", VILLAGE_VENUE, 0, 1});
	tally_deltas_free(&ds);
}

static void test_enforcement(void **state)
{
	(void)state;
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, enforcement(&v, 1, at(2024, 6, 15), PENALTY, STRAW, 1));
	contrib(&g, &ds);
	EXPECT(&ds, {M_ENFORCEMENT_ACTIONS, 2024, 6, "", PENALTY, STRAW, 1},
	       {M_ENFORCEMENT_RECORDED, 2024, 6, "", PENALTY, STRAW, 1});
	g.n = 0;
	add(&g, enforcement(&v, 2, at(2024, 6, 16), GUIDANCE, RURAL, 0));
	contrib(&g, &ds);
	EXPECT(&ds, {M_ENFORCEMENT_ACTIONS, 2024, 6, "", GUIDANCE, RURAL, 1});
	/* an action in a village keeps the village */
	g.n = 0;
	enforcement(&v, 3, at(2024, 6, 17), PENALTY, STRAW, 1);
	v.e.village = "ZL09";
	add(&g, &v.e);
	contrib(&g, &ds);
	EXPECT(&ds, {M_ENFORCEMENT_ACTIONS, 2024, 6, "ZL09", PENALTY, STRAW, 1},
	       {M_ENFORCEMENT_RECORDED, 2024, 6, "ZL09", PENALTY, STRAW, 1});
	tally_deltas_free(&ds);
}

/* One rich event of each kind reaches every metric, each rule at least once. */
static void test_every_metric_fed(void **state)
{
	(void)state;
	struct ev v;
	struct tally_deltas ds = {0};
	int seen[M_COUNT] = {0};
	struct group g;

	g.n = 0;
	add(&g, dispute(&v, 1, at(2024, 1, 1), "ZL01", "A", LAND, REGISTERED));
	add(&g, dispute(&v, 2, at(2024, 1, 2), "ZL01", "A", LAND, ESCALATED));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, dispute(&v, 3, at(2024, 1, 1), "ZL01", "B", LAND, REGISTERED));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, dispute(&v, 4, at(2024, 1, 1), "ZL01", "C", LAND, UNRESOLVED));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	dispute(&v, 5, at(2024, 1, 1), "ZL01", "D", LAND, RESOLVED);
	v.d.agreement_amount_fen = 7;
	v.d.prevented_criminal = v.d.prevented_group_petition = 1;
	v.d.people = 3;
	v.d.prevented_criminal_people = 2;
	add(&g, &v.e);
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, petition(&v, 6, at(2024, 1, 1), "P", HIGHER, RECEIVED));
	petition(&v, 7, at(2024, 1, 2), "P", HIGHER, CONCLUDED);
	v.p.difficult = v.p.joint_meeting = 1;
	add(&g, &v.e);
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, lawsuit(&v, 8, at(2024, 1, 1), "L", ADMIN, FILED, 0));
	add(&g, lawsuit(&v, 9, at(2024, 1, 2), "L", ADMIN, JUDGED, LOST));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, training(&v, 10, at(2024, 1, 1), "ZL01", 5));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	training(&v, 25, at(2024, 1, 1), "", 7);
	v.t.audience = CORRECTION;
	add(&g, &v.e);
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, publicity(&v, 11, at(2024, 1, 1), SCHOOL, 5, 5, 1));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, enforcement(&v, 12, at(2024, 1, 1), PENALTY, STRAW, 1));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, document(&v, 13, at(2024, 1, 1), "D", DRAFTED));
	add(&g, document(&v, 14, at(2024, 1, 2), "D", DOC_REGISTERED));
	add(&g, document(&v, 15, at(2024, 1, 3), "D", DOC_FILED));
	add(&g, document(&v, 16, at(2024, 1, 4), "D", DOC_REVIEWED));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, decision(&v, 17, at(2024, 1, 1), PROJECT, 1, 1, 1, 1));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, opinion(&v, 18, at(2024, 1, 1), ADVISER, CONTRACT));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, disclosure(&v, 19, at(2024, 1, 1), RESULT, WEBSITE, 2));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, supervision(&v, 20, at(2024, 1, 1), "S", DEPUTIES, SUP_RECEIVED));
	add(&g, supervision(&v, 21, at(2024, 1, 2), "S", DEPUTIES, SUP_RECTIFIED));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, staff(&v, 22, at(2024, 1, 1), "Z", 1, 1));
	tally_contrib(g.f, g.n, 1, &ds);
	g.n = 0;
	add(&g, task(&v, 23, at(2024, 1, 1), "T", GROUP, PLANNED));
	add(&g, task(&v, 24, at(2024, 1, 2), "T", GROUP, DONE));
	tally_contrib(g.f, g.n, 1, &ds);

	tally_deltas_merge(&ds);
	for (size_t i = 0; i < ds.n; i++) {
		assert_true(ds.d[i].key.metric < M_COUNT);
		assert_int_equal(ds.d[i].key.year, 2024);
		assert_int_equal(ds.d[i].key.month, 1);
		seen[ds.d[i].key.metric] = 1;
	}
	for (int m = 0; m < M_COUNT; m++)
		if (!seen[m])
			fail_msg("metric %s never fed", tally_metric((enum tally_metric)m)->name);
	tally_deltas_free(&ds);
}

/* --- deltas ------------------------------------------------------------ */

static void test_deltas_merge(void **state)
{
	(void)state;
	static const struct {
		struct tally_key k;
		int64_t v;
	} in[] = {
		{{M_TRAININGS_SESSIONS, 2024, 3, "ZL02", {0, 0}}, 2},
		{{M_DISPUTES_RESOLVED, 2024, 3, "ZL07", {7, 0}}, 5},
		{{M_TRAININGS_SESSIONS, 2024, 3, "ZL02", {0, 0}}, 3},
		{{M_DISPUTES_OPEN, 2024, 3, "ZL07", {7, 0}}, 1},
		{{M_TRAININGS_SESSIONS, 2024, 3, "ZL02", {0, 0}}, -1},
		{{M_DISPUTES_OPEN, 2024, 3, "ZL07", {7, 0}}, -1},
		{{M_DISPUTES_RESOLVED, 2023, 3, "ZL07", {7, 0}}, -4},
		{{M_DISPUTES_RESOLVED, 2024, 3, "ZL07", {7, 1}}, 6},
		{{M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL07", {7, 0}}, 1000000000000LL},
		{{M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL07", {7, 0}}, 1000000000000LL},
	};
	size_t n = sizeof(in) / sizeof(in[0]);
	struct tally_deltas ds = {0};
	ds.d = malloc(n * sizeof(*ds.d));
	assert_non_null(ds.d);
	ds.n = ds.cap = n;
	for (size_t i = 0; i < n; i++) {
		ds.d[i].key = in[i].k;
		ds.d[i].value = in[i].v;
	}
	tally_deltas_merge(&ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 3, "ZL02", 0, 0, 4},
	       {M_DISPUTES_RESOLVED, 2024, 3, "ZL07", 7, 0, 5},
	       {M_DISPUTES_RESOLVED, 2024, 3, "ZL07", 7, 1, 6},
	       {M_DISPUTES_RESOLVED, 2023, 3, "ZL07", 7, 0, -4},
	       {M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL07", 7, 0, 2000000000000LL});
	/* sorted by encoded key */
	for (size_t i = 1; i < ds.n; i++) {
		uint8_t a[TALLY_KEY_LEN], b[TALLY_KEY_LEN];
		tally_key_encode(&ds.d[i - 1].key, a);
		tally_key_encode(&ds.d[i].key, b);
		assert_true(memcmp(a, b, TALLY_KEY_LEN) < 0);
	}
	assert_int_equal(ds.d[0].key.metric, M_DISPUTES_RESOLVED);
	assert_int_equal(ds.d[0].key.year, 2023);

	/* everything cancelling leaves nothing; merging nothing is fine */
	ds.n = 2;
	ds.d[0].key = in[3].k;
	ds.d[0].value = 9;
	ds.d[1].key = in[3].k;
	ds.d[1].value = -9;
	tally_deltas_merge(&ds);
	assert_int_equal(ds.n, 0);
	tally_deltas_merge(&ds);
	assert_int_equal(ds.n, 0);
	tally_deltas_free(&ds);
	assert_null(ds.d);
	assert_int_equal(ds.n, 0);
	assert_int_equal(ds.cap, 0);
}

/* Many deltas over few keys: every key once, in encoded order, with its sum. */
static void test_deltas_merge_many(void **state)
{
	(void)state;
	enum { N = 5000, METRICS = 4, VILLAGES = 3, MONTHS = 12 };
	static int64_t want[METRICS][VILLAGES][MONTHS][2];
	memset(want, 0, sizeof(want));
	struct tally_deltas ds = {0};
	ds.d = malloc(N * sizeof(*ds.d));
	assert_non_null(ds.d);
	ds.n = ds.cap = N;
	uint32_t x = 12345;
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		unsigned m = (x >> 8) % METRICS, v = (x >> 12) % VILLAGES, mo = (x >> 16) % MONTHS,
			 d = (x >> 20) % 2;
		int64_t val = (int64_t)((x >> 24) % 7) - 3; /* zeros and cancelling sums too */
		struct tally_key k = {.metric = (uint8_t)(m * 5), .year = (uint16_t)(2023 + v % 2),
				      .month = (uint8_t)(mo + 1), .dim = {(uint8_t)d, 0}};
		k.village[0] = 'Z', k.village[1] = 'L', k.village[2] = (char)('1' + v);
		ds.d[i].key = k;
		ds.d[i].value = val;
		want[m][v][mo][d] += val;
	}
	tally_deltas_merge(&ds);
	size_t nonzero = 0;
	for (unsigned m = 0; m < METRICS; m++)
		for (unsigned v = 0; v < VILLAGES; v++)
			for (unsigned mo = 0; mo < MONTHS; mo++)
				for (unsigned d = 0; d < 2; d++)
					nonzero += want[m][v][mo][d] != 0;
	assert_int_equal(ds.n, nonzero);
	for (size_t i = 0; i < ds.n; i++) {
		const struct tally_key *k = &ds.d[i].key;
		unsigned m = k->metric / 5, v = (unsigned)(k->village[2] - '1');
		assert_int_equal(k->year, 2023 + v % 2);
		assert_int_equal(ds.d[i].value, want[m][v][k->month - 1][k->dim[0]]);
		if (i > 0) {
			uint8_t a[TALLY_KEY_LEN], b[TALLY_KEY_LEN];
			tally_key_encode(&ds.d[i - 1].key, a);
			tally_key_encode(&ds.d[i].key, b);
			assert_true(memcmp(a, b, TALLY_KEY_LEN) < 0);
		}
	}
	tally_deltas_free(&ds);
}

/*
 * Many deltas: changes to a key already listed are summed into its entry
 * as they come (the list holds distinct keys), and the list and its index
 * grow past their first capacity without loss, also after a merge and a
 * reset.
 */
static void test_deltas_grow(void **state)
{
	(void)state;
	enum { VILLAGES = 300 };
	struct ev v;
	struct group g = {0};
	struct tally_deltas ds = {0};
	add(&g, training(&v, 1, at(2024, 2, 2), "ZL03", 40));
	for (int i = 0; i < 500; i++)
		tally_contrib(g.f, g.n, 1, &ds);
	assert_int_equal(ds.n, 2);
	tally_deltas_merge(&ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 2, "ZL03", 0, 0, 500},
	       {M_TRAININGS_ATTENDEES, 2024, 2, "ZL03", 0, 0, 20000});
	/* after the merge: more changes to its keys and to many new ones */
	tally_contrib(g.f, g.n, -1, &ds);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < VILLAGES; i++) {
			char code[8];
			struct group h = {0};
			snprintf(code, sizeof(code), "V%03d", i);
			add(&h, training(&v, 2, at(2024, 3, 1), code, (uint32_t)i + 1));
			tally_contrib(h.f, h.n, 1, &ds);
		}
	}
	assert_int_equal(ds.n, 2 + 2 * VILLAGES);
	assert_true(ds.cap >= 2 + 2 * VILLAGES);
	tally_deltas_merge(&ds);
	assert_int_equal(ds.n, 2 + 2 * VILLAGES);
	for (size_t i = 0; i < ds.n; i++) {
		const struct tally_delta *d = &ds.d[i];
		int sessions = d->key.metric == M_TRAININGS_SESSIONS;
		if (d->key.village[0] == 'Z') {
			assert_int_equal(d->value, sessions ? 499 : 19960);
			continue;
		}
		int vi = atoi(d->key.village + 1);
		assert_int_equal(d->key.month, 3);
		assert_int_equal(d->value, sessions ? 3 : 3 * (vi + 1));
	}
	tally_deltas_reset(&ds);
	assert_int_equal(ds.n, 0);
	tally_contrib(g.f, g.n, 1, &ds);
	tally_contrib(g.f, g.n, 1, &ds);
	tally_deltas_merge(&ds);
	EXPECT(&ds, {M_TRAININGS_SESSIONS, 2024, 2, "ZL03", 0, 0, 2},
	       {M_TRAININGS_ATTENDEES, 2024, 2, "ZL03", 0, 0, 80});
	tally_deltas_free(&ds);
}

/* --- case records ------------------------------------------------------ */

/* A fact with every field set to a distinct, wide value. */
static struct tally_fact full_fact(uint8_t tag)
{
	struct tally_fact f;
	memset(&f, 0, sizeof(f));
	for (int i = 0; i < 16; i++)
		f.id[i] = (uint8_t)(tag + 17 * i);
	f.occurred_at = -1234567890123LL + tag;
	f.year = 0xBEEF;
	f.month = 12;
	f.kind = TALLY_DISPUTE;
	f.stage = 0xA1;
	f.dim[0] = 0xB2;
	f.dim[1] = 0xC3;
	f.aux = 0xD4;
	f.flags = 0xE5;
	memcpy(f.village, "ABCDEFGH", VILLAGE_CODE_MAX);
	f.amount = 0xFEDCBA9876543210ULL;
	f.n[0] = 0xFFFFFFFFu;
	f.n[1] = 0x89ABCDEFu;
	return f;
}

static void assert_fact_equal(const struct tally_fact *a, const struct tally_fact *b)
{
	assert_memory_equal(a->id, b->id, 16);
	assert_int_equal(a->occurred_at, b->occurred_at);
	assert_int_equal(a->year, b->year);
	assert_int_equal(a->month, b->month);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->stage, b->stage);
	assert_int_equal(a->dim[0], b->dim[0]);
	assert_int_equal(a->dim[1], b->dim[1]);
	assert_int_equal(a->aux, b->aux);
	assert_int_equal(a->flags, b->flags);
	assert_memory_equal(a->village, b->village, VILLAGE_CODE_MAX);
	assert_int_equal(a->amount, b->amount);
	assert_int_equal(a->n[0], b->n[0]);
	assert_int_equal(a->n[1], b->n[1]);
}

static void test_facts_roundtrip(void **state)
{
	(void)state;
	struct ev v;
	struct tally_fact in[4], out[TALLY_CASE_FACTS_MAX];
	in[0] = full_fact(1);
	in[1] = full_fact(2);
	in[1].amount = 1000000000000ULL;
	in[1].occurred_at = INT64_MAX;
	in[2] = fact(publicity(&v, 3, at(2024, 12, 4), SCHOOL, 1000000, 100000, 1));
	dispute(&v, 4, at(2024, 3, 10), "ZL07", "2024-001", LAND, RESOLVED);
	v.d.agreement_amount_fen = 123456789012ULL;
	in[3] = fact(&v.e);

	assert_int_equal(tally_facts_encoded_len(0), 0);
	assert_int_equal(tally_facts_encoded_len(4), 4 * TALLY_FACT_LEN);
	uint8_t buf[4 * TALLY_FACT_LEN];
	tally_facts_encode(in, 4, buf);
	size_t n = 99;
	assert_int_equal(tally_facts_decode(buf, sizeof(buf), out, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_fact_equal(&out[i], &in[i]);

	/* the documented little-endian layout of one record */
	tally_facts_encode(in, 1, buf);
	assert_memory_equal(buf, in[0].id, 16);
	const uint8_t t[8] = {0x36, 0xFB, 0x04, 0x8E, 0xE0, 0xFE, 0xFF, 0xFF};
	assert_memory_equal(buf + 16, t, 8); /* -1234567890123 + 1 */
	assert_int_equal(buf[24], 0xEF);
	assert_int_equal(buf[25], 0xBE);
	const uint8_t mid[7] = {12, TALLY_DISPUTE, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5};
	assert_memory_equal(buf + 26, mid, 7);
	assert_memory_equal(buf + 33, "ABCDEFGH", 8);
	const uint8_t amount[8] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE};
	assert_memory_equal(buf + 41, amount, 8);
	const uint8_t n01[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xCD, 0xAB, 0x89};
	assert_memory_equal(buf + 49, n01, 8);

	/* an empty record is an empty case */
	n = 99;
	assert_int_equal(tally_facts_decode(buf, 0, out, &n), 0);
	assert_int_equal(n, 0);
}

static void test_facts_decode_bad_length(void **state)
{
	(void)state;
	size_t max = tally_facts_encoded_len(TALLY_CASE_FACTS_MAX + 1);
	uint8_t *buf = calloc(1, max);
	assert_non_null(buf);
	struct tally_fact out[TALLY_CASE_FACTS_MAX];
	size_t n = 0;
	static const size_t bad[] = {1, TALLY_FACT_LEN - 1, TALLY_FACT_LEN + 1,
				     2 * TALLY_FACT_LEN - 1, 64 * TALLY_FACT_LEN + 1,
				     65 * TALLY_FACT_LEN};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tally_facts_decode(buf, bad[i], out, &n) != LT_ECORRUPT)
			fail_msg("length %zu not reported corrupt", bad[i]);
	assert_int_equal(tally_facts_decode(buf, 64 * TALLY_FACT_LEN, out, &n), 0);
	assert_int_equal(n, 64);
	free(buf);
}

static void test_fact_cmp(void **state)
{
	(void)state;
	struct tally_fact a = full_fact(1), b = full_fact(1);
	assert_int_equal(tally_fact_cmp(&a, &b), 0);
	b.occurred_at = a.occurred_at + 1;
	b.id[0] = 0; /* time first: the id does not matter then */
	assert_true(tally_fact_cmp(&a, &b) < 0);
	assert_true(tally_fact_cmp(&b, &a) > 0);
	b = a;
	b.id[15] ^= 0x80;
	assert_true(tally_fact_cmp(&a, &b) != 0);
	assert_true((tally_fact_cmp(&a, &b) < 0) == (memcmp(a.id, b.id, 16) < 0));
	/* negative and large times order as numbers, not bytes */
	a.occurred_at = -1;
	b.occurred_at = 1;
	assert_true(tally_fact_cmp(&a, &b) < 0);
	a.occurred_at = INT64_MIN;
	b.occurred_at = INT64_MAX;
	assert_true(tally_fact_cmp(&a, &b) < 0);
}

static void test_facts_insert_order_and_full(void **state)
{
	(void)state;
	struct tally_fact facts[TALLY_CASE_FACTS_MAX];
	size_t n = 0;
	/* times in a scrambled order, two sharing a time (ordered by id) */
	for (int i = 0; i < TALLY_CASE_FACTS_MAX; i++) {
		struct tally_fact f = full_fact(0);
		f.id[0] = (uint8_t)(i * 37 % 64);
		f.occurred_at = 1700000000 + (i * 37 % 64) / 2 * 100;
		assert_int_equal(tally_facts_insert(facts, &n, &f), 0);
		assert_int_equal(n, (size_t)i + 1);
		for (size_t j = 1; j < n; j++)
			assert_true(tally_fact_cmp(&facts[j - 1], &facts[j]) < 0);
	}
	for (int i = 0; i < TALLY_CASE_FACTS_MAX; i++)
		assert_int_equal(facts[i].id[0], i);

	struct tally_fact extra = full_fact(0);
	extra.id[0] = 200;
	assert_int_equal(tally_facts_insert(facts, &n, &extra), LT_EFULL);
	assert_int_equal(n, TALLY_CASE_FACTS_MAX);
	assert_int_equal(facts[TALLY_CASE_FACTS_MAX - 1].id[0], TALLY_CASE_FACTS_MAX - 1);
}

static void test_facts_remove(void **state)
{
	(void)state;
	struct tally_fact facts[TALLY_CASE_FACTS_MAX];
	size_t n = 0;
	for (int i = 0; i < 5; i++) {
		struct tally_fact f = full_fact((uint8_t)i);
		f.occurred_at = 1700000000 + i;
		assert_int_equal(tally_facts_insert(facts, &n, &f), 0);
	}
	struct tally_fact gone = full_fact(9);
	assert_int_equal(tally_facts_remove(facts, &n, gone.id), LT_ENOTFOUND);
	assert_int_equal(n, 5);

	struct tally_fact mid = full_fact(2), last = full_fact(4), first = full_fact(0);
	assert_int_equal(tally_facts_remove(facts, &n, mid.id), 0);
	assert_int_equal(n, 4);
	assert_int_equal(tally_facts_remove(facts, &n, mid.id), LT_ENOTFOUND);
	assert_int_equal(tally_facts_remove(facts, &n, last.id), 0);
	assert_int_equal(tally_facts_remove(facts, &n, first.id), 0);
	assert_int_equal(n, 2);
	assert_int_equal(facts[0].occurred_at, 1700000001);
	assert_int_equal(facts[1].occurred_at, 1700000003);
	assert_memory_equal(facts[0].id, full_fact(1).id, 16);
	assert_memory_equal(facts[1].id, full_fact(3).id, 16);

	size_t zero = 0;
	assert_int_equal(tally_facts_remove(facts, &zero, first.id), LT_ENOTFOUND);
}

/* --- case keys --------------------------------------------------------- */

static size_t case_key(const Lawtally__V1__Event *e, uint8_t out[TALLY_CASE_KEY_MAX])
{
	memset(out, 0xEE, TALLY_CASE_KEY_MAX);
	return tally_case_key(e, out);
}

static int same_key(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	return na == nb && memcmp(a, b, na) == 0;
}

static void test_case_key(void **state)
{
	(void)state;
	struct ev v;
	uint8_t a[TALLY_CASE_KEY_MAX], b[TALLY_CASE_KEY_MAX];
	size_t na, nb;

	na = case_key(dispute(&v, 1, at(2024, 3, 1), "ZL07", "2024-001", LAND, REGISTERED), a);
	assert_int_equal(na, 1 + VILLAGE_CODE_MAX + 8);
	const uint8_t want[17] = {TALLY_DISPUTE, 'Z', 'L', '0', '7', 0, 0, 0, 0,
				  '2', '0', '2', '4', '-', '0', '0', '1'};
	assert_memory_equal(a, want, sizeof(want));

	/* another event of the same case: the same key, whatever else differs */
	nb = case_key(dispute(&v, 2, at(2025, 1, 1), "ZL07", "2024-001", NEIGHBOUR, RESOLVED), b);
	assert_true(same_key(a, na, b, nb));

	nb = case_key(dispute(&v, 1, at(2024, 3, 1), "ZL08", "2024-001", LAND, REGISTERED), b);
	assert_false(same_key(a, na, b, nb));
	nb = case_key(dispute(&v, 1, at(2024, 3, 1), "ZL07", "2024-002", LAND, REGISTERED), b);
	assert_false(same_key(a, na, b, nb));
	nb = case_key(dispute(&v, 1, at(2024, 3, 1), "ZL07", "2024-0011", LAND, REGISTERED), b);
	assert_false(same_key(a, na, b, nb));
	/* "ZL0" + "72024-001" must not collide with "ZL07" + "2024-001" */
	nb = case_key(dispute(&v, 1, at(2024, 3, 1), "ZL0", "72024-001", LAND, REGISTERED), b);
	assert_false(same_key(a, na, b, nb));

	/* kinds: a petition and a lawsuit with the same village and number */
	uint8_t c[TALLY_CASE_KEY_MAX];
	size_t nc;
	petition(&v, 1, at(2024, 3, 1), "2024-001", HIGHER, RECEIVED);
	v.e.village = "ZL07";
	nb = case_key(&v.e, b);
	lawsuit(&v, 1, at(2024, 3, 1), "2024-001", ADMIN, FILED, 0);
	v.e.village = "ZL07";
	nc = case_key(&v.e, c);
	assert_false(same_key(a, na, b, nb));
	assert_false(same_key(a, na, c, nc));
	assert_false(same_key(b, nb, c, nc));
	assert_int_equal(b[0], TALLY_PETITION);
	assert_int_equal(c[0], TALLY_LAWSUIT);

	/* township-level: the village part is all zero; a 64-byte case id fits */
	char id64[65];
	memset(id64, 'x', 64);
	id64[64] = '\0';
	nb = case_key(petition(&v, 1, at(2024, 3, 1), id64, HIGHER, RECEIVED), b);
	assert_int_equal(nb, 1 + VILLAGE_CODE_MAX + TALLY_CASE_ID_MAX);
	assert_memory_equal(b + 1, "\0\0\0\0\0\0\0\0", VILLAGE_CODE_MAX);
	assert_memory_equal(b + 1 + VILLAGE_CODE_MAX, id64, 64);

	/* at a county: the same case of another township is another case; the
	 * longest key still fits */
	v.e.township = "410423100012";
	nc = case_key(&v.e, c);
	assert_int_equal(nc, TALLY_CASE_KEY_MAX);
	assert_memory_equal(c, b, nb);
	assert_int_equal(c[nb], 0);
	assert_memory_equal(c + nb + 1, "410423100012", 12);
	v.e.township = "410423101";
	na = case_key(&v.e, a);
	assert_false(same_key(a, na, c, nc));
	assert_false(same_key(a, na, b, nb));
	v.e.township = "";
}

/* A device's counter snapshot is a kind of its own, no case, and adds to no metric. */
static void test_counters_count_nowhere(void **state)
{
	(void)state;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	Lawtally__V1__CounterSnapshot cs = LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
	Lawtally__V1__CounterSnapshot__Count c = LAWTALLY__V1__COUNTER_SNAPSHOT__COUNT__INIT;
	Lawtally__V1__CounterSnapshot__Count *cp = &c;
	uint8_t id[16] = {1};
	c.action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
	c.count = 40;
	cs.device_id = "ZFJLY-0007";
	cs.up_to = 40;
	cs.n_counts = 1;
	cs.counts = &cp;
	e.id = (ProtobufCBinaryData){16, id};
	e.occurred_at = 1718000000;
	e.seq = 41;
	e.epoch = 9;
	e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
	e.counters = &cs;
	assert_int_equal(tally_event_kind(&e), TALLY_COUNTERS);
	assert_false(tally_kind_has_cases(TALLY_COUNTERS));
	struct tally_fact f;
	assert_int_equal(tally_fact_from_event(&e, 28800, &f), 0);
	struct tally_deltas ds = {0};
	tally_contrib(&f, 1, 1, &ds);
	tally_deltas_merge(&ds);
	assert_int_equal(ds.n, 0);
	tally_deltas_free(&ds);
}

/* A key of a small space, so that random keys meet: metric, month, village, dim0. */
static struct tally_key small_key(uint32_t r)
{
	struct tally_key k = {0};
	k.metric = (uint8_t)(r % 5);
	k.year = (uint16_t)(2023 + (r >> 3) % 2);
	k.month = (uint8_t)(1 + (r >> 4) % 12);
	snprintf(k.village, sizeof(k.village), "ZL%02u", (unsigned)((r >> 8) % 4));
	k.dim[0] = (uint8_t)((r >> 10) % 3);
	return k;
}

/*
 * Merging two merged lists equals merging all their changes at once: the
 * same keys in the same order, equal keys summed, zeros dropped (the
 * writer's deltas with those counted ahead on the loop thread).
 */
static void test_deltas_merge_with(void **state)
{
	(void)state;
	uint32_t r = 12345;
	for (int round = 0; round < 50; round++) {
		struct tally_deltas a = {0}, b = {0}, all = {0};
		int na = round % 7 == 0 ? 0 : (int)(r % 300), nb = round % 5 == 0 ? 0 : (int)((r >> 9) % 300);
		for (int i = 0; i < na + nb; i++) {
			r = r * 1103515245u + 12345u;
			struct tally_key k = small_key(r >> 8);
			int64_t v = (int64_t)(r % 7) - 3;
			tally_deltas_add(i < na ? &a : &b, &k, v);
			tally_deltas_add(&all, &k, v);
		}
		tally_deltas_merge(&a);
		tally_deltas_merge(&b);
		tally_deltas_merge(&all);
		tally_deltas_merge_with(&a, &b);
		assert_int_equal(a.n, all.n);
		for (size_t i = 0; i < a.n; i++) {
			uint8_t ka[TALLY_KEY_LEN], kb[TALLY_KEY_LEN];
			tally_key_encode(&a.d[i].key, ka);
			tally_key_encode(&all.d[i].key, kb);
			assert_memory_equal(ka, kb, TALLY_KEY_LEN);
			assert_int_equal(a.d[i].value, all.d[i].value);
			assert_true(a.d[i].value != 0);
		}
		/* still a list to add to */
		struct tally_key k = small_key(7);
		tally_deltas_add(&a, &k, 5);
		tally_deltas_add(&all, &k, 5);
		tally_deltas_merge(&a);
		tally_deltas_merge(&all);
		assert_int_equal(a.n, all.n);
		tally_deltas_free(&a);
		tally_deltas_free(&b);
		tally_deltas_free(&all);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas_merge_with),
		cmocka_unit_test(test_year_month_boundaries),
		cmocka_unit_test(test_year_month_2024_month_ends),
		cmocka_unit_test(test_year_month_against_libc),
		cmocka_unit_test(test_key_roundtrip),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_dim_by_name),
		cmocka_unit_test(test_dim_label_and_value),
		cmocka_unit_test(test_event_kind),
		cmocka_unit_test(test_fact_from_event),
		cmocka_unit_test(test_dispute_distinct_cases_same_year),
		cmocka_unit_test(test_dispute_resolved_two_years),
		cmocka_unit_test(test_dispute_year_in_township_zone),
		cmocka_unit_test(test_dispute_open_gauge),
		cmocka_unit_test(test_dispute_resolve_delta),
		cmocka_unit_test(test_dispute_amount_once_per_case),
		cmocka_unit_test(test_dispute_prevented),
		cmocka_unit_test(test_dispute_late_event_reorders),
		cmocka_unit_test(test_retract_only_resolved),
		cmocka_unit_test(test_retract_one_of_two_resolved),
		cmocka_unit_test(test_contrib_sign),
		cmocka_unit_test(test_petitions),
		cmocka_unit_test(test_petition_difficult_resolved),
		cmocka_unit_test(test_lawsuits),
		cmocka_unit_test(test_trainings),
		cmocka_unit_test(test_training_audiences),
		cmocka_unit_test(test_publicity_law),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_opinions_disclosures),
		cmocka_unit_test(test_supervision),
		cmocka_unit_test(test_enforcement_staff),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_new_case_kinds),
		cmocka_unit_test(test_publicity),
		cmocka_unit_test(test_enforcement),
		cmocka_unit_test(test_every_metric_fed),
		cmocka_unit_test(test_deltas_merge),
		cmocka_unit_test(test_deltas_merge_many),
		cmocka_unit_test(test_deltas_grow),
		cmocka_unit_test(test_facts_roundtrip),
		cmocka_unit_test(test_facts_decode_bad_length),
		cmocka_unit_test(test_fact_cmp),
		cmocka_unit_test(test_facts_insert_order_and_full),
		cmocka_unit_test(test_facts_remove),
		cmocka_unit_test(test_case_key),
		cmocka_unit_test(test_counters_count_nowhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
