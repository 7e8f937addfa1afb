/*
 * fixture.c - the seeded generator of the 2024 stream (see fixture.h).
 *
 * One generator per part of the township's work. Each fixes the counts the
 * report states and draws everything else (villages, days, categories,
 * amounts) from a xoshiro256** PRNG seeded through splitmix64. Events are
 * collected with the time they reach the daemon ("send"); the stream is
 * them sorted by send, after some have been re-sent.
 *
 * Memory: everything lives in one arena that the fixture owns, taken
 * through xalloc.h (out of memory ends the test), so the generators need no
 * error paths.
 */
#include "fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scope.h"
#include "uuid.h"
#include "xalloc.h"

#define DAY 86400
#define HOUR 3600
#define NVILLAGES 41
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define INIT(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x
#define ORIGIN(x) LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_##x
#define PSTAGE(x) LAWTALLY__V1__PETITION__STAGE__STAGE_##x
#define VENUE(x) LAWTALLY__V1__PUBLICITY__VENUE__VENUE_##x
#define KIND(x) LAWTALLY__V1__LAWSUIT__KIND__KIND_##x
#define LSTAGE(x) LAWTALLY__V1__LAWSUIT__STAGE__STAGE_##x
#define OUTCOME(x) LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_##x
#define CAMPAIGN(x) LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_##x
#define ACTION(x) LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_##x
#define LAW(x) LAWTALLY__V1__PUBLICITY__LAW__LAW_##x
#define AUDIENCE(x) LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_##x
#define DOC(x) LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_##x
#define DECISION(x) LAWTALLY__V1__MAJOR_DECISION__CATEGORY__CATEGORY_##x
#define ADVISER(x) LAWTALLY__V1__LEGAL_OPINION__ADVISER__ADVISER_##x
#define SUBJECT(x) LAWTALLY__V1__LEGAL_OPINION__SUBJECT__SUBJECT_##x
#define CONTENT(x) LAWTALLY__V1__DISCLOSURE__CONTENT__CONTENT_##x
#define CHANNEL(x) LAWTALLY__V1__DISCLOSURE__CHANNEL__CHANNEL_##x
#define SUPERVISOR(x) LAWTALLY__V1__SUPERVISION__SUPERVISOR__SUPERVISOR_##x
#define SSTAGE(x) LAWTALLY__V1__SUPERVISION__STAGE__STAGE_##x
#define ITEM(x) LAWTALLY__V1__TASK__ITEM__ITEM_##x
#define TSTAGE(x) LAWTALLY__V1__TASK__STAGE__STAGE_##x

const struct fixture_figure fixture_2024_figures[] = {
	{"涉行政诉讼3起", "lawsuits.filed", "kind", "ADMINISTRATIVE", 3, 3},
	{"环境污染附带民事诉讼9起", "lawsuits.filed", "kind", "ENV_POLLUTION_CIVIL", 9, 9},
	{"无败诉情况", "lawsuits.lost", NULL, NULL, 0, 0},
	{"2024年共开展培训12次", "trainings.sessions", NULL, NULL, 12, 12},
	{"排查化解矛盾纠纷326件", "disputes.resolved", NULL, NULL, 326, 326},
	{"办理上级交办信访案件20件", "petitions.received", "origin", "HIGHER_LEVEL", 20, 20},
	{"镇访案件36件", "petitions.received", "origin", "TOWNSHIP", 36, 36},
	{"省委巡视交办案件33件", "petitions.received", "origin", "PROVINCIAL_INSPECTION", 33, 33},
	{"化解疑难信访案件15起", "petitions.difficult_resolved", NULL, NULL, 15, 15},
	{"开展普法宣传活动12次", "publicity.activities", NULL, NULL, 12, 12},
	{"发放资料8000多份", "publicity.materials", NULL, NULL,
	 FIXTURE_MATERIALS_MIN, FIXTURE_MATERIALS_MAX},
	{"现场法律咨询985人次", "publicity.consultations", NULL, NULL, 985, 985},
	{"维护日常执法工作仅3人", "enforcement.team", NULL, NULL, 3, 3},
	/* illustrative: the seed report names this work but gives no number */
	{"（示例）持执法证人员8人", "enforcement.certified", NULL, NULL, 8, 8},
	{"（示例）社区矫正人员法律知识培训4次", "trainings.others", "audience", "COMMUNITY_CORRECTION",
	 4, 4},
	{"（示例）领导干部学法4次", "trainings.others", "audience", "LEADERS", 4, 4},
	{"（示例）机关干部法治培训2次", "trainings.others", "audience", "ORGAN_CADRES", 2, 2},
	{"（示例）村干部法治培训2次", "trainings.others", "audience", "VILLAGE_CADRES", 2, 2},
	{"（示例）执法人员业务培训2次", "trainings.others", "audience", "ENFORCEMENT_STAFF", 2, 2},
	{"（示例）宣传《民法典》活动3次", "publicity.activities", "law", "CIVIL_CODE", 3, 3},
	{"（示例）宣传《土地管理法》活动1次", "publicity.activities", "law", "LAND_ADMINISTRATION",
	 1, 1},
	{"（示例）宣传《城乡规划法》活动1次", "publicity.activities", "law", "URBAN_RURAL_PLANNING",
	 1, 1},
	{"（示例）制定规范性文件3件", "documents.drafted", NULL, NULL, 3, 3},
	{"（示例）备案规范性文件3件", "documents.filed", NULL, NULL, 3, 3},
	{"（示例）重大行政决策8项", "decisions.made", NULL, NULL, 8, 8},
	{"（示例）集体讨论决定8项", "decisions.collective", NULL, NULL, 8, 8},
	{"（示例）经合法性审查5项", "decisions.legal_reviewed", NULL, NULL, 5, 5},
	{"（示例）举行听证1项", "decisions.hearings", NULL, NULL, 1, 1},
	{"（示例）法律顾问意见16条", "opinions.given", NULL, NULL, 16, 16},
	{"（示例）合同签订法律意见6条", "opinions.given", "subject", "CONTRACT", 6, 6},
	{"（示例）政务公开22次", "disclosures.releases", NULL, NULL, 22, 22},
	{"（示例）政府网站公开12次", "disclosures.releases", "channel", "WEBSITE", 12, 12},
	{"（示例）监督反馈问题6个", "supervision.findings", NULL, NULL, 6, 6},
	{"（示例）整改完成5个", "supervision.rectified", NULL, NULL, 5, 5},
	{"（示例）部署年度任务9项", "tasks.planned", NULL, NULL, 9, 9},
	{"（示例）完成年度任务5项", "tasks.done", NULL, NULL, 5, 5},
};
const size_t fixture_2024_nfigures = sizeof(fixture_2024_figures) / sizeof(fixture_2024_figures[0]);

/* ---- arena ---- */

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct fixture_arena {
	struct arena_chunk *head;
};

static void arena_destroy(struct fixture_arena *a)
{
	if (!a)
		return;
	while (a->head) {
		struct arena_chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
	free(a);
}

/* ---- generator state ---- */

/* One event as it will be sent. */
struct pending {
	Lawtally__V1__Event *e;
	int64_t send;     /* when it reaches the daemon: orders the stream */
	size_t seq;       /* creation order: breaks ties, keeps runs stable */
	int pinned;       /* withdrawn by a retraction: never re-sent */
};

struct gen {
	uint64_t s[4];
	struct fixture_arena *arena;
	struct pending *p;
	size_t n, cap;
	size_t retractions;
	const char *mediator[NVILLAGES]; /* each centre's full-time mediator */
	unsigned village_weight[NVILLAGES];
};

/* Zeroed, aligned memory from the arena. */
static void *alloc(struct gen *g, size_t size)
{
	const size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	struct arena_chunk *c = g->arena->head;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = xcalloc(1, sizeof(*c) + cap);
		c->cap = cap;
		c->next = g->arena->head;
		g->arena->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

static char *str(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *str(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	char *s = alloc(g, (size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* ---- PRNG: xoshiro256** seeded by splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(struct gen *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, n), without modulo bias; n > 0. */
static uint64_t rnd_below(struct gen *g, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;
	do
		r = rnd(g);
	while (r >= limit);
	return r % n;
}

/* Uniform in [lo, hi]. */
static int64_t rnd_range(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rnd_below(g, (uint64_t)(hi - lo) + 1);
}

static int chance(struct gen *g, unsigned per_mille)
{
	return rnd_below(g, 1000) < per_mille;
}

static size_t rnd_weighted(struct gen *g, const unsigned *w, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	uint64_t r = rnd_below(g, total);
	for (size_t i = 0; i < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

/*
 * Splits total into n parts in proportion to weights, exactly: floors
 * first, then the remainder one unit at a time to random parts.
 */
static void split(struct gen *g, uint32_t total, const unsigned *w, size_t n, uint32_t *out)
{
	uint64_t wsum = 0, given = 0;
	for (size_t i = 0; i < n; i++)
		wsum += w[i];
	for (size_t i = 0; i < n; i++) {
		out[i] = (uint32_t)((uint64_t)total * w[i] / wsum);
		given += out[i];
	}
	for (; given < total; given++)
		out[rnd_below(g, n)]++;
}

static void shuffle(struct gen *g, uint8_t *a, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rnd_below(g, i);
		uint8_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* ---- time (2024 is a leap year; days counted in UTC+08:00) ---- */

static const int month_start[13] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366};

static int64_t at_day(int doy, int64_t sec)
{
	return FIXTURE_YEAR_START + (int64_t)doy * DAY + sec;
}

/* Some moment of office hours (08:30-18:00) on day doy. */
static int64_t office(struct gen *g, int doy)
{
	return at_day(doy, rnd_range(g, 8 * HOUR + 1800, 18 * HOUR));
}

static int day_in_month(struct gen *g, int month)
{
	return month_start[month - 1] +
	       (int)rnd_below(g, (uint64_t)(month_start[month] - month_start[month - 1]));
}

/*
 * A moment after t, within min_days..max_days and a few hours, but always
 * strictly after t and still in 2024: work done late in December is done
 * before the year ends.
 */
static int64_t later(struct gen *g, int64_t t, int min_days, int max_days)
{
	int64_t r = t + rnd_range(g, min_days, max_days) * DAY + rnd_range(g, HOUR, 6 * HOUR);
	if (r >= FIXTURE_YEAR_END)
		r = t + (FIXTURE_YEAR_END - t) / 2;
	return r;
}

/* ---- events ---- */

static Lawtally__V1__Event *event_new(struct gen *g, const char *village, int64_t at,
				      const char *source, const char *recorded_by)
{
	Lawtally__V1__Event *e = alloc(g, sizeof(*e));
	*e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	uint8_t r[10], *id = alloc(g, UUID_LEN);
	for (int i = 0; i < 10; i++)
		r[i] = (uint8_t)rnd(g);
	uuid_v7_from(id, (uint64_t)at * 1000 + rnd_below(g, 1000), r);
	e->id.data = id;
	e->id.len = UUID_LEN;
	e->village = str(g, "%s", village);
	e->occurred_at = at;
	e->source = str(g, "%s", source);
	e->recorded_by = str(g, "%s", recorded_by);
	return e;
}

static const char *vcode(int v)
{
	static const char codes[NVILLAGES][5] = {
		"ZL01", "ZL02", "ZL03", "ZL04", "ZL05", "ZL06", "ZL07", "ZL08", "ZL09",
		"ZL10", "ZL11", "ZL12", "ZL13", "ZL14", "ZL15", "ZL16", "ZL17", "ZL18",
		"ZL19", "ZL20", "ZL21", "ZL22", "ZL23", "ZL24", "ZL25", "ZL26", "ZL27",
		"ZL28", "ZL29", "ZL30", "ZL31", "ZL32", "ZL33", "ZL34", "ZL35", "ZL36",
		"ZL37", "ZL38", "ZL39", "ZL40", "ZL41",
	};
	return codes[v];
}

static int rnd_village(struct gen *g)
{
	return (int)rnd_weighted(g, g->village_weight, NVILLAGES);
}

/*
 * Queues e to reach the daemon at send; returns its index in g->p (indexes
 * stay valid while the array grows, pointers do not).
 */
static size_t queue_at(struct gen *g, Lawtally__V1__Event *e, int64_t send)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 1024;
		g->p = xreallocarray(g->p, cap, sizeof(*g->p));
		g->cap = cap;
	}
	g->p[g->n] = (struct pending){.e = e, .send = send, .seq = g->n};
	return g->n++;
}

/*
 * Queues e as a sender would send it: minutes after the work, or, for one
 * event in fifty, weeks later when a paper record is finally typed in.
 */
static size_t queue(struct gen *g, Lawtally__V1__Event *e)
{
	int64_t delay = chance(g, 20) ? rnd_range(g, 15 * DAY, 50 * DAY) : rnd_range(g, 5, 900);
	return queue_at(g, e, e->occurred_at + delay);
}

/*
 * Withdraws the queued event at index target, days after it reached the
 * daemon, from the same sender (only it or the office may retract).
 * Returns the send time of the retraction.
 */
static int64_t retract(struct gen *g, size_t target, const char *reason, int max_days)
{
	g->p[target].pinned = 1;
	const Lawtally__V1__Event *t = g->p[target].e;
	int64_t send = g->p[target].send + rnd_range(g, HOUR, (int64_t)max_days * DAY);
	int64_t at = send;
	if (at >= FIXTURE_YEAR_END)
		at = t->occurred_at + (FIXTURE_YEAR_END - t->occurred_at) / 2;
	Lawtally__V1__Event *e = event_new(g, "", at, t->source, t->recorded_by);
	Lawtally__V1__Retraction *r = alloc(g, sizeof(*r));
	*r = (Lawtally__V1__Retraction)LAWTALLY__V1__RETRACTION__INIT;
	uint8_t *id = alloc(g, UUID_LEN);
	memcpy(id, t->id.data, UUID_LEN);
	r->event_id.data = id;
	r->event_id.len = UUID_LEN;
	r->reason = str(g, "%s", reason);
	uint8_t key[SCOPE_KEY_MAX];
	char scope[SCOPE_NAME_MAX + 1];
	scope_key_format(key, scope_event_key(t, key), scope, sizeof(scope));
	r->scope = str(g, "%s", scope);
	e->body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	e->retraction = r;
	queue_at(g, e, send);
	g->retractions++;
	return send;
}

/* ---- disputes ---- */

enum dispute_fate {
	D_RESOLVED,            /* registered, resolved (sometimes entered twice) */
	D_ESCALATED_RESOLVED,  /* passed up to the township centre, resolved there */
	D_ESCALATED,
	D_UNRESOLVED,
	D_OPEN,                /* still in mediation at year end */
};

struct dcase {
	int64_t reg_at;
	int64_t resolve_at;    /* fixed in advance for the year-boundary case, else 0 */
	size_t idx;
	uint8_t village, fate, category, initiated, marks;
	unsigned number;
};

/* What a few chosen cases carry besides their fate. */
enum {
	MARK_MISTAKEN = 1,  /* a "resolved" entered by mistake, then retracted */
	MARK_CRIMINAL = 2,  /* 防止民转刑 */
	MARK_GROUP = 4,     /* 防止群体性上访 */
};

static int dcase_cmp(const void *a, const void *b)
{
	const struct dcase *x = a, *y = b;
	if (x->reg_at != y->reg_at)
		return x->reg_at < y->reg_at ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static Lawtally__V1__Event *dispute_event(struct gen *g, const struct dcase *c, int64_t at,
					  Lawtally__V1__Dispute__Stage stage)
{
	Lawtally__V1__Event *e = event_new(g, vcode(c->village), at,
					   str(g, "centre-%s", vcode(c->village)),
					   g->mediator[c->village]);
	Lawtally__V1__Dispute *d = alloc(g, sizeof(*d));
	*d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
	d->case_id = str(g, "%s-2024-%03u", vcode(c->village), c->number);
	d->category = c->category;
	d->stage = stage;
	d->initiated = c->initiated;
	e->body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	e->dispute = d;
	return e;
}

/* Money changes hands mostly in land, labour, damages and family cases. */
static uint64_t agreement_fen(struct gen *g, int category)
{
	unsigned pm;
	switch (category) {
	case CAT(LAND): case CAT(LABOUR_SOCIAL_SECURITY): case CAT(DAMAGES):
	case CAT(TRAFFIC): case CAT(CONTRACT): case CAT(LAND_ACQUISITION):
		pm = 650;
		break;
	case CAT(MARRIAGE_FAMILY): case CAT(HOUSING_HOMESTEAD): case CAT(PRODUCTION_BUSINESS):
		pm = 350;
		break;
	default:
		pm = 80;
	}
	if (!chance(g, pm))
		return 0;
	return (uint64_t)rnd_range(g, 3, 800) * 10000 + (uint64_t)rnd_range(g, 0, 99) * 100;
}

/* A resolution; the first one of a case says what the mediation prevented. */
static Lawtally__V1__Event *resolved_event(struct gen *g, const struct dcase *c, int64_t at,
					   int first)
{
	Lawtally__V1__Event *e = dispute_event(g, c, at, DSTAGE(RESOLVED));
	Lawtally__V1__Dispute *d = e->dispute;
	d->agreement_amount_fen = agreement_fen(g, c->category);
	if (first && (c->marks & MARK_CRIMINAL))
		d->prevented_criminal = 1;
	if (first && (c->marks & MARK_GROUP)) {
		d->prevented_group_petition = 1;
		d->people = (uint32_t)rnd_range(g, 6, 45);
	}
	return e;
}

/* Gives mark to k random cases whose fate is in the bit set fates. */
static void mark_cases(struct gen *g, struct dcase *cs, size_t n, unsigned fates,
		       uint8_t mark, int64_t k)
{
	while (k > 0) {
		struct dcase *c = &cs[rnd_below(g, n)];
		if ((fates & 1u << c->fate) && !(c->marks & mark)) {
			c->marks |= mark;
			k--;
		}
	}
}

/*
 * The village mediation centres: 326 cases resolved in the year (the
 * report's 排查化解矛盾纠纷326件), and the cases that were passed up, failed
 * or were still open. Every village and every month has cases; a case's
 * number is its rank in the village's register.
 */
static void gen_disputes(struct gen *g)
{
	static const unsigned cat_w[] = {
		[CAT(MARRIAGE_FAMILY)] = 22, [CAT(NEIGHBOUR)] = 30, [CAT(HOUSING_HOMESTEAD)] = 7,
		[CAT(CONTRACT)] = 3, [CAT(PRODUCTION_BUSINESS)] = 2, [CAT(DAMAGES)] = 5,
		[CAT(LAND)] = 18, [CAT(LAND_ACQUISITION)] = 1, [CAT(ENVIRONMENT)] = 1,
		[CAT(LABOUR_SOCIAL_SECURITY)] = 10, [CAT(CONSUMER)] = 1, [CAT(MEDICAL)] = 1,
		[CAT(TRAFFIC)] = 2, [CAT(PROPERTY_MANAGEMENT)] = 1, [CAT(OTHER)] = 2,
	};
	static const unsigned init_w[] = {
		[INIT(UNSPECIFIED)] = 5, [INIT(PROACTIVE)] = 45, [INIT(APPLICATION)] = 40,
		[INIT(REFERRAL)] = 10,
	};
	const size_t n_esc_res = (size_t)rnd_range(g, 4, 8);
	const size_t counts[] = {
		[D_RESOLVED] = 326 - n_esc_res,
		[D_ESCALATED_RESOLVED] = n_esc_res,
		[D_ESCALATED] = (size_t)rnd_range(g, 18, 26),
		[D_UNRESOLVED] = (size_t)rnd_range(g, 14, 22),
		[D_OPEN] = (size_t)rnd_range(g, 16, 26),
	};
	size_t n = 0;
	for (size_t f = 0; f < NELEM(counts); f++)
		n += counts[f];
	uint8_t *fate = alloc(g, n);
	struct dcase *cs = alloc(g, n * sizeof(*cs));
	size_t k = 0;
	for (size_t f = 0; f < NELEM(counts); f++)
		for (size_t i = 0; i < counts[f]; i++)
			fate[k++] = (uint8_t)f;
	shuffle(g, fate, n);

	int first_resolved = 1, last_resolved = 1;
	for (size_t i = 0; i < n; i++) {
		struct dcase *c = &cs[i];
		c->idx = i;
		c->fate = fate[i];
		c->village = (uint8_t)(i < NVILLAGES ? (int)i : rnd_village(g));
		c->category = (uint8_t)rnd_weighted(g, cat_w, NELEM(cat_w));
		c->initiated = (uint8_t)rnd_weighted(g, init_w, NELEM(init_w));
		if (c->fate == D_OPEN)
			c->reg_at = office(g, (int)rnd_range(g, 300, 365));
		else if (i < 48)
			c->reg_at = office(g, day_in_month(g, (int)(i % 12) + 1));
		else
			c->reg_at = office(g, (int)rnd_range(g, 0, 365));
		/* the first minute and the last second of the year, in UTC+08:00 */
		if (c->fate == D_RESOLVED && first_resolved) {
			c->reg_at = FIXTURE_YEAR_START;
			c->category = CAT(NEIGHBOUR);
			first_resolved = 0;
		} else if (c->fate == D_RESOLVED && i >= 48 && last_resolved) {
			c->reg_at = office(g, 365);
			c->resolve_at = FIXTURE_YEAR_END - 1;
			last_resolved = 0;
		}
	}
	qsort(cs, n, sizeof(*cs), dcase_cmp);
	unsigned numbers[NVILLAGES] = {0};
	for (size_t i = 0; i < n; i++)
		cs[i].number = ++numbers[cs[i].village];

	const unsigned resolved = 1u << D_RESOLVED | 1u << D_ESCALATED_RESOLVED;
	mark_cases(g, cs, n, ~resolved, MARK_MISTAKEN, 3);
	mark_cases(g, cs, n, resolved, MARK_CRIMINAL, rnd_range(g, 6, 10));
	mark_cases(g, cs, n, resolved, MARK_GROUP, rnd_range(g, 3, 5));

	for (size_t i = 0; i < n; i++) {
		const struct dcase *c = &cs[i];
		int64_t t = c->reg_at;
		queue(g, dispute_event(g, c, t, DSTAGE(REGISTERED)));
		if (c->marks & MARK_MISTAKEN) {
			Lawtally__V1__Event *e = resolved_event(g, c, later(g, t, 0, 5), 0);
			t = e->occurred_at;
			retract(g, queue_at(g, e, t + rnd_range(g, 60, 900)),
				"误录为调解成功：该案尚未调解成功", 12);
		}
		switch (c->fate) {
		case D_RESOLVED:
			if (c->resolve_at)
				t = c->resolve_at;
			else if (chance(g, 700))
				t = later(g, t, 0, 10);
			else
				t = later(g, t, 10, 45);
			queue(g, resolved_event(g, c, t, 1));
			if (!c->resolve_at && chance(g, 40))
				queue(g, resolved_event(g, c, later(g, t, 1, 20), 0));
			break;
		case D_ESCALATED_RESOLVED:
			t = later(g, t, 3, 20);
			queue(g, dispute_event(g, c, t, DSTAGE(ESCALATED)));
			queue(g, resolved_event(g, c, later(g, t, 5, 30), 1));
			break;
		case D_ESCALATED:
			queue(g, dispute_event(g, c, later(g, t, 3, 30), DSTAGE(ESCALATED)));
			break;
		case D_UNRESOLVED:
			queue(g, dispute_event(g, c, later(g, t, 5, 40), DSTAGE(UNRESOLVED)));
			break;
		case D_OPEN:
			break;
		}
	}
}

/* ---- petitions ---- */

enum petition_fate { P_CONCLUDED, P_DIFFICULT_JOINT, P_DIFFICULT_OTHER, P_OPEN };

struct pcase {
	int64_t recv_at;
	size_t idx;
	uint8_t origin, fate;
	int village;   /* -1: township-level */
	unsigned number;
};

static int pcase_cmp(const void *a, const void *b)
{
	const struct pcase *x = a, *y = b;
	if (x->recv_at != y->recv_at)
		return x->recv_at < y->recv_at ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const char *const petition_staff[] = {"郭红霞", "李建伟", "张振宇"};

static Lawtally__V1__Event *petition_event(struct gen *g, const struct pcase *c, int64_t at,
					   Lawtally__V1__Petition__Stage stage)
{
	static const char *const prefix[] = {
		[ORIGIN(HIGHER_LEVEL)] = "SJ", [ORIGIN(TOWNSHIP)] = "ZF",
		[ORIGIN(PROVINCIAL_INSPECTION)] = "XS",
	};
	Lawtally__V1__Event *e = event_new(g, c->village < 0 ? "" : vcode(c->village), at,
					   "office-petitions", petition_staff[rnd_below(g, 3)]);
	Lawtally__V1__Petition *p = alloc(g, sizeof(*p));
	*p = (Lawtally__V1__Petition)LAWTALLY__V1__PETITION__INIT;
	p->case_id = str(g, "%s-2024-%03u", prefix[c->origin], c->number);
	p->origin = c->origin;
	p->stage = stage;
	p->difficult = c->fate == P_DIFFICULT_JOINT || c->fate == P_DIFFICULT_OTHER;
	e->body_case = LAWTALLY__V1__EVENT__BODY_PETITION;
	e->petition = p;
	return e;
}

/* The joint meeting on petitions sits on the 25th of each month, 15:00. */
static int64_t next_joint_meeting(int64_t t)
{
	for (int m = 1; m <= 12; m++) {
		int64_t meeting = at_day(month_start[m - 1] + 24, 15 * HOUR);
		if (meeting >= t)
			return meeting;
	}
	return 0;
}

/*
 * The petitions office: 20 cases handed down from above, 36 brought to the
 * township, 33 from the provincial inspection (mid-year); 15 difficult ones
 * settled at the monthly joint meeting, a few difficult ones settled
 * otherwise, a few still open at year end, and one case entered under a
 * wrong number and withdrawn.
 */
static void gen_petitions(struct gen *g)
{
	static const struct { uint8_t origin; unsigned n; int first_day, last_day; } plan[] = {
		{ORIGIN(HIGHER_LEVEL), 20, 0, 350},
		{ORIGIN(TOWNSHIP), 36, 0, 365},
		{ORIGIN(PROVINCIAL_INSPECTION), 33, 121, 243},
	};
	struct pcase cs[89];
	size_t n = 0;
	for (size_t i = 0; i < NELEM(plan); i++) {
		for (unsigned j = 0; j < plan[i].n; j++, n++) {
			struct pcase *c = &cs[n];
			c->idx = n;
			c->origin = plan[i].origin;
			c->recv_at = office(g, (int)rnd_range(g, plan[i].first_day, plan[i].last_day));
			c->village = c->origin == ORIGIN(TOWNSHIP) ? rnd_village(g) : -1;
			c->fate = P_CONCLUDED;
			/* the last two of each office's list came in December */
			if (j + 2 >= plan[i].n && plan[i].last_day >= 335) {
				c->recv_at = office(g, (int)rnd_range(g, 335, plan[i].last_day));
				c->fate = P_OPEN;
			} else if (c->recv_at >= at_day(320, 0) && chance(g, 500)) {
				c->fate = P_OPEN;
			}
		}
	}
	qsort(cs, n, sizeof(cs[0]), pcase_cmp);
	unsigned numbers[4] = {0};
	for (size_t i = 0; i < n; i++)
		cs[i].number = ++numbers[cs[i].origin];

	const int64_t difficult_before = at_day(300, 0);
	for (int joint = 0, other = 0; joint < 15 || other < 2;) {
		struct pcase *c = &cs[rnd_below(g, n)];
		if (c->fate != P_CONCLUDED || c->recv_at >= difficult_before)
			continue;
		if (joint < 15) {
			c->fate = P_DIFFICULT_JOINT;
			joint++;
		} else {
			c->fate = P_DIFFICULT_OTHER;
			other++;
		}
	}

	for (size_t i = 0; i < n; i++) {
		const struct pcase *c = &cs[i];
		queue(g, petition_event(g, c, c->recv_at, PSTAGE(RECEIVED)));
		if (c->fate == P_OPEN)
			continue;
		int64_t done;
		if (c->fate == P_DIFFICULT_JOINT)
			done = next_joint_meeting(c->recv_at + 20 * DAY);
		else
			done = later(g, c->recv_at, 10, 60);
		Lawtally__V1__Event *e = petition_event(g, c, done, PSTAGE(CONCLUDED));
		e->petition->joint_meeting = c->fate == P_DIFFICULT_JOINT;
		queue(g, e);
	}

	/* a township case typed under a number that does not exist */
	struct pcase wrong = {
		.recv_at = office(g, (int)rnd_range(g, 30, 300)), .origin = ORIGIN(TOWNSHIP),
		.fate = P_CONCLUDED, .village = rnd_village(g),
		.number = (unsigned)rnd_range(g, 900, 999),
	};
	Lawtally__V1__Event *e = petition_event(g, &wrong, wrong.recv_at, PSTAGE(RECEIVED));
	retract(g, queue_at(g, e, e->occurred_at + 300), "案号录错，已按正确案号重新录入", 3);
}

/* ---- lawsuits ---- */

static Lawtally__V1__Event *lawsuit_event(struct gen *g, const char *case_id, int kind,
					  int64_t at, int stage, int outcome)
{
	Lawtally__V1__Event *e = event_new(g, "", at, "office-legal", "蔺文龙");
	Lawtally__V1__Lawsuit *l = alloc(g, sizeof(*l));
	*l = (Lawtally__V1__Lawsuit)LAWTALLY__V1__LAWSUIT__INIT;
	l->case_id = str(g, "%s", case_id);
	l->kind = kind;
	l->stage = stage;
	l->outcome = outcome;
	e->body_case = LAWTALLY__V1__EVENT__BODY_LAWSUIT;
	e->lawsuit = l;
	return e;
}

static int day_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The legal adviser's desk: 3 administrative suits and 9 environmental
 * pollution suits with incidental civil claims, none lost. Suits filed late
 * are still pending at year end. For one suit a "lost" judgement is entered
 * by mistake, withdrawn, and the true outcome entered after.
 */
static void gen_lawsuits(struct gen *g)
{
	static const struct { int kind, n; const char *court_no; } plan[] = {
		{KIND(ADMINISTRATIVE), 3, "（2024）豫0423行初%u号"},
		{KIND(ENV_POLLUTION_CIVIL), 9, "（2024）豫0423刑初%u号"},
	};
	for (size_t p = 0; p < NELEM(plan); p++) {
		const int kind = plan[p].kind, admin = kind == KIND(ADMINISTRATIVE);
		int days[9];
		for (int i = 0; i < plan[p].n; i++)
			days[i] = (int)rnd_range(g, 0, 330);
		if (!admin)
			days[0] = (int)rnd_range(g, 0, 150); /* judged in the year for sure */
		qsort(days, (size_t)plan[p].n, sizeof(days[0]), day_cmp);
		unsigned no = (unsigned)rnd_range(g, 5, 40);
		for (int i = 0; i < plan[p].n; i++) {
			/* court numbers follow the filing order */
			const char *case_id = str(g, plan[p].court_no, no);
			no += (unsigned)rnd_range(g, 2, 30);
			int64_t filed = office(g, days[i]);
			queue(g, lawsuit_event(g, case_id, kind, filed, LSTAGE(FILED), 0));
			int64_t judged = filed + rnd_range(g, 40, 150) * DAY;
			if (judged >= FIXTURE_YEAR_END - DAY)
				continue;
			if (!admin && i == 0) {
				Lawtally__V1__Event *e = lawsuit_event(g, case_id, kind, judged,
								       LSTAGE(JUDGED), OUTCOME(LOST));
				int64_t sent = retract(g, queue_at(g, e, judged + 600),
						       "判决结果录入错误，实为调解结案", 2);
				e = lawsuit_event(g, case_id, kind, judged, LSTAGE(JUDGED),
						  OUTCOME(SETTLED));
				queue_at(g, e, sent + 600);
				continue;
			}
			int outcome = admin ? (chance(g, 800) ? OUTCOME(WON) : OUTCOME(WITHDRAWN))
					    : (chance(g, 550) ? OUTCOME(SETTLED) : OUTCOME(WON));
			queue(g, lawsuit_event(g, case_id, kind, judged, LSTAGE(JUDGED), outcome));
		}
	}
}

/* ---- trainings ---- */

static Lawtally__V1__Event *training_event(struct gen *g, int village, int64_t at,
					   uint32_t attendees, const char *topic)
{
	Lawtally__V1__Event *e = event_new(g, vcode(village), at,
					   str(g, "centre-%s", vcode(village)), g->mediator[village]);
	Lawtally__V1__Training *t = alloc(g, sizeof(*t));
	*t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	t->attendees = attendees;
	t->topic = str(g, "%s", topic);
	e->body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	e->training = t;
	return e;
}

/*
 * 12 trainings of the mediators, one a month, each hosted by a village
 * centre; one session entered twice and the copy withdrawn.
 */
static void gen_trainings(struct gen *g)
{
	static const char *const topics[] = {
		"《民法典》婚姻家庭编与家事纠纷调解",
		"邻里纠纷排查化解技巧",
		"土地承包经营权纠纷调解实务",
		"《人民调解法》与调解协议书制作",
		"劳动争议与农民工工资纠纷调解",
		"预防民转刑案件：矛盾纠纷风险研判",
		"宅基地纠纷政策解读",
		"信访工作条例学习",
		"道路交通事故损害赔偿调解",
		"矛盾纠纷化解中心台账规范",
		"法律援助与司法确认衔接",
		"年终调解案卷评查",
	};
	int dup = (int)rnd_range(g, 1, 12);
	for (int m = 1; m <= 12; m++) {
		int v = rnd_village(g);
		int64_t at = at_day(day_in_month(g, m), rnd_range(g, 9, 15) * HOUR);
		uint32_t attendees = (uint32_t)rnd_range(g, 38, 62);
		Lawtally__V1__Event *e = training_event(g, v, at, attendees, topics[m - 1]);
		size_t i = queue(g, e);
		if (m == dup) {
			int64_t sent = g->p[i].send + rnd_range(g, 600, 2 * HOUR);
			e = training_event(g, v, at, attendees, topics[m - 1]);
			retract(g, queue_at(g, e, sent), "同一次培训重复录入", 3);
		}
	}
}

/* ---- publicity ---- */

static Lawtally__V1__Event *publicity_event(struct gen *g, int venue, int64_t at,
					    int activity, uint32_t materials,
					    uint32_t consultations)
{
	const char *village = venue == VENUE(VILLAGE) ? vcode(rnd_village(g)) : "";
	Lawtally__V1__Event *e = event_new(g, village, at, "office-publicity", "王晓燕");
	Lawtally__V1__Publicity *p = alloc(g, sizeof(*p));
	*p = (Lawtally__V1__Publicity)LAWTALLY__V1__PUBLICITY__INIT;
	p->venue = venue;
	p->materials = materials;
	p->consultations = consultations;
	p->is_activity = activity;
	e->body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
	e->publicity = p;
	return e;
}

/*
 * Publicity on the law: 12 organised activities on the days the calendar
 * gives (3.15, 4.15, 6.26, 12.4, ...) in every kind of venue, and desk days
 * at the markets that hand out material and answer questions too. Materials
 * and consultations are split over all of them so that they sum to the
 * seed's figure in 8000..8999 and to 985. One activity that was cancelled is
 * entered by mistake and withdrawn.
 */
static uint32_t gen_publicity(struct gen *g)
{
	/* the law each activity chiefly covered is fixed, not drawn: the
	 * stream of every seed stays what it was before laws were recorded */
	static const struct { int month, day, jitter, venue, law; } acts[12] = {
		{1, 20, 6, VENUE(VILLAGE), LAW(CIVIL_CODE)}, {3, 15, 0, VENUE(COMMUNITY), LAW(CIVIL_CODE)},
		{4, 15, 0, VENUE(SCHOOL), LAW(OTHER)}, {5, 18, 7, VENUE(ENTERPRISE), LAW(OTHER)},
		{6, 26, 0, VENUE(SCHOOL), LAW(OTHER)}, {7, 12, 8, VENUE(ORGAN), LAW(CONSTITUTION)},
		{8, 16, 8, VENUE(VILLAGE), LAW(LAND_ADMINISTRATION)},
		{9, 10, 5, VENUE(SCHOOL), LAW(OTHER)},
		{10, 16, 8, VENUE(VILLAGE), LAW(URBAN_RURAL_PLANNING)},
		{11, 9, 0, VENUE(ENTERPRISE), LAW(OTHER)},
		{12, 4, 0, VENUE(COMMUNITY), LAW(CONSTITUTION)}, {12, 20, 6, VENUE(ORGAN), LAW(CIVIL_CODE)},
	};
	const size_t ndesk = (size_t)rnd_range(g, 24, 36), n = 12 + ndesk;
	unsigned *wm = alloc(g, n * sizeof(*wm)), *wc = alloc(g, n * sizeof(*wc));
	uint32_t *mat = alloc(g, n * sizeof(*mat)), *con = alloc(g, n * sizeof(*con));
	for (size_t i = 0; i < n; i++) {
		wm[i] = i < 12 ? (unsigned)rnd_range(g, 350, 900) : (unsigned)rnd_range(g, 40, 180);
		wc[i] = i < 12 ? (unsigned)rnd_range(g, 30, 90) : (unsigned)rnd_range(g, 4, 24);
	}
	uint32_t materials = (uint32_t)rnd_range(g, FIXTURE_MATERIALS_MIN, FIXTURE_MATERIALS_MAX);
	split(g, materials, wm, n, mat);
	split(g, 985, wc, n, con);

	for (size_t i = 0; i < 12; i++) {
		int doy = month_start[acts[i].month - 1] + acts[i].day - 1 +
			  (int)rnd_range(g, -acts[i].jitter, acts[i].jitter);
		Lawtally__V1__Event *e = publicity_event(g, acts[i].venue,
							 at_day(doy, rnd_range(g, 9, 16) * HOUR), 1,
							 mat[i], con[i]);
		e->publicity->law = acts[i].law;
		queue(g, e);
	}
	for (size_t i = 12; i < n; i++) {
		int venue = chance(g, 700) ? VENUE(VILLAGE) : VENUE(COMMUNITY);
		queue(g, publicity_event(g, venue, office(g, (int)rnd_range(g, 0, 365)), 0,
					 mat[i], con[i]));
	}
	int doy = (int)rnd_range(g, 60, 300);
	Lawtally__V1__Event *e = publicity_event(g, VENUE(VILLAGE), office(g, doy), 1,
						 (uint32_t)rnd_range(g, 200, 400),
						 (uint32_t)rnd_range(g, 10, 30));
	retract(g, queue(g, e), "活动因雨取消，误录", 5);
	return materials;
}

/* ---- enforcement ---- */

static const char *const officers[] = {"赵国强", "孙立新", "马俊峰"};

/* device 1..6 records on a handheld (执法记录仪); 0: entered at the office. */
static Lawtally__V1__Event *enforcement_event(struct gen *g, int campaign, int action,
					      int64_t at, int village, int device,
					      const char *case_id)
{
	Lawtally__V1__Event *e = event_new(g, vcode(village), at,
					   device ? str(g, "device-%02d", device) : "office-enforcement",
					   officers[rnd_below(g, 3)]);
	Lawtally__V1__Enforcement *x = alloc(g, sizeof(*x));
	*x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
	x->campaign = campaign;
	x->action = action;
	x->case_id = str(g, "%s", case_id ? case_id : "");
	if (device) {
		x->device_id = str(g, "ZFJLY-%02d", device);
		x->recorded = chance(g, 930);
	} else {
		x->recorded = action == ACTION(HEARING);
	}
	e->body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
	e->enforcement = x;
	return e;
}

/*
 * A case filed leads to a legal review at the office, sometimes a hearing,
 * then a penalty or, more often in the countryside, guidance instead.
 */
static void enforcement_case(struct gen *g, int campaign, int64_t t, int village, int device,
			     unsigned *case_no, int hearing)
{
	const char *case_id = str(g, "ZLZF-2024-%03u", ++*case_no);
	queue(g, enforcement_event(g, campaign, ACTION(CASE_FILED), t, village, device, case_id));
	t = later(g, t, 1, 4);
	queue(g, enforcement_event(g, campaign, ACTION(LEGAL_REVIEW), t, village, 0, case_id));
	if (hearing) {
		t = later(g, t, 5, 10);
		queue(g, enforcement_event(g, campaign, ACTION(HEARING), t, village, 0, case_id));
	}
	int last = chance(g, 650) ? ACTION(PENALTY) : ACTION(GUIDANCE);
	queue(g, enforcement_event(g, campaign, last, later(g, t, 1, 3), village,
				   (int)rnd_range(g, 1, 6), case_id));
}

/*
 * The integrated enforcement team (three people, six recorders): the
 * straw-burning ban patrols around the wheat harvest (late May to June) and
 * the autumn harvest (late September to October), rural revitalization
 * work all year, other matters now and then. One inspection is logged under
 * the wrong campaign, withdrawn and logged again.
 */
static void gen_enforcement(struct gen *g)
{
	static const unsigned straw_w[] = {
		[ACTION(INSPECTION)] = 72, [ACTION(CASE_FILED)] = 4, [ACTION(GUIDANCE)] = 21,
		[ACTION(MEDIATION)] = 3,
	};
	static const unsigned rural_w[] = {
		[ACTION(INSPECTION)] = 40, [ACTION(CASE_FILED)] = 8, [ACTION(GUIDANCE)] = 32,
		[ACTION(MEDIATION)] = 20,
	};
	static const unsigned other_w[] = {[ACTION(INSPECTION)] = 60, [ACTION(GUIDANCE)] = 40};
	static const struct {
		int campaign, first_day, last_day, min, max;
		const unsigned *w;
		size_t nw;
	} plan[] = {
		{CAMPAIGN(STRAW_BURNING), 145, 171, 60, 80, straw_w, NELEM(straw_w)},
		{CAMPAIGN(STRAW_BURNING), 268, 304, 45, 65, straw_w, NELEM(straw_w)},
		{CAMPAIGN(RURAL_REVITALIZATION), 0, 365, 35, 50, rural_w, NELEM(rural_w)},
		{CAMPAIGN(OTHER), 0, 365, 8, 14, other_w, NELEM(other_w)},
	};
	unsigned case_no = 0;
	int hearing_done = 0;
	for (size_t p = 0; p < NELEM(plan); p++) {
		int64_t n = rnd_range(g, plan[p].min, plan[p].max);
		for (int64_t i = 0; i < n; i++) {
			int doy = (int)rnd_range(g, plan[p].first_day, plan[p].last_day);
			/* straw is burnt at dusk: the patrols run into the evening */
			int64_t t = at_day(doy, rnd_range(g, 8 * HOUR, 21 * HOUR));
			int village = rnd_village(g), device = (int)rnd_range(g, 0, 6);
			int action = (int)rnd_weighted(g, plan[p].w, plan[p].nw);
			if (plan[p].campaign == CAMPAIGN(RURAL_REVITALIZATION) && !hearing_done) {
				action = ACTION(CASE_FILED);
				t = at_day((int)rnd_range(g, 30, 200), 10 * HOUR);
			}
			if (action == ACTION(CASE_FILED)) {
				int hearing = plan[p].campaign == CAMPAIGN(RURAL_REVITALIZATION) &&
					      (!hearing_done || chance(g, 150));
				enforcement_case(g, plan[p].campaign, t, village,
						 device ? device : 1, &case_no, hearing);
				hearing_done |= hearing;
			} else {
				queue(g, enforcement_event(g, plan[p].campaign, action, t, village,
							   device, NULL));
			}
		}
	}

	int village = rnd_village(g), device = (int)rnd_range(g, 1, 6);
	int64_t t = at_day((int)rnd_range(g, 150, 165), rnd_range(g, 17, 20) * HOUR);
	Lawtally__V1__Event *e = enforcement_event(g, CAMPAIGN(OTHER), ACTION(INSPECTION), t,
						   village, device, NULL);
	int64_t sent = retract(g, queue_at(g, e, t + 120), "专项类别选错，应为秸秆禁烧", 1);
	e = enforcement_event(g, CAMPAIGN(STRAW_BURNING), ACTION(INSPECTION), t, village, device,
			      NULL);
	queue_at(g, e, sent + 60);
}

/* ---- the township's own work ---- */

/*
 * The office's records of the year that the seed report describes in words
 * (§一, §二 1-6 and 8, §三): a fixed plan, illustrative where the seed gives
 * no number (all but the three people of the enforcement team). Only the
 * ids are drawn, after everything else, so the rest of the stream is the
 * same as before these kinds existed.
 */
static Lawtally__V1__Event *office_event(struct gen *g, int month, int day, const char *source,
					 const char *recorded_by)
{
	int64_t at = at_day(month_start[month - 1] + day - 1, 10 * HOUR);
	Lawtally__V1__Event *e = event_new(g, "", at, source, recorded_by);
	queue_at(g, e, at + 20 * 60);
	return e;
}

static void gen_township_trainings(struct gen *g)
{
	static const struct {
		int month, day, audience;
		uint32_t attendees;
		const char *trainer, *topic;
	} plan[] = {
		{3, 12, AUDIENCE(COMMUNITY_CORRECTION), 9, "公职律师蔺文龙", "社区矫正人员法律知识培训"},
		{6, 18, AUDIENCE(COMMUNITY_CORRECTION), 11, "公职律师蔺文龙", "社区矫正人员法律知识培训"},
		{9, 10, AUDIENCE(COMMUNITY_CORRECTION), 8, "公职律师蔺文龙", "社区矫正人员法律知识培训"},
		{12, 9, AUDIENCE(COMMUNITY_CORRECTION), 10, "公职律师蔺文龙", "社区矫正人员法律知识培训"},
		{2, 27, AUDIENCE(LEADERS), 14, "镇党委书记", "党委理论学习中心组学法：习近平法治思想"},
		{5, 28, AUDIENCE(LEADERS), 13, "镇长", "党委理论学习中心组学法：《行政处罚法》"},
		{8, 27, AUDIENCE(LEADERS), 14, "镇党委书记", "党委理论学习中心组学法：《民法典》"},
		{11, 26, AUDIENCE(LEADERS), 12, "司法所所长", "党委理论学习中心组学法：《信访工作条例》"},
		{4, 23, AUDIENCE(ORGAN_CADRES), 56, "公职律师蔺文龙", "机关干部依法行政培训"},
		{10, 22, AUDIENCE(ORGAN_CADRES), 52, "县司法局", "机关干部法治专题讲座"},
		{3, 26, AUDIENCE(VILLAGE_CADRES), 118, "司法所所长", "村干部法治培训：村务决策与《村民委员会组织法》"},
		{9, 24, AUDIENCE(VILLAGE_CADRES), 122, "公职律师蔺文龙", "村干部法治培训：《土地管理法》"},
		{5, 14, AUDIENCE(ENFORCEMENT_STAFF), 11, "县综合执法局", "执法人员业务培训：执法程序与文书"},
		{9, 3, AUDIENCE(ENFORCEMENT_STAFF), 10, "县综合执法局", "执法人员业务培训：秸秆禁烧执法"},
	};
	for (size_t i = 0; i < NELEM(plan); i++) {
		Lawtally__V1__Event *e = office_event(g, plan[i].month, plan[i].day, "office-judicial",
						      "李建伟");
		Lawtally__V1__Training *t = alloc(g, sizeof(*t));
		*t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
		t->audience = plan[i].audience;
		t->attendees = plan[i].attendees;
		t->trainer = str(g, "%s", plan[i].trainer);
		t->topic = str(g, "%s", plan[i].topic);
		e->body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
		e->training = t;
	}
}

static void gen_documents(struct gen *g)
{
	static const struct { const char *id, *title; int month; } docs[] = {
		{"张政〔2024〕3号", "张良镇秸秆禁烧工作实施办法", 4},
		{"张政〔2024〕7号", "张良镇农村人居环境整治管理办法", 6},
		{"张政〔2024〕12号", "张良镇村规民约修订指导意见", 9},
	};
	static const int steps[] = {DOC(DRAFTED), DOC(REVIEWED), DOC(REGISTERED), DOC(FILED)};
	for (size_t i = 0; i < NELEM(docs); i++)
		for (size_t k = 0; k < NELEM(steps); k++) {
			Lawtally__V1__Event *e = office_event(g, docs[i].month, 3 + 5 * (int)k,
							      "office-party", "张振宇");
			Lawtally__V1__NormativeDocument *d = alloc(g, sizeof(*d));
			*d = (Lawtally__V1__NormativeDocument)LAWTALLY__V1__NORMATIVE_DOCUMENT__INIT;
			d->document_id = str(g, "%s", docs[i].id);
			d->action = steps[k];
			d->title = str(g, "%s", docs[i].title);
			e->body_case = LAWTALLY__V1__EVENT__BODY_DOCUMENT;
			e->document = d;
		}
}

static void gen_decisions(struct gen *g)
{
	static const struct {
		int month, day, category, review, hearing, consulted;
		const char *title;
	} plan[] = {
		{1, 16, DECISION(MAJOR_MATTER), 1, 0, 1, "2024年法治政府建设实施方案"},
		{3, 5, DECISION(LARGE_FUNDS), 1, 0, 0, "秸秆综合利用补助资金使用"},
		{4, 9, DECISION(MAJOR_PROJECT), 1, 1, 1, "镇区污水管网建设项目"},
		{5, 21, DECISION(CADRE_APPOINTMENT), 0, 0, 0, "站办室负责人调整"},
		{6, 25, DECISION(MAJOR_MATTER), 1, 0, 0, "夏季秸秆禁烧工作部署"},
		{8, 13, DECISION(MAJOR_PROJECT), 1, 0, 0, "高标准农田建设项目"},
		{10, 15, DECISION(LARGE_FUNDS), 0, 0, 0, "村级公益事业一事一议奖补资金"},
		{12, 17, DECISION(MAJOR_MATTER), 0, 0, 0, "2025年重点工作安排"},
	};
	for (size_t i = 0; i < NELEM(plan); i++) {
		Lawtally__V1__Event *e = office_event(g, plan[i].month, plan[i].day, "office-party",
						      "张振宇");
		Lawtally__V1__MajorDecision *d = alloc(g, sizeof(*d));
		*d = (Lawtally__V1__MajorDecision)LAWTALLY__V1__MAJOR_DECISION__INIT;
		d->decision_id = str(g, "JC-2024-%02zu", i + 1);
		d->category = plan[i].category;
		d->collective = 1;
		d->legal_review = plan[i].review;
		d->hearing = plan[i].hearing;
		d->public_consultation = plan[i].consulted;
		d->title = str(g, "%s", plan[i].title);
		e->body_case = LAWTALLY__V1__EVENT__BODY_DECISION;
		e->decision = d;
	}
}

static void gen_opinions(struct gen *g)
{
	static const struct { int subject, adviser, n; } plan[] = {
		{SUBJECT(CONTRACT), ADVISER(LEGAL_ADVISER), 6},
		{SUBJECT(DECISION), ADVISER(LEGAL_ADVISER), 5},
		{SUBJECT(DOCUMENT), ADVISER(PUBLIC_LAWYER), 3},
		{SUBJECT(LITIGATION), ADVISER(PUBLIC_LAWYER), 2},
	};
	int k = 0;
	for (size_t i = 0; i < NELEM(plan); i++)
		for (int j = 0; j < plan[i].n; j++, k++) {
			Lawtally__V1__Event *e = office_event(g, 1 + k % 12, 6 + k % 20,
							      "office-judicial", "李建伟");
			Lawtally__V1__LegalOpinion *o = alloc(g, sizeof(*o));
			*o = (Lawtally__V1__LegalOpinion)LAWTALLY__V1__LEGAL_OPINION__INIT;
			o->subject = plan[i].subject;
			o->adviser = plan[i].adviser;
			e->body_case = LAWTALLY__V1__EVENT__BODY_OPINION;
			e->opinion = o;
		}
}

/* Monthly on the website, quarterly on the notice board, now and then on WeChat. */
static void gen_disclosures(struct gen *g)
{
	for (int m = 1; m <= 22; m++) {
		int channel = m <= 12 ? CHANNEL(WEBSITE) : m <= 16 ? CHANNEL(NOTICE_BOARD)
								   : CHANNEL(WECHAT);
		int month = m <= 12 ? m : m <= 16 ? 3 * (m - 12) : 2 * (m - 16);
		static const int contents[] = {CONTENT(DECISION), CONTENT(EXECUTION),
					       CONTENT(MANAGEMENT), CONTENT(RESULT)};
		Lawtally__V1__Event *e = office_event(g, month, 25, "office-party", "张振宇");
		Lawtally__V1__Disclosure *d = alloc(g, sizeof(*d));
		*d = (Lawtally__V1__Disclosure)LAWTALLY__V1__DISCLOSURE__INIT;
		d->content = contents[m % 4];
		d->channel = channel;
		d->items = (uint32_t)(2 + m % 5);
		e->body_case = LAWTALLY__V1__EVENT__BODY_DISCLOSURE;
		e->disclosure = d;
	}
}

static void gen_supervision(struct gen *g)
{
	static const struct {
		int supervisor, month, day, rectified_month;
		const char *leader, *unit, *person;
	} plan[] = {
		{SUPERVISOR(DEPUTIES), 3, 20, 5, "副镇长", "综合执法队", "赵国强"},
		{SUPERVISOR(DEPUTIES), 7, 16, 9, "副镇长", "农业服务中心", "孙立新"},
		{SUPERVISOR(DISCIPLINE), 5, 8, 6, "镇纪委书记", "党政办", "张振宇"},
		{SUPERVISOR(INSPECTION), 6, 12, 10, "镇党委副书记", "司法所", "李建伟"},
		{SUPERVISOR(HIGHER_LEVEL), 8, 6, 11, "镇长", "综合执法队", "马俊峰"},
		{SUPERVISOR(HIGHER_LEVEL), 11, 28, 0, "镇长", "党政办", "张振宇"},
	};
	for (size_t i = 0; i < NELEM(plan); i++) {
		for (int stage = SSTAGE(RECEIVED); stage <= SSTAGE(RECTIFIED); stage++) {
			if (stage == SSTAGE(RECTIFIED) && !plan[i].rectified_month)
				break;
			int month = stage == SSTAGE(RECEIVED) ? plan[i].month : plan[i].rectified_month;
			Lawtally__V1__Event *e = office_event(g, month, plan[i].day, "office-party",
							      "张振宇");
			Lawtally__V1__Supervision *s = alloc(g, sizeof(*s));
			*s = (Lawtally__V1__Supervision)LAWTALLY__V1__SUPERVISION__INIT;
			s->case_id = str(g, "ZG-2024-%02zu", i + 1);
			s->supervisor = plan[i].supervisor;
			s->stage = stage;
			if (stage == SSTAGE(RECEIVED)) {
				s->responsible_leader = str(g, "%s", plan[i].leader);
				s->responsible_unit = str(g, "%s", plan[i].unit);
				s->responsible_person = str(g, "%s", plan[i].person);
				s->deadline = e->occurred_at + 60 * DAY;
			}
			e->body_case = LAWTALLY__V1__EVENT__BODY_SUPERVISION;
			e->supervision = s;
		}
	}
}

/* The three of the team hold certificates; five more hold one and work elsewhere. */
static void gen_staff(struct gen *g)
{
	for (int i = 1; i <= 8; i++) {
		Lawtally__V1__Event *e = office_event(g, 1, 10, "office-enforcement", "赵国强");
		Lawtally__V1__EnforcementStaff *x = alloc(g, sizeof(*x));
		*x = (Lawtally__V1__EnforcementStaff)LAWTALLY__V1__ENFORCEMENT_STAFF__INIT;
		x->staff_id = str(g, "ZF-%02d", i);
		x->certified = 1;
		x->in_team = i <= 3;
		e->body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF;
		e->enforcement_staff = x;
	}
}

static void gen_tasks(struct gen *g)
{
	static const struct {
		int item, month, day, done_month;
		const char *office;
	} plan[] = {
		{ITEM(LEADING_GROUP), 1, 8, 1, "党政办"},
		{ITEM(IMPLEMENTATION_PLAN), 1, 8, 2, "司法所"},
		{ITEM(PUBLICITY_PLAN), 1, 8, 3, "司法所"},
		{ITEM(POWER_LIST), 3, 5, 5, "综合执法队"},
		{ITEM(DUTY_LIST), 3, 5, 11, "党政办"},
		/* the plan for 2025 (§四), laid out in December */
		{ITEM(FIVE_STAR_BRANCH), 12, 26, 0, "组织办"},
		{ITEM(VILLAGE_ELECTION), 12, 26, 0, "组织办"},
		{ITEM(DISCLOSURE_CATALOGUE), 12, 26, 0, "党政办"},
		{ITEM(NEGATIVE_LIST), 12, 26, 0, "党政办"},
	};
	for (size_t i = 0; i < NELEM(plan); i++)
		for (int stage = TSTAGE(PLANNED); stage <= TSTAGE(DONE); stage++) {
			if (stage == TSTAGE(DONE) && !plan[i].done_month)
				break;
			int month = stage == TSTAGE(PLANNED) ? plan[i].month : plan[i].done_month;
			Lawtally__V1__Event *e = office_event(g, month, plan[i].day + 2 * (stage - 1),
							      "office-party", "张振宇");
			Lawtally__V1__Task *t = alloc(g, sizeof(*t));
			*t = (Lawtally__V1__Task)LAWTALLY__V1__TASK__INIT;
			t->task_id = str(g, "RW-2024-%02zu", i + 1);
			t->item = plan[i].item;
			t->stage = stage;
			t->responsible_office = str(g, "%s", plan[i].office);
			e->body_case = LAWTALLY__V1__EVENT__BODY_TASK;
			e->task = t;
		}
}

static void gen_township(struct gen *g)
{
	gen_township_trainings(g);
	gen_documents(g);
	gen_decisions(g);
	gen_opinions(g);
	gen_disclosures(g);
	gen_supervision(g);
	gen_staff(g);
	gen_tasks(g);
}

/* ---- the stream ---- */

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->send != y->send)
		return x->send < y->send ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Flaky village networks: about one event in forty is sent again, minutes
 * to a day later, with the same id; so is one retraction. Events that are
 * withdrawn later are not, so that every retraction follows the only copy
 * of its target.
 */
static void resend_some(struct gen *g)
{
	size_t n = g->n, retraction_sent = 0;
	for (size_t i = 0; i < n; i++) {
		struct pending p = g->p[i];
		int is_retraction = p.e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION;
		if (p.pinned)
			continue;
		if (is_retraction && !retraction_sent) {
			retraction_sent = 1;
			queue_at(g, p.e, p.send + rnd_range(g, 30, HOUR));
		} else if (chance(g, 25)) {
			int64_t delay = chance(g, 200) ? rnd_range(g, 12 * HOUR, DAY)
						       : rnd_range(g, 30, 2 * HOUR);
			queue_at(g, p.e, p.send + delay);
		}
	}
}

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱",
	"胡", "郭", "何", "高", "林", "罗", "段", "贾", "闫", "纪",
};
static const char *const given[] = {
	"秀兰", "桂英", "建国", "建军", "志强", "海燕", "红梅", "国庆", "玉兰", "长青",
	"春花", "永强", "振华", "淑芬", "卫东", "丽娟", "德胜", "金凤", "保国", "小红",
};

void fixture_generate(uint64_t seed, struct fixture *out)
{
	memset(out, 0, sizeof(*out));
	struct gen *g = xcalloc(1, sizeof(*g));
	g->arena = xcalloc(1, sizeof(*g->arena));

	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
	for (int v = 0; v < NVILLAGES; v++) {
		g->village_weight[v] = (unsigned)rnd_range(g, 3, 12);
		g->mediator[v] = str(g, "%s%s",
				     surnames[rnd_below(g, NELEM(surnames))],
				     given[rnd_below(g, NELEM(given))]);
	}

	gen_disputes(g);
	gen_petitions(g);
	gen_lawsuits(g);
	gen_trainings(g);
	uint32_t materials = gen_publicity(g);
	gen_enforcement(g);
	size_t distinct = g->n;
	resend_some(g);
	/* after the re-sends: the draws before are those of the older stream */
	size_t before = g->n;
	gen_township(g);
	distinct += g->n - before;
	qsort(g->p, g->n, sizeof(g->p[0]), pending_cmp);

	Lawtally__V1__Event **events = alloc(g, g->n * sizeof(*events));
	for (size_t i = 0; i < g->n; i++)
		events[i] = g->p[i].e;
	out->n = g->n;
	out->events = events;
	out->n_distinct = distinct;
	out->n_retractions = g->retractions;
	out->materials = materials;
	out->arena = g->arena;
	free(g->p);
	free(g);
}

void fixture_free(struct fixture *f)
{
	arena_destroy(f->arena);
	memset(f, 0, sizeof(*f));
}
