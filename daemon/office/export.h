/*
 * export.h - CSV exports that Excel opens correctly: UTF-8 with a byte order
 * mark, CRLF line ends, RFC 4180 quoting (a field with a comma, a quote,
 * CR or LF is quoted, quotes doubled). A text field that would start a
 * formula in a spreadsheet (=, +, -, @, tab, CR) and is not a number gets
 * a leading apostrophe, so that an exported sender name cannot run code.
 *
 * Pure code: totals from a QueryReply, events from stored records.
 */
#ifndef LAWTALLY_EXPORT_H
#define LAWTALLY_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "labels.h"
#include "lawtally.pb-c.h"
#include "sbuf.h"
#include "villages.h"

#define EXPORT_BOM "\xEF\xBB\xBF"

/* One record: the cells quoted as needed, comma-separated, CRLF. */
void export_row(struct sbuf *out, const char *const *cells, size_t n);

/*
 * The totals of a query (reply rows of `by`: "", "month", "village" or a
 * dimension name) with a BOM and a header:
 *   metric,label,unit,value                             (by "")
 *   metric,label,month,unit,value
 *   metric,label,village,village_name,unit,value
 *   metric,label,<dim>,<dim>_label,unit,value
 * label and the names are in language l; unit is the values' unit (件, 元,
 * 人次...; in English "yuan" for amounts, else empty). Amounts are in yuan
 * with two decimals ("72500.50"), as the report prints them, never fen.
 */
void export_totals(const Lawtally__V1__QueryReply *r, const char *by, enum lang l,
		const struct villages *villages, struct sbuf *out);

/* The BOM and the header of the events export. */
void export_events_header(struct sbuf *out);

/* One stored event; times in zone tz as "YYYY-MM-DD HH:MM:SS". */
struct export_record {
	uint64_t seq;
	int64_t received_at;
	const char *sender;
	int retracted;
	const Lawtally__V1__Event *event;
};
void export_event(struct sbuf *out, const struct export_record *ev, int32_t tz);

#endif
