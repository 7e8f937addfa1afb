/*
 * test_config.c - unit tests of common/config.c: the defaults of
 * docs/contract.md, every key and every accepted spelling, the exact message of
 * every kind of bad file, all-or-nothing loading, and the example file
 * config/lawtallyd.conf.
 *
 *   test_config [EXAMPLE_CONF [TEST_NAME_GLOB]]
 * EXAMPLE_CONF defaults to $LAWTALLY_SRCDIR/config/lawtallyd.conf, or to
 * config/lawtallyd.conf from the current directory (the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "err.h"
#include "villages.h"

#define MIB ((uint64_t)1 << 20)

static const char *example_path;

/* struct config is ~75 KiB: tests keep theirs on the heap. */
static struct config *cfg_new(void)
{
	struct config *c = malloc(sizeof(*c));
	assert_non_null(c);
	config_defaults(c);
	return c;
}

/* Field by field: bytes after a string's NUL may differ between equal configs. */
static void assert_config_equal(const struct config *a, const struct config *b)
{
	assert_string_equal(a->ingest_endpoint, b->ingest_endpoint);
	assert_string_equal(a->query_endpoint, b->query_endpoint);
	assert_string_equal(a->http_listen, b->http_listen);
	assert_string_equal(a->data_dir, b->data_dir);
	assert_int_equal(a->tz_offset, b->tz_offset);
	assert_int_equal(a->map_size_max, b->map_size_max);
	assert_int_equal(a->map_size_initial, b->map_size_initial);
	assert_int_equal(a->batch_events_max, b->batch_events_max);
	assert_int_equal(a->request_events_max, b->request_events_max);
	assert_int_equal(a->frame_bytes_max, b->frame_bytes_max);
	assert_int_equal(a->receive_hwm, b->receive_hwm);
	assert_int_equal(a->http_timeout_s, b->http_timeout_s);
	assert_int_equal(a->http_connections_max, b->http_connections_max);
	assert_string_equal(a->auth, b->auth);
	assert_string_equal(a->auth_secret_key_file, b->auth_secret_key_file);
	assert_string_equal(a->auth_clients_dir, b->auth_clients_dir);
	assert_int_equal(a->auth_connections_per_key, b->auth_connections_per_key);
	assert_string_equal(a->http_token_file, b->http_token_file);
	assert_string_equal(a->report_templates, b->report_templates);
	assert_int_equal(a->report_silent_days, b->report_silent_days);
	assert_int_equal(a->log_debug, b->log_debug);
	assert_int_equal(a->scrub_period_s, b->scrub_period_s);
	assert_string_equal(a->upstream_endpoint, b->upstream_endpoint);
	assert_string_equal(a->upstream_township, b->upstream_township);
	assert_string_equal(a->upstream_name, b->upstream_name);
	assert_string_equal(a->upstream_server_key, b->upstream_server_key);
	assert_string_equal(a->upstream_secret_key_file, b->upstream_secret_key_file);
	assert_int_equal(a->upstream_batch_events, b->upstream_batch_events);
	assert_int_equal(a->villages.n, b->villages.n);
	for (size_t i = 0; i < a->villages.n; i++) {
		assert_string_equal(a->villages.v[i].code, b->villages.v[i].code);
		assert_string_equal(a->villages.v[i].name, b->villages.v[i].name);
	}
}

/* Loads text into a fresh config that must accept it. */
static struct config *load_ok(const char *text)
{
	struct config *c = cfg_new();
	char err[512] = "";
	int rc = config_load_string(c, text, err, sizeof(err));
	if (rc != 0)
		fail_msg("rejected: %s\n--- text:\n%s", err, text);
	assert_string_equal(err, "");
	return c;
}

/* Loads text that must be refused with exactly msg; the config stays as it was. */
static void load_bad(const char *text, const char *msg)
{
	struct config *c = cfg_new(), *before = cfg_new();
	char err[512] = "";
	memcpy(before, c, sizeof(*c));
	int rc = config_load_string(c, text, err, sizeof(err));
	if (rc == 0 || strcmp(err, msg) != 0)
		fail_msg("rc %d\n got: %s\nwant: %s\n--- text:\n%s", rc, err, msg, text);
	assert_int_equal(rc, LT_EINVAL);
	assert_memory_equal(c, before, sizeof(*c));
	free(c);
	free(before);
}

/* A temporary file holding len bytes of data; the caller unlinks it. */
static void temp_file(char *path, size_t pathlen, const char *data, size_t len)
{
	snprintf(path, pathlen, "/tmp/test_config.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void test_defaults_match_contract(void **state)
{
	(void)state;
	struct config *c = cfg_new(), *builtin = cfg_new();
	assert_string_equal(c->ingest_endpoint, "tcp://127.0.0.1:5570");
	assert_string_equal(c->query_endpoint, "tcp://127.0.0.1:5571");
	assert_string_equal(c->http_listen, "127.0.0.1:8570");
	assert_string_equal(c->data_dir, "./var/lawtally");
	assert_int_equal(c->tz_offset, 8 * 3600);
	assert_int_equal(c->map_size_max, 16384 * MIB);
	assert_int_equal(c->map_size_initial, 64 * MIB);
	assert_int_equal(c->batch_events_max, 4096);
	assert_int_equal(c->request_events_max, 1000);
	assert_int_equal(c->frame_bytes_max, 1048576);
	assert_int_equal(c->receive_hwm, 1000);
	assert_int_equal(c->http_timeout_s, 10);
	assert_int_equal(c->http_connections_max, 64);
	assert_string_equal(c->auth, "off");
	assert_string_equal(c->auth_secret_key_file, "");
	assert_string_equal(c->auth_clients_dir, "/etc/lawtally/clients");
	assert_int_equal(c->auth_connections_per_key, 32);
	assert_string_equal(c->http_token_file, "");
	assert_string_equal(c->report_templates, "");
	assert_int_equal(c->report_silent_days, 7);
	assert_int_equal(c->log_debug, 0);
	assert_int_equal(c->scrub_period_s, 86400);
	assert_int_equal(c->villages.n, 41);
	assert_string_equal(c->villages.v[0].code, "ZL01");
	assert_string_equal(c->villages.v[0].name, "张北村");
	assert_string_equal(c->villages.v[40].code, "ZL41");
	assert_string_equal(c->villages.v[40].name, "刘庄村");
	villages_builtin(&builtin->villages);
	assert_config_equal(c, builtin);
	free(c);
	free(builtin);
}

static void test_empty_text_is_defaults(void **state)
{
	(void)state;
	struct config *want = cfg_new();
	struct config *c = load_ok("");
	assert_config_equal(c, want);
	free(c);
	c = load_ok("# only a comment\n; another\n\n   \n");
	assert_config_equal(c, want);
	free(c);
	free(want);
}

static void test_every_key_parses(void **state)
{
	(void)state;
	struct config *c = load_ok(
		"[daemon]\n"
		"data_dir = /var/lib/lawtally\n"
		"timezone = -05:30\n"
		"map_size_max_mb = 1024\n"
		"map_size_initial_mb = 16\n"
		"log_debug = yes\n"
		"[ingest]\n"
		"endpoint = tcp://*:6000\n"
		"batch_events_max = 65536\n"
		"request_events_max = 1\n"
		"frame_bytes_max = 16777216\n"
		"receive_hwm = 1000000\n"
		"auth = curve\n"
		"[query]\n"
		"endpoint = ipc:///run/lawtally/query.sock\n"
		"[http]\n"
		"listen = [::1]:0\n"
		"timeout_s = 3600\n"
		"connections_max = 10000\n"
		"token_file = /etc/lawtally/http.token\n"
		"[auth]\n"
		"server_secret_key_file = /etc/lawtally/server.key\n"
		"clients_dir = /srv/lawtally/clients\n");
	assert_string_equal(c->http_token_file, "/etc/lawtally/http.token");
	assert_string_equal(c->auth_secret_key_file, "/etc/lawtally/server.key");
	assert_string_equal(c->auth_clients_dir, "/srv/lawtally/clients");
	assert_string_equal(c->data_dir, "/var/lib/lawtally");
	assert_int_equal(c->tz_offset, -(5 * 3600 + 30 * 60));
	assert_int_equal(c->map_size_max, 1024 * MIB);
	assert_int_equal(c->map_size_initial, 16 * MIB);
	assert_int_equal(c->log_debug, 1);
	assert_string_equal(c->ingest_endpoint, "tcp://*:6000");
	assert_int_equal(c->batch_events_max, 65536);
	assert_int_equal(c->request_events_max, 1);
	assert_int_equal(c->frame_bytes_max, 16777216);
	assert_int_equal(c->receive_hwm, 1000000);
	assert_string_equal(c->auth, "curve");
	assert_string_equal(c->query_endpoint, "ipc:///run/lawtally/query.sock");
	assert_string_equal(c->http_listen, "[::1]:0");
	assert_int_equal(c->http_timeout_s, 3600);
	assert_int_equal(c->http_connections_max, 10000);
	assert_int_equal(c->villages.n, 41);
	free(c);
}

/* The lower ends of every range, and keys set in sections repeated later. */
static void test_range_minimums(void **state)
{
	(void)state;
	struct config *c = load_ok(
		"[daemon]\nmap_size_max_mb = 1\nmap_size_initial_mb = 1\n"
		"[ingest]\nbatch_events_max = 1\nframe_bytes_max = 1024\n"
		"[http]\ntimeout_s = 1\n"
		"[ingest]\nreceive_hwm = 1\n"
		"[http]\nconnections_max = 1\n");
	assert_int_equal(c->map_size_max, MIB);
	assert_int_equal(c->map_size_initial, MIB);
	assert_int_equal(c->batch_events_max, 1);
	assert_int_equal(c->frame_bytes_max, 1024);
	assert_int_equal(c->receive_hwm, 1);
	assert_int_equal(c->http_timeout_s, 1);
	assert_int_equal(c->http_connections_max, 1);
	free(c);
}

static void test_syntax_variants(void **state)
{
	(void)state;
	/* "key: value", inline comments, no blanks, CRLF, a UTF-8 BOM, blank
	 * lines, and indented keys where they cannot be continuations: right
	 * after a section header */
	struct config *c = load_ok(
		"\xEF\xBB\xBF[http]\r\n"
		"timeout_s: 20\r\n"
		"connections_max=7 ; seven is plenty\r\n"
		"\r\n"
		"[daemon]\n"
		"   data_dir   =   /srv/lt dir   \n"
		"[daemon]\n"
		"\tlog_debug = on\n");
	assert_int_equal(c->http_timeout_s, 20);
	assert_int_equal(c->http_connections_max, 7);
	assert_string_equal(c->data_dir, "/srv/lt dir");
	assert_int_equal(c->log_debug, 1);
	free(c);
	/* a BOM then a key error: still line 1, key found */
	load_bad("\xEF\xBB\xBF[http]\ntimeout_s = 0\n", "<string>:2: [http] timeout_s = 0: must be 1..3600");
	load_bad("\xEF\xBB\xBF" "colour = red\n", "<string>:1: key colour outside any [section]");
}

static void test_timezone_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int32_t offset;
	} good[] = {
		{"+08:00", 28800}, {"UTC+08:00", 28800}, {"-05:30", -19800},
		{"UTC-05:30", -19800}, {"Z", 0}, {"UTC", 0}, {"+00:00", 0},
		{"-00:00", 0}, {"+05:45", 20700}, {"+14:00", 50400}, {"-12:00", -43200},
		{"UTC+14:00", 50400}, {"+09:59", 35940},
	};
	static const char *const bad[] = {
		"+8:00", "08:00", "+0800", "+08", "+08:60", "+14:01", "-12:01", "+15:00",
		"UTC+8", "utc+08:00", "z", "GMT+08:00", "Asia/Shanghai", "+08:00:00",
		"UTC 08:00", "+0a:00", "",
	};
	char text[128], msg[256];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\ntimezone = %s\n", good[i].text);
		struct config *c = load_ok(text);
		assert_int_equal(c->tz_offset, good[i].offset);
		free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\ntimezone = %s\n", bad[i]);
		snprintf(msg, sizeof(msg),
			 "<string>:2: [daemon] timezone = %s: must be +HH:MM, -HH:MM, UTC+HH:MM or Z, "
			 "from -12:00 to +14:00", bad[i]);
		load_bad(text, msg);
	}
}

static void test_bool_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int value;
	} forms[] = {
		{"yes", 1}, {"true", 1}, {"on", 1}, {"1", 1}, {"YES", 1}, {"True", 1},
		{"no", 0}, {"false", 0}, {"off", 0}, {"0", 0}, {"No", 0}, {"OFF", 0},
	};
	char text[128];
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		/* start from the opposite value so that the file must change it */
		snprintf(text, sizeof(text), "[daemon]\nlog_debug = %s\n", forms[i].text);
		struct config *c = cfg_new();
		c->log_debug = !forms[i].value;
		char err[256];
		assert_int_equal(config_load_string(c, text, err, sizeof(err)), 0);
		assert_int_equal(c->log_debug, forms[i].value);
		free(c);
	}
}

static void test_http_listen_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text, *stored;
	} good[] = {
		{"0.0.0.0:80", "0.0.0.0:80"}, {"localhost:8570", "localhost:8570"},
		{"[::1]:8570", "[::1]:8570"}, {"[::]:0", "[::]:0"},
		{"[fe80::1%eth0]:8570", "[fe80::1%eth0]:8570"}, {"127.0.0.1:65535", "127.0.0.1:65535"},
		{"off", ""}, {"", ""},
	};
	char text[256];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[http]\nlisten = %s\n", good[i].text);
		struct config *c = load_ok(text);
		assert_string_equal(c->http_listen, good[i].stored);
		free(c);
	}
}

static void test_auth_and_endpoint_forms(void **state)
{
	(void)state;
	struct config *c = load_ok("[ingest]\nauth = CURVE\nendpoint = inproc://ingest\n");
	assert_string_equal(c->auth, "curve");
	assert_string_equal(c->ingest_endpoint, "inproc://ingest");
	free(c);
	c = load_ok("[ingest]\nauth = Off\n");
	assert_string_equal(c->auth, "off");
	free(c);
}

/* One bad value and the exact message it gets. */
struct bad_value {
	const char *section, *key, *value, *why;
};

static const struct bad_value bad_values[] = {
	{"daemon", "data_dir", "", "must not be empty"},
	{"daemon", "map_size_max_mb", "0", "must be 1..16777216"},
	{"daemon", "map_size_max_mb", "16777217", "must be 1..16777216"},
	{"daemon", "map_size_max_mb", "18446744073709551616", "must be 1..16777216"},
	{"daemon", "map_size_max_mb", "1G", "must be 1..16777216"},
	{"daemon", "map_size_initial_mb", "0", "must be 1..16777216"},
	{"daemon", "map_size_initial_mb", "-1", "must be 1..16777216"},
	{"daemon", "log_debug", "2", "must be yes, no, true, false, on, off, 1 or 0"},
	{"daemon", "log_debug", "", "must be yes, no, true, false, on, off, 1 or 0"},
	{"daemon", "log_debug", "y", "must be yes, no, true, false, on, off, 1 or 0"},
	{"ingest", "endpoint", "127.0.0.1:5570", "must start with tcp://, ipc:// or inproc://"},
	{"ingest", "endpoint", "udp://127.0.0.1:5570", "must start with tcp://, ipc:// or inproc://"},
	{"ingest", "endpoint", "TCP://127.0.0.1:5570", "must start with tcp://, ipc:// or inproc://"},
	{"ingest", "endpoint", "", "must start with tcp://, ipc:// or inproc://"},
	{"ingest", "endpoint", "tcp://", "nothing after the transport"},
	{"ingest", "batch_events_max", "0", "must be 1..65536"},
	{"ingest", "batch_events_max", "65537", "must be 1..65536"},
	{"ingest", "batch_events_max", "+5", "must be 1..65536"},
	{"ingest", "batch_events_max", "0x10", "must be 1..65536"},
	{"ingest", "batch_events_max", "1 000", "must be 1..65536"},
	{"ingest", "batch_events_max", "4096.0", "must be 1..65536"},
	{"ingest", "batch_events_max", "", "must be 1..65536"},
	{"ingest", "request_events_max", "0", "must be 1..1000"},
	{"ingest", "request_events_max", "1001", "must be 1..1000"},
	{"ingest", "frame_bytes_max", "1023", "must be 1024..16777216"},
	{"ingest", "frame_bytes_max", "16777217", "must be 1024..16777216"},
	{"ingest", "receive_hwm", "0", "must be 1..1000000"},
	{"ingest", "receive_hwm", "1000001", "must be 1..1000000"},
	{"ingest", "receive_hwm", "-1", "must be 1..1000000"},
	{"ingest", "receive_hwm", "4294967297", "must be 1..1000000"},
	{"ingest", "auth", "on", "must be off or curve"},
	{"ingest", "auth", "plain", "must be off or curve"},
	{"ingest", "auth", "", "must be off or curve"},
	{"query", "endpoint", "http://127.0.0.1:5571", "must start with tcp://, ipc:// or inproc://"},
	{"query", "endpoint", "ipc://", "nothing after the transport"},
	{"http", "listen", "8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", ":8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "127.0.0.1:", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "127.0.0.1:65536", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "127.0.0.1:http", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "::1:8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "[::1]8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "[]:8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "[::1:8570", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "local host:80", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "listen", "no", "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off"},
	{"http", "timeout_s", "0", "must be 1..3600"},
	{"http", "timeout_s", "3601", "must be 1..3600"},
	{"http", "connections_max", "0", "must be 1..10000"},
	{"http", "connections_max", "10001", "must be 1..10000"},
	{"auth", "clients_dir", "", "must not be empty"},
};

static void test_bad_values(void **state)
{
	(void)state;
	char text[512], msg[512];
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const struct bad_value *b = &bad_values[i];
		/* on line 5, after a comment and a good key */
		snprintf(text, sizeof(text), "# lawtally\n[villages]\nZL01 = 张北村\n[%s]\n%s = %s\n",
			 b->section, b->key, b->value);
		snprintf(msg, sizeof(msg), "<string>:5: [%s] %s = %s: %s", b->section, b->key,
			 b->value, b->why);
		load_bad(text, msg);
	}
}

/* A value one byte too long, for each string key; the longest one fits. */
static void test_value_too_long(void **state)
{
	(void)state;
	char text[512], msg[512], v[256];

	/* "tcp://" and 180 more: the line "endpoint = ..." is 197 bytes */
	memset(v, 'a', sizeof(v));
	memcpy(v, "tcp://", 6);
	v[186] = '\0';
	snprintf(text, sizeof(text), "[ingest]\nendpoint = %s\n", v);
	struct config *c = load_ok(text);
	assert_string_equal(c->ingest_endpoint, v);
	free(c);

	/* [http] listen holds 127 bytes: a 128-byte value fits a line */
	memset(v, 'h', sizeof(v));
	memcpy(v + 122, ":8570", 6);
	snprintf(text, sizeof(text), "[http]\nlisten = %s\n", v);
	c = load_ok(text);
	assert_int_equal(strlen(c->http_listen), 127);
	free(c);
	memset(v, 'h', sizeof(v));
	memcpy(v + 123, ":8570", 6);
	snprintf(text, sizeof(text), "[http]\nlisten = %s\n", v);
	snprintf(msg, sizeof(msg), "<string>:2: [http] listen = %s: longer than 127 bytes", v);
	load_bad(text, msg);
}

static void test_unknown_key_and_section(void **state)
{
	(void)state;
	load_bad("[daemon]\n\ncolour = red\n", "<string>:3: unknown key [daemon] colour");
	load_bad("[ingest]\nDATA_DIR = /x\n", "<string>:2: unknown key [ingest] DATA_DIR");
	load_bad("[daemon]\ndata_dir = /x\n[http]\ndata_dir = /y\n",
		 "<string>:4: unknown key [http] data_dir");
	load_bad("[daemon]\ndata_dir = /x\n[colour]\nred = 1\n", "<string>:3: unknown section [colour]");
	/* an unknown section is an error even with no keys under it */
	load_bad("[daemon]\n[vilages]\n", "<string>:2: unknown section [vilages]");
	load_bad("[Daemon]\n", "<string>:1: unknown section [Daemon]");
	load_bad("[ daemon ]\n", "<string>:1: unknown section [ daemon ]");
	load_bad("[]\n", "<string>:1: unknown section []");
	load_bad("timezone = Z\n[daemon]\n", "<string>:1: key timezone outside any [section]");
	load_bad("[daemon]\n= /x\n", "<string>:2: [daemon] = /x: no key before the =");
	load_bad("[villages]\n : 张北村\n", "<string>:2: [villages] = 张北村: no key before the =");
	load_bad("[daemon]\ndata_dir =;x\n", "<string>:2: [daemon] data_dir = ;x: a value cannot begin with ;");
	load_bad("[villages]\nZL01 =;x\n", "<string>:2: [villages] ZL01 = ;x: a value cannot begin with ;");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	load_bad("[daemon]\ndata_dir = /a\n\ndata_dir = /a\n",
		 "<string>:4: duplicate key [daemon] data_dir (first set on line 2)");
	load_bad("[http]\ntimeout_s = 5\n[daemon]\n[http]\ntimeout_s = 6\n",
		 "<string>:5: duplicate key [http] timeout_s (first set on line 2)");
	/* the same name in two sections is two keys */
	struct config *c = load_ok("[ingest]\nendpoint = tcp://a:1\n[query]\nendpoint = tcp://a:2\n");
	assert_string_equal(c->ingest_endpoint, "tcp://a:1");
	assert_string_equal(c->query_endpoint, "tcp://a:2");
	free(c);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	load_bad("[daemon]\ndata_dir\n",
		 "<string>:2: syntax error: expected [section], key = value or a comment");
	load_bad("[daemon\ndata_dir = /x\n",
		 "<string>:1: syntax error: expected [section], key = value or a comment");
	/* the first error wins, whichever kind it is */
	load_bad("[http]\ntimeout_s = 5\nnonsense\ntimeout_s = 0\n",
		 "<string>:3: syntax error: expected [section], key = value or a comment");
	load_bad("[http]\ntimeout_s = 0\nnonsense\n", "<string>:2: [http] timeout_s = 0: must be 1..3600");
}

static void test_multiline_refused(void **state)
{
	(void)state;
	load_bad("[daemon]\ndata_dir = /var/lib\n  /lawtally\n",
		 "<string>:3: [daemon] data_dir: indented line continues the value; "
		 "multi-line values are not allowed");
	/* inih would take this indented key as more of data_dir's value */
	load_bad("[daemon]\ndata_dir = /x\n  timezone = Z\n",
		 "<string>:3: [daemon] data_dir: indented line continues the value; "
		 "multi-line values are not allowed");
	load_bad("[villages]\nZL01 = 张北村\n\t张南村\n",
		 "<string>:3: [villages] ZL01: indented line continues the value; "
		 "multi-line values are not allowed");
}

/*
 * inih would cut a line longer than its buffer and parse the pieces; we
 * refuse it, and count lines right around it.
 */
static void test_long_lines(void **state)
{
	(void)state;
	char text[1024], msg[256], comment[600];

	assert_int_equal(CONFIG_LINE_MAX, 197);
	/* "data_dir = " is 11 bytes: a 186-byte value makes a 197-byte line */
	memset(comment, 'd', sizeof(comment));
	comment[0] = '/';
	comment[186] = '\0';
	snprintf(text, sizeof(text), "[daemon]\ndata_dir = %s\r\n[http]\ntimeout_s = 0\n", comment);
	load_bad(text, "<string>:4: [http] timeout_s = 0: must be 1..3600");
	snprintf(text, sizeof(text), "[daemon]\ndata_dir = %s\n", comment);
	struct config *c = load_ok(text);
	assert_int_equal(strlen(c->data_dir), 186);
	free(c);

	comment[187] = '\0';
	comment[186] = 'd';
	snprintf(text, sizeof(text), "[daemon]\ndata_dir = %s\n", comment);
	load_bad(text, "<string>:2: line longer than 197 bytes");

	/* a long comment is refused too, and its pieces are never parsed */
	memset(comment, '=', sizeof(comment));
	comment[0] = '#';
	comment[599] = '\0';
	snprintf(text, sizeof(text), "[daemon]\n\n%s\n", comment);
	load_bad(text, "<string>:3: line longer than 197 bytes");
	/* no line end at the end of the text */
	snprintf(msg, sizeof(msg), "[http]\ntimeout_s = 0");
	load_bad(msg, "<string>:2: [http] timeout_s = 0: must be 1..3600");
}

static void test_villages_section(void **state)
{
	(void)state;
	struct config *c = load_ok(
		"[villages]\n"
		"ZL07 = 王岗村\n"
		"T-1 = Test village ; inline comments are cut\n"
		"[http]\ntimeout_s = 5\n"
		"[villages]\n"
		"x_2: 第二\n");
	assert_int_equal(c->villages.n, 3);
	assert_string_equal(c->villages.v[0].code, "ZL07");
	assert_string_equal(c->villages.v[0].name, "王岗村");
	assert_string_equal(c->villages.v[1].code, "T-1");
	assert_string_equal(c->villages.v[1].name, "Test village");
	assert_string_equal(c->villages.v[2].code, "x_2");
	assert_string_equal(c->villages.v[2].name, "第二");
	assert_int_equal(c->http_timeout_s, 5);
	free(c);

	load_bad("[daemon]\nlog_debug = 1\n[villages]\n# none yet\n",
		 "<string>:3: [villages]: no villages listed");
	load_bad("[villages]\n[http]\ntimeout_s = 5\n", "<string>:1: [villages]: no villages listed");
	load_bad("[villages]\nZL01 = 张北村\nZL01 = 张南村\n",
		 "<string>:3: [villages] ZL01 = 张南村: village code listed twice");
	load_bad("[villages]\nZL 01 = 张北村\n",
		 "<string>:2: [villages] ZL 01 = 张北村: "
		 "village code must be 1-8 characters of A-Z a-z 0-9 _ -");
	load_bad("[villages]\nZL0000001 = 张北村\n",
		 "<string>:2: [villages] ZL0000001 = 张北村: "
		 "village code must be 1-8 characters of A-Z a-z 0-9 _ -");
	load_bad("[villages]\nZL01 =\n", "<string>:2: [villages] ZL01: no village name");
	load_bad("[villages]\nZL01 = \xe5\xbc\xa0\xff\n",
		 "<string>:2: [villages] ZL01 = \xe5\xbc\xa0\xff: village name is not UTF-8");
	/* 22 three-byte characters: 66 bytes */
	load_bad("[villages]\nZL01 = 一二三四五六七八九十一二三四五六七八九十一二\n",
		 "<string>:2: [villages] ZL01 = 一二三四五六七八九十一二三四五六七八九十一二: "
		 "village name longer than 64 bytes");
	c = load_ok("[villages]\nZL01 = 一二三四五六七八九十一二三四五六七八九十一\n");
	assert_int_equal(strlen(c->villages.v[0].name), 63);
	free(c);
}

static void test_many_villages(void **state)
{
	(void)state;
	size_t cap = 20 * (VILLAGES_MAX + 1) + 32, len;
	char *text = malloc(cap);
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "[villages]\n");
	for (int i = 0; i < VILLAGES_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len, "V%04d = v%d\n", i, i);
	struct config *c = load_ok(text);
	assert_int_equal(c->villages.n, VILLAGES_MAX);
	assert_string_equal(c->villages.v[VILLAGES_MAX - 1].code, "V1023");
	free(c);
	snprintf(text + len, cap - len, "V9999 = one too many\n");
	load_bad(text, "<string>:1026: [villages] V9999 = one too many: more than 1024 villages");
	free(text);
}

static void test_map_sizes_together(void **state)
{
	(void)state;
	/* only the maximum set, below the default initial size: initial follows */
	struct config *c = load_ok("[daemon]\nmap_size_max_mb = 32\n");
	assert_int_equal(c->map_size_max, 32 * MIB);
	assert_int_equal(c->map_size_initial, 32 * MIB);
	free(c);
	c = load_ok("[daemon]\nmap_size_max_mb = 100\nmap_size_initial_mb = 100\n");
	assert_int_equal(c->map_size_max, 100 * MIB);
	assert_int_equal(c->map_size_initial, 100 * MIB);
	free(c);
	load_bad("[daemon]\nmap_size_initial_mb = 20000\n",
		 "<string>:2: [daemon] map_size_initial_mb = 20000: "
		 "must not exceed map_size_max_mb (16384)");
	load_bad("[daemon]\nmap_size_max_mb = 32\nmap_size_initial_mb = 33\n",
		 "<string>:3: [daemon] map_size_initial_mb = 33: must not exceed map_size_max_mb (32)");
	load_bad("[daemon]\nmap_size_initial_mb = 33\nmap_size_max_mb = 32\n",
		 "<string>:3: [daemon] map_size_max_mb = 32: must not be below map_size_initial_mb (33)");
}

static void test_same_endpoints_refused(void **state)
{
	(void)state;
	load_bad("[query]\nendpoint = tcp://127.0.0.1:5570\n",
		 "<string>:2: [query] endpoint = tcp://127.0.0.1:5570: the same as [ingest] endpoint");
	load_bad("[query]\nendpoint = ipc://x\n[ingest]\nendpoint = ipc://x\n",
		 "<string>:4: [query] endpoint = ipc://x: the same as [ingest] endpoint");
	/* wildcards bind to a different port or path each time */
	struct config *c = load_ok("[ingest]\nendpoint = tcp://127.0.0.1:*\n"
				   "[query]\nendpoint = tcp://127.0.0.1:*\n");
	assert_string_equal(c->ingest_endpoint, "tcp://127.0.0.1:*");
	assert_string_equal(c->query_endpoint, "tcp://127.0.0.1:*");
	free(c);
	c = load_ok("[ingest]\nendpoint = ipc://*\n[query]\nendpoint = ipc://*\n");
	assert_string_equal(c->query_endpoint, "ipc://*");
	free(c);
}

static void test_upstream(void **state)
{
	(void)state;
	static const char key[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
	char text[512];
	struct config *c = load_ok("[upstream]\nendpoint = tcp://county:5570\ntownship = 410423100\n"
				   "name = 张良镇\n");
	assert_string_equal(c->upstream_endpoint, "tcp://county:5570");
	assert_string_equal(c->upstream_township, "410423100");
	assert_string_equal(c->upstream_name, "张良镇");
	assert_int_equal(c->upstream_batch_events, 1000);
	free(c);
	snprintf(text, sizeof(text), "[upstream]\nendpoint = tcp://county:5570\ntownship = T1\n"
		 "server_public_key = %s\nsecret_key_file = /etc/lawtally/upstream.key\n", key);
	c = load_ok(text);
	assert_string_equal(c->upstream_server_key, key);
	free(c);
	load_bad("[upstream]\nendpoint = tcp://county:5570\n",
		 "<string>:2: [upstream] township = : required with an endpoint, 1-12 of A-Z a-z 0-9 _ -");
	load_bad("[upstream]\nendpoint = tcp://county:5570\ntownship = 4104 23\n",
		 "<string>:3: [upstream] township = 4104 23: required with an endpoint, 1-12 of A-Z "
		 "a-z 0-9 _ -");
	load_bad("[upstream]\nendpoint = county:5570\ntownship = T1\n",
		 "<string>:2: [upstream] endpoint = county:5570: must start with tcp://, ipc:// or "
		 "inproc://");
	load_bad("[upstream]\ntownship = T1\n", "<string>:2: [upstream] township: set, but no endpoint");
	snprintf(text, sizeof(text), "[upstream]\nendpoint = tcp://c:1\ntownship = T1\n"
		 "server_public_key = %s\n", key);
	load_bad(text, "<string>:4: [upstream] server_public_key: set, but no secret_key_file");
	load_bad("[upstream]\nendpoint = tcp://c:1\ntownship = T1\nserver_public_key = short\n"
		 "secret_key_file = k\n",
		 "<string>:4: [upstream] server_public_key: not a Z85 key of 40 characters");
	load_bad("[upstream]\nbatch_events = 1001\n",
		 "<string>:2: [upstream] batch_events = 1001: must be 1..1000");
}

static void test_failed_load_leaves_config(void **state)
{
	(void)state;
	struct config *c = cfg_new(), *before = cfg_new();
	char err[256];
	assert_int_equal(config_load_string(c,
		"[daemon]\ndata_dir = /srv/a\ntimezone = Z\n[villages]\nA1 = one\n", err,
		sizeof(err)), 0);
	memcpy(before, c, sizeof(*c));
	/* good keys before the bad one must not leak into c */
	assert_int_equal(config_load_string(c,
		"[daemon]\ndata_dir = /srv/b\ntimezone = +01:00\n[villages]\nB1 = two\n"
		"[http]\ntimeout_s = 0\n", err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "<string>:7: [http] timeout_s = 0: must be 1..3600");
	assert_memory_equal(c, before, sizeof(*c));
	/* a missing file neither */
	assert_int_equal(config_load(c, "/nonexistent/lawtallyd.conf", err, sizeof(err)), LT_ESYS);
	assert_memory_equal(c, before, sizeof(*c));
	/* and a good load replaces everything, back to defaults where unset */
	assert_int_equal(config_load_string(c, "[http]\ntimeout_s = 9\n", err, sizeof(err)), 0);
	assert_string_equal(c->data_dir, "./var/lawtally");
	assert_int_equal(c->tz_offset, 28800);
	assert_int_equal(c->villages.n, 41);
	assert_int_equal(c->http_timeout_s, 9);
	free(c);
	free(before);
}

static void test_file_errors(void **state)
{
	(void)state;
	struct config *c = cfg_new();
	char err[256], path[64];

	assert_int_equal(config_load(c, "/nonexistent/lawtallyd.conf", err, sizeof(err)), LT_ESYS);
	assert_string_equal(err, "/nonexistent/lawtallyd.conf: cannot open: No such file or directory");
	assert_int_equal(config_load(c, "/tmp", err, sizeof(err)), LT_ESYS);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");

	/* messages name the file as given */
	static const char bad[] = "[ingest]\nbatch_events_max = 0\n";
	temp_file(path, sizeof(path), bad, sizeof(bad) - 1);
	char want[256];
	snprintf(want, sizeof(want), "%s:2: [ingest] batch_events_max = 0: must be 1..65536", path);
	assert_int_equal(config_load(c, path, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, want);
	unlink(path);

	/* a NUL byte, which a string cannot hold */
	static const char nul[] = "[http]\ntimeout_s = 5\0\n";
	temp_file(path, sizeof(path), nul, sizeof(nul) - 1);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	assert_int_equal(config_load(c, path, err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, want);
	unlink(path);

	/* an empty file is the defaults */
	temp_file(path, sizeof(path), "", 0);
	assert_int_equal(config_load(c, path, err, sizeof(err)), 0);
	unlink(path);
	free(c);
}

static void test_err_buffer(void **state)
{
	(void)state;
	struct config *c = cfg_new();
	char err[16];
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load_string(c, "[http]\ntimeout_s = 0\n", err, sizeof(err)), LT_EINVAL);
	assert_string_equal(err, "<string>:2: [ht");
	assert_int_equal(config_load_string(c, "[http]\ntimeout_s = 0\n", NULL, 0), LT_EINVAL);
	assert_int_equal(config_load_string(c, "[http]\ntimeout_s = 0\n", err, 0), LT_EINVAL);
	assert_int_equal(config_load(c, "/nonexistent", NULL, 0), LT_ESYS);
	free(c);
}

/* describe -> load gives back the same config, for defaults and for a custom one. */
static void test_describe_round_trip(void **state)
{
	(void)state;
	struct config *configs[2];
	configs[0] = cfg_new();
	configs[1] = load_ok(
		"[daemon]\ndata_dir = /srv/lt\ntimezone = -09:30\nmap_size_max_mb = 512\n"
		"map_size_initial_mb = 8\nlog_debug = true\n"
		"[ingest]\nendpoint = ipc:///run/lt.sock\nauth = curve\nreceive_hwm = 77\n"
		"[http]\nlisten = off\ntoken_file = /t\n[auth]\nclients_dir = /c\n"
		"server_secret_key_file = /k\n[upstream]\nendpoint = tcp://county:5570\n"
		"township = 410423100\nname = 张良镇\nbatch_events = 99\n"
		"server_public_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\nsecret_key_file = /u\n"
		"[villages]\nA = 甲\nB = 乙\n");
	for (size_t i = 0; i < 2; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		config_describe(configs[i], f);
		assert_int_equal(fclose(f), 0);
		struct config *back = load_ok(buf);
		assert_config_equal(back, configs[i]);
		if (i == 1) {
			assert_non_null(strstr(buf, "\n[http]\n"));
			assert_non_null(strstr(buf, "\nlisten = off\n"));
			assert_non_null(strstr(buf, "\ntimezone = -09:30\n"));
			assert_non_null(strstr(buf, "\nlog_debug = yes\n"));
			assert_non_null(strstr(buf, "\n[villages]\n"));
			assert_non_null(strstr(buf, "\nA = 甲\nB = 乙\n"));
		}
		free(back);
		free(buf);
		free(configs[i]);
	}
}

/* The shipped example must say exactly the defaults, the 41 villages included. */
static void test_example_file(void **state)
{
	(void)state;
	struct config *c = cfg_new(), *want = cfg_new();
	char err[512] = "";
	memset(c, 0x5A, sizeof(*c));
	int rc = config_load(c, example_path, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	assert_config_equal(c, want);
	assert_int_equal(c->villages.n, 41);
	assert_string_equal(c->villages.v[2].name, "姚吴程村");
	assert_string_equal(c->villages.v[38].code, "ZL39");
	assert_string_equal(c->villages.v[38].name, "东袁寨村");

	/* and every key is written out in it, not left to the defaults */
	FILE *f = fopen(example_path, "r");
	assert_non_null(f);
	char line[256];
	int keys = 0, villages = 0, in_villages = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[0] == '[') {
			in_villages = strcmp(line, "[villages]\n") == 0;
			continue;
		}
		if (in_villages)
			villages++;
		else
			keys++;
	}
	fclose(f);
	assert_int_equal(keys, 28);
	assert_int_equal(villages, 41);
	free(c);
	free(want);
}

int main(int argc, char **argv)
{
	static char path[4096];
	const char *srcdir = getenv("LAWTALLY_SRCDIR");

	if (argc > 1)
		example_path = argv[1];
	else if (srcdir && *srcdir)
		example_path = (snprintf(path, sizeof(path), "%s/config/lawtallyd.conf", srcdir), path);
	else
		example_path = "config/lawtallyd.conf";
	if (argc > 2)
		cmocka_set_test_filter(argv[2]);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_contract),
		cmocka_unit_test(test_empty_text_is_defaults),
		cmocka_unit_test(test_every_key_parses),
		cmocka_unit_test(test_range_minimums),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_timezone_forms),
		cmocka_unit_test(test_bool_forms),
		cmocka_unit_test(test_http_listen_forms),
		cmocka_unit_test(test_auth_and_endpoint_forms),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_value_too_long),
		cmocka_unit_test(test_unknown_key_and_section),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_multiline_refused),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_villages_section),
		cmocka_unit_test(test_many_villages),
		cmocka_unit_test(test_map_sizes_together),
		cmocka_unit_test(test_same_endpoints_refused),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_failed_load_leaves_config),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_describe_round_trip),
		cmocka_unit_test(test_example_file),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
