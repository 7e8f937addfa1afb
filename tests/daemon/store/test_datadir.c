/*
 * test_datadir.c - the data directory's owner lock (one holder, its pid
 * named to the next), the check for processes that have the store open,
 * directory sync, and the store's identity beside it: written durably,
 * read back, and a directory that held a store refusing a data.mdb that
 * is missing, empty or another store's.
 */
#include <fcntl.h>
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

#include "datadir.h"
#include "err.h"
#include "store.h"
#include "tmpstore.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lawtally-datadir-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tmpdir_remove(dir);
	return 0;
}

/* The lock holds out a second taker (even in this process) and says who holds it. */
static void test_lock_one_holder(void **state)
{
	(void)state;
	int a = -1, b = -1;
	char err[256], want[256], path[128];
	assert_int_equal(datadir_lock(dir, &a, err, sizeof(err)), 0);
	assert_true(a >= 0);
	snprintf(path, sizeof(path), "%s/" DATADIR_LOCK_FILE, dir);
	FILE *f = fopen(path, "r");
	long pid = 0;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	assert_int_equal(pid, (long)getpid());

	assert_int_equal(datadir_lock(dir, &b, err, sizeof(err)), LT_EBUSY);
	assert_int_equal(b, -1);
	snprintf(want, sizeof(want), "%s is in use by process %ld (lawtallyd, or lawtally restore)",
		 dir, (long)getpid());
	assert_string_equal(err, want);

	datadir_unlock(&a);
	assert_int_equal(a, -1);
	datadir_unlock(&a); /* safe twice */
	assert_int_equal(datadir_lock(dir, &b, err, sizeof(err)), 0);
	datadir_unlock(&b);

	assert_int_equal(datadir_lock("/nonexistent/dir", &a, err, sizeof(err)), LT_ESYS);
	assert_string_equal(err, "cannot open /nonexistent/dir/" DATADIR_LOCK_FILE
				 ": No such file or directory");
}

/* Another process with the store open is seen, and gone once it exits. */
static void test_opener_seen(void **state)
{
	(void)state;
	long pid = -1;
	assert_int_equal(datadir_opener(dir, &pid), 0); /* no lock.mdb yet */
	assert_int_equal(pid, 0);
	char err[256];
	struct store *s = NULL;
	struct store_options o = {.dir = dir, .tz_offset = 0};
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), 0);
	store_close(&s);
	assert_int_equal(datadir_opener(dir, &pid), 0); /* closed: nobody */

	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct store *cs = NULL;
		struct store_options co = {.dir = dir, .read_only = 1};
		char c = store_open(&cs, &co, err, sizeof(err)) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		store_close(&cs);
		_exit(0);
	}
	char c = 0;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(datadir_opener(dir, &pid), LT_EBUSY);
	assert_int_equal(pid, (long)child);
	assert_int_equal(write(go[1], "x", 1), 1);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(datadir_opener(dir, &pid), 0);
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}

static void test_sync(void **state)
{
	(void)state;
	assert_int_equal(datadir_sync(dir), 0);
	assert_int_equal(datadir_sync("/nonexistent/dir"), LT_ESYS);
}

/* store.id: 32 hex digits and a newline, mode 0600, nothing else left behind */
static void test_id_file(void **state)
{
	(void)state;
	uint8_t id[DATADIR_ID_LEN], back[DATADIR_ID_LEN];
	char err[256], text[DATADIR_ID_TEXT + 1], path[128], want[512];
	for (int i = 0; i < DATADIR_ID_LEN; i++)
		id[i] = (uint8_t)(0xf0 + i * 7);
	datadir_id_format(id, text);
	assert_string_equal(text, "f0f7fe050c131a21282f363d444b5259");
	assert_int_equal(datadir_id_read(dir, back, err, sizeof(err)), LT_ENOTFOUND);
	assert_int_equal(datadir_id_write(dir, id, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/" DATADIR_ID_FILE, dir);
	FILE *f = fopen(path, "r");
	char line[64] = "";
	assert_non_null(f);
	assert_int_equal(fread(line, 1, sizeof(line) - 1, f), DATADIR_ID_TEXT + 1);
	fclose(f);
	assert_string_equal(line, "f0f7fe050c131a21282f363d444b5259\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/" DATADIR_ID_FILE ".new", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(datadir_id_read(dir, back, err, sizeof(err)), 0);
	assert_memory_equal(back, id, DATADIR_ID_LEN);

	/* a damaged file is an error, never "no store here" */
	static const char *const bad[] = {"", "f0f7fe050c131a21282f363d444b5259",
					  "F0F7FE050C131A21282F363D444B5259\n",
					  "f0f7fe050c131a21282f363d444b52590\n",
					  "g0f7fe050c131a21282f363d444b5259\n"};
	snprintf(path, sizeof(path), "%s/" DATADIR_ID_FILE, dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(datadir_id_read(dir, back, err, sizeof(err)), LT_ECORRUPT);
		snprintf(want, sizeof(want), "%s is damaged: it holds no store identity (32 hex digits)",
			 path);
		assert_string_equal(err, want);
		int held = -1;
		assert_int_equal(datadir_check(dir, back, &held, err, sizeof(err)), LT_ECORRUPT);
	}
	assert_int_equal(datadir_id_remove(dir, err, sizeof(err)), 0);
	assert_int_equal(datadir_id_remove(dir, err, sizeof(err)), 0); /* none: fine */
	assert_int_equal(datadir_id_read(dir, back, err, sizeof(err)), LT_ENOTFOUND);
}

/* Opens the store in dir for writing; returns store_open's code. */
static int open_rw(struct store **s, char *err, size_t errlen)
{
	struct store_options o = {.dir = dir, .tz_offset = 0};
	return store_open(s, &o, err, errlen);
}

/*
 * A new directory gets a store and its identity with no ceremony; once it
 * held one, a lost data.mdb (missing, empty) is refused and not replaced
 * by an empty store, as is another store's; a reader refuses the same way.
 */
static void test_lost_store_refused(void **state)
{
	(void)state;
	struct store *s = NULL;
	char err[256], want[512], path[128], text[DATADIR_ID_TEXT + 1];
	uint8_t id[DATADIR_ID_LEN], file_id[DATADIR_ID_LEN];
	int held = -1;
	assert_int_equal(datadir_check(dir, id, &held, err, sizeof(err)), 0);
	assert_int_equal(held, 0);
	assert_int_equal(open_rw(&s, err, sizeof(err)), 0);
	assert_int_equal(store_identity(s, id), 1);
	store_close(&s);
	assert_int_equal(datadir_id_read(dir, file_id, err, sizeof(err)), 0);
	assert_memory_equal(file_id, id, DATADIR_ID_LEN);
	datadir_id_format(id, text);
	assert_int_equal(datadir_check(dir, file_id, &held, err, sizeof(err)), 0);
	assert_int_equal(held, 1);
	assert_int_equal(open_rw(&s, err, sizeof(err)), 0); /* its own store: fine */
	store_close(&s);

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	char keep[128];
	snprintf(keep, sizeof(keep), "%s/kept.mdb", dir);
	assert_int_equal(rename(path, keep), 0);
	snprintf(want, sizeof(want), "data.mdb is missing, but this directory held the store %s",
		 text);
	for (int read_only = 0; read_only < 2; read_only++) {
		struct store_options o = {.dir = dir, .tz_offset = 0, .read_only = read_only};
		assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_ECORRUPT);
		assert_null(s);
		assert_string_equal(err, want);
		assert_int_equal(access(path, F_OK), -1); /* no empty store in its place */
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(want, sizeof(want),
		 "data.mdb is empty (0 bytes), but this directory held the store %s", text);
	for (int read_only = 0; read_only < 2; read_only++) {
		struct store_options o = {.dir = dir, .tz_offset = 0, .read_only = read_only};
		assert_int_equal(store_open(&s, &o, err, sizeof(err)), LT_ECORRUPT);
		assert_string_equal(err, want);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 0);
	}

	/* another store's data.mdb: one made in a second new directory */
	char other[96];
	snprintf(other, sizeof(other), "%s/other", dir);
	assert_int_equal(mkdir(other, 0700), 0);
	struct store_options oo = {.dir = other, .tz_offset = 0};
	assert_int_equal(store_open(&s, &oo, err, sizeof(err)), 0);
	uint8_t oid[DATADIR_ID_LEN];
	char otext[DATADIR_ID_TEXT + 1];
	assert_int_equal(store_identity(s, oid), 1);
	store_close(&s);
	assert_memory_not_equal(oid, id, DATADIR_ID_LEN);
	datadir_id_format(oid, otext);
	char src[128];
	snprintf(src, sizeof(src), "%s/data.mdb", other);
	assert_int_equal(rename(src, path), 0);
	snprintf(want, sizeof(want),
		 "data.mdb is the store %s, not the store %s that this directory held", otext, text);
	assert_int_equal(open_rw(&s, err, sizeof(err)), LT_ECORRUPT);
	assert_null(s);
	assert_string_equal(err, want);

	/* its own again: opens, and store.id is as it was */
	assert_int_equal(rename(keep, path), 0);
	assert_int_equal(open_rw(&s, err, sizeof(err)), 0);
	store_close(&s);
	assert_int_equal(datadir_id_read(dir, file_id, err, sizeof(err)), 0);
	assert_memory_equal(file_id, id, DATADIR_ID_LEN);

	/* store.id lost while the store is there: the store's identity is written again */
	assert_int_equal(datadir_id_remove(dir, err, sizeof(err)), 0);
	assert_int_equal(open_rw(&s, err, sizeof(err)), 0);
	store_close(&s);
	assert_int_equal(datadir_id_read(dir, file_id, err, sizeof(err)), 0);
	assert_memory_equal(file_id, id, DATADIR_ID_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_one_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opener_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_store_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("datadir", tests, NULL, NULL);
}
