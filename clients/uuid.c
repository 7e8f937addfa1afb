/*
 * uuid.c - UUIDv7 event ids (RFC 9562): making, printing and parsing them.
 *
 * Layout (big-endian): unix_ts_ms[48] ver[4]=7 rand_a[12] var[2]=10
 * rand_b[62]. rand_a and rand_b together are the 74 "random" bits; within
 * one millisecond uuid_v7() uses them as a counter (RFC 9562, 6.2 method 2).
 */
#include "uuid.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "err.h"

#define RAND_A_MASK 0xFFFu                  /* 12 bits */
#define RAND_B_MASK ((1ULL << 62) - 1)      /* 62 bits */
#define UNIX_MS_MASK ((1ULL << 48) - 1)     /* 48 bits */

void uuid_pack(uint8_t out[UUID_LEN], unsigned version, uint64_t unix_ms, uint16_t rand_a,
	       uint64_t rand_b)
{
	unix_ms &= UNIX_MS_MASK;
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(unix_ms >> (8 * (5 - i)));
	out[6] = (uint8_t)((version & 0x0F) << 4 | ((rand_a >> 8) & 0x0F));
	out[7] = (uint8_t)rand_a;
	out[8] = (uint8_t)(0x80 | ((rand_b >> 56) & 0x3F));
	for (int i = 9; i < 16; i++)
		out[i] = (uint8_t)(rand_b >> (8 * (15 - i)));
}

static void unpack(const uint8_t id[UUID_LEN], uint64_t *unix_ms, uint16_t *rand_a,
		   uint64_t *rand_b)
{
	uint64_t ms = 0, b = (uint64_t)(id[8] & 0x3F);
	for (int i = 0; i < 6; i++)
		ms = ms << 8 | id[i];
	for (int i = 9; i < 16; i++)
		b = b << 8 | id[i];
	*unix_ms = ms;
	*rand_a = (uint16_t)((id[6] & 0x0F) << 8 | id[7]);
	*rand_b = b;
}

void uuid_v7_from(uint8_t out[UUID_LEN], uint64_t unix_ms, const uint8_t rnd[10])
{
	uint16_t rand_a = (uint16_t)(((rnd[0] & 0x0F) << 8 | rnd[1]) & RAND_A_MASK);
	uint64_t rand_b = (uint64_t)(rnd[2] & 0x3F);
	for (int i = 3; i < 10; i++)
		rand_b = rand_b << 8 | rnd[i];
	uuid_pack(out, 7, unix_ms, rand_a, rand_b);
}

/* Fills buf completely from getrandom(2), riding out EINTR and short reads. */
static int fill_random(uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = getrandom(buf + got, len - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return LT_ESYS;
		}
		got += (size_t)r;
	}
	return 0;
}

/*
 * The last id made in this process, so that the next one sorts after it
 * even when the clock has not moved on (same millisecond) or has stepped
 * back (NTP). Device firmware links this library too and may make ids on
 * several threads at once: under last_lock every id is made after the one
 * before, so ids stay distinct and each thread's ids increase.
 */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t last_id[UUID_LEN];
static int have_last;

/*
 * When the clock is not ahead of the last id, the last id's 74 random bits
 * are incremented as one counter; if they overflow, the timestamp moves on
 * by one millisecond (RFC 9562, 6.2). Otherwise a fresh random id is made.
 * Under last_lock.
 */
static int next_id(uint8_t out[UUID_LEN])
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return LT_ESYS;
	uint64_t now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;

	if (have_last) {
		uint64_t ms, rand_b;
		uint16_t rand_a;
		unpack(last_id, &ms, &rand_a, &rand_b);
		if ((now_ms & UNIX_MS_MASK) <= ms) {
			if (rand_b < RAND_B_MASK) {
				rand_b++;
			} else {
				rand_b = 0;
				if (rand_a < RAND_A_MASK)
					rand_a++;
				else
					rand_a = 0, ms++;
			}
			uuid_pack(last_id, 7, ms, rand_a, rand_b);
			memcpy(out, last_id, UUID_LEN);
			return 0;
		}
	}

	uint8_t rnd[10];
	int rc = fill_random(rnd, sizeof(rnd));
	if (rc != 0)
		return rc;
	uuid_v7_from(last_id, now_ms, rnd);
	have_last = 1;
	memcpy(out, last_id, UUID_LEN);
	return 0;
}

int uuid_v7(uint8_t out[UUID_LEN])
{
	pthread_mutex_lock(&last_lock);
	int rc = next_id(out);
	pthread_mutex_unlock(&last_lock);
	return rc;
}

void uuid_format(const uint8_t id[UUID_LEN], char out[UUID_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 0x0F];
	}
	out[o] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uuid_parse(const char *s, uint8_t out[UUID_LEN])
{
	uint8_t id[UUID_LEN];
	if (!s || strlen(s) != UUID_STR_LEN)
		return LT_EINVAL;
	size_t p = 0;
	for (int i = 0; i < UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (s[p] != '-')
				return LT_EINVAL;
			p++;
		}
		int hi = hex_value(s[p]), lo = hex_value(s[p + 1]);
		if (hi < 0 || lo < 0)
			return LT_EINVAL;
		id[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	memcpy(out, id, UUID_LEN);
	return 0;
}
