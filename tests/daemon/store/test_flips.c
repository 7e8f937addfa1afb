/*
 * test_flips.c - random byte flips in a copy of a store never give a wrong
 * figure without an error from the daemon, the scrub or verify.
 *
 * A store holding the 2024 acceptance fixture (as the daemon writes it: in
 * batches, a year closed, the senders' records) is read once for
 * everything the office reads: every query of 2024, the totals, the
 * as-of recount, the closed year, the senders, the event export and the
 * counts. Then, trial by trial, a copy gets one random byte XORed with a
 * random mask, and a child process plays the daemon on it: opens it
 * writable, reads all of that again, runs the scrub (the walk in small
 * steps and the recount), then `lawtally verify` (a read-only open and
 * store_verify_all). Each trial ends as one of:
 *
 *   harmless   figures right, nothing reported (a free page was hit)
 *   latent     figures right, the scrub or verify reports the damage
 *   refused    the open refused the store
 *   errors     some read answered an error
 *   caught     figures wrong, the scrub or verify reports the damage
 *   crashed    the child died of SIGSEGV inside liblmdb, of SIGBUS, or of
 *              the abort after one of LMDB's own checks failed (LMDB
 *              reading a damaged page), and said so (common/fault.c)
 *   OURS       the child died of any other fault: a bug of ours reading
 *              damaged data, and the test fails
 *   HUNG       the child ran for TRIAL_SECONDS_MAX: the test fails
 *   WRONG      figures wrong and nothing reported: the test fails
 *
 * The seed is printed; LAWTALLY_FLIP_SEED and LAWTALLY_FLIP_TRIALS set it
 * and the number of trials (default 240) to reproduce a run.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "fault.h"
#include "fixture.h"
#include "query.h"
#include "record.h"
#include "store.h"
#include "tally.h"
#include "tmpstore.h"

#define BATCH 50
#define RECEIVED 1735700000LL /* 2025-01-01, after the fixture's year */

static char base[64];     /* the pristine store */

static uint64_t rng;
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* ---- what the office reads, folded into one number per kind of read ---- */

static void fold(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ULL;
}

enum read_kind { R_QUERIES, R_TOTALS, R_ASOF, R_CLOSED, R_SENDERS, R_EVENTS, R_STATS, R_KINDS };

struct reads {
	uint64_t h[R_KINDS];
	int rc[R_KINDS];
};

static int fold_total(const struct tally_key *k, int64_t v, void *arg)
{
	uint8_t kb[TALLY_KEY_LEN]; /* the key's bytes, not the struct's padding */
	tally_key_encode(k, kb);
	fold(arg, kb, sizeof(kb));
	fold(arg, &v, sizeof(v));
	return 0;
}

static int fold_sender(const struct sender_record *rec, void *arg)
{
	fold(arg, rec->name, strlen(rec->name));
	fold(arg, &rec->last_received, sizeof(rec->last_received));
	for (size_t i = 0; i < rec->nmonths; i++) {
		fold(arg, &rec->months[i].year, sizeof(rec->months[i].year));
		fold(arg, &rec->months[i].month, sizeof(rec->months[i].month));
		fold(arg, &rec->months[i].events, sizeof(rec->months[i].events));
	}
	return 0;
}

static int fold_event(const struct store_event *e, void *arg)
{
	uint8_t buf[4096];
	size_t n = protobuf_c_message_get_packed_size(&e->event->base);
	fold(arg, &e->seq, sizeof(e->seq));
	fold(arg, &e->received_at, sizeof(e->received_at));
	fold(arg, e->sender, strlen(e->sender));
	fold(arg, &e->retracted, sizeof(e->retracted));
	if (n <= sizeof(buf)) {
		protobuf_c_message_pack(&e->event->base, buf);
		fold(arg, buf, n);
	}
	return 0;
}

/*
 * Every query of 2024: each metric and all, by nothing, month, village,
 * each dimension; each in a snapshot of its own, as an answer.
 */
static int read_queries(struct store *s, uint64_t *h)
{
	struct query_rows rows = {0};
	int rc = 0;
	for (int m = -1; m < M_COUNT && !rc; m++) {
		const struct tally_metric_info *mi = m >= 0 ? tally_metric(m) : NULL;
		const char *bys[5] = {"", "month", "village", mi ? mi->dim[0].name : NULL,
				      mi ? mi->dim[1].name : NULL};
		for (int b = 0; b < 5 && !rc; b++) {
			struct query_spec spec;
			const char *why;
			if ((b >= 3 && !bys[b]) ||
			    query_spec_parse(&spec, 2024, mi ? mi->name : "", bys[b], "", NULL, &why))
				continue;
			for (int filt = 0; filt < 2 && !rc; filt++) {
				snprintf(spec.village, sizeof(spec.village), "%s", filt ? "ZL07" : "");
				struct store_snap sn;
				rc = store_read_begin(s, &sn);
				if (!rc)
					rc = query_run(&sn, &spec, &rows);
				store_read_end(&sn);
				for (size_t i = 0; !rc && i < rows.n; i++) {
					const struct query_row *q = &rows.r[i];
					fold(h, &q->metric, 1);
					fold(h, &q->month, 1);
					fold(h, q->village, strlen(q->village));
					fold(h, &q->dim, sizeof(q->dim));
					fold(h, &q->value, sizeof(q->value));
				}
			}
		}
	}
	query_rows_free(&rows);
	return rc;
}

/* The reads of one kind but the queries, in snap. */
static int read_kind(const struct store_snap *sn, enum read_kind k, uint64_t *h)
{
	int rc = 0;
	switch (k) {
	case R_TOTALS:
		for (int m = 0; m < M_COUNT && !rc; m++)
			for (uint16_t y = 2023; y <= 2025 && !rc; y++)
				rc = store_scan_totals(sn, m, y, fold_total, h);
		break;
	case R_ASOF: {
		struct tally_deltas d = {0};
		rc = store_recount_asof(sn, FIXTURE_YEAR_END, &d);
		for (size_t i = 0; !rc && i < d.n; i++)
			fold_total(&d.d[i].key, d.d[i].value, h);
		tally_deltas_free(&d);
		break;
	}
	case R_CLOSED: {
		struct store_closed c;
		rc = store_closed_get(sn, FIXTURE_YEAR, &c);
		if (!rc) {
			fold(h, &c.closed_at, sizeof(c.closed_at));
			fold(h, c.sha256, sizeof(c.sha256));
			fold(h, c.entries, c.len);
			store_closed_free(&c);
		}
		break;
	}
	case R_SENDERS:
		rc = store_scan_senders(sn, fold_sender, h);
		break;
	case R_EVENTS: {
		uint64_t next = 1;
		while (next && !rc)
			rc = store_scan_events(sn, next, 500, fold_event, h, &next);
		break;
	}
	case R_STATS: {
		struct store_stats st;
		rc = store_stats(sn, &st);
		if (!rc) {
			fold(h, &st.events, sizeof(st.events));
			fold(h, &st.cases, sizeof(st.cases));
			fold(h, &st.totals, sizeof(st.totals));
		}
		break;
	}
	default:
		break;
	}
	return rc;
}

static void read_all(struct store *s, struct reads *r)
{
	memset(r, 0, sizeof(*r));
	r->rc[R_QUERIES] = read_queries(s, &r->h[R_QUERIES]);
	for (int k = R_QUERIES + 1; k < R_KINDS; k++) {
		struct store_snap sn;
		r->rc[k] = store_read_begin(s, &sn);
		if (!r->rc[k])
			r->rc[k] = read_kind(&sn, (enum read_kind)k, &r->h[k]);
		store_read_end(&sn);
	}
}

/* ---- the pristine store ------------------------------------------------- */

static void make_base(void)
{
	char err[256];
	struct store *s;
	struct fixture fx;
	snprintf(base, sizeof(base), "/tmp/lawtally-flips-XXXXXX");
	assert_non_null(mkdtemp(base));
	struct store_options o = {.dir = base, .tz_offset = FIXTURE_TZ_OFFSET};
	if (store_open(&s, &o, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	fixture_generate(7, &fx);
	struct store_item items[BATCH];
	struct store_result res[BATCH];
	char senders[BATCH][32];
	for (size_t i = 0; i < fx.n; i += BATCH) {
		size_t n = fx.n - i < BATCH ? fx.n - i : BATCH;
		for (size_t j = 0; j < n; j++) {
			const Lawtally__V1__Event *e = fx.events[i + j];
			snprintf(senders[j], sizeof(senders[j]), "centre-%s", e->village);
			items[j] = (struct store_item){e, senders[j], RECEIVED + (int64_t)i, 0, NULL};
		}
		assert_int_equal(store_apply(s, items, n, res), 0);
	}
	fixture_free(&fx);
	struct store_closed c;
	assert_int_equal(store_close_year(s, FIXTURE_YEAR, RECEIVED + 100000, &c), 0);
	store_closed_free(&c);
	store_close(&s);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char from[192], to[192], buf[65536];
	snprintf(from, sizeof(from), "%s/%s", from_dir, name);
	snprintf(to, sizeof(to), "%s/%s", to_dir, name);
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(in >= 0 && out >= 0);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	assert_int_equal(close(out), 0);
}

/* ---- one trial, in a child ---------------------------------------------- */

enum outcome { HARMLESS, LATENT, REFUSED, ERRORS, CAUGHT, CRASHED, OURS, HUNG, WRONG, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = {
	"harmless", "latent", "refused", "errors", "caught", "crashed", "OURS", "HUNG", "WRONG"};
/* A trial takes some milliseconds: one still running after this has hung. */
#define TRIAL_SECONDS_MAX 20

/* The scrub's pass: the walk in small steps, then the recount. 1 if it reports damage. */
static int scrub(struct store *s)
{
	struct store_walk w;
	struct store_verify v;
	int rc;
	store_walk_start(&w);
	while ((rc = store_walk_step(s, &w, 64, NULL, NULL)) == 0)
		;
	if (rc != 1 || w.damaged)
		return 1;
	return store_recount_check(s, &v) != 0;
}

static int verify(const char *dir)
{
	char err[256];
	struct store *s;
	struct store_verify v;
	struct store_options o = {.dir = dir, .read_only = 1};
	if (store_open(&s, &o, err, sizeof(err)))
		return 1;
	struct store_snap sn;
	int rc = store_read_begin(s, &sn);
	if (!rc)
		rc = store_verify_all(&sn, &v, NULL, NULL);
	store_read_end(&sn);
	store_close(&s);
	return rc != 0;
}

static int verbose; /* LAWTALLY_FLIP_AT: which reads went wrong */
static const char *const read_names[R_KINDS] = {"queries", "totals", "as-of", "closed",
						"senders", "events", "stats"};

static enum outcome trial_child(const char *dir, const struct reads *want)
{
	char err[256];
	struct store *s;
	struct reads got;
	struct store_options o = {.dir = dir, .tz_offset = FIXTURE_TZ_OFFSET};
	if (store_open(&s, &o, err, sizeof(err)))
		return REFUSED;
	read_all(s, &got);
	int errors = 0, wrong = 0;
	for (int k = 0; k < R_KINDS; k++) {
		if (got.rc[k])
			errors = 1;
		else if (got.h[k] != want->h[k])
			wrong = 1;
		if (verbose && (got.rc[k] || got.h[k] != want->h[k]))
			print_message("flips: read %s: %s\n", read_names[k],
				      got.rc[k] ? lt_strerror(got.rc[k]) : "differs");
	}
	int found = scrub(s);
	store_close(&s);
	found |= verify(dir);
	if (errors)
		return ERRORS;
	if (wrong)
		return found ? CAUGHT : WRONG;
	return found ? LATENT : HARMLESS;
}

static enum outcome trial(const char *dir, const struct reads *want)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	char errpath[160];
	snprintf(errpath, sizeof(errpath), "%s/child.err", dir);
	if (pid == 0) {
		/* the damage lines of the child's store, and its last line if it faults */
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		/* a crash is the child's own: not cmocka's, which catches these */
		static const int sigs[] = {SIGILL, SIGFPE, SIGABRT};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		if (fault_install("flips", dir))
			_exit(100);
		alarm(TRIAL_SECONDS_MAX);
		_exit(trial_child(dir, want));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return HUNG;
	if (WIFSIGNALED(status)) {
		/* the store's fault says so; any other is a bug of ours */
		char text[8192] = "";
		FILE *f = fopen(errpath, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		text[n] = '\0';
		if (f)
			fclose(f);
		return strstr(text, "a page of data.mdb is damaged") ? CRASHED : OURS;
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) < OUTCOMES);
	return (enum outcome)WEXITSTATUS(status);
}

static void test_flips(void **state)
{
	(void)state;
	const char *e = getenv("LAWTALLY_FLIP_SEED"), *t = getenv("LAWTALLY_FLIP_TRIALS");
	uint64_t seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	long trials = t ? strtol(t, NULL, 10) : 240;
	rng = seed;
	make_base();
	struct store *s;
	struct reads want;
	char err[256], dir[96], path[160];
	struct store_options o = {.dir = base, .read_only = 1};
	assert_int_equal(store_open(&s, &o, err, sizeof(err)), 0);
	read_all(s, &want);
	struct store_stats st;
	struct store_snap sn;
	assert_int_equal(store_read_begin(s, &sn), 0);
	assert_int_equal(store_stats(&sn, &st), 0);
	store_read_end(&sn);
	store_close(&s);
	for (int k = 0; k < R_KINDS; k++)
		assert_int_equal(want.rc[k], 0);
	snprintf(path, sizeof(path), "%s/data.mdb", base);
	struct stat fst;
	assert_int_equal(stat(path, &fst), 0);
	print_message("flips: seed %" PRIu64 " (LAWTALLY_FLIP_SEED), %ld trials on a store of %llu "
		      "events, %lld bytes\n", seed, trials, (unsigned long long)st.events,
		      (long long)fst.st_size);

	long count[OUTCOMES] = {0};
	snprintf(dir, sizeof(dir), "%s/trial", base);
	/* LAWTALLY_FLIP_AT=OFFSET:MASK: that one flip, in this process (for a debugger) */
	const char *at = getenv("LAWTALLY_FLIP_AT");
	verbose = at != NULL;
	for (long i = 0; i < trials; i++) {
		mkdir(dir, 0700);
		copy_file(base, dir, "data.mdb");
		copy_file(base, dir, STORE_COMMIT_FILE);
		long off = (long)(rnd() % (uint64_t)fst.st_size);
		unsigned char mask = (unsigned char)(1 + rnd() % 255);
		if (at) {
			char *end;
			off = strtol(at, &end, 0);
			mask = (unsigned char)strtoul(end + 1, NULL, 0);
		}
		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		FILE *f = fopen(path, "r+b");
		assert_non_null(f);
		unsigned char b;
		assert_int_equal(fseek(f, off, SEEK_SET), 0);
		assert_int_equal(fread(&b, 1, 1, f), 1);
		b ^= mask;
		assert_int_equal(fseek(f, off, SEEK_SET), 0);
		assert_int_equal(fwrite(&b, 1, 1, f), 1);
		assert_int_equal(fclose(f), 0);
		enum outcome out = at ? trial_child(dir, &want) : trial(dir, &want);
		count[out]++;
		if (out == WRONG || out == CRASHED || out == OURS || out == HUNG)
			print_message("flips: trial %ld: byte %ld ^ 0x%02x: %s\n", i, off, mask,
				      outcome_names[out]);
		tmpdir_remove(dir);
		if (at)
			break;
	}
	print_message("flips:");
	for (int k = 0; k < OUTCOMES; k++)
		print_message(" %s %ld", outcome_names[k], count[k]);
	print_message("\n");
	tmpdir_remove(base);
	assert_int_equal(count[WRONG], 0);
	assert_int_equal(count[OURS], 0);
	assert_int_equal(count[HUNG], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flips),
	};
	return cmocka_run_group_tests_name("flips", tests, NULL, NULL);
}
