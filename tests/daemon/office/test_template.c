/*
 * test_template.c - the report template language and numbers as the
 * report writes them: the shipped templates reproduce the 2024 report's
 * sentences from hand-built totals, the forms (approx, zero/one/else, of,
 * yuan, selectors) print exactly, and every kind of mistake is reported at
 * load with its line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "figures.h"
#include "numbers.h"
#include "template.h"

#define KIND(x) LAWTALLY__V1__LAWSUIT__KIND__KIND_##x
#define ORIGIN(x) LAWTALLY__V1__PETITION__ORIGIN__ORIGIN_##x
#define CAMPAIGN(x) LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_##x
#define ACTION(x) LAWTALLY__V1__ENFORCEMENT__ACTION__ACTION_##x
#define VENUE(x) LAWTALLY__V1__PUBLICITY__VENUE__VENUE_##x

static const char *srcdir = ".";

static void put(struct figures *f, int metric, int month, const char *village, int d0, int d1,
		int64_t v)
{
	struct tally_key k;
	memset(&k, 0, sizeof(k));
	k.metric = (uint8_t)metric;
	k.year = 2024;
	k.month = (uint8_t)month;
	if (village)
		memcpy(k.village, village, strlen(village));
	k.dim[0] = (uint8_t)d0;
	k.dim[1] = (uint8_t)d1;
	figures_add(f, &k, v);
}

/*
 * The 2024 figures of the report (docs/model.md), spread over villages, months
 * and dimension values so that the sums are exercised; materials 8426.
 */
static void figures_2024(struct figures *f, int64_t lost)
{
	put(f, M_LAWSUITS_FILED, 3, NULL, KIND(ADMINISTRATIVE), 0, 2);
	put(f, M_LAWSUITS_FILED, 9, NULL, KIND(ADMINISTRATIVE), 0, 1);
	put(f, M_LAWSUITS_FILED, 5, NULL, KIND(ENV_POLLUTION_CIVIL), 0, 9);
	if (lost)
		put(f, M_LAWSUITS_LOST, 11, NULL, KIND(ADMINISTRATIVE), 0, lost);
	for (int m = 1; m <= 12; m++)
		put(f, M_TRAININGS_SESSIONS, m, "ZL07", 0, 0, 1);
	put(f, M_DISPUTES_RESOLVED, 3, "ZL01", 7, 1, 300);
	put(f, M_DISPUTES_RESOLVED, 11, "ZL07", 2, 2, 26);
	put(f, M_PETITIONS_RECEIVED, 4, NULL, ORIGIN(HIGHER_LEVEL), 0, 20);
	put(f, M_PETITIONS_RECEIVED, 6, NULL, ORIGIN(TOWNSHIP), 0, 30);
	put(f, M_PETITIONS_RECEIVED, 7, "ZL09", ORIGIN(TOWNSHIP), 0, 6);
	put(f, M_PETITIONS_RECEIVED, 8, NULL, ORIGIN(PROVINCIAL_INSPECTION), 0, 33);
	put(f, M_PETITIONS_DIFFICULT_RESOLVED, 8, NULL, ORIGIN(TOWNSHIP), 0, 15);
	put(f, M_PUBLICITY_ACTIVITIES, 5, NULL, VENUE(SCHOOL), 0, 12);
	put(f, M_PUBLICITY_MATERIALS, 5, NULL, VENUE(SCHOOL), 0, 8000);
	put(f, M_PUBLICITY_MATERIALS, 6, "ZL02", VENUE(VILLAGE), 0, 426);
	put(f, M_PUBLICITY_CONSULTATIONS, 5, NULL, VENUE(SCHOOL), 0, 985);
	put(f, M_ENFORCEMENT_ACTIONS, 6, "ZL03", ACTION(INSPECTION), CAMPAIGN(STRAW_BURNING), 120);
	put(f, M_ENFORCEMENT_ACTIONS, 6, "ZL03", ACTION(GUIDANCE), CAMPAIGN(STRAW_BURNING), 11);
	put(f, M_ENFORCEMENT_ACTIONS, 3, "ZL04", ACTION(CASE_FILED), CAMPAIGN(RURAL_REVITALIZATION), 8);
	put(f, M_ENFORCEMENT_ACTIONS, 3, "ZL04", ACTION(HEARING), CAMPAIGN(RURAL_REVITALIZATION), 1);
	put(f, M_ENFORCEMENT_RECORDED, 6, "ZL03", ACTION(INSPECTION), CAMPAIGN(STRAW_BURNING), 100);
	figures_seal(f);
}

static char *read_text(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/config/%s", srcdir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	char *buf = malloc(TEMPLATE_BYTES_MAX + 1);
	*len = fread(buf, 1, TEMPLATE_BYTES_MAX, fp);
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}

/* Renders every line of t into one text, lines joined by '\n'. */
static char *render_all(const struct template *t, const struct figures *f, enum lang l)
{
	struct sbuf out;
	struct template_ctx ctx = {2024, l, f, NULL};
	sbuf_init(&out, 1 << 20);
	for (size_t i = 0; i < template_nlines(t); i++) {
		template_render_line(t, i, &ctx, &out);
		sbuf_puts(&out, "\n");
	}
	assert_int_equal(sbuf_status(&out), 0);
	char *s = strdup(sbuf_text(&out));
	sbuf_free(&out);
	return s;
}

static struct template *load_shipped(const char *name)
{
	size_t len;
	char err[256] = "", *text = read_text(name, &len);
	struct template *t = NULL;
	int rc = template_parse(&t, name, text, len, err, sizeof(err));
	free(text);
	if (rc)
		fail_msg("%s", err);
	return t;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing: %s\nin:\n%s", needle, hay);
}

/* The numbered sentences of section 2 of the seed report, exactly. */
static void test_zh_reproduces_2024(void **state)
{
	(void)state;
	struct figures f = {0};
	figures_2024(&f, 0);
	struct template *t = load_shipped("report.zh.txt");
	char *s = render_all(t, &f, LANG_ZH);
	assert_contains(s, "2024年涉行政诉讼3起，环境污染附带民事诉讼9起，无败诉情况");
	assert_contains(s, "2024年共开展培训12次");
	assert_contains(s, "排查化解矛盾纠纷326件，办理上级交办信访案件20件，镇访案件36件，"
			   "省委巡视交办案件33件");
	assert_contains(s, "化解疑难信访案件15起");
	assert_contains(s, "开展普法宣传活动12次，发放资料8000多份，现场法律咨询985人次");
	assert_contains(s, "共开展执法行为140次，其中秸秆禁烧131次、乡村振兴9次、其他0次；"
			   "其中检查120次，立案8起，行政处罚0起，行政指导11次，行政调解0次，"
			   "法制审核0次，听证1次；有执法过程记录的100次，占71.4%。");
	assert_string_equal(template_town(t), "张良镇");
	assert_true(template_is_heading(t, 0));  /* the title */
	assert_false(template_is_heading(t, 1)); /* the opening paragraph */
	assert_true(template_is_heading(t, 2));  /* 一、... */
	free(s);
	template_free(&t);
	figures_free(&f);
}

static void test_zh_losses(void **state)
{
	(void)state;
	struct figures f = {0};
	figures_2024(&f, 2);
	struct template *t = load_shipped("report.zh.txt");
	char *s = render_all(t, &f, LANG_ZH);
	assert_contains(s, "2024年涉行政诉讼3起，环境污染附带民事诉讼9起，败诉2起。");
	assert_null(strstr(s, "无败诉情况"));
	free(s);
	template_free(&t);
	figures_free(&f);
}

static void test_en_reproduces_2024(void **state)
{
	(void)state;
	struct figures f = {0};
	figures_2024(&f, 1);
	struct template *t = load_shipped("report.en.txt");
	char *s = render_all(t, &f, LANG_EN);
	/* faithful to the Chinese: attached civil claims, the Party's inspection, person-times */
	assert_contains(s, "In 2024 the town was party to 3 administrative lawsuits and 9 civil "
			   "claims attached to criminal prosecutions for environmental pollution, and "
			   "lost one of them.");
	assert_contains(s, "in 2024 12 training sessions were held for the mediators");
	assert_contains(s, "326 conflicts and disputes were investigated and resolved, 20 petition "
			   "cases assigned by higher levels were handled, 36 petition cases came to "
			   "the township, and 33 cases were assigned by the provincial Party "
			   "committee's inspection tour.");
	assert_contains(s, "15 difficult petition cases were resolved.");
	assert_contains(s, "12 publicity activities were held, more than 8,000 copies of materials "
			   "were handed out, and legal advice was given on site 985 person-times.");
	assert_contains(s, "legal review 0 times and one hearing;");
	assert_null(strstr(s, "leaflet"));
	assert_null(strstr(s, "people given"));
	free(s);
	template_free(&t);
	figures_free(&f);
}

/* Renders a one-line template over f. */
static char *one(const char *text, const struct figures *f, enum lang l)
{
	char err[256] = "";
	struct template *t = NULL;
	if (template_parse(&t, "t.txt", text, strlen(text), err, sizeof(err)))
		fail_msg("%s: %s", text, err);
	char *s = render_all(t, f, l);
	template_free(&t);
	s[strlen(s) - 1] = '\0'; /* the line end */
	return s;
}

static void check(const char *text, const struct figures *f, enum lang l, const char *want)
{
	char *got = one(text, f, l);
	if (strcmp(got, want) != 0)
		fail_msg("%s: expected '%s', got '%s'", text, want, got);
	free(got);
}

static void test_forms(void **state)
{
	(void)state;
	struct figures f = {0};
	figures_2024(&f, 0);
	put(&f, M_DISPUTES_AGREEMENT_AMOUNT_FEN, 3, "ZL01", 7, 1, 1234505);
	put(&f, M_TRAININGS_ATTENDEES, 3, "ZL07", 0, 0, 1);
	figures_seal(&f);
	check("{year}年", &f, LANG_ZH, "2024年");
	check("{next_year}年度", &f, LANG_ZH, "2025年度");
	check("{{字面}} {{year}}", &f, LANG_ZH, "{字面} {year}");
	check("{publicity.materials}", &f, LANG_ZH, "8426");
	check("{publicity.materials}", &f, LANG_EN, "8,426");
	check("{publicity.materials approx=#多}份", &f, LANG_ZH, "8000多份");
	check("{publicity.materials approx=\"over #\"}", &f, LANG_EN, "over 8,000");
	check("{trainings.sessions approx=#多}", &f, LANG_ZH, "10多");
	check("{trainings.sessions month=3 approx=#多}", &f, LANG_ZH, "1");
	check("{publicity.materials village=ZL02}", &f, LANG_ZH, "426");
	check("{publicity.materials village=}", &f, LANG_ZH, "8000");
	check("{publicity.materials venue=VILLAGE month=6}", &f, LANG_ZH, "426");
	check("{disputes.resolved category=LAND initiated=PROACTIVE}", &f, LANG_ZH, "300");
	check("{disputes.resolved category=CATEGORY_NEIGHBOUR}", &f, LANG_ZH, "26");
	check("{disputes.agreement_amount_fen yuan}元", &f, LANG_ZH, "12345.05元");
	check("{enforcement.recorded of=enforcement.actions}", &f, LANG_ZH, "71.4%");
	check("{enforcement.recorded campaign=STRAW_BURNING of=enforcement.actions}", &f, LANG_ZH,
	      "76.3%");
	check("{enforcement.recorded campaign=OTHER of=enforcement.actions}", &f, LANG_ZH, "-");
	check("{lawsuits.lost zero=无 one=一起 else=#起}", &f, LANG_ZH, "无");
	check("{trainings.attendees zero=无 one=一人 else=#人}", &f, LANG_ZH, "一人");
	check("{trainings.sessions zero=无 one=一次 else=\"共 # 次\"}", &f, LANG_ZH, "共 12 次");
	check("{publicity.materials approx=#多 else=发放#份}", &f, LANG_ZH, "发放8000多份");
	check("a {year} b\t{ trainings.sessions }c", &f, LANG_ZH, "a 2024 b\t12c");
	/* a group: printed while any figure in it is recorded, else the
	 * @unrecorded text in its place */
	check("甲。{[{year}年制定{documents.drafted}件。]}乙", &f, LANG_ZH, "甲。本年未记录乙");
	check("甲。{[培训{trainings.sessions}次，制定{documents.drafted}件。]}乙", &f, LANG_ZH,
	      "甲。培训12次，制定0件。乙");
	check("{[{lawsuits.lost zero=无败诉}]}", &f, LANG_ZH, "本年未记录");
	check("@unrecorded (nothing recorded)\n{[{documents.drafted}]}, {[{trainings.sessions}]}", &f,
	      LANG_EN, "(nothing recorded), 12");
	check("a ] b ]}} c", &f, LANG_ZH, "a ] b ]} c");
	figures_free(&f);
}

static void test_numbers(void **state)
{
	(void)state;
	char b[NUM_LEN], fill[64];
	num_count(0, LANG_EN, b);
	assert_string_equal(b, "0");
	num_count(1234567, LANG_EN, b);
	assert_string_equal(b, "1,234,567");
	num_count(-1234, LANG_EN, b);
	assert_string_equal(b, "-1,234");
	num_count(1234567, LANG_ZH, b);
	assert_string_equal(b, "1234567");
	num_count(INT64_MIN, LANG_ZH, b);
	assert_string_equal(b, "-9223372036854775808");
	num_signed(3, LANG_ZH, b);
	assert_string_equal(b, "+3");
	num_signed(0, LANG_ZH, b);
	assert_string_equal(b, "0");
	num_yuan(5, b);
	assert_string_equal(b, "0.05");
	num_yuan(-250, b);
	assert_string_equal(b, "-2.50");
	num_percent(1, 3, b);
	assert_string_equal(b, "33.3%");
	num_percent(2, 3, b);
	assert_string_equal(b, "66.7%");
	num_percent(1, 2000, b);
	assert_string_equal(b, "0.1%");
	num_percent(-1, 8, b);
	assert_string_equal(b, "-12.5%");
	num_percent(5, 0, b);
	assert_string_equal(b, "-");
	assert_int_equal(num_floor_leading(8999), 8000);
	assert_int_equal(num_floor_leading(8000), 8000);
	assert_int_equal(num_floor_leading(10), 10);
	assert_int_equal(num_floor_leading(19), 10);
	assert_int_equal(num_floor_leading(12999), 10000);
	assert_int_equal(num_floor_leading(7), 7);
	num_fill("#多#", "12", fill, sizeof(fill));
	assert_string_equal(fill, "12多12");
	num_fill("abcdef#", "123", fill, 6);
	assert_string_equal(fill, "abcde");
}

/* Every mistake, with the line and column where it is. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
	} cases[] = {
		{"{disputes.resolvd}", "t.txt:1:2: unknown metric 'disputes.resolvd'"},
		{"# c\n\n中文{lawsuits.filed origin=TOWNSHIP}",
		 "t.txt:3:19: unknown option 'origin' (lawsuits.filed has the dimension kind)"},
		{"{trainings.sessions kind=X}",
		 "t.txt:1:21: unknown option 'kind' (trainings.sessions has no dimensions)"},
		{"{lawsuits.filed kind=CIVIL}", "t.txt:1:22: 'CIVIL' is not a value of kind"},
		{"{lawsuits.filed kind}", "t.txt:1:17: kind needs a value: kind=..."},
		{"{lawsuits.filed kind=ADMINISTRATIVE kind=OTHER}",
		 "t.txt:1:37: option 'kind' given twice"},
		{"{lawsuits.filed colour=red}",
		 "t.txt:1:17: unknown option 'colour' (lawsuits.filed has the dimension kind)"},
		{"ab {lawsuits.filed", "t.txt:1:4: unclosed {: write {{ for a brace"},
		{"ab {lawsuits.lost zero=\"无}", "t.txt:1:24: unterminated quote"},
		{"x } y", "t.txt:1:3: unmatched }: write }} for a brace"},
		{"{}", "t.txt:1:2: empty placeholder {}"},
		{"{ }", "t.txt:1:3: empty placeholder {}"},
		{"{Year}", "t.txt:1:2: a placeholder starts with a metric name, year or town"},
		{"{town 张良镇}", "t.txt:1:7: town takes no options"},
		{"{year kind=X}", "t.txt:1:7: year takes no options"},
		{"{next_year 1}", "t.txt:1:12: next_year takes no options"},
		{"{trainings.sessions month=13}", "t.txt:1:27: month=13: must be 1..12"},
		{"{trainings.sessions month=x}", "t.txt:1:27: month=x: must be 1..12"},
		{"{trainings.sessions village=ZL-07!}", "t.txt:1:29: 'ZL-07!' is not a village code"},
		{"{trainings.sessions approx=多}",
		 "t.txt:1:21: approx=: needs '#' where the number goes (approx=#多)"},
		{"{trainings.sessions of=trainings.sesions}",
		 "t.txt:1:24: of=trainings.sesions: unknown metric"},
		{"{lawsuits.filed kind=OTHER of=trainings.sessions}",
		 "t.txt:1:2: of=trainings.sessions: trainings.sessions has no dimension kind"},
		{"{enforcement.recorded of=enforcement.actions yuan}",
		 "t.txt:1:2: of= cannot be combined with yuan or approx="},
		{"{publicity.materials yuan approx=#}",
		 "t.txt:1:2: yuan cannot be combined with approx="},
		{"{trainings.sessions yuan=1}", "t.txt:1:21: yuan takes no value"},
		{"{trainings.sessions =1}", "t.txt:1:21: unexpected '=': options look like name=value"},
		{"{trainings.sessions zero=\"a\"b}", "t.txt:1:29: unexpected 'b' after an option"},
		{"{trainings.sessions! }", "t.txt:1:20: unexpected '!' in a name"},
		{"@title x", "t.txt:1:1: unknown setting '@title' (known: @town NAME, @unrecorded TEXT)"},
		{"a{[b {year}]}", "t.txt:1:2: a {[ group without a figure in it"},
		{"a{[b {lawsuits.lost}", "t.txt:1:2: unclosed {[: a group ends with ]}"},
		{"{[a {[{lawsuits.lost}]}]}", "t.txt:1:5: a {[ group inside another"},
		{"ok\n\xff\n", "t.txt:2:1: not UTF-8"},
		{"ok\nab\xe4\xb8", "t.txt:2:3: not UTF-8"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		struct template *t = NULL;
		int rc = template_parse(&t, "t.txt", cases[i].text, strlen(cases[i].text), err,
					sizeof(err));
		if (rc != LT_EINVAL || strcmp(err, cases[i].err) != 0)
			fail_msg("%s: expected '%s', got %d '%s'", cases[i].text, cases[i].err, rc, err);
		assert_null(t);
	}
	/* a NUL byte, a text too long, too many placeholders, a long TEXT */
	char err[256];
	struct template *t = NULL;
	assert_int_equal(template_parse(&t, "t.txt", "a\0b", 3, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "t.txt:1:2: NUL byte");
	char *big = malloc(TEMPLATE_BYTES_MAX + 2);
	memset(big, 'a', TEMPLATE_BYTES_MAX + 1);
	assert_int_equal(template_parse(&t, "t.txt", big, TEMPLATE_BYTES_MAX + 1, err, sizeof(err)),
			 LT_EINVAL);
	assert_string_equal(err, "t.txt: longer than 65536 bytes");
	size_t n = 0;
	for (int i = 0; i <= TEMPLATE_FIGURES_MAX; i++)
		n += (size_t)sprintf(big + n, "{year}");
	assert_int_equal(template_parse(&t, "t.txt", big, n, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "t.txt:1:6146: more than 1024 placeholders");
	n = (size_t)sprintf(big, "{trainings.sessions zero=");
	memset(big + n, 'x', TEMPLATE_TEXT_MAX + 1);
	n += TEMPLATE_TEXT_MAX + 1;
	big[n++] = '}';
	assert_int_equal(template_parse(&t, "t.txt", big, n, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "t.txt:1:21: zero=: longer than 200 bytes");
	free(big);
}

/* Comments, headings, settings, CRLF, a BOM and empty lines. */
static void test_lines(void **state)
{
	(void)state;
	const char *text = "\xEF\xBB\xBF# comment {bad\r\n## Title {year}\r\n\r\n@town  张良镇 \r\n"
			   "#not a heading\nbody {year}";
	char err[256] = "";
	struct template *t = NULL;
	struct figures f = {0};
	if (template_parse(&t, "t.txt", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(template_nlines(t), 3);
	assert_true(template_is_heading(t, 0));
	assert_false(template_is_heading(t, 1));
	assert_false(template_is_heading(t, 2));
	assert_string_equal(template_town(t), "张良镇");
	char *s = render_all(t, &f, LANG_ZH);
	assert_string_equal(s, "Title 2024\n\nbody 2024\n");
	free(s);
	template_free(&t);
	template_free(&t);
}

/* {town}: the template's @town, or the unit the context names (a township's, at a county). */
static void test_town(void **state)
{
	(void)state;
	const char *text = "@town 张良镇\n## 鲁山县{town}人民政府关于{year}年的报告\n{town}{{town}}";
	char err[256] = "";
	struct template *t = NULL;
	struct figures f = {0};
	if (template_parse(&t, "t.txt", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	char *s = render_all(t, &f, LANG_ZH);
	assert_string_equal(s, "鲁山县张良镇人民政府关于2024年的报告\n张良镇{town}\n");
	free(s);
	struct sbuf out;
	sbuf_init(&out, 4096);
	struct template_ctx ctx = {2024, LANG_ZH, &f, "乙镇"};
	template_render_line(t, 0, &ctx, &out);
	assert_string_equal(sbuf_text(&out), "鲁山县乙镇人民政府关于2024年的报告");
	sbuf_free(&out);
	template_free(&t);
	/* no @town: {town} prints nothing unless the context names one */
	text = "{town}的报告";
	if (template_parse(&t, "t.txt", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	s = render_all(t, &f, LANG_ZH);
	assert_string_equal(s, "的报告\n");
	free(s);
	template_free(&t);
}

int main(int argc, char **argv)
{
	const char *env = getenv("LAWTALLY_SRCDIR");
	if (env && *env)
		srcdir = env;
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zh_reproduces_2024),
		cmocka_unit_test(test_zh_losses),
		cmocka_unit_test(test_en_reproduces_2024),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_town),
	};
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
