/*
 * cmd_simulate.c - `lawtally simulate`: realistic senders at a given rate,
 * for demos, tests and benchmarks.
 *
 * The senders are those of docs/model.md: the 41 village mediation centres
 * (built-in village list), each registering disputes of its own village
 * and later closing them (resolved, passed up, or not resolved) and
 * attending trainings; and the enforcement team's recording devices.
 * Events carry the current time and fresh UUIDv7 ids, and are paced to
 * --rate per second. At the end the command prints what it sent, what the
 * daemon answered, and the totals those events must add to the current
 * year, so that a test or a benchmark can check them.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byteorder.h"
#include "cli.h"
#include "client.h"
#include "err.h"
#include "forward.h"
#include "i18n.h"
#include "keys.h"
#include "now.h"
#include "spool.h"
#include "uuid.h"
#include "villages.h"
#include "xalloc.h"

#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DEVICES 12
#define OPEN_MAX 64          /* open cases a centre keeps before it must close one */
#define TICK_MAX_MS 50
#define COUNT_MAX 100000000UL

const char cmd_simulate_help[] =
	"Usage: lawtally simulate [--rate R] [--count N | --duration SEC] [--seed S] [OPTIONS]\n"
	"\n"
	"Plays realistic senders against lawtallyd: the 41 village mediation centres\n"
	"registering and closing disputes of their own village and attending trainings,\n"
	"and the enforcement team's recording devices. Events carry the current time.\n"
	"At the end it prints what was sent, the daemon's answers and the totals the\n"
	"events add to the current year (disputes.registered, ..., enforcement.actions).\n"
	"\n"
	"  -r, --rate R          events per second (default 100; 0: as fast as acked)\n"
	"  -n, --count N         stop after N events (default 1000)\n"
	"  -d, --duration SEC    stop after SEC seconds instead\n"
	"  -S, --seed S          the mix of senders and cases (default 1)\n"
	"  -s, --spool DIR       go through this spool, as a village PC would\n"
	"  -D, --drop P          lose this share of the events (0 to 1, e.g. 0.01) after\n"
	"                        they are numbered, so that the daemon sees gaps; needs\n"
	"                        --spool: one spool per sender under DIR, whose lost\n"
	"                        events stay queued (lawtally spool flush sends them)\n"
	"  -j, --json            the summary as one JSON object\n"
	"  -e, --endpoint E      ingest endpoint (default $LAWTALLY_INGEST or\n"
	"                        " DEFAULT_INGEST ")\n"
	"  -t, --timeout SEC     give up after SEC seconds without an Ack (default 10)\n"
	"  -b, --batch N         events per request, 1-1000 (default 100)\n"
	"  -w, --window N        requests in flight, 1-64 (default 8)\n"
	KEYS_HELP
	"\n"
	"Exit: 0 all acknowledged; 1 some rejected; 2 usage; 3 the daemon did not answer.\n";

/* What the centres register, in rough proportion to a township's ledgers. */
static const struct {
	int category;
	unsigned weight;
} category_mix[] = {
	{CAT(NEIGHBOUR), 30}, {CAT(MARRIAGE_FAMILY), 22}, {CAT(LAND), 14},
	{CAT(HOUSING_HOMESTEAD), 10}, {CAT(DAMAGES), 6}, {CAT(CONTRACT), 5},
	{CAT(LABOUR_SOCIAL_SECURITY), 4}, {CAT(TRAFFIC), 3}, {CAT(LAND_ACQUISITION), 2},
	{CAT(ENVIRONMENT), 2}, {CAT(OTHER), 2},
};

/* How a case ends, per mille. */
static const struct {
	int stage;
	unsigned weight;
} outcome_mix[] = {
	{DSTAGE(RESOLVED), 850}, {DSTAGE(ESCALATED), 80}, {DSTAGE(UNRESOLVED), 70},
};

static const char *const topics[] = {
	"人民调解员业务培训", "民法典婚姻家庭编", "土地承包纠纷调处", "信访法治化",
};

enum sim_kind { SIM_REGISTER, SIM_CLOSE, SIM_TRAINING, SIM_ENFORCEMENT };

struct sim_event {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Training t;
	Lawtally__V1__Enforcement x;
	uint8_t id[UUID_LEN];
	char village[VILLAGE_CODE_MAX + 1], source[32], case_id[40], device[16];
};

struct centre {
	unsigned open[OPEN_MAX]; /* case numbers still open */
	uint8_t open_cat[OPEN_MAX];
	size_t nopen;
};

struct sim {
	uint64_t rng;
	struct villages villages;
	struct centre *centre;
	unsigned next_case;
	long long run; /* random per run: case numbers of two runs never meet */
	/* what the events add to the year's totals */
	uint64_t registered, resolved, escalated, unresolved, sessions, attendees, actions,
		recorded;
	uint64_t accepted, duplicate, rejected;
	/* --drop: one spool per sender; what each lost (the events' own numbers) */
	double drop;
	struct sender_spool *spools;
	size_t nspools, cur;
};

#define SENDERS_MAX 256

struct sender_spool {
	char name[32];
	struct spool *sp;
	uint64_t considered;   /* spool numbers up to this one were drawn for --drop */
	uint64_t *held;        /* spool numbers held back, ascending */
	uint64_t *numbers;     /* and the numbers those events carry */
	size_t nheld, capheld;
};

static uint64_t rnd(struct sim *s)
{
	uint64_t z = (s->rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned below(struct sim *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

static void envelope(struct sim_event *v, const char *village, const char *source)
{
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	snprintf(v->village, sizeof(v->village), "%s", village);
	snprintf(v->source, sizeof(v->source), "%s", source);
	v->e.id.data = v->id;
	v->e.id.len = UUID_LEN;
	v->e.village = v->village;
	v->e.source = v->source;
	v->e.occurred_at = (int64_t)time(NULL);
}

/*
 * The run's part of its case numbers: random bits of a fresh id, so that
 * two runs started within the same second do not share a case.
 */
static long long run_id(void)
{
	uint8_t id[UUID_LEN];
	if (uuid_v7(id) != 0)
		return (long long)time(NULL);
	return (long long)(be64_load(id + 8) >> 1);
}

static void dispute(struct sim *s, struct sim_event *v, size_t vi, unsigned number, int cat,
		    int stage)
{
	char src[32];
	snprintf(src, sizeof(src), "centre-%s", s->villages.v[vi].code);
	envelope(v, s->villages.v[vi].code, src);
	snprintf(v->case_id, sizeof(v->case_id), "SIM-%llx-%u", s->run, number);
	v->d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
	v->d.case_id = v->case_id;
	v->d.category = cat;
	v->d.stage = stage;
	v->d.initiated = 1 + (int)below(s, 3);
	if (stage == DSTAGE(RESOLVED) && below(s, 10) < 4)
		v->d.agreement_amount_fen = (uint64_t)(500 + below(s, 49500)) * 100;
	v->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	v->e.dispute = &v->d;
}

/* One event from one of the senders, drawn by the mix; keeps the expected totals. */
static int make_event(struct sim *s, struct sim_event *v)
{
	unsigned r = below(s, 100);
	size_t vi = below(s, (unsigned)s->villages.n);
	struct centre *c = &s->centre[vi];
	if (uuid_v7(v->id))
		return LT_ESYS;
	if (r < 55 && (c->nopen == OPEN_MAX || (c->nopen && below(s, 100) < 45))) {
		size_t k = below(s, (unsigned)c->nopen);
		unsigned w = below(s, 1000), acc = 0;
		int stage = outcome_mix[0].stage;
		for (size_t i = 0; i < NELEM(outcome_mix); i++)
			if (w < (acc += outcome_mix[i].weight)) {
				stage = outcome_mix[i].stage;
				break;
			}
		dispute(s, v, vi, c->open[k], c->open_cat[k], stage);
		c->open[k] = c->open[c->nopen - 1];
		c->open_cat[k] = c->open_cat[c->nopen - 1];
		c->nopen--;
		s->resolved += stage == DSTAGE(RESOLVED);
		s->escalated += stage == DSTAGE(ESCALATED);
		s->unresolved += stage == DSTAGE(UNRESOLVED);
	} else if (r < 55) {
		unsigned total = 0, w;
		for (size_t i = 0; i < NELEM(category_mix); i++)
			total += category_mix[i].weight;
		w = below(s, total);
		size_t i = 0;
		while (w >= category_mix[i].weight)
			w -= category_mix[i++].weight;
		unsigned number = ++s->next_case;
		dispute(s, v, vi, number, category_mix[i].category, DSTAGE(REGISTERED));
		c->open[c->nopen] = number;
		c->open_cat[c->nopen++] = (uint8_t)category_mix[i].category;
		s->registered++;
	} else if (r < 60) {
		char src[32];
		snprintf(src, sizeof(src), "centre-%s", s->villages.v[vi].code);
		envelope(v, s->villages.v[vi].code, src);
		v->t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
		v->t.attendees = 5 + below(s, 40);
		v->t.topic = (char *)topics[below(s, NELEM(topics))];
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
		v->e.training = &v->t;
		s->sessions++;
		s->attendees += v->t.attendees;
	} else {
		char dev[16];
		snprintf(dev, sizeof(dev), "device-%02u", 1 + below(s, DEVICES));
		envelope(v, "", dev);
		snprintf(v->device, sizeof(v->device), "%s", dev);
		v->x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
		v->x.campaign = 1 + (int)below(s, 3);
		v->x.action = 1 + (int)below(s, 7);
		v->x.recorded = below(s, 10) < 8;
		v->x.device_id = v->device;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
		v->e.enforcement = &v->x;
		s->actions++;
		s->recorded += v->x.recorded;
	}
	return 0;
}

static void on_ack(size_t i, Lawtally__V1__Ack__Status status, const char *reason, void *arg)
{
	struct sim *s = arg;
	(void)i;
	if (status == LAWTALLY__V1__ACK__STATUS__ACCEPTED)
		s->accepted++;
	else if (status == LAWTALLY__V1__ACK__STATUS__DUPLICATE)
		s->duplicate++;
	else if (s->rejected++ < 10)
		printf(_("rejected: %s\n"), reason ? reason : "no reason given");
}

static void on_reject(uint64_t seq, const Lawtally__V1__Event *e, const char *reason, void *arg)
{
	(void)seq;
	(void)e;
	on_ack(0, LAWTALLY__V1__ACK__STATUS__REJECTED, reason, arg);
}

/*
 * forward_hold_fn of --drop: an event first taken is lost with probability
 * s->drop, and stays lost for the rest of the run (a later flush takes it
 * again from the spool).
 */
static int hold(uint64_t seq, const Lawtally__V1__Event *e, void *arg)
{
	struct sim *s = arg;
	struct sender_spool *ss = &s->spools[s->cur];
	if (seq <= ss->considered) {
		for (size_t i = 0; i < ss->nheld; i++)
			if (ss->held[i] == seq)
				return 1;
		return 0;
	}
	ss->considered = seq;
	if ((double)(rnd(s) >> 11) / 9007199254740992.0 >= s->drop)
		return 0;
	if (ss->nheld == ss->capheld) {
		ss->capheld = ss->capheld ? ss->capheld * 2 : 16;
		ss->held = xreallocarray(ss->held, ss->capheld, sizeof(*ss->held));
		ss->numbers = xreallocarray(ss->numbers, ss->capheld, sizeof(*ss->numbers));
	}
	ss->held[ss->nheld] = seq;
	ss->numbers[ss->nheld++] = e->seq;
	return 1;
}

/* "dropped":{"centre-ZL07":[41,47],...}: the numbers each sender lost. */
static void print_dropped(const struct sim *s)
{
	uint64_t n = 0;
	printf(",\"dropped\":{");
	for (size_t i = 0; i < s->nspools; i++) {
		const struct sender_spool *ss = &s->spools[i];
		if (!ss->nheld)
			continue;
		printf("%s\"%s\":[", n++ ? "," : "", ss->name);
		for (size_t k = 0; k < ss->nheld; k++)
			printf("%s%llu", k ? "," : "", (unsigned long long)ss->numbers[k]);
		printf("]");
	}
	printf("}");
}

static uint64_t dropped_total(const struct sim *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->nspools; i++)
		n += s->spools[i].nheld;
	return n;
}

static void summary(const struct sim *s, uint64_t made, double secs, int json)
{
	double rate = secs > 0 ? (double)made / secs : 0;
	if (json) {
		printf("{\"events\":%llu,\"seconds\":%.3f,\"rate\":%.1f,\"accepted\":%llu,"
		       "\"duplicate\":%llu,\"rejected\":%llu,\"expected\":{"
		       "\"disputes.registered\":%llu,\"disputes.resolved\":%llu,"
		       "\"disputes.escalated\":%llu,\"disputes.unresolved\":%llu,"
		       "\"trainings.sessions\":%llu,\"trainings.attendees\":%llu,"
		       "\"enforcement.actions\":%llu,\"enforcement.recorded\":%llu}",
		       (unsigned long long)made, secs, rate, (unsigned long long)s->accepted,
		       (unsigned long long)s->duplicate, (unsigned long long)s->rejected,
		       (unsigned long long)s->registered, (unsigned long long)s->resolved,
		       (unsigned long long)s->escalated, (unsigned long long)s->unresolved,
		       (unsigned long long)s->sessions, (unsigned long long)s->attendees,
		       (unsigned long long)s->actions, (unsigned long long)s->recorded);
		if (s->spools)
			print_dropped(s);
		printf("}\n");
		return;
	}
	printf(_("simulate: %llu events in %.2f s (%.0f/s): %llu accepted, %llu duplicate, %llu rejected\n"),
	       (unsigned long long)made, secs, rate, (unsigned long long)s->accepted,
	       (unsigned long long)s->duplicate, (unsigned long long)s->rejected);
	printf(_("adds to this year: disputes.registered %llu, disputes.resolved %llu, "
	       "disputes.escalated %llu, disputes.unresolved %llu, trainings.sessions %llu, "
	       "enforcement.actions %llu\n"),
	       (unsigned long long)s->registered, (unsigned long long)s->resolved,
	       (unsigned long long)s->escalated, (unsigned long long)s->unresolved,
	       (unsigned long long)s->sessions, (unsigned long long)s->actions);
	if (s->spools)
		printf(_("lost on purpose (--drop), still queued in their spools: %llu events\n"),
		       (unsigned long long)dropped_total(s));
}

/* The spool of sender name under dir, opened (created) on first use; NULL with err set. */
static struct sender_spool *sender_spool(struct sim *s, const char *dir, const char *name,
					 char *err, size_t errlen)
{
	for (size_t i = 0; i < s->nspools; i++)
		if (strcmp(s->spools[i].name, name) == 0)
			return &s->spools[i];
	if (s->nspools == SENDERS_MAX) {
		snprintf(err, errlen, "more than %d senders", SENDERS_MAX);
		return NULL;
	}
	struct sender_spool *ss = &s->spools[s->nspools];
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(ss, 0, sizeof(*ss));
	snprintf(ss->name, sizeof(ss->name), "%s", name);
	if (spool_open(&ss->sp, path, SPOOL_CREATE | SPOOL_SEND, NULL, err, errlen))
		return NULL;
	s->nspools++;
	return ss;
}

/*
 * --drop: each sender's events into its own spool, then each spool
 * flushed with the lost ones held back. Returns 0, or an LT_E* code with err.
 */
static int send_per_sender(struct sim *s, const char *dir, Lawtally__V1__Event **evp, size_t n,
			   struct forward_opts *fo, char *err, size_t errlen)
{
	Lawtally__V1__Event **mine = xcalloc(n, sizeof(*mine));
	char *touched = xcalloc(SENDERS_MAX, 1);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!evp[i])
			continue;
		struct sender_spool *ss = sender_spool(s, dir, evp[i]->source, err, errlen);
		if (!ss) {
			rc = LT_EIO;
			break;
		}
		size_t k = 0;
		for (size_t j = i; j < n; j++)
			if (evp[j] && strcmp(evp[j]->source, ss->name) == 0) {
				mine[k++] = evp[j];
				evp[j] = NULL;
			}
		rc = spool_enqueue(ss->sp, mine, k, NULL, err, errlen);
		touched[ss - s->spools] = 1;
	}
	for (size_t i = 0; i < s->nspools && !rc; i++) {
		struct forward_result res;
		if (!touched[i])
			continue;
		s->cur = i;
		rc = forward_flush(s->spools[i].sp, fo, &res, err, errlen);
		s->accepted += res.accepted;
		s->duplicate += res.duplicate;
	}
	free(touched);
	free(mine);
	return rc;
}

struct pace {
	double rate;            /* events/s, 0: unpaced */
	unsigned long count;    /* stop after, 0: by duration */
	int duration_ms;
};

/* How many events are due now; -1 once the run is over. */
static long due(const struct pace *p, int64_t start, uint64_t made, long chunk)
{
	int64_t el = now_mono_ms() - start;
	if (p->count ? made >= p->count : el >= p->duration_ms)
		return -1;
	long n = p->rate > 0 ? (long)((double)el * p->rate / 1000.0) + 1 - (long)made : chunk;
	if (n > chunk)
		n = chunk;
	if (p->count && (uint64_t)n > p->count - made)
		n = (long)(p->count - made);
	return n;
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"rate", required_argument, NULL, 'r'},
		{"count", required_argument, NULL, 'n'},
		{"duration", required_argument, NULL, 'd'},
		{"seed", required_argument, NULL, 'S'},
		{"spool", required_argument, NULL, 's'},
		{"drop", required_argument, NULL, 'D'},
		{"json", no_argument, NULL, 'j'},
		CLI_LINK_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_link link = cli_link_defaults();
	const char *dir = NULL;
	link.batch = 100; /* simulate's documented default (see its help) */
	struct pace p = {100, 1000, 0};
	struct client_keys keys;
	unsigned long ul, seed = 1;
	int json = 0, opt, rc = 0;
	double drop = -1;
	char *end;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":r:n:d:S:s:D:je:t:b:w:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (cli_parse_uint(optarg, 1000000, &ul))
				return cli_fail("simulate", _("--rate %s: not a number of events a second "
							      "from 0 to 1000000"), optarg);
			p.rate = (double)ul;
			break;
		case 'n':
			if (cli_parse_uint(optarg, COUNT_MAX, &p.count) || p.count == 0)
				return cli_fail("simulate", _("--count %s: not a number of events from 1 "
							      "to %lu"), optarg, (unsigned long)COUNT_MAX);
			break;
		case 'd':
			if (cli_parse_timeout(optarg, &p.duration_ms))
				return cli_fail("simulate", _("--duration %s: not a number of seconds (0 "
							      "to 86400)"), optarg);
			p.count = 0;
			break;
		case 'S':
			if (cli_parse_uint(optarg, ~0UL, &seed))
				return cli_fail("simulate", _("--seed %s: not a whole number"), optarg);
			break;
		case 's': dir = optarg; break;
		case 'D':
			drop = strtod(optarg, &end);
			if (end == optarg || *end || !(drop >= 0 && drop <= 1))
				return cli_fail("simulate", _("--drop %s: not a share from 0 to 1"),
						optarg);
			break;
		case 'j': json = 1; break;
		case 'h': return cli_usage("simulate", stdout, 0);
		default:
			if (cli_link_opt(&link, opt, optarg) != 1)
				return cli_opt_fail("simulate", opt, optarg, argv);
		}
	}
	if (optind != argc)
		return cli_extra_arg("simulate", argv[optind]);
	if (drop >= 0 && !dir)
		return cli_fail("simulate", _("--drop needs --spool: events are numbered when they "
					      "are spooled"));
	int keyed = keys_load("simulate", link.key_file, link.server_key_file, &keys);
	if (keyed < 0)
		return EXIT_USAGE;
	struct cli_spool_opts so = {"simulate", dir, link.endpoint, keyed ? &keys : NULL,
				    link.batch, link.window, link.timeout_ms, 1, NULL, NULL};

	struct sim s = {.rng = seed, .run = run_id(), .drop = drop};
	if (drop >= 0)
		s.spools = xcalloc(SENDERS_MAX, sizeof(*s.spools));
	villages_builtin(&s.villages);
	long chunk = (long)(so.batch * so.window);
	struct sim_event *ev = xcalloc((size_t)chunk, sizeof(*ev));
	Lawtally__V1__Event **evp = xcalloc((size_t)chunk, sizeof(*evp));
	s.centre = xcalloc(s.villages.n, sizeof(*s.centre));
	struct client *cl = NULL;
	struct spool *sp = NULL;
	char serr[256];
	if (so.dir && !s.spools &&
	    spool_open(&sp, so.dir, SPOOL_CREATE | SPOOL_SEND, NULL, serr, sizeof(serr))) {
		fprintf(stderr, "lawtally simulate: %s\n", serr);
		rc = EXIT_USAGE;
		goto free_all;
	}
	if (!so.dir && client_open(&cl, so.endpoint, so.keys)) {
		fprintf(stderr, _("lawtally simulate: bad endpoint %s\n"), so.endpoint);
		rc = EXIT_USAGE;
		goto free_all;
	}
	int64_t start = now_mono_ms();
	uint64_t made = 0;
	long n;
	while ((n = due(&p, start, made, chunk)) >= 0) {
		if (n == 0) {
			/* sleep until the next event is due, at most a tick */
			long ms = p.rate > 0 ? (long)(1000.0 / p.rate) : 1;
			ms = ms < 1 ? 1 : ms > TICK_MAX_MS ? TICK_MAX_MS : ms;
			nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
			continue;
		}
		for (long i = 0; i < n; i++) {
			if (make_event(&s, &ev[i])) {
				fprintf(stderr, _("lawtally simulate: cannot make an event id\n"));
				rc = EXIT_USAGE;
				goto client_close;
			}
			evp[i] = &ev[i].e;
		}
		made += (uint64_t)n;
		char err[512];
		if (s.spools) { /* each sender's own spool, some events lost */
			struct forward_opts fo = {so.endpoint, so.keys, so.batch, so.window,
						  so.timeout_ms, 0, NULL, on_reject, &s, NULL, hold};
			if (send_per_sender(&s, so.dir, evp, (size_t)n, &fo, err, sizeof(err))) {
				fprintf(stderr, _("lawtally simulate: %s (spools in %s)\n"), err, so.dir);
				rc = EXIT_UNREACHABLE;
				break;
			}
			continue;
		}
		if (sp) { /* as a village PC: durable first, then forwarded */
			struct forward_opts fo = {so.endpoint, so.keys, so.batch, so.window,
						  so.timeout_ms, 0, NULL, on_reject, &s, NULL, NULL};
			struct forward_result res;
			int src = spool_enqueue(sp, evp, (size_t)n, NULL, err, sizeof(err));
			if (!src)
				src = forward_flush(sp, &fo, &res, err, sizeof(err));
			s.accepted += res.accepted;
			s.duplicate += res.duplicate;
			if (src) {
				fprintf(stderr, _("lawtally simulate: %s (spool %s)\n"), err, so.dir);
				rc = EXIT_UNREACHABLE;
				break;
			}
			continue;
		}
		struct client_submit opts = {so.batch, so.window, so.timeout_ms, on_ack, &s};
		int src = client_submit(cl, evp, (size_t)n, &opts, err, sizeof(err));
		if (src) {
			fprintf(stderr, _("lawtally simulate: %s at %s\n"), err, so.endpoint);
			rc = EXIT_UNREACHABLE;
			break;
		}
	}
	summary(&s, made, (double)(now_mono_ms() - start) / 1000.0, json);
	if (!rc && s.rejected)
		rc = EXIT_REJECTED;
client_close:
	client_close(&cl);
	spool_close(&sp);
	for (size_t i = 0; i < s.nspools; i++) {
		spool_close(&s.spools[i].sp);
		free(s.spools[i].held);
		free(s.spools[i].numbers);
	}
free_all:
	free(s.spools);
	free(s.centre);
	free(evp);
	free(ev);
	return rc;
}
