/*
 * cmd_senders.c - `lawtally senders`: what is missing, as lawtallyd knows
 * it from the senders' sequence numbers and the devices' own counts
 * (GET /v1/senders gives the JSON).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "i18n.h"
#include "keys.h"

const char cmd_senders_help[] =
	"Usage: lawtally senders [--year Y] [--json] [--lang zh|en]\n"
	"\n"
	"Prints what is missing: for each sender, the numbers of its events that\n"
	"never arrived, with the days they were expected around (\"王岗村调解中心\n"
	"（centre-ZL07）：缺 41–47，约 2024-06-03 至 06-05\"), a device whose own\n"
	"counts differ from the events stored from it, and senders gone silent;\n"
	"or \"未发现缺失。\". A gap that fills later disappears by itself. With\n"
	"--json, every sender with its months, numbers, gaps and device counts\n"
	"(as GET /v1/senders).\n"
	"\n"
	"  -y, --year Y          only what concerns that year (default: every year)\n"
	"  -j, --json            everything, as JSON\n"
	"  -l, --lang L          zh (default) or en\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds (default 30)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 printed; 2 usage or refused by the daemon (reason printed); 3 the\n"
	"daemon did not answer.\n";

int cli_senders_print(struct cli_view_opts *o, unsigned year, const char *lang, FILE *out)
{
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	v.kind = LAWTALLY__V1__VIEW__KIND__KIND_SENDERS;
	v.format = "text";
	v.lang = (char *)lang;
	q.year = year;
	q.view = &v;
	return cli_view(o, &q, out, NULL);
}

int cmd_senders(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"json", no_argument, NULL, 'j'},
		{"lang", required_argument, NULL, 'l'},
		CLI_VIEW_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	struct cli_view_opts o = cli_view_defaults("senders");
	unsigned long year = 0;
	int opt, json = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":y:jl:e:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (cli_parse_year(optarg, &year))
				return cli_fail("senders", _("--year %s: not a year from 1970 to 9999"),
						optarg);
			break;
		case 'j': json = 1; break;
		case 'l': v.lang = optarg; break;
		case 'h': return cli_usage("senders", stdout, 0);
		default:
			if (cli_view_opt(&o, opt, optarg) <= 0)
				return cli_opt_fail("senders", opt, optarg, argv);
		}
	}
	if (optind < argc)
		return cli_extra_arg("senders", argv[optind]);
	if (cli_view_keys(&o))
		return EXIT_USAGE;
	int status;
	if (json) {
		v.kind = LAWTALLY__V1__VIEW__KIND__KIND_SENDERS;
		v.format = "json";
		q.year = (uint32_t)year;
		q.view = &v;
		status = cli_view(&o, &q, stdout, NULL);
	} else {
		status = cli_senders_print(&o, (unsigned)year, v.lang, stdout);
	}
	if (fflush(stdout) != 0 && !status)
		status = EXIT_USAGE;
	return status;
}
