/*
 * test_store_migrate.c - a store of schema 1 (one id index for every
 * sender), made by lawtally 0.1.0 before ids had scopes and kept as
 * tests/data/store-schema1.dump (mdb_dump -a; the events it holds are in
 * tests/data/store-schema1.jsonl, sent twice): refused by readers, copied
 * by a restore, and migrated to schema 2 then 3 at a writable open in one
 * transaction with one log line a step; after that its ids are per scope,
 * its retractions name the scope of their event, its values are sealed,
 * it has an identity, and it verifies and counts as before. A failed
 * migration leaves it as it was.
 *
 * Failures are injected into the real LMDB calls with the linker's --wrap
 * (see the Makefile), as in test_store.c.
 */
#include <errno.h>
#include <fcntl.h>
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

#include "datadir.h"
#include "err.h"
#include "store.h"
#include "tmpstore.h"
#include "tally.h"

/* ---- failure injection ------------------------------------------------ */

static long put_calls, fail_put_at = -1; /* fail the Nth mdb_put (0-based) */
static int fail_put_rc = EIO;

int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);

int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags)
{
	if (fail_put_at >= 0 && put_calls++ == fail_put_at) {
		fail_put_at = -1;
		return fail_put_rc;
	}
	return __real_mdb_put(txn, dbi, k, v, flags);
}

/* ---- helpers ------------------------------------------------------------ */

#define TZ 28800
#define T2024 1718000000LL
/* The values the migration to schema 3 seals: every one in the store but the ids' and "schema". */
#define SEALED 61

static const char *srcdir = ".";

struct fx {
	char dir[64];
	struct store *s;
};

/* A directory holding the schema 1 store of tests/data, as lawtally 0.1.0 left it. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cmd[512];
	snprintf(f->dir, sizeof(f->dir), "/tmp/lawtally-migrate-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "mdb_load -f %s/tests/data/store-schema1.dump %s", srcdir, f->dir);
	if (system(cmd) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(&f->s);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/*
 * Opens f's store with stderr (the log) caught in log[]; returns
 * store_open's code, err holding its line.
 */
static int open_logged(struct fx *f, int read_only, int old_ok, char *log, size_t loglen,
		       char *err, size_t errlen)
{
	char path[96];
	snprintf(path, sizeof(path), "%s.log", f->dir);
	fflush(stderr);
	int saved = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	struct store_options o = {.dir = f->dir, .tz_offset = TZ, .read_only = read_only,
				  .old_schema_ok = old_ok};
	err[0] = '\0';
	int rc = store_open(&f->s, &o, err, errlen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, log, loglen - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}


static struct store_snap snap_begin(struct store *s)
{
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	return sn;
}

static int sum_fn(const struct tally_key *k, int64_t v, void *arg)
{
	(void)k;
	*(int64_t *)arg += v;
	return 0;
}

static int64_t total(struct store *s, enum tally_metric m)
{
	int64_t sum = 0;
	struct store_snap sn = snap_begin(s);
	assert_int_equal(store_scan_totals(&sn, m, 2024, sum_fn, &sum), 0);
	store_read_end(&sn);
	return sum;
}

/* The figures the 14 events of tests/data/store-schema1.jsonl leave, 4 retracted. */
static void assert_figures(struct store *s)
{
	assert_int_equal(total(s, M_DISPUTES_REGISTERED), 2);
	assert_int_equal(total(s, M_DISPUTES_RESOLVED), 0);
	assert_int_equal(total(s, M_DISPUTES_OPEN), 2);
	assert_int_equal(total(s, M_TRAININGS_SESSIONS), 1);
	assert_int_equal(total(s, M_TRAININGS_ATTENDEES), 12);
	assert_int_equal(total(s, M_ENFORCEMENT_ACTIONS), 1);
	assert_int_equal(total(s, M_ENFORCEMENT_RECORDED), 1);
	assert_int_equal(total(s, M_PETITIONS_RECEIVED), 0);
	assert_int_equal(total(s, M_PUBLICITY_MATERIALS), 300);
	assert_int_equal(total(s, M_LAWSUITS_FILED), 1);
}

static void assert_verified(struct store *s, uint64_t events)
{
	struct store_verify v;
	struct store_snap sn = snap_begin(s);
	int rc = store_verify(&sn, &v);
	store_read_end(&sn);
	if (rc)
		fail_msg("verify: %s (%llu differences, first: %s)", lt_strerror(rc),
			 (unsigned long long)v.mismatches, v.nfirst ? v.first[0] : "");
	assert_int_equal(v.events, events);
}

/* 0190c8e2-0000-7000-8000-000000000NNN, the ids of the jsonl */
static void make_id(uint8_t id[16], unsigned n)
{
	static const uint8_t head[14] = {0x01, 0x90, 0xc8, 0xe2, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0};
	memcpy(id, head, 14);
	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
}

struct scopes {
	char retraction_scope[8][80]; /* by the low byte of a retraction's id, 1..4 */
	size_t events;
};

static int scope_fn(const struct store_event *e, void *arg)
{
	struct scopes *a = arg;
	a->events++;
	const Lawtally__V1__Event *ev = e->event;
	if (ev->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION && ev->id.data[15] < 8)
		snprintf(a->retraction_scope[ev->id.data[15]], 80, "%s", ev->retraction->scope);
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

/* Readers refuse it, naming what migrates it; a restore may open it to copy it. */
static void test_readers(void **state)
{
	struct fx *f = *state;
	char log[4096], err[256];
	assert_int_equal(open_logged(f, 1, 0, log, sizeof(log), err, sizeof(err)), LT_ESCHEMA);
	assert_null(f->s);
	assert_string_equal(err, "store schema version 1 (one id index for all senders): lawtallyd "
				 "migrates it to version 3 when it starts on it");
	assert_int_equal(open_logged(f, 1, 1, log, sizeof(log), err, sizeof(err)), 0);
	struct store_stats st;
	struct store_snap sn = snap_begin(f->s);
	assert_int_equal(store_stats(&sn, &st), 0);
	assert_int_equal(st.events, 14);
	uint8_t id[DATADIR_ID_LEN];
	assert_int_equal(store_identity(f->s, id), 0);
	struct store_verify v;
	assert_int_equal(store_verify(&sn, &v), LT_ESCHEMA); /* its index is not ours */
	store_read_end(&sn);
	store_close(&f->s);
}

static void test_migrated(void **state)
{
	struct fx *f = *state;
	char log[4096], err[256], want[512];
	assert_int_equal(open_logged(f, 0, 0, log, sizeof(log), err, sizeof(err)), 0);
	/* one line a step of the migration, one for the identity it got */
	uint8_t id[DATADIR_ID_LEN], file_id[DATADIR_ID_LEN];
	char idtext[DATADIR_ID_TEXT + 1];
	assert_int_equal(store_identity(f->s, id), 1);
	datadir_id_format(id, idtext);
	snprintf(want, sizeof(want),
		 "<6>store: migrated from schema 1 to 2: ids are now unique per scope (village, "
		 "device, township); 14 events indexed again, 4 retractions given the scope of "
		 "their event\n"
		 "<6>store: migrated from schema 2 to 3: checksums added to %d records in ", SEALED);
	assert_int_equal(strncmp(log, want, strlen(want)), 0);
	snprintf(want, sizeof(want), " s\n<6>store: identity %s written to %s/store.id\n", idtext,
		 f->dir);
	assert_non_null(strstr(log, want));
	assert_int_equal(strlen(strstr(log, want)), strlen(want));
	assert_int_equal(datadir_id_read(f->dir, file_id, err, sizeof(err)), 0);
	assert_memory_equal(file_id, id, DATADIR_ID_LEN);
	assert_figures(f->s);
	assert_verified(f->s, 14);

	/* each stored retraction now names the scope of the event it withdrew */
	struct scopes sc = {0};
	uint64_t next;
	struct store_snap sn = snap_begin(f->s);
	assert_int_equal(store_scan_events(&sn, 1, 100, scope_fn, &sc, &next), 0);
	store_read_end(&sn);
	assert_int_equal(sc.events, 14);
	assert_string_equal(sc.retraction_scope[1], "village:ZL07"); /* a training of ZL07 */
	assert_string_equal(sc.retraction_scope[2], "device");       /* enforcement, no device */
	assert_string_equal(sc.retraction_scope[3], "township");     /* a petition */
	assert_string_equal(sc.retraction_scope[4], "village:ZL07"); /* a dispute of ZL07 */

	/* its ids are per scope: ZL07's dispute id is taken in ZL07 only */
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	Lawtally__V1__Training t = LAWTALLY__V1__TRAINING__INIT;
	uint8_t raw[16];
	make_id(raw, 0x101);
	e.id = (ProtobufCBinaryData){16, raw};
	e.village = "ZL07";
	e.occurred_at = T2024;
	e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	e.training = &t;
	t.attendees = 5;
	struct store_item it = {&e, "centre-ZL07", T2024, 0, NULL};
	struct store_result r;
	assert_int_equal(store_apply(f->s, &it, 1, &r), 0);
	assert_int_equal(r.status, STORE_DUPLICATE);
	e.village = "ZL09";
	assert_int_equal(store_apply(f->s, &it, 1, &r), 0);
	assert_int_equal(r.status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_TRAININGS_ATTENDEES), 17);
	/* and an old event is retracted by its scope and id */
	Lawtally__V1__Retraction rt = LAWTALLY__V1__RETRACTION__INIT;
	uint8_t rid[16], target[16];
	make_id(rid, 0x205);
	make_id(target, 0x10a); /* the lawsuit */
	e.id = (ProtobufCBinaryData){16, rid};
	e.village = "";
	e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	e.retraction = &rt;
	rt.event_id = (ProtobufCBinaryData){16, target};
	rt.reason = "filed twice";
	rt.scope = "village:ZL07";
	assert_int_equal(store_apply(f->s, &it, 1, &r), 0);
	assert_int_equal(r.status, STORE_REJECTED);
	rt.scope = "township";
	assert_int_equal(store_apply(f->s, &it, 1, &r), 0);
	assert_int_equal(r.status, STORE_ACCEPTED);
	assert_int_equal(total(f->s, M_LAWSUITS_FILED), 0);
	assert_verified(f->s, 16);

	/* opened again: nothing more to migrate, nothing logged */
	store_close(&f->s);
	assert_int_equal(open_logged(f, 0, 0, log, sizeof(log), err, sizeof(err)), 0);
	assert_string_equal(log, "");
	assert_verified(f->s, 16);
	store_close(&f->s);
	assert_int_equal(open_logged(f, 1, 0, log, sizeof(log), err, sizeof(err)), 0);
	assert_verified(f->s, 16);
}

/* A migration that fails at any write leaves the store of schema 1 as it was. */
static void test_migration_atomic(void **state)
{
	struct fx *f = *state;
	char log[4096], err[256];
	long at;
	for (at = 0;; at++) {
		put_calls = 0;
		fail_put_at = at;
		fail_put_rc = EIO;
		int rc = open_logged(f, 0, 0, log, sizeof(log), err, sizeof(err));
		if (fail_put_at >= 0) { /* fewer puts than at: it went through */
			fail_put_at = -1;
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, LT_EIO);
		assert_null(f->s);
		assert_null(strstr(log, "migrated"));
		/* still schema 1, with no identity, in the store or beside it */
		assert_int_equal(open_logged(f, 1, 0, log, sizeof(log), err, sizeof(err)), LT_ESCHEMA);
		uint8_t id[DATADIR_ID_LEN];
		assert_int_equal(datadir_id_read(f->dir, id, err, sizeof(err)), LT_ENOTFOUND);
	}
	/*
	 * 4 retractions rewritten, 14 events indexed, the version, the identity;
	 * the version again once sealed, and the commit's id
	 */
	assert_int_equal(at, 4 + 14 + 1 + 1 + 1 + 1);
	assert_figures(f->s);
	assert_verified(f->s, 14);
}

/* A map too small for the migration grows, and the migration runs again whole. */
static void test_migration_grows_map(void **state)
{
	struct fx *f = *state;
	char log[4096], err[256];
	put_calls = 0;
	fail_put_at = 10;
	fail_put_rc = MDB_MAP_FULL;
	assert_int_equal(open_logged(f, 0, 0, log, sizeof(log), err, sizeof(err)), 0);
	assert_int_equal(fail_put_at, -1);
	assert_non_null(strstr(log, "<6>store: map grown from 64 to 128 MiB\n<6>store: migrated "
				    "from schema 1 to 2"));
	assert_figures(f->s);
	assert_verified(f->s, 14);
}

/* An empty store of schema 1 is migrated too, and says so. */
static void test_empty_store_migrated(void **state)
{
	struct fx *f = *state;
	char log[4096], err[256], path[96];
	/* a store of schema 2 made here, taken back to schema 1 without an identity */
	snprintf(path, sizeof(path), "%s/new", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	struct store_options o = {.dir = path, .tz_offset = TZ};
	assert_int_equal(store_open(&f->s, &o, err, sizeof(err)), 0);
	store_close(&f->s);
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	MDB_cursor *c;
	uint8_t one[4] = {1, 0, 0, 0};
	MDB_val sk = {6, "schema"}, sv = {4, one}, ik = {8, "identity"}, ck = {6, "commit"}, k, v;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 12), 0);
	assert_int_equal(mdb_env_open(env, path, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	assert_int_equal(mdb_del(txn, meta, &ik, NULL), 0);
	assert_int_equal(mdb_del(txn, meta, &ck, NULL), 0);
	/* (its other meta values without their seals, as schema 1 wrote them) */
	assert_int_equal(mdb_cursor_open(txn, meta, &c), 0);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint8_t kb[32], vb[32];
		assert_true(k.mv_size <= sizeof(kb) && v.mv_size >= 4 && v.mv_size <= sizeof(vb));
		memcpy(kb, k.mv_data, k.mv_size);
		memcpy(vb, v.mv_data, v.mv_size - 4);
		MDB_val kc = {k.mv_size, kb}, vc = {v.mv_size - 4, vb};
		if (k.mv_size != 6 || memcmp(kb, "schema", 6) != 0)
			assert_int_equal(mdb_cursor_put(c, &kc, &vc, MDB_CURRENT), 0);
	}
	mdb_cursor_close(c);
	assert_int_equal(mdb_put(txn, meta, &sk, &sv, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	assert_int_equal(datadir_id_remove(path, err, sizeof(err)), 0);
	snprintf(err, sizeof(err), "%s/" STORE_COMMIT_FILE, path);
	assert_int_equal(unlink(err), 0);

	snprintf(f->dir + strlen(f->dir), sizeof(f->dir) - strlen(f->dir), "/new");
	assert_int_equal(open_logged(f, 0, 0, log, sizeof(log), err, sizeof(err)), 0);
	assert_non_null(strstr(log, "<6>store: migrated from schema 1 to 2: ids are now unique per "
				    "scope (village, device, township); 0 events indexed again, 0 "
				    "retractions given the scope of their event\n"));
	assert_verified(f->s, 0);
	f->dir[strlen(f->dir) - 4] = '\0'; /* the fixture removes the whole directory */
}

int main(void)
{
	const char *env = getenv("LAWTALLY_SRCDIR");
	if (env && *env)
		srcdir = env;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_grows_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_store_migrated, setup, teardown),
	};
	return cmocka_run_group_tests_name("store migration", tests, NULL, NULL);
}
