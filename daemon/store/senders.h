/*
 * senders.h - completeness: what the store keeps per sender, so that the
 * office sees who has gone quiet.
 *
 * Pure code. A sender record holds when the sender was last heard (the
 * daemon's clock when a batch with its events was stored, duplicates and
 * store rejections included) and how many of its events were accepted for
 * each month (the month the work happened, in the township's zone, so that
 * a month with nothing from a village that usually sends stands out, and
 * late paper records fill their own month), for its SENDER_MONTHS latest
 * months. Encoded (little-endian):
 *   u8 version (1), i64 last_received, u8 n, n x (u16 year, u8 month, u32 events)
 */
#ifndef LAWTALLY_SENDERS_H
#define LAWTALLY_SENDERS_H

#include <stddef.h>
#include <stdint.h>

#define SENDER_NAME_MAX 64
#define SENDER_MONTHS 24
#define SENDER_RECORD_MAX (1 + 8 + 1 + SENDER_MONTHS * 7)

struct sender_month {
	uint16_t year;
	uint8_t month;
	uint32_t events;
};

struct sender_record {
	char name[SENDER_NAME_MAX + 1];
	int64_t last_received;
	size_t nmonths;                               /* oldest first */
	struct sender_month months[SENDER_MONTHS];
};

/* Writes rec (not its name) to out; returns the length. */
size_t sender_record_encode(const struct sender_record *rec, uint8_t out[SENDER_RECORD_MAX]);

/* Fills rec (not its name). Returns 0, or LT_ECORRUPT. */
int sender_record_decode(struct sender_record *rec, const uint8_t *in, size_t len);

/*
 * Adds events to (year, month), keeping months in order and only the
 * latest SENDER_MONTHS; a month older than all kept ones when the record
 * is full is dropped.
 */
void sender_record_count(struct sender_record *rec, uint16_t year, uint8_t month, uint32_t events);

/* Events accepted in (year, month), 0 if not kept. */
uint32_t sender_record_events(const struct sender_record *rec, uint16_t year, uint8_t month);

/* Whole days since the sender was last heard (0 if in the future). */
int64_t sender_days_silent(const struct sender_record *rec, int64_t now);

/* 1 if silent for more than silent_days days. */
int sender_is_silent(const struct sender_record *rec, int64_t now, unsigned silent_days);

#endif
