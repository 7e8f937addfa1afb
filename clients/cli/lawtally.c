/*
 * lawtally.c - the command-line client: the table of subcommands, help,
 * and the helpers they share (cli.h). Each subcommand is in cmd_NAME.c.
 *
 * Exit status (docs/contract.md): 0 all done; 1 some events rejected or lines
 * invalid (each listed); 2 usage error; 3 the daemon could not be reached
 * in time.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "i18n.h"
#include "keys.h"
#include "xalloc.h"

#ifndef LAWTALLY_VERSION
#define LAWTALLY_VERSION "unknown"
#endif

static const struct command *find_command(const char *name);

const char *cli_env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

int cli_parse_year(const char *s, unsigned long *year)
{
	return cli_parse_uint(s, 9999, year) || *year < 1970 ? -1 : 0;
}

/* Parses a positive number of seconds (fractions allowed) into ms. */
int cli_parse_timeout(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || !(v > 0) || v > 86400)
		return -1;
	*ms = (int)(v * 1000);
	return 0;
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

struct cli_link cli_link_defaults(void)
{
	return (struct cli_link){cli_env_or("LAWTALLY_INGEST", DEFAULT_INGEST), 10000, 500, 8,
				 NULL, NULL};
}

int cli_link_opt(struct cli_link *l, int opt, const char *arg)
{
	unsigned long v;
	switch (opt) {
	case 'e': l->endpoint = arg; return 1;
	case KEYS_OPT_KEY: l->key_file = arg; return 1;
	case KEYS_OPT_SERVER_KEY: l->server_key_file = arg; return 1;
	case 't': return cli_parse_timeout(arg, &l->timeout_ms) ? -1 : 1;
	case 'b':
		if (cli_parse_uint(arg, CLIENT_BATCH_MAX, &v) || v == 0)
			return -1;
		l->batch = v;
		return 1;
	case 'w':
		if (cli_parse_uint(arg, CLIENT_WINDOW_MAX, &v) || v == 0)
			return -1;
		l->window = (unsigned)v;
		return 1;
	default: return 0;
	}
}

int cli_usage(const char *name, FILE *out, int status)
{
	const struct command *c = find_command(name);
	if (out == stderr) {
		fprintf(stderr, _("lawtally %s: wrong usage; `lawtally help %s` explains it\n"), name,
			name);
		return status;
	}
	if (c)
		fputs(_(c->help), out);
	return status;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "lawtally %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int opt, char **argv)
{
	const char *arg = argv[optind - 1];
	char name[64];
	if (optopt && !(arg[0] == '-' && arg[1] == '-'))
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	if (opt == ':')
		return cli_fail(cmd, _("option %s needs a value; `lawtally help %s` lists the options"),
				name, cmd);
	return cli_fail(cmd, _("unknown option %s; `lawtally help %s` lists the options"), name,
			cmd);
}

int cli_opt_fail(const char *cmd, int opt, const char *arg, char **argv)
{
	switch (opt) {
	case 't': return cli_fail(cmd, _("--timeout %s: not a number of seconds (0 to 86400)"), arg);
	case 'b': return cli_fail(cmd, _("--batch %s: not a number of events from 1 to 1000"), arg);
	case 'w': return cli_fail(cmd, _("--window %s: not a number of requests from 1 to 64"), arg);
	case '?':
	case ':': return cli_bad_option(cmd, opt, argv);
	default: return cli_fail(cmd, _("option -%c: \"%s\" is not a value it takes"), opt, arg);
	}
}

int cli_extra_arg(const char *cmd, const char *arg)
{
	return cli_fail(cmd, _("unexpected argument \"%s\"; `lawtally help %s` lists the options"),
			arg, cmd);
}

void cli_yuan(uint64_t fen, char out[32])
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(fen / 100));
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	snprintf(out + o, 32 - o, ".%02u", (unsigned)(fen % 100));
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"send", cmd_send, N_("send events to lawtallyd"), cmd_send_help},
	{"totals", cmd_totals, N_("print live totals"), cmd_totals_help},
	{"keygen", cmd_keygen, N_("make a CurveZMQ key pair for a client or the daemon"),
	 cmd_keygen_help},
	{"backup", cmd_backup, N_("copy the store while lawtallyd runs"), cmd_backup_help},
	{"restore", cmd_restore, N_("put a backup back (lawtallyd stopped)"), cmd_restore_help},
	{"verify", cmd_verify, N_("recount the store and compare"), cmd_verify_help},
	{"spool", cmd_spool, N_("status, flush or rejected events of a local spool"),
	 cmd_spool_help},
	{"agent", cmd_agent, N_("forward a spool to lawtallyd whenever the link allows"),
	 cmd_agent_help},
	{"import", cmd_import, N_("import a village centre's ledger (Excel workbook or CSV)"),
	 cmd_import_help},
	{"simulate", cmd_simulate, N_("realistic senders at a given rate"), cmd_simulate_help},
	{"report", cmd_report, N_("the year-end report, or a month's mediation statistics"),
	 cmd_report_help},
	{"close-year", cmd_close_year, N_("freeze a past year's figures (office)"),
	 cmd_close_year_help},
	{"senders", cmd_senders, N_("what is missing: gaps, devices' counts, silent senders"),
	 cmd_senders_help},
	{"export", cmd_export, N_("totals or raw events as CSV for Excel"), cmd_export_help},
	{"upstream", cmd_upstream, N_("a township's forwarding to its county"), cmd_upstream_help},
	{"help", cmd_help, N_("explain a subcommand"),
	 N_("Usage: lawtally help [SUBCOMMAND]\n"
	    "\n"
	    "Lists the subcommands, or explains one (as `lawtally SUBCOMMAND --help`).\n")},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void overview(FILE *out)
{
	fprintf(out, "%s", _("Usage: lawtally SUBCOMMAND [OPTIONS]\n\n"
			     "The command-line client of lawtallyd.\n\n"));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(out, "%s",
		_("\n`lawtally help SUBCOMMAND` or `lawtally SUBCOMMAND --help` explains one.\n"));
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return cli_extra_arg("help", argv[2]);
	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_usage("help", stdout, 0);
	const struct command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, _("lawtally help: no subcommand \"%s\"; `lawtally help` lists them\n"),
			argv[1]);
		return EXIT_USAGE;
	}
	fputs(_(c->help), stdout);
	return 0;
}

int main(int argc, char **argv)
{
	xalloc_init();
	i18n_init();
	opterr = 0; /* each subcommand says what is wrong in its own line */
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		overview(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("lawtally %s\n", LAWTALLY_VERSION);
		return 0;
	}
	const struct command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, _("lawtally: no subcommand \"%s\"; `lawtally help` lists them\n"),
			argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
