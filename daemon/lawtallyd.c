/*
 * lawtallyd.c - the daemon: command line, start-up, signals, shut-down.
 *
 * One libevent event_base on the main thread owns everything: the ingest
 * and query ZeroMQ sockets, the HTTP server and the signals. The one other
 * thread, ingest's writer (writer.h), only runs store transactions, so
 * queries never wait for a commit's disk flushes. The daemon runs in the
 * foreground (systemd supervises it: notify.c) and logs to stderr. It
 * holds the data directory's lock (datadir.h) for as long as it runs.
 *
 *   SIGTERM, SIGINT  stop reading, answer what is in hand, close the store, exit 0
 *   SIGHUP           re-read the config; an invalid one is logged and ignored
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "auth.h"
#include "config.h"
#include "datadir.h"
#include "dirs.h"
#include "err.h"
#include "fault.h"
#include "http.h"
#include "httpauth.h"
#include "ingest.h"
#include "log.h"
#include "office.h"
#include "metrics.h"
#include "notify.h"
#include "now.h"
#include "querysock.h"
#include "ratelimit.h"
#include "scrub.h"
#include "store.h"
#include "upstream.h"
#include "xalloc.h"

#ifndef LAWTALLY_VERSION
#define LAWTALLY_VERSION "unknown"
#endif

struct daemon {
	struct event_base *base;
	void *zctx;
	const char *config_path;
	struct config *cfg;
	struct store *store;
	struct ingest *ingest;
	struct querysock *query;
	struct http *http;
	struct auth *auth;         /* CurveZMQ with auth = curve, else NULL */
	struct office *office;     /* report, senders, exports, close-year (office.h) */
	struct scrub *scrub;       /* the store's scrub (scrub.h); NULL: off */
	struct upstream *upstream; /* forwarding to the county (upstream.h); NULL: none */
	struct metrics metrics;
	struct event *sig[3];
	struct event *tick;
	int stopping;
	/* systemd: notifications, the data directory's owner lock, the status line */
	struct notify *notify;
	int lock_fd;
	size_t free_after_trim;    /* heap bytes free after the last trim */
};

/* Housekeeping period: reader slots of dead processes, log summaries due, memory. */
#define TICK_SECONDS 2
/* Heap freed since the last trim that is worth giving back to the system. */
#define TRIM_MIN_BYTES ((size_t)8 << 20)

static const char usage[] =
	"Usage: lawtallyd [-c FILE] [--check-config] [--help] [--version]\n"
	"\n"
	"Counts rule-of-law work events sent over ZeroMQ, stores them in LMDB and\n"
	"answers totals over ZeroMQ and HTTP. Runs in the foreground.\n"
	"\n"
	"  -c, --config FILE   read FILE (INI); without it, the built-in defaults\n"
	"                      (ingest tcp://127.0.0.1:5570, query tcp://127.0.0.1:5571,\n"
	"                      HTTP 127.0.0.1:8570, data ./var/lawtally, UTC+08:00)\n"
	"      --check-config  check the config file and the files it names (keys,\n"
	"                      client files, token, templates), print the effective\n"
	"                      config, exit; non-zero with one line per problem\n"
	"  -h, --help          this text\n"
	"  -V, --version       the version\n"
	"\n"
	"Signals: SIGTERM/SIGINT stop cleanly; SIGHUP re-reads the config.\n"
	"See lawtallyd(8) and docs/protocol.md.\n";

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	(void)what;
	if (d->stopping)
		return;
	d->stopping = 1;
	log_info("stopping on %s: no new requests; what was read is answered",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	notify_stopping(d->notify);
	ingest_stop_reading(d->ingest);
	event_base_loopexit(d->base, NULL);
}

/*
 * Re-reads the config. What can change live (the village list, debug
 * logging) takes effect; endpoints, the data directory and the zone need
 * a restart and are reported. An invalid file changes nothing.
 */
static void on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	char err[512] = "";
	(void)sig, (void)what;
	notify_reloading(d->notify);
	/* revocations take effect even when the config file is broken */
	if (d->auth)
		auth_reload(d->auth);
	struct config *next = xmalloc(sizeof(*next));
	*next = *d->cfg;
	int rc = d->config_path ? config_load(next, d->config_path, err, sizeof(err)) : 0;
	if (rc) {
		log_err("reload: %s; keeping the old config", err);
		free(next);
		notify_ready(d->notify);
		return;
	}
	struct office_options oo = {next->report_templates, next->report_silent_days};
	if (office_reload(d->office, &oo, err, sizeof(err))) {
		log_err("reload: report templates: %s; keeping the old config", err);
		free(next);
		notify_ready(d->notify);
		return;
	}
	office_set_villages(d->office, &next->villages);
	if (strcmp(next->ingest_endpoint, d->cfg->ingest_endpoint) ||
	    strcmp(next->query_endpoint, d->cfg->query_endpoint) ||
	    strcmp(next->http_listen, d->cfg->http_listen) ||
	    strcmp(next->data_dir, d->cfg->data_dir) || next->tz_offset != d->cfg->tz_offset)
		log_warn("reload: endpoints, data_dir and timezone change only on restart");
	if (next->scrub_period_s != d->cfg->scrub_period_s)
		log_warn("reload: [store] scrub_period_s changes only on restart");
	ingest_set_villages(d->ingest, &next->villages);
	querysock_set_villages(d->query, &next->villages);
	if (d->http)
		http_set_villages(d->http, &next->villages);
	upstream_set_names(d->upstream, next->upstream_name, &next->villages);
	log_set_debug(next->log_debug);
	if (strcmp(next->auth, d->cfg->auth) ||
	    strcmp(next->auth_secret_key_file, d->cfg->auth_secret_key_file) ||
	    strcmp(next->auth_clients_dir, d->cfg->auth_clients_dir) ||
	    strcmp(next->http_token_file, d->cfg->http_token_file))
		log_warn("reload: auth, its key and clients directory, and the HTTP token change "
			 "only on restart");
	if (next->map_size_max != d->cfg->map_size_max)
		log_info("reload: the store may grow to %zu MiB",
			 store_set_map_size_max(d->store, next->map_size_max) >> 20);
	free(d->cfg);
	d->cfg = next;
	log_info("reload: config %s read, %zu villages", d->config_path ? d->config_path : "(built-in)",
		 next->villages.n);
	notify_ready(d->notify);
}

/* After a commit with something new: the dashboards refetch (http.h). */
static double commit_age(void *arg)
{
	return ingest_commit_age(arg);
}

static void on_commit(void *arg)
{
	struct daemon *d = arg;
	if (d->http)
		http_notify_commit(d->http);
	upstream_kick(d->upstream);
}

/*
 * Thousands of ZeroMQ connections take some 30 KB each, in libzmq's I/O
 * thread, and the C library keeps that memory when they close: given back
 * here once enough of it is free again.
 */
static void return_memory(struct daemon *d)
{
	struct mallinfo2 mi = mallinfo2();
	if (mi.fordblks < d->free_after_trim)
		d->free_after_trim = mi.fordblks; /* reused since: that part is not free */
	if (mi.fordblks < d->free_after_trim + TRIM_MIN_BYTES)
		return;
	malloc_trim(0);
	d->free_after_trim = mi.fordblks;
	log_debug("memory: %zu MiB of free heap given back to the system", mi.fordblks >> 20);
}

/*
 * Housekeeping: a reader process (backup, verify) killed mid-transaction
 * pins old pages; the summaries of rate-limited lines whose minute ended
 * are due even when their offenders have gone quiet; freed memory goes
 * back to the system.
 */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	int cleared;
	(void)fd, (void)what;
	int rc = store_reader_check(d->store, &cleared);
	if (rc)
		log_warn("store: reader check failed: %s", lt_strerror(rc));
	upstream_tick(d->upstream);
	ratelimit_flush_all();
	return_memory(d);
}

/* The store's counts, read in a snapshot of their own. Returns 0 or an LT_E* code. */
static int store_counts(struct daemon *d, struct store_stats *st)
{
	struct store_snap snap;
	int rc = store_read_begin(d->store, &snap);
	if (!rc)
		rc = store_stats(&snap, st);
	store_read_end(&snap);
	return rc;
}

/*
 * The STATUS= line of `systemctl status`: events stored, the last commit,
 * and the backlog: batches refused (store or disk full) since that commit,
 * which their senders hold and retry.
 */
static void status_line(char *buf, size_t len, void *arg)
{
	struct daemon *d = arg;
	struct store_stats st = {0};
	char when[32] = "none yet", backlog[64] = "none";
	uint64_t refused = d->metrics.refusals - d->metrics.refusals_at_commit;
	time_t t = (time_t)d->metrics.last_commit;
	struct tm tm;
	if (t > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (refused)
		snprintf(backlog, sizeof(backlog), "%llu batches refused since (store or disk full)",
			 (unsigned long long)refused);
	char why[256];
	int rc = store_counts(d, &st);
	if (store_damaged(d->store, why, sizeof(why)))
		snprintf(buf, len, "STORE DAMAGED, no events taken: %s; restore a backup", why);
	else if (rc)
		snprintf(buf, len, "store unreadable (%s); last commit %s", lt_strerror(rc), when);
	else
		snprintf(buf, len, "%llu events stored; last commit %s; backlog: %s",
			 (unsigned long long)st.events, when, backlog);
	struct upstream_status us;
	upstream_status(d->upstream, &us);
	size_t n = strlen(buf);
	if (us.on && n < len)
		snprintf(buf + n, len - n, "; county: %llu events to forward%s",
			 (unsigned long long)us.backlog, us.answering ? "" : ", not answering");
}

static void check_report(const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "lawtallyd: %s\n", line);
}

/*
 * --check-config: what the daemon would refuse at start besides the file's
 * own text: the report templates, with auth = curve the server key and
 * every client file, and the HTTP token file (or the lack of one off
 * loopback). One line per problem on stderr; returns how many.
 */
static unsigned check_files(const struct config *c)
{
	char err[512], line[600];
	unsigned problems = 0;
	if (office_check_templates(c->report_templates, err, sizeof(err))) {
		snprintf(line, sizeof(line), "report templates: %s", err);
		check_report(line, NULL);
		problems++;
	}
	if (strcmp(c->auth, CONFIG_AUTH_CURVE) == 0) {
		struct auth_options ao = {c->auth_secret_key_file, c->auth_clients_dir,
					  c->auth_connections_per_key};
		problems += auth_check(&ao, check_report, NULL);
	}
	if (c->upstream_server_key[0]) {
		char z85[KEYFILE_Z85_LEN + 1];
		if (keyfile_read(c->upstream_secret_key_file, 1, z85, err, sizeof(err))) {
			snprintf(line, sizeof(line), "[upstream] secret_key_file: %s", err);
			check_report(line, NULL);
			problems++;
		}
		explicit_bzero(z85, sizeof(z85));
	}
	if (c->http_listen[0]) {
		struct httpauth ha;
		if (httpauth_load(&ha, c->http_token_file, c->http_listen, err, sizeof(err))) {
			check_report(err, NULL);
			problems++;
		}
		explicit_bzero(&ha, sizeof(ha));
	}
	return problems;
}

static int start(struct daemon *d)
{
	char err[512] = "";
	const struct config *c = d->cfg;
	if (dirs_make(c->data_dir, 0700) != 0) {
		log_err("cannot create data directory %s: %s; not starting", c->data_dir,
			strerror(errno));
		return 1;
	}
	struct store_options so = {
		.dir = c->data_dir, .map_size = c->map_size_initial,
		.map_size_max = c->map_size_max, .tz_offset = c->tz_offset,
	};
	if (datadir_lock(c->data_dir, &d->lock_fd, err, sizeof(err))) {
		log_err("%s; not starting", err);
		return 1;
	}
	if (fault_install("lawtallyd", c->data_dir))
		log_warn("cannot install the handler that explains a fault on a damaged store: %s",
			 strerror(errno));
	int rc = store_open(&d->store, &so, err, sizeof(err));
	if (rc) {
		log_err("store in %s: %s; not starting on it. To restore a backup: lawtally restore "
			"%s %s BACKUP",
			c->data_dir, err, d->config_path ? "-c" : "--data-dir",
			d->config_path ? d->config_path : c->data_dir);
		return 1;
	}
	struct office_options oo = {c->report_templates, c->report_silent_days};
	if (office_new(&d->office, d->store, &c->villages, &oo, err, sizeof(err))) {
		log_err("report templates: %s; not starting", err);
		return 1;
	}
	/* the ZAP handler before any server socket: libzmq fails open without it */
	if (strcmp(c->auth, CONFIG_AUTH_CURVE) == 0) {
		struct auth_options ao = {c->auth_secret_key_file, c->auth_clients_dir,
					  c->auth_connections_per_key};
		if (auth_start(&d->auth, d->base, d->zctx, &ao, err, sizeof(err))) {
			log_err("%s; not starting", err);
			return 1;
		}
		log_info("auth: curve on ingest and query; server public key %s; %zu clients from %s",
			 auth_public_key(d->auth), auth_clients(d->auth), c->auth_clients_dir);
	} else if (!auth_endpoint_local(c->ingest_endpoint) ||
		   !auth_endpoint_local(c->query_endpoint)) {
		log_warn("auth = off on an endpoint off loopback: whoever reaches it may send "
			 "and query (auth = curve: docs/keys.md)");
	}
	struct ingest_options io = {
		.endpoint = c->ingest_endpoint, .batch_events_max = c->batch_events_max,
		.request_events_max = c->request_events_max, .frame_bytes_max = c->frame_bytes_max,
		.hwm = c->receive_hwm, .auth = d->auth,
	};
	if (ingest_start(&d->ingest, d->base, d->zctx, &io, d->store, &c->villages, &d->metrics,
			 err, sizeof(err)) ||
	    querysock_start(&d->query, d->base, d->zctx, c->query_endpoint, c->receive_hwm,
			    d->store, &c->villages, &d->metrics, d->auth, err, sizeof(err))) {
		log_err("%s; not starting", err);
		return 1;
	}
	struct http_options ho = {c->http_listen, c->http_timeout_s, c->http_connections_max};
	if (c->http_listen[0] && strcmp(c->http_listen, "off") != 0 &&
	    http_start(&d->http, d->base, &ho, d->store, &c->villages, &d->metrics, err,
		       sizeof(err))) {
		log_err("%s; not starting", err);
		return 1;
	}
	if (d->http && http_set_token(d->http, c->http_token_file, err, sizeof(err))) {
		log_err("%s; not starting", err);
		return 1;
	}
	if (c->upstream_endpoint[0]) {
		struct upstream_options uo = {
			.endpoint = c->upstream_endpoint, .township = c->upstream_township,
			.name = c->upstream_name, .villages = &c->villages,
			.server_key = c->upstream_server_key,
			.secret_key_file = c->upstream_secret_key_file,
			.batch_events = c->upstream_batch_events};
		if (upstream_start(&d->upstream, d->store, d->zctx, &uo, err, sizeof(err))) {
			log_err("%s; not starting", err);
			return 1;
		}
	}
	if (d->http || d->upstream)
		ingest_on_commit(d->ingest, on_commit, d);
	querysock_set_office(d->query, d->office);
	if (d->http)
		http_set_office(d->http, d->office);
	if (scrub_start(&d->scrub, d->store, c->scrub_period_s, err, sizeof(err))) {
		log_err("%s; not starting", err);
		return 1;
	}
	if (d->http) {
		http_set_scrub(d->http, d->scrub);
		http_set_upstream(d->http, d->upstream);
	}
	struct timeval period = {TICK_SECONDS, 0};
	d->tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	event_add(d->tick, &period); /* a timer fails for want of memory only (xalloc.h) */
	struct store_stats st = {0};
	store_counts(d, &st);
	log_info("lawtallyd %s", LAWTALLY_VERSION);
	log_info("listening: ingest %s, query %s, http %s", ingest_endpoint(d->ingest),
		 querysock_endpoint(d->query), d->http ? http_address(d->http) : "off");
	log_info("data directory %s: %llu events stored, %zu villages, zone UTC%+03d:%02d",
		 c->data_dir, (unsigned long long)st.events, c->villages.n, c->tz_offset / 3600,
		 abs(c->tz_offset % 3600) / 60);
	return 0;
}

static void stop(struct daemon *d)
{
	for (int i = 0; i < 3; i++)
		if (d->sig[i])
			event_free(d->sig[i]);
	if (d->tick)
		event_free(d->tick);
	/* first: answering what was read may still notify the dashboards */
	ingest_close(&d->ingest);
	http_close(&d->http);
	scrub_stop(&d->scrub);
	upstream_stop(&d->upstream); /* its socket closes before the context ends */
	querysock_close(&d->query);
	office_free(&d->office);
	auth_close(&d->auth);
	if (d->zctx)
		zmq_ctx_term(d->zctx); /* sockets linger a bounded time to flush replies */
	store_close(&d->store);
	notify_close(&d->notify);
	datadir_unlock(&d->lock_fd);
	if (d->base)
		event_base_free(d->base);
	free(d->cfg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct daemon d = {.lock_fd = -1};
	int check = 0, opt;
	char err[512] = "";
	xalloc_init();
	while ((opt = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': d.config_path = optarg; break;
		case 'k': check = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("lawtallyd %s\n", LAWTALLY_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lawtallyd: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	d.cfg = xmalloc(sizeof(*d.cfg));
	config_defaults(d.cfg);
	if (d.config_path && config_load(d.cfg, d.config_path, err, sizeof(err))) {
		fprintf(stderr, "lawtallyd: %s\n", err);
		free(d.cfg);
		return 2;
	}
	if (check && check_files(d.cfg) > 0) {
		fprintf(stderr, "lawtallyd: %s: not OK\n", d.config_path ? d.config_path : "built-in defaults");
		free(d.cfg);
		return 2;
	}
	if (check) {
		config_describe(d.cfg, stdout);
		fprintf(stderr, "lawtallyd: %s: config OK\n", d.config_path ? d.config_path : "built-in defaults");
		free(d.cfg);
		return 0;
	}
	log_set_debug(d.cfg->log_debug);
	signal(SIGPIPE, SIG_IGN);

	metrics_init(&d.metrics, now_wall());
	/* with memory assured (xalloc.h) these fail for want of descriptors */
	if (!(d.base = event_base_new()) || event_base_priority_init(d.base, INGEST_PRIORITY + 1))
		fatal("cannot create the event loop: %s", strerror(errno));
	if (!(d.zctx = zmq_ctx_new()))
		fatal("cannot create the ZeroMQ context: %s", zmq_strerror(errno));
	d.sig[0] = evsignal_new(d.base, SIGTERM, on_stop, &d);
	d.sig[1] = evsignal_new(d.base, SIGINT, on_stop, &d);
	d.sig[2] = evsignal_new(d.base, SIGHUP, on_reload, &d);
	for (int i = 0; i < 3; i++)
		if (event_add(d.sig[i], NULL) != 0)
			fatal("cannot install signal handlers: %s", strerror(errno));

	int status = start(&d);
	if (status == 0)
		d.notify = notify_start(d.base, status_line, &d);
	if (status == 0) {
		notify_watch(d.notify, commit_age, d.ingest);
		notify_ready(d.notify);
		event_base_dispatch(d.base);
		status = d.ingest && ingest_failed(d.ingest) ? 1 : 0;
		notify_stopping(d.notify);
	}
	stop(&d);
	if (status == 0)
		log_info("stopped cleanly");
	return status;
}
