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
#include "i18n.h"
#include "jsonl.h"
#include "keys.h"
#include "ledger.h"
#include "uuid.h"
#include "validate.h"
#include "villages.h"
#include "words.h"
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
	"--field-name sets the body's field_name. Values as people write them: enum\n"
	"values by their Chinese names or their own (邻里纠纷, NEIGHBOUR, neighbour),\n"
	"是/否, the village by name or code (王岗村, zl07), dates as ledgers write them\n"
	"(2024/3/5, 2024年3月5日 16:00), full-width digits, and the agreement amount in\n"
	"yuan with --agreement-amount (2,500). An unknown value gets the valid ones:\n"
	"  lawtally send dispute --village 王岗村 --case-id 2024-031 \\\n"
	"      --category 邻里纠纷 --stage 受理\n"
	"Each event is checked against the daemon's rules first: one it would refuse\n"
	"is reported (exit 1) and neither spooled nor sent.\n"
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
	"                        (default $LAWTALLY_SPOOL, or the agent's spool on a\n"
	"                        village PC; see lawtally help spool)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 all stored; 1 some rejected or invalid (each listed); 2 usage;\n"
	"3 the daemon did not answer in time (unacknowledged events were not stored,\n"
	"or, with a spool, stay in it).\n";

/* The built-in village list: names and codes people type. */
static struct villages builtin;

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
		fflush(stdout);
		if (s->lines[i])
			fprintf(stderr, _("%s:%zu: rejected: %s\n"), s->file, s->lines[i],
				reason ? _(reason) : _("no reason given"));
		else
			fprintf(stderr, _("rejected: %s\n"), reason ? _(reason) : _("no reason given"));
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
		fprintf(stderr, _("lawtally send: %s: %s\n"), path, strerror(errno));
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
			fprintf(stderr, _("lawtally send: %s: more than %d events\n"), path,
				FILE_EVENTS_MAX);
			jsonl_event_free(e);
			rc = EXIT_USAGE;
			break;
		}
		push_event(s, e, lineno);
	}
	if (ferror(f)) {
		fprintf(stderr, _("lawtally send: %s: %s\n"), path, strerror(errno));
		rc = EXIT_USAGE;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static const char *const envelope_flags[] = {"id", "village", "occurred_at", "source",
					     "recorded_by"};

/* Free text: kept as typed (full-width and all). */
static const char *const free_text[] = {"topic", "recorded_by", "source", "reason", "device_id"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int listed(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* "--case-id, --category, ..." : the flags of a kind, for a message. */
static void flags_of(const ProtobufCMessageDescriptor *body, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < body->n_fields && o < cap; i++) {
		char flag[64];
		snprintf(flag, sizeof(flag), "%s", body->fields[i].name);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		o += (size_t)snprintf(out + o, cap - o, "%s--%s", i ? ", " : "", flag);
		if (strcmp(body->fields[i].name, "agreement_amount_fen") == 0 && o < cap)
			o += (size_t)snprintf(out + o, cap - o, ", --agreement-amount");
	}
}

/* The kinds an event may be, for a message. */
static void kinds(char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < lawtally__v1__event__descriptor.n_fields && o < cap; i++) {
		const ProtobufCFieldDescriptor *f = &lawtally__v1__event__descriptor.fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", f->name);
	}
}

/* A count or number as typed: full-width digits, thousands separators. */
static void plain_number(const char *v, char *out, size_t cap)
{
	char half[128];
	size_t o = 0;
	words_halfwidth(v, half, sizeof(half));
	for (const char *p = half; *p && o + 1 < cap; p++)
		if (*p != ',' && *p != ' ')
			out[o++] = *p;
	out[o] = '\0';
}

/*
 * The JSON value of flag --name for field f (NULL: an envelope field or
 * the amount in yuan), as a mediator would type it: Chinese names of enum
 * values, 是/否, village names, dates as ledgers write them, yuan. NULL
 * after a line on stderr when the value is not one the field takes.
 */
static json_t *flag_value(const char *kind, const char *name, const ProtobufCFieldDescriptor *f,
			  const char *v, const char **field)
{
	char buf[256], list[2048];
	*field = name;
	if (strcmp(name, "village") == 0) {
		const struct village *vl = villages_lookup(&builtin, v);
		if (vl)
			return json_string(vl->code);
		if (village_code_valid(v))
			return json_string(v); /* the daemon's list may have it */
		villages_describe(&builtin, list, sizeof(list));
		cli_fail("send", _("--village %s: no such village; the villages: %s"), v, list);
		return NULL;
	}
	if (strcmp(name, "occurred_at") == 0) {
		int64_t t, day;
		if (ledger_parse_date(v, &t, &day) == 0)
			return json_integer((json_int_t)t);
		return json_string(v); /* RFC 3339 or seconds: the reader's */
	}
	if (strcmp(name, "agreement_amount") == 0 && strcmp(kind, "dispute") == 0) {
		uint64_t fen;
		if (ledger_parse_amount(v, &fen)) {
			cli_fail("send", _("--agreement-amount %s: not an amount in yuan (2500, 2,500.00, "
					   "1.2万)"), v);
			return NULL;
		}
		*field = "agreement_amount_fen";
		return json_integer((json_int_t)fen);
	}
	if (!f)
		return json_string(v);
	switch (f->type) {
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *d = f->descriptor;
		int value = words_enum(d, v);
		if (value < 0) {
			words_list(d, 1, list, sizeof(list));
			cli_fail("send", _("--%s %s: not a value it takes; one of: %s"), name, v, list);
			return NULL;
		}
		return json_string(protobuf_c_enum_descriptor_get_value(d, value)->name);
	}
	case PROTOBUF_C_TYPE_BOOL: {
		int b = words_bool(v);
		if (b < 0) {
			cli_fail("send", _("--%s %s: not 是 or 否 (yes or no)"), name, v);
			return NULL;
		}
		return json_boolean(b);
	}
	case PROTOBUF_C_TYPE_STRING:
		if (listed(free_text, NELEM(free_text), name))
			return json_string(v);
		words_halfwidth(v, buf, sizeof(buf));
		return json_string(buf);
	case PROTOBUF_C_TYPE_BYTES:
		return json_string(v);
	default:
		plain_number(v, buf, sizeof(buf));
		return json_string(buf);
	}
}

/*
 * Builds one event from KIND and --field value pairs: envelope fields go
 * to the top, the rest into the body, each value read as a person types it
 * (flag_value); the JSON reader then checks the types.
 */
static int event_from_flags(struct sendctx *s, int argc, char **argv)
{
	const char *kind = argv[0];
	const ProtobufCFieldDescriptor *kf =
		protobuf_c_message_descriptor_get_field_by_name(&lawtally__v1__event__descriptor, kind);
	const ProtobufCMessageDescriptor *body_desc = NULL;
	json_t *ev = json_object(), *body = json_object();
	char idbuf[UUID_STR_LEN + 1], list[512];
	int rc = EXIT_USAGE;
	if (!kf || kf->type != PROTOBUF_C_TYPE_MESSAGE) {
		kinds(list, sizeof(list));
		cli_fail("send", _("\"%s\" is not a kind of event; one of: %s"), kind, list);
		goto out;
	}
	body_desc = kf->descriptor;
	for (int i = 1; i < argc; i += 2) {
		if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
			cli_fail("send", _("expected --FIELD VALUE, got \"%s\""), argv[i]);
			goto out;
		}
		char name[64];
		snprintf(name, sizeof(name), "%s", argv[i] + 2);
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		int envelope = listed(envelope_flags, NELEM(envelope_flags), name);
		const ProtobufCFieldDescriptor *f =
			envelope ? NULL : protobuf_c_message_descriptor_get_field_by_name(body_desc, name);
		if (!envelope && !f && strcmp(name, "agreement_amount") != 0) {
			flags_of(body_desc, list, sizeof(list));
			cli_fail("send", _("%s: %s has no such field; its fields: %s, and --village, "
					   "--occurred-at, --recorded-by, --source, --id"),
				 argv[i], kind, list);
			goto out;
		}
		const char *field;
		json_t *val = flag_value(kind, name, f, argv[i + 1], &field);
		if (!val)
			goto out;
		json_object_set_new(envelope ? ev : body, field, val);
	}
	if (!json_object_get(ev, "id")) {
		uint8_t id[UUID_LEN];
		if (uuid_v7(id)) {
			cli_fail("send", "%s", _("cannot make an event id"));
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
		cli_fail("send", "%s", err);
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

/*
 * The daemon's own rules (validate.c), checked before anything is spooled
 * or sent, so that a mediator offline learns now, not days later, that a
 * record is incomplete. The village list is the built-in one plus the
 * event's village when that is a code it lacks: whether a village exists is
 * the daemon's list's business. A rejected event is reported as the daemon
 * would and left out.
 */
static void check_here(struct sendctx *s)
{
	static struct villages list;
	size_t k = 0;
	list = builtin;
	for (size_t i = 0; i < s->n; i++) {
		Lawtally__V1__Event *e = s->events[i];
		const char *why, *reason = NULL;
		int unsure = e->village[0] && village_code_valid(e->village) &&
			     !villages_find(&list, e->village) &&
			     villages_add(&list, e->village, "", &why) != 0;
		if (!unsure)
			reason = validate_event(e, &list);
		if (!reason) {
			s->events[k] = e;
			s->lines[k++] = s->lines[i];
			continue;
		}
		fflush(stdout);
		if (s->lines[i])
			fprintf(stderr, _("%s:%zu: rejected: %s\n"), s->file, s->lines[i], _(reason));
		else
			fprintf(stderr, _("rejected: %s\n"), _(reason));
		s->rejected++;
		jsonl_event_free(e);
	}
	s->n = k;
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
	villages_builtin(&builtin);
	/* options stop at KIND: what follows are the event's fields */
	const char *spool_dir = cli_send_spool();
	while ((opt = getopt_long(argc, argv, "+:f:e:t:b:w:a:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': s.file = optarg; file_mode = 1; break;
		case 'a': ack_log = optarg; break;
		case 's': spool_dir = optarg; break;
		case 'h': return cli_usage("send", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				return cli_opt_fail("send", opt, optarg, argv);
		}
	}
	if (file_mode && optind < argc)
		return cli_fail("send", _("--file and an event from flags (%s ...) do not go together"),
				argv[optind]);
	if (!file_mode && optind >= argc)
		return cli_fail("send", "%s",
				_("what to send? lawtally send KIND --FIELD VALUE ..., or --file FILE"));
	if (spool_dir && *spool_dir && ack_log)
		return cli_fail("send", "%s", _("--ack-log does not go with a spool"));
	if ((keyed = keys_load("send", link.key_file, link.server_key_file, &keys)) < 0)
		return EXIT_USAGE;
	rc = file_mode ? read_file(&s, s.file) : event_from_flags(&s, argc - optind, argv + optind);
	if (rc)
		goto out;
	size_t total = s.n;
	check_here(&s);
	if (s.n == 0) { /* nothing left to send: each was reported */
		if (file_mode)
			printf(_("%zu events: %zu accepted, %zu duplicate, %zu rejected; %zu invalid "
				 "lines\n"), total, s.accepted, s.duplicate, s.rejected, s.invalid);
		rc = EXIT_REJECTED;
		goto out;
	}
	if (spool_dir && *spool_dir) { /* spooled first, then delivered: cmd_spool.c */
		struct cli_spool_opts so = {"send", spool_dir, link.endpoint, keyed ? &keys : NULL,
					    link.batch, link.window, link.timeout_ms, 0, NULL, NULL};
		rc = cli_spool_send(&so, s.events, s.n);
		if (rc == 0 && (s.invalid || s.rejected))
			rc = EXIT_REJECTED;
		goto out;
	}
	if (ack_log && !(s.ack_log = fopen(ack_log, "a"))) {
		rc = cli_fail("send", "%s: %s", ack_log, strerror(errno));
		goto out;
	}
	struct client *c = NULL;
	if (client_open(&c, link.endpoint, keyed ? &keys : NULL)) {
		rc = cli_fail("send", _("bad endpoint %s"), link.endpoint);
		goto out;
	}
	char err[256];
	struct client_submit so = {link.batch, link.window, link.timeout_ms, on_ack, &s};
	int src = client_submit(c, s.events, s.n, &so, err, sizeof(err));
	client_close(&c);
	if (total > 1 || file_mode)
		printf(_("%zu events: %zu accepted, %zu duplicate, %zu rejected; %zu invalid lines\n"),
		       total, s.accepted, s.duplicate, s.rejected, s.invalid);
	else if (s.accepted + s.duplicate == 1)
		printf("%s\n", s.accepted ? _("accepted") : _("duplicate"));
	if (src == LT_ETIMEOUT) {
		fprintf(stderr, _("lawtally send: %s at %s; %zu events not acknowledged\n"), err,
			link.endpoint, total - s.accepted - s.duplicate - s.rejected);
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
}
