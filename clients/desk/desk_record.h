/*
 * desk_record.h - a record of the village desk: the page's form as JSON
 * into an event, checked by the daemon's own rules before it is saved,
 * and an event back into JSON for the page, with its Chinese labels.
 *
 * A record is one event of the village's role (scope.h): a dispute at
 * one stage, a training, or a retraction (the first half of a
 * correction). Its JSON, as the page posts it:
 *
 *   {"kind":"dispute", "date":"2024-12-20", "time":"10:30", "case_id":"WG-1",
 *    "category":"NEIGHBOUR", "stage":"RESOLVED", "initiated":"APPLICATION",
 *    "amount":"2,500.00", "prevented_criminal":true,
 *    "prevented_group_petition":true, "people":"12", "recorded_by":"李"}
 *   {"kind":"training", "date":"2024-12-20", "attendees":"30", "topic":"..."}
 *
 * Enum values by their short names or the words ledgers write (ledger.h);
 * amounts in 元 as people type them (stored in fen); numbers as text or
 * JSON numbers; "time" optional (noon, in the township's zone, without).
 */
#ifndef LAWTALLY_DESK_RECORD_H
#define LAWTALLY_DESK_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "villages.h"

/* A record's fields are at most this long (bytes) in the page's JSON. */
#define DESK_FIELD_MAX 256

/* One event built from a record; everything lives inside the struct. */
struct desk_event {
	Lawtally__V1__Event ev;
	Lawtally__V1__Dispute dispute;
	Lawtally__V1__Training training;
	Lawtally__V1__Retraction retraction;
	uint8_t id[16], target[16];
	char village[VILLAGE_CODE_MAX + 1], source[72], case_id[72], recorded_by[72], topic[208],
		reason[208], scope[8 + VILLAGE_CODE_MAX + 1];
};

/* Why a record was refused: the field at fault (a form field's name, or ""), and why. */
struct desk_refusal {
	char field[32];
	char message[256]; /* in Chinese, for the page */
	char detail[256];  /* the daemon's rule as it words it, when one failed */
};

/* Who records: the desk's village, its sender name, the village list. */
struct desk_who {
	const char *village;
	const char *source;
	const struct villages *villages;
};

/*
 * Builds the event of record obj (a dispute or a training) with a fresh
 * id, and checks it with validate_event() and the village role's
 * scope_check_event(): exactly what the daemon will apply; and refuses a
 * date over a day ahead of now, which the daemon would hold back.
 * Returns 0, or LT_EINVAL with *why filled.
 */
int desk_record_event(const json_t *obj, const struct desk_who *who, int64_t now,
		      struct desk_event *out, struct desk_refusal *why);

/*
 * A retraction of the event with id target (16 bytes), a dispute or
 * training of village target_village (its id's scope), for reason
 * (1..200 bytes, UTF-8), checked as above. It occurs when the withdrawn
 * event did (target_at, but never after now): a correction belongs to the
 * work it corrects, and a PC whose clock runs fast would otherwise date it
 * past what the township takes. Returns 0, or LT_EINVAL with *why.
 */
int desk_record_retraction(const uint8_t *target, int64_t target_at, const char *target_village,
			   const char *reason, const struct desk_who *who, int64_t now,
			   struct desk_event *out, struct desk_refusal *why);

/*
 * The fields of event e as the page shows them (kind, date, labels in
 * Chinese, amount in 元, ...), as a new JSON object; never NULL.
 */
json_t *desk_record_json(const Lawtally__V1__Event *e);

/* The choices of the form: categories, stages and ways in, with their words. */
json_t *desk_record_labels(void);

/* A reason of the daemon (validate.c, the store, scope) in Chinese, or NULL if unknown. */
const char *desk_reason_zh(const char *reason);

#endif
