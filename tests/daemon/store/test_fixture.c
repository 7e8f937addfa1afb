/*
 * test_fixture.c - the 2024 acceptance fixture reproduces every figure of
 * the report: by a recount with the pure tally rules, through the real
 * LMDB store (and again after the whole stream is sent a second time), and
 * for other seeds, whose streams differ.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "fixture.h"
#include "store.h"
#include "store_int.h"
#include "tally.h"
#include "validate.h"
#include "villages.h"
#include "xalloc.h"

/* A daemon clock far in the future: every 2024 event is in its past. */

static struct villages villages;

/* ---- figures ---- */

/* Which totals one figure sums, and the sum so far. */
struct figure_sel {
	const struct fixture_figure *fig;
	int metric, dim, value;
	int64_t sum;
};

static void sel_init(struct figure_sel *sel, const struct fixture_figure *fig)
{
	sel->fig = fig;
	sel->metric = tally_metric_by_name(fig->metric);
	assert_true(sel->metric >= 0);
	sel->dim = -1;
	sel->value = -1;
	if (fig->dim) {
		sel->dim = tally_dim_by_name(sel->metric, fig->dim);
		assert_true(sel->dim >= 0);
		sel->value = tally_dim_value(sel->metric, sel->dim, fig->label);
		assert_true(sel->value > 0);
	}
	sel->sum = 0;
}

/* Adds a total of the selected metric if its dimension's label matches. */
static int sel_add(const struct tally_key *k, int64_t value, void *arg)
{
	struct figure_sel *sel = arg;
	if (k->metric != sel->metric || k->year != FIXTURE_YEAR)
		return 0;
	if (sel->dim >= 0) {
		const char *label = tally_dim_label(sel->metric, sel->dim, k->dim[sel->dim]);
		if (!label || strcmp(label, sel->fig->label) != 0)
			return 0;
	}
	sel->sum += value;
	return 0;
}

static void check_figure(const struct figure_sel *sel, const char *where)
{
	const struct fixture_figure *fig = sel->fig;
	if (sel->sum >= fig->min && sel->sum <= fig->max)
		return;
	if (fig->dim)
		print_error("%s: %s{%s=%s} = %lld, expected %lld..%lld (%s)\n", where,
			    fig->metric, fig->dim, fig->label, (long long)sel->sum,
			    (long long)fig->min, (long long)fig->max, fig->report);
	else
		print_error("%s: %s = %lld, expected %lld..%lld (%s)\n", where, fig->metric,
			    (long long)sel->sum, (long long)fig->min, (long long)fig->max,
			    fig->report);
	fail();
}

/* Checks every figure of the table against year totals given as deltas. */
static void check_figures_deltas(const struct tally_deltas *ds, uint32_t materials)
{
	for (size_t i = 0; i < fixture_2024_nfigures; i++) {
		struct figure_sel sel;
		sel_init(&sel, &fixture_2024_figures[i]);
		for (size_t j = 0; j < ds->n; j++)
			sel_add(&ds->d[j].key, ds->d[j].value, &sel);
		check_figure(&sel, "recount");
		if (sel.metric == M_PUBLICITY_MATERIALS)
			assert_int_equal(sel.sum, materials);
	}
}

/* ---- recount with the pure rules ---- */

struct recount_case {
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen, n;
	struct tally_fact facts[TALLY_CASE_FACTS_MAX];
};

struct recount {
	struct recount_case *cases;
	size_t ncases;
	struct tally_fact *singles;
	uint8_t *single_live;
	size_t nsingles;
	uint8_t (*seen)[16];
	size_t nseen;
	size_t duplicates, retracted;
};

static int recount_seen(struct recount *r, const uint8_t id[16])
{
	for (size_t i = 0; i < r->nseen; i++)
		if (memcmp(r->seen[i], id, 16) == 0)
			return 1;
	memcpy(r->seen[r->nseen++], id, 16);
	return 0;
}

static void recount_retract(struct recount *r, const uint8_t id[16])
{
	for (size_t i = 0; i < r->nsingles; i++) {
		if (r->single_live[i] && memcmp(r->singles[i].id, id, 16) == 0) {
			r->single_live[i] = 0;
			r->retracted++;
			return;
		}
	}
	for (size_t i = 0; i < r->ncases; i++) {
		if (tally_facts_remove(r->cases[i].facts, &r->cases[i].n, id) == 0) {
			r->retracted++;
			return;
		}
	}
	fail_msg("a retraction names no earlier live event");
}

static void recount_add(struct recount *r, const Lawtally__V1__Event *e)
{
	struct tally_fact f;
	assert_int_equal(tally_fact_from_event(e, FIXTURE_TZ_OFFSET, &f), 0);
	if (!tally_kind_has_cases(f.kind)) {
		r->singles[r->nsingles] = f;
		r->single_live[r->nsingles++] = 1;
		return;
	}
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen = tally_case_key(e, key), i;
	for (i = 0; i < r->ncases; i++)
		if (r->cases[i].klen == klen && memcmp(r->cases[i].key, key, klen) == 0)
			break;
	if (i == r->ncases) {
		memcpy(r->cases[i].key, key, klen);
		r->cases[i].klen = klen;
		r->cases[i].n = 0;
		r->ncases++;
	}
	assert_int_equal(tally_facts_insert(r->cases[i].facts, &r->cases[i].n, &f), 0);
}

/*
 * What the store must arrive at, computed without it: every event valid,
 * each id counted once, retractions taking their target's fact out, then
 * the contribution of each case and each lone fact, merged.
 */
static void recount(const struct fixture *fx, struct tally_deltas *out, struct recount *r)
{
	memset(r, 0, sizeof(*r));
	r->cases = calloc(fx->n, sizeof(*r->cases));
	r->singles = calloc(fx->n, sizeof(*r->singles));
	r->single_live = calloc(fx->n, 1);
	r->seen = calloc(fx->n, sizeof(*r->seen));
	assert_non_null(r->cases);
	assert_non_null(r->singles);
	assert_non_null(r->single_live);
	assert_non_null(r->seen);

	for (size_t i = 0; i < fx->n; i++) {
		const Lawtally__V1__Event *e = fx->events[i];
		const char *why = validate_event(e, &villages);
		if (why)
			fail_msg("event %zu invalid: %s", i, why);
		assert_true(e->occurred_at >= FIXTURE_YEAR_START);
		assert_true(e->occurred_at < FIXTURE_YEAR_END);
		if (recount_seen(r, e->id.data)) {
			r->duplicates++;
			continue;
		}
		if (e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION)
			recount_retract(r, e->retraction->event_id.data);
		else
			recount_add(r, e);
	}

	out->n = 0;
	for (size_t i = 0; i < r->ncases; i++)
		tally_contrib(r->cases[i].facts, r->cases[i].n, +1, out);
	for (size_t i = 0; i < r->nsingles; i++)
		if (r->single_live[i])
			tally_contrib(&r->singles[i], 1, +1, out);
	tally_deltas_merge(out);
}

static void recount_free(struct recount *r)
{
	free(r->cases);
	free(r->singles);
	free(r->single_live);
	free(r->seen);
	memset(r, 0, sizeof(*r));
}

/* Distinct values of a breakdown among the 2024 totals of metric m. */
static size_t distinct(const struct tally_deltas *ds, enum tally_metric m, int by_month)
{
	uint8_t seen[64][VILLAGE_CODE_MAX];
	size_t n = 0;
	for (size_t i = 0; i < ds->n; i++) {
		const struct tally_key *k = &ds->d[i].key;
		if (k->metric != m || k->year != FIXTURE_YEAR)
			continue;
		uint8_t v[VILLAGE_CODE_MAX] = {0};
		if (by_month)
			v[0] = k->month;
		else
			memcpy(v, k->village, VILLAGE_CODE_MAX);
		size_t j;
		for (j = 0; j < n; j++)
			if (memcmp(seen[j], v, VILLAGE_CODE_MAX) == 0)
				break;
		if (j == n && n < 64)
			memcpy(seen[n++], v, VILLAGE_CODE_MAX);
	}
	return n;
}

static int64_t year_total(const struct tally_deltas *ds, enum tally_metric m)
{
	int64_t sum = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (ds->d[i].key.metric == m && ds->d[i].key.year == FIXTURE_YEAR)
			sum += ds->d[i].value;
	return sum;
}

/* ---- tests ---- */

static int setup(void **state)
{
	(void)state;
	villages_builtin(&villages);
	return 0;
}

/* (a) The pure rules give every figure exactly, for the default seed. */
static void test_recount_figures(void **state)
{
	(void)state;
	struct fixture fx;
	struct tally_deltas ds = {0};
	struct recount r;
	fixture_generate(1, &fx);
	recount(&fx, &ds, &r);
	check_figures_deltas(&ds, fx.materials);

	/* the mess the spec asks for is there */
	assert_true(r.duplicates > 0);
	assert_int_equal(r.duplicates, fx.n - fx.n_distinct);
	assert_true(fx.n_retractions >= 5);
	assert_int_equal(r.retracted, fx.n_retractions);
	recount_free(&r);
	tally_deltas_free(&ds);
	fixture_free(&fx);
}

/* The stream looks like a year of a real township. */
static void test_recount_realism(void **state)
{
	(void)state;
	struct fixture fx;
	struct tally_deltas ds = {0};
	struct recount r;
	fixture_generate(7, &fx);
	recount(&fx, &ds, &r);

	assert_int_equal(distinct(&ds, M_DISPUTES_REGISTERED, 0), 41);
	assert_int_equal(distinct(&ds, M_DISPUTES_REGISTERED, 1), 12);
	assert_int_equal(distinct(&ds, M_DISPUTES_RESOLVED, 1), 12);
	assert_int_equal(distinct(&ds, M_TRAININGS_SESSIONS, 1), 12);
	assert_true(year_total(&ds, M_DISPUTES_REGISTERED) > 326);
	assert_true(year_total(&ds, M_DISPUTES_ESCALATED) > 0);
	assert_true(year_total(&ds, M_DISPUTES_UNRESOLVED) > 0);
	assert_true(year_total(&ds, M_DISPUTES_OPEN) > 0);
	assert_true(year_total(&ds, M_DISPUTES_AGREEMENT_AMOUNT_FEN) > 0);
	assert_in_range(year_total(&ds, M_DISPUTES_PREVENTED_CRIMINAL), 6, 10);
	assert_in_range(year_total(&ds, M_DISPUTES_PREVENTED_GROUP_PETITION), 3, 5);
	assert_true(year_total(&ds, M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE) >= 3 * 6);
	assert_true(year_total(&ds, M_PETITIONS_CONCLUDED) <= 89 - 4);
	assert_true(year_total(&ds, M_ENFORCEMENT_ACTIONS) > 100);
	assert_true(year_total(&ds, M_ENFORCEMENT_RECORDED) > 0);
	assert_true(year_total(&ds, M_ENFORCEMENT_RECORDED) < year_total(&ds, M_ENFORCEMENT_ACTIONS));
	assert_true(year_total(&ds, M_TRAININGS_ATTENDEES) >= 12 * 38);
	assert_true(fx.n > 1000 && fx.n < 5000);

	/* the first and the last second of the year in UTC+08:00 are used */
	int first = 0, last = 0;
	for (size_t i = 0; i < fx.n; i++) {
		first |= fx.events[i]->occurred_at == FIXTURE_YEAR_START;
		last |= fx.events[i]->occurred_at == FIXTURE_YEAR_END - 1;
	}
	assert_true(first && last);
	recount_free(&r);
	tally_deltas_free(&ds);
	fixture_free(&fx);
}

/* (c) Same seed, same bytes; other seeds, other streams, same figures. */
static void test_seeds(void **state)
{
	(void)state;
	struct fixture a, b;
	fixture_generate(1, &a);
	fixture_generate(1, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		size_t la = lawtally__v1__event__get_packed_size(a.events[i]);
		size_t lb = lawtally__v1__event__get_packed_size(b.events[i]);
		assert_int_equal(la, lb);
		uint8_t *pa = malloc(la), *pb = malloc(lb);
		assert_non_null(pa);
		assert_non_null(pb);
		lawtally__v1__event__pack(a.events[i], pa);
		lawtally__v1__event__pack(b.events[i], pb);
		assert_memory_equal(pa, pb, la);
		free(pa);
		free(pb);
	}
	fixture_free(&b);

	for (uint64_t seed = 2; seed < 22; seed++) {
		struct tally_deltas ds = {0};
		struct recount r;
		fixture_generate(seed, &b);
		recount(&b, &ds, &r);
		check_figures_deltas(&ds, b.materials);

		size_t same_id = 0, same_village = 0, n = a.n < b.n ? a.n : b.n;
		for (size_t i = 0; i < n; i++) {
			same_id += memcmp(a.events[i]->id.data, b.events[i]->id.data, 16) == 0;
			same_village += strcmp(a.events[i]->village, b.events[i]->village) == 0;
		}
		assert_int_equal(same_id, 0);
		assert_true(same_village < n / 2);
		recount_free(&r);
		tally_deltas_free(&ds);
		fixture_free(&b);
	}
	fixture_free(&a);
	fixture_free(&a); /* freeing twice is harmless */
}

/* ---- through the store ---- */

/* Sends the whole stream in batches; returns how many got each status. */
static void apply_all(struct store *s, const struct fixture *fx, size_t count[4])
{
	enum { BATCH = 500 };
	struct store_item items[BATCH];
	struct store_result results[BATCH];
	memset(count, 0, 4 * sizeof(count[0]));
	int64_t now = (int64_t)time(NULL);
	for (size_t off = 0; off < fx->n; off += BATCH) {
		size_t n = fx->n - off < BATCH ? fx->n - off : BATCH;
		for (size_t i = 0; i < n; i++) {
			const Lawtally__V1__Event *e = fx->events[off + i];
			items[i] = (struct store_item){e, e->source, now, 0, NULL};
		}
		assert_int_equal(store_apply(s, items, n, results), 0);
		for (size_t i = 0; i < n; i++) {
			assert_true(results[i].status >= 1 && results[i].status <= 3);
			if (results[i].status == STORE_REJECTED)
				print_error("event %zu rejected: %s\n", off + i, results[i].reason);
			count[results[i].status]++;
		}
	}
}

/* Collects every 2024 total of the store as deltas (for comparison). */
static int collect(const struct tally_key *k, int64_t value, void *arg)
{
	struct tally_deltas *ds = arg;
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 256;
		ds->d = xreallocarray(ds->d, cap, sizeof(*ds->d));
		ds->cap = cap;
	}
	ds->d[ds->n++] = (struct tally_delta){*k, value};
	return 0;
}

/*
 * Every figure read the way a query reads it (a scan of the metric's year,
 * filtered by the dimension's label), every other 2024 total against the
 * recount, and the store's own recount (store_verify).
 */
static void check_store(struct store *store, const struct fixture *fx,
			const struct tally_deltas *expect)
{
	struct store_snap snap, *s = &snap;
	assert_int_equal(store_read_begin(store, s), 0);
	for (size_t i = 0; i < fixture_2024_nfigures; i++) {
		struct figure_sel sel;
		sel_init(&sel, &fixture_2024_figures[i]);
		assert_int_equal(store_scan_totals(s, sel.metric, FIXTURE_YEAR, sel_add, &sel), 0);
		check_figure(&sel, "store");
		if (sel.metric == M_PUBLICITY_MATERIALS)
			assert_int_equal(sel.sum, fx->materials);
	}

	struct tally_deltas got = {0};
	for (int m = 0; m < M_COUNT; m++)
		assert_int_equal(store_scan_totals(s, m, FIXTURE_YEAR, collect, &got), 0);
	size_t n_expect = 0;
	for (size_t i = 0; i < expect->n; i++)
		n_expect += expect->d[i].key.year == FIXTURE_YEAR;
	assert_int_equal(got.n, n_expect);
	tally_deltas_merge(&got);
	assert_int_equal(got.n, n_expect);
	for (size_t i = 0, j = 0; i < expect->n; i++) {
		if (expect->d[i].key.year != FIXTURE_YEAR)
			continue;
		uint8_t ka[TALLY_KEY_LEN], kb[TALLY_KEY_LEN];
		tally_key_encode(&expect->d[i].key, ka);
		tally_key_encode(&got.d[j].key, kb);
		assert_memory_equal(ka, kb, TALLY_KEY_LEN);
		assert_int_equal(expect->d[i].value, got.d[j].value);
		j++;
	}
	tally_deltas_free(&got);

	struct store_verify v;
	memset(&v, 0, sizeof(v));
	int rc = store_verify(s, &v);
	store_read_end(s);
	for (size_t i = 0; i < v.nfirst && i < 8; i++)
		print_error("verify: %s\n", v.first[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(v.mismatches, 0);
	assert_int_equal(v.events, fx->n_distinct);
}

/* A store in a fresh temporary directory, removed again by store_teardown. */
struct store_env {
	char dir[64];
	struct store_options opts;
	struct store *s;
	struct fixture fx;
	struct tally_deltas expect;
};

static int store_setup(void **state)
{
	struct store_env *env = calloc(1, sizeof(*env));
	if (!env)
		return -1;
	snprintf(env->dir, sizeof(env->dir), "/tmp/lawtally-fixture-XXXXXX");
	if (!mkdtemp(env->dir)) {
		free(env);
		return -1;
	}
	env->opts = (struct store_options){.dir = env->dir, .tz_offset = FIXTURE_TZ_OFFSET};
	*state = env;
	return 0;
}

/* Closes the store and removes its files (data.mdb, lock.mdb) and directory. */
static int store_teardown(void **state)
{
	struct store_env *env = *state;
	int rc = 0;
	store_close(&env->s);
	DIR *d = opendir(env->dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) != 0)
				rc = -1;
		}
		closedir(d);
	}
	if (rmdir(env->dir) != 0)
		rc = -1;
	tally_deltas_free(&env->expect);
	fixture_free(&env->fx);
	free(env);
	return rc;
}

static void open_store(struct store_env *env)
{
	char err[256] = "";
	int rc = store_open(&env->s, &env->opts, err, sizeof(err));
	if (rc)
		fail_msg("store_open: %s: %s", lt_strerror(rc), err);
}

/* (b) The real store, batches of 500, then the whole stream again. */
static void test_store_figures(void **state)
{
	struct store_env *env = *state;
	struct fixture *fx = &env->fx;
	struct recount r;
	fixture_generate(1, fx);
	recount(fx, &env->expect, &r);
	recount_free(&r);
	open_store(env);

	size_t count[4];
	apply_all(env->s, fx, count);
	assert_int_equal(count[STORE_REJECTED], 0);
	assert_int_equal(count[STORE_ACCEPTED], fx->n_distinct);
	assert_int_equal(count[STORE_DUPLICATE], fx->n - fx->n_distinct);
	check_store(env->s, fx, &env->expect);

	struct store_stats st1, st2;
	struct store_snap snap;
	assert_int_equal(store_read_begin(env->s, &snap), 0);
	assert_int_equal(store_stats(&snap, &st1), 0);
	store_read_end(&snap);
	assert_int_equal(st1.events, fx->n_distinct);

	/* a sender that lost its acks sends everything again: nothing changes */
	apply_all(env->s, fx, count);
	assert_int_equal(count[STORE_DUPLICATE], fx->n);
	check_store(env->s, fx, &env->expect);
	assert_int_equal(store_read_begin(env->s, &snap), 0);
	assert_int_equal(store_stats(&snap, &st2), 0);
	store_read_end(&snap);
	assert_int_equal(st2.events, st1.events);
	assert_int_equal(st2.cases, st1.cases);
	assert_int_equal(st2.totals, st1.totals);

	/* and the totals are durable: reopen and look again */
	store_close(&env->s);
	assert_null(env->s);
	open_store(env);
	check_store(env->s, fx, &env->expect);

	/* the recounts in many passes over the events (a few cases' facts each) */
	size_t pass = store_recount_pass_facts;
	store_recount_pass_facts = 7;
	check_store(env->s, fx, &env->expect);
	store_recount_pass_facts = pass;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recount_figures),
		cmocka_unit_test(test_recount_realism),
		cmocka_unit_test(test_seeds),
		cmocka_unit_test_setup_teardown(test_store_figures, store_setup, store_teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
