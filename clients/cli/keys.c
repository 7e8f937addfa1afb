/*
 * keys.c - loading a client's CurveZMQ keys (see keys.h).
 */
#include "keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "cli.h"
#include "i18n.h"
#include "keyfile.h"

int keys_load(const char *cmd, const char *key_file, const char *server_key_file,
	      struct client_keys *k)
{
	char err[512];
	const char *key = key_file ? key_file : cli_env_or("LAWTALLY_KEY", NULL);
	const char *server = server_key_file ? server_key_file : cli_env_or("LAWTALLY_SERVER_KEY", NULL);
	if (!key && !server)
		return 0;
	if (!key || !server) {
		fprintf(stderr, _("lawtally %s: --key and --server-key go together (or $LAWTALLY_KEY "
			"and $LAWTALLY_SERVER_KEY)\n"), cmd);
		return -1;
	}
	memset(k, 0, sizeof(*k));
	if (keyfile_read(key, 1, k->secret_key, err, sizeof(err)) != 0 ||
	    keyfile_read(server, 0, k->server_public, err, sizeof(err)) != 0) {
		fprintf(stderr, "lawtally %s: %s\n", cmd, err);
		return -1;
	}
	if (zmq_curve_public(k->public_key, k->secret_key) != 0) {
		fprintf(stderr, _("lawtally %s: %s: cannot derive the public key: %s\n"), cmd, key,
			zmq_strerror(errno));
		return -1;
	}
	return 1;
}
