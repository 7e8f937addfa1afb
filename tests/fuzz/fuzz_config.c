/*
 * fuzz_config.c - the daemon's config file (common/config.c): loading is
 * all or nothing, and what loads describes itself into a file that loads
 * back to the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define TEXT_MAX (64u << 10)

/* config_describe() into a malloc'd string. */
static char *describe(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	FUZZ_REQUIRE(f != NULL);
	config_describe(c, f);
	FUZZ_REQUIRE(fclose(f) == 0);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (size > TEXT_MAX)
		return 0;
	char *text = malloc(size + 1);
	struct config *c = malloc(sizeof(*c)), *back = malloc(sizeof(*back));
	FUZZ_REQUIRE(text && c && back);
	memcpy(text, data, size);
	text[size] = '\0';
	config_defaults(c);
	memcpy(back, c, sizeof(*c));
	if (config_load_string(c, text, err, sizeof(err)) != 0) {
		FUZZ_REQUIRE(memcmp(c, back, sizeof(*c)) == 0 && err[0] != '\0');
	} else {
		char *once = describe(c);
		config_defaults(back);
		FUZZ_REQUIRE(config_load_string(back, once, err, sizeof(err)) == 0);
		char *twice = describe(back);
		FUZZ_REQUIRE(strcmp(once, twice) == 0);
		free(once);
		free(twice);
	}
	free(text);
	free(c);
	free(back);
	return 0;
}
