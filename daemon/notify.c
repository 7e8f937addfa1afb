/* notify.c - sd_notify for lawtallyd: state, status line, watchdog (see notify.h). */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "xalloc.h"

struct notify {
	int enabled;                 /* $NOTIFY_SOCKET is set */
	int stopping;
	int warned;                  /* one warning for a socket that fails */
	struct event *watchdog, *status;
	double watchdog_seconds;     /* WatchdogSec= */
	notify_status_fn status_fn;
	void *arg;
	notify_busy_fn busy_fn;      /* how long the store's writer has been in one job */
	void *busy_arg;
	int withheld;                /* keep-alives withheld for the current stall */
};

static void send_state(struct notify *n, const char *state)
{
	if (!n || !n->enabled)
		return;
	int rc = sd_notify(0, state);
	if (rc < 0 && !n->warned) {
		n->warned = 1;
		log_warn("notify: cannot tell systemd '%.40s': %s", state, strerror(-rc));
	}
}

/* Sends extra (may be NULL) and STATUS= in one datagram. */
static void send_status(struct notify *n, const char *extra)
{
	char text[256], msg[320];
	if (!n || !n->enabled)
		return;
	text[0] = '\0';
	n->status_fn(text, sizeof(text), n->arg);
	snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", extra ? extra : "", extra ? "\n" : "", text);
	send_state(n, msg);
}

/*
 * Runs in the loop: only a loop that turns, and a writer thread that is
 * not stuck in one commit for half the watchdog interval, keep the daemon
 * alive.
 */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	(void)fd, (void)what;
	double busy = n->busy_fn ? n->busy_fn(n->busy_arg) : 0;
	if (busy > n->watchdog_seconds / 2) {
		if (!n->withheld)
			log_err("notify: a commit has been running for %.1f s; withholding "
				"WATCHDOG=1 so that systemd restarts the daemon", busy);
		n->withheld = 1;
		return;
	}
	if (n->withheld)
		log_warn("notify: the stalled commit finished after all; keep-alives resumed");
	n->withheld = 0;
	send_state(n, "WATCHDOG=1");
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	send_status(arg, NULL);
}

/* A timer: libevent fails to add one only for want of memory (xalloc.h). */
static struct event *add_timer(struct event_base *base, uint64_t usec, event_callback_fn fn,
			       void *arg)
{
	struct timeval tv = {(time_t)(usec / 1000000), (suseconds_t)(usec % 1000000)};
	struct event *ev = event_new(base, -1, EV_PERSIST, fn, arg);
	event_add(ev, &tv);
	return ev;
}

struct notify *notify_start(struct event_base *base, notify_status_fn status, void *arg)
{
	struct notify *n = xcalloc(1, sizeof(*n));
	uint64_t usec = 0;
	n->status_fn = status;
	n->arg = arg;
	const char *sock = getenv("NOTIFY_SOCKET");
	n->enabled = sock && *sock;
	int wd = sd_watchdog_enabled(0, &usec);
	if (wd < 0)
		log_warn("notify: ignoring the watchdog settings: %s", strerror(-wd));
	if (wd > 0 && n->enabled)
		n->watchdog = add_timer(base, usec / 2 ? usec / 2 : 1, on_watchdog, n);
	if (n->enabled)
		n->status = add_timer(base, NOTIFY_STATUS_SECONDS * 1000000ull, on_status, n);
	n->watchdog_seconds = (double)usec / 1e6;
	if (n->watchdog)
		log_info("notify: watchdog every %llu ms", (unsigned long long)(usec / 2000));
	return n;
}

void notify_watch(struct notify *n, notify_busy_fn busy, void *arg)
{
	n->busy_fn = busy;
	n->busy_arg = arg;
}

void notify_ready(struct notify *n)
{
	send_status(n, "READY=1");
}

void notify_reloading(struct notify *n)
{
	struct timespec ts;
	char msg[64];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	send_state(n, msg);
}

void notify_stopping(struct notify *n)
{
	if (!n || n->stopping)
		return;
	n->stopping = 1;
	send_state(n, "STOPPING=1");
}

void notify_close(struct notify **np)
{
	struct notify *n = *np;
	if (!n)
		return;
	if (n->watchdog)
		event_free(n->watchdog);
	if (n->status)
		event_free(n->status);
	free(n);
	*np = NULL;
}
