/*
 * test_submit.c - the ingest protocol's pure half (daemon/submit.c): which
 * frames are refused and with what reason, and the reply a sender gets for
 * each outcome of its batch.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "err.h"
#include "submit.h"

#define MAX_EVENTS 1000

static struct validate_span spans[MAX_EVENTS + 1];

/* A packed SubmitRequest of n events with ids 1..n (one byte each); malloc'd. */
static uint8_t *pack_request(uint64_t batch_id, size_t n, size_t *len)
{
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	Lawtally__V1__Event *ev = calloc(n ? n : 1, sizeof(*ev));
	Lawtally__V1__Event **evp = calloc(n ? n : 1, sizeof(*evp));
	uint8_t *ids = calloc(n ? n : 1, 1);
	assert_non_null(ev);
	assert_non_null(evp);
	assert_non_null(ids);
	for (size_t i = 0; i < n; i++) {
		lawtally__v1__event__init(&ev[i]);
		ids[i] = (uint8_t)(i + 1);
		ev[i].id.data = &ids[i];
		ev[i].id.len = 1;
		ev[i].village = "ZL07";
		evp[i] = &ev[i];
	}
	req.batch_id = batch_id;
	req.n_events = n;
	req.events = evp;
	*len = lawtally__v1__submit_request__get_packed_size(&req);
	uint8_t *buf = malloc(*len ? *len : 1);
	assert_non_null(buf);
	lawtally__v1__submit_request__pack(&req, buf);
	free(ev);
	free(evp);
	free(ids);
	return buf;
}

static void test_parse_good(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len, nspans;
	uint8_t *buf = pack_request(42, 3, &len);
	Lawtally__V1__SubmitRequest *req;
	uint64_t batch;
	assert_null(submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch));
	assert_non_null(req);
	assert_int_equal(batch, 42);
	assert_int_equal(req->n_events, 3);
	assert_int_equal(nspans, 3);
	assert_string_equal(req->events[2]->village, "ZL07");
	free(buf);
	arena_free(&a);
}

static void test_parse_refused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len, nspans;
	Lawtally__V1__SubmitRequest *req;
	uint64_t batch;

	/* no events: the batch id is echoed so the sender can match the refusal */
	uint8_t *buf = pack_request(7, 0, &len);
	assert_string_equal(submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch),
			    "events: a request holds 1 to request_events_max (1000) events");
	assert_null(req);
	assert_int_equal(batch, 7);
	free(buf);

	/* one event over the limit */
	buf = pack_request(8, 4, &len);
	assert_string_equal(submit_parse(buf, len, 3, &a.pb, spans, &nspans, &req, &batch),
			    "events: a request holds 1 to request_events_max (1000) events");
	assert_null(req);
	assert_int_equal(batch, 8);
	free(buf);

	/* not protobuf at all: a truncated length-delimited field */
	static const uint8_t junk[] = {0x12, 0x7f, 0x01};
	const char *why = submit_parse(junk, sizeof(junk), MAX_EVENTS, &a.pb, spans, &nspans, &req,
				       &batch);
	assert_non_null(why);
	assert_null(req);
	assert_int_equal(batch, 0);

	/* an embedded NUL in a string, which protobuf-c would silently cut */
	Lawtally__V1__SubmitRequest r = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT, *ep = &e;
	uint8_t id = 1;
	e.id.data = &id;
	e.id.len = 1;
	e.village = "ZL07";
	r.n_events = 1;
	r.events = &ep;
	len = lawtally__v1__submit_request__get_packed_size(&r);
	buf = malloc(len);
	assert_non_null(buf);
	lawtally__v1__submit_request__pack(&r, buf);
	uint8_t *z = memmem(buf, len, "ZL07", 4);
	assert_non_null(z);
	z[2] = '\0';
	why = submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch);
	assert_non_null(why);
	assert_non_null(strstr(why, "NUL"));
	assert_null(req);
	free(buf);
	arena_free(&a);
}

static const char *rejected_reasons[8];
static int nrejected;

static void on_reject(const char *reason, void *arg)
{
	assert_ptr_equal(arg, &nrejected);
	rejected_reasons[nrejected++] = reason;
}

/*
 * A request of four events in slots 2..5 of a group: validation refused
 * the second; the store accepted, found a duplicate of and rejected the
 * others. Each ack says so, in request order.
 */
static void test_reply_mixed(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len, nspans;
	uint8_t *buf = pack_request(99, 4, &len);
	Lawtally__V1__SubmitRequest *req;
	uint64_t batch;
	assert_null(submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch));

	const char *slot_reason[6] = {NULL, NULL, NULL, "stage: required", NULL, NULL};
	long slot_item[6] = {0, 1, 2, -1, 3, 4};
	struct store_result results[5] = {
		{STORE_ACCEPTED, NULL}, {STORE_ACCEPTED, NULL},
		{STORE_ACCEPTED, NULL}, {STORE_DUPLICATE, NULL},
		{STORE_REJECTED, "retraction: no such event"},
	};
	Lawtally__V1__Ack acks[4], *ackp[4];
	Lawtally__V1__SubmitReply rep;
	struct submit_counts c;
	nrejected = 0;
	submit_reply_fill(&rep, req, 0, 2, slot_reason, slot_item, results, acks, ackp, &c,
			  on_reject, &nrejected);
	assert_int_equal(rep.batch_id, 99);
	assert_string_equal(rep.error, ""); /* proto3: not set */
	assert_int_equal(rep.retry, 0);
	assert_int_equal(rep.n_acks, 4);
	static const int want_status[4] = {
		LAWTALLY__V1__ACK__STATUS__ACCEPTED, LAWTALLY__V1__ACK__STATUS__REJECTED,
		LAWTALLY__V1__ACK__STATUS__DUPLICATE, LAWTALLY__V1__ACK__STATUS__REJECTED,
	};
	static const char *want_reason[4] = {NULL, "stage: required", NULL,
					     "retraction: no such event"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(rep.acks[i]->status, want_status[i]);
		assert_int_equal(rep.acks[i]->id.len, 1);
		assert_int_equal(rep.acks[i]->id.data[0], i + 1);
		if (want_reason[i])
			assert_string_equal(rep.acks[i]->reason, want_reason[i]);
		else
			assert_true(!rep.acks[i]->reason || !rep.acks[i]->reason[0]);
	}
	assert_int_equal(c.accepted, 1);
	assert_int_equal(c.duplicate, 1);
	assert_int_equal(c.store_rejected, 1);
	/* validation rejections are counted when read, not here */
	assert_int_equal(nrejected, 1);
	assert_string_equal(rejected_reasons[0], "retraction: no such event");
	free(buf);
	arena_free(&a);
}

/* A refused batch: error, retry, no acks, nothing counted. */
static void test_reply_refused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len, nspans;
	uint8_t *buf = pack_request(5, 2, &len);
	Lawtally__V1__SubmitRequest *req;
	uint64_t batch;
	assert_null(submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch));
	const char *slot_reason[2] = {NULL, NULL};
	long slot_item[2] = {0, 1};
	Lawtally__V1__Ack acks[2], *ackp[2];
	Lawtally__V1__SubmitReply rep;
	struct submit_counts c;

	static const struct {
		int rc;
		const char *error;
	} cases[] = {
		{LT_EFULL, "store full: retry later"},
		{LT_EIO, "store failed: retry later"},
		{LT_ECORRUPT, "store damaged: retry later (lawtallyd takes nothing until its store is "
			      "restored)"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		nrejected = 0;
		submit_reply_fill(&rep, req, cases[k].rc, 0, slot_reason, slot_item, NULL, acks, ackp,
				  &c, on_reject, &nrejected);
		assert_int_equal(rep.batch_id, 5);
		assert_string_equal(rep.error, cases[k].error);
		assert_int_equal(rep.retry, 1);
		assert_int_equal(rep.n_acks, 0);
		assert_int_equal(c.accepted + c.duplicate + c.store_rejected, 0);
		assert_int_equal(nrejected, 0);
	}
	free(buf);
	arena_free(&a);
}

/*
 * A request with an event more than a day ahead of the daemon's clock is
 * refused whole, for now: the reason names the first such event and how
 * far ahead it is, *ahead the furthest of them.
 */
static void test_clock_check(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	size_t len, nspans;
	uint8_t *buf = pack_request(7, 4, &len);
	Lawtally__V1__SubmitRequest *req;
	uint64_t batch;
	char why[SUBMIT_CLOCK_WHY_MAX];
	int64_t ahead = -1;
	const int64_t now = 1717948800; /* 2024-06-10 */
	assert_null(submit_parse(buf, len, MAX_EVENTS, &a.pb, spans, &nspans, &req, &batch));
	req->events[0]->occurred_at = now - 86400 * 400; /* a late paper record */
	req->events[1]->occurred_at = now;
	req->events[2]->occurred_at = now + 86400;       /* a day ahead: still taken */
	req->events[3]->occurred_at = now + 3600;
	assert_null(submit_clock_check(req, now, &ahead, why));
	assert_int_equal(ahead, 0);

	req->events[1]->occurred_at = now + 86401;
	req->events[3]->occurred_at = now + 3 * 86400 + 2 * 3600 + 5;
	assert_ptr_equal(submit_clock_check(req, now, &ahead, why), why);
	assert_string_equal(why, "clock: events[1].occurred_at is 1 d 0 h ahead of lawtallyd's "
				 "clock (at most 1 d): nothing stored; retry later, and check both "
				 "clocks (NTP)");
	assert_int_equal(ahead, 3 * 86400 + 2 * 3600 + 5);
	/* the same request once the daemon's clock is 3 days further on */
	assert_null(submit_clock_check(req, now + 3 * 86400, &ahead, why));
	assert_int_equal(ahead, 0);

	/* a clock stuck in 1970: every event is decades ahead, and the reason fits */
	for (size_t i = 0; i < req->n_events; i++)
		req->events[i]->occurred_at = INT64_MAX;
	assert_non_null(submit_clock_check(req, INT64_MIN, &ahead, why));
	assert_int_equal(ahead, INT64_MAX);
	assert_non_null(strstr(why, "events[0].occurred_at is 106751991167300 d 15 h ahead"));
	assert_true(strlen(why) < SUBMIT_CLOCK_WHY_MAX - 1);
	free(buf);
	arena_free(&a);
}

/* A county: which township a request forwards for, and each event's check. */
static void test_township(void **state)
{
	(void)state;
	static const char *const other =
		"township: a township key forwards its own township's events only";
	static const char *const not_township =
		"township: only a township key (role township:CODE) forwards a township's events";
	struct scope ta = {SCOPE_TOWNSHIP, "", "410423100"}, office = {SCOPE_OFFICE, "", ""};
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	const char *t = "x";

	/* a township key: its own township, named or not */
	assert_null(submit_township(&ta, &req, &t));
	assert_string_equal(t, "410423100");
	req.township = "410423100";
	assert_null(submit_township(&ta, &req, &t));
	assert_string_equal(t, "410423100");
	req.township = "410423101";
	assert_string_equal(submit_township(&ta, &req, &t), other);
	assert_null(t);
	/* another key names none */
	assert_string_equal(submit_township(&office, &req, &t), not_township);
	req.township = "";
	assert_null(submit_township(&office, &req, &t));
	assert_null(t);
	/* auth off: the request says */
	req.township = "410423101";
	assert_null(submit_township(NULL, &req, &t));
	assert_string_equal(t, "410423101");
	req.township = "4104 23";
	assert_string_equal(submit_township(NULL, &req, &t),
			    "township: not a township code (1-12 of A-Z a-z 0-9 _ -)");

	/* events: the county sets the township; a sender never does */
	assert_null(submit_township_event("410423100", &e));
	assert_string_equal(e.township, "410423100");
	assert_null(submit_township_event("410423100", &e));
	assert_string_equal(submit_township_event("410423101", &e), other);
	assert_string_equal(submit_township_event(NULL, &e), not_township);
	e.township = "";
	assert_null(submit_township_event(NULL, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_reply_mixed),
		cmocka_unit_test(test_reply_refused),
		cmocka_unit_test(test_clock_check),
		cmocka_unit_test(test_township),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
