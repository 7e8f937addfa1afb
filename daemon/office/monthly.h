/*
 * monthly.h - monthly mediation statistics in the form county justice
 * bureaus publish them.
 *
 * Pure code. For a month: disputes registered, of which found by the
 * mediators' own investigation (排查, proactive) and accepted (受理, on
 * application or referral), resolved, not resolved, the success rate
 * (resolved / (resolved + not resolved), its definition stated under the
 * form), escalated (上交), still open (在办), the agreement amounts in yuan,
 * escalations prevented (民转刑 cases, 群体性上访 cases and persons), each
 * for the month, the month before, the same month a year earlier and the
 * year to date, with the change against the month before (环比) and the
 * same month last year (同比), "无上年数据" where the year before has no
 * figures at all; then registered disputes by category with their shares;
 * then (for the whole township) the same by village committee (调委会),
 * for the month and the year to date; at a county (docs/county.md), for
 * the whole county, by township instead.
 */
#ifndef LAWTALLY_MONTHLY_H
#define LAWTALLY_MONTHLY_H

#include <stdint.h>

#include "doc.h"
#include "figures.h"
#include "labels.h"
#include "report.h"
#include "sbuf.h"
#include "townnames.h"
#include "villages.h"

/* One township of a county and its figures (the same years as the county's). */
struct monthly_township {
	char code[16];
	char name[TOWNNAMES_NAME_MAX + 1]; /* as the township forwarded it, or "" */
	const struct figures *fig;
};

struct monthly_input {
	unsigned year, month;       /* 2000..2200, 1..12 */
	enum lang lang;
	int32_t tz_offset;
	int64_t now;                /* when the document is made */
	int64_t as_of;              /* 0: live figures */
	const struct figures *fig;  /* holds at least year - 1 and year */
	const char *town;           /* the reporting unit (template @town), or "" */
	const struct villages *villages;  /* names of the committees; may be NULL */
	const char *village;        /* one village committee's form, or NULL / "" */
	/* a county's form: a row per township instead of per village committee */
	const struct monthly_township *townships;
	size_t ntownships;
};

/*
 * Renders the statistics. Returns 0, LT_EFULL if out's maximum was
 * reached, or LT_ESYS (docx: the zip library failed).
 */
int monthly_render(const struct monthly_input *in, enum report_format f, struct sbuf *out);

/* The form as a document (doc.h): its title, lines and tables. */
void monthly_doc(const struct monthly_input *in, struct doc *d);

#endif
