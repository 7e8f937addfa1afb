/*
 * sbuf.h - a bounded, growable text buffer: where documents are rendered.
 *
 * Pure code. Writes past the buffer's maximum are dropped and remembered
 * (sbuf_status says LT_EFULL), so a renderer never needs to check each
 * write and never produces more than the maximum. The text is always
 * NUL-terminated. Running out of memory ends the process (xalloc.h).
 */
#ifndef LAWTALLY_SBUF_H
#define LAWTALLY_SBUF_H

#include <stddef.h>

#include "log.h"

struct sbuf {
	char *p;        /* the text, NUL-terminated; NULL until the first write */
	size_t len;     /* bytes of text */
	size_t cap;     /* bytes allocated */
	size_t max;     /* most bytes of text kept */
	int full;       /* a write was cut at max */
};

/* An empty buffer that keeps at most max bytes. */
void sbuf_init(struct sbuf *b, size_t max);

/* Frees the text; b may be initialised again. */
void sbuf_free(struct sbuf *b);

/* Empties b, keeping its memory. */
void sbuf_reset(struct sbuf *b);

void sbuf_put(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) LT_PRINTF(2, 3);

/* The text ("" when nothing was written). */
const char *sbuf_text(const struct sbuf *b);

/* 0, or LT_EFULL if anything was left out. */
int sbuf_status(const struct sbuf *b);

#endif
