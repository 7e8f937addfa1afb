/*
 * cmd_export.c - `lawtally export`: totals and breakdowns, or the raw
 * events (office only), as CSV that Excel opens correctly (UTF-8 with a
 * byte order mark, CRLF, RFC 4180 quoting).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "i18n.h"
#include "keys.h"

const char cmd_export_help[] =
	"Usage: lawtally export [--year Y] [--by D] [--metric M] [--lang zh|en]\n"
	"                       [--events] [--township T] [--output FILE]\n"
	"       lawtally export --format xlsx [--year Y] [--month YYYY-MM] [--lang zh|en]\n"
	"                       --output FILE\n"
	"\n"
	"Writes CSV for a spreadsheet (UTF-8 with BOM, CRLF): the totals of a year,\n"
	"every metric or one, as year totals or broken down by month, village or a\n"
	"dimension (as GET /v1/export/totals.csv); or with --events every stored\n"
	"event that occurred in the year, retractions and retracted ones marked\n"
	"(office only: an office key with auth = curve, or from the daemon's own\n"
	"machine with auth off; fetched page by page). Amounts are in yuan, the\n"
	"unit column says so.\n"
	"With --format xlsx, an Excel workbook of the year instead (as GET\n"
	"/v1/export/totals.xlsx): a sheet each for the year totals, by month, by\n"
	"village, by category and the monthly mediation form of --month (default:\n"
	"December, or the current month of the current year); binary, so written\n"
	"with --output or to a pipe, never to a terminal.\n"
	"\n"
	"  -y, --year Y          calendar year (default: the current one)\n"
	"  -b, --by D            month, village or a dimension (totals)\n"
	"  -m, --metric M        one metric (totals; default: all)\n"
	"  -l, --lang L          language of the label columns: zh (default) or en\n"
	"      --events          the raw events instead of totals\n"
	"  -f, --format F        csv (default) or xlsx\n"
	"      --month YYYY-MM   xlsx: the month of the monthly form's sheet\n"
	"  -o, --output FILE     write to FILE (whole or not at all), not stdout\n"
	"  -T, --township T      at a county: township T's (its code), not the county's\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds per page (default 30)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 written; 2 usage or refused by the daemon (reason printed); 3 the\n"
	"daemon did not answer.\n";

#define OPT_EVENTS 0x6501
#define OPT_MONTH 0x6502
/* Pages of an events export, at most (a page is 1000 stored events). */
#define EXPORT_PAGES_MAX 100000

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"by", required_argument, NULL, 'b'},
		{"metric", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"events", no_argument, NULL, OPT_EVENTS},
		{"format", required_argument, NULL, 'f'},
		{"month", required_argument, NULL, OPT_MONTH},
		{"output", required_argument, NULL, 'o'},
		{"township", required_argument, NULL, 'T'},
		CLI_VIEW_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	Lawtally__V1__View v = LAWTALLY__V1__VIEW__INIT;
	struct cli_view_opts o = cli_view_defaults("export");
	const char *output = NULL;
	unsigned long year = 0;
	int events = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":y:b:m:l:f:o:e:t:T:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (cli_parse_year(optarg, &year))
				return cli_fail("export", _("--year %s: not a year from 1970 to 9999"),
						optarg);
			break;
		case 'b': q.by = optarg; break;
		case 'm': q.metric = optarg; break;
		case 'l': v.lang = optarg; break;
		case OPT_EVENTS: events = 1; break;
		case 'f': v.format = optarg; break;
		case OPT_MONTH: v.month = optarg; break;
		case 'o': output = optarg; break;
		case 'T': q.township = optarg; break;
		case 'h': return cli_usage("export", stdout, 0);
		default:
			if (cli_view_opt(&o, opt, optarg) <= 0)
				return cli_opt_fail("export", opt, optarg, argv);
		}
	}
	int xlsx = strcmp(v.format, "xlsx") == 0;
	if (optind < argc)
		return cli_extra_arg("export", argv[optind]);
	if (events && (q.by[0] || q.metric[0] || v.lang[0] || v.format[0]))
		return cli_fail("export", _("--events takes no %s: the events have no breakdown, "
					    "metric, label language or format"),
				q.by[0] ? "--by" : q.metric[0] ? "--metric" : v.lang[0] ? "--lang"
										 : "--format");
	if (xlsx && (q.by[0] || q.metric[0]))
		return cli_fail("export", _("--format xlsx takes no %s: the workbook has every metric "
					    "and every breakdown in its sheets"),
				q.by[0] ? "--by" : "--metric");
	if (v.month[0] && !xlsx)
		return cli_fail("export", "%s", _("--month goes with --format xlsx (the monthly form's "
						  "sheet)"));
	if (xlsx && cli_out_binary_ok("export", output, "xlsx"))
		return EXIT_USAGE;
	v.kind = events ? LAWTALLY__V1__VIEW__KIND__KIND_EVENTS_CSV
			: LAWTALLY__V1__VIEW__KIND__KIND_TOTALS_CSV;
	q.year = (uint32_t)year;
	q.view = &v;
	if (cli_view_keys(&o))
		return EXIT_USAGE;
	struct cli_out out;
	int status = cli_out_open("export", output, &out);
	if (status)
		return status;
	/* the events come a page at a time; the first page has the BOM and header */
	uint64_t next = 0;
	unsigned pages = 0;
	do {
		v.cursor = next;
		status = cli_view(&o, &q, out.f, &next);
	} while (!status && next && ++pages < EXPORT_PAGES_MAX);
	return cli_out_close("export", &out, status);
}
