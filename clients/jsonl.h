/*
 * jsonl.h - the JSON Lines codec of events (docs/contract.md, "Events from files").
 *
 * One Event a line, in the proto3 JSON mapping exactly as protobuf's own
 * printers write it, or as a person writes it by hand: .proto field names,
 * plain numbers, short enum names, ids as UUID strings, occurred_at as an
 * RFC 3339 time. The codec is driven by the protobuf-c descriptors, so every
 * message of lawtally.proto (SubmitRequest, QueryReply, ...) reads and prints
 * by the same rules; lawtally send --file and the tests use it.
 */
#ifndef LAWTALLY_JSONL_H
#define LAWTALLY_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"

/* A longer line is rejected unread (bytes, without the line end). */
#define JSONL_LINE_MAX 65536
/* Objects and arrays nested deeper than this are rejected; the line's own
 * object is level 1. */
#define JSONL_DEPTH_MAX 8

/*
 * Parses one line holding one JSON object into a newly allocated Event.
 * line need not be NUL-terminated; a trailing "\n" or "\r\n" is ignored.
 * On success returns 0 and stores the event in *out; the caller frees it
 * with jsonl_event_free(). On failure returns LT_EINVAL (the line is wrong),
 * sets *out to NULL, frees everything it built, and writes a
 * one-line reason naming the field into err (if err is not NULL and errlen
 * is not 0), e.g. "dispute.stage: unknown enum value \"RESOLVE\"".
 * Only the syntax and the types are checked here; whether the event is
 * acceptable (one body set, village known, ...) is validate.c's business.
 */
int jsonl_parse_event(const char *line, size_t len, Lawtally__V1__Event **out, char *err,
		      size_t errlen);

/* Frees an event from jsonl_parse_event() (or from protobuf-c's unpack). NULL is a no-op. */
void jsonl_event_free(Lawtally__V1__Event *e);

/*
 * Formats e as one line of proto3 JSON, as protobuf's C++ printer writes it
 * with default options: no white space, lowerCamelCase names in field number
 * order, fields holding their default value left out (a set oneof member is
 * always written), 64-bit integers as strings, enums by their full names,
 * bytes as standard base64 with padding. No newline at the end. Returns a
 * malloc'd string that the caller frees (NULL for a NULL e).
 */
char *jsonl_format_event(const Lawtally__V1__Event *e);

/*
 * jsonl_parse_event() for any message type: parses line into a newly
 * allocated message of type desc, stored in *out. The caller frees it with
 * protobuf_c_message_free_unpacked(*out, NULL). Returns and reports errors as
 * jsonl_parse_event() does; repeated fields are JSON arrays.
 */
int jsonl_parse_message(const char *line, size_t len, const ProtobufCMessageDescriptor *desc,
			ProtobufCMessage **out, char *err, size_t errlen);

/* jsonl_format_event() for any message; same rules, same ownership. */
char *jsonl_format_message(const ProtobufCMessage *msg);

/*
 * Parses an RFC 3339 date-time of len bytes, e.g. "2024-03-05T10:00:00+08:00"
 * or "2024-03-05T02:00:00Z" ('t', 'z' and a space for 'T' also accepted;
 * fractional seconds are accepted and dropped), into unix seconds in *out.
 * Strict: exact digit counts, real calendar dates, no leap second, an offset
 * or Z required. Returns 0, or LT_EINVAL leaving *out unchanged.
 */
int jsonl_parse_rfc3339(const char *s, size_t len, int64_t *out);

#endif
