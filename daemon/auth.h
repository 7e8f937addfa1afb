/*
 * auth.h - CurveZMQ authentication of lawtallyd's ZeroMQ endpoints.
 *
 * With auth = curve: the server's secret key (from a file, or the systemd
 * credential server.key), the clients directory (keyring.h), and a ZAP
 * handler (RFC 27: a REP socket on inproc://zeromq.zap.01 in the daemon's
 * ZeroMQ context, driven by the event loop) that lets in only keys of the
 * directory and names each connection by its public key (User-Id).
 *
 * libzmq fails open (docs pitfalls): without a ZAP handler, or with one
 * that has closed, any client knowing the server's public key gets in with
 * an empty User-Id. So auth_start() binds the handler before any server
 * socket exists, auth_server_socket() sets the ZAP domain and enforces it
 * (checked, read back), and every message is looked up again by its
 * User-Id (auth_identify): none, or a key no longer in the directory,
 * gets nothing. SIGHUP re-reads the directory (auth_reload), failing
 * safe: whatever is wrong in it can only keep keys out, never keep a
 * removed one in.
 */
#ifndef LAWTALLY_AUTH_H
#define LAWTALLY_AUTH_H

#include <event2/event.h>
#include <stddef.h>
#include <zmq.h>

#include "keyring.h"

#define AUTH_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define AUTH_DOMAIN "lawtally"
/* The systemd credential holding the server's secret key (LoadCredential=). */
#define AUTH_CREDENTIAL "server.key"
/*
 * Bytes CurveZMQ adds to a frame, which ZMQ_MAXMSGSIZE counts: the MESSAGE
 * command's name (8), its nonce (8), the box's MAC (16) and the flags
 * byte inside it (1). A server socket's ZMQ_MAXMSGSIZE is the largest
 * frame plus this, so that the limit is the same with auth as without.
 */
#define AUTH_CURVE_OVERHEAD 33

struct auth;

struct auth_options {
	/* the server's secret key file; "" for $CREDENTIALS_DIRECTORY/server.key */
	const char *secret_key_file;
	/* the clients directory */
	const char *clients_dir;
	/* connections one key may hold (peers.h); 0: no bound */
	unsigned connections_per_key;
};

/*
 * Reads the server key and the clients directory and binds the ZAP handler
 * in zctx, driven by base. Call before creating the server sockets. Returns
 * 0, or an LT_E* code with one line in err: a key or directory that cannot
 * be read, or a client file that is not valid, fails the start (as
 * auth_check finds it).
 */
int auth_start(struct auth **out, struct event_base *base, void *zctx,
	       const struct auth_options *opts, char *err, size_t errlen);

/*
 * Makes sock a CURVE server that asks the ZAP handler about every peer.
 * Call before zmq_bind. Returns 0, or LT_ESYS with one line in err.
 */
int auth_server_socket(const struct auth *a, void *sock, char *err, size_t errlen);

/* What auth_identify() says about a message. */
enum auth_sender {
	AUTH_CLIENT,     /* a registered client: *who is set */
	AUTH_ANONYMOUS,  /* no User-Id: must never happen; drop without a word */
	AUTH_REVOKED,    /* a key no longer in the clients directory: refuse */
};

/*
 * Who sent msg (a frame received on a server socket). *who stays valid
 * until the next auth_reload(); copy what must live longer.
 */
enum auth_sender auth_identify(const struct auth *a, zmq_msg_t *msg,
			       const struct keyring_entry **who);

/*
 * A message from who (auth_identify said AUTH_CLIENT) may be served: 0, or
 * LT_EBUSY when its connection is one more than who's key may hold
 * (peers.h); the caller refuses it with AUTH_TOO_MANY.
 */
int auth_admit(struct auth *a, zmq_msg_t *msg, const struct keyring_entry *who);
#define AUTH_TOO_MANY "auth: more connections with this key than [auth] connections_per_key; " \
	"close some"

/*
 * Re-reads the clients directory (SIGHUP); the new set is used from the
 * next message on and the changes are logged. It fails safe: a client
 * file that is not valid is logged and its key is not admitted, and the
 * rest apply (a removed file is always a revocation); a directory that
 * cannot be read, or that others may write, admits nobody until a reload
 * reads it. An error can only shut a door. Returns 0, or the LT_E* code
 * of what was logged.
 */
int auth_reload(struct auth *a);

/*
 * What auth_start would refuse, checked without starting (--check-config):
 * the server's secret key (where it is, its mode, its format) and the
 * clients directory and every client file. Each problem is one line to
 * report(line, arg), naming the file and why. Returns the number of problems.
 */
unsigned auth_check(const struct auth_options *opts, keyring_bad_fn report, void *arg);

/* The server's public key in Z85, for the start-up log and the clients. */
const char *auth_public_key(const struct auth *a);

/* Clients in the current set. */
size_t auth_clients(const struct auth *a);

/*
 * 1 if a ZeroMQ endpoint is reachable from this machine only: ipc://,
 * inproc://, or tcp:// on 127.0.0.0/8, [::1] or localhost. Pure; for the
 * warning about auth = off elsewhere.
 */
int auth_endpoint_local(const char *endpoint);

/* Closes the ZAP handler (no one gets in after this) and frees; NULLs *a. */
void auth_close(struct auth **a);

#endif
