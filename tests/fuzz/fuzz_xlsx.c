/*
 * fuzz_xlsx.c - an Excel workbook as lawtally import reads it
 * (clients/xlsx.c, through clients/ledger_import.c into clients/ledger.c):
 * the zip, every XML part, the cells, the header, merged cells filled
 * down, rows to events, repeated cases, and the events through the
 * daemon's validation.
 *
 * An input starting as a zip does ("PK") is the workbook itself. Any other
 * input is the XML of its parts, separated by NUL bytes (workbook.xml,
 * its rels, sheet1.xml, sharedStrings.xml, styles.xml), put in a zip here
 * without compression: random bytes in a zip rarely get past its checksums,
 * and this way the mutations reach the XML handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "err.h"
#include "fuzz.h"
#include "ledger_import.h"
#include "validate.h"
#include "xlsx.h"

static const char *const part_names[] = {
	"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
	"xl/sharedStrings.xml", "xl/styles.xml",
};

static struct villages villages;

/* The parts in data, zipped (stored) into a malloc'd buffer; NULL if libzip says no. */
static void *zip_parts(const uint8_t *data, size_t size, size_t *len)
{
	zip_error_t ze;
	void *out = NULL;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src)
		goto done;
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za) {
		zip_source_free(src);
		goto done;
	}
	size_t start = 0;
	for (size_t p = 0; p < sizeof(part_names) / sizeof(part_names[0]) && start <= size; p++) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		size_t end = nul ? (size_t)(nul - data) : size;
		zip_source_t *s = zip_source_buffer(za, data + start, end - start, 0);
		zip_int64_t i = s ? zip_file_add(za, part_names[p], s, 0) : -1;
		if (i < 0)
			zip_source_free(s);
		else
			zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
		start = end + 1;
	}
	if (zip_close(za) != 0) {
		zip_discard(za);
		zip_source_free(src);
		goto done;
	}
	if (zip_source_open(src) == 0) {
		zip_source_seek(src, 0, SEEK_END);
		zip_int64_t n = zip_source_tell(src);
		zip_source_seek(src, 0, SEEK_SET);
		if (n > 0 && (out = malloc((size_t)n)) &&
		    zip_source_read(src, out, (zip_uint64_t)n) != n) {
			free(out);
			out = NULL;
		}
		*len = n > 0 ? (size_t)n : 0;
		zip_source_close(src);
	}
	zip_source_free(src);
done:
	zip_error_fini(&ze);
	return out;
}

/* Every row of the first sheet, as the reader gives it. */
static void rows(const void *book, size_t len)
{
	struct xlsx *x = NULL;
	struct csv_record rec;
	char err[256];
	int rc = xlsx_open(&x, book, len, NULL, err, sizeof(err));
	FUZZ_REQUIRE(rc == 0 || rc == LT_EINVAL);
	FUZZ_REQUIRE((rc == 0) == (x != NULL));
	FUZZ_REQUIRE(rc == 0 || err[0] != '\0');
	if (rc)
		return;
	size_t n = 0;
	while (xlsx_next(x, &rec) == 1) {
		FUZZ_REQUIRE(rec.n >= 1 && rec.n <= CSV_FIELDS_MAX);
		FUZZ_REQUIRE(rec.line >= 1 && rec.line <= 1048576);
		for (size_t i = 0; i < rec.n; i++)
			FUZZ_REQUIRE(rec.field[i] != NULL);
		FUZZ_REQUIRE(++n <= XLSX_ROWS_MAX);
	}
	xlsx_close(&x);
	FUZZ_REQUIRE(x == NULL);
}

/* The whole import, for each kind, and every event past the daemon's rules. */
static void import(const void *book, size_t len)
{
	for (int k = 0; k < LEDGER_KINDS; k++) {
		struct ledger_import im;
		struct ledger_import_opts o = {.kind = (enum ledger_kind)k,
					       .format = LEDGER_FORMAT_XLSX,
					       .village = "ZL07",
					       .village_name = "王岗村",
					       .source = "centre-ZL07"};
		char err[512];
		int rc = ledger_import_read(&im, book, len, &o, err, sizeof(err));
		FUZZ_REQUIRE(rc == 0 || rc == LT_EINVAL);
		if (rc == 0) {
			FUZZ_REQUIRE(im.cases + im.bad + im.skipped <= im.nlines);
			FUZZ_REQUIRE(im.nevents <= 2 * im.cases);
			for (size_t i = 0; i < im.nevents; i++)
				validate_event(im.events[i], &villages);
		}
		ledger_import_free(&im);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (villages.n == 0)
		villages_builtin(&villages);
	if (size > (1u << 20))
		return 0;
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		rows(data, size);
		import(data, size);
		return 0;
	}
	size_t len = 0;
	void *book = zip_parts(data, size, &len);
	if (!book)
		return 0;
	rows(book, len);
	import(book, len);
	free(book);
	return 0;
}
