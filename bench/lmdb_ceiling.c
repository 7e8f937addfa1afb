/*
 * lmdb_ceiling.c - the raw LMDB ceiling for lawtally's ingest.
 *
 * Only the puts lawtally's store makes for an event, with nothing else:
 * no network, no protobuf decoding, no validation, no case records, no
 * tally rules. Per event, in one write transaction per batch with LMDB's
 * default (durable) sync mode:
 *   - the event record (the same bytes lawtally stores: an 11-byte header,
 *     the sender, the packed event of workload.h) under an append-only
 *     8-byte sequence key (MDB_APPEND);
 *   - the (id, scope) -> sequence entry in the ids index (MDB_NOOVERWRITE),
 *     keyed as lawtally's: the 16-byte id, then the event's scope key;
 *   - --counters (3) read-modify-writes of 8-byte counters under 14-byte
 *     keys shaped like lawtally's totals keys.
 * Records are packed before the clock starts.
 *
 *   lmdb_ceiling --dir DIR --events N --batch B [--ids v7|random]
 *                [--prefill P] [--seconds S] [--counters K]
 *
 * --prefill first stores P events the same way (8192 a commit, ids of the
 * same kind, untimed), so the timed part runs on a store of that size;
 * with --events 0 it only prefills, making a store that runs copy. A run
 * on an existing store continues its sequence. Prints "key value" lines:
 * events, stored_before, seconds, events_per_s, bytes_per_event.
 */
#include <getopt.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "byteorder.h"
#include "now.h"
#include "scope.h"
#include "uuid.h"
#include "workload.h"
#include "xalloc.h"

#define MAP_SIZE ((size_t)64 << 30)
#define PREFILL_BATCH 8192
#define COUNTERS_MAX 8
#define KEY_LEN 14
#define V7_BASE_MS 1704038400000ULL
#define REC_HEADER_LEN 11

struct env {
	MDB_env *env;
	MDB_dbi events, ids, totals;
	uint64_t seq;
	unsigned counters;
};

/* A prepared event: its record, ids key and counter keys. */
struct prep {
	uint8_t id[16 + SCOPE_KEY_MAX];
	size_t idlen;
	uint8_t keys[COUNTERS_MAX][KEY_LEN];
	uint8_t *rec;
	size_t reclen;
};

static int check(int rc, const char *what)
{
	if (rc)
		fprintf(stderr, "lmdb_ceiling: %s: %s\n", what, mdb_strerror(rc));
	return rc;
}

/* Packs event i as lawtally's record and derives its counter keys. */
static void prepare(struct prep *p, uint64_t seed, uint64_t i, const uint8_t id[16],
		    unsigned counters)
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
	/* metric, year, month, village, two dimensions: like a totals key */
	int64_t month = (w.e.occurred_at - 1704038400) / (31 * 86400);
	for (unsigned c = 0; c < counters; c++) {
		uint8_t *k = p->keys[c];
		memset(k, 0, KEY_LEN);
		k[0] = (uint8_t)(w.e.body_case * COUNTERS_MAX + c);
		be16_store(k + 1, 2024);
		k[3] = (uint8_t)(1 + month % 12);
		memcpy(k + 4, w.e.village, strlen(w.e.village));
		k[12] = (uint8_t)(i % 7);
		k[13] = (uint8_t)c;
	}
}

/* Applies events[0..n) in one durable transaction. Returns an MDB code. */
static int apply(struct env *e, const struct prep *ev, size_t n)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(e->env, NULL, 0, &txn);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		uint8_t sk[8];
		be64_store(sk, ++e->seq);
		MDB_val k = {8, sk}, v = {ev[i].reclen, ev[i].rec};
		rc = mdb_put(txn, e->events, &k, &v, MDB_APPEND);
		MDB_val ik = {ev[i].idlen, (void *)ev[i].id}, iv = {8, sk};
		if (!rc)
			rc = mdb_put(txn, e->ids, &ik, &iv, MDB_NOOVERWRITE);
		for (unsigned c = 0; c < e->counters && !rc; c++) {
			MDB_val ck = {KEY_LEN, (void *)ev[i].keys[c]}, cv;
			uint64_t cur = 0;
			rc = mdb_get(txn, e->totals, &ck, &cv);
			if (rc == 0 && cv.mv_size == 8)
				memcpy(&cur, cv.mv_data, 8);
			else if (rc != MDB_NOTFOUND)
				break;
			cur++;
			cv = (MDB_val){8, &cur};
			rc = mdb_put(txn, e->totals, &ck, &cv, 0);
		}
	}
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
			prepare(&ev[i], 1, at + i, id, e->counters);
		}
		rc = apply(e, ev, k);
		for (size_t i = 0; i < k; i++)
			free(ev[i].rec);
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
		{"counters", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	uint64_t n = 0, prefill = 0;
	unsigned batch = 256;
	double seconds = 0;
	int random_ids = 0, c;
	struct env e = {.counters = 3};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'b': batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': random_ids = strcmp(optarg, "random") == 0; break;
		case 'p': prefill = strtoull(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		case 'c': e.counters = (unsigned)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!dir || optind != argc || (n == 0 && prefill == 0) || batch < 1 || batch > 65536 ||
	    e.counters > COUNTERS_MAX)
		goto usage;
	uint64_t rng;
	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng))
		return 1;
	mkdir(dir, 0700);
	if (check(mdb_env_create(&e.env), "create") || check(mdb_env_set_maxdbs(e.env, 4), "maxdbs") ||
	    check(mdb_env_set_mapsize(e.env, MAP_SIZE), "mapsize") ||
	    check(mdb_env_open(e.env, dir, MDB_NOTLS, 0600), dir))
		return 1;
	MDB_txn *txn;
	if (check(mdb_txn_begin(e.env, NULL, 0, &txn), "begin") ||
	    check(mdb_dbi_open(txn, "events", MDB_CREATE, &e.events), "events") ||
	    check(mdb_dbi_open(txn, "ids", MDB_CREATE, &e.ids), "ids") ||
	    check(mdb_dbi_open(txn, "totals", MDB_CREATE, &e.totals), "totals") ||
	    check(last_seq(&e, txn), "events") || check(mdb_txn_commit(txn), "commit"))
		return 1;
	if (check(run_prefill(&e, prefill, random_ids, &rng), "prefill"))
		return 1;
	if (n == 0) { /* prefill only: a base store for later runs to copy */
		printf("prefill %llu\n", (unsigned long long)e.seq);
		mdb_env_close(e.env);
		return 0;
	}

	struct prep *ev = xcalloc(n, sizeof(*ev));
	for (uint64_t i = 0; i < n; i++) {
		uint8_t id[16];
		if (make_id(random_ids, 0, i, &rng, id)) {
			fprintf(stderr, "lmdb_ceiling: cannot prepare events\n");
			return 1;
		}
		prepare(&ev[i], 2, i, id, e.counters);
	}
	uint64_t stored_before = e.seq;
	double t0 = now_mono(), t = t0;
	uint64_t done = 0;
	int rc = 0;
	while (done < n && !rc && (seconds <= 0 || t - t0 < seconds)) {
		size_t k = n - done < batch ? (size_t)(n - done) : batch;
		rc = check(apply(&e, ev + done, k), "commit");
		done += k;
		t = now_mono();
	}
	MDB_envinfo info;
	MDB_stat es;
	mdb_env_info(e.env, &info);
	mdb_env_stat(e.env, &es);
	double secs = t - t0;
	if (!rc)
		printf("events %llu\nbatch %u\nids %s\nstored_before %llu\nseconds %.6f\nevents_per_s %.0f\n"
		       "bytes_per_event %.1f\n",
		       (unsigned long long)done, batch, random_ids ? "random" : "v7",
		       (unsigned long long)stored_before, secs, secs > 0 ? (double)done / secs : 0.0,
		       (double)(info.me_last_pgno + 1) * es.ms_psize / (double)(e.seq ? e.seq : 1));
	for (uint64_t i = 0; i < n; i++)
		free(ev[i].rec);
	free(ev);
	mdb_env_close(e.env);
	return rc ? 1 : 0;
usage:
	fprintf(stderr, "usage: lmdb_ceiling --dir DIR --events N --batch B [--ids v7|random] "
			"[--prefill P] [--seconds S] [--counters K]\n");
	return 2;
}
