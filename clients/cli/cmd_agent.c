/*
 * cmd_agent.c - `lawtally agent`: the long-running forwarder of a village
 * PC, and the village desk it serves (clients/desk/).
 *
 * Two threads share the spool's handle. The forwarder takes the spool's
 * sender lock, waiting for it while another process (a `send` that is
 * flushing) holds it, then sends whatever is queued whenever the link
 * allows and backs off while the township server cannot be reached. The
 * main thread runs the event loop: the desk's HTTP server, and SIGTERM or
 * SIGINT, which stop both cleanly (systemd/lawtally-agent.service). One
 * line per notable thing on stderr, with <3>/<4>/<6> priorities for the
 * journal.
 */
#include <stdatomic.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "desk.h"
#include "err.h"
#include "forward.h"
#include "i18n.h"
#include "keys.h"
#include "spool.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000
#define LOCK_RETRY_MS 200 /* how often a waiting agent tries the sender lock */

#define OPT_DESK 0x4101
#define OPT_NO_DESK 0x4102
#define OPT_VILLAGE 0x4103

const char cmd_agent_help[] =
	"Usage: lawtally agent [--spool DIR] [--village CODE] [OPTIONS]\n"
	"\n"
	"Runs in the foreground and forwards the spool to lawtallyd: whatever\n"
	"`lawtally send` and `lawtally import` put there is sent as soon as the\n"
	"daemon can be reached, and kept while it cannot (retrying with back-off, 1 s\n"
	"doubling to 60 s). Only one process sends from a spool at a time: while\n"
	"another one does, the agent waits for it. SIGTERM or SIGINT stops it; what\n"
	"is not yet acknowledged stays spooled.\n"
	"\n"
	"With a village, it also serves the village desk, a page in Chinese where\n"
	"the centre's mediators record disputes and trainings, upload ledgers and\n"
	"see what became of each record: http://127.0.0.1:8571/ on this PC only.\n"
	"\n"
	SPOOL_HELP
	"  -v, --village CODE    the centre's village, for the desk (default\n"
	"                        $LAWTALLY_VILLAGE, or LAWTALLY_VILLAGE in the settings)\n"
	"      --desk ADDR       where the desk listens, on loopback (default\n"
	"                        $LAWTALLY_DESK, or LAWTALLY_DESK in the settings, or\n"
	"                        " DESK_DEFAULT_LISTEN "; \"off\" as --no-desk)\n"
	"      --no-desk         forward only\n"
	"  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST, or\n"
	"                        LAWTALLY_INGEST in the settings, or " DEFAULT_INGEST ")\n"
	"  -p, --poll SEC        look for new events every SEC seconds (default 1)\n"
	"  -t, --timeout SEC     a flush gives up after SEC seconds without an Ack (default 10)\n"
	"  -b, --batch N         events per request, 1-1000 (default 500)\n"
	"  -w, --window N        requests in flight, 1-64 (default 8)\n"
	KEYS_HELP
	"\n"
	"The settings are " AGENT_SETTINGS " (KEY=VALUE lines, the unit's\n"
	"EnvironmentFile); the environment overrides them, options override both.\n"
	"\n"
	"Exit: 0 stopped by a signal; 1 the spool failed; 2 usage, or the spool or\n"
	"the desk could not be opened.\n";

static atomic_int stop; /* set on the loop thread, read by the forwarder */

struct agent {
	struct spool *sp;
	struct forward_opts fo;
	const char *dir;
	long poll_ms;
	struct desk_link link;
	struct event_base *base;
	int status;       /* the forwarder's exit status */
	int done_fd[2];   /* the forwarder writes a byte when it ends */
};

/* 1 s doubling to 60 s, drawn from the upper half so that villages spread out. */
static long backoff_ms(unsigned round, uint64_t *rng)
{
	long ms = BACKOFF_FIRST_MS << (round < 6 ? round : 6);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	return ms / 2 + (long)(*rng % (uint64_t)(ms / 2 + 1));
}

static void log_rejected(uint64_t seq, const Lawtally__V1__Event *e, const char *reason, void *arg)
{
	(void)e;
	(void)arg;
	fprintf(stderr, "<4>agent: spooled event #%llu rejected: %s (lawtally spool rejected)\n",
		(unsigned long long)seq, reason);
}

/*
 * Takes the sender lock, waiting while another process holds it (a send
 * or spool flush that is delivering, which lets go when it is done).
 * Returns 0 with the lock, 1 when stopped first, or an exit status.
 */
static int take_lock(struct agent *a)
{
	char err[256];
	int said = 0;
	while (!stop) {
		int rc = spool_lock_sender(a->sp, err, sizeof(err));
		if (rc == 0)
			return 0;
		if (rc != LT_EBUSY) {
			fprintf(stderr, "<3>agent: %s\n", err);
			return 1;
		}
		if (!said)
			fprintf(stderr, "<6>agent: %s; waiting for it to finish\n", err);
		said = 1;
		desk_link_set(&a->link, DESK_LINK_WAITING, err);
		desk_link_nap(&a->link, LOCK_RETRY_MS, &stop);
	}
	return 1;
}

/*
 * The forwarder's loop: flush while events are queued; after a failure
 * wait a back-off before the next try (cut short when the desk saves a
 * record); when the queue is empty, look again every poll interval.
 * Returns the exit status.
 */
static int forward_loop(struct agent *a)
{
	unsigned round = 0;
	int reachable = -1; /* unknown, so that the first state is logged */
	uint64_t rng = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)time(NULL);
	int rc = take_lock(a);
	if (rc)
		return rc == 1 && stop ? 0 : rc;
	fprintf(stderr, "<6>agent: forwarding spool %s to %s\n", a->dir, a->fo.endpoint);
	desk_link_set(&a->link, DESK_LINK_UNKNOWN, NULL);
	while (!stop) {
		struct spool_status st;
		if (spool_status(a->sp, &st)) {
			fprintf(stderr, "<3>agent: cannot read the spool %s\n", a->dir);
			return 1;
		}
		if (st.queued == 0) {
			if (reachable == -1)
				desk_link_set(&a->link, DESK_LINK_UNKNOWN, NULL);
			desk_link_nap(&a->link, a->poll_ms, &stop);
			continue;
		}
		struct forward_result res;
		char err[256];
		rc = forward_flush(a->sp, &a->fo, &res, err, sizeof(err));
		if (res.reconnects)
			fprintf(stderr, "<4>agent: lawtallyd went silent; connection reopened %u times\n",
				res.reconnects);
		if (res.accepted + res.duplicate + res.rejected)
			fprintf(stderr, "<6>agent: delivered %llu accepted, %llu duplicate, %llu rejected; %llu queued\n",
				(unsigned long long)res.accepted, (unsigned long long)res.duplicate,
				(unsigned long long)res.rejected, (unsigned long long)res.left);
		if (rc == 0) {
			if (reachable != 1)
				fprintf(stderr, "<6>agent: lawtallyd reachable at %s\n", a->fo.endpoint);
			reachable = 1;
			round = 0;
			desk_link_set(&a->link, DESK_LINK_UP, NULL);
			continue;
		}
		if (stop)
			break;
		if (rc == LT_EIO || rc == LT_ECORRUPT) {
			fprintf(stderr, "<3>agent: %s\n", err);
			return 1;
		}
		long wait = backoff_ms(round++, &rng);
		if (reachable != 0 || round == 1)
			fprintf(stderr, "<4>agent: %s at %s; %llu events wait in the spool; next try in %ld ms\n",
				err, a->fo.endpoint, (unsigned long long)res.left, wait);
		reachable = 0;
		desk_link_set(&a->link, DESK_LINK_DOWN, err);
		if (desk_link_nap(&a->link, wait, &stop))
			round = 0; /* a new record: try at once, and soon again */
	}
	return 0;
}

static void *forwarder(void *arg)
{
	struct agent *a = arg;
	a->status = forward_loop(a);
	if (write(a->done_fd[1], "x", 1) != 1) {
		/* the loop also ends on the signal that stopped the forwarder */
	}
	return NULL;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct agent *a = arg;
	(void)sig, (void)what;
	stop = 1;
	desk_link_kick(&a->link); /* ends the forwarder's nap */
	event_base_loopexit(a->base, NULL);
}

static void on_forwarder_done(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	(void)fd, (void)what;
	event_base_loopexit(a->base, NULL);
}

/* Starts the forwarder with SIGTERM and SIGINT blocked: they belong to the loop. */
static int start_forwarder(struct agent *a, pthread_t *t)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = pthread_create(t, NULL, forwarder, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The loop until a signal or the forwarder's end, with the desk if asked for. */
static int serve(struct agent *a, const struct desk_config *dc)
{
	struct event *sigs[2] = {NULL, NULL}, *done = NULL;
	struct desk *desk = NULL;
	pthread_t t;
	char err[256];
	int rc = 1;
	if (!(a->base = event_base_new()) || pipe(a->done_fd) != 0) {
		fprintf(stderr, "<3>agent: cannot make its event loop: %s\n", strerror(errno));
		goto out;
	}
	sigs[0] = evsignal_new(a->base, SIGTERM, on_signal, a);
	sigs[1] = evsignal_new(a->base, SIGINT, on_signal, a);
	done = event_new(a->base, a->done_fd[0], EV_READ, on_forwarder_done, a);
	if (!sigs[0] || !sigs[1] || !done || event_add(sigs[0], NULL) || event_add(sigs[1], NULL) ||
	    event_add(done, NULL)) {
		fprintf(stderr, "<3>agent: cannot watch its signals\n");
		goto out;
	}
	if (dc && desk_start(&desk, a->base, a->sp, &a->link, dc, err, sizeof(err))) {
		fprintf(stderr, "<3>agent: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (desk)
		fprintf(stderr, "<6>agent: village desk of %s at http://%s/\n", dc->village,
			desk_address(desk));
	if (start_forwarder(a, &t) != 0) {
		fprintf(stderr, "<3>agent: cannot start the forwarder: %s\n", strerror(errno));
		goto out;
	}
	event_base_dispatch(a->base);
	stop = 1;
	desk_link_kick(&a->link);
	pthread_join(t, NULL);
	rc = a->status;
out:
	desk_close(&desk);
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (done)
		event_free(done);
	if (a->base)
		event_base_free(a->base);
	return rc;
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"spool", required_argument, NULL, 's'},
		{"poll", required_argument, NULL, 'p'},
		{"village", required_argument, NULL, OPT_VILLAGE},
		{"desk", required_argument, NULL, OPT_DESK},
		{"no-desk", no_argument, NULL, OPT_NO_DESK},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct agent a = {.done_fd = {-1, -1}};
	struct cli_link link = cli_link_defaults();
	struct client_keys keys;
	struct villages villages;
	const char *village = NULL, *desk_listen = NULL, *dir = NULL;
	char source[80];
	int poll_ms = 1000, opt, no_desk = 0;
	link.endpoint = cli_setting("LAWTALLY_INGEST", DEFAULT_INGEST);
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:e:p:t:b:w:v:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': dir = optarg; break;
		case 'v':
		case OPT_VILLAGE: village = optarg; break;
		case OPT_DESK: desk_listen = optarg; break;
		case OPT_NO_DESK: no_desk = 1; break;
		case 'p':
			if (cli_parse_timeout(optarg, &poll_ms))
				return cli_fail("agent", _("--poll %s: not a number of seconds (0 to "
							   "86400)"), optarg);
			break;
		case 'h': return cli_usage("agent", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				return cli_opt_fail("agent", opt, optarg, argv);
		}
	}
	if (optind != argc)
		return cli_extra_arg("agent", argv[optind]);
	int keyed = keys_load("agent", link.key_file, link.server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	a.fo = (struct forward_opts){link.endpoint, keyed ? &keys : NULL, link.batch, link.window,
				     link.timeout_ms, 0, &stop, log_rejected, NULL, NULL, NULL};
	a.dir = cli_spool_dir(dir);
	a.poll_ms = poll_ms;
	if (!village)
		village = cli_setting("LAWTALLY_VILLAGE", NULL);
	if (!desk_listen)
		desk_listen = cli_setting("LAWTALLY_DESK", DESK_DEFAULT_LISTEN);
	if (strcasecmp(desk_listen, "off") == 0)
		no_desk = 1;
	villages_builtin(&villages);
	struct desk_config dc = {desk_listen, village, source, &villages, link.endpoint};
	if (!no_desk && !village) {
		fprintf(stderr, "<4>agent: no village desk: no village set (--village CODE, or "
				"LAWTALLY_VILLAGE in " AGENT_SETTINGS ")\n");
		no_desk = 1;
	}
	if (!no_desk) {
		/* a code in any case, or the village's name, as send takes it */
		const struct village *v = villages_lookup(&villages, village);
		if (!v) {
			fprintf(stderr, "lawtally agent: \"%s\" is not a village of the list "
					"(a code ZL01..ZL41, or its name)\n", village);
			return EXIT_USAGE;
		}
		village = v->code;
		snprintf(source, sizeof(source), "centre-%s", village);
	}
	char err[512];
	if (spool_open(&a.sp, a.dir, SPOOL_CREATE, NULL, err, sizeof(err))) {
		fprintf(stderr, "<3>agent: %s\n", err);
		return EXIT_USAGE;
	}
	desk_link_init(&a.link);
	int rc = serve(&a, no_desk ? NULL : &dc);
	struct spool_status st;
	if (spool_status(a.sp, &st) == 0)
		fprintf(stderr, "<6>agent: stopping; %llu events stay in the spool\n",
			(unsigned long long)st.queued);
	spool_close(&a.sp);
	desk_link_destroy(&a.link);
	for (int i = 0; i < 2; i++)
		if (a.done_fd[i] >= 0)
			close(a.done_fd[i]);
	return rc;
}
