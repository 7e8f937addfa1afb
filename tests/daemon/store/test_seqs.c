/*
 * test_seqs.c - sequence numbers in the store (store_seqs.c): every
 * numbered item of a batch marks its number for its sender and epoch,
 * whatever became of it; accepted enforcement events and a counter
 * snapshot feed the device cross-check; verify finds a stored number its
 * record lacks; a store from before numbers opens, read-only with none;
 * a closed year keeps what was accepted missing.
 */
#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "err.h"
#include "rawstore.h"
#include "store.h"
#include "tmpstore.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 */
#define INSP LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION

struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Enforcement x;
	Lawtally__V1__CounterSnapshot cs;
	Lawtally__V1__CounterSnapshot__Count c;
	Lawtally__V1__CounterSnapshot__Count *cp;
	uint8_t id[16];
};

static void ev_enf(struct ev *v, uint64_t id, uint64_t seq, uint64_t epoch)
{
	memset(v, 0, sizeof(*v));
	lawtally__v1__event__init(&v->e);
	lawtally__v1__enforcement__init(&v->x);
	for (int i = 0; i < 8; i++)
		v->id[15 - i] = (uint8_t)(id >> (8 * i));
	v->id[0] = 0xC3;
	v->e.id = (ProtobufCBinaryData){16, v->id};
	v->e.occurred_at = T2024 + (int64_t)seq * 86400;
	v->e.seq = seq;
	v->e.epoch = epoch;
	v->x.campaign = LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_OTHER;
	v->x.action = INSP;
	v->x.device_id = "ZFJLY-01";
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
	v->e.enforcement = &v->x;
}

static void ev_snap(struct ev *v, uint64_t id, uint64_t seq, uint64_t epoch, uint64_t up_to,
		    uint64_t inspections)
{
	ev_enf(v, id, seq, epoch);
	lawtally__v1__counter_snapshot__init(&v->cs);
	lawtally__v1__counter_snapshot__count__init(&v->c);
	v->c.action = INSP;
	v->c.count = inspections;
	v->cp = &v->c;
	v->cs.device_id = "ZFJLY-01";
	v->cs.up_to = up_to;
	v->cs.n_counts = 1;
	v->cs.counts = &v->cp;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
	v->e.counters = &v->cs;
}

struct seen {
	char sender[80];
	uint64_t epoch;
	struct seqrec rec;
};

struct seen_list {
	struct seen v[8];
	size_t n;
};

static int seen_fn(const char *sender, uint64_t epoch, const struct seqrec *r, void *arg)
{
	struct seen_list *l = arg;
	assert_true(l->n < 8);
	snprintf(l->v[l->n].sender, sizeof(l->v[0].sender), "%s", sender);
	l->v[l->n].epoch = epoch;
	l->v[l->n++].rec = *r;
	return 0;
}

static void scan(struct store *s, struct seen_list *l)
{
	struct store_snap sn;
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_read_begin(s, &sn), 0);
	assert_int_equal(store_scan_seqs(&sn, seen_fn, l), 0);
	store_read_end(&sn);
}

static int verify(struct store *s, struct store_verify *v)
{
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	int rc = store_verify(&sn, v);
	store_read_end(&sn);
	return rc;
}

static void test_batch_marks_numbers(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[8];
	struct store_item it[8];
	struct store_result res[8];
	/* device A, epoch 7: 1, 2, 4, the snapshot 5 (up to 4: 3 inspections), and 2 again */
	ev_enf(&e[0], 1, 1, 7);
	ev_enf(&e[1], 2, 2, 7);
	ev_enf(&e[2], 4, 4, 7);
	ev_snap(&e[3], 5, 5, 7, 4, 4);
	ev_enf(&e[4], 2, 2, 7); /* a re-send: DUPLICATE */
	/* device A again under a new epoch, and device B */
	ev_enf(&e[5], 100, 1, 8);
	ev_enf(&e[6], 200, 3, 9);
	/* an event without a number: not gap-checked */
	ev_enf(&e[7], 300, 0, 0);
	for (int i = 0; i < 8; i++)
		it[i] = (struct store_item){&e[i].e, i == 6 ? "dev-b" : "dev-a", T2024 + 10, 0, NULL};
	assert_int_equal(store_apply(f->s, it, 8, res), 0);
	assert_int_equal(res[4].status, STORE_DUPLICATE);
	struct seen_list l;
	scan(f->s, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].sender, "dev-a");
	assert_int_equal(l.v[0].epoch, 7);
	assert_int_equal(l.v[0].rec.set.n, 2);
	assert_int_equal(l.v[0].rec.set.r[0].hi, 2);
	assert_int_equal(l.v[0].rec.set.r[1].lo, 4);
	assert_int_equal(l.v[0].rec.set.r[1].hi, 5);
	assert_int_equal(l.v[0].rec.last_at, T2024 + 10);
	int64_t diff[SEQREC_ACTIONS + 1];
	assert_int_equal(seqrec_diff(&l.v[0].rec, diff), 1);
	assert_int_equal(diff[INSP], 1);
	assert_int_equal(l.v[1].epoch, 8);
	assert_string_equal(l.v[2].sender, "dev-b");
	assert_int_equal(rangeset_missing(&l.v[2].rec.set), 2);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), 0);

	/* number 3 arrives, and an event refused before the store numbered 6 */
	ev_enf(&e[0], 3, 3, 7);
	ev_enf(&e[1], 6, 6, 7);
	e[1].x.action = 0;
	it[0] = (struct store_item){&e[0].e, "dev-a", T2024 + 20, 0, NULL};
	it[1] = (struct store_item){&e[1].e, "dev-a", T2024 + 20, 0, NULL};
	struct store_packed packed[2] = {{NULL, 0}, {NULL, STORE_SEEN_ONLY}};
	assert_int_equal(store_apply_packed(f->s, it, packed, 2, res), 0);
	assert_int_equal(res[0].status, STORE_ACCEPTED);
	assert_int_equal(res[1].status, STORE_REJECTED);
	scan(f->s, &l);
	assert_int_equal(l.v[0].rec.set.n, 1);
	assert_int_equal(l.v[0].rec.set.r[0].hi, 6);
	assert_int_equal(seqrec_diff(&l.v[0].rec, diff), 0);
	assert_int_equal(l.v[0].rec.enf[INSP], 4); /* the refused one is not counted */
	assert_int_equal(verify(f->s, &v), 0);
	/* the store keeps it after a reopen */
	store_close(&f->s);
	tmpstore_open(f, 1);
	scan(f->s, &l);
	assert_int_equal(l.v[0].rec.set.r[0].hi, 6);
}

/*
 * One key (auth on) sending the events of two sources, each numbered from 1
 * by its spool: two numberings, "key/source", neither hiding the other's gap.
 */
static void test_sources_of_one_key(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[3];
	struct store_item it[3];
	struct store_result res[3];
	ev_enf(&e[0], 1, 1, 7);
	e[0].e.source = "lawtally";
	ev_enf(&e[1], 2, 2, 7);
	e[1].e.source = "lawtally";
	ev_enf(&e[2], 3, 2, 7); /* centre-ZL07's 2: its 1 is missing */
	e[2].e.source = "centre-ZL07";
	for (int i = 0; i < 3; i++)
		it[i] = (struct store_item){&e[i].e, "zl07-pc", T2024, 1, NULL};
	assert_int_equal(store_apply(f->s, it, 3, res), 0);
	struct seen_list l;
	scan(f->s, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].sender, "zl07-pc/centre-ZL07");
	assert_int_equal(rangeset_missing(&l.v[0].rec.set), 1);
	assert_string_equal(l.v[1].sender, "zl07-pc/lawtally");
	assert_int_equal(rangeset_missing(&l.v[1].rec.set), 0);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), 0);
}

static int count_sender(const struct sender_record *rec, void *arg)
{
	(void)rec;
	(*(int *)arg)++;
	return 0;
}

/*
 * What is not stored starts no record: refused events under ever new
 * epochs, or a duplicate under a new epoch, leave the database as it was.
 */
static void test_only_accepted_starts_a_record(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[2];
	struct store_item it[2];
	struct store_result res[2];
	struct store_packed packed[2] = {{NULL, STORE_SEEN_ONLY}, {NULL, STORE_SEEN_ONLY}};
	struct seen_list l;
	ev_enf(&e[0], 1, 1, 100);
	ev_enf(&e[1], 2, 1, 101);
	for (int i = 0; i < 2; i++)
		it[i] = (struct store_item){&e[i].e, "dev-a", T2024, 0, NULL};
	assert_int_equal(store_apply_packed(f->s, it, packed, 2, res), 0);
	assert_int_equal(res[0].status, STORE_REJECTED);
	scan(f->s, &l);
	assert_int_equal(l.n, 0);
	/* nor is the sender heard: it sent nothing stored */
	struct store_snap sn;
	int nsenders = 0;
	assert_int_equal(store_read_begin(f->s, &sn), 0);
	assert_int_equal(store_scan_senders(&sn, count_sender, &nsenders), 0);
	store_read_end(&sn);
	assert_int_equal(nsenders, 0);
	/* stored under epoch 7; sent again under epoch 8: a duplicate, no record for 8 */
	ev_enf(&e[0], 5, 1, 7);
	assert_int_equal(store_apply(f->s, it, 1, res), 0);
	ev_enf(&e[0], 5, 1, 8);
	assert_int_equal(store_apply(f->s, it, 1, res), 0);
	assert_int_equal(res[0].status, STORE_DUPLICATE);
	scan(f->s, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].epoch, 7);
}

/* verify: a stored numbered event whose record lacks its number */
static void test_verify_finds_a_lost_number(void **state)
{
	struct tmpstore *f = *state;
	struct ev e;
	struct store_result res;
	ev_enf(&e, 1, 1, 7);
	struct store_item it = {&e.e, "dev-a", T2024, 0, NULL};
	assert_int_equal(store_apply(f->s, &it, 1, &res), 0);
	store_close(&f->s);
	struct rawstore r;
	struct seqrec *rec = calloc(1, sizeof(*rec));
	uint8_t *buf = malloc(SEQREC_ENCODED_MAX);
	seqrec_init(rec);
	uint8_t key[16] = "dev-a"; /* dev-a, 0, no source, 0, epoch 7 */
	memset(key + 5, 0, 10);
	key[14] = 7;
	rawstore_open(&r, f->dir);
	rawstore_put_sealed(&r, "seqs", key, 15, buf, seqrec_encode(rec, buf));
	rawstore_commit(&r);
	free(buf);
	free(rec);
	tmpstore_open(f, 1);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), LT_EMISMATCH);
	assert_non_null(strstr(v.first[0], "its number 1 (sender dev-a) is not in its sender's "
					   "sequence record"));
	assert_non_null(strstr(v.first[1], "1 stored"));
}

/* A store from before sequence numbers: read-only it has none; writable, the database is made. */
static void test_store_before_numbers(void **state)
{
	struct tmpstore *f = *state;
	struct ev e;
	struct store_result res;
	ev_enf(&e, 1, 0, 0);
	struct store_item it = {&e.e, "dev-a", T2024, 0, NULL};
	assert_int_equal(store_apply(f->s, &it, 1, &res), 0);
	store_close(&f->s);
	struct rawstore r;
	rawstore_open(&r, f->dir);
	assert_int_equal(mdb_drop(r.txn, rawstore_db(&r, "seqs"), 1), 0);
	rawstore_commit(&r);
	tmpstore_open(f, 1);
	struct seen_list l;
	scan(f->s, &l);
	assert_int_equal(l.n, 0);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), 0);
	store_close(&f->s);
	tmpstore_open(f, 0);
	ev_enf(&e, 2, 1, 5);
	assert_int_equal(store_apply(f->s, &it, 1, &res), 0);
	scan(f->s, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(verify(f->s, &v), 0);
}

static void test_close_year_accepting(void **state)
{
	struct tmpstore *f = *state;
	struct store_closed c;
	struct store_snap sn;
	assert_int_equal(store_close_year_accepting(f->s, 2023, 1, "centre：缺 3\n", &c), 0);
	assert_string_equal(c.accepted, "centre：缺 3\n");
	store_closed_free(&c);
	assert_int_equal(store_close_year(f->s, 2022, 1, &c), 0);
	assert_null(c.accepted);
	store_closed_free(&c);
	store_close(&f->s);
	tmpstore_open(f, 1);
	assert_int_equal(store_read_begin(f->s, &sn), 0);
	assert_int_equal(store_closed_get(&sn, 2023, &c), 0);
	assert_string_equal(c.accepted, "centre：缺 3\n");
	store_closed_free(&c);
	assert_int_equal(store_closed_get(&sn, 2022, &c), 0);
	assert_null(c.accepted);
	store_closed_free(&c);
	store_read_end(&sn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_marks_numbers, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_sources_of_one_key, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_only_accepted_starts_a_record, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_verify_finds_a_lost_number, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_store_before_numbers, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_close_year_accepting, tmpstore_setup, tmpstore_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
