/*
 * scope.h - who may send what: the roles of authenticated senders.
 *
 * With auth = curve every client key has one role (docs/keys.md):
 *   village:CODE  dispute and training events of village CODE
 *   device        enforcement events
 *   office        petition, publicity and lawsuit events, and queries
 * Every role may send retractions; the store lets one through only for the
 * original sender of the event or for an office key (store_item.own_only).
 * The daemon records the sender's name, never the event's claimed source.
 * Pure code, no I/O; the rules are one table in scope.c.
 */
#ifndef LAWTALLY_SCOPE_H
#define LAWTALLY_SCOPE_H

#include <stddef.h>

#include "lawtally.pb-c.h"
#include "villages.h"

enum scope_role { SCOPE_VILLAGE, SCOPE_DEVICE, SCOPE_OFFICE };

struct scope {
	enum scope_role role;
	char village[VILLAGE_CODE_MAX + 1]; /* SCOPE_VILLAGE: its code; else "" */
};

/* Longest role text: "village:" and a code. */
#define SCOPE_TEXT_MAX (8 + VILLAGE_CODE_MAX)

/*
 * Parses a role as the clients directory writes it: "village:CODE" (a
 * valid village code), "device" or "office", exactly, in lower case.
 * Returns 0, or LT_EINVAL with *why set to a static phrase; *s is then
 * untouched.
 */
int scope_parse(struct scope *s, const char *text, const char **why);

/* Writes the role as scope_parse() reads it into buf (SCOPE_TEXT_MAX + 1 bytes). */
void scope_format(const struct scope *s, char *buf, size_t len);

/*
 * Checks that a sender of scope s may send event e (already validated).
 * Returns NULL, or a static one-line reason naming the rule, e.g.
 * "scope: a village key sends events of its own village only".
 */
const char *scope_check_event(const struct scope *s, const Lawtally__V1__Event *e);

/* 1 if the sender may read totals over the query endpoint. */
int scope_may_query(const struct scope *s);

/* 1 if the sender may retract events that others sent (office). */
int scope_retracts_any(const struct scope *s);

#endif
