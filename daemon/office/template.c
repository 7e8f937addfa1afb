/*
 * template.c - parsing and filling report templates (see template.h for
 * the language).
 *
 * A parsed template is a list of lines, each a run of segments: literal
 * text (bytes of a pool) or a placeholder whose metric, selection and
 * forms were all checked when the template was read.
 */
#include "template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "numbers.h"
#include "tally.h"
#include "villages.h"
#include "xalloc.h"

enum { PH_YEAR, PH_NEXT_YEAR, PH_TOWN, PH_FIGURE };

/* The TEXT forms of a placeholder, as offsets of NUL-terminated pool strings. */
enum { FORM_APPROX, FORM_ZERO, FORM_ONE, FORM_ELSE, FORM_COUNT };
static const char *const form_names[FORM_COUNT] = {"approx", "zero", "one", "else"};

struct ph {
	int what;
	int metric;
	int dim[2];                          /* -1: any */
	uint8_t month;                       /* 0: all */
	int has_village;
	char village[VILLAGE_CODE_MAX + 1];
	int of;                              /* metric or -1 */
	int yuan;
	long form[FORM_COUNT];               /* pool offset or -1 */
};

/* What a segment that is not a placeholder is. */
enum { SEG_TEXT = -1, SEG_GROUP_OPEN = -2, SEG_GROUP_CLOSE = -3 };

struct seg {
	long ph;          /* placeholder index, or SEG_* */
	size_t off, len;  /* text: bytes of the pool */
};

struct line {
	int heading;
	size_t seg0, nseg;
};

struct template {
	char *pool;
	size_t plen, pcap;
	struct seg *segs;
	size_t nsegs, segcap;
	struct line *lines;
	size_t nlines, linecap;
	struct ph *phs;
	size_t nph, phcap;
	char town[TEMPLATE_TOWN_MAX + 1];
	char unrecorded[TEMPLATE_TEXT_MAX + 1]; /* what an empty group prints */
};

/* Grows an array to hold one more element. */
static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = xreallocarray(arr, c, size);
	*cap = c;
	return p;
}

/* Copies n bytes into the pool with a NUL after them; returns their offset. */
static size_t pool_add(struct template *t, const char *s, size_t n)
{
	if (t->plen + n + 1 > t->pcap) {
		size_t c = t->pcap ? t->pcap : 1024;
		while (c < t->plen + n + 1)
			c *= 2;
		t->pool = xrealloc(t->pool, c);
		t->pcap = c;
	}
	size_t off = t->plen;
	memcpy(t->pool + off, s, n);
	t->pool[off + n] = '\0';
	t->plen += n + 1;
	return off;
}

struct parser {
	struct template *t;
	const char *name;
	int lineno;
	const char *line;   /* start of the current line */
	char *err;
	size_t errlen;
};

static int perr(struct parser *p, const char *at, const char *fmt, ...) LT_PRINTF(3, 4);

/* Formats "name:line:column: message"; the column counts characters. */
static int perr(struct parser *p, const char *at, const char *fmt, ...)
{
	int col = 1;
	for (const char *s = p->line; s < at; s++)
		col += ((unsigned char)*s & 0xC0) != 0x80;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%d:%d: %s", p->name, p->lineno, col, msg);
	return LT_EINVAL;
}

static void add_text(struct template *t, struct line *ln, const char *a, const char *b)
{
	if (b <= a)
		return;
	t->segs = grow(t->segs, t->nsegs, &t->segcap, sizeof(*t->segs));
	size_t off = pool_add(t, a, (size_t)(b - a));
	t->segs[t->nsegs++] = (struct seg){SEG_TEXT, off, (size_t)(b - a)};
	ln->nseg++;
}

static void add_mark(struct template *t, struct line *ln, long what)
{
	t->segs = grow(t->segs, t->nsegs, &t->segcap, sizeof(*t->segs));
	t->segs[t->nsegs++] = (struct seg){what, 0, 0};
	ln->nseg++;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A metric or option name: lower-case letters, digits, '.', '_'. */
static const char *scan_name(const char *s, const char *end)
{
	while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
			   *s == '_'))
		s++;
	return s;
}

/* One option's value: "quoted" or a bare word. Sets [*va, *vb) and returns the end. */
static const char *scan_value(const char *s, const char *end, const char **va, const char **vb)
{
	if (s < end && *s == '"') {
		const char *q = memchr(s + 1, '"', (size_t)(end - s - 1));
		*va = s + 1;
		*vb = q ? q : end;
		return q ? q + 1 : end;
	}
	*va = s;
	while (s < end && !is_blank(*s))
		s++;
	*vb = s;
	return s;
}

static int set_form(struct parser *p, struct ph *ph, int form, const char *key, const char *va,
		    const char *vb)
{
	size_t n = (size_t)(vb - va);
	if (n > TEMPLATE_TEXT_MAX)
		return perr(p, key, "%s=: longer than %d bytes", form_names[form], TEMPLATE_TEXT_MAX);
	if (form == FORM_APPROX && !memchr(va, '#', n))
		return perr(p, key, "approx=: needs '#' where the number goes (approx=#多)");
	ph->form[form] = (long)pool_add(p->t, va, n);
	return 0;
}

/* Applies one option KEY=VALUE (or the flag yuan) to a metric placeholder. */
static int set_option(struct parser *p, struct ph *ph, const char *key, size_t klen,
		      const char *va, const char *vb, int has_value, unsigned *seen)
{
	char k[32], v[TEMPLATE_TEXT_MAX + 1];
	size_t vlen = (size_t)(vb - va);
	snprintf(k, sizeof(k), "%.*s", (int)(klen < sizeof(k) ? klen : sizeof(k) - 1), key);
	snprintf(v, sizeof(v), "%.*s", (int)(vlen < sizeof(v) ? vlen : sizeof(v) - 1), va);
	static const char *const opts[] = {"yuan", "village", "month", "of", "approx",
					   "zero", "one", "else"};
	int opt = -1;
	for (int i = 0; i < (int)(sizeof(opts) / sizeof(opts[0])); i++)
		if (strcmp(k, opts[i]) == 0)
			opt = i;
	int dim = opt < 0 ? tally_dim_by_name(ph->metric, k) : -1;
	int bit = opt >= 0 ? opt : 8 + dim;
	if (opt < 0 && dim < 0) {
		const struct tally_metric_info *mi = tally_metric(ph->metric);
		if (mi->dim[0].name)
			return perr(p, key, "unknown option '%s' (%s has the dimension%s %s%s%s)", k,
				    mi->name, mi->dim[1].name ? "s" : "", mi->dim[0].name,
				    mi->dim[1].name ? " and " : "",
				    mi->dim[1].name ? mi->dim[1].name : "");
		return perr(p, key, "unknown option '%s' (%s has no dimensions)", k, mi->name);
	}
	if (*seen & (1u << bit))
		return perr(p, key, "option '%s' given twice", k);
	*seen |= 1u << bit;
	if (opt == 0) {
		if (has_value)
			return perr(p, key, "yuan takes no value");
		ph->yuan = 1;
		return 0;
	}
	if (!has_value)
		return perr(p, key, "%s needs a value: %s=...", k, k);
	if (dim >= 0) {
		int val = tally_dim_value(ph->metric, dim, v);
		if (val < 0 || vlen >= sizeof(v))
			return perr(p, va, "'%s' is not a value of %s", v, k);
		ph->dim[dim] = val;
		return 0;
	}
	switch (opt) {
	case 1:
		if (vlen && (vlen >= sizeof(ph->village) || !village_code_valid(v)))
			return perr(p, va, "'%s' is not a village code", v);
		ph->has_village = 1;
		memcpy(ph->village, v, vlen);
		ph->village[vlen] = '\0';
		return 0;
	case 2: {
		char *end;
		long m = strtol(v, &end, 10);
		if (!vlen || *end || m < 1 || m > 12)
			return perr(p, va, "month=%s: must be 1..12", v);
		ph->month = (uint8_t)m;
		return 0;
	}
	case 3:
		ph->of = tally_metric_by_name(v);
		if (ph->of < 0)
			return perr(p, va, "of=%s: unknown metric", v);
		return 0;
	default:
		return set_form(p, ph, opt - 4, key, va, vb);
	}
}

/* Checks what only the whole set of options can tell. */
static int check_placeholder(struct parser *p, const struct ph *ph, const char *at)
{
	if (ph->of >= 0 && (ph->yuan || ph->form[FORM_APPROX] >= 0))
		return perr(p, at, "of= cannot be combined with yuan or approx=");
	if (ph->yuan && ph->form[FORM_APPROX] >= 0)
		return perr(p, at, "yuan cannot be combined with approx=");
	if (ph->of >= 0) {
		const struct tally_metric_info *a = tally_metric(ph->metric), *b = tally_metric(ph->of);
		for (int d = 0; d < 2; d++)
			if (ph->dim[d] >= 0 &&
			    (!b->dim[d].name || strcmp(a->dim[d].name, b->dim[d].name) != 0))
				return perr(p, at, "of=%s: %s has no dimension %s", b->name, b->name,
					    a->dim[d].name);
	}
	return 0;
}

/* Parses the inside of {...}, [a, b), into a new placeholder segment. */
static int parse_placeholder(struct parser *p, struct line *ln, const char *a, const char *b)
{
	struct template *t = p->t;
	while (a < b && is_blank(*a))
		a++;
	const char *nend = scan_name(a, b);
	if (nend == a)
		return perr(p, a, a < b ? "a placeholder starts with a metric name, year or town"
					: "empty placeholder {}");
	if (nend < b && !is_blank(*nend))
		return perr(p, nend, "unexpected '%c' in a name", *nend);
	if (t->nph == TEMPLATE_FIGURES_MAX)
		return perr(p, a, "more than %d placeholders", TEMPLATE_FIGURES_MAX);
	struct ph ph = {.of = -1, .dim = {-1, -1},
			.form = {-1, -1, -1, -1}};
	char name[64];
	snprintf(name, sizeof(name), "%.*s", (int)((size_t)(nend - a) < sizeof(name) ? nend - a : 63), a);
	const char *s = nend;
	if (strcmp(name, "year") == 0 || strcmp(name, "next_year") == 0 ||
	    strcmp(name, "town") == 0) {
		ph.what = name[0] == 'y' ? PH_YEAR : name[0] == 'n' ? PH_NEXT_YEAR : PH_TOWN;
		while (s < b && is_blank(*s))
			s++;
		if (s < b)
			return perr(p, s, "%s takes no options", name);
	} else {
		ph.what = PH_FIGURE;
		ph.metric = tally_metric_by_name(name);
		if (ph.metric < 0)
			return perr(p, a, "unknown metric '%s'", name);
		unsigned seen = 0;
		for (;;) {
			while (s < b && is_blank(*s))
				s++;
			if (s >= b)
				break;
			const char *key = s, *kend = scan_name(s, b), *va = kend, *vb = kend;
			if (kend == key)
				return perr(p, s, "unexpected '%c': options look like name=value", *s);
			int has_value = kend < b && *kend == '=';
			s = has_value ? scan_value(kend + 1, b, &va, &vb) : kend;
			if (s < b && !is_blank(*s))
				return perr(p, s, "unexpected '%c' after an option", *s);
			int rc = set_option(p, &ph, key, (size_t)(kend - key), va, vb, has_value, &seen);
			if (rc)
				return rc;
		}
		int rc = check_placeholder(p, &ph, a);
		if (rc)
			return rc;
	}
	t->phs = grow(t->phs, t->nph, &t->phcap, sizeof(*t->phs));
	t->phs[t->nph] = ph;
	t->segs = grow(t->segs, t->nsegs, &t->segcap, sizeof(*t->segs));
	t->segs[t->nsegs++] = (struct seg){(long)t->nph++, 0, 0};
	ln->nseg++;
	return 0;
}

/* 1 if a figure (not {year}) is among the placeholders from index ph0 on. */
static int figure_since(const struct template *t, size_t ph0)
{
	for (size_t i = ph0; i < t->nph; i++)
		if (t->phs[i].what == PH_FIGURE)
			return 1;
	return 0;
}

/* The '}' closing a placeholder that opens at s, skipping quoted text; NULL if none. */
static const char *find_close(const char *s, const char *end, const char **quote)
{
	*quote = NULL;
	for (; s < end; s++) {
		if (*s == '"') {
			const char *q = memchr(s + 1, '"', (size_t)(end - s - 1));
			if (!q) {
				*quote = s;
				return NULL;
			}
			s = q;
		} else if (*s == '}') {
			return s;
		} else if (*s == '{') {
			return NULL;
		}
	}
	return NULL;
}

/*
 * Splits one paragraph or heading into text and placeholder segments, and
 * the marks of "{[ ... ]}" groups (not nested, each holding a figure).
 */
static int parse_content(struct parser *p, struct line *ln, const char *s, const char *end)
{
	const char *text = s, *group = NULL;
	size_t group_ph = 0;
	while (s < end) {
		if (*s == '{' && s + 1 < end && s[1] == '[') {
			if (group)
				return perr(p, s, "a {[ group inside another");
			add_text(p->t, ln, text, s);
			add_mark(p->t, ln, SEG_GROUP_OPEN);
			group = s;
			group_ph = p->t->nph;
			s += 2;
			text = s;
		} else if (*s == ']' && s + 1 < end && s[1] == '}' && group) {
			if (!figure_since(p->t, group_ph))
				return perr(p, group, "a {[ group without a figure in it");
			add_text(p->t, ln, text, s);
			add_mark(p->t, ln, SEG_GROUP_CLOSE);
			group = NULL;
			s += 2;
			text = s;
		} else if ((*s == '{' || *s == '}') && s + 1 < end && s[1] == *s) {
			add_text(p->t, ln, text, s + 1);
			s += 2;
			text = s;
		} else if (*s == '}') {
			return perr(p, s, "unmatched }: write }} for a brace");
		} else if (*s == '{') {
			const char *quote, *close = find_close(s + 1, end, &quote);
			if (!close)
				return quote ? perr(p, quote, "unterminated quote")
					     : perr(p, s, "unclosed {: write {{ for a brace");
			add_text(p->t, ln, text, s);
			int rc = parse_placeholder(p, ln, s + 1, close);
			if (rc)
				return rc;
			s = close + 1;
			text = s;
		} else {
			s++;
		}
	}
	if (group)
		return perr(p, group, "unclosed {[: a group ends with ]}");
	add_text(p->t, ln, text, end);
	return 0;
}

/* Reads one line [s, end): a comment, a setting, a heading or a paragraph. */
static int parse_line(struct parser *p, const char *s, const char *end)
{
	struct template *t = p->t;
	if (end > s && end[-1] == '\r')
		end--;
	if (s < end && *s == '#' && !(end - s >= 3 && s[1] == '#' && s[2] == ' '))
		return 0;
	if (s < end && *s == '@') {
		const char *kend = scan_name(s + 1, end);
		size_t klen = (size_t)(kend - s - 1);
		int town = klen == 4 && memcmp(s + 1, "town", 4) == 0;
		int unrec = klen == 10 && memcmp(s + 1, "unrecorded", 10) == 0;
		if ((town || unrec) && kend < end && is_blank(*kend)) {
			const char *v = kend;
			while (v < end && is_blank(*v))
				v++;
			while (end > v && is_blank(end[-1]))
				end--;
			int max = town ? TEMPLATE_TOWN_MAX : TEMPLATE_TEXT_MAX;
			if (end - v > max)
				return perr(p, v, "@%s: longer than %d bytes", town ? "town" : "unrecorded",
					    max);
			if (town)
				snprintf(t->town, sizeof(t->town), "%.*s", (int)(end - v), v);
			else
				snprintf(t->unrecorded, sizeof(t->unrecorded), "%.*s", (int)(end - v), v);
			return 0;
		}
		return perr(p, s, "unknown setting '%.*s' (known: @town NAME, @unrecorded TEXT)",
			    (int)(kend - s), s);
	}
	t->lines = grow(t->lines, t->nlines, &t->linecap, sizeof(*t->lines));
	struct line *ln = &t->lines[t->nlines++];
	*ln = (struct line){0, t->nsegs, 0};
	if (s < end && *s == '#') {
		ln->heading = 1;
		s += 3;
	}
	return parse_content(p, ln, s, end);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
		 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || (size_t)(end - s) < n || (n == 2 && s[0] < 0xC2))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
		return 0;
	if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || s[0] > 0xF4 || (s[0] == 0xF4 && s[1] >= 0x90)))
		return 0;
	return n;
}

int template_parse(struct template **out, const char *name, const char *text, size_t len,
		   char *err, size_t errlen)
{
	struct parser p = {.name = name, .lineno = 1, .line = text, .err = err, .errlen = errlen};
	if (len > TEMPLATE_BYTES_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "%s: longer than %d bytes", name, TEMPLATE_BYTES_MAX);
		return LT_EINVAL;
	}
	/* the text must be UTF-8 without NUL bytes, so that documents are too */
	const unsigned char *u = (const unsigned char *)text, *uend = u + len;
	for (const unsigned char *s = u; s < uend;) {
		size_t n = *s ? utf8_len(s, uend) : 0;
		if (*s == '\n') {
			p.lineno++;
			p.line = (const char *)s + 1;
		}
		if (n == 0)
			return perr(&p, (const char *)s, *s ? "not UTF-8" : "NUL byte");
		s += n;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	struct template *t = xcalloc(1, sizeof(*t));
	snprintf(t->unrecorded, sizeof(t->unrecorded), "%s", TEMPLATE_UNRECORDED);
	p.t = t;
	p.lineno = 0;
	const char *s = text, *end = text + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *lend = nl ? nl : end;
		p.lineno++;
		p.line = s;
		int rc = parse_line(&p, s, lend);
		if (rc) {
			template_free(&t);
			return rc;
		}
		s = nl ? nl + 1 : end;
	}
	*out = t;
	return 0;
}

void template_free(struct template **tp)
{
	struct template *t = *tp;
	if (!t)
		return;
	free(t->pool);
	free(t->segs);
	free(t->lines);
	free(t->phs);
	free(t);
	*tp = NULL;
}

size_t template_nlines(const struct template *t)
{
	return t->nlines;
}

int template_is_heading(const struct template *t, size_t i)
{
	return i < t->nlines && t->lines[i].heading;
}

const char *template_town(const struct template *t)
{
	return t->town;
}

/* The figure a placeholder reads (for of=, the share's numerator). */
static int64_t figure_value(const struct ph *ph, const struct template_ctx *ctx)
{
	struct figures_sel sel = {ph->metric, ctx->year, ph->month, ph->month,
				  ph->has_village ? ph->village : NULL, {ph->dim[0], ph->dim[1]}};
	return figures_sum(ctx->fig, &sel);
}

/*
 * Whether the group opening at segment k has nothing recorded (every figure
 * in it 0); sets *close to its closing mark.
 */
static int group_empty(const struct template *t, size_t k, size_t kend,
		       const struct template_ctx *ctx, size_t *close)
{
	int empty = 1;
	for (k++; k < kend && t->segs[k].ph != SEG_GROUP_CLOSE; k++) {
		long ph = t->segs[k].ph;
		if (ph >= 0 && t->phs[ph].what == PH_FIGURE && figure_value(&t->phs[ph], ctx) != 0)
			empty = 0;
	}
	*close = k;
	return empty;
}

static void render_figure(const struct template *t, const struct ph *ph,
			  const struct template_ctx *ctx, struct sbuf *out)
{
	struct figures_sel sel = {ph->metric, ctx->year, ph->month, ph->month,
				  ph->has_village ? ph->village : NULL, {ph->dim[0], ph->dim[1]}};
	int64_t v = figure_value(ph, ctx);
	char num[NUM_LEN], shaped[TEMPLATE_TEXT_MAX + 4 * NUM_LEN];
	if (ph->of >= 0) {
		sel.metric = ph->of;
		num_percent(v, figures_sum(ctx->fig, &sel), num);
		snprintf(shaped, sizeof(shaped), "%s", num);
	} else if (ph->yuan) {
		num_yuan_lang(v, ctx->lang, num);
		snprintf(shaped, sizeof(shaped), "%s", num);
	} else if (ph->form[FORM_APPROX] >= 0 && v >= 10) {
		num_count(num_floor_leading(v), ctx->lang, num);
		num_fill(t->pool + ph->form[FORM_APPROX], num, shaped, sizeof(shaped));
	} else {
		num_count(v, ctx->lang, num);
		snprintf(shaped, sizeof(shaped), "%s", num);
	}
	long form = v == 0 && ph->form[FORM_ZERO] >= 0 ? ph->form[FORM_ZERO]
		  : v == 1 && ph->form[FORM_ONE] >= 0 ? ph->form[FORM_ONE]
		  : ph->form[FORM_ELSE];
	if (form < 0) {
		sbuf_puts(out, shaped);
		return;
	}
	char filled[4 * TEMPLATE_TEXT_MAX + 8 * NUM_LEN];
	num_fill(t->pool + form, shaped, filled, sizeof(filled));
	sbuf_puts(out, filled);
}

void template_render_line(const struct template *t, size_t i, const struct template_ctx *ctx,
			  struct sbuf *out)
{
	if (i >= t->nlines)
		return;
	const struct line *ln = &t->lines[i];
	size_t kend = ln->seg0 + ln->nseg;
	for (size_t k = ln->seg0; k < kend; k++) {
		const struct seg *sg = &t->segs[k];
		if (sg->ph == SEG_GROUP_OPEN) {
			size_t close;
			if (group_empty(t, k, kend, ctx, &close)) {
				sbuf_puts(out, t->unrecorded);
				k = close;
			}
			continue;
		}
		if (sg->ph == SEG_GROUP_CLOSE)
			continue;
		if (sg->ph < 0) {
			sbuf_put(out, t->pool + sg->off, sg->len);
			continue;
		}
		const struct ph *ph = &t->phs[sg->ph];
		if (ph->what == PH_YEAR)
			sbuf_printf(out, "%u", (unsigned)ctx->year);
		else if (ph->what == PH_NEXT_YEAR)
			sbuf_printf(out, "%u", (unsigned)ctx->year + 1);
		else if (ph->what == PH_TOWN)
			sbuf_puts(out, ctx->town && *ctx->town ? ctx->town : t->town);
		else
			render_figure(t, ph, ctx, out);
	}
}
