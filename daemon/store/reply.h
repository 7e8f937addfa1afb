/*
 * reply.h - totals as the wire and JSON carry them.
 *
 * Pure code. reply_from_rows() turns query rows into a QueryReply (the
 * ZeroMQ answer); reply_to_json() turns a QueryReply into the JSON of
 * GET /v1/totals and `lawtally totals --json`, so both say the same.
 */
#ifndef LAWTALLY_REPLY_H
#define LAWTALLY_REPLY_H

#include <jansson.h>

#include "lawtally.pb-c.h"
#include "query.h"

/*
 * Fills r (initialised here) from rows. r points into rows and static
 * labels: it lives no longer than rows. Free with reply_clear.
 */
void reply_from_rows(Lawtally__V1__QueryReply *r, const struct query_spec *spec,
		     const struct query_rows *rows);
void reply_clear(Lawtally__V1__QueryReply *r);

/*
 * {"year":Y,"metric":M|null,"by":B|null,"village":V|null,"rows":[{"metric":..,
 * <by>:label,"value":N}]}. Returns a new reference, or NULL if a label is
 * not UTF-8 (jansson refuses such strings; a reply off the wire may hold one).
 */
json_t *reply_to_json(const Lawtally__V1__QueryReply *r, unsigned year, const char *metric,
		      const char *by, const char *village);

#endif
