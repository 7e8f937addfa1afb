/*
 * test_xalloc.c - unit tests of common/xalloc.c: what the x-functions give,
 * and that an allocation that cannot be made ends the process with status
 * 1 and one <3> line naming the size, an overflowing count included.
 *
 * The ends run in a child: this program again (/proc/self/exe) with the
 * case's name as its argument, stderr into a pipe. Under AddressSanitizer
 * the child is told to let malloc return NULL and not to check for leaks
 * at exit, so that it takes the same path as a plain build.
 */
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
#include <event2/buffer.h>
#include <jansson.h>

#include "lawtally.pb-c.h"
#include "xalloc.h"

/* ---- the child's cases: each returns only if the process was not ended ---- */

static int child_case(const char *name)
{
	if (strcmp(name, "malloc") == 0) {
		free(xmalloc(SIZE_MAX));
	} else if (strcmp(name, "realloc") == 0) {
		free(xrealloc(xmalloc(16), SIZE_MAX - 1));
	} else if (strcmp(name, "reallocarray-overflow") == 0) {
		free(xreallocarray(NULL, SIZE_MAX / 2 + 1, 2)); /* 2^64: wraps to 0 unchecked */
	} else if (strcmp(name, "reallocarray-too-big") == 0) {
		free(xreallocarray(NULL, SIZE_MAX / 2, 2)); /* fits size_t, not memory */
	} else if (strcmp(name, "calloc-overflow") == 0) {
		free(xcalloc((SIZE_MAX >> 4) + 1, 16));
	} else if (strcmp(name, "libevent") == 0) {
		/* libevent's own allocation, routed by xalloc_init: NULL-free or the end */
		xalloc_init();
		struct evbuffer *b = evbuffer_new();
		if (evbuffer_expand(b, (size_t)1 << 60) != 0)
			return 2;
		evbuffer_free(b);
	} else {
		return 3;
	}
	return 0;
}

/*
 * Runs case name in a child; returns its exit status (128 + the signal if
 * it was killed) and copies its one <3> line (without the newline) to line.
 */
static int run_child(const char *name, char *line, size_t len)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		/* a sanitizer's allocator returns NULL too, as malloc does */
		setenv("ASAN_OPTIONS", "allocator_may_return_null=1:detect_leaks=0", 1);
		setenv("TSAN_OPTIONS", "allocator_may_return_null=1", 1);
		/* this program's path (under valgrind /proc/self/exe itself is valgrind's) */
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			_exit(126);
		self[n] = '\0';
		execl(self, "test_xalloc", name, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char out[4096];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(out) - 1 && (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	line[0] = '\0';
	for (char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "<3>", 3) != 0)
			continue;
		assert_string_equal(line, ""); /* one error line only */
		snprintf(line, len, "%.*s", (int)strcspn(l, "\n"), l);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_end(const char *name, const char *expected_line)
{
	char line[256];
	assert_int_equal(run_child(name, line, sizeof(line)), 1);
	assert_string_equal(line, expected_line);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_gives_memory(void **state)
{
	(void)state;
	unsigned char *p = xmalloc(0);
	assert_non_null(p); /* never NULL, even for nothing */
	free(p);
	p = xcalloc(0, 8);
	assert_non_null(p);
	free(p);
	p = xcalloc(100, 3);
	for (int i = 0; i < 300; i++)
		assert_int_equal(p[i], 0);
	memset(p, 7, 300);
	p = xrealloc(p, 100000);
	for (int i = 0; i < 300; i++)
		assert_int_equal(p[i], 7);
	p = xreallocarray(p, 10, 4);
	assert_int_equal(p[39], 7);
	free(p);
	p = xreallocarray(NULL, 0, 16);
	assert_non_null(p);
	free(p);
}

static void test_copies(void **state)
{
	(void)state;
	char *s = xstrdup("调解 ZL07");
	assert_string_equal(s, "调解 ZL07");
	free(s);
	s = xstrndup("village", 3);
	assert_string_equal(s, "vil");
	free(s);
	s = xstrndup("ab", 10);
	assert_string_equal(s, "ab");
	free(s);
	const unsigned char bytes[5] = {1, 0, 2, 0, 3};
	unsigned char *m = xmemdup(bytes, sizeof(bytes));
	assert_memory_equal(m, bytes, sizeof(bytes));
	free(m);
	m = xmemdup(NULL, 0);
	assert_non_null(m);
	free(m);
}

static void test_malloc_failure_ends(void **state)
{
	(void)state;
	expect_end("malloc", "<3>out of memory: cannot allocate 18446744073709551615 bytes");
	expect_end("realloc", "<3>out of memory: cannot allocate 18446744073709551614 bytes");
}

/* n * size that does not fit size_t ends the process; it is never wrapped round */
static void test_overflow_ends(void **state)
{
	(void)state;
	expect_end("reallocarray-overflow",
		   "<3>out of memory: cannot allocate 9223372036854775808 x 2 bytes");
	expect_end("reallocarray-too-big",
		   "<3>out of memory: cannot allocate 18446744073709551614 bytes");
	expect_end("calloc-overflow",
		   "<3>out of memory: cannot allocate 1152921504606846976 x 16 bytes");
}

/* After xalloc_init, libevent's and jansson's allocations are ours. */
static void test_libraries_routed(void **state)
{
	(void)state;
	char line[256];
	assert_int_equal(run_child("libevent", line, sizeof(line)), 1);
	assert_non_null(strstr(line, "<3>out of memory: cannot allocate "));
	xalloc_init();
	json_malloc_t m;
	json_free_t f;
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, xmalloc);
	assert_ptr_equal(f, free);
}

/* An event unpacked through xalloc_protobuf, freed through it. */
static void test_protobuf_allocator(void **state)
{
	(void)state;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	e.village = "ZL07";
	e.occurred_at = 1717200000;
	uint8_t buf[64];
	size_t len = lawtally__v1__event__pack(&e, buf);
	Lawtally__V1__Event *back = lawtally__v1__event__unpack(&xalloc_protobuf, len, buf);
	assert_non_null(back);
	assert_string_equal(back->village, "ZL07");
	assert_int_equal(back->occurred_at, 1717200000);
	lawtally__v1__event__free_unpacked(back, &xalloc_protobuf);
	/* bytes that do not decode are still a failed unpack, not an end */
	buf[0] = 0xff;
	assert_null(lawtally__v1__event__unpack(&xalloc_protobuf, 1, buf));
}

int main(int argc, char **argv)
{
	if (argc == 2)
		return child_case(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gives_memory),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_malloc_failure_ends),
		cmocka_unit_test(test_overflow_ends),
		cmocka_unit_test(test_libraries_routed),
		cmocka_unit_test(test_protobuf_allocator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
