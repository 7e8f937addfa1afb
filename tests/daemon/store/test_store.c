/*
 * test_store.c - the LMDB store: exactly-once totals, dedupe across reopen,
 * batch atomicity under injected failures, map growth, retractions, and a
 * recount that equals the live totals after 100,000 random events; ids
 * unique per scope; backups,
 * a maximum map size raised live, and files cut short.
 *
 * Failures are injected into the real LMDB calls with the linker's --wrap
 * (see the Makefile): fail_put_at / fail_commit_with below.
 */
#include <errno.h>
#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "query.h"
#include "rawstore.h"
#include "record.h"
#include "store.h"
#include "tally.h"
#include "tmpstore.h"

/* ---- failure injection ------------------------------------------------ */

static long put_calls, fail_put_at = -1; /* fail the Nth mdb_put or mdb_cursor_put (0-based) */
static int fail_put_rc = EIO;
static int fail_commit_rc;               /* non-zero: the next commit fails */

int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);
int __real_mdb_cursor_put(MDB_cursor *c, MDB_val *k, MDB_val *v, unsigned flags);
int __wrap_mdb_cursor_put(MDB_cursor *c, MDB_val *k, MDB_val *v, unsigned flags);
int __real_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);

int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags)
{
	if (fail_put_at >= 0 && put_calls++ == fail_put_at) {
		fail_put_at = -1;
		return fail_put_rc;
	}
	return __real_mdb_put(txn, dbi, k, v, flags);
}

int __wrap_mdb_cursor_put(MDB_cursor *c, MDB_val *k, MDB_val *v, unsigned flags)
{
	if (fail_put_at >= 0 && put_calls++ == fail_put_at) {
		fail_put_at = -1;
		return fail_put_rc;
	}
	return __real_mdb_cursor_put(c, k, v, flags);
}

int __wrap_mdb_txn_commit(MDB_txn *txn)
{
	if (fail_commit_rc) {
		int rc = fail_commit_rc;
		fail_commit_rc = 0;
		mdb_txn_abort(txn); /* a failed commit frees the transaction */
		return rc;
	}
	return __real_mdb_txn_commit(txn);
}

/* ---- helpers ------------------------------------------------------------ */

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 */

/* An event with its bodies inline, so tests can build them on the stack. */
struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Training t;
	Lawtally__V1__Retraction r;
	uint8_t id[16];
	uint8_t target[16];
	char village[9];
	char case_id[32];
	char scope[80];
};

static void make_id(uint8_t id[16], uint64_t n)
{
	memset(id, 0, 16);
	for (int i = 0; i < 8; i++)
		id[15 - i] = (uint8_t)(n >> (8 * i));
	id[0] = 0xA5;
}

static void ev_dispute(struct ev *x, uint64_t id, const char *village, const char *case_id,
		       int stage, int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__dispute__init(&x->d);
	make_id(x->id, id);
	snprintf(x->village, sizeof(x->village), "%s", village);
	snprintf(x->case_id, sizeof(x->case_id), "%s", case_id);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = x->village;
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	x->e.dispute = &x->d;
	x->d.case_id = x->case_id;
	x->d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
	x->d.stage = stage;
}

static void ev_training(struct ev *x, uint64_t id, const char *village, uint32_t attendees,
			int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__training__init(&x->t);
	make_id(x->id, id);
	snprintf(x->village, sizeof(x->village), "%s", village);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = x->village;
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	x->e.training = &x->t;
	x->t.attendees = attendees;
}

/* A retraction of the event with id target in scope (as retraction.scope writes it). */
static void ev_retract(struct ev *x, uint64_t id, uint64_t target, const char *scope, int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__retraction__init(&x->r);
	make_id(x->id, id);
	make_id(x->target, target);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = x->village;
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	x->e.retraction = &x->r;
	x->r.event_id = (ProtobufCBinaryData){16, x->target};
	x->r.reason = "entered twice by mistake";
	snprintf(x->scope, sizeof(x->scope), "%s", scope);
	x->r.scope = x->scope;
}

/* Applies evs[0..n) as one batch; returns store_apply's code. */
static int apply(struct store *s, struct ev *evs, size_t n, struct store_result *res)
{
	struct store_item items[64];
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++)
		items[i] = (struct store_item){&evs[i].e, "centre-ZL07", T2024, 0, NULL};
	return store_apply(s, items, n, res);
}

struct sum_arg {
	int village_set;
	char village[VILLAGE_CODE_MAX];
	int64_t sum;
};

static int sum_fn(const struct tally_key *k, int64_t v, void *arg)
{
	struct sum_arg *a = arg;
	if (!a->village_set || memcmp(k->village, a->village, VILLAGE_CODE_MAX) == 0)
		a->sum += v;
	return 0;
}

/* The store's read functions, each in a read snapshot of its own. */
static struct store_snap snap_begin(struct store *s)
{
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	return sn;
}

static int scan_totals(struct store *s, enum tally_metric m, uint16_t year, store_total_fn fn,
		       void *arg)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_scan_totals(&sn, m, year, fn, arg);
	store_read_end(&sn);
	return rc;
}

static int stats(struct store *s, struct store_stats *st)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_stats(&sn, st);
	store_read_end(&sn);
	return rc;
}

static int verify(struct store *s, struct store_verify *v)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_verify(&sn, v);
	store_read_end(&sn);
	return rc;
}

static int64_t total(struct store *s, enum tally_metric m, uint16_t year)
{
	struct sum_arg a = {0};
	assert_int_equal(scan_totals(s, m, year, sum_fn, &a), 0);
	return a.sum;
}

static uint64_t nevents(struct store *s)
{
	struct store_stats st;
	assert_int_equal(stats(s, &st), 0);
	return st.events;
}

static void assert_verified(struct store *s)
{
	struct store_verify v;
	int rc = verify(s, &v);
	for (size_t i = 0; i < v.nfirst; i++)
		print_message("verify: %s\n", v.first[i]);
	assert_int_equal(rc, 0);
}

/* ---- queries: rollups answer as the totals do ------------------------- */

static int fold_fn(const struct tally_key *k, int64_t value, void *arg)
{
	void **a = arg;
	query_rows_add(a[0], a[1], k, value);
	return 0;
}

/* What query_run answers, computed from the totals alone. */
static void query_from_totals(struct store *s, const struct query_spec *spec,
			      struct query_rows *rows)
{
	void *a[2] = {rows, (void *)spec};
	query_rows_reset(rows);
	for (int m = 0; m < M_COUNT; m++) {
		if (!query_selects(spec, m))
			continue;
		size_t before = rows->n;
		assert_int_equal(scan_totals(s, m, spec->year, fold_fn, a), 0);
		if (spec->by == BY_NONE && rows->n == before) {
			/* no total of m: its row says 0, in the village asked for if any */
			struct tally_key zero = {.metric = (uint8_t)m};
			memcpy(zero.village, spec->village, strlen(spec->village));
			query_rows_add(rows, spec, &zero, 0);
		}
		size_t out = before;
		for (size_t i = before; i < rows->n; i++)
			if (rows->r[i].value != 0 || spec->by == BY_NONE)
				rows->r[out++] = rows->r[i];
		rows->n = out;
	}
	query_rows_sort(rows);
}

/* Every kind of query of years 2022-2024 gives the same rows both ways. */
static void assert_queries_match_totals(struct store *s)
{
	static const char *const bys[] = {"", "month", "village", "category", "origin", "kind"};
	static const char *const metrics[] = {"", "disputes.registered", "petitions.received",
					      "lawsuits.filed"};
	struct query_rows got = {0}, want = {0};
	size_t compared = 0;
	for (unsigned year = 2022; year <= 2024; year++)
		for (size_t b = 0; b < sizeof(bys) / sizeof(bys[0]); b++)
			for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++)
				for (int filt = 0; filt < 2; filt++) {
					struct query_spec spec;
					const char *why;
					if (query_spec_parse(&spec, year, metrics[m], bys[b], NULL, NULL,
							     &why))
						continue; /* a dimension this metric has not */
					if (filt)
						snprintf(spec.village, sizeof(spec.village), "ZL07");
					struct store_snap sn = snap_begin(s);
					assert_int_equal(query_run(&sn, &spec, &got), 0);
					store_read_end(&sn);
					query_from_totals(s, &spec, &want);
					assert_int_equal(got.n, want.n);
					for (size_t i = 0; i < got.n; i++) {
						assert_int_equal(got.r[i].metric, want.r[i].metric);
						assert_int_equal(got.r[i].month, want.r[i].month);
						assert_int_equal(got.r[i].dim, want.r[i].dim);
						assert_string_equal(got.r[i].village, want.r[i].village);
						assert_int_equal(got.r[i].value, want.r[i].value);
					}
					compared += got.n;
				}
	assert_true(compared > 1000);
	query_rows_free(&got);
	query_rows_free(&want);
}

/* ---- tests ------------------------------------------------------------- */

static void test_accept_and_duplicate_in_batch(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[3];
	struct store_result r[3];
	ev_dispute(&e[0], 1, "ZL07", "C1", LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024);
	ev_dispute(&e[1], 2, "ZL07", "C1", LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED, T2024 + 60);
	e[2] = e[1];
	e[2].e.id.data = e[2].id;
	e[2].e.dispute = &e[2].d;
	e[2].d.case_id = e[2].case_id;
	assert_int_equal(apply(f->s, e, 3, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(r[1].status, STORE_ACCEPTED);
	assert_int_equal(r[2].status, STORE_DUPLICATE);
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_OPEN, 2024), 0);
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2023), 0);
	assert_int_equal(nevents(f->s), 2);
	assert_verified(f->s);
}

static void test_dedupe_across_reopen(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[2];
	struct store_result r[2];
	ev_training(&e[0], 10, "ZL01", 30, T2024);
	ev_training(&e[1], 11, "ZL02", 25, T2024);
	assert_int_equal(apply(f->s, e, 2, r), 0);
	store_close(&f->s);
	assert_null(f->s);
	tmpstore_open_sized(f, 0, 0);
	assert_int_equal(apply(f->s, e, 2, r), 0);
	assert_int_equal(r[0].status, STORE_DUPLICATE);
	assert_int_equal(r[1].status, STORE_DUPLICATE);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 2);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2024), 55);
	assert_int_equal(nevents(f->s), 2);
}

/* The sessions of the as-of recount received by at, in 2024. */
static int64_t asof_sessions(struct store *s, int64_t at)
{
	struct tally_deltas d = {0};
	int64_t n = 0;
	tally_deltas_reset(&d);
	struct store_snap sn = snap_begin(s);
	assert_int_equal(store_recount_asof(&sn, at, &d), 0);
	store_read_end(&sn);
	for (size_t i = 0; i < d.n; i++)
		if (d.d[i].key.metric == M_TRAININGS_SESSIONS && d.d[i].key.year == 2024)
			n += d.d[i].value;
	tally_deltas_free(&d);
	return n;
}

/*
 * An id is unique within its scope: the same 16 bytes in two villages, two
 * devices and the township are five events; a re-send is a duplicate in
 * its own scope only; a retraction withdraws the event of the scope it
 * names, and its own id lives in that scope; the as-of recount keeps them
 * apart too.
 */
static void test_ids_per_scope(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[5];
	struct store_result r[5];
	Lawtally__V1__Enforcement x[2];
	Lawtally__V1__Publicity pub;
	ev_training(&e[0], 1, "ZL07", 5, T2024);
	ev_training(&e[1], 1, "ZL08", 7, T2024);
	for (int i = 0; i < 2; i++) {
		ev_training(&e[2 + i], 1, "ZL07", 0, T2024);
		lawtally__v1__enforcement__init(&x[i]);
		x[i].campaign = LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_OTHER;
		x[i].action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
		x[i].device_id = i ? "cam-01" : "";
		e[2 + i].e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
		e[2 + i].e.enforcement = &x[i];
	}
	ev_training(&e[4], 1, "ZL07", 0, T2024); /* the office's, in ZL07: the township's scope */
	lawtally__v1__publicity__init(&pub);
	pub.venue = LAWTALLY__V1__PUBLICITY__VENUE__VENUE_SCHOOL;
	pub.materials = 40;
	e[4].e.body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
	e[4].e.publicity = &pub;
	assert_int_equal(apply(f->s, e, 5, r), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r[i].status, STORE_ACCEPTED);
	assert_int_equal(apply(f->s, e, 5, r), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r[i].status, STORE_DUPLICATE);
	assert_int_equal(nevents(f->s), 5);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2024), 12);
	assert_int_equal(total(f->s, M_ENFORCEMENT_ACTIONS, 2024), 2);
	assert_int_equal(total(f->s, M_PUBLICITY_MATERIALS, 2024), 40);

	/* ZL07 withdraws its event 1: ZL08's event 1 stays */
	struct ev rt[4];
	ev_retract(&rt[0], 2, 1, "village:ZL07", T2024 + 10);
	ev_retract(&rt[1], 3, 1, "device:cam-02", T2024 + 10); /* no such event there */
	ev_retract(&rt[2], 3, 1, "device:cam-01", T2024 + 10);
	ev_retract(&rt[3], 2, 1, "village:ZL07", T2024 + 10); /* the same retraction again */
	assert_int_equal(apply(f->s, rt, 4, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(r[1].status, STORE_REJECTED);
	assert_string_equal(r[1].reason, "retraction.event_id: no stored event has this id in the "
					 "scope retraction.scope names");
	assert_int_equal(r[2].status, STORE_ACCEPTED); /* id 3 was refused in cam-02's scope */
	assert_int_equal(r[3].status, STORE_DUPLICATE);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 1);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2024), 7);
	assert_int_equal(total(f->s, M_ENFORCEMENT_ACTIONS, 2024), 1);
	/* the as-of recount withdraws ZL07's event 1 only, from when it was withdrawn */
	assert_int_equal(asof_sessions(f->s, T2024 + 100), 1);
	/* a retraction id 2 in ZL08's scope is another event: it withdraws ZL08's 1 */
	ev_retract(&rt[0], 2, 1, "village:ZL08", T2024 + 20);
	assert_int_equal(apply(f->s, rt, 1, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 0);
	assert_int_equal(asof_sessions(f->s, T2024 + 100), 0);
	assert_int_equal(nevents(f->s), 8);
	assert_verified(f->s);
}

/* A failure at any put of a batch, or at commit, leaves nothing behind. */
static void test_batch_atomic(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[4];
	struct store_result r[4];
	ev_training(&e[0], 20, "ZL03", 10, T2024);
	ev_dispute(&e[1], 21, "ZL03", "A", LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024);
	ev_dispute(&e[2], 22, "ZL03", "A", LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED, T2024 + 1);
	ev_retract(&e[3], 23, 20, "village:ZL03", T2024 + 2);
	for (long at = 0; at < 12; at++) {
		put_calls = 0;
		fail_put_at = at;
		int rc = apply(f->s, e, 4, r);
		if (fail_put_at >= 0) { /* fewer puts than at: the batch went through */
			fail_put_at = -1;
			fail_msg("batch needed only %ld puts", put_calls);
		}
		assert_int_equal(rc, LT_EIO);
		assert_int_equal(nevents(f->s), 0);
		assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 0);
		assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 0);
	}
	fail_commit_rc = EIO;
	assert_int_equal(apply(f->s, e, 4, r), LT_EIO);
	assert_int_equal(nevents(f->s), 0);
	fail_commit_rc = ENOSPC;
	assert_int_equal(apply(f->s, e, 4, r), LT_EFULL);
	assert_int_equal(nevents(f->s), 0);
	/* and the same batch then goes through whole */
	assert_int_equal(apply(f->s, e, 4, r), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(r[i].status, STORE_ACCEPTED);
	assert_int_equal(nevents(f->s), 4);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 0); /* retracted */
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 1);
	assert_verified(f->s);
}

/* Applies evs[0..n) as one batch worked out ahead (store_prepare), as ingest does. */
static int apply_prepared(struct store *s, struct ev *evs, size_t n, struct store_result *res)
{
	struct store_item items[64];
	struct store_prep prep[64];
	struct tally_deltas counted = {0};
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		items[i] = (struct store_item){&evs[i].e, "centre-ZL07", T2024, 0, NULL};
		store_prepare(s, &evs[i].e, &prep[i], &counted);
	}
	tally_deltas_merge(&counted);
	int rc = store_apply_prepared(s, items, NULL, prep, &counted, n, res);
	tally_deltas_free(&counted);
	return rc;
}

/*
 * A batch worked out ahead on the loop thread stores what the same batch
 * applied whole does: a fact counted ahead is taken back out when its
 * event is a duplicate, in the batch or of one stored before; cases and
 * retractions are worked out in the batch.
 */
static void test_prepared(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[7];
	struct store_result r[7];
	int reg = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
	int res = LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED;
	ev_training(&e[0], 60, "ZL03", 10, T2024);
	assert_int_equal(apply_prepared(f->s, e, 1, r), 0);
	ev_training(&e[1], 61, "ZL03", 7, T2024);
	e[2] = e[1]; /* the same event twice in the batch */
	e[2].e.id = (ProtobufCBinaryData){16, e[2].id};
	e[2].e.village = e[2].village;
	e[2].e.training = &e[2].t;
	ev_dispute(&e[3], 62, "ZL03", "Q", reg, T2024);
	ev_dispute(&e[4], 63, "ZL03", "Q", res, T2024 + 1);
	ev_retract(&e[5], 64, 61, "village:ZL03", T2024 + 2);
	assert_int_equal(apply_prepared(f->s, e, 6, r), 0); /* e[0] again: stored before */
	assert_int_equal(r[0].status, STORE_DUPLICATE);
	assert_int_equal(r[1].status, STORE_ACCEPTED);
	assert_int_equal(r[2].status, STORE_DUPLICATE);
	assert_int_equal(r[3].status, STORE_ACCEPTED);
	assert_int_equal(r[4].status, STORE_ACCEPTED);
	assert_int_equal(r[5].status, STORE_ACCEPTED);
	/* e[0] once; e[1] counted ahead and withdrawn in the same batch */
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 1);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2024), 10);
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_OPEN, 2024), 0);
	assert_int_equal(nevents(f->s), 5);
	assert_verified(f->s); /* the recount from the stored events agrees */
}

static void test_retractions(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[6];
	struct store_result r[6];
	int reg = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
	int res = LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED;
	ev_dispute(&e[0], 30, "ZL05", "K", reg, T2024);
	ev_dispute(&e[1], 31, "ZL05", "K", res, T2024 + 100);
	ev_retract(&e[2], 32, 31, "village:ZL05", T2024 + 200); /* same batch as its target */
	ev_retract(&e[3], 33, 999, "village:ZL05", T2024);      /* unknown */
	ev_retract(&e[4], 34, 31, "village:ZL05", T2024 + 300); /* twice */
	ev_retract(&e[5], 35, 32, "village:ZL05", T2024 + 300); /* a retraction */
	assert_int_equal(apply(f->s, e, 6, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(r[1].status, STORE_ACCEPTED);
	assert_int_equal(r[2].status, STORE_ACCEPTED);
	assert_int_equal(r[3].status, STORE_REJECTED);
	assert_string_equal(r[3].reason, "retraction.event_id: no stored event has this id in the "
					 "scope retraction.scope names");
	assert_int_equal(r[4].status, STORE_REJECTED);
	assert_string_equal(r[4].reason, "retraction.event_id: the event is already retracted");
	assert_int_equal(r[5].status, STORE_REJECTED);
	assert_string_equal(r[5].reason, "retraction.event_id: a retraction cannot be retracted");
	/* the case is registered and open again, not resolved */
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 0);
	assert_int_equal(total(f->s, M_DISPUTES_OPEN, 2024), 1);
	assert_int_equal(nevents(f->s), 3);
	/* rejected events were not stored: a fixed retraction may be re-sent */
	ev_retract(&e[3], 33, 30, "village:ZL05", T2024);
	assert_int_equal(apply(f->s, &e[3], 1, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), 0);
	assert_int_equal(total(f->s, M_DISPUTES_OPEN, 2024), 0);
	struct store_stats st;
	assert_int_equal(stats(f->s, &st), 0);
	assert_int_equal(st.cases, 0);  /* a case with no events left is gone */
	assert_int_equal(st.totals, 0); /* zero totals are deleted */
	assert_verified(f->s);
}

/* With own_only (auth on, not an office key) a sender retracts its own events only. */
static void test_retract_own_only(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[5];
	struct store_item it[3];
	struct store_result r[3];
	ev_training(&e[0], 40, "ZL07", 5, T2024);
	ev_training(&e[1], 41, "ZL08", 6, T2024);
	it[0] = (struct store_item){&e[0].e, "zl07", T2024, 1, NULL};
	it[1] = (struct store_item){&e[1].e, "zl08", T2024, 1, NULL};
	assert_int_equal(store_apply(f->s, it, 2, r), 0);
	ev_retract(&e[2], 42, 40, "village:ZL07", T2024 + 10); /* zl08 withdraws zl07's event */
	ev_retract(&e[3], 43, 41, "village:ZL08", T2024 + 10); /* zl08 withdraws its own */
	ev_retract(&e[4], 44, 40, "village:ZL07", T2024 + 10); /* the office withdraws zl07's */
	it[0] = (struct store_item){&e[2].e, "zl08", T2024, 1, NULL};
	it[1] = (struct store_item){&e[3].e, "zl08", T2024, 1, NULL};
	it[2] = (struct store_item){&e[4].e, "office", T2024, 0, NULL};
	assert_int_equal(store_apply(f->s, it, 3, r), 0);
	assert_int_equal(r[0].status, STORE_REJECTED);
	assert_string_equal(r[0].reason, "retraction.event_id: only the original sender or an "
					 "office key may retract it");
	assert_int_equal(r[1].status, STORE_ACCEPTED);
	assert_int_equal(r[2].status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 0);
	assert_int_equal(nevents(f->s), 4);
	assert_verified(f->s);
}

static void test_case_full(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[64];
	struct store_result r[64];
	for (int i = 0; i < 64; i++)
		ev_dispute(&e[i], 100 + (uint64_t)i, "ZL09", "BIG",
			   LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024 + i);
	assert_int_equal(apply(f->s, e, 64, r), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(r[i].status, STORE_ACCEPTED);
	ev_dispute(&e[0], 500, "ZL09", "BIG", LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED,
		   T2024 + 99);
	assert_int_equal(apply(f->s, e, 1, r), 0);
	assert_int_equal(r[0].status, STORE_REJECTED);
	assert_string_equal(r[0].reason, "case: more than 64 events for one case");
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), 1);
	assert_int_equal(total(f->s, M_DISPUTES_RESOLVED, 2024), 0);
	assert_int_equal(nevents(f->s), 64);
	assert_verified(f->s);
}

/* The map grows by itself; at its maximum the batch is refused whole. */
static void test_map_growth_and_full(void **state)
{
	struct tmpstore *f = *state;
	store_close(&f->s);
	tmpstore_open_sized(f, 256 << 10, 8 << 20);
	struct ev e[50];
	struct store_result r[50];
	uint64_t id = 1000, stored = 0;
	struct store_stats st;
	assert_int_equal(stats(f->s, &st), 0);
	size_t first_map = st.map_size;
	int rc = 0;
	for (int b = 0; b < 2000 && rc == 0; b++) {
		for (int i = 0; i < 50; i++) {
			char cid[16];
			snprintf(cid, sizeof(cid), "G%llu", (unsigned long long)id);
			ev_dispute(&e[i], id++, "ZL11", cid,
				   LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024 + i);
		}
		rc = apply(f->s, e, 50, r);
		if (rc == 0)
			stored += 50;
	}
	assert_int_equal(rc, LT_EFULL);
	assert_int_equal(stats(f->s, &st), 0);
	assert_true(st.map_size > first_map);
	assert_int_equal(st.map_size, 8 << 20);
	assert_true(stored > 1000);
	/* nothing of the refused batch, everything before it */
	assert_int_equal(st.events, stored);
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), (int64_t)stored);
	assert_verified(f->s);
	/* reopened with a larger maximum, ingest resumes */
	store_close(&f->s);
	tmpstore_open_sized(f, 0, 64 << 20);
	assert_int_equal(apply(f->s, e, 50, r), 0);
	assert_int_equal(r[0].status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_DISPUTES_REGISTERED, 2024), (int64_t)stored + 50);
}

/* Totals keyed by year and month in UTC+08:00; scans stay inside (metric, year). */
static void test_scan_bounds(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[4];
	struct store_result r[4];
	ev_training(&e[0], 40, "ZL01", 1, 1704038399); /* 2023-12-31 23:59:59 +08 */
	ev_training(&e[1], 41, "ZL01", 2, 1704038400); /* 2024-01-01 00:00:00 +08 */
	ev_training(&e[2], 42, "ZL02", 4, 1735660799); /* 2024-12-31 23:59:59 +08 */
	ev_training(&e[3], 43, "ZL02", 8, 1735660800); /* 2025-01-01 00:00:00 +08 */
	assert_int_equal(apply(f->s, e, 4, r), 0);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2023), 1);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2024), 6);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES, 2025), 8);
	assert_int_equal(total(f->s, M_TRAININGS_SESSIONS, 2024), 2);
	assert_int_equal(total(f->s, M_PUBLICITY_MATERIALS, 2024), 0);
	struct sum_arg a = {.village_set = 1, .village = "ZL02"};
	assert_int_equal(scan_totals(f->s, M_TRAININGS_ATTENDEES, 2024, sum_fn, &a), 0);
	assert_int_equal(a.sum, 4);
}

/*
 * Puts a value into the store's files with plain LMDB, as another program
 * would: sealed (a figure changed behind the store's back, that the
 * recount must catch) or as given (damage that the seal must catch).
 */
static void raw_put(const char *dir, const char *db, const void *k, size_t klen,
		    const void *v, size_t vlen, int sealed)
{
	struct rawstore r;
	rawstore_open(&r, dir);
	if (sealed)
		rawstore_put_sealed(&r, db, k, klen, v, vlen);
	else
		rawstore_put(&r, db, k, klen, v, vlen);
	rawstore_commit(&r);
}

static void read_only_open(const char *dir, int32_t tz, struct store **s);

/* Makes the store look as one written before rollups: no database, no meta key. */
static void raw_drop_rollups(const char *dir)
{
	struct rawstore r;
	rawstore_open(&r, dir);
	assert_int_equal(mdb_drop(r.txn, rawstore_db(&r, "rollups"), 1), 0);
	MDB_val k = {7, "rollups"};
	assert_int_equal(mdb_del(r.txn, rawstore_db(&r, "meta"), &k, NULL), 0);
	rawstore_commit(&r);
}

static void test_verify_detects_tampering(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[1];
	struct store_result r[1];
	ev_training(&e[0], 50, "ZL04", 7, T2024);
	assert_int_equal(apply(f->s, e, 1, r), 0);
	assert_verified(f->s);
	store_close(&f->s);

	struct tally_key k = {.metric = M_TRAININGS_ATTENDEES, .year = 2024, .month = 6,
			      .village = "ZL04"};
	uint8_t kb[TALLY_KEY_LEN], vb[8] = {8};
	tally_key_encode(&k, kb);
	raw_put(f->dir, "totals", kb, sizeof(kb), vb, sizeof(vb), 1);
	tmpstore_open_sized(f, 0, 0);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), LT_EMISMATCH);
	/* the total, and both rollups no longer its sums */
	assert_int_equal(v.mismatches, 3);
	assert_string_equal(v.first[0],
			    "total trainings.attendees 2024-06 village 'ZL04' dims 0,0: live 8, recount 7");
	assert_string_equal(v.first[1], "rollup over dimensions of trainings.attendees 2024-06 "
					"village 'ZL04' dims 0,0: live 7, sum of the totals 8");
	assert_string_equal(v.first[2], "rollup over the year of trainings.attendees 2024-00 "
					"village '' dims 0,0: live 7, sum of the totals 8");

	/* the total put back, a rollup tampered with instead */
	store_close(&f->s);
	vb[0] = 7;
	raw_put(f->dir, "totals", kb, sizeof(kb), vb, sizeof(vb), 1);
	uint8_t rk[1 + TALLY_KEY_LEN] = {ROLLUP_DIMS};
	memcpy(rk + 1, kb, sizeof(kb));
	vb[0] = 9;
	raw_put(f->dir, "rollups", rk, sizeof(rk), vb, sizeof(vb), 1);
	tmpstore_open_sized(f, 0, 0);
	assert_int_equal(verify(f->s, &v), LT_EMISMATCH);
	assert_int_equal(v.mismatches, 1);
	assert_string_equal(v.first[0], "rollup over dimensions of trainings.attendees 2024-06 "
					"village 'ZL04' dims 0,0: live 9, sum of the totals 7");
}

static void test_schema_and_zone_checked(void **state)
{
	struct tmpstore *f = *state;
	char err[256];
	store_close(&f->s);
	struct store *s = NULL;
	struct store_options o = {.dir = f->dir, .tz_offset = 0};
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_EINVAL);
	assert_null(s);
	assert_string_equal(err, "store counts in UTC+08:00 but the configured zone is UTC+00:00");
	uint8_t ver[4] = {99, 0, 0, 0};
	raw_put(f->dir, "meta", "schema", 6, ver, 4, 0);
	o.tz_offset = TZ;
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_ESCHEMA);
	assert_string_equal(err, "store schema version 99, this lawtally reads version 3");
	/* a directory that is not a store at all */
	struct store_options bad = {.dir = "/proc/self", .tz_offset = TZ};
	assert_int_not_equal(store_open(&s, &bad, err, sizeof(err)), 0);
	assert_null(s);
	ver[0] = STORE_SCHEMA_VERSION;
	raw_put(f->dir, "meta", "schema", 6, ver, 4, 0);
	tmpstore_open_sized(f, 0, 0);
}

/*
 * A reader process killed with its transaction open keeps its slot while
 * the daemon holds the store open (and would pin old pages): the store
 * clears such slots at open and whenever store_reader_check runs.
 */
static void test_stale_readers_cleared(void **state)
{
	struct tmpstore *f = *state;
	int cleared = -1;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* a separate process with its own environment, as `lawtally verify` */
		MDB_env *env;
		MDB_txn *txn;
		if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
		    mdb_env_open(env, f->dir, MDB_RDONLY, 0600) ||
		    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))
			_exit(1);
		_exit(0); /* dies holding the slot */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(store_reader_check(f->s, &cleared), 0);
	assert_int_equal(cleared, 1);
	assert_int_equal(store_reader_check(f->s, &cleared), 0);
	assert_int_equal(cleared, 0);
}

/* Small deterministic generator for the random test. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/*
 * 100,000 random events of every kind over several years, villages and
 * cases, with retractions of random earlier events and re-sent duplicates:
 * afterwards a recount from the events alone equals the live totals.
 */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static int random_kind(uint64_t id) { return (int)(mix(id) % 8); }
static int random_village(uint64_t id) { return 1 + (int)((mix(id) >> 8) % 41); }

/* The scope a retraction of the random event with id target names. */
static void random_scope(uint64_t target, char scope[16])
{
	switch (random_kind(target)) {
	case 0: case 1: case 3: snprintf(scope, 16, "village:ZL%02d", random_village(target)); break;
	case 6: snprintf(scope, 16, "device"); break;
	default: snprintf(scope, 16, "township"); break; /* of a retraction: mostly unknown */
	}
}

static void test_recount_random(void **state)
{
	struct tmpstore *f = *state;
	enum { N = 100000, BATCH = 1000 };
	static Lawtally__V1__Event ev[BATCH];
	static Lawtally__V1__Dispute d[BATCH];
	static Lawtally__V1__Petition p[BATCH];
	static Lawtally__V1__Training t[BATCH];
	static Lawtally__V1__Publicity pb[BATCH];
	static Lawtally__V1__Lawsuit l[BATCH];
	static Lawtally__V1__Enforcement x[BATCH];
	static Lawtally__V1__Retraction rt[BATCH];
	static uint8_t ids[BATCH][16], targets[BATCH][16];
	static char villages[BATCH][9], cases[BATCH][16], scopes[BATCH][16];
	static struct store_item items[BATCH];
	static struct store_result res[BATCH];
	uint64_t next_id = 1, accepted = 0, dups = 0, rejected = 0;
	store_close(&f->s);
	tmpstore_open_sized(f, 1 << 20, 0); /* small: the map must grow on the way */

	for (int done = 0; done < N; done += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			Lawtally__V1__Event *e = &ev[i];
			lawtally__v1__event__init(e);
			uint64_t r = rnd();
			uint64_t id = (r % 50 == 0 && next_id > 10) ? 1 + rnd() % (next_id - 1)
								    : next_id++;
			make_id(ids[i], id);
			e->id = (ProtobufCBinaryData){16, ids[i]};
			/* an id's kind and village follow from it: a re-sent id is in its scope */
			snprintf(villages[i], 9, "ZL%02d", random_village(id));
			snprintf(cases[i], 16, "c%d", (int)(rnd() % 3000));
			e->village = villages[i];
			e->occurred_at = 1640966400 + (int64_t)(rnd() % (3 * 366 * 86400));
			switch (random_kind(id)) {
			case 0:
			case 1:
				lawtally__v1__dispute__init(&d[i]);
				d[i].case_id = cases[i];
				d[i].category = 1 + rnd() % 15;
				d[i].stage = 1 + rnd() % 4;
				d[i].initiated = rnd() % 4;
				if (d[i].stage == LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED)
					d[i].agreement_amount_fen = rnd() % 1000000;
				d[i].prevented_criminal = rnd() % 10 == 0;
				d[i].prevented_group_petition = rnd() % 10 == 0;
				d[i].people = d[i].prevented_group_petition ? rnd() % 50 : 0;
				e->body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
				e->dispute = &d[i];
				break;
			case 2:
				lawtally__v1__petition__init(&p[i]);
				p[i].case_id = cases[i];
				p[i].origin = 1 + rnd() % 3;
				p[i].stage = 1 + rnd() % 2;
				p[i].difficult = rnd() % 3 == 0;
				p[i].joint_meeting = rnd() % 2 == 0;
				e->body_case = LAWTALLY__V1__EVENT__BODY_PETITION;
				e->petition = &p[i];
				break;
			case 3:
				lawtally__v1__training__init(&t[i]);
				t[i].attendees = rnd() % 100;
				e->body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
				e->training = &t[i];
				break;
			case 4:
				lawtally__v1__publicity__init(&pb[i]);
				pb[i].venue = 1 + rnd() % 5;
				pb[i].materials = rnd() % 1000;
				pb[i].consultations = rnd() % 100;
				pb[i].is_activity = rnd() % 2;
				e->body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
				e->publicity = &pb[i];
				break;
			case 5:
				lawtally__v1__lawsuit__init(&l[i]);
				l[i].case_id = cases[i];
				l[i].kind = 1 + rnd() % 3;
				l[i].stage = 1 + rnd() % 2;
				l[i].outcome = l[i].stage == 2 ? 1 + rnd() % 4 : 0;
				e->body_case = LAWTALLY__V1__EVENT__BODY_LAWSUIT;
				e->lawsuit = &l[i];
				break;
			case 6:
				lawtally__v1__enforcement__init(&x[i]);
				x[i].campaign = 1 + rnd() % 3;
				x[i].action = 1 + rnd() % 7;
				x[i].recorded = rnd() % 2;
				e->body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
				e->enforcement = &x[i];
				break;
			default:
				lawtally__v1__retraction__init(&rt[i]);
				uint64_t target = 1 + rnd() % next_id;
				make_id(targets[i], target);
				rt[i].event_id = (ProtobufCBinaryData){16, targets[i]};
				rt[i].reason = "mistake";
				random_scope(target, scopes[i]);
				rt[i].scope = scopes[i];
				e->body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
				e->retraction = &rt[i];
				break;
			}
			items[i] = (struct store_item){e, "random", e->occurred_at, 0, NULL};
		}
		if (done / BATCH % 2) { /* every other batch worked out ahead, as ingest does */
			static struct store_prep prep[BATCH];
			struct tally_deltas counted = {0};
			for (int i = 0; i < BATCH; i++)
				store_prepare(f->s, items[i].event, &prep[i], &counted);
			tally_deltas_merge(&counted);
			assert_int_equal(store_apply_prepared(f->s, items, NULL, prep, &counted, BATCH, res),
					 0);
			tally_deltas_free(&counted);
		} else {
			assert_int_equal(store_apply(f->s, items, BATCH, res), 0);
		}
		for (int i = 0; i < BATCH; i++) {
			accepted += res[i].status == STORE_ACCEPTED;
			dups += res[i].status == STORE_DUPLICATE;
			rejected += res[i].status == STORE_REJECTED;
		}
	}
	assert_int_equal(accepted + dups + rejected, N);
	assert_true(dups > 1000 && rejected > 1000 && accepted > 90000);
	assert_int_equal(nevents(f->s), accepted);
	assert_verified(f->s);
	assert_queries_match_totals(f->s);
	/* the same holds after close and reopen */
	store_close(&f->s);
	tmpstore_open_sized(f, 0, 0);
	assert_verified(f->s);

	/* a store from before rollups: read-only it is queried from its totals,
	 * its first writable open sums them */
	store_close(&f->s);
	raw_drop_rollups(f->dir);
	struct store *ro;
	read_only_open(f->dir, TZ, &ro);
	assert_queries_match_totals(ro);
	assert_verified(ro);
	store_close(&ro);
	tmpstore_open_sized(f, 0, 0);
	assert_verified(f->s);
	assert_queries_match_totals(f->s);
}

/* ---- operations: backup, live map limit, damaged files ----------------- */

static void read_only_open(const char *dir, int32_t tz, struct store **s)
{
	char err[256];
	struct store_options o = {.dir = dir, .tz_offset = tz, .read_only = 1};
	int rc = store_open(s, &o, err, sizeof(err));
	if (rc)
		fail_msg("read-only store_open of %s: %s", dir, err);
}

/*
 * store_backup: a private, compacted copy that opens (in the store's own
 * zone, whatever the reader's) and recounts; never over an existing store
 * unless replacing; a leftover partial copy blocks it.
 */
static void test_backup(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[40];
	struct store_result r[40];
	char dest[96], err[256], path[160];
	uint64_t bytes = 0;
	struct stat st;
	for (int i = 0; i < 40; i++)
		ev_training(&e[i], 5000 + i, "ZL03", 10, T2024 + i);
	assert_int_equal(apply(f->s, e, 40, r), 0);

	snprintf(dest, sizeof(dest), "%s/bk", f->dir);
	assert_int_equal(mkdir(dest, 0700), 0);
	assert_int_equal(store_backup(f->s, dest, 0, &bytes, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/data.mdb", dest);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal((uint64_t)st.st_size, bytes);
	snprintf(path, sizeof(path), "%s/data.mdb.partial", dest);
	assert_int_equal(access(path, F_OK), -1);

	struct store *copy = NULL;
	read_only_open(dest, 0, &copy); /* a reader takes the store's zone */
	assert_int_equal(store_tz_offset(copy), TZ);
	assert_int_equal(total(copy, M_TRAININGS_SESSIONS, 2024), 40);
	assert_verified(copy);
	assert_int_equal(store_apply(copy, NULL, 0, NULL), LT_EINVAL);

	/* never over a store, unless replacing */
	assert_int_equal(store_backup(f->s, dest, 0, &bytes, err, sizeof(err)), LT_EEXIST);
	snprintf(path, sizeof(path), "%s already holds a store (data.mdb): choose a new directory",
		 dest);
	assert_string_equal(err, path);
	assert_int_equal(store_backup(copy, dest, 1, &bytes, err, sizeof(err)), 0);
	store_close(&copy);

	/* a partial copy left behind, a missing directory, a file */
	snprintf(path, sizeof(path), "%s/data.mdb.partial", dest);
	FILE *p = fopen(path, "w");
	assert_non_null(p);
	fclose(p);
	assert_int_equal(store_backup(f->s, dest, 1, &bytes, err, sizeof(err)), LT_EBUSY);
	unlink(path);
	snprintf(path, sizeof(path), "%s/none", f->dir);
	assert_int_equal(store_backup(f->s, path, 0, &bytes, err, sizeof(err)), LT_ESYS);
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(store_backup(f->s, path, 0, &bytes, err, sizeof(err)), LT_EINVAL);
}

/* A store full at its maximum takes batches again once the maximum is raised live. */
static void test_map_max_raised_live(void **state)
{
	struct tmpstore *f = *state;
	store_close(&f->s);
	tmpstore_open_sized(f, 256 << 10, 1 << 20);
	struct ev e[50];
	struct store_result r[50];
	uint64_t id = 90000;
	int rc = 0;
	for (int b = 0; b < 1000 && rc == 0; b++) {
		for (int i = 0; i < 50; i++)
			ev_training(&e[i], id++, "ZL05", 3, T2024 + i);
		rc = apply(f->s, e, 50, r);
	}
	assert_int_equal(rc, LT_EFULL);
	assert_int_equal(apply(f->s, e, 50, r), LT_EFULL);
	/* below the current map: growth stops where it is */
	assert_int_equal(store_set_map_size_max(f->s, 4096), 1 << 20);
	assert_int_equal(apply(f->s, e, 50, r), LT_EFULL);
	assert_int_equal(store_set_map_size_max(f->s, 8 << 20), 8 << 20);
	assert_int_equal(apply(f->s, e, 50, r), 0);
	assert_int_equal(r[49].status, STORE_ACCEPTED);
	assert_verified(f->s);
}

/* A file shorter than its pages is refused at open, not read into a SIGBUS. */
static void test_cut_short_refused(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[50];
	struct store_result r[50];
	char path[96], err[256];
	for (int b = 0; b < 4; b++) {
		for (int i = 0; i < 50; i++)
			ev_training(&e[i], 70000 + 50 * b + i, "ZL09", 5, T2024 + i);
		assert_int_equal(apply(f->s, e, 50, r), 0);
	}
	store_close(&f->s);
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, 8192), 0);
	struct store *s = NULL;
	struct store_options o = {.dir = f->dir, .tz_offset = TZ};
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_ECORRUPT);
	assert_null(s);
	char want[256];
	snprintf(want, sizeof(want), "the store file is cut short: 8192 bytes, its pages need %lld",
		 (long long)st.st_size);
	assert_string_equal(err, want);
	o.read_only = 1;
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_ECORRUPT);
	/* the fixture's teardown needs a store: start a new one, in a directory made new */
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.id", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" STORE_COMMIT_FILE, f->dir);
	unlink(path);
	tmpstore_open_sized(f, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accept_and_duplicate_in_batch, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_across_reopen, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_batch_atomic, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_retractions, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_prepared, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_retract_own_only, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_ids_per_scope, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_case_full, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_map_growth_and_full, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_scan_bounds, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_verify_detects_tampering, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_schema_and_zone_checked, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_stale_readers_cleared, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_recount_random, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_backup, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_map_max_raised_live, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_cut_short_refused, tmpstore_setup, tmpstore_teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
