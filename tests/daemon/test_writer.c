/*
 * test_writer.c - the store's writer thread (daemon/writer.c) with a real
 * event loop: work runs off the loop thread, its done callback on it; one
 * job at a time; a done callback may submit the next job (ingest's
 * commit_done does); the watchdog's age of the running job; the shutdown
 * path that runs done without the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <event2/event.h>
#include <pthread.h>
#include <time.h>

#include "err.h"
#include "writer.h"

struct job {
	struct writer *w;
	pthread_t loop_thread;
	pthread_t work_thread;
	int worked, done;
	int done_on_loop;           /* done ran on the loop thread */
	int busy_in_done;           /* writer_busy() inside done */
	int resubmit;               /* done submits the job again this many times */
	/* a work function that blocks until released */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int hold, held, released;
};

static void job_init(struct job *j, struct writer *w)
{
	*j = (struct job){.w = w, .loop_thread = pthread_self()};
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
}

static void job_destroy(struct job *j)
{
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
}

static void work(void *arg)
{
	struct job *j = arg;
	pthread_mutex_lock(&j->mu);
	j->work_thread = pthread_self();
	j->worked++;
	if (j->hold) {
		j->held = 1;
		pthread_cond_broadcast(&j->cv);
		while (!j->released)
			pthread_cond_wait(&j->cv, &j->mu);
	}
	pthread_mutex_unlock(&j->mu);
}

static void done(void *arg)
{
	struct job *j = arg;
	j->done++;
	j->done_on_loop = pthread_equal(pthread_self(), j->loop_thread);
	j->busy_in_done = writer_busy(j->w);
	if (j->resubmit > 0) {
		j->resubmit--;
		assert_int_equal(writer_submit(j->w, work, done, j), 0);
	}
}

/* Runs the loop until j has had `want` done callbacks; fails after 10 s. */
static void loop_until_done(struct event_base *base, struct job *j, int want)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (j->done < want) {
		struct timeval tick = {0, 20000};
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10)
			fail_msg("done ran %d times, not %d, within 10 s", j->done, want);
	}
}

static struct writer *start(struct event_base *base)
{
	struct writer *w = NULL;
	char err[256] = "";
	assert_int_equal(writer_start(&w, base, err, sizeof(err)), 0);
	assert_non_null(w);
	return w;
}

/* Work runs on the writer's thread, done on the loop's, once each. */
static void test_threads(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	struct writer *w = start(base);
	struct job j;
	job_init(&j, w);

	assert_int_equal(writer_busy(w), 0);
	assert_int_equal(writer_submit(w, work, done, &j), 0);
	assert_int_equal(writer_busy(w), 1);
	loop_until_done(base, &j, 1);
	assert_int_equal(j.worked, 1);
	assert_int_equal(j.done, 1);
	assert_false(pthread_equal(j.work_thread, j.loop_thread));
	assert_int_equal(j.done_on_loop, 1);
	/* busy is cleared before done runs, so that done can submit the next job */
	assert_int_equal(j.busy_in_done, 0);
	assert_int_equal(writer_busy(w), 0);

	writer_stop(&w);
	assert_null(w);
	job_destroy(&j);
	event_base_free(base);
}

/* One job at a time: a second submit is refused until done has run. */
static void test_one_at_a_time(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	struct writer *w = start(base);
	struct job a, b;
	job_init(&a, w);
	job_init(&b, w);
	a.hold = 1;

	assert_int_equal(writer_submit(w, work, done, &a), 0);
	assert_int_equal(writer_submit(w, work, done, &b), LT_EBUSY);
	/* the held job ages; the watchdog reads that age */
	pthread_mutex_lock(&a.mu);
	while (!a.held)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	struct timespec pause = {0, 30 * 1000 * 1000};
	nanosleep(&pause, NULL);
	assert_true(writer_job_age(w) >= 0.02);
	assert_int_equal(writer_submit(w, work, done, &b), LT_EBUSY);

	pthread_mutex_lock(&a.mu);
	a.released = 1;
	pthread_cond_broadcast(&a.cv);
	pthread_mutex_unlock(&a.mu);
	loop_until_done(base, &a, 1);
	assert_true(writer_job_age(w) == 0);
	assert_int_equal(b.worked, 0);

	assert_int_equal(writer_submit(w, work, done, &b), 0);
	loop_until_done(base, &b, 1);
	assert_int_equal(b.worked, 1);

	writer_stop(&w);
	job_destroy(&a);
	job_destroy(&b);
	event_base_free(base);
}

/* A done callback that submits again: jobs chain, each done once. */
static void test_chain(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	struct writer *w = start(base);
	struct job j;
	job_init(&j, w);
	j.resubmit = 99;

	assert_int_equal(writer_submit(w, work, done, &j), 0);
	loop_until_done(base, &j, 100);
	assert_int_equal(j.worked, 100);
	assert_int_equal(j.done, 100);
	assert_int_equal(writer_busy(w), 0);

	writer_stop(&w);
	job_destroy(&j);
	event_base_free(base);
}

/* Shutdown: writer_wait runs the running job's done with no loop. */
static void test_wait_without_loop(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	struct writer *w = start(base);
	struct job j;
	job_init(&j, w);

	assert_int_equal(writer_submit(w, work, done, &j), 0);
	writer_wait(w);
	assert_int_equal(j.worked, 1);
	assert_int_equal(j.done, 1);
	assert_int_equal(j.done_on_loop, 1); /* the caller's thread */
	assert_int_equal(writer_busy(w), 0);
	writer_wait(w); /* nothing running: a no-op */
	assert_int_equal(j.done, 1);

	/* stop waits for a job in hand and runs its done */
	assert_int_equal(writer_submit(w, work, done, &j), 0);
	writer_stop(&w);
	assert_int_equal(j.done, 2);
	writer_stop(&w); /* NULL: safe */

	job_destroy(&j);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_one_at_a_time),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_wait_without_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
