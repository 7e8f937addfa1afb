/*
 * assets.h - the dashboard's static files, embedded at build time.
 *
 * GET / and GET /static/NAME serve these bytes from memory (assets_data.S
 * includes the files; nothing is read from disk at run time). Each asset
 * carries the headers it is served with.
 */
#ifndef LAWTALLY_ASSETS_H
#define LAWTALLY_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;          /* as requested: "/", "/static/chart.js" */
	const char *content_type;
	const char *cache_control;
	const unsigned char *data; /* the bytes are [data, end) */
	const unsigned char *end;
};

/* The asset served at path, or NULL. */
const struct asset *assets_find(const char *path);

/*
 * The Content-Security-Policy of the page: its own script, style and data
 * only, nothing inline, nothing from elsewhere.
 */
#define ASSETS_CSP \
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

#endif
