/*
 * docx.h - a document (doc.h) as a Word document the office can edit:
 * Office Open XML (ECMA-376), the parts written here and zipped by
 * zipmem.h. The title and headings carry Word's Title and Heading 1
 * styles, paragraphs and table cells are plain text runs, A4 pages with
 * the GB/T 9704 margins and fonts (as doc.h), page numbers in the footer,
 * DOC_WIDE parts in a landscape section. Word, WPS and LibreOffice open it.
 */
#ifndef LAWTALLY_DOCX_H
#define LAWTALLY_DOCX_H

#include "doc.h"
#include "sbuf.h"

#define DOCX_CONTENT_TYPE \
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document"

/* Appends the .docx file to out. Returns 0, LT_EFULL (out is full) or LT_ESYS (zip). */
int docx_write(const struct doc *d, struct sbuf *out);

/* The part word/document.xml alone (for tests). Returns 0 or LT_EFULL. */
int docx_document_xml(const struct doc *d, struct sbuf *out);

#endif
