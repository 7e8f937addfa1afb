/*
 * test_damage.c - damage inside the store is an error with its key, never
 * a figure: sealed values (record.c), a damaged total, event or value
 * moved to another key met by reads, batches and verify; a store that went
 * back to an older commit (a copy put back, the older meta page made the
 * newest) refused at open, and a restore that is not; a schema-2 store
 * read as it is and sealed at its first writable open; the scrub's steps.
 *
 * The store is damaged the way a disk does it, a byte flipped in
 * data.mdb, or changed with plain LMDB as another program would
 * (tests/tools/rawstore.h).
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
#include <unistd.h>

#include <cmocka.h>

#include "byteorder.h"
#include "err.h"
#include "query.h"
#include "rawstore.h"
#include "record.h"
#include "store.h"
#include "store_int.h"
#include "tmpstore.h"

#define TZ 28800
#define T2024 1718000000LL /* 2024-06-10 */

/* store_open of dir that must fail with rc; its message in err. */
static void open_refused(const char *dir, int read_only, int rc, char *err, size_t errlen)
{
	struct store *s = NULL;
	struct store_options o = {.dir = dir, .tz_offset = TZ, .read_only = read_only};
	assert_int_equal(store_open(&s, &o, err, errlen), rc);
	assert_null(s);
}

struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Training t;
	Lawtally__V1__Retraction r;
	uint8_t id[16], target[16];
	char village[9], case_id[16], scope[32];
};

static void make_id(uint8_t id[16], uint64_t n)
{
	memset(id, 0, 16);
	be64_store(id + 8, n);
	id[0] = 0xD4;
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

/* A retraction of the event target of village ZL04 (the scope all these events are in). */
static void ev_retract(struct ev *x, uint64_t id, uint64_t target, int64_t t)
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
	x->r.reason = "sent twice";
	snprintf(x->scope, sizeof(x->scope), "village:ZL04");
	x->r.scope = x->scope;
}

static int apply(struct store *s, struct ev *evs, size_t n)
{
	struct store_item items[64];
	struct store_result res[64];
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++)
		items[i] = (struct store_item){&evs[i].e, "centre-ZL04", T2024, 0, NULL};
	return store_apply(s, items, n, res);
}

static int sum_fn(const struct tally_key *k, int64_t v, void *arg)
{
	(void)k;
	*(int64_t *)arg += v;
	return 0;
}

/* ---- reads, each in a snapshot of its own, as an answer takes one ---- */

static struct store_snap snap_of(struct store *s)
{
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	return sn;
}

/* The year's total of m; asserts the scan returned want_rc. */
static int64_t total_rc(struct store *s, enum tally_metric m, int want_rc)
{
	int64_t sum = 0;
	struct store_snap sn = snap_of(s);
	assert_int_equal(store_scan_totals(&sn, m, 2024, sum_fn, &sum), want_rc);
	store_read_end(&sn);
	return sum;
}

static uint64_t nevents(struct store *s)
{
	struct store_stats st;
	struct store_snap sn = snap_of(s);
	assert_int_equal(store_stats(&sn, &st), 0);
	store_read_end(&sn);
	return st.events;
}

static int snap_query(struct store *s, const struct query_spec *spec, struct query_rows *rows)
{
	struct store_snap sn = snap_of(s);
	int rc = query_run(&sn, spec, rows);
	store_read_end(&sn);
	return rc;
}

static int snap_verify_all(struct store *s, struct store_verify *v, store_note_fn fn, void *arg)
{
	struct store_snap sn = snap_of(s);
	int rc = store_verify_all(&sn, v, fn, arg);
	store_read_end(&sn);
	return rc;
}

static int snap_events(struct store *s, store_event_fn fn, void *arg)
{
	uint64_t next;
	struct store_snap sn = snap_of(s);
	int rc = store_scan_events(&sn, 1, 100, fn, arg, &next);
	store_read_end(&sn);
	return rc;
}

static int snap_asof(struct store *s, int64_t t, struct tally_deltas *d)
{
	struct store_snap sn = snap_of(s);
	int rc = store_recount_asof(&sn, t, d);
	store_read_end(&sn);
	return rc;
}

/* The lines store_verify_all passes to its note function. */
struct lines {
	char v[8][512];
	size_t n;
};

static void collect(const char *line, void *arg)
{
	struct lines *l = arg;
	if (l->n < 8)
		snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", line);
}

static int starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) == 0)
		return 1;
	print_error("'%s' does not start with '%s'\n", s, prefix);
	return 0;
}

static int count_event(const struct store_event *e, void *arg)
{
	(void)e;
	(*(uint64_t *)arg)++;
	return 0;
}

static void totals_key(enum tally_metric m, uint8_t month, const char *village,
		       uint8_t kb[TALLY_KEY_LEN])
{
	struct tally_key k = {.metric = (uint8_t)m, .year = 2024, .month = month};
	memcpy(k.village, village, strlen(village));
	tally_key_encode(&k, kb);
}

/* ---- sealed values ---------------------------------------------------------- */

static void test_record_seal(void **state)
{
	(void)state;
	uint8_t v[8 + RECORD_SEAL_LEN] = "figures!";
	MDB_val k = {2, "k1"}, o = {sizeof(v), v};
	record_seal(&k, v, 8);
	/* zlib's CRC-32 of "k1figures!", little-endian */
	static const uint8_t want[4] = {0x80, 0xe8, 0xff, 0x18};
	assert_memory_equal(v + 8, want, 4);
	assert_int_equal(record_open(&k, &o), 0);
	assert_int_equal(o.mv_size, 8);
	/* any one bit of the value, the seal or the key flipped */
	for (size_t bit = 0; bit < 8 * sizeof(v); bit++) {
		v[bit / 8] ^= (uint8_t)(1u << bit % 8);
		o = (MDB_val){sizeof(v), v};
		assert_int_equal(record_open(&k, &o), LT_ECORRUPT);
		assert_int_equal(o.mv_size, sizeof(v));
		v[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	MDB_val other = {2, "k2"};
	o = (MDB_val){sizeof(v), v};
	assert_int_equal(record_open(&other, &o), LT_ECORRUPT);
	o = (MDB_val){3, v};
	assert_int_equal(record_open(&k, &o), LT_ECORRUPT);
	o = (MDB_val){sizeof(v), v};
	assert_int_equal(record_open(&k, &o), 0);

	char out[64];
	assert_string_equal(record_escape("a\"\\\x01\xe5\xbc\xa0 z", 9, out, sizeof(out)),
			    "a\\x22\\x5c\\x01\\xe5\\xbc\\xa0 z");
	assert_string_equal(record_escape("abcdefghij", 10, out, 8), "abcd...");
	assert_string_equal(record_escape("abc", 3, out, 4), "abc");
	assert_string_equal(record_escape("\x7f\n", 2, out, sizeof(out)), "\\x7f\\x0a");
	assert_string_equal(record_hex("\x0a\xff", 2, out, sizeof(out)), "0aff");
	assert_string_equal(record_hex("\x01\x02\x03\x04", 4, out, 8), "0102...");
}

/* ---- damage met by reads, batches and verify -------------------------------- */

static void test_damaged_total(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[2];
	uint8_t kb[TALLY_KEY_LEN];
	char why[256], want[512], hex[40], bytes[80];
	ev_training(&e[0], 1, "ZL04", 7, T2024);
	ev_training(&e[1], 2, "ZL05", 3, T2024);
	assert_int_equal(apply(f->s, e, 2), 0);
	store_close(&f->s);
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL04", kb);
	rawstore_flip(f->dir, rawstore_value_offset(f->dir, "totals", kb, sizeof(kb)), 0x01);

	tmpstore_open(f, 0); /* as the daemon: nothing is read at open */
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 0);
	assert_int_equal(total_rc(f->s, M_TRAININGS_SESSIONS, 0), 2);
	total_rc(f->s, M_TRAININGS_ATTENDEES, LT_ECORRUPT);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	snprintf(want, sizeof(want), "damaged record in totals, key %s: checksum mismatch",
		 record_hex(kb, sizeof(kb), hex, sizeof(hex)));
	assert_string_equal(why, want);

	/* a query over the damaged total is an error; the rollups are intact */
	struct query_spec spec;
	struct query_rows rows = {0};
	const char *bad;
	assert_int_equal(query_spec_parse(&spec, 2024, "trainings.attendees", "", "", NULL, &bad), 0);
	assert_int_equal(snap_query(f->s, &spec, &rows), 0);
	assert_int_equal(rows.r[0].value, 10);
	snprintf(spec.village, sizeof(spec.village), "ZL04");
	spec.by = BY_MONTH;
	assert_int_equal(snap_query(f->s, &spec, &rows), 0); /* rollups by month and village */
	assert_int_equal(rows.r[0].value, 7);
	query_rows_free(&rows);

	/* nothing more is stored */
	ev_training(&e[0], 3, "ZL06", 1, T2024);
	assert_int_equal(apply(f->s, e, 1), LT_ECORRUPT);
	assert_int_equal(nevents(f->s), 2);

	/* verify lists it with its bytes escaped */
	struct store_verify v;
	struct lines l = {.n = 0};
	uint8_t val[8 + RECORD_SEAL_LEN] = {7};
	MDB_val k = {sizeof(kb), kb};
	record_seal(&k, val, 8);
	val[0] ^= 0x01;
	assert_int_equal(snap_verify_all(f->s, &v, collect, &l), LT_ECORRUPT);
	assert_int_equal(v.damaged, 1);
	assert_int_equal(l.n, 1);
	snprintf(want, sizeof(want), "damaged record in totals, key %s: checksum mismatch; its 12 "
		 "bytes: \"%s\"", hex, record_escape(val, sizeof(val), bytes, sizeof(bytes)));
	assert_string_equal(l.v[0], want);
	assert_int_equal(v.events, 2);

	/* a batch that adds to it refuses, on a store that had not met it yet */
	store_close(&f->s);
	tmpstore_open(f, 0);
	ev_training(&e[0], 4, "ZL04", 1, T2024);
	assert_int_equal(apply(f->s, e, 1), LT_ECORRUPT);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	store_close(&f->s);
	tmpstore_open(f, 1);
	assert_int_equal(nevents(f->s), 2);
}

static void test_damaged_event(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[3];
	char why[256];
	uint8_t seq2[8];
	ev_training(&e[0], 10, "ZL04", 7, T2024);
	ev_dispute(&e[1], 11, "ZL04", "C1", LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024);
	ev_training(&e[2], 12, "ZL04", 2, T2024);
	assert_int_equal(apply(f->s, e, 3), 0);
	store_close(&f->s);
	be64_store(seq2, 2);
	rawstore_flip(f->dir, rawstore_value_offset(f->dir, "events", seq2, 8) + 15, 0x20);

	tmpstore_open(f, 0);
	uint64_t n = 0;
	assert_int_equal(snap_events(f->s, count_event, &n), LT_ECORRUPT);
	assert_int_equal(n, 1);
	struct tally_deltas d = {0};
	assert_int_equal(snap_asof(f->s, T2024, &d), LT_ECORRUPT);
	tally_deltas_free(&d);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	assert_string_equal(why, "damaged record in events, key 0000000000000002: checksum mismatch");
	struct store_verify v;
	struct lines l = {.n = 0};
	assert_int_equal(snap_verify_all(f->s, &v, collect, &l), LT_ECORRUPT);
	assert_int_equal(v.damaged, 1);
	assert_true(starts_with(l.v[0], "damaged record in events, key 0000000000000002: checksum "
					"mismatch; its "));
	store_close(&f->s);

	/* a retraction of it: the batch meets the damage and stores nothing */
	tmpstore_open(f, 0);
	ev_retract(&e[0], 13, 11, T2024);
	assert_int_equal(apply(f->s, e, 1), LT_ECORRUPT);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	assert_string_equal(why, "damaged record in events, key 0000000000000002: checksum mismatch");
	assert_int_equal(nevents(f->s), 3);
}

/* A value that checks under its own key does not under another one. */
static void test_value_moved(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[2];
	uint8_t ka[TALLY_KEY_LEN], kb[TALLY_KEY_LEN], va[8 + RECORD_SEAL_LEN] = {7};
	ev_training(&e[0], 1, "ZL04", 7, T2024);
	ev_training(&e[1], 2, "ZL05", 3, T2024);
	assert_int_equal(apply(f->s, e, 2), 0);
	store_close(&f->s);
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL04", ka);
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL05", kb);
	MDB_val k = {sizeof(ka), ka};
	record_seal(&k, va, 8);
	struct rawstore r;
	rawstore_open(&r, f->dir);
	rawstore_put(&r, "totals", kb, sizeof(kb), va, sizeof(va));
	rawstore_commit(&r);
	tmpstore_open(f, 0);
	total_rc(f->s, M_TRAININGS_ATTENDEES, LT_ECORRUPT);
	struct store_verify v;
	assert_int_equal(snap_verify_all(f->s, &v, NULL, NULL), LT_ECORRUPT);
	assert_int_equal(v.damaged, 1);
}

/* ---- a store that went back ------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void test_went_back(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[1];
	char data[128], old[128], bk[128], err[512], want[512];
	snprintf(data, sizeof(data), "%s/data.mdb", f->dir);
	snprintf(old, sizeof(old), "%s/old.mdb", f->dir);
	snprintf(bk, sizeof(bk), "%s/bk", f->dir);
	ev_training(&e[0], 1, "ZL04", 7, T2024);
	assert_int_equal(apply(f->s, e, 1), 0);
	store_close(&f->s);
	copy_file(data, old);
	tmpstore_open(f, 0);
	ev_training(&e[0], 2, "ZL04", 5, T2024);
	assert_int_equal(apply(f->s, e, 1), 0);
	uint64_t bytes;
	assert_int_equal(mkdir(bk, 0700), 0);
	assert_int_equal(store_backup(f->s, bk, 0, &bytes, err, sizeof(err)), 0);
	store_close(&f->s);
	uint64_t recorded;
	assert_int_equal(store_commit_read(f->dir, &recorded), 0);

	/* the older copy put back by hand: the commits since are gone */
	copy_file(old, data);
	open_refused(f->dir, 0, LT_ECORRUPT, err, sizeof(err));
	snprintf(want, sizeof(want), "the store went back to an older commit: its last transaction "
		 "is %llu, but lawtallyd had committed %llu (%s/" STORE_COMMIT_FILE ")",
		 (unsigned long long)recorded - 2, (unsigned long long)recorded, f->dir);
	assert_string_equal(err, want);
	open_refused(f->dir, 1, LT_ECORRUPT, err, sizeof(err));
	assert_string_equal(err, want);

	/* a restore of the backup is no going back: the record goes with the old store */
	struct store *b;
	struct store_options o = {.dir = bk, .read_only = 1};
	assert_int_equal(store_open(&b, &o, err, sizeof(err)), 0);
	assert_int_equal(store_backup(b, f->dir, 1, &bytes, err, sizeof(err)), 0);
	store_close(&b);
	assert_int_equal(store_commit_read(f->dir, &recorded), 0);
	assert_int_equal(recorded, 0);
	tmpstore_open(f, 0);
	assert_int_equal(total_rc(f->s, M_TRAININGS_ATTENDEES, 0), 12);
	ev_training(&e[0], 3, "ZL04", 1, T2024);
	assert_int_equal(apply(f->s, e, 1), 0);
	store_close(&f->s);
	assert_int_equal(store_commit_read(f->dir, &recorded), 0);
	assert_true(recorded >= 2);
	tmpstore_open(f, 0);
	assert_int_equal(total_rc(f->s, M_TRAININGS_ATTENDEES, 0), 13);
}

/*
 * LMDB reads the store through whichever of its two meta pages names the
 * later transaction: a damaged id in the older one makes the store an
 * earlier commit's, acknowledged events gone. Refused, with or without
 * the record beside the store.
 */
static void test_meta_rollback(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[1];
	char path[128], err[512], want[512];
	for (int b = 0; b < 3; b++) {
		ev_training(&e[0], 1 + (uint64_t)b, "ZL04", 7, T2024);
		assert_int_equal(apply(f->s, e, 1), 0);
	}
	store_close(&f->s);
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	FILE *fp = fopen(path, "r+b");
	assert_non_null(fp);
	uint64_t id[2];
	const long at = 16 + 128; /* the txnid of an LMDB 0.9 meta page (64-bit) */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fseek(fp, i * 4096 + at, SEEK_SET), 0);
		assert_int_equal(fread(&id[i], 8, 1, fp), 1);
	}
	int older = id[0] < id[1] ? 0 : 1;
	uint64_t newest = id[1 - older], forged = newest + 1;
	assert_int_equal(id[older], newest - 1);
	assert_int_equal(fseek(fp, older * 4096 + at, SEEK_SET), 0);
	assert_int_equal(fwrite(&forged, 8, 1, fp), 1);
	assert_int_equal(fclose(fp), 0);

	snprintf(want, sizeof(want), "its newest meta page names transaction %llu, but its data was "
		 "last written by transaction %llu: a damaged meta page, or a change made by "
		 "another program", (unsigned long long)forged, (unsigned long long)newest - 1);
	open_refused(f->dir, 0, LT_ECORRUPT, err, sizeof(err));
	assert_string_equal(err, want);
	open_refused(f->dir, 1, LT_ECORRUPT, err, sizeof(err));
	assert_string_equal(err, want);
	snprintf(path, sizeof(path), "%s/" STORE_COMMIT_FILE, f->dir);
	assert_int_equal(unlink(path), 0);
	open_refused(f->dir, 0, LT_ECORRUPT, err, sizeof(err));
	assert_string_equal(err, want);

	/* put right: opens with every commit */
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, older * 4096 + at, SEEK_SET), 0);
	assert_int_equal(fwrite(&id[older], 8, 1, fp), 1);
	assert_int_equal(fclose(fp), 0);
	tmpstore_open(f, 0);
	assert_int_equal(total_rc(f->s, M_TRAININGS_ATTENDEES, 0), 21);
}

/* ---- a schema-2 store ----------------------------------------------------- */

/* Strips the seals and the commit record: the store as version 2 wrote it. */
static void make_schema_2(const char *dir)
{
	static const char *const dbs[] = {"meta", "events", "cases", "totals", "rollups",
					  "closed", "senders"};
	struct rawstore r;
	rawstore_open(&r, dir);
	MDB_val ck = {6, "commit"};
	assert_int_equal(mdb_del(r.txn, rawstore_db(&r, "meta"), &ck, NULL), 0);
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_cursor *c;
		MDB_val k, v;
		assert_int_equal(mdb_cursor_open(r.txn, rawstore_db(&r, dbs[i]), &c), 0);
		for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (i == 0 && k.mv_size == 6 && memcmp(k.mv_data, "schema", 6) == 0)
				continue;
			uint8_t kb[64], vb[4096];
			assert_true(k.mv_size <= sizeof(kb) && v.mv_size <= sizeof(vb));
			memcpy(kb, k.mv_data, k.mv_size);
			memcpy(vb, v.mv_data, v.mv_size - RECORD_SEAL_LEN);
			MDB_val kc = {k.mv_size, kb}, vc = {v.mv_size - RECORD_SEAL_LEN, vb};
			assert_int_equal(mdb_cursor_put(c, &kc, &vc, MDB_CURRENT), 0);
		}
		mdb_cursor_close(c);
	}
	uint8_t ver[4] = {2, 0, 0, 0};
	rawstore_put(&r, "meta", "schema", 6, ver, 4);
	assert_int_equal(mdb_txn_commit(r.txn), 0);
	mdb_env_close(r.env);
	char path[4200];
	snprintf(path, sizeof(path), "%s/" STORE_COMMIT_FILE, dir);
	assert_int_equal(unlink(path), 0);
}

static int sender_fn(const struct sender_record *rec, void *arg)
{
	*(uint64_t *)arg += sender_record_events(rec, 2024, 6) + 1000 * (uint64_t)strlen(rec->name);
	return 0;
}

/* What the office reads: every total, the senders, the closed year. */
static void figures(struct store *s, int64_t out[M_COUNT + 2])
{
	for (int m = 0; m < M_COUNT; m++)
		out[m] = total_rc(s, m, 0);
	uint64_t senders = 0;
	struct store_snap sn = snap_of(s);
	assert_int_equal(store_scan_senders(&sn, sender_fn, &senders), 0);
	out[M_COUNT] = (int64_t)senders;
	struct store_closed c;
	assert_int_equal(store_closed_get(&sn, 2023, &c), 0);
	store_read_end(&sn);
	out[M_COUNT + 1] = (int64_t)c.len + c.closed_at;
	store_closed_free(&c);
}

static void test_schema_2_sealed(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[5];
	ev_training(&e[0], 1, "ZL04", 7, 1686000000LL);
	ev_dispute(&e[1], 2, "ZL04", "C1", LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED, T2024);
	ev_dispute(&e[2], 3, "ZL04", "C1", LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED, T2024);
	ev_training(&e[3], 4, "ZL05", 3, T2024);
	ev_retract(&e[4], 5, 4, T2024);
	assert_int_equal(apply(f->s, e, 5), 0);
	struct store_closed c;
	assert_int_equal(store_close_year(f->s, 2023, 1700000000, &c), 0);
	store_closed_free(&c);
	int64_t want[M_COUNT + 2], got[M_COUNT + 2];
	figures(f->s, want);
	assert_int_equal(want[M_DISPUTES_RESOLVED], 1);
	store_close(&f->s);
	make_schema_2(f->dir);

	/* read-only: read as it was written */
	tmpstore_open(f, 1);
	figures(f->s, got);
	assert_memory_equal(got, want, sizeof(want));
	struct store_verify v;
	assert_int_equal(snap_verify_all(f->s, &v, NULL, NULL), 0);
	store_close(&f->s);

	/* writable: sealed in the open's transaction, and stays so */
	tmpstore_open(f, 0);
	figures(f->s, got);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(snap_verify_all(f->s, &v, NULL, NULL), 0);
	ev_training(&e[0], 6, "ZL06", 1, T2024);
	assert_int_equal(apply(f->s, e, 1), 0);
	store_close(&f->s);
	uint8_t kb[TALLY_KEY_LEN];
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL06", kb);
	long off = rawstore_value_offset(f->dir, "totals", kb, sizeof(kb));
	rawstore_flip(f->dir, off + 8, 0x01); /* its seal */
	tmpstore_open(f, 1);
	total_rc(f->s, M_TRAININGS_ATTENDEES, LT_ECORRUPT);
	assert_int_equal(snap_verify_all(f->s, &v, NULL, NULL), LT_ECORRUPT);
	assert_int_equal(v.damaged, 1);
}

/* A schema-2 store with no room left in its map: sealing it grows the map. */
static void test_schema_2_map_grows(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[64];
	for (int b = 0; b < 40; b++) {
		for (int i = 0; i < 64; i++)
			ev_training(&e[i], 5000 + 64 * (uint64_t)b + (uint64_t)i, "ZL09", 3,
				    T2024 + 3600 * i);
		assert_int_equal(apply(f->s, e, 64), 0);
	}
	store_close(&f->s);
	make_schema_2(f->dir);
	char err[256];
	/* a map no larger than the file: LMDB takes the smallest that holds it */
	struct store_options o = {.dir = f->dir, .tz_offset = TZ, .map_size = 4096,
				  .map_size_max = 64 << 20};
	if (store_open(&f->s, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	assert_int_equal(total_rc(f->s, M_TRAININGS_ATTENDEES, 0), 3 * 64 * 40);
	struct store_verify v;
	assert_int_equal(snap_verify_all(f->s, &v, NULL, NULL), 0);
	assert_int_equal(v.events, 64 * 40);
}

/* ---- the scrub's steps ---------------------------------------------------- */

static void test_walk_steps(void **state)
{
	struct tmpstore *f = *state;
	struct ev e[64];
	for (int b = 0; b < 20; b++) {
		for (int i = 0; i < 64; i++)
			ev_training(&e[i], 1000 + 64 * (uint64_t)b + (uint64_t)i,
				    i % 2 ? "ZL04" : "ZL05", 2, T2024 + 86400 * (b % 5));
		assert_int_equal(apply(f->s, e, 64), 0);
	}
	struct store_walk whole, w;
	store_walk_start(&whole);
	assert_int_equal(store_walk_step(f->s, &whole, SIZE_MAX, NULL, NULL), 1);
	assert_int_equal(whole.damaged, 0);
	assert_true(whole.records > 2 * 1280);
	/* the recount of a sound store */
	struct store_verify v;
	assert_int_equal(store_recount_check(f->s, &v), 0);
	assert_int_equal(v.events, 1280);
	/* it gives way to a batch waiting to grow the map */
	atomic_store(&f->s->grow_waiting, 1);
	assert_int_equal(store_recount_check(f->s, &v), LT_EBUSY);
	atomic_store(&f->s->grow_waiting, 0);
	store_close(&f->s);

	uint8_t kb[TALLY_KEY_LEN], seq[8];
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL04", kb);
	rawstore_flip(f->dir, rawstore_value_offset(f->dir, "totals", kb, sizeof(kb)), 0x80);
	be64_store(seq, 700);
	rawstore_flip(f->dir, rawstore_value_offset(f->dir, "events", seq, 8) + 3, 0x04);
	tmpstore_open(f, 0);
	store_walk_start(&w);
	struct lines l = {.n = 0};
	int rc, steps = 0;
	while ((rc = store_walk_step(f->s, &w, 7, collect, &l)) == 0)
		steps++;
	assert_int_equal(rc, 1);
	assert_true(steps > 300);
	assert_int_equal(w.records, whole.records);
	assert_int_equal(w.bytes, whole.bytes);
	assert_int_equal(w.damaged, 2);
	assert_int_equal(l.n, 2);
	assert_true(starts_with(l.v[0], "damaged record in events, key 00000000000002bc: "));
	assert_true(starts_with(l.v[1], "damaged record in totals, key "));
	char why[256];
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	assert_string_equal(why, "damaged record in events, key 00000000000002bc: checksum mismatch");
	store_close(&f->s);

	/* a figure changed behind the store's back, sealed: the recount finds it */
	totals_key(M_TRAININGS_ATTENDEES, 6, "ZL04", kb);
	uint8_t val[8] = {1};
	struct rawstore r;
	rawstore_open(&r, f->dir);
	rawstore_put_sealed(&r, "totals", kb, sizeof(kb), val, sizeof(val));
	be64_store(seq, 700);
	rawstore_commit(&r);
	/* (the event put right again by a second flip) */
	rawstore_flip(f->dir, rawstore_value_offset(f->dir, "events", seq, 8) + 3, 0x04);
	tmpstore_open(f, 0);
	store_walk_start(&w);
	assert_int_equal(store_walk_step(f->s, &w, SIZE_MAX, NULL, NULL), 1);
	assert_int_equal(w.damaged, 0);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 0);
	assert_int_equal(store_recount_check(f->s, &v), LT_EMISMATCH);
	assert_int_equal(store_damaged(f->s, why, sizeof(why)), 1);
	assert_true(starts_with(why, "the recount differs from the live figures in 3 place(s), e.g. "
				     "total trainings.attendees 2024-06 village 'ZL04' dims 0,0: live 1, "
				     "recount "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_seal),
		cmocka_unit_test_setup_teardown(test_damaged_total, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_damaged_event, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_value_moved, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_went_back, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_meta_rollback, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_schema_2_sealed, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_schema_2_map_grows, tmpstore_setup, tmpstore_teardown),
		cmocka_unit_test_setup_teardown(test_walk_steps, tmpstore_setup, tmpstore_teardown),
	};
	return cmocka_run_group_tests_name("damage", tests, NULL, NULL);
}
