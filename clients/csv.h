/*
 * csv.h - reading CSV as spreadsheets export it (RFC 4180).
 *
 * Two steps: csv_decode() turns the file's bytes into UTF-8 (UTF-8 with or
 * without a byte-order mark, GB18030, the encoding Chinese Excel writes
 * by default, or UTF-16, Excel's "Unicode text"; converted with iconv(3));
 * a csv_reader then yields one record at a time: fields separated by
 * commas (or tabs, as in "Unicode text"), records by CRLF, LF or CR, fields
 * in double quotes may hold separators, line breaks and doubled quotes ("").
 * A malformed record is reported with its line and column and skipped; the
 * reader goes on with the next line. Pure code apart from iconv.
 */
#ifndef LAWTALLY_CSV_H
#define LAWTALLY_CSV_H

#include <stddef.h>

#define CSV_FIELDS_MAX 256          /* fields in one record */
#define CSV_FIELD_MAX 32767         /* bytes in one field (an Excel cell's limit) */
#define CSV_RECORD_MAX (1u << 20)   /* bytes in one record */

enum csv_encoding { CSV_AUTO, CSV_UTF8, CSV_GB18030, CSV_UTF16 };

/*
 * Converts len bytes of in to UTF-8 into *out (malloc'd, NUL-terminated,
 * without a byte-order mark; *outlen excludes the NUL). CSV_AUTO: a UTF-16
 * byte-order mark (or ASCII with a zero byte beside each character) means
 * UTF-16, a UTF-8 BOM or valid UTF-8 means UTF-8, anything else is read as
 * GB18030. CSV_UTF16 without a mark reads little-endian. *used (if not
 * NULL) names the encoding read ("UTF-8", "UTF-8 with BOM", "GB18030",
 * "UTF-16LE", "UTF-16BE"). Returns 0; LT_EINVAL with err naming the line
 * (UTF-16: the byte) of the first byte that is not valid in the encoding;
 * LT_ESYS (no iconv converter).
 */
int csv_decode(const char *in, size_t len, enum csv_encoding enc, char **out, size_t *outlen,
	       const char **used, char *err, size_t errlen);

struct csv_reader;

/* One record; valid until the next csv_next() or csv_close(). */
struct csv_record {
	size_t line;    /* where the record starts, 1-based */
	size_t n;       /* fields, >= 1 */
	char **field;   /* NUL-terminated UTF-8; a quoted line break reads as "\n" */
};

/* A reader over text[0..len) (UTF-8, not copied: it must outlive the reader). */
struct csv_reader *csv_open(const char *text, size_t len);

/* The same with fields separated by sep (',' or '\t') instead of commas. */
struct csv_reader *csv_open_sep(const char *text, size_t len, char sep);

/*
 * The separator of a decoded file: '\t' when its first 10 lines hold more
 * tabs than commas outside quotes (Excel's "Unicode text"), else ','.
 */
char csv_guess_separator(const char *text, size_t len);

void csv_close(struct csv_reader **r);

/*
 * Reads the next record into *rec. Returns 1 with a record, 0 at the end,
 * or LT_EINVAL for a malformed record, with err saying "line L, column C:
 * why" (C is the 1-based field number), the record skipped up to the end
 * of its line; call again for the next one.
 */
int csv_next(struct csv_reader *r, struct csv_record *rec, char *err, size_t errlen);

/* The spreadsheet name of 0-based column col ("A", ..., "Z", "AA", ...) into out[8]. */
void csv_column_name(size_t col, char out[8]);

#endif
