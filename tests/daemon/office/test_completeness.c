/*
 * test_completeness.c - what is missing, as the office reads it
 * (completeness.c): gap lines dated by their edges, one year's only, a
 * device's difference and an inexact comparison, a record that kept too
 * many gaps, silent senders; in Chinese and English, and as JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "completeness.h"

#define TZ 28800
#define DAY 86400
/* 2024-06-03T10:00:00+08:00 */
#define JUN3 1717380000LL
#define NOW (JUN3 + 30 * DAY)

static struct villages villages;

static void add(struct seq_list *l, const char *sender, const char *village)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct seq_entry *e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->sender, sizeof(e->sender), "%s", sender);
	e->epoch = 0xabc;
	e->rec = malloc(sizeof(*e->rec));
	seqrec_init(e->rec);
	snprintf(e->rec->village, sizeof(e->rec->village), "%s", village);
	e->rec->last_at = NOW;
}

/* Numbers lo..hi of the last entry, at day + (n - lo) days. */
static void numbers(struct seq_list *l, uint64_t lo, uint64_t hi, int64_t at, int64_t step)
{
	for (uint64_t n = lo; n <= hi; n++)
		rangeset_add(&l->v[l->n - 1].rec->set, n, at + (int64_t)(n - lo) * step);
}

static char *lines(const struct seq_list *l, const struct sender_record *s, size_t ns,
		   enum lang lang, uint16_t year, size_t *count)
{
	struct completeness_input in = {l, s, ns, &villages, lang, TZ, NOW, 7, year};
	struct sbuf out;
	sbuf_init(&out, 1 << 20);
	*count = completeness_lines(&in, &out);
	char *text = strdup(sbuf_text(&out));
	sbuf_free(&out);
	return text;
}

static void test_gap_lines(void **state)
{
	(void)state;
	struct seq_list l = {0};
	size_t n;
	add(&l, "centre-ZL03", "ZL03");
	numbers(&l, 3, 40, JUN3 - 37 * DAY, DAY); /* 1-2 missing: before the first */
	numbers(&l, 48, 50, JUN3 + 2 * DAY, DAY);  /* 41-47: after 40 (06-03), before 48 (06-05) */
	numbers(&l, 52, 52, JUN3 + 4 * DAY, 0);    /* 51: same day on both sides */
	char *t = lines(&l, NULL, 0, LANG_ZH, 0, &n);
	assert_int_equal(n, 3);
	assert_string_equal(t, "姚吴程村调解中心（centre-ZL03）：缺 1–2，约 2024-04-27 之前\n"
			       "姚吴程村调解中心（centre-ZL03）：缺 41–47，约 2024-06-03 至 06-05\n"
			       "姚吴程村调解中心（centre-ZL03）：缺 51，约 2024-06-07\n");
	free(t);
	t = lines(&l, NULL, 0, LANG_EN, 0, &n);
	assert_non_null(strstr(t, "姚吴程村 mediation centre (centre-ZL03): missing 41–47, expected "
				  "around 2024-06-03 to 06-05\n"));
	free(t);
	/* one year's only: none of these is of 2023 */
	t = lines(&l, NULL, 0, LANG_ZH, 2023, &n);
	assert_int_equal(n, 0);
	assert_string_equal(t, "");
	free(t);
	/* a gap across the new year is of both years, and dated with both */
	add(&l, "device-01", "");
	numbers(&l, 1, 1, 1735574400LL, 0); /* 2024-12-31 00:00 +08:00 */
	numbers(&l, 3, 3, 1735747200LL, 0); /* 2025-01-02 */
	t = lines(&l, NULL, 0, LANG_ZH, 2025, &n);
	assert_int_equal(n, 1);
	assert_string_equal(t, "device-01：缺 2，约 2024-12-31 至 2025-01-02\n");
	free(t);
	completeness_free(&l);
}

static void test_device_and_overflow(void **state)
{
	(void)state;
	struct seq_list l = {0};
	size_t n;
	Lawtally__V1__Event e = LAWTALLY__V1__EVENT__INIT;
	Lawtally__V1__Enforcement x = LAWTALLY__V1__ENFORCEMENT__INIT;
	Lawtally__V1__CounterSnapshot cs = LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
	Lawtally__V1__CounterSnapshot__Count c[2] = {LAWTALLY__V1__COUNTER_SNAPSHOT__COUNT__INIT,
						    LAWTALLY__V1__COUNTER_SNAPSHOT__COUNT__INIT};
	Lawtally__V1__CounterSnapshot__Count *cp[2] = {&c[0], &c[1]};
	add(&l, "zfjly-0009", "");
	e.epoch = 1;
	e.body_case = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT;
	e.enforcement = &x;
	x.action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
	for (e.seq = 1; e.seq <= 3; e.seq++)
		seqrec_event(l.v[0].rec, &e, JUN3, 1);
	c[0].action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_INSPECTION;
	c[0].count = 4;
	c[1].action = LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_PENALTY;
	c[1].count = 1;
	cs.up_to = 5;
	cs.n_counts = 2;
	cs.counts = cp;
	e.seq = 6;
	e.body_case = LAWTALLY__V1__EVENT__BODY_COUNTERS;
	e.counters = &cs;
	seqrec_event(l.v[0].rec, &e, JUN3 + 3 * DAY, 1);
	char *t = lines(&l, NULL, 0, LANG_ZH, 2024, &n);
	assert_int_equal(n, 2);
	assert_string_equal(t, "zfjly-0009：缺 4–5，约 2024-06-03 至 06-06\n"
			       "zfjly-0009：设备计数与已收到的不符（截至第 5 号）：检查 设备 4，收到 3"
			       "（差 1）；行政处罚 设备 1，收到 0（差 1）\n");
	free(t);
	l.v[0].rec->inexact = 1;
	t = lines(&l, NULL, 0, LANG_ZH, 2024, &n);
	assert_int_equal(n, 3);
	assert_non_null(strstr(t, "zfjly-0009：错误：设备计数截至第 5 号，之后的事件过多，无法精确比对\n"));
	free(t);
	/* a sender with more gaps than a record keeps: said as an error */
	add(&l, "centre-ZL01", "ZL01");
	for (uint64_t k = 1; k <= 2 * RANGESET_MAX + 4; k += 2)
		rangeset_add(&l.v[1].rec->set, k, JUN3);
	t = lines(&l, NULL, 0, LANG_ZH, 2024, &n);
	assert_non_null(strstr(t, "张北村调解中心（centre-ZL01）：错误：缺口过多，第 5 号以前的缺口（2 个序号）"
				  "未能逐一记录\n"));
	free(t);
	/* JSON: the gaps, the differences, the error */
	struct completeness_input in = {&l, NULL, 0, &villages, LANG_ZH, TZ, NOW, 7, 0};
	json_t *a = completeness_json(&in);
	char *s = json_dumps(json_array_get(a, 0), JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s, "\"gaps\":[{\"after\":\"2024-06-03\",\"before\":\"2024-06-06\","
				  "\"from\":4,\"to\":5}]"));
	assert_non_null(strstr(s, "\"differences\":[{\"action\":\"INSPECTION\",\"device\":4,"
				  "\"stored\":3},{\"action\":\"PENALTY\",\"device\":1,\"stored\":0}]"));
	assert_non_null(strstr(s, "\"epoch\":\"0000000000000abc\""));
	assert_non_null(strstr(s, "\"error\":null"));
	free(s);
	s = json_dumps(json_array_get(a, 1), JSON_COMPACT);
	assert_non_null(strstr(s, "\"error\":\"too many gaps: those below number 5 (2 numbers) were "
				  "not kept one by one\""));
	assert_non_null(strstr(s, "\"device\":null"));
	free(s);
	json_decref(a);
	completeness_free(&l);
}

static void test_silent_senders(void **state)
{
	(void)state;
	struct seq_list l = {0};
	struct sender_record s[2];
	size_t n;
	memset(s, 0, sizeof(s));
	snprintf(s[0].name, sizeof(s[0].name), "centre-ZL07");
	s[0].last_received = NOW - 12 * DAY;
	sender_record_count(&s[0], 2024, 5, 3);
	snprintf(s[1].name, sizeof(s[1].name), "centre-ZL08");
	s[1].last_received = NOW - DAY;
	sender_record_count(&s[1], 2024, 5, 3);
	add(&l, "centre-ZL07", "ZL07");
	numbers(&l, 1, 3, JUN3, DAY);
	char *t = lines(&l, s, 2, LANG_ZH, 2024, &n);
	assert_int_equal(n, 1);
	assert_string_equal(t, "王岗村调解中心（centre-ZL07）：已 12 天未报送\n");
	free(t);
	/* silent, but with nothing in 2023: not of that year */
	t = lines(&l, s, 2, LANG_ZH, 2023, &n);
	assert_int_equal(n, 0);
	free(t);
	completeness_free(&l);
}

static int setup(void **state)
{
	(void)state;
	villages_builtin(&villages);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_lines),
		cmocka_unit_test(test_device_and_overflow),
		cmocka_unit_test(test_silent_senders),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
