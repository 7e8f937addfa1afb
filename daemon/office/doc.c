/*
 * doc.c - an office document as blocks, and its HTML page (see doc.h).
 *
 * The page follows GB/T 9704 (the layout of Party and government
 * documents): A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
 * the title in 2号 (22 pt) 小标宋, centred; the body in 3号 (16 pt) 仿宋,
 * about 22 lines a page, each paragraph indented two characters; headings
 * of the first level in 黑体; page numbers in 4号 (14 pt) with a dash on
 * each side, odd pages right, even pages left. The fonts named there are
 * rarely installed on a township PC running Debian, so each has fallbacks
 * to the CJK fonts Debian ships (Noto CJK, AR PL UMing / UKai, WenQuanYi).
 */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void grow(struct doc *d)
{
	if (d->n < d->cap)
		return;
	d->cap = d->cap ? d->cap * 2 : 32;
	d->b = xreallocarray(d->b, d->cap, sizeof(*d->b));
}


void doc_init(struct doc *d, enum lang lang)
{
	memset(d, 0, sizeof(*d));
	d->lang = lang;
}

void doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->b[i].text);
		if (d->b[i].kind == DOC_TABLE)
			table_free(&d->b[i].table);
	}
	free(d->b);
	memset(d, 0, sizeof(*d));
}

void doc_add(struct doc *d, enum doc_kind kind, const char *text)
{
	grow(d);
	struct doc_block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if (kind != DOC_WIDE && kind != DOC_TABLE)
		b->text = xstrdup(text ? text : "");
}

void doc_add_lines(struct doc *d, enum doc_kind kind, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		if (n) {
			grow(d);
			struct doc_block *b = &d->b[d->n++];
			memset(b, 0, sizeof(*b));
			b->kind = kind;
			b->text = xstrndup(text, n);
		}
		text += n + (nl != NULL);
	}
}

void doc_add_table(struct doc *d, struct table *t)
{
	grow(d);
	struct doc_block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = DOC_TABLE;
	b->table = *t;
	memset(t, 0, sizeof(*t));
}

const char *doc_title(const struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->b[i].kind == DOC_TITLE)
			return d->b[i].text;
	return "";
}

void doc_escape(struct sbuf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': sbuf_puts(out, "&amp;"); break;
		case '<': sbuf_puts(out, "&lt;"); break;
		case '>': sbuf_puts(out, "&gt;"); break;
		case '"': sbuf_puts(out, "&quot;"); break;
		default: sbuf_put(out, p, 1);
		}
	}
}

/* ---- text ------------------------------------------------------------------ */

/* Ends out with exactly one empty line, unless nothing is written yet. */
static void blank(struct sbuf *out)
{
	if (out->len && !(out->len >= 2 && out->p[out->len - 1] == '\n' && out->p[out->len - 2] == '\n'))
		sbuf_puts(out, "\n");
}

int doc_plain(const struct doc *d, int markdown, struct sbuf *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_block *b = &d->b[i];
		switch (b->kind) {
		case DOC_TITLE:
		case DOC_HEADING:
			blank(out);
			sbuf_printf(out, "%s%s\n", markdown ? "## " : "", b->text);
			if (markdown)
				sbuf_puts(out, "\n");
			break;
		case DOC_PARA:
		case DOC_LINE: sbuf_printf(out, "%s\n%s", b->text, markdown ? "\n" : ""); break;
		case DOC_TABLE:
			blank(out);
			(markdown ? table_markdown : table_text)(&b->table, out);
			sbuf_puts(out, "\n");
			break;
		case DOC_WIDE: break;
		}
	}
	return sbuf_status(out);
}

/* ---- HTML ------------------------------------------------------------------ */

#define FONT_TITLE "\"FZXiaoBiaoSong-B05S\", \"方正小标宋简体\", \"Noto Serif CJK SC\", " \
	"\"Source Han Serif SC\", \"SimSun\", \"AR PL UMing CN\", serif"
#define FONT_BODY "\"FangSong\", \"仿宋_GB2312\", \"仿宋\", \"STFangsong\", \"Noto Serif CJK SC\", " \
	"\"Source Han Serif SC\", \"AR PL UMing CN\", serif"
#define FONT_HEADING "\"SimHei\", \"黑体\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", " \
	"\"WenQuanYi Micro Hei\", sans-serif"
#define FONT_PAGENO "\"SimSun\", \"宋体\", \"Noto Serif CJK SC\", \"AR PL UMing CN\", serif"

static const char style[] =
	"@page { size: A4; margin: 37mm 26mm 35mm 28mm; }\n"
	"@page wide { size: A4 landscape; margin: 20mm 20mm 22mm 20mm; }\n"
	"@page :right { @bottom-right { content: \"— \" counter(page) \" —\"; "
	"font: 14pt " FONT_PAGENO "; margin-right: 1em; } }\n"
	"@page :left { @bottom-left { content: \"— \" counter(page) \" —\"; "
	"font: 14pt " FONT_PAGENO "; margin-left: 1em; } }\n"
	"html { color: #000; background: #fff; }\n"
	"body { margin: 0; font: 16pt/28.9pt " FONT_BODY "; }\n"
	"h1 { font: 22pt/1.5 " FONT_TITLE "; text-align: center; margin: 0 0 28.9pt; }\n"
	"h2 { font: 16pt/28.9pt " FONT_HEADING "; margin: 0; }\n"
	"p { margin: 0; text-indent: 2em; text-align: justify; overflow-wrap: anywhere; }\n"
	"p.line { text-indent: 0; }\n"
	".wide { page: wide; break-before: page; font-size: 10.5pt; line-height: 1.6; }\n"
	".wide h2 { font-size: 14pt; line-height: 2; break-after: avoid; }\n"
	"table { border-collapse: collapse; margin: 4pt 0 12pt; font-size: 8pt; line-height: 1.35; "
	"font-variant-numeric: tabular-nums; }\n"
	"th, td { border: 0.5pt solid #000; padding: 1.5pt 3pt; text-align: right; "
	"white-space: nowrap; }\n"
	"th { font-family: " FONT_HEADING "; font-weight: normal; text-align: center; "
	"white-space: normal; }\n"
	"th:first-child, td:first-child { text-align: left; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; }\n"
	"@media screen {\n"
	"  html { background: #e8e8e8; }\n"
	"  body { width: 156mm; margin: 12mm auto; padding: 37mm 26mm 35mm 28mm; "
	"background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.3); }\n"
	"  .wide { margin: 20mm -10mm 0; }\n"
	"}\n";

static void html_table(const struct table *t, struct sbuf *out)
{
	sbuf_puts(out, "<table>\n<thead><tr>");
	for (size_t c = 0; c < t->ncols; c++) {
		sbuf_puts(out, "<th>");
		doc_escape(out, t->cells[c] ? t->cells[c] : "");
		sbuf_puts(out, "</th>");
	}
	sbuf_puts(out, "</tr></thead>\n<tbody>\n");
	for (size_t r = 1; r < t->nrows; r++) {
		sbuf_puts(out, "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			sbuf_puts(out, "<td>");
			doc_escape(out, cell ? cell : "");
			sbuf_puts(out, "</td>");
		}
		sbuf_puts(out, "</tr>\n");
	}
	sbuf_puts(out, "</tbody>\n</table>\n");
}

int doc_html(const struct doc *d, struct sbuf *out)
{
	sbuf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<title>",
		    d->lang == LANG_EN ? "en" : "zh-CN");
	doc_escape(out, doc_title(d));
	sbuf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	int wide = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_block *b = &d->b[i];
		switch (b->kind) {
		case DOC_TITLE: sbuf_puts(out, "<h1>"); break;
		case DOC_HEADING: sbuf_puts(out, "<h2>"); break;
		case DOC_PARA: sbuf_puts(out, "<p>"); break;
		case DOC_LINE: sbuf_puts(out, "<p class=\"line\">"); break;
		case DOC_TABLE: html_table(&b->table, out); continue;
		case DOC_WIDE:
			sbuf_puts(out, wide ? "</div>\n<div class=\"wide\">\n" : "<div class=\"wide\">\n");
			wide = 1;
			continue;
		}
		doc_escape(out, b->text);
		sbuf_puts(out, b->kind == DOC_TITLE ? "</h1>\n" : b->kind == DOC_HEADING ? "</h2>\n"
											 : "</p>\n");
	}
	sbuf_puts(out, wide ? "</div>\n</body>\n</html>\n" : "</body>\n</html>\n");
	return sbuf_status(out);
}
