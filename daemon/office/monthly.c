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
	int dim, value;           /* a dimension value (dim 0 or 1), or dim -1 */
	int optional;             /* shown only when some period is not 0 */
};

static const struct mrow rows[] = {
	{"registered", "受理纠纷", "disputes accepted", "件", R_COUNT, M_DISPUTES_REGISTERED, -1, 0, 0},
	{"resolved", "调解成功", "resolved", "件", R_COUNT, M_DISPUTES_RESOLVED, -1, 0, 0},
	{"unresolved", "调解未成功", "not resolved", "件", R_COUNT, M_DISPUTES_UNRESOLVED, -1, 0, 0},
	{"success_rate", "调解成功率", "success rate", "", R_RATE, -1, -1, 0, 0},
	{"agreement_amount_fen", "协议涉及金额", "agreement amounts (yuan)", "元", R_MONEY,
	 M_DISPUTES_AGREEMENT_AMOUNT_FEN, -1, 0, 0},
	{"proactive", "主动调解", "accepted: proactive mediation", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, 1, INITIATED(PROACTIVE), 0},
	{"application", "申请调解", "accepted: on application", "件", R_COUNT, M_DISPUTES_REGISTERED,
	 1, INITIATED(APPLICATION), 0},
	{"referral", "委托移送", "accepted: referred", "件", R_COUNT, M_DISPUTES_REGISTERED, 1,
	 INITIATED(REFERRAL), 0},
	{"initiated_not_stated", "来源未注明", "accepted: not stated how", "件", R_COUNT,
	 M_DISPUTES_REGISTERED, 1, INITIATED(UNSPECIFIED), 1},
	{"prevented_criminal", "防止民转刑", "civil-to-criminal cases prevented", "件", R_COUNT,
	 M_DISPUTES_PREVENTED_CRIMINAL, -1, 0, 0},
	{"prevented_group_petition", "防止群体性上访", "group petitions prevented", "件", R_COUNT,
	 M_DISPUTES_PREVENTED_GROUP_PETITION, -1, 0, 0},
	{"prevented_group_petition_people", "防止群体性上访人数", "persons in them", "人", R_COUNT,
	 M_DISPUTES_PREVENTED_GROUP_PETITION_PEOPLE, -1, 0, 0},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

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

static int64_t sum(const struct monthly_input *in, int metric, int dim, int value,
		   const struct period *p)
{
	struct figures_sel sel = {metric, p->year, p->from, p->to, NULL, {-1, -1}};
	if (dim >= 0)
		sel.dim[dim] = value;
	return figures_sum(in->fig, &sel);
}

/* The row's value in a period; for the rate, *den is its denominator. */
static int64_t row_value(const struct monthly_input *in, const struct mrow *r,
			 const struct period *p, int64_t *den)
{
	if (r->kind != R_RATE) {
		*den = 1;
		return sum(in, r->metric, r->dim, r->value, p);
	}
	int64_t res = sum(in, M_DISPUTES_RESOLVED, -1, 0, p);
	*den = res + sum(in, M_DISPUTES_UNRESOLVED, -1, 0, p);
	return res;
}

static void value_text(const struct monthly_input *in, const struct mrow *r, int64_t v,
		       int64_t den, char out[NUM_LEN])
{
	if (r->kind == R_RATE)
		num_percent(v, den, out);
	else if (r->kind == R_MONEY)
		num_yuan(v, out);
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

static void header(const struct monthly_input *in, struct sbuf *out, int markdown)
{
	const char *town = in->town && *in->town ? in->town : "";
	char now[WHEN_FORMAT_LEN], asof[WHEN_FORMAT_LEN];
	when_format_short(in->now, in->tz_offset, now);
	if (in->as_of)
		when_format_short(in->as_of, in->tz_offset, asof);
	if (in->lang == LANG_EN) {
		sbuf_printf(out, "%sMediation statistics%s%s, %s %u\n%s", markdown ? "## " : "",
			    *town ? " of " : "", town, month_en[in->month - 1], in->year,
			    markdown ? "\n" : "");
		sbuf_printf(out, "Year to date: January to %s %u.%s\n", month_en[in->month - 1],
			    in->year, markdown ? "\n" : "");
		if (in->as_of)
			sbuf_printf(out, "Figures of the events received by %s; made at %s.\n", asof, now);
		else
			sbuf_printf(out, "Figures are live, as counted at %s.\n", now);
	} else {
		sbuf_printf(out, "%s%s人民调解工作统计月报\n%s", markdown ? "## " : "", town,
			    markdown ? "\n" : "");
		sbuf_printf(out, "统计月份：%u年%u月；本年累计：%u年1—%u月%s\n", in->year, in->month,
			    in->year, in->month, markdown ? "\n" : "");
		if (in->as_of)
			sbuf_printf(out, "本表数据为截至 %s 已收到的事件的统计，生成于 %s。\n", asof, now);
		else
			sbuf_printf(out, "本表数据为实时统计，生成于 %s。\n", now);
	}
	sbuf_puts(out, "\n");
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

static void main_table(const struct monthly_input *in, struct table *t)
{
	static const char *const head_zh[] = {"项目", "本月", "上月", "环比", "去年同月", "同比",
					      "本年累计"};
	static const char *const head_en[] = {"item", "this month", "month before", "change",
					      "a year earlier", "change", "year to date"};
	struct period p[P_COUNT];
	periods(in, p);
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
		table_row(t, cells, 7);
	}
}

static void category_table(const struct monthly_input *in, struct table *t)
{
	static const char *const head_zh[] = {"纠纷类别（受理，件）", "本月", "占比", "本年累计", "占比"};
	static const char *const head_en[] = {"category (accepted)", "this month", "share",
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

/* ---- JSON ----------------------------------------------------------------- */

/* A share or rate in percent with one decimal, or null when den is 0. */
static json_t *jpercent(int64_t num, int64_t den)
{
	return den ? json_real((double)per_mille(num, den) / 10.0) : json_null();
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
	for (size_t i = 0; i < NROWS; i++) {
		const struct mrow *r = &rows[i];
		if (!row_shown(in, r, p))
			continue;
		json_t *row = json_out_object();
		json_out_set(row, "item", json_string(r->item));
		json_out_set(row, "label", json_string(in->lang == LANG_EN ? r->en : r->zh));
		for (int k = 0; k < P_COUNT; k++) {
			int64_t den, v = row_value(in, r, &p[k], &den);
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
	return json_out_dump(o, JSON_INDENT(1) | JSON_REAL_PRECISION(6), out);
}

int monthly_render(const struct monthly_input *in, enum report_format f, struct sbuf *out)
{
	if (in->month < 1 || in->month > 12)
		return LT_EINVAL;
	if (f == REPORT_JSON)
		return render_json(in, out);
	int markdown = f == REPORT_MARKDOWN;
	struct table t;
	header(in, out, markdown);
	main_table(in, &t);
	(markdown ? table_markdown : table_text)(&t, out);
	table_free(&t);
	sbuf_puts(out, "\n");
	category_table(in, &t);
	(markdown ? table_markdown : table_text)(&t, out);
	table_free(&t);
	return sbuf_status(out);
}
