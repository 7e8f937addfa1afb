/*
 * validate.h - what makes an event acceptable, as docs/model.md states it.
 *
 * Pure code, no I/O. Each rejection comes with a stable one-line reason
 * that names the field ("dispute.case_id: required"), suitable for an Ack.
 * Reasons are static strings; callers never free them.
 */
#ifndef LAWTALLY_VALIDATE_H
#define LAWTALLY_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "villages.h"

/* Bounds of a request. */
#define VALIDATE_EVENTS_MAX 1000        /* events in one SubmitRequest */
#define VALIDATE_FRAME_MAX (1 << 20)    /* bytes in one request frame */

/* Bounds of fields, in bytes or units (see proto/lawtally.proto). */
#define VALIDATE_SOURCE_MAX 64
#define VALIDATE_RECORDED_BY_MAX 64
#define VALIDATE_TOPIC_MAX 200
#define VALIDATE_REASON_MAX 200
#define VALIDATE_DEVICE_MAX 64
#define VALIDATE_AMOUNT_MAX 1000000000000ULL /* 10^12 fen */
#define VALIDATE_PEOPLE_MAX 100000
#define VALIDATE_ATTENDEES_MAX 10000
#define VALIDATE_MATERIALS_MAX 1000000
#define VALIDATE_CONSULTATIONS_MAX 100000
#define VALIDATE_NAME_MAX 64            /* trainer, responsible leader/unit/person/office */
#define VALIDATE_TITLE_MAX 200          /* a document's or decision's title */
#define VALIDATE_ITEMS_MAX 10000        /* matters made public at once */
#define VALIDATE_SEQ_MAX (1ULL << 53)   /* a sequence number: exact in any JSON reader */
#define VALIDATE_COUNTER_ACTIONS 7      /* Enforcement.Action values a snapshot counts */
#define VALIDATE_COUNTER_MAX 1000000000ULL

/* Earliest accepted occurred_at: 2000-01-01T00:00:00+08:00. */
#define VALIDATE_EPOCH_MIN 946656000LL
/* How far ahead of the daemon's clock occurred_at may lie. */
#define VALIDATE_FUTURE_MAX 86400

/*
 * Checks one decoded event in itself and against the village list; with
 * villages NULL (a county taking a township's events: its villages are the
 * township's) any valid village code passes. Returns NULL if it is
 * acceptable, or the reason. Whether it lies in the future
 * is not its own fault (either clock may be wrong): validate_ahead.
 */
const char *validate_event(const Lawtally__V1__Event *e, const struct villages *villages);

/*
 * How far e's occurred_at lies ahead of now (unix seconds) when that is
 * more than VALIDATE_FUTURE_MAX, else 0. Such an event is neither stored
 * nor rejected: the daemon cannot tell whose clock is wrong, so it refuses
 * it for now and the sender keeps it (docs/protocol.md).
 */
int64_t validate_ahead(const Lawtally__V1__Event *e, int64_t now);

/*
 * Checks the raw bytes of a protobuf message of type desc before or after
 * unpacking, for what protobuf-c does not: every string field is valid
 * UTF-8 without NUL bytes (protobuf-c would silently truncate at a NUL),
 * recursively through sub-messages. Returns NULL if fine, or the reason.
 * Malformed wire data and nesting deeper than 8 are reported too.
 */
const char *validate_wire_strings(const ProtobufCMessageDescriptor *desc,
				  const uint8_t *buf, size_t len);

/* Where one sub-message lies in a buffer: its bytes are buf[off, off + len). */
struct validate_span {
	size_t off, len;
};

/*
 * validate_wire_strings for a SubmitRequest that also notes where each of
 * its events lies in buf, in their order (the order unpack gives them):
 * *nspans is their count, or spans_max + 1 if there were more than
 * spans_max. Lets the store keep an event's bytes as received instead of
 * packing the decoded event again.
 */
const char *validate_request_wire(const uint8_t *buf, size_t len, struct validate_span *spans,
				  size_t spans_max, size_t *nspans);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates) without NUL. */
int validate_utf8(const uint8_t *s, size_t len);

#endif
