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

/* 1 if s is 1..VALIDATE_NAME_MAX bytes. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= VALIDATE_NAME_MAX;
}

static const char *check_training(const Lawtally__V1__Training *t)
{
	REQUIRE(t->attendees <= VALIDATE_ATTENDEES_MAX, "training.attendees: more than 10000");
	REQUIRE(strlen(t->topic) <= VALIDATE_TOPIC_MAX, "training.topic: longer than 200 bytes");
	REQUIRE(enum_known(&lawtally__v1__training__audience__descriptor, t->audience),
		"training.audience: unknown value");
	REQUIRE(strlen(t->trainer) <= VALIDATE_NAME_MAX, "training.trainer: longer than 64 bytes");
	return NULL;
}

static const char *check_publicity(const Lawtally__V1__Publicity *p)
{
	REQUIRE(enum_set(&lawtally__v1__publicity__venue__descriptor, p->venue),
		"publicity.venue: required, one of COMMUNITY, VILLAGE, ORGAN, ENTERPRISE, SCHOOL");
	REQUIRE(p->materials <= VALIDATE_MATERIALS_MAX, "publicity.materials: more than 1000000");
	REQUIRE(p->consultations <= VALIDATE_CONSULTATIONS_MAX,
		"publicity.consultations: more than 100000");
	REQUIRE(enum_known(&lawtally__v1__publicity__law__descriptor, p->law),
		"publicity.law: unknown value");
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
		REQUIRE(villages ? villages_find(villages, r->scope + 8) != NULL
				 : village_code_valid(r->scope + 8),
			"retraction.scope: the village is not in the configured village list");
	return NULL;
}

static const char *check_document(const Lawtally__V1__NormativeDocument *d)
{
	REQUIRE(case_id_ok(d->document_id), "document.document_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__normative_document__action__descriptor, d->action),
		"document.action: required, one of DRAFTED, REGISTERED, FILED, REVIEWED");
	REQUIRE(strlen(d->title) <= VALIDATE_TITLE_MAX, "document.title: longer than 200 bytes");
	return NULL;
}

static const char *check_decision(const Lawtally__V1__MajorDecision *d)
{
	REQUIRE(case_id_ok(d->decision_id), "decision.decision_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__major_decision__category__descriptor, d->category),
		"decision.category: required, one of MAJOR_MATTER, CADRE_APPOINTMENT, "
		"MAJOR_PROJECT, LARGE_FUNDS");
	REQUIRE(strlen(d->title) <= VALIDATE_TITLE_MAX, "decision.title: longer than 200 bytes");
	return NULL;
}

static const char *check_opinion(const Lawtally__V1__LegalOpinion *o)
{
	REQUIRE(enum_set(&lawtally__v1__legal_opinion__adviser__descriptor, o->adviser),
		"opinion.adviser: required, one of LEGAL_ADVISER, PUBLIC_LAWYER");
	REQUIRE(enum_set(&lawtally__v1__legal_opinion__subject__descriptor, o->subject),
		"opinion.subject: required, one of CONTRACT, DECISION, DOCUMENT, LITIGATION, OTHER");
	return NULL;
}

static const char *check_disclosure(const Lawtally__V1__Disclosure *d)
{
	REQUIRE(enum_set(&lawtally__v1__disclosure__content__descriptor, d->content),
		"disclosure.content: required, one of DECISION, EXECUTION, MANAGEMENT, RESULT, "
		"SERVICE");
	REQUIRE(enum_set(&lawtally__v1__disclosure__channel__descriptor, d->channel),
		"disclosure.channel: required, one of WEBSITE, NOTICE_BOARD, WECHAT, OTHER");
	REQUIRE(d->items >= 1 && d->items <= VALIDATE_ITEMS_MAX,
		"disclosure.items: required, 1-10000");
	return NULL;
}

static const char *check_supervision(const Lawtally__V1__Supervision *s, int64_t occurred_at)
{
	REQUIRE(case_id_ok(s->case_id), "supervision.case_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__supervision__supervisor__descriptor, s->supervisor),
		"supervision.supervisor: required, one of the SUPERVISOR_ values");
	REQUIRE(enum_set(&lawtally__v1__supervision__stage__descriptor, s->stage),
		"supervision.stage: required, one of RECEIVED, RECTIFIED");
	REQUIRE(strlen(s->responsible_leader) <= VALIDATE_NAME_MAX,
		"supervision.responsible_leader: longer than 64 bytes");
	REQUIRE(strlen(s->responsible_unit) <= VALIDATE_NAME_MAX,
		"supervision.responsible_unit: longer than 64 bytes");
	REQUIRE(strlen(s->responsible_person) <= VALIDATE_NAME_MAX,
		"supervision.responsible_person: longer than 64 bytes");
	if (s->stage != LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECEIVED)
		return NULL;
	/* a finding is taken on with someone answering for it, by a date */
	REQUIRE(s->responsible_leader[0], "supervision.responsible_leader: required with stage RECEIVED");
	REQUIRE(s->responsible_unit[0], "supervision.responsible_unit: required with stage RECEIVED");
	REQUIRE(s->responsible_person[0], "supervision.responsible_person: required with stage RECEIVED");
	REQUIRE(s->deadline != 0, "supervision.deadline: required with stage RECEIVED");
	REQUIRE(s->deadline >= occurred_at, "supervision.deadline: before occurred_at");
	return NULL;
}

static const char *check_staff(const Lawtally__V1__EnforcementStaff *x)
{
	REQUIRE(case_id_ok(x->staff_id), "enforcement_staff.staff_id: required, 1-64 bytes");
	REQUIRE(x->certified || x->in_team,
		"enforcement_staff: at least one of certified, in_team must be set");
	return NULL;
}

static const char *check_task(const Lawtally__V1__Task *t)
{
	REQUIRE(case_id_ok(t->task_id), "task.task_id: required, 1-64 bytes");
	REQUIRE(enum_set(&lawtally__v1__task__item__descriptor, t->item),
		"task.item: required, one of the ITEM_ values");
	REQUIRE(enum_set(&lawtally__v1__task__stage__descriptor, t->stage),
		"task.stage: required, one of PLANNED, DONE");
	REQUIRE(name_ok(t->responsible_office), "task.responsible_office: required, 1-64 bytes");
	return NULL;
}

/*
 * A device's own running counts: they are compared with what was stored
 * from it numbered 1..up_to, so they need the snapshot's own number.
 */
static const char *check_counters(const Lawtally__V1__CounterSnapshot *c, uint64_t seq)
{
	REQUIRE(c->device_id[0] != '\0', "counters.device_id: required");
	REQUIRE(strlen(c->device_id) <= VALIDATE_DEVICE_MAX, "counters.device_id: longer than 64 bytes");
	REQUIRE(seq != 0, "counters: needs the event's seq and epoch");
	REQUIRE(c->up_to >= 1 && c->up_to < seq, "counters.up_to: must be 1 or more and below the event's seq");
	REQUIRE(c->n_counts <= VALIDATE_COUNTER_ACTIONS, "counters.counts: more than one per action");
	unsigned seen = 0;
	for (size_t i = 0; i < c->n_counts; i++) {
		int a = (int)c->counts[i]->action;
		REQUIRE(a >= 1 && a <= VALIDATE_COUNTER_ACTIONS &&
				enum_set(&lawtally__v1__enforcement__action__descriptor, a),
			"counters.counts.action: unspecified or unknown");
		REQUIRE(!(seen & (1u << a)), "counters.counts: more than one per action");
		seen |= 1u << a;
		REQUIRE(c->counts[i]->count <= VALIDATE_COUNTER_MAX, "counters.counts.count: above 10^9");
	}
	return NULL;
}

/*
 * Whether an event is reported per village (1) or may be township-level (0):
 * disputes, and the trainings of a village's own people.
 */
static int event_needs_village(const Lawtally__V1__Event *e, enum tally_kind k)
{
	if (k == TALLY_DISPUTE)
		return 1;
	return k == TALLY_TRAINING && tally_training_in_village(e->training);
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
	REQUIRE(e->seq == 0 || e->epoch != 0, "epoch: required with seq");
	REQUIRE(e->seq != 0 || e->epoch == 0, "seq: required with epoch");
	REQUIRE(e->seq <= VALIDATE_SEQ_MAX, "seq: above 2^53");
	if (e->village[0] == '\0')
		REQUIRE(!event_needs_village(e, kind),
			"village: required for dispute and for training of a village audience");
	else
		REQUIRE(villages ? villages_find(villages, e->village) != NULL
				 : village_code_valid(e->village),
			"village: not in the configured village list");

	switch (kind) {
	case TALLY_DISPUTE: return check_dispute(e->dispute);
	case TALLY_PETITION: return check_petition(e->petition);
	case TALLY_TRAINING: return check_training(e->training);
	case TALLY_PUBLICITY: return check_publicity(e->publicity);
	case TALLY_LAWSUIT: return check_lawsuit(e->lawsuit);
	case TALLY_ENFORCEMENT: return check_enforcement(e->enforcement);
	case TALLY_RETRACTION: return check_retraction(e->retraction, villages);
	case TALLY_DOCUMENT: return check_document(e->document);
	case TALLY_DECISION: return check_decision(e->decision);
	case TALLY_OPINION: return check_opinion(e->opinion);
	case TALLY_DISCLOSURE: return check_disclosure(e->disclosure);
	case TALLY_SUPERVISION: return check_supervision(e->supervision, e->occurred_at);
	case TALLY_STAFF: return check_staff(e->enforcement_staff);
	case TALLY_TASK: return check_task(e->task);
	case TALLY_COUNTERS: return check_counters(e->counters, e->seq);
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
