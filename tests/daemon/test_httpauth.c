/*
 * test_httpauth.c - unit tests of daemon/httpauth.c (the bearer token off
 * loopback) and daemon/httpquery.c (the query string of GET /v1/totals).
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

#include <cmocka.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>

#include "err.h"
#include "httpauth.h"
#include "httpquery.h"
#include "tally.h"

#define TOKEN "s3cret-Token_0123456789"

static void test_loopback(void **state)
{
	(void)state;
	const char *yes[] = {"127.0.0.1:8570", "127.1.2.3:0", "[::1]:8570", "[::ffff:127.0.0.1]:8570"};
	const char *no[] = {"0.0.0.0:8570", "10.0.0.7:80", "[::]:8570", "[fe80::1]:80",
			    "localhost:8570", "", ":80", "[::1", "128.0.0.1:1"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(httpauth_loopback(yes[i]), 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (httpauth_loopback(no[i]))
			fail_msg("'%s' taken for loopback", no[i]);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_token(void **state)
{
	(void)state;
	char path[] = "/tmp/test_httpauth.XXXXXX", err[512], want[512];
	struct httpauth a;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	/* on loopback no token is needed; elsewhere one is */
	assert_int_equal(httpauth_load(&a, "", "127.0.0.1:8570", err, sizeof(err)), 0);
	assert_int_equal(httpauth_check(&a, NULL), 1);
	assert_int_equal(httpauth_load(&a, NULL, "[::1]:1", err, sizeof(err)), 0);
	assert_int_equal(httpauth_load(&a, "", "0.0.0.0:8570", err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "http: listening on 0.0.0.0:8570, not loopback, needs [http] token_file");

	write_file(path, TOKEN "\n", 0600);
	assert_int_equal(httpauth_load(&a, path, "0.0.0.0:8570", err, sizeof(err)), 0);
	assert_int_equal(a.len, strlen(TOKEN));
	assert_int_equal(httpauth_check(&a, "Bearer " TOKEN), 1);
	assert_int_equal(httpauth_check(&a, "bearer " TOKEN), 1);
	/* browsers: HTTP Basic with the token as password, any user name */
	assert_int_equal(httpauth_check(&a, "Basic b2ZmaWNlOnMzY3JldC1Ub2tlbl8wMTIzNDU2Nzg5"), 1); /* office:TOKEN */
	assert_int_equal(httpauth_check(&a, "basic OnMzY3JldC1Ub2tlbl8wMTIzNDU2Nzg5"), 1);       /* :TOKEN */
	const char *basic_refused[] = {
		"Basic b2ZmaWNlOnMzY3JldC1Ub2tlbl8wMTIzNDU2Nzg5eA==", /* office:TOKENx */
		"Basic b2ZmaWNlOndyb25nLXRva2VuLTAxMjM0NTY=", /* office:wrong-token-0123456 */
		"Basic czNjcmV0LVRva2VuXzAxMjM0NTY3ODk=", /* TOKEN, no colon */
		"Basic b2ZmaWNlOnMzY3JldC1Ub2tlbl8wMTIzNDU2Nz", /* truncated */
		"Basic !!!!",
	};
	for (size_t i = 0; i < sizeof(basic_refused) / sizeof(basic_refused[0]); i++)
		if (httpauth_check(&a, basic_refused[i]))
			fail_msg("'%s' let in", basic_refused[i]);
	const char *refused[] = {NULL, "", "Bearer", "Bearer ", TOKEN, "Basic " TOKEN,
				 "Bearer " TOKEN "x", "Bearer " TOKEN " ", "Bearer  " TOKEN,
				 "Bearer s3cret-Token_012345678", "Bearer S3cret-Token_0123456789"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (httpauth_check(&a, refused[i]))
			fail_msg("'%s' let in", refused[i] ? refused[i] : "(none)");
	/* a token file applies on loopback too */
	assert_int_equal(httpauth_load(&a, path, "127.0.0.1:1", err, sizeof(err)), 0);
	assert_int_equal(httpauth_check(&a, NULL), 0);

	const char *bad[] = {"", "short\n", "has a space in it\n", "tab\there-0123456789\n",
			     TOKEN "\n" TOKEN "\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i], 0600);
		assert_int_equal(httpauth_load(&a, path, "0.0.0.0:1", err, sizeof(err)), LT_EINVAL);
		snprintf(want, sizeof(want), "http: token file %s: must hold one token of 16-256 "
			 "visible ASCII characters", path);
		assert_string_equal(err, want);
		assert_int_equal(a.len, 0);
	}
	write_file(path, TOKEN, 0644);
	assert_int_equal(httpauth_load(&a, path, "0.0.0.0:1", err, sizeof(err)), LT_EINVAL);
	snprintf(want, sizeof(want), "http: token file %s: open to others (mode 0644); chmod 600 it",
		 path);
	assert_string_equal(err, want);
	unlink(path);
	assert_int_equal(httpauth_load(&a, path, "0.0.0.0:1", err, sizeof(err)), LT_ESYS);
	snprintf(want, sizeof(want), "http: token file %s: cannot open: No such file or directory",
		 path);
	assert_string_equal(err, want);
}

static void test_query_good(void **state)
{
	(void)state;
	struct villages v;
	struct httpquery_totals t;
	char msg[128];
	villages_builtin(&v);
	assert_int_equal(httpquery_totals("year=2024", &v, &t, msg, sizeof(msg)), 0);
	assert_int_equal(t.spec.year, 2024);
	assert_int_equal(t.spec.metric, -1);
	assert_null(t.metric);
	assert_null(t.by);
	assert_null(t.village);
	assert_int_equal(httpquery_totals("by=village&metric=disputes.resolved&year=2024&village=ZL07",
					  &v, &t, msg, sizeof(msg)), 0);
	assert_int_equal(t.spec.metric, M_DISPUTES_RESOLVED);
	assert_int_equal(t.spec.by, BY_VILLAGE);
	assert_string_equal(t.metric, "disputes.resolved");
	assert_string_equal(t.by, "village");
	assert_string_equal(t.village, "ZL07");
	assert_string_equal(t.spec.village, "ZL07");
	assert_int_equal(httpquery_totals("year=2024&metric=lawsuits.filed&by=kind", &v, &t, msg,
					  sizeof(msg)), 0);
	assert_int_equal(t.spec.by, BY_DIM);
	assert_string_equal(t.spec.dim_name, "kind");
}

static void test_query_bad(void **state)
{
	(void)state;
	struct villages v;
	struct httpquery_totals t;
	char msg[128], longq[700];
	villages_builtin(&v);
	memset(longq, 'a', sizeof(longq));
	memcpy(longq, "year=2024&metric=", 17);
	longq[513] = '\0';
	char longv[100];
	snprintf(longv, sizeof(longv), "year=2024&by=%065d", 0);
	const struct {
		const char *q, *msg;
	} bad[] = {
		{NULL, "year: required, 2000-2200"},
		{"", "year: required, 2000-2200"},
		{"metric=disputes.resolved", "year: required, 2000-2200"},
		{"year=", "year: required, 2000-2200"},
		{"year=+2024", "year: required, 2000-2200"},
		{"year=%202024", "year: required, 2000-2200"},
		{"year=2024x", "year: required, 2000-2200"},
		{"year=99999999999999999999", "year: required, 2000-2200"},
		{"year=2026%00", "query string: a NUL byte (%00) in a parameter"},
		{"year=2024&village=ZL07%00x", "query string: a NUL byte (%00) in a parameter"},
		{"year=1999", "year: required, 2000-2200"},
		{"year=2024&year=2025", "year: unknown or repeated parameter"},
		{"year=2024&colour=red", "colour: unknown or repeated parameter"},
		{"year=2024&metric=nope", "metric: unknown metric name"},
		{longq, "query string: malformed or too long"},
		{longv, "by: longer than 64 bytes"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(httpquery_totals(bad[i].q, &v, &t, msg, sizeof(msg)), LT_EINVAL);
		if (strcmp(msg, bad[i].msg) != 0)
			fail_msg("'%s': got '%s', want '%s'", bad[i].q ? bad[i].q : "(none)", msg,
				 bad[i].msg);
	}
}

static void add(struct evkeyvalq *h, const char *k, const char *v)
{
	assert_int_equal(evhttp_add_header(h, k, v), 0);
}

static void test_single_headers(void **state)
{
	(void)state;
	struct evkeyvalq h;
	char msg[96] = "";
	TAILQ_INIT(&h);
	add(&h, "Host", "127.0.0.1");
	add(&h, "Authorization", "Bearer a");
	add(&h, "Accept", "*/*");
	add(&h, "accept", "text/plain"); /* may repeat */
	assert_int_equal(httpquery_headers(&h, msg, sizeof(msg)), 0);
	add(&h, "authorization", "Bearer b");
	assert_int_equal(httpquery_headers(&h, msg, sizeof(msg)), LT_EINVAL);
	assert_string_equal(msg, "Authorization: given more than once");
	evhttp_clear_headers(&h);
	add(&h, "Content-Length", "0");
	add(&h, "Content-Length", "5");
	assert_int_equal(httpquery_headers(&h, msg, sizeof(msg)), LT_EINVAL);
	assert_string_equal(msg, "Content-Length: given more than once");
	evhttp_clear_headers(&h);
	add(&h, "Host", "a");
	add(&h, "HOST", "b");
	assert_int_equal(httpquery_headers(&h, msg, sizeof(msg)), LT_EINVAL);
	assert_string_equal(msg, "Host: given more than once");
	evhttp_clear_headers(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_query_good),
		cmocka_unit_test(test_query_bad),
		cmocka_unit_test(test_single_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
