/* test_dirs.c - mkdir -p (common/dirs.c), in a temporary directory. */
#include <errno.h>
#include <limits.h>
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

#include "dirs.h"
#include "err.h"

static int setup(void **state)
{
	static char dir[sizeof("/tmp/test_dirs.XXXXXX")];
	strcpy(dir, "/tmp/test_dirs.XXXXXX"); /* mkdtemp wrote the last one's name here */
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (const char *)*state);
	return system(cmd) == 0 ? 0 : -1;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return st.st_mode & 07777;
}

static void test_parents_and_modes(void **state)
{
	const char *tmp = *state;
	char path[256], parent[256];
	mode_t old = umask(0022);
	snprintf(parent, sizeof(parent), "%s/a", tmp);
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	assert_int_equal(dirs_make(path, 0770), 0);
	assert_int_equal(mode_of(path), 0750); /* less the umask */
	assert_int_equal(mode_of(parent), 0750);
	/* there already: fine, and left as it is */
	assert_int_equal(dirs_make(path, 0700), 0);
	assert_int_equal(mode_of(path), 0750);
	/* a trailing slash and doubled slashes */
	snprintf(path, sizeof(path), "%s/a//d/", tmp);
	assert_int_equal(dirs_make(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/d", tmp);
	assert_int_equal(mode_of(path), 0700);
	umask(old);
}

static void test_errors(void **state)
{
	const char *tmp = *state;
	char path[256];
	/* a file where a parent should be */
	snprintf(path, sizeof(path), "%s/file", tmp);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file/sub", tmp);
	errno = 0;
	assert_int_equal(dirs_make(path, 0700), LT_ESYS);
	assert_int_equal(errno, ENOTDIR);
	/* longer than a path can be */
	char *longp = malloc(PATH_MAX + 8);
	assert_non_null(longp);
	memset(longp, 'x', PATH_MAX + 7);
	longp[0] = '/';
	longp[PATH_MAX + 7] = '\0';
	errno = 0;
	assert_int_equal(dirs_make(longp, 0700), LT_EINVAL);
	assert_int_equal(errno, ENAMETOOLONG);
	free(longp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parents_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
