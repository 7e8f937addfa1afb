/*
 * cmd_import.c - `lawtally import`: a village centre's ledger (台账), an
 * Excel workbook or text saved from it, into the spool and on to lawtallyd.
 *
 * The file is read whole (bounded) and turned into events row by row
 * (ledger_import.h, shared with the village desk's upload); a bad row is
 * reported with its line and column and the others go on; all the events
 * of the good rows are enqueued in one transaction and the spool flushed.
 * Importing the same ledger again sends the same ids: the daemon counts
 * nothing twice, and the Acks say which rows it had already.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "cli.h"
#include "err.h"
#include "i18n.h"
#include "keys.h"
#include "ledger_import.h"
#include "villages.h"
#include "words.h"
#include "xalloc.h"

#define FILE_MAX ((size_t)64 << 20)

const char cmd_import_help[] =
	"Usage: lawtally import FILE --village V [--kind dispute|training] [OPTIONS]\n"
	"\n"
	"Imports a village centre's ledger (台账): an Excel workbook (.xlsx, the first\n"
	"sheet or --sheet), or the ledger saved from Excel as CSV (UTF-8 with or without\n"
	"BOM, or GB18030) or as \"Unicode text\" (UTF-16, tab-separated). The file's\n"
	"extension picks the reader, else its content. The header row may sit under a\n"
	"title row; its Chinese headers name the columns:\n"
	"  dispute:  日期/受理日期, 案件编号, 纠纷类型, 调解结果/状态, 调解日期, 受理方式,\n"
	"            协议金额(元), 防止民转刑, 防止群体性上访, 涉及人数, 调解员, 村名\n"
	"  training: 日期, 培训内容, 参训人数, 编号, 培训对象\n"
	"Values are read as ledgers write them (邻里纠纷, 调解成功, 上交, 主动排查, 是/否,\n"
	"2024年3月5日, 2,500.00, full-width ２０２４／３／５ and １，２００ alike); a blank\n"
	"under a merged date or village cell takes the value above. Columns of\n"
	"personal data (当事人, 身份证号, 联系电话, 住址, 简要案情) are never read. Each\n"
	"case gives a REGISTERED event and, once it has a result, an event for it; a\n"
	"case number twice at the same stage is flagged with both lines. Ids come from\n"
	"the row's content, so importing the same ledger again counts nothing twice,\n"
	"and says how many rows were counted before. The events go through the spool:\n"
	"when the daemon cannot be reached they wait there for `lawtally spool flush`\n"
	"or the agent.\n"
	"\n"
	"  -f, --file FILE       the ledger (or FILE after the options)\n"
	"      --xlsx FILE       the ledger, read as an Excel workbook\n"
	"      --csv FILE        the ledger, read as CSV or Unicode text\n"
	"      --sheet NAME      the workbook's sheet, by name or place (1, 2, ...)\n"
	"  -v, --village V       the centre's village: code (ZL07, zl07) or name (王岗村)\n"
	"  -k, --kind KIND       dispute (default) or training\n"
	"  -E, --encoding E      text: auto (default), utf-8, gb18030 or utf-16\n"
	"      --source NAME     the sender's name (default centre-CODE)\n"
	"  -n, --dry-run         print every row's outcome; send nothing\n"
	SPOOL_HELP
	"  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST or\n"
	"                        " DEFAULT_INGEST ")\n"
	"  -t, --timeout SEC     give up after SEC seconds without an Ack (default 10)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 all imported; 1 some rows bad or events rejected (each listed on\n"
	"stderr); 2 usage or an unreadable file; 3 the daemon did not answer in time\n"
	"(the events stay spooled).\n";

#define OPT_SOURCE 0x4901
#define OPT_XLSX 0x4902
#define OPT_CSV 0x4903
#define OPT_SHEET 0x4904

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

/* "2024-03-05", the local date of an event's time. */
static void local_date(int64_t t, char out[16])
{
	int64_t y;
	int m, d;
	cal_civil_from_days(cal_day_of(t + LEDGER_TZ_OFFSET), &y, &m, &d);
	snprintf(out, 16, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* What a row of the ledger becomes, in the ledger's words, for --dry-run. */
static void describe(const struct ledger_row *r, char *out, size_t cap)
{
	char date[16], yuan[32];
	size_t o = 0;
	if (r->ev[0].body_case == LAWTALLY__V1__EVENT__BODY_TRAINING) {
		local_date(r->ev[0].occurred_at, date);
		snprintf(out, cap, _("training %s \"%s\", %u attending"), date, r->topic,
			 r->training.attendees);
		return;
	}
	const Lawtally__V1__Dispute *last = &r->dispute[r->n - 1];
	const char *cat = words_name(&lawtally__v1__dispute__category__descriptor, last->category);
	o += (size_t)snprintf(out + o, cap - o, "%s %s:", r->case_id, cat ? cat : "?");
	for (size_t i = 0; i < r->n && o < cap; i++) {
		const char *stage =
			words_name(&lawtally__v1__dispute__stage__descriptor, r->dispute[i].stage);
		local_date(r->ev[i].occurred_at, date);
		o += (size_t)snprintf(out + o, cap - o, "%s %s %s", i ? "," : "", stage ? stage : "?",
				      date);
	}
	if (last->agreement_amount_fen && o < cap) {
		cli_yuan(last->agreement_amount_fen, yuan);
		o += (size_t)snprintf(out + o, cap - o, _(", agreed %s yuan"), yuan);
	}
	if (last->prevented_criminal && o < cap)
		o += (size_t)snprintf(out + o, cap - o, "%s", _(", kept from turning criminal"));
	if (last->prevented_group_petition && o < cap)
		snprintf(out + o, cap - o, _(", a group petition prevented (%u people)"), last->people);
}

/* The rows' outcomes in file order: events to stdout (dry run only), the rest to stderr. */
static void print_lines(const char *file, const struct ledger_import *im, int dry)
{
	char what[512];
	for (size_t i = 0; i < im->nlines; i++) {
		const struct ledger_line *l = &im->lines[i];
		char at[32] = "";
		if (l->line)
			snprintf(at, sizeof(at), "%zu:", l->line);
		switch (l->outcome) {
		case LEDGER_ROW_EVENTS:
			if (!dry)
				break;
			describe(&im->rows[l->row], what, sizeof(what));
			printf("%s:%s %s\n", file, at, what);
			break;
		case LEDGER_ROW_SKIPPED:
			if (dry)
				printf(_("%s:%s skipped: %s\n"), file, at, l->why);
			break;
		case LEDGER_ROW_BAD:
		case LEDGER_ROW_NOTE:
			fflush(stdout);
			fprintf(stderr, "%s:%s %s\n", file, at, l->why);
			break;
		}
	}
	fflush(stdout);
}

/* The Acks of this import's events while this process delivers them. */
struct acks {
	const char *file;
	const struct ledger_import *im;
	uint64_t first;
	unsigned char *status; /* per event: its Ack status, 0 until answered */
};

static void on_ack(uint64_t seq, Lawtally__V1__Ack__Status status, const char *reason, void *arg)
{
	struct acks *a = arg;
	if (seq < a->first || seq - a->first >= a->im->nevents)
		return; /* an event queued before this import */
	size_t i = (size_t)(seq - a->first);
	a->status[i] = (unsigned char)status;
	if (status == LAWTALLY__V1__ACK__STATUS__REJECTED) {
		fflush(stdout);
		fprintf(stderr, _("%s:%zu: rejected by lawtallyd: %s\n"), a->file, a->im->event_line[i],
			reason ? reason : "");
	}
}

/* "16 rows new, 0 counted before": what the Acks say about the rows. */
static void print_counted(const struct acks *a)
{
	const struct ledger_import *im = a->im;
	size_t fresh = 0, before = 0, ev = 0, answered = 0;
	for (size_t i = 0; i < im->nlines; i++) {
		const struct ledger_line *l = &im->lines[i];
		if (l->outcome != LEDGER_ROW_EVENTS)
			continue;
		int all_dup = 1, any_new = 0;
		for (size_t k = 0; k < im->rows[l->row].n; k++, ev++) {
			answered += a->status[ev] != 0;
			all_dup &= a->status[ev] == LAWTALLY__V1__ACK__STATUS__DUPLICATE;
			any_new |= a->status[ev] == LAWTALLY__V1__ACK__STATUS__ACCEPTED;
		}
		before += all_dup;
		fresh += any_new;
	}
	if (!answered)
		return; /* another process delivered them: it has the Acks */
	if (before && !fresh)
		printf(_("all %zu rows were counted before (imported already): nothing new, nothing "
			 "counted twice\n"), before);
	else
		printf(_("%zu rows new, %zu rows counted before (not counted again)\n"), fresh, before);
}

/* --village: the list's village for a code in any case or a name. */
static int pick_village(const char *arg, const char **code, const char **name)
{
	static struct villages list;
	villages_builtin(&list);
	const struct village *v = villages_lookup(&list, arg);
	if (v) {
		*code = v->code;
		*name = v->name;
		return 0;
	}
	if (!village_code_valid(arg)) {
		char all[2048];
		villages_describe(&list, all, sizeof(all));
		return cli_fail("import", _("--village %s: no such village; the villages: %s"), arg,
				all);
	}
	/* a code the built-in list does not have: the daemon's list may */
	*code = arg;
	*name = "";
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"xlsx", required_argument, NULL, OPT_XLSX},
		{"csv", required_argument, NULL, OPT_CSV},
		{"sheet", required_argument, NULL, OPT_SHEET},
		{"village", required_argument, NULL, 'v'},
		{"kind", required_argument, NULL, 'k'},
		{"encoding", required_argument, NULL, 'E'},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"dry-run", no_argument, NULL, 'n'},
		{"spool", required_argument, NULL, 's'},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ledger_import_opts io = {.kind = LEDGER_DISPUTE, .encoding = CSV_AUTO};
	struct ledger_import im;
	struct cli_link link = cli_link_defaults();
	const char *spool_dir = NULL, *file = NULL, *village = NULL, *source = NULL;
	char src[80], err[512];
	struct client_keys keys;
	int dry = 0, opt, kind, rc;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":f:v:k:E:ns:e:t:b:w:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': file = optarg; io.format = LEDGER_FORMAT_AUTO; break;
		case OPT_XLSX: file = optarg; io.format = LEDGER_FORMAT_XLSX; break;
		case OPT_CSV: file = optarg; io.format = LEDGER_FORMAT_TEXT; break;
		case OPT_SHEET: io.sheet = optarg; break;
		case 'v': village = optarg; break;
		case 'k':
			if ((kind = ledger_kind_by_name(optarg)) < 0)
				return cli_fail("import", _("--kind %s: not dispute or training"), optarg);
			io.kind = (enum ledger_kind)kind;
			break;
		case 'E':
			if (strcmp(optarg, "auto") == 0)
				io.encoding = CSV_AUTO;
			else if (strcasecmp(optarg, "utf-8") == 0 || strcasecmp(optarg, "utf8") == 0)
				io.encoding = CSV_UTF8;
			else if (strcasecmp(optarg, "gb18030") == 0 || strcasecmp(optarg, "gbk") == 0)
				io.encoding = CSV_GB18030;
			else if (strcasecmp(optarg, "utf-16") == 0 || strcasecmp(optarg, "utf16") == 0)
				io.encoding = CSV_UTF16;
			else
				return cli_fail("import",
						_("--encoding %s: not auto, utf-8, gb18030 or utf-16"),
						optarg);
			break;
		case OPT_SOURCE: source = optarg; break;
		case 'n': dry = 1; break;
		case 's': spool_dir = optarg; break;
		case 'h': return cli_usage("import", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				return cli_opt_fail("import", opt, optarg, argv);
		}
	}
	if (!file && optind < argc)
		file = argv[optind++];
	if (optind < argc)
		return cli_extra_arg("import", argv[optind]);
	if (!file)
		return cli_fail("import", "%s",
				_("which ledger? lawtally import FILE --village V (FILE: .xlsx or .csv)"));
	if (!village)
		return cli_fail("import", "%s",
				_("--village is required: the village whose ledger this is, by code "
				  "(ZL07) or name (王岗村)"));
	if ((rc = pick_village(village, &io.village, &io.village_name)))
		return rc;
	if (!source) {
		snprintf(src, sizeof(src), "centre-%s", io.village);
		source = src;
	}
	if (strlen(source) > 64)
		return cli_fail("import", "%s", _("--source longer than 64 bytes"));
	io.source = source;
	io.name = file;
	int keyed = keys_load("import", link.key_file, link.server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;

	char *raw = NULL;
	size_t rawlen;
	if (slurp(file, &raw, &rawlen))
		return cli_fail("import", "%s: %s", file,
				errno == EFBIG ? _("larger than 64 MiB") : strerror(errno));
	rc = ledger_import_read(&im, raw, rawlen, &io, err, sizeof(err));
	free(raw);
	if (rc) {
		ledger_import_free(&im);
		return cli_fail("import", "%s: %s", file, err);
	}
	print_lines(file, &im, dry);
	printf(_("%s (%s): %zu cases, %zu events; %zu bad rows, %zu rows skipped\n"), file, im.used,
	       im.cases, im.nevents, im.bad, im.skipped);
	if (dry) {
		rc = im.bad ? EXIT_REJECTED : 0;
		goto free_all;
	}
	struct acks acks = {file, &im, 0, xcalloc(im.nevents + 1, 1)};
	struct cli_spool_opts so = {"import", cli_spool_dir(spool_dir), link.endpoint,
				    keyed ? &keys : NULL, link.batch, link.window, link.timeout_ms, 0,
				    on_ack, &acks};
	rc = cli_spool_enqueue(&so, im.events, im.nevents, &acks.first);
	if (rc == 0) {
		rc = cli_spool_deliver(&so, im.nevents ? acks.first : 1,
				       im.nevents ? acks.first + im.nevents - 1 : 0);
		print_counted(&acks);
	}
	free(acks.status);
	if (rc == 0 && im.bad)
		rc = EXIT_REJECTED;
free_all:
	ledger_import_free(&im);
	return rc;
}
