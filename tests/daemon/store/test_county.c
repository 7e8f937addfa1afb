/*
 * test_county.c - a county's store (docs/county.md): two townships' events
 * with the same ids, villages and case numbers never meet; each township's
 * totals beside the county's, which are their sum; retractions within a
 * township; verify recounts both; a township's snapshot; the township
 * list; a batch worked out ahead (store_prepare) the same; a township's
 * upstream cursor; each township's names as it forwards them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "rawstore.h"
#include "store.h"
#include "tally.h"
#include "tmpstore.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 */

static char dir[64];

static struct store *open_store(void)
{
	char err[256];
	struct store *s = NULL;
	struct store_options o = {.dir = dir, .tz_offset = TZ};
	if (store_open(&s, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	return s;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/lawtally-county-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = open_store();
	return 0;
}

static int teardown(void **state)
{
	struct store *s = *state;
	store_close(&s);
	tmpdir_remove(dir);
	return 0;
}

struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Retraction r;
	Lawtally__V1__Training t;
	uint8_t id[16], target[16];
	char township[16];
};

static void make_id(uint8_t id[16], uint64_t n)
{
	memset(id, 0xA5, 16);
	id[15] = (uint8_t)n;
}

static void dispute(struct ev *x, uint64_t id, const char *township, const char *case_id,
		    int stage)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__dispute__init(&x->d);
	make_id(x->id, id);
	snprintf(x->township, sizeof(x->township), "%s", township);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = "ZL07";
	x->e.township = x->township;
	x->e.occurred_at = T2024;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	x->e.dispute = &x->d;
	x->d.case_id = (char *)case_id;
	x->d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
	x->d.stage = stage;
}

static void training(struct ev *x, uint64_t id, const char *township, uint32_t attendees)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__training__init(&x->t);
	make_id(x->id, id);
	snprintf(x->township, sizeof(x->township), "%s", township);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = "ZL07";
	x->e.township = x->township;
	x->e.occurred_at = T2024;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	x->e.training = &x->t;
	x->t.attendees = attendees;
}

static void retraction(struct ev *x, uint64_t id, const char *township, uint64_t target)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__retraction__init(&x->r);
	make_id(x->id, id);
	make_id(x->target, target);
	snprintf(x->township, sizeof(x->township), "%s", township);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.township = x->township;
	x->e.occurred_at = T2024;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	x->e.retraction = &x->r;
	x->r.event_id = (ProtobufCBinaryData){16, x->target};
	x->r.reason = "entered twice";
	x->r.scope = "village:ZL07";
}

static void apply(struct store *s, struct ev *evs, size_t n, const enum store_status *want)
{
	struct store_item items[16];
	struct store_result res[16];
	for (size_t i = 0; i < n; i++)
		items[i] = (struct store_item){&evs[i].e, "township:x", T2024, 0, NULL};
	assert_int_equal(store_apply(s, items, n, res), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(res[i].status, want[i]);
}

/* apply, the batch worked out ahead (store_prepare) as ingest does */
static void apply_prepared(struct store *s, struct ev *evs, size_t n,
			   const enum store_status *want)
{
	struct store_item items[16];
	struct store_result res[16];
	struct store_prep prep[16];
	struct tally_deltas counted = {0};
	for (size_t i = 0; i < n; i++) {
		items[i] = (struct store_item){&evs[i].e, "township:x", T2024, 0, NULL};
		store_prepare(s, &evs[i].e, &prep[i], &counted);
	}
	tally_deltas_merge(&counted);
	assert_int_equal(store_apply_prepared(s, items, NULL, prep, &counted, n, res), 0);
	tally_deltas_free(&counted);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(res[i].status, want[i]);
}

static int sum_fn(const struct tally_key *k, int64_t value, void *arg)
{
	(void)k;
	*(int64_t *)arg += value;
	return 0;
}

/* metric m of 2024 as the snapshot reads it, for township ("" the county's) */
static int64_t total(struct store *s, const char *township, enum tally_metric m)
{
	struct store_snap snap;
	int64_t sum = 0;
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_snap_township(&snap, township), 0);
	assert_int_equal(store_scan_totals(&snap, m, 2024, sum_fn, &sum), 0);
	store_read_end(&snap);
	return sum;
}

static int list_fn(const char *township, void *arg)
{
	char *out = arg;
	strcat(out, township);
	strcat(out, ";");
	return 0;
}

static int count_fn(const struct store_event *e, void *arg)
{
	assert_string_equal(e->event->township, "410423101");
	(*(size_t *)arg)++;
	return 0;
}

static void test_townships_apart(void **state)
{
	struct store *s = *state;
	struct ev evs[6];
	/* the same ids, village and case number in two townships */
	dispute(&evs[0], 1, "410423100", "2024-001", 1);
	dispute(&evs[1], 1, "410423101", "2024-001", 1);
	dispute(&evs[2], 2, "410423100", "2024-001", 2);
	dispute(&evs[3], 3, "410423101", "2024-002", 1);
	dispute(&evs[4], 1, "410423100", "2024-001", 1); /* re-sent */
	dispute(&evs[5], 4, "", "2024-009", 1);          /* the county's own */
	const enum store_status want[] = {STORE_ACCEPTED, STORE_ACCEPTED, STORE_ACCEPTED,
					  STORE_ACCEPTED, STORE_DUPLICATE, STORE_ACCEPTED};
	apply(s, evs, 6, want);
	assert_int_equal(total(s, "410423100", M_DISPUTES_REGISTERED), 1);
	assert_int_equal(total(s, "410423100", M_DISPUTES_RESOLVED), 1);
	assert_int_equal(total(s, "410423100", M_DISPUTES_OPEN), 0);
	assert_int_equal(total(s, "410423101", M_DISPUTES_REGISTERED), 2);
	assert_int_equal(total(s, "410423101", M_DISPUTES_OPEN), 2);
	assert_int_equal(total(s, "", M_DISPUTES_REGISTERED), 4);
	assert_int_equal(total(s, "", M_DISPUTES_OPEN), 3);

	/* a retraction withdraws its own township's event, never the other's */
	struct ev r[2];
	retraction(&r[0], 9, "410423101", 3);
	retraction(&r[1], 10, "410423101", 2); /* id 2 is only 410423100's */
	const enum store_status want_r[] = {STORE_ACCEPTED, STORE_REJECTED};
	apply(s, r, 2, want_r);
	assert_int_equal(total(s, "410423101", M_DISPUTES_REGISTERED), 1);
	assert_int_equal(total(s, "410423100", M_DISPUTES_RESOLVED), 1);
	assert_int_equal(total(s, "", M_DISPUTES_REGISTERED), 3);

	char list[64] = "";
	struct store_snap snap;
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_townships(&snap, list_fn, list), 0);
	assert_string_equal(list, "410423100;410423101;");
	struct store_verify v;
	assert_int_equal(store_verify(&snap, &v), 0);
	assert_int_equal(v.events, 6);
	/* the as-of recount of one township counts its events only */
	struct tally_deltas d = {0};
	assert_int_equal(store_snap_township(&snap, "410423101"), 0);
	assert_int_equal(store_recount_asof(&snap, T2024, &d), 0);
	int64_t reg = 0;
	for (size_t i = 0; i < d.n; i++)
		if (d.d[i].key.metric == M_DISPUTES_REGISTERED)
			reg += d.d[i].value;
	assert_int_equal(reg, 1);
	tally_deltas_free(&d);
	assert_int_equal(store_snap_township(&snap, "no good!"), LT_EINVAL);
	store_read_end(&snap);

	/* a township's events, as the county gives them back */
	size_t seen = 0;
	uint64_t next = 1;
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_scan_township_events(&snap, "410423101", 0, 100, count_fn, &seen,
						    &next),
			 0);
	store_read_end(&snap);
	assert_int_equal(seen, 3); /* two disputes and the retraction */
	assert_int_equal(next, 0);

	/* it all holds across a reopen */
	store_close(&s);
	s = *state = open_store();
	assert_int_equal(total(s, "410423101", M_DISPUTES_OPEN), 1);
	apply(s, evs, 1, (const enum store_status[]){STORE_DUPLICATE});
}

/*
 * A batch worked out ahead on the loop thread (store_prepare) keys its
 * events by township as store_apply does, and changes each township's
 * totals beside the county's: a fact with no case (a training) as well
 * as a case's, a duplicate of either taken back.
 */
static void test_townships_prepared(void **state)
{
	struct store *s = *state;
	struct ev evs[7];
	training(&evs[0], 1, "410423100", 10);
	training(&evs[1], 1, "410423101", 20);    /* the same id, another township */
	training(&evs[2], 2, "", 5);              /* the county's own */
	dispute(&evs[3], 3, "410423100", "2024-001", 1);
	dispute(&evs[4], 3, "410423101", "2024-001", 2);
	training(&evs[5], 1, "410423100", 10);    /* re-sent in the batch */
	dispute(&evs[6], 3, "410423101", "2024-001", 2);
	apply_prepared(s, evs, 7,
		       (const enum store_status[]){STORE_ACCEPTED, STORE_ACCEPTED,
						   STORE_ACCEPTED, STORE_ACCEPTED,
						   STORE_ACCEPTED, STORE_DUPLICATE,
						   STORE_DUPLICATE});
	/* and re-sent in a later batch */
	apply_prepared(s, evs + 1, 1, (const enum store_status[]){STORE_DUPLICATE});
	assert_int_equal(total(s, "410423100", M_TRAININGS_SESSIONS), 1);
	assert_int_equal(total(s, "410423100", M_TRAININGS_ATTENDEES), 10);
	assert_int_equal(total(s, "410423101", M_TRAININGS_SESSIONS), 1);
	assert_int_equal(total(s, "410423101", M_TRAININGS_ATTENDEES), 20);
	assert_int_equal(total(s, "", M_TRAININGS_SESSIONS), 3);
	assert_int_equal(total(s, "", M_TRAININGS_ATTENDEES), 35);
	assert_int_equal(total(s, "410423100", M_DISPUTES_OPEN), 1);
	assert_int_equal(total(s, "410423101", M_DISPUTES_RESOLVED), 1);
	assert_int_equal(total(s, "", M_DISPUTES_RESOLVED), 1);
	assert_int_equal(total(s, "", M_DISPUTES_REGISTERED),
			 total(s, "410423100", M_DISPUTES_REGISTERED) +
				 total(s, "410423101", M_DISPUTES_REGISTERED));

	/* the same events applied whole are all duplicates: the same keys */
	apply(s, evs, 5,
	      (const enum store_status[]){STORE_DUPLICATE, STORE_DUPLICATE, STORE_DUPLICATE,
					  STORE_DUPLICATE, STORE_DUPLICATE});
	struct store_snap snap;
	struct store_verify v;
	assert_int_equal(store_read_begin(s, &snap), 0);
	int rc = store_verify(&snap, &v);
	for (size_t i = 0; i < v.nfirst; i++)
		print_message("verify: %s\n", v.first[i]);
	assert_int_equal(rc, 0);
	assert_int_equal(v.mismatches, 0);
	assert_int_equal(v.events, 5);
	store_read_end(&snap);
}

static void test_upstream_cursor(void **state)
{
	struct store *s = *state;
	struct store_snap snap;
	struct store_upstream u;
	uint64_t n;
	int64_t oldest;
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_upstream_get(&snap, &u), 0);
	assert_int_equal(u.next, 1);
	assert_int_equal(u.acked_at, 0);
	assert_int_equal(store_upstream_backlog(&snap, u.next, &n, &oldest), 0);
	assert_int_equal(n, 0);
	store_read_end(&snap);

	struct ev evs[3];
	for (int i = 0; i < 3; i++)
		dispute(&evs[i], (uint64_t)i + 1, "", "2024-001", 1 + (i == 2));
	apply(s, evs, 3,
	      (const enum store_status[]){STORE_ACCEPTED, STORE_ACCEPTED, STORE_ACCEPTED});
	u = (struct store_upstream){.next = 3, .acked_at = 1700000000, .rejected = 1, .acked = 2};
	assert_int_equal(store_upstream_set(s, &u), 0);
	store_close(&s);
	s = *state = open_store();
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_upstream_get(&snap, &u), 0);
	assert_int_equal(u.next, 3);
	assert_int_equal(u.acked_at, 1700000000);
	assert_int_equal(u.rejected, 1);
	assert_int_equal(u.acked, 2);
	assert_int_equal(store_upstream_backlog(&snap, u.next, &n, &oldest), 0);
	assert_int_equal(n, 1);
	assert_int_equal(oldest, T2024);
	struct store_verify v;
	assert_int_equal(store_verify(&snap, &v), 0);
	store_read_end(&snap);
}

/* A township's names: name, and ZL07 named village7. */
struct names {
	Lawtally__V1__TownshipNames m;
	Lawtally__V1__VillageName v[2], *vp[2];
};

static void names_init(struct names *n, const char *name, const char *village7)
{
	lawtally__v1__township_names__init(&n->m);
	for (int i = 0; i < 2; i++) {
		lawtally__v1__village_name__init(&n->v[i]);
		n->vp[i] = &n->v[i];
	}
	n->v[0].code = "ZL01";
	n->v[0].name = "一村";
	n->v[1].code = "ZL07";
	n->v[1].name = (char *)village7;
	n->m.name = (char *)name;
	n->m.villages = n->vp;
	n->m.n_villages = 2;
}

/* Applies evs with names on the first item, each result as want. */
static void apply_names(struct store *s, struct ev *evs, size_t n, const struct names *names,
			enum store_status want)
{
	struct store_item items[4];
	struct store_result res[4];
	for (size_t i = 0; i < n; i++)
		items[i] = (struct store_item){&evs[i].e, "township:x", T2024, 0,
					       i == 0 ? &names->m : NULL};
	assert_int_equal(store_apply(s, items, n, res), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(res[i].status, want);
}

/* The township's names as kept: 0 and "name ZL07's-name", or LT_ENOTFOUND. */
static int names_of(struct store *s, const char *township, char out[160])
{
	static struct townnames tn;
	struct store_snap snap;
	assert_int_equal(store_read_begin(s, &snap), 0);
	int rc = store_township_names(&snap, township, &tn);
	store_read_end(&snap);
	const struct village *v = villages_find(&tn.villages, "ZL07");
	snprintf(out, 160, "%s %s %zu", tn.name, v ? v->name : "-", tn.villages.n);
	return rc;
}

static void test_township_names(void **state)
{
	struct store *s = *state;
	char got[160];
	struct names a, a2, b;
	names_init(&a, "甲镇", "王岗村");
	names_init(&a2, "甲镇", "新王岗村");
	names_init(&b, "乙镇", "乙七村");
	assert_int_equal(names_of(s, "410423100", got), LT_ENOTFOUND);
	assert_string_equal(got, " - 0");

	struct ev evs[2];
	dispute(&evs[0], 1, "410423100", "2024-001", 1);
	dispute(&evs[1], 2, "410423100", "2024-002", 1);
	apply_names(s, evs, 2, &a, STORE_ACCEPTED);
	dispute(&evs[0], 1, "410423101", "2024-001", 1);
	apply_names(s, evs, 1, &b, STORE_ACCEPTED);
	assert_int_equal(names_of(s, "410423100", got), 0);
	assert_string_equal(got, "甲镇 王岗村 2");
	assert_int_equal(names_of(s, "410423101", got), 0);
	assert_string_equal(got, "乙镇 乙七村 2");

	/* the same batch again after a reload renamed ZL07: duplicates, the names taken */
	dispute(&evs[0], 1, "410423100", "2024-001", 1);
	apply_names(s, evs, 2, &a2, STORE_DUPLICATE);
	assert_int_equal(names_of(s, "410423100", got), 0);
	assert_string_equal(got, "甲镇 新王岗村 2");
	assert_int_equal(names_of(s, "410423101", got), 0);
	assert_string_equal(got, "乙镇 乙七村 2");

	/* names with an event of no township (not forwarded) are not kept */
	dispute(&evs[0], 3, "", "2024-003", 1);
	apply_names(s, evs, 1, &b, STORE_ACCEPTED);
	assert_int_equal(names_of(s, "", got), LT_ENOTFOUND);

	/* kept across a restart, sealed: verify reads them */
	store_close(&s);
	s = *state = open_store();
	assert_int_equal(names_of(s, "410423100", got), 0);
	assert_string_equal(got, "甲镇 新王岗村 2");
	struct store_snap snap;
	struct store_verify v;
	assert_int_equal(store_read_begin(s, &snap), 0);
	assert_int_equal(store_verify(&snap, &v), 0);
	store_read_end(&snap);

	/* a record with a good seal that does not read as names is damage, not a township's names */
	store_close(&s);
	struct rawstore r;
	rawstore_open(&r, dir);
	rawstore_put_sealed(&r, "meta", "names/410423101", 15, "\xff\x01", 2);
	rawstore_commit(&r);
	s = *state = open_store();
	assert_int_equal(names_of(s, "410423101", got), LT_ECORRUPT);
	assert_string_equal(got, " - 0");
	assert_int_equal(names_of(s, "410423100", got), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_townships_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_townships_prepared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upstream_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_township_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
