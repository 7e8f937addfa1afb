/*
 * monthly.h - monthly mediation statistics in the form county justice
 * bureaus publish them.
 *
 * Pure code. For a month: disputes accepted (registered), resolved, not
 * resolved, the success rate (resolved / (resolved + not resolved)), the
 * agreement amounts in yuan, accepted disputes by how they came in
 * (主动 / 申请 / 委托移送), escalations prevented (民转刑 cases, 群体性上访
 * cases and persons), each for the month, the month before, the same month
 * a year earlier and the year to date, with the change against the month
 * before (环比) and the same month last year (同比); then accepted disputes
 * by category with their shares, for the month and the year to date.
 */
#ifndef LAWTALLY_MONTHLY_H
#define LAWTALLY_MONTHLY_H

#include <stdint.h>

#include "figures.h"
#include "labels.h"
#include "report.h"
#include "sbuf.h"

struct monthly_input {
	unsigned year, month;       /* 2000..2200, 1..12 */
	enum lang lang;
	int32_t tz_offset;
	int64_t now;                /* when the document is made */
	int64_t as_of;              /* 0: live figures */
	const struct figures *fig;  /* holds at least year - 1 and year */
	const char *town;           /* the reporting unit (template @town), or "" */
};

/* Renders the statistics. Returns 0, or LT_EFULL if out's maximum was reached. */
int monthly_render(const struct monthly_input *in, enum report_format f, struct sbuf *out);

#endif
