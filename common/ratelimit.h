/*
 * ratelimit.h - log lines about offenders (keys, peers) that stay few
 * whatever the number of offenders.
 *
 * One line per offence lets one client flood the journal; one line per
 * offender and minute lets many offenders do it (two alternating keys,
 * or a fresh key per attempt). A ratelimit logs, in each window of a
 * minute, the first offences of a few different offenders in full, and
 * only counts the rest: per offender in a bounded table, and in total
 * beyond it. When the window has ended it gives one summary line: how
 * many offences were not logged, from how many offenders, and the most
 * frequent one. So a kind of line costs at most RATELIMIT_BURST + 1 lines
 * a window.
 *
 * The counting is pure (the caller passes the time) and the wrappers
 * ratelimit_hit / ratelimit_flush read the monotonic clock and log the
 * summary with log_warn. Used from one thread only (the daemon's loop).
 */
#ifndef LAWTALLY_RATELIMIT_H
#define LAWTALLY_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_INTERVAL_S 60  /* the window */
#define RATELIMIT_BURST 3        /* offenders logged in full in a window */
#define RATELIMIT_SLOTS 32       /* offenders counted by name in a window */
#define RATELIMIT_KEY_MAX 63     /* bytes of an offender's name kept */
#define RATELIMIT_LINE_MAX 320   /* a summary line, with its NUL */

struct ratelimit_slot {
	char key[RATELIMIT_KEY_MAX + 1];
	uint64_t count;              /* offences in the window */
	int logged;                  /* one of its offences was logged in full */
};

struct ratelimit {
	const char *what;            /* the summary's subject: "auth: refused key" */
	const char *whom;            /* what offenders are, plural: "keys", "peers" */
	int64_t interval;            /* seconds */
	int64_t window_start;        /* the window's first second; -1: none open */
	unsigned logged;             /* offenders logged in full in the window */
	uint64_t quiet;              /* offences only counted in the window */
	uint64_t overflow;           /* offences of offenders the full table left out */
	size_t n;
	struct ratelimit_slot slot[RATELIMIT_SLOTS];
	struct ratelimit *next;      /* the list ratelimit_flush_all walks */
};

/*
 * Sets rl up with an empty window and puts it on the list of
 * ratelimit_flush_all. what and whom must outlive rl (string literals).
 * Call ratelimit_fini before rl's memory goes.
 */
void ratelimit_init(struct ratelimit *rl, const char *what, const char *whom);

/* Takes rl off the list, without a summary. Safe on a zeroed struct. */
void ratelimit_fini(struct ratelimit *rl);

/*
 * Pure: if the window open at now has ended, closes it: returns 1 with
 * its summary line in buf when some of its offences were only counted,
 * else 0. now is in seconds of any steady clock.
 */
int ratelimit_roll(struct ratelimit *rl, int64_t now, char *buf, size_t len);

/*
 * Pure: counts one offence of key (cut to RATELIMIT_KEY_MAX bytes) at now,
 * opening a window if none is (call ratelimit_roll first). Returns 1 if
 * the caller should log it in full (the first offence of one of the first
 * RATELIMIT_BURST offenders of the window), 0 if it is only counted.
 */
int ratelimit_count(struct ratelimit *rl, const char *key, int64_t now);

/*
 * ratelimit_roll and ratelimit_count on the monotonic clock, logging a
 * summary due (log_warn). Returns what ratelimit_count does.
 */
int ratelimit_hit(struct ratelimit *rl, const char *key);

/* Logs the summary of rl's window if it has ended (a periodic timer). */
void ratelimit_flush(struct ratelimit *rl);

/* ratelimit_flush for every ratelimit initialised and not finished. */
void ratelimit_flush_all(void);

#endif
