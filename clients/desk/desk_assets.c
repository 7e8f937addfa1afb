/* desk_assets.c - the table of the desk's embedded files (see desk_assets.h). */
#include "desk_assets.h"

#include <string.h>

#define ASSET_SYMBOLS(name) extern const unsigned char name##_start[], name##_end[]
ASSET_SYMBOLS(desk_asset_html);
ASSET_SYMBOLS(desk_asset_js);
ASSET_SYMBOLS(desk_asset_css);

#define ASSET(p, type, name) {p, type, name##_start, name##_end}

static const struct desk_asset assets[] = {
	ASSET("/", "text/html; charset=utf-8", desk_asset_html),
	ASSET("/desk.js", "text/javascript; charset=utf-8", desk_asset_js),
	ASSET("/desk.css", "text/css; charset=utf-8", desk_asset_css),
};

const struct desk_asset *desk_assets_find(const char *path)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(path, assets[i].path) == 0)
			return &assets[i];
	return NULL;
}
