/*
 * desk_assets.h - the desk's page, script and style, embedded at build
 * time (desk_assets.S): nothing is read from disk at run time, nothing is
 * fetched from elsewhere.
 */
#ifndef LAWTALLY_DESK_ASSETS_H
#define LAWTALLY_DESK_ASSETS_H

struct desk_asset {
	const char *path;          /* as requested: "/", "/desk.js" */
	const char *content_type;
	const unsigned char *data; /* the bytes are [data, end) */
	const unsigned char *end;
};

/* The asset served at path, or NULL. */
const struct desk_asset *desk_assets_find(const char *path);

/* The page's Content-Security-Policy: its own files only, nothing inline. */
#define DESK_CSP \
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " \
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

#endif
