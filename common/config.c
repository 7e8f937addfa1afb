/*
 * config.c - the key table, the INI loader and the describer (see config.h).
 *
 * Every key is one row of keys[]: section, name, type, where it lives in
 * struct config, its range and its default as the file would write it.
 * config_defaults() parses those default texts with the same code as a
 * file's values, so a default can never disagree with what a file accepts.
 *
 * The INI syntax is inih's (Debian libinih 55, pkg-config `inih`). What
 * Debian's build does, checked against the installed library:
 *   - runtime knobs (a Debian patch: `extern bool ini_allow_multiline` and
 *     friends in <ini.h>) with the upstream defaults: INI_ALLOW_MULTILINE 1,
 *     INI_ALLOW_BOM 1, INI_START_COMMENT_PREFIXES ";#",
 *     INI_ALLOW_INLINE_COMMENTS 1 with prefix ";" (after a blank),
 *     INI_USE_STACK 1, INI_MAX_LINE 200, INI_ALLOW_REALLOC 0,
 *     INI_STOP_ON_FIRST_ERROR 0, INI_ALLOW_NO_VALUE 0; "name: value" is
 *     accepted like "name = value". We read these knobs but never set them:
 *     they are process-wide and exist only in Debian's header.
 *   - the library passes a line number as a fifth handler argument (its
 *     code loads it into the fifth argument register) although the header
 *     declares INI_HANDLER_LINENO 0. We do not rely on that: read_line()
 *     below feeds inih through ini_parse_stream() and counts lines itself.
 *   - a line longer than INI_MAX_LINE - 3 is not an error in inih: fgets()
 *     cuts it, the first piece is parsed (a value silently truncated) and
 *     the rest is parsed as further lines, which also shifts every later
 *     line number. read_line() refuses such a line instead.
 *   - with multi-line values on, an indented line after a key continues
 *     that key's value, even "  timezone = Z". We refuse continuations.
 *   - sections without keys never reach the handler; read_line() sees the
 *     headers, so an empty [villages] or a misspelt empty section is caught.
 * ini_parse_stream() returns the line of the first error, ours (handler
 * returned 0) or its own (no "=", no "]"), which tells the two apart.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "log.h"
#include "xalloc.h"

enum key_type {
	KT_STRING,    /* char[size]; min..max bytes */
	KT_ENDPOINT,  /* char[size]; a ZeroMQ endpoint we can bind */
	KT_LISTEN,    /* char[size]; HOST:PORT, [IPV6]:PORT, or off ("") */
	KT_UINT,      /* unsigned; min..max */
	KT_INT,       /* int; min..max */
	KT_BOOL,      /* int; 0 or 1 */
	KT_TZ,        /* int32_t seconds east of UTC */
	KT_SIZE_MB,   /* uint64_t bytes, written in MiB; min..max MiB */
	KT_ENUM,      /* char[size]; one of choices, stored in lower case */
};

struct config_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;
	uint64_t min, max;
	const char *def;                /* the default, as a file writes it */
	const char *help;               /* one line for config_describe() */
	const char *const *choices;     /* KT_ENUM: NULL-terminated */
};

#define FIELD(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)

/* Offsets of the -12:00 and +14:00 zones, the ends of the world's clocks. */
#define TZ_WEST_MAX (12 * 3600)
#define TZ_EAST_MAX (14 * 3600)

#define MIB ((uint64_t)1 << 20)
#define MAP_MB_MAX ((uint64_t)1 << 24) /* 16 TiB */

static const char *const auth_choices[] = {CONFIG_AUTH_OFF, CONFIG_AUTH_CURVE, NULL};

static const struct config_key keys[] = {
	{"daemon", "data_dir", KT_STRING, FIELD(data_dir), 1, 4095, "./var/lawtally",
	 "the store's directory (LMDB); the packaged service uses /var/lib/lawtally", NULL},
	{"daemon", "timezone", KT_TZ, FIELD(tz_offset), 0, 0, "+08:00",
	 "zone of years and months: +HH:MM, -HH:MM, UTC+HH:MM or Z; fixed once the store exists", NULL},
	{"daemon", "map_size_max_mb", KT_SIZE_MB, FIELD(map_size_max), 1, MAP_MB_MAX, "16384",
	 "the store grows up to this many MiB, then refuses batches (store full)", NULL},
	{"daemon", "map_size_initial_mb", KT_SIZE_MB, FIELD(map_size_initial), 1, MAP_MB_MAX, "64",
	 "MiB mapped when the store opens; at most map_size_max_mb", NULL},
	{"daemon", "log_debug", KT_BOOL, FIELD(log_debug), 0, 1, "no",
	 "debug lines in the log: yes or no", NULL},

	{"store", "scrub_period_s", KT_UINT, FIELD(scrub_period_s), 0, 31536000, "86400",
	 "the scrub checks every stored record and recounts once in this many seconds; 0: never",
	 NULL},

	{"ingest", "endpoint", KT_ENDPOINT, FIELD(ingest_endpoint), 0, 0, "tcp://127.0.0.1:5570",
	 "ZeroMQ ROUTER where senders submit events: tcp://, ipc:// or inproc://", NULL},
	{"ingest", "batch_events_max", KT_UINT, FIELD(batch_events_max), 1, 65536, "4096",
	 "events committed together in one write transaction, at most", NULL},
	{"ingest", "request_events_max", KT_UINT, FIELD(request_events_max), 1, 1000, "1000",
	 "events in one SubmitRequest, at most (the wire contract allows 1000)", NULL},
	{"ingest", "frame_bytes_max", KT_UINT, FIELD(frame_bytes_max), 1024, 16777216, "1048576",
	 "largest request frame in bytes, with auth as without (ZMQ_MAXMSGSIZE)", NULL},
	{"ingest", "receive_hwm", KT_INT, FIELD(receive_hwm), 1, 1000000, "1000",
	 "messages queued per peer each way (ZMQ_RCVHWM, ZMQ_SNDHWM)", NULL},
	{"ingest", "auth", KT_ENUM, FIELD(auth), 0, 0, CONFIG_AUTH_OFF,
	 "off, or curve: CurveZMQ on the ingest and query endpoints", auth_choices},

	{"query", "endpoint", KT_ENDPOINT, FIELD(query_endpoint), 0, 0, "tcp://127.0.0.1:5571",
	 "ZeroMQ ROUTER for QueryRequests: tcp://, ipc:// or inproc://", NULL},

	{"http", "listen", KT_LISTEN, FIELD(http_listen), 0, 0, "127.0.0.1:8570",
	 "HOST:PORT or [IPV6]:PORT of the read-only HTTP server; port 0: any free port; off: none", NULL},
	{"http", "timeout_s", KT_UINT, FIELD(http_timeout_s), 1, 3600, "10",
	 "seconds a client has to send a whole request (and a kept-alive one to send the next)",
	 NULL},
	{"http", "connections_max", KT_UINT, FIELD(http_connections_max), 1, 10000, "64",
	 "HTTP connections open at once; past it a new one is answered 503", NULL},
	{"http", "token_file", KT_STRING, FIELD(http_token_file), 0, 4095, "",
	 "file holding the bearer token every request must carry; required off loopback", NULL},

	{"auth", "server_secret_key_file", KT_STRING, FIELD(auth_secret_key_file), 0, 4095, "",
	 "with auth = curve: the daemon's secret key (Z85); empty: systemd credential server.key",
	 NULL},
	{"auth", "clients_dir", KT_STRING, FIELD(auth_clients_dir), 1, 4095, "/etc/lawtally/clients",
	 "with auth = curve: one NAME.client file per client key and role (docs/keys.md)", NULL},
	{"auth", "connections_per_key", KT_UINT, FIELD(auth_connections_per_key), 1, 10000, "32",
	 "with auth = curve: ZeroMQ connections one client key may hold at once", NULL},

	/* The office's views (issue 6): report templates, completeness. */
	{"report", "templates", KT_STRING, FIELD(report_templates), 0, 4095, "",
	 "directory whose report.zh.txt / report.en.txt replace the built-in report templates; "
	 "empty: built in", NULL},
	{"report", "silent_days", KT_UINT, FIELD(report_silent_days), 1, 3650, "7",
	 "a sender not heard from for more than this many days is flagged as silent", NULL},

	/* A township forwarding to its county (issue 18, docs/county.md). */
	{"upstream", "endpoint", KT_STRING, FIELD(upstream_endpoint), 0, 255, "",
	 "the county's ingest endpoint (tcp://HOST:PORT) this township forwards to; empty: none",
	 NULL},
	{"upstream", "township", KT_STRING, FIELD(upstream_township), 0, 12, "",
	 "this township's code at the county (1-12 of A-Z a-z 0-9 _ -), required with an endpoint",
	 NULL},
	{"upstream", "name", KT_STRING, FIELD(upstream_name), 0, 63, "",
	 "this township's name, for status lines", NULL},
	{"upstream", "server_public_key", KT_STRING, FIELD(upstream_server_key), 0, 40, "",
	 "the county's public key (Z85) when it has auth = curve; empty: no CurveZMQ", NULL},
	{"upstream", "secret_key_file", KT_STRING, FIELD(upstream_secret_key_file), 0, 4095, "",
	 "this township's secret key file (Z85), with server_public_key; its public key is the "
	 "county's township:CODE client", NULL},
	{"upstream", "batch_events", KT_UINT, FIELD(upstream_batch_events), 1, 1000, "1000",
	 "events forwarded in one request, at most (a request also stays under 1 MiB)", NULL},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define VILLAGES_SECTION "villages"
#define STRING_NAME "<string>"
#define UTF8_BOM "\xEF\xBB\xBF"

/* The state of one load: the config being built and the first error. */
struct parse {
	struct config c;            /* defaults, then the file's values */
	const char *name;           /* the file as the caller named it */
	FILE *f;                    /* the source: a file ... */
	const char *s;              /* ... or a string */
	int lineno;                 /* lines handed to inih so far */
	char line[CONFIG_LINE_MAX + 2]; /* the current line as read */
	int seen[NKEYS];            /* line where each key was set, or 0 */
	int villages_line;          /* first [villages] header, or 0 */
	int villages_listed;        /* the file's villages replaced the built-in ones */
	int err_line;               /* line of the first error (-1: no line), or 0 */
	int err_code;
	char err[320];              /* the first error, without file and line */
};

static void fail(struct parse *p, int line, int code, const char *fmt, ...) LT_PRINTF(4, 5);

/* Keeps the first error only: later ones are mostly its echoes. */
static void fail(struct parse *p, int line, int code, const char *fmt, ...)
{
	va_list ap;
	if (p->err_line)
		return;
	p->err_line = line;
	p->err_code = code;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

static void *field(struct config *c, const struct config_key *k)
{
	return (char *)c + k->offset;
}

static const void *cfield(const struct config *c, const struct config_key *k)
{
	return (const char *)c + k->offset;
}

/* Decimal digits only, no sign, no blanks, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/*
 * "Z", "UTC", "+HH:MM", "-HH:MM", "UTC+HH:MM", "UTC-HH:MM": the forms ISO
 * 8601 and the contract use. Zone names (Asia/Shanghai) are not accepted on
 * purpose: a year must not change meaning when tzdata changes.
 */
static int parse_tz(const char *s, int32_t *out)
{
	int h, m;
	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
		*out = 0;
		return 0;
	}
	if (strncmp(s, "UTC", 3) == 0)
		s += 3;
	if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':' ||
	    two_digits(s + 1, &h) || two_digits(s + 4, &m) || m > 59)
		return -1;
	int32_t off = (int32_t)(h * 3600 + m * 60);
	if (s[0] == '-')
		off = -off;
	if (off < -TZ_WEST_MAX || off > TZ_EAST_MAX)
		return -1;
	*out = off;
	return 0;
}

static void format_tz(int32_t off, char *buf, size_t len)
{
	int32_t a = off < 0 ? -off : off;
	snprintf(buf, len, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600),
		 (int)(a % 3600 / 60));
}

/* systemd's spellings of a boolean, in any case. */
static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/*
 * The part of an endpoint we can check without binding it: the transport
 * ZeroMQ needs, and something after it. The rest (a host that does not
 * resolve, a busy port) surfaces at zmq_bind() with ZeroMQ's own message.
 */
static const char *endpoint_why(const char *v)
{
	static const char *const transports[] = {"tcp://", "ipc://", "inproc://"};
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		size_t n = strlen(transports[i]);
		if (strncmp(v, transports[i], n) == 0)
			return v[n] ? NULL : "nothing after the transport";
	}
	return "must start with tcp://, ipc:// or inproc://";
}

/* HOST:PORT or [IPV6]:PORT, the forms evhttp_bind_socket() takes apart. */
static int listen_valid(const char *v)
{
	const char *port;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (!close || close == v + 1 || close[1] != ':')
			return 0;
		for (const char *q = v + 1; q < close; q++)
			if (!(*q == ':' || *q == '.' || *q == '%' ||
			      (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
			      (*q >= 'A' && *q <= 'Z')))
				return 0;
		port = close + 2;
	} else {
		const char *colon = strchr(v, ':');
		if (!colon || colon == v)
			return 0;
		for (const char *q = v; q < colon; q++)
			if (!(*q == '.' || *q == '-' || *q == '_' ||
			      (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
			      (*q >= 'A' && *q <= 'Z')))
				return 0;
		port = colon + 1;
	}
	uint64_t n;
	return strlen(port) <= 5 && parse_u64(port, &n) == 0 && n <= 65535;
}

static int copy_string(const struct config_key *k, struct config *c, const char *v,
		       char *why, size_t whylen)
{
	size_t n = strlen(v);
	size_t max = k->max ? (size_t)k->max : k->size - 1;
	if (n < k->min) {
		snprintf(why, whylen, "must not be empty");
		return -1;
	}
	if (n > max) {
		snprintf(why, whylen, "longer than %zu bytes", max);
		return -1;
	}
	memcpy(field(c, k), v, n + 1);
	return 0;
}

/*
 * Parses value v for key k into c. Returns 0, or -1 with the reason in why
 * ("must be 1..65536"); c is changed only on success.
 */
static int key_set(const struct config_key *k, struct config *c, const char *v,
		   char *why, size_t whylen)
{
	uint64_t n;
	const char *msg;

	switch (k->type) {
	case KT_STRING:
		return copy_string(k, c, v, why, whylen);
	case KT_ENDPOINT:
		if ((msg = endpoint_why(v))) {
			snprintf(why, whylen, "%s", msg);
			return -1;
		}
		return copy_string(k, c, v, why, whylen);
	case KT_LISTEN:
		if (v[0] == '\0' || strcmp(v, "off") == 0) {
			*(char *)field(c, k) = '\0';
			return 0;
		}
		if (!listen_valid(v)) {
			snprintf(why, whylen, "must be HOST:PORT or [IPV6]:PORT (port 0..65535), or off");
			return -1;
		}
		return copy_string(k, c, v, why, whylen);
	case KT_UINT:
	case KT_INT:
	case KT_SIZE_MB:
		if (parse_u64(v, &n) || n < k->min || n > k->max) {
			snprintf(why, whylen, "must be %" PRIu64 "..%" PRIu64, k->min, k->max);
			return -1;
		}
		if (k->type == KT_UINT)
			*(unsigned *)field(c, k) = (unsigned)n;
		else if (k->type == KT_INT)
			*(int *)field(c, k) = (int)n;
		else
			*(uint64_t *)field(c, k) = n * MIB;
		return 0;
	case KT_BOOL:
		if (parse_bool(v, (int *)field(c, k))) {
			snprintf(why, whylen, "must be yes, no, true, false, on, off, 1 or 0");
			return -1;
		}
		return 0;
	case KT_TZ:
		if (parse_tz(v, (int32_t *)field(c, k))) {
			snprintf(why, whylen, "must be +HH:MM, -HH:MM, UTC+HH:MM or Z, "
				 "from -12:00 to +14:00");
			return -1;
		}
		return 0;
	case KT_ENUM:
		for (const char *const *ch = k->choices; *ch; ch++) {
			if (strcasecmp(v, *ch) == 0) {
				snprintf((char *)field(c, k), k->size, "%s", *ch);
				return 0;
			}
		}
		snprintf(why, whylen, "must be %s or %s", k->choices[0], k->choices[1]);
		return -1;
	}
	snprintf(why, whylen, "unhandled key type");
	return -1;
}

/* The value of k in c as a file would write it. */
static void key_format(const struct config_key *k, const struct config *c, char *buf,
		       size_t len)
{
	const void *f = cfield(c, k);
	switch (k->type) {
	case KT_STRING:
	case KT_ENDPOINT:
	case KT_ENUM:
		snprintf(buf, len, "%s", (const char *)f);
		return;
	case KT_LISTEN:
		snprintf(buf, len, "%s", *(const char *)f ? (const char *)f : "off");
		return;
	case KT_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)f);
		return;
	case KT_INT:
		snprintf(buf, len, "%d", *(const int *)f);
		return;
	case KT_SIZE_MB:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)f / MIB);
		return;
	case KT_BOOL:
		snprintf(buf, len, "%s", *(const int *)f ? "yes" : "no");
		return;
	case KT_TZ:
		format_tz(*(const int32_t *)f, buf, len);
		return;
	}
	snprintf(buf, len, "?");
}

static int section_known(const char *s, size_t len)
{
	if (len == strlen(VILLAGES_SECTION) && memcmp(s, VILLAGES_SECTION, len) == 0)
		return 1;
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].section) == len && memcmp(keys[i].section, s, len) == 0)
			return 1;
	return 0;
}

void config_defaults(struct config *c)
{
	char why[128];
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (key_set(&keys[i], c, keys[i].def, why, sizeof(why)))
			fatal("config: built-in default [%s] %s = %s: %s", keys[i].section,
			      keys[i].name, keys[i].def, why);
	villages_builtin(&c->villages);
}

static int src_getc(struct parse *p)
{
	if (p->f)
		return getc(p->f);
	if (*p->s == '\0')
		return EOF;
	return (unsigned char)*p->s++;
}

/*
 * inih's line reader (an fgets() look-alike). Going through it lets us count
 * lines whatever inih's build does, keep the raw line for the handler,
 * refuse lines inih would cut, NUL bytes and read errors, and see section
 * headers, which inih reports to nobody. Returning NULL ends the parse.
 */
static char *read_line(char *buf, int num, void *stream)
{
	struct parse *p = stream;
	size_t cap = CONFIG_LINE_MAX, n = 0;
	int ch, any = 0;

	if (p->err_line)
		return NULL;
	if (num - 3 < (int)cap)
		cap = num > 3 ? (size_t)num - 3 : 0;
	while ((ch = src_getc(p)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (ch == '\0') {
			fail(p, p->lineno + 1, LT_EINVAL, "NUL byte in line");
			return NULL;
		}
		/* a CR before the LF is line end, not content */
		if (n == cap + 1 || (n == cap && ch != '\r')) {
			fail(p, p->lineno + 1, LT_EINVAL, "line longer than %zu bytes", cap);
			return NULL;
		}
		p->line[n++] = (char)ch;
	}
	if (p->f && ferror(p->f)) {
		fail(p, -1, LT_ESYS, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (!any)
		return NULL;
	p->line[n] = '\0';
	if (p->lineno++ == 0 && strncmp(p->line, UTF8_BOM, 3) == 0) {
		n -= 3;
		memmove(p->line, p->line + 3, n + 1);
	}

	const char *s = p->line;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *close = *s == '[' ? strchr(s, ']') : NULL;
	if (close) {
		size_t len = (size_t)(close - s - 1);
		if (!section_known(s + 1, len)) {
			fail(p, p->lineno, LT_EINVAL, "unknown section [%.*s]", (int)len, s + 1);
			return NULL;
		}
		if (!p->villages_line && len == strlen(VILLAGES_SECTION) &&
		    memcmp(s + 1, VILLAGES_SECTION, len) == 0)
			p->villages_line = p->lineno;
	}
	memcpy(buf, p->line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return buf;
}

/*
 * 1 if inih called us for a continuation line of a multi-line value: the
 * current line does not begin with the key inih names.
 */
static int is_continuation(const struct parse *p, const char *name)
{
	const char *s = p->line;
	size_t n = strlen(name);
	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, name, n) != 0)
		return 1;
	s += n;
	return !(*s == ' ' || *s == '\t' || *s == '=' || *s == ':');
}

static int on_village(struct parse *p, const char *code, const char *name)
{
	const char *why;
	if (!p->villages_listed) {
		villages_clear(&p->c.villages);
		p->villages_listed = 1;
	}
	if (name[0] == '\0') {
		fail(p, p->lineno, LT_EINVAL, "[villages] %s: no village name", code);
		return 0;
	}
	if (villages_add(&p->c.villages, code, name, &why)) {
		fail(p, p->lineno, LT_EINVAL, "[villages] %s = %s: %s", code, name, why);
		return 0;
	}
	return 1;
}

/* inih's handler: one key = value of the file. Returns 0 on an error. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	char why[128];
	size_t i;

	if (p->err_line)
		return 0;
	if (is_continuation(p, name)) {
		fail(p, p->lineno, LT_EINVAL,
		     "[%s] %s: indented line continues the value; multi-line values are not allowed",
		     section, name);
		return 0;
	}
	if (section[0] == '\0') {
		fail(p, p->lineno, LT_EINVAL, "key %s outside any [section]", name);
		return 0;
	}
	if (name[0] == '\0') {
		fail(p, p->lineno, LT_EINVAL, "[%s] = %s: no key before the =", section, value);
		return 0;
	}
	/* inih keeps a ';' right after the '=', but would drop " ;..." when
	 * config_describe() writes the value back: refuse what cannot round-trip */
	if (value[0] == ';') {
		fail(p, p->lineno, LT_EINVAL, "[%s] %s = %s: a value cannot begin with ;",
		     section, name, value);
		return 0;
	}
	if (strcmp(section, VILLAGES_SECTION) == 0)
		return on_village(p, name, value);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			break;
	if (i == NKEYS) {
		if (section_known(section, strlen(section)))
			fail(p, p->lineno, LT_EINVAL, "unknown key [%s] %s", section, name);
		else
			fail(p, p->lineno, LT_EINVAL, "unknown section [%s]", section);
		return 0;
	}
	if (p->seen[i]) {
		fail(p, p->lineno, LT_EINVAL, "duplicate key [%s] %s (first set on line %d)",
		     section, name, p->seen[i]);
		return 0;
	}
	if (key_set(&keys[i], &p->c, value, why, sizeof(why))) {
		fail(p, p->lineno, LT_EINVAL, "[%s] %s = %s: %s", section, name, value, why);
		return 0;
	}
	p->seen[i] = p->lineno;
	return 1;
}

static size_t key_index(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return i;
	fatal("config: no key [%s] %s", section, name);
}

static int township_code_valid(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-'))
			return 0;
	return 1;
}

/* [upstream]: an endpoint needs a township, and a server key a secret key file. */
static void check_upstream(struct parse *p)
{
	struct config *c = &p->c;
	size_t iend = key_index("upstream", "endpoint");
	size_t itown = key_index("upstream", "township");
	size_t ikey = key_index("upstream", "server_public_key");
	size_t isec = key_index("upstream", "secret_key_file");
	const char *why;
	if (!c->upstream_endpoint[0]) {
		const char *set = c->upstream_township[0]     ? "township"
				  : c->upstream_server_key[0]   ? "server_public_key"
				  : c->upstream_secret_key_file[0] ? "secret_key_file"
								  : NULL;
		if (set)
			fail(p, p->seen[key_index("upstream", set)], LT_EINVAL,
			     "[upstream] %s: set, but no endpoint", set);
		return;
	}
	if ((why = endpoint_why(c->upstream_endpoint)))
		fail(p, p->seen[iend], LT_EINVAL, "[upstream] endpoint = %s: %s",
		     c->upstream_endpoint, why);
	else if (!township_code_valid(c->upstream_township))
		fail(p, p->seen[itown] ? p->seen[itown] : p->seen[iend], LT_EINVAL,
		     "[upstream] township = %s: required with an endpoint, 1-12 of A-Z a-z 0-9 _ -",
		     c->upstream_township);
	else if (c->upstream_server_key[0] && strlen(c->upstream_server_key) != 40)
		fail(p, p->seen[ikey], LT_EINVAL,
		     "[upstream] server_public_key: not a Z85 key of 40 characters");
	else if (c->upstream_server_key[0] && !c->upstream_secret_key_file[0])
		fail(p, p->seen[ikey], LT_EINVAL,
		     "[upstream] server_public_key: set, but no secret_key_file");
	else if (!c->upstream_server_key[0] && c->upstream_secret_key_file[0])
		fail(p, p->seen[isec], LT_EINVAL,
		     "[upstream] secret_key_file: set, but no server_public_key");
}

/*
 * Rules that tie two keys together, checked once the whole file is read;
 * an error is put on the later of the two lines, where the reader looks.
 */
static void check_together(struct parse *p)
{
	struct config *c = &p->c;
	size_t imax = key_index("daemon", "map_size_max_mb");
	size_t iinit = key_index("daemon", "map_size_initial_mb");
	size_t iing = key_index("ingest", "endpoint");
	size_t iqry = key_index("query", "endpoint");

	if (c->map_size_initial > c->map_size_max) {
		if (!p->seen[iinit])
			c->map_size_initial = c->map_size_max;
		else if (p->seen[iinit] > p->seen[imax])
			fail(p, p->seen[iinit], LT_EINVAL,
			     "[daemon] map_size_initial_mb = %" PRIu64
			     ": must not exceed map_size_max_mb (%" PRIu64 ")",
			     c->map_size_initial / MIB, c->map_size_max / MIB);
		else
			fail(p, p->seen[imax], LT_EINVAL,
			     "[daemon] map_size_max_mb = %" PRIu64
			     ": must not be below map_size_initial_mb (%" PRIu64 ")",
			     c->map_size_max / MIB, c->map_size_initial / MIB);
	}
	/*
	 * Two sockets cannot bind one address, except a wildcard one: ZeroMQ
	 * gives each bind of a tcp endpoint ending in ":*" its own free port,
	 * and each bind of the ipc wildcard its own path (tests rely on it).
	 */
	size_t elen = strlen(c->ingest_endpoint);
	int wildcard = (elen >= 2 && strcmp(c->ingest_endpoint + elen - 2, ":*") == 0) ||
		       strcmp(c->ingest_endpoint, "ipc://*") == 0;
	if (!wildcard && strcmp(c->ingest_endpoint, c->query_endpoint) == 0)
		fail(p, p->seen[iqry] > p->seen[iing] ? p->seen[iqry] : p->seen[iing], LT_EINVAL,
		     "[query] endpoint = %s: the same as [ingest] endpoint", c->query_endpoint);
	if (p->villages_line && !p->villages_listed)
		fail(p, p->villages_line, LT_EINVAL, "[villages]: no villages listed");
	check_upstream(p);
}

/*
 * The one loader behind config_load() and config_load_string(): builds the
 * new config on the heap (struct villages alone is ~75 KiB) and copies it
 * over *c only when the whole source was fine.
 */
static int load(struct config *c, const char *name, FILE *f, const char *s, char *err,
		size_t errlen)
{
	struct parse *p = xcalloc(1, sizeof(*p));
	int rc;

	config_defaults(&p->c);
	p->name = name;
	p->f = f;
	p->s = s;

	int ret = ini_parse_stream(read_line, p, on_pair, p);
	if (ret > 0 && (p->err_line == 0 || ret < p->err_line)) {
		/* inih's own complaint: the line is neither a section nor a key */
		p->err_line = 0;
		fail(p, ret, LT_EINVAL, "syntax error: expected [section], key = value or a comment");
	} else if (ret < 0 && !p->err_line) {
		/* inih's only failure of its own: a buffer it could not allocate */
		fatal("out of memory: reading %s", name);
	}
	if (!p->err_line)
		check_together(p);

	if (p->err_line) {
		if (err && errlen) {
			if (p->err_line > 0)
				snprintf(err, errlen, "%s:%d: %s", name, p->err_line, p->err);
			else
				snprintf(err, errlen, "%s: %s", name, p->err);
		}
		rc = p->err_code;
	} else {
		memcpy(c, &p->c, sizeof(*c));
		rc = 0;
	}
	free(p);
	return rc;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return LT_ESYS;
	}
	int rc = load(c, path, f, NULL, err, errlen);
	fclose(f);
	return rc;
}

int config_load_string(struct config *c, const char *text, char *err, size_t errlen)
{
	return load(c, STRING_NAME, NULL, text, err, errlen);
}

void config_describe(const struct config *c, FILE *out)
{
	const char *section = "";
	char value[4096 + 16];

	fprintf(out, "# lawtallyd configuration: every key with its value.\n"
		     "# Keys left out take the built-in default.\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct config_key *k = &keys[i];
		if (strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(out, "\n[%s]\n", section);
		}
		key_format(k, c, value, sizeof(value));
		fprintf(out, "# %s\n%s = %s\n", k->help, k->name, value);
	}
	if (c->villages.n == 0)
		return;
	fprintf(out, "\n[%s]\n# CODE = name: the villages events may name; "
		     "this list replaces the built-in one\n", VILLAGES_SECTION);
	for (size_t i = 0; i < c->villages.n; i++)
		fprintf(out, "%s = %s\n", c->villages.v[i].code, c->villages.v[i].name);
}
