/*
 * figures.h - a set of totals held in memory: what the report, the monthly
 * statistics and the exports read.
 *
 * Pure code, no I/O. A figures set holds totals as sorted (key, value)
 * pairs with the keys of the store's totals database (tally.h), filled from
 * a scan of the live totals, from a recount as of a moment, or from the
 * snapshot of a closed year. Sums select by metric and year and, where a
 * selector says so, by month, village and dimension values.
 *
 * The snapshot encoding (figures_encode) is the entries of one year in key
 * order, each the 14-byte totals key followed by the value as 8 bytes
 * little-endian; its SHA-256 (figures_sha256) is the content hash a closed
 * year is filed with, so anyone holding the bytes can check the hash.
 */
#ifndef LAWTALLY_FIGURES_H
#define LAWTALLY_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "tally.h"

/* Encoded size of one entry of a snapshot. */
#define FIGURES_ENTRY_LEN (TALLY_KEY_LEN + 8)
#define FIGURES_SHA256_LEN 32

/* Sorted and merged (tally_deltas_merge) totals; zeros are not kept. */
struct figures {
	struct tally_deltas t;
};

/* Frees the entries and empties f. Safe on an empty (zeroed) set. */
void figures_free(struct figures *f);

/*
 * Adds v to the total of key k. Entries may come in any order; call
 * figures_seal() before reading.
 */
void figures_add(struct figures *f, const struct tally_key *k, int64_t v);

/* Sorts and merges the entries; sums and diffs need a sealed set. */
void figures_seal(struct figures *f);

/*
 * Takes the entries of ds whose year is in [year_min, year_max] (ds is left
 * as it was), and seals f.
 */
void figures_from_deltas(struct figures *f, const struct tally_deltas *ds,
			 uint16_t year_min, uint16_t year_max);

/* What a sum selects. Fields at their "any" value select everything. */
struct figures_sel {
	int metric;           /* enum tally_metric; required */
	uint16_t year;        /* required */
	uint8_t month_min;    /* 1..12; 0 = from January */
	uint8_t month_max;    /* 1..12; 0 = to December */
	const char *village;  /* NULL: all; "": township level only; else a code */
	int dim[2];           /* -1: any value; else the dimension's enum value */
};

/* A selector of every month, village and dimension value of (metric, year). */
struct figures_sel figures_sel_all(int metric, uint16_t year);

/* The sum of the totals sel selects (0 if none). */
int64_t figures_sum(const struct figures *f, const struct figures_sel *sel);

/* out = a - b over every key (a and b sealed); out is replaced and sealed. */
void figures_diff(const struct figures *a, const struct figures *b, struct figures *out);

/* 1 if f holds any entry of year. */
int figures_has_year(const struct figures *f, uint16_t year);

/* Bytes figures_encode() writes for year. */
size_t figures_encoded_len(const struct figures *f, uint16_t year);

/* Writes the entries of year to out (figures_encoded_len bytes). */
void figures_encode(const struct figures *f, uint16_t year, uint8_t *out);

/*
 * Adds the entries of an encoding to f (then sealed). Returns 0, or
 * LT_ECORRUPT if len is not a whole number of entries.
 */
int figures_decode(struct figures *f, const uint8_t *in, size_t len);

/* SHA-256 of len bytes at data (nettle). */
void figures_sha256(const uint8_t *data, size_t len, uint8_t out[FIGURES_SHA256_LEN]);

/* The digest as 64 lower-case hex digits and a NUL. */
void figures_hex(const uint8_t digest[FIGURES_SHA256_LEN], char out[2 * FIGURES_SHA256_LEN + 1]);

#endif
