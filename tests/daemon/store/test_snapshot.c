/*
 * test_snapshot.c - one read snapshot per answer: a writer thread commits
 * batches while a reader takes answers, and every answer holds an
 * invariant across metrics.
 *
 * Each event the writer stores is a dispute of a case of its own at stage
 * REGISTERED: it adds 1 to disputes.registered and 1 to disputes.open, in
 * the same commit, for its month and village. So in any one commit's view
 * the two metrics are equal, in total, month by month and village by
 * village; an answer that read them from two commits shows them apart.
 * The reader checks that in a query of every metric (query_run) and in the
 * office's figures (store_figures), answer after answer, while commits
 * land. A reader that takes a snapshot per metric is run too, to show that
 * the check does catch answers that mix commits.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "err.h"
#include "figures.h"
#include "query.h"
#include "store.h"
#include "tmpstore.h"

#define TZ 28800
#define JAN_2024 1704110400LL  /* 2024-01-01 20:00 +08:00 */
#define BATCH 16               /* events per commit */
#define BATCHES 300            /* commits under a reader that must see no mix */
#define SPLIT_BATCHES_MAX 5000 /* commits, at most, until a split reader sees a mix */
#define NVILLAGES 7

/* ---- the writer -------------------------------------------------------- */

struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	uint8_t id[16];
	char village[8];
	char case_id[24];
};

/* Event n: a new case registered, its month and village going round. */
static void ev_registered(struct ev *x, uint64_t n)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__dispute__init(&x->d);
	x->id[0] = 0x5A;
	for (int i = 0; i < 8; i++)
		x->id[15 - i] = (uint8_t)(n >> (8 * i));
	snprintf(x->village, sizeof(x->village), "ZL%02u", (unsigned)(n % NVILLAGES + 1));
	snprintf(x->case_id, sizeof(x->case_id), "S-%llu", (unsigned long long)n);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = x->village;
	x->e.occurred_at = JAN_2024 + (int64_t)(n % 12) * 30 * 86400;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	x->e.dispute = &x->d;
	x->d.case_id = x->case_id;
	x->d.category = (Lawtally__V1__Dispute__Category)(1 + n % 5);
	x->d.initiated = LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_PROACTIVE;
	x->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
}

/* Stores batch b (events b * BATCH ..) in one commit. */
static int commit_batch(struct store *s, uint64_t b)
{
	struct ev evs[BATCH];
	struct store_item items[BATCH];
	struct store_result res[BATCH];
	for (size_t i = 0; i < BATCH; i++) {
		ev_registered(&evs[i], b * BATCH + i);
		items[i] = (struct store_item){&evs[i].e, "centre", JAN_2024, 0, NULL};
	}
	int rc = store_apply(s, items, BATCH, res);
	for (size_t i = 0; i < BATCH && !rc; i++)
		if (res[i].status != STORE_ACCEPTED)
			rc = LT_EINVAL;
	return rc;
}

struct commit_arg {
	struct store *s;
	uint64_t b;
	int rc;
};

static void *commit_main(void *arg)
{
	struct commit_arg *c = arg;
	c->rc = commit_batch(c->s, c->b);
	return NULL;
}

/* Batch b, stored by a thread of its own: this one may hold a snapshot (store.h). */
static int commit_aside(struct store *s, uint64_t b)
{
	struct commit_arg c = {s, b, -1};
	pthread_t t;
	if (pthread_create(&t, NULL, commit_main, &c) != 0)
		return LT_ESYS;
	pthread_join(t, NULL);
	return c.rc;
}

struct run {
	struct store *s;
	int split;              /* the reader reads each metric in a snapshot of its own */
	unsigned batches_max;   /* the writer stops after this many commits... */
	int stop_at_mix;        /* ...or once the reader has seen an answer mix commits */
	atomic_int writer_done;
	atomic_ulong mixed;     /* answers that broke the invariant */
	unsigned long committed, answers, changes;
	int writer_rc, reader_rc;
	char first_mix[160];
};

static void *writer_main(void *arg)
{
	struct run *r = arg;
	for (uint64_t b = 0; b < r->batches_max; b++) {
		if (r->stop_at_mix && atomic_load(&r->mixed) > 0)
			break;
		if ((r->writer_rc = commit_batch(r->s, b)) != 0)
			break;
		r->committed++;
	}
	atomic_store(&r->writer_done, 1);
	return NULL;
}

/* ---- the reader -------------------------------------------------------- */

/* One answer's figures of disputes.registered and disputes.open. */
struct answer {
	int64_t total[2];
	int64_t by_month[2][13];
	int64_t by_village[2][NVILLAGES + 1];
	int64_t fig_total[2], fig_month[2][13];
};

static int village_index(const char *code)
{
	return code[0] == 'Z' && code[1] == 'L' ? atoi(code + 2) : 0;
}

/* Folds query rows of the two metrics into a. */
static void take_rows(struct answer *a, const struct query_spec *spec,
		      const struct query_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		const struct query_row *row = &rows->r[i];
		int m = row->metric == M_DISPUTES_REGISTERED ? 0
			: row->metric == M_DISPUTES_OPEN  ? 1
							  : -1;
		if (m < 0)
			continue;
		if (spec->by == BY_NONE)
			a->total[m] += row->value;
		else if (spec->by == BY_MONTH && row->month >= 1 && row->month <= 12)
			a->by_month[m][row->month] += row->value;
		else if (spec->by == BY_VILLAGE && village_index(row->village) <= NVILLAGES)
			a->by_village[m][village_index(row->village)] += row->value;
	}
}

/*
 * Runs the three queries of an answer (every metric; by month; by
 * village) and the office's figures of 2024, all in snap, or with split
 * each metric's in a snapshot of its own.
 */
static int read_answer(struct store *s, int split, struct query_rows *rows, struct answer *a)
{
	static const enum query_by bys[] = {BY_NONE, BY_MONTH, BY_VILLAGE};
	struct store_snap snap;
	memset(a, 0, sizeof(*a));
	int rc = store_read_begin(s, &snap);
	for (size_t b = 0; b < sizeof(bys) / sizeof(bys[0]) && !rc; b++) {
		struct query_spec spec = {.metric = -1, .year = 2024, .by = bys[b]};
		if (!split) {
			rc = query_run(&snap, &spec, rows);
			if (!rc)
				take_rows(a, &spec, rows);
			continue;
		}
		/* two snapshots: registered from the one begun above, open from a new one */
		spec.metric = M_DISPUTES_REGISTERED;
		rc = query_run(&snap, &spec, rows);
		if (!rc)
			take_rows(a, &spec, rows);
		store_read_end(&snap);
		spec.metric = M_DISPUTES_OPEN;
		if (!rc && !(rc = store_read_begin(s, &snap)))
			rc = query_run(&snap, &spec, rows);
		if (!rc)
			take_rows(a, &spec, rows);
	}
	struct figures f = {0};
	if (!rc)
		rc = store_figures(&snap, 2024, 2024, &f);
	store_read_end(&snap);
	for (int m = 0; m < 2 && !rc; m++) {
		struct figures_sel sel =
			figures_sel_all(m ? M_DISPUTES_OPEN : M_DISPUTES_REGISTERED, 2024);
		a->fig_total[m] = figures_sum(&f, &sel);
		for (int mo = 1; mo <= 12; mo++) {
			sel.month_min = sel.month_max = (uint8_t)mo;
			a->fig_month[m][mo] = figures_sum(&f, &sel);
		}
	}
	figures_free(&f);
	return rc;
}

/* Where the answer breaks the invariant, or NULL. */
static const char *mix_in(const struct answer *a, char *buf, size_t len)
{
	if (a->total[0] != a->total[1])
		snprintf(buf, len, "query: registered %lld, open %lld", (long long)a->total[0],
			 (long long)a->total[1]);
	else if (a->fig_total[0] != a->fig_total[1])
		snprintf(buf, len, "figures: registered %lld, open %lld",
			 (long long)a->fig_total[0], (long long)a->fig_total[1]);
	else if (a->fig_total[0] != a->total[0])
		snprintf(buf, len, "figures %lld, query %lld", (long long)a->fig_total[0],
			 (long long)a->total[0]);
	else
		buf[0] = '\0';
	for (int mo = 1; mo <= 12 && !buf[0]; mo++)
		if (a->by_month[0][mo] != a->by_month[1][mo] ||
		    a->fig_month[0][mo] != a->fig_month[1][mo] ||
		    a->by_month[0][mo] != a->fig_month[0][mo])
			snprintf(buf, len, "month %d: registered %lld / %lld, open %lld / %lld", mo,
				 (long long)a->by_month[0][mo], (long long)a->fig_month[0][mo],
				 (long long)a->by_month[1][mo], (long long)a->fig_month[1][mo]);
	for (int v = 1; v <= NVILLAGES && !buf[0]; v++)
		if (a->by_village[0][v] != a->by_village[1][v])
			snprintf(buf, len, "village %d: registered %lld, open %lld", v,
				 (long long)a->by_village[0][v], (long long)a->by_village[1][v]);
	return buf[0] ? buf : NULL;
}

/* Takes answers until the writer is done, one more after that. */
static void *reader_main(void *arg)
{
	struct run *r = arg;
	struct query_rows rows = {0};
	int64_t last = -1;
	for (int last_round = 0; !r->reader_rc;) {
		last_round = atomic_load(&r->writer_done);
		struct answer a;
		char why[160];
		if ((r->reader_rc = read_answer(r->s, r->split, &rows, &a)) != 0)
			break;
		r->answers++;
		if (mix_in(&a, why, sizeof(why)) && atomic_fetch_add(&r->mixed, 1) == 0)
			snprintf(r->first_mix, sizeof(r->first_mix), "%s", why);
		if (a.total[0] != last)
			r->changes++;
		last = a.total[0];
		if (last_round)
			break;
	}
	query_rows_free(&rows);
	return NULL;
}

static void run_both(struct run *r)
{
	pthread_t w, rd;
	assert_int_equal(pthread_create(&rd, NULL, reader_main, r), 0);
	assert_int_equal(pthread_create(&w, NULL, writer_main, r), 0);
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	assert_int_equal(r->writer_rc, 0);
	assert_int_equal(r->reader_rc, 0);
}

/* ---- tests ------------------------------------------------------------- */

/* A snapshot keeps its commit while others land; the next one sees them. */
static void test_snapshot_holds_its_commit(void **state)
{
	struct tmpstore *f = *state;
	struct query_rows rows = {0};
	struct answer a;
	char why[160];
	assert_int_equal(commit_batch(f->s, 0), 0);
	struct store_snap before;
	assert_int_equal(store_read_begin(f->s, &before), 0);
	assert_int_equal(commit_aside(f->s, 1), 0);
	struct query_spec spec = {.metric = M_DISPUTES_REGISTERED, .year = 2024, .by = BY_NONE};
	assert_int_equal(query_run(&before, &spec, &rows), 0);
	assert_int_equal(rows.n, 1);
	assert_int_equal(rows.r[0].value, BATCH);
	struct store_stats st;
	assert_int_equal(store_stats(&before, &st), 0);
	assert_int_equal(st.events, BATCH);
	store_read_end(&before);
	store_read_end(&before); /* ending twice is harmless */
	assert_int_equal(query_run(&before, &spec, &rows), LT_EINVAL);

	assert_int_equal(read_answer(f->s, 0, &rows, &a), 0);
	assert_null(mix_in(&a, why, sizeof(why)));
	assert_int_equal(a.total[0], 2 * BATCH);
	assert_int_equal(a.total[1], 2 * BATCH);
	assert_int_equal(a.fig_total[1], 2 * BATCH);
	int64_t months = 0;
	for (int mo = 1; mo <= 12; mo++)
		months += a.by_month[1][mo];
	assert_int_equal(months, 2 * BATCH);
	query_rows_free(&rows);
}

struct other_arg {
	struct store *s;
	int64_t open;
	int rc;
};

/* Another thread's snapshot, begun while this one's is open, after a commit. */
static void *other_main(void *arg)
{
	struct other_arg *o = arg;
	struct query_rows rows = {0};
	struct query_spec spec = {.metric = M_DISPUTES_OPEN, .year = 2024, .by = BY_NONE};
	struct store_snap two;
	o->rc = store_read_begin(o->s, &two);
	if (!o->rc)
		o->rc = query_run(&two, &spec, &rows);
	if (!o->rc)
		o->open = rows.r[0].value;
	store_read_end(&two);
	query_rows_free(&rows);
	return NULL;
}

/* Two threads' snapshots open at once each see their own commit. */
static void test_two_open_snapshots(void **state)
{
	struct tmpstore *f = *state;
	struct query_rows rows = {0};
	struct query_spec spec = {.metric = M_DISPUTES_OPEN, .year = 2024, .by = BY_NONE};
	struct store_snap one;
	struct other_arg other = {f->s, -1, -1};
	pthread_t t;
	assert_int_equal(store_read_begin(f->s, &one), 0);
	assert_int_equal(commit_aside(f->s, 0), 0);
	assert_int_equal(pthread_create(&t, NULL, other_main, &other), 0);
	pthread_join(t, NULL);
	assert_int_equal(other.rc, 0);
	assert_int_equal(other.open, BATCH);
	assert_int_equal(query_run(&one, &spec, &rows), 0);
	assert_int_equal(rows.r[0].value, 0);
	store_read_end(&one);
	/* the kept transaction is free again: the next snapshot sees the commit */
	assert_int_equal(store_read_begin(f->s, &one), 0);
	assert_int_equal(query_run(&one, &spec, &rows), 0);
	assert_int_equal(rows.r[0].value, BATCH);
	store_read_end(&one);
	query_rows_free(&rows);
}

/* Every answer taken while commits land holds the invariant. */
static void test_answers_under_commits(void **state)
{
	struct tmpstore *f = *state;
	struct run r = {.s = f->s, .batches_max = BATCHES};
	run_both(&r);
	if (atomic_load(&r.mixed))
		fail_msg("%lu of %lu answers mixed commits; the first: %s", atomic_load(&r.mixed),
			 r.answers, r.first_mix);
	assert_int_equal(r.committed, BATCHES);
	/* the answers were taken while the totals moved, not before or after */
	print_message("%lu answers over %lu commits, %lu distinct totals seen\n", r.answers,
		      r.committed, r.changes);
	assert_true(r.changes >= 3);
	struct answer a;
	struct query_rows rows = {0};
	char why[160];
	assert_int_equal(read_answer(f->s, 0, &rows, &a), 0);
	assert_null(mix_in(&a, why, sizeof(why)));
	assert_int_equal(a.total[0], BATCHES * BATCH);
	query_rows_free(&rows);
}

/* The same reader with a snapshot per metric: some answer mixes two commits. */
static void test_split_reader_is_caught(void **state)
{
	struct tmpstore *f = *state;
	struct run r = {.s = f->s, .split = 1, .batches_max = SPLIT_BATCHES_MAX, .stop_at_mix = 1};
	run_both(&r);
	print_message("a split reader mixed commits in %lu of %lu answers over %lu commits "
		      "(the first: %s)\n", atomic_load(&r.mixed), r.answers, r.committed,
		      r.first_mix);
	assert_true(atomic_load(&r.mixed) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_holds_its_commit, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_two_open_snapshots, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_answers_under_commits, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_split_reader_is_caught, tmpstore_setup, tmpstore_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
