/*
 * auth.c - the ZAP handler, the server key and the clients set (see auth.h).
 */
#include "auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "peer.h"
#include "peers.h"
#include "ratelimit.h"
#include "xalloc.h"
#include "zsock.h"

/* A DRAFT option in libzmq 4.3.4's header, accepted by the library. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define ZAP_PER_PASS 64

struct auth {
	void *zap;                         /* REP on AUTH_ZAP_ENDPOINT */
	struct zsock *z;
	char secret[KEYFILE_Z85_LEN + 1];
	char public[KEYFILE_Z85_LEN + 1];
	char clients_dir[4096];
	struct keyring *ring;
	struct peers *peers;               /* connections per key, and their bound */
	struct ratelimit refusals;         /* "refused key" lines: few, whatever the keys */
	struct ratelimit crowded;          /* "too many connections" lines */
};

/* ZAP request frames (RFC 27), after REP has taken the envelope off. */
enum zap_frame { ZAP_VERSION, ZAP_REQUEST_ID, ZAP_DOMAIN, ZAP_ADDRESS, ZAP_IDENTITY,
		 ZAP_MECHANISM, ZAP_CREDENTIALS, ZAP_FRAMES };

static int frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);
	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* Sends the six frames of a ZAP reply. */
static void zap_reply(void *sock, zmq_msg_t *request_id, const char *status,
		      const char *text, const char *user_id)
{
	const void *data[6] = {"1.0", NULL, status, text, user_id, ""};
	size_t len[6] = {3, 0, strlen(status), strlen(text), strlen(user_id), 0};
	if (request_id) {
		data[1] = zmq_msg_data(request_id);
		len[1] = zmq_msg_size(request_id);
	}
	for (int i = 0; i < 6; i++) {
		if (zmq_send(sock, data[i], len[i], i < 5 ? ZMQ_SNDMORE : 0) < 0) {
			log_err("auth: cannot answer a ZAP request: %s", zmq_strerror(errno));
			return;
		}
	}
}

/*
 * Logs a refused key through the ratelimit: a client retries every second,
 * and an attacker may try a fresh key every time.
 */
static void log_refusal(struct auth *a, const uint8_t *key, zmq_msg_t *address)
{
	char z85[KEYFILE_Z85_LEN + 1];
	zmq_z85_encode(z85, key, KEYFILE_KEY_LEN);
	if (!ratelimit_hit(&a->refusals, z85))
		return;
	size_t alen = zmq_msg_size(address);
	log_warn("auth: refused key %s from %.*s: not in %s", z85,
		 (int)(alen > 64 ? 64 : alen), (const char *)zmq_msg_data(address),
		 a->clients_dir);
}

/*
 * Answers one ZAP request: 200 with the key as User-Id for a CURVE client
 * of our domain whose key is in the clients set, 400 for anything else.
 */
static void zap_answer(struct auth *a, void *sock, zmq_msg_t *f, int n)
{
	if (n < ZAP_REQUEST_ID + 1) {
		zap_reply(sock, NULL, "500", "malformed ZAP request", "");
		return;
	}
	if (n != ZAP_FRAMES || !frame_is(&f[ZAP_VERSION], "1.0")) {
		zap_reply(sock, &f[ZAP_REQUEST_ID], "500", "unsupported ZAP request", "");
		return;
	}
	if (!frame_is(&f[ZAP_DOMAIN], AUTH_DOMAIN) || !frame_is(&f[ZAP_MECHANISM], "CURVE") ||
	    zmq_msg_size(&f[ZAP_CREDENTIALS]) != KEYFILE_KEY_LEN) {
		zap_reply(sock, &f[ZAP_REQUEST_ID], "400", "CURVE in domain " AUTH_DOMAIN " only", "");
		return;
	}
	const uint8_t *key = zmq_msg_data(&f[ZAP_CREDENTIALS]);
	const struct keyring_entry *e = keyring_find(a->ring, key);
	if (!e) {
		log_refusal(a, key, &f[ZAP_ADDRESS]);
		zap_reply(sock, &f[ZAP_REQUEST_ID], "400", "key not registered", "");
		return;
	}
	if (a->peers && peers_open(a->peers, key) >= peers_per_key(a->peers)) {
		size_t alen = zmq_msg_size(&f[ZAP_ADDRESS]);
		char what[KEYFILE_NAME_MAX + 16];
		snprintf(what, sizeof(what), "%s's handshakes", e->name);
		if (ratelimit_hit(&a->crowded, what))
			log_warn("auth: refused a connection of %s from %.*s: it holds %u already "
				 "([auth] connections_per_key)", e->name, (int)(alen > 64 ? 64 : alen),
				 (const char *)zmq_msg_data(&f[ZAP_ADDRESS]), peers_per_key(a->peers));
		zap_reply(sock, &f[ZAP_REQUEST_ID], "400", "too many connections with this key", "");
		return;
	}
	log_debug("auth: %s connected", e->name);
	zap_reply(sock, &f[ZAP_REQUEST_ID], "200", "OK", e->z85);
}

static void on_zap(void *sock, void *arg)
{
	struct auth *a = arg;
	for (int k = 0; k < ZAP_PER_PASS; k++) {
		zmq_msg_t parts[ZSOCK_PARTS_MAX];
		int n = zsock_recv(sock, parts, ZSOCK_PARTS_MAX);
		if (n == 0)
			break;
		if (n < 0) {
			/* the peer gets no answer and its handshake never completes */
			log_err("auth: unreadable ZAP request: %s", zmq_strerror(errno));
			break;
		}
		zap_answer(a, sock, parts, n);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&parts[i]);
	}
}

/* The secret key file the options name, or the systemd credential. */
static int secret_path(const struct auth_options *o, char *path, size_t len, char *err,
		       size_t errlen)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	if (o->secret_key_file && o->secret_key_file[0])
		snprintf(path, len, "%s", o->secret_key_file);
	else if (creds && creds[0])
		snprintf(path, len, "%s/%s", creds, AUTH_CREDENTIAL);
	else {
		snprintf(err, errlen, "auth = curve needs [auth] server_secret_key_file "
			 "(or the systemd credential " AUTH_CREDENTIAL ")");
		return LT_EINVAL;
	}
	return 0;
}

/* The first client file left out of a keyring, for the start's one line. */
struct first_bad {
	int seen;
	char line[KEYRING_LINE_MAX];
};

static void keep_first(const char *line, void *arg)
{
	struct first_bad *fb = arg;
	if (!fb->seen++)
		snprintf(fb->line, sizeof(fb->line), "%s", line);
}

int auth_start(struct auth **out, struct event_base *base, void *zctx,
	       const struct auth_options *opts, char *err, size_t errlen)
{
	char path[4096], why[4400];
	struct auth *a = xcalloc(1, sizeof(*a));
	ratelimit_init(&a->refusals, "auth: refused key", "keys");
	ratelimit_init(&a->crowded, "auth: refused over connections_per_key", "kinds");
	if (opts->connections_per_key)
		peers_new(&a->peers, opts->connections_per_key);
	snprintf(a->clients_dir, sizeof(a->clients_dir), "%s", opts->clients_dir);
	int rc = secret_path(opts, path, sizeof(path), err, errlen);
	if (rc)
		goto close_auth;
	rc = keyfile_read(path, 1, a->secret, why, sizeof(why));
	if (rc == 0 && zmq_curve_public(a->public, a->secret) != 0)
		snprintf(why, sizeof(why), "%s: cannot derive the public key: %s", path,
			 zmq_strerror(errno)), rc = LT_ESYS;
	if (rc) {
		snprintf(err, errlen, "auth: server secret key %s", why);
		goto close_auth;
	}
	/* at start every client file must be valid, as --check-config says */
	struct first_bad fb = {0, ""};
	size_t nbad;
	rc = keyring_load(&a->ring, a->clients_dir, keep_first, &fb, &nbad, why, sizeof(why));
	if (rc == 0 && nbad > 0) {
		snprintf(why, sizeof(why), "%s%s", fb.line,
			 nbad > 1 ? " (and more client files are not valid)" : "");
		rc = LT_EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "auth: %s", why);
		goto close_auth;
	}
	int linger = 0;
	a->zap = zmq_socket(zctx, ZMQ_REP);
	if (!a->zap || zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_bind(a->zap, AUTH_ZAP_ENDPOINT) != 0) {
		snprintf(err, errlen, "auth: cannot bind the ZAP handler %s: %s", AUTH_ZAP_ENDPOINT,
			 zmq_strerror(errno));
		rc = LT_ESYS;
		goto close_auth;
	}
	rc = zsock_new(&a->z, base, a->zap, -1, on_zap, a, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "auth: the ZAP handler cannot join the event loop: %s", why);
		goto close_auth;
	}
	*out = a;
	return 0;
close_auth:
	auth_close(&a);
	return rc;
}

int auth_server_socket(const struct auth *a, void *sock, char *err, size_t errlen)
{
	int one = 1, mechanism = 0, enforce = 0;
	size_t ml = sizeof(mechanism), el = sizeof(enforce);
	if (zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, AUTH_DOMAIN, strlen(AUTH_DOMAIN)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->secret, KEYFILE_Z85_LEN) != 0) {
		snprintf(err, errlen, "auth: cannot make a CURVE server socket: %s",
			 zmq_strerror(errno));
		return LT_ESYS;
	}
	/* read back what fails open if it did not take */
	if (zmq_getsockopt(sock, ZMQ_MECHANISM, &mechanism, &ml) != 0 || mechanism != ZMQ_CURVE ||
	    zmq_getsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, &el) != 0 || enforce != 1) {
		snprintf(err, errlen, "auth: the socket did not take CURVE with an enforced ZAP domain");
		return LT_ESYS;
	}
	return 0;
}

int auth_admit(struct auth *a, zmq_msg_t *msg, const struct keyring_entry *who)
{
	if (!a->peers)
		return 0;
	int rc = peers_admit(a->peers, who->key, zmq_msg_get(msg, ZMQ_SRCFD));
	char what[KEYFILE_NAME_MAX + 16];
	snprintf(what, sizeof(what), "%s's messages", who->name);
	if (rc && ratelimit_hit(&a->crowded, what))
		log_warn("auth: refused a message of %s: its connection is one more than the %u "
			 "it may hold ([auth] connections_per_key)", who->name, peers_per_key(a->peers));
	return rc;
}

enum auth_sender auth_identify(const struct auth *a, zmq_msg_t *msg,
			       const struct keyring_entry **who)
{
	const char *user = zmq_msg_gets(msg, "User-Id");
	*who = NULL;
	if (!user || !user[0])
		return AUTH_ANONYMOUS;
	*who = keyring_find_z85(a->ring, user);
	return *who ? AUTH_CLIENT : AUTH_REVOKED;
}

/* Logs, as what, every client of from that is not in to. */
static void log_changes(const struct keyring *from, const struct keyring *to, const char *what)
{
	char role[SCOPE_TEXT_MAX + 1];
	for (size_t i = 0; i < from->n; i++) {
		if (keyring_find(to, from->e[i].key))
			continue;
		scope_format(&from->e[i].scope, role, sizeof(role));
		log_info("auth: client %s (%s) %s", from->e[i].name, role, what);
	}
}

static void log_left_out(const char *line, void *arg)
{
	(void)arg;
	log_err("auth: reload: %s; its key is not admitted", line);
}

int auth_reload(struct auth *a)
{
	char err[KEYRING_LINE_MAX];
	struct keyring *next = NULL;
	size_t nbad = 0;
	int rc = keyring_load(&next, a->clients_dir, log_left_out, NULL, &nbad, err, sizeof(err));
	if (rc) {
		/* what was revoked cannot be told: nobody, rather than who should not */
		log_err("auth: reload: %s; no client is admitted until it is fixed and reloaded", err);
		next = xcalloc(1, sizeof(*next));
	}
	log_changes(a->ring, next, "revoked");
	log_changes(next, a->ring, "added");
	keyring_free(&a->ring);
	a->ring = next;
	if (nbad)
		log_info("auth: %zu clients from %s; %zu client files left out", a->ring->n,
			 a->clients_dir, nbad);
	else
		log_info("auth: %zu clients from %s", a->ring->n, a->clients_dir);
	return rc ? rc : nbad ? LT_EINVAL : 0;
}

/* Prefixes the lines of keyring_load for auth_check's caller. */
struct check_report {
	keyring_bad_fn report;
	void *arg;
};

static void report_client(const char *line, void *arg)
{
	struct check_report *r = arg;
	char out[KEYRING_LINE_MAX + 16];
	snprintf(out, sizeof(out), "auth: %s", line);
	r->report(out, r->arg);
}

unsigned auth_check(const struct auth_options *opts, keyring_bad_fn report, void *arg)
{
	char path[4096], why[KEYRING_LINE_MAX], line[KEYRING_LINE_MAX + 32];
	char secret[KEYFILE_Z85_LEN + 1];
	struct check_report r = {report, arg};
	unsigned problems = 0;
	if (secret_path(opts, path, sizeof(path), why, sizeof(why)) != 0) {
		report(why, arg);
		problems++;
	} else if (keyfile_read(path, 1, secret, why, sizeof(why)) != 0) {
		snprintf(line, sizeof(line), "auth: server secret key %s", why);
		report(line, arg);
		problems++;
	}
	explicit_bzero(secret, sizeof(secret));
	struct keyring *k = NULL;
	size_t nbad = 0;
	if (keyring_load(&k, opts->clients_dir, report_client, &r, &nbad, why, sizeof(why)) != 0) {
		snprintf(line, sizeof(line), "auth: %s", why);
		report(line, arg);
		problems++;
	}
	keyring_free(&k);
	return problems + (unsigned)nbad;
}

const char *auth_public_key(const struct auth *a)
{
	return a->public;
}

size_t auth_clients(const struct auth *a)
{
	return a->ring ? a->ring->n : 0;
}

int auth_endpoint_local(const char *endpoint)
{
	char host[64];
	if (strncmp(endpoint, "ipc://", 6) == 0 || strncmp(endpoint, "inproc://", 9) == 0)
		return 1;
	if (strncmp(endpoint, "tcp://", 6) != 0)
		return 0;
	if (peer_split_host(endpoint + 6, host, sizeof(host)))
		return 0;
	return strcmp(host, "localhost") == 0 || peer_is_loopback(host);
}

void auth_close(struct auth **ap)
{
	struct auth *a = *ap;
	if (!a)
		return;
	zsock_destroy(&a->z);
	if (a->zap)
		zmq_close(a->zap);
	keyring_free(&a->ring);
	peers_free(&a->peers);
	ratelimit_fini(&a->refusals);
	ratelimit_fini(&a->crowded);
	/* the secret would stay in freed memory */
	explicit_bzero(a->secret, sizeof(a->secret));
	free(a);
	*ap = NULL;
}
