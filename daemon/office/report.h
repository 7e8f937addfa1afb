/*
 * report.h - the year-end report as a document.
 *
 * Pure code: everything shown comes in struct report_input. The document
 * is the template's lines with their figures filled in, a note saying what
 * the figures are (live; as of a moment; or the filed figures of a closed
 * year, with their SHA-256 and the adjustments after close, live minus
 * filed, listed separately), and an appendix: every metric by village and
 * by month, and the completeness of the senders. In text (as the township
 * files it), Markdown, or JSON with the same content for programs (the
 * dashboard).
 *
 * Also here, because it is the same completeness seen alone: the JSON of
 * GET /v1/senders.
 */
#ifndef LAWTALLY_REPORT_H
#define LAWTALLY_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "figures.h"
#include "labels.h"
#include "sbuf.h"
#include "senders.h"
#include "template.h"
#include "villages.h"

/*
 * Text (as the township files it), Markdown, JSON for programs, a page to
 * print (HTML, doc.h) or a Word document to edit (docx.h); HTML and Word
 * say what the text says, line for line.
 */
enum report_format { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON, REPORT_HTML, REPORT_DOCX };

/* "text", "markdown", "json", "html" or "docx" (NULL or "" is text). Returns 0 or -1. */
int report_format_parse(const char *s, enum report_format *out);

/* The media type of a format, with its charset. */
const char *report_content_type(enum report_format f);

/* Largest document rendered, in bytes. */
#define REPORT_OUTPUT_MAX (8u << 20)

/* A closed year, as the report shows it. */
struct report_closed {
	int64_t closed_at;
	char sha256[2 * FIGURES_SHA256_LEN + 1];   /* hex */
	const struct figures *adjustments;         /* shown minus filed, sealed */
	const char *accepted;     /* lines missing when it closed, accepted; NULL: none */
};

struct report_input {
	uint16_t year;
	enum lang lang;
	int32_t tz_offset;
	int64_t now;                          /* when the document is made */
	int64_t as_of;                        /* 0: live figures */
	const struct figures *fig;            /* the figures shown (filed ones when closed) */
	const struct report_closed *closed;   /* NULL: the year is not closed (as of as_of) */
	const struct villages *villages;
	const char *town;                     /* {town}: NULL for the template's @town */
	const struct sender_record *senders;  /* for the appendix; may be NULL with 0 */
	size_t nsenders;
	unsigned silent_days;                 /* senders silent longer are flagged */
	/* what is missing of the year (completeness.h): lines, each ended by "\n";
	 * NULL: not known (not shown) */
	const char *missing;
};

/*
 * Renders the report into out. Returns 0, or LT_EFULL if the document
 * would exceed out's maximum (what was written is then incomplete), or
 * (docx) LT_ESYS if the zip library failed.
 */
int report_render(const struct template *t, const struct report_input *in,
		  enum report_format f, struct sbuf *out);

/*
 * GET /v1/senders: {"now", "silent_days", "senders": [{"sender",
 * "last_heard", "days_silent", "silent", "months": {"YYYY-MM": events}}]},
 * silent senders first, then by name; and "sequences" when not NULL (taken:
 * completeness_json's array). Returns 0 or LT_EFULL.
 */
int report_senders_json(const struct sender_record *s, size_t n, int64_t now, int32_t tz,
			unsigned silent_days, json_t *sequences, struct sbuf *out);

#endif
