/*
 * scope.c - the table of roles and what each may send (see scope.h).
 */
#include "scope.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tally.h"
#include "validate.h"

#define KIND(k) (1u << (k))

static const struct role_rule {
	const char *name;      /* as the clients directory writes it */
	unsigned kinds;        /* KIND() of every body it may send */
	int own_village;       /* events must name the key's village (or none) */
	int may_query;
	int retracts_any;
	const char *reason;    /* why another kind is refused */
} rules[] = {
	[SCOPE_VILLAGE] = {"village", KIND(TALLY_DISPUTE) | KIND(TALLY_TRAINING) |
					      KIND(TALLY_RETRACTION),
			   1, 0, 0,
			   "scope: village keys send dispute, training and retraction events only"},
	[SCOPE_DEVICE] = {"device",
			  KIND(TALLY_ENFORCEMENT) | KIND(TALLY_COUNTERS) | KIND(TALLY_RETRACTION), 0,
			  0, 0,
			  "scope: device keys send enforcement, counters and retraction events only"},
	/* the township's own work, and the trainings it holds for its cadres,
	 * leaders, enforcement staff and people under community correction
	 * (a training's audience decides who sends it: scope_check_event) */
	[SCOPE_OFFICE] = {"office", KIND(TALLY_PETITION) | KIND(TALLY_PUBLICITY) |
					    KIND(TALLY_LAWSUIT) | KIND(TALLY_RETRACTION) |
					    KIND(TALLY_TRAINING) | KIND(TALLY_DOCUMENT) |
					    KIND(TALLY_DECISION) | KIND(TALLY_OPINION) |
					    KIND(TALLY_DISCLOSURE) | KIND(TALLY_SUPERVISION) |
					    KIND(TALLY_STAFF) | KIND(TALLY_TASK),
			  0, 1, 1,
			  "scope: office keys send the township's kinds (petition, publicity, "
			  "lawsuit, training, document, decision, opinion, disclosure, supervision, "
			  "enforcement_staff, task) and retraction events only"},
	/* a township's daemon forwarding to the county what it stored: its
	 * own senders' roles were checked there, and it retracts what its
	 * own office or senders retracted */
	[SCOPE_TOWNSHIP] = {"township", ~0u & ~KIND(TALLY_KIND_NONE), 0, 0, 1,
			    "scope: township keys forward events only"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static const char *const reason_other_village =
	"scope: a village key sends events of its own village only";
static const char *const reason_training_village =
	"scope: village keys send trainings of their own mediators and villagers only";
static const char *const reason_training_office =
	"scope: office keys send trainings of township audiences only, not of mediators or "
	"villagers";
static const char *const reason_retract_village =
	"scope: a village key retracts events of its own village only (retraction.scope)";
static const char *const reason_retract_device =
	"scope: a device key retracts enforcement events only (retraction.scope)";

_Static_assert(SCOPE_DEVICE_MAX == VALIDATE_DEVICE_MAX, "a device scope holds any device_id");

int scope_township_valid(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > SCOPE_TOWNSHIP_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int scope_parse(struct scope *s, const char *text, const char **why)
{
	const char *colon = strchr(text, ':');
	size_t namelen = colon ? (size_t)(colon - text) : strlen(text);
	for (size_t i = 0; i < NRULES; i++) {
		if (strlen(rules[i].name) != namelen || memcmp(rules[i].name, text, namelen) != 0)
			continue;
		if (i == SCOPE_VILLAGE) {
			if (!colon || !village_code_valid(colon + 1)) {
				*why = "a village role is village:CODE with a village code "
				       "(1-8 of A-Z a-z 0-9 _ -)";
				return LT_EINVAL;
			}
		} else if (i == SCOPE_TOWNSHIP) {
			if (!colon || !scope_township_valid(colon + 1)) {
				*why = "a township role is township:CODE with a township code "
				       "(1-12 of A-Z a-z 0-9 _ -)";
				return LT_EINVAL;
			}
		} else if (colon) {
			*why = "only the village and township roles take a :CODE";
			return LT_EINVAL;
		}
		s->role = (enum scope_role)i;
		snprintf(s->village, sizeof(s->village), "%s",
			 colon && i == SCOPE_VILLAGE ? colon + 1 : "");
		snprintf(s->township, sizeof(s->township), "%s",
			 colon && i == SCOPE_TOWNSHIP ? colon + 1 : "");
		return 0;
	}
	*why = "role must be village:CODE, device, office or township:CODE";
	return LT_EINVAL;
}

void scope_format(const struct scope *s, char *buf, size_t len)
{
	if (s->role == SCOPE_VILLAGE)
		snprintf(buf, len, "%s:%s", rules[s->role].name, s->village);
	else if (s->role == SCOPE_TOWNSHIP)
		snprintf(buf, len, "%s:%s", rules[s->role].name, s->township);
	else
		snprintf(buf, len, "%s", rules[s->role].name);
}

/*
 * A retraction takes an id in the scope of the event it withdraws: a
 * village key retracts in its own village's scope only, a device key in
 * device scopes only (the office may in any).
 */
static const char *retraction_scope_check(const struct scope *s,
					  const Lawtally__V1__Retraction *r)
{
	uint8_t key[SCOPE_KEY_MAX];
	size_t n = scope_key_parse(r->scope, key);
	if (s->role == SCOPE_VILLAGE) {
		size_t vlen = strlen(s->village);
		if (n != 1 + vlen || key[0] != SCOPE_TAG_VILLAGE || memcmp(key + 1, s->village, vlen))
			return reason_retract_village;
	} else if (n == 0 || key[0] != SCOPE_TAG_DEVICE) {
		return reason_retract_device;
	}
	return NULL;
}

const char *scope_check_event(const struct scope *s, const Lawtally__V1__Event *e)
{
	const struct role_rule *r = &rules[s->role];
	enum tally_kind kind = tally_event_kind(e);
	if (kind == TALLY_KIND_NONE || !(r->kinds & KIND(kind)))
		return r->reason;
	if (s->role == SCOPE_TOWNSHIP)
		return NULL; /* the county checks the event's township (ingest) */
	/* a training is in its village's scope or the township's by its
	 * audience, and only the role that writes that scope sends it */
	if (kind == TALLY_TRAINING &&
	    tally_training_in_village(e->training) != (s->role == SCOPE_VILLAGE))
		return s->role == SCOPE_VILLAGE ? reason_training_village : reason_training_office;
	if (r->own_village && e->village[0] && strcmp(e->village, s->village) != 0)
		return reason_other_village;
	/* dispute and training always name their village: "" is refused by
	 * validate_event, and an empty village here would still not be ours */
	if (r->own_village && !e->village[0] && kind != TALLY_RETRACTION)
		return reason_other_village;
	if (kind == TALLY_RETRACTION && !r->retracts_any)
		return retraction_scope_check(s, e->retraction);
	return NULL;
}

int scope_may_query(const struct scope *s)
{
	return rules[s->role].may_query;
}

int scope_retracts_any(const struct scope *s)
{
	return rules[s->role].retracts_any;
}

/* ---- id scopes ---- */

static size_t key_put(uint8_t key[SCOPE_KEY_MAX], uint8_t tag, const char *name, size_t len)
{
	key[0] = tag;
	memcpy(key + 1, name, len);
	return 1 + len;
}

size_t scope_event_key(const Lawtally__V1__Event *e, uint8_t key[SCOPE_KEY_MAX])
{
	switch (tally_event_kind(e)) {
	case TALLY_TRAINING:
		if (!tally_training_in_village(e->training))
			return key_put(key, SCOPE_TAG_TOWNSHIP, "", 0);
		return key_put(key, SCOPE_TAG_VILLAGE, e->village, strnlen(e->village, VILLAGE_CODE_MAX));
	case TALLY_DISPUTE:
		return key_put(key, SCOPE_TAG_VILLAGE, e->village, strnlen(e->village, VILLAGE_CODE_MAX));
	case TALLY_ENFORCEMENT:
		return key_put(key, SCOPE_TAG_DEVICE, e->enforcement->device_id,
			       strnlen(e->enforcement->device_id, SCOPE_DEVICE_MAX));
	case TALLY_COUNTERS:
		return key_put(key, SCOPE_TAG_DEVICE, e->counters->device_id,
			       strnlen(e->counters->device_id, SCOPE_DEVICE_MAX));
	case TALLY_PETITION:
	case TALLY_PUBLICITY:
	case TALLY_LAWSUIT:
	case TALLY_DOCUMENT:
	case TALLY_DECISION:
	case TALLY_OPINION:
	case TALLY_DISCLOSURE:
	case TALLY_SUPERVISION:
	case TALLY_STAFF:
	case TALLY_TASK:
		return key_put(key, SCOPE_TAG_TOWNSHIP, "", 0);
	case TALLY_RETRACTION:
		return scope_key_parse(e->retraction->scope, key);
	case TALLY_KIND_NONE:
		break;
	}
	return 0;
}

size_t scope_key_parse(const char *text, uint8_t key[SCOPE_KEY_MAX])
{
	if (strcmp(text, "township") == 0)
		return key_put(key, SCOPE_TAG_TOWNSHIP, "", 0);
	if (strcmp(text, "device") == 0)
		return key_put(key, SCOPE_TAG_DEVICE, "", 0);
	if (strncmp(text, "device:", 7) == 0) {
		size_t n = strlen(text + 7);
		return n >= 1 && n <= SCOPE_DEVICE_MAX ? key_put(key, SCOPE_TAG_DEVICE, text + 7, n) : 0;
	}
	if (strncmp(text, "village:", 8) == 0 && village_code_valid(text + 8))
		return key_put(key, SCOPE_TAG_VILLAGE, text + 8, strlen(text + 8));
	return 0;
}

void scope_key_format(const uint8_t *key, size_t len, char *buf, size_t buflen)
{
	const char *name = (const char *)key + 1;
	int n = len > 0 ? (int)(len - 1) : 0;
	if (len == 1 && key[0] == SCOPE_TAG_TOWNSHIP)
		snprintf(buf, buflen, "township");
	else if (len == 1 && key[0] == SCOPE_TAG_DEVICE)
		snprintf(buf, buflen, "device");
	else if (len >= 2 && len <= SCOPE_KEY_MAX && key[0] == SCOPE_TAG_DEVICE)
		snprintf(buf, buflen, "device:%.*s", n, name);
	else if (len >= 2 && len <= 1 + VILLAGE_CODE_MAX && key[0] == SCOPE_TAG_VILLAGE)
		snprintf(buf, buflen, "village:%.*s", n, name);
	else
		snprintf(buf, buflen, "?");
}
