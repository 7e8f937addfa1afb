/*
 * fuzz_csv.c - a village ledger exported as CSV (clients/csv.c and
 * clients/ledger.c, as lawtally import reads it): the encoding detection
 * and conversion, every record (malformed ones skipped), the header row
 * mapped for each kind, and every later row turned into events, which
 * then go through the daemon's validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "fuzz.h"
#include "ledger.h"
#include "validate.h"

/* More records than a 1 MiB input can hold: the reader must end first. */
#define RECORDS_MAX (1u << 21)
#define HEADER_SEARCH 10
/* The daemon's clock for the fuzz runs: 2024-06-10T00:00:00+08:00. */
#define NOW 1717948800LL

static struct villages villages;

static void rows(const struct ledger_map *m, struct csv_record *rec)
{
	struct ledger_row row;
	size_t bad_col = 0;
	char err[256];
	if (ledger_row(m, "ZL07", "centre-ZL07", rec->field, rec->n, &row, &bad_col, err,
		       sizeof(err)) != 0) {
		FUZZ_REQUIRE(err[0] != '\0');
		return;
	}
	FUZZ_REQUIRE(row.n <= 2);
	for (size_t i = 0; i < row.n; i++) {
		validate_event(&row.ev[i], &villages);
		validate_ahead(&row.ev[i], NOW);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL, err[256];
	size_t len = 0;
	const char *used = NULL;
	struct ledger_map map[LEDGER_KINDS];
	int mapped[LEDGER_KINDS] = {0};
	if (villages.n == 0)
		villages_builtin(&villages);
	if (size > (1u << 20))
		return 0;
	if (csv_decode((const char *)data, size, CSV_AUTO, &text, &len, &used, err, sizeof(err)))
		return 0;
	FUZZ_REQUIRE(text != NULL && strlen(text) <= len);
	struct csv_reader *r = csv_open(text, len);
	struct csv_record rec;
	unsigned n = 0;
	int rc;
	while ((rc = csv_next(r, &rec, err, sizeof(err))) != 0) {
		FUZZ_REQUIRE(rc == 1 || rc == LT_EINVAL);
		FUZZ_REQUIRE(++n < RECORDS_MAX);
		if (rc != 1)
			continue;
		FUZZ_REQUIRE(rec.n >= 1 && rec.n <= CSV_FIELDS_MAX);
		for (int k = 0; k < LEDGER_KINDS; k++) {
			if (mapped[k])
				rows(&map[k], &rec);
			else if (n <= HEADER_SEARCH)
				mapped[k] = ledger_map_header(&map[k], (enum ledger_kind)k,
							      rec.field, rec.n, err,
							      sizeof(err)) == 0;
		}
	}
	csv_close(&r);
	free(text);
	return 0;
}
