/*
 * office.c - the office's views from the store (see office.h).
 *
 * Each view is one function of the table `views`: it checks its request,
 * gathers figures (live totals by range scans, an as-of recount, a closed
 * year's snapshot) through one read snapshot of the store, so that every
 * figure of a document comes from the same commit, and calls a pure
 * renderer. Nothing here runs on the ingest path.
 */
#include "office.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "completeness.h"
#include "err.h"
#include "export.h"
#include "figures.h"
#include "labels.h"
#include "log.h"
#include "monthly.h"
#include "query.h"
#include "reply.h"
#include "report.h"
#include "template.h"
#include "when.h"
#include "workbook.h"
#include "xalloc.h"

/* The built-in templates (templates_data.S embeds config/report.*.txt). */
extern const char lt_template_zh_start[], lt_template_zh_end[];
extern const char lt_template_en_start[], lt_template_en_end[];

/* A document over ZeroMQ must fit the clients' reply limit (4 MiB). */
#define OFFICE_ZMQ_DOC_MAX ((size_t)3 << 20)

struct office {
	struct store *store;
	const struct villages *villages;
	struct template *tpl[2];        /* by enum lang */
	unsigned silent_days;
	struct query_rows rows;
};

/* The file names of the templates, by enum lang. */
static const char *const template_file[2] = {"report.zh.txt", "report.en.txt"};

/* ---- templates ------------------------------------------------------------ */

/* Reads at most TEMPLATE_BYTES_MAX + 1 bytes of path into *text (malloc'd). */
static int read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return errno == ENOENT ? LT_ENOTFOUND : LT_ESYS;
	}
	char *buf = xmalloc(TEMPLATE_BYTES_MAX + 2);
	size_t n = fread(buf, 1, TEMPLATE_BYTES_MAX + 1, f);
	int bad = ferror(f) ? errno : 0;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(bad));
		free(buf);
		return LT_ESYS;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Loads both templates into tpl: from dir when it has them, else built in. */
static int load_templates(const char *dir, struct template *tpl[2], char *err, size_t errlen)
{
	const char *starts[2] = {lt_template_zh_start, lt_template_en_start};
	const char *ends[2] = {lt_template_zh_end, lt_template_en_end};
	tpl[0] = tpl[1] = NULL;
	for (int l = 0; l < 2; l++) {
		char path[4200], name[4200], *text = NULL;
		size_t len;
		int rc = LT_ENOTFOUND;
		if (dir && *dir) {
			snprintf(path, sizeof(path), "%s/%s", dir, template_file[l]);
			rc = read_file(path, &text, &len, err, errlen);
			if (rc && rc != LT_ENOTFOUND)
				goto free_loaded;
			snprintf(name, sizeof(name), "%s", path);
		}
		if (rc == LT_ENOTFOUND) {
			snprintf(name, sizeof(name), "(built-in) %s", template_file[l]);
			rc = template_parse(&tpl[l], name, starts[l], (size_t)(ends[l] - starts[l]), err,
					    errlen);
		} else {
			rc = template_parse(&tpl[l], name, text, len, err, errlen);
			free(text);
		}
		if (rc)
			goto free_loaded;
	}
	return 0;
free_loaded:
	template_free(&tpl[0]);
	template_free(&tpl[1]);
	return LT_EINVAL;
}

int office_check_templates(const char *templates_dir, char *err, size_t errlen)
{
	struct template *tpl[2];
	int rc = load_templates(templates_dir, tpl, err, errlen);
	template_free(&tpl[0]);
	template_free(&tpl[1]);
	return rc;
}

int office_new(struct office **out, struct store *store, const struct villages *villages,
	       const struct office_options *opts, char *err, size_t errlen)
{
	struct office *o = xcalloc(1, sizeof(*o));
	o->store = store;
	o->villages = villages;
	o->silent_days = opts->silent_days;
	int rc = load_templates(opts->templates_dir, o->tpl, err, errlen);
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	return 0;
}

int office_reload(struct office *o, const struct office_options *opts, char *err, size_t errlen)
{
	struct template *tpl[2];
	int rc = load_templates(opts->templates_dir, tpl, err, errlen);
	if (rc)
		return rc;
	for (int l = 0; l < 2; l++) {
		template_free(&o->tpl[l]);
		o->tpl[l] = tpl[l];
	}
	o->silent_days = opts->silent_days;
	return 0;
}

void office_set_villages(struct office *o, const struct villages *villages)
{
	o->villages = villages;
}

void office_free(struct office **op)
{
	struct office *o = *op;
	if (!o)
		return;
	template_free(&o->tpl[0]);
	template_free(&o->tpl[1]);
	query_rows_free(&o->rows);
	free(o);
	*op = NULL;
}

/* ---- figures -------------------------------------------------------------- */

/* The figures of years [y0, y1], live or as they stood at as_of (0: live). */
static int gather(const struct store_snap *snap, uint16_t y0, uint16_t y1, int64_t as_of,
		  struct figures *f)
{
	if (!as_of)
		return store_figures(snap, y0, y1, f);
	struct tally_deltas d = {0};
	int rc = store_recount_asof(snap, as_of, &d);
	if (!rc)
		figures_from_deltas(f, &d, y0, y1);
	tally_deltas_free(&d);
	return rc;
}

/* A county's townships, each with its figures. */
struct county_figures {
	struct monthly_township *t;
	size_t n, cap;
};

static int township_code_fn(const char *township, void *arg)
{
	struct county_figures *cf = arg;
	if (cf->n == cf->cap) {
		cf->cap = cf->cap ? cf->cap * 2 : 32;
		cf->t = xreallocarray(cf->t, cf->cap, sizeof(*cf->t));
	}
	struct monthly_township *t = &cf->t[cf->n++];
	snprintf(t->code, sizeof(t->code), "%s", township);
	t->name[0] = '\0';
	t->fig = NULL;
	return 0;
}

static void county_figures_free(struct county_figures *cf)
{
	for (size_t i = 0; i < cf->n; i++) {
		if (cf->t[i].fig)
			figures_free((struct figures *)cf->t[i].fig);
		free((struct figures *)cf->t[i].fig);
	}
	free(cf->t);
	memset(cf, 0, sizeof(*cf));
}

/*
 * The figures of year - 1 and year of every township of a county, in the
 * snapshot (its own township set and reset one after the other). None at
 * a township's store. Returns 0 or an LT_E* code.
 */
static int gather_townships(struct store_snap *snap, uint16_t year, int64_t as_of,
			    struct county_figures *cf)
{
	int rc = store_townships(snap, township_code_fn, cf);
	struct townnames *names = cf->n ? xmalloc(sizeof(*names)) : NULL;
	for (size_t i = 0; i < cf->n && !rc; i++) {
		struct figures *f = xcalloc(1, sizeof(*f));
		cf->t[i].fig = f;
		rc = store_snap_township(snap, cf->t[i].code);
		if (!rc)
			rc = gather(snap, (uint16_t)(year - 1), year, as_of, f);
		int nrc = rc ? 0 : store_township_names(snap, cf->t[i].code, names);
		if (!nrc)
			memcpy(cf->t[i].name, names->name, sizeof(cf->t[i].name));
		else if (nrc != LT_ENOTFOUND)
			rc = nrc;
	}
	free(names);
	store_snap_township(snap, "");
	return rc;
}

struct sender_list {
	struct sender_record *v;
	size_t n, cap;
};

static int sender_fn(const struct sender_record *rec, void *arg)
{
	struct sender_list *l = arg;
	if (l->n == OFFICE_SENDERS_MAX)
		return 1; /* listed enough: stop the scan */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, cap, sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n++] = *rec;
	return 0;
}

static int senders(const struct store_snap *snap, struct sender_list *l)
{
	int rc = store_scan_senders(snap, sender_fn, l);
	return rc == 1 ? 0 : rc;
}

/*
 * What is missing of year (0: every year) as lines into out, from what
 * was read in one snapshot. Returns how many.
 */
static size_t missing_lines(const struct office *o, const struct villages *villages,
			    const struct seq_list *seqs, const struct sender_list *sl,
			    enum lang lang, uint16_t year, struct sbuf *out)
{
	struct completeness_input ci = {seqs, sl->v, sl->n, villages, lang,
					store_tz_offset(o->store), (int64_t)time(NULL),
					o->silent_days, year};
	return completeness_lines(&ci, out);
}

/* ---- views ---------------------------------------------------------------- */

static int fail(struct office_result *res, int status, int code, const char *fmt, ...)
	LT_PRINTF(4, 5);

static int fail(struct office_result *res, int status, int code, const char *fmt, ...)
{
	va_list ap;
	res->http_status = status;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return code;
}

/* The store failed the view: 503 for a busy store, else 500, with the reason (a damaged record's key). */
static int store_failed(struct office *o, struct office_result *res, int rc)
{
	char why[256];
	return fail(res, rc == LT_EBUSY ? 503 : 500, rc, "store: %s",
		    store_strerror(o->store, rc, why, sizeof(why)));
}

/*
 * The names a view gives the villages and the reporting unit: the
 * config's, or at a county one township's own, as it forwarded them
 * (store_township_names); a township that never sent them has its
 * villages shown by code and itself by its code.
 */
struct view_names {
	const struct villages *villages;
	const char *town;          /* NULL: the template's @town */
	struct townnames *own;     /* a township's, read in the view's snapshot */
};

static void view_names_free(struct view_names *nm)
{
	free(nm->own);
	nm->own = NULL;
}

/*
 * Begins the one snapshot a view reads through, of one township's figures
 * at a county when the request names one, and fills *nm (may be NULL) with
 * the names to show. Returns 0, or fails res.
 */
static int read_begin(struct office *o, const struct office_request *rq, struct store_snap *snap,
		      struct view_names *nm, struct office_result *res)
{
	if (nm)
		*nm = (struct view_names){o->villages, NULL, NULL};
	int rc = store_read_begin(o->store, snap);
	if (rc)
		return store_failed(o, res, rc);
	if (!rq->township || !*rq->township)
		return 0;
	if (store_snap_township(snap, rq->township) != 0) {
		store_read_end(snap);
		return fail(res, 400, LT_EINVAL, "township: not a township code");
	}
	if (!nm)
		return 0;
	nm->own = xmalloc(sizeof(*nm->own));
	rc = store_township_names(snap, rq->township, nm->own);
	if (rc && rc != LT_ENOTFOUND) {
		store_read_end(snap);
		view_names_free(nm);
		return store_failed(o, res, rc);
	}
	if (!nm->own->name[0])
		snprintf(nm->own->name, sizeof(nm->own->name), "%s", rq->township);
	nm->villages = &nm->own->villages;
	nm->town = nm->own->name;
	return 0;
}

static unsigned current_year(const struct office *o)
{
	uint16_t y;
	uint8_t m;
	tally_year_month((int64_t)time(NULL), store_tz_offset(o->store), &y, &m);
	return y;
}

/* The common parameters: language, format, year (0: this year), as-of. */
struct common {
	enum lang lang;
	enum report_format format;
	uint16_t year;
	int64_t as_of;
};

static int parse_common(struct office *o, const struct office_request *rq, struct common *c,
			struct office_result *res)
{
	if (lang_parse(rq->lang, &c->lang))
		return fail(res, 400, LT_EINVAL, "lang: zh or en");
	if (report_format_parse(rq->format, &c->format))
		return fail(res, 400, LT_EINVAL, "format: text, markdown, json, html or docx");
	unsigned y = rq->year ? rq->year : current_year(o);
	if (y < QUERY_YEAR_MIN || y > QUERY_YEAR_MAX)
		return fail(res, 400, LT_EINVAL, "year: 2000-2200");
	c->year = (uint16_t)y;
	c->as_of = 0;
	if (rq->as_of && *rq->as_of &&
	    when_parse_moment(rq->as_of, store_tz_offset(o->store), &c->as_of) != 0)
		return fail(res, 400, LT_EINVAL,
			    "as_of: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] or @UNIXTIME");
	return 0;
}

static int view_report(struct office *o, const struct office_request *rq, struct sbuf *out,
		       struct office_result *res)
{
	struct common c;
	int rc = parse_common(o, rq, &c, res);
	if (rc)
		return rc;
	struct figures shown = {0}, filed = {0}, adj = {0};
	struct store_closed closed;
	struct report_closed rcl;
	struct sender_list sl = {0};
	struct seq_list seqs = {0};
	struct sbuf missing;
	struct store_snap snap;
	int32_t tz = store_tz_offset(o->store);
	sbuf_init(&missing, REPORT_OUTPUT_MAX);
	struct report_input in = {
		.year = c.year, .lang = c.lang, .tz_offset = tz, .now = (int64_t)time(NULL),
		.as_of = c.as_of, .fig = &shown, .silent_days = o->silent_days,
	};
	struct view_names nm;
	if ((rc = read_begin(o, rq, &snap, &nm, res))) {
		sbuf_free(&missing);
		return rc;
	}
	in.villages = nm.villages;
	in.town = nm.town;
	rc = gather(&snap, c.year, c.year, c.as_of, &shown);
	if (!rc)
		rc = senders(&snap, &sl);
	if (!rc && !c.as_of)
		rc = completeness_gather(&snap, &seqs);
	int crc = rc ? 0 : store_closed_get(&snap, c.year, &closed);
	store_read_end(&snap);
	if (rc) {
		store_failed(o, res, rc);
		goto free_figures;
	}
	in.senders = sl.v;
	in.nsenders = sl.n;
	if (!c.as_of) { /* what is missing now: an as-of report does not say */
		missing_lines(o, nm.villages, &seqs, &sl, c.lang, c.year, &missing);
		in.missing = sbuf_text(&missing);
	}
	if (crc == 0) {
		if (!c.as_of || closed.closed_at <= c.as_of) {
			figures_decode(&filed, closed.entries, closed.len);
			figures_diff(&shown, &filed, &adj);
			rcl.closed_at = closed.closed_at;
			figures_hex(closed.sha256, rcl.sha256);
			rcl.adjustments = &adj;
			rcl.accepted = closed.accepted;
			in.fig = &filed;
			in.closed = &rcl;
		}
	} else if (crc != LT_ENOTFOUND) {
		rc = store_failed(o, res, crc);
		goto free_figures;
	}
	rc = report_render(o->tpl[c.lang], &in, c.format, out);
	if (crc == 0)
		store_closed_free(&closed);
	if (rc)
		fail(res, 500, rc, "report: longer than %zu bytes", out->max);
	res->content_type = report_content_type(c.format);
free_figures:
	view_names_free(&nm);
	free(sl.v);
	completeness_free(&seqs);
	sbuf_free(&missing);
	figures_free(&shown);
	figures_free(&filed);
	figures_free(&adj);
	return rc;
}

static int view_monthly(struct office *o, const struct office_request *rq, struct sbuf *out,
			struct office_result *res)
{
	struct common c;
	unsigned year, month;
	if (!rq->month || when_parse_month(rq->month, &year, &month) != 0)
		return fail(res, 400, LT_EINVAL, "month: YYYY-MM, 2000-01 to 2200-12");
	struct office_request r = *rq;
	r.year = year;
	int rc = parse_common(o, &r, &c, res);
	if (rc)
		return rc;
	struct figures f = {0};
	struct county_figures cf = {0};
	struct store_snap snap;
	struct view_names nm;
	if ((rc = read_begin(o, rq, &snap, &nm, res)))
		return rc;
	if (rq->village && *rq->village && (!nm.villages || !villages_find(nm.villages, rq->village))) {
		store_read_end(&snap);
		view_names_free(&nm);
		return fail(res, 400, LT_EINVAL, "village: %s",
			    rq->township && *rq->township ? "not a village code of the township's list"
							  : "not a configured village code");
	}
	rc = gather(&snap, (uint16_t)(year - 1), (uint16_t)year, c.as_of, &f);
	/* the county's form: a row per township (in the same snapshot) */
	if (!rc && !snap.township[0] && !(rq->village && *rq->village))
		rc = gather_townships(&snap, (uint16_t)year, c.as_of, &cf);
	store_read_end(&snap);
	if (rc) {
		figures_free(&f);
		county_figures_free(&cf);
		view_names_free(&nm);
		return store_failed(o, res, rc);
	}
	struct monthly_input in = {year, month, c.lang, store_tz_offset(o->store),
				   (int64_t)time(NULL), c.as_of, &f,
				   nm.town ? nm.town : template_town(o->tpl[c.lang]),
				   nm.villages, rq->village, cf.t, cf.n};
	rc = monthly_render(&in, c.format, out);
	figures_free(&f);
	county_figures_free(&cf);
	view_names_free(&nm);
	if (rc)
		return fail(res, 500, rc, "monthly statistics: longer than %zu bytes", out->max);
	res->content_type = report_content_type(c.format);
	return 0;
}

/*
 * Every sender: when last heard, its events by month, and what is missing
 * of its numbers and its device's counts; JSON, or format "text": one line
 * per thing missing of year (rq->year; 0: every year) and a last line
 * saying how many.
 */
static int view_senders(struct office *o, const struct office_request *rq, struct sbuf *out,
			struct office_result *res)
{
	struct sender_list sl = {0};
	struct seq_list seqs = {0};
	struct store_snap snap;
	enum lang lang;
	int text = rq->format && strcmp(rq->format, "text") == 0;
	if (rq->format && *rq->format && !text && strcmp(rq->format, "json") != 0)
		return fail(res, 400, LT_EINVAL, "format: json or text");
	if (lang_parse(rq->lang, &lang))
		return fail(res, 400, LT_EINVAL, "lang: zh or en");
	if (rq->year && (rq->year < QUERY_YEAR_MIN || rq->year > QUERY_YEAR_MAX))
		return fail(res, 400, LT_EINVAL, "year: 2000-2200");
	struct view_names nm;
	int rc = read_begin(o, rq, &snap, &nm, res);
	if (rc)
		return rc;
	rc = senders(&snap, &sl);
	if (!rc)
		rc = completeness_gather(&snap, &seqs);
	store_read_end(&snap);
	if (rc) {
		free(sl.v);
		completeness_free(&seqs);
		view_names_free(&nm);
		return store_failed(o, res, rc);
	}
	int32_t tz = store_tz_offset(o->store);
	if (text) {
		size_t n = missing_lines(o, nm.villages, &seqs, &sl, lang, (uint16_t)rq->year, out);
		if (!n)
			sbuf_puts(out, lang == LANG_EN ? "Nothing missing.\n" : "未发现缺失。\n");
		rc = sbuf_status(out);
		res->content_type = "text/plain; charset=utf-8";
	} else {
		struct completeness_input ci = {&seqs, sl.v, sl.n, nm.villages, lang, tz,
						(int64_t)time(NULL), o->silent_days, 0};
		rc = report_senders_json(sl.v, sl.n, (int64_t)time(NULL), tz, o->silent_days,
					 completeness_json(&ci), out);
		res->content_type = "application/json";
	}
	free(sl.v);
	completeness_free(&seqs);
	view_names_free(&nm);
	if (rc)
		return fail(res, 500, rc, "senders: longer than %zu bytes", out->max);
	return 0;
}

/* The workbook of a year (format=xlsx): its sheets, and the monthly form of month (default: the last one). */
static int view_workbook(struct office *o, const struct office_request *rq, struct sbuf *out,
			 struct office_result *res)
{
	struct common c;
	struct office_request r = *rq;
	r.format = NULL;
	r.as_of = NULL;
	int rc = parse_common(o, &r, &c, res);
	if (rc)
		return rc;
	int32_t tz = store_tz_offset(o->store);
	int64_t now = (int64_t)time(NULL);
	unsigned y, month = 12;
	uint16_t cy;
	uint8_t cm;
	tally_year_month(now, tz, &cy, &cm);
	if (rq->month && *rq->month) {
		if (when_parse_month(rq->month, &y, &month) != 0 || y != c.year)
			return fail(res, 400, LT_EINVAL, "month: YYYY-MM of the year %u",
				    (unsigned)c.year);
	} else if (c.year == cy) {
		month = cm;
	}
	struct figures f = {0};
	struct store_snap snap;
	struct view_names nm;
	if ((rc = read_begin(o, rq, &snap, &nm, res)))
		return rc;
	rc = gather(&snap, (uint16_t)(c.year - 1), c.year, 0, &f);
	store_read_end(&snap);
	if (rc) {
		figures_free(&f);
		view_names_free(&nm);
		return store_failed(o, res, rc);
	}
	struct monthly_input mi = {c.year, month, c.lang, tz, now, 0, &f,
				   nm.town ? nm.town : template_town(o->tpl[c.lang]), nm.villages,
				   NULL, NULL, 0};
	struct workbook_input wi = {c.year, c.lang, &f, nm.villages, &mi};
	rc = workbook_render(&wi, out);
	figures_free(&f);
	view_names_free(&nm);
	if (rc == LT_EFULL)
		return fail(res, 500, rc, "workbook: longer than %zu bytes", out->max);
	if (rc)
		return fail(res, 500, rc, "workbook: cannot write it (the daemon's log says why)");
	res->content_type = WORKBOOK_CONTENT_TYPE;
	return 0;
}

static int view_totals_csv(struct office *o, const struct office_request *rq, struct sbuf *out,
			   struct office_result *res)
{
	struct common c;
	struct office_request r = *rq;
	if (rq->format && strcmp(rq->format, "xlsx") == 0)
		return view_workbook(o, rq, out, res);
	if (rq->format && *rq->format && strcmp(rq->format, "csv") != 0)
		return fail(res, 400, LT_EINVAL, "format: csv or xlsx");
	r.format = NULL;
	r.as_of = NULL;
	int rc = parse_common(o, &r, &c, res);
	if (rc)
		return rc;
	struct query_spec spec;
	const char *why = NULL;
	if (query_spec_parse(&spec, c.year, rq->metric, rq->by, NULL, o->villages, &why))
		return fail(res, 400, LT_EINVAL, "%s", why);
	Lawtally__V1__QueryReply rep;
	struct store_snap snap;
	struct view_names nm;
	if ((rc = read_begin(o, rq, &snap, &nm, res)))
		return rc;
	rc = query_run(&snap, &spec, &o->rows);
	store_read_end(&snap);
	if (rc) {
		view_names_free(&nm);
		return store_failed(o, res, rc);
	}
	reply_from_rows(&rep, &spec, &o->rows);
	export_totals(&rep, rq->by, c.lang, nm.villages, out);
	reply_clear(&rep);
	view_names_free(&nm);
	if (sbuf_status(out))
		return fail(res, 500, LT_EFULL, "export: longer than %zu bytes", out->max);
	res->content_type = "text/csv; charset=utf-8";
	return 0;
}

struct events_arg {
	struct sbuf *out;
	uint16_t year;
	int32_t tz;
};

static int events_fn(const struct store_event *e, void *arg)
{
	struct events_arg *a = arg;
	uint16_t y;
	uint8_t m;
	tally_year_month(e->event->occurred_at, a->tz, &y, &m);
	if (y != a->year)
		return 0;
	struct export_record ev = {e->seq, e->received_at, e->sender, e->retracted, e->event};
	export_event(a->out, &ev, a->tz);
	return sbuf_status(a->out) ? LT_EFULL : 0;
}

static int view_events_csv(struct office *o, const struct office_request *rq, struct sbuf *out,
			   struct office_result *res)
{
	struct common c;
	struct office_request r = *rq;
	r.format = NULL;
	r.as_of = NULL;
	if (!rq->trusted)
		return fail(res, 403, LT_EINVAL,
			    "events export: office only (an office key, or from this machine when "
			    "auth is off)");
	int rc = parse_common(o, &r, &c, res);
	if (rc)
		return rc;
	struct events_arg a = {out, c.year, store_tz_offset(o->store)};
	struct store_snap snap;
	if ((rc = read_begin(o, rq, &snap, NULL, res)))
		return rc;
	if (rq->cursor == 0)
		export_events_header(out);
	/* at a county, one township's events when the request names one */
	rc = snap.township[0] ? store_scan_township_events(&snap, snap.township, rq->cursor,
							   OFFICE_EVENTS_PAGE, events_fn, &a,
							   &res->next_cursor)
			      : store_scan_events(&snap, rq->cursor, OFFICE_EVENTS_PAGE, events_fn,
						  &a, &res->next_cursor);
	store_read_end(&snap);
	if (rc == LT_EFULL)
		return fail(res, 500, rc, "export: longer than %zu bytes", out->max);
	if (rc)
		return store_failed(o, res, rc);
	res->content_type = "text/csv; charset=utf-8";
	return 0;
}

/* A closed year's snapshot, read in a store snapshot of its own. */
static int closed_get(struct office *o, uint16_t year, struct store_closed *cl)
{
	struct store_snap snap;
	int rc = store_read_begin(o->store, &snap);
	if (!rc)
		rc = store_closed_get(&snap, year, cl);
	store_read_end(&snap);
	return rc;
}

/* The refusal of a year closed already; frees cl. */
static int closed_already(struct office_result *res, struct store_closed *cl, int32_t tz)
{
	char hex[2 * FIGURES_SHA256_LEN + 1], at[WHEN_FORMAT_LEN];
	unsigned year = cl->year;
	figures_hex(cl->sha256, hex);
	when_format_short(cl->closed_at, tz, at);
	store_closed_free(cl);
	return fail(res, 409, LT_EEXIST, "year: %u was closed at %s (SHA-256 %s)", year, at, hex);
}

static int view_close_year(struct office *o, const struct office_request *rq, struct sbuf *out,
			   struct office_result *res)
{
	struct common c;
	struct office_request r = *rq;
	r.format = NULL;
	r.as_of = NULL;
	if (!rq->trusted)
		return fail(res, 403, LT_EINVAL,
			    "close-year: office only (an office key, or from this machine when auth "
			    "is off)");
	if (!rq->year)
		return fail(res, 400, LT_EINVAL, "year: required");
	int rc = parse_common(o, &r, &c, res);
	if (rc)
		return rc;
	int32_t tz = store_tz_offset(o->store);
	char now[WHEN_FORMAT_LEN];
	/* by this daemon's clock, which its own figures go by: a slow one closes nothing early */
	when_format_short((int64_t)time(NULL), tz, now);
	if (c.year >= current_year(o))
		return fail(res, 400, LT_EINVAL,
			    "year: %u is not over yet by lawtallyd's clock (%s); only past years "
			    "close", (unsigned)c.year, now);
	struct store_closed cl;
	char hex[2 * FIGURES_SHA256_LEN + 1], at[WHEN_FORMAT_LEN];
	if (closed_get(o, c.year, &cl) == 0) /* said before what is missing: it is too late */
		return closed_already(res, &cl, tz);
	/* what is missing of the year, in a snapshot before the closing write */
	struct sender_list sl = {0};
	struct seq_list seqs = {0};
	struct sbuf missing;
	struct store_snap snap;
	struct office_request whole = *rq;
	whole.township = NULL; /* a year is closed for the whole store */
	if ((rc = read_begin(o, &whole, &snap, NULL, res)))
		return rc;
	rc = senders(&snap, &sl);
	if (!rc)
		rc = completeness_gather(&snap, &seqs);
	store_read_end(&snap);
	sbuf_init(&missing, OFFICE_ZMQ_DOC_MAX);
	size_t nmissing = rc ? 0 : missing_lines(o, o->villages, &seqs, &sl, c.lang, c.year, &missing);
	free(sl.v);
	completeness_free(&seqs);
	if (rc) {
		sbuf_free(&missing);
		return store_failed(o, res, rc);
	}
	if (nmissing && !rq->accept_gaps) {
		sbuf_free(&missing);
		return fail(res, 409, LT_EMISMATCH,
			    "year: %u not closed: %zu thing(s) missing (gaps, silent senders, device "
			    "counts: lawtally senders --year %u lists them); close-year --accept-gaps "
			    "closes it all the same",
			    (unsigned)c.year, nmissing, (unsigned)c.year);
	}
	rc = store_close_year_accepting(o->store, c.year, (int64_t)time(NULL),
					nmissing ? sbuf_text(&missing) : NULL, &cl);
	sbuf_free(&missing);
	if (rc == LT_EEXIST && closed_get(o, c.year, &cl) == 0)
		return closed_already(res, &cl, tz);
	if (rc == LT_EFULL)
		return fail(res, 503, rc, "store full: retry later");
	if (rc)
		return store_failed(o, res, rc);
	figures_hex(cl.sha256, hex);
	when_format_short(cl.closed_at, tz, at);
	size_t n = cl.len / FIGURES_ENTRY_LEN;
	log_info("office: closed %u: %zu totals filed, SHA-256 %s%s", (unsigned)c.year, n, hex,
		 nmissing ? ", with what was missing accepted" : "");
	if (c.lang == LANG_EN)
		sbuf_printf(out, "Closed %u at %s: %zu totals filed, SHA-256 %s.\nEvents of %u that "
				 "arrive later still count in the live figures; the report of %u "
				 "lists them as adjustments after close.\n",
			    (unsigned)c.year, at, n, hex, (unsigned)c.year, (unsigned)c.year);
	else
		sbuf_printf(out, "%u年度数据已结报：结报于 %s，共 %zu 项数据，SHA-256：%s。\n此后收到的"
				 "%u年事件仍计入实时数据，在%u年度报告中作为结报后调整单独列出。\n",
			    (unsigned)c.year, at, n, hex, (unsigned)c.year, (unsigned)c.year);
	if (cl.accepted) {
		sbuf_puts(out, c.lang == LANG_EN ? "Accepted as missing, kept with the snapshot:\n"
						 : "已确认接受的缺失（随结报数据保存）：\n");
		sbuf_puts(out, cl.accepted);
	}
	store_closed_free(&cl);
	res->content_type = "text/plain; charset=utf-8";
	return 0;
}

typedef int (*view_fn)(struct office *o, const struct office_request *rq, struct sbuf *out,
		       struct office_result *res);

static const struct {
	Lawtally__V1__View__Kind kind;
	view_fn fn;
} views[] = {
	{LAWTALLY__V1__VIEW__KIND__KIND_REPORT, view_report},
	{LAWTALLY__V1__VIEW__KIND__KIND_MONTHLY, view_monthly},
	{LAWTALLY__V1__VIEW__KIND__KIND_SENDERS, view_senders},
	{LAWTALLY__V1__VIEW__KIND__KIND_TOTALS_CSV, view_totals_csv},
	{LAWTALLY__V1__VIEW__KIND__KIND_EVENTS_CSV, view_events_csv},
	{LAWTALLY__V1__VIEW__KIND__KIND_CLOSE_YEAR, view_close_year},
};

int office_view(struct office *o, const struct office_request *rq, struct sbuf *out,
		struct office_result *res)
{
	memset(res, 0, sizeof(*res));
	res->http_status = 200;
	sbuf_reset(out);
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (views[i].kind == rq->kind)
			return views[i].fn(o, rq, out, res);
	return fail(res, 400, LT_EINVAL, "view.kind: not a known view");
}

void office_query(struct office *o, const Lawtally__V1__QueryRequest *req, int trusted,
		  struct sbuf *doc, Lawtally__V1__QueryReply *rep, char *errbuf, size_t errlen)
{
	const Lawtally__V1__View *v = req->view;
	struct office_request rq = {
		.kind = v->kind, .year = req->year, .lang = v->lang, .format = v->format,
		.as_of = v->as_of, .month = v->month, .metric = req->metric, .by = req->by,
		.cursor = v->cursor, .village = req->village, .trusted = trusted,
		.accept_gaps = v->accept_gaps,
		.township = req->township,
	};
	struct office_result res;
	sbuf_init(doc, OFFICE_ZMQ_DOC_MAX);
	if (office_view(o, &rq, doc, &res) != 0) {
		snprintf(errbuf, errlen, "%s", res.error);
		rep->error = errbuf;
		return;
	}
	rep->document = (ProtobufCBinaryData){doc->len, (uint8_t *)doc->p};
	rep->content_type = (char *)res.content_type;
	rep->next_cursor = res.next_cursor;
}
