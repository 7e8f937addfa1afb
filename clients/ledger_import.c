/*
 * ledger_import.c - a ledger file, read by the reader its format needs,
 * into rows of events with each row's outcome (see ledger_import.h).
 */
#include "ledger_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "i18n.h"
#include "validate.h"
#include "villages.h"
#include "words.h"
#include "xalloc.h"
#include "xlsx.h"

#define HEADER_NAME_MAX 64

/* One reader over either kind of file. */
struct reader {
	struct xlsx *x;
	struct csv_reader *csv;
	char *text;
	size_t len;
};

/* 1 with a record, 0 at the end, LT_EINVAL for a malformed record (err says where). */
static int reader_next(struct reader *rd, struct csv_record *rec, char *err, size_t errlen)
{
	if (rd->x)
		return xlsx_next(rd->x, rec);
	return csv_next(rd->csv, rec, err, errlen);
}

static void reader_close(struct reader *rd)
{
	xlsx_close(&rd->x);
	csv_close(&rd->csv);
	free(rd->text);
	rd->text = NULL;
}

enum ledger_format ledger_format_of_name(const char *name)
{
	static const struct {
		const char *ext;
		enum ledger_format f;
	} exts[] = {
		{".xlsx", LEDGER_FORMAT_XLSX}, {".xlsm", LEDGER_FORMAT_XLSX}, {".xls", LEDGER_FORMAT_XLSX},
		{".csv", LEDGER_FORMAT_TEXT},  {".txt", LEDGER_FORMAT_TEXT},  {".tsv", LEDGER_FORMAT_TEXT},
	};
	const char *dot = name ? strrchr(name, '.') : NULL;
	for (size_t i = 0; dot && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].f;
	return LEDGER_FORMAT_AUTO;
}

static int is_workbook(const void *data, size_t len)
{
	return xlsx_looks_like(data, len) || (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0);
}

static int reader_open(struct reader *rd, struct ledger_import *im, const void *data, size_t len,
		       const struct ledger_import_opts *o, char *err, size_t errlen)
{
	enum ledger_format f = o->format;
	const char *enc = NULL;
	if (f == LEDGER_FORMAT_AUTO)
		f = ledger_format_of_name(o->name);
	if (f == LEDGER_FORMAT_AUTO)
		f = is_workbook(data, len) ? LEDGER_FORMAT_XLSX : LEDGER_FORMAT_TEXT;
	if (f == LEDGER_FORMAT_XLSX) {
		int rc = xlsx_open(&rd->x, data, len, o->sheet, err, errlen);
		if (rc == 0)
			snprintf(im->used, sizeof(im->used), _("Excel workbook, sheet %s"),
				 xlsx_sheet_name(rd->x));
		return rc;
	}
	if (is_workbook(data, len)) {
		snprintf(err, errlen, "%s", _("an Excel workbook, not CSV or text: import it as .xlsx"));
		return LT_EINVAL;
	}
	int rc = csv_decode(data, len, o->encoding, &rd->text, &rd->len, &enc, err, errlen);
	if (rc)
		return rc;
	char sep = csv_guess_separator(rd->text, rd->len);
	rd->csv = csv_open_sep(rd->text, rd->len, sep);
	snprintf(im->used, sizeof(im->used), sep == '\t' ? _("%s, tab-separated") : "%s", enc);
	return 0;
}

/* Appends a line's outcome; why is formatted (NULL fmt: none). */
static struct ledger_line *add_line(struct ledger_import *im, size_t *cap, size_t line,
				    enum ledger_outcome outcome, const char *fmt, ...)
{
	if (im->nlines == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		im->lines = xreallocarray(im->lines, *cap, sizeof(*im->lines));
	}
	struct ledger_line *l = &im->lines[im->nlines++];
	*l = (struct ledger_line){line, outcome, NULL, 0};
	if (fmt) {
		char buf[768];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		l->why = xstrdup(buf);
	}
	return l;
}

struct state {
	struct ledger_import *im;
	const struct ledger_import_opts *o;
	struct ledger_map map;
	struct ledger_carry carry;
	char (*header)[HEADER_NAME_MAX]; /* the header row's names, for messages */
	size_t cap_lines, cap_rows;
	/* the daemon's rules are checked here, against the built-in villages
	 * and the one imported for: whether it exists is the daemon's list's say */
	struct villages *villages;
};

/* Keeps the names of the header row, each cut whole characters short of HEADER_NAME_MAX. */
static void keep_header(struct state *st, const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->n && i < CSV_FIELDS_MAX; i++) {
		size_t n = strlen(rec->field[i]);
		if (n >= HEADER_NAME_MAX)
			n = HEADER_NAME_MAX - 1;
		while (n && (rec->field[i][n] & 0xC0) == 0x80)
			n--;
		memcpy(st->header[i], rec->field[i], n);
		st->header[i][n] = '\0';
	}
}

/* Tries rec as the header row: 1 if it is one, 0 if not (err says what it lacks). */
static int take_header(struct state *st, const struct csv_record *rec, char *err, size_t errlen)
{
	struct ledger_import *im = st->im;
	if (ledger_map_header(&st->map, st->o->kind, rec->field, rec->n, err, errlen))
		return 0;
	snprintf(st->map.village_name, sizeof(st->map.village_name), "%s",
		 st->o->village_name ? st->o->village_name : "");
	im->header_line = rec->line;
	keep_header(st, rec);
	for (size_t i = 0; i < st->map.n_unknown && i < 16; i++) {
		size_t c = st->map.unknown[i];
		char name[8];
		csv_column_name(c, name);
		add_line(im, &st->cap_lines, rec->line, LEDGER_ROW_NOTE,
			 _("column %s \"%s\": not a ledger column we know; ignored"), name,
			 st->header[c]);
	}
	return 1;
}

static void take_row(struct state *st, struct csv_record *rec)
{
	struct ledger_import *im = st->im;
	char err[512], name[8];
	size_t col;
	if (im->nrows == st->cap_rows) {
		st->cap_rows = st->cap_rows ? st->cap_rows * 2 : 256;
		im->rows = xreallocarray(im->rows, st->cap_rows, sizeof(*im->rows));
	}
	struct ledger_row *r = &im->rows[im->nrows];
	ledger_fill_down(&st->map, &st->carry, rec->field, rec->n);
	if (ledger_row(&st->map, st->o->village, st->o->source, rec->field, rec->n, r, &col, err,
		       sizeof(err))) {
		csv_column_name(col, name);
		add_line(im, &st->cap_lines, rec->line, LEDGER_ROW_BAD, _("column %s (%s): %s"), name,
			 col < CSV_FIELDS_MAX ? st->header[col] : "", err);
		im->bad++;
		return;
	}
	if (r->n == 0) {
		add_line(im, &st->cap_lines, rec->line, LEDGER_ROW_SKIPPED, "%s", _(r->skipped));
		im->skipped++;
		return;
	}
	for (size_t k = 0; k < r->n; k++) {
		const char *why = validate_event(&r->ev[k], st->villages);
		if (why) {
			add_line(im, &st->cap_lines, rec->line, LEDGER_ROW_BAD,
				 _("lawtallyd would refuse this row: %s"), why);
			im->bad++;
			return;
		}
	}
	add_line(im, &st->cap_lines, rec->line, LEDGER_ROW_EVENTS, NULL)->row = im->nrows++;
	im->cases++;
}

/* A dispute row's case and final stage, for finding the same one twice. */
struct seen {
	const char *case_id;
	int stage;
	size_t line, at; /* at: index in im->lines */
};

static int seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = strcmp(x->case_id, y->case_id);
	if (c)
		return c;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The second and later rows of one case at one stage: flagged, left out. */
static void flag_repeats(struct state *st)
{
	struct ledger_import *im = st->im;
	struct seen *s = xcalloc(im->cases ? im->cases : 1, sizeof(*s));
	size_t n = 0;
	for (size_t i = 0; i < im->nlines; i++) {
		const struct ledger_line *l = &im->lines[i];
		if (l->outcome != LEDGER_ROW_EVENTS || st->o->kind != LEDGER_DISPUTE)
			continue;
		const struct ledger_row *r = &im->rows[l->row];
		s[n++] = (struct seen){r->case_id, r->dispute[r->n - 1].stage, l->line, i};
	}
	qsort(s, n, sizeof(*s), seen_cmp);
	char name[8];
	int col = st->map.col[LF_CASE_ID][0];
	csv_column_name(col >= 0 ? (size_t)col : 0, name);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(s[i].case_id, s[i - 1].case_id) != 0 || s[i].stage != s[i - 1].stage)
			continue;
		size_t first = i - 1;
		while (first > 0 && strcmp(s[first - 1].case_id, s[i].case_id) == 0 &&
		       s[first - 1].stage == s[i].stage)
			first--;
		struct ledger_line *l = &im->lines[s[i].at];
		char why[512];
		const char *stage = words_name(&lawtally__v1__dispute__stage__descriptor, s[i].stage);
		snprintf(why, sizeof(why),
			 _("column %s (%s): case %s, %s, is on line %zu and again on line %zu; "
			   "this row is left out"),
			 name, col >= 0 ? st->header[col] : "", s[i].case_id, stage ? stage : "",
			 s[first].line, s[i].line);
		im->rows[l->row].n = 0;
		l->outcome = LEDGER_ROW_BAD;
		l->why = xstrdup(why);
		im->cases--;
		im->bad++;
	}
	free(s);
}

int ledger_import_read(struct ledger_import *im, const void *data, size_t len,
		       const struct ledger_import_opts *o, char *err, size_t errlen)
{
	struct reader rd = {0};
	struct state st = {.im = im, .o = o};
	struct csv_record rec;
	char why[512] = "";
	size_t nth = 0;
	int rc;
	memset(im, 0, sizeof(*im));
	err[0] = '\0';
	if ((rc = reader_open(&rd, im, data, len, o, err, errlen)))
		return rc;
	st.header = xcalloc(CSV_FIELDS_MAX, sizeof(*st.header));
	st.villages = xmalloc(sizeof(*st.villages));
	villages_builtin(st.villages);
	if (o->village && village_code_valid(o->village) && !villages_find(st.villages, o->village)) {
		const char *full;
		(void)villages_add(st.villages, o->village, "", &full);
	}
	while ((rc = reader_next(&rd, &rec, why, sizeof(why))) != 0) {
		if (rc < 0) { /* a malformed CSV record: why holds its line */
			add_line(im, &st.cap_lines, 0, LEDGER_ROW_BAD, "%s", why);
			im->bad++;
			continue;
		}
		if (!im->header_line) {
			if (take_header(&st, &rec, why, sizeof(why)))
				continue;
			if (++nth < LEDGER_IMPORT_HEADER_SEARCH)
				continue;
			snprintf(err, errlen, _("no header row in the first %d rows: %s"),
				 LEDGER_IMPORT_HEADER_SEARCH, why);
			rc = LT_EINVAL;
			goto done;
		}
		if (im->nrows >= LEDGER_IMPORT_ROWS_MAX) {
			snprintf(err, errlen, _("more than %d rows; split the ledger"),
				 LEDGER_IMPORT_ROWS_MAX);
			rc = LT_EINVAL;
			goto done;
		}
		take_row(&st, &rec);
	}
	if (!im->header_line) {
		snprintf(err, errlen, "%s",
			 _("no header row (日期, 案件编号, 纠纷类型, ... or 日期, 培训内容, 参训人数)"));
		rc = LT_EINVAL;
		goto done;
	}
	if (rd.x && xlsx_cells_dropped(rd.x))
		add_line(im, &st.cap_lines, im->header_line, LEDGER_ROW_NOTE,
			 _("%zu cells right of column IV were not read"), xlsx_cells_dropped(rd.x));
	flag_repeats(&st);
	/* the events, once rows[] moves no more */
	im->events = xcalloc(im->cases * 2 + 1, sizeof(*im->events));
	im->event_line = xcalloc(im->cases * 2 + 1, sizeof(*im->event_line));
	for (size_t i = 0; i < im->nlines; i++) {
		const struct ledger_line *l = &im->lines[i];
		if (l->outcome != LEDGER_ROW_EVENTS)
			continue;
		for (size_t k = 0; k < im->rows[l->row].n; k++) {
			im->event_line[im->nevents] = l->line;
			im->events[im->nevents++] = &im->rows[l->row].ev[k];
		}
	}
	rc = 0;
done:
	free(st.header);
	free(st.villages);
	reader_close(&rd);
	return rc;
}

void ledger_import_free(struct ledger_import *im)
{
	for (size_t i = 0; i < im->nlines; i++)
		free(im->lines[i].why);
	free(im->lines);
	free(im->rows);
	free(im->events);
	free(im->event_line);
	memset(im, 0, sizeof(*im));
}
