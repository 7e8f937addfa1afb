/*
 * desk_assets.S - the village desk's files, embedded in lawtally at build
 * time: a village PC may have no internet, and the page must work as it
 * is. desk_assets.c lists them.
 */
#define ASSET(name, path)                      \
	.globl name##_start;                   \
	.globl name##_end;                     \
	.balign 16;                            \
name##_start:                                  \
	.incbin path;                          \
name##_end:

	.section .rodata
ASSET(desk_asset_html, "clients/desk/desk.html")
ASSET(desk_asset_js, "clients/desk/desk.js")
ASSET(desk_asset_css, "clients/desk/desk.css")

	.section .note.GNU-stack,"",%progbits
