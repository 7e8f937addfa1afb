/*
 * test_xlsx.c - workbooks built here part by part (libzip in memory), so
 * that each thing Excel and other writers do, and each hostile thing, is
 * one small case: shared, inline and rich strings, dates by built-in and
 * custom formats in both date systems, sheets by name, place or
 * visibility, and the refusals (not a zip, .xls, DOCTYPE, zip bomb).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include <cmocka.h>

#include "err.h"
#include "xlsx.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""

static const char workbook_one[] =
	"<?xml version=\"1.0\"?><workbook " NS "><sheets>"
	"<sheet name=\"台账\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels_one[] =
	"<?xml version=\"1.0\"?><Relationships "
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"x\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"x\" Target=\"/xl/worksheets/sheet2.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"x\" Target=\"worksheets/sheet3.xml\"/></Relationships>";

struct part {
	const char *name, *text;
	size_t len; /* 0: strlen(text) */
};

/* A zip of the parts, in a malloc'd buffer. */
static void *make_zip(const struct part *parts, size_t n, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		size_t l = parts[i].len ? parts[i].len : strlen(parts[i].text);
		zip_source_t *s = zip_source_buffer(za, parts[i].text, l, 0);
		assert_non_null(s);
		assert_true(zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
	*len = (size_t)zip_source_tell(src);
	assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
	void *buf = malloc(*len);
	assert_int_equal(zip_source_read(src, buf, *len), (zip_int64_t)*len);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return buf;
}

/* A workbook of one sheet with these cells (sheetData's content), strings and styles. */
static struct xlsx *open_sheet(const char *cells, const char *strings, const char *styles,
			       const char *workbook, int want_rc, char *err, size_t errlen)
{
	char sheet[8192];
	snprintf(sheet, sizeof(sheet),
		 "<?xml version=\"1.0\"?><worksheet " NS "><sheetData>%s</sheetData>"
		 "<mergeCells count=\"1\"><mergeCell ref=\"B3:B4\"/></mergeCells></worksheet>",
		 cells);
	struct part parts[5] = {
		{"xl/workbook.xml", workbook ? workbook : workbook_one, 0},
		{"xl/_rels/workbook.xml.rels", rels_one, 0},
		{"xl/worksheets/sheet1.xml", sheet, 0},
	};
	size_t n = 3;
	if (strings)
		parts[n++] = (struct part){"xl/sharedStrings.xml", strings, 0};
	if (styles)
		parts[n++] = (struct part){"xl/styles.xml", styles, 0};
	size_t len;
	void *zip = make_zip(parts, n, &len);
	struct xlsx *x = NULL;
	int rc = xlsx_open(&x, zip, len, NULL, err, errlen);
	free(zip); /* xlsx_open keeps no pointer into it once it returns */
	assert_int_equal(rc, want_rc);
	return x;
}

/* The next row's line and fields (NULL-terminated list). */
static void expect(struct xlsx *x, size_t line, ...)
{
	struct csv_record rec;
	va_list ap;
	assert_int_equal(xlsx_next(x, &rec), 1);
	assert_int_equal(rec.line, line);
	va_start(ap, line);
	size_t i = 0;
	for (const char *f; (f = va_arg(ap, const char *)); i++) {
		assert_true(i < rec.n);
		assert_string_equal(rec.field[i], f);
	}
	va_end(ap);
	assert_int_equal(rec.n, i);
}

static void test_strings_and_numbers(void **state)
{
	(void)state;
	char err[256];
	const char *strings =
		"<sst " NS "><si><t>案件编号</t></si><si><t xml:space=\"preserve\"> 邻里纠纷 </t></si>"
		"<si><r><rPr><b/></rPr><t>调解</t></r><r><t>成功</t></r>"
		"<rPh sb=\"0\" eb=\"2\"><t>ちょうてい</t></rPh></si></sst>";
	struct xlsx *x = open_sheet(
		"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"inlineStr\"><is><t>受理方式"
		"</t></is></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\"><v>2400</v></c>"
		"<c r=\"C3\"><v>0.30000000000000004</v></c><c r=\"D3\" t=\"b\"><v>1</v></c>"
		"<c r=\"E3\" t=\"e\"><v>#N/A</v></c><c r=\"F3\" t=\"str\"><f>A1&amp;B1</f><v>甲乙</v></c>"
		"<c r=\"G3\" s=\"0\"/></row>"
		"<row r=\"5\"><c t=\"s\"><v>2</v></c><c><v>36000.0</v></c><c><v>1.5E3</v></c></row>"
		"<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t></t></is></c></row>",
		strings, NULL, NULL, 0, err, sizeof(err));
	assert_string_equal(xlsx_sheet_name(x), "台账");
	expect(x, 2, "案件编号", "", "受理方式", NULL);
	expect(x, 3, " 邻里纠纷 ", "2400", "0.3", "TRUE", "#N/A", "甲乙", NULL);
	expect(x, 5, "调解成功", "36000", "1500", NULL);
	struct csv_record rec;
	assert_int_equal(xlsx_next(x, &rec), 0); /* row 6 has only an empty string */
	assert_int_equal(xlsx_cells_dropped(x), 0);
	xlsx_close(&x);
	assert_null(x);
}

static void test_dates(void **state)
{
	(void)state;
	char err[256];
	/* xf 0 General, 1 built-in 14 (m/d/yyyy), 2 custom 176, 3 custom text with quotes */
	const char *styles =
		"<styleSheet " NS "><numFmts count=\"2\">"
		"<numFmt numFmtId=\"176\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
		"<numFmt numFmtId=\"177\" formatCode=\"#,##0.00&quot; 元 days&quot;;[Red]\\-#,##0.00\"/>"
		"</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
		"<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"176\"/>"
		"<xf numFmtId=\"177\"/></cellXfs></styleSheet>";
	struct xlsx *x = open_sheet(
		"<row r=\"1\"><c s=\"1\"><v>45296</v></c><c s=\"2\"><v>45356.4375</v></c>"
		"<c s=\"0\"><v>45296</v></c><c s=\"3\"><v>2500</v></c><c s=\"1\"><v>61</v></c>"
		"<c s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c><c t=\"d\"><v>2024-03-05T00:00:00</v></c>"
		"<c s=\"1\"><v>45296.99999999</v></c><c s=\"9\"><v>45296</v></c></row>",
		NULL, styles, NULL, 0, err, sizeof(err));
	expect(x, 1, "2024-01-05", "2024-03-05 10:30:00", "45296", "2500", "1900-03-01",
	       "1900-02-28", "60", "2024-03-05", "2024-01-06", "45296", NULL);
	xlsx_close(&x);

	const char *wb1904 = "<workbook " NS "><workbookPr date1904=\"1\"/><sheets>"
			     "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	x = open_sheet("<row r=\"1\"><c s=\"1\"><v>43834</v></c></row>", NULL, styles, wb1904, 0, err,
		       sizeof(err));
	expect(x, 1, "2024-01-05", NULL);
	xlsx_close(&x);
}

static void test_sheets(void **state)
{
	(void)state;
	char err[256];
	const char *wb = "<workbook " NS "><sheets>"
			 "<sheet name=\"说明\" sheetId=\"1\" state=\"hidden\" r:id=\"rId2\"/>"
			 "<sheet name=\"台账\" sheetId=\"2\" r:id=\"rId1\"/>"
			 "<sheet name=\"培训\" sheetId=\"3\" r:id=\"rId3\"/></sheets></workbook>";
	struct part parts[] = {
		{"xl/workbook.xml", wb, 0},
		{"xl/_rels/workbook.xml.rels", rels_one, 0},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\">"
					     "<is><t>one</t></is></c></row></sheetData></worksheet>", 0},
		{"xl/worksheets/sheet2.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\">"
					     "<is><t>two</t></is></c></row></sheetData></worksheet>", 0},
		{"xl/worksheets/sheet3.xml", "<worksheet " NS "><sheetData><row r=\"4\"><c r=\"B4\" "
					     "t=\"inlineStr\"><is><t>three</t></is></c></row></sheetData>"
					     "</worksheet>", 0},
	};
	size_t len;
	void *zip = make_zip(parts, sizeof(parts) / sizeof(parts[0]), &len);
	struct xlsx *x = NULL;
	/* the first sheet that is not hidden */
	assert_int_equal(xlsx_open(&x, zip, len, NULL, err, sizeof(err)), 0);
	assert_string_equal(xlsx_sheet_name(x), "台账");
	expect(x, 1, "one", NULL);
	xlsx_close(&x);
	assert_int_equal(xlsx_open(&x, zip, len, "培训", err, sizeof(err)), 0);
	expect(x, 4, "", "three", NULL);
	xlsx_close(&x);
	assert_int_equal(xlsx_open(&x, zip, len, "1", err, sizeof(err)), 0);
	assert_string_equal(xlsx_sheet_name(x), "说明");
	expect(x, 1, "two", NULL);
	xlsx_close(&x);
	assert_int_equal(xlsx_open(&x, zip, len, "Sheet1", err, sizeof(err)), LT_EINVAL);
	assert_null(x);
	assert_string_equal(err, "no sheet \"Sheet1\" in the workbook (its sheets: 说明, 台账, 培训)");
	free(zip);
}

static void test_refusals(void **state)
{
	(void)state;
	char err[256];
	struct xlsx *x = NULL;
	assert_int_equal(xlsx_open(&x, "a,b\n1,2\n", 8, NULL, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "not an Excel workbook (.xlsx is a zip file; this is not one)");
	assert_int_equal(xlsx_open(&x, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, NULL, err, sizeof(err)),
			 LT_EINVAL);
	assert_string_equal(err, "an Excel 97-2003 .xls or a workbook with a password: save it as "
				 "an Excel workbook (.xlsx) without a password");
	assert_int_equal(xlsx_open(&x, "PK\x03\x04garbage", 11, NULL, err, sizeof(err)), LT_EINVAL);
	assert_non_null(strstr(err, "not a readable zip file"));

	struct part none[] = {{"word/document.xml", "<w/>", 0}};
	size_t len;
	void *zip = make_zip(none, 1, &len);
	assert_int_equal(xlsx_open(&x, zip, len, NULL, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "not an Excel workbook: no xl/workbook.xml in it");
	free(zip);

	/* a billion laughs needs entities, and entities a DOCTYPE */
	const char *laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
			     "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><workbook " NS "><sheets>"
			     "<sheet name=\"&lol2;\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	x = open_sheet("", NULL, NULL, laughs, LT_EINVAL, err, sizeof(err));
	assert_string_equal(err, "xl/workbook.xml: a document type declaration, which no workbook "
				 "has; refused");

	x = open_sheet("<row r=\"1\"><c t=\"s\"><v>7</v></c></row>",
		       "<sst " NS "><si><t>a</t></si></sst>", NULL, NULL, LT_EINVAL, err, sizeof(err));
	assert_string_equal(err, "xl/worksheets/sheet1.xml: a cell names shared string \"7\", "
				 "which is not there");
	x = open_sheet("<row r=\"1\"><c r=\"1A\"><v>7</v></c></row>", NULL, NULL, NULL, LT_EINVAL, err,
		       sizeof(err));
	assert_string_equal(err, "xl/worksheets/sheet1.xml: \"1A\" is not a cell reference");
	x = open_sheet("<row r=\"2000000\"><c><v>7</v></c></row>", NULL, NULL, NULL, LT_EINVAL, err,
		       sizeof(err));
	assert_string_equal(err, "xl/worksheets/sheet1.xml: row \"2000000\": not a row number of Excel");
	x = open_sheet("<row r=\"1\"><c><v>7</c></row>", NULL, NULL, NULL, LT_EINVAL, err, sizeof(err));
	assert_string_equal(err, "xl/worksheets/sheet1.xml: line 1: mismatched tag");
}

/* 9 MiB of blanks in the workbook pack to a few KiB: refused once unpacked past 8 MiB. */
static void test_zip_bomb(void **state)
{
	(void)state;
	char err[256];
	size_t big = (size_t)9 << 20;
	char *wb = malloc(big + 1);
	size_t head = (size_t)snprintf(wb, big, "<workbook " NS "><sheets>");
	memset(wb + head, ' ', big - head);
	wb[big] = '\0';
	struct part parts[] = {{"xl/workbook.xml", wb, big}};
	size_t len;
	void *zip = make_zip(parts, 1, &len);
	assert_true(len < 64 << 10);
	struct xlsx *x = NULL;
	assert_int_equal(xlsx_open(&x, zip, len, NULL, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "xl/workbook.xml unpacks to more than 8 MiB; refused (a damaged "
				 "file or a zip bomb)");
	free(zip);
	free(wb);
}

static void test_wide_rows(void **state)
{
	(void)state;
	char err[256];
	/* column IV is the 256th: kept; IW is the 257th: left out and counted */
	struct xlsx *x = open_sheet("<row r=\"1\"><c r=\"IV1\"><v>1</v></c><c r=\"IW1\"><v>2</v></c>"
				    "<c r=\"XFD1\"><v>3</v></c></row>",
				    NULL, NULL, NULL, 0, err, sizeof(err));
	struct csv_record rec;
	assert_int_equal(xlsx_next(x, &rec), 1);
	assert_int_equal(rec.n, 256);
	assert_string_equal(rec.field[255], "1");
	assert_string_equal(rec.field[0], "");
	assert_int_equal(xlsx_cells_dropped(x), 2);
	xlsx_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_and_numbers), cmocka_unit_test(test_dates),
		cmocka_unit_test(test_sheets),              cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_zip_bomb),            cmocka_unit_test(test_wide_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
