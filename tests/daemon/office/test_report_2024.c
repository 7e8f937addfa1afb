/*
 * test_report_2024.c - the shipped report templates rendered on the 2024
 * fixture, compared whole with the texts the office files
 * (tests/daemon/office/report_2024.zh.txt and .en.txt): the four parts
 * 一 to 四 with every paragraph of 二, every figure of the seed report
 * exact, the township's own work from its recorded events, and a part with
 * nothing recorded saying so.
 *
 * The figures are a recount of the fixture's stream under the rules of
 * common/tally.c (duplicates once, retracted events not at all), as the
 * store keeps them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "figures.h"
#include "fixture.h"
#include "tally.h"
#include "template.h"

static const char *srcdir = ".";

/* The fixture's seed the expected texts were made from. */
#define SEED 7

static char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/%s", srcdir, dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	char *buf = malloc(TEMPLATE_BYTES_MAX + 1);
	*len = fread(buf, 1, TEMPLATE_BYTES_MAX, fp);
	fclose(fp);
	buf[*len] = '\0';
	return buf;
}

/* One stored, live event of a case (or alone): what a recount groups. */
struct item {
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen; /* 0: an event without a case */
	struct tally_fact f;
};

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	int c = memcmp(a->key, b->key, a->klen);
	return c ? c : tally_fact_cmp(&a->f, &b->f);
}

static int id_in(const uint8_t *ids, size_t n, const uint8_t *id)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(ids + 16 * i, id, 16) == 0)
			return 1;
	return 0;
}

/* The 2024 figures of the fixture of seed, as the store would hold them. */
static void recount(uint64_t seed, struct figures *out)
{
	struct fixture fx;
	fixture_generate(seed, &fx);
	uint8_t *seen = malloc(16 * fx.n), *gone = malloc(16 * fx.n);
	const Lawtally__V1__Event **live = malloc(fx.n * sizeof(*live));
	size_t nseen = 0, ngone = 0, nlive = 0;
	for (size_t i = 0; i < fx.n; i++) {
		const Lawtally__V1__Event *e = fx.events[i];
		if (id_in(seen, nseen, e->id.data))
			continue;
		memcpy(seen + 16 * nseen++, e->id.data, 16);
		if (e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION)
			memcpy(gone + 16 * ngone++, e->retraction->event_id.data, 16);
		else
			live[nlive++] = e;
	}
	struct item *items = calloc(nlive, sizeof(*items));
	size_t n = 0;
	for (size_t i = 0; i < nlive; i++) {
		if (id_in(gone, ngone, live[i]->id.data))
			continue;
		assert_int_equal(tally_fact_from_event(live[i], FIXTURE_TZ_OFFSET, &items[n].f), 0);
		if (tally_kind_has_cases(items[n].f.kind))
			items[n].klen = tally_case_key(live[i], items[n].key);
		n++;
	}
	qsort(items, n, sizeof(*items), item_cmp);
	struct tally_deltas ds = {0};
	struct tally_fact *group = malloc(n * sizeof(*group));
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && items[i].klen && items[j].klen == items[i].klen &&
		       memcmp(items[j].key, items[i].key, items[i].klen) == 0)
			j++;
		for (size_t k = i; k < j; k++)
			group[k - i] = items[k].f;
		tally_contrib(group, j - i, 1, &ds);
		i = j;
	}
	tally_deltas_merge(&ds);
	figures_from_deltas(out, &ds, FIXTURE_YEAR, FIXTURE_YEAR + 1);
	tally_deltas_free(&ds);
	free(group);
	free(items);
	free(live);
	free(gone);
	free(seen);
	fixture_free(&fx);
}

/* Every line of the shipped template name, rendered over f for year. */
static char *render(const char *name, const struct figures *f, uint16_t year, enum lang l)
{
	size_t len;
	char err[256] = "", *text = read_file("config", name, &len);
	struct template *t = NULL;
	if (template_parse(&t, name, text, len, err, sizeof(err)))
		fail_msg("%s", err);
	free(text);
	struct sbuf out;
	struct template_ctx ctx = {year, l, f, NULL};
	sbuf_init(&out, 1 << 20);
	for (size_t i = 0; i < template_nlines(t); i++) {
		template_render_line(t, i, &ctx, &out);
		sbuf_puts(&out, "\n");
	}
	assert_int_equal(sbuf_status(&out), 0);
	char *s = strdup(sbuf_text(&out));
	sbuf_free(&out);
	template_free(&t);
	return s;
}

/*
 * got equals the expected file, or the test fails at the first line that
 * differs. With LAWTALLY_WRITE_EXPECTED=1 it writes the file instead, for a
 * deliberate change of the template, to be read over before it is committed.
 */
static void expect_text(const char *got, const char *name)
{
	size_t len;
	const char *write = getenv("LAWTALLY_WRITE_EXPECTED");
	if (write && strcmp(write, "1") == 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/tests/daemon/office/%s", srcdir, name);
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		fputs(got, fp);
		assert_int_equal(fclose(fp), 0);
		return;
	}
	char *want = read_file("tests/daemon/office", name, &len);
	if (strcmp(got, want) != 0) {
		const char *g = got, *w = want;
		int line = 1;
		for (; *g && *g == *w; g++, w++)
			line += *g == '\n';
		const char *gl = strchr(g, '\n'), *wl = strchr(w, '\n');
		fail_msg("%s: line %d differs:\n want: %.*s\n got:  %.*s", name, line,
			 wl ? (int)(wl - w) : (int)strlen(w), w, gl ? (int)(gl - g) : (int)strlen(g), g);
	}
	free(want);
}

/* 1 if text holds line as one whole line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *s = strstr(text, line); s; s = strstr(s + 1, line))
		if ((s == text || s[-1] == '\n') && (s[n] == '\n' || s[n] == '\0'))
			return 1;
	return 0;
}

/* Paragraphs 2 and 7 of 二 as the seed report writes them, character for character. */
static const char seed_2_2[] =
	"2.依法行政，制度体系日益完善。一是加强规范性文件的制定和监督管理，按照各站办室的分工，"
	"落实登记、备案、审查责任制；二是做到重大行政决策科学民主合法，认真落实“三重一大”等重大"
	"事项集体协商制度；三是对涉及合同签订、重大决策等法律问题，听取法律顾问（公职律师）的意见，"
	"做到依法行政，科学行政，2024年涉行政诉讼3起，环境污染附带民事诉讼9起，无败诉情况。";
static const char seed_2_7[] =
	"7.化解纠纷，全力维护社会稳定。一是各村均成立了矛盾纠纷化解中心，配备专职调解员，2024年"
	"共开展培训12次，加强对他们的管理，发挥应有作用，对邻里纠纷、婚姻家庭、土地、劳保等纠纷，"
	"深入排查化解，预防民转刑案件发生，排查化解矛盾纠纷326件，办理上级交办信访案件20件，镇访"
	"案件36件，省委巡视交办案件33件。二是加强管理，及时培训，相关业务及时与镇矛调中心、平安办、"
	"司法所对接。三是依法化解矛盾纠纷，对一些复杂案件，镇主要领导亲自参与化解，及时召开信访案件"
	"联席会议，化解疑难信访案件15起。";

static void test_zh_whole_text(void **state)
{
	(void)state;
	struct figures f = {0};
	recount(SEED, &f);
	char *s = render("report.zh.txt", &f, 2024, LANG_ZH);
	expect_text(s, "report_2024.zh.txt");
	assert_true(has_line(s, seed_2_2));
	assert_true(has_line(s, seed_2_7));
	free(s);
	figures_free(&f);
}

static void test_en_whole_text(void **state)
{
	(void)state;
	struct figures f = {0};
	recount(SEED, &f);
	char *s = render("report.en.txt", &f, 2024, LANG_EN);
	expect_text(s, "report_2024.en.txt");
	free(s);
	figures_free(&f);
}

/*
 * A year with nothing recorded: every part still renders, each group of
 * recorded work reads "本年未记录", never 0, and the seed's sentences stay.
 */
static void test_zh_nothing_recorded(void **state)
{
	(void)state;
	struct figures f = {0};
	figures_seal(&f);
	char *s = render("report.zh.txt", &f, 2024, LANG_ZH);
	assert_non_null(strstr(s, "一、2024年度党政主要负责人履行推进法治建设第一责任人职责"));
	assert_non_null(strstr(s, "2024年政务公开：本年未记录。"));
	assert_non_null(strstr(s, "而维护日常执法工作本年未记录，"));
	assert_non_null(strstr(s, "据记录，2024年规范性文件：本年未记录；重大行政决策：本年未记录；"
				"法律顾问（公职律师）意见：本年未记录。"));
	assert_non_null(strstr(s, "四、2025年度推进法治政府建设的初步安排"));
	assert_null(strstr(s, "部署0项"));
	free(s);
	figures_free(&f);
}

int main(int argc, char **argv)
{
	const char *env = getenv("LAWTALLY_SRCDIR");
	if (env && *env)
		srcdir = env;
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zh_whole_text),
		cmocka_unit_test(test_en_whole_text),
		cmocka_unit_test(test_zh_nothing_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
