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
	"scope: device keys send enforcement, counters and retraction events only";
static const char *const why_kind_office =
	"scope: office keys send the township's kinds (petition, publicity, lawsuit, "
	"training, document, decision, opinion, disclosure, supervision, enforcement_staff, "
	"task) and retraction events only";
static const char *const why_village = "scope: a village key sends events of its own village only";
static const char *const why_training_village =
	"scope: village keys send trainings of their own mediators and villagers only";
static const char *const why_training_office =
	"scope: office keys send trainings of township audiences only, not of mediators or "
	"villagers";
static const char *const why_retract_village =
	"scope: a village key retracts events of its own village only (retraction.scope)";
static const char *const why_retract_device =
	"scope: a device key retracts enforcement events only (retraction.scope)";

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
	static const char *const any = "role must be village:CODE, device, office or township:CODE";
	static const char *const code =
		"a village role is village:CODE with a village code (1-8 of A-Z a-z 0-9 _ -)";
	static const char *const nocode = "only the village and township roles take a :CODE";
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
		struct scope s = {SCOPE_OFFICE, "KEEP", ""};
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
	Lawtally__V1__CounterSnapshot cs;
};

static const Lawtally__V1__Event *make(struct ev *v, Lawtally__V1__Event__BodyCase kind,
				       const char *village)
{
	memset(v, 0, sizeof(*v));
	v->e = (Lawtally__V1__Event)LAWTALLY__V1__EVENT__INIT;
	v->x = (Lawtally__V1__Enforcement)LAWTALLY__V1__ENFORCEMENT__INIT;
	v->r = (Lawtally__V1__Retraction)LAWTALLY__V1__RETRACTION__INIT;
	v->cs = (Lawtally__V1__CounterSnapshot)LAWTALLY__V1__COUNTER_SNAPSHOT__INIT;
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
	case LAWTALLY__V1__EVENT__BODY_COUNTERS: v->e.counters = &v->cs; break;
	default: break;
	}
	return &v->e;
}

/* Not a body case: a training of a township audience (leading cadres). */
#define TRAINING_TOWNSHIP 1000

/* make(), and for TRAINING_TOWNSHIP a training of the leading cadres. */
static void make_kind(struct ev *v, int kind, const char *village)
{
	if (kind != TRAINING_TOWNSHIP) {
		make(v, (Lawtally__V1__Event__BodyCase)kind, village);
		return;
	}
	make(v, LAWTALLY__V1__EVENT__BODY_TRAINING, village);
	v->t.audience = LAWTALLY__V1__TRAINING__AUDIENCE__AUDIENCE_LEADERS;
}

static void test_check_table(void **state)
{
	(void)state;
	const struct scope village = {SCOPE_VILLAGE, "ZL07", ""}, device = {SCOPE_DEVICE, "", ""},
			   office = {SCOPE_OFFICE, "", ""};
	enum { DIS = LAWTALLY__V1__EVENT__BODY_DISPUTE, PET = LAWTALLY__V1__EVENT__BODY_PETITION,
	       TRA = LAWTALLY__V1__EVENT__BODY_TRAINING, PUB = LAWTALLY__V1__EVENT__BODY_PUBLICITY,
	       LAW = LAWTALLY__V1__EVENT__BODY_LAWSUIT, ENF = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT,
	       RET = LAWTALLY__V1__EVENT__BODY_RETRACTION, NONE = 0,
	       DOC = LAWTALLY__V1__EVENT__BODY_DOCUMENT, DEC = LAWTALLY__V1__EVENT__BODY_DECISION,
	       OPI = LAWTALLY__V1__EVENT__BODY_OPINION, DSC = LAWTALLY__V1__EVENT__BODY_DISCLOSURE,
	       SUP = LAWTALLY__V1__EVENT__BODY_SUPERVISION,
	       STF = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF, TSK = LAWTALLY__V1__EVENT__BODY_TASK,
	       CNT = LAWTALLY__V1__EVENT__BODY_COUNTERS, TRT = TRAINING_TOWNSHIP };
	const struct {
		const struct scope *s;
		int kind;
		const char *village;
		const char *why; /* NULL: allowed */
		const char *rscope; /* a retraction's scope; NULL: "village:ZL07" */
	} rows[] = {
		{&village, DIS, "ZL07", NULL, NULL},
		{&village, TRA, "ZL07", NULL, NULL},
		{&village, RET, "", NULL, NULL},
		{&village, RET, "ZL07", NULL, NULL},
		{&village, RET, "", why_retract_village, "village:ZL08"},
		{&village, RET, "ZL07", why_retract_village, "village:ZL0"},
		{&village, RET, "", why_retract_village, "township"},
		{&village, RET, "", why_retract_village, "device:ZL07"},
		{&village, RET, "", why_retract_village, ""},
		{&village, DIS, "ZL08", why_village, NULL},
		{&village, TRA, "ZL08", why_village, NULL},
		{&village, RET, "ZL08", why_village, NULL},
		{&village, DIS, "", why_village, NULL},
		{&village, PET, "ZL07", why_kind_village, NULL},
		{&village, PUB, "ZL07", why_kind_village, NULL},
		{&village, LAW, "", why_kind_village, NULL},
		{&village, ENF, "ZL07", why_kind_village, NULL},
		{&village, NONE, "ZL07", why_kind_village, NULL},
		{&device, ENF, "", NULL, NULL},
		{&device, ENF, "ZL03", NULL, NULL},
		{&device, RET, "", why_retract_device, NULL},
		{&device, RET, "", NULL, "device"},
		{&device, RET, "ZL03", NULL, "device:cam-01"},
		{&device, RET, "", why_retract_device, "township"},
		{&device, RET, "", why_retract_device, "devices:cam-01"},
		{&device, DIS, "ZL07", why_kind_device, NULL},
		{&device, TRA, "ZL07", why_kind_device, NULL},
		{&device, PET, "", why_kind_device, NULL},
		{&device, PUB, "", why_kind_device, NULL},
		{&device, LAW, "", why_kind_device, NULL},
		{&office, PET, "", NULL, NULL},
		{&office, PUB, "ZL02", NULL, NULL},
		{&office, LAW, "", NULL, NULL},
		{&office, RET, "ZL09", NULL, NULL},
		{&office, RET, "", NULL, "township"},
		{&office, RET, "", NULL, "device:cam-01"},
		{&office, DIS, "ZL07", why_kind_office, NULL},
		{&office, TRA, "ZL07", why_training_office, NULL},
		{&office, TRT, "ZL07", NULL, NULL},
		{&office, TRT, "", NULL, NULL},
		{&village, TRT, "ZL07", why_training_village, NULL},
		{&device, TRT, "", why_kind_device, NULL},
		{&office, DOC, "", NULL, NULL},
		{&office, DEC, "", NULL, NULL},
		{&office, OPI, "", NULL, NULL},
		{&office, DSC, "", NULL, NULL},
		{&office, SUP, "", NULL, NULL},
		{&office, STF, "", NULL, NULL},
		{&office, TSK, "ZL07", NULL, NULL},
		{&village, DOC, "ZL07", why_kind_village, NULL},
		{&village, DEC, "ZL07", why_kind_village, NULL},
		{&village, OPI, "ZL07", why_kind_village, NULL},
		{&village, DSC, "ZL07", why_kind_village, NULL},
		{&village, SUP, "ZL07", why_kind_village, NULL},
		{&village, STF, "ZL07", why_kind_village, NULL},
		{&village, TSK, "ZL07", why_kind_village, NULL},
		{&device, DOC, "", why_kind_device, NULL},
		{&device, STF, "", why_kind_device, NULL},
		{&device, TSK, "", why_kind_device, NULL},
		{&office, ENF, "", why_kind_office, NULL},
		{&office, NONE, "", why_kind_office, NULL},
		/* a device's own counts: device keys only */
		{&device, CNT, "", NULL, NULL},
		{&village, CNT, "ZL07", why_kind_village, NULL},
		{&office, CNT, "", why_kind_office, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ev v;
		make_kind(&v, rows[i].kind, rows[i].village);
		v.r.scope = (char *)(rows[i].rscope ? rows[i].rscope : "village:ZL07");
		const char *why = scope_check_event(rows[i].s, &v.e);
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
	const struct scope village = {SCOPE_VILLAGE, "ZL07", ""}, device = {SCOPE_DEVICE, "", ""},
			   office = {SCOPE_OFFICE, "", ""};
	assert_int_equal(scope_may_query(&village), 0);
	assert_int_equal(scope_may_query(&device), 0);
	assert_int_equal(scope_may_query(&office), 1);
	assert_int_equal(scope_retracts_any(&village), 0);
	assert_int_equal(scope_retracts_any(&device), 0);
	assert_int_equal(scope_retracts_any(&office), 1);
}

/* The scope of each kind's ids, and a retraction's from its retraction.scope. */
static void test_event_key(void **state)
{
	(void)state;
	enum { DIS = LAWTALLY__V1__EVENT__BODY_DISPUTE, PET = LAWTALLY__V1__EVENT__BODY_PETITION,
	       TRA = LAWTALLY__V1__EVENT__BODY_TRAINING, PUB = LAWTALLY__V1__EVENT__BODY_PUBLICITY,
	       LAW = LAWTALLY__V1__EVENT__BODY_LAWSUIT, ENF = LAWTALLY__V1__EVENT__BODY_ENFORCEMENT,
	       RET = LAWTALLY__V1__EVENT__BODY_RETRACTION };
	const struct {
		int kind;
		const char *village, *device, *rscope;
		const char *text; /* NULL: no scope */
	} rows[] = {
		{DIS, "ZL07", "", "", "village:ZL07"},
		{TRA, "ZL41", "", "", "village:ZL41"},
		{TRAINING_TOWNSHIP, "ZL07", "", "", "township"}, /* whatever village */
		{TRAINING_TOWNSHIP, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_DOCUMENT, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_DECISION, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_OPINION, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_DISCLOSURE, "ZL02", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_SUPERVISION, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_ENFORCEMENT_STAFF, "", "", "", "township"},
		{LAWTALLY__V1__EVENT__BODY_TASK, "", "", "", "township"},
		{PET, "", "", "", "township"},
		{PUB, "ZL02", "", "", "township"},   /* the office's kinds, whatever village */
		{LAW, "", "", "", "township"},
		{ENF, "", "", "", "device"},
		{ENF, "ZL03", "cam-01", "", "device:cam-01"},
		{LAWTALLY__V1__EVENT__BODY_COUNTERS, "", "cam-01", "", "device:cam-01"},
		{RET, "", "", "village:ZL08", "village:ZL08"},
		{RET, "ZL07", "", "township", "township"}, /* its own village does not matter */
		{RET, "", "", "device:摄像机-1", "device:摄像机-1"},
		{RET, "", "", "device", "device"},
		{RET, "", "", "", NULL},
		{RET, "", "", "device:", NULL},
		{RET, "", "", "village:", NULL},
		{RET, "", "", "village:ZL 7", NULL},
		{RET, "", "", "Township", NULL},
		{RET, "", "", "township ", NULL},
		{0, "ZL07", "", "", NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ev v;
		uint8_t key[SCOPE_KEY_MAX], again[SCOPE_KEY_MAX];
		char text[SCOPE_NAME_MAX + 1];
		make_kind(&v, rows[i].kind, rows[i].village);
		v.x.device_id = (char *)rows[i].device;
		v.cs.device_id = (char *)rows[i].device;
		v.r.scope = (char *)rows[i].rscope;
		size_t n = scope_event_key(&v.e, key);
		if (!rows[i].text) {
			if (n != 0)
				fail_msg("row %zu: a scope of %zu bytes, want none", i, n);
			continue;
		}
		assert_true(n >= 1);
		scope_key_format(key, n, text, sizeof(text));
		if (strcmp(text, rows[i].text) != 0)
			fail_msg("row %zu: '%s', want '%s'", i, text, rows[i].text);
		/* the text names the same key: a retraction can name any scope */
		assert_int_equal(scope_key_parse(text, again), n);
		assert_memory_equal(again, key, n);
	}
	/* scopes of different villages, or of village and device, are different keys */
	uint8_t a[SCOPE_KEY_MAX], b[SCOPE_KEY_MAX];
	size_t na = scope_key_parse("village:ZL07", a), nb = scope_key_parse("village:ZL08", b);
	assert_true(na == nb && memcmp(a, b, na) != 0);
	na = scope_key_parse("village:ZL07", a), nb = scope_key_parse("device:ZL07", b);
	assert_true(na == nb && memcmp(a, b, na) != 0);
	/* the longest device id fits, one more does not */
	char dev[7 + SCOPE_DEVICE_MAX + 2] = "device:";
	memset(dev + 7, 'd', SCOPE_DEVICE_MAX);
	dev[7 + SCOPE_DEVICE_MAX] = '\0';
	assert_int_equal(scope_key_parse(dev, a), 1 + SCOPE_DEVICE_MAX);
	char text[SCOPE_NAME_MAX + 1];
	scope_key_format(a, 1 + SCOPE_DEVICE_MAX, text, sizeof(text));
	assert_string_equal(text, dev);
	strcat(dev, "d");
	assert_int_equal(scope_key_parse(dev, a), 0);
	scope_key_format((const uint8_t *)"x", 1, text, sizeof(text));
	assert_string_equal(text, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_query_and_retract),
		cmocka_unit_test(test_event_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
