/*
 * xlsx.h - the cells of an Excel workbook (.xlsx) as text, row by row.
 *
 * What a village centre's Excel saves by default: a zip of XML parts
 * (ECMA-376). xl/workbook.xml lists the sheets (xl/_rels/workbook.xml.rels
 * says which part holds each), xl/sharedStrings.xml the strings that cells
 * index, xl/styles.xml which number formats are dates, and each
 * xl/worksheets/sheetN.xml the cells of a sheet. Read with libzip and
 * expat, streamed part by part.
 *
 * A sheet's rows come out as struct csv_record (csv.h), as the CSV reader
 * gives them, so that the ledger code is one: line is the row's number in
 * Excel (1-based; rows with no cell are left out), field[i] the text of
 * column i, "" for an empty cell. Text as Excel shows it in General
 * format: shared and inline strings (rich text joined, phonetic guides
 * left out), numbers in at most 15 significant digits ("2400", "0.3"),
 * booleans TRUE/FALSE, errors as written (#N/A), and a number whose cell
 * has a date format as its date: "2024-03-05", with " HH:MM:SS" when it has
 * a time (1900 system with Excel's fake 1900-02-29, or the 1904 system when
 * the workbook says so). A formula gives its saved result.
 *
 * Everything is bounded, so that a hostile file costs at most the limits
 * below: a part that unpacks to more than its limit, however small it is
 * packed (a zip bomb), is refused with a line saying so. XML with a
 * document type declaration (entity definitions) is refused: .xlsx never
 * has one. Merged cells hold their value in the first cell only (what
 * ledger_fill_down handles). Password-protected and old .xls files are
 * refused with a line saying what to save instead.
 */
#ifndef LAWTALLY_XLSX_H
#define LAWTALLY_XLSX_H

#include <stddef.h>

#include "csv.h"

#define XLSX_FILE_MAX ((size_t)64 << 20)        /* bytes of the .xlsx file */
#define XLSX_SHEET_MAX ((size_t)256 << 20)      /* bytes of the sheet's XML, unpacked */
#define XLSX_STRINGS_MAX ((size_t)64 << 20)     /* bytes of sharedStrings.xml, unpacked */
#define XLSX_PART_MAX ((size_t)8 << 20)         /* workbook, its rels, styles, unpacked */
#define XLSX_TEXT_MAX ((size_t)64 << 20)        /* bytes of cell text kept, all strings */
#define XLSX_ROWS_MAX 200000                    /* rows with a value */
#define XLSX_CELLS_MAX (4u << 20)               /* cells with a value */
#define XLSX_SHARED_MAX 1000000                 /* shared strings */
#define XLSX_CELL_MAX 131072                    /* bytes of one cell's text */
#define XLSX_SHEETS_MAX 256                     /* sheets listed in the workbook */

struct xlsx;

/*
 * Reads the workbook data[0..len) (not copied: it must outlive *out) and
 * the cells of one sheet: the one named sheet, else (sheet a number) the
 * sheet at that place in the workbook's order, 1-based; with sheet NULL
 * the first sheet that is not hidden. On 0, *out holds them (xlsx_close
 * it). LT_EINVAL when the file is not a workbook lawtally can read, the
 * sheet is missing (err then lists the sheets) or a limit is passed, with
 * err saying which in one line.
 */
int xlsx_open(struct xlsx **out, const void *data, size_t len, const char *sheet, char *err,
	      size_t errlen);

/* Frees it and NULLs *x. NULL is a no-op. */
void xlsx_close(struct xlsx **x);

/*
 * The next row with a value into *rec, valid until the next call or
 * xlsx_close (the fields may be repointed by the caller, not written).
 * Returns 1 with a row, 0 after the last.
 */
int xlsx_next(struct xlsx *x, struct csv_record *rec);

/* The name of the sheet read, as the workbook spells it. */
const char *xlsx_sheet_name(const struct xlsx *x);

/* Cells with a value right of column CSV_FIELDS_MAX, which were left out. */
size_t xlsx_cells_dropped(const struct xlsx *x);

/* 1 if data starts as a zip file does (what an .xlsx is). */
int xlsx_looks_like(const void *data, size_t len);

#endif
