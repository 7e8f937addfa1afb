/*
 * test_spool_log.c - what a village desk reads from the spool: the
 * delivered log and its bounds, the walk over every record, a rejected
 * event replaced by its correction, the sender lock taken later and the
 * pid its holder is named by, and the modes that let a group share it.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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
};

/* A training event whose id and attendees encode n. */
static void make(struct ev *v, unsigned n)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	v->t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	for (int i = 0; i < 16; i++)
		v->id[i] = (uint8_t)(n >> (i % 4 * 8));
	v->t.attendees = n;
	v->e.id.data = v->id;
	v->e.id.len = 16;
	v->e.village = "ZL07";
	v->e.occurred_at = 1717200000 + n;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	v->e.training = &v->t;
}

static int enqueue(struct spool *sp, unsigned from, unsigned n)
{
	char err[256];
	int rc = 0;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		struct ev v;
		Lawtally__V1__Event *p = &v.e;
		make(&v, from + i);
		rc = spool_enqueue(sp, &p, 1, NULL, err, sizeof(err));
	}
	return rc;
}

static int setup(void **state)
{
	char *dir = strdup("/tmp/test_spool_log.XXXXXX");
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

/* What a walk saw: "seq:state:attendees[:reason]" joined by spaces. */
struct seen {
	char text[4096];
	int64_t enq_min, settled_min;
};

static int note(const struct spool_record *r, void *arg)
{
	struct seen *s = arg;
	static const char st[] = "QDR";
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof(s->text) - len, "%s%llu:%c:%u%s%s", len ? " " : "",
		 (unsigned long long)r->seq, st[r->state],
		 r->e ? r->e->training->attendees : 0u, r->reason ? ":" : "",
		 r->reason ? r->reason : "");
	if (!s->enq_min || r->enqueued_at < s->enq_min)
		s->enq_min = r->enqueued_at;
	if (r->settled_at && (!s->settled_min || r->settled_at < s->settled_min))
		s->settled_min = r->settled_at;
	return 0;
}

static void test_walk_and_delivered_log(void **state)
{
	struct spool *sp = NULL;
	struct spool_batch b;
	struct spool_status st;
	struct seen seen = {0};
	char err[256];
	int64_t t0 = (int64_t)time(NULL);
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue(sp, 1, 5), 0);
	assert_int_equal(spool_take(sp, 0, 10, &b), 0);
	assert_int_equal(b.n, 5);
	const char *why[3] = {NULL, "village: not in the configured village list", NULL};
	assert_int_equal(spool_settle(sp, b.seq, why, 3), 0); /* 1, 3 delivered; 2 rejected */
	spool_batch_free(&b);
	assert_int_equal(spool_records(sp, 1, note, &seen), 0);
	assert_string_equal(seen.text, "1:D:1 2:R:2:village: not in the configured village list "
				       "3:D:3 4:Q:4 5:Q:5");
	assert_true(seen.enq_min >= t0 && seen.settled_min >= seen.enq_min);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(spool_records(sp, 3, note, &seen), 0);
	assert_string_equal(seen.text, "3:D:3 4:Q:4 5:Q:5");
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.queued, 2);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.delivered, 2);
	assert_true(st.last_delivered >= t0 && st.last_delivered <= (int64_t)time(NULL));
	/* the delivered log is not held against the limits: 2 + 1 held */
	spool_close(&sp);
	struct spool_limits lim = {3, 0};
	assert_int_equal(spool_open(&sp, *state, SPOOL_SEND, &lim, err, sizeof(err)), 0);
	assert_int_equal(enqueue(sp, 6, 1), LT_EFULL);
	uint64_t n;
	assert_int_equal(spool_rejected_clear(sp, &n), 0);
	assert_int_equal(enqueue(sp, 6, 1), 0);
	spool_close(&sp);
}

static void test_delivered_log_bound(void **state)
{
	struct spool *sp = NULL;
	struct spool_batch b;
	struct spool_status st;
	char err[256];
	unsigned total = SPOOL_DELIVERED_MAX + 250;
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND | SPOOL_NOSYNC, NULL,
				    err, sizeof(err)), 0);
	struct ev *v = calloc(1000, sizeof(*v));
	Lawtally__V1__Event **p = calloc(1000, sizeof(*p));
	for (unsigned done = 0; done < total;) {
		unsigned n = total - done < 1000 ? total - done : 1000;
		for (unsigned i = 0; i < n; i++) {
			make(&v[i], done + i + 1);
			p[i] = &v[i].e;
		}
		assert_int_equal(spool_enqueue(sp, p, n, NULL, err, sizeof(err)), 0);
		assert_int_equal(spool_take(sp, 0, n, &b), 0);
		assert_int_equal(spool_settle(sp, b.seq, NULL, b.n), 0);
		spool_batch_free(&b);
		done += n;
	}
	free(p);
	free(v);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.delivered, SPOOL_DELIVERED_MAX);
	assert_int_equal(st.queued, 0);
	struct seen seen = {0};
	assert_int_equal(spool_records(sp, 1, note, &seen), LT_OK);
	/* the oldest went first: the walk starts at 251 */
	assert_memory_equal(seen.text, "251:D:251 252:D:252", 19);
	spool_close(&sp);
}

static void test_replace_rejected(void **state)
{
	struct spool *sp = NULL;
	struct spool_batch b;
	struct spool_status st;
	struct seen seen = {0};
	char err[256];
	uint64_t first;
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	assert_int_equal(enqueue(sp, 1, 2), 0);
	assert_int_equal(spool_take(sp, 0, 10, &b), 0);
	const char *why[2] = {"occurred_at: more than one day in the future", NULL};
	assert_int_equal(spool_settle(sp, b.seq, why, 2), 0);
	spool_batch_free(&b);
	struct ev v;
	Lawtally__V1__Event *p = &v.e;
	make(&v, 10);
	assert_int_equal(spool_replace(sp, 2, &p, 1, &first, err, sizeof(err)), LT_ENOTFOUND);
	assert_non_null(strstr(err, "no rejected event #2"));
	assert_int_equal(spool_replace(sp, 1, &p, 1, &first, err, sizeof(err)), 0);
	assert_int_equal(first, 3);
	assert_int_equal(spool_records(sp, 1, note, &seen), 0);
	assert_string_equal(seen.text, "2:D:2 3:Q:10");
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.rejected_bytes, 0);
	/* a replacement that cannot be stored leaves the rejected event */
	assert_int_equal(enqueue(sp, 11, 1), 0);
	assert_int_equal(spool_take(sp, 3, 10, &b), 0);
	const char *why2[1] = {"bad"};
	assert_int_equal(spool_settle(sp, b.seq, why2, 1), 0);
	spool_batch_free(&b);
	v.e.id.len = 3;
	assert_int_equal(spool_replace(sp, 4, &p, 1, &first, err, sizeof(err)), LT_EINVAL);
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.rejected, 1);
	spool_close(&sp);
}

/*
 * The holder of the lock writes its pid just after taking it: one that
 * comes in between is told the real pid, not 0.
 */
static void test_lock_later_names_pid(void **state)
{
	char path[512];
	int ready[2];
	struct spool *sp = NULL;
	char err[256];
	assert_int_equal(spool_open(&sp, *state, SPOOL_CREATE, NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/sender.lock", (char *)*state);
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDWR | O_CREAT, 0660);
		if (fd < 0 || flock(fd, LOCK_EX) != 0 || ftruncate(fd, 0) != 0 ||
		    write(ready[1], "k", 1) != 1)
			_exit(1);
		nanosleep(&(struct timespec){0, 60000000L}, NULL);
		char text[24];
		int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
		if (pwrite(fd, text, (size_t)len, 0) != len)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(spool_lock_sender(sp, err, sizeof(err)), LT_EBUSY);
	char want[64];
	snprintf(want, sizeof(want), "another process (pid %ld) is sending from it", (long)pid);
	assert_non_null(strstr(err, want));
	struct spool_batch b;
	assert_int_equal(spool_take(sp, 0, 1, &b), LT_EINVAL); /* not the sender */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(spool_lock_sender(sp, err, sizeof(err)), 0);
	assert_int_equal(spool_lock_sender(sp, err, sizeof(err)), 0);
	struct spool_status st;
	assert_int_equal(spool_status(sp, &st), 0);
	assert_int_equal(st.sender_pid, (long)getpid());
	assert_int_equal(spool_take(sp, 0, 1, &b), 0);
	spool_close(&sp);
	close(ready[0]);
	close(ready[1]);
}

/* A umask of 077 still gives a spool its group may share. */
static void test_modes_for_the_group(void **state)
{
	char dir[512], path[600];
	struct stat st;
	struct spool *sp = NULL;
	char err[256];
	snprintf(dir, sizeof(dir), "%s/spool", (char *)*state);
	mode_t old = umask(077);
	assert_int_equal(spool_open(&sp, dir, SPOOL_CREATE | SPOOL_SEND, NULL, err, sizeof(err)), 0);
	umask(old);
	spool_close(&sp);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 02770);
	static const char *const files[] = {"data.mdb", "lock.mdb", "sender.lock"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0660);
	}
	/* one made 0600 before is opened up by its owner */
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(spool_open(&sp, dir, 0, NULL, err, sizeof(err)), 0);
	spool_close(&sp);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_and_delivered_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivered_log_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_later_names_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes_for_the_group, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
