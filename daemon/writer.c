/* writer.c - the store's writer thread (see writer.h). */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "xalloc.h"

enum job_state { JOB_NONE, JOB_QUEUED, JOB_RUNNING, JOB_FINISHED };

struct writer {
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	enum job_state state;
	int quit;
	struct timespec since;  /* the job's submit time */
	writer_fn work, done;
	void *arg;
	/* loop thread only */
	int busy;
	int efd;
	struct event *ev;
};

static double elapsed(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (now.tv_nsec - since->tv_nsec) / 1e9;
}

static void *run(void *arg)
{
	struct writer *w = arg;
	prctl(PR_SET_NAME, "lawtally-writer", 0, 0, 0);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->state != JOB_QUEUED && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->state != JOB_QUEUED)
			break;
		w->state = JOB_RUNNING;
		writer_fn work = w->work;
		void *job = w->arg;
		pthread_mutex_unlock(&w->mu);
		work(job);
		pthread_mutex_lock(&w->mu);
		w->state = JOB_FINISHED;
		pthread_cond_broadcast(&w->cv);
		uint64_t one = 1;
		/* only an overflow of the counter could fail, after 2^64 jobs */
		if (write(w->efd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			log_err("writer: cannot wake the loop: %s", strerror(errno));
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Takes a finished job's done callback (NULL: none finished). Under mu. */
static writer_fn take_finished(struct writer *w, void **arg)
{
	if (w->state != JOB_FINISHED)
		return NULL;
	w->state = JOB_NONE;
	*arg = w->arg;
	return w->done;
}

static void run_done(struct writer *w, writer_fn done, void *arg)
{
	if (!done)
		return;
	w->busy = 0;
	done(arg);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct writer *w = arg;
	uint64_t n;
	void *job = NULL;
	(void)what;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("writer: eventfd read failed: %s", strerror(errno));
	pthread_mutex_lock(&w->mu);
	writer_fn done = take_finished(w, &job);
	pthread_mutex_unlock(&w->mu);
	run_done(w, done, job);
}

int writer_start(struct writer **out, struct event_base *base, char *err, size_t errlen)
{
	struct writer *w = xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->efd = -1;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		snprintf(err, errlen, "writer: cannot create an eventfd: %s", strerror(errno));
		writer_stop(&w);
		return LT_ESYS;
	}
	w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, on_wake, w);
	if (event_add(w->ev, NULL) != 0) {
		snprintf(err, errlen, "writer: cannot watch its eventfd: %s", strerror(errno));
		writer_stop(&w);
		return LT_ESYS;
	}
	/* signals stay with the loop thread: the thread starts with all blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "writer: cannot start the thread: %s", strerror(rc));
		writer_stop(&w);
		return LT_ESYS;
	}
	w->thread_started = 1;
	*out = w;
	return 0;
}

int writer_set_priority(struct writer *w, int priority)
{
	return event_priority_set(w->ev, priority);
}

int writer_submit(struct writer *w, writer_fn work, writer_fn done, void *arg)
{
	if (w->busy)
		return LT_EBUSY;
	w->busy = 1;
	pthread_mutex_lock(&w->mu);
	w->work = work;
	w->done = done;
	w->arg = arg;
	w->state = JOB_QUEUED;
	clock_gettime(CLOCK_MONOTONIC, &w->since);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int writer_busy(const struct writer *w)
{
	return w->busy;
}

double writer_job_age(struct writer *w)
{
	double age = 0;
	pthread_mutex_lock(&w->mu);
	if (w->state == JOB_QUEUED || w->state == JOB_RUNNING)
		age = elapsed(&w->since);
	pthread_mutex_unlock(&w->mu);
	return age;
}

void writer_wait(struct writer *w)
{
	void *job = NULL;
	pthread_mutex_lock(&w->mu);
	while (w->state == JOB_QUEUED || w->state == JOB_RUNNING)
		pthread_cond_wait(&w->cv, &w->mu);
	writer_fn done = take_finished(w, &job);
	pthread_mutex_unlock(&w->mu);
	run_done(w, done, job);
}

void writer_stop(struct writer **wp)
{
	struct writer *w = *wp;
	if (!w)
		return;
	if (w->thread_started) {
		while (w->busy)
			writer_wait(w);
		pthread_mutex_lock(&w->mu);
		w->quit = 1;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	if (w->ev)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	*wp = NULL;
}
