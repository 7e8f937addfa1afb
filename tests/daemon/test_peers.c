/*
 * test_peers.c - unit tests of daemon/peers.c on real loopback sockets:
 * a key's connections are counted from their first message up to the
 * bound; one closed stops counting; a descriptor reused by another
 * connection is not taken for the old one; keys are counted apart.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "peers.h"

struct net {
	int lfd;
	struct sockaddr_in addr;
};

static void net_open(struct net *n)
{
	socklen_t len = sizeof(n->addr);
	n->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(n->lfd >= 0);
	memset(&n->addr, 0, sizeof(n->addr));
	n->addr.sin_family = AF_INET;
	n->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(n->lfd, (struct sockaddr *)&n->addr, sizeof(n->addr)), 0);
	assert_int_equal(listen(n->lfd, 16), 0);
	assert_int_equal(getsockname(n->lfd, (struct sockaddr *)&n->addr, &len), 0);
}

/* A connection: *client is the client's end; returns the server's end. */
static int net_conn(struct net *n, int *client)
{
	*client = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*client >= 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&n->addr, sizeof(n->addr)), 0);
	int s = accept(n->lfd, NULL, NULL);
	assert_true(s >= 0);
	return s;
}

static void test_bound(void **state)
{
	(void)state;
	struct peers *p = NULL;
	struct net n;
	uint8_t a[KEYFILE_KEY_LEN], b[KEYFILE_KEY_LEN];
	int ca[3], sa[3], cb, sb;
	memset(a, 0xa1, sizeof(a));
	memset(b, 0xb2, sizeof(b));
	net_open(&n);
	peers_new(&p, 2);
	assert_int_equal(peers_per_key(p), 2);
	for (int i = 0; i < 3; i++)
		sa[i] = net_conn(&n, &ca[i]);
	sb = net_conn(&n, &cb);
	assert_int_equal(peers_open(p, a), 0);
	/* first messages: two connections counted, the third refused */
	assert_int_equal(peers_admit(p, a, sa[0]), 0);
	assert_int_equal(peers_admit(p, a, sa[1]), 0);
	assert_int_equal(peers_admit(p, a, sa[2]), LT_EBUSY);
	/* more messages on a counted one are fine; another key is apart */
	assert_int_equal(peers_admit(p, a, sa[0]), 0);
	assert_int_equal(peers_admit(p, b, sb), 0);
	assert_int_equal(peers_open(p, a), 2);
	assert_int_equal(peers_open(p, b), 1);
	/* unknown descriptor: not counted */
	assert_int_equal(peers_admit(p, a, -1), 0);
	assert_int_equal(peers_open(p, a), 2);
	/* one closes (the server's end, as libzmq closes it): room for the third */
	close(sa[0]);
	assert_int_equal(peers_open(p, a), 1);
	assert_int_equal(peers_admit(p, a, sa[2]), 0);
	assert_int_equal(peers_open(p, a), 2);
	/* sa[1]'s descriptor number taken by a new connection: not the old one any more */
	int fd1 = sa[1];
	close(sa[1]);
	int cnew;
	int snew = net_conn(&n, &cnew);
	assert_int_equal(dup2(snew, fd1), fd1);
	assert_int_equal(peers_open(p, a), 1);
	assert_int_equal(peers_admit(p, a, fd1), 0);
	assert_int_equal(peers_open(p, a), 2);
	peers_free(&p);
	assert_null(p);
	peers_free(&p);
	for (int i = 0; i < 3; i++)
		close(ca[i]);
	close(sa[2]);
	close(cb);
	close(sb);
	close(cnew);
	close(snew);
	close(fd1);
	close(n.lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
