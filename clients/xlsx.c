/*
 * xlsx.c - an Excel workbook's cells as text (see xlsx.h): libzip opens
 * the zip from memory, each part is unpacked in chunks into expat, and the
 * handlers keep what a ledger needs.
 */
#include "xlsx.h"

#include <expat.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "calendar.h"
#include "err.h"
#include "i18n.h"
#include "xalloc.h"

#define CHUNK 65536
#define ROW_LIMIT 1048576   /* Excel's */
#define COL_LIMIT 16384     /* Excel's */
#define NAME_MAX_BYTES 256  /* a sheet's name or a part's path */
#define SHARED_BIT 0x80000000u

/* Growing bytes, bounded. */
struct buf {
	char *p;
	size_t len, cap;
};

struct cell {
	uint32_t col;
	uint32_t text; /* offset in x->text, or SHARED_BIT | index of a shared string */
};

struct row {
	uint32_t line;
	uint32_t first, n; /* its cells: x->cells[first .. first + n) */
};

struct sheet {
	char name[NAME_MAX_BYTES];
	char rid[64];
	int hidden;
};

struct xlsx {
	zip_t *za;
	zip_source_t *src;
	int date1904;
	struct sheet *sheets;
	size_t nsheets;
	char target[NAME_MAX_BYTES]; /* the chosen sheet's part */
	const char *sheet_name;
	/* shared strings: offsets into strings */
	struct buf strings;
	uint32_t *shared;
	size_t nshared, capshared;
	/* styles: 1 for each cell format (xf) whose number format is a date */
	unsigned char *xf_date;
	size_t nxf, capxf;
	uint32_t *date_fmts; /* custom number formats that are dates */
	size_t ndate_fmts, capdate_fmts;
	/* the sheet */
	struct buf text;
	struct cell *cells;
	size_t ncells, capcells;
	struct row *rows;
	size_t nrows, caprows;
	size_t dropped;
	size_t next;
	char empty[1];
	char *field[CSV_FIELDS_MAX];
};

/* ---- small helpers ---- */

/* Appends n bytes; -1 past max. */
static int buf_add(struct buf *b, const char *s, size_t n, size_t max)
{
	if (n > max || b->len > max - n)
		return -1;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* Makes room for one more element of an array; -1 at max elements. */
static int grow(void **p, size_t *cap, size_t n, size_t size, size_t max)
{
	if (n >= max)
		return -1;
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	if (c > max)
		c = max;
	*p = xreallocarray(*p, c, size);
	*cap = c;
	return 0;
}

/* The name without its namespace ("uri|c" -> "c"): the parser is namespace-aware. */
static const char *local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(local(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

/* A decimal number 0..max; -1 if s is not one. */
static long long number(const char *s, long long max)
{
	long long v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* A cell reference "AB12" into 0-based column and 1-based row; -1 if it is not one. */
static int cell_ref(const char *r, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0;
	size_t i = 0;
	for (; r[i] >= 'A' && r[i] <= 'Z'; i++) {
		c = c * 26 + (uint32_t)(r[i] - 'A' + 1);
		if (c > COL_LIMIT)
			return -1;
	}
	long long n = number(r + i, ROW_LIMIT);
	if (i == 0 || n < 1)
		return -1;
	*col = c - 1;
	*row = (uint32_t)n;
	return 0;
}

/* ---- parsing one part ---- */

enum part { P_WORKBOOK, P_RELS, P_STRINGS, P_STYLES, P_SHEET };

struct parse {
	struct xlsx *x;
	XML_Parser p;
	enum part part;
	const char *name;   /* the part's path, for messages */
	char *err;
	size_t errlen;
	int failed;
	const char *want_rid; /* P_RELS: the relationship to resolve */
	int in_text;        /* inside <t> or <v>: text is collected */
	int in_phonetic;    /* inside <rPh>: never collected */
	int in_numfmts, in_cellxfs, in_sheetdata;
	struct buf cur;     /* the text being collected */
	/* P_SHEET: the row and the cell being read */
	uint32_t row, next_col, col;
	int in_cell, have_value;
	char type[12];
	long long style;
};

/* Stops the parse with err = "PART: " + the message (fmt has one %s for what). */
static void fail(struct parse *ps, const char *fmt, const char *what)
{
	if (!ps->failed) {
		int n = snprintf(ps->err, ps->errlen, "%s: ", ps->name);
		if (n >= 0 && (size_t)n < ps->errlen)
			snprintf(ps->err + n, ps->errlen - (size_t)n, fmt, what ? what : "");
		ps->failed = 1;
	}
	XML_StopParser(ps->p, XML_FALSE);
}

static void on_text(void *arg, const XML_Char *s, int len)
{
	struct parse *ps = arg;
	if (!ps->in_text || ps->in_phonetic || ps->failed)
		return;
	if (buf_add(&ps->cur, s, (size_t)len, XLSX_CELL_MAX))
		fail(ps, _("a cell's text is longer than 128 KiB%s"), NULL);
}

/* Entities are where XML's expansion bombs live; a workbook never declares any. */
static void on_doctype(void *arg, const XML_Char *name, const XML_Char *sys, const XML_Char *pub,
		       int internal)
{
	(void)name, (void)sys, (void)pub, (void)internal;
	fail(arg, _("a document type declaration, which no workbook has; refused%s"), NULL);
}

/* 1 if a custom number format shows a date or time: y m d h s outside quotes and [...]. */
static int date_code(const char *code)
{
	int quoted = 0, bracket = 0;
	for (const char *c = code; *c; c++) {
		if (!quoted && *c == '\\' && c[1]) {
			c++;
		} else if (*c == '"') {
			quoted = !quoted;
		} else if (!quoted && *c == '[') {
			bracket = 1;
		} else if (!quoted && *c == ']') {
			bracket = 0;
		} else if (!quoted && !bracket && strchr("yYmMdDhHsS", *c)) {
			return 1;
		}
	}
	return 0;
}

/* Excel's built-in number formats that show dates or times (the Chinese ones included). */
static int date_builtin(long long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

static void start_workbook(struct parse *ps, const char *el, const char **atts)
{
	struct xlsx *x = ps->x;
	if (strcmp(el, "workbookPr") == 0) {
		const char *d = attr(atts, "date1904");
		x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
		return;
	}
	if (strcmp(el, "sheet") != 0)
		return;
	const char *name = attr(atts, "name"), *rid = attr(atts, "id"), *state = attr(atts, "state");
	if (!name || !rid)
		return;
	if (x->nsheets == XLSX_SHEETS_MAX) {
		fail(ps, _("more than 256 sheets%s"), NULL);
		return;
	}
	x->sheets = xreallocarray(x->sheets, x->nsheets + 1, sizeof(*x->sheets));
	struct sheet *sh = &x->sheets[x->nsheets++];
	snprintf(sh->name, sizeof(sh->name), "%s", name);
	snprintf(sh->rid, sizeof(sh->rid), "%s", rid);
	sh->hidden = state && strcmp(state, "visible") != 0;
}

static void start_rels(struct parse *ps, const char *el, const char **atts)
{
	struct xlsx *x = ps->x;
	if (strcmp(el, "Relationship") != 0 || x->target[0])
		return;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
	if (!id || !target || strcmp(id, ps->want_rid) != 0)
		return;
	/* relative to xl/, or absolute from the package's root */
	int n = target[0] == '/' ? snprintf(x->target, sizeof(x->target), "%s", target + 1)
				 : snprintf(x->target, sizeof(x->target), "xl/%s", target);
	if (n < 0 || (size_t)n >= sizeof(x->target))
		fail(ps, _("a sheet's path longer than 255 bytes%s"), NULL);
}

static void start_strings(struct parse *ps, const char *el)
{
	if (strcmp(el, "si") == 0)
		ps->cur.len = 0;
	else if (strcmp(el, "t") == 0)
		ps->in_text = 1;
	else if (strcmp(el, "rPh") == 0)
		ps->in_phonetic = 1;
}

static void end_strings(struct parse *ps, const char *el)
{
	struct xlsx *x = ps->x;
	if (strcmp(el, "t") == 0) {
		ps->in_text = 0;
	} else if (strcmp(el, "rPh") == 0) {
		ps->in_phonetic = 0;
	} else if (strcmp(el, "si") == 0) {
		if (grow((void **)&x->shared, &x->capshared, x->nshared, sizeof(*x->shared),
			 XLSX_SHARED_MAX)) {
			fail(ps, _("more than 1000000 strings%s"), NULL);
			return;
		}
		x->shared[x->nshared++] = (uint32_t)x->strings.len;
		if (buf_add(&x->strings, ps->cur.p, ps->cur.len, XLSX_TEXT_MAX) ||
		    buf_add(&x->strings, "", 1, XLSX_TEXT_MAX))
			fail(ps, _("more than 64 MiB of text%s"), NULL);
		ps->cur.len = 0;
	}
}

static void start_styles(struct parse *ps, const char *el, const char **atts)
{
	struct xlsx *x = ps->x;
	if (strcmp(el, "numFmts") == 0) {
		ps->in_numfmts = 1;
	} else if (strcmp(el, "cellXfs") == 0) {
		ps->in_cellxfs = 1;
	} else if (ps->in_numfmts && strcmp(el, "numFmt") == 0) {
		long long id = number(attr(atts, "numFmtId"), 1000000);
		const char *code = attr(atts, "formatCode");
		if (id < 0 || !code || !date_code(code))
			return;
		if (grow((void **)&x->date_fmts, &x->capdate_fmts, x->ndate_fmts,
			 sizeof(*x->date_fmts), 65536)) {
			fail(ps, _("more than 65536 number formats%s"), NULL);
			return;
		}
		x->date_fmts[x->ndate_fmts++] = (uint32_t)id;
	} else if (ps->in_cellxfs && strcmp(el, "xf") == 0) {
		long long id = number(attr(atts, "numFmtId"), 1000000);
		int date = date_builtin(id);
		for (size_t i = 0; !date && id >= 0 && i < x->ndate_fmts; i++)
			date = x->date_fmts[i] == (uint32_t)id;
		if (grow((void **)&x->xf_date, &x->capxf, x->nxf, 1, 65536)) {
			fail(ps, _("more than 65536 cell formats%s"), NULL);
			return;
		}
		x->xf_date[x->nxf++] = (unsigned char)date;
	}
}

static void end_styles(struct parse *ps, const char *el)
{
	if (strcmp(el, "numFmts") == 0)
		ps->in_numfmts = 0;
	else if (strcmp(el, "cellXfs") == 0)
		ps->in_cellxfs = 0;
}

static void start_sheet(struct parse *ps, const char *el, const char **atts)
{
	if (strcmp(el, "sheetData") == 0) {
		ps->in_sheetdata = 1;
		return;
	}
	if (!ps->in_sheetdata)
		return;
	if (strcmp(el, "row") == 0) {
		const char *r = attr(atts, "r");
		long long n = r ? number(r, ROW_LIMIT) : (long long)ps->row + 1;
		if (n < 1 || n > ROW_LIMIT) {
			fail(ps, _("row \"%s\": not a row number of Excel"), r ? r : "");
			return;
		}
		ps->row = (uint32_t)n;
		ps->next_col = 0;
	} else if (strcmp(el, "c") == 0) {
		const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
		uint32_t col = ps->next_col, row = ps->row ? ps->row : 1;
		if (r && cell_ref(r, &col, &row)) {
			fail(ps, _("\"%s\" is not a cell reference"), r);
			return;
		}
		if (col >= COL_LIMIT) {
			fail(ps, _("a cell right of column XFD%s"), NULL);
			return;
		}
		ps->row = row;
		ps->col = col;
		ps->next_col = col + 1;
		ps->in_cell = 1;
		ps->have_value = 0;
		ps->cur.len = 0;
		snprintf(ps->type, sizeof(ps->type), "%s", t ? t : "n");
		ps->style = s ? number(s, 65535) : 0;
	} else if (ps->in_cell && (strcmp(el, "v") == 0 || strcmp(el, "t") == 0)) {
		ps->in_text = 1;
		ps->have_value = 1;
	} else if (ps->in_cell && strcmp(el, "rPh") == 0) {
		ps->in_phonetic = 1;
	}
}

/* Serial day number v of a date cell as "YYYY-MM-DD[ HH:MM:SS]" into out; -1 if out of range. */
static int serial_date(const struct xlsx *x, double v, char *out, size_t cap)
{
	if (!(v >= 0 && v < 2958466)) /* up to 9999-12-31 */
		return -1;
	double whole = floor(v);
	long secs = lround((v - whole) * 86400.0);
	int64_t serial = (int64_t)whole, days;
	if (secs >= 86400) {
		serial++;
		secs -= 86400;
	}
	if (x->date1904)
		days = serial - 24107; /* 1904-01-01 is serial 0 */
	else if (serial == 60)
		return -1; /* 1900-02-29, a day that never was: Excel's bug, Lotus's before */
	else
		days = serial > 60 ? serial - 25569 : serial - 25568;
	int64_t y;
	int m, d;
	cal_civil_from_days(days, &y, &m, &d);
	if (secs == 0)
		snprintf(out, cap, "%04lld-%02d-%02d", (long long)y, m, d);
	else
		snprintf(out, cap, "%04lld-%02d-%02d %02ld:%02ld:%02ld", (long long)y, m, d,
			 secs / 3600, secs / 60 % 60, secs % 60);
	return 0;
}

/*
 * The cell's value as text in ps->cur (a NUL added), or a shared string's
 * index in *shared; 0, or -1 with the parse failed.
 */
static int cell_text(struct parse *ps, long long *shared)
{
	struct xlsx *x = ps->x;
	char tmp[64];
	*shared = -1;
	if (buf_add(&ps->cur, "", 1, XLSX_CELL_MAX + 1))
		return -1;
	const char *v = ps->cur.p;
	if (strcmp(ps->type, "s") == 0) {
		long long i = number(v, XLSX_SHARED_MAX);
		if (i < 0 || (size_t)i >= x->nshared) {
			fail(ps, _("a cell names shared string \"%s\", which is not there"), v);
			return -1;
		}
		*shared = i;
		return 0;
	}
	if (strcmp(ps->type, "b") == 0) {
		snprintf(tmp, sizeof(tmp), "%s", strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
	} else if (strcmp(ps->type, "d") == 0) {
		/* an ISO 8601 date cell: "2024-03-05T00:00:00" reads as the day */
		size_t n = strlen(v);
		if (n == 19 && strcmp(v + 10, "T00:00:00") == 0)
			ps->cur.p[10] = '\0';
		return 0;
	} else if (strcmp(ps->type, "n") == 0 && v[0]) {
		char *end;
		double d = strtod(v, &end);
		if (*end || !isfinite(d))
			return 0; /* not a number after all: the text as it is */
		if (ps->style >= 0 && (size_t)ps->style < x->nxf && x->xf_date[ps->style] &&
		    serial_date(x, d, tmp, sizeof(tmp)) == 0)
			; /* a date */
		else
			snprintf(tmp, sizeof(tmp), "%.15g", d);
	} else {
		return 0; /* str, inlineStr, e: the text as written */
	}
	ps->cur.len = 0;
	return buf_add(&ps->cur, tmp, strlen(tmp) + 1, XLSX_CELL_MAX + 1);
}

/* Keeps the cell just read in x->cells, in its row. */
static void keep_cell(struct parse *ps)
{
	struct xlsx *x = ps->x;
	long long shared;
	if (cell_text(ps, &shared))
		return;
	if (shared < 0 && ps->cur.p[0] == '\0')
		return; /* an empty string is no value */
	if (ps->col >= CSV_FIELDS_MAX) {
		x->dropped++;
		return;
	}
	struct row *r = x->nrows ? &x->rows[x->nrows - 1] : NULL;
	if (!r || r->line != ps->row) {
		if (grow((void **)&x->rows, &x->caprows, x->nrows, sizeof(*x->rows), XLSX_ROWS_MAX)) {
			fail(ps, _("more than 200000 rows with values%s"), NULL);
			return;
		}
		r = &x->rows[x->nrows++];
		*r = (struct row){ps->row, (uint32_t)x->ncells, 0};
	}
	if (grow((void **)&x->cells, &x->capcells, x->ncells, sizeof(*x->cells), XLSX_CELLS_MAX)) {
		fail(ps, _("more than 4194304 cells with values%s"), NULL);
		return;
	}
	uint32_t text = (uint32_t)x->text.len;
	if (shared >= 0)
		text = SHARED_BIT | (uint32_t)shared;
	else if (buf_add(&x->text, ps->cur.p, strlen(ps->cur.p) + 1, XLSX_TEXT_MAX)) {
		fail(ps, _("more than 64 MiB of text%s"), NULL);
		return;
	}
	x->cells[x->ncells++] = (struct cell){ps->col, text};
	r->n++;
}

static void end_sheet(struct parse *ps, const char *el)
{
	if (strcmp(el, "sheetData") == 0) {
		ps->in_sheetdata = 0;
	} else if (!ps->in_cell) {
		return;
	} else if (strcmp(el, "v") == 0 || strcmp(el, "t") == 0) {
		ps->in_text = 0;
	} else if (strcmp(el, "rPh") == 0) {
		ps->in_phonetic = 0;
	} else if (strcmp(el, "c") == 0) {
		ps->in_cell = 0;
		ps->in_text = 0;
		if (ps->have_value)
			keep_cell(ps);
	}
}

static void on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = arg;
	const char *el = local(name);
	if (ps->failed)
		return;
	switch (ps->part) {
	case P_WORKBOOK: start_workbook(ps, el, atts); break;
	case P_RELS: start_rels(ps, el, atts); break;
	case P_STRINGS: start_strings(ps, el); break;
	case P_STYLES: start_styles(ps, el, atts); break;
	case P_SHEET: start_sheet(ps, el, atts); break;
	}
}

static void on_end(void *arg, const XML_Char *name)
{
	struct parse *ps = arg;
	const char *el = local(name);
	if (ps->failed)
		return;
	if (ps->part == P_STRINGS)
		end_strings(ps, el);
	else if (ps->part == P_STYLES)
		end_styles(ps, el);
	else if (ps->part == P_SHEET)
		end_sheet(ps, el);
}

/*
 * Unpacks the part at path (required or not) into the handlers of part,
 * at most max bytes. Returns 0 (also for a missing part that is not
 * required), or LT_EINVAL with err set.
 */
static int parse_part(struct xlsx *x, const char *path, enum part part, size_t max, int required,
		      const char *want_rid, char *err, size_t errlen)
{
	zip_int64_t i = zip_name_locate(x->za, path, 0);
	if (i < 0)
		i = zip_name_locate(x->za, path, ZIP_FL_NOCASE);
	if (i < 0) {
		if (!required)
			return 0;
		snprintf(err, errlen, _("not an Excel workbook: no %s in it"), path);
		return LT_EINVAL;
	}
	zip_file_t *zf = zip_fopen_index(x->za, (zip_uint64_t)i, 0);
	if (!zf) {
		zip_error_t *ze = zip_get_error(x->za);
		int code = zip_error_code_zip(ze);
		if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_WRONGPASSWD)
			snprintf(err, errlen, _("%s is encrypted: save the workbook without a password"),
				 path);
		else
			snprintf(err, errlen, "%s: %s", path, zip_error_strerror(ze));
		return LT_EINVAL;
	}
	struct parse ps = {.x = x, .part = part, .name = path, .err = err, .errlen = errlen,
			   .want_rid = want_rid};
	ps.p = XML_ParserCreateNS(NULL, '|');
	XML_SetUserData(ps.p, &ps);
	XML_SetElementHandler(ps.p, on_start, on_end);
	XML_SetCharacterDataHandler(ps.p, on_text);
	XML_SetStartDoctypeDeclHandler(ps.p, on_doctype);
	char *chunk = xmalloc(CHUNK);
	size_t total = 0;
	int rc = 0;
	for (;;) {
		zip_int64_t n = zip_fread(zf, chunk, CHUNK);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, zip_error_strerror(zip_file_get_error(zf)));
			rc = LT_EINVAL;
			break;
		}
		total += (size_t)n;
		if (total > max) {
			snprintf(err, errlen,
				 _("%s unpacks to more than %zu MiB; refused (a damaged file or a zip bomb)"),
				 path, max >> 20);
			rc = LT_EINVAL;
			break;
		}
		if (XML_Parse(ps.p, chunk, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (!ps.failed)
				snprintf(err, errlen, _("%s: line %lu: %s"), path,
					 (unsigned long)XML_GetCurrentLineNumber(ps.p),
					 XML_ErrorString(XML_GetErrorCode(ps.p)));
			rc = LT_EINVAL;
			break;
		}
		if (n == 0)
			break;
	}
	free(chunk);
	free(ps.cur.p);
	XML_ParserFree(ps.p);
	zip_fclose(zf);
	return rc;
}

/* ---- the workbook ---- */

int xlsx_looks_like(const void *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

/* Which sheet: by name, else by its place (1-based), else the first not hidden. */
static const struct sheet *pick_sheet(const struct xlsx *x, const char *want)
{
	if (!want) {
		for (size_t i = 0; i < x->nsheets; i++)
			if (!x->sheets[i].hidden)
				return &x->sheets[i];
		return x->nsheets ? &x->sheets[0] : NULL;
	}
	for (size_t i = 0; i < x->nsheets; i++)
		if (strcmp(x->sheets[i].name, want) == 0)
			return &x->sheets[i];
	long long n = number(want, XLSX_SHEETS_MAX);
	return n >= 1 && (size_t)n <= x->nsheets ? &x->sheets[n - 1] : NULL;
}

static void no_sheet(const struct xlsx *x, const char *want, char *err, size_t errlen)
{
	size_t o = (size_t)snprintf(err, errlen, _("no sheet \"%s\" in the workbook (its sheets: "),
				    want ? want : "");
	for (size_t i = 0; i < x->nsheets && o < errlen; i++)
		o += (size_t)snprintf(err + o, errlen - o, "%s%s", i ? ", " : "", x->sheets[i].name);
	if (o < errlen)
		snprintf(err + o, errlen - o, ")");
}

int xlsx_open(struct xlsx **out, const void *data, size_t len, const char *sheet, char *err,
	      size_t errlen)
{
	zip_error_t ze;
	*out = NULL;
	err[0] = '\0';
	if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0) {
		snprintf(err, errlen, _("an Excel 97-2003 .xls or a workbook with a password: "
				      "save it as an Excel workbook (.xlsx) without a password"));
		return LT_EINVAL;
	}
	if (!xlsx_looks_like(data, len)) {
		snprintf(err, errlen, _("not an Excel workbook (.xlsx is a zip file; this is not one)"));
		return LT_EINVAL;
	}
	if (len > XLSX_FILE_MAX) {
		snprintf(err, errlen, _("larger than 64 MiB"));
		return LT_EINVAL;
	}
	struct xlsx *x = xcalloc(1, sizeof(*x));
	zip_error_init(&ze);
	x->src = zip_source_buffer_create(data, len, 0, &ze);
	if (x->src)
		x->za = zip_open_from_source(x->src, ZIP_RDONLY, &ze);
	if (!x->za) {
		snprintf(err, errlen, _("not a readable zip file: %s"), zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (x->src)
			zip_source_free(x->src);
		x->src = NULL;
		xlsx_close(&x);
		return LT_EINVAL;
	}
	zip_error_fini(&ze);
	int rc = parse_part(x, "xl/workbook.xml", P_WORKBOOK, XLSX_PART_MAX, 1, NULL, err, errlen);
	const struct sheet *sh = NULL;
	if (rc == 0 && !(sh = pick_sheet(x, sheet))) {
		if (x->nsheets)
			no_sheet(x, sheet, err, errlen);
		else
			snprintf(err, errlen, _("xl/workbook.xml lists no sheet"));
		rc = LT_EINVAL;
	}
	if (rc == 0)
		rc = parse_part(x, "xl/_rels/workbook.xml.rels", P_RELS, XLSX_PART_MAX, 1, sh->rid,
				err, errlen);
	if (rc == 0 && !x->target[0]) {
		snprintf(err, errlen, _("xl/_rels/workbook.xml.rels: no part for sheet \"%s\""), sh->name);
		rc = LT_EINVAL;
	}
	if (rc == 0)
		rc = parse_part(x, "xl/sharedStrings.xml", P_STRINGS, XLSX_STRINGS_MAX, 0, NULL, err,
				errlen);
	if (rc == 0)
		rc = parse_part(x, "xl/styles.xml", P_STYLES, XLSX_PART_MAX, 0, NULL, err, errlen);
	if (rc == 0)
		rc = parse_part(x, x->target, P_SHEET, XLSX_SHEET_MAX, 1, NULL, err, errlen);
	if (rc) {
		xlsx_close(&x);
		return rc;
	}
	x->sheet_name = sh->name;
	*out = x;
	return 0;
}

void xlsx_close(struct xlsx **xp)
{
	struct xlsx *x = *xp;
	if (!x)
		return;
	if (x->za)
		zip_discard(x->za); /* frees the source too */
	free(x->sheets);
	free(x->strings.p);
	free(x->shared);
	free(x->xf_date);
	free(x->date_fmts);
	free(x->text.p);
	free(x->cells);
	free(x->rows);
	free(x);
	*xp = NULL;
}

int xlsx_next(struct xlsx *x, struct csv_record *rec)
{
	if (x->next >= x->nrows)
		return 0;
	const struct row *r = &x->rows[x->next++];
	size_t n = 1;
	for (uint32_t i = 0; i < r->n; i++)
		if (x->cells[r->first + i].col + 1 > n)
			n = x->cells[r->first + i].col + 1;
	for (size_t i = 0; i < n; i++)
		x->field[i] = x->empty;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct cell *c = &x->cells[r->first + i];
		x->field[c->col] = c->text & SHARED_BIT
					   ? x->strings.p + x->shared[c->text & ~SHARED_BIT]
					   : x->text.p + c->text;
	}
	rec->line = r->line;
	rec->n = n;
	rec->field = x->field;
	return 1;
}

const char *xlsx_sheet_name(const struct xlsx *x)
{
	return x->sheet_name;
}

size_t xlsx_cells_dropped(const struct xlsx *x)
{
	return x->dropped;
}
