/*
 * test_auth.c - unit tests of daemon/auth.c against the real libzmq: the
 * ZAP handler lets in registered keys only, names them by User-Id, and
 * everything fails closed: no handler, a closed handler, an unreadable
 * clients directory or key. The trap itself (libzmq's default fails open)
 * is shown too, and that auth_identify() refuses what it lets through.
 *
 * Handshakes are observed with socket monitors on the server: each test
 * waits for the handshake's outcome, never a fixed time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "err.h"
#include "keyfile.h"
#include "log.h"

#define DEADLINE_MS 5000

enum { C_VILLAGE, C_DEVICE, C_OFFICE, C_COUNT };
static const char *const client_names[C_COUNT] = {"zl07-centre", "cam-01", "office"};
static const char *const client_roles[C_COUNT] = {"village:ZL07", "device", "office"};

struct fx {
	char dir[64], keyfile[128], clients[128];
	char server_pub[41], server_sec[41];
	char pub[C_COUNT][41], sec[C_COUNT][41];
	struct event_base *base;
	void *ctx;
	struct auth *auth;
	int monitors;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_client(struct fx *f, int i)
{
	char path[256], text[512];
	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[i]);
	snprintf(text, sizeof(text), "public_key = %s\nrole = %s\n", f->pub[i], client_roles[i]);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	assert_true(fputs(text, out) >= 0);
	assert_int_equal(fclose(out), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512];
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_auth.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->keyfile, sizeof(f->keyfile), "%s/server.key", f->dir);
	snprintf(f->clients, sizeof(f->clients), "%s/clients", f->dir);
	assert_int_equal(mkdir(f->clients, 0755), 0);
	assert_int_equal(zmq_curve_keypair(f->server_pub, f->server_sec), 0);
	assert_int_equal(keyfile_write(f->keyfile, f->server_sec, 0600, err, sizeof(err)), 0);
	for (int i = 0; i < C_COUNT; i++) {
		assert_int_equal(zmq_curve_keypair(f->pub[i], f->sec[i]), 0);
		write_client(f, i);
	}
	f->base = event_base_new();
	f->ctx = zmq_ctx_new();
	assert_non_null(f->base);
	assert_non_null(f->ctx);
	struct auth_options o = {f->keyfile, f->clients, 32};
	assert_int_equal(auth_start(&f->auth, f->base, f->ctx, &o, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	auth_close(&f->auth);
	zmq_ctx_term(f->ctx);
	event_base_free(f->base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A ROUTER on a free loopback port; auth (may be NULL) makes it a CURVE server. */
static void *server(void *ctx, const struct auth *a, char *endpoint, size_t len)
{
	char err[256];
	int linger = 0;
	void *s = zmq_socket(ctx, ZMQ_ROUTER);
	assert_non_null(s);
	assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)), 0);
	if (a)
		assert_int_equal(auth_server_socket(a, s, err, sizeof(err)), 0);
	assert_int_equal(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
	assert_int_equal(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &len), 0);
	return s;
}

/* A PAIR socket hearing sock's handshake outcomes. */
static void *monitor(struct fx *f, void *ctx, void *sock)
{
	char ep[64];
	snprintf(ep, sizeof(ep), "inproc://test-auth-monitor-%d", f->monitors++);
	assert_int_equal(zmq_socket_monitor(sock, ep,
					    ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
						    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
						    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
						    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH),
			 0);
	void *m = zmq_socket(ctx, ZMQ_PAIR);
	int linger = 0;
	zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_connect(m, ep), 0);
	return m;
}

/* A DEALER that sends "hello" with the client key i (-1: no CURVE; -2: an unknown key). */
static void *client(void *ctx, const char *endpoint, const struct fx *f, int i)
{
	int linger = 0;
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	assert_non_null(s);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (i != -1) {
		char pub[41], sec[41];
		if (i == -2)
			assert_int_equal(zmq_curve_keypair(pub, sec), 0);
		else
			memcpy(pub, f->pub[i], 41), memcpy(sec, f->sec[i], 41);
		assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, f->server_pub, 40), 0);
		assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40), 0);
		assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40), 0);
	}
	assert_int_equal(zmq_connect(s, endpoint), 0);
	assert_int_equal(zmq_send(s, "hello", 5, 0), 5);
	return s;
}

/*
 * Runs the event loop (the ZAP handler) until mon reports a handshake
 * outcome, for at most ms; -1 if none came.
 */
static int handshake_within(struct fx *f, void *mon, int ms)
{
	int64_t end = now_ms() + ms;
	while (now_ms() < end) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		zmq_pollitem_t pi = {mon, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&pi, 1, 5) == 1) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			assert_true(zmq_msg_recv(&m, mon, 0) >= 6);
			uint16_t ev;
			memcpy(&ev, zmq_msg_data(&m), 2);
			zmq_msg_close(&m);
			zmq_msg_init(&m);
			assert_true(zmq_msg_recv(&m, mon, 0) >= 0); /* the endpoint */
			zmq_msg_close(&m);
			return ev;
		}
	}
	return -1;
}

/* handshake_within, failing the test if no outcome came in time. */
static int handshake(struct fx *f, void *mon)
{
	int ev = handshake_within(f, mon, DEADLINE_MS);
	if (ev < 0)
		fail_msg("no handshake outcome within %d ms", DEADLINE_MS);
	return ev;
}

/* Receives "hello" (routing id and payload) on router, running the loop. */
static void receive(struct fx *f, void *router, zmq_msg_t *payload)
{
	int64_t end = now_ms() + DEADLINE_MS;
	zmq_msg_t id;
	zmq_msg_init(&id);
	while (zmq_msg_recv(&id, router, ZMQ_DONTWAIT) < 0) {
		assert_true(now_ms() < end);
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		zmq_pollitem_t pi = {router, 0, ZMQ_POLLIN, 0};
		zmq_poll(&pi, 1, 5);
	}
	zmq_msg_close(&id);
	zmq_msg_init(payload);
	assert_int_equal(zmq_msg_recv(payload, router, 0), 5);
	assert_memory_equal(zmq_msg_data(payload), "hello", 5);
}

static void assert_nothing(void *router)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	assert_true(zmq_msg_recv(&m, router, ZMQ_DONTWAIT) < 0);
	zmq_msg_close(&m);
}

static void test_registered_keys_get_in(void **state)
{
	struct fx *f = *state;
	char ep[64];
	void *r = server(f->ctx, f->auth, ep, sizeof(ep));
	void *mon = monitor(f, f->ctx, r);
	assert_int_equal(auth_clients(f->auth), 3);
	char pub[41];
	assert_int_equal(zmq_curve_public(pub, f->server_sec), 0);
	assert_string_equal(auth_public_key(f->auth), pub);
	for (int i = 0; i < C_COUNT; i++) {
		void *c = client(f->ctx, ep, f, i);
		assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
		zmq_msg_t m;
		receive(f, r, &m);
		assert_string_equal(zmq_msg_gets(&m, "User-Id"), f->pub[i]);
		const struct keyring_entry *who = NULL;
		assert_int_equal(auth_identify(f->auth, &m, &who), AUTH_CLIENT);
		assert_string_equal(who->name, client_names[i]);
		char role[SCOPE_TEXT_MAX + 1];
		scope_format(&who->scope, role, sizeof(role));
		assert_string_equal(role, client_roles[i]);
		zmq_msg_close(&m);
		zmq_close(c);
	}
	zmq_close(mon);
	zmq_close(r);
}

static void test_others_get_nothing(void **state)
{
	struct fx *f = *state;
	char ep[64];
	void *r = server(f->ctx, f->auth, ep, sizeof(ep));
	void *mon = monitor(f, f->ctx, r);
	/* an unknown key: the ZAP handler says 400 */
	void *c = client(f->ctx, ep, f, -2);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	assert_nothing(r);
	zmq_close(c);
	/* no CURVE at all */
	c = client(f->ctx, ep, f, -1);
	int ev = handshake(f, mon);
	assert_true(ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
		    ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
	assert_nothing(r);
	zmq_close(c);
	zmq_close(mon);
	zmq_close(r);
}

/*
 * The trap: a CURVE server in a context without a ZAP handler lets a client
 * in (empty User-Id) unless the domain is enforced; auth_identify() refuses
 * such a message. With auth_server_socket()'s options nobody gets in.
 */
static void test_no_handler_fails_closed(void **state)
{
	struct fx *f = *state;
	char ep[64];
	void *ctx = zmq_ctx_new();
	int one = 1;

	void *open_door = zmq_socket(ctx, ZMQ_ROUTER);
	int linger = 0;
	zmq_setsockopt(open_door, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_setsockopt(open_door, ZMQ_ZAP_DOMAIN, AUTH_DOMAIN, strlen(AUTH_DOMAIN)), 0);
	assert_int_equal(zmq_setsockopt(open_door, ZMQ_CURVE_SERVER, &one, sizeof(one)), 0);
	assert_int_equal(zmq_setsockopt(open_door, ZMQ_CURVE_SECRETKEY, f->server_sec, 40), 0);
	assert_int_equal(zmq_bind(open_door, "tcp://127.0.0.1:*"), 0);
	size_t len = sizeof(ep);
	assert_int_equal(zmq_getsockopt(open_door, ZMQ_LAST_ENDPOINT, ep, &len), 0);
	void *c = client(ctx, ep, f, C_VILLAGE);
	zmq_msg_t m;
	receive(f, open_door, &m);
	const char *user = zmq_msg_gets(&m, "User-Id");
	assert_true(user == NULL || user[0] == '\0');
	const struct keyring_entry *who = (const struct keyring_entry *)1;
	assert_int_equal(auth_identify(f->auth, &m, &who), AUTH_ANONYMOUS);
	assert_null(who);
	zmq_msg_close(&m);
	zmq_close(c);
	zmq_close(open_door);

	void *r = server(ctx, f->auth, ep, sizeof(ep));
	void *mon = monitor(f, ctx, r);
	c = client(ctx, ep, f, C_OFFICE);
	int ev = handshake(f, mon);
	assert_int_not_equal(ev, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	assert_nothing(r);
	zmq_close(c);
	zmq_close(mon);
	zmq_close(r);
	zmq_ctx_term(ctx);
}

/* Once the handler has closed, a registered key gets nothing either. */
static void test_closed_handler_fails_closed(void **state)
{
	struct fx *f = *state;
	char ep[64];
	void *r = server(f->ctx, f->auth, ep, sizeof(ep));
	void *mon = monitor(f, f->ctx, r);
	auth_close(&f->auth);
	assert_null(f->auth);
	void *c = client(f->ctx, ep, f, C_OFFICE);
	/*
	 * Closed means nothing gets in. libzmq closes the handler's socket
	 * asynchronously: a handshake that reaches it before the close is
	 * processed waits for a ZAP reply that never comes, and reports no
	 * outcome at all. Either way the message must not arrive.
	 */
	int ev = handshake_within(f, mon, 2000);
	zmq_close(c);
	zmq_close(mon);
	assert_int_not_equal(ev, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	assert_nothing(r);
	zmq_close(r);
}

/*
 * SIGHUP fails safe: a removed file revokes whatever else is wrong, an
 * invalid file is shut out, an unreadable directory lets nobody in.
 */
static void test_reload(void **state)
{
	struct fx *f = *state;
	char ep[64], path[256];
	void *r = server(f->ctx, f->auth, ep, sizeof(ep));
	void *mon = monitor(f, f->ctx, r);
	void *c = client(f->ctx, ep, f, C_VILLAGE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	zmq_msg_t m;
	const struct keyring_entry *who;
	receive(f, r, &m);
	assert_int_equal(auth_identify(f->auth, &m, &who), AUTH_CLIENT);
	zmq_msg_close(&m);

	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[C_VILLAGE]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(auth_reload(f->auth), 0);
	assert_int_equal(auth_clients(f->auth), 2);
	/* the connection stays, its next message is refused */
	assert_int_equal(zmq_send(c, "hello", 5, 0), 5);
	receive(f, r, &m);
	assert_int_equal(auth_identify(f->auth, &m, &who), AUTH_REVOKED);
	assert_null(who);
	zmq_msg_close(&m);
	zmq_close(c);
	/* and a new connection with that key fails */
	c = client(f->ctx, ep, f, C_VILLAGE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	zmq_close(c);

	/*
	 * The case: another file invalid (anyone may write it) while a
	 * file is removed. The removal applies, the invalid file's key is shut
	 * out, the rest stays.
	 */
	write_client(f, C_VILLAGE);
	assert_int_equal(auth_reload(f->auth), 0);
	assert_int_equal(auth_clients(f->auth), 3);
	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[C_VILLAGE]);
	assert_int_equal(chmod(path, 0666), 0);
	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[C_DEVICE]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(auth_reload(f->auth), LT_EINVAL);
	assert_int_equal(auth_clients(f->auth), 1);
	c = client(f->ctx, ep, f, C_DEVICE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	zmq_close(c);
	c = client(f->ctx, ep, f, C_VILLAGE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	zmq_close(c);
	c = client(f->ctx, ep, f, C_OFFICE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	receive(f, r, &m);
	assert_int_equal(auth_identify(f->auth, &m, &who), AUTH_CLIENT);
	assert_string_equal(who->name, "office");
	zmq_msg_close(&m);
	zmq_close(c);
	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[C_VILLAGE]);
	assert_int_equal(unlink(path), 0);
	write_client(f, C_DEVICE);

	/* an invalid file on reload: left out, the others stay */
	snprintf(path, sizeof(path), "%s/broken.client", f->clients);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs("role = office\n", out);
	fclose(out);
	assert_int_equal(auth_reload(f->auth), LT_EINVAL);
	assert_int_equal(auth_clients(f->auth), 2);
	assert_int_equal(unlink(path), 0);
	/* a directory gone: what was revoked cannot be told, so nobody gets in */
	char moved[256];
	snprintf(moved, sizeof(moved), "%s/moved", f->dir);
	assert_int_equal(rename(f->clients, moved), 0);
	assert_int_equal(auth_reload(f->auth), LT_ESYS);
	assert_int_equal(auth_clients(f->auth), 0);
	c = client(f->ctx, ep, f, C_OFFICE);
	assert_int_equal(handshake(f, mon), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	zmq_close(c);
	assert_int_equal(rename(moved, f->clients), 0);
	assert_int_equal(auth_reload(f->auth), 0);
	assert_int_equal(auth_clients(f->auth), 2);
	/* a file added: let in after the reload */
	write_client(f, C_VILLAGE);
	assert_int_equal(auth_reload(f->auth), 0);
	assert_int_equal(auth_clients(f->auth), 3);
	zmq_close(mon);
	zmq_close(r);
}

/* What cannot be read at start fails the start: nobody would get in. */
static void test_start_errors(void **state)
{
	struct fx *f = *state;
	char err[512], want[512], path[256];
	struct auth *a = NULL;
	void *ctx = zmq_ctx_new();
	struct auth_options o = {f->keyfile, "/nonexistent/clients", 32};
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_ESYS);
	assert_string_equal(err, "auth: /nonexistent/clients: cannot open the clients directory: "
				 "No such file or directory");
	assert_null(a);

	o = (struct auth_options){"/nonexistent/server.key", f->clients, 32};
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_ESYS);
	assert_string_equal(err, "auth: server secret key /nonexistent/server.key: cannot open: "
				 "No such file or directory");

	assert_int_equal(chmod(f->keyfile, 0604), 0);
	o = (struct auth_options){f->keyfile, f->clients, 32};
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_EINVAL);
	snprintf(want, sizeof(want), "auth: server secret key %s: a secret key open to others "
		 "(mode 0604); chmod 600 it", f->keyfile);
	assert_string_equal(err, want);
	assert_int_equal(chmod(f->keyfile, 0600), 0);

	/* no file named: the systemd credential, or an error */
	unsetenv("CREDENTIALS_DIRECTORY");
	o = (struct auth_options){"", f->clients, 32};
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "auth = curve needs [auth] server_secret_key_file (or the systemd "
				 "credential server.key)");
	setenv("CREDENTIALS_DIRECTORY", f->dir, 1);
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), 0);
	assert_string_equal(auth_public_key(a), auth_public_key(f->auth));
	auth_close(&a);
	snprintf(path, sizeof(path), "%s/elsewhere", f->dir);
	setenv("CREDENTIALS_DIRECTORY", path, 1);
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_ESYS);
	snprintf(want, sizeof(want), "auth: server secret key %s/server.key: cannot open: No such "
		 "file or directory", path);
	assert_string_equal(err, want);
	unsetenv("CREDENTIALS_DIRECTORY");

	/* a client file that is not valid fails the start, naming it */
	snprintf(path, sizeof(path), "%s/%s.client", f->clients, client_names[C_DEVICE]);
	assert_int_equal(chmod(path, 0666), 0);
	o = (struct auth_options){f->keyfile, f->clients, 32};
	assert_int_equal(auth_start(&a, f->base, ctx, &o, err, sizeof(err)), LT_EINVAL);
	snprintf(want, sizeof(want), "auth: %s: writable by everyone (mode 0666)", path);
	assert_string_equal(err, want);
	assert_int_equal(chmod(path, 0644), 0);

	/* a second handler in one context cannot bind */
	assert_int_equal(auth_start(&a, f->base, f->ctx, &o, err, sizeof(err)), LT_ESYS);
	assert_non_null(strstr(err, "auth: cannot bind the ZAP handler inproc://zeromq.zap.01: "));
	zmq_ctx_term(ctx);
}

static void collect(const char *line, void *arg)
{
	char *all = arg;
	size_t n = strlen(all);
	snprintf(all + n, 4096 - n, "%s\n", line);
}

/* --check-config: every problem auth_start would refuse, one line each. */
static void test_check(void **state)
{
	struct fx *f = *state;
	char all[4096] = "", want[4096], a[256], b[256];
	struct auth_options o = {f->keyfile, f->clients, 32};
	assert_int_equal(auth_check(&o, collect, all), 0);
	assert_string_equal(all, "");
	assert_int_equal(chmod(f->keyfile, 0644), 0);
	snprintf(a, sizeof(a), "%s/%s.client", f->clients, client_names[C_VILLAGE]);
	assert_int_equal(chmod(a, 0666), 0);
	snprintf(b, sizeof(b), "%s/bad.client", f->clients);
	FILE *out = fopen(b, "w");
	assert_non_null(out);
	fputs("public_key = short\nrole = office\n", out);
	fclose(out);
	assert_int_equal(auth_check(&o, collect, all), 3);
	snprintf(want, sizeof(want),
		 "auth: server secret key %s: a secret key open to others (mode 0644); chmod 600 it\n",
		 f->keyfile);
	assert_non_null(strstr(all, want));
	snprintf(want, sizeof(want), "auth: %s: writable by everyone (mode 0666)\n", a);
	assert_non_null(strstr(all, want));
	snprintf(want, sizeof(want), "auth: %s: line 1: public_key: not a Z85 key of 40 characters\n",
		 b);
	assert_non_null(strstr(all, want));
	all[0] = '\0';
	o.clients_dir = "/nonexistent/clients";
	assert_int_equal(auth_check(&o, collect, all), 2);
	assert_non_null(strstr(all, "auth: /nonexistent/clients: cannot open the clients directory: "
				    "No such file or directory\n"));
}

static void test_endpoint_local(void **state)
{
	(void)state;
	const char *local[] = {"tcp://127.0.0.1:5570", "tcp://127.0.0.1:*", "tcp://127.9.9.9:1",
			       "tcp://[::1]:5570", "tcp://[::ffff:127.0.0.1]:5570",
			       "tcp://localhost:5570", "ipc:///run/lt.sock",
			       "ipc://*", "inproc://ingest"};
	const char *remote[] = {"tcp://*:5570", "tcp://0.0.0.0:5570", "tcp://10.1.2.3:5570",
				"tcp://[::]:5570", "tcp://eth0:5570", "tcp://example.org:5570",
				"tcp://127.evil.com:5570", "tcp://[::ffff:128.0.0.1]:5570",
				"tcp://[::1", "tcp://", "udp://127.0.0.1:1", ""};
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!auth_endpoint_local(local[i]))
			fail_msg("'%s' not taken for local", local[i]);
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (auth_endpoint_local(remote[i]))
			fail_msg("'%s' taken for local", remote[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registered_keys_get_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_others_get_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_handler_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_handler_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test(test_endpoint_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
