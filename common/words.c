/* words.c - the words people write for enum values (see words.h). */
#include "words.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define WORD_MAX 256

#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define INIT(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x
#define ORIGIN(x) LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_##x
#define PSTAGE(x) LAWTALLY__V1__PETITION__STAGE__STAGE_##x
#define VENUE(x) LAWTALLY__V1__PUBLICITY__VENUE__VENUE_##x
#define LKIND(x) LAWTALLY__V1__LAWSUIT__KIND__KIND_##x
#define LSTAGE(x) LAWTALLY__V1__LAWSUIT__STAGE__STAGE_##x
#define OUTCOME(x) LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_##x
#define CAMPAIGN(x) LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_##x
#define ACTION(x) LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_##x

struct word {
	const char *word;
	int value;
};

/*
 * Per enum, the first word of each value is its name (the report's label);
 * the others are what ledgers and people also write. A word names one
 * value of its enum only; the same word may mean different things in two
 * enums (排查 is a stage of registration and a way a case came in).
 */
static const struct word categories[] = {
	{"婚姻家庭", CAT(MARRIAGE_FAMILY)}, {"邻里", CAT(NEIGHBOUR)},
	{"房屋宅基地", CAT(HOUSING_HOMESTEAD)}, {"合同", CAT(CONTRACT)},
	{"生产经营", CAT(PRODUCTION_BUSINESS)}, {"损害赔偿", CAT(DAMAGES)},
	{"山林土地", CAT(LAND)}, {"征地拆迁", CAT(LAND_ACQUISITION)},
	{"环境污染", CAT(ENVIRONMENT)}, {"劳动争议", CAT(LABOUR_SOCIAL_SECURITY)},
	{"消费", CAT(CONSUMER)}, {"医疗", CAT(MEDICAL)}, {"道路交通事故", CAT(TRAFFIC)},
	{"物业", CAT(PROPERTY_MANAGEMENT)}, {"其他", CAT(OTHER)},
	{"婚姻", CAT(MARRIAGE_FAMILY)}, {"家庭", CAT(MARRIAGE_FAMILY)},
	{"赡养", CAT(MARRIAGE_FAMILY)}, {"抚养", CAT(MARRIAGE_FAMILY)},
	{"继承", CAT(MARRIAGE_FAMILY)}, {"邻里关系", CAT(NEIGHBOUR)},
	{"宅基地", CAT(HOUSING_HOMESTEAD)}, {"房屋", CAT(HOUSING_HOMESTEAD)},
	{"人身损害", CAT(DAMAGES)}, {"财产损害", CAT(DAMAGES)}, {"土地", CAT(LAND)},
	{"山林", CAT(LAND)}, {"土地承包", CAT(LAND)}, {"征地", CAT(LAND_ACQUISITION)},
	{"拆迁", CAT(LAND_ACQUISITION)}, {"环境", CAT(ENVIRONMENT)},
	{"劳动", CAT(LABOUR_SOCIAL_SECURITY)}, {"劳保", CAT(LABOUR_SOCIAL_SECURITY)},
	{"劳资", CAT(LABOUR_SOCIAL_SECURITY)}, {"劳动争议/劳保", CAT(LABOUR_SOCIAL_SECURITY)},
	{"医患", CAT(MEDICAL)}, {"交通事故", CAT(TRAFFIC)}, {"交通", CAT(TRAFFIC)},
	{"其它", CAT(OTHER)},
};

static const struct word dispute_stages[] = {
	{"受理", DSTAGE(REGISTERED)}, {"调解成功", DSTAGE(RESOLVED)},
	{"上交", DSTAGE(ESCALATED)}, {"调解不成功", DSTAGE(UNRESOLVED)},
	{"已受理", DSTAGE(REGISTERED)}, {"登记", DSTAGE(REGISTERED)},
	{"已登记", DSTAGE(REGISTERED)}, {"排查登记", DSTAGE(REGISTERED)},
	{"排查", DSTAGE(REGISTERED)}, {"调解中", DSTAGE(REGISTERED)},
	{"正在调解", DSTAGE(REGISTERED)}, {"在办", DSTAGE(REGISTERED)},
	{"办理中", DSTAGE(REGISTERED)}, {"未办结", DSTAGE(REGISTERED)},
	{"待调解", DSTAGE(REGISTERED)},
	{"成功", DSTAGE(RESOLVED)}, {"已调解", DSTAGE(RESOLVED)}, {"化解", DSTAGE(RESOLVED)},
	{"已化解", DSTAGE(RESOLVED)}, {"化解成功", DSTAGE(RESOLVED)},
	{"已解决", DSTAGE(RESOLVED)}, {"达成协议", DSTAGE(RESOLVED)},
	{"已达成协议", DSTAGE(RESOLVED)},
	{"已上交", DSTAGE(ESCALATED)}, {"上报", DSTAGE(ESCALATED)}, {"已上报", DSTAGE(ESCALATED)},
	{"移交", DSTAGE(ESCALATED)}, {"已移交", DSTAGE(ESCALATED)}, {"移送", DSTAGE(ESCALATED)},
	{"转交", DSTAGE(ESCALATED)}, {"移交司法所", DSTAGE(ESCALATED)},
	{"移交法院", DSTAGE(ESCALATED)}, {"引导诉讼", DSTAGE(ESCALATED)},
	{"未调解成功", DSTAGE(UNRESOLVED)}, {"调解未成功", DSTAGE(UNRESOLVED)},
	{"调解失败", DSTAGE(UNRESOLVED)}, {"未化解", DSTAGE(UNRESOLVED)},
	{"不成功", DSTAGE(UNRESOLVED)}, {"终止调解", DSTAGE(UNRESOLVED)},
};

static const struct word initiations[] = {
	{"主动调解", INIT(PROACTIVE)}, {"申请调解", INIT(APPLICATION)},
	{"委托移送", INIT(REFERRAL)},
	{"主动", INIT(PROACTIVE)}, {"主动排查", INIT(PROACTIVE)}, {"排查", INIT(PROACTIVE)},
	{"排查发现", INIT(PROACTIVE)}, {"走访排查", INIT(PROACTIVE)},
	{"申请", INIT(APPLICATION)}, {"当事人申请", INIT(APPLICATION)},
	{"来访", INIT(APPLICATION)}, {"群众来访", INIT(APPLICATION)},
	{"委托", INIT(REFERRAL)}, {"移送", INIT(REFERRAL)}, {"法院委托", INIT(REFERRAL)},
	{"派出所移送", INIT(REFERRAL)}, {"上级交办", INIT(REFERRAL)}, {"交办", INIT(REFERRAL)},
};

static const struct word origins[] = {
	{"上级交办", ORIGIN(HIGHER_LEVEL)}, {"镇访", ORIGIN(TOWNSHIP)},
	{"省委巡视交办", ORIGIN(PROVINCIAL_INSPECTION)},
	{"交办", ORIGIN(HIGHER_LEVEL)}, {"上级", ORIGIN(HIGHER_LEVEL)},
	{"来访", ORIGIN(TOWNSHIP)}, {"本级", ORIGIN(TOWNSHIP)},
	{"巡视交办", ORIGIN(PROVINCIAL_INSPECTION)}, {"省委巡视", ORIGIN(PROVINCIAL_INSPECTION)},
};

static const struct word petition_stages[] = {
	{"受理", PSTAGE(RECEIVED)}, {"办结", PSTAGE(CONCLUDED)},
	{"已受理", PSTAGE(RECEIVED)}, {"登记", PSTAGE(RECEIVED)}, {"接访", PSTAGE(RECEIVED)},
	{"已办结", PSTAGE(CONCLUDED)}, {"结案", PSTAGE(CONCLUDED)}, {"化解", PSTAGE(CONCLUDED)},
};

static const struct word venues[] = {
	{"社区", VENUE(COMMUNITY)}, {"乡村", VENUE(VILLAGE)}, {"机关", VENUE(ORGAN)},
	{"企业", VENUE(ENTERPRISE)}, {"学校", VENUE(SCHOOL)},
	{"村", VENUE(VILLAGE)}, {"农村", VENUE(VILLAGE)}, {"村组", VENUE(VILLAGE)},
	{"单位", VENUE(ORGAN)}, {"工厂", VENUE(ENTERPRISE)}, {"校园", VENUE(SCHOOL)},
};

static const struct word lawsuit_kinds[] = {
	{"行政诉讼", LKIND(ADMINISTRATIVE)},
	{"环境污染附带民事诉讼", LKIND(ENV_POLLUTION_CIVIL)}, {"其他诉讼", LKIND(OTHER)},
	{"行政", LKIND(ADMINISTRATIVE)}, {"环境污染", LKIND(ENV_POLLUTION_CIVIL)},
	{"环境民事诉讼", LKIND(ENV_POLLUTION_CIVIL)}, {"其他", LKIND(OTHER)},
	{"其它", LKIND(OTHER)},
};

static const struct word lawsuit_stages[] = {
	{"立案", LSTAGE(FILED)}, {"判决", LSTAGE(JUDGED)},
	{"起诉", LSTAGE(FILED)}, {"已立案", LSTAGE(FILED)}, {"审结", LSTAGE(JUDGED)},
	{"已判决", LSTAGE(JUDGED)}, {"结案", LSTAGE(JUDGED)},
};

static const struct word outcomes[] = {
	{"胜诉", OUTCOME(WON)}, {"败诉", OUTCOME(LOST)}, {"调解结案", OUTCOME(SETTLED)},
	{"撤诉", OUTCOME(WITHDRAWN)},
	{"和解", OUTCOME(SETTLED)}, {"调解", OUTCOME(SETTLED)}, {"撤回起诉", OUTCOME(WITHDRAWN)},
};

static const struct word campaigns[] = {
	{"秸秆禁烧", CAMPAIGN(STRAW_BURNING)}, {"乡村振兴", CAMPAIGN(RURAL_REVITALIZATION)},
	{"其他", CAMPAIGN(OTHER)},
	{"禁烧", CAMPAIGN(STRAW_BURNING)}, {"其它", CAMPAIGN(OTHER)},
};

static const struct word actions[] = {
	{"检查", ACTION(INSPECTION)}, {"立案", ACTION(CASE_FILED)},
	{"行政处罚", ACTION(PENALTY)}, {"行政指导", ACTION(GUIDANCE)},
	{"行政调解", ACTION(MEDIATION)}, {"法制审核", ACTION(LEGAL_REVIEW)},
	{"听证", ACTION(HEARING)},
	{"执法检查", ACTION(INSPECTION)}, {"巡查", ACTION(INSPECTION)},
	{"处罚", ACTION(PENALTY)}, {"指导", ACTION(GUIDANCE)}, {"调解", ACTION(MEDIATION)},
	{"法制审查", ACTION(LEGAL_REVIEW)},
};

#define AUD(x) LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_##x
#define LAW(x) LAWTALLY__V1__PUBLICITY__LAW__LAW_##x
#define DOC(x) LAWTALLY__V1__NORMATIVE_DOCUMENT__ACTION__ACTION_##x
#define DEC(x) LAWTALLY__V1__MAJOR_DECISION__CATEGORY__CATEGORY_##x
#define ADV(x) LAWTALLY__V1__LEGAL_OPINION__ADVISER__ADVISER_##x
#define SUBJ(x) LAWTALLY__V1__LEGAL_OPINION__SUBJECT__SUBJECT_##x
#define CONT(x) LAWTALLY__V1__DISCLOSURE__CONTENT__CONTENT_##x
#define CHAN(x) LAWTALLY__V1__DISCLOSURE__CHANNEL__CHANNEL_##x
#define SUP(x) LAWTALLY__V1__SUPERVISION__SUPERVISOR__SUPERVISOR_##x
#define SSTAGE(x) LAWTALLY__V1__SUPERVISION__STAGE__STAGE_##x
#define ITEM(x) LAWTALLY__V1__TASK__ITEM__ITEM_##x
#define TSTAGE(x) LAWTALLY__V1__TASK__STAGE__STAGE_##x

static const struct word audiences[] = {
	{"专职调解员", AUD(MEDIATORS)}, {"村干部", AUD(VILLAGE_CADRES)}, {"村民", AUD(VILLAGERS)},
	{"机关干部", AUD(ORGAN_CADRES)}, {"领导干部", AUD(LEADERS)},
	{"执法人员", AUD(ENFORCEMENT_STAFF)}, {"社区矫正人员", AUD(COMMUNITY_CORRECTION)},
	{"调解员", AUD(MEDIATORS)}, {"人民调解员", AUD(MEDIATORS)}, {"村组干部", AUD(VILLAGE_CADRES)},
	{"群众", AUD(VILLAGERS)}, {"村民群众", AUD(VILLAGERS)}, {"镇机关干部", AUD(ORGAN_CADRES)},
	{"党委理论学习中心组", AUD(LEADERS)}, {"执法队员", AUD(ENFORCEMENT_STAFF)},
	{"社区矫正对象", AUD(COMMUNITY_CORRECTION)},
};

static const struct word laws[] = {
	{"《宪法》", LAW(CONSTITUTION)}, {"《民法典》", LAW(CIVIL_CODE)},
	{"《城乡规划法》", LAW(URBAN_RURAL_PLANNING)}, {"《土地管理法》", LAW(LAND_ADMINISTRATION)},
	{"《反有组织犯罪法》", LAW(ANTI_ORGANIZED_CRIME)}, {"其他法律法规", LAW(OTHER)},
	{"宪法", LAW(CONSTITUTION)}, {"民法典", LAW(CIVIL_CODE)},
	{"城乡规划法", LAW(URBAN_RURAL_PLANNING)}, {"土地管理法", LAW(LAND_ADMINISTRATION)},
	{"反有组织犯罪法", LAW(ANTI_ORGANIZED_CRIME)}, {"其他", LAW(OTHER)},
};

static const struct word document_actions[] = {
	{"制定", DOC(DRAFTED)}, {"登记", DOC(REGISTERED)}, {"备案", DOC(FILED)},
	{"审查", DOC(REVIEWED)}, {"合法性审查", DOC(REVIEWED)},
};

static const struct word decision_categories[] = {
	{"重大事项决策", DEC(MAJOR_MATTER)}, {"重要干部任免", DEC(CADRE_APPOINTMENT)},
	{"重大项目安排", DEC(MAJOR_PROJECT)}, {"大额资金使用", DEC(LARGE_FUNDS)},
	{"重大事项", DEC(MAJOR_MATTER)}, {"干部任免", DEC(CADRE_APPOINTMENT)},
	{"重大项目", DEC(MAJOR_PROJECT)}, {"大额资金", DEC(LARGE_FUNDS)},
};

static const struct word advisers[] = {
	{"法律顾问", ADV(LEGAL_ADVISER)}, {"公职律师", ADV(PUBLIC_LAWYER)},
};

static const struct word subjects[] = {
	{"合同签订", SUBJ(CONTRACT)}, {"重大决策", SUBJ(DECISION)}, {"规范性文件", SUBJ(DOCUMENT)},
	{"涉诉案件", SUBJ(LITIGATION)}, {"其他法律问题", SUBJ(OTHER)},
	{"合同", SUBJ(CONTRACT)}, {"诉讼", SUBJ(LITIGATION)}, {"其他", SUBJ(OTHER)},
};

static const struct word contents[] = {
	{"决策公开", CONT(DECISION)}, {"执行公开", CONT(EXECUTION)}, {"管理公开", CONT(MANAGEMENT)},
	{"结果公开", CONT(RESULT)}, {"服务公开", CONT(SERVICE)},
};

static const struct word channels[] = {
	{"政府网站", CHAN(WEBSITE)}, {"政务公开栏", CHAN(NOTICE_BOARD)},
	{"微信公众号", CHAN(WECHAT)}, {"其他", CHAN(OTHER)},
	{"网站", CHAN(WEBSITE)}, {"公开栏", CHAN(NOTICE_BOARD)}, {"微信", CHAN(WECHAT)},
	{"其它", CHAN(OTHER)},
};

static const struct word supervisors[] = {
	{"两代表一委员", SUP(DEPUTIES)}, {"镇纪委", SUP(DISCIPLINE)}, {"监察机关", SUP(SUPERVISORY)},
	{"巡察机关", SUP(INSPECTION)}, {"上级反馈", SUP(HIGHER_LEVEL)}, {"社会监督", SUP(SOCIAL)},
	{"舆论监督", SUP(MEDIA)},
	{"人大代表", SUP(DEPUTIES)}, {"党代表", SUP(DEPUTIES)}, {"政协委员", SUP(DEPUTIES)},
	{"纪委", SUP(DISCIPLINE)}, {"上级监察机关", SUP(SUPERVISORY)}, {"巡察", SUP(INSPECTION)},
	{"法治建设督察", SUP(HIGHER_LEVEL)}, {"媒体", SUP(MEDIA)},
};

static const struct word supervision_stages[] = {
	{"反馈问题", SSTAGE(RECEIVED)}, {"整改完成", SSTAGE(RECTIFIED)},
	{"收到", SSTAGE(RECEIVED)}, {"已整改", SSTAGE(RECTIFIED)}, {"整改", SSTAGE(RECTIFIED)},
};

static const struct word items[] = {
	{"成立领导小组", ITEM(LEADING_GROUP)}, {"年度实施方案", ITEM(IMPLEMENTATION_PLAN)},
	{"权力清单", ITEM(POWER_LIST)}, {"履职清单", ITEM(DUTY_LIST)},
	{"普法宣传计划", ITEM(PUBLICITY_PLAN)}, {"创建五星支部", ITEM(FIVE_STAR_BRANCH)},
	{"村\"三委\"换届", ITEM(VILLAGE_ELECTION)}, {"政府信息公开目录", ITEM(DISCLOSURE_CATALOGUE)},
	{"政务公开负面清单", ITEM(NEGATIVE_LIST)}, {"其他", ITEM(OTHER)},
	{"领导小组", ITEM(LEADING_GROUP)}, {"实施方案", ITEM(IMPLEMENTATION_PLAN)},
	{"职责清单", ITEM(DUTY_LIST)}, {"五星支部", ITEM(FIVE_STAR_BRANCH)},
	{"村三委换届", ITEM(VILLAGE_ELECTION)}, {"换届选举", ITEM(VILLAGE_ELECTION)},
	{"信息公开目录", ITEM(DISCLOSURE_CATALOGUE)}, {"负面清单", ITEM(NEGATIVE_LIST)},
};

static const struct word task_stages[] = {
	{"部署", TSTAGE(PLANNED)}, {"完成", TSTAGE(DONE)},
	{"列入计划", TSTAGE(PLANNED)}, {"已完成", TSTAGE(DONE)},
};

/* Trailing words that may follow any value of an enum, dropped in turn (邻里纠纷类). */
static const struct table {
	const ProtobufCEnumDescriptor *desc;
	const struct word *w;
	size_t n;
	const char *suffix[2];
} tables[] = {
	{&lawtally__v1__dispute__category__descriptor, categories, NELEM(categories), {"类", "纠纷"}},
	{&lawtally__v1__dispute__stage__descriptor, dispute_stages, NELEM(dispute_stages), {0}},
	{&lawtally__v1__dispute__initiated__descriptor, initiations, NELEM(initiations), {0}},
	{&lawtally__v1__petition__origin__descriptor, origins, NELEM(origins), {0}},
	{&lawtally__v1__petition__stage__descriptor, petition_stages, NELEM(petition_stages), {0}},
	{&lawtally__v1__publicity__venue__descriptor, venues, NELEM(venues), {0}},
	{&lawtally__v1__lawsuit__kind__descriptor, lawsuit_kinds, NELEM(lawsuit_kinds), {0}},
	{&lawtally__v1__lawsuit__stage__descriptor, lawsuit_stages, NELEM(lawsuit_stages), {0}},
	{&lawtally__v1__lawsuit__outcome__descriptor, outcomes, NELEM(outcomes), {0}},
	{&lawtally__v1__enforcement__campaign__descriptor, campaigns, NELEM(campaigns), {0}},
	{&lawtally__v1__enforcement__action__descriptor, actions, NELEM(actions), {0}},
	{&lawtally__v1__training__audience__descriptor, audiences, NELEM(audiences), {0}},
	{&lawtally__v1__publicity__law__descriptor, laws, NELEM(laws), {0}},
	{&lawtally__v1__normative_document__action__descriptor, document_actions,
	 NELEM(document_actions), {0}},
	{&lawtally__v1__major_decision__category__descriptor, decision_categories,
	 NELEM(decision_categories), {0}},
	{&lawtally__v1__legal_opinion__adviser__descriptor, advisers, NELEM(advisers), {0}},
	{&lawtally__v1__legal_opinion__subject__descriptor, subjects, NELEM(subjects), {0}},
	{&lawtally__v1__disclosure__content__descriptor, contents, NELEM(contents), {0}},
	{&lawtally__v1__disclosure__channel__descriptor, channels, NELEM(channels), {0}},
	{&lawtally__v1__supervision__supervisor__descriptor, supervisors, NELEM(supervisors), {0}},
	{&lawtally__v1__supervision__stage__descriptor, supervision_stages,
	 NELEM(supervision_stages), {0}},
	{&lawtally__v1__task__item__descriptor, items, NELEM(items), {0}},
	{&lawtally__v1__task__stage__descriptor, task_stages, NELEM(task_stages), {0}},
};

static const struct table *table_of(const ProtobufCEnumDescriptor *d)
{
	for (size_t i = 0; i < NELEM(tables); i++)
		if (tables[i].desc == d)
			return &tables[i];
	return NULL;
}

size_t words_halfwidth(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)in;
	if (cap == 0)
		return 0;
	while (*p) {
		char one[4];
		size_t k = 1, n = 1;
		one[0] = (char)*p;
		/* U+FF01..U+FF5E: EF BC 81..BF and EF BD 80..9E */
		if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
			one[0] = (char)(p[2] - 0x81 + 0x21);
			k = 3;
		} else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
			one[0] = (char)(p[2] - 0x80 + 0x60);
			k = 3;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			one[0] = ' ';
			k = 3;
		} else if (*p >= 0x80) {
			/* copy a whole character (lead byte and its continuations) */
			while (n < 4 && (p[n] & 0xC0) == 0x80)
				n++;
			memcpy(one, p, n);
			k = n;
		}
		if (o + n >= cap) {
			out[o] = '\0';
			return cap;
		}
		memcpy(out + o, one, n);
		o += n;
		p += k;
	}
	out[o] = '\0';
	return o;
}

/* in, half-width, without blanks around it, into out[cap]; -1 if it did not fit. */
static int clean(const char *in, char *out, size_t cap)
{
	if (words_halfwidth(in, out, cap) >= cap)
		return -1;
	size_t start = strspn(out, " \t\r\n"), len = strlen(out);
	while (len > start && strchr(" \t\r\n", out[len - 1]))
		len--;
	memmove(out, out + start, len - start);
	out[len - start] = '\0';
	return 0;
}

static int lookup(const struct table *t, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->w[i].word, s) == 0)
			return t->w[i].value;
	return -1;
}

/* The length of the prefix the enum's value names share ("CATEGORY_"). */
static size_t prefix_len(const ProtobufCEnumDescriptor *d)
{
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(d, 0);
	const char *u = zero ? strstr(zero->name, "UNSPECIFIED") : NULL;
	return u ? (size_t)(u - zero->name) : 0;
}

/* The value's name without the prefix, if it has it ("NEIGHBOUR"). */
static const char *short_name(const ProtobufCEnumDescriptor *d, const ProtobufCEnumValue *v)
{
	size_t plen = prefix_len(d);
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(d, 0);
	if (plen && zero && strncmp(v->name, zero->name, plen) == 0)
		return v->name + plen;
	return v->name;
}

int words_enum(const ProtobufCEnumDescriptor *d, const char *text)
{
	char v[WORD_MAX];
	const struct table *t = table_of(d);
	if (!t || clean(text, v, sizeof(v)) || !v[0])
		return -1;
	int r = lookup(t, v);
	for (size_t i = 0; r < 0 && i < NELEM(t->suffix) && t->suffix[i]; i++) {
		size_t n = strlen(v), k = strlen(t->suffix[i]);
		if (n > k && strcmp(v + n - k, t->suffix[i]) == 0) {
			v[n - k] = '\0';
			r = lookup(t, v);
		}
	}
	if (r >= 0)
		return r;
	for (unsigned i = 0; i < d->n_values; i++) {
		const ProtobufCEnumValue *ev = &d->values[i];
		if (ev->value != 0 &&
		    (strcasecmp(short_name(d, ev), v) == 0 || strcasecmp(ev->name, v) == 0))
			return ev->value;
	}
	return -1;
}

const char *words_name(const ProtobufCEnumDescriptor *d, int value)
{
	const struct table *t = table_of(d);
	for (size_t i = 0; t && i < t->n; i++)
		if (t->w[i].value == value)
			return t->w[i].word;
	return NULL;
}

void words_list(const ProtobufCEnumDescriptor *d, int codes, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < d->n_values; i++) {
		const ProtobufCEnumValue *ev = &d->values[i];
		if (ev->value == 0)
			continue;
		const char *zh = words_name(d, ev->value);
		char one[160];
		size_t n = zh && codes ? (size_t)snprintf(one, sizeof(one), "%s%s (%s)", o ? ", " : "",
							  zh, short_name(d, ev))
			      : (size_t)snprintf(one, sizeof(one), "%s%s", o ? ", " : "",
						 zh ? zh : short_name(d, ev));
		if (n >= sizeof(one) || o + n + 6 >= cap) {
			const char *more = o ? ", ..." : "...";
			if (o + strlen(more) < cap)
				memcpy(out + o, more, strlen(more) + 1);
			return;
		}
		memcpy(out + o, one, n + 1);
		o += n;
	}
}

static const struct word booleans[] = {
	{"是", 1}, {"有", 1}, {"√", 1}, {"✓", 1}, {"y", 1}, {"yes", 1}, {"1", 1}, {"true", 1},
	{"否", 0}, {"无", 0}, {"×", 0}, {"n", 0}, {"no", 0}, {"0", 0}, {"false", 0}, {"/", 0},
	{"-", 0},
};

int words_bool(const char *text)
{
	char v[WORD_MAX];
	if (clean(text, v, sizeof(v)))
		return -1;
	for (size_t i = 0; i < NELEM(booleans); i++)
		if (strcasecmp(booleans[i].word, v) == 0)
			return booleans[i].value;
	return -1;
}
