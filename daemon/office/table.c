/* table.c - aligned text and Markdown tables (see table.h). */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < 1 ? 1 : ncols > TABLE_COLS_MAX ? TABLE_COLS_MAX : ncols;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	table_init(t, t->ncols);
}

size_t table_row_begin(struct table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, cap * t->ncols, sizeof(*t->cells));
		t->cap = cap;
	}
	for (size_t j = 0; j < t->ncols; j++)
		t->cells[t->nrows * t->ncols + j] = xstrdup("");
	return t->nrows++;
}

void table_cell(struct table *t, size_t row, size_t col, const char *text)
{
	if (row >= t->nrows || col >= t->ncols)
		return;
	char **c = &t->cells[row * t->ncols + col];
	free(*c);
	*c = xstrdup(text);
}

void table_row(struct table *t, const char *const *cells, size_t n)
{
	size_t r = table_row_begin(t);
	for (size_t j = 0; j < n && j < t->ncols; j++)
		table_cell(t, r, j, cells[j] ? cells[j] : "");
}

static int wide(unsigned long cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t table_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;
	while (*p) {
		unsigned long cp;
		int n;
		if (*p < 0x80) {
			cp = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			n = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			n = 3;
		} else {
			cp = *p & 0x07;
			n = 4;
		}
		int i = 1;
		for (; i < n && (p[i] & 0xC0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3F);
		p += i;
		w += wide(cp) ? 2 : 1;
	}
	return w;
}

static void pad(struct sbuf *out, size_t n)
{
	static const char blanks[] = "                                ";
	while (n > 0) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;
		sbuf_put(out, blanks, k);
		n -= k;
	}
}

void table_text(const struct table *t, struct sbuf *out)
{
	size_t w[TABLE_COLS_MAX] = {0}, total = 0;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = table_width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t c = 0; c < t->ncols; c++)
		total += w[c] + (c ? 2 : 0);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			size_t gap = w[c] - table_width(cell);
			if (c)
				pad(out, 2);
			if (c == 0) {
				sbuf_puts(out, cell);
				if (t->ncols > 1)
					pad(out, gap);
			} else {
				pad(out, gap);
				sbuf_puts(out, cell);
			}
		}
		sbuf_put(out, "\n", 1);
		if (r == 0) {
			for (size_t i = 0; i < total; i++)
				sbuf_put(out, "-", 1);
			sbuf_put(out, "\n", 1);
		}
	}
}

static void md_cell(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			sbuf_put(out, "\\|", 2);
		else if (*s == '\n')
			sbuf_put(out, " ", 1);
		else
			sbuf_put(out, s, 1);
	}
}

void table_markdown(const struct table *t, struct sbuf *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_puts(out, "|");
		for (size_t c = 0; c < t->ncols; c++) {
			sbuf_puts(out, " ");
			md_cell(out, t->cells[r * t->ncols + c]);
			sbuf_puts(out, " |");
		}
		sbuf_puts(out, "\n");
		if (r == 0) {
			sbuf_puts(out, "|");
			for (size_t c = 0; c < t->ncols; c++)
				sbuf_puts(out, c ? " ---: |" : " --- |");
			sbuf_puts(out, "\n");
		}
	}
}
