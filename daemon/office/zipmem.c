/*
 * zipmem.c - a zip archive in memory (see zipmem.h).
 *
 * libzip writes an archive into a source; a buffer source kept past
 * zip_close() holds the archive's bytes, read back into the document.
 */
#include "zipmem.h"

#include <zip.h>

#include "err.h"
#include "log.h"

static int failed(const char *what, zip_error_t *ze)
{
	log_err("zip: %s: %s", what, zip_error_strerror(ze));
	return LT_ESYS;
}

/* Copies the archive held by src into out. */
static int read_back(zip_source_t *src, struct sbuf *out)
{
	if (zip_source_open(src) < 0)
		return failed("reading the archive back", zip_source_error(src));
	int rc = 0;
	char buf[16384];
	zip_int64_t n;
	while ((n = zip_source_read(src, buf, sizeof(buf))) > 0)
		sbuf_put(out, buf, (size_t)n);
	if (n < 0)
		rc = failed("reading the archive back", zip_source_error(src));
	zip_source_close(src);
	return rc ? rc : sbuf_status(out);
}

int zipmem_write(const struct zip_part *parts, size_t n, struct sbuf *out)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!src) {
		int rc = failed("a buffer", &ze);
		zip_error_fini(&ze);
		return rc;
	}
	zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	if (!za) {
		int rc = failed("an archive", &ze);
		zip_source_free(src);
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	zip_source_keep(src); /* zip_close() must leave it to us */
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(za, parts[i].data, parts[i].len, 0);
		zip_int64_t idx = s ? zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			int rc = failed(parts[i].name, zip_get_error(za));
			zip_source_free(s);
			zip_discard(za);
			zip_source_free(src);
			return rc;
		}
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0);
	}
	if (zip_close(za) < 0) {
		int rc = failed("writing", zip_get_error(za));
		zip_discard(za);
		zip_source_free(src);
		return rc;
	}
	int rc = read_back(src, out);
	zip_source_free(src);
	return rc;
}
