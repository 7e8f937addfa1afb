/*
 * validate.c - the acceptance rules for events (docs/model.md), one function per
 * body, and a wire-level check of strings that protobuf-c does not make.
 */
#include "validate.h"

#include <string.h>

#include "scope.h"
#include "tally.h"

/* Fails the enclosing check with reason if cond does not hold. */
#define REQUIRE(cond, reason) \
	do {                  \
		if (!(cond))  \
			return reason; \
	} while (0)

/* 1 if v is a declared, non-zero value of the enum. */
static int enum_set(const ProtobufCEnumDescriptor *desc, int v)
{
	return v != 0 && protobuf_c_enum_descriptor_get_value(desc, v) != NULL;
}

/* 1 if v is a declared value of the enum, zero included. */
static int enum_known(const ProtobufCEnumDescriptor *desc, int v)
{
	return protobuf_c_enum_descriptor_get_value(desc, v) != NULL;
}

static int case_id_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= TALLY_CASE_ID_MAX;
}

static const char *check_dispute(const Lawtally__V1__Dispute *d)
{
	REQUIRE(case_id_ok(d->case_id), "dispute.case_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__dispute__category__descriptor, d->category),
		"dispute.category: required, one of the CATEGORY_ values");
	REQUIRE(enum_set(&lawtally__v1__dispute__stage__descriptor, d->stage),
		"dispute.stage: required, one of REGISTERED, RESOLVED, ESCALATED, UNRESOLVED");
	REQUIRE(enum_known(&lawtally__v1__dispute__initiated__descriptor, d->initiated),
		"dispute.initiated: unknown value");
	REQUIRE(d->agreement_amount_fen == 0 ||
			d->stage == LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED,
		"dispute.agreement_amount_fen: only with stage RESOLVED");
	REQUIRE(d->agreement_amount_fen <= VALIDATE_AMOUNT_MAX,
		"dispute.agreement_amount_fen: more than 10^12 fen");
	REQUIRE(d->people == 0 || d->prevented_group_petition,
		"dispute.people: only with prevented_group_petition");
	REQUIRE(d->people <= VALIDATE_PEOPLE_MAX, "dispute.people: more than 100000");
	REQUIRE(d->prevented_criminal_people == 0 || d->prevented_criminal,
		"dispute.prevented_criminal_people: only with prevented_criminal");
	REQUIRE(d->prevented_criminal_people <= VALIDATE_PEOPLE_MAX,
		"dispute.prevented_criminal_people: more than 100000");
	return NULL;
}

static const char *check_petition(const Lawtally__V1__Petition *p)
{
	REQUIRE(case_id_ok(p->case_id), "petition.case_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__petition__origin__descriptor, p->origin),
		"petition.origin: required, one of HIGHER_LEVEL, TOWNSHIP, PROVINCIAL_INSPECTION");
	REQUIRE(enum_set(&lawtally__v1__petition__stage__descriptor, p->stage),
		"petition.stage: required, one of RECEIVED, CONCLUDED");
	return NULL;
}

static const char *check_training(const Lawtally__V1__Training *t)
{
	REQUIRE(t->attendees <= VALIDATE_ATTENDEES_MAX, "training.attendees: more than 10000");
	REQUIRE(strlen(t->topic) <= VALIDATE_TOPIC_MAX, "training.topic: longer than 200 bytes");
	return NULL;
}

static const char *check_publicity(const Lawtally__V1__Publicity *p)
{
	REQUIRE(enum_set(&lawtally__v1__publicity__venue__descriptor, p->venue),
		"publicity.venue: required, one of COMMUNITY, VILLAGE, ORGAN, ENTERPRISE, SCHOOL");
	REQUIRE(p->materials <= VALIDATE_MATERIALS_MAX, "publicity.materials: more than 1000000");
	REQUIRE(p->consultations <= VALIDATE_CONSULTATIONS_MAX,
		"publicity.consultations: more than 100000");
	return NULL;
}

static const char *check_lawsuit(const Lawtally__V1__Lawsuit *l)
{
	REQUIRE(case_id_ok(l->case_id), "lawsuit.case_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__lawsuit__kind__descriptor, l->kind),
		"lawsuit.kind: required, one of ADMINISTRATIVE, ENV_POLLUTION_CIVIL, OTHER");
	REQUIRE(enum_set(&lawtally__v1__lawsuit__stage__descriptor, l->stage),
		"lawsuit.stage: required, one of FILED, JUDGED");
	REQUIRE(enum_known(&lawtally__v1__lawsuit__outcome__descriptor, l->outcome),
		"lawsuit.outcome: unknown value");
	if (l->stage == LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED)
		REQUIRE(l->outcome != 0, "lawsuit.outcome: required with stage JUDGED");
	else
		REQUIRE(l->outcome == 0, "lawsuit.outcome: only with stage JUDGED");
	return NULL;
}

static const char *check_enforcement(const Lawtally__V1__Enforcement *x)
{
	REQUIRE(strlen(x->case_id) <= TALLY_CASE_ID_MAX,
		"enforcement.case_id: longer than 64 bytes");
	REQUIRE(enum_set(&lawtally__v1__enforcement__campaign__descriptor, x->campaign),
		"enforcement.campaign: required, one of STRAW_BURNING, RURAL_REVITALIZATION, OTHER");
	REQUIRE(enum_set(&lawtally__v1__enforcement__action__descriptor, x->action),
		"enforcement.action: required, one of the ACTION_ values");
	REQUIRE(strlen(x->device_id) <= VALIDATE_DEVICE_MAX,
		"enforcement.device_id: longer than 64 bytes");
	return NULL;
}

static const char *check_retraction(const Lawtally__V1__Retraction *r,
				    const struct villages *villages)
{
	REQUIRE(r->event_id.len == 16, "retraction.event_id: must be exactly 16 bytes");
	size_t n = strlen(r->reason);
	REQUIRE(n > 0 && n <= VALIDATE_REASON_MAX, "retraction.reason: required, 1-200 bytes");
	uint8_t key[SCOPE_KEY_MAX];
	size_t klen = scope_key_parse(r->scope, key);
	REQUIRE(klen > 0, "retraction.scope: required, the withdrawn event's scope: "
			  "village:CODE, device, device:DEVICE_ID or township");
	if (key[0] == SCOPE_TAG_VILLAGE)
		REQUIRE(villages_find(villages, r->scope + 8) != NULL,
			"retraction.scope: the village is not in the configured village list");
	return NULL;
}

/* Whether a kind is reported per village (1) or may be township-level (0). */
static int kind_needs_village(enum tally_kind k)
{
	return k == TALLY_DISPUTE || k == TALLY_TRAINING;
}

const char *validate_event(const Lawtally__V1__Event *e, const struct villages *villages)
{
	REQUIRE(e->id.len == 16, "id: must be exactly 16 bytes");
	enum tally_kind kind = tally_event_kind(e);
	REQUIRE(kind != TALLY_KIND_NONE, "body: exactly one body must be set");
	REQUIRE(e->occurred_at >= VALIDATE_EPOCH_MIN, "occurred_at: before 2000-01-01");
	REQUIRE(strlen(e->source) <= VALIDATE_SOURCE_MAX, "source: longer than 64 bytes");
	REQUIRE(strlen(e->recorded_by) <= VALIDATE_RECORDED_BY_MAX,
		"recorded_by: longer than 64 bytes");
	if (e->village[0] == '\0')
		REQUIRE(!kind_needs_village(kind), "village: required for dispute and training");
	else
		REQUIRE(villages_find(villages, e->village) != NULL,
			"village: not in the configured village list");

	switch (kind) {
	case TALLY_DISPUTE: return check_dispute(e->dispute);
	case TALLY_PETITION: return check_petition(e->petition);
	case TALLY_TRAINING: return check_training(e->training);
	case TALLY_PUBLICITY: return check_publicity(e->publicity);
	case TALLY_LAWSUIT: return check_lawsuit(e->lawsuit);
	case TALLY_ENFORCEMENT: return check_enforcement(e->enforcement);
	case TALLY_RETRACTION: return check_retraction(e->retraction, villages);
	case TALLY_KIND_NONE: break;
	}
	return "body: exactly one body must be set";
}

int64_t validate_ahead(const Lawtally__V1__Event *e, int64_t now)
{
	/* in unsigned arithmetic: any int64 occurred_at and now compare without overflow */
	uint64_t at = (uint64_t)e->occurred_at ^ (1ULL << 63), n = (uint64_t)now ^ (1ULL << 63);
	if (at <= n || at - n <= VALIDATE_FUTURE_MAX)
		return 0;
	return at - n > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(at - n);
}

int validate_utf8(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07;
		} else {
			return 0;
		}
		if (n > len - i - 1)
			return 0; /* truncated sequence */
		for (size_t j = 1; j <= n; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
		if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Reads a base-128 varint; returns bytes used, 0 if malformed or truncated. */
static size_t read_varint(const uint8_t *p, size_t len, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7F) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

#define WIRE_DEPTH_MAX 8

/* Where the walk notes the sub-messages of one top-level field (validate_request_wire). */
struct span_note {
	uint32_t field;
	struct validate_span *spans;
	size_t max, n;
};

static const char *wire_walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
			     size_t len, int depth, struct span_note *note)
{
	static const char *malformed = "frame: malformed protobuf";
	REQUIRE(depth < WIRE_DEPTH_MAX, "frame: messages nested too deeply");
	size_t i = 0;
	while (i < len) {
		uint64_t tag, v;
		size_t n = read_varint(p + i, len - i, &tag);
		REQUIRE(n > 0, malformed);
		i += n;
		switch (tag & 7) {
		case 0:
			n = read_varint(p + i, len - i, &v);
			REQUIRE(n > 0, malformed);
			i += n;
			break;
		case 1:
			REQUIRE(len - i >= 8, malformed);
			i += 8;
			break;
		case 5:
			REQUIRE(len - i >= 4, malformed);
			i += 4;
			break;
		case 2: {
			n = read_varint(p + i, len - i, &v);
			REQUIRE(n > 0 && v <= len - i - n, malformed);
			i += n;
			const ProtobufCFieldDescriptor *f = NULL;
			if (tag >> 3 <= UINT32_MAX)
				f = protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3));
			if (f && f->type == PROTOBUF_C_TYPE_STRING) {
				REQUIRE(validate_utf8(p + i, (size_t)v),
					"frame: a string field is not UTF-8 or holds a NUL byte");
			} else if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				const char *why =
					wire_walk(f->descriptor, p + i, (size_t)v, depth + 1, NULL);
				if (why)
					return why;
				if (note && f->id == note->field && note->n++ < note->max)
					note->spans[note->n - 1] = (struct validate_span){i, (size_t)v};
			}
			i += (size_t)v;
			break;
		}
		default:
			return malformed;
		}
	}
	return NULL;
}

const char *validate_wire_strings(const ProtobufCMessageDescriptor *desc,
				  const uint8_t *buf, size_t len)
{
	return wire_walk(desc, buf, len, 0, NULL);
}

const char *validate_request_wire(const uint8_t *buf, size_t len, struct validate_span *spans,
				  size_t spans_max, size_t *nspans)
{
	const ProtobufCMessageDescriptor *desc = &lawtally__v1__submit_request__descriptor;
	const ProtobufCFieldDescriptor *events =
		protobuf_c_message_descriptor_get_field_by_name(desc, "events");
	struct span_note note = {events->id, spans, spans_max, 0};
	const char *why = wire_walk(desc, buf, len, 0, &note);
	*nspans = note.n > spans_max ? spans_max + 1 : note.n;
	return why;
}
