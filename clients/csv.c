/* csv.c - decoding spreadsheet exports and reading RFC 4180 records (see csv.h). */
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "i18n.h"
#include "validate.h"
#include "xalloc.h"

static const char utf8_bom[] = "\xEF\xBB\xBF";

/* 1-based line of byte offset off in s. */
static size_t line_of(const char *s, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

/*
 * The first line of s[0..len) that is not valid UTF-8, or 0 if all is.
 * Checked line by line so that the error can name where the bad byte is.
 */
static size_t bad_utf8_line(const char *s, size_t len)
{
	size_t start = 0, line = 1;
	while (start < len) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;
		if (!validate_utf8((const uint8_t *)s + start, end - start))
			return line;
		start = end + 1;
		line++;
	}
	return 0;
}

static void copy_out(const char *in, size_t len, char **out, size_t *outlen)
{
	char *o = xmalloc(len + 1);
	memcpy(o, in, len);
	o[len] = '\0';
	*out = o;
	*outlen = len;
}

/*
 * from -> UTF-8 with iconv. A character takes at most 4 bytes in UTF-8 and
 * at least 1 (GB18030's ASCII) or 2 (UTF-16) in the input: cap covers it.
 */
static int convert(const char *from, const char *in, size_t len, char **out, size_t *outlen,
		   char *err, size_t errlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, _("no %s converter: %s"), from, strerror(errno));
		return LT_ESYS;
	}
	size_t cap = len * 2 + 4, left_in = len, left_out = cap;
	char *o = xmalloc(cap + 1), *ip = (char *)in, *op = o;
	int rc = 0;
	if (iconv(cd, &ip, &left_in, &op, &left_out) == (size_t)-1) {
		if (strcmp(from, "GB18030") == 0)
			snprintf(err, errlen, _("line %zu: not valid GB18030 (nor UTF-8)"),
				 line_of(in, (size_t)(ip - in)));
		else
			snprintf(err, errlen, _("byte %zu: not valid %s"), (size_t)(ip - in) + 1, from);
		free(o);
		rc = LT_EINVAL;
		goto cd_close;
	}
	*op = '\0';
	*out = o;
	*outlen = (size_t)(op - o);
	/* a byte-order mark decodes to U+FEFF: drop it as for UTF-8 */
	if (*outlen >= 3 && memcmp(o, utf8_bom, 3) == 0) {
		memmove(o, o + 3, *outlen - 3 + 1);
		*outlen -= 3;
	}
cd_close:
	iconv_close(cd);
	return rc;
}

/*
 * The UTF-16 byte order of in: by its byte-order mark (what Excel's
 * "Unicode text" starts with), else by the zero bytes ASCII leaves in
 * every other place; NULL when it does not look like UTF-16.
 */
static const char *utf16_order(const char *in, size_t len)
{
	const unsigned char *u = (const unsigned char *)in;
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
		return "UTF-16LE";
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
		return "UTF-16BE";
	if (len >= 4 && len % 2 == 0) {
		if (u[0] && !u[1] && u[2] && !u[3])
			return "UTF-16LE";
		if (!u[0] && u[1] && !u[2] && u[3])
			return "UTF-16BE";
	}
	return NULL;
}

int csv_decode(const char *in, size_t len, enum csv_encoding enc, char **out, size_t *outlen,
	       const char **used, char *err, size_t errlen)
{
	const char *name = "UTF-8";
	const char *u16 = enc == CSV_AUTO || enc == CSV_UTF16 ? utf16_order(in, len) : NULL;
	int bom = len >= 3 && memcmp(in, utf8_bom, 3) == 0;
	err[0] = '\0';
	if (enc == CSV_UTF16 && !u16)
		u16 = "UTF-16LE"; /* said so, without a byte-order mark: Windows' order */
	if (u16) {
		/* iconv reads a mark as a character, which convert drops */
		int rc = convert(u16, in, len, out, outlen, err, errlen);
		if (rc == 0 && used)
			*used = strcmp(u16, "UTF-16LE") == 0 ? "UTF-16LE" : "UTF-16BE";
		return rc;
	}
	if (bom && enc != CSV_GB18030) {
		in += 3;
		len -= 3;
		name = "UTF-8 with BOM";
	}
	size_t bad = enc == CSV_GB18030 ? 1 : bad_utf8_line(in, len);
	if (bad && enc == CSV_UTF8) {
		snprintf(err, errlen, _("line %zu: not valid UTF-8"), bad);
		return LT_EINVAL;
	}
	if (bad && bom) {
		snprintf(err, errlen, _("line %zu: not valid UTF-8 (the file starts with a UTF-8 BOM)"),
			 bad);
		return LT_EINVAL;
	}
	int rc = 0;
	if (bad)
		rc = convert("GB18030", in, len, out, outlen, err, errlen);
	else
		copy_out(in, len, out, outlen);
	if (rc == 0 && used)
		*used = bad ? "GB18030" : name;
	return rc;
}

char csv_guess_separator(const char *text, size_t len)
{
	size_t tabs = 0, commas = 0, lines = 0;
	int quoted = 0;
	for (size_t i = 0; i < len && lines < 10; i++) {
		char c = text[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '\t')
			tabs++;
		else if (!quoted && c == ',')
			commas++;
		else if (!quoted && c == '\n')
			lines++;
	}
	return tabs > commas ? '\t' : ',';
}

struct csv_reader {
	const char *s;
	char sep;
	size_t len, pos, line;
	char *buf;          /* the record's fields, each NUL-terminated */
	size_t used, cap;
	size_t off[CSV_FIELDS_MAX];
	char *field[CSV_FIELDS_MAX];
};

struct csv_reader *csv_open(const char *text, size_t len)
{
	return csv_open_sep(text, len, ',');
}

struct csv_reader *csv_open_sep(const char *text, size_t len, char sep)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));
	r->sep = sep;
	r->s = text;
	r->len = len;
	r->line = 1;
	return r;
}

void csv_close(struct csv_reader **rp)
{
	if (!*rp)
		return;
	free((*rp)->buf);
	free(*rp);
	*rp = NULL;
}

void csv_column_name(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0;
	col++;
	while (col && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static void put(struct csv_reader *r, char c)
{
	if (r->used == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		r->buf = xrealloc(r->buf, cap);
		r->cap = cap;
	}
	r->buf[r->used++] = c;
}

/* Length of the line break at p (CRLF 2, LF or CR 1), 0 if none. */
static size_t eol(const struct csv_reader *r, size_t p)
{
	if (p >= r->len)
		return 0;
	if (r->s[p] == '\r')
		return p + 1 < r->len && r->s[p + 1] == '\n' ? 2 : 1;
	return r->s[p] == '\n';
}

/* After an error: skip to just past the end of the current line. */
static void skip_line(struct csv_reader *r)
{
	while (r->pos < r->len) {
		size_t e = eol(r, r->pos);
		if (e) {
			r->pos += e;
			r->line++;
			return;
		}
		r->pos++;
	}
}

/*
 * One field starting at r->pos, appended to r->buf with its NUL. Leaves
 * r->pos on the separator, the line break or the end. Returns 0, or
 * LT_EINVAL with why set.
 */
static int read_field(struct csv_reader *r, const char **why)
{
	size_t start = r->used;
	if (r->pos < r->len && r->s[r->pos] == '"') {
		r->pos++;
		for (;;) {
			if (r->pos >= r->len) {
				*why = N_("a quoted field is never closed");
				return LT_EINVAL;
			}
			char c = r->s[r->pos];
			size_t e = eol(r, r->pos);
			if (c == '"') {
				if (r->pos + 1 < r->len && r->s[r->pos + 1] == '"') {
					put(r, '"');
					r->pos += 2;
					continue;
				}
				r->pos++;
				if (r->pos < r->len && r->s[r->pos] != r->sep && !eol(r, r->pos)) {
					*why = N_("text after the closing quote of a field");
					return LT_EINVAL;
				}
				break;
			}
			if (e) { /* a line break inside quotes is part of the field */
				r->pos += e;
				r->line++;
				c = '\n';
			} else {
				r->pos++;
			}
			put(r, c);
			if (r->used - start > CSV_FIELD_MAX) {
				*why = N_("field longer than 32767 bytes");
				return LT_EINVAL;
			}
		}
	} else {
		while (r->pos < r->len && r->s[r->pos] != r->sep && !eol(r, r->pos)) {
			if (r->s[r->pos] == '"') {
				*why = N_("a quote inside a field that does not start with one");
				return LT_EINVAL;
			}
			put(r, r->s[r->pos++]);
			if (r->used - start > CSV_FIELD_MAX) {
				*why = N_("field longer than 32767 bytes");
				return LT_EINVAL;
			}
		}
	}
	put(r, '\0');
	return 0;
}

int csv_next(struct csv_reader *r, struct csv_record *rec, char *err, size_t errlen)
{
	if (r->pos >= r->len)
		return 0;
	size_t n = 0, first_line = r->line;
	const char *why = NULL;
	int rc = 0;
	r->used = 0;
	for (;;) {
		if (n == CSV_FIELDS_MAX) {
			why = N_("more than 256 fields");
			rc = LT_EINVAL;
			break;
		}
		r->off[n++] = r->used;
		if ((rc = read_field(r, &why)))
			break;
		if (r->used > CSV_RECORD_MAX) {
			why = N_("record longer than 1 MiB");
			rc = LT_EINVAL;
			break;
		}
		if (r->pos < r->len && r->s[r->pos] == r->sep) {
			r->pos++;
			continue;
		}
		size_t e = eol(r, r->pos);
		r->pos += e;
		r->line += e != 0;
		break;
	}
	if (rc) {
		snprintf(err, errlen, _("line %zu, column %zu: %s"), first_line, n, _(why));
		if (r->pos < r->len)
			skip_line(r);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		r->field[i] = r->buf + r->off[i];
	rec->line = first_line;
	rec->n = n;
	rec->field = r->field;
	return 1;
}
