/*
 * completeness.h - what is missing: per sender and numbering epoch, the
 * gaps in its sequence numbers with the dates they were expected around,
 * its device's counts against what was stored, and the senders gone
 * silent (docs/protocol.md, "Sequence numbers"). Shown by /v1/senders and
 * `lawtally senders`, the report's appendix, and listed by close-year,
 * which refuses while a year has any unless told to accept them.
 *
 * completeness_gather reads through a snapshot; the rest is pure.
 */
#ifndef LAWTALLY_COMPLETENESS_H
#define LAWTALLY_COMPLETENESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "labels.h"
#include "sbuf.h"
#include "senders.h"
#include "seqrec.h"
#include "store.h"
#include "villages.h"

/* One sender and epoch, as read. */
struct seq_entry {
	char sender[STORE_SEQ_NAME_MAX + 1];
	uint64_t epoch;
	struct seqrec *rec;      /* malloc'd */
};

struct seq_list {
	struct seq_entry *v;
	size_t n, cap;
};

/* Reads every sender's records through snap into l (appended). Returns 0 or an LT_E* code. */
int completeness_gather(const struct store_snap *snap, struct seq_list *l);
void completeness_free(struct seq_list *l);

struct completeness_input {
	const struct seq_list *seqs;
	const struct sender_record *senders;  /* for the silent ones; may be NULL with 0 */
	size_t nsenders;
	const struct villages *villages;      /* may be NULL */
	enum lang lang;
	int32_t tz_offset;
	int64_t now;
	unsigned silent_days;
	uint16_t year;                        /* only what concerns this year; 0: every year */
};

/*
 * One line per thing missing, each ended by "\n": "王岗村调解中心（centre-ZL07）：
 * 缺 41–47，约 2024-06-03 至 06-05", a device's count that differs, a record
 * that kept too many gaps to list, a silent sender. Returns how many.
 */
size_t completeness_lines(const struct completeness_input *in, struct sbuf *out);

/*
 * The same as JSON: [{"sender", "name", "epoch" (16 hex digits), "village",
 * "last_number", "missing", "gaps": [{"from", "to", "after", "before"}],
 * "error" (or null), "device": null or {"up_to", "at", "exact",
 * "differences": [{"action", "device", "stored"}]}}].
 */
json_t *completeness_json(const struct completeness_input *in);

#endif
