/* test_peer.c - the loopback rule (common/peer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "err.h"
#include "peer.h"

static void test_loopback(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"127.0.0.1", "127.0.0.2", "127.255.255.255", "127.1.2.3",
		"::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::0:1",
		"::ffff:127.0.0.1", "::ffff:127.9.8.7", "::FFFF:127.0.0.1", "::ffff:7f00:1",
		"0:0:0:0:0:ffff:127.0.0.1",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (peer_is_loopback(yes[i]) != 1)
			fail_msg("'%s' not taken for loopback", yes[i]);
}

static void test_not_loopback(void **state)
{
	(void)state;
	static const char *const no[] = {
		/* other machines and the wildcard */
		"128.0.0.1", "126.255.255.255", "10.0.0.7", "0.0.0.0", "192.168.1.1",
		"::", "::2", "::1:2", "1::1", "fe80::1", "::ffff:128.0.0.1", "::ffff:10.0.0.1",
		"::127.0.0.1", /* IPv4-compatible, not mapped */
		"64:ff9b::127.0.0.1", /* NAT64 maps another host's address */
		/* names and text that only looks like an address */
		"127.evil.com", "localhost", "127.", "127", "127.1", "127.0.0.1.", "0127.0.0.1",
		" 127.0.0.1", "127.0.0.1 ", "::1 ",
		/* a port, brackets, a zone id: the bare address only */
		"127.0.0.1:8570", "[::1]", "[::1]:8570", "::1%lo", "::1%1",
		/* libzmq's peer on an ipc:// socket */
		"localhost:0:0:6259",
		"",
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (peer_is_loopback(no[i]) != 0)
			fail_msg("'%s' taken for loopback", no[i]);
	assert_int_equal(peer_is_loopback(NULL), 0);
}

static void test_split_host(void **state)
{
	(void)state;
	static const struct {
		const char *in, *host;
	} ok[] = {
		{"127.0.0.1:8570", "127.0.0.1"},
		{"[::1]:8570", "::1"},
		{"[::ffff:127.0.0.1]:1", "::ffff:127.0.0.1"},
		{"localhost:5570", "localhost"},
		{"*:5570", "*"},
		{":80", ""},
		{"[::1]", "::1"},
	};
	char host[64], small[16];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(peer_split_host(ok[i].in, host, sizeof(host)), 0);
		assert_string_equal(host, ok[i].host);
	}
	static const char *const bad[] = {"127.0.0.1", "[::1", "", "["};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (peer_split_host(bad[i], host, sizeof(host)) != LT_EINVAL)
			fail_msg("'%s' split", bad[i]);
	/* the longest host that fits, with its NUL, and one byte more */
	assert_int_equal(peer_split_host("0123456789abcde:1", small, sizeof(small)), 0);
	assert_string_equal(small, "0123456789abcde");
	assert_int_equal(peer_split_host("0123456789abcdef:1", small, sizeof(small)), LT_EINVAL);
	assert_int_equal(peer_split_host("[::ffff:127.0.0.1]:1", small, sizeof(small)), LT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_not_loopback),
		cmocka_unit_test(test_split_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
