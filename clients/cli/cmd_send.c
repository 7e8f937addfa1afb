/*
 * cmd_send.c - `lawtally send`: one event from flags, or JSON Lines.
 *
 * Every event is held until the daemon acknowledges it; what is not
 * acknowledged within the timeout is reported and the exit status is 3.
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
#include "jsonl.h"
#include "keys.h"
#include "uuid.h"
#include "xalloc.h"

#define LINE_MAX_BYTES (64 << 10)
#define FILE_EVENTS_MAX 10000000

const char cmd_send_help[] =
	"Usage: lawtally send [OPTIONS] KIND --FIELD VALUE ...\n"
	"       lawtally send [OPTIONS] --file FILE\n"
	"\n"
	"Sends one event built from flags, or every line of a JSON Lines file (- for\n"
	"stdin), and waits until lawtallyd has durably stored each one.\n"
	"\n"
	"KIND is dispute, petition, training, publicity, lawsuit, enforcement,\n"
	"document, decision, opinion, disclosure, supervision, enforcement_staff, task\n"
	"or retraction. --id, --village, --occurred-at, --source and --recorded-by set the\n"
	"envelope (a fresh time-ordered id and the current time by default); every other\n"
	"--field-name sets the body's field_name. Enum values may be written short:\n"
	"  lawtally send dispute --village ZL07 --case-id 2024-031 \\\n"
	"      --category NEIGHBOUR --stage REGISTERED\n"
	"A retraction names the event it withdraws by its scope and id (see\n"
	"docs/protocol.md, Ids and scopes):\n"
	"  lawtally send retraction --event-id ID --scope village:ZL07 \\\n"
	"      --reason \"entered twice\"\n"
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
	"  -s, --spool DIR       keep the events in this spool until acknowledged\n"
	"                        (default $LAWTALLY_SPOOL; see lawtally help spool)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 all stored; 1 some rejected or invalid (each listed); 2 usage;\n"
	"3 the daemon did not answer in time (unacknowledged events were not stored,\n"
	"or, with a spool, stay in it).\n";

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

static void push_event(struct sendctx *s, Lawtally__V1__Event *e, size_t line)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		s->events = xreallocarray(s->events, cap, sizeof(*s->events));
		s->lines = xreallocarray(s->lines, cap, sizeof(*s->lines));
		s->cap = cap;
	}
	s->events[s->n] = e;
	s->lines[s->n++] = line;
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
		if (s->n >= FILE_EVENTS_MAX) {
			fprintf(stderr, "lawtally send: %s: more than %d events\n", path,
				FILE_EVENTS_MAX);
			jsonl_event_free(e);
			rc = EXIT_USAGE;
			break;
		}
		push_event(s, e, lineno);
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
	if (jsonl_parse_event(text, strlen(text), &e, err, sizeof(err))) {
		fprintf(stderr, "lawtally send: %s\n", err);
		free(text);
		goto out;
	}
	free(text);
	push_event(s, e, 0);
	rc = 0;
out:
	json_decref(ev);
	json_decref(body);
	return rc;
}

int cmd_send(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"ack-log", required_argument, NULL, 'a'},
		{"spool", required_argument, NULL, 's'},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sendctx s = {.file = "-"};
	struct cli_link link = cli_link_defaults();
	const char *ack_log = NULL;
	struct client_keys keys;
	int keyed;
	int opt, rc = 0;
	int file_mode = 0;
	optind = 1;
	/* options stop at KIND: what follows are the event's fields */
	const char *spool_dir = getenv("LAWTALLY_SPOOL");
	while ((opt = getopt_long(argc, argv, "+f:e:t:b:w:a:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': s.file = optarg; file_mode = 1; break;
		case 'a': ack_log = optarg; break;
		case 's': spool_dir = optarg; break;
		case 'h': return cli_usage("send", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				goto usage;
		}
	}
	if (file_mode == (optind < argc))
		goto usage;
	if ((keyed = keys_load("send", link.key_file, link.server_key_file, &keys)) < 0)
		return EXIT_USAGE;
	rc = file_mode ? read_file(&s, s.file) : event_from_flags(&s, argc - optind, argv + optind);
	if (rc)
		goto out;
	if (spool_dir && *spool_dir) { /* spooled first, then delivered: cmd_spool.c */
		struct cli_spool_opts so = {"send", spool_dir, link.endpoint, keyed ? &keys : NULL,
					    link.batch, link.window, link.timeout_ms, 0};
		rc = ack_log ? EXIT_USAGE : cli_spool_send(&so, s.events, s.n);
		if (ack_log)
			fprintf(stderr, "lawtally send: --ack-log does not go with a spool\n");
		else if (rc == 0 && s.invalid)
			rc = EXIT_REJECTED;
		goto out;
	}
	if (ack_log && !(s.ack_log = fopen(ack_log, "a"))) {
		fprintf(stderr, "lawtally send: %s: %s\n", ack_log, strerror(errno));
		rc = EXIT_USAGE;
		goto out;
	}
	struct client *c = NULL;
	if (client_open(&c, link.endpoint, keyed ? &keys : NULL)) {
		fprintf(stderr, "lawtally send: bad endpoint %s\n", link.endpoint);
		rc = EXIT_USAGE;
		goto out;
	}
	char err[256];
	struct client_submit so = {link.batch, link.window, link.timeout_ms, on_ack, &s};
	int src = client_submit(c, s.events, s.n, &so, err, sizeof(err));
	client_close(&c);
	if (s.n > 1 || file_mode)
		printf("%zu events: %zu accepted, %zu duplicate, %zu rejected; %zu invalid lines\n",
		       s.n, s.accepted, s.duplicate, s.rejected, s.invalid);
	else if (s.accepted + s.duplicate == 1)
		printf("%s\n", s.accepted ? "accepted" : "duplicate");
	if (src == LT_ETIMEOUT) {
		fprintf(stderr, "lawtally send: %s at %s; %zu events not acknowledged\n", err,
			link.endpoint, s.n - s.accepted - s.duplicate - s.rejected);
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
	return cli_usage("send", stderr, EXIT_USAGE);
}

