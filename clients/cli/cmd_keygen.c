/*
 * cmd_keygen.c - `lawtally keygen`: a CurveZMQ key pair for a client of
 * lawtallyd (with its role) or for the daemon itself (docs/keys.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cli.h"
#include "err.h"
#include "i18n.h"
#include "keyfile.h"
#include "scope.h"

const char cmd_keygen_help[] =
	"Usage: lawtally keygen NAME --role ROLE [--dir DIR]\n"
	"       lawtally keygen NAME --server [--dir DIR]\n"
	"\n"
	"Makes a CurveZMQ key pair, for a daemon running with auth = curve.\n"
	"\n"
	"With --role, for a client: ROLE is village:CODE (dispute and training events of\n"
	"that village), device (enforcement events) or office (petition, publicity and\n"
	"lawsuit events, retractions of anyone's events, queries). Writes DIR/NAME.key,\n"
	"the client's secret key (mode 0600: it stays on the client, lawtally send --key),\n"
	"and DIR/NAME.client, which it also prints: copy that file into lawtallyd's\n"
	"clients directory and reload lawtallyd (SIGHUP) to let the client in.\n"
	"\n"
	"With --server, for lawtallyd: writes DIR/NAME.key, the daemon's secret key\n"
	"([auth] server_secret_key_file, or the systemd credential server.key), and\n"
	"DIR/NAME.pub, its public key, which every client needs (--server-key).\n"
	"\n"
	"NAME is 1-48 of A-Z a-z 0-9 . _ - (not starting with .); the daemon records it\n"
	"as the sender of every event the client sends. Files are never overwritten.\n"
	"\n"
	"  -r, --role ROLE       village:CODE, device, office or township:CODE (a\n"
	"                        township forwarding to a county)\n"
	"  -s, --server          the daemon's key pair instead\n"
	"  -d, --dir DIR         where to write (default .)\n"
	"\n"
	"Exit: 0 written; 2 usage error, or a file exists or cannot be written.\n";

/* Creates path with text, mode 0644, never over an existing file. */
static int write_new(const char *path, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return LT_ESYS;
	}
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 || close(fd) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return LT_ESYS;
	}
	return 0;
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"role", required_argument, NULL, 'r'},
		{"server", no_argument, NULL, 's'},
		{"dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *role = NULL, *dir = ".";
	int server = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":r:sd:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 's': server = 1; break;
		case 'd': dir = optarg; break;
		case 'h': return cli_usage("keygen", stdout, 0);
		default: return cli_bad_option("keygen", opt, argv);
		}
	}
	if (optind == argc)
		return cli_fail("keygen", "%s", _("which name? lawtally keygen NAME --role ROLE, or "
						  "NAME --server"));
	if (optind + 1 < argc)
		return cli_extra_arg("keygen", argv[optind + 1]);
	if (!role == !server)
		return cli_fail("keygen", "%s", _("one of --role ROLE (a client's key) or --server (the "
						  "daemon's)"));
	const char *name = argv[optind];
	if (!keyfile_name_valid(name)) {
		fprintf(stderr, _("lawtally keygen: name '%s': 1-48 of A-Z a-z 0-9 . _ -, "
			"not starting with .\n"), name);
		return EXIT_USAGE;
	}
	struct scope scope;
	const char *why;
	if (role && scope_parse(&scope, role, &why) != 0) {
		fprintf(stderr, _("lawtally keygen: --role %s: %s\n"), role, why);
		return EXIT_USAGE;
	}

	char public[KEYFILE_Z85_LEN + 1], secret[KEYFILE_Z85_LEN + 1];
	char keypath[4096], otherpath[4096], text[512], err[4200];
	if (zmq_curve_keypair(public, secret) != 0) {
		fprintf(stderr, _("lawtally keygen: cannot make a key pair: %s\n"), zmq_strerror(errno));
		return EXIT_USAGE;
	}
	if (snprintf(keypath, sizeof(keypath), "%s/%s.key", dir, name) >= (int)sizeof(keypath) ||
	    snprintf(otherpath, sizeof(otherpath), "%s/%s%s", dir, name,
		     server ? ".pub" : KEYFILE_SUFFIX) >= (int)sizeof(otherpath)) {
		fprintf(stderr, _("lawtally keygen: --dir %s: path too long\n"), dir);
		return EXIT_USAGE;
	}
	if (server)
		snprintf(text, sizeof(text), "%s\n", public);
	else
		keyfile_format_client(text, sizeof(text), name, public, &scope);

	int rc = keyfile_write(keypath, secret, 0600, err, sizeof(err));
	explicit_bzero(secret, sizeof(secret));
	if (rc == 0 && (rc = write_new(otherpath, text, err, sizeof(err))) != 0)
		unlink(keypath);
	if (rc) {
		fprintf(stderr, "lawtally keygen: %s\n", err);
		return EXIT_USAGE;
	}
	if (server) {
		fprintf(stderr, _("lawtally keygen: wrote %s (secret, for lawtallyd only) and %s "
			"(public, for every client)\n"), keypath, otherpath);
		fputs(text, stdout);
	} else {
		fprintf(stderr, _("lawtally keygen: wrote %s (secret, stays on the client) and %s; "
			"put %s%s in lawtallyd's clients directory and reload it:\n"),
			keypath, otherpath, name, KEYFILE_SUFFIX);
		fputs(text, stdout);
	}
	return 0;
}
