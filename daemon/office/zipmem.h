/*
 * zipmem.h - a zip archive made in memory (libzip), for the Office Open
 * XML documents: each part is deflated and stored under its name.
 */
#ifndef LAWTALLY_ZIPMEM_H
#define LAWTALLY_ZIPMEM_H

#include <stddef.h>

#include "sbuf.h"

struct zip_part {
	const char *name;   /* path inside the archive: "word/document.xml" */
	const char *data;
	size_t len;
};

/*
 * Appends the archive of the n parts, in their order, to out. Returns 0,
 * LT_EFULL if out's maximum was reached, or LT_ESYS if libzip failed (its
 * reason is logged).
 */
int zipmem_write(const struct zip_part *parts, size_t n, struct sbuf *out);

#endif
