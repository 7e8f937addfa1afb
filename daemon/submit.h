/*
 * submit.h - the ingest protocol's pure half: a frame to a SubmitRequest,
 * and a committed group's outcome to each request's SubmitReply.
 *
 * No I/O, no sockets: ingest.c reads frames and sends replies, this file
 * decides what they say, so that every answer a sender can get is tested
 * directly (tests/daemon/test_submit.c). docs/protocol.md is the promise
 * these functions keep: an ack per event in request order; REJECTED only
 * for an event wrong in itself; a refused batch gets `error` + `retry` and
 * no acks, and nothing of it was stored. A request holding an event more
 * than a day ahead of the daemon's clock is such a batch: whose clock is
 * wrong cannot be told here, so the sender keeps its events and retries.
 */
#ifndef LAWTALLY_SUBMIT_H
#define LAWTALLY_SUBMIT_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "scope.h"
#include "store.h"
#include "validate.h"

/*
 * Decodes one request frame of len bytes at data. Walks the wire bytes
 * first (validate_request_wire: UTF-8, embedded NULs, where each event
 * lies, up to events_max spans), then unpacks through alloc (an arena:
 * what it unpacked lives until the arena is reset, also on failure).
 * Returns NULL with *req set, or a one-line reason the frame is refused,
 * with *batch_id set when the frame said which batch it was (0 if not).
 */
const char *submit_parse(const uint8_t *data, size_t len, unsigned events_max,
			 ProtobufCAllocator *alloc, struct validate_span *spans, size_t *nspans,
			 Lawtally__V1__SubmitRequest **req, uint64_t *batch_id);

/* The reply's error for a batch the store refused with rc (non-zero). */
const char *submit_refusal(int rc);

/* Room for submit_clock_check's refusal, NUL included. */
#define SUBMIT_CLOCK_WHY_MAX 200

/*
 * The clock check of a decoded request against the daemon's clock now:
 * NULL when no event lies more than VALIDATE_FUTURE_MAX ahead of it.
 * Otherwise the whole request is refused for now (error + retry, no acks,
 * nothing stored): returns that error, written to why (one line naming
 * the first such event and how far ahead it lies), and sets *ahead to the
 * furthest any event of the request lies ahead, in seconds.
 */
const char *submit_clock_check(const Lawtally__V1__SubmitRequest *req, int64_t now,
			       int64_t *ahead, char why[SUBMIT_CLOCK_WHY_MAX]);

/*
 * A county taking a township's forwarded events (docs/county.md): the
 * township a request forwards for, from the sender's role when auth is on
 * (role NULL when off: then SubmitRequest.township). Sets *township to it
 * (pointing into role or req), or NULL for a request that forwards
 * nothing. Returns NULL, or the reason every event of the request is
 * rejected: a township key naming another township, another key naming
 * one, a code that is not one.
 */
const char *submit_township(const struct scope *role, const Lawtally__V1__SubmitRequest *req,
			    const char **township);

/*
 * The township check of one event of such a request (township from
 * submit_township, NULL for none): an event naming a township must name
 * that one. With a township, sets e->township to it (e then points into
 * township's storage: keep it alive with e). Returns NULL or the reason e
 * is rejected.
 */
const char *submit_township_event(const char *township, Lawtally__V1__Event *e);

/* What one request's acks said, for the metrics. */
struct submit_counts {
	unsigned accepted, duplicate, store_rejected;
};

/*
 * Fills rep (initialised here) as the answer to req, whose events are the
 * slots first_slot.. of a group committed with rc:
 *  - rc != 0: error = submit_refusal(rc), retry = 1, no acks;
 *  - else one ack per event in request order: REJECTED with its reason
 *    where validation refused it (slot_item[slot] < 0, slot_reason[slot]),
 *    else the store's result for item slot_item[slot].
 * acks and ackp have room for req->n_events; rep points into them, into
 * req and into static reasons, and lives no longer than they do. For each
 * store rejection on_store_reject(reason, arg) is called if not NULL.
 */
void submit_reply_fill(Lawtally__V1__SubmitReply *rep, const Lawtally__V1__SubmitRequest *req,
		       int rc, size_t first_slot, const char *const *slot_reason,
		       const long *slot_item, const struct store_result *results,
		       Lawtally__V1__Ack *acks, Lawtally__V1__Ack **ackp,
		       struct submit_counts *counts,
		       void (*on_store_reject)(const char *reason, void *arg), void *arg);

#endif
