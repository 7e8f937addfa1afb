/* seqrec.c - per sender and epoch: numbers seen, device cross-check (see seqrec.h). */
#include "seqrec.h"

#include <string.h>

#include "err.h"

#define SEQREC_VERSION 1
#define FLAG_SNAP 1
#define FLAG_INEXACT 2

void seqrec_init(struct seqrec *r)
{
	memset(r, 0, offsetof(struct seqrec, set));
	rangeset_init(&r->set);
	memset(r->enf, 0, sizeof(*r) - offsetof(struct seqrec, enf));
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzz(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

size_t seqrec_encode(const struct seqrec *r, uint8_t *out)
{
	uint8_t *p = out;
	size_t vl = strlen(r->village);
	*p++ = SEQREC_VERSION;
	p += rangeset_put_varint(p, zz(r->last_at));
	*p++ = (uint8_t)vl;
	memcpy(p, r->village, vl);
	p += vl;
	p += rangeset_encode(&r->set, p);
	*p++ = (uint8_t)((r->has_snap ? FLAG_SNAP : 0) | (r->inexact ? FLAG_INEXACT : 0));
	for (int a = 1; a <= SEQREC_ACTIONS; a++)
		p += rangeset_put_varint(p, r->enf[a]);
	*p++ = (uint8_t)r->ntail;
	for (size_t i = 0; i < r->ntail; i++) {
		p += rangeset_put_varint(p, r->tail[i].seq);
		*p++ = r->tail[i].action;
	}
	p += rangeset_put_varint(p, r->evicted_max);
	if (r->has_snap) {
		p += rangeset_put_varint(p, r->snap_up_to);
		p += rangeset_put_varint(p, r->snap_seq);
		p += rangeset_put_varint(p, zz(r->snap_at));
		for (int a = 1; a <= SEQREC_ACTIONS; a++)
			p += rangeset_put_varint(p, r->dev[a]);
		for (int a = 1; a <= SEQREC_ACTIONS; a++)
			p += rangeset_put_varint(p, r->stored[a]);
	}
	return (size_t)(p - out);
}

/* A reader over a value: every get fails once one has. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	int bad;
};

static uint64_t rd_v(struct rd *d)
{
	uint64_t v = 0;
	size_t k = d->bad ? 0 : rangeset_get_varint(d->p + d->off, d->len - d->off, &v);
	if (!k)
		d->bad = 1;
	d->off += k;
	return v;
}

static uint8_t rd_u8(struct rd *d)
{
	if (d->bad || d->off >= d->len) {
		d->bad = 1;
		return 0;
	}
	return d->p[d->off++];
}

int seqrec_decode(struct seqrec *r, const uint8_t *in, size_t len)
{
	struct rd d = {in, len, 0, 0};
	seqrec_init(r);
	if (rd_u8(&d) != SEQREC_VERSION)
		return LT_ECORRUPT;
	r->last_at = unzz(rd_v(&d));
	size_t vl = rd_u8(&d);
	if (d.bad || vl > VILLAGE_CODE_MAX || len - d.off < vl)
		return LT_ECORRUPT;
	memcpy(r->village, in + d.off, vl);
	r->village[vl] = '\0';
	d.off += vl;
	size_t used;
	if (rangeset_decode(&r->set, in + d.off, len - d.off, &used) != 0)
		return LT_ECORRUPT;
	d.off += used;
	uint8_t flags = rd_u8(&d);
	r->has_snap = (flags & FLAG_SNAP) != 0;
	r->inexact = (flags & FLAG_INEXACT) != 0;
	for (int a = 1; a <= SEQREC_ACTIONS; a++)
		r->enf[a] = rd_v(&d);
	r->ntail = rd_u8(&d);
	if (r->ntail > SEQREC_TAIL)
		return LT_ECORRUPT;
	for (size_t i = 0; i < r->ntail; i++) {
		r->tail[i].seq = rd_v(&d);
		r->tail[i].action = rd_u8(&d);
		if (r->tail[i].action < 1 || r->tail[i].action > SEQREC_ACTIONS)
			d.bad = 1;
	}
	r->evicted_max = rd_v(&d);
	if (r->has_snap) {
		r->snap_up_to = rd_v(&d);
		r->snap_seq = rd_v(&d);
		r->snap_at = unzz(rd_v(&d));
		for (int a = 1; a <= SEQREC_ACTIONS; a++)
			r->dev[a] = rd_v(&d);
		for (int a = 1; a <= SEQREC_ACTIONS; a++)
			r->stored[a] = rd_v(&d);
	}
	return d.bad || d.off != len ? LT_ECORRUPT : 0;
}

static void count_enforcement(struct seqrec *r, uint64_t seq, int action)
{
	if (action < 1 || action > SEQREC_ACTIONS)
		return;
	r->enf[action]++;
	if (r->ntail == SEQREC_TAIL) {
		if (r->tail[0].seq > r->evicted_max)
			r->evicted_max = r->tail[0].seq;
		memmove(&r->tail[0], &r->tail[1], (SEQREC_TAIL - 1) * sizeof(r->tail[0]));
		r->ntail--;
	}
	r->tail[r->ntail++] = (struct seqrec_tail){seq, (uint8_t)action};
	if (r->has_snap && seq <= r->snap_up_to)
		r->stored[action]++;
}

static void take_snapshot(struct seqrec *r, const Lawtally__V1__CounterSnapshot *c, uint64_t seq,
			  int64_t at)
{
	if (r->has_snap && seq < r->snap_seq)
		return; /* an older one sent again */
	r->has_snap = 1;
	r->snap_up_to = c->up_to;
	r->snap_seq = seq;
	r->snap_at = at;
	memset(r->dev, 0, sizeof(r->dev));
	for (size_t i = 0; i < c->n_counts; i++) {
		int a = (int)c->counts[i]->action;
		if (a >= 1 && a <= SEQREC_ACTIONS)
			r->dev[a] = c->counts[i]->count;
	}
	memcpy(r->stored, r->enf, sizeof(r->stored));
	for (size_t i = 0; i < r->ntail; i++)
		if (r->tail[i].seq > c->up_to)
			r->stored[r->tail[i].action]--;
	/* an event above up_to that left the tail is still counted in enf */
	r->inexact = r->evicted_max > c->up_to;
}

void seqrec_event(struct seqrec *r, const Lawtally__V1__Event *e, int64_t at, int stored)
{
	if (e->seq == 0)
		return;
	rangeset_add(&r->set, e->seq, at);
	if (!stored)
		return;
	if (e->body_case == LAWTALLY__V1__EVENT__BODY_ENFORCEMENT)
		count_enforcement(r, e->seq, (int)e->enforcement->action);
	else if (e->body_case == LAWTALLY__V1__EVENT__BODY_COUNTERS)
		take_snapshot(r, e->counters, e->seq, at);
}

size_t seqrec_diff(const struct seqrec *r, int64_t diff[SEQREC_ACTIONS + 1])
{
	size_t n = 0;
	memset(diff, 0, (SEQREC_ACTIONS + 1) * sizeof(diff[0]));
	if (!r->has_snap)
		return 0;
	for (int a = 1; a <= SEQREC_ACTIONS; a++) {
		diff[a] = (int64_t)(r->dev[a] - r->stored[a]);
		n += diff[a] != 0;
	}
	return n;
}
