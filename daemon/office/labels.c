/* labels.c - metric and dimension names in Chinese and English (see labels.h). */
#include "labels.h"

#include <stddef.h>
#include <string.h>

#include "tally.h"

struct label {
	const char *zh, *en;
};

int lang_parse(const char *s, enum lang *out)
{
	if (!s || !*s || strcmp(s, "zh") == 0) {
		*out = LANG_ZH;
		return 0;
	}
	if (strcmp(s, "en") == 0) {
		*out = LANG_EN;
		return 0;
	}
	return -1;
}

const char *lang_code(enum lang l)
{
	return l == LANG_EN ? "en" : "zh";
}

static const char *pick(const struct label *lb, enum lang l)
{
	return l == LANG_EN ? lb->en : lb->zh;
}

static const struct {
	struct label name;
	const char *unit_zh;
} metric_labels[M_COUNT] = {
	[M_DISPUTES_REGISTERED] = {{"受理矛盾纠纷", "disputes registered"}, "件"},
	[M_DISPUTES_RESOLVED] = {{"调解成功", "disputes resolved"}, "件"},
	[M_DISPUTES_ESCALATED] = {{"上交", "disputes escalated"}, "件"},
	[M_DISPUTES_UNRESOLVED] = {{"调解未成功", "disputes not resolved"}, "件"},
	[M_DISPUTES_AGREEMENT_AMOUNT_FEN] = {{"协议涉及金额", "agreement amounts"}, "元"},
	[M_DISPUTES_PREVENTED_CRIMINAL] = {{"防止民转刑", "civil-to-criminal cases prevented"}, "件"},
	[M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE] =
		{{"防止民转刑人数", "persons in civil-to-criminal cases prevented"}, "人"},
	[M_DISPUTES_PREVENTED_GROUP_PETITION] = {{"防止群体性上访", "group petitions prevented"}, "件"},
	[M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE] =
		{{"防止群体性上访人数", "persons in group petitions prevented"}, "人"},
	[M_DISPUTES_OPEN] = {{"在办矛盾纠纷", "disputes open"}, "件"},
	[M_PETITIONS_RECEIVED] = {{"受理信访案件", "petitions received"}, "件"},
	[M_PETITIONS_CONCLUDED] = {{"办结信访案件", "petitions concluded"}, "件"},
	[M_PETITIONS_DIFFICULT_RESOLVED] = {{"化解疑难信访案件", "difficult petitions resolved"}, "起"},
	[M_TRAININGS_SESSIONS] = {{"培训", "training sessions"}, "次"},
	[M_TRAININGS_ATTENDEES] = {{"培训人次", "training attendance (person-times)"}, "人次"},
	[M_PUBLICITY_ACTIVITIES] = {{"普法宣传活动", "publicity activities"}, "次"},
	[M_PUBLICITY_MATERIALS] = {{"发放资料", "copies of materials handed out"}, "份"},
	[M_PUBLICITY_CONSULTATIONS] = {{"现场法律咨询", "on-site legal advice (person-times)"}, "人次"},
	[M_LAWSUITS_FILED] = {{"涉诉案件", "lawsuits filed"}, "起"},
	[M_LAWSUITS_LOST] = {{"败诉案件", "lawsuits lost"}, "起"},
	[M_ENFORCEMENT_ACTIONS] = {{"执法行为", "enforcement actions"}, "次"},
	[M_ENFORCEMENT_RECORDED] = {{"有执法过程记录", "actions with a process record"}, "次"},
	[M_TRAININGS_OTHERS] = {{"其他对象培训", "training sessions of other audiences"}, "次"},
	[M_TRAININGS_OTHERS_ATTENDEES] =
		{{"其他对象培训人次", "training attendance of other audiences (person-times)"}, "人次"},
	[M_DOCUMENTS_DRAFTED] = {{"制定规范性文件", "normative documents drafted"}, "件"},
	[M_DOCUMENTS_REGISTERED] = {{"登记规范性文件", "normative documents registered"}, "件"},
	[M_DOCUMENTS_FILED] = {{"备案规范性文件", "normative documents filed for the record"}, "件"},
	[M_DOCUMENTS_REVIEWED] = {{"审查规范性文件", "normative documents reviewed"}, "件"},
	[M_DECISIONS_MADE] = {{"重大行政决策", "major administrative decisions"}, "项"},
	[M_DECISIONS_COLLECTIVE] = {{"集体讨论决定", "decisions taken collectively"}, "项"},
	[M_DECISIONS_LEGAL_REVIEWED] = {{"经合法性审查", "decisions with a legal review"}, "项"},
	[M_DECISIONS_HEARINGS] = {{"举行听证", "decisions with a hearing"}, "项"},
	[M_DECISIONS_CONSULTED] = {{"公开征求意见", "decisions put to public consultation"}, "项"},
	[M_OPINIONS_GIVEN] = {{"法律顾问意见", "legal opinions given"}, "条"},
	[M_DISCLOSURES_RELEASES] = {{"政务公开", "disclosures made"}, "次"},
	[M_DISCLOSURES_ITEMS] = {{"公开信息", "matters made public"}, "条"},
	[M_SUPERVISION_FINDINGS] = {{"监督反馈问题", "supervision findings"}, "个"},
	[M_SUPERVISION_RECTIFIED] = {{"整改完成", "findings rectified"}, "个"},
	[M_ENFORCEMENT_TEAM] = {{"综合执法队日常执法人员", "enforcement team members"}, "人"},
	[M_ENFORCEMENT_CERTIFIED] = {{"持执法证人员", "enforcement certificate holders"}, "人"},
	[M_TASKS_PLANNED] = {{"部署年度任务", "tasks planned"}, "项"},
	[M_TASKS_DONE] = {{"完成年度任务", "tasks done"}, "项"},
};

const char *labels_metric(int metric, enum lang l)
{
	if (metric < 0 || metric >= M_COUNT || !metric_labels[metric].name.zh)
		return "?";
	return pick(&metric_labels[metric].name, l);
}

const char *labels_unit(int metric, enum lang l)
{
	if (l == LANG_EN)
		return labels_is_money(metric) ? " yuan" : "";
	if (metric < 0 || metric >= M_COUNT || !metric_labels[metric].unit_zh)
		return "";
	return metric_labels[metric].unit_zh;
}

int labels_is_money(int metric)
{
	return metric == M_DISPUTES_AGREEMENT_AMOUNT_FEN;
}

/* Value labels by enum; index = the enum value, 0 = not stated. */
static const struct label category[] = {
	{"未注明", "not stated"}, {"婚姻家庭", "marriage and family"}, {"邻里", "neighbours"},
	{"房屋宅基地", "housing and homesteads"}, {"合同", "contracts"},
	{"生产经营", "production and business"}, {"损害赔偿", "damages"},
	{"山林土地", "forest and land"}, {"征地拆迁", "land acquisition and demolition"},
	{"环境污染", "environmental pollution"}, {"劳动争议", "labour and social security"},
	{"消费", "consumer"}, {"医疗", "medical"}, {"道路交通事故", "road traffic accidents"},
	{"物业", "property management"}, {"其他", "other"},
};
static const struct label initiated[] = {
	{"未注明", "not stated"}, {"主动调解", "proactive mediation"},
	{"申请调解", "on application"}, {"委托移送", "referred"},
};
static const struct label origin[] = {
	{"未注明", "not stated"}, {"上级交办", "assigned by higher levels"},
	{"镇访", "township petitions"}, {"省委巡视交办", "assigned by the provincial Party committee's inspection"},
};
static const struct label venue[] = {
	{"未注明", "not stated"}, {"社区", "communities"}, {"乡村", "villages"},
	{"机关", "government organs"}, {"企业", "enterprises"}, {"学校", "schools"},
};
static const struct label kind[] = {
	{"未注明", "not stated"}, {"行政诉讼", "administrative lawsuits"},
	{"环境污染附带民事诉讼", "civil claims attached to environmental pollution prosecutions"}, {"其他诉讼", "other lawsuits"},
};
static const struct label action[] = {
	{"未注明", "not stated"}, {"检查", "inspections"}, {"立案", "cases filed"},
	{"行政处罚", "penalties"}, {"行政指导", "administrative guidance"},
	{"行政调解", "administrative mediation"}, {"法制审核", "legal reviews"}, {"听证", "hearings"},
};
static const struct label campaign[] = {
	{"未注明", "not stated"}, {"秸秆禁烧", "straw-burning ban"},
	{"乡村振兴", "rural revitalization"}, {"其他", "other matters"},
};

static const struct label audience[] = {
	{"未注明", "not stated"}, {"专职调解员", "mediators"}, {"村干部", "village cadres"},
	{"村民", "villagers"}, {"机关干部", "township cadres"}, {"领导干部", "leading cadres"},
	{"执法人员", "enforcement staff"},
	{"社区矫正人员", "people under community correction"},
};
static const struct label law[] = {
	{"未注明", "not stated"}, {"《宪法》", "the Constitution"}, {"《民法典》", "the Civil Code"},
	{"《城乡规划法》", "the Urban and Rural Planning Law"},
	{"《土地管理法》", "the Land Administration Law"},
	{"《反有组织犯罪法》", "the Anti-Organized Crime Law"}, {"其他法律法规", "other laws"},
};
static const struct label decision_category[] = {
	{"未注明", "not stated"}, {"重大事项决策", "major matters"},
	{"重要干部任免", "appointments of key cadres"}, {"重大项目安排", "major projects"},
	{"大额资金使用", "use of large funds"},
};
static const struct label subject[] = {
	{"未注明", "not stated"}, {"合同签订", "contracts"}, {"重大决策", "major decisions"},
	{"规范性文件", "normative documents"}, {"涉诉案件", "lawsuits"},
	{"其他法律问题", "other legal questions"},
};
static const struct label adviser[] = {
	{"未注明", "not stated"}, {"法律顾问", "legal adviser"}, {"公职律师", "public lawyer"},
};
static const struct label content[] = {
	{"未注明", "not stated"}, {"决策公开", "decisions"}, {"执行公开", "execution"},
	{"管理公开", "management"}, {"结果公开", "results"}, {"服务公开", "services"},
};
static const struct label channel[] = {
	{"未注明", "not stated"}, {"政府网站", "government website"},
	{"政务公开栏", "notice board"}, {"微信公众号", "WeChat account"}, {"其他", "other"},
};
static const struct label supervisor[] = {
	{"未注明", "not stated"}, {"两代表一委员", "deputies and committee members"},
	{"镇纪委", "township discipline committee"}, {"监察机关", "supervisory organs"},
	{"巡察机关", "inspection organs"}, {"上级反馈", "higher levels"},
	{"社会监督", "the public"}, {"舆论监督", "the media"},
};
static const struct label item[] = {
	{"未注明", "not stated"}, {"成立领导小组", "leading group"},
	{"年度实施方案", "annual implementation plan"}, {"权力清单", "list of powers"},
	{"履职清单", "list of duties"}, {"普法宣传计划", "publicity plan"},
	{"创建五星支部", "five-star Party branches"},
	{"村\"三委\"换届", "village committee elections"},
	{"政府信息公开目录", "disclosure catalogue"},
	{"政务公开负面清单", "disclosure negative list"}, {"其他", "other tasks"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const ProtobufCEnumDescriptor *desc;
	struct label name;
	const struct label *values;
	size_t n;
} dims[] = {
	{&lawtally__v1__dispute__category__descriptor, {"类别", "category"}, category, NELEM(category)},
	{&lawtally__v1__dispute__initiated__descriptor, {"来源", "how it came in"}, initiated,
	 NELEM(initiated)},
	{&lawtally__v1__petition__origin__descriptor, {"来源", "origin"}, origin, NELEM(origin)},
	{&lawtally__v1__publicity__venue__descriptor, {"场所", "venue"}, venue, NELEM(venue)},
	{&lawtally__v1__lawsuit__kind__descriptor, {"类型", "kind"}, kind, NELEM(kind)},
	{&lawtally__v1__enforcement__action__descriptor, {"执法方式", "action"}, action,
	 NELEM(action)},
	{&lawtally__v1__enforcement__campaign__descriptor, {"专项", "campaign"}, campaign,
	 NELEM(campaign)},
	{&lawtally__v1__training__audience__descriptor, {"培训对象", "audience"}, audience,
	 NELEM(audience)},
	{&lawtally__v1__publicity__law__descriptor, {"宣传法律", "law"}, law, NELEM(law)},
	{&lawtally__v1__major_decision__category__descriptor, {"类别", "category"},
	 decision_category, NELEM(decision_category)},
	{&lawtally__v1__legal_opinion__subject__descriptor, {"事项", "subject"}, subject,
	 NELEM(subject)},
	{&lawtally__v1__legal_opinion__adviser__descriptor, {"出具者", "adviser"}, adviser,
	 NELEM(adviser)},
	{&lawtally__v1__disclosure__content__descriptor, {"公开内容", "content"}, content,
	 NELEM(content)},
	{&lawtally__v1__disclosure__channel__descriptor, {"公开渠道", "channel"}, channel,
	 NELEM(channel)},
	{&lawtally__v1__supervision__supervisor__descriptor, {"监督主体", "supervisor"}, supervisor,
	 NELEM(supervisor)},
	{&lawtally__v1__task__item__descriptor, {"任务", "task"}, item, NELEM(item)},
};

static int dim_row(int metric, int dim)
{
	const struct tally_metric_info *mi = tally_metric(metric);
	if (!mi || dim < 0 || dim > 1 || !mi->dim[dim].desc)
		return -1;
	for (size_t i = 0; i < NELEM(dims); i++)
		if (dims[i].desc == mi->dim[dim].desc)
			return (int)i;
	return -1;
}

const char *labels_dim_name(int metric, int dim, enum lang l)
{
	int r = dim_row(metric, dim);
	if (r < 0) {
		const struct tally_metric_info *mi = tally_metric(metric);
		return mi && dim >= 0 && dim <= 1 && mi->dim[dim].name ? mi->dim[dim].name : "?";
	}
	return pick(&dims[r].name, l);
}

const char *labels_dim_value(int metric, int dim, int value, enum lang l)
{
	int r = dim_row(metric, dim);
	if (r >= 0 && value >= 0 && (size_t)value < dims[r].n)
		return pick(&dims[r].values[value], l);
	const char *wire = tally_dim_label(metric, dim, value);
	return wire ? wire : "?";
}
