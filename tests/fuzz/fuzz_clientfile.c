/*
 * fuzz_clientfile.c - a client file of the clients directory
 * (common/keyfile.c): what parses prints back (as lawtally keygen writes
 * it) to a file that parses to the same key and role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyfile_client c, back;
	char why[160] = "", text[512];
	if (keyfile_parse_client((const char *)data, size, &c, why, sizeof(why)) != 0) {
		FUZZ_REQUIRE(why[0] != '\0');
		return 0;
	}
	int n = keyfile_format_client(text, sizeof(text), "fuzz", c.z85, &c.scope);
	FUZZ_REQUIRE(n > 0);
	FUZZ_REQUIRE(keyfile_parse_client(text, (size_t)n, &back, why, sizeof(why)) == 0);
	FUZZ_REQUIRE(memcmp(back.key, c.key, sizeof(c.key)) == 0);
	FUZZ_REQUIRE(back.scope.role == c.scope.role &&
		     strcmp(back.scope.village, c.scope.village) == 0);
	return 0;
}
