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
#include "i18n.h"
#include "keys.h"
#include "reply.h"
#include "tally.h"
#include "villages.h"
#include "xalloc.h"

const char cmd_totals_help[] =
	"Usage: lawtally totals [--year Y] [--metric M] [--by D] [--village V]\n"
	"                       [--township T] [--json]\n"
	"\n"
	"Prints the live totals of a year (default: the current one), every metric or\n"
	"one, as a year total or broken down by month, village or the metric's own\n"
	"dimension (category, initiated, origin, venue, kind, action, campaign).\n"
	"Villages show with their names beside their codes, amounts in yuan (the\n"
	"metric's name keeps its _fen; --json gives fen, as GET /v1/totals does).\n"
	"\n"
	"  -y, --year Y          calendar year in the township's zone\n"
	"  -m, --metric M        e.g. disputes.resolved (default: all)\n"
	"  -b, --by D            month, village, or a dimension; at a county also\n"
	"                        township\n"
	"  -v, --village V       only this village: code (ZL07, zl07) or name (王岗村)\n"
	"  -T, --township T      at a county: only township T's figures (its code)\n"
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

/* Money metrics count fen; people read yuan. */
static int is_money(const char *metric)
{
	size_t n = strlen(metric);
	return n > 4 && strcmp(metric + n - 4, "_fen") == 0;
}

/* A row's label for the table: the month, the village with its name, or the dimension. */
static void row_label(const Lawtally__V1__Row *c, const char *by, const struct villages *vl,
		      char *label, size_t cap)
{
	label[0] = '\0';
	if (!by || !*by)
		return;
	if (strcmp(by, "month") == 0) {
		snprintf(label, cap, "%02u", c->month);
	} else if (strcmp(by, "township") == 0) {
		snprintf(label, cap, "%s", c->township);
	} else if (strcmp(by, "village") == 0) {
		const struct village *v = c->village[0] ? villages_find(vl, c->village) : NULL;
		if (!c->village[0])
			snprintf(label, cap, "%s", _("(township)"));
		else
			snprintf(label, cap, "%s %s", c->village, v ? v->name : "");
	} else {
		snprintf(label, cap, "%s", c->dimension);
	}
}

/* Pads s with spaces to width columns of a terminal (a Chinese character takes two). */
static void put_cell(const char *s, int width, int right)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			w += *p >= 0xE3 ? 2 : 1; /* CJK from U+3000 up */
	if (right)
		printf("%*s%s", width > w ? width - w : 0, "", s);
	else
		printf("%s%*s", s, width > w ? width - w : 0, "");
}

static void print_table(const Lawtally__V1__QueryReply *r, const char *by)
{
	struct villages vl;
	char label[96], value[48];
	villages_builtin(&vl);
	put_cell(_("metric"), 42, 0);
	putchar(' ');
	put_cell(by && *by ? by : "", 24, 0);
	putchar(' ');
	put_cell(_("value"), 16, 1);
	putchar('\n');
	for (size_t i = 0; i < r->n_rows; i++) {
		const Lawtally__V1__Row *c = r->rows[i];
		row_label(c, by, &vl, label, sizeof(label));
		if (is_money(c->metric) && c->value >= 0) {
			char yuan[32];
			cli_yuan((uint64_t)c->value, yuan);
			snprintf(value, sizeof(value), _("%s yuan"), yuan);
		} else {
			snprintf(value, sizeof(value), "%lld", (long long)c->value);
		}
		put_cell(c->metric, 42, 0);
		putchar(' ');
		put_cell(label, 24, 0);
		putchar(' ');
		put_cell(value, 16, 1);
		putchar('\n');
	}
}

int cmd_totals(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"metric", required_argument, NULL, 'm'},
		{"by", required_argument, NULL, 'b'},
		{"village", required_argument, NULL, 'v'},
		{"township", required_argument, NULL, 'T'},
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
	struct villages vl;
	int json = 0, timeout_ms = 5000, opt;
	unsigned long year = current_year();
	optind = 1;
	villages_builtin(&vl);
	while ((opt = getopt_long(argc, argv, ":y:m:b:v:T:je:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (cli_parse_year(optarg, &year))
				return cli_fail("totals", _("--year %s: not a year from 1970 to 9999"),
						optarg);
			break;
		case 'm': q.metric = optarg; break;
		case 'b': q.by = optarg; break;
		case 'v':
			/* a name or a code in any case, as people write it; others the daemon judges */
			q.village = villages_lookup(&vl, optarg)
					    ? (char *)villages_lookup(&vl, optarg)->code
					    : optarg;
			break;
		case 'T': q.township = optarg; break;
		case 'j': json = 1; break;
		case 'e': endpoint = optarg; break;
		case 't':
			if (cli_parse_timeout(optarg, &timeout_ms))
				return cli_opt_fail("totals", opt, optarg, argv);
			break;
		case KEYS_OPT_KEY: key_file = optarg; break;
		case KEYS_OPT_SERVER_KEY: server_key_file = optarg; break;
		case 'h': return cli_usage("totals", stdout, 0);
		default: return cli_opt_fail("totals", opt, optarg, argv);
		}
	}
	if (optind < argc)
		return cli_extra_arg("totals", argv[optind]);
	q.year = (uint32_t)year;
	int keyed = keys_load("totals", key_file, server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	Lawtally__V1__QueryReply *r = NULL;
	int rc = client_query(endpoint, keyed ? &keys : NULL, &q, timeout_ms, &r);
	if (rc) {
		fprintf(stderr, "lawtally totals: %s: %s\n", endpoint,
			rc == LT_ETIMEOUT ? _("no answer in time") : lt_strerror(rc));
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
}

