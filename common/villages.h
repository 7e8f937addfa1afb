/*
 * villages.h - the village list: code -> name.
 *
 * Codes are what events carry ("ZL07"): 1..8 bytes of [A-Za-z0-9_-]. The
 * built-in list is Zhangliang Town's 41 villages; a config file may replace
 * it. The list owns copies of its strings.
 */
#ifndef LAWTALLY_VILLAGES_H
#define LAWTALLY_VILLAGES_H

#include <stddef.h>

#define VILLAGE_CODE_MAX 8
#define VILLAGE_NAME_MAX 64
#define VILLAGES_MAX 1024

struct village {
	char code[VILLAGE_CODE_MAX + 1];
	char name[VILLAGE_NAME_MAX + 1];
};

struct villages {
	size_t n;
	struct village v[VILLAGES_MAX];
};

/* Fills list with the built-in 41 villages of Zhangliang. */
void villages_builtin(struct villages *list);

/* Empties list. */
void villages_clear(struct villages *list);

/*
 * Adds a village. Returns 0, or LT_EINVAL with *why set to a static phrase
 * (bad code, name too long, duplicate code, list full).
 */
int villages_add(struct villages *list, const char *code, const char *name,
		 const char **why);

/* The village with this code, or NULL. */
const struct village *villages_find(const struct villages *list, const char *code);

/*
 * The village a person means by text: its code in any case ("zl07"), its
 * name ("王岗村"), or its name without 村 ("王岗"), full-width letters and
 * digits read as ASCII. NULL if none.
 */
const struct village *villages_lookup(const struct villages *list, const char *text);

/*
 * "ZL01 张北村, ZL02 张南村, ..." into out[cap], cut short with "..." if it
 * does not fit (for a message about an unknown village).
 */
void villages_describe(const struct villages *list, char *out, size_t cap);

/* 1 if code is a syntactically valid village code. */
int village_code_valid(const char *code);

#endif
