/*
 * labels.h - the words of the report: metric and dimension value names in
 * Chinese and English.
 *
 * Pure code, one table per enum. Never NULL: a value without a label (an
 * enum value added later) reads as its wire name.
 */
#ifndef LAWTALLY_LABELS_H
#define LAWTALLY_LABELS_H

enum lang { LANG_ZH = 0, LANG_EN = 1 };

/* "zh" or "en" (NULL or "" is zh). Returns 0 or -1. */
int lang_parse(const char *s, enum lang *out);

/* "zh" or "en". */
const char *lang_code(enum lang l);

/* "调解成功" / "disputes resolved". */
const char *labels_metric(int metric, enum lang l);

/*
 * The metric's unit in Chinese ("件", "次", "人次", "份", "元"); in English
 * " yuan" for amounts (with its blank: it follows the number), else "".
 */
const char *labels_unit(int metric, enum lang l);

/* 1 if the metric is an amount in fen, shown as yuan. */
int labels_is_money(int metric);

/* The name of the metric's dimension dim: "类别" / "category". */
const char *labels_dim_name(int metric, int dim, enum lang l);

/* The name of a dimension value: "婚姻家庭" / "marriage and family". */
const char *labels_dim_value(int metric, int dim, int value, enum lang l);

#endif
