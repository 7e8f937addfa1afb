/*
 * test_fault.c - a process that LMDB takes down says why in one line: a
 * fault inside liblmdb names the store and restore, any other does not,
 * and the signal still ends the process.
 */
#include <lmdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault.h"

enum how { IN_LMDB, IN_OURS, BUS, ASSERT };

/* (volatile: the compiler may not know it for the bad address it is) */
static volatile int *volatile bad = (volatile int *)(uintptr_t)64;

/* Runs a child that faults as told; its stderr into out, its signal returned. */
static int run_child(enum how how, char *out, size_t len)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		if (fault_install("lawtallyd", "/var/lib/lawtally") != 0)
			_exit(3);
		if (how == IN_LMDB)
			printf("%lu\n", (unsigned long)mdb_txn_id((MDB_txn *)(uintptr_t)64));
		else if (how == IN_OURS)
			*bad = 1;
		else if (how == BUS)
			raise(SIGBUS);
		else {
			fault_lmdb_assert("mdb.c:8245: Assertion 'IS_LEAF(mp)' failed in mdb_cursor_next()");
			abort(); /* as LMDB does after its callback */
		}
		_exit(4); /* not reached */
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < len && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	return WTERMSIG(status);
}

static void test_fault_in_lmdb(void **state)
{
	(void)state;
	char out[2048];
	assert_int_equal(run_child(IN_LMDB, out, sizeof(out)), SIGSEGV);
	assert_string_equal(out,
		"<2>SIGSEGV: lawtallyd stopped: LMDB read outside its map in the store in "
		"/var/lib/lawtally: a page of data.mdb is damaged. Keep the file for inspection, "
		"run `lawtally verify` on it, and restore the last good backup with "
		"`lawtally restore`\n");
}

static void test_fault_elsewhere(void **state)
{
	(void)state;
	char out[2048];
	assert_int_equal(run_child(IN_OURS, out, sizeof(out)), SIGSEGV);
	assert_string_equal(out, "<2>SIGSEGV: lawtallyd stopped by a fault outside the store's "
				 "library; please report it with the lines before this one\n");
}

static void test_bus_is_the_store(void **state)
{
	(void)state;
	char out[2048];
	assert_int_equal(run_child(BUS, out, sizeof(out)), SIGBUS);
	assert_non_null(strstr(out, "<2>SIGBUS: lawtallyd stopped: LMDB read outside its map"));
}

static void test_lmdb_check_failed(void **state)
{
	(void)state;
	char out[2048];
	assert_int_equal(run_child(ASSERT, out, sizeof(out)), SIGABRT);
	assert_string_equal(out,
		"<2>lawtallyd stopped: LMDB's own check failed (mdb.c:8245: Assertion "
		"'IS_LEAF(mp)' failed in mdb_cursor_next()) in the store in /var/lib/lawtally: "
		"a page of data.mdb is damaged. Keep the file for inspection, run `lawtally "
		"verify` on it, and restore the last good backup with `lawtally restore`\n");
}

static void test_lmdb_code_known(void **state)
{
	(void)state;
	assert_false(fault_in_lmdb((uintptr_t)&mdb_version)); /* before install: unknown */
	assert_int_equal(fault_install("t", "/tmp"), 0);
	assert_true(fault_in_lmdb((uintptr_t)&mdb_version));
	assert_true(fault_in_lmdb((uintptr_t)&mdb_txn_id));
	assert_false(fault_in_lmdb((uintptr_t)&run_child));
	assert_false(fault_in_lmdb((uintptr_t)&printf));
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_in_lmdb),
		cmocka_unit_test(test_fault_elsewhere),
		cmocka_unit_test(test_bus_is_the_store),
		cmocka_unit_test(test_lmdb_check_failed),
		cmocka_unit_test(test_lmdb_code_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
