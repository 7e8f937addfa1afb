/*
 * templates_data.S - the built-in report templates, embedded in lawtallyd
 * at build time: config/report.zh.txt and config/report.en.txt as they are
 * in the source tree ([report] templates may name a directory that
 * replaces them). office.c parses them at start.
 */
#define TEMPLATE(name, path)                   \
	.globl name##_start;                   \
	.globl name##_end;                     \
	.balign 16;                            \
name##_start:                                  \
	.incbin path;                          \
name##_end:

	.section .rodata
TEMPLATE(lt_template_zh, "config/report.zh.txt")
TEMPLATE(lt_template_en, "config/report.en.txt")

	.section .note.GNU-stack,"",%progbits
