/*
 * fuzz_jsonl.c - one line of JSON Lines (clients/jsonl.c), and the round
 * trip of what it accepts: the line printed back reads back, and prints
 * the same again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	Lawtally__V1__Event *e = NULL, *back = NULL;
	if (jsonl_parse_event((const char *)data, size, &e, err, sizeof(err)) != 0) {
		FUZZ_REQUIRE(e == NULL && err[0] != '\0');
		return 0;
	}
	char *line = jsonl_format_event(e);
	FUZZ_REQUIRE(line != NULL);
	FUZZ_REQUIRE(jsonl_parse_event(line, strlen(line), &back, err, sizeof(err)) == 0);
	char *again = jsonl_format_event(back);
	FUZZ_REQUIRE(again != NULL && strcmp(line, again) == 0);
	free(again);
	free(line);
	jsonl_event_free(back);
	jsonl_event_free(e);
	return 0;
}
