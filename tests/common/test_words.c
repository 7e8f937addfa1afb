/* test_words.c - the words people write for enum values, and full-width text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "words.h"

#define CAT(x) LAWTALLY__V1__DISPUTE__CATEGORY__CATEGORY_##x
#define DSTAGE(x) LAWTALLY__V1__DISPUTE__STAGE__STAGE_##x
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_halfwidth(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(words_halfwidth("２０２４／３／５", out, sizeof(out)), 8);
	assert_string_equal(out, "2024/3/5");
	words_halfwidth("ＷＧ２０２４－００１　邻里", out, sizeof(out));
	assert_string_equal(out, "WG2024-001 邻里");
	words_halfwidth("１，２００．５０", out, sizeof(out));
	assert_string_equal(out, "1,200.50");
	words_halfwidth("ａｂｃ～！", out, sizeof(out));
	assert_string_equal(out, "abc~!");
	/* characters around the full-width block stay as they are */
	words_halfwidth("（元）￥", out, sizeof(out));
	assert_string_equal(out, "(元)￥");
	/* no room: what fits, never half a character */
	char small[5];
	assert_int_equal(words_halfwidth("a邻里", small, sizeof(small)), sizeof(small));
	assert_string_equal(small, "a邻");
	assert_int_equal(words_halfwidth("abcd", small, sizeof(small)), 4);
	assert_int_equal(words_halfwidth("abcde", small, sizeof(small)), sizeof(small));
	assert_string_equal(small, "abcd");
}

static void test_enums(void **state)
{
	(void)state;
	const ProtobufCEnumDescriptor *cat = &lawtally__v1__dispute__category__descriptor;
	static const struct {
		const char *text;
		int want;
	} cats[] = {
		{"邻里纠纷", CAT(NEIGHBOUR)}, {"邻里", CAT(NEIGHBOUR)}, {" 婚姻家庭纠纷 ", CAT(MARRIAGE_FAMILY)},
		{"婚姻家庭类", CAT(MARRIAGE_FAMILY)}, {"NEIGHBOUR", CAT(NEIGHBOUR)},
		{"neighbour", CAT(NEIGHBOUR)}, {"ＮＥＩＧＨＢＯＵＲ", CAT(NEIGHBOUR)},
		{"category_land", CAT(LAND)}, {"劳动争议/劳保", CAT(LABOUR_SOCIAL_SECURITY)},
		{"打架纠纷", -1}, {"", -1}, {"UNSPECIFIED", -1}, {"CATEGORY_UNSPECIFIED", -1},
		{"纠纷", -1},
	};
	for (size_t i = 0; i < NELEM(cats); i++)
		assert_int_equal(words_enum(cat, cats[i].text), cats[i].want);
	assert_int_equal(words_enum(&lawtally__v1__dispute__stage__descriptor, "调解成功"),
			 DSTAGE(RESOLVED));
	assert_int_equal(words_enum(&lawtally__v1__dispute__stage__descriptor, "排查"),
			 DSTAGE(REGISTERED));
	assert_int_equal(words_enum(&lawtally__v1__dispute__initiated__descriptor, "排查"),
			 LAWTALLY__V1__DISPUTE__INITIATED__INITIATED_PROACTIVE);
	assert_int_equal(words_enum(&lawtally__v1__lawsuit__outcome__descriptor, "败诉"),
			 LAWTALLY__V1__LAWSUIT__OUTCOME__OUTCOME_LOST);
	assert_int_equal(words_enum(&lawtally__v1__enforcement__campaign__descriptor, "秸秆禁烧"),
			 LAWTALLY__V1__ENFORCEMENT__CAMPAIGN__CAMPAIGN_STRAW_BURNING);
	/* an enum without a table of words */
	assert_int_equal(words_enum(&lawtally__v1__view__kind__descriptor, "REPORT"), -1);
	assert_string_equal(words_name(cat, CAT(NEIGHBOUR)), "邻里");
	assert_null(words_name(cat, 99));
}

/* Every value of every enum an event carries has a Chinese name that reads back. */
static void test_every_value_named(void **state)
{
	(void)state;
	const ProtobufCMessageDescriptor *ev = &lawtally__v1__event__descriptor;
	unsigned enums = 0;
	for (unsigned b = 0; b < ev->n_fields; b++) {
		if (ev->fields[b].type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		const ProtobufCMessageDescriptor *body = ev->fields[b].descriptor;
		for (unsigned f = 0; f < body->n_fields; f++) {
			if (body->fields[f].type != PROTOBUF_C_TYPE_ENUM)
				continue;
			const ProtobufCEnumDescriptor *d = body->fields[f].descriptor;
			enums++;
			for (unsigned v = 0; v < d->n_values; v++) {
				int value = d->values[v].value;
				if (value == 0)
					continue;
				const char *zh = words_name(d, value);
				if (!zh)
					fail_msg("%s.%s: %s has no Chinese name", body->name,
						 body->fields[f].name, d->values[v].name);
				assert_int_equal(words_enum(d, zh), value);
				assert_int_equal(words_enum(d, d->values[v].name), value);
			}
		}
	}
	assert_true(enums >= 23);
}

static void test_list(void **state)
{
	(void)state;
	char out[512];
	words_list(&lawtally__v1__dispute__stage__descriptor, 1, out, sizeof(out));
	assert_string_equal(out, "受理 (REGISTERED), 调解成功 (RESOLVED), 上交 (ESCALATED), "
				 "调解不成功 (UNRESOLVED)");
	words_list(&lawtally__v1__dispute__stage__descriptor, 0, out, sizeof(out));
	assert_string_equal(out, "受理, 调解成功, 上交, 调解不成功");
	char small[40];
	words_list(&lawtally__v1__dispute__stage__descriptor, 1, small, sizeof(small));
	assert_string_equal(small, "受理 (REGISTERED), ...");
}

static void test_bool(void **state)
{
	(void)state;
	assert_int_equal(words_bool("是"), 1);
	assert_int_equal(words_bool(" 否 "), 0);
	assert_int_equal(words_bool("TRUE"), 1);
	assert_int_equal(words_bool("Ｙ"), 1);
	assert_int_equal(words_bool("√"), 1);
	assert_int_equal(words_bool("不知道"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halfwidth), cmocka_unit_test(test_enums),
		cmocka_unit_test(test_every_value_named), cmocka_unit_test(test_list),
		cmocka_unit_test(test_bool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
