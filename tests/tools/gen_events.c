/*
 * gen_events.c - writes test event streams as JSON Lines on stdout.
 *
 *   gen-events fixture [SEED]     the 2024 fixture stream (tests/tools/fixture.c)
 *   gen-events bulk N [SEED]      N distinct enforcement actions in 2024, so
 *                                 that enforcement.actions == N exactly
 *
 * The end-to-end tests feed these to `lawtally send --file`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "jsonl.h"
#include "uuid.h"

static int put(const Lawtally__V1__Event *e)
{
	char *line = jsonl_format_event(e);
	if (!line)
		return -1;
	int rc = printf("%s\n", line) < 0 ? -1 : 0;
	free(line);
	return rc;
}

static int gen_fixture(uint64_t seed)
{
	struct fixture f;
	fixture_generate(seed, &f);
	int rc = 0;
	for (size_t i = 0; i < f.n && !rc; i++)
		rc = put(f.events[i]);
	fixture_free(&f);
	return rc ? 1 : 0;
}

/* splitmix64: small, seeded, enough for test data */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int gen_bulk(unsigned long n, uint64_t seed)
{
	uint64_t s = seed;
	for (unsigned long i = 0; i < n; i++) {
		Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
		Lawtally__V1__Enforcement x = LAWTALLY__V1__ENFORCEMENT__INIT;
		uint8_t id[UUID_LEN], rnd[10];
		char device[16];
		int64_t t = FIXTURE_YEAR_START + (int64_t)(i * 300 % (366ULL * 86400));
		for (int k = 0; k < 10; k++)
			rnd[k] = (uint8_t)next(&s);
		/* ids ordered by position, as a device's UUIDv7 ids would be */
		uuid_v7_from(id, (uint64_t)FIXTURE_YEAR_START * 1000 + seed * 1000000000ULL + i, rnd);
		snprintf(device, sizeof(device), "device-%02u", (unsigned)(next(&s) % 12));
		e.id = (ProtobufCBinaryData){UUID_LEN, id};
		e.occurred_at = t;
		e.source = device;
		e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
		e.enforcement = &x;
		x.campaign = 1 + (int)(next(&s) % 3);
		x.action = 1 + (int)(next(&s) % 7);
		x.recorded = next(&s) % 2;
		x.device_id = device;
		if (put(&e))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "fixture") == 0 && argc <= 3)
		return gen_fixture(argc == 3 ? strtoull(argv[2], NULL, 10) : 1);
	if (argc >= 3 && strcmp(argv[1], "bulk") == 0 && argc <= 4)
		return gen_bulk(strtoul(argv[2], NULL, 10), argc == 4 ? strtoull(argv[3], NULL, 10) : 1);
	fprintf(stderr, "usage: gen-events fixture [SEED] | bulk N [SEED]\n");
	return 2;
}
