/*
 * townnames.h - a township's own names on the wire (TownshipNames): its
 * name and its village list, which a township's daemon forwards with its
 * events and a county keeps for that township's views (docs/county.md).
 */
#ifndef LAWTALLY_TOWNNAMES_H
#define LAWTALLY_TOWNNAMES_H

#include <stddef.h>
#include <stdint.h>

#include "lawtally.pb-c.h"
#include "villages.h"

#define TOWNNAMES_NAME_MAX 64 /* bytes of a township's name */

/* A township's names, read. */
struct townnames {
	char name[TOWNNAMES_NAME_MAX + 1]; /* "" when the township gave none */
	struct villages villages;
};

/*
 * Reads m into out, each village by the config's rules (villages_add).
 * Returns NULL, or a static reason naming the rule ("village code listed
 * twice", villages_add's, or "village without a name"): nothing of a
 * message with any bad part is taken.
 */
const char *townnames_read(const Lawtally__V1__TownshipNames *m, struct townnames *out);

/*
 * name and list as a packed TownshipNames, in a buffer of the caller's
 * (free it), its length in *len. name: at most TOWNNAMES_NAME_MAX bytes
 * (longer is cut at a character's start).
 */
uint8_t *townnames_pack(const char *name, const struct villages *list, size_t *len);

#endif
