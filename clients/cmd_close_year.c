/*
 * cmd_close_year.c - `lawtally close-year Y`: freezes a past year's
 * totals in a snapshot with a SHA-256 content hash (office only).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "client.h"
#include "keys.h"

const char cmd_close_year_help[] =
	"Usage: lawtally close-year YEAR [--lang zh|en]\n"
	"\n"
	"Closes a past year: lawtallyd freezes the year's totals as they are now in a\n"
	"snapshot with a SHA-256 content hash and prints both. A year closes once.\n"
	"Events of that year that arrive later are still stored and counted live;\n"
	"the year's report then shows the filed figures, the hash, and the\n"
	"adjustments after close separately. Office only: an office key with\n"
	"auth = curve, or from the daemon's own machine with auth off.\n"
	"\n"
	"  -l, --lang L          language of the confirmation: zh (default) or en\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds (default 30)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 closed; 2 usage or refused (already closed, not over yet, not the\n"
	"office: reason printed); 3 the daemon did not answer.\n";

int cmd_close_year(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"lang", required_argument, NULL, 'l'},
		{"endpoint", required_argument, NULL, 'e'},
		{"timeout", required_argument, NULL, 't'},
		{"key", required_argument, NULL, KEYS_OPT_KEY},
		{"server-key", required_argument, NULL, KEYS_OPT_SERVER_KEY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	struct cli_view_opts o = {"close-year", cli_env_or("LAWTALLY_QUERY", DEFAULT_QUERY), NULL,
				  30000};
	const char *key_file = NULL, *server_key_file = NULL;
	struct client_keys keys;
	unsigned long year;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "l:e:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': v.lang = optarg; break;
		case 'e': o.endpoint = optarg; break;
		case 't':
			if (cli_parse_timeout(optarg, &o.timeout_ms))
				goto usage;
			break;
		case KEYS_OPT_KEY: key_file = optarg; break;
		case KEYS_OPT_SERVER_KEY: server_key_file = optarg; break;
		case 'h': return cli_usage("close-year", stdout, 0);
		default: goto usage;
		}
	}
	if (optind != argc - 1 || cli_parse_uint(argv[optind], 9999, &year) || year == 0)
		goto usage;
	v.kind = LAWTALLY__V1__VIEW__KIND__KIND_CLOSE_YEAR;
	q.year = (uint32_t)year;
	q.view = &v;
	int keyed = keys_load("close-year", key_file, server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	o.keys = keyed ? &keys : NULL;
	int status = cli_view(&o, &q, stdout, NULL);
	if (fflush(stdout) != 0 && !status)
		status = EXIT_USAGE;
	return status;
usage:
	return cli_usage("close-year", stderr, EXIT_USAGE);
}
