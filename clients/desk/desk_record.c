/*
 * desk_record.c - the desk's records: form JSON into checked events, events
 * into JSON with Chinese labels, and the daemon's reasons in Chinese (see
 * desk_record.h).
 */
#include "desk_record.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "err.h"
#include "ledger.h"
#include "scope.h"
#include "uuid.h"
#include "validate.h"
#include "words.h"

#define DAY 86400
#define NUMBER_MAX 1000000000u

static int refuse(struct desk_refusal *why, const char *field, const char *message,
		  const char *detail)
{
	snprintf(why->field, sizeof(why->field), "%s", field);
	snprintf(why->message, sizeof(why->message), "%s", message);
	snprintf(why->detail, sizeof(why->detail), "%s", detail ? detail : "");
	return LT_EINVAL;
}

/*
 * The text of field key: a string (without NUL bytes) or a number; "" when
 * absent or null. Returns 0, or -1 when it is of another type or too long.
 */
static int text_of(const json_t *obj, const char *key, char *out, size_t cap)
{
	const json_t *v = json_object_get(obj, key);
	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		snprintf(out, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	}
	if (json_is_real(v)) {
		snprintf(out, cap, "%.2f", json_real_value(v));
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n >= cap || n > DESK_FIELD_MAX || memchr(s, '\0', n))
		return -1;
	/* blanks at either end are what a form field picks up, never meant */
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* true, false, absent (false), or the words of ledgers' yes/no columns. */
static int flag_of(const json_t *obj, const char *key, protobuf_c_boolean *out)
{
	const json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_true(v)) {
		*out = 1;
		return 0;
	}
	return -1;
}

/* A whole number 0..NUMBER_MAX written with digits (full-width ones too) and 人. */
static int count_of(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	int digits = 0;
	*out = 0;
	if (!*s)
		return 0;
	while (*s) {
		if (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
		} else if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBC &&
			   (unsigned char)s[2] >= 0x90 && (unsigned char)s[2] <= 0x99) {
			v = v * 10 + (uint64_t)((unsigned char)s[2] - 0x90); /* ０..９ */
			s += 3;
		} else if (*s == ',' && digits) {
			s++;
			continue;
		} else if (strcmp(s, "人") == 0) {
			break;
		} else {
			return -1;
		}
		if (v > NUMBER_MAX)
			return -1;
		digits++;
	}
	if (!digits)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The reason's field, as the form names it. */
static const char *field_of_reason(const char *reason)
{
	static const struct {
		const char *prefix, *field;
	} map[] = {
		{"dispute.case_id", "case_id"}, {"dispute.category", "category"},
		{"dispute.stage", "stage"}, {"dispute.initiated", "initiated"},
		{"dispute.agreement_amount_fen", "amount"}, {"dispute.people", "people"},
		{"dispute.prevented_criminal_people", "criminal_people"},
		{"training.attendees", "attendees"}, {"training.topic", "topic"},
		{"occurred_at", "date"}, {"recorded_by", "recorded_by"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(reason, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].field;
	return "";
}

/* The daemon's acceptance rules and the village role's, as the daemon applies them. */
static int check(struct desk_event *o, const struct desk_who *who, int64_t now,
		 struct desk_refusal *why)
{
	/*
	 * The daemon holds an event dated over a day ahead of its clock (it
	 * cannot tell whose clock is wrong) and the spool keeps it queued; a
	 * mediator records work done, so by this PC's clock it is a mistake.
	 */
	if (validate_ahead(&o->ev, now) > 0)
		return refuse(why, "date", "日期在将来：请核对日期（以及本机的时钟）",
			      "occurred_at: more than one day ahead of this PC's clock");
	const char *reason = validate_event(&o->ev, who->villages);
	if (!reason) {
		struct scope sc = {SCOPE_VILLAGE, "", ""};
		snprintf(sc.village, sizeof(sc.village), "%s", who->village);
		reason = scope_check_event(&sc, &o->ev);
	}
	if (!reason)
		return 0;
	const char *zh = desk_reason_zh(reason);
	return refuse(why, field_of_reason(reason), zh ? zh : reason, reason);
}

static int envelope(struct desk_event *o, const struct desk_who *who, int64_t t,
		    struct desk_refusal *why)
{
	if (uuid_v7(o->id))
		return refuse(why, "", "无法生成记录编号（系统随机数不可用）", NULL);
	o->ev.id.data = o->id;
	o->ev.id.len = sizeof(o->id);
	snprintf(o->village, sizeof(o->village), "%s", who->village);
	snprintf(o->source, sizeof(o->source), "%s", who->source);
	o->ev.village = o->village;
	o->ev.source = o->source;
	o->ev.recorded_by = o->recorded_by;
	o->ev.occurred_at = t;
	return 0;
}

static int dispute(const json_t *obj, struct desk_event *o, struct desk_refusal *why)
{
	char v[DESK_FIELD_MAX + 1];
	int x = 0;
	Lawtally__V1__Dispute *d = &o->dispute;
	*d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
	if (text_of(obj, "case_id", o->case_id, sizeof(o->case_id)))
		return refuse(why, "case_id", "案件编号最长64字节", NULL);
	d->case_id = o->case_id;
	if (text_of(obj, "category", v, sizeof(v)) || (v[0] && (x = ledger_category(v)) < 0))
		return refuse(why, "category", "未知的纠纷类型", NULL);
	d->category = v[0] ? x : 0;
	if (text_of(obj, "stage", v, sizeof(v)) || (v[0] && (x = ledger_stage(v)) < 0))
		return refuse(why, "stage", "未知的办理阶段", NULL);
	d->stage = v[0] ? x : 0;
	if (text_of(obj, "initiated", v, sizeof(v)) || (v[0] && (x = ledger_initiated(v)) < 0))
		return refuse(why, "initiated", "未知的受理方式", NULL);
	d->initiated = v[0] ? x : 0;
	uint64_t fen = 0;
	if (text_of(obj, "amount", v, sizeof(v)) || (v[0] && ledger_parse_amount(v, &fen)))
		return refuse(why, "amount", "协议金额请填数字，单位元，例如 2500 或 2,500.50", NULL);
	d->agreement_amount_fen = fen;
	if (flag_of(obj, "prevented_criminal", &d->prevented_criminal) ||
	    flag_of(obj, "prevented_group_petition", &d->prevented_group_petition))
		return refuse(why, "", "防止民转刑、防止群体性上访只能是“是”或“否”", NULL);
	if (text_of(obj, "people", v, sizeof(v)) || count_of(v, &d->people))
		return refuse(why, "people", "涉及人数请填整数", NULL);
	if (text_of(obj, "criminal_people", v, sizeof(v)) ||
	    count_of(v, &d->prevented_criminal_people))
		return refuse(why, "criminal_people", "涉及人数请填整数", NULL);
	o->ev.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
	o->ev.dispute = d;
	return 0;
}

static int training(const json_t *obj, struct desk_event *o, struct desk_refusal *why)
{
	char v[DESK_FIELD_MAX + 1];
	Lawtally__V1__Training *t = &o->training;
	*t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	if (text_of(obj, "attendees", v, sizeof(v)) || count_of(v, &t->attendees) || !v[0])
		return refuse(why, "attendees", "参训人数请填整数", NULL);
	if (text_of(obj, "topic", o->topic, sizeof(o->topic)))
		return refuse(why, "topic", "培训内容最长200字节", NULL);
	t->topic = o->topic;
	o->ev.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
	o->ev.training = t;
	return 0;
}

int desk_record_event(const json_t *obj, const struct desk_who *who, int64_t now,
		      struct desk_event *out, struct desk_refusal *why)
{
	char kind[16], date[32], tod[16], when[64];
	int64_t t, day;
	int rc;
	memset(out, 0, sizeof(*out));
	memset(why, 0, sizeof(*why));
	out->ev = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	if (!json_is_object(obj))
		return refuse(why, "", "请求不是一条记录", NULL);
	if (text_of(obj, "kind", kind, sizeof(kind)))
		return refuse(why, "kind", "未知的记录种类", NULL);
	if (text_of(obj, "date", date, sizeof(date)) || !date[0])
		return refuse(why, "date", "请填写日期", NULL);
	if (text_of(obj, "time", tod, sizeof(tod)))
		return refuse(why, "time", "时间格式应为 时:分", NULL);
	snprintf(when, sizeof(when), "%s%s%s", date, tod[0] ? " " : "", tod);
	if (ledger_parse_date(when, &t, &day))
		return refuse(why, "date", "日期格式应为 2024-03-05", NULL);
	if (text_of(obj, "recorded_by", out->recorded_by, sizeof(out->recorded_by)))
		return refuse(why, "recorded_by", "登记人最长64字节", NULL);
	if (strcmp(kind, "dispute") == 0)
		rc = dispute(obj, out, why);
	else if (strcmp(kind, "training") == 0)
		rc = training(obj, out, why);
	else
		return refuse(why, "kind", "未知的记录种类", NULL);
	if (rc || (rc = envelope(out, who, t, why)))
		return rc;
	return check(out, who, now, why);
}

int desk_record_retraction(const uint8_t *target, int64_t target_at, const char *target_village,
			   const char *reason, const struct desk_who *who, int64_t now,
			   struct desk_event *out, struct desk_refusal *why)
{
	memset(out, 0, sizeof(*out));
	memset(why, 0, sizeof(*why));
	out->ev = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	if (!validate_utf8((const uint8_t *)reason, strlen(reason)) ||
	    snprintf(out->reason, sizeof(out->reason), "%s", reason) >= (int)sizeof(out->reason))
		return refuse(why, "reason", "更正原因最长200字节", NULL);
	memcpy(out->target, target, sizeof(out->target));
	out->retraction = (Lawtally__V1__Retraction)LAWTALLY__V1__RETRACTION__INIT;
	out->retraction.event_id.data = out->target;
	out->retraction.event_id.len = sizeof(out->target);
	out->retraction.reason = out->reason;
	snprintf(out->scope, sizeof(out->scope), "village:%s", target_village);
	out->retraction.scope = out->scope;
	out->ev.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
	out->ev.retraction = &out->retraction;
	int rc = envelope(out, who, target_at < now ? target_at : now, why);
	return rc ? rc : check(out, who, now, why);
}

/* ---- events back to the page ---- */

/* An enum value's name without its prefix ("NEIGHBOUR"), or "". */
static const char *short_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev = v ? protobuf_c_enum_descriptor_get_value(d, v) : NULL;
	if (!ev)
		return "";
	const char *zero = d->values[0].name, *u = strstr(zero, "UNSPECIFIED");
	return ev->name + (u ? (size_t)(u - zero) : 0);
}

static json_t *word_or_empty(const char *w)
{
	return json_string(w ? w : "");
}

json_t *desk_record_json(const Lawtally__V1__Event *e)
{
	json_t *o = json_object();
	char id[UUID_STR_LEN + 1] = "", date[16], tod[8];
	int64_t local = e->occurred_at + LEDGER_TZ_OFFSET, days = local / DAY - (local % DAY < 0);
	int64_t y, secs = local - days * DAY;
	int m, d;
	cal_civil_from_days(days, &y, &m, &d);
	snprintf(date, sizeof(date), "%04" PRId64 "-%02d-%02d", y, m, d);
	snprintf(tod, sizeof(tod), "%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
	if (e->id.len == UUID_LEN)
		uuid_format(e->id.data, id);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "date", json_string(date));
	json_object_set_new(o, "time", json_string(tod));
	json_object_set_new(o, "village", json_string(e->village));
	json_object_set_new(o, "recorded_by", json_string(e->recorded_by));
	switch (e->body_case) {
	case LAWTALLY__V1__EVENT__BODY_DISPUTE: {
		const Lawtally__V1__Dispute *x = e->dispute;
		char yuan[32] = "";
		if (x->agreement_amount_fen)
			snprintf(yuan, sizeof(yuan), "%" PRIu64 ".%02u", x->agreement_amount_fen / 100,
				 (unsigned)(x->agreement_amount_fen % 100));
		json_object_set_new(o, "kind", json_string("dispute"));
		json_object_set_new(o, "case_id", json_string(x->case_id));
		json_object_set_new(o, "category", json_string(
			short_name(&lawtally__v1__dispute__category__descriptor, x->category)));
		json_object_set_new(o, "category_label", word_or_empty(words_name(&lawtally__v1__dispute__category__descriptor, x->category)));
		json_object_set_new(o, "stage", json_string(
			short_name(&lawtally__v1__dispute__stage__descriptor, x->stage)));
		json_object_set_new(o, "stage_label", word_or_empty(words_name(&lawtally__v1__dispute__stage__descriptor, x->stage)));
		json_object_set_new(o, "initiated", json_string(
			short_name(&lawtally__v1__dispute__initiated__descriptor, x->initiated)));
		json_object_set_new(o, "initiated_label",
				    word_or_empty(words_name(&lawtally__v1__dispute__initiated__descriptor, x->initiated)));
		json_object_set_new(o, "amount", json_string(yuan));
		json_object_set_new(o, "prevented_criminal", json_boolean(x->prevented_criminal));
		json_object_set_new(o, "prevented_group_petition",
				    json_boolean(x->prevented_group_petition));
		json_object_set_new(o, "people", json_integer(x->people));
		json_object_set_new(o, "criminal_people", json_integer(x->prevented_criminal_people));
		break;
	}
	case LAWTALLY__V1__EVENT__BODY_TRAINING:
		json_object_set_new(o, "kind", json_string("training"));
		json_object_set_new(o, "attendees", json_integer(e->training->attendees));
		json_object_set_new(o, "topic", json_string(e->training->topic));
		break;
	case LAWTALLY__V1__EVENT__BODY_RETRACTION: {
		char target[UUID_STR_LEN + 1] = "";
		if (e->retraction->event_id.len == UUID_LEN)
			uuid_format(e->retraction->event_id.data, target);
		json_object_set_new(o, "kind", json_string("retraction"));
		json_object_set_new(o, "target", json_string(target));
		json_object_set_new(o, "reason", json_string(e->retraction->reason));
		break;
	}
	default:
		json_object_set_new(o, "kind", json_string("other"));
	}
	return o;
}

static json_t *choices(const ProtobufCEnumDescriptor *d)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < d->n_values; i++) {
		int v = d->values[i].value;
		const char *w = words_name(d, v);
		if (v && w)
			json_array_append_new(a, json_pack("{s:s, s:s}", "value", short_name(d, v),
							   "label", w));
	}
	return a;
}

json_t *desk_record_labels(void)
{
	return json_pack("{s:o, s:o, s:o}",
			 "category", choices(&lawtally__v1__dispute__category__descriptor),
			 "stage", choices(&lawtally__v1__dispute__stage__descriptor),
			 "initiated", choices(&lawtally__v1__dispute__initiated__descriptor));
}

const char *desk_reason_zh(const char *reason)
{
	static const struct {
		const char *prefix, *zh;
	} words[] = {
		{"occurred_at: more than one day in the future",
		 "日期晚于乡镇服务器的时间一天以上：请核对日期（以及本机的时钟）"},
		{"occurred_at: before 2000-01-01", "日期早于2000年1月1日"},
		{"village: not in the configured village list", "乡镇的村名单里没有这个村"},
		{"village: required", "缺少村代码"},
		{"dispute.case_id", "请填写案件编号（最长64字节）"},
		{"dispute.category", "请选择纠纷类型"},
		{"dispute.stage", "请选择办理阶段"},
		{"dispute.initiated", "未知的受理方式"},
		{"dispute.agreement_amount_fen: only with stage RESOLVED",
		 "协议金额只在调解成功时填写"},
		{"dispute.agreement_amount_fen", "协议金额超过上限"},
		{"dispute.people: only with prevented_group_petition",
		 "涉及人数只在防止群体性上访时填写"},
		{"dispute.people", "涉及人数超过100000"},
		{"dispute.prevented_criminal_people: only with prevented_criminal",
		 "民转刑涉及人数只在防止民转刑时填写"},
		{"dispute.prevented_criminal_people", "民转刑涉及人数超过100000"},
		{"training.attendees", "参训人数超过10000"},
		{"training.topic", "培训内容最长200字节"},
		{"recorded_by", "登记人最长64字节"},
		{"source", "发送方名称最长64字节"},
		{"case: more than 64 events", "同一案件的记录已超过64条"},
		{"retraction.event_id: no stored event", "乡镇没有收到过这条记录，无法撤回"},
		{"retraction.event_id: the event is already retracted", "这条记录已经撤回"},
		{"retraction.event_id: a retraction cannot", "更正记录不能再撤回"},
		{"retraction.event_id: only the original sender",
		 "只有原报送方或乡镇办公室可以撤回这条记录"},
		{"retraction.reason", "更正原因最长200字节"},
		{"retraction.scope", "更正记录没有写明所撤回记录的村"},
		{"scope: a village key sends events of its own village only",
		 "本机的密钥只能报送本村的记录"},
		{"scope: village keys send", "村里只能报送矛盾纠纷、培训和更正"},
		{"auth: this key is not registered", "本机的密钥没有在乡镇登记"},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(reason, words[i].prefix, strlen(words[i].prefix)) == 0)
			return words[i].zh;
	return NULL;
}
