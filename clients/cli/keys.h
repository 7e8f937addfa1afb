/*
 * keys.h - the CurveZMQ keys of the lawtally subcommands that talk to
 * lawtallyd when it runs with auth = curve (docs/keys.md).
 *
 *   --key FILE          this client's secret key file, as `lawtally keygen`
 *                       writes it ($LAWTALLY_KEY); the public key is derived
 *   --server-key FILE   the daemon's public key file ($LAWTALLY_SERVER_KEY)
 *
 * Both or neither: neither means no authentication.
 */
#ifndef LAWTALLY_KEYS_H
#define LAWTALLY_KEYS_H

#include "client.h"

/* getopt_long values of the two options (no short forms). */
#define KEYS_OPT_KEY 0x4b01
#define KEYS_OPT_SERVER_KEY 0x4b02

/* The options' lines of a subcommand's help text. */
#define KEYS_HELP                                                                    \
	"      --key FILE        this client's secret key (default $LAWTALLY_KEY), for\n" \
	"                        a daemon with auth = curve; see lawtally help keygen\n" \
	"      --server-key FILE the daemon's public key (default $LAWTALLY_SERVER_KEY)\n"

/*
 * Fills k from key_file and server_key_file (each NULL for its environment
 * variable). Returns 1 with k filled, 0 when neither is given (no keys), or
 * -1 after one line on stderr naming cmd (a file missing, unreadable, not
 * a key, a secret key open to others, or only one of the two given).
 */
int keys_load(const char *cmd, const char *key_file, const char *server_key_file,
	      struct client_keys *k);

#endif
