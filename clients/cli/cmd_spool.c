/*
 * cmd_spool.c - `lawtally spool status|flush|rejected`, and the delivery of
 * spooled events that `send --spool`, `import` and `simulate` share
 * (cli_spool_send, cli_spool_deliver).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "forward.h"
#include "i18n.h"
#include "jsonl.h"
#include "keys.h"
#include "now.h"
#include "spool.h"
#include "uuid.h"

#define WAIT_STEP_NS 50000000L /* polling the spool while another process sends */

const char cmd_spool_help[] =
	"Usage: lawtally spool status   [--spool DIR] [--json]\n"
	"       lawtally spool flush    [--spool DIR] [OPTIONS]\n"
	"       lawtally spool rejected [--spool DIR] [--json] [--clear]\n"
	"\n"
	"A spool is a local directory where lawtally keeps events until lawtallyd\n"
	"has acknowledged them (send --spool, import, agent). status tells what it\n"
	"holds; flush sends what is queued and waits for the Acks; rejected lists the\n"
	"events the daemon refused, with its reason (fix them and send them anew as\n"
	"new events), and --clear then empties that list.\n"
	"\n"
	SPOOL_HELP
	"  -j, --json            status: one JSON object; rejected: one per line\n"
	"  -c, --clear           rejected: remove them after listing\n"
	"  -e, --endpoint E      flush: ingest endpoint (default $LAWTALLY_INGEST or\n"
	"                        " DEFAULT_INGEST ")\n"
	"  -t, --timeout SEC     flush: give up after SEC seconds without an Ack (default 10)\n"
	"  -b, --batch N         flush: events per request, 1-1000 (default 500)\n"
	"  -w, --window N        flush: requests in flight, 1-64 (default 8)\n"
	KEYS_HELP
	"\n"
	"While another process (lawtally agent) sends from the spool, flush waits for\n"
	"it to deliver what is queued. Events the daemon refuses for now (its store\n"
	"is full, or they lie more than a day ahead of its clock) stay queued, and\n"
	"status says why they wait. Exit: 0 done; 1 some events rejected; 2 usage\n"
	"or no spool; 3 the daemon did not answer, or refused for now, for the whole\n"
	"timeout (the events stay spooled).\n";

static void print_rejected(uint64_t seq, const Lawtally__V1__Event *e, const char *reason,
			   void *arg)
{
	(void)seq;
	(void)arg;
	char id[UUID_STR_LEN + 1] = "(no id)";
	if (e && e->id.len == UUID_LEN)
		uuid_format(e->id.data, id);
	fflush(stdout);
	fprintf(stderr, _("rejected: %s: %s\n"), id, _(reason));
}

struct range_rejects {
	uint64_t first, last, n;
};

static int count_range_reject(uint64_t seq, int64_t at, const char *reason,
			      const Lawtally__V1__Event *e, void *arg)
{
	struct range_rejects *r = arg;
	(void)at;
	if (seq >= r->first && seq <= r->last) {
		print_rejected(seq, e, reason, NULL);
		r->n++;
	}
	return 0;
}

/*
 * Another process holds the sender lock (the agent): wait until it has
 * delivered the events first..last, up to the timeout (which restarts
 * whenever the queue shrinks), then report what became of them.
 */
static int wait_for_sender(const struct cli_spool_opts *o, uint64_t first, uint64_t last,
			   const char *why)
{
	struct spool *sp = NULL;
	char err[256];
	uint64_t queued = 0, before = UINT64_MAX;
	int64_t deadline = now_mono_ms() + o->timeout_ms;
	if (spool_open(&sp, o->dir, 0, NULL, err, sizeof(err))) {
		fprintf(stderr, "lawtally %s: %s\n", o->cmd, err);
		return EXIT_USAGE;
	}
	int64_t say_at = now_mono_ms() + 1000; /* mention the wait only when it lasts */
	for (;;) {
		if (say_at && now_mono_ms() >= say_at) {
			fprintf(stderr, _("lawtally %s: %s; waiting for it to deliver\n"), o->cmd, why);
			say_at = 0;
		}
		if (spool_count_queued(sp, first, last, &queued)) {
			fprintf(stderr, _("lawtally %s: cannot read the spool %s\n"), o->cmd, o->dir);
			spool_close(&sp);
			return EXIT_UNREACHABLE;
		}
		if (queued < before) {
			before = queued;
			deadline = now_mono_ms() + o->timeout_ms;
		}
		if (queued == 0 || now_mono_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){0, WAIT_STEP_NS}, NULL);
	}
	struct range_rejects rr = {first, last, 0};
	spool_rejected(sp, count_range_reject, &rr);
	spool_close(&sp);
	if (last != UINT64_MAX)
		printf(_("delivered by the sending process: %llu of %llu events, %llu rejected; %llu left "
			 "in spool %s\n"),
		       (unsigned long long)(last - first + 1 - rr.n - queued),
		       (unsigned long long)(last - first + 1), (unsigned long long)rr.n,
		       (unsigned long long)queued, o->dir);
	else
		printf(_("delivered by the sending process: %llu rejected; %llu left in spool %s\n"),
		       (unsigned long long)rr.n, (unsigned long long)queued, o->dir);
	if (queued) {
		fprintf(stderr, _("lawtally %s: %llu events still wait in the spool %s\n"), o->cmd,
			(unsigned long long)queued, o->dir);
		return EXIT_UNREACHABLE;
	}
	return rr.n ? EXIT_REJECTED : 0;
}

int cli_spool_deliver(const struct cli_spool_opts *o, uint64_t first, uint64_t last)
{
	struct spool *sp = NULL;
	struct forward_result res;
	char err[256];
	int rc = spool_open(&sp, o->dir, SPOOL_SEND, NULL, err, sizeof(err));
	if (rc == LT_EBUSY)
		return wait_for_sender(o, first, last, err);
	if (rc) {
		fprintf(stderr, "lawtally %s: %s\n", o->cmd, err);
		return EXIT_USAGE;
	}
	struct forward_opts fo = {o->endpoint, o->keys, o->batch, o->window, o->timeout_ms, 0,
				  NULL, o->on_ack ? NULL : print_rejected, o->ack_arg, o->on_ack, NULL};
	rc = forward_flush(sp, &fo, &res, err, sizeof(err));
	spool_close(&sp);
	if (res.reconnects)
		fprintf(stderr, _("lawtally %s: the daemon went silent; connection reopened %u times\n"),
			o->cmd, res.reconnects);
	if (!o->quiet || rc)
		printf(_("delivered: %llu accepted, %llu duplicate, %llu rejected; %llu left in spool "
			 "%s\n"),
		       (unsigned long long)res.accepted, (unsigned long long)res.duplicate,
		       (unsigned long long)res.rejected, (unsigned long long)res.left, o->dir);
	if (rc == LT_ETIMEOUT) {
		fprintf(stderr, _("lawtally %s: %s at %s; %llu events stay in the spool %s\n"), o->cmd,
			err, o->endpoint, (unsigned long long)res.left, o->dir);
		return EXIT_UNREACHABLE;
	}
	if (rc == LT_EINVAL) {
		fprintf(stderr, "lawtally %s: %s\n", o->cmd, err);
		return EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr, _("lawtally %s: %s; %llu events stay in the spool %s\n"), o->cmd, err,
			(unsigned long long)res.left, o->dir);
		return EXIT_UNREACHABLE;
	}
	return res.rejected ? EXIT_REJECTED : 0;
}

int cli_spool_enqueue(const struct cli_spool_opts *o, Lawtally__V1__Event *const *events,
		      size_t n, uint64_t *first)
{
	struct spool *sp = NULL;
	char err[512];
	int rc = spool_open(&sp, o->dir, SPOOL_CREATE, NULL, err, sizeof(err));
	if (rc == 0)
		rc = spool_enqueue(sp, events, n, first, err, sizeof(err));
	spool_close(&sp);
	if (rc) {
		fprintf(stderr, "lawtally %s: %s\n", o->cmd, err);
		return EXIT_USAGE;
	}
	if (!o->quiet)
		printf(_("%zu events spooled in %s\n"), n, o->dir);
	return 0;
}

int cli_spool_send(const struct cli_spool_opts *o, Lawtally__V1__Event *const *events, size_t n)
{
	uint64_t first = 0;
	int rc = cli_spool_enqueue(o, events, n, &first);
	if (rc)
		return rc;
	return cli_spool_deliver(o, n ? first : 1, n ? first + n - 1 : 0);
}

/* ---- the subcommand ---- */

/* t as this machine's local time, "2024-06-01 09:30:00 +0800"; "-" for 0. */
static void local_time(int64_t at, char out[64])
{
	time_t t = (time_t)at;
	struct tm tm;
	if (!at || !localtime_r(&t, &tm) || !strftime(out, 64, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(out, 64, "-");
}

static void print_status(const char *dir, const char *origin, const struct spool_status *st,
			 int json)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "spool", dir, "from", origin, "queued", (json_int_t)st->queued,
				      "queued_bytes", (json_int_t)st->queued_bytes,
				      "rejected", (json_int_t)st->rejected,
				      "rejected_bytes", (json_int_t)st->rejected_bytes,
				      "oldest", (json_int_t)st->oldest,
				      "next_seq", (json_int_t)st->next_seq,
				      "max_events", (json_int_t)st->max_events,
				      "max_bytes", (json_int_t)st->max_bytes,
				      "sender_pid", (json_int_t)st->sender_pid,
				      "delivered", (json_int_t)st->delivered,
				      "last_delivered", (json_int_t)st->last_delivered);
		json_t *reason = st->wait_reason[0] ? json_string(st->wait_reason) : NULL;
		json_object_set_new(o, "waiting", reason ? json_pack("{s:o, s:I, s:I}", "reason", reason,
								     "since", (json_int_t)st->wait_since,
								     "last_try", (json_int_t)st->wait_last)
							 : json_null());
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		printf("%s\n", text ? text : "{}");
		free(text);
		json_decref(o);
		return;
	}
	char oldest[64];
	local_time(st->oldest, oldest);
	printf(_("spool:    %s (%s)\n"), dir, origin);
	printf(_("queued:   %llu events, %llu bytes; oldest enqueued %s\n"),
	       (unsigned long long)st->queued, (unsigned long long)st->queued_bytes, oldest);
	if (st->wait_reason[0]) {
		char since[64], last[64];
		local_time(st->wait_since, since);
		local_time(st->wait_last, last);
		printf(_("waiting:  since %s, last try %s: %s\n"), since, last, st->wait_reason);
	}
	printf(_("rejected: %llu events (lawtally spool rejected lists them)\n"),
	       (unsigned long long)st->rejected);
	printf(_("limits:   %llu events, %llu bytes\n"), (unsigned long long)st->max_events,
	       (unsigned long long)st->max_bytes);
	if (st->last_delivered) {
		char last[64];
		local_time(st->last_delivered, last);
		printf(_("delivered: last at %s; %llu in the log\n"), last,
		       (unsigned long long)st->delivered);
	}
	if (st->sender_pid)
		printf(_("sender:   pid %ld is sending from it\n"), st->sender_pid);
	else
		printf("%s", _("sender:   none (lawtally agent is not running)\n"));
}

static int list_rejected(uint64_t seq, int64_t at, const char *reason,
			 const Lawtally__V1__Event *e, void *arg)
{
	int json = *(int *)arg;
	char *line = e ? jsonl_format_event(e) : NULL;
	if (json) {
		json_t *o = json_pack("{s:I, s:I, s:s, s:o}", "seq", (json_int_t)seq, "rejected_at",
				      (json_int_t)at, "reason", reason,
				      "event", line ? json_loads(line, 0, NULL) : json_null());
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	} else {
		char when[64];
		time_t t = (time_t)at;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf(_("#%llu rejected %s: %s\n  %s\n"), (unsigned long long)seq, when, reason,
		       line ? line : "(the stored event does not decode)");
	}
	free(line);
	return 0;
}

int cmd_spool(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"spool", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"clear", no_argument, NULL, 'c'},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	struct cli_link link = cli_link_defaults();
	struct client_keys keys;
	int json = 0, clear = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:jce:t:b:w:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': dir = optarg; break;
		case 'j': json = 1; break;
		case 'c': clear = 1; break;
		case 'h': return cli_usage("spool", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				return cli_opt_fail("spool", opt, optarg, argv);
		}
	}
	if (optind == argc)
		return cli_fail("spool", "%s", _("what to do? lawtally spool status, flush or rejected"));
	if (optind + 1 < argc)
		return cli_extra_arg("spool", argv[optind + 1]);
	const char *what = argv[optind];
	struct cli_spool_opts o = {"spool flush", cli_spool_dir(dir), link.endpoint, NULL, link.batch,
				   link.window, link.timeout_ms, 0, NULL, NULL};
	if (strcmp(what, "flush") == 0) {
		int keyed = keys_load("spool flush", link.key_file, link.server_key_file, &keys);
		if (keyed < 0)
			return EXIT_USAGE;
		o.keys = keyed ? &keys : NULL;
		struct spool *sp = NULL;
		char err[256];
		if (spool_open(&sp, o.dir, 0, NULL, err, sizeof(err))) {
			fprintf(stderr, "lawtally spool flush: %s\n", err);
			return EXIT_USAGE;
		}
		spool_close(&sp);
		return cli_spool_deliver(&o, 1, UINT64_MAX);
	}
	if (strcmp(what, "status") != 0 && strcmp(what, "rejected") != 0)
		return cli_fail("spool", _("\"%s\" is not status, flush or rejected"), what);
	struct spool *sp = NULL;
	char err[256];
	int orc = spool_open(&sp, o.dir, 0, NULL, err, sizeof(err));
	if (orc) {
		fprintf(stderr, "lawtally spool %s: %s%s%s%s\n", what, err,
			orc == LT_ENOTFOUND ? " (" : "", orc == LT_ENOTFOUND ? cli_spool_origin(dir) : "",
			orc == LT_ENOTFOUND ? ")" : "");
		return EXIT_USAGE;
	}
	int rc = 0;
	if (strcmp(what, "status") == 0) {
		struct spool_status st;
		rc = spool_status(sp, &st);
		if (!rc)
			print_status(o.dir, cli_spool_origin(dir), &st, json);
	} else {
		rc = spool_rejected(sp, list_rejected, &json);
		uint64_t n = 0;
		if (!rc && clear && !(rc = spool_rejected_clear(sp, &n)))
			fprintf(stderr, _("lawtally spool rejected: %llu removed from the list\n"),
				(unsigned long long)n);
	}
	spool_close(&sp);
	if (rc) {
		fprintf(stderr, _("lawtally spool %s: %s: %s\n"), what, o.dir, lt_strerror(rc));
		return EXIT_USAGE;
	}
	return 0;
}
