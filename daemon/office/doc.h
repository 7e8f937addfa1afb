/*
 * doc.h - an office document as blocks (a title, headings, paragraphs,
 * tables), built once by the report and the monthly form and written out
 * as a page to print (doc_html) or a Word document to edit (docx.h).
 *
 * Pure code. The paragraphs are the lines of the text document, so each
 * format says exactly what the text says. A document owns copies of its
 * texts and takes over the tables given to it. Memory comes from xalloc.h
 * (running out ends the process).
 */
#ifndef LAWTALLY_DOC_H
#define LAWTALLY_DOC_H

#include <stddef.h>

#include "labels.h"
#include "sbuf.h"
#include "table.h"

enum doc_kind {
	DOC_TITLE,    /* the document's title (one, first) */
	DOC_HEADING,  /* a heading of the body */
	DOC_PARA,     /* a paragraph of the body */
	DOC_LINE,     /* a line of an appendix or a note: no first-line indent */
	DOC_TABLE,    /* a table; row 0 is its header */
	DOC_WIDE,     /* what follows starts a new page, landscape (wide tables) */
};

struct doc_block {
	enum doc_kind kind;
	char *text;            /* NULL for DOC_TABLE and DOC_WIDE */
	struct table table;    /* DOC_TABLE only */
};

struct doc {
	enum lang lang;
	struct doc_block *b;
	size_t n, cap;
};

void doc_init(struct doc *d, enum lang lang);
void doc_free(struct doc *d);

/* Appends a block of text (a copy); DOC_WIDE takes no text (NULL). */
void doc_add(struct doc *d, enum doc_kind kind, const char *text);

/* Appends each line of text (split at '\n', empty lines dropped) as kind. */
void doc_add_lines(struct doc *d, enum doc_kind kind, const char *text);

/* Appends a table, taking it over: *t is empty afterwards. */
void doc_add_table(struct doc *d, struct table *t);

/* The document's title: its DOC_TITLE block, or "" without one. */
const char *doc_title(const struct doc *d);

/*
 * One self-contained HTML page laid out as a government document on A4
 * (GB/T 9704: title, body and heading fonts and sizes with fallbacks to
 * the CJK fonts Debian ships, margins, page numbers "— N —" at the foot),
 * DOC_WIDE parts on landscape pages. No script, nothing loaded from
 * elsewhere. Returns 0, or LT_EFULL if out's maximum was reached.
 */
int doc_html(const struct doc *d, struct sbuf *out);

/*
 * The document as text (Markdown with markdown set): the title, lines and
 * paragraphs one a line, an empty line before headings and tables, tables
 * aligned (table.h). Returns 0 or LT_EFULL.
 */
int doc_plain(const struct doc *d, int markdown, struct sbuf *out);

/* Appends s with &, <, >, " escaped for HTML and XML text and attributes. */
void doc_escape(struct sbuf *out, const char *s);

#endif
