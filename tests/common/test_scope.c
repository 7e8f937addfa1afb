/*
 * test_scope.c - unit tests of common/scope.c: parsing roles, and the table
 * of what each role may send, with the exact reason of every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "scope.h"

static const char *const why_kind_village =
	"scope: village keys send dispute, training and retraction events only";
static const char *const why_kind_device =
	"scope: device keys send enforcement and retraction events only";
static const char *const why_kind_office =
	"scope: office keys send petition, publicity, lawsuit and retraction events only";
static const char *const why_village = "scope: a village key sends events of its own village only";

static void test_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum scope_role role;
		const char *village;
	} good[] = {
		{"village:ZL07", SCOPE_VILLAGE, "ZL07"},
		{"village:A", SCOPE_VILLAGE, "A"},
		{"village:ab_cd-12", SCOPE_VILLAGE, "ab_cd-12"},
		{"device", SCOPE_DEVICE, ""},
		{"office", SCOPE_OFFICE, ""},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct scope s;
		const char *why = NULL;
		char back[SCOPE_TEXT_MAX + 1];
		assert_int_equal(scope_parse(&s, good[i].text, &why), 0);
		assert_int_equal(s.role, good[i].role);
		assert_string_equal(s.village, good[i].village);
		scope_format(&s, back, sizeof(back));
		assert_string_equal(back, good[i].text);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	static const char *const any = "role must be village:CODE, device or office";
	static const char *const code =
		"a village role is village:CODE with a village code (1-8 of A-Z a-z 0-9 _ -)";
	static const char *const nocode = "only the village role takes a :CODE";
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"", any},           {"admin", any},       {"Office", any},
		{" office", any},    {"office ", any},     {"villages:ZL07", any},
		{":ZL07", any},      {"village", code},    {"village:", code},
		{"village:ZL 7", code}, {"village:ZL07!", code}, {"village:ZL0700000", code},
		{"village:ZL07:x", code}, {"device:ZL07", nocode}, {"office:", nocode},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scope s = {SCOPE_OFFICE, "KEEP"};
		const char *why = NULL;
		assert_int_equal(scope_parse(&s, bad[i].text, &why), LT_EINVAL);
		assert_non_null(why);
		if (strcmp(why, bad[i].why) != 0)
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, why, bad[i].why);
		assert_int_equal(s.role, SCOPE_OFFICE);
		assert_string_equal(s.village, "KEEP");
	}
}

/* An event of one kind in village (its body zeroed: scope looks at the kind only). */
struct ev {
	Lawtally__V1__Event e;
	Lawtally__V1__Dispute d;
	Lawtally__V1__Petition p;
	Lawtally__V1__Training t;
	Lawtally__V1__Publicity pub;
	Lawtally__V1__Lawsuit l;
	Lawtally__V1__Enforcement x;
	Lawtally__V1__Retraction r;
};

static const Lawtally__V1__Event *make(struct ev *v, Lawtally__V1__Event__BodyCase kind,
				       const char *village)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	v->e.village = (char *)village;
	v->e.source = (char *)"office"; /* a claimed source never matters */
	v->e.body_case = kind;
	switch (kind) {
	case LAWTALLY__V1__EVENT__BODY_DISPUTE: v->e.dispute = &v->d; break;
	case LAWTALLY__V1__EVENT__BODY_PETITION: v->e.petition = &v->p; break;
	case LAWTALLY__V1__EVENT__BODY_TRAINING: v->e.training = &v->t; break;
	case LAWTALLY__V1__EVENT__BODY_PUBLICITY: v->e.publicity = &v->pub; break;
	case LAWTALLY__V1__EVENT__BODY_LAWSUIT: v->e.lawsuit = &v->l; break;
	case LAWTALLY__V1__EVENT__BODY_ENFORCEMENT: v->e.enforcement = &v->x; break;
	case LAWTALLY__V1__EVENT__BODY_RETRACTION: v->e.retraction = &v->r; break;
	default: break;
	}
	return &v->e;
}

static void test_check_table(void **state)
{
	(void)state;
	const struct scope village = {SCOPE_VILLAGE, "ZL07"}, device = {SCOPE_DEVICE, ""},
			   office = {SCOPE_OFFICE, ""};
	enum { DIS = LAWTALLY__V1__EVENT__BODY_DISPUTE, PET = LAWTALLY__V1__EVENT__BODY_PETITION,
	       TRA = LAWTALLY__V1__EVENT__BODY_TRAINING, PUB = LAWTALLY__V1__EVENT__BODY_PUBLICITY,
	       LAW = LAWTALLY__V1__EVENT__BODY_LAWSUIT, ENF = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT,
	       RET = LAWTALLY__V1__EVENT__BODY_RETRACTION, NONE = 0 };
	const struct {
		const struct scope *s;
		int kind;
		const char *village;
		const char *why; /* NULL: allowed */
	} rows[] = {
		{&village, DIS, "ZL07", NULL},
		{&village, TRA, "ZL07", NULL},
		{&village, RET, "", NULL},
		{&village, RET, "ZL07", NULL},
		{&village, DIS, "ZL08", why_village},
		{&village, TRA, "ZL08", why_village},
		{&village, RET, "ZL08", why_village},
		{&village, DIS, "", why_village},
		{&village, PET, "ZL07", why_kind_village},
		{&village, PUB, "ZL07", why_kind_village},
		{&village, LAW, "", why_kind_village},
		{&village, ENF, "ZL07", why_kind_village},
		{&village, NONE, "ZL07", why_kind_village},
		{&device, ENF, "", NULL},
		{&device, ENF, "ZL03", NULL},
		{&device, RET, "", NULL},
		{&device, DIS, "ZL07", why_kind_device},
		{&device, TRA, "ZL07", why_kind_device},
		{&device, PET, "", why_kind_device},
		{&device, PUB, "", why_kind_device},
		{&device, LAW, "", why_kind_device},
		{&office, PET, "", NULL},
		{&office, PUB, "ZL02", NULL},
		{&office, LAW, "", NULL},
		{&office, RET, "ZL09", NULL},
		{&office, DIS, "ZL07", why_kind_office},
		{&office, TRA, "ZL07", why_kind_office},
		{&office, ENF, "", why_kind_office},
		{&office, NONE, "", why_kind_office},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ev v;
		const char *why = scope_check_event(
			rows[i].s, make(&v, (Lawtally__V1__Event__BodyCase)rows[i].kind, rows[i].village));
		if (rows[i].why == NULL && why != NULL)
			fail_msg("row %zu: refused: %s", i, why);
		if (rows[i].why != NULL && (why == NULL || strcmp(why, rows[i].why) != 0))
			fail_msg("row %zu: got '%s', want '%s'", i, why ? why : "(allowed)",
				 rows[i].why);
	}
}

static void test_query_and_retract(void **state)
{
	(void)state;
	const struct scope village = {SCOPE_VILLAGE, "ZL07"}, device = {SCOPE_DEVICE, ""},
			   office = {SCOPE_OFFICE, ""};
	assert_int_equal(scope_may_query(&village), 0);
	assert_int_equal(scope_may_query(&device), 0);
	assert_int_equal(scope_may_query(&office), 1);
	assert_int_equal(scope_retracts_any(&village), 0);
	assert_int_equal(scope_retracts_any(&device), 0);
	assert_int_equal(scope_retracts_any(&office), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_query_and_retract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
