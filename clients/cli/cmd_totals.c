/*
 * cmd_totals.c - `lawtally totals`: live totals as a table or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client.h"
#include "err.h"
#include "keys.h"
#include "reply.h"
#include "tally.h"
#include "xalloc.h"

const char cmd_totals_help[] =
	"Usage: lawtally totals [--year Y] [--metric M] [--by D] [--village V] [--json]\n"
	"\n"
	"Prints the live totals of a year (default: the current one), every metric or\n"
	"one, as a year total or broken down by month, village or the metric's own\n"
	"dimension (category, initiated, origin, venue, kind, action, campaign).\n"
	"\n"
	"  -y, --year Y          calendar year in the township's zone\n"
	"  -m, --metric M        e.g. disputes.resolved (default: all)\n"
	"  -b, --by D            month, village, or a dimension\n"
	"  -v, --village V       only this village code\n"
	"  -j, --json            JSON, as GET /v1/totals gives it\n"
	"  -e, --endpoint E      query endpoint (default $LAWTALLY_QUERY or\n"
	"                        " DEFAULT_QUERY ")\n"
	"  -t, --timeout SEC     wait at most SEC seconds (default 5)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 printed; 2 usage or a bad query; 3 the daemon did not answer.\n";

static unsigned current_year(void)
{
	uint16_t year;
	uint8_t month;
	/* in the township's zone by default */
	tally_year_month((int64_t)time(NULL), 8 * 3600, &year, &month);
	return year;
}

static void print_table(const Lawtally__V1__QueryReply *r, const char *by)
{
	int labelled = by && *by;
	printf("%-42s %-24s %14s\n", "metric", labelled ? by : "", "value");
	for (size_t i = 0; i < r->n_rows; i++) {
		const Lawtally__V1__Row *c = r->rows[i];
		char label[32] = "";
		if (labelled && strcmp(by, "month") == 0)
			snprintf(label, sizeof(label), "%02u", c->month);
		else if (labelled && strcmp(by, "village") == 0)
			snprintf(label, sizeof(label), "%s", c->village[0] ? c->village : "(township)");
		else if (labelled)
			snprintf(label, sizeof(label), "%s", c->dimension);
		printf("%-42s %-24s %14lld\n", c->metric, label, (long long)c->value);
	}
}

int cmd_totals(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"metric", required_argument, NULL, 'm'},
		{"by", required_argument, NULL, 'b'},
		{"village", required_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{"endpoint", required_argument, NULL, 'e'},
		{"timeout", required_argument, NULL, 't'},
		{"key", required_argument, NULL, KEYS_OPT_KEY},
		{"server-key", required_argument, NULL, KEYS_OPT_SERVER_KEY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	const char *endpoint = cli_env_or("LAWTALLY_QUERY", DEFAULT_QUERY);
	const char *key_file = NULL, *server_key_file = NULL;
	struct client_keys keys;
	int json = 0, timeout_ms = 5000, opt;
	unsigned long year = current_year();
	optind = 1;
	while ((opt = getopt_long(argc, argv, "y:m:b:v:je:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (cli_parse_uint(optarg, 9999, &year))
				goto usage;
			break;
		case 'm': q.metric = optarg; break;
		case 'b': q.by = optarg; break;
		case 'v': q.village = optarg; break;
		case 'j': json = 1; break;
		case 'e': endpoint = optarg; break;
		case 't':
			if (cli_parse_timeout(optarg, &timeout_ms))
				goto usage;
			break;
		case KEYS_OPT_KEY: key_file = optarg; break;
		case KEYS_OPT_SERVER_KEY: server_key_file = optarg; break;
		case 'h': return cli_usage("totals", stdout, 0);
		default: goto usage;
		}
	}
	if (optind < argc)
		goto usage;
	q.year = (uint32_t)year;
	int keyed = keys_load("totals", key_file, server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	Lawtally__V1__QueryReply *r = NULL;
	int rc = client_query(endpoint, keyed ? &keys : NULL, &q, timeout_ms, &r);
	if (rc) {
		fprintf(stderr, "lawtally totals: %s: %s\n", endpoint,
			rc == LT_ETIMEOUT ? "no answer in time" : lt_strerror(rc));
		return rc == LT_EINVAL ? EXIT_USAGE : EXIT_UNREACHABLE;
	}
	if (r->error[0]) {
		fprintf(stderr, "lawtally totals: %s\n", r->error);
		lawtally__v1__query_reply__free_unpacked(r, &xalloc_protobuf);
		return EXIT_USAGE;
	}
	if (json) {
		json_t *o = reply_to_json(r, q.year, q.metric, q.by, q.village);
		char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	} else {
		print_table(r, q.by);
	}
	lawtally__v1__query_reply__free_unpacked(r, &xalloc_protobuf);
	return 0;
usage:
	return cli_usage("totals", stderr, EXIT_USAGE);
}

