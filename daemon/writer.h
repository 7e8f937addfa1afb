/*
 * writer.h - the store's writer thread: one job at a time off the loop.
 *
 * A durable commit waits for the disk (two fdatasyncs). Run on the event
 * loop, it held every query and every HTTP request for as long as a group
 * commit took (15-30 ms at saturation). The writer runs a job's work on
 * its own thread while the loop goes on: queries read the store in
 * parallel (LMDB readers never wait for the writer), and ingest receives
 * and validates the next group while this one commits.
 *
 * One job runs at a time. Its done callback runs afterwards on the loop
 * thread, woken through an eventfd, so that everything else the daemon
 * owns (sockets, metrics, the HTTP server) stays on that one thread: the
 * work function touches only the store and the job's own data.
 */
#ifndef LAWTALLY_WRITER_H
#define LAWTALLY_WRITER_H

#include <event2/event.h>

struct writer;

typedef void (*writer_fn)(void *arg);

/* Starts the thread and joins base. Returns 0, or LT_ESYS with a line in err. */
int writer_start(struct writer **out, struct event_base *base, char *err, size_t errlen);

/* Sets the loop priority of the done callbacks (event_priority_set); 0 or -1. */
int writer_set_priority(struct writer *w, int priority);

/*
 * Runs work(arg) on the writer thread, then done(arg) on the loop thread;
 * done must not be NULL (busy ends only when done is called). Returns 0,
 * or LT_EBUSY while the last job's done callback has not been called yet.
 */
int writer_submit(struct writer *w, writer_fn work, writer_fn done, void *arg);

/*
 * Non-zero from submit until the job's done callback is called: busy is
 * cleared just before done runs, so that done may submit the next job
 * (ingest's commit_done starts the next group's commit).
 */
int writer_busy(const struct writer *w);

/* Seconds the running job has been working (0 with none): the watchdog's measure. */
double writer_job_age(struct writer *w);

/*
 * Waits for the running job, if any, and runs its done callback now
 * (shutdown: the loop no longer runs). done may submit another job.
 */
void writer_wait(struct writer *w);

/* Waits as writer_wait, stops and joins the thread, frees; NULLs *w. Safe on NULL. */
void writer_stop(struct writer **w);

#endif
