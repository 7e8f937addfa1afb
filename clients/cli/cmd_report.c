/*
 * cmd_report.c - `lawtally report`: the year-end report, or the monthly
 * mediation statistics, as lawtallyd renders them (GET /v1/report gives
 * the same bytes).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "i18n.h"
#include "keys.h"
#include "villages.h"

const char cmd_report_help[] =
	"Usage: lawtally report [--year Y | --month YYYY-MM [--village CODE]] [--lang zh|en]\n"
	"                       [--format text|markdown|json|html|docx] [--as-of DATE]\n"
	"                       [--township T] [--output FILE]\n"
	"\n"
	"Prints the year-end report on rule-of-law work with the live figures: the\n"
	"sentences of the office's template (config/report.zh.txt) filled in, a note\n"
	"on the figures, and an appendix of every metric by village and by month and\n"
	"of the senders. For a closed year (lawtally close-year) it shows the filed\n"
	"figures, their SHA-256 and, separately, the adjustments after close.\n"
	"With --month, the monthly mediation statistics in the county bureaus' form.\n"
	"html is one page to print from a browser (A4, laid out as a government\n"
	"document); docx a Word document to edit (Word, WPS, LibreOffice): binary,\n"
	"so written with --output or to a pipe, never to a terminal.\n"
	"\n"
	"  -y, --year Y          calendar year (default: the current one)\n"
	"  -m, --month YYYY-MM   the monthly statistics of that month instead\n"
	"  -V, --village CODE    with --month: one village committee's form\n"
	"  -l, --lang L          zh (default) or en\n"
	"  -f, --format F        text (default), markdown, json, html or docx\n"
	"  -a, --as-of DATE      the figures as they stood then, counting the events\n"
	"                        received by then: YYYY-MM-DD (end of that day),\n"
	"                        YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] (no zone: the\n"
	"                        township's), or @UNIXTIME\n"
	"  -o, --output FILE     write to FILE (whole or not at all), not stdout\n"
	"  -T, --township T      at a county: township T's (its code), not the county's\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds (default 30)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 printed; 2 usage or refused by the daemon (reason printed); 3 the\n"
	"daemon did not answer.\n";

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"month", required_argument, NULL, 'm'},
		{"village", required_argument, NULL, 'V'},
		{"lang", required_argument, NULL, 'l'},
		{"format", required_argument, NULL, 'f'},
		{"as-of", required_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"township", required_argument, NULL, 'T'},
		CLI_VIEW_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	struct cli_view_opts o = cli_view_defaults("report");
	const char *output = NULL;
	unsigned long year = 0;
	struct villages vl;
	int opt;
	v.kind = LAWTALLY__V1__VIEW__KIND__KIND_REPORT;
	optind = 1;
	villages_builtin(&vl);
	while ((opt = getopt_long(argc, argv, ":y:m:V:l:f:a:o:e:t:T:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (cli_parse_year(optarg, &year))
				return cli_fail("report", _("--year %s: not a year from 1970 to 9999"),
						optarg);
			break;
		case 'm':
			v.kind = LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY;
			v.month = optarg;
			break;
		case 'V': /* a name or a code in any case; others the daemon judges */
			q.village = villages_lookup(&vl, optarg)
					    ? (char *)villages_lookup(&vl, optarg)->code
					    : optarg;
			break;
		case 'l': v.lang = optarg; break;
		case 'f': v.format = optarg; break;
		case 'a': v.as_of = optarg; break;
		case 'o': output = optarg; break;
		case 'T': q.township = optarg; break;
		case 'h': return cli_usage("report", stdout, 0);
		default:
			if (cli_view_opt(&o, opt, optarg) <= 0)
				return cli_opt_fail("report", opt, optarg, argv);
		}
	}
	if (optind < argc)
		return cli_extra_arg("report", argv[optind]);
	if (year && v.month[0])
		return cli_fail("report", "%s",
				_("--year and --month do not go together: a month names its year"));
	if (q.village[0] && !v.month[0])
		return cli_fail("report", "%s",
				_("--village goes with --month (one committee's monthly form)"));
	if (strcmp(v.format, "docx") == 0 && cli_out_binary_ok("report", output, "docx"))
		return EXIT_USAGE;
	q.year = (uint32_t)year;
	q.view = &v;
	if (cli_view_keys(&o))
		return EXIT_USAGE;
	struct cli_out out;
	int status = cli_out_open("report", output, &out);
	if (status)
		return status;
	status = cli_view(&o, &q, out.f, NULL);
	return cli_out_close("report", &out, status);
}
