/*
 * assets_data.S - the dashboard's files, embedded in lawtallyd at build time.
 *
 * The township LAN has no internet: the page, its script and style, and
 * Chart.js (Debian's libjs-chart.js, path in CHARTJS_PATH from the
 * Makefile) are served by the daemon itself. assets.c lists them.
 */
#define ASSET(name, path)                      \
	.globl name##_start;                   \
	.globl name##_end;                     \
	.balign 16;                            \
name##_start:                                  \
	.incbin path;                          \
name##_end:

	.section .rodata
ASSET(asset_dashboard_html, "daemon/dashboard.html")
ASSET(asset_dashboard_js, "daemon/dashboard.js")
ASSET(asset_dashboard_css, "daemon/dashboard.css")
ASSET(asset_chart_js, CHARTJS_PATH)

	.section .note.GNU-stack,"",%progbits
