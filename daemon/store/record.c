/* record.c - sealed values: CRC-32 of key and value (see record.h). */
#include "record.h"

#include <isa-l/crc.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "err.h"

#ifndef LAWTALLY_NO_CHECKSUMS
/* The CRC-32 of gzip and zlib (reflected IEEE), which ISA-L computes with carry-less multiplies. */
static uint32_t sum(const MDB_val *key, const uint8_t *val, size_t vlen)
{
	uint32_t c = crc32_gzip_refl(0, key->mv_data, key->mv_size);
	return crc32_gzip_refl(c, val, vlen);
}
#endif

void record_seal(const MDB_val *key, uint8_t *val, size_t vlen)
{
#ifdef LAWTALLY_NO_CHECKSUMS
	(void)key, (void)val, (void)vlen;
#else
	le32_store(val + vlen, sum(key, val, vlen));
#endif
}

int record_open(const MDB_val *key, MDB_val *v)
{
#ifdef LAWTALLY_NO_CHECKSUMS
	(void)key, (void)v;
	return 0;
#else
	if (v->mv_size < RECORD_SEAL_LEN)
		return LT_ECORRUPT;
	size_t vlen = v->mv_size - RECORD_SEAL_LEN;
	const uint8_t *p = v->mv_data;
	if (le32_load(p + vlen) != sum(key, p, vlen))
		return LT_ECORRUPT;
	v->mv_size = vlen;
	return 0;
#endif
}

/* The escaped form of byte b into one (5 bytes); returns its length. */
static int escape_one(uint8_t b, char one[5])
{
	return b >= 0x20 && b < 0x7f && b != '\\' && b != '"' ? snprintf(one, 5, "%c", b)
								   : snprintf(one, 5, "\\x%02x", b);
}

char *record_escape(const void *p, size_t len, char *out, size_t outlen)
{
	const uint8_t *b = p;
	size_t need = 0, o = 0;
	char one[5];
	for (size_t i = 0; i < len; i++)
		need += (size_t)escape_one(b[i], one);
	for (size_t i = 0; i < len; i++) {
		int n = escape_one(b[i], one);
		/* when it does not all fit: room for this and for "..." */
		if (need >= outlen && o + (size_t)n + 3 >= outlen) {
			snprintf(out + o, outlen - o, "...");
			return out;
		}
		memcpy(out + o, one, (size_t)n);
		o += (size_t)n;
	}
	out[o] = '\0';
	return out;
}

char *record_hex(const void *p, size_t len, char *out, size_t outlen)
{
	const uint8_t *b = p;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (o + 2 + (i + 1 < len ? 3 : 0) >= outlen) {
			snprintf(out + o, outlen - o, "...");
			return out;
		}
		snprintf(out + o, 3, "%02x", b[i]);
		o += 2;
	}
	out[o] = '\0';
	return out;
}
