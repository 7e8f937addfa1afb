/*
 * fuzz_desk.c - the village desk's request handling (clients/desk/), as a
 * browser on loopback or a hostile page would reach it: one HTTP request
 * per input, written as
 *
 *   METHOD PATH[?QUERY]\n
 *   Header: value\n ...        (Host, Origin, X-Desk-Token, Content-Type,
 *   \n                          Sec-Fetch-Site, and the peer as X-Peer)
 *   body
 *
 * handed to desk_api_handle() over a real spool (on /tmp, not synced, made
 * anew every RESET_EVERY inputs so that it stays small). What must hold:
 * every answer has a status and a type, /api/ answers are JSON objects,
 * a refused request changes nothing in the spool, and a record is saved
 * only by a POST that carries the desk's Host, Origin and token.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "desk_api.h"
#include "err.h"
#include "fuzz.h"
#include "spool.h"

#define TOKEN "00112233445566778899aabbccddeeff"
#define PORT 8571
#define RESET_EVERY 2048
#define LINE_MAX_BYTES 2048

static struct villages villages;
static struct spool *sp;
static struct desk_api *api;
static char dir[64];
static unsigned runs;

static void cleanup(void)
{
	char cmd[128];
	desk_api_free(&api);
	spool_close(&sp);
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz_desk: could not remove %s\n", dir);
	}
}

static void setup(void)
{
	char err[256];
	if (!dir[0]) {
		villages_builtin(&villages);
		snprintf(dir, sizeof(dir), "/tmp/fuzz_desk.XXXXXX");
		FUZZ_REQUIRE(mkdtemp(dir) != NULL);
		atexit(cleanup);
	} else {
		desk_api_free(&api);
		spool_close(&sp);
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s/spool'", dir);
		FUZZ_REQUIRE(system(cmd) == 0);
	}
	char path[96];
	snprintf(path, sizeof(path), "%s/spool", dir);
	FUZZ_REQUIRE(spool_open(&sp, path, SPOOL_CREATE | SPOOL_SEND | SPOOL_NOSYNC, NULL, err,
				sizeof(err)) == 0);
	struct desk_api_config c = {sp, &villages, "ZL07", "centre-ZL07", "tcp://127.0.0.1:5570",
				    PORT, TOKEN, NULL};
	api = desk_api_new(&c);
}

/* Copies the next line of data[*at..size) into out (NUL-terminated); 0 at the end. */
static int next_line(const uint8_t *data, size_t size, size_t *at, char *out, size_t cap)
{
	if (*at >= size)
		return 0;
	size_t n = 0;
	while (*at < size && data[*at] != '\n') {
		if (n + 1 < cap)
			out[n++] = data[*at] ? (char)data[*at] : ' ';
		(*at)++;
	}
	if (*at < size)
		(*at)++; /* the \n */
	out[n] = '\0';
	return 1;
}

static enum desk_method method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return DESK_GET;
	if (strcmp(m, "HEAD") == 0)
		return DESK_HEAD;
	if (strcmp(m, "POST") == 0)
		return DESK_POST;
	return DESK_OTHER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char first[LINE_MAX_BYTES], line[LINE_MAX_BYTES];
	char host[LINE_MAX_BYTES] = "", origin[LINE_MAX_BYTES] = "", token[LINE_MAX_BYTES] = "",
	     type[LINE_MAX_BYTES] = "", site[LINE_MAX_BYTES] = "", peer[LINE_MAX_BYTES] = "127.0.0.1";
	int has_host = 0, has_origin = 0, has_token = 0, has_type = 0, has_site = 0;
	size_t at = 0;
	if (size > (1u << 20))
		return 0;
	if (runs++ % RESET_EVERY == 0)
		setup();
	if (!next_line(data, size, &at, first, sizeof(first)))
		return 0;
	while (next_line(data, size, &at, line, sizeof(line)) && line[0] && line[0] != '\r') {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ')
			v++;
		v[strcspn(v, "\r")] = '\0';
		static const struct {
			const char *name;
			size_t off;
		} names[] = {{"Host", 0}, {"Origin", 1}, {"X-Desk-Token", 2}, {"Content-Type", 3},
			     {"Sec-Fetch-Site", 4}, {"X-Peer", 5}};
		char *slots[] = {host, origin, token, type, site, peer};
		int *flags[] = {&has_host, &has_origin, &has_token, &has_type, &has_site, NULL};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcasecmp(line, names[i].name) == 0) {
				strcpy(slots[names[i].off], v);
				if (flags[names[i].off])
					*flags[names[i].off] = 1;
			}
	}
	char *sp_ = strchr(first, ' ');
	char *target = sp_ ? sp_ + 1 : first + strlen(first);
	if (sp_)
		*sp_ = '\0';
	char *q = strchr(target, '?');
	if (q)
		*q++ = '\0';
	struct desk_request rq = {
		.method = method_of(first),
		.path = target,
		.query = q,
		.peer = peer,
		.host = has_host ? host : NULL,
		.origin = has_origin ? origin : NULL,
		.token = has_token ? token : NULL,
		.content_type = has_type ? type : NULL,
		.fetch_site = has_site ? site : NULL,
		.body = data + at,
		.body_len = size - at,
	};
	struct spool_status before, after;
	FUZZ_REQUIRE(spool_status(sp, &before) == 0);
	struct desk_response rs;
	desk_api_handle(api, &rq, 1734660000 /* 2024-12-20 */, &rs);
	FUZZ_REQUIRE(rs.status >= 200 && rs.status < 600);
	FUZZ_REQUIRE(rs.content_type != NULL);
	FUZZ_REQUIRE(rs.data != NULL || rs.len == 0);
	if (strncmp(target, "/api/", 5) == 0 || !rs.cache) {
		json_error_t jerr;
		json_t *o = json_loadb((const char *)rs.data, rs.len, 0, &jerr);
		FUZZ_REQUIRE(json_is_object(o));
		FUZZ_REQUIRE(rs.status < 400 || json_is_string(json_object_get(o, "error")));
		json_decref(o);
	}
	FUZZ_REQUIRE(spool_status(sp, &after) == 0);
	if (after.next_seq != before.next_seq || after.rejected != before.rejected) {
		/* something was saved: only ever by a request from the desk's own page */
		char want_origin[64];
		snprintf(want_origin, sizeof(want_origin), "http://%s", host);
		FUZZ_REQUIRE(rq.method == DESK_POST && rs.status == 200);
		FUZZ_REQUIRE(has_token && strcmp(token, TOKEN) == 0);
		FUZZ_REQUIRE(has_origin && strcasecmp(origin, want_origin) == 0);
	}
	desk_response_free(&rs);
	return 0;
}
