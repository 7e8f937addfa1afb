/*
 * uuid.h - event ids: 16-byte UUIDv7 (RFC 9562), time-ordered.
 *
 * lawtally's own senders make every event id with uuid_v7(): ids made later
 * sort later, so the daemon's dedupe index is appended in key order (about
 * ten times faster in LMDB than random keys). Other senders may use any
 * 16 bytes (e.g. UUIDv4); the daemon accepts them, more slowly.
 */
#ifndef LAWTALLY_UUID_H
#define LAWTALLY_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_LEN 16
#define UUID_STR_LEN 36 /* without the terminating NUL */

/*
 * The time-ordered layout of RFC 9562 shared by v7 and lawtally's v8 ledger
 * ids (ledger.h): unix_ms (low 48 bits, big-endian), version (4 bits),
 * rand_a (low 12 bits), the variant 10, rand_b (low 62 bits).
 */
void uuid_pack(uint8_t out[UUID_LEN], unsigned version, uint64_t unix_ms, uint16_t rand_a,
	       uint64_t rand_b);

/*
 * A v7 id from a time in milliseconds and 10 bytes of randomness (of which
 * 74 bits are used): deterministic, for generators and tests.
 */
void uuid_v7_from(uint8_t out[UUID_LEN], uint64_t unix_ms, const uint8_t rnd[10]);

/*
 * A fresh v7 id from the real-time clock and getrandom(2); ids made by one
 * process within the same millisecond still increase. Safe to call from
 * several threads at once: every id a process makes is distinct, and each
 * thread's ids increase. Returns 0, or LT_ESYS if no randomness could be had.
 */
int uuid_v7(uint8_t out[UUID_LEN]);

/* Writes the canonical 8-4-4-4-12 lower-case form and a NUL into out. */
void uuid_format(const uint8_t id[UUID_LEN], char out[UUID_STR_LEN + 1]);

/* Parses the canonical form (either case). Returns 0, or LT_EINVAL. */
int uuid_parse(const char *s, uint8_t out[UUID_LEN]);

#endif
