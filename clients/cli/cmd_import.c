/*
 * cmd_import.c - `lawtally import`: a village centre's Excel ledger (台账),
 * exported as CSV, into the spool and on to lawtallyd.
 *
 * The file is read whole (bounded), decoded to UTF-8 (csv.h), its header
 * row found and mapped (ledger.h), every data row turned into events with
 * ids derived from its content, and all the events of the good rows
 * enqueued in one transaction; then the spool is flushed. A bad row is
 * reported with its line and column and the others go on. Importing the
 * same ledger again sends the same ids: the daemon counts nothing twice.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "csv.h"
#include "err.h"
#include "keys.h"
#include "ledger.h"
#include "villages.h"
#include "xalloc.h"

#define FILE_MAX ((size_t)64 << 20)
#define ROWS_MAX 100000
#define HEADER_SEARCH 10 /* title rows above the header row */

const char cmd_import_help[] =
	"Usage: lawtally import --csv FILE --village CODE [--kind dispute|training] [OPTIONS]\n"
	"\n"
	"Imports a village centre's ledger (台账) saved from Excel as CSV: UTF-8 with\n"
	"or without BOM, or GB18030 (\"CSV (逗号分隔)\"). The header row may sit under a\n"
	"title row; its Chinese headers name the columns:\n"
	"  dispute:  日期/受理日期, 案件编号, 纠纷类型, 调解结果/状态, 调解日期, 受理方式,\n"
	"            协议金额(元), 防止民转刑, 防止群体性上访, 涉及人数, 调解员\n"
	"  training: 日期, 培训内容, 参训人数, 编号\n"
	"Values are read as ledgers write them (邻里纠纷, 调解成功, 上交, 主动排查, 是/否,\n"
	"2024年3月5日, 2,500.00). Columns of personal data (当事人, 身份证号, 联系电话,\n"
	"住址, 简要案情) are never read. Each case gives a REGISTERED event and, once\n"
	"it has a result, an event for it; ids come from the row's content, so\n"
	"importing the same ledger again counts nothing twice. The events go through\n"
	"the spool: when the daemon cannot be reached they wait there for\n"
	"`lawtally spool flush` or the agent.\n"
	"\n"
	"  -f, --csv FILE        the ledger\n"
	"  -v, --village CODE    the centre's village code (ZL01..ZL41 for Zhangliang)\n"
	"  -k, --kind KIND       dispute (default) or training\n"
	"  -E, --encoding E      auto (default), utf-8 or gb18030\n"
	"      --source NAME     the sender's name (default centre-CODE)\n"
	"  -n, --dry-run         check the file and print what it holds; send nothing\n"
	"  -s, --spool DIR       the spool (default $LAWTALLY_SPOOL or " DEFAULT_SPOOL ")\n"
	"  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST or\n"
	"                        " DEFAULT_INGEST ")\n"
	"  -t, --timeout SEC     give up after SEC seconds without an Ack (default 10)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 all imported; 1 some rows bad or events rejected (each listed);\n"
	"2 usage or an unreadable file; 3 the daemon did not answer in time (the\n"
	"events stay spooled).\n";

#define OPT_SOURCE 0x4901

/* Reads a whole file of at most FILE_MAX bytes. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	char *b = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= FILE_MAX) {
				errno = EFBIG;
				free(b);
				b = NULL;
				break;
			}
			cap *= 2;
			b = xrealloc(b, cap);
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(b);
				b = NULL;
			}
			break;
		}
	}
	fclose(f);
	*out = b;
	*len = n;
	return b ? 0 : -1;
}

struct import {
	const char *file, *village, *source;
	enum ledger_kind kind;
	struct ledger_map map;
	int have_header;
	char header[CSV_FIELDS_MAX][64]; /* the header row's names, for messages */
	size_t rows, bad, skipped;
	Lawtally__V1__Event **events; /* pointers into rows[] */
	struct ledger_row *row;
	size_t nrows, nevents;
};

/* The header row: the first of the first records that maps every field needed. */
static int take_header(struct import *im, const struct csv_record *rec, size_t nth)
{
	char err[256];
	if (ledger_map_header(&im->map, im->kind, rec->field, rec->n, err, sizeof(err)) == 0) {
		im->have_header = 1;
		for (size_t i = 0; i < rec->n && i < CSV_FIELDS_MAX; i++) {
			size_t n = strlen(rec->field[i]);
			if (n >= sizeof(im->header[i]))
				n = sizeof(im->header[i]) - 1;
			while (n && (rec->field[i][n] & 0xC0) == 0x80)
				n--; /* do not cut a character in two */
			memcpy(im->header[i], rec->field[i], n);
			im->header[i][n] = '\0';
		}
		for (size_t i = 0; i < im->map.n_unknown && i < 16; i++)
			fprintf(stderr, "%s:%zu: column %zu \"%s\": not a ledger column we know; ignored\n",
				im->file, rec->line, im->map.unknown[i] + 1,
				rec->field[im->map.unknown[i]]);
		return 0;
	}
	if (nth + 1 >= HEADER_SEARCH) {
		fprintf(stderr, "%s: no header row in the first %d lines: %s\n", im->file,
			HEADER_SEARCH, err);
		return -1;
	}
	return 0;
}

static int take_row(struct import *im, const struct csv_record *rec)
{
	char err[256], colname[8];
	size_t col;
	struct ledger_row *r = &im->row[im->nrows];
	if (ledger_row(&im->map, im->village, im->source, rec->field, rec->n, r, &col, err,
		       sizeof(err))) {
		csv_column_name(col, colname);
		fprintf(stderr, "%s:%zu: column %s (%s): %s\n", im->file, rec->line, colname,
			col < CSV_FIELDS_MAX ? im->header[col] : "", err);
		im->bad++;
		return 0;
	}
	if (r->n == 0) {
		im->skipped++;
		return 0;
	}
	im->rows++;
	im->nrows++;
	return 0;
}

/* Parses the decoded text into im->row[]; bad rows are reported and counted. */
static int read_ledger(struct import *im, const char *text, size_t len)
{
	struct csv_reader *rd = csv_open(text, len);
	struct csv_record rec;
	char err[256];
	size_t nth = 0;
	int rc;
	while ((rc = csv_next(rd, &rec, err, sizeof(err))) != 0) {
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", im->file, err);
			im->bad++;
			continue;
		}
		if (!im->have_header) {
			if (take_header(im, &rec, nth++)) {
				rc = -1;
				break;
			}
			continue;
		}
		if (im->nrows >= ROWS_MAX) {
			fprintf(stderr, "%s: more than %d rows; split the ledger\n", im->file, ROWS_MAX);
			rc = -1;
			break;
		}
		take_row(im, &rec);
	}
	csv_close(&rd);
	if (rc == 0 && !im->have_header) {
		fprintf(stderr, "%s: no header row (日期, 案件编号, 纠纷类型, ...)\n", im->file);
		rc = -1;
	}
	return rc ? EXIT_USAGE : 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"csv", required_argument, NULL, 'f'},
		{"village", required_argument, NULL, 'v'},
		{"kind", required_argument, NULL, 'k'},
		{"encoding", required_argument, NULL, 'E'},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"dry-run", no_argument, NULL, 'n'},
		{"spool", required_argument, NULL, 's'},
		{"endpoint", required_argument, NULL, 'e'},
		{"timeout", required_argument, NULL, 't'},
		{"key", required_argument, NULL, KEYS_OPT_KEY},
		{"server-key", required_argument, NULL, KEYS_OPT_SERVER_KEY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct import im = {.kind = LEDGER_DISPUTE};
	struct cli_link link = cli_link_defaults();
	const char *spool_dir = NULL;
	enum csv_encoding enc = CSV_AUTO;
	char source[80], err[256];
	struct client_keys keys;
	int dry = 0, opt, kind, rc;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:v:k:E:ns:e:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': im.file = optarg; break;
		case 'v': im.village = optarg; break;
		case 'k':
			if ((kind = ledger_kind_by_name(optarg)) < 0)
				goto usage;
			im.kind = (enum ledger_kind)kind;
			break;
		case 'E':
			if (strcmp(optarg, "auto") == 0)
				enc = CSV_AUTO;
			else if (strcasecmp(optarg, "utf-8") == 0 || strcasecmp(optarg, "utf8") == 0)
				enc = CSV_UTF8;
			else if (strcasecmp(optarg, "gb18030") == 0 || strcasecmp(optarg, "gbk") == 0)
				enc = CSV_GB18030;
			else
				goto usage;
			break;
		case OPT_SOURCE: im.source = optarg; break;
		case 'n': dry = 1; break;
		case 's': spool_dir = optarg; break;
		case 'h': return cli_usage("import", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				goto usage;
		}
	}
	if (optind != argc || !im.file || !im.village)
		goto usage;
	if (!village_code_valid(im.village)) {
		fprintf(stderr, "lawtally import: \"%s\" is not a village code\n", im.village);
		return EXIT_USAGE;
	}
	if (!im.source) {
		snprintf(source, sizeof(source), "centre-%s", im.village);
		im.source = source;
	}
	if (strlen(im.source) > 64) {
		fprintf(stderr, "lawtally import: --source longer than 64 bytes\n");
		return EXIT_USAGE;
	}
	int keyed = keys_load("import", link.key_file, link.server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	struct cli_spool_opts so = {"import", cli_spool_dir(spool_dir), link.endpoint,
				    keyed ? &keys : NULL, link.batch, link.window, link.timeout_ms, 0};

	char *raw = NULL, *text = NULL;
	size_t rawlen, len;
	const char *used = NULL;
	if (slurp(im.file, &raw, &rawlen)) {
		fprintf(stderr, "lawtally import: %s: %s\n", im.file,
			errno == EFBIG ? "larger than 64 MiB" : strerror(errno));
		return EXIT_USAGE;
	}
	rc = csv_decode(raw, rawlen, enc, &text, &len, &used, err, sizeof(err));
	free(raw);
	if (rc) {
		fprintf(stderr, "lawtally import: %s: %s\n", im.file, err);
		return EXIT_USAGE;
	}
	/* a row gives at most 2 events; a record at least one line */
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n' || text[i] == '\r';
	size_t cap = lines < ROWS_MAX ? lines : ROWS_MAX;
	im.row = xcalloc(cap, sizeof(*im.row));
	im.events = xcalloc(cap * 2, sizeof(*im.events));
	if ((rc = read_ledger(&im, text, len)))
		goto free_all;
	for (size_t i = 0; i < im.nrows; i++)
		for (size_t k = 0; k < im.row[i].n; k++)
			im.events[im.nevents++] = &im.row[i].ev[k];
	printf("%s (%s): %zu cases, %zu events; %zu bad rows, %zu rows skipped\n", im.file, used,
	       im.rows, im.nevents, im.bad, im.skipped);
	if (dry) {
		rc = im.bad ? EXIT_REJECTED : 0;
		goto free_all;
	}
	rc = cli_spool_send(&so, im.events, im.nevents);
	if (rc == 0 && im.bad)
		rc = EXIT_REJECTED;
free_all:
	free(im.events);
	free(im.row);
	free(text);
	return rc;
usage:
	return cli_usage("import", stderr, EXIT_USAGE);
}
