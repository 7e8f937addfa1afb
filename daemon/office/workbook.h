/*
 * workbook.h - the year's figures as an Excel workbook (.xlsx, written by
 * libxlsxwriter), for the office that keeps its tables in Excel or WPS.
 *
 * One sheet per view: the year totals, by month, by village (with the
 * villages' names), by category (every dimension of every metric) and the
 * monthly mediation form (monthly.h). Headers in the document's language
 * (Chinese by default) with the metrics' names beside them, so that a
 * program can read the sheets too; counts as numbers; amounts as numbers
 * in yuan with a currency format; the header rows frozen.
 *
 * libxlsxwriter writes to a path: the workbook is written into a private
 * temporary directory ($TMPDIR or /tmp), read back and removed.
 */
#ifndef LAWTALLY_WORKBOOK_H
#define LAWTALLY_WORKBOOK_H

#include <stdint.h>

#include "figures.h"
#include "labels.h"
#include "monthly.h"
#include "sbuf.h"
#include "villages.h"

#define WORKBOOK_CONTENT_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The number format of amounts: yuan with two decimals (Excel's currency, 中文(中国) ¥). */
#define WORKBOOK_YUAN_FORMAT "[$\xC2\xA5-804]#,##0.00"

struct workbook_input {
	uint16_t year;
	enum lang lang;
	const struct figures *fig;             /* the year's figures (and the year before's) */
	const struct villages *villages;       /* may be NULL */
	const struct monthly_input *monthly;   /* the form of the monthly sheet */
};

/*
 * Appends the .xlsx file to out. Returns 0, LT_EFULL if out's maximum was
 * reached, or LT_ESYS (the temporary file, or libxlsxwriter; logged).
 */
int workbook_render(const struct workbook_input *in, struct sbuf *out);

#endif
