/* test_townnames.c - a township's names on the wire: read with its rules, packed and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "townnames.h"
#include "xalloc.h"

static struct townnames out;

/* Packs name and list, unpacks and reads them into out; returns townnames_read's reason. */
static const char *round_trip(const char *name, const struct villages *list)
{
	size_t len;
	uint8_t *buf = townnames_pack(name, list, &len);
	Lawtally__V1__TownshipNames *m =
		lawtally__v1__township_names__unpack(&xalloc_protobuf, len, buf);
	assert_non_null(m);
	const char *why = townnames_read(m, &out);
	lawtally__v1__township_names__free_unpacked(m, &xalloc_protobuf);
	free(buf);
	return why;
}

static void test_round_trip(void **state)
{
	(void)state;
	static struct villages list;
	villages_builtin(&list);
	assert_null(round_trip("张良镇", &list));
	assert_string_equal(out.name, "张良镇");
	assert_int_equal(out.villages.n, 41);
	assert_string_equal(villages_find(&out.villages, "ZL07")->name, "王岗村");
	assert_string_equal(out.villages.v[40].code, "ZL41");
	/* no villages, no name: both empty, still a valid message */
	villages_clear(&list);
	assert_null(round_trip("", &list));
	assert_string_equal(out.name, "");
	assert_int_equal(out.villages.n, 0);
}

static void test_name_cut(void **state)
{
	(void)state;
	static struct villages none;
	/* 22 three-byte characters: 66 bytes, cut to 21 of them (63 bytes), never inside one */
	char long_name[128] = "";
	for (int i = 0; i < 22; i++)
		strcat(long_name, "镇");
	assert_null(round_trip(long_name, &none));
	assert_int_equal(strlen(out.name), 63);
	assert_memory_equal(out.name, long_name, 63);
}

/* A message of n villages with the given codes and names, read into out. */
static const char *read_villages(const char *name, size_t n, const char *const codes[],
				 const char *const names[])
{
	Lawtally__V1__TownshipNames m = LAWTALLY__V1__TOWNSHIP_NAMES__INIT;
	Lawtally__V1__VillageName v[4], *vp[4];
	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		lawtally__v1__village_name__init(&v[i]);
		v[i].code = (char *)codes[i];
		v[i].name = (char *)names[i];
		vp[i] = &v[i];
	}
	m.name = (char *)name;
	m.n_villages = n;
	m.villages = vp;
	return townnames_read(&m, &out);
}

static void test_rules(void **state)
{
	(void)state;
	const char *ok[] = {"ZL07", "TB-1"}, *okn[] = {"王岗村", "一村"};
	assert_null(read_villages("乙镇", 2, ok, okn));
	assert_int_equal(out.villages.n, 2);

	const char *dup[] = {"ZL07", "ZL07"};
	assert_string_equal(read_villages("乙镇", 2, dup, okn),
			    "village code listed twice");
	/* nothing of a bad message is taken */
	assert_int_equal(out.villages.n, 0);
	assert_string_equal(out.name, "");

	const char *bad[] = {"ZL 07"};
	assert_string_equal(read_villages("乙镇", 1, bad, okn),
			    "village code must be 1-8 characters of A-Z a-z 0-9 _ -");
	const char *nine[] = {"ZL0000007"};
	assert_string_equal(read_villages("乙镇", 1, nine, okn),
			    "village code must be 1-8 characters of A-Z a-z 0-9 _ -");
	const char *empty[] = {""};
	assert_string_equal(read_villages("乙镇", 1, ok, empty),
			    "village without a name");
	char long_v[80];
	memset(long_v, 'a', 65);
	long_v[65] = '\0';
	const char *longn[] = {long_v};
	assert_string_equal(read_villages("乙镇", 1, ok, longn),
			    "village name longer than 64 bytes");
	const char *notutf8[] = {"\xe7\x8e"};
	assert_string_equal(read_villages("乙镇", 1, ok, notutf8),
			    "village name is not UTF-8");
	assert_string_equal(read_villages(long_v, 0, NULL, NULL), "township name longer than 64 bytes");
	assert_string_equal(read_villages("\xff", 0, NULL, NULL), "township name is not UTF-8");
}

static void test_too_many(void **state)
{
	(void)state;
	size_t n = VILLAGES_MAX + 1;
	Lawtally__V1__TownshipNames m = LAWTALLY__V1__TOWNSHIP_NAMES__INIT;
	Lawtally__V1__VillageName *v = xcalloc(n, sizeof(*v));
	Lawtally__V1__VillageName **vp = xcalloc(n, sizeof(*vp));
	char (*codes)[9] = xcalloc(n, sizeof(*codes));
	for (size_t i = 0; i < n; i++) {
		lawtally__v1__village_name__init(&v[i]);
		snprintf(codes[i], sizeof(codes[i]), "V%zu", i);
		v[i].code = codes[i];
		v[i].name = "村";
		vp[i] = &v[i];
	}
	m.villages = vp;
	m.n_villages = VILLAGES_MAX;
	assert_null(townnames_read(&m, &out));
	assert_int_equal(out.villages.n, VILLAGES_MAX);
	m.n_villages = n;
	assert_string_equal(townnames_read(&m, &out), "more than 1024 villages");
	assert_int_equal(out.villages.n, 0);
	free(codes);
	free(vp);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_name_cut),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_too_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
