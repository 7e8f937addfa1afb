/* test_keyfile.c - reading a small file whole (common/keyfile.c's keyfile_read_fd). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "keyfile.h"

/* A file of text, open for reading at its start. */
static int file_with(const char *text)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fflush(f), 0);
	int fd = dup(fileno(f));
	fclose(f);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void test_whole_and_bounded(void **state)
{
	(void)state;
	char buf[8];
	size_t len = 99;
	int fd = file_with("abc\n");
	assert_int_equal(keyfile_read_fd(fd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "abc\n", 4);
	close(fd);

	/* longer than cap: cap bytes, so that the caller sees "too long" */
	fd = file_with("0123456789");
	assert_int_equal(keyfile_read_fd(fd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "01234567", 8);
	close(fd);

	fd = file_with("");
	assert_int_equal(keyfile_read_fd(fd, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 0);
	close(fd);
}

/* A pipe fed in pieces by another process: read to its end, not one read's worth. */
static void test_pieces(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static const char *const pieces[] = {"s3cret", "-Token", "_0123"};
		close(p[0]);
		for (int i = 0; i < 3; i++)
			if (write(p[1], pieces[i], strlen(pieces[i])) < 0)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	char buf[64];
	size_t len = 0;
	assert_int_equal(keyfile_read_fd(p[0], buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 17);
	assert_memory_equal(buf, "s3cret-Token_0123", 17);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
}

static void test_error(void **state)
{
	(void)state;
	char buf[8];
	size_t len;
	errno = 0;
	assert_int_equal(keyfile_read_fd(-1, buf, sizeof(buf), &len), LT_ESYS);
	assert_int_equal(errno, EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_and_bounded),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
