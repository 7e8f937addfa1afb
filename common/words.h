/*
 * words.h - what people write for the values of lawtally.proto's enums.
 *
 * A mediator writes 邻里纠纷, 调解成功 or 主动排查, not CATEGORY_NEIGHBOUR: this
 * is the one table of such words, read by `lawtally send` (flags), `lawtally
 * import` (ledger cells) and anything else that takes values from people.
 * Each value has its Chinese name (the report's label, daemon/office/labels.c:
 * a test there checks that every label reads back through this table), the
 * synonyms ledgers use, and the enum's own names, short or full, in any
 * case (NEIGHBOUR, neighbour, CATEGORY_NEIGHBOUR).
 *
 * Text is read as typed on a Chinese keyboard: full-width letters, digits
 * and punctuation (ＮＥＩＧＨＢＯＵＲ, ２０２４／３／５, 　) count as their ASCII
 * forms, blanks around a word are ignored.
 *
 * Pure code: no I/O, no allocation.
 */
#ifndef LAWTALLY_WORDS_H
#define LAWTALLY_WORDS_H

#include <stddef.h>

#include "lawtally.pb-c.h"

/*
 * The value of enum d that text names, or -1 (also for an enum this table
 * does not know). The zero value (..._UNSPECIFIED) is never named.
 */
int words_enum(const ProtobufCEnumDescriptor *d, const char *text);

/* The Chinese name of value in enum d ("邻里"), or NULL if none. */
const char *words_name(const ProtobufCEnumDescriptor *d, int value);

/*
 * The values of d for a message: "婚姻家庭 (MARRIAGE_FAMILY), 邻里 (NEIGHBOUR),
 * ..." into out[cap], or without the enum's names ("婚姻家庭, 邻里, ...")
 * when codes is 0; cut short with "..." if it does not fit.
 */
void words_list(const ProtobufCEnumDescriptor *d, int codes, char *out, size_t cap);

/* 是/否, 有/无, √/×, yes/no, true/false, 1/0 and the like: 1, 0, or -1. */
int words_bool(const char *text);

/*
 * Copies in to out[cap] with full-width forms (U+FF01..U+FF5E) as their
 * ASCII characters and the ideographic space (U+3000) as a space; anything
 * else is copied as it is. Never cuts a character in two. Returns the
 * length written, or cap when in did not fit (out then holds what did).
 */
size_t words_halfwidth(const char *in, char *out, size_t cap);

#endif
