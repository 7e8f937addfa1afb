/*
 * test_keyring.c - unit tests of common/keyfile.c and daemon/keyring.c: key
 * files, client files with every error, and loading a clients directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "err.h"
#include "keyfile.h"
#include "keyring.h"

/* A fresh temporary directory for one test. */
static void temp_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/test_keyring.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
}

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void rm_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void client_text(char *buf, size_t len, const char *pub, const char *role)
{
	snprintf(buf, len, "# test client\n\npublic_key = %s\nrole = %s\n", pub, role);
}

static void test_z85(void **state)
{
	(void)state;
	char pub[41], sec[41];
	uint8_t key[32], again[32];
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	assert_int_equal(keyfile_z85_decode(pub, 40, key), 0);
	assert_non_null(zmq_z85_decode(again, pub));
	assert_memory_equal(key, again, 32);
	assert_int_equal(keyfile_z85_decode(pub, 39, NULL), LT_EINVAL);
	assert_int_equal(keyfile_z85_decode(pub, 41, NULL), LT_EINVAL);
	char bad[41];
	memcpy(bad, pub, 41);
	bad[7] = ' ';
	assert_int_equal(keyfile_z85_decode(bad, 40, NULL), LT_EINVAL);
	bad[7] = '"';
	assert_int_equal(keyfile_z85_decode(bad, 40, NULL), LT_EINVAL);
	/* "#####" is 85^5 - 1, more than 32 bits */
	memcpy(bad, "#####", 5);
	memcpy(bad + 5, pub + 5, 36);
	assert_int_equal(keyfile_z85_decode(bad, 40, NULL), LT_EINVAL);
}

static void test_key_files(void **state)
{
	(void)state;
	char dir[64], path[128], pub[41], sec[41], got[41], err[512], text[256];
	temp_dir(dir, sizeof(dir));
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);

	snprintf(path, sizeof(path), "%s/a.key", dir);
	assert_int_equal(keyfile_write(path, sec, 0600, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 41);
	assert_int_equal(keyfile_read(path, 1, got, err, sizeof(err)), 0);
	assert_string_equal(got, sec);
	/* never over an existing file */
	assert_int_equal(keyfile_write(path, pub, 0600, err, sizeof(err)), LT_EEXIST);
	assert_int_equal(keyfile_read(path, 1, got, err, sizeof(err)), 0);
	assert_string_equal(got, sec);

	/* a secret key others may read is refused; a public one is fine */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keyfile_read(path, 1, got, err, sizeof(err)), LT_EINVAL);
	snprintf(text, sizeof(text), "%s: a secret key open to others (mode 0644); chmod 600 it",
		 path);
	assert_string_equal(err, text);
	assert_int_equal(keyfile_read(path, 0, got, err, sizeof(err)), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keyfile_read(path, 1, got, err, sizeof(err)), 0);

	/* without a line end, with CRLF; anything else is not a key file */
	snprintf(text, sizeof(text), "%s", pub);
	put(dir, "b.pub", text, 0644);
	snprintf(path, sizeof(path), "%s/b.pub", dir);
	assert_int_equal(keyfile_read(path, 0, got, err, sizeof(err)), 0);
	assert_string_equal(got, pub);
	snprintf(text, sizeof(text), "%s\r\n", pub);
	put(dir, "b.pub", text, 0644);
	assert_int_equal(keyfile_read(path, 0, got, err, sizeof(err)), 0);
	const char *bad[] = {"", "\n", "short\n", "\r", NULL, NULL, NULL};
	char twice[100], trailing[64], comment[100];
	snprintf(twice, sizeof(twice), "%s\n%s\n", pub, pub);
	snprintf(trailing, sizeof(trailing), "%s \n", pub);
	snprintf(comment, sizeof(comment), "# key\n%s\n", pub);
	bad[4] = twice, bad[5] = trailing, bad[6] = comment;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(dir, "b.pub", bad[i], 0644);
		assert_int_equal(keyfile_read(path, 0, got, err, sizeof(err)), LT_EINVAL);
		snprintf(text, sizeof(text), "%s: not one Z85 key of 40 characters", path);
		assert_string_equal(err, text);
	}
	assert_int_equal(keyfile_read(dir, 0, got, err, sizeof(err)), LT_EINVAL);
	snprintf(text, sizeof(text), "%s: not a regular file", dir);
	assert_string_equal(err, text);
	snprintf(path, sizeof(path), "%s/none.key", dir);
	assert_int_equal(keyfile_read(path, 1, got, err, sizeof(err)), LT_ESYS);
	snprintf(text, sizeof(text), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err, text);
	rm_dir(dir);
}

static void test_names(void **state)
{
	(void)state;
	const char *good[] = {"a", "zl07-centre", "Office_1.desk", "0",
			      "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"};
	const char *bad[] = {"", ".hidden", "a b", "a/b", "a~", "张", "x\n",
			     "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(keyfile_name_valid(good[i]), 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(keyfile_name_valid(bad[i]), 0);
}

static void test_client_file(void **state)
{
	(void)state;
	char pub[41], sec[41], text[600], why[160];
	struct keyfile_client c;
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	snprintf(text, sizeof(text), "  # lead\r\n\t\nrole=village:ZL07   \r\n public_key\t=\t%s\n",
		 pub);
	assert_int_equal(keyfile_parse_client(text, strlen(text), &c, why, sizeof(why)), 0);
	assert_string_equal(c.z85, pub);
	assert_int_equal(c.scope.role, SCOPE_VILLAGE);
	assert_string_equal(c.scope.village, "ZL07");

	/* what keygen writes reads back */
	char out[512];
	int n = keyfile_format_client(out, sizeof(out), "zl07-centre", pub, &c.scope);
	assert_true(n > 0);
	struct keyfile_client back;
	assert_int_equal(keyfile_parse_client(out, (size_t)n, &back, why, sizeof(why)), 0);
	assert_memory_equal(back.key, c.key, 32);
	assert_non_null(strstr(out, "\nrole = village:ZL07\n"));
	assert_int_equal(keyfile_format_client(out, 40, "zl07-centre", pub, &c.scope), -1);

	const struct {
		const char *fmt; /* %s: the public key */
		const char *why;
	} bad[] = {
		{"public_key = %s\n", "no role"},
		{"role = office\n", "no public_key"},
		{"", "no public_key"},
		{"public_key = %s\nrole = office\nrole = device\n", "line 3: role set twice"},
		{"public_key = %s\nrole = admin\n", "line 2: role must be village:CODE, device, office or township:CODE"},
		{"public_key = %s\nrole = office\ncolour = red\n",
		 "line 3: unknown key 'colour' (public_key, role)"},
		{"public_key = %s\nrole office\n", "line 2: expected key = value"},
		{"[client]\npublic_key = %s\nrole = office\n", "line 1: expected key = value"},
		{"public_key = x%s\nrole = office\n",
		 "line 1: public_key: not a Z85 key of 40 characters"},
		{"public_key = \nrole = office\n", "line 1: public_key: not a Z85 key of 40 characters"},
		{"public_key = %s\nrole = village:ZL07 ; comment\n",
		 "line 2: a village role is village:CODE with a village code (1-8 of A-Z a-z 0-9 _ -)"},
		{"public_key = %s\nrole = office\n\n\n  # fine\nrole = office\n", "line 6: role set twice"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), bad[i].fmt, pub);
		memset(&c, 0, sizeof(c));
		assert_int_equal(keyfile_parse_client(text, strlen(text), &c, why, sizeof(why)),
				 LT_EINVAL);
		if (strcmp(why, bad[i].why) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, why, bad[i].why);
	}
	/* a NUL byte, and a file over the bound */
	snprintf(text, sizeof(text), "public_key = %s\nrole = office\n", pub);
	text[20] = '\0';
	assert_int_equal(keyfile_parse_client(text, 70, &c, why, sizeof(why)), LT_EINVAL);
	assert_string_equal(why, "line 1: NUL byte");
	char *big = calloc(1, KEYFILE_CLIENT_MAX + 2);
	assert_non_null(big);
	memset(big, '#', KEYFILE_CLIENT_MAX + 1);
	assert_int_equal(keyfile_parse_client(big, KEYFILE_CLIENT_MAX + 1, &c, why, sizeof(why)),
			 LT_EINVAL);
	assert_string_equal(why, "longer than 4096 bytes");
	assert_int_equal(keyfile_parse_client(big, KEYFILE_CLIENT_MAX, &c, why, sizeof(why)),
			 LT_EINVAL);
	assert_string_equal(why, "no public_key");
	free(big);
}

/* Appends each line keyring_load reports to the buffer arg (4096 bytes). */
static void collect(const char *line, void *arg)
{
	char *all = arg;
	size_t n = strlen(all);
	snprintf(all + n, 4096 - n, "%s\n", line);
}

static void test_load_directory(void **state)
{
	(void)state;
	char dir[64], text[600], err[1024], want[1024], lines[4096] = "";
	size_t nbad = 0;
	char pub[3][41], sec[41];
	struct keyring *k = NULL;
	temp_dir(dir, sizeof(dir));

	/* an empty directory: nobody */
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	assert_int_equal(k->n, 0);
	keyring_free(&k);
	assert_null(k);

	const char *roles[3] = {"village:ZL07", "device", "office"};
	const char *names[3] = {"zl07-centre.client", "cam-01.client", "office.client"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(zmq_curve_keypair(pub[i], sec), 0);
		client_text(text, sizeof(text), pub[i], roles[i]);
		put(dir, names[i], text, 0644);
	}
	/* not client files: never read */
	put(dir, "README", "not a client\n", 0644);
	put(dir, "office.client~", "garbage\n", 0644);
	put(dir, ".hidden.client", "garbage\n", 0644);
	put(dir, "bad name.client", "garbage\n", 0644);
	put(dir, ".client", "garbage\n", 0644);
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	assert_int_equal(k->n, 3);
	for (int i = 0; i < 3; i++) {
		const struct keyring_entry *e = keyring_find_z85(k, pub[i]);
		assert_non_null(e);
		assert_memory_equal(e->name, names[i], strlen(names[i]) - strlen(".client"));
		assert_int_equal(e->name[strlen(names[i]) - strlen(".client")], '\0');
		char role[SCOPE_TEXT_MAX + 1];
		scope_format(&e->scope, role, sizeof(role));
		assert_string_equal(role, roles[i]);
		assert_ptr_equal(keyring_find(k, e->key), e);
	}
	char other[41];
	assert_int_equal(zmq_curve_keypair(other, sec), 0);
	assert_null(keyring_find_z85(k, other));
	assert_null(keyring_find_z85(k, ""));
	assert_null(keyring_find_z85(k, NULL));
	assert_null(keyring_find_z85(NULL, pub[0]));
	keyring_free(&k);

	/* a bad file is left out, named; the others stay */
	put(dir, "broken.client", "role = office\n", 0644);
	lines[0] = '\0';
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	assert_int_equal(nbad, 1);
	assert_int_equal(k->n, 3);
	snprintf(want, sizeof(want), "%s/broken.client: no public_key\n", dir);
	assert_string_equal(lines, want);
	keyring_free(&k);

	/* two files with one key: both are left out */
	client_text(text, sizeof(text), pub[2], "device");
	put(dir, "broken.client", text, 0644);
	lines[0] = '\0';
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	assert_int_equal(nbad, 2);
	assert_int_equal(k->n, 2);
	assert_null(keyring_find_z85(k, pub[2]));
	assert_non_null(strstr(lines, ".client have the same public key\n"));
	assert_non_null(strstr(lines, "broken.client"));
	assert_non_null(strstr(lines, "office.client"));
	keyring_free(&k);

	/* a client file anyone may write; and without a callback, only counted */
	client_text(text, sizeof(text), other, "device");
	put(dir, "broken.client", text, 0666);
	lines[0] = '\0';
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/broken.client: writable by everyone (mode 0666)\n", dir);
	assert_string_equal(lines, want);
	assert_null(keyring_find_z85(k, other));
	keyring_free(&k);
	assert_int_equal(keyring_load(&k, dir, NULL, NULL, &nbad, err, sizeof(err)), 0);
	assert_int_equal(nbad, 1);
	keyring_free(&k);
	put(dir, "broken.client", text, 0644);
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), 0);
	assert_int_equal(nbad, 0);
	assert_int_equal(k->n, 4);
	keyring_free(&k);

	/* a directory anyone may write, or none at all */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), LT_EINVAL);
	snprintf(want, sizeof(want), "%s: the clients directory is writable by everyone (mode 0777)",
		 dir);
	assert_string_equal(err, want);
	assert_int_equal(chmod(dir, 0755), 0);
	rm_dir(dir);
	assert_int_equal(keyring_load(&k, dir, collect, lines, &nbad, err, sizeof(err)), LT_ESYS);
	snprintf(want, sizeof(want), "%s: cannot open the clients directory: No such file or directory",
		 dir);
	assert_string_equal(err, want);
	assert_null(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z85),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_client_file),
		cmocka_unit_test(test_load_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
