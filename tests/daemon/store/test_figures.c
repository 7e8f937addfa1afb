/*
 * test_figures.c - totals held in memory (sums by selector, diffs, the
 * snapshot encoding and its SHA-256), sender records (encoding, the
 * window of months, silence), and moments and months as the office
 * writes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "figures.h"
#include "senders.h"
#include "when.h"

#define TZ 28800

static void put(struct figures *f, int metric, uint16_t year, int month, const char *village,
		int d0, int d1, int64_t v)
{
	struct tally_key k;
	memset(&k, 0, sizeof(k));
	k.metric = (uint8_t)metric;
	k.year = year;
	k.month = (uint8_t)month;
	if (village)
		memcpy(k.village, village, strlen(village));
	k.dim[0] = (uint8_t)d0;
	k.dim[1] = (uint8_t)d1;
	figures_add(f, &k, v);
}

static void sample(struct figures *f)
{
	put(f, M_DISPUTES_RESOLVED, 2024, 3, "ZL01", 7, 1, 10);
	put(f, M_DISPUTES_RESOLVED, 2024, 3, "ZL01", 7, 1, 5); /* merged with the one above */
	put(f, M_DISPUTES_RESOLVED, 2024, 4, "ZL02", 2, 2, 7);
	put(f, M_DISPUTES_RESOLVED, 2024, 12, NULL, 2, 0, 1);
	put(f, M_DISPUTES_RESOLVED, 2023, 3, "ZL01", 7, 1, 100);
	put(f, M_LAWSUITS_FILED, 2024, 1, NULL, 1, 0, 3);
	put(f, M_TRAININGS_SESSIONS, 2024, 1, "ZL01", 0, 0, 0); /* zeros are not kept */
	figures_seal(f);
}

static void test_sums(void **state)
{
	(void)state;
	struct figures f = {0};
	sample(&f);
	assert_int_equal(f.t.n, 5);
	struct figures_sel s = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	assert_int_equal(figures_sum(&f, &s), 23);
	s.month_min = 3, s.month_max = 4;
	assert_int_equal(figures_sum(&f, &s), 22);
	s.month_min = 0, s.month_max = 3;
	assert_int_equal(figures_sum(&f, &s), 15);
	s = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	s.village = "ZL02";
	assert_int_equal(figures_sum(&f, &s), 7);
	s.village = "";
	assert_int_equal(figures_sum(&f, &s), 1);
	s.village = "ZL0";
	assert_int_equal(figures_sum(&f, &s), 0);
	s = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	s.dim[0] = 2;
	assert_int_equal(figures_sum(&f, &s), 8);
	s.dim[1] = 2;
	assert_int_equal(figures_sum(&f, &s), 7);
	s = figures_sel_all(M_DISPUTES_RESOLVED, 2023);
	assert_int_equal(figures_sum(&f, &s), 100);
	s = figures_sel_all(M_LAWSUITS_FILED, 2024);
	assert_int_equal(figures_sum(&f, &s), 3);
	s = figures_sel_all(M_TRAININGS_SESSIONS, 2024);
	assert_int_equal(figures_sum(&f, &s), 0);
	s = figures_sel_all(M_ENFORCEMENT_RECORDED, 2025);
	assert_int_equal(figures_sum(&f, &s), 0);
	assert_true(figures_has_year(&f, 2023));
	assert_false(figures_has_year(&f, 2025));
	figures_free(&f);
	figures_free(&f);
}

static void test_from_deltas_and_diff(void **state)
{
	(void)state;
	struct figures all = {0}, y = {0}, later = {0}, d = {0};
	sample(&all);
	figures_from_deltas(&y, &all.t, 2024, 2024);
	assert_int_equal(y.t.n, 4);
	sample(&later);
	put(&later, M_DISPUTES_RESOLVED, 2024, 4, "ZL02", 2, 2, -7); /* retracted: gone */
	put(&later, M_LAWSUITS_LOST, 2024, 6, NULL, 1, 0, 1);
	figures_seal(&later);
	figures_diff(&later, &all, &d);
	assert_int_equal(d.t.n, 2);
	struct figures_sel s = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	assert_int_equal(figures_sum(&d, &s), -7);
	s = figures_sel_all(M_LAWSUITS_LOST, 2024);
	assert_int_equal(figures_sum(&d, &s), 1);
	figures_diff(&all, &all, &d);
	assert_int_equal(d.t.n, 0);
	figures_free(&all);
	figures_free(&y);
	figures_free(&later);
	figures_free(&d);
}

static void test_encoding_and_hash(void **state)
{
	(void)state;
	struct figures f = {0}, back = {0};
	sample(&f);
	size_t len = figures_encoded_len(&f, 2024);
	assert_int_equal(len, 4 * FIGURES_ENTRY_LEN);
	uint8_t *buf = malloc(len);
	figures_encode(&f, 2024, buf);
	assert_int_equal(figures_decode(&back, buf, len), 0);
	assert_int_equal(back.t.n, 4);
	struct figures_sel s = figures_sel_all(M_DISPUTES_RESOLVED, 2024);
	assert_int_equal(figures_sum(&back, &s), 23);
	assert_false(figures_has_year(&back, 2023));
	assert_int_equal(figures_decode(&back, buf, len - 1), LT_ECORRUPT);
	/* the first entry: metric, year big-endian, month, village, dims, value little-endian */
	static const uint8_t first[FIGURES_ENTRY_LEN] = {
		M_DISPUTES_RESOLVED, 0x07, 0xe8, 3, 'Z', 'L', '0', '1', 0, 0, 0, 0, 7, 1,
		15, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(buf, first, FIGURES_ENTRY_LEN);

	uint8_t d[FIGURES_SHA256_LEN];
	char hex[2 * FIGURES_SHA256_LEN + 1];
	figures_sha256((const uint8_t *)"abc", 3, d);
	figures_hex(d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	figures_sha256(NULL, 0, d);
	figures_hex(d, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(buf);
	figures_free(&f);
	figures_free(&back);
}

static void test_sender_records(void **state)
{
	(void)state;
	struct sender_record r, back;
	uint8_t buf[SENDER_RECORD_MAX];
	memset(&r, 0, sizeof(r));
	r.last_received = 1735000000;
	sender_record_count(&r, 2024, 6, 3);
	sender_record_count(&r, 2024, 1, 2);
	sender_record_count(&r, 2024, 6, 1);
	sender_record_count(&r, 2023, 12, 5);
	assert_int_equal(r.nmonths, 3);
	assert_int_equal(r.months[0].year, 2023);
	assert_int_equal(r.months[2].month, 6);
	assert_int_equal(sender_record_events(&r, 2024, 6), 4);
	assert_int_equal(sender_record_events(&r, 2024, 2), 0);
	size_t len = sender_record_encode(&r, buf);
	assert_int_equal(len, 10 + 3 * 7);
	/* the stored layout: version, i64 last_received, months, then each
	 * month as u16 year, u8 month, u32 events (little-endian) */
	static const uint8_t stored[10 + 3 * 7] = {
		1, 0xC0, 0xFF, 0x69, 0x67, 0, 0, 0, 0, 3,
		0xE7, 0x07, 12, 5, 0, 0, 0,
		0xE8, 0x07, 1, 2, 0, 0, 0,
		0xE8, 0x07, 6, 4, 0, 0, 0,
	};
	assert_memory_equal(buf, stored, sizeof(stored));
	memset(&back, 0, sizeof(back));
	assert_int_equal(sender_record_decode(&back, buf, len), 0);
	assert_int_equal(back.last_received, 1735000000);
	assert_int_equal(back.nmonths, 3);
	assert_int_equal(sender_record_events(&back, 2023, 12), 5);
	assert_int_equal(sender_record_decode(&back, buf, len - 1), LT_ECORRUPT);
	buf[0] = 9;
	assert_int_equal(sender_record_decode(&back, buf, len), LT_ECORRUPT);

	/* the window keeps the latest 24 months; an older month is dropped */
	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 30; i++)
		sender_record_count(&r, (uint16_t)(2020 + i / 12), (uint8_t)(i % 12 + 1), 1);
	assert_int_equal(r.nmonths, SENDER_MONTHS);
	assert_int_equal(r.months[0].year, 2020);
	assert_int_equal(r.months[0].month, 7);
	assert_int_equal(r.months[23].year, 2022);
	assert_int_equal(r.months[23].month, 6);
	sender_record_count(&r, 2019, 1, 1);
	assert_int_equal(sender_record_events(&r, 2019, 1), 0);
	sender_record_count(&r, 2021, 2, 1);
	assert_int_equal(sender_record_events(&r, 2021, 2), 2);
	sender_record_count(&r, 2023, 1, 1);
	assert_int_equal(r.nmonths, SENDER_MONTHS);
	assert_int_equal(r.months[0].month, 8);
	assert_int_equal(sender_record_events(&r, 2023, 1), 1);

	/* silence: more than N whole days */
	r.last_received = 1000000;
	assert_int_equal(sender_days_silent(&r, 1000000 + 7 * 86400), 7);
	assert_false(sender_is_silent(&r, 1000000 + 7 * 86400, 7));
	assert_true(sender_is_silent(&r, 1000000 + 7 * 86400 + 1, 7));
	assert_int_equal(sender_days_silent(&r, 999999), 0);
}

static void test_moments(void **state)
{
	(void)state;
	int64_t t;
	char buf[WHEN_FORMAT_LEN];
	assert_int_equal(when_parse_moment("2024-06-01", TZ, &t), 0);
	when_format(t, TZ, buf);
	assert_string_equal(buf, "2024-06-01T23:59:59+08:00");
	assert_int_equal(when_parse_moment("2024-06-01T09:30", TZ, &t), 0);
	assert_int_equal(t, 1717205400);
	assert_int_equal(when_parse_moment("2024-06-01 09:30:05", TZ, &t), 0);
	assert_int_equal(t, 1717205405);
	assert_int_equal(when_parse_moment("2024-06-01T01:30:00Z", TZ, &t), 0);
	assert_int_equal(t, 1717205400);
	assert_int_equal(when_parse_moment("2024-06-01T04:00:00+02:30", TZ, &t), 0);
	assert_int_equal(t, 1717205400);
	assert_int_equal(when_parse_moment("2024-05-31T20:30-05:00", TZ, &t), 0);
	assert_int_equal(t, 1717205400);
	assert_int_equal(when_parse_moment("@1717205400", TZ, &t), 0);
	assert_int_equal(t, 1717205400);
	assert_int_equal(when_parse_moment("@253402300799", TZ, &t), 0);
	assert_int_equal(t, WHEN_SECONDS_MAX);
	assert_int_equal(when_parse_moment("2024-02-29", 0, &t), 0);
	when_format(t, 0, buf);
	assert_string_equal(buf, "2024-02-29T23:59:59Z");
	when_format(t, -3 * 3600 - 1800, buf);
	assert_string_equal(buf, "2024-02-29T20:29:59-03:30");
	when_format_short(1717205400, TZ, buf);
	assert_string_equal(buf, "2024-06-01 09:30");
	static const char *const bad[] = {
		"", "2024", "2024-6-01", "2023-02-29", "2024-13-01", "2024-06-31", "2024-06-01T",
		"2024-06-01T24:00", "2024-06-01T09:60", "2024-06-01T09:30:61", "2024-06-01T09:30+8",
		"2024-06-01T09:30Zx", "@", "@-5", "@12x", "2024-06-01T09:30:00+08:00 and more text",
		"yesterday", "@253402300800", "@9223372036854775807", "@99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (when_parse_moment(bad[i], TZ, &t) != LT_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	unsigned y, m;
	assert_int_equal(when_parse_month("2024-06", &y, &m), 0);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 6);
	assert_int_equal(when_parse_month("2024-13", &y, &m), LT_EINVAL);
	assert_int_equal(when_parse_month("1999-12", &y, &m), LT_EINVAL);
	assert_int_equal(when_parse_month("2024-6", &y, &m), LT_EINVAL);
	assert_int_equal(when_parse_month(NULL, &y, &m), LT_EINVAL);
	assert_int_equal(when_from_civil(2024, 1, 1, TZ), 1704038400);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_from_deltas_and_diff),
		cmocka_unit_test(test_encoding_and_hash),
		cmocka_unit_test(test_sender_records),
		cmocka_unit_test(test_moments),
	};
	return cmocka_run_group_tests_name("figures", tests, NULL, NULL);
}
