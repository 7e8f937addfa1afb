/* test_spool.c - the sender's spool: enqueue, take, settle, limits, the lock, crashes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "spool.h"

struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Training t;
	uint8_t id[16];
	char topic[2048];
};

/* A training event whose id and attendees encode n. */
static void make(struct ev *v, unsigned n)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	v->t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	for (int i = 0; i < 16; i++)
		v->id[i] = (uint8_t)(n >> (i % 4 * 8));
	v->id[15] = 0xEE;
	snprintf(v->topic, sizeof(v->topic), "topic %u", n);
	v->t.attendees = n;
	v->t.topic = v->topic;
	v->e.id.data = v->id;
	v->e.id.len = 16;
	v->e.village = "ZL07";
	v->e.occurred_at = 1717200000 + n;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	v->e.training = &v->t;
}

static int enqueue_range(struct spool *sp, unsigned from, unsigned n, uint64_t *first)
{
	struct ev *v = calloc(n, sizeof(*v));
	Lawtally__V1__Event **p = calloc(n, sizeof(*p));
	char err[256];
	for (unsigned i = 0; i < n; i++) {
		make(&v[i], from + i);
		p[i] = &v[i].e;
	}
	int rc = spool_enqueue(sp, p, n, first, err, sizeof(err));
	free(p);
	free(v);
	return rc;
}

static int setup(void **state)
{
	char *dir = strdup("/tmp/test_spool.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_enqueue_take_settle(void **state)
{
	struct spool *sp = NULL;
	struct spool_batch b;
	struct spool_status st;
	char err[256];
	uint64_t first = 0;
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 3, &first), 0);
	assert_int_equal(first, 1);
	assert_int_equal(spool_take(sp, 0, 10, &b), 0);
	assert_int_equal(b.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(b.seq[i], i + 1);
		assert_int_equal(b.events[i]->training->attendees, i + 1);
		assert_int_equal(b.events[i]->id.len, 16);
	}
	spool_batch_free(&b);
	/* taking leaves them queued; after 2 only the third */
	assert_int_equal(spool_take(sp, 2, 10, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.seq[0], 3);
	spool_batch_free(&b);

	const uint64_t seq[] = {1, 2, 99};
	const char *const why[] = {NULL, "dispute.case_id: required", NULL};
	assert_int_equal(spool_settle(sp, seq, why, 3), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.next_seq, 4);
	assert_true(st.oldest > 0);
	assert_int_equal(st.sender_pid, (long)getpid());
	assert_int_equal(spool_take(sp, 0, 10, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.seq[0], 3);
	spool_batch_free(&b);

	uint64_t queued;
	assert_int_equal(spool_count_queued(sp, 1, 3, &queued), 0);
	assert_int_equal(queued, 1);
	assert_int_equal(spool_count_queued(sp, 1, 2, &queued), 0);
	assert_int_equal(queued, 0);
	spool_close(&sp);
	assert_null(sp);
}

struct seen {
	uint64_t seq;
	char reason[64];
	unsigned attendees;
	int n;
};

static int on_rejected(uint64_t seq, int64_t at, const char *reason, const Lawtally__V1__Event *e,
		       void *arg)
{
	struct seen *s = arg;
	assert_true(at > 0);
	s->seq = seq;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	s->attendees = e ? e->training->attendees : 0;
	s->n++;
	return 0;
}

static void test_rejected_list(void **state)
{
	struct spool *sp = NULL;
	struct spool_status st;
	char err[256];
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 7, 2, NULL), 0);
	const uint64_t seq[] = {2};
	const char *const why[] = {"occurred_at: more than one day in the future"};
	assert_int_equal(spool_settle(sp, seq, why, 1), 0);
	struct seen s = {0};
	assert_int_equal(spool_rejected(sp, on_rejected, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.seq, 2);
	assert_int_equal(s.attendees, 8);
	assert_string_equal(s.reason, "occurred_at: more than one day in the future");
	uint64_t n;
	assert_int_equal(spool_rejected_clear(sp, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.rejected_bytes, 0);
	assert_int_equal(st.queued, 1);
	spool_close(&sp);
}

static void test_limits_and_bad_events(void **state)
{
	struct spool *sp = NULL;
	struct spool_status st;
	char err[256];
	struct spool_limits lim = {5, 0};
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE, &lim, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 4, NULL), 0);
	assert_int_equal(enqueue_range(sp, 5, 2, NULL), LT_EFULL); /* all or nothing */
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.max_events, 5);
	assert_int_equal(enqueue_range(sp, 5, 1, NULL), 0);

	struct ev v;
	Lawtally__V1__Event *p = &v.e;
	make(&v, 1);
	v.e.id.len = 8;
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), LT_EINVAL);
	assert_non_null(strstr(err, "16-byte id"));
	spool_close(&sp);

	/* bytes: two events fit, the third does not */
	lim = (struct spool_limits){0, 0};
	assert_int_equal(spool_open(&sp, *state, 0, &lim, err, sizeof(err)), 0);
	make(&v, 1);
	memset(v.topic, 'x', SPOOL_EVENT_MAX);
	v.topic[SPOOL_EVENT_MAX] = '\0';
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), LT_EINVAL);
	assert_non_null(strstr(err, "more than 1024"));
	spool_close(&sp);

	/* bytes: a record is 8 bytes and the packed event; 3 fit, a 4th does not */
	char dir2[300];
	snprintf(dir2, sizeof(dir2), "%s/bytes", (char *)*state);
	make(&v, 1);
	v.e.seq = 1; /* as the spool numbers it */
	v.e.epoch = 1;
	uint64_t rec = 8 + lawtally__v1__event__get_packed_size(&v.e);
	v.e.seq = v.e.epoch = 0;
	lim = (struct spool_limits){0, 3 * rec + rec / 2};
	assert_int_equal(spool_open(&sp, dir2, SPOOL_CREATE, &lim, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 3, NULL), 0);
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), LT_EFULL);
	assert_non_null(strstr(err, "full"));
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued_bytes, 3 * rec);
	spool_close(&sp);
}

static void test_no_spool(void **state)
{
	struct spool *sp = NULL;
	char err[256], dir[300];
	snprintf(dir, sizeof(dir), "%s/none", (char *)*state);
	assert_int_equal(spool_open(&sp, dir, 0, NULL, err, sizeof(err)), LT_ENOTFOUND);
	assert_null(sp);
	assert_non_null(strstr(err, "no spool at"));
	/* taking needs the sender lock */
	assert_int_equal(spool_open(&sp, dir, SPOOL_CREATE, NULL, err, sizeof(err)), 0);
	struct spool_batch b;
	assert_int_equal(spool_take(sp, 0, 1, &b), LT_EINVAL);
	spool_close(&sp);
}

/*
 * A child holds the sender lock: the parent cannot send from the spool
 * but may still enqueue; once the child is killed the lock is free.
 */
static void test_sender_lock(void **state)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct spool *sp = NULL;
		char err[256];
		if (spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)))
			_exit(1);
		if (write(ready[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	struct spool *sp = NULL;
	struct spool_status st;
	char err[256];
	assert_int_equal(spool_open(&sp, *state, SPOOL_SEND, NULL, err, sizeof(err)), LT_EBUSY);
	char want[64];
	snprintf(want, sizeof(want), "(pid %ld)", (long)pid);
	assert_non_null(strstr(err, want));
	assert_int_equal(spool_open(&sp, *state, 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 2, NULL), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.sender_pid, (long)pid);
	spool_close(&sp);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(spool_open(&sp, *state, SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued, 2);
	spool_close(&sp);
	close(ready[0]);
	close(ready[1]);
}

/*
 * A sender killed with -9 after settling part of what it took: the spool
 * opens again with exactly the unsettled events, in order, and numbering
 * goes on after the last one ever given.
 */
static void test_reopen_after_crash(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct spool *sp = NULL;
		struct spool_batch b;
		char err[256];
		if (spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)) ||
		    enqueue_range(sp, 1, 100, NULL) || spool_take(sp, 0, 50, &b) || b.n != 50 ||
		    spool_settle(sp, b.seq, NULL, 20))
			_exit(1);
		raise(SIGKILL); /* no close, no unlock, batch still held */
		_exit(2);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	struct spool *sp = NULL;
	struct spool_batch b;
	struct spool_status st;
	char err[256];
	uint64_t first;
	assert_int_equal(spool_open(&sp, *state, SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued, 80);
	assert_int_equal(spool_take(sp, 0, 1000, &b), 0);
	assert_int_equal(b.n, 80);
	for (unsigned i = 0; i < 80; i++) {
		assert_int_equal(b.seq[i], 21 + i);
		assert_int_equal(b.events[i]->training->attendees, 21 + i);
	}
	spool_batch_free(&b);
	assert_int_equal(enqueue_range(sp, 101, 1, &first), 0);
	assert_int_equal(first, 101);
	spool_close(&sp);
}

/* Why the queued events wait: noted, kept across opens, its start kept or restarted, removed. */
static void test_wait_note(void **state)
{
	const char *dir = *state;
	struct spool *sp = NULL, *ro = NULL;
	struct spool_status st;
	char err[256], longwhy[400];
	assert_int_equal(spool_open(&sp, dir, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 3, NULL), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_string_equal(st.wait_reason, "");
	assert_int_equal(st.wait_since, 0);

	int64_t t0 = (int64_t)time(NULL);
	const char *why = "the daemon refuses for now: clock: events[0].occurred_at is 3 d 0 h "
			  "ahead of lawtallyd's clock";
	assert_int_equal(spool_note_wait(sp, why, 0), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_string_equal(st.wait_reason, why);
	assert_true(st.wait_since >= t0 && st.wait_since <= (int64_t)time(NULL));
	assert_int_equal(st.wait_last, st.wait_since);
	int64_t since = st.wait_since;

	/* kept on disk, for `spool status` without the sender lock (one open at a time) */
	spool_close(&sp);
	assert_int_equal(spool_open(&ro, dir, 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_status(ro, &st), 0);
	assert_string_equal(st.wait_reason, why);
	assert_int_equal(st.wait_since, since);
	assert_int_equal(spool_note_wait(ro, NULL, 0), LT_EINVAL); /* only the sender notes */
	spool_close(&ro);
	assert_int_equal(spool_open(&sp, dir, SPOOL_SEND, NULL, err, sizeof(err)), 0);

	/* a later try: the wait started at the first */
	while ((int64_t)time(NULL) == since)
		; /* the next second, to tell the two apart */
	assert_int_equal(spool_note_wait(sp, "no answer from the daemon within 10000 ms", 0), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_string_equal(st.wait_reason, "no answer from the daemon within 10000 ms");
	assert_int_equal(st.wait_since, since);
	assert_true(st.wait_last > since);
	/* the daemon took events meanwhile: the wait starts again */
	assert_int_equal(spool_note_wait(sp, why, 1), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_true(st.wait_since > since);
	assert_int_equal(st.wait_since, st.wait_last);

	/* a long reason is kept cut, as rejected reasons are */
	memset(longwhy, 'x', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = '\0';
	assert_int_equal(spool_note_wait(sp, longwhy, 0), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(strlen(st.wait_reason), SPOOL_REASON_MAX);

	/* nothing waits any more: the note goes, and the queue is as it was */
	assert_int_equal(spool_note_wait(sp, NULL, 0), 0);
	assert_int_equal(spool_note_wait(sp, NULL, 0), 0);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_string_equal(st.wait_reason, "");
	assert_int_equal(st.wait_since, 0);
	assert_int_equal(st.queued, 3);
	spool_close(&sp);
}

/*
 * The spool numbers what it queues, 1, 2, 3... per source, in an epoch of
 * its own made when it was created; the caller's events are left
 * unnumbered, and an event numbered already (relayed) keeps its number.
 */
static void test_numbering(void **state)
{
	struct spool *sp;
	struct spool_batch b = {0};
	char err[256];
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 1, 3, NULL), 0);
	struct ev v;
	make(&v, 9);
	v.e.seq = 77;
	v.e.epoch = 5;
	Lawtally__V1__Event *p = &v.e;
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), 0);
	assert_int_equal(v.e.seq, 77);
	make(&v, 10);
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), 0);
	assert_int_equal(v.e.seq, 0); /* the caller's event is left as it was */
	assert_int_equal(v.e.epoch, 0);
	assert_int_equal(spool_take(sp, 0, 10, &b), 0);
	assert_int_equal(b.n, 5);
	uint64_t epoch = b.events[0]->epoch;
	assert_true(epoch != 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(b.events[i]->seq, i + 1);
		assert_true(b.events[i]->epoch == epoch);
	}
	assert_int_equal(b.events[3]->seq, 77);
	assert_true(b.events[3]->epoch == 5);
	assert_int_equal(b.events[4]->seq, 4); /* the source's next: 77 was its own */
	spool_batch_free(&b);
	spool_close(&sp);
	/* the epoch is the spool's: the same after reopening */
	assert_int_equal(spool_open(&sp, *state, SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue_range(sp, 20, 1, NULL), 0);
	assert_int_equal(spool_take(sp, 5, 10, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.events[0]->seq, 5);
	assert_true(b.events[0]->epoch == epoch);
	spool_batch_free(&b);
	/* another source counts from 1 in the same epoch */
	make(&v, 30);
	v.e.source = "centre-ZL07";
	assert_int_equal(spool_enqueue(sp, &p, 1, NULL, err, sizeof(err)), 0);
	assert_int_equal(spool_take(sp, 6, 10, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.events[0]->seq, 1);
	assert_true(b.events[0]->epoch == epoch);
	spool_batch_free(&b);
	spool_close(&sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enqueue_take_settle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_and_bad_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_after_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbering, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
