/*
 * workbook.c - the year's figures as an .xlsx workbook (see workbook.h).
 */
#include "workbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "doc.h"
#include "err.h"
#include "log.h"
#include "tally.h"

struct book {
	const struct workbook_input *in;
	lxw_workbook *wb;
	lxw_format *head, *yuan, *count, *title, *text;
};

static const char *pick(const struct book *b, const char *zh, const char *en)
{
	return b->in->lang == LANG_EN ? en : zh;
}

/* "受理矛盾纠纷（件）" / "disputes registered": a metric's column heading. */
static void metric_head(const struct book *b, int m, char *out, size_t len)
{
	const char *unit = labels_unit(m, b->in->lang);
	if (b->in->lang == LANG_EN)
		snprintf(out, len, "%s%s", labels_metric(m, LANG_EN),
			 labels_is_money(m) ? " (yuan)" : "");
	else
		snprintf(out, len, "%s%s%s%s", labels_metric(m, LANG_ZH), *unit ? "（" : "", unit,
			 *unit ? "）" : "");
}

/* A figure: an amount in fen as yuan with the currency format, else a count. */
static void figure(struct book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int m, int64_t v)
{
	if (labels_is_money(m))
		worksheet_write_number(ws, r, c, (double)v / 100.0, b->yuan);
	else
		worksheet_write_number(ws, r, c, (double)v, b->count);
}

static void header(struct book *b, lxw_worksheet *ws, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, cells[i], b->head);
	worksheet_freeze_panes(ws, 1, 0);
}

static int64_t total(const struct book *b, int m, int month, const char *village)
{
	struct figures_sel sel = figures_sel_all(m, b->in->year);
	if (month)
		sel.month_min = sel.month_max = (uint8_t)month;
	sel.village = village;
	return figures_sum(b->in->fig, &sel);
}

static void sheet_year(struct book *b)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, pick(b, "年度合计", "Year totals"));
	const char *h[] = {pick(b, "指标", "metric"), pick(b, "名称", "name"), pick(b, "单位", "unit"),
			   pick(b, "全年", "year")};
	header(b, ws, h, 4);
	worksheet_set_column(ws, 0, 0, 40, NULL);
	worksheet_set_column(ws, 1, 1, 24, NULL);
	worksheet_set_column(ws, 3, 3, 16, NULL);
	for (int m = 0; m < M_COUNT; m++) {
		lxw_row_t r = (lxw_row_t)m + 1;
		worksheet_write_string(ws, r, 0, tally_metric(m)->name, NULL);
		worksheet_write_string(ws, r, 1, labels_metric(m, b->in->lang), NULL);
		worksheet_write_string(ws, r, 2,
				       labels_is_money(m) ? pick(b, "元", "yuan")
							  : labels_unit(m, b->in->lang), NULL);
		figure(b, ws, r, 3, m, total(b, m, 0, NULL));
	}
}

static void sheet_month(struct book *b)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, pick(b, "分月", "By month"));
	static const char *const en[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char zh[12][8];
	const char *h[16] = {pick(b, "指标", "metric"), pick(b, "名称", "name")};
	for (int mo = 1; mo <= 12; mo++) {
		snprintf(zh[mo - 1], sizeof(zh[0]), "%d月", mo);
		h[mo + 1] = pick(b, zh[mo - 1], en[mo - 1]);
	}
	h[14] = pick(b, "全年", "year");
	header(b, ws, h, 15);
	worksheet_freeze_panes(ws, 1, 2);
	worksheet_set_column(ws, 0, 0, 40, NULL);
	worksheet_set_column(ws, 1, 1, 24, NULL);
	worksheet_set_column(ws, 2, 14, 12, NULL);
	for (int m = 0; m < M_COUNT; m++) {
		lxw_row_t r = (lxw_row_t)m + 1;
		char name[96];
		metric_head(b, m, name, sizeof(name));
		worksheet_write_string(ws, r, 0, tally_metric(m)->name, NULL);
		worksheet_write_string(ws, r, 1, name, NULL);
		for (int mo = 1; mo <= 12; mo++)
			figure(b, ws, r, (lxw_col_t)mo + 1, m, total(b, m, mo, NULL));
		figure(b, ws, r, 14, m, total(b, m, 0, NULL));
	}
}

/* Villages: the configured ones, then codes only the figures know, then the township level. */
static size_t village_codes(const struct book *b, char (*code)[VILLAGE_CODE_MAX + 1], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; b->in->villages && i < b->in->villages->n && n < max; i++)
		snprintf(code[n++], VILLAGE_CODE_MAX + 1, "%s", b->in->villages->v[i].code);
	const struct tally_deltas *t = &b->in->fig->t;
	for (size_t i = 0; i < t->n && n < max; i++) {
		char c[VILLAGE_CODE_MAX + 1] = {0};
		memcpy(c, t->d[i].key.village, VILLAGE_CODE_MAX);
		if (t->d[i].key.year != b->in->year || !c[0])
			continue;
		size_t j = 0;
		while (j < n && strcmp(code[j], c) != 0)
			j++;
		if (j == n)
			snprintf(code[n++], VILLAGE_CODE_MAX + 1, "%s", c);
	}
	if (n < max)
		code[n++][0] = '\0';
	return n;
}

static void sheet_village(struct book *b)
{
	static char code[VILLAGES_MAX + 65][VILLAGE_CODE_MAX + 1];
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, pick(b, "分村", "By village"));
	size_t n = village_codes(b, code, sizeof(code) / sizeof(code[0]));
	worksheet_write_string(ws, 0, 0, pick(b, "村", "village"), b->head);
	worksheet_write_string(ws, 0, 1, pick(b, "村名", "name"), b->head);
	worksheet_write_string(ws, 1, 0, pick(b, "指标", "metric"), b->head);
	worksheet_write_string(ws, 1, 1, "", b->head);
	for (int m = 0; m < M_COUNT; m++) {
		char name[96];
		metric_head(b, m, name, sizeof(name));
		worksheet_write_string(ws, 0, (lxw_col_t)m + 2, name, b->head);
		worksheet_write_string(ws, 1, (lxw_col_t)m + 2, tally_metric(m)->name, b->head);
	}
	worksheet_freeze_panes(ws, 2, 2);
	worksheet_set_column(ws, 0, 0, 8, NULL);
	worksheet_set_column(ws, 1, 1, 12, NULL);
	worksheet_set_column(ws, 2, M_COUNT + 1, 14, NULL);
	for (size_t i = 0; i < n; i++) {
		lxw_row_t r = (lxw_row_t)i + 2;
		const struct village *v =
			b->in->villages && code[i][0] ? villages_find(b->in->villages, code[i]) : NULL;
		worksheet_write_string(ws, r, 0, code[i], NULL);
		worksheet_write_string(ws, r, 1, code[i][0] ? (v ? v->name : "")
							    : pick(b, "镇级", "township level"), NULL);
		for (int m = 0; m < M_COUNT; m++)
			figure(b, ws, r, (lxw_col_t)m + 2, m, total(b, m, 0, code[i]));
	}
}

static void sheet_category(struct book *b)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, pick(b, "分类", "By category"));
	const char *h[] = {pick(b, "指标", "metric"), pick(b, "名称", "name"),
			   pick(b, "分类维度", "dimension"), pick(b, "分类", "value"),
			   pick(b, "分类名称", "value name"), pick(b, "全年", "year")};
	header(b, ws, h, 6);
	worksheet_set_column(ws, 0, 0, 40, NULL);
	worksheet_set_column(ws, 1, 1, 20, NULL);
	worksheet_set_column(ws, 3, 3, 26, NULL);
	worksheet_set_column(ws, 4, 4, 20, NULL);
	worksheet_set_column(ws, 5, 5, 16, NULL);
	lxw_row_t r = 1;
	for (int m = 0; m < M_COUNT; m++) {
		const struct tally_metric_info *mi = tally_metric(m);
		for (int d = 0; d < 2 && mi->dim[d].name; d++)
			for (unsigned k = 0; k < mi->dim[d].desc->n_values; k++) {
				int val = mi->dim[d].desc->values[k].value;
				struct figures_sel sel = figures_sel_all(m, b->in->year);
				sel.dim[d] = val;
				int64_t v = figures_sum(b->in->fig, &sel);
				if (val == 0 && !v)
					continue; /* "not stated" only when it happens */
				worksheet_write_string(ws, r, 0, mi->name, NULL);
				worksheet_write_string(ws, r, 1, labels_metric(m, b->in->lang), NULL);
				worksheet_write_string(ws, r, 2, mi->dim[d].name, NULL);
				worksheet_write_string(ws, r, 3, tally_dim_label(m, d, val), NULL);
				worksheet_write_string(ws, r, 4, labels_dim_value(m, d, val, b->in->lang),
						       NULL);
				figure(b, ws, r, 5, m, v);
				r++;
			}
	}
}

/* A cell of the monthly form: a plain number as a number, an amount ("1234.50") in yuan. */
static void form_cell(struct book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
		      const char *s, int head)
{
	char *end;
	int digits = *s && (*s >= '0' && *s <= '9');
	double v = digits ? strtod(s, &end) : 0;
	if (head || !digits || *end)
		worksheet_write_string(ws, r, c, s, head ? b->head : NULL);
	else
		worksheet_write_number(ws, r, c, v, strchr(s, '.') ? b->yuan : b->count);
}

static void sheet_monthly(struct book *b)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, pick(b, "月报", "Monthly form"));
	struct doc d;
	doc_init(&d, b->in->lang);
	monthly_doc(b->in->monthly, &d);
	lxw_row_t r = 0, frozen = 0;
	worksheet_set_column(ws, 0, 0, 30, NULL);
	worksheet_set_column(ws, 1, 10, 13, NULL);
	for (size_t i = 0; i < d.n; i++) {
		const struct doc_block *blk = &d.b[i];
		if (blk->kind == DOC_WIDE)
			continue;
		if (blk->kind != DOC_TABLE) {
			if (blk->kind == DOC_HEADING)
				r++;
			worksheet_write_string(ws, r++, 0, blk->text,
					       blk->kind == DOC_LINE || blk->kind == DOC_PARA
						       ? b->text : b->title);
			continue;
		}
		const struct table *t = &blk->table;
		for (size_t tr = 0; tr < t->nrows; tr++, r++)
			for (size_t c = 0; c < t->ncols; c++)
				form_cell(b, ws, r, (lxw_col_t)c, t->cells[tr * t->ncols + c], tr == 0);
		if (!frozen)
			frozen = r - (lxw_row_t)t->nrows + 1; /* the first table's header */
		r++;
	}
	worksheet_freeze_panes(ws, frozen, 1);
	doc_free(&d);
}

/* Reads path whole into out. */
static int slurp(const char *path, struct sbuf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		log_err("workbook: cannot open %s: %s", path, strerror(errno));
		return LT_ESYS;
	}
	char buf[16384];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_put(out, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		log_err("workbook: cannot read %s", path);
		return LT_ESYS;
	}
	return sbuf_status(out);
}

int workbook_render(const struct workbook_input *in, struct sbuf *out)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200];
	snprintf(dir, sizeof(dir), "%s/lawtally-xlsx.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		log_err("workbook: cannot make a directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
			strerror(errno));
		return LT_ESYS;
	}
	snprintf(path, sizeof(path), "%s/book.xlsx", dir);
	lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = dir};
	struct book b = {.in = in, .wb = workbook_new_opt(path, &opt)};
	int rc = 0;
	if (!b.wb) {
		log_err("workbook: cannot start %s", path);
		rmdir(dir);
		return LT_ESYS;
	}
	b.head = workbook_add_format(b.wb);
	format_set_bold(b.head);
	format_set_bg_color(b.head, 0xDDEBF7);
	format_set_border(b.head, LXW_BORDER_THIN);
	format_set_text_wrap(b.head);
	format_set_align(b.head, LXW_ALIGN_CENTER);
	format_set_align(b.head, LXW_ALIGN_VERTICAL_CENTER);
	b.yuan = workbook_add_format(b.wb);
	format_set_num_format(b.yuan, WORKBOOK_YUAN_FORMAT);
	b.count = workbook_add_format(b.wb);
	format_set_num_format(b.count, "0");
	b.title = workbook_add_format(b.wb);
	format_set_bold(b.title);
	format_set_font_size(b.title, 14);
	b.text = workbook_add_format(b.wb);
	lxw_doc_properties props = {.title = (char *)pick(&b, "法治工作统计", "Rule-of-law work"),
				    .author = "lawtally"};
	workbook_set_properties(b.wb, &props);
	sheet_year(&b);
	sheet_month(&b);
	sheet_village(&b);
	sheet_category(&b);
	sheet_monthly(&b);
	lxw_error e = workbook_close(b.wb);
	if (e != LXW_NO_ERROR) {
		log_err("workbook: writing %s: %s", path, lxw_strerror(e));
		rc = LT_ESYS;
	} else {
		rc = slurp(path, out);
	}
	unlink(path);
	rmdir(dir);
	return rc;
}
