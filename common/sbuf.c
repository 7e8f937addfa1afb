/* sbuf.c - a bounded, growable text buffer (see sbuf.h). */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

void sbuf_init(struct sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void sbuf_free(struct sbuf *b)
{
	free(b->p);
	sbuf_init(b, b->max);
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	b->full = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Makes room for n more bytes and the NUL, within max; returns what fits. */
static size_t reserve(struct sbuf *b, size_t n)
{
	if (n > b->max - b->len) {
		n = b->max - b->len;
		b->full = 1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	return n;
}

void sbuf_put(struct sbuf *b, const char *s, size_t n)
{
	n = reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sbuf_put(b, small, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sbuf_put(b, big, (size_t)n);
	free(big);
}

const char *sbuf_text(const struct sbuf *b)
{
	return b->p ? b->p : "";
}

int sbuf_status(const struct sbuf *b)
{
	return b->full ? LT_EFULL : 0;
}
