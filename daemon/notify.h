/*
 * notify.h - telling systemd how lawtallyd is doing (sd_notify(3)).
 *
 * READY=1, RELOADING=1, STOPPING=1 and a one-line STATUS= go to
 * $NOTIFY_SOCKET when systemd set it (Type=notify); without it every call
 * is a no-op. When systemd asks for a watchdog (WatchdogSec=, read with
 * sd_watchdog_enabled), a timer in the daemon's event loop sends
 * WATCHDOG=1 at half the interval, from that timer and nowhere else: a
 * stalled loop stops the keep-alives and systemd restarts the daemon.
 * Commits run on the writer thread, so the timer also asks how long the
 * commit in hand has run (notify_watch) and withholds the keep-alive once
 * that passes half the interval: a commit stuck on a hung disk is a stall too.
 */
#ifndef LAWTALLY_NOTIFY_H
#define LAWTALLY_NOTIFY_H

#include <event2/event.h>
#include <stddef.h>

#define NOTIFY_STATUS_SECONDS 5 /* STATUS= is refreshed this often */

struct notify;

/* Writes the STATUS= text (one line, no "STATUS=") into buf. */
typedef void (*notify_status_fn)(char *buf, size_t len, void *arg);

/*
 * Starts the watchdog and status timers in base (only those systemd asked
 * for). status is called from the loop. Timers need nothing but memory
 * (xalloc.h), so this cannot fail; free with notify_close.
 */
struct notify *notify_start(struct event_base *base, notify_status_fn status, void *arg);

/* Seconds the daemon's writer has been busy with one job (0: idle). */
typedef double (*notify_busy_fn)(void *arg);

/* Makes the watchdog consult busy(arg) before each keep-alive. */
void notify_watch(struct notify *n, notify_busy_fn busy, void *arg);

/* READY=1 with the current STATUS= (start-up done, or a reload done). */
void notify_ready(struct notify *n);

/* RELOADING=1 with MONOTONIC_USEC= (SIGHUP); follow with notify_ready. */
void notify_reloading(struct notify *n);

/* STOPPING=1, once; later calls do nothing. Safe on NULL. */
void notify_stopping(struct notify *n);

/* Stops the timers and NULLs *n. Safe on NULL. */
void notify_close(struct notify **n);

#endif
