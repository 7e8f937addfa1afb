/*
 * fuzz_httpquery.c - the query string of GET /v1/totals (daemon/httpquery.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "httpquery.h"

static struct villages villages;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpquery_totals t;
	char msg[128] = "";
	if (villages.n == 0)
		villages_builtin(&villages);
	if (size > 4096)
		return 0;
	char *q = malloc(size + 1);
	FUZZ_REQUIRE(q != NULL);
	memcpy(q, data, size);
	q[size] = '\0';
	if (httpquery_totals(q, &villages, &t, msg, sizeof(msg)) != 0) {
		FUZZ_REQUIRE(msg[0] != '\0');
	} else {
		FUZZ_REQUIRE(t.spec.year >= QUERY_YEAR_MIN && t.spec.year <= QUERY_YEAR_MAX);
		FUZZ_REQUIRE(!t.metric || strlen(t.metric) <= HTTPQUERY_VALUE_MAX);
	}
	free(q);
	return 0;
}
