/* assets.c - the table of embedded dashboard files (see assets.h). */
#include "assets.h"

#include <string.h>

/* Bounds of each file in assets_data.S. */
#define ASSET_SYMBOLS(name) extern const unsigned char name##_start[], name##_end[]
ASSET_SYMBOLS(asset_dashboard_html);
ASSET_SYMBOLS(asset_dashboard_js);
ASSET_SYMBOLS(asset_dashboard_css);
ASSET_SYMBOLS(asset_chart_js);

/*
 * The page is small and changes with the daemon: browsers check it each
 * time. Chart.js changes only with the Debian package: cached for a day.
 */
#define NO_CACHE "no-cache"
#define DAY "public, max-age=86400"
#define ASSET(p, type, cache, name) {p, type, cache, name##_start, name##_end}

static const struct asset assets[] = {
	ASSET("/", "text/html; charset=utf-8", NO_CACHE, asset_dashboard_html),
	ASSET("/static/dashboard.js", "text/javascript; charset=utf-8", NO_CACHE,
	      asset_dashboard_js),
	ASSET("/static/dashboard.css", "text/css; charset=utf-8", NO_CACHE, asset_dashboard_css),
	ASSET("/static/chart.js", "text/javascript; charset=utf-8", DAY, asset_chart_js),
};

const struct asset *assets_find(const char *path)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(path, assets[i].path) == 0)
			return &assets[i];
	return NULL;
}
