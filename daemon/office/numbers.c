/* numbers.c - numbers as the report writes them (see numbers.h). */
#include "numbers.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* |v| as unsigned, safe for INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static void count(int64_t v, enum lang l, int sign, char out[NUM_LEN])
{
	char digits[24], *o = out;
	snprintf(digits, sizeof(digits), "%" PRIu64, magnitude(v));
	if (v < 0)
		*o++ = '-';
	else if (sign && v > 0)
		*o++ = '+';
	size_t n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (l == LANG_EN && i > 0 && (n - i) % 3 == 0)
			*o++ = ',';
		*o++ = digits[i];
	}
	*o = '\0';
}

void num_count(int64_t v, enum lang l, char out[NUM_LEN])
{
	count(v, l, 0, out);
}

void num_signed(int64_t v, enum lang l, char out[NUM_LEN])
{
	count(v, l, 1, out);
}

void num_yuan(int64_t fen, char out[NUM_LEN])
{
	uint64_t m = magnitude(fen);
	snprintf(out, NUM_LEN, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", m / 100,
		 (unsigned)(m % 100));
}

void num_yuan_lang(int64_t fen, enum lang l, char out[NUM_LEN])
{
	char whole[NUM_LEN];
	uint64_t m = magnitude(fen);
	count((int64_t)(m / 100), l, 0, whole);
	snprintf(out, NUM_LEN, "%s%.32s.%02u", fen < 0 ? "-" : "", whole, (unsigned)(m % 100));
}

void num_percent(int64_t num, int64_t den, char out[NUM_LEN])
{
	if (den == 0) {
		snprintf(out, NUM_LEN, "-");
		return;
	}
	/* per mille, rounded half away from zero, in 128-bit-free arithmetic */
	int neg = (num < 0) != (den < 0) && num != 0;
	uint64_t n = magnitude(num), d = magnitude(den);
	uint64_t pm = n <= UINT64_MAX / 2000 ? (n * 2000 + d) / (2 * d)
					     : (uint64_t)((double)n * 1000.0 / (double)d + 0.5);
	snprintf(out, NUM_LEN, "%s%" PRIu64 ".%u%%", neg ? "-" : "", pm / 10, (unsigned)(pm % 10));
}

int64_t num_floor_leading(int64_t v)
{
	if (v < 10)
		return v;
	int64_t mag = 1;
	while (v / mag >= 10)
		mag *= 10;
	return v / mag * mag;
}

void num_fill(const char *pattern, const char *number, char *out, size_t outlen)
{
	size_t o = 0, nl = strlen(number);
	if (outlen == 0)
		return;
	for (const char *p = pattern; *p && o + 1 < outlen; p++) {
		if (*p == '#') {
			size_t k = nl < outlen - 1 - o ? nl : outlen - 1 - o;
			memcpy(out + o, number, k);
			o += k;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}
