/*
 * table.h - small tables for documents: aligned plain text (Chinese
 * characters count two columns) or Markdown.
 *
 * Pure code. A table owns copies of its cells; the first column is a
 * label, aligned left, the others right.
 */
#ifndef LAWTALLY_TABLE_H
#define LAWTALLY_TABLE_H

#include <stddef.h>

#include "sbuf.h"

#define TABLE_COLS_MAX 32

struct table {
	size_t ncols, nrows, cap;
	char **cells;     /* row-major, nrows x ncols; row 0 is the header */
};

/* An empty table of ncols (1..TABLE_COLS_MAX) columns. */
void table_init(struct table *t, size_t ncols);
void table_free(struct table *t);

/* Appends a row; cells beyond ncols are ignored, missing ones are "". */
void table_row(struct table *t, const char *const *cells, size_t n);

/* Appends a row cell by cell: table_row_begin, then table_cell ncols times. */
void table_cell(struct table *t, size_t row, size_t col, const char *text);
size_t table_row_begin(struct table *t);

/* The columns a UTF-8 string takes on a terminal (wide East Asian: 2). */
size_t table_width(const char *s);

/* Plain text: columns padded, two blanks apart, a rule under the header. */
void table_text(const struct table *t, struct sbuf *out);

/* A Markdown (GFM) table; '|' in cells is escaped. */
void table_markdown(const struct table *t, struct sbuf *out);

#endif
