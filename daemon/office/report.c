/*
 * report.c - the year-end report document (see report.h).
 *
 * The words of the document around the template (the note on the figures,
 * the appendix headings) are in the tables `words` below, one row per
 * phrase, Chinese and English side by side.
 */
#include "report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "docx.h"
#include "err.h"
#include "json_out.h"
#include "numbers.h"
#include "table.h"
#include "tally.h"
#include "when.h"
#include "xalloc.h"

enum word {
	W_NOTE, W_LIVE, W_AS_OF, W_FILED, W_ADJ_HEAD, W_ADJ_NONE, W_APP_VILLAGE, W_APP_MONTH,
	W_APP_SENDERS, W_TOWNSHIP, W_NO_DATA, W_METRIC, W_YEAR_TOTAL, W_SENDER, W_LAST_HEARD,
	W_STATUS, W_OK, W_SILENT, W_VILLAGE, W_NAME, W_NEVER, W_NO_SENDERS, W_APP_MISSING,
	W_NO_MISSING, W_ACCEPTED, W_COUNT
};

static const struct {
	const char *zh, *en;
} words[W_COUNT] = {
	[W_NOTE] = {"数据说明", "About these figures"},
	[W_LIVE] = {"本报告数据为实时统计，生成于 %s（UTC%s）。",
		    "The figures are live, as counted at %s (UTC%s)."},
	[W_AS_OF] = {"本报告数据为截至 %s（UTC%s）已收到的事件的统计，生成于 %s。",
		     "The figures count the events received by %s (UTC%s); made at %s."},
	[W_FILED] = {"本报告数据为%u年度结报数据，结报于 %s，结报数据 SHA-256：%s。",
		     "The figures are those filed when %u was closed, at %s; SHA-256 of the filed "
		     "figures: %s."},
	[W_ADJ_HEAD] = {"结报后调整（现数据减结报数据）：", "Adjustments after close (now minus filed):"},
	[W_ADJ_NONE] = {"结报后无调整。", "No adjustments after close."},
	[W_APP_VILLAGE] = {"附录一　%u年各村分项数据", "Appendix 1. Figures of %u by village"},
	[W_APP_MONTH] = {"附录二　%u年分月数据", "Appendix 2. Figures of %u by month"},
	[W_APP_SENDERS] = {"附录三　数据来源完整性（超过%u天未发送的标为未报送）",
			   "Appendix 3. Senders (silent for more than %u days are flagged)"},
	[W_TOWNSHIP] = {"镇级", "township level"},
	[W_NO_DATA] = {"无数据", "no figures"},
	[W_METRIC] = {"指标", "metric"},
	[W_YEAR_TOTAL] = {"全年", "year"},
	[W_SENDER] = {"发送方", "sender"},
	[W_LAST_HEARD] = {"最后收到", "last heard"},
	[W_STATUS] = {"状态", "status"},
	[W_OK] = {"正常", "ok"},
	[W_SILENT] = {"已%lld天未报送", "silent %lld days"},
	[W_VILLAGE] = {"村", "village"},
	[W_NAME] = {"名称", "name"},
	[W_NEVER] = {"从未", "never"},
	[W_NO_SENDERS] = {"尚无发送方。", "No sender yet."},
	[W_APP_MISSING] = {"附录四　%u年缺失的事件与设备计数",
			   "Appendix 4. Events missing in %u, and devices' counts"},
	[W_NO_MISSING] = {"未发现缺失：各发送方序号连续，设备计数一致。",
			  "Nothing missing: every sender's numbers run without a gap, and the "
			  "devices' counts agree."},
	[W_ACCEPTED] = {"结报时已知以下缺失，经确认后结报（--accept-gaps）：",
			"Closed knowing of these, accepted (--accept-gaps):"},
};

static const char *const month_en[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static const char *word(const struct report_input *in, enum word w)
{
	return in->lang == LANG_EN ? words[w].en : words[w].zh;
}

int report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = {"text", "markdown", "json", "html", "docx"};
	if (!s || !*s) {
		*out = REPORT_TEXT;
		return 0;
	}
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

const char *report_content_type(enum report_format f)
{
	switch (f) {
	case REPORT_MARKDOWN: return "text/markdown; charset=utf-8";
	case REPORT_JSON: return "application/json";
	case REPORT_HTML: return "text/html; charset=utf-8";
	case REPORT_DOCX: return DOCX_CONTENT_TYPE;
	case REPORT_TEXT: break;
	}
	return "text/plain; charset=utf-8";
}

/* "+08:00" for the note. */
static void zone_text(int32_t tz, char out[8])
{
	int32_t a = tz < 0 ? -tz : tz;
	snprintf(out, 8, "%c%02d:%02d", tz < 0 ? '-' : '+', (int)(a / 3600) % 100,
		 (int)(a % 3600 / 60));
}

/* A figure as a cell: yuan for amounts, else a count. */
static void cell_value(int metric, int64_t v, enum lang l, char out[NUM_LEN])
{
	if (labels_is_money(metric))
		num_yuan_lang(v, l, out);
	else
		num_count(v, l, out);
}

/* A change as a cell: "+3", "-1", "+12.50" for amounts. */
static void signed_cell(int metric, int64_t v, enum lang l, char out[NUM_LEN])
{
	char yuan[NUM_LEN];
	if (!labels_is_money(metric)) {
		num_signed(v, l, out);
		return;
	}
	num_yuan_lang(v, l, yuan);
	snprintf(out, NUM_LEN, "%s%.38s", v > 0 ? "+" : "", yuan);
}

static int64_t sum_village(const struct report_input *in, int metric, const char *village)
{
	struct figures_sel sel = figures_sel_all(metric, in->year);
	sel.village = village;
	return figures_sum(in->fig, &sel);
}

static int64_t sum_month(const struct report_input *in, int metric, int month)
{
	struct figures_sel sel = figures_sel_all(metric, in->year);
	sel.month_min = sel.month_max = (uint8_t)month;
	return figures_sum(in->fig, &sel);
}

/* The villages of the appendix: the configured ones, then codes only the figures know. */
struct vlist {
	size_t n;
	char code[VILLAGES_MAX + 64][VILLAGE_CODE_MAX + 1];
};

static void vlist_build(const struct report_input *in, struct vlist *vl)
{
	vl->n = 0;
	for (size_t i = 0; in->villages && i < in->villages->n; i++)
		snprintf(vl->code[vl->n++], sizeof(vl->code[0]), "%s", in->villages->v[i].code);
	const struct tally_deltas *t = &in->fig->t;
	for (size_t i = 0; i < t->n; i++) {
		char code[VILLAGE_CODE_MAX + 1] = {0};
		memcpy(code, t->d[i].key.village, VILLAGE_CODE_MAX);
		if (t->d[i].key.year != in->year || !code[0])
			continue;
		size_t j = 0;
		while (j < vl->n && strcmp(vl->code[j], code) != 0)
			j++;
		if (j == vl->n && vl->n < sizeof(vl->code) / sizeof(vl->code[0]))
			snprintf(vl->code[vl->n++], sizeof(vl->code[0]), "%s", code);
	}
}

static const char *village_name(const struct report_input *in, const char *code)
{
	const struct village *v = in->villages ? villages_find(in->villages, code) : NULL;
	return v ? v->name : "";
}

/* ---- the note on the figures ------------------------------------------ */

/* Adjustments after close: year totals, then each dimension value, that differ. */
static void adjustments_lines(const struct report_input *in, struct sbuf *out, const char *bullet)
{
	const struct figures *adj = in->closed->adjustments;
	int any = 0;
	for (int m = 0; m < M_COUNT; m++) {
		const struct tally_metric_info *mi = tally_metric(m);
		struct figures_sel sel = figures_sel_all(m, in->year);
		char num[NUM_LEN];
		int64_t v = figures_sum(adj, &sel);
		if (v) {
			signed_cell(m, v, in->lang, num);
			sbuf_printf(out, "%s%s%s%s%s\n", bullet, labels_metric(m, in->lang),
				    in->lang == LANG_EN ? ": " : "：", num, labels_unit(m, in->lang));
			any = 1;
		}
		for (int d = 0; d < 2 && mi->dim[d].name; d++) {
			for (unsigned k = 0; k < mi->dim[d].desc->n_values; k++) {
				struct figures_sel ds = sel;
				ds.dim[d] = mi->dim[d].desc->values[k].value;
				int64_t dv = figures_sum(adj, &ds);
				if (!dv)
					continue;
				signed_cell(m, dv, in->lang, num);
				sbuf_printf(out, "%s%s%s%s%s%s%s%s%s\n", bullet,
					    labels_metric(m, in->lang), in->lang == LANG_EN ? " (" : "（",
					    labels_dim_name(m, d, in->lang),
					    in->lang == LANG_EN ? ": " : "：",
					    labels_dim_value(m, d, ds.dim[d], in->lang),
					    in->lang == LANG_EN ? "): " : "）：", num,
					    labels_unit(m, in->lang));
				any = 1;
			}
		}
	}
	if (!any)
		sbuf_printf(out, "%s\n", word(in, W_ADJ_NONE));
}

static void indented_lines(const char *text, const char *prefix, struct sbuf *out);

static void note_lines(const struct report_input *in, struct sbuf *out, int markdown)
{
	char now[WHEN_FORMAT_LEN], at[WHEN_FORMAT_LEN], zone[8];
	zone_text(in->tz_offset, zone);
	when_format_short(in->now, in->tz_offset, now);
	if (in->closed) {
		when_format_short(in->closed->closed_at, in->tz_offset, at);
		sbuf_printf(out, word(in, W_FILED), (unsigned)in->year, at, in->closed->sha256);
		sbuf_puts(out, "\n");
		if (markdown)
			sbuf_puts(out, "\n");
	}
	if (in->as_of) {
		char asof[WHEN_FORMAT_LEN];
		when_format(in->as_of, in->tz_offset, asof);
		asof[19] = '\0'; /* drop the zone: it follows as UTC+hh:mm */
		asof[10] = ' ';
		sbuf_printf(out, word(in, W_AS_OF), asof, zone, now);
	} else if (!in->closed) {
		sbuf_printf(out, word(in, W_LIVE), now, zone);
	}
	if (in->as_of || !in->closed)
		sbuf_puts(out, "\n");
	if (in->closed) {
		if (markdown)
			sbuf_puts(out, "\n");
		const struct figures *adj = in->closed->adjustments;
		if (adj->t.n && figures_has_year(adj, in->year))
			sbuf_printf(out, "%s\n%s", word(in, W_ADJ_HEAD), markdown ? "\n" : "");
		adjustments_lines(in, out, markdown ? "- " : "  ");
		if (in->closed->accepted && *in->closed->accepted) {
			sbuf_printf(out, "%s%s\n%s", markdown ? "\n" : "", word(in, W_ACCEPTED),
				    markdown ? "\n" : "");
			indented_lines(in->closed->accepted, markdown ? "- " : "  ", out);
		}
	}
}

/* Each line of text (lines ended by "\n") after prefix. */
static void indented_lines(const char *text, const char *prefix, struct sbuf *out)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		sbuf_printf(out, "%s%.*s\n", prefix, (int)n, p);
		p += n + (e != NULL);
	}
}

/* ---- appendix ----------------------------------------------------------- */

static void village_list_text(const struct report_input *in, const struct vlist *vl,
			      struct sbuf *out)
{
	for (size_t i = 0; i <= vl->n; i++) {
		const char *code = i < vl->n ? vl->code[i] : "";
		if (i < vl->n)
			sbuf_printf(out, "%s %s%s", code, village_name(in, code),
				    in->lang == LANG_EN ? ": " : "：");
		else
			sbuf_printf(out, "%s%s", word(in, W_TOWNSHIP), in->lang == LANG_EN ? ": " : "：");
		int any = 0;
		for (int m = 0; m < M_COUNT; m++) {
			int64_t v = sum_village(in, m, code);
			if (!v)
				continue;
			char num[NUM_LEN];
			cell_value(m, v, in->lang, num);
			sbuf_printf(out, "%s%s %s%s", any ? (in->lang == LANG_EN ? ", " : "，") : "",
				    labels_metric(m, in->lang), num, labels_unit(m, in->lang));
			any = 1;
		}
		sbuf_printf(out, "%s\n", any ? "" : word(in, W_NO_DATA));
	}
}

static void village_table(const struct report_input *in, const struct vlist *vl,
			  struct table *t)
{
	int cols[M_COUNT], ncols = 0;
	for (int m = 0; m < M_COUNT && ncols < TABLE_COLS_MAX - 2; m++)
		if (figures_sum(in->fig, &(struct figures_sel){m, in->year, 0, 0, NULL, {-1, -1}}))
			cols[ncols++] = m;
	table_init(t, (size_t)ncols + 2);
	size_t r = table_row_begin(t);
	table_cell(t, r, 0, word(in, W_VILLAGE));
	table_cell(t, r, 1, word(in, W_NAME));
	for (int c = 0; c < ncols; c++)
		table_cell(t, r, (size_t)c + 2, labels_metric(cols[c], in->lang));
	for (size_t i = 0; i <= vl->n; i++) {
		const char *code = i < vl->n ? vl->code[i] : "";
		r = table_row_begin(t);
		table_cell(t, r, 0, i < vl->n ? code : "-");
		table_cell(t, r, 1, i < vl->n ? village_name(in, code) : word(in, W_TOWNSHIP));
		for (int c = 0; c < ncols; c++) {
			char num[NUM_LEN];
			cell_value(cols[c], sum_village(in, cols[c], code), in->lang, num);
			table_cell(t, r, (size_t)c + 2, num);
		}
	}
}

static void month_table(const struct report_input *in, struct table *t)
{
	table_init(t, 14);
	size_t r = table_row_begin(t);
	table_cell(t, r, 0, word(in, W_METRIC));
	for (int mo = 1; mo <= 12; mo++) {
		char h[16];
		if (in->lang == LANG_EN)
			snprintf(h, sizeof(h), "%s", month_en[mo - 1]);
		else
			snprintf(h, sizeof(h), "%d月", mo);
		table_cell(t, r, (size_t)mo, h);
	}
	table_cell(t, r, 13, word(in, W_YEAR_TOTAL));
	for (int m = 0; m < M_COUNT; m++) {
		char num[NUM_LEN];
		r = table_row_begin(t);
		table_cell(t, r, 0, labels_metric(m, in->lang));
		for (int mo = 1; mo <= 12; mo++) {
			cell_value(m, sum_month(in, m, mo), in->lang, num);
			table_cell(t, r, (size_t)mo, num);
		}
		cell_value(m, figures_sum(in->fig, &(struct figures_sel){m, in->year, 0, 0, NULL,
									 {-1, -1}}),
			   in->lang, num);
		table_cell(t, r, 13, num);
	}
}

/* A sender in the order of the lists: silent ones first, then by name. */
struct sorder {
	int silent;
	const struct sender_record *r;
};

static int sorder_cmp(const void *a, const void *b)
{
	const struct sorder *x = a, *y = b;
	if (x->silent != y->silent)
		return y->silent - x->silent;
	return strcmp(x->r->name, y->r->name);
}

/* The senders in list order; free the array. */
static struct sorder *sender_order(const struct sender_record *s, size_t n, int64_t now,
				   unsigned silent_days)
{
	struct sorder *o = xreallocarray(NULL, n, sizeof(*o));
	for (size_t i = 0; i < n; i++)
		o[i] = (struct sorder){sender_is_silent(&s[i], now, silent_days), &s[i]};
	if (n)
		qsort(o, n, sizeof(*o), sorder_cmp);
	return o;
}

static void sender_status(const struct report_input *in, const struct sender_record *s,
			  char *out, size_t len)
{
	if (sender_is_silent(s, in->now, in->silent_days))
		snprintf(out, len, word(in, W_SILENT), (long long)sender_days_silent(s, in->now));
	else
		snprintf(out, len, "%s", word(in, W_OK));
}

static void sender_table(const struct report_input *in, struct table *t)
{
	table_init(t, 15);
	size_t r = table_row_begin(t);
	table_cell(t, r, 0, word(in, W_SENDER));
	table_cell(t, r, 1, word(in, W_LAST_HEARD));
	for (int mo = 1; mo <= 12; mo++) {
		char h[16];
		if (in->lang == LANG_EN)
			snprintf(h, sizeof(h), "%s", month_en[mo - 1]);
		else
			snprintf(h, sizeof(h), "%d月", mo);
		table_cell(t, r, (size_t)mo + 1, h);
	}
	table_cell(t, r, 14, word(in, W_STATUS));
	struct sorder *order = sender_order(in->senders, in->nsenders, in->now, in->silent_days);
	for (size_t i = 0; i < in->nsenders; i++) {
		const struct sender_record *s = order[i].r;
		char at[WHEN_FORMAT_LEN], num[NUM_LEN], status[64];
		r = table_row_begin(t);
		table_cell(t, r, 0, s->name);
		when_format_short(s->last_received, in->tz_offset, at);
		table_cell(t, r, 1, at);
		for (int mo = 1; mo <= 12; mo++) {
			num_count(sender_record_events(s, in->year, (uint8_t)mo), in->lang, num);
			table_cell(t, r, (size_t)mo + 1, num);
		}
		sender_status(in, s, status, sizeof(status));
		table_cell(t, r, 14, status);
	}
	free(order);
}

/* ---- text and Markdown -------------------------------------------------- */

static void body(const struct template *tpl, const struct report_input *in, struct sbuf *out,
		 int markdown)
{
	struct template_ctx ctx = {in->year, in->lang, in->fig, in->town};
	for (size_t i = 0; i < template_nlines(tpl); i++) {
		if (markdown && template_is_heading(tpl, i))
			sbuf_puts(out, "## ");
		template_render_line(tpl, i, &ctx, out);
		sbuf_puts(out, markdown ? "\n\n" : "\n");
	}
}

/* Ends out with exactly one empty line (it ends with a line end already). */
static void blank_line(struct sbuf *out)
{
	if (!(out->len >= 2 && out->p[out->len - 1] == '\n' && out->p[out->len - 2] == '\n'))
		sbuf_puts(out, "\n");
}

/* A heading after an empty line; fmt takes one unsigned (a year, a count of days). */
static void heading(struct sbuf *out, int markdown, const char *fmt, unsigned arg)
{
	char text[256];
	snprintf(text, sizeof(text), fmt, arg);
	blank_line(out);
	sbuf_printf(out, "%s%s\n%s", markdown ? "## " : "", text, markdown ? "\n" : "");
}

static void document(const struct template *tpl, const struct report_input *in,
		     struct sbuf *out, int markdown)
{
	struct table t;
	struct vlist *vl = xmalloc(sizeof(*vl));
	vlist_build(in, vl);
	body(tpl, in, out, markdown);

	heading(out, markdown, word(in, W_NOTE), 0);
	note_lines(in, out, markdown);

	heading(out, markdown, word(in, W_APP_VILLAGE), in->year);
	if (markdown) {
		village_table(in, vl, &t);
		table_markdown(&t, out);
		table_free(&t);
	} else {
		village_list_text(in, vl, out);
	}
	heading(out, markdown, word(in, W_APP_MONTH), in->year);
	month_table(in, &t);
	(markdown ? table_markdown : table_text)(&t, out);
	table_free(&t);

	heading(out, markdown, word(in, W_APP_SENDERS), in->silent_days);
	if (in->nsenders) {
		sender_table(in, &t);
		(markdown ? table_markdown : table_text)(&t, out);
		table_free(&t);
	} else {
		sbuf_printf(out, "%s\n", word(in, W_NO_SENDERS));
	}
	if (in->missing) {
		heading(out, markdown, word(in, W_APP_MISSING), in->year);
		if (*in->missing)
			indented_lines(in->missing, markdown ? "- " : "", out);
		else
			sbuf_printf(out, "%s\n", word(in, W_NO_MISSING));
	}
	free(vl);
}

/* ---- JSON ----------------------------------------------------------------- */

/* {"value": N, "<dim>": {"LABEL": N, ...}} of one metric's figures. */
static json_t *metric_json(const struct figures *f, int m, uint16_t year)
{
	const struct tally_metric_info *mi = tally_metric(m);
	json_t *o = json_out_object();
	struct figures_sel sel = figures_sel_all(m, year);
	json_out_set(o, "value", json_integer(figures_sum(f, &sel)));
	for (int d = 0; d < 2 && mi->dim[d].name; d++) {
		json_t *by = json_out_object();
		for (unsigned k = 0; k < mi->dim[d].desc->n_values; k++) {
			struct figures_sel ds = sel;
			ds.dim[d] = mi->dim[d].desc->values[k].value;
			int64_t v = figures_sum(f, &ds);
			if (v)
				json_out_set(by, tally_dim_label(m, d, ds.dim[d]), json_integer(v));
		}
		json_out_set(o, mi->dim[d].name, by);
	}
	return o;
}

static json_t *adjustments_json(const struct report_input *in)
{
	json_t *a = json_out_array();
	const struct figures *adj = in->closed->adjustments;
	for (int m = 0; m < M_COUNT; m++) {
		const struct tally_metric_info *mi = tally_metric(m);
		struct figures_sel sel = figures_sel_all(m, in->year);
		int64_t v = figures_sum(adj, &sel);
		if (v) {
			json_t *o = json_out_object();
			json_out_set(o, "metric", json_string(mi->name));
			json_out_set(o, "value", json_integer(v));
			json_out_push(a, o);
		}
		for (int d = 0; d < 2 && mi->dim[d].name; d++)
			for (unsigned k = 0; k < mi->dim[d].desc->n_values; k++) {
				struct figures_sel ds = sel;
				ds.dim[d] = mi->dim[d].desc->values[k].value;
				int64_t dv = figures_sum(adj, &ds);
				if (!dv)
					continue;
				json_t *o = json_out_object();
				json_out_set(o, "metric", json_string(mi->name));
				json_out_set(o, mi->dim[d].name, json_string(tally_dim_label(m, d, ds.dim[d])));
				json_out_set(o, "value", json_integer(dv));
				json_out_push(a, o);
			}
	}
	return a;
}

static json_t *sender_json(const struct sender_record *s, int64_t now, int32_t tz,
			   unsigned silent_days)
{
	json_t *o = json_out_object(), *months = json_out_object();
	json_out_set(o, "sender", json_out_string(s->name));
	json_out_set(o, "last_heard", json_out_time(s->last_received, tz));
	json_out_set(o, "days_silent", json_integer(sender_days_silent(s, now)));
	json_out_set(o, "silent", json_boolean(sender_is_silent(s, now, silent_days)));
	for (size_t i = 0; i < s->nmonths; i++) {
		char k[16];
		snprintf(k, sizeof(k), "%04u-%02u", (unsigned)s->months[i].year % 10000,
			 (unsigned)s->months[i].month % 100);
		json_out_set(months, k, json_integer(s->months[i].events));
	}
	json_out_set(o, "months", months);
	return o;
}

static json_t *senders_array(const struct sender_record *s, size_t n, int64_t now, int32_t tz,
			     unsigned silent_days)
{
	json_t *a = json_out_array();
	struct sorder *order = sender_order(s, n, now, silent_days);
	for (size_t i = 0; i < n; i++)
		json_out_push(a, sender_json(order[i].r, now, tz, silent_days));
	free(order);
	return a;
}

static int dump(json_t *o, struct sbuf *out)
{
	return json_out_dump(o, JSON_INDENT(1), out);
}

static int document_json(const struct template *tpl, const struct report_input *in,
			 struct sbuf *out)
{
	json_t *o = json_out_object(), *lines = json_out_array(), *figs = json_out_object();
	json_t *byv = json_out_object(), *bym = json_out_object();
	json_out_set(o, "year", json_integer(in->year));
	json_out_set(o, "lang", json_string(lang_code(in->lang)));
	json_out_set(o, "generated_at", json_out_time(in->now, in->tz_offset));
	json_out_set(o, "as_of", in->as_of ? json_out_time(in->as_of, in->tz_offset) : json_null());
	json_out_set(o, "figures_are", json_string(in->closed ? "filed" : in->as_of ? "as_of" : "live"));
	if (in->closed) {
		json_t *c = json_out_object();
		json_out_set(c, "closed_at", json_out_time(in->closed->closed_at, in->tz_offset));
		json_out_set(c, "sha256", json_string(in->closed->sha256));
		json_out_set(c, "adjustments", adjustments_json(in));
		json_out_set(c, "accepted", in->closed->accepted && *in->closed->accepted
						    ? json_out_string(in->closed->accepted)
						    : json_null());
		json_out_set(o, "closed", c);
	} else {
		json_out_set(o, "closed", json_null());
	}
	struct template_ctx ctx = {in->year, in->lang, in->fig, in->town};
	struct sbuf line;
	sbuf_init(&line, REPORT_OUTPUT_MAX);
	for (size_t i = 0; i < template_nlines(tpl); i++) {
		sbuf_reset(&line);
		template_render_line(tpl, i, &ctx, &line);
		json_out_push(lines, json_out_string(sbuf_text(&line)));
	}
	sbuf_free(&line);
	json_out_set(o, "text", lines);
	for (int m = 0; m < M_COUNT; m++)
		json_out_set(figs, tally_metric(m)->name, metric_json(in->fig, m, in->year));
	json_out_set(o, "figures", figs);

	struct vlist *vl = xmalloc(sizeof(*vl));
	vlist_build(in, vl);
	for (size_t i = 0; i <= vl->n; i++) {
		const char *code = i < vl->n ? vl->code[i] : "";
		json_t *v = json_out_object();
		json_out_set(v, "name", json_out_string(i < vl->n ? village_name(in, code) : word(in, W_TOWNSHIP)));
		for (int m = 0; m < M_COUNT; m++) {
			int64_t x = sum_village(in, m, code);
			if (x)
				json_out_set(v, tally_metric(m)->name, json_integer(x));
		}
		json_out_set(byv, code, v);
	}
	free(vl);
	json_out_set(o, "by_village", byv);
	for (int mo = 1; mo <= 12; mo++) {
		json_t *v = json_out_object();
		char k[4];
		for (int m = 0; m < M_COUNT; m++) {
			int64_t x = sum_month(in, m, mo);
			if (x)
				json_out_set(v, tally_metric(m)->name, json_integer(x));
		}
		snprintf(k, sizeof(k), "%d", mo);
		json_out_set(bym, k, v);
	}
	json_out_set(o, "by_month", bym);
	json_out_set(o, "silent_days", json_integer(in->silent_days));
	json_out_set(o, "senders", senders_array(in->senders, in->nsenders, in->now, in->tz_offset,
					 in->silent_days));
	json_out_set(o, "missing", in->missing ? json_out_string(in->missing) : json_null());
	return dump(o, out);
}

/* ---- HTML and Word: the text document's lines as blocks --------------------- */

/* The lines written so far into s, as blocks of kind; empties s. */
static void flush_lines(struct doc *d, enum doc_kind kind, struct sbuf *s)
{
	doc_add_lines(d, kind, sbuf_text(s));
	sbuf_reset(s);
}

static void doc_heading(struct doc *d, const char *fmt, unsigned arg)
{
	char text[256];
	snprintf(text, sizeof(text), fmt, arg);
	doc_add(d, DOC_HEADING, text);
}

/*
 * The report as the text document says it: the template's lines (its
 * first heading the title), the note, then the appendices on landscape
 * pages, the tables as tables.
 */
static void report_doc(const struct template *tpl, const struct report_input *in, struct doc *d)
{
	struct template_ctx ctx = {in->year, in->lang, in->fig, in->town};
	struct sbuf s;
	struct table t;
	sbuf_init(&s, REPORT_OUTPUT_MAX);
	for (size_t i = 0; i < template_nlines(tpl); i++) {
		sbuf_reset(&s);
		template_render_line(tpl, i, &ctx, &s);
		doc_add(d, !template_is_heading(tpl, i) ? DOC_PARA : i == 0 ? DOC_TITLE : DOC_HEADING,
			sbuf_text(&s));
	}
	sbuf_reset(&s);
	doc_heading(d, word(in, W_NOTE), 0);
	note_lines(in, &s, 0);
	flush_lines(d, DOC_LINE, &s);

	struct vlist *vl = xmalloc(sizeof(*vl));
	vlist_build(in, vl);
	doc_add(d, DOC_WIDE, NULL);
	doc_heading(d, word(in, W_APP_VILLAGE), in->year);
	village_list_text(in, vl, &s);
	flush_lines(d, DOC_LINE, &s);
	free(vl);
	doc_heading(d, word(in, W_APP_MONTH), in->year);
	month_table(in, &t);
	doc_add_table(d, &t);
	doc_heading(d, word(in, W_APP_SENDERS), in->silent_days);
	if (in->nsenders) {
		sender_table(in, &t);
		doc_add_table(d, &t);
	} else {
		doc_add(d, DOC_LINE, word(in, W_NO_SENDERS));
	}
	if (in->missing) {
		doc_heading(d, word(in, W_APP_MISSING), in->year);
		doc_add_lines(d, DOC_LINE, *in->missing ? in->missing : word(in, W_NO_MISSING));
	}
	sbuf_free(&s);
}

int report_render(const struct template *t, const struct report_input *in,
		  enum report_format f, struct sbuf *out)
{
	if (f == REPORT_JSON)
		return document_json(t, in, out);
	if (f == REPORT_HTML || f == REPORT_DOCX) {
		struct doc d;
		doc_init(&d, in->lang);
		report_doc(t, in, &d);
		int rc = f == REPORT_HTML ? doc_html(&d, out) : docx_write(&d, out);
		doc_free(&d);
		return rc;
	}
	document(t, in, out, f == REPORT_MARKDOWN);
	return sbuf_status(out);
}

int report_senders_json(const struct sender_record *s, size_t n, int64_t now, int32_t tz,
			unsigned silent_days, json_t *sequences, struct sbuf *out)
{
	json_t *o = json_out_object();
	json_out_set(o, "now", json_out_time(now, tz));
	json_out_set(o, "silent_days", json_integer(silent_days));
	json_out_set(o, "senders", senders_array(s, n, now, tz, silent_days));
	if (sequences)
		json_out_set(o, "sequences", sequences);
	return dump(o, out);
}
