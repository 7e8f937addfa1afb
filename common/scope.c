/*
 * scope.c - the table of roles and what each may send (see scope.h).
 */
#include "scope.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tally.h"

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
	[SCOPE_DEVICE] = {"device", KIND(TALLY_ENFORCEMENT) | KIND(TALLY_RETRACTION), 0, 0, 0,
			  "scope: device keys send enforcement and retraction events only"},
	[SCOPE_OFFICE] = {"office", KIND(TALLY_PETITION) | KIND(TALLY_PUBLICITY) |
					    KIND(TALLY_LAWSUIT) | KIND(TALLY_RETRACTION),
			  0, 1, 1,
			  "scope: office keys send petition, publicity, lawsuit and retraction "
			  "events only"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static const char *const reason_other_village =
	"scope: a village key sends events of its own village only";

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
		} else if (colon) {
			*why = "only the village role takes a :CODE";
			return LT_EINVAL;
		}
		s->role = (enum scope_role)i;
		snprintf(s->village, sizeof(s->village), "%s", colon ? colon + 1 : "");
		return 0;
	}
	*why = "role must be village:CODE, device or office";
	return LT_EINVAL;
}

void scope_format(const struct scope *s, char *buf, size_t len)
{
	if (s->role == SCOPE_VILLAGE)
		snprintf(buf, len, "%s:%s", rules[s->role].name, s->village);
	else
		snprintf(buf, len, "%s", rules[s->role].name);
}

const char *scope_check_event(const struct scope *s, const Lawtally__V1__Event *e)
{
	const struct role_rule *r = &rules[s->role];
	enum tally_kind kind = tally_event_kind(e);
	if (kind == TALLY_KIND_NONE || !(r->kinds & KIND(kind)))
		return r->reason;
	if (r->own_village && e->village[0] && strcmp(e->village, s->village) != 0)
		return reason_other_village;
	/* dispute and training always name their village: "" is refused by
	 * validate_event, and an empty village here would still not be ours */
	if (r->own_village && !e->village[0] && kind != TALLY_RETRACTION)
		return reason_other_village;
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
