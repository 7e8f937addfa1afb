/*
 * test_validate.c - unit tests of common/validate.c: every acceptance rule
 * of docs/model.md with its boundary, every rejection reason, the UTF-8 check
 * and the wire-level string walk.
 *
 * Bad events are made by a table of mutators applied to a valid event of
 * the right kind; each row names the one reason it must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally.h"
#include "validate.h"
#include "villages.h"

/* The daemon's clock in these tests: 2024-06-10T00:00:00+08:00. */
#define NOW 1717948800LL

static struct villages villages;

/* One event with room for every body and for long strings. */
struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Petition p;
	Lawtally__V1__Training t;
	Lawtally__V1__Publicity pub;
	Lawtally__V1__Lawsuit l;
	Lawtally__V1__Enforcement x;
	Lawtally__V1__Retraction r;
	Lawtally__V1__NormativeDocument doc;
	Lawtally__V1__MajorDecision dec;
	Lawtally__V1__LegalOpinion op;
	Lawtally__V1__Disclosure dis;
	Lawtally__V1__Supervision sup;
	Lawtally__V1__EnforcementStaff st;
	Lawtally__V1__Task tk;
	Lawtally__V1__CounterSnapshot cs;
	Lawtally__V1__CounterSnapshot__Count cnt[8];
	Lawtally__V1__CounterSnapshot__Count *cntp[8];
	uint8_t id[32];
	uint8_t rid[32];
	char big[512];
};

/* A string of n copies of c in v->big. */
static char *big(struct ev *v, size_t n, char c)
{
	memset(v->big, c, n);
	v->big[n] = '\0';
	return v->big;
}

/* Fills v with a valid event of kind: every required field set. */
static void ev_init(struct ev *v, enum tally_kind kind)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	v->d = (Lawtally__V1__Dispute)LAWTALLY__V1__DISPUTE__INIT;
	v->p = (Lawtally__V1__Petition)LAWTALLY__V1__PETITION__INIT;
	v->t = (Lawtally__V1__Training)LAWTALLY__V1__TRAINING__INIT;
	v->pub = (Lawtally__V1__Publicity)LAWTALLY__V1__PUBLICITY__INIT;
	v->l = (Lawtally__V1__Lawsuit)LAWTALLY__V1__LAWSUIT__INIT;
	v->x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
	v->r = (Lawtally__V1__Retraction)LAWTALLY__V1__RETRACTION__INIT;
	v->doc = (Lawtally__V1__NormativeDocument)LAWTALLY__V1__NORMATIVE_DOCUMENT__INIT;
	v->dec = (Lawtally__V1__MajorDecision)LAWTALLY__V1__MAJOR_DECISION__INIT;
	v->op = (Lawtally__V1__LegalOpinion)LAWTALLY__V1__LEGAL_OPINION__INIT;
	v->dis = (Lawtally__V1__Disclosure)LAWTALLY__V1__DISCLOSURE__INIT;
	v->sup = (Lawtally__V1__Supervision)LAWTALLY__V1__SUPERVISION__INIT;
	v->st = (Lawtally__V1__EnforcementStaff)LAWTALLY__V1__ENFORCEMENT_STAFF__INIT;
	v->tk = (Lawtally__V1__Task)LAWTALLY__V1__TASK__INIT;
	for (int i = 0; i < 16; i++) {
		v->id[i] = (uint8_t)(0xA0 + i);
		v->rid[i] = (uint8_t)(0x10 + i);
	}
	v->e.id.len = 16;
	v->e.id.data = v->id;
	v->e.occurred_at = NOW - 3600;
	v->e.source = "mediator-zl07";
	v->e.recorded_by = "王芳";

	switch (kind) {
	case TALLY_DISPUTE:
		v->e.village = "ZL07";
		v->d.case_id = "2024-017";
		v->d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_LAND;
		v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_REGISTERED;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_DISPUTE;
		v->e.dispute = &v->d;
		break;
	case TALLY_PETITION:
		v->p.case_id = "XF-2024-03";
		v->p.origin = LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_TOWNSHIP;
		v->p.stage = LAWTALLY__V1__PETITION__STAGE__STAGE_RECEIVED;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_PETITION;
		v->e.petition = &v->p;
		break;
	case TALLY_TRAINING:
		v->e.village = "ZL03";
		v->t.attendees = 35;
		v->t.topic = "人民调解法";
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_TRAINING;
		v->e.training = &v->t;
		break;
	case TALLY_PUBLICITY:
		v->pub.venue = LAWTALLY__V1__PUBLICITY__VENUE__VENUE_SCHOOL;
		v->pub.materials = 800;
		v->pub.consultations = 95;
		v->pub.is_activity = 1;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_PUBLICITY;
		v->e.publicity = &v->pub;
		break;
	case TALLY_LAWSUIT:
		v->l.case_id = "(2024)豫0423行初12号";
		v->l.kind = LAWTALLY__V1__LAWSUIT__KIND__KIND_ADMINISTRATIVE;
		v->l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_FILED;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_LAWSUIT;
		v->e.lawsuit = &v->l;
		break;
	case TALLY_ENFORCEMENT:
		v->x.campaign = LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_STRAW_BURNING;
		v->x.action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
		v->x.recorded = 1;
		v->x.device_id = "ZFJLY-0007";
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
		v->e.enforcement = &v->x;
		break;
	case TALLY_RETRACTION:
		v->r.event_id.len = 16;
		v->r.event_id.data = v->rid;
		v->r.reason = "entered twice";
		v->r.scope = "village:ZL07";
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_RETRACTION;
		v->e.retraction = &v->r;
		break;
	case TALLY_DOCUMENT:
		v->doc.document_id = "张政〔2024〕5号";
		v->doc.action = LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_FILED;
		v->doc.title = "张良镇秸秆禁烧管理办法";
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_DOCUMENT;
		v->e.document = &v->doc;
		break;
	case TALLY_DECISION:
		v->dec.decision_id = "JC-2024-02";
		v->dec.category = LAWTALLY__V1__MAJOR_DECISION__CATEGORY__CATEGORY_MAJOR_PROJECT;
		v->dec.collective = 1;
		v->dec.legal_review = 1;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_DECISION;
		v->e.decision = &v->dec;
		break;
	case TALLY_OPINION:
		v->op.adviser = LAWTALLY__V1__LEGAL_OPINION__ADVISER__ADVISER_PUBLIC_LAWYER;
		v->op.subject = LAWTALLY__V1__LEGAL_OPINION__SUBJECT__SUBJECT_CONTRACT;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_OPINION;
		v->e.opinion = &v->op;
		break;
	case TALLY_DISCLOSURE:
		v->dis.content = LAWTALLY__V1__DISCLOSURE__CONTENT__CONTENT_RESULT;
		v->dis.channel = LAWTALLY__V1__DISCLOSURE__CHANNEL__CHANNEL_WEBSITE;
		v->dis.items = 4;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_DISCLOSURE;
		v->e.disclosure = &v->dis;
		break;
	case TALLY_SUPERVISION:
		v->sup.case_id = "ZG-2024-01";
		v->sup.supervisor = LAWTALLY__V1__SUPERVISION__SUPERVISOR__SUPERVISOR_INSPECTION;
		v->sup.stage = LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECEIVED;
		v->sup.responsible_leader = "副镇长";
		v->sup.responsible_unit = "综合执法队";
		v->sup.responsible_person = "执法队长";
		v->sup.deadline = NOW + 30 * 86400;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_SUPERVISION;
		v->e.supervision = &v->sup;
		break;
	case TALLY_STAFF:
		v->st.staff_id = "ZF-03";
		v->st.certified = 1;
		v->st.in_team = 1;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF;
		v->e.enforcement_staff = &v->st;
		break;
	case TALLY_TASK:
		v->tk.task_id = "RW-2024-01";
		v->tk.item = LAWTALLY__V1__TASK__ITEM__ITEM_LEADING_GROUP;
		v->tk.stage = LAWTALLY__V1__TASK__STAGE__STAGE_DONE;
		v->tk.responsible_office = "党政办";
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_TASK;
		v->e.task = &v->tk;
		break;
	case TALLY_COUNTERS:
		v->cs = (Lawtally__V1__CounterSnapshot)LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
		for (int i = 0; i < 8; i++) {
			v->cnt[i] = (Lawtally__V1__CounterSnapshot__Count)
				LAWTALLY__V1__COUNTER_SNAPSHOT__COUNT__INIT;
			v->cnt[i].action = (Lawtally__V1__Enforcement__Action)(i + 1);
			v->cntp[i] = &v->cnt[i];
		}
		v->cnt[0].count = 40;
		v->cnt[2].count = 2;
		v->cs.device_id = "ZFJLY-0007";
		v->cs.up_to = 42;
		v->cs.n_counts = 3;
		v->cs.counts = v->cntp;
		v->e.seq = 43;
		v->e.epoch = 0x5eed5eed5eed5eedULL;
		v->e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
		v->e.counters = &v->cs;
		break;
	case TALLY_KIND_NONE:
		break;
	}
}

static const char *check(const struct ev *v)
{
	return validate_event(&v->e, &villages);
}

static int setup_villages(void **state)
{
	(void)state;
	villages_builtin(&villages);
	return villages.n == 41 ? 0 : -1;
}

/* --- sequence numbers and counter snapshots ---------------------------- */

static void test_seq_epoch_rules(void **state)
{
	(void)state;
	struct ev v;
	ev_init(&v, TALLY_DISPUTE);
	v.e.seq = 7;
	assert_string_equal(check(&v), "epoch: required with seq");
	v.e.epoch = 99;
	assert_null(check(&v));
	v.e.seq = 0;
	assert_string_equal(check(&v), "seq: required with epoch");
	v.e.seq = (1ULL << 53) + 1;
	assert_string_equal(check(&v), "seq: above 2^53");
	v.e.seq = 1ULL << 53;
	assert_null(check(&v));
}

static void test_counters_rules(void **state)
{
	(void)state;
	struct ev v;
	ev_init(&v, TALLY_COUNTERS);
	assert_null(check(&v));
	v.e.seq = v.e.epoch = 0;
	assert_string_equal(check(&v), "counters: needs the event's seq and epoch");
	ev_init(&v, TALLY_COUNTERS);
	v.cs.up_to = 43;
	assert_string_equal(check(&v), "counters.up_to: must be 1 or more and below the event's seq");
	v.cs.up_to = 0;
	assert_string_equal(check(&v), "counters.up_to: must be 1 or more and below the event's seq");
	ev_init(&v, TALLY_COUNTERS);
	v.cs.device_id = "";
	assert_string_equal(check(&v), "counters.device_id: required");
	v.cs.device_id = big(&v, 65, 'd');
	assert_string_equal(check(&v), "counters.device_id: longer than 64 bytes");
	ev_init(&v, TALLY_COUNTERS);
	v.cnt[1].action = v.cnt[0].action;
	assert_string_equal(check(&v), "counters.counts: more than one per action");
	ev_init(&v, TALLY_COUNTERS);
	v.cs.n_counts = 8;
	assert_string_equal(check(&v), "counters.counts: more than one per action");
	ev_init(&v, TALLY_COUNTERS);
	v.cnt[0].action = 0;
	assert_string_equal(check(&v), "counters.counts.action: unspecified or unknown");
	ev_init(&v, TALLY_COUNTERS);
	v.cnt[2].count = 1000000001;
	assert_string_equal(check(&v), "counters.counts.count: above 10^9");
	v.cnt[2].count = 1000000000;
	assert_null(check(&v));
	/* every action once is fine */
	v.cs.n_counts = 7;
	assert_null(check(&v));
}

/* --- valid events ------------------------------------------------------ */

static void test_valid_every_kind(void **state)
{
	(void)state;
	for (int k = TALLY_DISPUTE; k <= TALLY_COUNTERS; k++) {
		struct ev v;
		ev_init(&v, (enum tally_kind)k);
		const char *why = check(&v);
		if (why)
			fail_msg("kind %d rejected: %s", k, why);
	}
}

/*
 * Mutators: each changes one thing of a valid event. Those named ok_* keep
 * the event valid (a boundary on the accepted side); the others break it.
 */
typedef void (*mutator)(struct ev *v);

static void ok_epoch_min(struct ev *v) { v->e.occurred_at = VALIDATE_EPOCH_MIN; }
static void ok_future_day(struct ev *v) { v->e.occurred_at = NOW + 86400; }
static void ok_source_64(struct ev *v) { v->e.source = big(v, 64, 's'); }
static void ok_source_empty(struct ev *v) { v->e.source = ""; }
static void ok_recorded_by_64(struct ev *v) { v->e.recorded_by = big(v, 64, 'r'); }
static void ok_recorded_by_empty(struct ev *v) { v->e.recorded_by = ""; }
static void ok_village_first(struct ev *v) { v->e.village = "ZL01"; }
static void ok_village_last(struct ev *v) { v->e.village = "ZL41"; }
static void ok_village_empty(struct ev *v) { v->e.village = ""; }
static void ok_case_id_64(struct ev *v)
{
	v->d.case_id = v->p.case_id = v->l.case_id = v->x.case_id = big(v, 64, 'c');
}
static void ok_case_id_1(struct ev *v) { v->d.case_id = v->p.case_id = v->l.case_id = "1"; }
static void ok_dispute_resolved_amount_max(struct ev *v)
{
	v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED;
	v->d.agreement_amount_fen = VALIDATE_AMOUNT_MAX;
}
static void ok_dispute_people_max(struct ev *v)
{
	v->d.prevented_group_petition = 1;
	v->d.people = VALIDATE_PEOPLE_MAX;
}
static void ok_dispute_criminal_people_max(struct ev *v)
{
	v->d.prevented_criminal = 1;
	v->d.prevented_criminal_people = VALIDATE_PEOPLE_MAX;
}
static void bad_criminal_people_no_flag(struct ev *v)
{
	v->d.prevented_group_petition = 1;
	v->d.prevented_criminal_people = 3;
}
static void bad_criminal_people_max(struct ev *v)
{
	v->d.prevented_criminal = 1;
	v->d.prevented_criminal_people = VALIDATE_PEOPLE_MAX + 1;
}
static void ok_dispute_prevented_group_no_people(struct ev *v)
{
	v->d.prevented_group_petition = 1;
}
static void ok_dispute_prevented_criminal(struct ev *v) { v->d.prevented_criminal = 1; }
static void ok_dispute_category_other(struct ev *v)
{
	v->d.category = LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_OTHER;
}
static void ok_dispute_stage_unresolved(struct ev *v)
{
	v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_UNRESOLVED;
}
static void ok_dispute_initiated_referral(struct ev *v)
{
	v->d.initiated = LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_REFERRAL;
}
static void ok_petition_concluded_difficult(struct ev *v)
{
	v->p.origin = LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_PROVINCIAL_INSPECTION;
	v->p.stage = LAWTALLY__V1__PETITION__STAGE__STAGE_CONCLUDED;
	v->p.difficult = v->p.joint_meeting = 1;
}
static void ok_training_attendees_max(struct ev *v) { v->t.attendees = VALIDATE_ATTENDEES_MAX; }
static void ok_training_attendees_zero(struct ev *v) { v->t.attendees = 0; }
static void ok_training_topic_200(struct ev *v) { v->t.topic = big(v, 200, 't'); }
static void ok_publicity_materials_max(struct ev *v) { v->pub.materials = VALIDATE_MATERIALS_MAX; }
static void ok_publicity_consultations_max(struct ev *v)
{
	v->pub.consultations = VALIDATE_CONSULTATIONS_MAX;
}
static void ok_publicity_desk_day(struct ev *v)
{
	v->pub.is_activity = 0;
	v->pub.venue = LAWTALLY__V1__PUBLICITY__VENUE__VENUE_COMMUNITY;
}
static void ok_lawsuit_judged_lost(struct ev *v)
{
	v->l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED;
	v->l.outcome = LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_LOST;
}
static void ok_lawsuit_judged_withdrawn(struct ev *v)
{
	v->l.kind = LAWTALLY__V1__LAWSUIT__KIND__KIND_OTHER;
	v->l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED;
	v->l.outcome = LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_WITHDRAWN;
}
static void ok_enforcement_no_case(struct ev *v) { v->x.case_id = ""; }
static void ok_enforcement_device_64(struct ev *v) { v->x.device_id = big(v, 64, 'd'); }
static void ok_enforcement_hearing(struct ev *v)
{
	v->x.action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_HEARING;
	v->x.campaign = LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_OTHER;
}
static void ok_training_township_audience(struct ev *v)
{
	v->e.village = "";
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_COMMUNITY_CORRECTION;
	v->t.trainer = "公职律师蔺文龙";
}
static void ok_training_village_cadres_township(struct ev *v)
{
	v->e.village = "";
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_VILLAGE_CADRES;
}
static void ok_training_leaders_in_village(struct ev *v)
{
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_LEADERS;
}
static void ok_training_trainer_64(struct ev *v) { v->t.trainer = big(v, 64, 't'); }
static void ok_publicity_law(struct ev *v)
{
	v->pub.law = LAWTALLY__V1__PUBLICITY__LAW__LAW_OTHER;
}
static void ok_document_no_title(struct ev *v) { v->doc.title = ""; }
static void ok_document_title_200(struct ev *v) { v->doc.title = big(v, 200, 'd'); }
static void ok_document_id_64(struct ev *v) { v->doc.document_id = big(v, 64, 'n'); }
static void ok_decision_flags_none(struct ev *v)
{
	v->dec.collective = v->dec.legal_review = v->dec.hearing = v->dec.public_consultation = 0;
}
static void ok_disclosure_items_max(struct ev *v) { v->dis.items = VALIDATE_ITEMS_MAX; }
static void ok_disclosure_items_1(struct ev *v) { v->dis.items = 1; }
static void ok_supervision_deadline_same(struct ev *v) { v->sup.deadline = v->e.occurred_at; }
static void ok_supervision_rectified_bare(struct ev *v)
{
	v->sup.stage = LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECTIFIED;
	v->sup.responsible_leader = v->sup.responsible_unit = v->sup.responsible_person = "";
	v->sup.deadline = 0;
}
static void ok_staff_certified_only(struct ev *v) { v->st.in_team = 0; }
static void ok_staff_team_only(struct ev *v) { v->st.certified = 0; }
static void ok_task_planned(struct ev *v)
{
	v->tk.stage = LAWTALLY__V1__TASK__STAGE__STAGE_PLANNED;
	v->tk.responsible_office = big(v, 64, 'o');
}
static void ok_retraction_reason_200(struct ev *v) { v->r.reason = big(v, 200, 'w'); }
static void ok_retraction_reason_1(struct ev *v) { v->r.reason = "x"; }
static void ok_scope_township(struct ev *v) { v->r.scope = "township"; }
static void ok_scope_device(struct ev *v) { v->r.scope = "device"; }
static void ok_scope_device_id(struct ev *v) { v->r.scope = "device:ZFJLY-0007"; }
static void ok_scope_village_last(struct ev *v) { v->r.scope = "village:ZL41"; }
static void ok_scope_device_64(struct ev *v)
{
	memcpy(big(v, 7 + 64, 'd'), "device:", 7);
	v->r.scope = v->big;
}

struct ok_row {
	const char *name;
	enum tally_kind kind;
	mutator mut;
};

#define OK(kind, fn) {#fn " (" #kind ")", kind, fn}

static const struct ok_row ok_rows[] = {
	OK(TALLY_DISPUTE, ok_epoch_min),
	OK(TALLY_PUBLICITY, ok_epoch_min),
	OK(TALLY_DISPUTE, ok_future_day),
	OK(TALLY_ENFORCEMENT, ok_future_day),
	OK(TALLY_DISPUTE, ok_source_64),
	OK(TALLY_DISPUTE, ok_source_empty),
	OK(TALLY_TRAINING, ok_recorded_by_64),
	OK(TALLY_TRAINING, ok_recorded_by_empty),
	OK(TALLY_DISPUTE, ok_village_first),
	OK(TALLY_TRAINING, ok_village_last),
	OK(TALLY_PETITION, ok_village_last),
	OK(TALLY_PETITION, ok_village_empty),
	OK(TALLY_PUBLICITY, ok_village_empty),
	OK(TALLY_LAWSUIT, ok_village_empty),
	OK(TALLY_ENFORCEMENT, ok_village_empty),
	OK(TALLY_RETRACTION, ok_village_empty),
	OK(TALLY_RETRACTION, ok_village_first),
	OK(TALLY_ENFORCEMENT, ok_village_first),
	OK(TALLY_DISPUTE, ok_case_id_64),
	OK(TALLY_PETITION, ok_case_id_64),
	OK(TALLY_LAWSUIT, ok_case_id_64),
	OK(TALLY_ENFORCEMENT, ok_case_id_64),
	OK(TALLY_DISPUTE, ok_case_id_1),
	OK(TALLY_PETITION, ok_case_id_1),
	OK(TALLY_LAWSUIT, ok_case_id_1),
	OK(TALLY_DISPUTE, ok_dispute_resolved_amount_max),
	OK(TALLY_DISPUTE, ok_dispute_people_max),
	OK(TALLY_DISPUTE, ok_dispute_criminal_people_max),
	OK(TALLY_DISPUTE, ok_dispute_prevented_group_no_people),
	OK(TALLY_DISPUTE, ok_dispute_prevented_criminal),
	OK(TALLY_DISPUTE, ok_dispute_category_other),
	OK(TALLY_DISPUTE, ok_dispute_stage_unresolved),
	OK(TALLY_DISPUTE, ok_dispute_initiated_referral),
	OK(TALLY_PETITION, ok_petition_concluded_difficult),
	OK(TALLY_TRAINING, ok_training_attendees_max),
	OK(TALLY_TRAINING, ok_training_attendees_zero),
	OK(TALLY_TRAINING, ok_training_topic_200),
	OK(TALLY_PUBLICITY, ok_publicity_materials_max),
	OK(TALLY_PUBLICITY, ok_publicity_consultations_max),
	OK(TALLY_PUBLICITY, ok_publicity_desk_day),
	OK(TALLY_LAWSUIT, ok_lawsuit_judged_lost),
	OK(TALLY_LAWSUIT, ok_lawsuit_judged_withdrawn),
	OK(TALLY_ENFORCEMENT, ok_enforcement_no_case),
	OK(TALLY_ENFORCEMENT, ok_enforcement_device_64),
	OK(TALLY_ENFORCEMENT, ok_enforcement_hearing),
	OK(TALLY_RETRACTION, ok_retraction_reason_200),
	OK(TALLY_RETRACTION, ok_retraction_reason_1),
	OK(TALLY_RETRACTION, ok_scope_township),
	OK(TALLY_RETRACTION, ok_scope_device),
	OK(TALLY_RETRACTION, ok_scope_device_id),
	OK(TALLY_RETRACTION, ok_scope_village_last),
	OK(TALLY_RETRACTION, ok_scope_device_64),
	OK(TALLY_TRAINING, ok_training_township_audience),
	OK(TALLY_TRAINING, ok_training_leaders_in_village),
	OK(TALLY_TRAINING, ok_training_village_cadres_township),
	OK(TALLY_TRAINING, ok_training_trainer_64),
	OK(TALLY_PUBLICITY, ok_publicity_law),
	OK(TALLY_DOCUMENT, ok_document_no_title),
	OK(TALLY_DOCUMENT, ok_document_title_200),
	OK(TALLY_DOCUMENT, ok_document_id_64),
	OK(TALLY_DOCUMENT, ok_village_first),
	OK(TALLY_DECISION, ok_decision_flags_none),
	OK(TALLY_DECISION, ok_village_empty),
	OK(TALLY_OPINION, ok_village_empty),
	OK(TALLY_DISCLOSURE, ok_disclosure_items_max),
	OK(TALLY_DISCLOSURE, ok_disclosure_items_1),
	OK(TALLY_SUPERVISION, ok_supervision_deadline_same),
	OK(TALLY_SUPERVISION, ok_supervision_rectified_bare),
	OK(TALLY_STAFF, ok_staff_certified_only),
	OK(TALLY_STAFF, ok_staff_team_only),
	OK(TALLY_TASK, ok_task_planned),
};

static void test_accepted_boundaries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++) {
		struct ev v;
		ev_init(&v, ok_rows[i].kind);
		ok_rows[i].mut(&v);
		const char *why = check(&v);
		if (why)
			fail_msg("%s: rejected with \"%s\"", ok_rows[i].name, why);
	}
}

/* Every enum value a body declares (zero excluded) is accepted. */
static void test_every_declared_enum_value(void **state)
{
	(void)state;
	struct ev v;
	for (int c = 1; c <= 15; c++) {
		ev_init(&v, TALLY_DISPUTE);
		v.d.category = (Lawtally__V1__Dispute__Category)c;
		assert_null(check(&v));
	}
	for (int s = 1; s <= 4; s++) {
		ev_init(&v, TALLY_DISPUTE);
		v.d.stage = (Lawtally__V1__Dispute__Stage)s;
		assert_null(check(&v));
	}
	for (int o = 1; o <= 3; o++) {
		ev_init(&v, TALLY_PETITION);
		v.p.origin = (Lawtally__V1__Petition__Origin)o;
		assert_null(check(&v));
	}
	for (int ve = 1; ve <= 5; ve++) {
		ev_init(&v, TALLY_PUBLICITY);
		v.pub.venue = (Lawtally__V1__Publicity__Venue)ve;
		assert_null(check(&v));
	}
	for (int k = 1; k <= 3; k++)
		for (int o = 1; o <= 4; o++) {
			ev_init(&v, TALLY_LAWSUIT);
			v.l.kind = (Lawtally__V1__Lawsuit__Kind)k;
			v.l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED;
			v.l.outcome = (Lawtally__V1__Lawsuit__Outcome)o;
			assert_null(check(&v));
		}
	for (int a = 0; a <= 7; a++) {
		ev_init(&v, TALLY_TRAINING);
		v.t.audience = (Lawtally__V1__Training__Audience)a;
		assert_null(check(&v));
	}
	for (int l = 0; l <= 6; l++) {
		ev_init(&v, TALLY_PUBLICITY);
		v.pub.law = (Lawtally__V1__Publicity__Law)l;
		assert_null(check(&v));
	}
	for (int a = 1; a <= 4; a++) {
		ev_init(&v, TALLY_DOCUMENT);
		v.doc.action = (Lawtally__V1__NormativeDocument__Action)a;
		assert_null(check(&v));
	}
	for (int c = 1; c <= 4; c++) {
		ev_init(&v, TALLY_DECISION);
		v.dec.category = (Lawtally__V1__MajorDecision__Category)c;
		assert_null(check(&v));
	}
	for (int a = 1; a <= 2; a++)
		for (int su = 1; su <= 5; su++) {
			ev_init(&v, TALLY_OPINION);
			v.op.adviser = (Lawtally__V1__LegalOpinion__Adviser)a;
			v.op.subject = (Lawtally__V1__LegalOpinion__Subject)su;
			assert_null(check(&v));
		}
	for (int c = 1; c <= 5; c++)
		for (int ch = 1; ch <= 4; ch++) {
			ev_init(&v, TALLY_DISCLOSURE);
			v.dis.content = (Lawtally__V1__Disclosure__Content)c;
			v.dis.channel = (Lawtally__V1__Disclosure__Channel)ch;
			assert_null(check(&v));
		}
	for (int so = 1; so <= 7; so++) {
		ev_init(&v, TALLY_SUPERVISION);
		v.sup.supervisor = (Lawtally__V1__Supervision__Supervisor)so;
		assert_null(check(&v));
	}
	for (int it = 1; it <= 10; it++)
		for (int st = 1; st <= 2; st++) {
			ev_init(&v, TALLY_TASK);
			v.tk.item = (Lawtally__V1__Task__Item)it;
			v.tk.stage = (Lawtally__V1__Task__Stage)st;
			assert_null(check(&v));
		}
	for (int a = 1; a <= 7; a++)
		for (int c = 1; c <= 3; c++) {
			ev_init(&v, TALLY_ENFORCEMENT);
			v.x.action = (Lawtally__V1__Enforcement__Action)a;
			v.x.campaign = (Lawtally__V1__Enforcement__Campaign)c;
			assert_null(check(&v));
		}
}

/* --- rejections -------------------------------------------------------- */

static void bad_id_0(struct ev *v) { v->e.id.len = 0; v->e.id.data = NULL; }
static void bad_id_15(struct ev *v) { v->e.id.len = 15; }
static void bad_id_17(struct ev *v) { v->e.id.len = 17; }
static void bad_no_body(struct ev *v)
{
	v->e.body_case = LAWTALLY__V1__EVENT__BODY__NOT_SET;
	v->e.dispute = NULL;
}
static void bad_before_epoch(struct ev *v) { v->e.occurred_at = VALIDATE_EPOCH_MIN - 1; }
static void bad_unix_zero(struct ev *v) { v->e.occurred_at = 0; }
static void bad_negative_time(struct ev *v) { v->e.occurred_at = -1; }
static void bad_source_65(struct ev *v) { v->e.source = big(v, 65, 's'); }
static void bad_recorded_by_65(struct ev *v) { v->e.recorded_by = big(v, 65, 'r'); }
static void bad_village_empty(struct ev *v) { v->e.village = ""; }
static void bad_village_unknown(struct ev *v) { v->e.village = "ZL42"; }
static void bad_village_lowercase(struct ev *v) { v->e.village = "zl07"; }
static void bad_village_too_long(struct ev *v) { v->e.village = "ZL07ZL07Z"; }
static void bad_case_id_empty(struct ev *v)
{
	v->d.case_id = v->p.case_id = v->l.case_id = "";
}
static void bad_case_id_65(struct ev *v)
{
	v->d.case_id = v->p.case_id = v->l.case_id = v->x.case_id = big(v, 65, 'c');
}
static void bad_category_0(struct ev *v) { v->d.category = 0; }
static void bad_category_16(struct ev *v) { v->d.category = 16; }
static void bad_category_99(struct ev *v) { v->d.category = 99; }
static void bad_dstage_0(struct ev *v) { v->d.stage = 0; }
static void bad_dstage_5(struct ev *v) { v->d.stage = 5; }
static void bad_dstage_99(struct ev *v) { v->d.stage = 99; }
static void bad_initiated_4(struct ev *v) { v->d.initiated = 4; }
static void bad_initiated_99(struct ev *v) { v->d.initiated = 99; }
static void bad_amount_registered(struct ev *v) { v->d.agreement_amount_fen = 1; }
static void bad_amount_escalated(struct ev *v)
{
	v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_ESCALATED;
	v->d.agreement_amount_fen = 500000;
}
static void bad_amount_unresolved(struct ev *v)
{
	v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_UNRESOLVED;
	v->d.agreement_amount_fen = 500000;
}
static void bad_amount_max(struct ev *v)
{
	v->d.stage = LAWTALLY__V1__DISPUTE__STAGE__STAGE_RESOLVED;
	v->d.agreement_amount_fen = VALIDATE_AMOUNT_MAX + 1;
}
static void bad_people_no_flag(struct ev *v) { v->d.people = 5; }
static void bad_people_criminal_only(struct ev *v)
{
	v->d.prevented_criminal = 1;
	v->d.people = 5;
}
static void bad_people_max(struct ev *v)
{
	v->d.prevented_group_petition = 1;
	v->d.people = VALIDATE_PEOPLE_MAX + 1;
}
static void bad_origin_0(struct ev *v) { v->p.origin = 0; }
static void bad_origin_4(struct ev *v) { v->p.origin = 4; }
static void bad_origin_99(struct ev *v) { v->p.origin = 99; }
static void bad_pstage_0(struct ev *v) { v->p.stage = 0; }
static void bad_pstage_3(struct ev *v) { v->p.stage = 3; }
static void bad_pstage_99(struct ev *v) { v->p.stage = 99; }
static void bad_attendees(struct ev *v) { v->t.attendees = VALIDATE_ATTENDEES_MAX + 1; }
static void bad_topic_201(struct ev *v) { v->t.topic = big(v, 201, 't'); }
static void bad_venue_0(struct ev *v) { v->pub.venue = 0; }
static void bad_venue_6(struct ev *v) { v->pub.venue = 6; }
static void bad_venue_99(struct ev *v) { v->pub.venue = 99; }
static void bad_materials(struct ev *v) { v->pub.materials = VALIDATE_MATERIALS_MAX + 1; }
static void bad_consultations(struct ev *v)
{
	v->pub.consultations = VALIDATE_CONSULTATIONS_MAX + 1;
}
static void bad_kind_0(struct ev *v) { v->l.kind = 0; }
static void bad_kind_4(struct ev *v) { v->l.kind = 4; }
static void bad_kind_99(struct ev *v) { v->l.kind = 99; }
static void bad_lstage_0(struct ev *v) { v->l.stage = 0; }
static void bad_lstage_3(struct ev *v) { v->l.stage = 3; }
static void bad_lstage_99(struct ev *v) { v->l.stage = 99; }
static void bad_outcome_99(struct ev *v) { v->l.outcome = 99; }
static void bad_outcome_99_judged(struct ev *v)
{
	v->l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED;
	v->l.outcome = 99;
}
static void bad_outcome_missing(struct ev *v)
{
	v->l.stage = LAWTALLY__V1__LAWSUIT__STAGE__STAGE_JUDGED;
}
static void bad_outcome_when_filed(struct ev *v)
{
	v->l.outcome = LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_WON;
}
static void bad_campaign_0(struct ev *v) { v->x.campaign = 0; }
static void bad_campaign_99(struct ev *v) { v->x.campaign = 99; }
static void bad_action_0(struct ev *v) { v->x.action = 0; }
static void bad_action_8(struct ev *v) { v->x.action = 8; }
static void bad_action_99(struct ev *v) { v->x.action = 99; }
static void bad_device_65(struct ev *v) { v->x.device_id = big(v, 65, 'd'); }
static void bad_event_id_0(struct ev *v) { v->r.event_id.len = 0; v->r.event_id.data = NULL; }
static void bad_event_id_15(struct ev *v) { v->r.event_id.len = 15; }
static void bad_event_id_17(struct ev *v) { v->r.event_id.len = 17; }
static void bad_reason_empty(struct ev *v) { v->r.reason = ""; }
static void bad_reason_201(struct ev *v) { v->r.reason = big(v, 201, 'w'); }
static void bad_scope_empty(struct ev *v) { v->r.scope = ""; }
static void bad_scope_word(struct ev *v) { v->r.scope = "Township"; }
static void bad_scope_no_device(struct ev *v) { v->r.scope = "device:"; }
static void bad_scope_role(struct ev *v) { v->r.scope = "office"; }
static void bad_scope_village_unknown(struct ev *v) { v->r.scope = "village:ZL99"; }
static void bad_scope_device_65(struct ev *v)
{
	memcpy(big(v, 7 + 65, 'd'), "device:", 7);
	v->r.scope = v->big;
}

#define WHY_SCOPE                                                                        \
	"retraction.scope: required, the withdrawn event's scope: village:CODE, device, " \
	"device:DEVICE_ID or township"

static void bad_village_mediators(struct ev *v)
{
	v->e.village = "";
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_MEDIATORS;
}
static void bad_village_villagers(struct ev *v)
{
	v->e.village = "";
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_VILLAGERS;
}
static void bad_audience_8(struct ev *v) { v->t.audience = 8; }
static void bad_trainer_65(struct ev *v) { v->t.trainer = big(v, 65, 't'); }
static void bad_law_7(struct ev *v) { v->pub.law = 7; }
static void bad_document_id_empty(struct ev *v) { v->doc.document_id = ""; }
static void bad_document_id_65(struct ev *v) { v->doc.document_id = big(v, 65, 'n'); }
static void bad_document_action_0(struct ev *v) { v->doc.action = 0; }
static void bad_document_action_5(struct ev *v) { v->doc.action = 5; }
static void bad_document_title_201(struct ev *v) { v->doc.title = big(v, 201, 'd'); }
static void bad_decision_id_empty(struct ev *v) { v->dec.decision_id = ""; }
static void bad_decision_category_0(struct ev *v) { v->dec.category = 0; }
static void bad_decision_category_5(struct ev *v) { v->dec.category = 5; }
static void bad_decision_title_201(struct ev *v) { v->dec.title = big(v, 201, 'd'); }
static void bad_adviser_0(struct ev *v) { v->op.adviser = 0; }
static void bad_adviser_3(struct ev *v) { v->op.adviser = 3; }
static void bad_subject_0(struct ev *v) { v->op.subject = 0; }
static void bad_subject_6(struct ev *v) { v->op.subject = 6; }
static void bad_content_0(struct ev *v) { v->dis.content = 0; }
static void bad_content_6(struct ev *v) { v->dis.content = 6; }
static void bad_channel_0(struct ev *v) { v->dis.channel = 0; }
static void bad_channel_5(struct ev *v) { v->dis.channel = 5; }
static void bad_items_0(struct ev *v) { v->dis.items = 0; }
static void bad_items_max(struct ev *v) { v->dis.items = VALIDATE_ITEMS_MAX + 1; }
static void bad_sup_case_empty(struct ev *v) { v->sup.case_id = ""; }
static void bad_supervisor_0(struct ev *v) { v->sup.supervisor = 0; }
static void bad_supervisor_8(struct ev *v) { v->sup.supervisor = 8; }
static void bad_sstage_0(struct ev *v) { v->sup.stage = 0; }
static void bad_sstage_3(struct ev *v) { v->sup.stage = 3; }
static void bad_leader_missing(struct ev *v) { v->sup.responsible_leader = ""; }
static void bad_unit_missing(struct ev *v) { v->sup.responsible_unit = ""; }
static void bad_person_missing(struct ev *v) { v->sup.responsible_person = ""; }
static void bad_deadline_missing(struct ev *v) { v->sup.deadline = 0; }
static void bad_deadline_early(struct ev *v) { v->sup.deadline = v->e.occurred_at - 1; }
static void bad_leader_65(struct ev *v) { v->sup.responsible_leader = big(v, 65, 'l'); }
static void bad_unit_65_rectified(struct ev *v)
{
	v->sup.stage = LAWTALLY__V1__SUPERVISION__STAGE__STAGE_RECTIFIED;
	v->sup.responsible_unit = big(v, 65, 'u');
}
static void bad_person_65(struct ev *v) { v->sup.responsible_person = big(v, 65, 'p'); }
static void bad_staff_id_empty(struct ev *v) { v->st.staff_id = ""; }
static void bad_staff_id_65(struct ev *v) { v->st.staff_id = big(v, 65, 's'); }
static void bad_staff_neither(struct ev *v) { v->st.certified = v->st.in_team = 0; }
static void bad_task_id_empty(struct ev *v) { v->tk.task_id = ""; }
static void bad_item_0(struct ev *v) { v->tk.item = 0; }
static void bad_item_11(struct ev *v) { v->tk.item = 11; }
static void bad_tstage_0(struct ev *v) { v->tk.stage = 0; }
static void bad_tstage_3(struct ev *v) { v->tk.stage = 3; }
static void bad_office_empty(struct ev *v) { v->tk.responsible_office = ""; }
static void bad_office_65(struct ev *v) { v->tk.responsible_office = big(v, 65, 'o'); }

struct bad_row {
	const char *name;
	enum tally_kind kind;
	mutator mut;
	const char *reason;
};

#define BAD(kind, fn, reason) {#fn " (" #kind ")", kind, fn, reason}

/* Every reason validate_event can give, each made by a minimal bad event. */
static const struct bad_row bad_rows[] = {
	BAD(TALLY_DISPUTE, bad_id_0, "id: must be exactly 16 bytes"),
	BAD(TALLY_DISPUTE, bad_id_15, "id: must be exactly 16 bytes"),
	BAD(TALLY_RETRACTION, bad_id_17, "id: must be exactly 16 bytes"),
	BAD(TALLY_DISPUTE, bad_no_body, "body: exactly one body must be set"),
	BAD(TALLY_DISPUTE, bad_before_epoch, "occurred_at: before 2000-01-01"),
	BAD(TALLY_PETITION, bad_unix_zero, "occurred_at: before 2000-01-01"),
	BAD(TALLY_ENFORCEMENT, bad_negative_time, "occurred_at: before 2000-01-01"),
	BAD(TALLY_DISPUTE, bad_source_65, "source: longer than 64 bytes"),
	BAD(TALLY_DISPUTE, bad_recorded_by_65, "recorded_by: longer than 64 bytes"),
	BAD(TALLY_DISPUTE, bad_village_empty,
	    "village: required for dispute and for training of a village audience"),
	BAD(TALLY_TRAINING, bad_village_empty,
	    "village: required for dispute and for training of a village audience"),
	BAD(TALLY_TRAINING, bad_village_mediators,
	    "village: required for dispute and for training of a village audience"),
	BAD(TALLY_TRAINING, bad_village_villagers,
	    "village: required for dispute and for training of a village audience"),
	BAD(TALLY_TRAINING, bad_audience_8, "training.audience: unknown value"),
	BAD(TALLY_TRAINING, bad_trainer_65, "training.trainer: longer than 64 bytes"),
	BAD(TALLY_PUBLICITY, bad_law_7, "publicity.law: unknown value"),
	BAD(TALLY_DOCUMENT, bad_document_id_empty, "document.document_id: required, 1-64 bytes"),
	BAD(TALLY_DOCUMENT, bad_document_id_65, "document.document_id: required, 1-64 bytes"),
	BAD(TALLY_DOCUMENT, bad_document_action_0,
	    "document.action: required, one of DRAFTED, REGISTERED, FILED, REVIEWED"),
	BAD(TALLY_DOCUMENT, bad_document_action_5,
	    "document.action: required, one of DRAFTED, REGISTERED, FILED, REVIEWED"),
	BAD(TALLY_DOCUMENT, bad_document_title_201, "document.title: longer than 200 bytes"),
	BAD(TALLY_DOCUMENT, bad_village_unknown, "village: not in the configured village list"),
	BAD(TALLY_DECISION, bad_decision_id_empty, "decision.decision_id: required, 1-64 bytes"),
	BAD(TALLY_DECISION, bad_decision_category_0,
	    "decision.category: required, one of MAJOR_MATTER, CADRE_APPOINTMENT, MAJOR_PROJECT, "
	    "LARGE_FUNDS"),
	BAD(TALLY_DECISION, bad_decision_category_5,
	    "decision.category: required, one of MAJOR_MATTER, CADRE_APPOINTMENT, MAJOR_PROJECT, "
	    "LARGE_FUNDS"),
	BAD(TALLY_DECISION, bad_decision_title_201, "decision.title: longer than 200 bytes"),
	BAD(TALLY_OPINION, bad_adviser_0,
	    "opinion.adviser: required, one of LEGAL_ADVISER, PUBLIC_LAWYER"),
	BAD(TALLY_OPINION, bad_adviser_3,
	    "opinion.adviser: required, one of LEGAL_ADVISER, PUBLIC_LAWYER"),
	BAD(TALLY_OPINION, bad_subject_0,
	    "opinion.subject: required, one of CONTRACT, DECISION, DOCUMENT, LITIGATION, OTHER"),
	BAD(TALLY_OPINION, bad_subject_6,
	    "opinion.subject: required, one of CONTRACT, DECISION, DOCUMENT, LITIGATION, OTHER"),
	BAD(TALLY_DISCLOSURE, bad_content_0,
	    "disclosure.content: required, one of DECISION, EXECUTION, MANAGEMENT, RESULT, SERVICE"),
	BAD(TALLY_DISCLOSURE, bad_content_6,
	    "disclosure.content: required, one of DECISION, EXECUTION, MANAGEMENT, RESULT, SERVICE"),
	BAD(TALLY_DISCLOSURE, bad_channel_0,
	    "disclosure.channel: required, one of WEBSITE, NOTICE_BOARD, WECHAT, OTHER"),
	BAD(TALLY_DISCLOSURE, bad_channel_5,
	    "disclosure.channel: required, one of WEBSITE, NOTICE_BOARD, WECHAT, OTHER"),
	BAD(TALLY_DISCLOSURE, bad_items_0, "disclosure.items: required, 1-10000"),
	BAD(TALLY_DISCLOSURE, bad_items_max, "disclosure.items: required, 1-10000"),
	BAD(TALLY_SUPERVISION, bad_sup_case_empty, "supervision.case_id: required, 1-64 bytes"),
	BAD(TALLY_SUPERVISION, bad_supervisor_0,
	    "supervision.supervisor: required, one of the SUPERVISOR_ values"),
	BAD(TALLY_SUPERVISION, bad_supervisor_8,
	    "supervision.supervisor: required, one of the SUPERVISOR_ values"),
	BAD(TALLY_SUPERVISION, bad_sstage_0,
	    "supervision.stage: required, one of RECEIVED, RECTIFIED"),
	BAD(TALLY_SUPERVISION, bad_sstage_3,
	    "supervision.stage: required, one of RECEIVED, RECTIFIED"),
	BAD(TALLY_SUPERVISION, bad_leader_missing,
	    "supervision.responsible_leader: required with stage RECEIVED"),
	BAD(TALLY_SUPERVISION, bad_unit_missing,
	    "supervision.responsible_unit: required with stage RECEIVED"),
	BAD(TALLY_SUPERVISION, bad_person_missing,
	    "supervision.responsible_person: required with stage RECEIVED"),
	BAD(TALLY_SUPERVISION, bad_deadline_missing,
	    "supervision.deadline: required with stage RECEIVED"),
	BAD(TALLY_SUPERVISION, bad_deadline_early, "supervision.deadline: before occurred_at"),
	BAD(TALLY_SUPERVISION, bad_leader_65,
	    "supervision.responsible_leader: longer than 64 bytes"),
	BAD(TALLY_SUPERVISION, bad_unit_65_rectified,
	    "supervision.responsible_unit: longer than 64 bytes"),
	BAD(TALLY_SUPERVISION, bad_person_65,
	    "supervision.responsible_person: longer than 64 bytes"),
	BAD(TALLY_STAFF, bad_staff_id_empty, "enforcement_staff.staff_id: required, 1-64 bytes"),
	BAD(TALLY_STAFF, bad_staff_id_65, "enforcement_staff.staff_id: required, 1-64 bytes"),
	BAD(TALLY_STAFF, bad_staff_neither,
	    "enforcement_staff: at least one of certified, in_team must be set"),
	BAD(TALLY_TASK, bad_task_id_empty, "task.task_id: required, 1-64 bytes"),
	BAD(TALLY_TASK, bad_item_0, "task.item: required, one of the ITEM_ values"),
	BAD(TALLY_TASK, bad_item_11, "task.item: required, one of the ITEM_ values"),
	BAD(TALLY_TASK, bad_tstage_0, "task.stage: required, one of PLANNED, DONE"),
	BAD(TALLY_TASK, bad_tstage_3, "task.stage: required, one of PLANNED, DONE"),
	BAD(TALLY_TASK, bad_office_empty, "task.responsible_office: required, 1-64 bytes"),
	BAD(TALLY_TASK, bad_office_65, "task.responsible_office: required, 1-64 bytes"),
	BAD(TALLY_DISPUTE, bad_village_unknown, "village: not in the configured village list"),
	BAD(TALLY_TRAINING, bad_village_lowercase,
	    "village: not in the configured village list"),
	BAD(TALLY_PETITION, bad_village_unknown, "village: not in the configured village list"),
	BAD(TALLY_PUBLICITY, bad_village_too_long,
	    "village: not in the configured village list"),
	BAD(TALLY_RETRACTION, bad_village_unknown,
	    "village: not in the configured village list"),
	BAD(TALLY_DISPUTE, bad_case_id_empty, "dispute.case_id: required, 1-64 bytes"),
	BAD(TALLY_DISPUTE, bad_case_id_65, "dispute.case_id: required, 1-64 bytes"),
	BAD(TALLY_DISPUTE, bad_category_0,
	    "dispute.category: required, one of the CATEGORY_ values"),
	BAD(TALLY_DISPUTE, bad_category_16,
	    "dispute.category: required, one of the CATEGORY_ values"),
	BAD(TALLY_DISPUTE, bad_category_99,
	    "dispute.category: required, one of the CATEGORY_ values"),
	BAD(TALLY_DISPUTE, bad_dstage_0,
	    "dispute.stage: required, one of REGISTERED, RESOLVED, ESCALATED, UNRESOLVED"),
	BAD(TALLY_DISPUTE, bad_dstage_5,
	    "dispute.stage: required, one of REGISTERED, RESOLVED, ESCALATED, UNRESOLVED"),
	BAD(TALLY_DISPUTE, bad_dstage_99,
	    "dispute.stage: required, one of REGISTERED, RESOLVED, ESCALATED, UNRESOLVED"),
	BAD(TALLY_DISPUTE, bad_initiated_4, "dispute.initiated: unknown value"),
	BAD(TALLY_DISPUTE, bad_initiated_99, "dispute.initiated: unknown value"),
	BAD(TALLY_DISPUTE, bad_amount_registered,
	    "dispute.agreement_amount_fen: only with stage RESOLVED"),
	BAD(TALLY_DISPUTE, bad_amount_escalated,
	    "dispute.agreement_amount_fen: only with stage RESOLVED"),
	BAD(TALLY_DISPUTE, bad_amount_unresolved,
	    "dispute.agreement_amount_fen: only with stage RESOLVED"),
	BAD(TALLY_DISPUTE, bad_amount_max, "dispute.agreement_amount_fen: more than 10^12 fen"),
	BAD(TALLY_DISPUTE, bad_people_no_flag, "dispute.people: only with prevented_group_petition"),
	BAD(TALLY_DISPUTE, bad_people_criminal_only,
	    "dispute.people: only with prevented_group_petition"),
	BAD(TALLY_DISPUTE, bad_people_max, "dispute.people: more than 100000"),
	BAD(TALLY_DISPUTE, bad_criminal_people_no_flag,
	    "dispute.prevented_criminal_people: only with prevented_criminal"),
	BAD(TALLY_DISPUTE, bad_criminal_people_max,
	    "dispute.prevented_criminal_people: more than 100000"),
	BAD(TALLY_PETITION, bad_case_id_empty, "petition.case_id: required, 1-64 bytes"),
	BAD(TALLY_PETITION, bad_case_id_65, "petition.case_id: required, 1-64 bytes"),
	BAD(TALLY_PETITION, bad_origin_0,
	    "petition.origin: required, one of HIGHER_LEVEL, TOWNSHIP, PROVINCIAL_INSPECTION"),
	BAD(TALLY_PETITION, bad_origin_4,
	    "petition.origin: required, one of HIGHER_LEVEL, TOWNSHIP, PROVINCIAL_INSPECTION"),
	BAD(TALLY_PETITION, bad_origin_99,
	    "petition.origin: required, one of HIGHER_LEVEL, TOWNSHIP, PROVINCIAL_INSPECTION"),
	BAD(TALLY_PETITION, bad_pstage_0, "petition.stage: required, one of RECEIVED, CONCLUDED"),
	BAD(TALLY_PETITION, bad_pstage_3, "petition.stage: required, one of RECEIVED, CONCLUDED"),
	BAD(TALLY_PETITION, bad_pstage_99, "petition.stage: required, one of RECEIVED, CONCLUDED"),
	BAD(TALLY_TRAINING, bad_attendees, "training.attendees: more than 10000"),
	BAD(TALLY_TRAINING, bad_topic_201, "training.topic: longer than 200 bytes"),
	BAD(TALLY_PUBLICITY, bad_venue_0,
	    "publicity.venue: required, one of COMMUNITY, VILLAGE, ORGAN, ENTERPRISE, SCHOOL"),
	BAD(TALLY_PUBLICITY, bad_venue_6,
	    "publicity.venue: required, one of COMMUNITY, VILLAGE, ORGAN, ENTERPRISE, SCHOOL"),
	BAD(TALLY_PUBLICITY, bad_venue_99,
	    "publicity.venue: required, one of COMMUNITY, VILLAGE, ORGAN, ENTERPRISE, SCHOOL"),
	BAD(TALLY_PUBLICITY, bad_materials, "publicity.materials: more than 1000000"),
	BAD(TALLY_PUBLICITY, bad_consultations, "publicity.consultations: more than 100000"),
	BAD(TALLY_LAWSUIT, bad_case_id_empty, "lawsuit.case_id: required, 1-64 bytes"),
	BAD(TALLY_LAWSUIT, bad_case_id_65, "lawsuit.case_id: required, 1-64 bytes"),
	BAD(TALLY_LAWSUIT, bad_kind_0,
	    "lawsuit.kind: required, one of ADMINISTRATIVE, ENV_POLLUTION_CIVIL, OTHER"),
	BAD(TALLY_LAWSUIT, bad_kind_4,
	    "lawsuit.kind: required, one of ADMINISTRATIVE, ENV_POLLUTION_CIVIL, OTHER"),
	BAD(TALLY_LAWSUIT, bad_kind_99,
	    "lawsuit.kind: required, one of ADMINISTRATIVE, ENV_POLLUTION_CIVIL, OTHER"),
	BAD(TALLY_LAWSUIT, bad_lstage_0, "lawsuit.stage: required, one of FILED, JUDGED"),
	BAD(TALLY_LAWSUIT, bad_lstage_3, "lawsuit.stage: required, one of FILED, JUDGED"),
	BAD(TALLY_LAWSUIT, bad_lstage_99, "lawsuit.stage: required, one of FILED, JUDGED"),
	BAD(TALLY_LAWSUIT, bad_outcome_99, "lawsuit.outcome: unknown value"),
	BAD(TALLY_LAWSUIT, bad_outcome_99_judged, "lawsuit.outcome: unknown value"),
	BAD(TALLY_LAWSUIT, bad_outcome_missing, "lawsuit.outcome: required with stage JUDGED"),
	BAD(TALLY_LAWSUIT, bad_outcome_when_filed, "lawsuit.outcome: only with stage JUDGED"),
	BAD(TALLY_ENFORCEMENT, bad_case_id_65, "enforcement.case_id: longer than 64 bytes"),
	BAD(TALLY_ENFORCEMENT, bad_campaign_0,
	    "enforcement.campaign: required, one of STRAW_BURNING, RURAL_REVITALIZATION, OTHER"),
	BAD(TALLY_ENFORCEMENT, bad_campaign_99,
	    "enforcement.campaign: required, one of STRAW_BURNING, RURAL_REVITALIZATION, OTHER"),
	BAD(TALLY_ENFORCEMENT, bad_action_0, "enforcement.action: required, one of the ACTION_ values"),
	BAD(TALLY_ENFORCEMENT, bad_action_8, "enforcement.action: required, one of the ACTION_ values"),
	BAD(TALLY_ENFORCEMENT, bad_action_99,
	    "enforcement.action: required, one of the ACTION_ values"),
	BAD(TALLY_ENFORCEMENT, bad_device_65, "enforcement.device_id: longer than 64 bytes"),
	BAD(TALLY_RETRACTION, bad_event_id_0, "retraction.event_id: must be exactly 16 bytes"),
	BAD(TALLY_RETRACTION, bad_event_id_15, "retraction.event_id: must be exactly 16 bytes"),
	BAD(TALLY_RETRACTION, bad_event_id_17, "retraction.event_id: must be exactly 16 bytes"),
	BAD(TALLY_RETRACTION, bad_reason_empty, "retraction.reason: required, 1-200 bytes"),
	BAD(TALLY_RETRACTION, bad_reason_201, "retraction.reason: required, 1-200 bytes"),
	BAD(TALLY_RETRACTION, bad_scope_empty, WHY_SCOPE),
	BAD(TALLY_RETRACTION, bad_scope_word, WHY_SCOPE),
	BAD(TALLY_RETRACTION, bad_scope_no_device, WHY_SCOPE),
	BAD(TALLY_RETRACTION, bad_scope_role, WHY_SCOPE),
	BAD(TALLY_RETRACTION, bad_scope_device_65, WHY_SCOPE),
	BAD(TALLY_RETRACTION, bad_scope_village_unknown,
	    "retraction.scope: the village is not in the configured village list"),
};

static void test_rejection_reasons(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		struct ev v;
		ev_init(&v, bad_rows[i].kind);
		bad_rows[i].mut(&v);
		const char *why = check(&v);
		if (!why || strcmp(why, bad_rows[i].reason) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", bad_rows[i].name,
				 bad_rows[i].reason, why ? why : "(accepted)");
	}
}

/* Reasons are one line, name a field, and fit an Ack comfortably. */
static void test_reasons_are_one_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const char *r = bad_rows[i].reason;
		assert_null(strchr(r, '\n'));
		assert_non_null(strstr(r, ": "));
		assert_true(strlen(r) < 120);
	}
}

/*
 * An event more than a day ahead of the clock passed in is not wrong in
 * itself: validate_event takes it, validate_ahead says how far ahead it
 * is, and the bound moves with the clock.
 */
static void test_ahead_follows_now(void **state)
{
	(void)state;
	static const enum tally_kind kinds[] = {TALLY_TRAINING, TALLY_DISPUTE, TALLY_RETRACTION};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct ev v;
		ev_init(&v, kinds[k]);
		v.e.occurred_at = NOW + 86401;
		assert_null(validate_event(&v.e, &villages));
		assert_int_equal(validate_ahead(&v.e, NOW), 86401);
		assert_int_equal(validate_ahead(&v.e, NOW + 1), 0);
		v.e.occurred_at = NOW + 86400;
		assert_int_equal(validate_ahead(&v.e, NOW), 0);
		v.e.occurred_at = NOW + 3 * 86400 + 5;
		assert_int_equal(validate_ahead(&v.e, NOW), 3 * 86400 + 5);
		/* a clock stuck in 1970 sees today's work 50-odd years ahead */
		assert_int_equal(validate_ahead(&v.e, 0), NOW + 3 * 86400 + 5);
		/* the extremes do not overflow */
		v.e.occurred_at = INT64_MAX;
		assert_int_equal(validate_ahead(&v.e, INT64_MIN), INT64_MAX);
		assert_int_equal(validate_ahead(&v.e, INT64_MAX), 0);
		v.e.occurred_at = INT64_MIN;
		assert_int_equal(validate_ahead(&v.e, NOW), 0);
	}
	/* Late paper records for a past year are accepted at any time. */
	struct ev v;
	ev_init(&v, TALLY_TRAINING);
	v.e.occurred_at = VALIDATE_EPOCH_MIN + 86400 * 365;
	assert_null(validate_event(&v.e, &villages));
	assert_int_equal(validate_ahead(&v.e, NOW), 0);
}

/* With a configured list that replaces the built-in one, only it counts. */
static void test_configured_village_list(void **state)
{
	(void)state;
	static struct villages custom;
	const char *why = NULL;
	villages_clear(&custom);
	assert_int_equal(villages_add(&custom, "EAST-1", "东村", &why), 0);
	struct ev v;
	ev_init(&v, TALLY_DISPUTE);
	v.e.village = "EAST-1";
	assert_null(validate_event(&v.e, &custom));
	v.e.village = "ZL07";
	assert_string_equal(validate_event(&v.e, &custom),
			    "village: not in the configured village list");
}

/* --- validate_utf8 ----------------------------------------------------- */

struct utf8_row {
	const char *name;
	const char *bytes;
	size_t len;
	int ok;
};

#define U8(name, lit, ok) {name, lit, sizeof(lit) - 1, ok}

static const struct utf8_row utf8_rows[] = {
	{"empty", "", 0, 1},
	U8("ascii", "ZL07 case-17", 1),
	U8("chinese", "张良镇", 1),
	U8("mixed", "ZL07 王岗村 2024", 1),
	U8("2-byte min U+0080", "\xC2\x80", 1),
	U8("2-byte max U+07FF", "\xDF\xBF", 1),
	U8("3-byte min U+0800", "\xE0\xA0\x80", 1),
	U8("before surrogates U+D7FF", "\xED\x9F\xBF", 1),
	U8("after surrogates U+E000", "\xEE\x80\x80", 1),
	U8("U+FFFF", "\xEF\xBF\xBF", 1),
	U8("4-byte min U+10000", "\xF0\x90\x80\x80", 1),
	U8("max U+10FFFF", "\xF4\x8F\xBF\xBF", 1),
	U8("DEL", "\x7F", 1),
	U8("NUL alone", "\x00", 0),
	U8("NUL inside", "ZL\x00" "07", 0),
	U8("NUL at end", "张\x00", 0),
	U8("overlong NUL C0 80", "\xC0\x80", 0),
	U8("overlong C1 BF", "\xC1\xBF", 0),
	U8("overlong 3-byte NUL E0 80 80", "\xE0\x80\x80", 0),
	U8("overlong 3-byte U+07FF", "\xE0\x9F\xBF", 0),
	U8("overlong 4-byte U+FFFF", "\xF0\x8F\xBF\xBF", 0),
	U8("surrogate D800", "\xED\xA0\x80", 0),
	U8("surrogate DFFF", "\xED\xBF\xBF", 0),
	U8("above U+10FFFF", "\xF4\x90\x80\x80", 0),
	U8("F5 lead", "\xF5\x80\x80\x80", 0),
	U8("F8 lead", "\xF8\x88\x80\x80\x80", 0),
	U8("FF byte", "\xFF", 0),
	U8("lone continuation", "\x80", 0),
	U8("continuation after ascii", "a\xBF", 0),
	U8("truncated 2-byte at end", "ab\xC3", 0),
	U8("truncated 3-byte at end", "\xE5\xBC", 0),
	U8("truncated 4-byte at end", "\xF0\x90\x80", 0),
	U8("truncated then ascii", "\xE5\xBC" "a", 0),
	U8("lead followed by lead", "\xC3\xC3\xA9", 0),
};

static void test_utf8(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_rows) / sizeof(utf8_rows[0]); i++) {
		const struct utf8_row *r = &utf8_rows[i];
		int got = validate_utf8((const uint8_t *)r->bytes, r->len);
		if (got != r->ok)
			fail_msg("%s: want %d, got %d", r->name, r->ok, got);
	}
}

/* The length is honoured: bytes past it are never read or judged. */
static void test_utf8_respects_length(void **state)
{
	(void)state;
	const uint8_t s[] = {'Z', 'L', 0xE5, 0xBC, 0xA0, 0x00, 0xFF};
	assert_int_equal(validate_utf8(s, 5), 1);
	assert_int_equal(validate_utf8(s, 4), 0);
	assert_int_equal(validate_utf8(s, 6), 0);
	assert_int_equal(validate_utf8(s, 2), 1);
	/* A heap copy of exactly the prefix: a read past len trips ASan. */
	uint8_t *h = malloc(3);
	assert_non_null(h);
	memcpy(h, "\xE5\xBC\xA0", 3);
	assert_int_equal(validate_utf8(h, 2), 0);
	assert_int_equal(validate_utf8(h, 3), 1);
	free(h);
}

/* --- validate_wire_strings --------------------------------------------- */

#define WIRE_NUL_OR_UTF8 "frame: a string field is not UTF-8 or holds a NUL byte"
#define WIRE_MALFORMED "frame: malformed protobuf"
#define WIRE_TOO_DEEP "frame: messages nested too deeply"

static const char *wire_submit(const uint8_t *buf, size_t len)
{
	return validate_wire_strings(&lawtally__v1__submit_request__descriptor, buf, len);
}

/* A valid request of two events with Chinese text and a NUL in a bytes id. */
static void test_wire_packed_request_ok(void **state)
{
	(void)state;
	struct ev a, b;
	ev_init(&a, TALLY_DISPUTE);
	ev_init(&b, TALLY_TRAINING);
	a.id[3] = 0; /* bytes fields may hold any byte */
	a.d.case_id = "张良-2024-017";
	Lawtally__V1__Event *events[2] = {&a.e, &b.e};
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	req.batch_id = 77;
	req.n_events = 2;
	req.events = events;

	size_t len = protobuf_c_message_get_packed_size(&req.base);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	assert_int_equal(protobuf_c_message_pack(&req.base, buf), len);
	assert_null(wire_submit(buf, len));
	/* the same bytes cut short by one: the last event's length overruns */
	assert_string_equal(wire_submit(buf, len - 1), WIRE_MALFORMED);
	free(buf);

	assert_null(wire_submit(NULL, 0));
}

/*
 * validate_request_wire notes each event's bytes in order: each span holds
 * exactly the event's own encoding, also with a field after the events;
 * more events than spans is said by spans_max + 1.
 */
static void test_request_wire_spans(void **state)
{
	(void)state;
	struct ev a, b, c;
	ev_init(&a, TALLY_DISPUTE);
	ev_init(&b, TALLY_TRAINING);
	ev_init(&c, TALLY_PUBLICITY);
	b.id[0] = 0x01, c.id[0] = 0x02;
	Lawtally__V1__Event *events[3] = {&a.e, &b.e, &c.e};
	Lawtally__V1__SubmitRequest req = LAWTALLY__V1__SUBMIT_REQUEST__INIT;
	req.n_events = 3;
	req.events = events;
	size_t len = protobuf_c_message_get_packed_size(&req.base);
	uint8_t *buf = malloc(len + 2);
	assert_non_null(buf);
	assert_int_equal(protobuf_c_message_pack(&req.base, buf), len);
	buf[len] = 0x08, buf[len + 1] = 0x05; /* batch_id = 5, after the events */
	len += 2;

	struct validate_span spans[3];
	size_t n = 99;
	assert_null(validate_request_wire(buf, len, spans, 3, &n));
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++) {
		size_t elen = protobuf_c_message_get_packed_size(&events[i]->base);
		uint8_t one[1024];
		assert_true(elen <= sizeof(one));
		protobuf_c_message_pack(&events[i]->base, one);
		assert_int_equal(spans[i].len, elen);
		assert_true(spans[i].off + spans[i].len <= len);
		assert_memory_equal(buf + spans[i].off, one, elen);
	}
	assert_null(validate_request_wire(buf, len, spans, 2, &n));
	assert_int_equal(n, 3); /* spans_max + 1: more than it holds */
	assert_string_equal(validate_request_wire(buf, len - 3, spans, 3, &n), WIRE_MALFORMED);
	free(buf);
}

/* SubmitRequest{batch_id: 1, events: [Event{village: "ZL\0" "7"}]}, hand-made. */
static const uint8_t nul_village[] = {
	0x08, 0x01,                         /* batch_id = 1 */
	0x12, 0x06,                         /* events, 6 bytes */
	0x12, 0x04, 'Z', 'L', 0x00, '7',    /*   village: "ZL\0" "7" */
};

/* SubmitRequest{events: [Event{dispute: Dispute{case_id: "A\0B"}}]}. */
static const uint8_t nul_case_id[] = {
	0x12, 0x0D,                         /* events, 13 bytes */
	0x12, 0x04, 'Z', 'L', '0', '7',     /*   village: "ZL07" */
	0x52, 0x05,                         /*   dispute (field 10), 5 bytes */
	0x0A, 0x03, 'A', 0x00, 'B',         /*     case_id: "A\0B" */
};

/* The same shape, the case id a surrogate (ED A0 80) instead. */
static const uint8_t bad_utf8_case_id[] = {
	0x12, 0x07,
	0x52, 0x05,
	0x0A, 0x03, 0xED, 0xA0, 0x80,
};

/* Valid UTF-8 ("张") in the nested case id: accepted. */
static const uint8_t good_case_id[] = {
	0x12, 0x07,
	0x52, 0x05,
	0x0A, 0x03, 0xE5, 0xBC, 0xA0,
};

/* Invalid UTF-8 in SubmitRequest -> Event.source (field 4): overlong. */
static const uint8_t bad_utf8_source[] = {
	0x12, 0x04,
	0x22, 0x02, 0xC0, 0x80,
};

/* A NUL in a bytes field (Event.id) and in an unknown field: not strings. */
static const uint8_t nul_in_non_strings[] = {
	0x12, 0x04,
	0x0A, 0x02, 0x00, 0x00,             /*   id: 00 00 */
	0x7A, 0x01, 0x00,                   /* field 15 (unknown), "\0" */
};

/* events claims 5 bytes but only 2 follow. */
static const uint8_t truncated_length[] = {0x08, 0x01, 0x12, 0x05, 0x12, 0x00};

/* A nested length running past its parent's end. */
static const uint8_t nested_overrun[] = {
	0x12, 0x04,
	0x12, 0x05, 'Z', 'L',               /*   village claims 5, parent has 2 */
};

/* A tag whose varint never ends. */
static const uint8_t truncated_tag[] = {0x08, 0x01, 0x80};

/* batch_id's varint cut off. */
static const uint8_t truncated_varint[] = {0x08, 0xFF};

/* A varint of 11 bytes. */
static const uint8_t long_varint[] = {
	0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
};

/* Fixed64 (wire type 1) and fixed32 (wire type 5) short of bytes. */
static const uint8_t short_fixed64[] = {0x79, 1, 2, 3, 4, 5, 6, 7};
static const uint8_t short_fixed32[] = {0x7D, 1, 2, 3};
/* Complete fixed fields of unknown numbers are skipped. */
static const uint8_t whole_fixed[] = {0x79, 1, 2, 3, 4, 5, 6, 7, 8, 0x7D, 1, 2, 3, 4};

/* Wire types 3 and 4 (groups) and 6, 7 do not occur in proto3. */
static const uint8_t group_start[] = {0x7B};
static const uint8_t wire_type_6[] = {0x7E, 0x00};

struct wire_row {
	const char *name;
	const uint8_t *buf;
	size_t len;
	const char *reason; /* NULL: accepted */
};

#define WIRE(a, reason) {#a, a, sizeof(a), reason}

static const struct wire_row wire_rows[] = {
	WIRE(nul_village, WIRE_NUL_OR_UTF8),
	WIRE(nul_case_id, WIRE_NUL_OR_UTF8),
	WIRE(bad_utf8_case_id, WIRE_NUL_OR_UTF8),
	WIRE(good_case_id, NULL),
	WIRE(bad_utf8_source, WIRE_NUL_OR_UTF8),
	WIRE(nul_in_non_strings, NULL),
	WIRE(truncated_length, WIRE_MALFORMED),
	WIRE(nested_overrun, WIRE_MALFORMED),
	WIRE(truncated_tag, WIRE_MALFORMED),
	WIRE(truncated_varint, WIRE_MALFORMED),
	WIRE(long_varint, WIRE_MALFORMED),
	WIRE(short_fixed64, WIRE_MALFORMED),
	WIRE(short_fixed32, WIRE_MALFORMED),
	WIRE(whole_fixed, NULL),
	WIRE(group_start, WIRE_MALFORMED),
	WIRE(wire_type_6, WIRE_MALFORMED),
};

static void test_wire_crafted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wire_rows) / sizeof(wire_rows[0]); i++) {
		const struct wire_row *r = &wire_rows[i];
		const char *why = wire_submit(r->buf, r->len);
		int same = (why == NULL && r->reason == NULL) ||
			   (why && r->reason && strcmp(why, r->reason) == 0);
		if (!same)
			fail_msg("%s: want \"%s\", got \"%s\"", r->name,
				 r->reason ? r->reason : "(accepted)", why ? why : "(accepted)");
	}
}

/* Why the check exists: protobuf-c itself takes the NUL frame and cuts at it. */
static void test_wire_nul_passes_protobuf_c(void **state)
{
	(void)state;
	Lawtally__V1__SubmitRequest *req =
		lawtally__v1__submit_request__unpack(NULL, sizeof(nul_village), nul_village);
	assert_non_null(req);
	assert_int_equal(req->n_events, 1);
	assert_string_equal(req->events[0]->village, "ZL");
	lawtally__v1__submit_request__free_unpacked(req, NULL);
	assert_string_equal(wire_submit(nul_village, sizeof(nul_village)), WIRE_NUL_OR_UTF8);
}

/* Walking a single Event (not a request) checks its own strings too. */
static void test_wire_event_descriptor(void **state)
{
	(void)state;
	const uint8_t ok[] = {0x12, 0x04, 'Z', 'L', '0', '7', 0x22, 0x03, 0xE5, 0xBC, 0xA0};
	const uint8_t nul[] = {0x2A, 0x02, 'a', 0x00}; /* recorded_by (field 5) */
	assert_null(validate_wire_strings(&lawtally__v1__event__descriptor, ok, sizeof(ok)));
	assert_string_equal(validate_wire_strings(&lawtally__v1__event__descriptor, nul,
						  sizeof(nul)),
			    WIRE_NUL_OR_UTF8);
}

/*
 * The lawtally schema nests only three deep, so the depth limit is reached
 * with a message type of the test's own: Node { Node child = 1; string s = 2; }.
 */
static const ProtobufCMessageDescriptor node_descriptor;

static const ProtobufCFieldDescriptor node_fields[2] = {
	{.name = "child", .id = 1, .label = PROTOBUF_C_LABEL_NONE,
	 .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &node_descriptor},
	{.name = "s", .id = 2, .label = PROTOBUF_C_LABEL_NONE, .type = PROTOBUF_C_TYPE_STRING},
};
static const unsigned node_by_name[2] = {0, 1};
static const ProtobufCIntRange node_ranges[2] = {{1, 0}, {0, 2}};

static const ProtobufCMessageDescriptor node_descriptor = {
	.magic = PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
	.name = "test.Node",
	.short_name = "Node",
	.c_name = "Node",
	.package_name = "test",
	.sizeof_message = sizeof(ProtobufCMessage),
	.n_fields = 2,
	.fields = node_fields,
	.fields_sorted_by_name = node_by_name,
	.n_field_ranges = 1,
	.field_ranges = node_ranges,
};

/* levels child wrappers around an innermost Node holding string s. */
static size_t nest(uint8_t *out, int levels, const uint8_t *s, size_t slen)
{
	uint8_t a[64], b[64];
	size_t n = 0;
	a[n++] = 0x12;
	a[n++] = (uint8_t)slen;
	memcpy(a + n, s, slen);
	n += slen;
	for (int i = 0; i < levels; i++) {
		b[0] = 0x0A;
		b[1] = (uint8_t)n;
		memcpy(b + 2, a, n);
		n += 2;
		memcpy(a, b, n);
	}
	memcpy(out, a, n);
	return n;
}

static void test_wire_depth(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t n = nest(buf, 7, (const uint8_t *)"ok", 2);
	assert_null(validate_wire_strings(&node_descriptor, buf, n));
	n = nest(buf, 8, (const uint8_t *)"ok", 2);
	assert_string_equal(validate_wire_strings(&node_descriptor, buf, n), WIRE_TOO_DEEP);
	/* the string check still reaches the deepest allowed level */
	n = nest(buf, 7, (const uint8_t *)"\xED\xA0\x80", 3);
	assert_string_equal(validate_wire_strings(&node_descriptor, buf, n), WIRE_NUL_OR_UTF8);
	n = nest(buf, 6, (const uint8_t *)"a\0", 2);
	assert_string_equal(validate_wire_strings(&node_descriptor, buf, n), WIRE_NUL_OR_UTF8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_every_kind),
		cmocka_unit_test(test_accepted_boundaries),
		cmocka_unit_test(test_every_declared_enum_value),
		cmocka_unit_test(test_rejection_reasons),
		cmocka_unit_test(test_reasons_are_one_line),
		cmocka_unit_test(test_ahead_follows_now),
		cmocka_unit_test(test_configured_village_list),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_respects_length),
		cmocka_unit_test(test_wire_packed_request_ok),
		cmocka_unit_test(test_request_wire_spans),
		cmocka_unit_test(test_wire_crafted),
		cmocka_unit_test(test_seq_epoch_rules),
		cmocka_unit_test(test_counters_rules),
		cmocka_unit_test(test_wire_nul_passes_protobuf_c),
		cmocka_unit_test(test_wire_event_descriptor),
		cmocka_unit_test(test_wire_depth),
	};
	return cmocka_run_group_tests(tests, setup_villages, NULL);
}
