/*
 * monthly.c - monthly mediation statistics (see monthly.h).
 *
 * The form is two tables: rows[] below (one row per line of the county
 * form, what it counts and how it is shown) over four periods, and the
 * accepted disputes by category with shares.
 */
#include "monthly.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docx.h"
#include "err.h"
#include "json_out.h"
#include "numbers.h"
#include "table.h"
#include "tally.h"
#include "when.h"

#define INITIATED(x) LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_##x

enum row_kind { R_COUNT, R_MONEY, R_RATE };

struct mrow {
	const char *item;         /* the row's name in JSON */
	const char *zh, *en;
	const char *unit_zh;
	enum row_kind kind;
	int metric;
	int dim, value, value2;   /* one or two values of a dimension (dim 0 or 1), or dim -1 */
	int optional;             /* shown only when some period is not 0 */
};

/*
 * A registered dispute came in by the mediators' own 排查 (investigation:
 * initiated PROACTIVE), or was 受理 (accepted) on a party's application or
 * on referral by another body.
 */
static const struct mrow rows[] = {
	{"registered", "登记纠纷合计", "disputes registered, total", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, -1, 0, 0, 0},
	{"investigated", "其中排查发现", "of which found by investigation",
	 "件", R_COUNT, M_DISPUTES_REGISTERED, 1, INITIATED(PROACTIVE), INITIATED(PROACTIVE), 0},
	{"accepted", "其中受理", "of which accepted", "件",
	 R_COUNT, M_DISPUTES_REGISTERED, 1, INITIATED(APPLICATION), INITIATED(REFERRAL), 0},
	{"application", "　　申请调解", "  on application", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, 1, INITIATED(APPLICATION), INITIATED(APPLICATION), 0},
	{"referral", "　　委托移送", "  on referral", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, 1, INITIATED(REFERRAL), INITIATED(REFERRAL), 0},
	{"initiated_not_stated", "其中来源未注明", "of which not stated how", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, 1, INITIATED(UNSPECIFIED), INITIATED(UNSPECIFIED), 1},
	{"resolved", "调解成功", "resolved", "件", R_COUNT, M_DISPUTES_RESOLVED, -1, 0, 0, 0},
	{"unresolved", "调解未成功", "not resolved", "件", R_COUNT, M_DISPUTES_UNRESOLVED, -1, 0, 0,
	 0},
	{"success_rate", "调解成功率", "success rate", "", R_RATE, -1, -1, 0, 0, 0},
	{"escalated", "上交", "escalated", "件", R_COUNT, M_DISPUTES_ESCALATED, -1, 0, 0, 0},
	{"open", "在办", "still open", "件", R_COUNT, M_DISPUTES_OPEN, -1, 0, 0, 0},
	{"agreement_amount_fen", "协议涉及金额", "agreement amounts (yuan)", "元", R_MONEY,
	 M_DISPUTES_AGREEMENT_AMOUNT_FEN, -1, 0, 0, 0},
	{"prevented_criminal", "防止民转刑", "civil-to-criminal cases prevented", "件", R_COUNT,
	 M_DISPUTES_PREVENTED_CRIMINAL, -1, 0, 0, 0},
	{"prevented_criminal_people", "防止民转刑人数", "persons in them", "人", R_COUNT,
	 M_DISPUTES_PREVENTED_CRIMINAL_PEOPLE, -1, 0, 0, 0},
	{"prevented_group_petition", "防止群体性上访", "group petitions prevented", "件", R_COUNT,
	 M_DISPUTES_PREVENTED_GROUP_PETITION, -1, 0, 0, 0},
	{"prevented_group_petition_people", "防止群体性上访人数", "persons in them", "人", R_COUNT,
	 M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE, -1, 0, 0, 0},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The columns of the tables by village committee: rows[] by their item, and their headings. */
static const char *const village_items[] = {"investigated", "accepted", "resolved", "unresolved",
					    "success_rate", "escalated", "open",
					    "agreement_amount_fen"};
#define NVCOLS (sizeof(village_items) / sizeof(village_items[0]))
static const char *const village_head[2][NVCOLS] = {
	{"排查", "受理", "调解成功", "未成功", "成功率", "上交", "在办", "协议金额（元）"},
	{"investigated", "accepted", "resolved", "not resolved", "success rate", "escalated",
	 "open", "amounts (yuan)"},
};

/* How the rate is defined, stated under the form. */
static const char *const rate_definition[2] = {
	"注：调解成功率 = 调解成功 ÷（调解成功 + 调解未成功）× 100%，上交和在办的纠纷不计入；"
	"排查发现指调解员主动排查发现并调解的纠纷，受理指当事人申请或有关单位委托移送的纠纷；"
	"在办指该期登记、至今尚未办结的纠纷。",
	"Note: success rate = resolved / (resolved + not resolved) x 100%; escalated and open "
	"disputes are not counted. Found by investigation: disputes the mediators found and took "
	"up themselves; accepted: on a party's application or referred by another body. Still "
	"open: registered in the period and not concluded yet.",
};

enum { P_MONTH, P_PREV, P_LAST_YEAR, P_YTD, P_COUNT };

struct period {
	uint16_t year;
	uint8_t from, to;
};

static void periods(const struct monthly_input *in, struct period p[P_COUNT])
{
	uint16_t y = (uint16_t)in->year;
	uint8_t m = (uint8_t)in->month;
	p[P_MONTH] = (struct period){y, m, m};
	p[P_PREV] = m == 1 ? (struct period){(uint16_t)(y - 1), 12, 12}
			   : (struct period){y, (uint8_t)(m - 1), (uint8_t)(m - 1)};
	p[P_LAST_YEAR] = (struct period){(uint16_t)(y - 1), m, m};
	p[P_YTD] = (struct period){y, 1, m};
}

/* The village of the sums: in->village, or vcode when in a table by village. */
static int64_t sum_in(const struct monthly_input *in, const char *village, int metric, int dim,
		      int value, const struct period *p)
{
	struct figures_sel sel = {metric, p->year, p->from, p->to, village, {-1, -1}};
	if (dim >= 0)
		sel.dim[dim] = value;
	return figures_sum(in->fig, &sel);
}

static int64_t sum(const struct monthly_input *in, int metric, int dim, int value,
		   const struct period *p)
{
	const char *v = in->village && *in->village ? in->village : NULL;
	return sum_in(in, v, metric, dim, value, p);
}

/* The row's value in a period for village (NULL: all); for the rate, *den is its denominator. */
static int64_t row_value_in(const struct monthly_input *in, const char *village,
			    const struct mrow *r, const struct period *p, int64_t *den)
{
	if (r->kind != R_RATE) {
		*den = 1;
		int64_t v = sum_in(in, village, r->metric, r->dim, r->value, p);
		if (r->dim >= 0 && r->value2 != r->value)
			v += sum_in(in, village, r->metric, r->dim, r->value2, p);
		return v;
	}
	int64_t res = sum_in(in, village, M_DISPUTES_RESOLVED, -1, 0, p);
	*den = res + sum_in(in, village, M_DISPUTES_UNRESOLVED, -1, 0, p);
	return res;
}

static int64_t row_value(const struct monthly_input *in, const struct mrow *r,
			 const struct period *p, int64_t *den)
{
	return row_value_in(in, in->village && *in->village ? in->village : NULL, r, p, den);
}

/* Whether any figure of the year before exists (else the form says 无上年数据). */
static int has_year_before(const struct monthly_input *in)
{
	return figures_has_year(in->fig, (uint16_t)(in->year - 1));
}

static void value_text(const struct monthly_input *in, const struct mrow *r, int64_t v,
		       int64_t den, char out[NUM_LEN])
{
	if (r->kind == R_RATE)
		num_percent(v, den, out);
	else if (r->kind == R_MONEY)
		num_yuan_lang(v, in->lang, out);
	else
		num_count(v, in->lang, out);
}

/* Per mille of num / den, rounded half up (den > 0, both >= 0). */
static int64_t per_mille(int64_t num, int64_t den)
{
	return (num * 2000 + den) / (2 * den);
}

/* The change from b to a: "+20.0%" for counts, "+1.2pp" for the rate, "-" if b is 0. */
static void change_text(const struct monthly_input *in, const struct mrow *r, int64_t a,
			int64_t aden, int64_t b, int64_t bden, char out[NUM_LEN])
{
	if (r->kind == R_RATE) {
		if (!aden || !bden) {
			snprintf(out, NUM_LEN, "-");
			return;
		}
		int64_t d = per_mille(a, aden) - per_mille(b, bden), m = d < 0 ? -d : d;
		snprintf(out, NUM_LEN, "%s%lld.%lld%s", d > 0 ? "+" : d < 0 ? "-" : "",
			 (long long)(m / 10), (long long)(m % 10),
			 in->lang == LANG_EN ? "pp" : "个百分点");
		return;
	}
	if (b == 0) {
		snprintf(out, NUM_LEN, "-");
		return;
	}
	char pct[NUM_LEN];
	num_percent(a - b, b, pct);
	snprintf(out, NUM_LEN, "%s%.38s", a > b ? "+" : "", pct);
}

static const char *const month_en[12] = {"January", "February", "March", "April", "May",
					 "June", "July", "August", "September", "October",
					 "November", "December"};

static const char *village_name(const struct monthly_input *in, const char *code)
{
	const struct village *v = in->villages ? villages_find(in->villages, code) : NULL;
	return v ? v->name : "";
}

/* The title and the lines under it: the unit, the period, what the figures are. */
static void header(const struct monthly_input *in, struct doc *d)
{
	const char *town = in->town && *in->town ? in->town : "";
	char now[WHEN_FORMAT_LEN], asof[WHEN_FORMAT_LEN], line[512], unit[160] = "";
	when_format_short(in->now, in->tz_offset, now);
	if (in->as_of)
		when_format_short(in->as_of, in->tz_offset, asof);
	if (in->village && *in->village && in->lang == LANG_EN)
		snprintf(unit, sizeof(unit), ", village committee %s %s", in->village,
			 village_name(in, in->village));
	else if (in->village && *in->village)
		snprintf(unit, sizeof(unit), "%s", *village_name(in, in->village)
							   ? village_name(in, in->village)
							   : in->village);
	if (in->lang == LANG_EN) {
		snprintf(line, sizeof(line), "Mediation statistics%s%s%s, %s %u", *town ? " of " : "",
			 town, unit, month_en[in->month - 1], in->year);
		doc_add(d, DOC_TITLE, line);
		snprintf(line, sizeof(line), "Year to date: January to %s %u.",
			 month_en[in->month - 1], in->year);
		doc_add(d, DOC_LINE, line);
		if (in->as_of)
			snprintf(line, sizeof(line),
				 "Figures of the events received by %s; made at %s.", asof, now);
		else
			snprintf(line, sizeof(line), "Figures are live, as counted at %s.", now);
	} else {
		snprintf(line, sizeof(line), "%s%s%s人民调解工作统计月报", town, *unit ? unit : "",
			 *unit ? "调委会" : "");
		doc_add(d, DOC_TITLE, line);
		snprintf(line, sizeof(line), "统计月份：%u年%u月；本年累计：%u年1—%u月", in->year,
			 in->month, in->year, in->month);
		doc_add(d, DOC_LINE, line);
		if (in->as_of)
			snprintf(line, sizeof(line), "本表数据为截至 %s 已收到的事件的统计，生成于 %s。",
				 asof, now);
		else
			snprintf(line, sizeof(line), "本表数据为实时统计，生成于 %s。", now);
	}
	doc_add(d, DOC_LINE, line);
}

static void row_label(const struct monthly_input *in, const struct mrow *r, char *out, size_t len)
{
	if (in->lang == LANG_EN)
		snprintf(out, len, "%s", r->en);
	else if (*r->unit_zh)
		snprintf(out, len, "%s（%s）", r->zh, r->unit_zh);
	else
		snprintf(out, len, "%s", r->zh);
}

static int row_shown(const struct monthly_input *in, const struct mrow *r,
		     const struct period p[P_COUNT])
{
	int64_t den;
	if (!r->optional)
		return 1;
	for (int i = 0; i < P_COUNT; i++)
		if (row_value(in, r, &p[i], &den))
			return 1;
	return 0;
}

static const char *no_data_before(const struct monthly_input *in)
{
	return in->lang == LANG_EN ? "no data of the year before" : "无上年数据";
}

static void main_table(const struct monthly_input *in, struct table *t)
{
	static const char *const head_zh[] = {"项目", "本月", "上月", "环比", "去年同月", "同比",
					      "本年累计"};
	static const char *const head_en[] = {"item", "this month", "month before", "change",
					      "a year earlier", "change", "year to date"};
	struct period p[P_COUNT];
	periods(in, p);
	int before = has_year_before(in);
	table_init(t, 7);
	table_row(t, in->lang == LANG_EN ? head_en : head_zh, 7);
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *r = &rows[i];
		if (!row_shown(in, r, p))
			continue;
		int64_t v[P_COUNT], den[P_COUNT];
		for (int k = 0; k < P_COUNT; k++)
			v[k] = row_value(in, r, &p[k], &den[k]);
		char label[96], c[6][NUM_LEN];
		row_label(in, r, label, sizeof(label));
		value_text(in, r, v[P_MONTH], den[P_MONTH], c[0]);
		value_text(in, r, v[P_PREV], den[P_PREV], c[1]);
		change_text(in, r, v[P_MONTH], den[P_MONTH], v[P_PREV], den[P_PREV], c[2]);
		value_text(in, r, v[P_LAST_YEAR], den[P_LAST_YEAR], c[3]);
		change_text(in, r, v[P_MONTH], den[P_MONTH], v[P_LAST_YEAR], den[P_LAST_YEAR], c[4]);
		value_text(in, r, v[P_YTD], den[P_YTD], c[5]);
		const char *cells[7] = {label, c[0], c[1], c[2], c[3], c[4], c[5]};
		if (!before) {
			cells[4] = cells[5] = no_data_before(in);
			if (in->month == 1)
				cells[2] = cells[3] = no_data_before(in);
		}
		table_row(t, cells, 7);
	}
}

static void category_table(const struct monthly_input *in, struct table *t)
{
	static const char *const head_zh[] = {"纠纷类别（登记，件）", "本月", "占比", "本年累计",
					      "占比"};
	static const char *const head_en[] = {"category (registered)", "this month", "share",
					      "year to date", "share"};
	const ProtobufCEnumDescriptor *d = tally_metric(M_DISPUTES_REGISTERED)->dim[0].desc;
	struct period p[P_COUNT];
	periods(in, p);
	int64_t tm = sum(in, M_DISPUTES_REGISTERED, -1, 0, &p[P_MONTH]);
	int64_t ty = sum(in, M_DISPUTES_REGISTERED, -1, 0, &p[P_YTD]);
	table_init(t, 5);
	table_row(t, in->lang == LANG_EN ? head_en : head_zh, 5);
	for (unsigned k = 0; k < d->n_values; k++) {
		int val = d->values[k].value;
		int64_t m = sum(in, M_DISPUTES_REGISTERED, 0, val, &p[P_MONTH]);
		int64_t y = sum(in, M_DISPUTES_REGISTERED, 0, val, &p[P_YTD]);
		if (val == 0 && !m && !y)
			continue; /* "not stated" only when it happens */
		char c[4][NUM_LEN];
		num_count(m, in->lang, c[0]);
		num_percent(m, tm, c[1]);
		num_count(y, in->lang, c[2]);
		num_percent(y, ty, c[3]);
		const char *cells[5] = {labels_dim_value(M_DISPUTES_REGISTERED, 0, val, in->lang),
					c[0], c[1], c[2], c[3]};
		table_row(t, cells, 5);
	}
	char c[4][NUM_LEN];
	num_count(tm, in->lang, c[0]);
	num_percent(tm, tm, c[1]);
	num_count(ty, in->lang, c[2]);
	num_percent(ty, ty, c[3]);
	const char *cells[5] = {in->lang == LANG_EN ? "total" : "合计", c[0], c[1], c[2], c[3]};
	table_row(t, cells, 5);
}

static const struct mrow *row_by_item(const char *item)
{
	for (size_t i = 0; i < NROWS; i++)
		if (strcmp(rows[i].item, item) == 0)
			return &rows[i];
	return NULL;
}

/* The village committees of the form: the configured villages, then codes only the figures know. */
static size_t committee_codes(const struct monthly_input *in, char (*code)[VILLAGE_CODE_MAX + 1],
			      size_t max)
{
	size_t n = 0;
	for (size_t i = 0; in->villages && i < in->villages->n && n < max; i++)
		snprintf(code[n++], VILLAGE_CODE_MAX + 1, "%s", in->villages->v[i].code);
	const struct tally_deltas *t = &in->fig->t;
	for (size_t i = 0; i < t->n && n < max; i++) {
		char c[VILLAGE_CODE_MAX + 1] = {0};
		memcpy(c, t->d[i].key.village, VILLAGE_CODE_MAX);
		if (t->d[i].key.year != in->year || !c[0] ||
		    tally_metric(t->d[i].key.metric)->kind != TALLY_DISPUTE)
			continue;
		size_t j = 0;
		while (j < n && strcmp(code[j], c) != 0)
			j++;
		if (j == n)
			snprintf(code[n++], VILLAGE_CODE_MAX + 1, "%s", c);
	}
	return n;
}

/* One row per village committee over period k, and a total row. */
static void village_table(const struct monthly_input *in, int k, struct table *t)
{
	struct period p[P_COUNT];
	periods(in, p);
	static char code[VILLAGES_MAX + 64][VILLAGE_CODE_MAX + 1];
	size_t n = committee_codes(in, code, sizeof(code) / sizeof(code[0]));
	table_init(t, NVCOLS + 2);
	size_t r = table_row_begin(t);
	table_cell(t, r, 0, in->lang == LANG_EN ? "village" : "村");
	table_cell(t, r, 1, in->lang == LANG_EN ? "committee" : "调委会");
	for (size_t c = 0; c < NVCOLS; c++)
		table_cell(t, r, c + 2, village_head[in->lang == LANG_EN][c]);
	for (size_t i = 0; i <= n; i++) {
		const char *v = i < n ? code[i] : NULL;
		r = table_row_begin(t);
		table_cell(t, r, 0, v ? v : "");
		table_cell(t, r, 1, v ? village_name(in, v) : in->lang == LANG_EN ? "total" : "合计");
		for (size_t c = 0; c < NVCOLS; c++) {
			const struct mrow *mr = row_by_item(village_items[c]);
			int64_t den, x = row_value_in(in, v, mr, &p[k], &den);
			char num[NUM_LEN];
			value_text(in, mr, x, den, num);
			table_cell(t, r, c + 2, num);
		}
	}
}

/* One row per township of a county over period k, and the county's total row. */
static void township_table(const struct monthly_input *in, int k, struct table *t)
{
	struct period p[P_COUNT];
	periods(in, p);
	table_init(t, NVCOLS + 2);
	size_t r = table_row_begin(t);
	table_cell(t, r, 0, in->lang == LANG_EN ? "code" : "代码");
	table_cell(t, r, 1, in->lang == LANG_EN ? "township" : "乡镇");
	for (size_t c = 0; c < NVCOLS; c++)
		table_cell(t, r, c + 2, village_head[in->lang == LANG_EN][c]);
	for (size_t i = 0; i <= in->ntownships; i++) {
		struct monthly_input one = *in;
		if (i < in->ntownships)
			one.fig = in->townships[i].fig;
		r = table_row_begin(t);
		table_cell(t, r, 0, i < in->ntownships ? in->townships[i].code : "");
		table_cell(t, r, 1, i < in->ntownships ? in->townships[i].name
				   : in->lang == LANG_EN ? "total" : "合计");
		for (size_t c = 0; c < NVCOLS; c++) {
			const struct mrow *mr = row_by_item(village_items[c]);
			int64_t den, x = row_value_in(&one, NULL, mr, &p[k], &den);
			char num[NUM_LEN];
			value_text(in, mr, x, den, num);
			table_cell(t, r, c + 2, num);
		}
	}
}

void monthly_doc(const struct monthly_input *in, struct doc *d)
{
	struct table t;
	header(in, d);
	main_table(in, &t);
	doc_add_table(d, &t);
	doc_add(d, DOC_LINE, rate_definition[in->lang == LANG_EN]);
	category_table(in, &t);
	doc_add_table(d, &t);
	if (in->village && *in->village)
		return;
	char h[128];
	doc_add(d, DOC_WIDE, NULL);
	if (in->ntownships) {
		if (in->lang == LANG_EN)
			snprintf(h, sizeof(h), "By township, %s %u", month_en[in->month - 1], in->year);
		else
			snprintf(h, sizeof(h), "各乡镇：%u年%u月", in->year, in->month);
		doc_add(d, DOC_HEADING, h);
		township_table(in, P_MONTH, &t);
		doc_add_table(d, &t);
		if (in->lang == LANG_EN)
			snprintf(h, sizeof(h), "By township, January to %s %u",
				 month_en[in->month - 1], in->year);
		else
			snprintf(h, sizeof(h), "各乡镇：%u年1—%u月累计", in->year, in->month);
		doc_add(d, DOC_HEADING, h);
		township_table(in, P_YTD, &t);
		doc_add_table(d, &t);
		return;
	}
	if (in->lang == LANG_EN)
		snprintf(h, sizeof(h), "By village committee, %s %u", month_en[in->month - 1],
			 in->year);
	else
		snprintf(h, sizeof(h), "各村调委会：%u年%u月", in->year, in->month);
	doc_add(d, DOC_HEADING, h);
	village_table(in, P_MONTH, &t);
	doc_add_table(d, &t);
	if (in->lang == LANG_EN)
		snprintf(h, sizeof(h), "By village committee, January to %s %u",
			 month_en[in->month - 1], in->year);
	else
		snprintf(h, sizeof(h), "各村调委会：%u年1—%u月累计", in->year, in->month);
	doc_add(d, DOC_HEADING, h);
	village_table(in, P_YTD, &t);
	doc_add_table(d, &t);
}

/* ---- JSON ----------------------------------------------------------------- */

/* A share or rate in percent with one decimal, or null when den is 0. */
static json_t *jpercent(int64_t num, int64_t den)
{
	return den ? json_real((double)per_mille(num, den) / 10.0) : json_null();
}

/* [{"village", "name", "month": {ITEM: N}, "year_to_date": {...}}] by committee. */
static json_t *villages_json(const struct monthly_input *in, const struct period p[P_COUNT])
{
	static char code[VILLAGES_MAX + 64][VILLAGE_CODE_MAX + 1];
	size_t n = committee_codes(in, code, sizeof(code) / sizeof(code[0]));
	json_t *a = json_out_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_out_object();
		json_out_set(v, "village", json_string(code[i]));
		json_out_set(v, "name", json_string(village_name(in, code[i])));
		for (int k = P_MONTH; k <= P_YTD; k += P_YTD - P_MONTH) {
			json_t *f = json_out_object();
			for (size_t c = 0; c < NVCOLS; c++) {
				const struct mrow *r = row_by_item(village_items[c]);
				int64_t den, x = row_value_in(in, code[i], r, &p[k], &den);
				json_out_set(f, r->item, r->kind == R_RATE ? jpercent(x, den) : json_integer(x));
			}
			json_out_set(v, k == P_MONTH ? "month" : "year_to_date", f);
		}
		json_out_push(a, v);
	}
	return a;
}

/* [{"township", "month": {ITEM: N}, "year_to_date": {...}}] at a county. */
static json_t *townships_json(const struct monthly_input *in, const struct period p[P_COUNT])
{
	json_t *a = json_out_array();
	for (size_t i = 0; i < in->ntownships; i++) {
		struct monthly_input one = *in;
		one.fig = in->townships[i].fig;
		json_t *v = json_out_object();
		json_out_set(v, "township", json_string(in->townships[i].code));
		json_out_set(v, "name", json_string(in->townships[i].name));
		for (int k = P_MONTH; k <= P_YTD; k += P_YTD - P_MONTH) {
			json_t *f = json_out_object();
			for (size_t c = 0; c < NVCOLS; c++) {
				const struct mrow *r = row_by_item(village_items[c]);
				int64_t den, x = row_value_in(&one, NULL, r, &p[k], &den);
				json_out_set(f, r->item, r->kind == R_RATE ? jpercent(x, den) : json_integer(x));
			}
			json_out_set(v, k == P_MONTH ? "month" : "year_to_date", f);
		}
		json_out_push(a, v);
	}
	return a;
}

static int render_json(const struct monthly_input *in, struct sbuf *out)
{
	static const char *const pname[P_COUNT] = {"month", "month_before", "a_year_earlier",
						   "year_to_date"};
	struct period p[P_COUNT];
	periods(in, p);
	json_t *o = json_out_object(), *prs = json_out_object(), *rs = json_out_array();
	json_t *cats = json_out_array();
	json_out_set(o, "year", json_integer(in->year));
	json_out_set(o, "month", json_integer(in->month));
	json_out_set(o, "town", json_string(in->town ? in->town : ""));
	json_out_set(o, "generated_at", json_out_time(in->now, in->tz_offset));
	json_out_set(o, "as_of", in->as_of ? json_out_time(in->as_of, in->tz_offset) : json_null());
	for (int k = 0; k < P_COUNT; k++) {
		char v[24];
		snprintf(v, sizeof(v), "%04u-%02u..%04u-%02u", p[k].year % 10000u, p[k].from % 100u,
			 p[k].year % 10000u, p[k].to % 100u);
		json_out_set(prs, pname[k], json_string(v));
	}
	json_out_set(o, "periods", prs);
	json_out_set(o, "village", json_string(in->village ? in->village : ""));
	json_out_set(o, "year_before_has_data", json_boolean(has_year_before(in)));
	json_out_set(o, "note", json_string(rate_definition[in->lang == LANG_EN]));
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *r = &rows[i];
		if (!row_shown(in, r, p))
			continue;
		json_t *row = json_out_object();
		json_out_set(row, "item", json_string(r->item));
		json_out_set(row, "label", json_string(in->lang == LANG_EN ? r->en : r->zh));
		for (int k = 0; k < P_COUNT; k++) {
			int64_t den, v = row_value(in, r, &p[k], &den);
			if (p[k].year < in->year && !has_year_before(in))
				json_out_set(row, pname[k], json_null()); /* 无上年数据 */
			else
				json_out_set(row, pname[k], r->kind == R_RATE ? jpercent(v, den) : json_integer(v));
		}
		json_out_push(rs, row);
	}
	json_out_set(o, "rows", rs);
	const ProtobufCEnumDescriptor *d = tally_metric(M_DISPUTES_REGISTERED)->dim[0].desc;
	int64_t tm = sum(in, M_DISPUTES_REGISTERED, -1, 0, &p[P_MONTH]);
	int64_t ty = sum(in, M_DISPUTES_REGISTERED, -1, 0, &p[P_YTD]);
	for (unsigned k = 0; k < d->n_values; k++) {
		int val = d->values[k].value;
		int64_t m = sum(in, M_DISPUTES_REGISTERED, 0, val, &p[P_MONTH]);
		int64_t y = sum(in, M_DISPUTES_REGISTERED, 0, val, &p[P_YTD]);
		if (val == 0 && !m && !y)
			continue;
		json_t *c = json_out_object();
		json_out_set(c, "category", json_string(tally_dim_label(M_DISPUTES_REGISTERED, 0, val)));
		json_out_set(c, "label", json_string(labels_dim_value(M_DISPUTES_REGISTERED, 0, val, in->lang)));
		json_out_set(c, "month", json_integer(m));
		json_out_set(c, "month_share", jpercent(m, tm));
		json_out_set(c, "year_to_date", json_integer(y));
		json_out_set(c, "year_to_date_share", jpercent(y, ty));
		json_out_push(cats, c);
	}
	json_out_set(o, "categories", cats);
	if ((!in->village || !*in->village) && in->ntownships)
		json_out_set(o, "townships", townships_json(in, p));
	else if (!in->village || !*in->village)
		json_out_set(o, "villages", villages_json(in, p));
	return json_out_dump(o, JSON_INDENT(1) | JSON_REAL_PRECISION(6), out);
}

int monthly_render(const struct monthly_input *in, enum report_format f, struct sbuf *out)
{
	if (in->month < 1 || in->month > 12)
		return LT_EINVAL;
	if (f == REPORT_JSON)
		return render_json(in, out);
	struct doc d;
	doc_init(&d, in->lang);
	monthly_doc(in, &d);
	int rc = f == REPORT_HTML ? doc_html(&d, out)
		 : f == REPORT_DOCX ? docx_write(&d, out)
				    : doc_plain(&d, f == REPORT_MARKDOWN, out);
	doc_free(&d);
	return rc;
}
