/* export.c - CSV exports for spreadsheets (see export.h). */
#include "export.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "numbers.h"
#include "tally.h"
#include "when.h"

/* 1 if s is an optionally signed decimal number (it may start with '-'). */
static int is_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	int dot = 0;
	for (; *s; s++) {
		if (*s == '.' && !dot)
			dot = 1;
		else if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

static void cell(struct sbuf *out, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int formula = strchr("=+-@\t\r", *s) && *s && !is_number(s);
	if (quote)
		sbuf_put(out, "\"", 1);
	if (formula)
		sbuf_put(out, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sbuf_put(out, "\"\"", 2);
		else
			sbuf_put(out, p, 1);
	}
	if (quote)
		sbuf_put(out, "\"", 1);
}

void export_row(struct sbuf *out, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_put(out, ",", 1);
		cell(out, cells[i] ? cells[i] : "");
	}
	sbuf_put(out, "\r\n", 2);
}

/* The unit of a metric's values: 件, 元, 人次 ...; in English "yuan" for amounts, else "". */
static const char *unit_of(int m, enum lang l)
{
	if (l == LANG_EN)
		return labels_is_money(m) ? "yuan" : "";
	return labels_unit(m, l);
}

void export_totals(const Lawtally__V1__QueryReply *r, const char *by, enum lang l,
		const struct villages *villages, struct sbuf *out)
{
	enum { NONE, MONTH, VILLAGE, DIM } kind = !by || !*by ? NONE
		: strcmp(by, "month") == 0 ? MONTH : strcmp(by, "village") == 0 ? VILLAGE : DIM;
	char dimlabel[48];
	snprintf(dimlabel, sizeof(dimlabel), "%.32s_label", by ? by : "");
	sbuf_puts(out, EXPORT_BOM);
	const char *head[6] = {"metric", "label", by, kind == VILLAGE ? "village_name" : dimlabel,
			       "unit", "value"};
	if (kind == NONE)
		export_row(out, (const char *const[]){"metric", "label", "unit", "value"}, 4);
	else if (kind == MONTH)
		export_row(out, (const char *const[]){"metric", "label", "month", "unit", "value"}, 5);
	else
		export_row(out, head, 6);
	for (size_t i = 0; i < r->n_rows; i++) {
		const Lawtally__V1__Row *row = r->rows[i];
		int m = tally_metric_by_name(row->metric);
		char value[NUM_LEN], month[8];
		if (labels_is_money(m))
			num_yuan(row->value, value);
		else
			snprintf(value, sizeof(value), "%" PRId64, row->value);
		const char *label = labels_metric(m, l), *unit = unit_of(m, l);
		if (kind == NONE) {
			export_row(out, (const char *const[]){row->metric, label, unit, value}, 4);
		} else if (kind == MONTH) {
			snprintf(month, sizeof(month), "%u", row->month % 100u);
			export_row(out, (const char *const[]){row->metric, label, month, unit, value}, 5);
		} else if (kind == VILLAGE) {
			const struct village *v = villages ? villages_find(villages, row->village) : NULL;
			const char *name = row->village[0] ? (v ? v->name : "")
							   : (l == LANG_EN ? "township level" : "镇级");
			export_row(out, (const char *const[]){row->metric, label, row->village, name, unit,
							      value}, 6);
		} else {
			int d = tally_dim_by_name(m, by);
			int val = d >= 0 ? tally_dim_value(m, d, row->dimension) : -1;
			const char *dl = val >= 0 ? labels_dim_value(m, d, val, l) : "";
			export_row(out, (const char *const[]){row->metric, label, row->dimension, dl, unit,
							      value}, 6);
		}
	}
}

static const char *const event_cols[] = {
	"seq", "id", "received_at", "sender", "retracted", "occurred_at", "village", "source",
	"recorded_by", "kind", "case_id", "stage", "category", "initiated", "origin", "venue",
	"lawsuit_kind", "outcome", "campaign", "action", "difficult", "joint_meeting",
	"is_activity", "recorded", "prevented_criminal", "prevented_group_petition", "people",
	"attendees", "materials", "consultations", "agreement_amount_yuan", "topic", "device_id",
	"retracts_event_id", "reason",
};
enum { NCOLS = sizeof(event_cols) / sizeof(event_cols[0]) };
enum {
	C_SEQ, C_ID, C_RECEIVED, C_SENDER, C_RETRACTED, C_OCCURRED, C_VILLAGE, C_SOURCE,
	C_RECORDED_BY, C_KIND, C_CASE, C_STAGE, C_CATEGORY, C_INITIATED, C_ORIGIN, C_VENUE,
	C_LKIND, C_OUTCOME, C_CAMPAIGN, C_ACTION, C_DIFFICULT, C_JOINT, C_ACTIVITY, C_RECORDED,
	C_PCRIMINAL, C_PGROUP, C_PEOPLE, C_ATTENDEES, C_MATERIALS, C_CONSULT, C_AMOUNT, C_TOPIC,
	C_DEVICE, C_RETRACTS, C_REASON,
};

void export_events_header(struct sbuf *out)
{
	sbuf_puts(out, EXPORT_BOM);
	export_row(out, event_cols, NCOLS);
}

/* An enum value's name without its prefix ("LAND" for CATEGORY_LAND), "" for 0. */
static const char *enum_name(const ProtobufCEnumDescriptor *d, int value)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(d, 0);
	if (!v || value == 0)
		return "";
	const char *u = zero ? strstr(zero->name, "UNSPECIFIED") : NULL;
	size_t plen = u ? (size_t)(u - zero->name) : 0;
	return strlen(v->name) > plen ? v->name + plen : v->name;
}

static void uuid_text(const ProtobufCBinaryData *b, char out[40])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < b->len && i < 16; i++) {
		if (b->len == 16 && (i == 4 || i == 6 || i == 8 || i == 10))
			out[o++] = '-';
		out[o++] = hex[b->data[i] >> 4];
		out[o++] = hex[b->data[i] & 15];
	}
	out[o] = '\0';
}

static void stamp(int64_t t, int32_t tz, char out[WHEN_FORMAT_LEN])
{
	when_format(t, tz, out);
	out[10] = ' ';
	out[19] = '\0';
}

void export_event(struct sbuf *out, const struct export_record *ev, int32_t tz)
{
	const Lawtally__V1__Event *e = ev->event;
	const char *c[NCOLS] = {0};
	char seq[24], id[40], rec[WHEN_FORMAT_LEN], occ[WHEN_FORMAT_LEN], people[16], att[16],
		mat[16], con[16], amount[NUM_LEN], target[40];
	static const char *const yes_no[2] = {"0", "1"};
	snprintf(seq, sizeof(seq), "%" PRIu64, ev->seq);
	uuid_text(&e->id, id);
	stamp(ev->received_at, tz, rec);
	stamp(e->occurred_at, tz, occ);
	c[C_SEQ] = seq;
	c[C_ID] = id;
	c[C_RECEIVED] = rec;
	c[C_SENDER] = ev->sender;
	c[C_RETRACTED] = yes_no[!!ev->retracted];
	c[C_OCCURRED] = occ;
	c[C_VILLAGE] = e->village;
	c[C_SOURCE] = e->source;
	c[C_RECORDED_BY] = e->recorded_by;
	switch (e->body_case) {
	case LAWTALLY__V1__EVENT__BODY_DISPUTE: {
		const Lawtally__V1__Dispute *d = e->dispute;
		c[C_KIND] = "dispute";
		c[C_CASE] = d->case_id;
		c[C_STAGE] = enum_name(&lawtally__v1__dispute__stage__descriptor, d->stage);
		c[C_CATEGORY] = enum_name(&lawtally__v1__dispute__category__descriptor, d->category);
		c[C_INITIATED] = enum_name(&lawtally__v1__dispute__initiated__descriptor, d->initiated);
		c[C_PCRIMINAL] = yes_no[!!d->prevented_criminal];
		c[C_PGROUP] = yes_no[!!d->prevented_group_petition];
		snprintf(people, sizeof(people), "%u", d->people);
		c[C_PEOPLE] = d->people ? people : "";
		num_yuan((int64_t)(d->agreement_amount_fen > INT64_MAX ? INT64_MAX
								       : d->agreement_amount_fen),
			 amount);
		c[C_AMOUNT] = d->agreement_amount_fen ? amount : "";
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_PETITION: {
		const Lawtally__V1__Petition *p = e->petition;
		c[C_KIND] = "petition";
		c[C_CASE] = p->case_id;
		c[C_STAGE] = enum_name(&lawtally__v1__petition__stage__descriptor, p->stage);
		c[C_ORIGIN] = enum_name(&lawtally__v1__petition__origin__descriptor, p->origin);
		c[C_DIFFICULT] = yes_no[!!p->difficult];
		c[C_JOINT] = yes_no[!!p->joint_meeting];
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_TRAINING:
		c[C_KIND] = "training";
		snprintf(att, sizeof(att), "%u", e->training->attendees);
		c[C_ATTENDEES] = att;
		c[C_TOPIC] = e->training->topic;
		break;
	case LAWTALLY__V1__EVENT__BODY_PUBLICITY: {
		const Lawtally__V1__Publicity *p = e->publicity;
		c[C_KIND] = "publicity";
		c[C_VENUE] = enum_name(&lawtally__v1__publicity__venue__descriptor, p->venue);
		c[C_ACTIVITY] = yes_no[!!p->is_activity];
		snprintf(mat, sizeof(mat), "%u", p->materials);
		snprintf(con, sizeof(con), "%u", p->consultations);
		c[C_MATERIALS] = mat;
		c[C_CONSULT] = con;
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_LAWSUIT: {
		const Lawtally__V1__Lawsuit *l = e->lawsuit;
		c[C_KIND] = "lawsuit";
		c[C_CASE] = l->case_id;
		c[C_STAGE] = enum_name(&lawtally__v1__lawsuit__stage__descriptor, l->stage);
		c[C_LKIND] = enum_name(&lawtally__v1__lawsuit__kind__descriptor, l->kind);
		c[C_OUTCOME] = enum_name(&lawtally__v1__lawsuit__outcome__descriptor, l->outcome);
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT: {
		const Lawtally__V1__Enforcement *x = e->enforcement;
		c[C_KIND] = "enforcement";
		c[C_CASE] = x->case_id;
		c[C_CAMPAIGN] = enum_name(&lawtally__v1__enforcement__campaign__descriptor, x->campaign);
		c[C_ACTION] = enum_name(&lawtally__v1__enforcement__action__descriptor, x->action);
		c[C_RECORDED] = yes_no[!!x->recorded];
		c[C_DEVICE] = x->device_id;
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_RETRACTION:
		c[C_KIND] = "retraction";
		uuid_text(&e->retraction->event_id, target);
		c[C_RETRACTS] = target;
		c[C_REASON] = e->retraction->reason;
		break;
	/* the township's later kinds: their kind, case and stage; the rest of
	 * their fields are in the JSON Lines export */
	case LAWTALLY__V1__EVENT__BODY_DOCUMENT:
		c[C_KIND] = "document";
		c[C_CASE] = e->document->document_id;
		c[C_STAGE] = enum_name(&lawtally__v1__normative_document__action__descriptor,
				       e->document->action);
		break;
	case LAWTALLY__V1__EVENT__BODY_DECISION:
		c[C_KIND] = "decision";
		c[C_CASE] = e->decision->decision_id;
		break;
	case LAWTALLY__V1__EVENT__BODY_OPINION:
		c[C_KIND] = "opinion";
		break;
	case LAWTALLY__V1__EVENT__BODY_DISCLOSURE:
		c[C_KIND] = "disclosure";
		break;
	case LAWTALLY__V1__EVENT__BODY_SUPERVISION:
		c[C_KIND] = "supervision";
		c[C_CASE] = e->supervision->case_id;
		c[C_STAGE] = enum_name(&lawtally__v1__supervision__stage__descriptor,
				       e->supervision->stage);
		break;
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF:
		c[C_KIND] = "enforcement_staff";
		c[C_CASE] = e->enforcement_staff->staff_id;
		break;
	case LAWTALLY__V1__EVENT__BODY_TASK:
		c[C_KIND] = "task";
		c[C_CASE] = e->task->task_id;
		c[C_STAGE] = enum_name(&lawtally__v1__task__stage__descriptor, e->task->stage);
		break;
	case LAWTALLY__V1__EVENT__BODY_COUNTERS:
		c[C_KIND] = "counters"; /* a device's own counts: no figure */
		break;
	default:
		c[C_KIND] = "";
		break;
	}
	export_row(out, c, NCOLS);
}
