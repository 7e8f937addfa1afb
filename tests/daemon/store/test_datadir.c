/*
 * test_datadir.c - the data directory's owner lock (one holder, its pid
 * named to the next), the check for processes that have the store open,
 * and directory sync.
 */
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "datadir.h"
#include "err.h"
#include "store.h"

static char dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lawtally-datadir-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_one_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opener_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
	};
	return cmocka_run_group_tests_name("datadir", tests, NULL, NULL);
}
