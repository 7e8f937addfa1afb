/*
 * test_office_store.c - what the store keeps and computes for the office's
 * views: the as-of recount (events received by a moment, retractions only
 * if received by then, and equal to the live totals at the end of time),
 * closing a year (snapshot, hash, once only, later events counted live),
 * the per-sender completeness records kept by store_apply, the paged scan
 * of the event log, and a read-only open of a store made before these
 * databases existed.
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
#include "figures.h"
#include "rawstore.h"
#include "record.h"
#include "store.h"
#include "tmpstore.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 */
#define T2023 1686000000LL /* 2023-06-06 */
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x

/* The store's read functions, each in a read snapshot of its own. */
static struct store_snap snap_begin(struct store *s)
{
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	return sn;
}

static int recount_asof(struct store *s, int64_t t, struct tally_deltas *d)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_recount_asof(&sn, t, d);
	store_read_end(&sn);
	return rc;
}

static int closed_get(struct store *s, uint16_t year, struct store_closed *c)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_closed_get(&sn, year, c);
	store_read_end(&sn);
	return rc;
}

static int scan_senders(struct store *s, store_sender_fn fn, void *arg)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_scan_senders(&sn, fn, arg);
	store_read_end(&sn);
	return rc;
}

static int scan_events(struct store *s, uint64_t from, size_t max, store_event_fn fn, void *arg,
		       uint64_t *next)
{
	struct store_snap sn = snap_begin(s);
	int rc = store_scan_events(&sn, from, max, fn, arg, next);
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

/* An event with its body inline. */
struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Training t;
	Lawtally__V1__Retraction r;
	uint8_t id[16], target[16];
};

static void make_id(uint8_t id[16], uint64_t n)
{
	memset(id, 0, 16);
	for (int i = 0; i < 8; i++)
		id[15 - i] = (uint8_t)(n >> (8 * i));
	id[0] = 0xB7;
}

static void ev_dispute(struct ev *x, uint64_t id, const char *case_id, int stage, int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__dispute__init(&x->d);
	make_id(x->id, id);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = "ZL07";
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	x->e.dispute = &x->d;
	x->d.case_id = (char *)case_id;
	x->d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_NEIGHBOUR;
	x->d.stage = stage;
}

static void ev_training(struct ev *x, uint64_t id, int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__training__init(&x->t);
	make_id(x->id, id);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.village = "ZL07";
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	x->e.training = &x->t;
	x->t.attendees = 10;
}

static void ev_retract(struct ev *x, uint64_t id, uint64_t target, int64_t t)
{
	memset(x, 0, sizeof(*x));
	lawtally__v1__event__init(&x->e);
	lawtally__v1__retraction__init(&x->r);
	make_id(x->id, id);
	make_id(x->target, target);
	x->e.id = (ProtobufCBinaryData){16, x->id};
	x->e.occurred_at = t;
	x->e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	x->e.retraction = &x->r;
	x->r.event_id = (ProtobufCBinaryData){16, x->target};
	x->r.reason = "entered by mistake";
	x->r.scope = "village:ZL07"; /* every event here is ZL07's */
}

/* Applies one event as its own batch, from sender at received_at; returns its status. */
static int apply1(struct store *s, struct ev *x, const char *sender, int64_t received_at)
{
	struct store_item it = {&x->e, sender, received_at, 0, NULL};
	struct store_result res;
	assert_int_equal(store_apply(s, &it, 1, &res), 0);
	return res.status;
}

static int64_t sum(const struct tally_deltas *d, int metric, uint16_t year)
{
	int64_t v = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->d[i].key.metric == metric && d->d[i].key.year == year)
			v += d->d[i].value;
	return v;
}

static int live_fn(const struct tally_key *k, int64_t value, void *arg)
{
	struct tally_deltas *d = arg;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->d = realloc(d->d, d->cap * sizeof(*d->d));
		assert_non_null(d->d);
	}
	d->d[d->n++] = (struct tally_delta){*k, value};
	return 0;
}

static void live(struct store *s, struct tally_deltas *d)
{
	struct store_snap sn = snap_begin(s);
	d->n = 0;
	/* in key order: metric, then year */
	for (int m = 0; m < M_COUNT; m++)
		for (int y = 2023; y <= 2024; y++)
			assert_int_equal(store_scan_totals(&sn, m, (uint16_t)y, live_fn, d), 0);
	store_read_end(&sn);
}

static void test_asof(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[6];
	ev_dispute(&e[0], 1, "A", DSTAGE(REGISTERED), T2024);
	ev_dispute(&e[1], 2, "A", DSTAGE(RESOLVED), T2024 + 86400);
	ev_training(&e[2], 3, T2024);
	ev_retract(&e[3], 4, 2, T2024 + 2 * 86400);
	ev_training(&e[4], 5, T2023);
	assert_int_equal(apply1(f->s, &e[0], "c", 1000), STORE_ACCEPTED);
	assert_int_equal(apply1(f->s, &e[1], "c", 2000), STORE_ACCEPTED);
	assert_int_equal(apply1(f->s, &e[2], "c", 2000), STORE_ACCEPTED);
	assert_int_equal(apply1(f->s, &e[3], "c", 3000), STORE_ACCEPTED);
	assert_int_equal(apply1(f->s, &e[4], "c", 3000), STORE_ACCEPTED);
	ev_dispute(&e[5], 6, "A", DSTAGE(RESOLVED), T2024 + 3 * 86400);
	assert_int_equal(apply1(f->s, &e[5], "c", 4000), STORE_ACCEPTED);

	struct tally_deltas d = {0}, l = {0};
	assert_int_equal(recount_asof(f->s, 999, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(recount_asof(f->s, 1500, &d), 0);
	assert_int_equal(sum(&d, M_DISPUTES_REGISTERED, 2024), 1);
	assert_int_equal(sum(&d, M_DISPUTES_OPEN, 2024), 1);
	assert_int_equal(sum(&d, M_DISPUTES_RESOLVED, 2024), 0);
	assert_int_equal(sum(&d, M_TRAININGS_SESSIONS, 2024), 0);
	/* at 2500 the resolved event counts: its retraction came at 3000 */
	assert_int_equal(recount_asof(f->s, 2500, &d), 0);
	assert_int_equal(sum(&d, M_DISPUTES_RESOLVED, 2024), 1);
	assert_int_equal(sum(&d, M_DISPUTES_OPEN, 2024), 0);
	assert_int_equal(sum(&d, M_TRAININGS_SESSIONS, 2024), 1);
	assert_int_equal(sum(&d, M_TRAININGS_SESSIONS, 2023), 0);
	assert_int_equal(recount_asof(f->s, 3000, &d), 0);
	assert_int_equal(sum(&d, M_DISPUTES_RESOLVED, 2024), 0);
	assert_int_equal(sum(&d, M_DISPUTES_OPEN, 2024), 1);
	assert_int_equal(sum(&d, M_TRAININGS_SESSIONS, 2023), 1);
	/* at the end of time: exactly the live totals */
	assert_int_equal(recount_asof(f->s, INT64_MAX, &d), 0);
	assert_int_equal(sum(&d, M_DISPUTES_RESOLVED, 2024), 1);
	live(f->s, &l);
	assert_int_equal(d.n, l.n);
	for (size_t i = 0; i < d.n; i++) {
		uint8_t a[TALLY_KEY_LEN], b[TALLY_KEY_LEN];
		tally_key_encode(&d.d[i].key, a);
		tally_key_encode(&l.d[i].key, b);
		assert_memory_equal(a, b, TALLY_KEY_LEN);
		assert_int_equal(d.d[i].value, l.d[i].value);
	}
	tally_deltas_free(&d);
	tally_deltas_free(&l);
}

static void test_close_year(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[4];
	ev_dispute(&e[0], 1, "A", DSTAGE(RESOLVED), T2024);
	ev_training(&e[1], 2, T2024);
	ev_training(&e[2], 3, T2023);
	for (int i = 0; i < 3; i++)
		assert_int_equal(apply1(f->s, &e[i], "c", 1000), STORE_ACCEPTED);

	struct store_closed c, g;
	assert_int_equal(closed_get(f->s, 2024, &c), LT_ENOTFOUND);
	assert_int_equal(store_close_year(f->s, 2024, 5000, &c), 0);
	assert_int_equal(c.year, 2024);
	assert_int_equal(c.closed_at, 5000);
	struct figures fig = {0};
	assert_int_equal(figures_decode(&fig, c.entries, c.len), 0);
	assert_false(figures_has_year(&fig, 2023));
	struct figures_sel sel = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	assert_int_equal(figures_sum(&fig, &sel), 1);
	sel = figures_sel_all(M_TRAININGS_ATTENDEES, 2024);
	assert_int_equal(figures_sum(&fig, &sel), 10);
	uint8_t digest[FIGURES_SHA256_LEN];
	figures_sha256(c.entries, c.len, digest);
	assert_memory_equal(digest, c.sha256, FIGURES_SHA256_LEN);

	/* a year closes once; a later event of it counts live, the snapshot stays */
	assert_int_equal(store_close_year(f->s, 2024, 6000, &g), LT_EEXIST);
	ev_training(&e[3], 4, T2024);
	assert_int_equal(apply1(f->s, &e[3], "c", 7000), STORE_ACCEPTED);
	assert_int_equal(closed_get(f->s, 2024, &g), 0);
	assert_int_equal(g.closed_at, 5000);
	assert_int_equal(g.len, c.len);
	assert_memory_equal(g.entries, c.entries, c.len);
	assert_memory_equal(g.sha256, c.sha256, FIGURES_SHA256_LEN);
	struct tally_deltas l = {0};
	live(f->s, &l);
	assert_int_equal(sum(&l, M_TRAININGS_SESSIONS, 2024), 2);

	/* an empty year closes too, with the hash of nothing */
	store_closed_free(&g);
	assert_int_equal(store_close_year(f->s, 2019, 5000, &g), 0);
	assert_int_equal(g.len, 0);
	store_closed_free(&g);
	store_closed_free(&c);
	figures_free(&fig);
	tally_deltas_free(&l);
}

struct senders_arg {
	struct sender_record r[8];
	size_t n;
};

static int senders_fn(const struct sender_record *rec, void *arg)
{
	struct senders_arg *a = arg;
	if (a->n < 8)
		a->r[a->n++] = *rec;
	return 0;
}

static void test_senders(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[6];
	struct store_result res[6];
	/* a 70-byte name of 3-byte characters: kept as 63 bytes, on a character boundary */
	const char *longname = "张张张张张张张张张张张张张张张张张张张张张张张1234567";
	ev_dispute(&e[0], 1, "A", DSTAGE(REGISTERED), T2024);
	ev_training(&e[1], 2, T2024 + 40 * 86400);
	ev_training(&e[2], 3, T2023);
	ev_retract(&e[3], 4, 99, T2024); /* unknown target: rejected by the store */
	ev_training(&e[4], 5, T2024);
	struct store_item items[6] = {
		{&e[0].e, "centre-ZL07", 1000, 0, NULL}, {&e[1].e, "centre-ZL07", 1000, 0, NULL},
		{&e[2].e, "device-01", 1000, 0, NULL},   {&e[3].e, "device-02", 1000, 0, NULL},
		{&e[4].e, "", 1000, 0, NULL},            {&e[0].e, "centre-ZL07", 1000, 0, NULL},
	};
	assert_int_equal(store_apply(f->s, items, 6, res), 0);
	assert_int_equal(res[3].status, STORE_REJECTED);
	assert_int_equal(res[5].status, STORE_DUPLICATE);
	/* later: a duplicate only; it is heard, nothing more counted */
	items[0].received_at = 5000;
	assert_int_equal(store_apply(f->s, items, 1, res), 0);
	assert_int_equal(res[0].status, STORE_DUPLICATE);
	ev_training(&e[5], 6, T2024);
	items[0] = (struct store_item){&e[5].e, longname, 6000, 0, NULL};
	assert_int_equal(store_apply(f->s, items, 1, res), 0);

	struct senders_arg a = {.n = 0};
	assert_int_equal(scan_senders(f->s, senders_fn, &a), 0);
	assert_int_equal(a.n, 5);
	/* by name, bytewise: "(none)", "centre-ZL07", "device-01", "device-02", the long one */
	assert_string_equal(a.r[0].name, "(none)");
	assert_int_equal(sender_record_events(&a.r[0], 2024, 6), 1);
	assert_string_equal(a.r[1].name, "centre-ZL07");
	assert_int_equal(a.r[1].last_received, 5000);
	assert_int_equal(a.r[1].nmonths, 2);
	assert_int_equal(sender_record_events(&a.r[1], 2024, 6), 1);
	assert_int_equal(sender_record_events(&a.r[1], 2024, 7), 1);
	assert_string_equal(a.r[2].name, "device-01");
	assert_int_equal(sender_record_events(&a.r[2], 2023, 6), 1);
	assert_string_equal(a.r[3].name, "device-02");
	assert_int_equal(a.r[3].last_received, 1000);
	assert_int_equal(a.r[3].nmonths, 0);
	assert_int_equal(strlen(a.r[4].name), 63);
	assert_int_equal(strncmp(a.r[4].name, longname, 63), 0);
	assert_int_equal(a.r[4].last_received, 6000);
}

/*
 * Senders interleaved in one batch, each name in its own copy (no two
 * items share a pointer), more items than the grouping's first table:
 * every sender is counted once per accepted event and heard at its
 * latest item; a second, larger batch grows the scratch.
 */
#define IL_SENDERS 7
static void test_senders_interleaved(void **state)
{
	struct tmpstore *f = *state;
	enum { N1 = 300, N2 = 700 };
	struct ev *e = calloc(N1 + N2, sizeof(*e));
	struct store_item *items = calloc(N2, sizeof(*items));
	struct store_result *res = calloc(N2, sizeof(*res));
	char(*names)[16] = calloc(N2, sizeof(*names));
	assert_non_null(e), assert_non_null(items), assert_non_null(res), assert_non_null(names);
	for (size_t i = 0; i < N1; i++) {
		ev_training(&e[i], 1000 + i, T2024);
		snprintf(names[i], sizeof(names[i]), "dev-%zu", (i * 5 + i / 3) % IL_SENDERS);
		items[i] = (struct store_item){&e[i].e, names[i], 1000 + (int64_t)i, 0, NULL};
	}
	assert_int_equal(store_apply(f->s, items, N1, res), 0);
	int64_t want_events[IL_SENDERS] = {0}, want_last[IL_SENDERS] = {0};
	for (size_t i = 0; i < N1; i++) {
		assert_int_equal(res[i].status, STORE_ACCEPTED);
		want_events[(i * 5 + i / 3) % IL_SENDERS]++;
		want_last[(i * 5 + i / 3) % IL_SENDERS] = 1000 + (int64_t)i;
	}
	/* the second batch: its first N1 items again (duplicates, heard only), then new ones */
	for (size_t i = 0; i < N2; i++) {
		if (i >= N1) {
			ev_training(&e[i], 1000 + i, T2024);
			snprintf(names[i], sizeof(names[i]), "dev-%zu", i % IL_SENDERS);
			want_events[i % IL_SENDERS]++;
		}
		items[i] = (struct store_item){&e[i].e, names[i], 5000 + (int64_t)i, 0, NULL};
		want_last[(i < N1 ? i * 5 + i / 3 : i) % IL_SENDERS] = 5000 + (int64_t)i;
	}
	assert_int_equal(store_apply(f->s, items, N2, res), 0);
	assert_int_equal(res[0].status, STORE_DUPLICATE);
	assert_int_equal(res[N2 - 1].status, STORE_ACCEPTED);

	struct senders_arg a = {.n = 0};
	assert_int_equal(scan_senders(f->s, senders_fn, &a), 0);
	assert_int_equal(a.n, IL_SENDERS);
	for (size_t k = 0; k < IL_SENDERS; k++) {
		char want[16];
		snprintf(want, sizeof(want), "dev-%zu", k);
		assert_string_equal(a.r[k].name, want);
		assert_int_equal(a.r[k].nmonths, 1);
		assert_int_equal(sender_record_events(&a.r[k], 2024, 6), want_events[k]);
		assert_int_equal(a.r[k].last_received, want_last[k]);
	}
	free(names), free(res), free(items), free(e);
}

struct events_arg {
	uint64_t seqs[16];
	int retracted[16];
	size_t n;
	size_t stop_at;
};

static int events_fn(const struct store_event *e, void *arg)
{
	struct events_arg *a = arg;
	a->seqs[a->n] = e->seq;
	a->retracted[a->n] = e->retracted;
	assert_string_equal(e->sender, "c");
	return ++a->n == a->stop_at ? 7 : 0;
}

static void test_scan_events(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[5];
	for (int i = 0; i < 4; i++) {
		ev_training(&e[i], (uint64_t)i + 1, T2024);
		assert_int_equal(apply1(f->s, &e[i], "c", 1000), STORE_ACCEPTED);
	}
	ev_retract(&e[4], 9, 2, T2024);
	assert_int_equal(apply1(f->s, &e[4], "c", 1000), STORE_ACCEPTED);
	struct events_arg a = {.n = 0};
	uint64_t next;
	assert_int_equal(scan_events(f->s, 0, 2, events_fn, &a, &next), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(next, 3);
	assert_int_equal(a.retracted[1], 1);
	assert_int_equal(scan_events(f->s, next, 100, events_fn, &a, &next), 0);
	assert_int_equal(a.n, 5);
	assert_int_equal(a.seqs[4], 5);
	assert_int_equal(next, 0);
	assert_int_equal(scan_events(f->s, 6, 100, events_fn, &a, &next), 0);
	assert_int_equal(a.n, 5);
	assert_int_equal(next, 0);
	a = (struct events_arg){.stop_at = 1};
	assert_int_equal(scan_events(f->s, 1, 100, events_fn, &a, &next), 7);
}

/* The stored record of sequence number seq, its event's bytes copied to out. */
static size_t raw_event_bytes(const char *dir, uint64_t seq, uint8_t *out, size_t max)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t key[8];
	for (int i = 0; i < 8; i++)
		key[i] = (uint8_t)(seq >> (56 - 8 * i));
	MDB_val k = {8, key}, v;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "events", 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	const uint8_t *p = v.mv_data;
	size_t off = 11 + (size_t)p[10]; /* header: version, flags, received_at, sender */
	size_t end = v.mv_size - RECORD_SEAL_LEN;
	assert_true(v.mv_size >= RECORD_SEAL_LEN && end >= off && end - off <= max);
	memcpy(out, p + off, end - off);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return end - off;
}

static int packed_fn(const struct store_event *e, void *arg)
{
	struct events_arg *a = arg;
	assert_int_equal(e->event->id.len, 16);
	assert_int_equal(e->event->id.data[15], a->n + 1);
	assert_string_equal(e->event->village, "ZL07");
	assert_int_equal(e->event->occurred_at, T2024);
	assert_int_equal(e->event->body_case, LAWTALLY__V1__EVENT__BODY_TRAINING);
	assert_int_equal(e->event->training->attendees, 10);
	a->seqs[a->n++] = e->seq;
	return 0;
}

/*
 * store_apply_packed keeps an event's bytes as received, also when they
 * are not what packing gives (here: its id twice, the last one counts),
 * and they read back as the same event; without bytes the event is packed.
 */
static void test_apply_packed(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[2];
	uint8_t b0[256], b1[256];
	ev_training(&e[0], 1, T2024);
	ev_training(&e[1], 2, T2024);
	size_t n0 = protobuf_c_message_pack(&e[0].e.base, b0);
	size_t n1 = protobuf_c_message_pack(&e[1].e.base, b1);
	/* the id comes first: field 1, 16 bytes; repeat it at the end */
	assert_int_equal(b1[0], 0x0A);
	assert_int_equal(b1[1], 16);
	memcpy(b1 + n1, b1, 18);
	n1 += 18;
	Lawtally__V1__Event *back = lawtally__v1__event__unpack(NULL, n1, b1);
	assert_non_null(back);
	assert_memory_equal(back->id.data, e[1].id, 16);
	lawtally__v1__event__free_unpacked(back, NULL);

	struct store_item items[3] = {
		{&e[0].e, "c", 1000, 0, NULL}, {&e[1].e, "c", 1000, 0, NULL}, {&e[0].e, "c", 1000, 0, NULL}};
	struct store_packed packed[3] = {{b0, n0}, {b1, n1}, {b0, n0}};
	struct store_result res[3];
	assert_int_equal(store_apply_packed(f->s, items, packed, 3, res), 0);
	assert_int_equal(res[0].status, STORE_ACCEPTED);
	assert_int_equal(res[1].status, STORE_ACCEPTED);
	assert_int_equal(res[2].status, STORE_DUPLICATE);
	struct ev e3;
	ev_training(&e3, 3, T2024);
	packed[0] = (struct store_packed){NULL, 0};
	items[0].event = &e3.e;
	assert_int_equal(store_apply_packed(f->s, items, packed, 1, res), 0);
	assert_int_equal(res[0].status, STORE_ACCEPTED);

	struct events_arg a = {.n = 0};
	uint64_t next;
	assert_int_equal(scan_events(f->s, 0, 100, packed_fn, &a, &next), 0);
	assert_int_equal(a.n, 3);
	struct store_verify v;
	assert_int_equal(verify(f->s, &v), 0);
	assert_int_equal(v.events, 3);
	store_close(&f->s);

	uint8_t raw[256], b3[256];
	assert_int_equal(raw_event_bytes(f->dir, 1, raw, sizeof(raw)), n0);
	assert_memory_equal(raw, b0, n0);
	assert_int_equal(raw_event_bytes(f->dir, 2, raw, sizeof(raw)), n1);
	assert_memory_equal(raw, b1, n1);
	size_t n3 = protobuf_c_message_pack(&e3.e.base, b3);
	assert_int_equal(raw_event_bytes(f->dir, 3, raw, sizeof(raw)), n3);
	assert_memory_equal(raw, b3, n3);
}

/* A store made before the closed and senders databases, opened read-only. */
static void test_older_store_read_only(void **state)
{
	struct tmpstore *f = *state;
	struct ev e;
	ev_training(&e, 1, T2024);
	assert_int_equal(apply1(f->s, &e, "c", 1000), STORE_ACCEPTED);
	store_close(&f->s);
	struct rawstore r;
	rawstore_open(&r, f->dir);
	static const char *const dbs[] = {"closed", "senders"};
	for (int i = 0; i < 2; i++)
		assert_int_equal(mdb_drop(r.txn, rawstore_db(&r, dbs[i]), 1), 0);
	rawstore_commit(&r);

	tmpstore_open(f, 1);
	struct senders_arg a = {.n = 0};
	struct store_closed c;
	assert_int_equal(scan_senders(f->s, senders_fn, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(closed_get(f->s, 2024, &c), LT_ENOTFOUND);
	assert_int_equal(store_close_year(f->s, 2024, 1, &c), LT_EINVAL);
	struct tally_deltas d = {0};
	assert_int_equal(recount_asof(f->s, INT64_MAX, &d), 0);
	assert_int_equal(sum(&d, M_TRAININGS_SESSIONS, 2024), 1);
	tally_deltas_free(&d);
	store_close(&f->s);
	/* writable again: the databases are made anew */
	tmpstore_open(f, 0);
	assert_int_equal(store_close_year(f->s, 2024, 1, &c), 0);
	store_closed_free(&c);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_asof, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_close_year, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_senders, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_senders_interleaved, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_scan_events, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_apply_packed, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_older_store_read_only, tmpstore_setup, tmpstore_teardown),
	};
	return cmocka_run_group_tests_name("office_store", tests, NULL, NULL);
}
