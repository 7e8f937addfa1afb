/* completeness.c - gaps, device differences and silent senders (see completeness.h). */
#include "completeness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "err.h"
#include "json_out.h"
#include "tally.h"
#include "xalloc.h"

static int gather_fn(const char *sender, uint64_t epoch, const struct seqrec *r, void *arg)
{
	struct seq_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	struct seq_entry *e = &l->v[l->n++];
	snprintf(e->sender, sizeof(e->sender), "%s", sender);
	e->epoch = epoch;
	e->rec = xmemdup(r, sizeof(*r));
	return 0;
}

int completeness_gather(const struct store_snap *snap, struct seq_list *l)
{
	return store_scan_seqs(snap, gather_fn, l);
}

void completeness_free(struct seq_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].rec);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- words ---- */

static const char *w(const struct completeness_input *in, const char *zh, const char *en)
{
	return in->lang == LANG_EN ? en : zh;
}

/* "王岗村调解中心（centre-ZL07）", or the sender's name alone without a known village. */
static void display_name(const struct completeness_input *in, const char *sender,
			 const char *village, char *out, size_t len)
{
	const struct village *v = village && village[0] && in->villages
					  ? villages_find(in->villages, village)
					  : NULL;
	if (!v)
		snprintf(out, len, "%s", sender);
	else if (in->lang == LANG_EN)
		snprintf(out, len, "%s mediation centre (%s)", v->name, sender);
	else
		snprintf(out, len, "%s调解中心（%s）", v->name, sender);
}

/* The village of a sender's latest numbered events, for a name (silent senders). */
static const char *village_of(const struct completeness_input *in, const char *sender)
{
	for (size_t i = 0; in->seqs && i < in->seqs->n; i++)
		if (strcmp(in->seqs->v[i].sender, sender) == 0 && in->seqs->v[i].rec->village[0])
			return in->seqs->v[i].rec->village;
	return NULL;
}

static void civil(int64_t t, int32_t tz, int64_t *y, int *m, int *d)
{
	int64_t days = (t + tz) / 86400 - ((t + tz) % 86400 < 0);
	cal_civil_from_days(days, y, m, d);
}

static uint16_t year_of(int64_t t, int32_t tz)
{
	uint16_t y;
	uint8_t m;
	tally_year_month(t, tz, &y, &m);
	return y;
}

/* "约 2024-06-03 至 06-05" / "expected around 2024-06-03 to 06-05". */
static void gap_dates(const struct completeness_input *in, const struct seq_gap *g, char *out,
		      size_t len)
{
	int64_t y1, y2;
	int m1, d1, m2, d2;
	civil(g->before_at, in->tz_offset, &y2, &m2, &d2);
	if (!g->after_at) {
		snprintf(out, len, w(in, "约 %04lld-%02d-%02d 之前", "expected before %04lld-%02d-%02d"),
			 (long long)y2, m2, d2);
		return;
	}
	civil(g->after_at, in->tz_offset, &y1, &m1, &d1);
	if (y1 == y2 && m1 == m2 && d1 == d2)
		snprintf(out, len, w(in, "约 %04lld-%02d-%02d", "expected around %04lld-%02d-%02d"),
			 (long long)y1, m1, d1);
	else if (y1 == y2)
		snprintf(out, len, w(in, "约 %04lld-%02d-%02d 至 %02d-%02d",
				     "expected around %04lld-%02d-%02d to %02d-%02d"),
			 (long long)y1, m1, d1, m2, d2);
	else
		snprintf(out, len, w(in, "约 %04lld-%02d-%02d 至 %04lld-%02d-%02d",
				     "expected around %04lld-%02d-%02d to %04lld-%02d-%02d"),
			 (long long)y1, m1, d1, (long long)y2, m2, d2);
}

static int gap_in_year(const struct completeness_input *in, const struct seq_gap *g)
{
	return !in->year || year_of(g->before_at, in->tz_offset) == in->year ||
	       (g->after_at && year_of(g->after_at, in->tz_offset) == in->year);
}

/* The record's numbers span the year (its first and last times). */
static int rec_in_year(const struct completeness_input *in, const struct seqrec *r)
{
	if (!in->year || !r->set.n)
		return !in->year;
	uint16_t y0 = year_of(r->set.r[0].lo_at, in->tz_offset);
	uint16_t y1 = year_of(r->set.r[r->set.n - 1].hi_at, in->tz_offset);
	return y0 <= in->year && in->year <= y1;
}

static int device_in_year(const struct completeness_input *in, const struct seqrec *r)
{
	return r->has_snap && (!in->year || year_of(r->snap_at, in->tz_offset) == in->year);
}

static const char *action_name(const struct completeness_input *in, int a)
{
	int dim = tally_dim_by_name(M_ENFORCEMENT_ACTIONS, "action");
	return labels_dim_value(M_ENFORCEMENT_ACTIONS, dim < 0 ? 0 : dim, a, in->lang);
}

/* A silent sender that sent something in the year (any year: 0). */
static int silent_in_year(const struct completeness_input *in, const struct sender_record *s)
{
	if (!sender_is_silent(s, in->now, in->silent_days))
		return 0;
	if (!in->year)
		return 1;
	for (size_t m = 0; m < s->nmonths; m++)
		if (s->months[m].year == in->year && s->months[m].events)
			return 1;
	return 0;
}

/* ---- lines ---- */

static size_t entry_lines(const struct completeness_input *in, const struct seq_entry *e,
			  struct sbuf *out)
{
	const struct seqrec *r = e->rec;
	char name[STORE_SEQ_NAME_MAX + VILLAGE_NAME_MAX + 64], dates[96];
	size_t n = 0;
	display_name(in, e->sender, r->village, name, sizeof(name));
	struct seq_gap *g = xreallocarray(NULL, RANGESET_MAX, sizeof(*g));
	size_t ng = rangeset_gaps(&r->set, g, RANGESET_MAX);
	for (size_t i = 0; i < ng && i < RANGESET_MAX; i++) {
		if (!gap_in_year(in, &g[i]))
			continue;
		gap_dates(in, &g[i], dates, sizeof(dates));
		if (g[i].lo == g[i].hi)
			sbuf_printf(out, w(in, "%s：缺 %llu，%s\n", "%s: missing %llu, %s\n"), name,
				    (unsigned long long)g[i].lo, dates);
		else
			sbuf_printf(out, w(in, "%s：缺 %llu–%llu，%s\n", "%s: missing %llu–%llu, %s\n"),
				    name, (unsigned long long)g[i].lo, (unsigned long long)g[i].hi,
				    dates);
		n++;
	}
	free(g);
	if (rangeset_overflowed(&r->set) && rec_in_year(in, r)) {
		sbuf_printf(out, w(in, "%s：错误：缺口过多，第 %llu 号以前的缺口（%llu 个序号）未能逐一记录\n",
				   "%s: error: too many gaps; those below number %llu (%llu numbers) "
				   "were not kept one by one\n"),
			    name, (unsigned long long)r->set.forgotten_below,
			    (unsigned long long)r->set.forgotten);
		n++;
	}
	if (!device_in_year(in, r))
		return n;
	int64_t diff[SEQREC_ACTIONS + 1];
	if (seqrec_diff(r, diff)) {
		sbuf_printf(out, w(in, "%s：设备计数与已收到的不符（截至第 %llu 号）：",
				   "%s: the device's counts differ from those stored (up to number %llu):"),
			    name, (unsigned long long)r->snap_up_to);
		const char *sep = "";
		for (int a = 1; a <= SEQREC_ACTIONS; a++) {
			if (!diff[a])
				continue;
			sbuf_printf(out, w(in, "%s%s 设备 %llu，收到 %llu（差 %lld）",
					   "%s %s: device %llu, stored %llu (difference %lld)"),
				    sep, action_name(in, a), (unsigned long long)r->dev[a],
				    (unsigned long long)r->stored[a], (long long)diff[a]);
			sep = w(in, "；", ";");
		}
		sbuf_puts(out, "\n");
		n++;
	}
	if (r->inexact) {
		sbuf_printf(out, w(in, "%s：错误：设备计数截至第 %llu 号，之后的事件过多，无法精确比对\n",
				   "%s: error: the device's counts up to number %llu cannot be compared "
				   "exactly (too many later events came first)\n"),
			    name, (unsigned long long)r->snap_up_to);
		n++;
	}
	return n;
}

size_t completeness_lines(const struct completeness_input *in, struct sbuf *out)
{
	size_t n = 0;
	for (size_t i = 0; in->seqs && i < in->seqs->n; i++)
		n += entry_lines(in, &in->seqs->v[i], out);
	for (size_t i = 0; i < in->nsenders; i++) {
		const struct sender_record *s = &in->senders[i];
		char name[STORE_SEQ_NAME_MAX + VILLAGE_NAME_MAX + 64];
		if (!silent_in_year(in, s))
			continue;
		display_name(in, s->name, village_of(in, s->name), name, sizeof(name));
		sbuf_printf(out, w(in, "%s：已 %lld 天未报送\n", "%s: silent for %lld days\n"), name,
			    (long long)sender_days_silent(s, in->now));
		n++;
	}
	return n;
}

/* ---- JSON ---- */

static json_t *day_json(int64_t t, int32_t tz)
{
	char d[16];
	int64_t y;
	int m, dd;
	civil(t, tz, &y, &m, &dd);
	snprintf(d, sizeof(d), "%04lld-%02d-%02d", (long long)y % 10000, m, dd);
	return json_string(d);
}

static json_t *entry_json(const struct completeness_input *in, const struct seq_entry *e)
{
	const struct seqrec *r = e->rec;
	json_t *o = json_out_object(), *gaps = json_out_array();
	char name[STORE_SEQ_NAME_MAX + VILLAGE_NAME_MAX + 64], epoch[17];
	display_name(in, e->sender, r->village, name, sizeof(name));
	snprintf(epoch, sizeof(epoch), "%016llx", (unsigned long long)e->epoch);
	json_out_set(o, "sender", json_out_string(e->sender));
	json_out_set(o, "name", json_out_string(name));
	json_out_set(o, "epoch", json_string(epoch));
	json_out_set(o, "village", json_out_string(r->village));
	json_out_set(o, "last_heard", json_out_time(r->last_at, in->tz_offset));
	json_out_set(o, "last_number", json_integer((json_int_t)rangeset_last(&r->set)));
	json_out_set(o, "missing", json_integer((json_int_t)rangeset_missing(&r->set)));
	struct seq_gap *g = xreallocarray(NULL, RANGESET_MAX, sizeof(*g));
	size_t ng = rangeset_gaps(&r->set, g, RANGESET_MAX);
	for (size_t i = 0; i < ng && i < RANGESET_MAX; i++) {
		json_t *x = json_out_object();
		json_out_set(x, "from", json_integer((json_int_t)g[i].lo));
		json_out_set(x, "to", json_integer((json_int_t)g[i].hi));
		json_out_set(x, "after", g[i].after_at ? day_json(g[i].after_at, in->tz_offset)
						       : json_null());
		json_out_set(x, "before", day_json(g[i].before_at, in->tz_offset));
		json_out_push(gaps, x);
	}
	free(g);
	json_out_set(o, "gaps", gaps);
	if (rangeset_overflowed(&r->set)) {
		char why[200];
		snprintf(why, sizeof(why), "too many gaps: those below number %llu (%llu numbers) "
					   "were not kept one by one",
			 (unsigned long long)r->set.forgotten_below,
			 (unsigned long long)r->set.forgotten);
		json_out_set(o, "error", json_string(why));
	} else {
		json_out_set(o, "error", json_null());
	}
	if (!r->has_snap) {
		json_out_set(o, "device", json_null());
		return o;
	}
	json_t *d = json_out_object(), *diffs = json_out_array();
	int64_t diff[SEQREC_ACTIONS + 1];
	seqrec_diff(r, diff);
	json_out_set(d, "up_to", json_integer((json_int_t)r->snap_up_to));
	json_out_set(d, "at", json_out_time(r->snap_at, in->tz_offset));
	json_out_set(d, "exact", json_boolean(!r->inexact));
	for (int a = 1; a <= SEQREC_ACTIONS; a++) {
		if (!diff[a])
			continue;
		json_t *x = json_out_object();
		const char *wire = protobuf_c_enum_descriptor_get_value(
					   &lawtally__v1__enforcement__action__descriptor, a)->name;
		json_out_set(x, "action", json_string(strncmp(wire, "ACTION_", 7) ? wire : wire + 7));
		json_out_set(x, "device", json_integer((json_int_t)r->dev[a]));
		json_out_set(x, "stored", json_integer((json_int_t)r->stored[a]));
		json_out_push(diffs, x);
	}
	json_out_set(d, "differences", diffs);
	json_out_set(o, "device", d);
	return o;
}

json_t *completeness_json(const struct completeness_input *in)
{
	json_t *a = json_out_array();
	for (size_t i = 0; in->seqs && i < in->seqs->n; i++)
		json_out_push(a, entry_json(in, &in->seqs->v[i]));
	return a;
}
