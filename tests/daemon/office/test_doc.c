/*
 * test_doc.c - the office's documents as blocks and their forms: the text
 * and the HTML page say the same lines, escaped; the Word document's XML
 * (styles, sections, tables) and its zip with every part; the workbook's
 * bytes (read back by openpyxl in tests/e2e/test_documents.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include <cmocka.h>

#include "doc.h"
#include "docx.h"
#include "err.h"
#include "workbook.h"

#define TZ 28800
#define NOW 1736042400LL /* 2025-01-05 10:00 +08:00 */

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing: [%s]\nin:\n%s", needle, hay);
}

/* A title, a paragraph with markup characters, a note, then a wide table. */
static void sample(struct doc *d)
{
	struct table t;
	doc_init(d, LANG_ZH);
	doc_add(d, DOC_TITLE, "关于2024年的报告");
	doc_add(d, DOC_HEADING, "二、主要举措");
	doc_add(d, DOC_PARA, "a < b & \"c\" > d");
	doc_add_lines(d, DOC_LINE, "第一行\n\n第二行\n");
	doc_add(d, DOC_WIDE, NULL);
	doc_add(d, DOC_HEADING, "附录");
	table_init(&t, 3);
	table_row(&t, (const char *const[]){"指标", "1月", "全年"}, 3);
	table_row(&t, (const char *const[]){"调解成功", "17", "326"}, 3);
	doc_add_table(d, &t);
	assert_int_equal(t.ncols, 0); /* taken over */
}

static void test_plain_and_html(void **state)
{
	(void)state;
	struct doc d;
	struct sbuf out;
	sample(&d);
	assert_int_equal(d.n, 8);
	assert_string_equal(doc_title(&d), "关于2024年的报告");
	sbuf_init(&out, 1 << 20);
	assert_int_equal(doc_plain(&d, 0, &out), 0);
	assert_string_equal(sbuf_text(&out), "关于2024年的报告\n\n二、主要举措\n"
					     "a < b & \"c\" > d\n第一行\n第二行\n\n附录\n\n"
					     "指标      1月  全年\n"
					     "-------------------\n"
					     "调解成功   17   326\n\n");
	sbuf_reset(&out);
	assert_int_equal(doc_html(&d, &out), 0);
	const char *s = sbuf_text(&out);
	assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"zh-CN\">", 34) == 0);
	assert_contains(s, "<title>关于2024年的报告</title>");
	assert_contains(s, "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }");
	assert_contains(s, "content: \"— \" counter(page) \" —\"");
	assert_contains(s, "<body>\n<h1>关于2024年的报告</h1>\n<h2>二、主要举措</h2>\n"
			   "<p>a &lt; b &amp; &quot;c&quot; &gt; d</p>\n<p class=\"line\">第一行</p>\n"
			   "<p class=\"line\">第二行</p>\n<div class=\"wide\">\n<h2>附录</h2>\n<table>\n"
			   "<thead><tr><th>指标</th><th>1月</th><th>全年</th></tr></thead>\n<tbody>\n"
			   "<tr><td>调解成功</td><td>17</td><td>326</td></tr>\n</tbody>\n</table>\n"
			   "</div>\n</body>\n</html>\n");
	assert_null(strstr(s, "<script"));
	/* a page that does not fit is cut and said so */
	struct sbuf small;
	sbuf_init(&small, 100);
	assert_int_equal(doc_html(&d, &small), LT_EFULL);
	sbuf_free(&small);
	sbuf_free(&out);
	doc_free(&d);
}

static void test_docx_xml(void **state)
{
	(void)state;
	struct doc d;
	struct sbuf out;
	sample(&d);
	sbuf_init(&out, 1 << 20);
	assert_int_equal(docx_document_xml(&d, &out), 0);
	const char *s = sbuf_text(&out);
	assert_contains(s, "<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t "
			   "xml:space=\"preserve\">关于2024年的报告</w:t></w:r></w:p>");
	assert_contains(s, "<w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t xml:space=\"preserve\">"
			   "二、主要举措</w:t>");
	assert_contains(s, "<w:t xml:space=\"preserve\">a &lt; b &amp; &quot;c&quot; &gt; d</w:t>");
	/* the portrait section ends with the line before the wide part */
	assert_contains(s, "<w:pStyle w:val=\"Plain\"/><w:sectPr><w:footerReference "
			   "w:type=\"default\" r:id=\"rId2\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
			   "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\"");
	assert_contains(s, "第二行</w:t>");
	/* the table: a repeated header row, right-aligned figures */
	assert_contains(s, "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
	assert_contains(s, "<w:pStyle w:val=\"TableText\"/><w:jc w:val=\"right\"/></w:pPr><w:r><w:t "
			   "xml:space=\"preserve\">326</w:t>");
	/* the last section is landscape, after a paragraph closing the table */
	assert_contains(s, "</w:tbl><w:p><w:pPr><w:pStyle w:val=\"Plain\"/></w:pPr></w:p><w:sectPr>"
			   "<w:footerReference w:type=\"default\" r:id=\"rId2\"/><w:pgSz w:w=\"16838\" "
			   "w:h=\"11906\" w:orient=\"landscape\"/>");
	assert_true(strstr(s, "</w:sectPr></w:body></w:document>\n") != NULL);
	sbuf_free(&out);
	doc_free(&d);
}

/* The zip holds every part, and its document.xml is the one above. */
static void test_docx_zip(void **state)
{
	(void)state;
	static const char *const parts[] = {"[Content_Types].xml", "_rels/.rels", "docProps/core.xml",
					    "word/_rels/document.xml.rels", "word/document.xml",
					    "word/styles.xml", "word/footer1.xml"};
	struct doc d;
	struct sbuf out, xml;
	sample(&d);
	sbuf_init(&out, 1 << 20);
	sbuf_init(&xml, 1 << 20);
	assert_int_equal(docx_write(&d, &out), 0);
	assert_int_equal(docx_document_xml(&d, &xml), 0);
	assert_memory_equal(out.p, "PK\x03\x04", 4);
	zip_error_t ze;
	zip_source_t *src = zip_source_buffer_create(out.p, out.len, 0, &ze);
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(zip_get_name(za, i, 0), parts[i]);
	zip_stat_t st;
	assert_int_equal(zip_stat(za, "word/document.xml", 0, &st), 0);
	assert_int_equal(st.size, xml.len);
	assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
	char *buf = malloc(st.size);
	zip_file_t *zf = zip_fopen(za, "word/document.xml", 0);
	assert_int_equal(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
	assert_memory_equal(buf, xml.p, xml.len);
	zip_fclose(zf);
	free(buf);
	assert_int_equal(zip_stat(za, "word/styles.xml", 0, &st), 0);
	zip_close(za);
	/* too small a buffer: LT_EFULL, not a broken file said to be whole */
	struct sbuf small;
	sbuf_init(&small, 1000);
	assert_int_equal(docx_write(&d, &small), LT_EFULL);
	sbuf_free(&small);
	sbuf_free(&xml);
	sbuf_free(&out);
	doc_free(&d);
}

static void test_workbook(void **state)
{
	(void)state;
	struct figures f = {0};
	struct tally_key k;
	memset(&k, 0, sizeof(k));
	k.metric = M_DISPUTES_AGREEMENT_AMOUNT_FEN;
	k.year = 2024;
	k.month = 6;
	memcpy(k.village, "ZL07", 4);
	figures_add(&f, &k, 7250050);
	figures_seal(&f);
	struct villages *v = malloc(sizeof(*v));
	villages_builtin(v);
	struct monthly_input mi = {2024, 6, LANG_ZH, TZ, NOW, 0, &f, "张良镇", v, NULL, NULL, 0};
	struct workbook_input wi = {2024, LANG_ZH, &f, v, &mi};
	struct sbuf out;
	sbuf_init(&out, 8 << 20);
	assert_int_equal(workbook_render(&wi, &out), 0);
	assert_memory_equal(out.p, "PK\x03\x04", 4);
	zip_error_t ze;
	zip_source_t *src = zip_source_buffer_create(out.p, out.len, 0, &ze);
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	assert_non_null(za);
	zip_int64_t sheets = 0;
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++)
		sheets += strncmp(zip_get_name(za, (zip_uint64_t)i, 0), "xl/worksheets/sheet", 19) == 0;
	assert_int_equal(sheets, 5);
	zip_close(za);
	sbuf_free(&out);
	free(v);
	figures_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_html),
		cmocka_unit_test(test_docx_xml),
		cmocka_unit_test(test_docx_zip),
		cmocka_unit_test(test_workbook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
