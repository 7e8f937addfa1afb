/* figures.c - totals held in memory, sums, diffs, snapshots (see figures.h). */
#include "figures.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"
#include "xalloc.h"

void figures_free(struct figures *f)
{
	tally_deltas_free(&f->t);
}

void figures_add(struct figures *f, const struct tally_key *k, int64_t v)
{
	struct tally_deltas *ds = &f->t;
	if (v == 0)
		return;
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 256;
		ds->d = xreallocarray(ds->d, cap, sizeof(*ds->d));
		ds->cap = cap;
	}
	ds->d[ds->n].key = *k;
	ds->d[ds->n].value = v;
	ds->n++;
}

void figures_seal(struct figures *f)
{
	tally_deltas_merge(&f->t);
}

void figures_from_deltas(struct figures *f, const struct tally_deltas *ds,
			 uint16_t year_min, uint16_t year_max)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->d[i].key.year >= year_min && ds->d[i].key.year <= year_max)
			figures_add(f, &ds->d[i].key, ds->d[i].value);
	figures_seal(f);
}

struct figures_sel figures_sel_all(int metric, uint16_t year)
{
	return (struct figures_sel){metric, year, 0, 0, NULL, {-1, -1}};
}

/* Index of the first entry whose (metric, year) is not below the given. */
static size_t lower_bound(const struct figures *f, int metric, uint16_t year)
{
	size_t lo = 0, hi = f->t.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tally_key *k = &f->t.d[mid].key;
		if (k->metric < metric || (k->metric == metric && k->year < year))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int selected(const struct figures_sel *s, const struct tally_key *k)
{
	if ((s->month_min && k->month < s->month_min) || (s->month_max && k->month > s->month_max))
		return 0;
	if (s->village) {
		char code[VILLAGE_CODE_MAX + 1] = {0};
		memcpy(code, k->village, VILLAGE_CODE_MAX);
		if (strcmp(code, s->village) != 0)
			return 0;
	}
	for (int i = 0; i < 2; i++)
		if (s->dim[i] >= 0 && k->dim[i] != s->dim[i])
			return 0;
	return 1;
}

int64_t figures_sum(const struct figures *f, const struct figures_sel *sel)
{
	int64_t sum = 0;
	for (size_t i = lower_bound(f, sel->metric, sel->year); i < f->t.n; i++) {
		const struct tally_key *k = &f->t.d[i].key;
		if (k->metric != sel->metric || k->year != sel->year)
			break;
		if (selected(sel, k))
			sum += f->t.d[i].value;
	}
	return sum;
}

void figures_diff(const struct figures *a, const struct figures *b, struct figures *out)
{
	out->t.n = 0;
	for (size_t i = 0; i < a->t.n; i++)
		figures_add(out, &a->t.d[i].key, a->t.d[i].value);
	for (size_t i = 0; i < b->t.n; i++)
		figures_add(out, &b->t.d[i].key, -b->t.d[i].value);
	figures_seal(out);
}

int figures_has_year(const struct figures *f, uint16_t year)
{
	for (size_t i = 0; i < f->t.n; i++)
		if (f->t.d[i].key.year == year)
			return 1;
	return 0;
}

size_t figures_encoded_len(const struct figures *f, uint16_t year)
{
	size_t n = 0;
	for (size_t i = 0; i < f->t.n; i++)
		n += f->t.d[i].key.year == year;
	return n * FIGURES_ENTRY_LEN;
}

void figures_encode(const struct figures *f, uint16_t year, uint8_t *out)
{
	for (size_t i = 0; i < f->t.n; i++) {
		if (f->t.d[i].key.year != year)
			continue;
		tally_key_encode(&f->t.d[i].key, out);
		le64_store(out + TALLY_KEY_LEN, (uint64_t)f->t.d[i].value);
		out += FIGURES_ENTRY_LEN;
	}
}

int figures_decode(struct figures *f, const uint8_t *in, size_t len)
{
	if (len % FIGURES_ENTRY_LEN)
		return LT_ECORRUPT;
	for (size_t off = 0; off < len; off += FIGURES_ENTRY_LEN) {
		struct tally_key k;
		tally_key_decode(in + off, &k);
		figures_add(f, &k, (int64_t)le64_load(in + off + TALLY_KEY_LEN));
	}
	figures_seal(f);
	return 0;
}

void figures_sha256(const uint8_t *data, size_t len, uint8_t out[FIGURES_SHA256_LEN])
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, FIGURES_SHA256_LEN, out);
}

void figures_hex(const uint8_t digest[FIGURES_SHA256_LEN], char out[2 * FIGURES_SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < FIGURES_SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * FIGURES_SHA256_LEN] = '\0';
}
