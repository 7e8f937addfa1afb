/*
 * cmd_agent.c - `lawtally agent`: the long-running forwarder of a village
 * PC. It holds the spool's sender lock, sends whatever is queued whenever
 * the link allows, backs off while the township server cannot be reached,
 * and stops cleanly on SIGTERM or SIGINT (systemd/lawtally-agent.service).
 * One line per notable thing on stderr, with <3>/<4>/<6> priorities for
 * the journal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "forward.h"
#include "i18n.h"
#include "keys.h"
#include "spool.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000
#define NAP_MS 100 /* sleeps are cut into naps so that a signal is seen at once */

const char cmd_agent_help[] =
	"Usage: lawtally agent [--spool DIR] [OPTIONS]\n"
	"\n"
	"Runs in the foreground and forwards the spool to lawtallyd: whatever\n"
	"`lawtally send --spool` and `lawtally import` put there is sent as soon as the\n"
	"daemon can be reached, and kept while it cannot (retrying with back-off, 1 s\n"
	"doubling to 60 s). Only one process sends from a spool at a time. SIGTERM or\n"
	"SIGINT stops it; what is not yet acknowledged stays spooled.\n"
	"\n"
	SPOOL_HELP
	"  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST or\n"
	"                        " DEFAULT_INGEST ")\n"
	"  -p, --poll SEC        look for new events every SEC seconds (default 1)\n"
	"  -t, --timeout SEC     a flush gives up after SEC seconds without an Ack (default 10)\n"
	"  -b, --batch N         events per request, 1-1000 (default 500)\n"
	"  -w, --window N        requests in flight, 1-64 (default 8)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 stopped by a signal; 1 the spool failed; 2 usage, or another process\n"
	"already sends from the spool.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleeps ms milliseconds, or less when a stop signal comes. */
static void nap(long ms)
{
	while (ms > 0 && !stop) {
		long step = ms < NAP_MS ? ms : NAP_MS;
		nanosleep(&(struct timespec){step / 1000, (step % 1000) * 1000000L}, NULL);
		ms -= step;
	}
}

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

static int install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: sleeps and polls return early */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ? -1 : 0;
}

/*
 * The agent's loop: flush while events are queued; after a failure wait a
 * back-off before the next try; when the queue is empty, look again every
 * poll interval. Returns the exit status.
 */
static int run(struct spool *sp, const struct forward_opts *fo, const char *dir, long poll_ms)
{
	unsigned round = 0;
	int reachable = -1; /* unknown, so that the first state is logged */
	uint64_t rng = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)time(NULL);
	while (!stop) {
		struct spool_status st;
		if (spool_status(sp, &st)) {
			fprintf(stderr, "<3>agent: cannot read the spool %s\n", dir);
			return 1;
		}
		if (st.queued == 0) {
			nap(poll_ms);
			continue;
		}
		struct forward_result res;
		char err[256];
		int rc = forward_flush(sp, fo, &res, err, sizeof(err));
		if (res.reconnects)
			fprintf(stderr, "<4>agent: lawtallyd went silent; connection reopened %u times\n",
				res.reconnects);
		if (res.accepted + res.duplicate + res.rejected)
			fprintf(stderr, "<6>agent: delivered %llu accepted, %llu duplicate, %llu rejected; %llu queued\n",
				(unsigned long long)res.accepted, (unsigned long long)res.duplicate,
				(unsigned long long)res.rejected, (unsigned long long)res.left);
		if (rc == 0) {
			if (reachable != 1)
				fprintf(stderr, "<6>agent: lawtallyd reachable at %s\n", fo->endpoint);
			reachable = 1;
			round = 0;
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
				err, fo->endpoint, (unsigned long long)res.left, wait);
		reachable = 0;
		nap(wait);
	}
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"spool", required_argument, NULL, 's'},
		{"poll", required_argument, NULL, 'p'},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	struct cli_link link = cli_link_defaults();
	struct client_keys keys;
	int poll_ms = 1000, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:e:p:t:b:w:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': dir = optarg; break;
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
	struct forward_opts fo = {link.endpoint, keyed ? &keys : NULL, link.batch, link.window,
				  link.timeout_ms, 0, &stop, log_rejected, NULL, NULL};
	dir = cli_spool_dir(dir);
	if (install_signals()) {
		fprintf(stderr, "<3>agent: cannot install signal handlers: %s\n", strerror(errno));
		return 1;
	}
	struct spool *sp = NULL;
	char err[256];
	if (spool_open(&sp, dir, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err))) {
		fprintf(stderr, "<3>agent: %s\n", err);
		return EXIT_USAGE;
	}
	fprintf(stderr, "<6>agent: forwarding spool %s to %s\n", dir, fo.endpoint);
	int rc = run(sp, &fo, dir, poll_ms);
	struct spool_status st;
	if (spool_status(sp, &st) == 0)
		fprintf(stderr, "<6>agent: stopping; %llu events stay in the spool\n",
			(unsigned long long)st.queued);
	spool_close(&sp);
	return rc;
}
