/* submit.c - the ingest protocol's pure half (see submit.h). */
#include "submit.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "when.h"

const char *submit_parse(const uint8_t *data, size_t len, unsigned events_max,
			 ProtobufCAllocator *alloc, struct validate_span *spans, size_t *nspans,
			 Lawtally__V1__SubmitRequest **req, uint64_t *batch_id)
{
	const char *why;
	*req = NULL;
	*batch_id = 0;
	*nspans = 0;
	/* protobuf-c does not check UTF-8 and cuts strings at a NUL: the walk does */
	if ((why = validate_request_wire(data, len, spans, events_max, nspans)))
		return why;
	Lawtally__V1__SubmitRequest *r = lawtally__v1__submit_request__unpack(alloc, len, data);
	if (!r)
		return "frame: not a SubmitRequest";
	*batch_id = r->batch_id;
	if (r->n_events == 0 || r->n_events > events_max)
		return "events: a request holds 1 to request_events_max (1000) events";
	*req = r;
	return NULL;
}

const char *submit_refusal(int rc)
{
	/* nothing of the batch was stored: the sender keeps it and retries */
	if (rc == LT_EFULL)
		return "store full: retry later";
	if (rc == LT_ECORRUPT)
		return "store damaged: retry later (lawtallyd takes nothing until its store is restored)";
	return "store failed: retry later";
}

const char *submit_clock_check(const Lawtally__V1__SubmitRequest *req, int64_t now,
			       int64_t *ahead, char why[SUBMIT_CLOCK_WHY_MAX])
{
	size_t first = 0;
	*ahead = 0;
	for (size_t i = 0; i < req->n_events; i++) {
		int64_t a = validate_ahead(req->events[i], now);
		if (a && !*ahead)
			first = i;
		if (a > *ahead)
			*ahead = a;
	}
	if (!*ahead)
		return NULL;
	char span[WHEN_FORMAT_LEN];
	when_format_span(validate_ahead(req->events[first], now), span);
	snprintf(why, SUBMIT_CLOCK_WHY_MAX,
		 "clock: events[%zu].occurred_at is %s ahead of lawtallyd's clock (at most 1 d): "
		 "nothing stored; retry later, and check both clocks (NTP)",
		 first, span);
	return why;
}

void submit_reply_fill(Lawtally__V1__SubmitReply *rep, const Lawtally__V1__SubmitRequest *req,
		       int rc, size_t first_slot, const char *const *slot_reason,
		       const long *slot_item, const struct store_result *results,
		       Lawtally__V1__Ack *acks, Lawtally__V1__Ack **ackp,
		       struct submit_counts *counts,
		       void (*on_store_reject)(const char *reason, void *arg), void *arg)
{
	lawtally__v1__submit_reply__init(rep);
	*counts = (struct submit_counts){0};
	rep->batch_id = req->batch_id;
	if (rc) {
		rep->error = (char *)submit_refusal(rc);
		rep->retry = 1;
		return;
	}
	for (size_t i = 0; i < req->n_events; i++) {
		size_t slot = first_slot + i;
		Lawtally__V1__Ack *a = &acks[i];
		lawtally__v1__ack__init(a);
		a->id = req->events[i]->id;
		if (slot_item[slot] < 0) {
			a->status = LAWTALLY__V1__ACK__STATUS__REJECTED;
			a->reason = (char *)slot_reason[slot];
		} else {
			const struct store_result *res = &results[slot_item[slot]];
			a->status = (Lawtally__V1__Ack__Status)res->status;
			if (res->status == STORE_REJECTED) {
				a->reason = (char *)res->reason;
				counts->store_rejected++;
				if (on_store_reject)
					on_store_reject(res->reason, arg);
			} else if (res->status == STORE_ACCEPTED) {
				counts->accepted++;
			} else {
				counts->duplicate++;
			}
		}
		ackp[i] = a;
	}
	rep->n_acks = req->n_events;
	rep->acks = ackp;
}

static const char *const reason_other_township =
	"township: a township key forwards its own township's events only";
static const char *const reason_not_township =
	"township: only a township key (role township:CODE) forwards a township's events";
static const char *const reason_bad_township =
	"township: not a township code (1-12 of A-Z a-z 0-9 _ -)";

const char *submit_township(const struct scope *role, const Lawtally__V1__SubmitRequest *req,
			    const char **township)
{
	*township = NULL;
	if (role && role->role == SCOPE_TOWNSHIP) {
		if (req->township[0] && strcmp(req->township, role->township) != 0)
			return reason_other_township;
		*township = role->township;
		return NULL;
	}
	if (!req->township[0])
		return NULL;
	if (role)
		return reason_not_township;
	if (!scope_township_valid(req->township))
		return reason_bad_township;
	*township = req->township;
	return NULL;
}

const char *submit_township_event(const char *township, Lawtally__V1__Event *e)
{
	if (!township)
		return e->township[0] ? reason_not_township : NULL;
	if (e->township[0] && strcmp(e->township, township) != 0)
		return reason_other_township;
	e->township = (char *)township;
	return NULL;
}
