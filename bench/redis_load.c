/*
 * redis_load.c - the same work per event, done by Redis, for comparison.
 *
 * Per event: XADD of the event record (the same bytes lawtally stores)
 * with its id to one stream, and 3 HINCRBY on hashes shaped like
 * lawtally's totals. C connections (threads), each pipelining DEPTH
 * events (4 x DEPTH commands) and reading every reply before the next
 * round. With the server on `appendonly yes` and `appendfsync always`,
 * Redis writes and fsyncs its AOF before it answers: durable acks, as in
 * lawtally. Records are packed before the clock starts.
 *
 *   redis_load --port P --events N [--conns C] [--depth D] [--seconds S]
 *
 * Prints "key value" lines: events, seconds, events_per_s. Any error
 * reply is fatal (exit 1).
 */
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "now.h"
#include "workload.h"
#include "xalloc.h"

#define CONNS_MAX 256
#define REC_HEADER_LEN 11

struct conn {
	int port;
	unsigned depth;
	double seconds, t0, t_last;
	uint64_t first, n, done;
	uint8_t (*ids)[16];
	uint8_t **rec;
	size_t *reclen;
	char (*field)[24];
	int failed;
	char err[160];
	pthread_t th;
};

/* Packs event i as lawtally's record; the counter field names its village and month. */
static void prepare(struct conn *c, uint64_t j, uint64_t i, uint64_t *rng)
{
	struct workload_event w;
	workload_event(&w, 3, i);
	workload_random_id(rng, c->ids[j]);
	workload_set_id(&w, c->ids[j]);
	size_t slen = strlen(w.e.source), plen = protobuf_c_message_get_packed_size(&w.e.base);
	c->reclen[j] = REC_HEADER_LEN + slen + plen;
	c->rec[j] = xcalloc(1, c->reclen[j]);
	c->rec[j][0] = 1;
	c->rec[j][10] = (uint8_t)slen;
	memcpy(c->rec[j] + REC_HEADER_LEN, w.e.source, slen);
	protobuf_c_message_pack(&w.e.base, c->rec[j] + REC_HEADER_LEN + slen);
	snprintf(c->field[j], sizeof(c->field[j]), "%u:%lld:%s", (unsigned)w.e.body_case,
		 (long long)((w.e.occurred_at - 1704038400) / (31 * 86400)) % 12 + 1,
		 w.e.village[0] ? w.e.village : "-");
}

static void *conn_run(void *arg)
{
	struct conn *c = arg;
	struct timeval tv = {10, 0};
	redisContext *rc = redisConnectWithTimeout("127.0.0.1", c->port, tv);
	if (!rc || rc->err) {
		snprintf(c->err, sizeof(c->err), "connect: %s", rc ? rc->errstr : "out of memory");
		c->failed = 1;
		if (rc)
			redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, tv);
	while (now_mono() < c->t0)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	while (c->done < c->n && (c->seconds <= 0 || now_mono() - c->t0 < c->seconds)) {
		uint64_t k = c->n - c->done < c->depth ? c->n - c->done : c->depth;
		for (uint64_t j = c->done; j < c->done + k; j++) {
			redisAppendCommand(rc, "XADD lawtally:events * id %b rec %b", c->ids[j],
					   (size_t)16, c->rec[j], c->reclen[j]);
			for (int m = 0; m < 3; m++)
				redisAppendCommand(rc, "HINCRBY lawtally:totals:%d %s 1", m, c->field[j]);
		}
		for (uint64_t r = 0; r < 4 * k; r++) {
			redisReply *rep;
			if (redisGetReply(rc, (void **)&rep) != REDIS_OK || !rep ||
			    rep->type == REDIS_REPLY_ERROR) {
				snprintf(c->err, sizeof(c->err), "reply: %s",
					 rep ? rep->str : rc->errstr);
				c->failed = 1;
				if (rep)
					freeReplyObject(rep);
				redisFree(rc);
				return NULL;
			}
			freeReplyObject(rep);
		}
		c->done += k;
		c->t_last = now_mono();
	}
	redisFree(rc);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"port", required_argument, NULL, 'p'},  {"events", required_argument, NULL, 'n'},
		{"conns", required_argument, NULL, 'c'}, {"depth", required_argument, NULL, 'd'},
		{"seconds", required_argument, NULL, 's'}, {NULL, 0, NULL, 0},
	};
	int port = 0, o;
	uint64_t n = 0;
	unsigned conns = 1, depth = 1000;
	double seconds = 0;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'p': port = atoi(optarg); break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'c': conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		default: goto usage;
		}
	}
	if (port <= 0 || n == 0 || conns < 1 || conns > CONNS_MAX || depth < 1 || optind != argc)
		goto usage;
	uint64_t rng;
	struct conn *cs = xcalloc(conns, sizeof(*cs));
	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng))
		return 1;
	double t0 = now_mono() + 0.2;
	for (unsigned i = 0; i < conns; i++) {
		struct conn *c = &cs[i];
		*c = (struct conn){.port = port, .depth = depth, .seconds = seconds, .t0 = t0};
		c->first = n / conns * i + (i < n % conns ? i : n % conns);
		c->n = n / conns + (i < n % conns);
		c->ids = xcalloc(c->n + 1, sizeof(*c->ids));
		c->rec = xcalloc(c->n + 1, sizeof(*c->rec));
		c->reclen = xcalloc(c->n + 1, sizeof(*c->reclen));
		c->field = xcalloc(c->n + 1, sizeof(*c->field));
		for (uint64_t j = 0; j < c->n; j++)
			prepare(c, j, c->first + j, &rng);
	}
	t0 = now_mono() + 0.2;
	for (unsigned i = 0; i < conns; i++) {
		cs[i].t0 = t0;
		if (pthread_create(&cs[i].th, NULL, conn_run, &cs[i]) != 0)
			return 1;
	}
	uint64_t done = 0;
	double t_end = t0;
	int failed = 0;
	for (unsigned i = 0; i < conns; i++) {
		pthread_join(cs[i].th, NULL);
		if (cs[i].failed) {
			fprintf(stderr, "redis_load: connection %u: %s\n", i, cs[i].err);
			failed = 1;
		}
		done += cs[i].done;
		if (cs[i].t_last > t_end)
			t_end = cs[i].t_last;
	}
	double secs = t_end - t0;
	printf("events %llu\nconns %u\ndepth %u\nseconds %.6f\nevents_per_s %.0f\n",
	       (unsigned long long)done, conns, depth, secs, secs > 0 ? (double)done / secs : 0.0);
	for (unsigned i = 0; i < conns; i++) {
		for (uint64_t j = 0; j < cs[i].n; j++)
			free(cs[i].rec[j]);
		free(cs[i].ids);
		free(cs[i].rec);
		free(cs[i].reclen);
		free(cs[i].field);
	}
	free(cs);
	return failed;
usage:
	fprintf(stderr, "usage: redis_load --port P --events N [--conns C] [--depth D] "
			"[--seconds S]\n");
	return 2;
}
