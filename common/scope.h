/*
 * scope.h - who may send what: the roles of authenticated senders.
 *
 * With auth = curve every client key has one role (docs/keys.md):
 *   village:CODE  dispute events of village CODE, and its trainings of a
 *                 village audience
 *   device        enforcement events
 *   office        the township's kinds (petition, publicity, lawsuit, document,
 *                 decision, opinion, disclosure, supervision, enforcement_staff,
 *                 task), trainings of township audiences, and queries
 *   township:CODE at a county (docs/county.md): township CODE's daemon,
 *                 forwarding every kind it stored, of that township only,
 *                 retractions included; it may read back its own events
 *                 (KIND_FORWARDED) and nothing else
 * Every role may send retractions of events in the scopes it writes (the
 * office: of any); the store lets one through only for the original
 * sender of the event or for an office key (store_item.own_only).
 * The daemon records the sender's name, never the event's claimed source.
 *
 * Besides roles, the scope of an event's id (docs/protocol.md, "Ids and
 * scopes"): ids are unique within a scope, which follows from the event's
 * kind and fields, never from the key that sent it:
 *   village:CODE      dispute of village CODE, and its training of a village
 *                     audience (its mediators, its villagers)
 *   device:DEVICE_ID  enforcement with that device_id ("device": none)
 *   township          petition, publicity, lawsuit, document, decision,
 *                     opinion, disclosure, supervision, enforcement_staff,
 *                     task, and training of a township audience
 * and a retraction is in the scope of the event it withdraws, which it
 * names in retraction.scope. Since a role sends only the kinds (and, for a
 * village, the village) of its own scopes, no key can take an id in a
 * scope it may not write.
 * Pure code, no I/O; the rules are one table in scope.c.
 */
#ifndef LAWTALLY_SCOPE_H
#define LAWTALLY_SCOPE_H

#include <stddef.h>

#include "lawtally.pb-c.h"
#include "tally.h"
#include "villages.h"

enum scope_role { SCOPE_VILLAGE, SCOPE_DEVICE, SCOPE_OFFICE, SCOPE_TOWNSHIP };

/* A township's code: 1-12 of A-Z a-z 0-9 _ - (a division code has 9 or 12 digits). */
#define SCOPE_TOWNSHIP_MAX 12
_Static_assert(SCOPE_TOWNSHIP_MAX == TALLY_TOWNSHIP_MAX, "case keys hold any township");

struct scope {
	enum scope_role role;
	char village[VILLAGE_CODE_MAX + 1]; /* SCOPE_VILLAGE: its code; else "" */
	char township[SCOPE_TOWNSHIP_MAX + 1]; /* SCOPE_TOWNSHIP: its code; else "" */
};

/* Longest role text: "township:" and a code. */
#define SCOPE_TEXT_MAX (9 + SCOPE_TOWNSHIP_MAX)

/* 1 if code is a valid township code (SCOPE_TOWNSHIP_MAX). */
int scope_township_valid(const char *code);

/*
 * Parses a role as the clients directory writes it: "village:CODE" (a
 * valid village code), "device", "office" or "township:CODE" (a valid
 * township code), exactly, in lower case.
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

/* enforcement.device_id, at most (VALIDATE_DEVICE_MAX). */
#define SCOPE_DEVICE_MAX 64
/* An id scope as a key: a tag byte, then the village code or device id. */
#define SCOPE_KEY_MAX (1 + SCOPE_DEVICE_MAX)
/* An id scope as text: "device:" and a device id, at most. */
#define SCOPE_NAME_MAX (7 + SCOPE_DEVICE_MAX)

/* The tags of scope keys. */
#define SCOPE_TAG_VILLAGE 'v'
#define SCOPE_TAG_DEVICE 'd'
#define SCOPE_TAG_TOWNSHIP 't'

/*
 * The scope of event e's id, as a key into key: for a retraction, the
 * scope its retraction.scope names. Returns the key's length (1 or more),
 * or 0 for an event without a body, and for a retraction whose scope does
 * not parse (validate_event refuses both).
 */
size_t scope_event_key(const Lawtally__V1__Event *e, uint8_t key[SCOPE_KEY_MAX]);

/*
 * Parses a scope as retraction.scope writes it: "village:CODE" (a valid
 * village code, not checked against a list), "device", "device:DEVICE_ID"
 * (1-64 bytes) or "township". Returns the key's length, or 0 if text is
 * none of these.
 */
size_t scope_key_parse(const char *text, uint8_t key[SCOPE_KEY_MAX]);

/*
 * Writes the scope of a key as scope_key_parse() reads it into buf
 * (SCOPE_NAME_MAX + 1 bytes hold any); a key that is no scope key is
 * written "?".
 */
void scope_key_format(const uint8_t *key, size_t len, char *buf, size_t buflen);

#endif
