/*
 * test_httplisten.c - unit tests of daemon/httplisten.c: the limit and the
 * verdict on a new connection (pure), then a real evhttp on loopback in
 * this process: slow clients hold at most the limit and the next one is
 * answered 503 at once; a connection that waited long gives way to a new
 * one; a trickling client is closed at its deadline however it trickles;
 * and when descriptors run out, the waiting client is answered 503 and
 * accepting resumes when they come back.
 *
 * Every wait is on a condition with a deadline; the loop runs in slices of
 * 10 ms between checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "httplisten.h"
#include "metrics.h"

#define DEADLINE_MS 5000

static void test_limit(void **state)
{
	(void)state;
	unsigned reserve;
	/* no limit known: connections_max */
	assert_int_equal(httplisten_limit(64, 0, &reserve), 64);
	assert_int_equal(reserve, 0);
	/* the packaged unit's LimitNOFILE=65536: connections_max fits */
	assert_int_equal(httplisten_limit(10000, 65536, &reserve), 10000);
	assert_int_equal(reserve, 64 + 8192);
	/* LimitNOFILE=1024: 64 + 1024/8 = 192 kept for the rest */
	assert_int_equal(httplisten_limit(10000, 1024, &reserve), 832);
	assert_int_equal(reserve, 192);
	assert_int_equal(httplisten_limit(64, 1024, &reserve), 64);
	/* never below one connection */
	assert_int_equal(httplisten_limit(64, 10, &reserve), 1);
	assert_int_equal(httplisten_limit(0, 0, &reserve), 1);
}

static void test_verdict(void **state)
{
	(void)state;
	assert_int_equal(httplisten_verdict(0, 1, -1, 0), HTTPLISTEN_ADMIT);
	assert_int_equal(httplisten_verdict(63, 64, 5, 0), HTTPLISTEN_ADMIT);
	assert_int_equal(httplisten_verdict(64, 64, -1, 0), HTTPLISTEN_REFUSE);
	assert_int_equal(httplisten_verdict(64, 64, HTTPLISTEN_SHED_MS - 1, 0), HTTPLISTEN_REFUSE);
	assert_int_equal(httplisten_verdict(64, 64, HTTPLISTEN_SHED_MS, 0), HTTPLISTEN_SHED);
	assert_int_equal(httplisten_verdict(65, 64, 100000, 0), HTTPLISTEN_SHED);
	/* a whole request takes the place of any connection still waiting for one */
	assert_int_equal(httplisten_verdict(64, 64, 0, 1), HTTPLISTEN_SHED);
	/* but not of none: every connection busy serving */
	assert_int_equal(httplisten_verdict(64, 64, -1, 1), HTTPLISTEN_REFUSE);
}

struct fx {
	struct event_base *base;
	struct evhttp *ev;
	struct httplisten *hl;
	struct metrics m;
	unsigned port;
	int served;
};

static void on_request(struct evhttp_request *req, void *arg)
{
	struct fx *f = arg;
	httplisten_serving(f->hl, req);
	f->served++;
	struct evbuffer *b = evbuffer_new();
	evbuffer_add_printf(b, "ok\n");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static struct fx *start(unsigned cap, unsigned timeout_s)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	assert_non_null(f);
	f->base = event_base_new();
	f->ev = evhttp_new(f->base);
	assert_non_null(f->ev);
	evhttp_set_gencb(f->ev, on_request, f);
	struct httplisten_options o = {"127.0.0.1", 0, cap, timeout_s};
	assert_int_equal(httplisten_start(&f->hl, f->base, f->ev, &o, &f->m, err, sizeof(err)), 0);
	f->port = httplisten_port(f->hl);
	assert_int_equal(httplisten_cap(f->hl), cap);
	return f;
}

static void stop(struct fx *f)
{
	evhttp_free(f->ev);
	httplisten_free(&f->hl);
	assert_null(f->hl);
	event_base_free(f->base);
	free(f);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop for about ms milliseconds. */
static void run(struct fx *f, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

/* A connected socket (the kernel completes it before the server accepts). */
static int client_socket(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	return s;
}

static void client_connect(int s, unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(fcntl(s, F_SETFL, O_NONBLOCK), 0);
}

static int client(unsigned port)
{
	int s = client_socket();
	client_connect(s, port);
	return s;
}

static void say(int s, const char *text)
{
	assert_int_equal(send(s, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/*
 * What the server sent s, read until it closed, or sent a whole 200 of
 * on_request, or DEADLINE_MS passed (the loop running meanwhile): returns
 * the bytes, *closed set if it closed.
 */
static size_t answer(struct fx *f, int s, char *buf, size_t len, int *closed)
{
	size_t got = 0;
	int64_t end = now_ms() + DEADLINE_MS;
	*closed = 0;
	while (now_ms() < end && got + 1 < len) {
		ssize_t n = recv(s, buf + got, len - 1 - got, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			*closed = 1;
			break;
		}
		if (n > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\nok\n")) /* a whole 200: the connection stays */
				break;
			continue;
		}
		run(f, 10);
	}
	buf[got] = '\0';
	return got;
}

static void wait_open(struct fx *f, uint64_t want)
{
	int64_t end = now_ms() + DEADLINE_MS;
	while (f->m.http_open != want && now_ms() < end)
		run(f, 10);
	assert_int_equal(f->m.http_open, want);
}

/*
 * Two slow clients hold the two slots; a third slow one is answered 503 at
 * once, and one that sent its whole request takes the place of a slow one.
 */
static void test_limit_and_503(void **state)
{
	(void)state;
	struct fx *f = start(2, 30);
	char buf[1024];
	int closed;
	int a = client(f->port), b = client(f->port);
	say(a, "GET /healthz HTTP/1.1\r\n");
	say(b, "GET /healthz HTTP/1.1\r\n");
	wait_open(f, 2);
	int c = client(f->port);
	say(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	answer(f, c, buf, sizeof(buf), &closed);
	assert_true(closed);
	assert_string_equal(buf, "HTTP/1.1 503 Service Unavailable\r\n"
				 "Content-Type: application/json\r\nContent-Length: 54\r\n"
				 "Retry-After: 1\r\nConnection: close\r\n\r\n"
				 "{\"error\":\"http: too many connections (2); try again\"}\n");
	assert_int_equal(f->m.http_refused, 1);
	assert_int_equal(f->m.http_open, 2);
	assert_int_equal(f->served, 0);
	/* one that sent its whole request takes the place of a slow one at once */
	int e = client(f->port);
	say(e, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answer(f, e, buf, sizeof(buf), &closed);
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(f->m.http_shed, 1);
	assert_int_equal(f->served, 1);
	close(e);
	wait_open(f, 1);
	/* it was a, the longest waiting, that gave way, unanswered */
	answer(f, a, buf, sizeof(buf), &closed);
	assert_true(closed);
	assert_string_equal(buf, "");
	/* the slot freed is taken again, without a place given */
	int d = client(f->port);
	say(d, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answer(f, d, buf, sizeof(buf), &closed);
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(f->served, 2);
	assert_int_equal(f->m.http_shed, 1);
	close(a);
	close(b);
	close(c);
	close(d);
	wait_open(f, 0);
	stop(f);
}

/* Past the limit, the connection that has waited HTTPLISTEN_SHED_MS gives way. */
static void test_shed(void **state)
{
	(void)state;
	struct fx *f = start(1, 30);
	char buf[1024];
	int closed;
	int slow = client(f->port);
	say(slow, "GET /healthz HTTP/1.1\r\n");
	wait_open(f, 1);
	int64_t t0 = now_ms();
	while (now_ms() - t0 < HTTPLISTEN_SHED_MS + 50)
		run(f, 10);
	int good = client(f->port);
	say(good, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answer(f, good, buf, sizeof(buf), &closed);
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(f->m.http_shed, 1);
	assert_int_equal(f->m.http_refused, 0);
	/* the slow one was closed, unanswered */
	answer(f, slow, buf, sizeof(buf), &closed);
	assert_true(closed);
	assert_string_equal(buf, "");
	close(slow);
	close(good);
	wait_open(f, 0);
	stop(f);
}

/*
 * A header line every 200 ms restarts evhttp's own timeout every time;
 * the request's deadline (1 s) holds whatever it sends. A kept-alive
 * connection waits for its next request under the same deadline.
 */
static void test_deadline(void **state)
{
	(void)state;
	struct fx *f = start(4, 1);
	char buf[1024];
	int closed = 0;
	int s = client(f->port), k = client(f->port);
	say(k, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	int64_t t0 = now_ms();
	say(s, "GET /healthz HTTP/1.1\r\n");
	int lines = 0;
	while (now_ms() - t0 < 3000) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			closed = 1;
			break;
		}
		if (now_ms() - t0 >= 200 * (lines + 1)) {
			lines++;
			send(s, "X-Slow: x\r\n", 11, MSG_NOSIGNAL);
		}
		run(f, 10);
	}
	int64_t lived = now_ms() - t0;
	assert_true(closed);
	assert_true(lived >= 900 && lived < 2000);
	assert_true(lines >= 4);
	/* the kept-alive one got its answer, then was closed at its own deadline */
	answer(f, k, buf, sizeof(buf), &closed);
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	answer(f, k, buf, sizeof(buf), &closed);
	assert_true(closed);
	assert_int_equal(f->m.http_timed_out, 2);
	assert_int_equal(f->served, 1);
	close(s);
	close(k);
	wait_open(f, 0);
	stop(f);
}

/*
 * Out of descriptors: the client waiting in the kernel's queue is answered
 * 503 through the spare descriptor, accepting pauses, and once descriptors
 * are back a new client is served.
 */
static void test_out_of_descriptors(void **state)
{
	(void)state;
	if (getenv("LAWTALLY_UNDER_VALGRIND")) {
		/* valgrind keeps descriptors of its own above the limit and
		 * virtualises RLIMIT_NOFILE: the limit this test sets is not the
		 * one the listener meets there */
		print_message("test_out_of_descriptors: skipped under valgrind\n");
		skip();
	}
	struct fx *f = start(16, 30);
	struct rlimit old, low;
	char buf[1024];
	int closed;
	int fill[4096], nfill = 0;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int c = client_socket(), later = client_socket();
	/* every descriptor below a low limit taken */
	low = old;
	low.rlim_cur = 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int fd;
	while (nfill < 4096 && (fd = dup(0)) >= 0)
		fill[nfill++] = fd;
	assert_int_equal(errno, EMFILE);
	client_connect(c, f->port);
	say(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answer(f, c, buf, sizeof(buf), &closed);
	assert_true(closed);
	assert_non_null(strstr(buf, "HTTP/1.1 503 Service Unavailable\r\n"));
	assert_non_null(strstr(buf, "{\"error\":\"http: out of file descriptors; try again\"}\n"));
	assert_true(f->m.http_accept_errors >= 1);
	uint64_t errors = f->m.http_accept_errors;
	/* paused, not spinning: no pending connection, no more errors */
	run(f, 3 * HTTPLISTEN_BACKOFF_MS);
	assert_int_equal(f->m.http_accept_errors, errors);
	while (nfill > 0)
		close(fill[--nfill]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	client_connect(later, f->port);
	say(later, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	answer(f, later, buf, sizeof(buf), &closed);
	assert_memory_equal(buf, "HTTP/1.1 200 OK\r\n", 17);
	close(c);
	close(later);
	wait_open(f, 0);
	stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_limit_and_503),
		cmocka_unit_test(test_shed),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_out_of_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
