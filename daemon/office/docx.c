/*
 * docx.c - a document as Office Open XML (see docx.h).
 *
 * Sizes in the XML: twentieths of a point (twips; 1 mm = 56.7 twips) for
 * the page and indents, half-points for font sizes. Fonts are named as a
 * Chinese office's Word knows them (仿宋_GB2312, 黑体, 方正小标宋简体);
 * where they are missing, Word, WPS and LibreOffice substitute their own
 * CJK fonts.
 */
#include "docx.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "zipmem.h"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_R "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PR "http://schemas.openxmlformats.org/package/2006/relationships"
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

/* A4 and the GB/T 9704 margins (37, 26, 35, 28 mm), portrait and landscape. */
#define PAGE_PORTRAIT "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>" \
	"<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" " \
	"w:header=\"851\" w:footer=\"1134\" w:gutter=\"0\"/>"
#define PAGE_LANDSCAPE "<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>" \
	"<w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1247\" w:left=\"1134\" " \
	"w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>"
/* The width of the text on a landscape page, for the tables' columns. */
#define LANDSCAPE_TEXT_TWIPS (16838 - 2 * 1134)

static const char content_types[] = XML_HEAD
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" "
	"ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
	"<Override PartName=\"/word/footer1.xml\" ContentType=\"application/"
	"vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
	"<Override PartName=\"/docProps/core.xml\" "
	"ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
	"</Types>\n";

static const char package_rels[] = XML_HEAD
	"<Relationships xmlns=\"" NS_PR "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_R "/officeDocument\" Target=\"word/document.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_PR "/metadata/core-properties\" "
	"Target=\"docProps/core.xml\"/>"
	"</Relationships>\n";

static const char document_rels[] = XML_HEAD
	"<Relationships xmlns=\"" NS_PR "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_R "/styles\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_R "/footer\" Target=\"footer1.xml\"/>"
	"</Relationships>\n";

/* 仿宋 3号 body, 22 lines a page (28.95 pt exactly), paragraphs indented two characters. */
static const char styles[] = XML_HEAD
	"<w:styles xmlns:w=\"" NS_W "\">"
	"<w:docDefaults><w:rPrDefault><w:rPr>"
	"<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
	"w:eastAsia=\"仿宋_GB2312\" w:cs=\"Times New Roman\"/>"
	"<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\"/>"
	"</w:rPr></w:rPrDefault>"
	"<w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"579\" "
	"w:lineRule=\"exact\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
	"<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
	"<w:qFormat/><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
	"<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
	"<w:pPr><w:spacing w:after=\"579\" w:line=\"800\" w:lineRule=\"exact\"/>"
	"<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/>"
	"<w:outlineLvl w:val=\"0\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
	"w:eastAsia=\"方正小标宋简体\"/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
	"<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>"
	"<w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
	"w:eastAsia=\"黑体\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Plain\"><w:name w:val=\"Plain Line\"/>"
	"<w:basedOn w:val=\"Normal\"/><w:qFormat/>"
	"<w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/></w:pPr>"
	"</w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Appendix\"><w:name w:val=\"Appendix Line\"/>"
	"<w:basedOn w:val=\"Plain\"/><w:pPr><w:spacing w:line=\"340\" w:lineRule=\"atLeast\"/></w:pPr>"
	"<w:rPr><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/>"
	"<w:basedOn w:val=\"Plain\"/><w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr>"
	"<w:rPr><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr></w:style>"
	"<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>"
	"<w:basedOn w:val=\"Plain\"/><w:pPr><w:jc w:val=\"center\"/></w:pPr>"
	"<w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/>"
	"<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
	"<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">"
	"<w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>"
	"<w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/>"
	"</w:tblCellMar></w:tblPr></w:style>"
	"<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/>"
	"<w:basedOn w:val=\"TableNormal\"/><w:tblPr><w:tblBorders>"
	"<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
	"</w:tblBorders></w:tblPr></w:style>"
	"</w:styles>\n";

/* "— N —" under the text of every page. */
static const char footer[] = XML_HEAD
	"<w:ftr xmlns:w=\"" NS_W "\" xmlns:r=\"" NS_R "\">"
	"<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>"
	"<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"
	"<w:fldSimple w:instr=\" PAGE \"><w:r><w:t>1</w:t></w:r></w:fldSimple>"
	"<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>\n";

static void section(struct sbuf *out, int landscape)
{
	sbuf_printf(out, "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId2\"/>%s"
			 "<w:pgNumType w:fmt=\"decimal\"/></w:sectPr>",
		    landscape ? PAGE_LANDSCAPE : PAGE_PORTRAIT);
}

/* A paragraph of one run; sect >= 0 ends a section there (1: landscape). */
static void para(struct sbuf *out, const char *style, const char *jc, const char *text,
		 int sect)
{
	sbuf_puts(out, "<w:p>");
	if (style || jc || sect >= 0) {
		sbuf_puts(out, "<w:pPr>");
		if (style)
			sbuf_printf(out, "<w:pStyle w:val=\"%s\"/>", style);
		if (jc)
			sbuf_printf(out, "<w:jc w:val=\"%s\"/>", jc);
		if (sect >= 0)
			section(out, sect);
		sbuf_puts(out, "</w:pPr>");
	}
	if (*text) {
		sbuf_puts(out, "<w:r><w:t xml:space=\"preserve\">");
		doc_escape(out, text);
		sbuf_puts(out, "</w:t></w:r>");
	}
	sbuf_puts(out, "</w:p>");
}

/* A table as wide as the landscape text, the first column twice as wide; its header repeats. */
static void table(struct sbuf *out, const struct table *t)
{
	unsigned unit = (unsigned)(LANDSCAPE_TEXT_TWIPS / (t->ncols + 1));
	sbuf_puts(out, "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/>"
		       "<w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblLayout w:type=\"fixed\"/>"
		       "</w:tblPr><w:tblGrid>");
	for (size_t c = 0; c < t->ncols; c++)
		sbuf_printf(out, "<w:gridCol w:w=\"%u\"/>", c ? unit : 2 * unit);
	sbuf_puts(out, "</w:tblGrid>");
	for (size_t r = 0; r < t->nrows; r++) {
		sbuf_puts(out, r ? "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
				 : "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			sbuf_printf(out, "<w:tc><w:tcPr><w:tcW w:w=\"%u\" w:type=\"dxa\"/></w:tcPr>",
				    c ? unit : 2 * unit);
			para(out, "TableText", !r ? "center" : c ? "right" : "left", cell ? cell : "",
			     -1);
			sbuf_puts(out, "</w:tc>");
		}
		sbuf_puts(out, "</w:tr>");
	}
	sbuf_puts(out, "</w:tbl>");
}

int docx_document_xml(const struct doc *d, struct sbuf *out)
{
	int wide = 0;
	sbuf_puts(out, XML_HEAD "<w:document xmlns:w=\"" NS_W "\" xmlns:r=\"" NS_R "\"><w:body>");
	for (size_t i = 0; i < d->n; i++) {
		const struct doc_block *b = &d->b[i];
		/* a section ends with the paragraph before the next DOC_WIDE */
		int sect = i + 1 < d->n && d->b[i + 1].kind == DOC_WIDE ? wide : -1;
		switch (b->kind) {
		case DOC_TITLE: para(out, "Title", NULL, b->text, sect); break;
		case DOC_HEADING: para(out, "Heading1", NULL, b->text, sect); break;
		case DOC_PARA: para(out, NULL, NULL, b->text, sect); break;
		case DOC_LINE: para(out, wide ? "Appendix" : "Plain", NULL, b->text, sect); break;
		case DOC_TABLE:
			table(out, &b->table);
			if (sect >= 0)
				para(out, "Plain", NULL, "", sect);
			break;
		case DOC_WIDE:
			if (i == 0)
				para(out, "Plain", NULL, "", 0);
			wide = 1;
			break;
		}
	}
	/* the body's last section; a table may not end it */
	if (d->n && d->b[d->n - 1].kind == DOC_TABLE)
		para(out, "Plain", NULL, "", -1);
	section(out, wide);
	sbuf_puts(out, "</w:body></w:document>\n");
	return sbuf_status(out);
}

int docx_write(const struct doc *d, struct sbuf *out)
{
	struct sbuf body, core;
	sbuf_init(&body, out->max);
	sbuf_init(&core, 64 * 1024);
	int rc = docx_document_xml(d, &body);
	sbuf_puts(&core, XML_HEAD "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/"
			 "package/2006/metadata/core-properties\" "
			 "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>");
	doc_escape(&core, doc_title(d));
	sbuf_printf(&core, "</dc:title><dc:language>%s</dc:language><dc:creator>lawtally"
			   "</dc:creator></cp:coreProperties>\n",
		    d->lang == LANG_EN ? "en" : "zh-CN");
	if (!rc)
		rc = sbuf_status(&core);
	if (!rc) {
		const struct zip_part parts[] = {
			{"[Content_Types].xml", content_types, sizeof(content_types) - 1},
			{"_rels/.rels", package_rels, sizeof(package_rels) - 1},
			{"docProps/core.xml", sbuf_text(&core), core.len},
			{"word/_rels/document.xml.rels", document_rels, sizeof(document_rels) - 1},
			{"word/document.xml", sbuf_text(&body), body.len},
			{"word/styles.xml", styles, sizeof(styles) - 1},
			{"word/footer1.xml", footer, sizeof(footer) - 1},
		};
		rc = zipmem_write(parts, sizeof(parts) / sizeof(parts[0]), out);
	}
	sbuf_free(&body);
	sbuf_free(&core);
	return rc;
}
