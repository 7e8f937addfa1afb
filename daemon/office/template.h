/*
 * template.h - the report template language: the office's own sentences
 * with live figures in them.
 *
 * Pure code. A template is UTF-8 text read line by line (at most
 * TEMPLATE_BYTES_MAX bytes, TEMPLATE_FIGURES_MAX placeholders):
 *
 *   # a comment             a line starting with '#' (but not "## ") is dropped
 *   ## A heading            a heading (Markdown "##"; the text alone elsewhere)
 *   @town 张良镇             a setting: @town names the unit on the monthly form
 *   @unrecorded TEXT        a setting: what an empty group prints (below;
 *                           TEMPLATE_UNRECORDED when not set)
 *   any other line          a paragraph, printed with its placeholders filled;
 *                           an empty line is kept
 *
 * In a line, "{{" and "}}" print a brace, and {NAME OPTION...} is a
 * placeholder. NAME is `year` (the report's year; no options), `next_year`
 * (the year after it, for the next year's plan; no options), `town` (the
 * reporting unit: @town, or at a county the township's own name; no
 * options) or a metric name (docs/protocol.md), and prints that metric's
 * year total. Options,
 * separated by blanks, narrow or shape it:
 *
 *   DIM=VALUE      only this value of one of the metric's dimensions, by its
 *                  wire name without prefix: kind=ADMINISTRATIVE
 *   village=CODE   only this village ("village=" alone: township level)
 *   month=N        only month N (1..12)
 *   of=METRIC      print the figure as a share of METRIC under the same
 *                  selection: {enforcement.recorded of=enforcement.actions}
 *                  gives "93.5%" ("-" when METRIC is 0)
 *   yuan           the figure is in fen: print yuan with two decimals
 *   approx=TEXT    from 10 up, round down to the leading digit's magnitude and
 *                  print TEXT with '#' for the number: approx=#多 gives 8000多
 *   zero=TEXT      print TEXT when the figure is 0
 *   one=TEXT       print TEXT when the figure is 1
 *   else=TEXT      print TEXT otherwise ('#' stands for the number)
 *
 * TEXT is a word without blanks or braces, or "quoted" (no '"' inside).
 * '#' in zero=, one= and else= stands for the number as approx=, yuan or
 * of= shape it. Example: {lawsuits.lost zero=无败诉情况 else=败诉#起}.
 *
 * A group "{[ ... ]}" holds text and at least one figure: when every figure
 * in it is 0 (nothing of that work recorded in the year) the whole group
 * prints the @unrecorded text instead, so that a paragraph of work nobody
 * recorded says so rather than "0". Groups do not nest.
 *
 * Every mistake (unknown metric, dimension, value or option, a bad
 * number, an unclosed brace or quote, a combination that makes no sense)
 * is found by template_parse() and reported with the line and column
 * (in characters); rendering cannot fail.
 */
#ifndef LAWTALLY_TEMPLATE_H
#define LAWTALLY_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "figures.h"
#include "labels.h"
#include "sbuf.h"

#define TEMPLATE_BYTES_MAX (64 * 1024)
#define TEMPLATE_FIGURES_MAX 1024
#define TEMPLATE_TEXT_MAX 200   /* bytes of one TEXT option */
#define TEMPLATE_TOWN_MAX 64
#define TEMPLATE_UNRECORDED "本年未记录" /* an empty group, unless @unrecorded says */

struct template;

/*
 * Parses len bytes of text; name (e.g. "report.zh.txt") starts error
 * messages. Returns 0 with *out set, or LT_EINVAL with one line in err:
 * "report.zh.txt:12:5: unknown metric 'disputes.resolvd'".
 */
int template_parse(struct template **out, const char *name, const char *text, size_t len,
		   char *err, size_t errlen);

/* Frees t and NULLs *t. Safe on NULL. */
void template_free(struct template **t);

/* Output lines (comments and settings are not lines). */
size_t template_nlines(const struct template *t);

/* 1 if line i is a heading. */
int template_is_heading(const struct template *t, size_t i);

/* @town, or "" when the template does not set it. */
const char *template_town(const struct template *t);

/* What the placeholders read. */
struct template_ctx {
	uint16_t year;
	enum lang lang;
	const struct figures *fig;
	const char *town;  /* {town}; NULL or "": the template's @town */
};

/* Appends line i, placeholders filled, without a line end. */
void template_render_line(const struct template *t, size_t i, const struct template_ctx *ctx,
			  struct sbuf *out);

#endif
