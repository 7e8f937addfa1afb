/*
 * test_report.c - the report document (the note on live, as-of and filed
 * figures with the adjustments after close; the appendix by village, by
 * month and of the senders; text, Markdown and JSON), the monthly
 * mediation statistics, and the tables they are made of. Hand-built
 * totals, fixed clock: exact output.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "monthly.h"
#include "report.h"
#include "table.h"

#define TZ 28800
#define NOW 1736042400LL /* 2025-01-05 10:00 +08:00 */
#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define INIT(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x

static void put(struct figures *f, int metric, uint16_t year, int month, const char *village,
		int d0, int d1, int64_t v)
{
	struct tally_key k;
	memset(&k, 0, sizeof(k));
	k.metric = (uint8_t)metric;
	k.year = year;
	k.month = (uint8_t)month;
	if (village)
		memcpy(k.village, village, strlen(village));
	k.dim[0] = (uint8_t)d0;
	k.dim[1] = (uint8_t)d1;
	figures_add(f, &k, v);
}

static const char tpl_text[] = "@town 张良镇\n## 报告 {year}\n调解成功{disputes.resolved}件，"
			       "{lawsuits.lost zero=无败诉情况 else=败诉#起}。\n";

struct fx {
	struct villages *villages;
	struct template *tpl;
	struct figures fig;
	struct sender_record senders[2];
	struct report_input in;
	struct sbuf out;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[256];
	x->villages = malloc(sizeof(*x->villages));
	villages_builtin(x->villages);
	if (template_parse(&x->tpl, "t", tpl_text, strlen(tpl_text), err, sizeof(err)))
		return -1;
	put(&x->fig, M_DISPUTES_RESOLVED, 2024, 3, "ZL01", CAT(LAND), INIT(PROACTIVE), 10);
	put(&x->fig, M_DISPUTES_RESOLVED, 2024, 4, "ZL07", CAT(NEIGHBOUR), 0, 5);
	put(&x->fig, M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 3, "ZL01", CAT(LAND), 0, 123456);
	put(&x->fig, M_LAWSUITS_FILED, 2024, 5, NULL, 1, 0, 3);
	put(&x->fig, M_TRAININGS_SESSIONS, 2024, 6, "XX99", 0, 0, 1); /* not configured */
	put(&x->fig, M_DISPUTES_RESOLVED, 2023, 3, "ZL01", CAT(LAND), 0, 99); /* another year */
	figures_seal(&x->fig);
	struct sender_record *s = x->senders;
	snprintf(s[0].name, sizeof(s[0].name), "centre-ZL01");
	s[0].last_received = NOW - 3600;
	sender_record_count(&s[0], 2024, 3, 12);
	snprintf(s[1].name, sizeof(s[1].name), "centre-ZL07");
	s[1].last_received = NOW - 10 * 86400 - 60;
	sender_record_count(&s[1], 2024, 4, 5);
	x->in = (struct report_input){
		.year = 2024, .lang = LANG_ZH, .tz_offset = TZ, .now = NOW, .fig = &x->fig,
		.villages = x->villages, .senders = x->senders, .nsenders = 2, .silent_days = 7,
	};
	sbuf_init(&x->out, REPORT_OUTPUT_MAX);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	template_free(&x->tpl);
	figures_free(&x->fig);
	sbuf_free(&x->out);
	free(x->villages);
	free(x);
	return 0;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing: [%s]\nin:\n%s", needle, hay);
}

/*
 * Table rows are checked with runs of blanks squeezed to one: the values
 * and their order matter here, the padding is table_text's (test_table).
 */
static void assert_row_text(const char *hay, const char *needle)
{
	char *a = strdup(hay), *b = strdup(needle);
	char *strs[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		char *o = strs[k];
		for (const char *p = strs[k]; *p; p++)
			if (!(*p == ' ' && o > strs[k] && o[-1] == ' '))
				*o++ = *p;
		*o = '\0';
	}
	if (!strstr(a, b))
		fail_msg("missing row: [%s]\nin:\n%s", b, a);
	free(a);
	free(b);
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("expected to start with: [%s]\ngot:\n%s", prefix, s);
}

static const char *render(struct fx *x, enum report_format f)
{
	sbuf_reset(&x->out);
	assert_int_equal(report_render(x->tpl, &x->in, f, &x->out), 0);
	return sbuf_text(&x->out);
}

static void test_text_live(void **state)
{
	struct fx *x = *state;
	const char *s = render(x, REPORT_TEXT);
	assert_prefix(s, "报告 2024\n调解成功15件，无败诉情况。\n\n数据说明\n"
			 "本报告数据为实时统计，生成于 2025-01-05 10:00（UTC+08:00）。\n\n"
			 "附录一　2024年各村分项数据\n"
			 "ZL01 张北村：调解成功 10件，协议涉及金额 1234.56元\n"
			 "ZL02 张南村：无数据\n");
	assert_contains(s, "\nZL07 王岗村：调解成功 5件\n");
	assert_contains(s, "\nZL41 刘庄村：无数据\nXX99 ：培训 1次\n镇级：涉诉案件 3起\n");
	assert_contains(s, "\n附录二　2024年分月数据\n指标  ");
	assert_row_text(s, "\n调解成功                   0    0   10    5    0    0    0    0    0"
			   "     0     0     0     15\n");
	assert_contains(s, "\n附录三　数据来源完整性（超过7天未发送的标为未报送）\n");
	/* the silent sender first, flagged */
	assert_row_text(s, "centre-ZL07  2024-12-26 09:59    0    0    0    5");
	assert_row_text(s, "0  已10天未报送\ncentre-ZL01  2025-01-05 09:00    0    0   12");
	assert_row_text(s, "0      正常\n");
}

static void test_text_as_of_and_losses(void **state)
{
	struct fx *x = *state;
	put(&x->fig, M_LAWSUITS_LOST, 2024, 8, NULL, 1, 0, 2);
	figures_seal(&x->fig);
	x->in.as_of = 1735660799; /* 2024-12-31 23:59:59 */
	const char *s = render(x, REPORT_TEXT);
	assert_contains(s, "调解成功15件，败诉2起。\n");
	assert_contains(s, "本报告数据为截至 2024-12-31 23:59:59（UTC+08:00）已收到的事件的统计，"
			   "生成于 2025-01-05 10:00。\n");
}

static void test_closed(void **state)
{
	struct fx *x = *state;
	struct figures adj = {0};
	put(&adj, M_DISPUTES_RESOLVED, 2024, 12, "ZL07", CAT(NEIGHBOUR), INIT(REFERRAL), 1);
	put(&adj, M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 12, "ZL07", CAT(NEIGHBOUR), 0, -250);
	figures_seal(&adj);
	struct report_closed c = {NOW - 86400, "ab12", &adj, NULL};
	x->in.closed = &c;
	const char *s = render(x, REPORT_TEXT);
	assert_contains(s, "\n数据说明\n本报告数据为2024年度结报数据，结报于 2025-01-04 10:00，"
			   "结报数据 SHA-256：ab12。\n"
			   "结报后调整（现数据减结报数据）：\n"
			   "  调解成功：+1件\n"
			   "  调解成功（类别：邻里）：+1件\n"
			   "  调解成功（来源：委托移送）：+1件\n"
			   "  协议涉及金额：-2.50元\n"
			   "  协议涉及金额（类别：邻里）：-2.50元\n"
			   "  协议涉及金额（来源：未注明）：-2.50元\n\n附录一");
	x->in.lang = LANG_EN;
	s = render(x, REPORT_TEXT);
	assert_contains(s, "\nAbout these figures\nThe figures are those filed when 2024 was closed, "
			   "at 2025-01-04 10:00; SHA-256 of the filed figures: ab12.\n"
			   "Adjustments after close (now minus filed):\n"
			   "  disputes resolved: +1\n"
			   "  disputes resolved (category: neighbours): +1\n");
	figures_free(&adj);
	/* no change after close */
	struct figures none = {0};
	c.adjustments = &none;
	x->in.lang = LANG_ZH;
	s = render(x, REPORT_TEXT);
	assert_contains(s, "SHA-256：ab12。\n结报后无调整。\n");
	s = render(x, REPORT_JSON);
	json_error_t je;
	json_t *o = json_loads(s, 0, &je);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "figures_are")), "filed");
	json_t *cl = json_object_get(o, "closed");
	assert_string_equal(json_string_value(json_object_get(cl, "sha256")), "ab12");
	assert_string_equal(json_string_value(json_object_get(cl, "closed_at")),
			    "2025-01-04T10:00:00+08:00");
	assert_int_equal(json_array_size(json_object_get(cl, "adjustments")), 0);
	json_decref(o);
}

static void test_markdown(void **state)
{
	struct fx *x = *state;
	const char *s = render(x, REPORT_MARKDOWN);
	assert_prefix(s, "## 报告 2024\n\n调解成功15件，无败诉情况。\n\n## 数据说明\n\n"
			 "本报告数据为实时统计，生成于 2025-01-05 10:00（UTC+08:00）。\n\n"
			 "## 附录一　2024年各村分项数据\n\n"
			 "| 村 | 名称 | 调解成功 | 协议涉及金额 | 培训 | 涉诉案件 |\n"
			 "| --- | ---: | ---: | ---: | ---: | ---: |\n"
			 "| ZL01 | 张北村 | 10 | 1234.56 | 0 | 0 |\n");
	assert_contains(s, "| XX99 |  | 0 | 0.00 | 1 | 0 |\n| - | 镇级 | 0 | 0.00 | 0 | 3 |\n\n"
			   "## 附录二　2024年分月数据\n\n| 指标 | 1月 |");
	assert_contains(s, "\n## 附录三　数据来源完整性（超过7天未发送的标为未报送）\n\n| 发送方 |");
}

static void test_json(void **state)
{
	struct fx *x = *state;
	x->in.lang = LANG_EN;
	const char *s = render(x, REPORT_JSON);
	json_error_t je;
	json_t *o = json_loads(s, 0, &je);
	if (!o)
		fail_msg("%s: %s", je.text, s);
	assert_int_equal(json_integer_value(json_object_get(o, "year")), 2024);
	assert_string_equal(json_string_value(json_object_get(o, "lang")), "en");
	assert_string_equal(json_string_value(json_object_get(o, "figures_are")), "live");
	assert_true(json_is_null(json_object_get(o, "as_of")));
	assert_true(json_is_null(json_object_get(o, "closed")));
	assert_string_equal(json_string_value(json_object_get(o, "generated_at")),
			    "2025-01-05T10:00:00+08:00");
	json_t *text = json_object_get(o, "text");
	assert_int_equal(json_array_size(text), 2);
	assert_string_equal(json_string_value(json_array_get(text, 1)), "调解成功15件，无败诉情况。");
	json_t *dr = json_object_get(json_object_get(o, "figures"), "disputes.resolved");
	assert_int_equal(json_integer_value(json_object_get(dr, "value")), 15);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dr, "category"), "LAND")),
			 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dr, "initiated"),
							    "PROACTIVE")), 10);
	json_t *zl01 = json_object_get(json_object_get(o, "by_village"), "ZL01");
	assert_string_equal(json_string_value(json_object_get(zl01, "name")), "张北村");
	assert_int_equal(json_integer_value(json_object_get(zl01, "disputes.agreement_amount_fen")),
			 123456);
	json_t *town = json_object_get(json_object_get(o, "by_village"), "");
	assert_string_equal(json_string_value(json_object_get(town, "name")), "township level");
	assert_int_equal(json_integer_value(json_object_get(town, "lawsuits.filed")), 3);
	json_t *apr = json_object_get(json_object_get(o, "by_month"), "4");
	assert_int_equal(json_integer_value(json_object_get(apr, "disputes.resolved")), 5);
	json_t *snd = json_object_get(o, "senders");
	assert_int_equal(json_array_size(snd), 2);
	json_t *first = json_array_get(snd, 0);
	assert_string_equal(json_string_value(json_object_get(first, "sender")), "centre-ZL07");
	assert_true(json_is_true(json_object_get(first, "silent")));
	assert_int_equal(json_integer_value(json_object_get(first, "days_silent")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(first, "months"),
							    "2024-04")), 5);
	json_decref(o);
}

static void test_senders_json(void **state)
{
	struct fx *x = *state;
	sbuf_reset(&x->out);
	assert_int_equal(report_senders_json(x->senders, 2, NOW, TZ, 30, NULL, &x->out), 0);
	json_t *o = json_loads(sbuf_text(&x->out), 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "now")), "2025-01-05T10:00:00+08:00");
	assert_int_equal(json_integer_value(json_object_get(o, "silent_days")), 30);
	json_t *a = json_object_get(o, "senders");
	/* nobody silent for 30 days: by name */
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "sender")),
			    "centre-ZL01");
	assert_true(json_is_false(json_object_get(json_array_get(a, 1), "silent")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "last_heard")),
			    "2024-12-26T09:59:00+08:00");
	json_decref(o);
}

static void test_bounded(void **state)
{
	struct fx *x = *state;
	struct sbuf small;
	sbuf_init(&small, 100);
	assert_int_equal(report_render(x->tpl, &x->in, REPORT_TEXT, &small), LT_EFULL);
	assert_int_equal(small.len, 100);
	sbuf_free(&small);
}

/* ---- monthly statistics ---------------------------------------------------- */

static void monthly_figures(struct figures *f)
{
	/* June 2024: 30 accepted, 28 resolved, 1 not; May: 21, 19, 0; June 2023: 10, 8, 2 */
	put(f, M_DISPUTES_REGISTERED, 2024, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 14);
	put(f, M_DISPUTES_REGISTERED, 2024, 6, "ZL02", CAT(LAND), INIT(APPLICATION), 13);
	put(f, M_DISPUTES_REGISTERED, 2024, 6, "ZL03", CAT(LAND), INIT(REFERRAL), 3);
	put(f, M_DISPUTES_REGISTERED, 2024, 5, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 21);
	put(f, M_DISPUTES_REGISTERED, 2024, 1, "ZL01", CAT(OTHER), 0, 4);
	put(f, M_DISPUTES_REGISTERED, 2023, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 10);
	put(f, M_DISPUTES_RESOLVED, 2024, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 28);
	put(f, M_DISPUTES_RESOLVED, 2024, 5, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 19);
	put(f, M_DISPUTES_RESOLVED, 2023, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 8);
	put(f, M_DISPUTES_UNRESOLVED, 2024, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 1);
	put(f, M_DISPUTES_UNRESOLVED, 2023, 6, "ZL01", CAT(NEIGHBOUR), INIT(PROACTIVE), 2);
	put(f, M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 6, "ZL01", CAT(NEIGHBOUR), 0, 46195900);
	put(f, M_DISPUTES_AGREEMENT_AMOUNT_FEN, 2024, 5, "ZL01", CAT(NEIGHBOUR), 0, 6577200);
	put(f, M_DISPUTES_PREVENTED_CRIMINAL, 2024, 6, "ZL01", CAT(NEIGHBOUR), 0, 2);
	put(f, M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE, 2024, 6, "ZL01", CAT(NEIGHBOUR), 0, 5);
	put(f, M_DISPUTES_PREVENTED_GROUP_PETITION, 2024, 6, "ZL01", CAT(LAND), 0, 1);
	put(f, M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE, 2024, 6, "ZL01", CAT(LAND), 0, 24);
	put(f, M_DISPUTES_ESCALATED, 2024, 6, "ZL02", CAT(LAND), INIT(APPLICATION), 2);
	put(f, M_DISPUTES_OPEN, 2024, 6, "ZL03", CAT(LAND), INIT(REFERRAL), 1);
	figures_seal(f);
}

static json_t *row(json_t *o, const char *item)
{
	json_t *rows = json_object_get(o, "rows");
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(rows, i), "item")), item) == 0)
			return json_array_get(rows, i);
	fail_msg("no row %s", item);
	return NULL;
}

static void assert_row(json_t *o, const char *item, json_int_t m, json_int_t prev,
		       json_int_t last, json_int_t ytd)
{
	json_t *r = row(o, item);
	assert_int_equal(json_integer_value(json_object_get(r, "month")), m);
	assert_int_equal(json_integer_value(json_object_get(r, "month_before")), prev);
	assert_int_equal(json_integer_value(json_object_get(r, "a_year_earlier")), last);
	assert_int_equal(json_integer_value(json_object_get(r, "year_to_date")), ytd);
}

static void test_monthly(void **state)
{
	(void)state;
	struct figures f = {0};
	struct sbuf out;
	monthly_figures(&f);
	sbuf_init(&out, REPORT_OUTPUT_MAX);
	struct monthly_input in = {2024, 6, LANG_ZH, TZ, NOW, 0, &f, "张良镇", NULL, NULL, NULL, 0};
	assert_int_equal(monthly_render(&in, REPORT_JSON, &out), 0);
	json_t *o = json_loads(sbuf_text(&out), 0, NULL);
	assert_non_null(o);
	assert_row(o, "registered", 30, 21, 10, 55);
	assert_row(o, "resolved", 28, 19, 8, 47);
	assert_row(o, "unresolved", 1, 0, 2, 1);
	assert_row(o, "agreement_amount_fen", 46195900, 6577200, 0, 52773100);
	assert_row(o, "investigated", 14, 21, 10, 35);
	assert_row(o, "accepted", 16, 0, 0, 16);
	assert_row(o, "escalated", 2, 0, 0, 2);
	assert_row(o, "open", 1, 0, 0, 1);
	assert_row(o, "application", 13, 0, 0, 13);
	assert_row(o, "referral", 3, 0, 0, 3);
	assert_row(o, "initiated_not_stated", 0, 0, 0, 4);
	assert_row(o, "prevented_criminal", 2, 0, 0, 2);
	assert_row(o, "prevented_criminal_people", 5, 0, 0, 5);
	assert_row(o, "prevented_group_petition", 1, 0, 0, 1);
	assert_row(o, "prevented_group_petition_people", 24, 0, 0, 24);
	json_t *rate = row(o, "success_rate");
	assert_true(json_real_value(json_object_get(rate, "month")) == 96.6);
	assert_true(json_real_value(json_object_get(rate, "a_year_earlier")) == 80.0);
	assert_true(json_real_value(json_object_get(rate, "month_before")) == 100.0);
	json_t *cats = json_object_get(o, "categories");
	assert_int_equal(json_array_size(cats), 15); /* no "not stated" category */
	json_t *land = json_array_get(cats, 6);
	assert_string_equal(json_string_value(json_object_get(land, "category")), "LAND");
	assert_int_equal(json_integer_value(json_object_get(land, "month")), 16);
	assert_true(json_real_value(json_object_get(land, "month_share")) == 53.3);
	assert_int_equal(json_integer_value(json_object_get(land, "year_to_date")), 16);
	assert_true(json_real_value(json_object_get(land, "year_to_date_share")) == 29.1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "periods"),
							      "month_before")),
			    "2024-05..2024-05");
	json_decref(o);

	sbuf_reset(&out);
	assert_int_equal(monthly_render(&in, REPORT_TEXT, &out), 0);
	const char *s = sbuf_text(&out);
	assert_prefix(s, "张良镇人民调解工作统计月报\n统计月份：2024年6月；本年累计：2024年1—6月\n"
			 "本表数据为实时统计，生成于 2025-01-05 10:00。\n\n");
	assert_row_text(s, "\n登记纠纷合计（件） 30 21 +42.9% 10 +200.0% 55\n");
	assert_row_text(s, "\n其中排查发现（件） 14 21 -33.3% 10 +40.0% 35\n");
	assert_row_text(s, "\n其中受理（件） 16 0 - 0 - 16\n");
	assert_row_text(s, "\n上交（件） 2 0 - 0 - 2\n");
	assert_row_text(s, "\n在办（件） 1 0 - 0 - 1\n");
	assert_contains(s, "\n注：调解成功率 = 调解成功 ÷（调解成功 + 调解未成功）× 100%，");
	/* by village committee: the month, then the year to date */
	assert_contains(s, "\n各村调委会：2024年6月\n");
	assert_contains(s, "\n各村调委会：2024年1—6月累计\n");
	assert_row_text(s, "\nZL02 0 13 0 0 - 2 0 0.00\n");
	assert_row_text(s, "\nZL01 14 0 28 1 96.6% 0 0 461959.00\n");
	assert_row_text(s, "\n 合计 14 16 28 1 96.6% 2 1 461959.00\n");
	assert_row_text(s, "\n调解成功率                    96.6%    100.0%  -3.4个百分点     80.0%"
			   " +16.6个百分点 97.9%\n");
	assert_row_text(s, "\n协议涉及金额（元）        461959.00  65772.00       +602.4%      0.00"
			   " - 527731.00\n");
	assert_row_text(s, "\n山林土地                16   53.3%        16   29.1%\n");
	assert_row_text(s, "\n合计                    30  100.0%        55  100.0%\n");

	/* January compares with December of the year before; English */
	in.month = 1;
	in.lang = LANG_EN;
	in.as_of = NOW - 86400;
	sbuf_reset(&out);
	assert_int_equal(monthly_render(&in, REPORT_MARKDOWN, &out), 0);
	s = sbuf_text(&out);
	assert_prefix(s, "## Mediation statistics of 张良镇, January 2024\n\nYear to date: January "
			 "to January 2024.\n\nFigures of the events received by 2025-01-04 10:00; "
			 "made at 2025-01-05 10:00.\n\n| item | this month |");
	assert_contains(s, "\n| disputes registered, total | 4 | 0 | - | 0 | - | 4 |\n");
	in.month = 13;
	assert_int_equal(monthly_render(&in, REPORT_TEXT, &out), LT_EINVAL);

	/* one committee's form, without a table by committee */
	in.month = 6;
	in.lang = LANG_ZH;
	in.as_of = 0;
	in.village = "ZL02";
	sbuf_reset(&out);
	assert_int_equal(monthly_render(&in, REPORT_TEXT, &out), 0);
	s = sbuf_text(&out);
	assert_prefix(s, "张良镇ZL02调委会人民调解工作统计月报\n");
	assert_row_text(s, "\n登记纠纷合计（件） 13 0 - 0 - 13\n");
	assert_row_text(s, "\n上交（件） 2 0 - 0 - 2\n");
	assert_true(strstr(s, "各村调委会") == NULL);
	figures_free(&f);

	/* no figures of the year before at all: 无上年数据, and null in JSON */
	put(&f, M_DISPUTES_REGISTERED, 2024, 1, "ZL01", CAT(OTHER), 0, 4);
	figures_seal(&f);
	in.village = NULL;
	in.month = 1;
	sbuf_reset(&out);
	assert_int_equal(monthly_render(&in, REPORT_TEXT, &out), 0);
	assert_row_text(sbuf_text(&out), "\n登记纠纷合计（件） 4 无上年数据 无上年数据 无上年数据 "
					 "无上年数据 4\n");
	sbuf_reset(&out);
	assert_int_equal(monthly_render(&in, REPORT_JSON, &out), 0);
	o = json_loads(sbuf_text(&out), 0, NULL);
	assert_non_null(o);
	assert_true(json_is_null(json_object_get(row(o, "registered"), "a_year_earlier")));
	assert_true(json_is_null(json_object_get(row(o, "registered"), "month_before")));
	assert_int_equal(json_integer_value(json_object_get(row(o, "registered"), "month")), 4);
	assert_true(json_is_false(json_object_get(o, "year_before_has_data")));
	json_decref(o);
	sbuf_free(&out);
	figures_free(&f);
}

static void test_table(void **state)
{
	(void)state;
	struct table t;
	struct sbuf out;
	assert_int_equal(table_width("中文ab"), 6);
	assert_int_equal(table_width("１２"), 4);
	assert_int_equal(table_width("—"), 1);
	table_init(&t, 3);
	table_row(&t, (const char *const[]){"名", "a", "b|c"}, 3);
	table_row(&t, (const char *const[]){"x", "12345", NULL}, 3);
	sbuf_init(&out, 4096);
	table_text(&t, &out);
	assert_string_equal(sbuf_text(&out), "名      a  b|c\n--------------\nx   12345     \n");
	sbuf_reset(&out);
	table_markdown(&t, &out);
	assert_string_equal(sbuf_text(&out),
			    "| 名 | a | b\\|c |\n| --- | ---: | ---: |\n| x | 12345 |  |\n");
	sbuf_free(&out);
	table_free(&t);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_as_of_and_losses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_senders_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
