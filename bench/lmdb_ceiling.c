/*
 * lmdb_ceiling.c - the raw LMDB ceiling for lawtally's ingest.
 *
 * Only the reads and puts lawtally's store makes for an event, sealed as
 * the store seals them (record.h: a CRC-32 of key and value after every
 * value, checked on every value read), with nothing else: no network, no
 * protobuf decoding, no validation, no tally rules at the clock. Before
 * the clock starts, each event of the mix (workload.h) is packed as the
 * store's record, and its case value after it and its totals deltas are
 * worked out by common/tally.c. Then, in one durable write transaction
 * per batch (LMDB's default sync):
 *   - per event, through cursors kept on their pages for the batch, the
 *     record under an append-only 8-byte sequence key (MDB_APPEND), its
 *     bytes copied into the reserved value and sealed;
 *     the (id, scope) -> sequence entry in the ids index (MDB_NOOVERWRITE:
 *     the put is the duplicate check; unsealed, as the store's); for an
 *     event of a case, the case read (its seal checked) and its new value
 *     put sealed;
 *   - per batch, the events' deltas summed per key (each total is put
 *     once, as the store does), then each total read, checked and put
 *     sealed, the two kinds of rollups the same way, each sender's record
 *     read, counted and put sealed, and the commit's id in meta.
 *
 *   lmdb_ceiling --dir DIR --events N --batch B [--ids v7|random]
 *                [--prefill P] [--seconds S] [--senders K]
 *
 * The timed events come in the order a daemon receives them from K (8)
 * senders of bench/run.sh (arrival_order), ids made in that order.
 *
 * --prefill first stores P events the same way (8192 a commit, ids of the
 * same kind, untimed), so the timed part runs on a store of that size;
 * with --events 0 it only prefills, making a store that runs copy. A run
 * on an existing store continues its sequence. Prints "key value" lines:
 * events, stored_before, seconds, events_per_s, cpu_us_per_event (this
 * process's user + system time), written_bytes_per_event (by pwrite and
 * writev), cpu_ms_per_commit and wait_ms_per_commit (the rest of a
 * commit's wall time: waiting for the disk), bytes_per_event (pages used).
 */
#include <getopt.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "byteorder.h"
#include "now.h"
#include "record.h"
#include "scope.h"
#include "senders.h"
#include "tally.h"
#include "uuid.h"
#include "workload.h"
#include "xalloc.h"

#define MAP_SIZE ((size_t)64 << 30)
#define PREFILL_BATCH 8192
#define V7_BASE_MS 1704038400000ULL
#define REC_HEADER_LEN 11
#define TZ_OFFSET (8 * 3600) /* the daemon's default zone */
#define DELTAS_MAX 12        /* totals one event of the mix changes, at most */
#define CASES_KEPT 16        /* cases of the mix still growing while events are prepared */
#define ROLLUP_KEY_LEN (1 + TALLY_KEY_LEN)
#define SENDERS_MAX 256
#define SENDER_REQUEST 256 /* events a request of bench/run.sh's senders */

struct env {
	MDB_env *env;
	MDB_dbi meta, events, ids, cases, totals, rollups, senders;
	uint64_t seq;
	struct tally_deltas batch, year; /* a batch's deltas, its rollups over the year */
};

/* A prepared event: its record, ids key, case key and value, deltas, sender. */
struct prep {
	uint8_t id[16 + SCOPE_KEY_MAX];
	size_t idlen;
	uint8_t *rec;
	size_t reclen;
	uint8_t casekey[TALLY_CASE_KEY_MAX];
	size_t caselen;     /* 0: not an event of a case */
	uint8_t *caseval;   /* the case's facts once this event is in (unsealed) */
	size_t casevlen;
	struct tally_delta d[DELTAS_MAX];
	size_t nd;
	unsigned sno;       /* its sender's number in sender_names */
	uint16_t year;
	uint8_t month;
};

/* The cases of the events prepared last (the mix's cases grow within a round). */
struct case_memo {
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen;
	struct tally_fact facts[TALLY_CASE_FACTS_MAX];
	size_t n;
};
static struct case_memo memo[CASES_KEPT];
static size_t memo_next;
static struct tally_deltas scratch;
static char sender_names[SENDERS_MAX][SENDER_NAME_MAX + 1];
static unsigned nsenders;

/* The number of sender name (claimed source, as lawtallyd without auth), given one. */
static unsigned sender_no(const char *name)
{
	for (unsigned j = 0; j < nsenders; j++)
		if (strcmp(sender_names[j], name) == 0)
			return j;
	if (nsenders == SENDERS_MAX)
		return 0;
	snprintf(sender_names[nsenders], sizeof(sender_names[0]), "%s", name);
	return nsenders++;
}

static int check(int rc, const char *what)
{
	if (rc)
		fprintf(stderr, "lmdb_ceiling: %s: %s\n", what, mdb_strerror(rc));
	return rc;
}

static struct case_memo *memo_find(const uint8_t *key, size_t klen)
{
	for (size_t i = 0; i < CASES_KEPT; i++)
		if (memo[i].klen == klen && memcmp(memo[i].key, key, klen) == 0)
			return &memo[i];
	struct case_memo *m = &memo[memo_next++ % CASES_KEPT];
	memcpy(m->key, key, klen);
	m->klen = klen;
	m->n = 0;
	return m;
}

/* Packs event i as lawtally's record; works out its case value and deltas. */
static void prepare(struct prep *p, uint64_t seed, uint64_t i, const uint8_t id[16])
{
	struct workload_event w;
	workload_event(&w, seed, i);
	workload_set_id(&w, id);
	memcpy(p->id, id, 16);
	p->idlen = 16 + scope_event_key(&w.e, p->id + 16);
	size_t slen = strlen(w.e.source), plen = protobuf_c_message_get_packed_size(&w.e.base);
	p->reclen = REC_HEADER_LEN + slen + plen;
	p->rec = xmalloc(p->reclen);
	memset(p->rec, 0, REC_HEADER_LEN);
	p->rec[0] = 1;
	le64_store(p->rec + 2, (uint64_t)time(NULL));
	p->rec[10] = (uint8_t)slen;
	memcpy(p->rec + REC_HEADER_LEN, w.e.source, slen);
	protobuf_c_message_pack(&w.e.base, p->rec + REC_HEADER_LEN + slen);
	p->sno = sender_no(w.e.source);
	tally_year_month(w.e.occurred_at, TZ_OFFSET, &p->year, &p->month);

	struct tally_fact f;
	tally_deltas_reset(&scratch);
	p->caselen = 0;
	p->caseval = NULL;
	if (tally_fact_from_event(&w.e, TZ_OFFSET, &f) == 0 && tally_kind_has_cases(f.kind)) {
		p->caselen = tally_case_key(&w.e, p->casekey);
		struct case_memo *m = memo_find(p->casekey, p->caselen);
		tally_contrib(m->facts, m->n, -1, &scratch);
		tally_facts_insert(m->facts, &m->n, &f);
		tally_contrib(m->facts, m->n, +1, &scratch);
		p->casevlen = tally_facts_encoded_len(m->n);
		p->caseval = xmalloc(p->casevlen);
		tally_facts_encode(m->facts, m->n, p->caseval);
	} else {
		tally_contrib(&f, 1, +1, &scratch);
	}
	tally_deltas_merge(&scratch);
	p->nd = scratch.n < DELTAS_MAX ? scratch.n : DELTAS_MAX;
	memcpy(p->d, scratch.d, p->nd * sizeof(p->d[0]));
}

static void prep_free(struct prep *p)
{
	free(p->rec);
	free(p->caseval);
}

/* Puts a sealed copy of the vlen bytes at v under k through cursor c. MDB code. */
static int put_sealed(MDB_cursor *c, MDB_val *k, const void *v, size_t vlen, unsigned flags)
{
	MDB_val d = {vlen + RECORD_SEAL_LEN, NULL};
	int rc = mdb_cursor_put(c, k, &d, flags | MDB_RESERVE);
	if (rc)
		return rc;
	memcpy(d.mv_data, v, vlen);
	record_seal(k, d.mv_data, vlen);
	return 0;
}

/*
 * Reads key k of the cursor's database with its seal checked (the key as
 * the page holds it, as the store's store_get): 0, MDB_NOTFOUND or an MDB
 * code. k stays the caller's.
 */
static int get_sealed(MDB_cursor *c, const MDB_val *k, MDB_val *v)
{
	MDB_val pk = *k;
	int rc = mdb_cursor_get(c, &pk, v, MDB_SET_KEY);
	if (!rc && record_open(&pk, v) != 0)
		return MDB_CORRUPTED;
	return rc;
}

/* Adds delta to the sealed i64 under key (deleting it at 0), as the store's totals. */
static int add_i64(MDB_cursor *c, const uint8_t *key, size_t klen, int64_t delta)
{
	uint8_t vb[8 + RECORD_SEAL_LEN];
	MDB_val k = {klen, (void *)key}, v;
	int rc = get_sealed(c, &k, &v);
	int64_t cur = delta;
	if (rc == MDB_NOTFOUND && delta == 0)
		return 0;
	unsigned flags = 0;
	if (rc == 0) {
		cur += (int64_t)le64_load(v.mv_data);
		flags = MDB_CURRENT;
		if (cur == 0)
			return mdb_cursor_del(c, 0);
	} else if (rc != MDB_NOTFOUND) {
		return rc;
	}
	le64_store(vb, (uint64_t)cur);
	record_seal(&k, vb, 8);
	v = (MDB_val){sizeof(vb), vb};
	return mdb_cursor_put(c, &k, &v, flags);
}

/* The batch's summed deltas into the totals and both kinds of rollups. */
static int put_totals(struct env *e, MDB_txn *txn)
{
	MDB_cursor *tc, *rc_;
	struct tally_deltas *d = &e->batch, *year = &e->year;
	tally_deltas_merge(d);
	tally_deltas_reset(year);
	int rc = mdb_cursor_open(txn, e->totals, &tc);
	if (!rc)
		rc = mdb_cursor_open(txn, e->rollups, &rc_);
	uint8_t kb[ROLLUP_KEY_LEN];
	for (size_t i = 0; i < d->n && !rc; i++) {
		tally_key_encode(&d->d[i].key, kb);
		rc = add_i64(tc, kb, TALLY_KEY_LEN, d->d[i].value);
	}
	for (size_t i = 0; i < d->n && !rc;) {
		struct tally_key run = d->d[i].key;
		run.dim[0] = run.dim[1] = 0;
		int64_t sum = 0;
		for (; i < d->n && d->d[i].key.metric == run.metric && d->d[i].key.year == run.year &&
		       d->d[i].key.month == run.month &&
		       memcmp(d->d[i].key.village, run.village, sizeof(run.village)) == 0;
		     i++) {
			struct tally_key y = d->d[i].key;
			y.month = 0;
			memset(y.village, 0, sizeof(y.village));
			sum += d->d[i].value;
			tally_deltas_add(year, &y, d->d[i].value);
		}
		kb[0] = 1;
		tally_key_encode(&run, kb + 1);
		rc = add_i64(rc_, kb, ROLLUP_KEY_LEN, sum);
	}
	if (!rc)
		tally_deltas_merge(year);
	for (size_t i = 0; i < year->n && !rc; i++) {
		kb[0] = 2;
		tally_key_encode(&year->d[i].key, kb + 1);
		rc = add_i64(rc_, kb, ROLLUP_KEY_LEN, year->d[i].value);
	}
	return rc;
}

/* Each sender's record of the batch read, counted and put back sealed. */
static int put_senders(struct env *e, MDB_txn *txn, const struct prep *ev, size_t n)
{
	static struct sender_record recs[SENDERS_MAX];
	static unsigned list[SENDERS_MAX];
	static int seen[SENDERS_MAX];
	size_t nn = 0;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, e->senders, &c);
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned j = ev[i].sno;
		struct sender_record *rec = &recs[j];
		if (!seen[j]) {
			seen[j] = 1;
			list[nn++] = j;
			memset(rec, 0, sizeof(*rec));
			MDB_val k = {strlen(sender_names[j]), sender_names[j]}, v;
			rc = get_sealed(c, &k, &v);
			if (rc == 0)
				sender_record_decode(rec, v.mv_data, v.mv_size);
			else if (rc == MDB_NOTFOUND)
				rc = 0;
			rec->last_received = (int64_t)time(NULL);
		}
		sender_record_count(rec, ev[i].year, ev[i].month, 1);
	}
	for (size_t l = 0; l < nn; l++) {
		unsigned j = list[l];
		seen[j] = 0;
		uint8_t buf[SENDER_RECORD_MAX];
		MDB_val k = {strlen(sender_names[j]), sender_names[j]};
		if (!rc)
			rc = put_sealed(c, &k, buf, sender_record_encode(&recs[j], buf), 0);
	}
	return rc;
}

/* Applies events[0..n) in one durable transaction. Returns an MDB code. */
static int apply(struct env *e, const struct prep *ev, size_t n)
{
	MDB_txn *txn;
	MDB_cursor *cc, *ec, *ic;
	int rc = mdb_txn_begin(e->env, NULL, 0, &txn);
	if (rc)
		return rc;
	/* cursors kept on their pages, as the store's: no descent for a key near the last */
	rc = mdb_cursor_open(txn, e->cases, &cc);
	if (!rc)
		rc = mdb_cursor_open(txn, e->events, &ec);
	if (!rc)
		rc = mdb_cursor_open(txn, e->ids, &ic);
	tally_deltas_reset(&e->batch);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct prep *p = &ev[i];
		if (p->caselen) {
			MDB_val ck = {p->caselen, (void *)p->casekey}, cv;
			rc = get_sealed(cc, &ck, &cv);
			if (rc && rc != MDB_NOTFOUND)
				break;
			rc = put_sealed(cc, &ck, p->caseval, p->casevlen, rc ? 0 : MDB_CURRENT);
		}
		uint8_t sk[8];
		be64_store(sk, ++e->seq);
		MDB_val k = {8, sk};
		if (!rc)
			rc = put_sealed(ec, &k, p->rec, p->reclen, MDB_APPEND);
		MDB_val ik = {p->idlen, (void *)p->id}, iv = {8, sk};
		if (!rc)
			rc = mdb_cursor_put(ic, &ik, &iv, MDB_NOOVERWRITE);
		for (size_t j = 0; j < p->nd && !rc; j++)
			tally_deltas_add(&e->batch, &p->d[j].key, p->d[j].value);
	}
	if (!rc)
		rc = put_totals(e, txn);
	if (!rc)
		rc = put_senders(e, txn, ev, n);
	uint8_t id[8 + RECORD_SEAL_LEN];
	le64_store(id, (uint64_t)mdb_txn_id(txn));
	MDB_val mk = {6, "commit"}, mv = {sizeof(id), id};
	record_seal(&mk, id, 8);
	if (!rc)
		rc = mdb_put(txn, e->meta, &mk, &mv, 0);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/* Continues the sequence of a store made earlier (a copy of a prefilled one). */
static int last_seq(struct env *e, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, e->events, &c);
	if (rc)
		return rc;
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc || k.mv_size != 8)
		return rc ? rc : MDB_CORRUPTED;
	e->seq = be64_load(k.mv_data);
	return 0;
}

/* Bytes this process has written through write(2) and its kin (/proc/self/io). */
static double written_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	double v = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "wchar: %lf", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* User + system CPU time of this process so far. */
static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int make_id(int random_ids, int past, uint64_t i, uint64_t *rng, uint8_t id[16])
{
	if (random_ids) {
		workload_random_id(rng, id);
		return 0;
	}
	if (!past)
		return uuid_v7(id);
	uint64_t r = workload_rand(rng), r2 = workload_rand(rng);
	uint8_t rnd[10];
	memcpy(rnd, &r, 8);
	memcpy(rnd + 8, &r2, 2);
	uuid_v7_from(id, V7_BASE_MS + i, rnd);
	return 0;
}

/*
 * The order in which a daemon receives the mix from loadgen's senders:
 * sender s sends its own part of events 0..n-1 (the s-th of senders equal
 * parts), in requests of req events, and the requests arrive round robin
 * (as loadgen packs them, ids in that order). Returns the n event indices.
 */
static uint64_t *arrival_order(uint64_t n, unsigned senders, unsigned req)
{
	uint64_t *order = xcalloc(n ? n : 1, sizeof(*order)), per = n / senders, extra = n % senders;
	uint64_t at = 0;
	for (uint64_t b = 0; at < n; b++)
		for (unsigned s = 0; s < senders; s++) {
			uint64_t first = s * per + (s < extra ? s : extra), ns = per + (s < extra);
			for (uint64_t i = b * req; i < (b + 1) * req && i < ns; i++)
				order[at++] = first + i;
		}
	return order;
}

/* Prepares and applies n events from index first in batches; untimed. */
static int run_prefill(struct env *e, uint64_t n, int random_ids, uint64_t *rng)
{
	struct prep *ev = xcalloc(PREFILL_BATCH, sizeof(*ev));
	int rc = 0;
	for (uint64_t at = 0; at < n && !rc; at += PREFILL_BATCH) {
		size_t k = n - at < PREFILL_BATCH ? (size_t)(n - at) : PREFILL_BATCH;
		for (size_t i = 0; i < k; i++) {
			uint8_t id[16];
			make_id(random_ids, 1, at + i, rng, id);
			prepare(&ev[i], 1, at + i, id);
		}
		rc = apply(e, ev, k);
		for (size_t i = 0; i < k; i++)
			prep_free(&ev[i]);
	}
	free(ev);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dir", required_argument, NULL, 'd'},     {"events", required_argument, NULL, 'n'},
		{"batch", required_argument, NULL, 'b'},   {"ids", required_argument, NULL, 'i'},
		{"prefill", required_argument, NULL, 'p'}, {"seconds", required_argument, NULL, 's'},
		{"senders", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	uint64_t n = 0, prefill = 0;
	unsigned batch = 256;
	double seconds = 0;
	int random_ids = 0, c;
	unsigned senders = 8;
	struct env e = {0};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'b': batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': random_ids = strcmp(optarg, "random") == 0; break;
		case 'p': prefill = strtoull(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		case 'S': senders = (unsigned)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!dir || optind != argc || (n == 0 && prefill == 0) || batch < 1 || batch > 65536 ||
	    senders < 1)
		goto usage;
	uint64_t rng;
	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng))
		return 1;
	mkdir(dir, 0700);
	if (check(mdb_env_create(&e.env), "create") || check(mdb_env_set_maxdbs(e.env, 8), "maxdbs") ||
	    check(mdb_env_set_mapsize(e.env, MAP_SIZE), "mapsize") ||
	    check(mdb_env_open(e.env, dir, MDB_NOTLS, 0600), dir))
		return 1;
	MDB_txn *txn;
	if (check(mdb_txn_begin(e.env, NULL, 0, &txn), "begin") ||
	    check(mdb_dbi_open(txn, "events", MDB_CREATE, &e.events), "events") ||
	    check(mdb_dbi_open(txn, "ids", MDB_CREATE, &e.ids), "ids") ||
	    check(mdb_dbi_open(txn, "totals", MDB_CREATE, &e.totals), "totals") ||
	    check(mdb_dbi_open(txn, "meta", MDB_CREATE, &e.meta), "meta") ||
	    check(mdb_dbi_open(txn, "cases", MDB_CREATE, &e.cases), "cases") ||
	    check(mdb_dbi_open(txn, "rollups", MDB_CREATE, &e.rollups), "rollups") ||
	    check(mdb_dbi_open(txn, "senders", MDB_CREATE, &e.senders), "senders") ||
	    check(last_seq(&e, txn), "events") || check(mdb_txn_commit(txn), "commit"))
		return 1;
	if (check(run_prefill(&e, prefill, random_ids, &rng), "prefill"))
		return 1;
	if (n == 0) { /* prefill only: a base store for later runs to copy */
		printf("prefill %llu\n", (unsigned long long)e.seq);
		mdb_env_close(e.env);
		return 0;
	}

	/* ids made in arrival order; cases worked out in the mix's own order, where they grow */
	struct prep *ev = xcalloc(n, sizeof(*ev)), *byindex = xcalloc(n, sizeof(*ev));
	uint64_t *order = arrival_order(n, senders, SENDER_REQUEST);
	uint8_t(*ids)[16] = xcalloc(n, 16);
	for (uint64_t j = 0; j < n; j++)
		if (make_id(random_ids, 0, j, &rng, ids[order[j]])) {
			fprintf(stderr, "lmdb_ceiling: cannot prepare events\n");
			return 1;
		}
	for (uint64_t i = 0; i < n; i++)
		prepare(&byindex[i], 2, i, ids[i]);
	for (uint64_t j = 0; j < n; j++)
		ev[j] = byindex[order[j]];
	free(byindex);
	free(ids);
	uint64_t stored_before = e.seq;
	double cpu0 = cpu_seconds(), wc0 = written_bytes(), t0 = now_mono(), t = t0;
	uint64_t commits = 0;
	uint64_t done = 0;
	int rc = 0;
	while (done < n && !rc && (seconds <= 0 || t - t0 < seconds)) {
		size_t k = n - done < batch ? (size_t)(n - done) : batch;
		rc = check(apply(&e, ev + done, k), "commit");
		done += k;
		commits++;
		t = now_mono();
	}
	MDB_envinfo info;
	MDB_stat es;
	mdb_env_info(e.env, &info);
	mdb_env_stat(e.env, &es);
	double secs = t - t0, cpu = cpu_seconds() - cpu0, wc = written_bytes() - wc0;
	if (!rc)
		printf("events %llu\nbatch %u\nids %s\nstored_before %llu\nseconds %.6f\nevents_per_s %.0f\n"
		       "cpu_us_per_event %.2f\nwritten_bytes_per_event %.0f\ncpu_ms_per_commit %.3f\n"
		       "wait_ms_per_commit %.3f\nbytes_per_event %.1f\n",
		       (unsigned long long)done, batch, random_ids ? "random" : "v7",
		       (unsigned long long)stored_before, secs, secs > 0 ? (double)done / secs : 0.0,
		       done ? cpu * 1e6 / (double)done : 0.0, done ? wc / (double)done : 0.0,
		       commits ? cpu * 1000 / (double)commits : 0.0,
		       commits ? (secs - cpu) * 1000 / (double)commits : 0.0,
		       (double)(info.me_last_pgno + 1) * es.ms_psize / (double)(e.seq ? e.seq : 1));
	for (uint64_t i = 0; i < n; i++)
		prep_free(&ev[i]);
	free(ev);
	free(order);
	tally_deltas_free(&e.batch);
	tally_deltas_free(&e.year);
	tally_deltas_free(&scratch);
	mdb_env_close(e.env);
	return rc ? 1 : 0;
usage:
	fprintf(stderr, "usage: lmdb_ceiling --dir DIR --events N --batch B [--ids v7|random] "
			"[--prefill P] [--seconds S] [--senders K]\n");
	return 2;
}
