/*
 * record.h - the seal every stored value carries, so that damage inside
 * the store is an error with its key, never a figure.
 *
 * LMDB keeps no checksums: a flipped bit in a page is read back as data.
 * Every value the store writes (events, cases, totals and rollups, closed
 * years, senders, meta except "schema") is sealed: the CRC-32 of its key
 * and its value (the CRC-32 of zlib and gzip, reflected IEEE polynomial,
 * computed by ISA-L's crc32_gzip_refl: some 3 times zlib's speed here)
 * follows the value as 4 bytes little-endian. The key is in the sum so
 * that a value that ends up under another key does not check. Reads open the value: check the
 * sum and strip it. "schema" is not sealed: any version must be able to
 * read which version wrote a store.
 *
 * Pure code, no I/O. Built with -DLAWTALLY_NO_CHECKSUMS (the bench's
 * comparison build only) values carry no seal and nothing is checked.
 */
#ifndef LAWTALLY_RECORD_H
#define LAWTALLY_RECORD_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#ifdef LAWTALLY_NO_CHECKSUMS
#define RECORD_SEAL_LEN 0
#else
#define RECORD_SEAL_LEN 4
#endif

/*
 * Writes the seal of (key, the vlen bytes at val) at val + vlen: val must
 * have room for vlen + RECORD_SEAL_LEN bytes.
 */
void record_seal(const MDB_val *key, uint8_t *val, size_t vlen);

/*
 * Checks the seal of v (as read under key) and strips it from v->mv_size.
 * Returns 0, or LT_ECORRUPT (v unchanged) when v is too short to hold one
 * or the sum differs.
 */
int record_open(const MDB_val *key, MDB_val *v);

/*
 * Writes len bytes at p to out as text that is safe to print: printable
 * ASCII as it is, except \ and ", and every other byte as \xHH; NUL-
 * terminated, cut with "..." when out is too small (outlen >= 4).
 * Returns out.
 */
char *record_escape(const void *p, size_t len, char *out, size_t outlen);

/* len bytes at p as lower-case hex, cut with "..." when out is too small. Returns out. */
char *record_hex(const void *p, size_t len, char *out, size_t outlen);

#endif
