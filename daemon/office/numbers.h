/*
 * numbers.h - numbers as the report writes them (docs/model.md).
 *
 * Pure code. Counts are plain digits in Chinese ("8000", "326") and have
 * thousands separators in English ("8,000"); amounts in fen are yuan with
 * two decimals ("1234.50"); shares have one decimal ("93.5%"); an
 * approximate count is rounded down to its leading digit's magnitude
 * ("8000" for 8426) and put into a pattern where '#' stands for the number
 * ("#多" gives "8000多"); below 10 a count is exact and the pattern unused.
 */
#ifndef LAWTALLY_NUMBERS_H
#define LAWTALLY_NUMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "labels.h"

/* Room for any number these functions write, sign and separators included. */
#define NUM_LEN 40

void num_count(int64_t v, enum lang l, char out[NUM_LEN]);

/* Like num_count with a sign always: "+3", "-1", "0". */
void num_signed(int64_t v, enum lang l, char out[NUM_LEN]);

/* fen as yuan: "1234.50", "-0.05". */
void num_yuan(int64_t fen, char out[NUM_LEN]);

/* fen as yuan in language l: "1234.50" in Chinese, "1,234.50" in English (as counts). */
void num_yuan_lang(int64_t fen, enum lang l, char out[NUM_LEN]);

/* num / den as a percentage with one decimal, rounded half up: "93.5%"; "-" when den is 0. */
void num_percent(int64_t num, int64_t den, char out[NUM_LEN]);

/* v rounded down to its leading digit's magnitude (8426 -> 8000; v < 10: v). */
int64_t num_floor_leading(int64_t v);

/*
 * Writes pattern to out with each '#' replaced by number, at most outlen - 1
 * bytes (cut short beyond). Used for approx=, zero=, one= and else= texts.
 */
void num_fill(const char *pattern, const char *number, char *out, size_t outlen);

#endif
