/* test_byteorder.c - integers to and from bytes (common/byteorder.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "byteorder.h"

/* Stores leave the bytes around the field alone; loads read only the field. */
#define GUARD 0xEE

static void test_big_endian(void **state)
{
	(void)state;
	uint8_t b[10];
	static const uint8_t be16[] = {GUARD, 0x12, 0x34, GUARD};
	static const uint8_t be32[] = {GUARD, 0x12, 0x34, 0x56, 0x78, GUARD};
	static const uint8_t be64[] = {GUARD, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, GUARD};

	memset(b, GUARD, sizeof(b));
	be16_store(b + 1, 0x1234);
	assert_memory_equal(b, be16, sizeof(be16));
	assert_int_equal(be16_load(be16 + 1), 0x1234);

	memset(b, GUARD, sizeof(b));
	be32_store(b + 1, 0x12345678u);
	assert_memory_equal(b, be32, sizeof(be32));
	assert_int_equal(be32_load(be32 + 1), 0x12345678u);

	memset(b, GUARD, sizeof(b));
	be64_store(b + 1, 0x0123456789ABCDEFull);
	assert_memory_equal(b, be64, sizeof(be64));
	assert_int_equal(be64_load(be64 + 1), 0x0123456789ABCDEFull);
}

static void test_little_endian(void **state)
{
	(void)state;
	uint8_t b[10];
	static const uint8_t le16[] = {GUARD, 0x34, 0x12, GUARD};
	static const uint8_t le32[] = {GUARD, 0x78, 0x56, 0x34, 0x12, GUARD};
	static const uint8_t le64[] = {GUARD, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, GUARD};

	memset(b, GUARD, sizeof(b));
	le16_store(b + 1, 0x1234);
	assert_memory_equal(b, le16, sizeof(le16));
	assert_int_equal(le16_load(le16 + 1), 0x1234);

	memset(b, GUARD, sizeof(b));
	le32_store(b + 1, 0x12345678u);
	assert_memory_equal(b, le32, sizeof(le32));
	assert_int_equal(le32_load(le32 + 1), 0x12345678u);

	memset(b, GUARD, sizeof(b));
	le64_store(b + 1, 0x0123456789ABCDEFull);
	assert_memory_equal(b, le64, sizeof(le64));
	assert_int_equal(le64_load(le64 + 1), 0x0123456789ABCDEFull);
}

/* High bits set: no sign extension through int promotion on the way back. */
static void test_high_bits(void **state)
{
	(void)state;
	uint8_t b[8];
	static const uint8_t ff[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	assert_int_equal(be16_load(ff), 0xFFFF);
	assert_int_equal(le16_load(ff), 0xFFFF);
	assert_int_equal(be32_load(ff), 0xFFFFFFFFu);
	assert_int_equal(le32_load(ff), 0xFFFFFFFFu);
	assert_true(be64_load(ff) == UINT64_MAX);
	assert_true(le64_load(ff) == UINT64_MAX);

	/* a negative i64 (a retraction's total, a zone west of UTC) as stored */
	le64_store(b, (uint64_t)(int64_t)-2);
	static const uint8_t minus2[8] = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	assert_memory_equal(b, minus2, 8);
	assert_int_equal((int64_t)le64_load(b), -2);
	le32_store(b, (uint32_t)(int32_t)-18000); /* UTC-05:00 */
	static const uint8_t west[4] = {0xB0, 0xB9, 0xFF, 0xFF};
	assert_memory_equal(b, west, 4);
	assert_int_equal((int32_t)le32_load(b), -18000);

	/* big-endian keys sort as their numbers */
	uint8_t lo[8], hi[8];
	be64_store(lo, 255);
	be64_store(hi, 256);
	assert_true(memcmp(lo, hi, 8) < 0);
	be16_store(lo, 2023);
	be16_store(hi, 2024);
	assert_true(memcmp(lo, hi, 2) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_little_endian),
		cmocka_unit_test(test_high_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
