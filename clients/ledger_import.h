/*
 * ledger_import.h - a whole ledger file (台账) into events, with the outcome
 * of every row: what `lawtally import` prints and the village desk's upload
 * shows before anything is committed.
 *
 * The file is an Excel workbook (.xlsx, xlsx.h), or text as Excel saves it
 * (CSV in UTF-8 or GB18030, "Unicode text" in UTF-16 with tabs; csv.h).
 * The header row is the first of the first 10 rows that names the columns
 * a ledger of the kind needs (a title row may sit above it); every later
 * row is a case (ledger.h), with the blank cells of merged date and village
 * columns taking the value above. A case number given twice for the same
 * stage is flagged on the second row with the line of the first, and that
 * row is left out. Nothing here sends or stores: the events are the
 * caller's to spool.
 */
#ifndef LAWTALLY_LEDGER_IMPORT_H
#define LAWTALLY_LEDGER_IMPORT_H

#include <stddef.h>

#include "csv.h"
#include "ledger.h"

#define LEDGER_IMPORT_ROWS_MAX 100000   /* data rows of one file */
#define LEDGER_IMPORT_HEADER_SEARCH 10  /* rows looked at for the header */

enum ledger_format {
	LEDGER_FORMAT_AUTO, /* by the name's extension, else by the content */
	LEDGER_FORMAT_TEXT, /* CSV or Excel's "Unicode text" */
	LEDGER_FORMAT_XLSX,
};

struct ledger_import_opts {
	enum ledger_kind kind;
	enum ledger_format format;
	enum csv_encoding encoding;  /* text: CSV_AUTO or the one said */
	const char *sheet;           /* xlsx: a sheet's name or place; NULL: the first */
	const char *name;            /* the file's name: its extension, and nothing else */
	const char *village;         /* the code events carry */
	const char *village_name;    /* its name, which a village column may use; "" */
	const char *source;          /* the events' source */
};

enum ledger_outcome {
	LEDGER_ROW_EVENTS,  /* a case: events in rows[row] */
	LEDGER_ROW_SKIPPED, /* nothing to count: why says so */
	LEDGER_ROW_BAD,     /* left out: why says which column and what is wrong */
	LEDGER_ROW_NOTE,    /* about the file, not a row (a column left unread) */
};

struct ledger_line {
	size_t line;                 /* the row's line (CSV) or row number (Excel), 1-based */
	enum ledger_outcome outcome;
	char *why;                   /* SKIPPED, BAD, NOTE: one line, malloc'd */
	size_t row;                  /* EVENTS: the index in rows */
};

struct ledger_import {
	char used[160];              /* how it was read: "UTF-8 with BOM", "Excel, sheet 台账" */
	size_t header_line;
	struct ledger_line *lines;   /* in file order */
	size_t nlines;
	struct ledger_row *rows;
	size_t nrows;
	Lawtally__V1__Event **events; /* pointers into rows, in file order */
	size_t *event_line;          /* the line each event came from */
	size_t nevents;
	size_t cases, bad, skipped;
};

/*
 * Reads data[0..len) into *im (zeroed first; free it with
 * ledger_import_free, also after a failure). Returns 0 when the rows were
 * read, even if some are bad (im->bad); LT_EINVAL when the file as a whole
 * cannot be read (not a workbook, bad encoding, no header row, too many
 * rows), with err saying why in one line; LT_ESYS (no iconv converter).
 */
int ledger_import_read(struct ledger_import *im, const void *data, size_t len,
		       const struct ledger_import_opts *o, char *err, size_t errlen);

void ledger_import_free(struct ledger_import *im);

/* The format a name's extension says (.xlsx .xlsm .xls: XLSX; .csv .txt .tsv: TEXT), else AUTO. */
enum ledger_format ledger_format_of_name(const char *name);

#endif
