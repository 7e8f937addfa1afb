/*
 * lawtally.c - the command-line client: one command, subcommands in a table.
 *
 *   lawtally send KIND --field value ...    one event from flags
 *   lawtally send --file FILE               JSON Lines, one event a line
 *   lawtally totals --year Y [--by D] ...   live totals, a table or JSON
 *
 * Exit status (contract.md): 0 all done; 1 some events rejected or lines
 * invalid (each listed); 2 usage error; 3 the daemon could not be reached
 * in time.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "err.h"
#include "jsonl.h"
#include "reply.h"
#include "uuid.h"

#ifndef LAWTALLY_VERSION
#define LAWTALLY_VERSION "unknown"
#endif

#define EXIT_REJECTED 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 3

#define DEFAULT_INGEST "tcp://127.0.0.1:5570"
#define DEFAULT_QUERY "tcp://127.0.0.1:5571"
#define LINE_MAX_BYTES (64 << 10)
#define FILE_EVENTS_MAX 10000000

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *help;
};

static const struct command *find_command(const char *name);

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Parses a positive number of seconds (fractions allowed) into ms. */
static int parse_timeout(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || !(v > 0) || v > 86400)
		return -1;
	*ms = (int)(v * 1000);
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

/* ---- send ---------------------------------------------------------------- */

struct sendctx {
	Lawtally__V1__Event **events;
	size_t *lines;          /* line number of each event (0: from flags) */
	size_t n, cap;
	const char *file;
	size_t accepted, duplicate, rejected, invalid;
	FILE *ack_log;
};

static void on_ack(size_t i, Lawtally__V1__Ack__Status status, const char *reason, void *arg)
{
	struct sendctx *s = arg;
	switch (status) {
	case LAWTALLY__V1__ACK__STATUS__ACCEPTED: s->accepted++; break;
	case LAWTALLY__V1__ACK__STATUS__DUPLICATE: s->duplicate++; break;
	default:
		s->rejected++;
		if (s->lines[i])
			printf("%s:%zu: rejected: %s\n", s->file, s->lines[i],
			       reason ? reason : "no reason given");
		else
			printf("rejected: %s\n", reason ? reason : "no reason given");
		return;
	}
	if (s->ack_log) {
		char *line = jsonl_format_event(s->events[i]);
		if (line)
			fprintf(s->ack_log, "%s\n", line);
		free(line);
	}
}

static int push_event(struct sendctx *s, Lawtally__V1__Event *e, size_t line)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		Lawtally__V1__Event **ev = realloc(s->events, cap * sizeof(*ev));
		if (!ev)
			return LT_ENOMEM;
		s->events = ev;
		size_t *ln = realloc(s->lines, cap * sizeof(*ln));
		if (!ln)
			return LT_ENOMEM;
		s->lines = ln;
		s->cap = cap;
	}
	s->events[s->n] = e;
	s->lines[s->n++] = line;
	return 0;
}

/* Reads JSON Lines; a bad line is reported and skipped, the rest go on. */
static int read_file(struct sendctx *s, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lawtally send: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		size_t skip = strspn(line, " \t");
		if (line[skip] == '\0')
			continue;
		char err[256];
		Lawtally__V1__Event *e = NULL;
		if (len > LINE_MAX_BYTES) {
			snprintf(err, sizeof(err), "line longer than %d bytes", LINE_MAX_BYTES);
		} else if (jsonl_parse_event(line, (size_t)len, &e, err, sizeof(err)) == 0 &&
			   e->id.len != 16) {
			snprintf(err, sizeof(err), "id: required, so that re-sending never counts twice");
			jsonl_event_free(e);
			e = NULL;
		}
		if (!e) {
			fprintf(stderr, "%s:%zu: %s\n", path, lineno, err);
			s->invalid++;
			continue;
		}
		if (s->n >= FILE_EVENTS_MAX || push_event(s, e, lineno)) {
			fprintf(stderr, "lawtally send: %s: more than %d events or out of memory\n",
				path, FILE_EVENTS_MAX);
			jsonl_event_free(e);
			rc = EXIT_USAGE;
			break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "lawtally send: %s: %s\n", path, strerror(errno));
		rc = EXIT_USAGE;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static const char *const envelope_flags[] = {"id", "village", "occurred_at", "source",
					     "recorded_by"};

/*
 * Builds one event from KIND and --field value pairs: envelope fields go
 * to the top, the rest into the body; "true"/"false" become booleans and
 * everything else a string, which the JSON reader converts per field.
 */
static int event_from_flags(struct sendctx *s, int argc, char **argv)
{
	const char *kind = argv[0];
	json_t *ev = json_object(), *body = json_object();
	char idbuf[UUID_STR_LEN + 1];
	int rc = EXIT_USAGE;
	if (!ev || !body)
		goto out;
	for (int i = 1; i < argc; i += 2) {
		if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
			fprintf(stderr, "lawtally send: expected --FIELD VALUE, got '%s'\n", argv[i]);
			goto out;
		}
		char name[64];
		snprintf(name, sizeof(name), "%s", argv[i] + 2);
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		const char *v = argv[i + 1];
		json_t *val = strcmp(v, "true") == 0 ? json_true()
			    : strcmp(v, "false") == 0 ? json_false() : json_string(v);
		json_t *dst = body;
		for (size_t k = 0; k < sizeof(envelope_flags) / sizeof(envelope_flags[0]); k++)
			if (strcmp(name, envelope_flags[k]) == 0)
				dst = ev;
		json_object_set_new(dst, name, val);
	}
	if (!json_object_get(ev, "id")) {
		uint8_t id[UUID_LEN];
		if (uuid_v7(id)) {
			fprintf(stderr, "lawtally send: cannot make an event id\n");
			goto out;
		}
		uuid_format(id, idbuf);
		json_object_set_new(ev, "id", json_string(idbuf));
	}
	if (!json_object_get(ev, "occurred_at"))
		json_object_set_new(ev, "occurred_at", json_integer((json_int_t)time(NULL)));
	if (!json_object_get(ev, "source"))
		json_object_set_new(ev, "source", json_string("lawtally"));
	json_object_set(ev, kind, body);
	char *text = json_dumps(ev, JSON_COMPACT);
	char err[256];
	Lawtally__V1__Event *e = NULL;
	if (!text || jsonl_parse_event(text, strlen(text), &e, err, sizeof(err))) {
		fprintf(stderr, "lawtally send: %s\n", text ? err : "out of memory");
		free(text);
		goto out;
	}
	free(text);
	rc = push_event(s, e, 0) ? EXIT_USAGE : 0;
	if (rc)
		jsonl_event_free(e);
out:
	json_decref(ev);
	json_decref(body);
	return rc;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"endpoint", required_argument, NULL, 'e'},
		{"timeout", required_argument, NULL, 't'},
		{"batch", required_argument, NULL, 'b'},
		{"window", required_argument, NULL, 'w'},
		{"ack-log", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sendctx s = {.file = "-"};
	const char *endpoint = env_or("LAWTALLY_INGEST", DEFAULT_INGEST), *ack_log = NULL;
	int timeout_ms = 10000, opt, rc = 0;
	unsigned long batch = 500, window = 8;
	int file_mode = 0;
	optind = 1;
	/* options stop at KIND: what follows are the event's fields */
	while ((opt = getopt_long(argc, argv, "+f:e:t:b:w:a:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': s.file = optarg; file_mode = 1; break;
		case 'e': endpoint = optarg; break;
		case 'a': ack_log = optarg; break;
		case 't':
			if (parse_timeout(optarg, &timeout_ms))
				goto usage;
			break;
		case 'b':
			if (parse_uint(optarg, CLIENT_BATCH_MAX, &batch) || batch == 0)
				goto usage;
			break;
		case 'w':
			if (parse_uint(optarg, 64, &window) || window == 0)
				goto usage;
			break;
		case 'h': fputs(find_command("send")->help, stdout); return 0;
		default: goto usage;
		}
	}
	if (file_mode == (optind < argc))
		goto usage;
	rc = file_mode ? read_file(&s, s.file) : event_from_flags(&s, argc - optind, argv + optind);
	if (rc)
		goto out;
	if (ack_log && !(s.ack_log = fopen(ack_log, "a"))) {
		fprintf(stderr, "lawtally send: %s: %s\n", ack_log, strerror(errno));
		rc = EXIT_USAGE;
		goto out;
	}
	struct client *c = NULL;
	if (client_open(&c, endpoint)) {
		fprintf(stderr, "lawtally send: bad endpoint %s\n", endpoint);
		rc = EXIT_USAGE;
		goto out;
	}
	char err[256];
	struct client_submit so = {batch, (unsigned)window, timeout_ms, on_ack, &s};
	int src = client_submit(c, s.events, s.n, &so, err, sizeof(err));
	client_close(&c);
	if (s.n > 1 || file_mode)
		printf("%zu events: %zu accepted, %zu duplicate, %zu rejected; %zu invalid lines\n",
		       s.n, s.accepted, s.duplicate, s.rejected, s.invalid);
	else if (s.accepted + s.duplicate == 1)
		printf("%s\n", s.accepted ? "accepted" : "duplicate");
	if (src == LT_ETIMEOUT) {
		fprintf(stderr, "lawtally send: %s at %s; %zu events not acknowledged\n", err,
			endpoint, s.n - s.accepted - s.duplicate - s.rejected);
		rc = EXIT_UNREACHABLE;
	} else if (src) {
		fprintf(stderr, "lawtally send: %s\n", err);
		rc = EXIT_UNREACHABLE;
	} else {
		rc = s.rejected || s.invalid ? EXIT_REJECTED : 0;
	}
out:
	if (s.ack_log)
		fclose(s.ack_log);
	for (size_t i = 0; i < s.n; i++)
		jsonl_event_free(s.events[i]);
	free(s.events);
	free(s.lines);
	return rc;
usage:
	fputs(find_command("send")->help, stderr);
	return EXIT_USAGE;
}

/* ---- totals -------------------------------------------------------------- */

static unsigned current_year(void)
{
	time_t t = time(NULL) + 8 * 3600; /* the township's zone by default */
	struct tm tm;
	gmtime_r(&t, &tm);
	return (unsigned)tm.tm_year + 1900;
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

static int cmd_totals(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"year", required_argument, NULL, 'y'},
		{"metric", required_argument, NULL, 'm'},
		{"by", required_argument, NULL, 'b'},
		{"village", required_argument, NULL, 'v'},
		{"json", no_argument, NULL, 'j'},
		{"endpoint", required_argument, NULL, 'e'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Lawtally__V1__QueryRequest q = LAWTALLY__V1__QUERY_REQUEST__INIT;
	const char *endpoint = env_or("LAWTALLY_QUERY", DEFAULT_QUERY);
	int json = 0, timeout_ms = 5000, opt;
	unsigned long year = current_year();
	optind = 1;
	while ((opt = getopt_long(argc, argv, "y:m:b:v:je:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'y':
			if (parse_uint(optarg, 9999, &year))
				goto usage;
			break;
		case 'm': q.metric = optarg; break;
		case 'b': q.by = optarg; break;
		case 'v': q.village = optarg; break;
		case 'j': json = 1; break;
		case 'e': endpoint = optarg; break;
		case 't':
			if (parse_timeout(optarg, &timeout_ms))
				goto usage;
			break;
		case 'h': fputs(find_command("totals")->help, stdout); return 0;
		default: goto usage;
		}
	}
	if (optind < argc)
		goto usage;
	q.year = (uint32_t)year;
	Lawtally__V1__QueryReply *r = NULL;
	int rc = client_query(endpoint, &q, timeout_ms, &r);
	if (rc) {
		fprintf(stderr, "lawtally totals: %s: %s\n", endpoint,
			rc == LT_ETIMEOUT ? "no answer in time" : lt_strerror(rc));
		return rc == LT_EINVAL ? EXIT_USAGE : EXIT_UNREACHABLE;
	}
	if (r->error[0]) {
		fprintf(stderr, "lawtally totals: %s\n", r->error);
		lawtally__v1__query_reply__free_unpacked(r, NULL);
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
	lawtally__v1__query_reply__free_unpacked(r, NULL);
	return 0;
usage:
	fputs(find_command("totals")->help, stderr);
	return EXIT_USAGE;
}

/* ---- help ---------------------------------------------------------------- */

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"send", cmd_send, "send events to lawtallyd",
	 "Usage: lawtally send [OPTIONS] KIND --FIELD VALUE ...\n"
	 "       lawtally send [OPTIONS] --file FILE\n"
	 "\n"
	 "Sends one event built from flags, or every line of a JSON Lines file (- for\n"
	 "stdin), and waits until lawtallyd has durably stored each one.\n"
	 "\n"
	 "KIND is dispute, petition, training, publicity, lawsuit, enforcement or\n"
	 "retraction. --id, --village, --occurred-at, --source and --recorded-by set the\n"
	 "envelope (a fresh time-ordered id and the current time by default); every other\n"
	 "--field-name sets the body's field_name. Enum values may be written short:\n"
	 "  lawtally send dispute --village ZL07 --case-id 2024-031 \\\n"
	 "      --category NEIGHBOUR --stage REGISTERED\n"
	 "\n"
	 "File lines are proto3 JSON of Event (see docs/protocol.md); each needs an id so\n"
	 "that sending the file again never counts anything twice.\n"
	 "\n"
	 "  -f, --file FILE       JSON Lines to send\n"
	 "  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST or\n"
	 "                        " DEFAULT_INGEST ")\n"
	 "  -t, --timeout SEC     give up after SEC seconds of silence (default 10)\n"
	 "  -b, --batch N         events per request, 1-1000 (default 500)\n"
	 "  -w, --window N        requests in flight, 1-64 (default 8)\n"
	 "  -a, --ack-log FILE    append each acknowledged event to FILE as JSON\n"
	 "\n"
	 "Exit: 0 all stored; 1 some rejected or invalid (each listed); 2 usage;\n"
	 "3 the daemon did not answer in time (unacknowledged events were not stored).\n"},
	{"totals", cmd_totals, "print live totals",
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
	 "\n"
	 "Exit: 0 printed; 2 usage or a bad query; 3 the daemon did not answer.\n"},
	{"help", cmd_help, "explain a subcommand",
	 "Usage: lawtally help [SUBCOMMAND]\n"},
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
	fprintf(out, "Usage: lawtally SUBCOMMAND [OPTIONS]\n\n"
		     "The command-line client of lawtallyd.\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`lawtally help SUBCOMMAND` or `lawtally SUBCOMMAND --help` explains one.\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	const struct command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "lawtally: no subcommand '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	fputs(c->help, stdout);
	return 0;
}

int main(int argc, char **argv)
{
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
		fprintf(stderr, "lawtally: no subcommand '%s'; try lawtally help\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
