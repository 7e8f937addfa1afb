/* scrub.c - the store's scrub thread (see scrub.h). */
#include "scrub.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "now.h"
#include "xalloc.h"

#define SCRUB_STEP_RECORDS 512   /* records a step checks in one snapshot */
#define SCRUB_FIRST_DELAY_S 60   /* from the start to the first pass, at most */
#define SCRUB_RECOUNT_TRIES 10   /* recounts given up to a growing map, then the pass ends */

/* Linux's I/O priority classes (linux/ioprio.h): the idle class reads when no one else does. */
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1

struct scrub {
	struct store *store;
	unsigned period_s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;                  /* under mu */
	struct scrub_status st;    /* under mu */
};

/* Waits until the monotonic time until (seconds) or a stop; returns 1 on a stop. */
static int wait_until(struct scrub *sc, double until)
{
	pthread_mutex_lock(&sc->mu);
	while (!sc->quit) {
		double left = until - now_mono();
		if (left <= 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double end = (double)ts.tv_sec + ts.tv_nsec / 1e9 + left;
		ts.tv_sec = (time_t)end;
		ts.tv_nsec = (long)((end - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&sc->cv, &sc->mu, &ts);
	}
	int quit = sc->quit;
	pthread_mutex_unlock(&sc->mu);
	return quit;
}

/* The lowest priorities this thread can take: nice 19, and the idle I/O class. */
static void lower_priority(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	if (setpriority(PRIO_PROCESS, (id_t)tid, 19) != 0)
		log_debug("scrub: cannot lower its CPU priority: %s", strerror(errno));
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid,
		    IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) != 0)
		log_debug("scrub: cannot lower its I/O priority: %s", strerror(errno));
}

/* The walk of a pass, step by step. Returns 1 done, 0 stopped, or an LT_E* code. */
static int walk(struct scrub *sc, struct store_walk *w, uint64_t expect)
{
	for (;;) {
		double t0 = now_mono();
		int rc = store_walk_step(sc->store, w, SCRUB_STEP_RECORDS, NULL, NULL);
		double took = now_mono() - t0;
		pthread_mutex_lock(&sc->mu);
		sc->st.records = w->records;
		sc->st.bytes = w->bytes;
		sc->st.progress = rc == 1 ? 1 : expect ? (double)w->records / (double)expect : 0;
		if (sc->st.progress > 1)
			sc->st.progress = 1;
		pthread_mutex_unlock(&sc->mu);
		if (rc != 0)
			return rc;
		/* as long a pause as the step: at most half of a core, and room for the others */
		if (wait_until(sc, now_mono() + (took > 0.001 ? took : 0.001)))
			return 0;
	}
}

/*
 * The recount, in one snapshot, given up while a batch waits to grow the
 * map and tried again a second later. Returns its store_recount_check
 * code, or 1 when stopped.
 */
static int recount(struct scrub *sc)
{
	struct store_verify v;
	int rc = LT_EBUSY;
	for (int i = 0; i < SCRUB_RECOUNT_TRIES && rc == LT_EBUSY; i++) {
		if (i > 0 && wait_until(sc, now_mono() + 1))
			return 1;
		rc = store_recount_check(sc->store, &v);
	}
	return rc;
}

/* One pass: the walk, then the recount. Returns 0, or 1 when stopped. */
static int pass(struct scrub *sc)
{
	struct store_walk w;
	double t0 = now_mono();
	uint64_t expect;
	pthread_mutex_lock(&sc->mu);
	expect = sc->st.last_records;
	sc->st.running = 1;
	sc->st.records = sc->st.bytes = 0;
	sc->st.progress = 0;
	pthread_mutex_unlock(&sc->mu);

	store_walk_start(&w);
	int rc = walk(sc, &w, expect);
	if (rc == 0)
		return 1;
	if (rc < 0 && rc != LT_ECORRUPT) { /* (LT_ECORRUPT: the store has marked itself) */
		log_warn("scrub: the walk stopped: %s; the next pass tries again", lt_strerror(rc));
	}
	int rrc = rc == 1 ? recount(sc) : rc;
	if (rrc == 1)
		return 1;
	if (rrc == LT_EBUSY)
		log_warn("scrub: the recount gave way to the growing store %d times; the next pass "
			 "tries again", SCRUB_RECOUNT_TRIES);
	else if (rrc && rrc != LT_ECORRUPT && rrc != LT_EMISMATCH && rc == 1)
		log_warn("scrub: the recount stopped: %s; the next pass tries again",
			 lt_strerror(rrc));

	int sound = rc == 1 && rrc == 0 && w.damaged == 0 && !store_damaged(sc->store, NULL, 0);
	int damaged = w.damaged || rrc == LT_ECORRUPT || rrc == LT_EMISMATCH || rc == LT_ECORRUPT;
	double took = now_mono() - t0;
	pthread_mutex_lock(&sc->mu);
	sc->st.running = 0;
	sc->st.passes++;
	sc->st.last_end = now_wall();
	sc->st.last_seconds = took;
	sc->st.last_records = w.records;
	sc->st.last_bytes = w.bytes;
	sc->st.last_result = sound ? 1 : damaged || store_damaged(sc->store, NULL, 0) ? 0 : -1;
	sc->st.damaged += w.damaged;
	sc->st.progress = 1;
	pthread_mutex_unlock(&sc->mu);
	if (sound)
		log_info("scrub: %llu records (%.1f MiB) checked and the totals recounted in %.1f s: "
			 "sound", (unsigned long long)w.records, (double)w.bytes / (1 << 20), took);
	return 0;
}

static void *run(void *arg)
{
	struct scrub *sc = arg;
	prctl(PR_SET_NAME, "lawtally-scrub", 0, 0, 0);
	lower_priority();
	double next = now_mono() + (sc->period_s < SCRUB_FIRST_DELAY_S ? sc->period_s
								      : SCRUB_FIRST_DELAY_S);
	while (!wait_until(sc, next)) {
		double started = now_mono();
		if (pass(sc))
			break;
		next = started + sc->period_s;
	}
	return NULL;
}

int scrub_start(struct scrub **out, struct store *s, unsigned period_s, char *err,
		size_t errlen)
{
	*out = NULL;
	if (period_s == 0)
		return 0;
	struct scrub *sc = xcalloc(1, sizeof(*sc));
	sc->store = s;
	sc->period_s = period_s;
	sc->st.period_s = period_s;
	sc->st.last_result = -1;
	sc->st.progress = 1;
	pthread_mutex_init(&sc->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sc->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* signals stay with the loop thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&sc->thread, NULL, run, sc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "scrub: cannot start its thread: %s", strerror(rc));
		pthread_cond_destroy(&sc->cv);
		pthread_mutex_destroy(&sc->mu);
		free(sc);
		return LT_ESYS;
	}
	*out = sc;
	return 0;
}

void scrub_status(struct scrub *sc, struct scrub_status *st)
{
	if (!sc) {
		memset(st, 0, sizeof(*st));
		st->last_result = -1;
		st->progress = 1;
		return;
	}
	pthread_mutex_lock(&sc->mu);
	*st = sc->st;
	pthread_mutex_unlock(&sc->mu);
}

void scrub_stop(struct scrub **scp)
{
	struct scrub *sc = *scp;
	if (!sc)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->quit = 1;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	pthread_join(sc->thread, NULL);
	pthread_cond_destroy(&sc->cv);
	pthread_mutex_destroy(&sc->mu);
	free(sc);
	*scp = NULL;
}
