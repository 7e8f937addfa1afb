/*
 * cmd_close_year.c - `lawtally close-year Y`: freezes a past year's
 * totals in a snapshot with a SHA-256 content hash (office only).
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "client.h"
#include "i18n.h"
#include "keys.h"

const char cmd_close_year_help[] =
	"Usage: lawtally close-year YEAR [--accept-gaps] [--lang zh|en]\n"
	"\n"
	"Closes a past year: lawtallyd freezes the year's totals as they are now in a\n"
	"snapshot with a SHA-256 content hash and prints both. A year closes once.\n"
	"Events of that year that arrive later are still stored and counted live;\n"
	"the year's report then shows the filed figures, the hash, and the\n"
	"adjustments after close separately. Office only: an office key with\n"
	"auth = curve, or from the daemon's own machine with auth off.\n"
	"\n"
	"First it prints what is missing of the year (as lawtally senders --year\n"
	"YEAR): gaps in the senders' numbers, silent senders, devices whose counts\n"
	"differ. While anything is, the daemon refuses to close the year, unless\n"
	"--accept-gaps is given: the list is then kept with the snapshot, and the\n"
	"year's report shows it.\n"
	"\n"
	"  -A, --accept-gaps     close even though things are missing\n"
	"  -l, --lang L          language of the confirmation: zh (default) or en\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds (default 30)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 closed; 2 usage or refused (already closed, not over yet, things\n"
	"missing, not the office: reason printed); 3 the daemon did not answer.\n";

int cmd_close_year(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"lang", required_argument, NULL, 'l'},
		{"accept-gaps", no_argument, NULL, 'A'},
		CLI_VIEW_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	struct cli_view_opts o = cli_view_defaults("close-year");
	unsigned long year;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":l:Ae:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': v.lang = optarg; break;
		case 'A': v.accept_gaps = 1; break;
		case 'h': return cli_usage("close-year", stdout, 0);
		default:
			if (cli_view_opt(&o, opt, optarg) <= 0)
				return cli_opt_fail("close-year", opt, optarg, argv);
		}
	}
	if (optind == argc)
		return cli_fail("close-year", "%s", _("which year? lawtally close-year YEAR"));
	if (optind + 1 < argc)
		return cli_extra_arg("close-year", argv[optind + 1]);
	if (cli_parse_year(argv[optind], &year))
		return cli_fail("close-year", _("%s: not a year from 1970 to 9999"), argv[optind]);
	v.kind = LAWTALLY__V1__VIEW__KIND__KIND_CLOSE_YEAR;
	q.year = (uint32_t)year;
	q.view = &v;
	if (cli_view_keys(&o))
		return EXIT_USAGE;
	/* what is missing, for the office to see before it files the year */
	int status = cli_senders_print(&o, (unsigned)year, v.lang, stdout);
	if (!status)
		status = cli_view(&o, &q, stdout, NULL);
	if (fflush(stdout) != 0 && !status)
		status = EXIT_USAGE;
	return status;
}
