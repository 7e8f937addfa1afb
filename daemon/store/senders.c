/* senders.c - per-sender completeness records (see senders.h). */
#include "senders.h"

#include <string.h>

#include "byteorder.h"
#include "err.h"

#define SENDER_RECORD_VERSION 1

size_t sender_record_encode(const struct sender_record *rec, uint8_t out[SENDER_RECORD_MAX])
{
	uint8_t *p = out;
	*p++ = SENDER_RECORD_VERSION;
	le64_store(p, (uint64_t)rec->last_received);
	p += 8;
	*p++ = (uint8_t)rec->nmonths;
	for (size_t m = 0; m < rec->nmonths; m++) {
		const struct sender_month *sm = &rec->months[m];
		le16_store(p, sm->year);
		p[2] = sm->month;
		le32_store(p + 3, sm->events);
		p += 7;
	}
	return (size_t)(p - out);
}

int sender_record_decode(struct sender_record *rec, const uint8_t *in, size_t len)
{
	if (len < 10 || in[0] != SENDER_RECORD_VERSION || in[9] > SENDER_MONTHS ||
	    len != 10 + (size_t)in[9] * 7)
		return LT_ECORRUPT;
	rec->last_received = (int64_t)le64_load(in + 1);
	rec->nmonths = in[9];
	const uint8_t *p = in + 10;
	for (size_t m = 0; m < rec->nmonths; m++, p += 7) {
		struct sender_month *sm = &rec->months[m];
		sm->year = le16_load(p);
		sm->month = p[2];
		sm->events = le32_load(p + 3);
	}
	return 0;
}

static unsigned month_index(uint16_t year, uint8_t month)
{
	return (unsigned)year * 12 + month;
}

void sender_record_count(struct sender_record *rec, uint16_t year, uint8_t month, uint32_t events)
{
	unsigned want = month_index(year, month);
	size_t i = 0;
	while (i < rec->nmonths && month_index(rec->months[i].year, rec->months[i].month) < want)
		i++;
	if (i < rec->nmonths && month_index(rec->months[i].year, rec->months[i].month) == want) {
		uint32_t e = rec->months[i].events;
		rec->months[i].events = e > UINT32_MAX - events ? UINT32_MAX : e + events;
		return;
	}
	if (rec->nmonths == SENDER_MONTHS) {
		if (i == 0)
			return; /* older than everything kept */
		memmove(&rec->months[0], &rec->months[1], (i - 1) * sizeof(rec->months[0]));
		i--;
		rec->nmonths--;
	}
	memmove(&rec->months[i + 1], &rec->months[i], (rec->nmonths - i) * sizeof(rec->months[0]));
	rec->months[i] = (struct sender_month){year, month, events};
	rec->nmonths++;
}

uint32_t sender_record_events(const struct sender_record *rec, uint16_t year, uint8_t month)
{
	for (size_t i = 0; i < rec->nmonths; i++)
		if (rec->months[i].year == year && rec->months[i].month == month)
			return rec->months[i].events;
	return 0;
}

int64_t sender_days_silent(const struct sender_record *rec, int64_t now)
{
	return now > rec->last_received ? (now - rec->last_received) / 86400 : 0;
}

int sender_is_silent(const struct sender_record *rec, int64_t now, unsigned silent_days)
{
	return now - rec->last_received > (int64_t)silent_days * 86400;
}
