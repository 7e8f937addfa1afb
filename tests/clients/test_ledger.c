/* test_ledger.c - ledger headers, values, dates, amounts, rows and their ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "ledger.h"

#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define INIT(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The header row of tests/data/ledger-zl07.csv. */
static char *sample_header[] = {
	"序号", "受理日期", "案件编号", "当事人", "纠纷类型", "纠纷简要情况", "受理方式",
	"调解日期", "调解结果", "协议金额（元）", "防止民转刑", "防止群体性上访", "涉及人数",
	"调解员", "备注",
};

static void test_headers(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		enum ledger_field field;
	} cases[] = {
		{"日期", LF_DATE}, {" 受理日期 ", LF_DATE}, {"*案件编号", LF_CASE_ID},
		{"纠纷类型", LF_CATEGORY}, {"调解\n结果", LF_STAGE}, {"状态", LF_STAGE},
		{"协议金额（元）", LF_AMOUNT}, {"协议金额(元)", LF_AMOUNT}, {"受理方式", LF_INITIATED},
		{"当事人", LF_PRIVATE}, {"身份证号码", LF_PRIVATE}, {"联系电话", LF_PRIVATE},
		{"序号", LF_IGNORED}, {"天气", LF_UNKNOWN}, {"参训人数", LF_UNKNOWN},
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		assert_int_equal(ledger_header_field(LEDGER_DISPUTE, cases[i].header, NULL),
				 cases[i].field);
	assert_int_equal(ledger_header_field(LEDGER_TRAINING, "参训人数", NULL), LF_ATTENDEES);
	assert_int_equal(ledger_kind_by_name("dispute"), LEDGER_DISPUTE);
	assert_int_equal(ledger_kind_by_name("training"), LEDGER_TRAINING);
	assert_int_equal(ledger_kind_by_name("petition"), -1);
}

static void test_map_header(void **state)
{
	(void)state;
	struct ledger_map m;
	char err[128];
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, sample_header, NELEM(sample_header),
					   err, sizeof(err)), 0);
	assert_int_equal(m.col[LF_DATE][0], 1);
	assert_int_equal(m.col[LF_CASE_ID][0], 2);
	assert_int_equal(m.col[LF_CATEGORY][0], 4);
	assert_int_equal(m.col[LF_INITIATED][0], 6);
	assert_int_equal(m.col[LF_OUTCOME_DATE][0], 7);
	assert_int_equal(m.col[LF_STAGE][0], 8);
	assert_int_equal(m.col[LF_AMOUNT][0], 9);
	assert_int_equal(m.col[LF_PEOPLE][0], 12);
	assert_int_equal(m.col[LF_RECORDED_BY][0], 13);
	assert_int_equal(m.n_unknown, 0);

	/* 调解结果 ranks before 状态, wherever it stands */
	char *both[] = {"日期", "编号", "类型", "状态", "调解结果", "天气"};
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, both, NELEM(both), err, sizeof(err)), 0);
	assert_int_equal(m.col[LF_STAGE][0], 4);
	assert_int_equal(m.col[LF_STAGE][1], 3);
	assert_int_equal(m.n_unknown, 1);
	assert_int_equal(m.unknown[0], 5);

	char *title[] = {"王岗村矛盾纠纷排查化解台账（2024年度）", "", ""};
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, title, NELEM(title), err, sizeof(err)),
			 LT_EINVAL);
	assert_string_equal(err, "no column for 日期, 案件编号, 纠纷类型");
}

static void test_values(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		int want;
	} cats[] = {
		{"邻里纠纷", CAT(NEIGHBOUR)}, {"邻里", CAT(NEIGHBOUR)}, {" 婚姻家庭纠纷 ", CAT(MARRIAGE_FAMILY)},
		{"婚姻家庭类", CAT(MARRIAGE_FAMILY)}, {"山林土地纠纷", CAT(LAND)},
		{"房屋宅基地纠纷", CAT(HOUSING_HOMESTEAD)}, {"劳动争议", CAT(LABOUR_SOCIAL_SECURITY)},
		{"道路交通事故纠纷", CAT(TRAFFIC)}, {"征地拆迁纠纷", CAT(LAND_ACQUISITION)},
		{"其他", CAT(OTHER)}, {"NEIGHBOUR", CAT(NEIGHBOUR)}, {"neighbour", CAT(NEIGHBOUR)},
		{"CATEGORY_LAND", CAT(LAND)}, {"打架纠纷", -1}, {"", -1}, {"UNSPECIFIED", -1},
	};
	for (size_t i = 0; i < NELEM(cats); i++)
		assert_int_equal(ledger_category(cats[i].v), cats[i].want);
	assert_int_equal(ledger_stage("调解成功"), DSTAGE(RESOLVED));
	assert_int_equal(ledger_stage("上交"), DSTAGE(ESCALATED));
	assert_int_equal(ledger_stage("调解不成功"), DSTAGE(UNRESOLVED));
	assert_int_equal(ledger_stage("调解中"), DSTAGE(REGISTERED));
	assert_int_equal(ledger_stage("resolved"), DSTAGE(RESOLVED));
	assert_int_equal(ledger_stage("已办结"), -1);
	assert_int_equal(ledger_initiated("主动排查"), INIT(PROACTIVE));
	assert_int_equal(ledger_initiated("申请"), INIT(APPLICATION));
	assert_int_equal(ledger_initiated("委托移送"), INIT(REFERRAL));
	assert_int_equal(ledger_initiated("路过"), -1);
}

static void test_dates(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t t, day;
	} ok[] = {
		{"2024/3/5", 1709611200, 19787},          /* noon in UTC+08:00 */
		{"2024-03-05", 1709611200, 19787},
		{"2024.3.5", 1709611200, 19787},
		{"2024年3月5日", 1709611200, 19787},
		{" 2024/03/05 ", 1709611200, 19787},
		{"2024-03-05 09:30", 1709602200, 19787},
		{"2024/3/5 9:30:15", 1709602215, 19787},
		{"45356", 1709611200, 19787},             /* Excel's day number */
		{"2024/2/29", 1709179200, 19782},
		{"2024/12/31 23:59", 1735660740, 20088},
	};
	for (size_t i = 0; i < NELEM(ok); i++) {
		int64_t t = 0, day = 0;
		assert_int_equal(ledger_parse_date(ok[i].s, &t, &day), 0);
		assert_int_equal(t, ok[i].t);
		assert_int_equal(day, ok[i].day);
	}
	static const char *const bad[] = {
		"", "2024/2/30", "2023/2/29", "2024/13/1", "2024/0/1", "24/3/5", "2024/3/5x",
		"2024/3/5 25:00", "20240305", "123", "明天",
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		int64_t t, day;
		assert_int_equal(ledger_parse_date(bad[i], &t, &day), LT_EINVAL);
	}
}

static void test_amounts(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t fen;
	} ok[] = {
		{"", 0}, {"0", 0}, {"2400", 240000}, {"2,400.00", 240000}, {"800元", 80000},
		{"￥3,200", 320000}, {"¥0.5", 50}, {"1.2万", 1200000}, {"36,000.00", 3600000},
		{" 12.34 ", 1234}, {"10000000000", 1000000000000ULL}, {"/", 0}, {"无", 0},
	};
	for (size_t i = 0; i < NELEM(ok); i++) {
		uint64_t fen = 99;
		assert_int_equal(ledger_parse_amount(ok[i].s, &fen), 0);
		assert_int_equal(fen, ok[i].fen);
	}
	static const char *const bad[] = {"0.005", "abc", "-5", "1.2.3", "万", "元", "12万元5",
					  "10000000001", "99999999999999999999999"};
	for (size_t i = 0; i < NELEM(bad); i++) {
		uint64_t fen;
		assert_int_equal(ledger_parse_amount(bad[i], &fen), LT_EINVAL);
	}
}

/* SipHash-2-4 reference vectors (key 00..0f): the empty message and 00..0e. */
static void test_siphash(void **state)
{
	(void)state;
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(ledger_siphash(key, msg, 0), 0x726fdb47dd0e0e31ULL);
	assert_int_equal(ledger_siphash(key, msg, 15), 0xa129ca6149be45e5ULL);
}

static void test_ids(void **state)
{
	(void)state;
	uint8_t a[16], b[16];
	uint64_t t = 1709611200000ULL;
	ledger_event_id(a, LEDGER_DISPUTE, "ZL07", "WG2024-001", "REGISTERED", 19787, t);
	ledger_event_id(b, LEDGER_DISPUTE, "ZL07", "WG2024-001", "REGISTERED", 19787, t);
	assert_memory_equal(a, b, 16);
	/* time-ordered prefix, version 8, variant 10 */
	for (int i = 0; i < 6; i++)
		assert_int_equal(a[i], (uint8_t)(t >> (8 * (5 - i))));
	assert_int_equal(a[6] >> 4, 8);
	assert_int_equal(a[8] >> 6, 2);
	/* every part of the name counts */
	ledger_event_id(b, LEDGER_DISPUTE, "ZL08", "WG2024-001", "REGISTERED", 19787, t);
	assert_memory_not_equal(a + 6, b + 6, 10);
	ledger_event_id(b, LEDGER_DISPUTE, "ZL07", "WG2024-002", "REGISTERED", 19787, t);
	assert_memory_not_equal(a + 6, b + 6, 10);
	ledger_event_id(b, LEDGER_DISPUTE, "ZL07", "WG2024-001", "RESOLVED", 19787, t);
	assert_memory_not_equal(a + 6, b + 6, 10);
	ledger_event_id(b, LEDGER_DISPUTE, "ZL07", "WG2024-001", "REGISTERED", 19788, t);
	assert_memory_not_equal(a + 6, b + 6, 10);
	ledger_event_id(b, LEDGER_TRAINING, "ZL07", "WG2024-001", "REGISTERED", 19787, t);
	assert_memory_not_equal(a + 6, b + 6, 10);
	/* the derivation is a contract: a re-import must give the very same bytes */
	static const uint8_t pinned[16] = {0x01, 0x8e, 0x0c, 0xc4, 0xae, 0x00, 0x8a, 0x5c,
					   0x8e, 0xc6, 0xc5, 0xd0, 0xf0, 0x3d, 0xf7, 0xce};
	assert_memory_equal(a, pinned, 16);
}

static int contains(const uint8_t *buf, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, s, n) == 0)
			return 1;
	return 0;
}

static void test_rows(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_row r;
	char err[160];
	size_t col;
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, sample_header, NELEM(sample_header),
					   err, sizeof(err)), 0);
	char *resolved[] = {"2", "2024/1/22", "WG2024-002", "王某某、赵某某", "婚姻家庭纠纷",
			    "赡养老人费用分担", "申请调解", "2024/2/3", "调解成功", "2,400.00",
			    "否", "否", "", "王建国", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "centre-ZL07", resolved, NELEM(resolved), &r, &col,
				    err, sizeof(err)), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].dispute->stage, DSTAGE(REGISTERED));
	assert_int_equal(r.ev[0].occurred_at, 1705896000); /* 2024-01-22 12:00 +08:00 */
	assert_int_equal(r.ev[0].dispute->agreement_amount_fen, 0);
	assert_int_equal(r.ev[1].dispute->stage, DSTAGE(RESOLVED));
	assert_int_equal(r.ev[1].occurred_at, 1706932800); /* 2024-02-03 */
	assert_int_equal(r.ev[1].dispute->agreement_amount_fen, 240000);
	assert_int_equal(r.ev[1].dispute->category, CAT(MARRIAGE_FAMILY));
	assert_int_equal(r.ev[1].dispute->initiated, INIT(APPLICATION));
	assert_string_equal(r.ev[1].dispute->case_id, "WG2024-002");
	assert_string_equal(r.ev[1].village, "ZL07");
	assert_string_equal(r.ev[1].source, "centre-ZL07");
	assert_string_equal(r.ev[1].recorded_by, "王建国");
	assert_memory_not_equal(r.ev[0].id.data, r.ev[1].id.data, 16);
	/* the parties never reach an event */
	for (size_t i = 0; i < r.n; i++) {
		uint8_t buf[1024];
		size_t len = lawtally__v1__event__pack(&r.ev[i], buf);
		assert_false(contains(buf, len, "王某某"));
		assert_false(contains(buf, len, "赡养"));
	}
	/* the same row again: the same ids */
	uint8_t id0[16], id1[16];
	memcpy(id0, r.id[0], 16);
	memcpy(id1, r.id[1], 16);
	assert_int_equal(ledger_row(&m, "ZL07", "centre-ZL07", resolved, NELEM(resolved), &r, &col,
				    err, sizeof(err)), 0);
	assert_memory_equal(r.id[0], id0, 16);
	assert_memory_equal(r.id[1], id1, 16);

	char *open_case[] = {"10", "2024/7/15", "WG2024-010", "", "劳动争议", "", "委托移送", "",
			     "调解中", "", "否", "否", "", "王建国", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", open_case, NELEM(open_case), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].dispute->stage, DSTAGE(REGISTERED));

	char *group[] = {"4", "2024-03-05", "WG2024-004", "", "山林土地纠纷", "", "委托移送",
			 "2024-03-20", "调解成功", "36,000.00", "否", "是", "12", "王建国", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", group, NELEM(group), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.ev[1].dispute->prevented_group_petition, 1);
	assert_int_equal(r.ev[1].dispute->people, 12);
	assert_int_equal(r.ev[0].dispute->people, 0);

	char *total[] = {"合计", "", "", "", "", "", "", "", "", "56,100.00"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", total, NELEM(total), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.n, 0);
	char *empty[] = {"", " ", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", empty, NELEM(empty), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.n, 0);
}

static void test_bad_rows(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_row r;
	char err[512];
	size_t col;
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, sample_header, NELEM(sample_header),
					   err, sizeof(err)), 0);
	static const struct {
		int cell;
		const char *value;
		size_t col;
		const char *err;
	} cases[] = {
		{4, "打架纠纷", 4, "unknown dispute type \"打架纠纷\"; one of: 婚姻家庭, 邻里, 房屋宅基地, "
				   "合同, 生产经营, 损害赔偿, 山林土地, 征地拆迁, 环境污染, 劳动争议, 消费, 医疗, "
				   "道路交通事故, 物业, 其他"},
		{1, "2024/2/30", 1, "\"2024/2/30\" is not a date (2024-03-05, 2024/3/5 or 2024年3月5日)"},
		{2, "", 2, "case number: required"},
		{8, "已办结", 8, "unknown result \"已办结\"; one of: 受理, 调解成功, 上交, 调解不成功 "
				 "(or 调解中)"},
		{9, "两千", 9, "\"两千\" is not an amount in yuan"},
		{7, "2024/1/1", 7, "\"2024/1/1\" is before the case was registered"},
		{10, "也许", 10, "\"也许\" is not 是 or 否"},
		{12, "7", 12, "a number of people only goes with 防止群体性上访"},
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *row[] = {"2", "2024/1/22", "WG2024-002", "", "婚姻家庭纠纷", "", "申请调解",
			       "2024/2/3", "调解成功", "2,400.00", "否", "否", "", "王建国", ""};
		row[cases[i].cell] = (char *)cases[i].value;
		assert_int_equal(ledger_row(&m, "ZL07", "c", row, NELEM(row), &r, &col, err,
					    sizeof(err)), LT_EINVAL);
		assert_int_equal(col, cases[i].col);
		assert_string_equal(err, cases[i].err);
	}
	char *unresolved_amount[] = {"7", "2024/5/9", "WG2024-007", "", "合同纠纷", "", "申请调解",
				     "2024/5/30", "调解不成功", "500", "否", "否", "", "", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", unresolved_amount, NELEM(unresolved_amount),
				    &r, &col, err, sizeof(err)), LT_EINVAL);
	assert_int_equal(col, 9);
	assert_string_equal(err, "an agreement amount only goes with 调解成功");
}

static void test_training_rows(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_row r;
	char err[512];
	size_t col;
	char *header[] = {"序号", "培训日期", "培训内容", "参训人数", "主讲人"};
	assert_int_equal(ledger_map_header(&m, LEDGER_TRAINING, header, NELEM(header), err,
					   sizeof(err)), 0);
	char *row[] = {"1", "2024/3/8", "人民调解员业务培训", "35人", "司法所"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", row, NELEM(row), &r, &col, err, sizeof(err)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].body_case, LAWTALLY__V1__EVENT__BODY_TRAINING);
	assert_int_equal(r.ev[0].training->attendees, 35);
	assert_string_equal(r.ev[0].training->topic, "人民调解员业务培训");
	char *no_topic[] = {"2", "2024/3/9", "", "20", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", no_topic, NELEM(no_topic), &r, &col, err,
				    sizeof(err)), LT_EINVAL);
	assert_int_equal(col, 1);

	/* 培训对象: who was trained */
	char *with_audience[] = {"日期", "培训对象", "培训内容", "参训人数"};
	assert_int_equal(ledger_map_header(&m, LEDGER_TRAINING, with_audience, NELEM(with_audience),
					   err, sizeof(err)), 0);
	char *villagers[] = {"2024/3/8", "村民", "民法典进村", "1,200"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", villagers, NELEM(villagers), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.ev[0].training->audience,
			 LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_VILLAGERS);
	assert_int_equal(r.ev[0].training->attendees, 1200);
	char *blank[] = {"2024/3/8", "", "民法典进村", "12"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", blank, NELEM(blank), &r, &col, err,
				    sizeof(err)), 0);
	assert_int_equal(r.ev[0].training->audience, 0);
	char *unknown[] = {"2024/3/8", "学生", "民法典进村", "12"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", unknown, NELEM(unknown), &r, &col, err,
				    sizeof(err)), LT_EINVAL);
	assert_int_equal(col, 1);
	assert_string_equal(err, "unknown audience \"学生\"; one of: 专职调解员, 村干部, 村民, 机关干部, "
				 "领导干部, 执法人员, 社区矫正人员");
}

/* Digits and punctuation typed full-width, and thousands separators in counts. */
static void test_fullwidth(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_row r, half;
	char err[512];
	size_t col;
	int64_t t, day;
	uint64_t fen;
	assert_int_equal(ledger_parse_date("２０２４／３／５", &t, &day), 0);
	assert_int_equal(t, 1709611200);
	assert_int_equal(ledger_parse_date("２０２４年３月５日　１０：３０", &t, &day), 0);
	assert_int_equal(t, 1709605800);
	assert_int_equal(ledger_parse_amount("２，５００．００", &fen), 0);
	assert_int_equal(fen, 250000);
	assert_int_equal(ledger_parse_amount("￥２５００元", &fen), 0);
	assert_int_equal(fen, 250000);
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, sample_header, NELEM(sample_header),
					   err, sizeof(err)), 0);
	char *wide[] = {"２", "２０２４／１／２２", "ＷＧ２０２４－００２", "", "婚姻家庭纠纷", "",
			"申请调解", "２０２４／２／３", "调解成功", "２，４００．００", "否", "是", "１，２００",
			"", ""};
	char *narrow[] = {"2", "2024/1/22", "WG2024-002", "", "婚姻家庭纠纷", "", "申请调解",
			  "2024/2/3", "调解成功", "2,400.00", "否", "是", "1,200", "", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", wide, NELEM(wide), &r, &col, err, sizeof(err)),
			 0);
	assert_int_equal(ledger_row(&m, "ZL07", "c", narrow, NELEM(narrow), &half, &col, err,
				    sizeof(err)), 0);
	assert_string_equal(r.case_id, "WG2024-002");
	assert_int_equal(r.ev[1].dispute->agreement_amount_fen, 240000);
	assert_int_equal(r.ev[1].dispute->people, 1200);
	/* one case, whichever way it was typed: the same ids */
	assert_memory_equal(r.id[0], half.id[0], 16);
	assert_memory_equal(r.id[1], half.id[1], 16);

	char *header[] = {"日期", "培训内容", "参训人数"};
	assert_int_equal(ledger_map_header(&m, LEDGER_TRAINING, header, NELEM(header), err,
					   sizeof(err)), 0);
	static const struct {
		const char *count;
		int ok;
		uint32_t want;
	} counts[] = {
		{"1,200", 1, 1200}, {"1，200", 1, 1200}, {"１，２００人", 1, 1200}, {"35", 1, 35},
		{"10,000", 1, 10000}, {"12,00", 0, 0}, {"1,2000", 0, 0}, {",120", 0, 0},
		{"1,,200", 0, 0}, {"1200,000", 0, 0}, {"10,001", 0, 0}, {"1.5", 0, 0},
	};
	for (size_t i = 0; i < NELEM(counts); i++) {
		char *row[] = {"2024/3/8", "业务培训", (char *)counts[i].count};
		int rc = ledger_row(&m, "ZL07", "c", row, NELEM(row), &r, &col, err, sizeof(err));
		if (!counts[i].ok) {
			assert_int_equal(rc, LT_EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(r.ev[0].training->attendees, counts[i].want);
	}
}

/* A merged date (and village) column holds its value in the block's first row only. */
static void test_fill_down(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_carry carry;
	struct ledger_row r;
	char err[512];
	size_t col;
	char *header[] = {"村名", "受理日期", "日期", "案件编号", "纠纷类型"};
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, header, NELEM(header), err,
					   sizeof(err)), 0);
	snprintf(m.village_name, sizeof(m.village_name), "王岗村");
	memset(&carry, 0, sizeof(carry));
	char *rows[][5] = {
		{"王岗村", "2024/3/5", "", "A-1", "邻里"},
		{"", "", "", "A-2", "邻里"},       /* both under the merges above */
		{"", "", "", "", ""},              /* a blank row takes nothing */
		{"", "", "2024/4/1", "A-3", "合同"}, /* the other date column says otherwise */
		{"", "", "", "A-4", "合同"},
	};
	static const int64_t want[] = {1709611200, 1709611200, 0, 1711944000, 1711944000};
	for (size_t i = 0; i < NELEM(rows); i++) {
		char *cells[5];
		memcpy(cells, rows[i], sizeof(cells));
		ledger_fill_down(&m, &carry, cells, NELEM(cells));
		assert_int_equal(ledger_row(&m, "ZL07", "c", cells, NELEM(cells), &r, &col, err,
					    sizeof(err)), 0);
		if (!want[i]) {
			assert_int_equal(r.n, 0);
			assert_string_equal(r.skipped, "an empty row");
			continue;
		}
		assert_int_equal(r.n, 1);
		assert_int_equal(r.ev[0].occurred_at, want[i]);
	}
	/* without the fill, the blank is what it is */
	char *blank[] = {"", "", "", "A-5", "邻里"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", blank, NELEM(blank), &r, &col, err,
				    sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "date: required");
}

static void test_village_column(void **state)
{
	(void)state;
	struct ledger_map m;
	struct ledger_row r;
	char err[512];
	size_t col;
	char *header[] = {"所属村", "日期", "案件编号", "纠纷类型"};
	assert_int_equal(ledger_map_header(&m, LEDGER_DISPUTE, header, NELEM(header), err,
					   sizeof(err)), 0);
	snprintf(m.village_name, sizeof(m.village_name), "王岗村");
	static const char *const same[] = {"王岗村", "王岗", "ZL07", "zl07", "ｚｌ０７"};
	for (size_t i = 0; i < NELEM(same); i++) {
		char *row[] = {(char *)same[i], "2024/3/5", "A-1", "邻里"};
		assert_int_equal(ledger_row(&m, "ZL07", "c", row, NELEM(row), &r, &col, err,
					    sizeof(err)), 0);
	}
	char *other[] = {"李庄村", "2024/3/5", "A-1", "邻里"};
	assert_int_equal(ledger_row(&m, "ZL07", "c", other, NELEM(other), &r, &col, err,
				    sizeof(err)), LT_EINVAL);
	assert_int_equal(col, 0);
	assert_string_equal(err, "\"李庄村\" is another village than the one imported for");
	char *total[] = {"合计", "", "", ""};
	assert_int_equal(ledger_row(&m, "ZL07", "c", total, NELEM(total), &r, &col, err,
				    sizeof(err)), 0);
	assert_string_equal(r.skipped, "a total row");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),     cmocka_unit_test(test_map_header),
		cmocka_unit_test(test_values),      cmocka_unit_test(test_dates),
		cmocka_unit_test(test_amounts),     cmocka_unit_test(test_siphash),
		cmocka_unit_test(test_ids),         cmocka_unit_test(test_rows),
		cmocka_unit_test(test_bad_rows),    cmocka_unit_test(test_training_rows),
		cmocka_unit_test(test_fullwidth),   cmocka_unit_test(test_fill_down),
		cmocka_unit_test(test_village_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
