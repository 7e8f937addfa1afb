/*
 * jsonl.c - the JSON Lines codec, reading: proto3 JSON -> protobuf-c
 * messages, driven by the descriptors (field names, types, offsets,
 * oneofs), with the hand-writing conveniences of docs/contract.md and a strict
 * RFC 3339 parser. Printing is jsonl_format.c.
 *
 * Parsing builds the message exactly as protobuf-c's unpack would (message
 * structs, strings, bytes and arrays each malloc'd), and keeps it consistent
 * for protobuf_c_message_free_unpacked() after every single step, so any
 * error simply frees the half-built message from the top.
 */
#include "jsonl.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar.h"
#include "err.h"
#include "jsonl_int.h"
#include "uuid.h"
#include "xalloc.h"

/*
 * The fields that take more than the proto3 mapping: the two 16-byte ids also
 * read a UUID string (and must be 16 bytes), occurred_at also reads an
 * RFC 3339 time. Named here, not guessed from names, so no other field
 * changes meaning by accident.
 */
enum special { SPECIAL_NONE, SPECIAL_UUID, SPECIAL_TIME };

static const struct {
	const ProtobufCMessageDescriptor *desc;
	const char *field;
	enum special kind;
} special_fields[] = {
	{&lawtally__v1__event__descriptor, "id", SPECIAL_UUID},
	{&lawtally__v1__retraction__descriptor, "event_id", SPECIAL_UUID},
	{&lawtally__v1__event__descriptor, "occurred_at", SPECIAL_TIME},
};

static enum special special_of(const ProtobufCMessageDescriptor *desc,
			       const ProtobufCFieldDescriptor *f)
{
	for (size_t i = 0; i < sizeof(special_fields) / sizeof(special_fields[0]); i++)
		if (special_fields[i].desc == desc && strcmp(special_fields[i].field, f->name) == 0)
			return special_fields[i].kind;
	return SPECIAL_NONE;
}

/* ---- RFC 3339 ---- */

/* Reads exactly n digits at s[*i]; 0 if they are not there. */
static int read_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;
	if (len - *i < (size_t)n)
		return 0;
	for (int k = 0; k < n; k++) {
		char ch = s[*i + (size_t)k];
		if (ch < '0' || ch > '9')
			return 0;
		v = v * 10 + (ch - '0');
	}
	*i += (size_t)n;
	*out = v;
	return 1;
}

static int read_char(const char *s, size_t len, size_t *i, const char *set)
{
	if (*i >= len || s[*i] == '\0' || !strchr(set, s[*i]))
		return 0;
	(*i)++;
	return 1;
}

/*
 * The strict parser behind jsonl_parse_rfc3339(): returns NULL, or why the
 * text is not a usable time (for the error message). Hand-written because
 * strptime depends on the locale and accepts too much (%d reads "5", ...).
 */
static const char rfc3339_form[] = "not of the form 2024-03-05T10:00:00+08:00";

static const char *rfc3339(const char *s, size_t len, int64_t *out)
{
	const char *form = rfc3339_form;
	size_t i = 0;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (!read_digits(s, len, &i, 4, &y) || !read_char(s, len, &i, "-") ||
	    !read_digits(s, len, &i, 2, &mo) || !read_char(s, len, &i, "-") ||
	    !read_digits(s, len, &i, 2, &d) || !read_char(s, len, &i, "Tt ") ||
	    !read_digits(s, len, &i, 2, &h) || !read_char(s, len, &i, ":") ||
	    !read_digits(s, len, &i, 2, &mi) || !read_char(s, len, &i, ":") ||
	    !read_digits(s, len, &i, 2, &sec))
		return form;
	if (read_char(s, len, &i, ".")) {
		size_t start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return form;
	}
	if (read_char(s, len, &i, "Zz")) {
		sign = 0;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		i++;
		if (!read_digits(s, len, &i, 2, &oh) || !read_char(s, len, &i, ":") ||
		    !read_digits(s, len, &i, 2, &om))
			return form;
	} else {
		return form;
	}
	if (i != len)
		return form;
	if (mo < 1 || mo > 12)
		return "no such month";
	if (d < 1 || d > cal_days_in_month(y, mo))
		return "no such day in that month";
	if (h > 23 || mi > 59)
		return "no such time of day";
	if (sec == 60)
		return "leap seconds are not supported";
	if (sec > 59)
		return "no such time of day";
	if (oh > 23 || om > 59)
		return "no such UTC offset";
	*out = cal_days_from_civil(y, mo, d) * CAL_DAY_SECONDS + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return NULL;
}

int jsonl_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	if (!s || !out)
		return LT_EINVAL;
	return rfc3339(s, len, out) ? LT_EINVAL : 0;
}

/* ---- base64 ---- */

/* The value of a base64 digit, or -1; *alphabet becomes 1 for '+' '/'
 * (standard), 2 for '-' '_' (URL-safe), and stays for the common digits. */
static int b64_digit(char ch, int *alphabet)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '/') {
		*alphabet = 1;
		return ch == '+' ? 62 : 63;
	}
	if (ch == '-' || ch == '_') {
		*alphabet = 2;
		return ch == '-' ? 62 : 63;
	}
	return -1;
}

/*
 * Decodes base64 in either alphabet (not mixed), padded correctly or not at
 * all, into out (room for len * 3 / 4 bytes). Unused trailing bits must be
 * zero, so every byte string has one accepted spelling per alphabet and
 * padding choice. Returns 0, or LT_EINVAL.
 */
static int b64_decode(const char *s, size_t len, uint8_t *out, size_t *outlen)
{
	size_t pad = 0, o = 0;
	uint32_t acc = 0;
	int bits = 0, alphabet = 0;

	while (len > 0 && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if ((pad && (len + pad) % 4 != 0) || len % 4 == 1)
		return LT_EINVAL;
	for (size_t i = 0; i < len; i++) {
		int a = 0;
		int v = b64_digit(s[i], &a);
		if (v < 0 || (a && alphabet && a != alphabet))
			return LT_EINVAL;
		if (a)
			alphabet = a;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return LT_EINVAL;
	*outlen = o;
	return 0;
}

/* ---- parsing ---- */

/* Where the parser is, for messages that name the field. */
struct pctx {
	char *err;
	size_t errlen;
	char path[640];
	size_t pathlen;
	int depth;
	char quote[96];
};

#define NAME_SHOWN 64   /* bytes of a user's field name shown in a path */
#define VALUE_SHOWN 48  /* bytes of a user's value shown in a message */

/* Copies up to max bytes of s (not splitting a UTF-8 sequence) into dst of
 * room cap, control characters as '?', so messages stay one line. Returns
 * the bytes written; *cut says whether s was shortened. */
static size_t copy_printable(char *dst, size_t cap, const char *s, size_t n, size_t max, int *cut)
{
	size_t k = n < max ? n : max, o = 0;
	while (k > 0 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	*cut = k < n;
	for (size_t i = 0; i < k && o < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		dst[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	return o;
}

/* Appends a field name to the path; returns the length to restore. */
static size_t path_push(struct pctx *c, const char *name, size_t n)
{
	size_t old = c->pathlen, room = sizeof(c->path) - 1;
	int cut;
	if (c->pathlen > 0 && c->pathlen < room)
		c->path[c->pathlen++] = '.';
	c->pathlen += copy_printable(c->path + c->pathlen, room - c->pathlen, name, n, NAME_SHOWN,
				     &cut);
	if (cut && room - c->pathlen >= 3) {
		memcpy(c->path + c->pathlen, "...", 3);
		c->pathlen += 3;
	}
	c->path[c->pathlen] = '\0';
	return old;
}

static size_t path_push_index(struct pctx *c, size_t i)
{
	size_t old = c->pathlen, room = sizeof(c->path) - c->pathlen;
	int k = snprintf(c->path + c->pathlen, room, "[%zu]", i);
	if (k > 0)
		c->pathlen += (size_t)k < room ? (size_t)k : room - 1;
	return old;
}

static void path_pop(struct pctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

/* A user's string value, quoted and shortened for a message (one at a time). */
static const char *quoted(struct pctx *c, const char *s, size_t n)
{
	int cut;
	size_t o = 0;
	c->quote[o++] = '"';
	o += copy_printable(c->quote + o, sizeof(c->quote) - 6, s, n, VALUE_SHOWN, &cut);
	if (cut) {
		memcpy(c->quote + o, "...", 3);
		o += 3;
	}
	c->quote[o++] = '"';
	c->quote[o] = '\0';
	return c->quote;
}

/* Makes s one line of valid UTF-8 in place: control characters and bytes
 * that do not form a UTF-8 sequence (jansson quotes the raw line in its
 * messages; snprintf may cut a sequence) become '?'. */
static void sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		int more = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
			 : (*p & 0xF8) == 0xF0 ? 3 : -1;
		int k = 1;
		while (k <= more && (p[k] & 0xC0) == 0x80)
			k++;
		if (more < 0 || k <= more) {
			*p++ = '?';
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		p += k;
	}
}

/* Writes "path: message" into the caller's err; returns LT_EINVAL. */
static int fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct pctx *c, const char *fmt, ...)
{
	if (c->err && c->errlen > 0) {
		int k = 0;
		va_list ap;
		if (c->pathlen > 0)
			k = snprintf(c->err, c->errlen, "%s: ", c->path);
		if (k >= 0 && (size_t)k < c->errlen) {
			va_start(ap, fmt);
			vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
			va_end(ap);
		}
		sanitize(c->err);
	}
	return LT_EINVAL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* A JSON string's bytes; rejects embedded NULs (jansson decodes \u0000). */
static int get_string(struct pctx *c, const json_t *v, const char **s, size_t *n)
{
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (strlen(*s) != *n)
		return fail(c, "contains a NUL character");
	return 0;
}

size_t jsonl_json_name(const char *proto, char *out, size_t cap)
{
	size_t n = 0;
	int up = 0;
	for (const char *p = proto; *p; p++) {
		char ch = *p;
		if (ch == '_') {
			up = 1;
			continue;
		}
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		up = 0;
		if (n + 1 >= cap)
			return cap;
		out[n++] = ch;
	}
	if (cap)
		out[n] = '\0';
	return n;
}

/* 1 if key (klen bytes) is the JSON name of the .proto name. */
static int json_name_eq(const char *proto, const char *key, size_t klen)
{
	char name[JSONL_NAME_MAX];
	size_t n = jsonl_json_name(proto, name, sizeof(name));
	return n < sizeof(name) && n == klen && memcmp(name, key, klen) == 0;
}

static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *desc,
						  const char *key, size_t klen)
{
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if ((strlen(f->name) == klen && memcmp(f->name, key, klen) == 0) ||
		    json_name_eq(f->name, key, klen))
			return f;
	}
	return NULL;
}

enum ikind { K_I32, K_U32, K_I64, K_U64 };

/* Decimal integer text: optional '-', then digits only. Returns 0, 1 on
 * overflow of 64 bits, -1 if it is not such text. */
static int parse_decimal(const char *s, size_t n, int *neg, uint64_t *mag)
{
	size_t i = 0;
	int over = 0;
	uint64_t v = 0;
	*neg = n > 0 && s[0] == '-';
	i = (size_t)*neg;
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned dgt = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			over = 1;
		else
			v = v * 10 + dgt;
	}
	*mag = v;
	return over;
}

/* (jsonl_int.h) Shortest of %.15g / %.17g (or %.6g / %.9g for float) that reads back as
 * d, as protobuf's C++ SimpleDtoa/SimpleFtoa print. Assumes a '.' decimal
 * point (LC_NUMERIC "C"), as lawtally's programs never change it. */
void jsonl_fmt_double(char *buf, size_t n, double d, int is_float)
{
	if (is_float) {
		snprintf(buf, n, "%.6g", d);
		if (strtof(buf, NULL) != (float)d)
			snprintf(buf, n, "%.9g", d);
	} else {
		snprintf(buf, n, "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, n, "%.17g", d);
	}
}

/*
 * Reads v as an integer of kind k into *sv (signed kinds) or *uv (unsigned):
 * a JSON integer, an integral JSON real (1e3), or a decimal string, as the
 * proto3 mapping allows; with is_time also an RFC 3339 string. Range and
 * sign are checked against the field's type.
 */
static int get_int(struct pctx *c, const json_t *v, enum ikind k, int is_time, int64_t *sv,
		   uint64_t *uv)
{
	static const char *const kname[] = {"int32", "uint32", "int64", "uint64"};
	int neg = 0, over = 0;
	uint64_t mag = 0, lim;

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		neg = x < 0;
		mag = neg ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	} else if (json_is_real(v)) {
		double d = json_real_value(v), a = d < 0 ? -d : d;
		char num[32];
		/* below 2^52 a double can hold a fraction; from there on it is integral */
		if (!isfinite(d) || (a < 4503599627370496.0 && d != (double)(int64_t)d)) {
			jsonl_fmt_double(num, sizeof(num), d, 0);
			return fail(c, "not an integer: %s", num);
		}
		neg = d < 0;
		if (a >= 18446744073709551616.0)
			over = 1;
		else
			mag = (uint64_t)a;
	} else if (json_is_string(v)) {
		const char *s;
		size_t n;
		TRY(get_string(c, v, &s, &n));
		int r = parse_decimal(s, n, &neg, &mag);
		if (r < 0 && is_time) {
			const char *why = rfc3339(s, n, sv);
			if (!why)
				return 0;
			if (why == rfc3339_form)
				return fail(c, "not an integer or an RFC 3339 time "
					       "(2024-03-05T10:00:00+08:00): %s", quoted(c, s, n));
			return fail(c, "bad RFC 3339 time %s: %s", quoted(c, s, n), why);
		}
		if (r < 0)
			return fail(c, "not an integer: %s", quoted(c, s, n));
		over = r > 0;
	} else if (is_time) {
		return fail(c, "expected an integer or an RFC 3339 time, got %s", type_name(v));
	} else {
		return fail(c, "expected an integer, got %s", type_name(v));
	}

	if (neg && (over || mag != 0) && (k == K_U32 || k == K_U64))
		return fail(c, "negative value for an unsigned field");
	switch (k) {
	case K_I32:
		lim = neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX;
		break;
	case K_U32:
		lim = UINT32_MAX;
		break;
	case K_I64:
		lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
		break;
	default:
		lim = UINT64_MAX;
		break;
	}
	if (over || mag > lim)
		return fail(c, "out of range for %s", kname[k]);
	*uv = mag;
	if (!neg)
		*sv = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		*sv = INT64_MIN;
	else
		*sv = -(int64_t)mag;
	return 0;
}

/* Looks a short name ("LAND") up as prefix + name, the prefix being the
 * zero value's name without "UNSPECIFIED" ("CATEGORY_"). */
static const ProtobufCEnumValue *enum_by_short_name(const ProtobufCEnumDescriptor *ed,
						    const char *s, size_t n)
{
	static const char unspec[] = "UNSPECIFIED";
	const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(ed, 0);
	char full[128];
	size_t zl, pl;

	if (!zero)
		return NULL;
	zl = strlen(zero->name);
	if (zl < sizeof(unspec) - 1 || strcmp(zero->name + zl - (sizeof(unspec) - 1), unspec) != 0)
		return NULL;
	pl = zl - (sizeof(unspec) - 1);
	if (pl == 0 || pl + n + 1 > sizeof(full))
		return NULL;
	memcpy(full, zero->name, pl);
	memcpy(full + pl, s, n);
	full[pl + n] = '\0';
	return protobuf_c_enum_descriptor_get_value_by_name(ed, full);
}

/* An enum by full name, short name or number; undeclared values are refused. */
static int get_enum(struct pctx *c, const ProtobufCEnumDescriptor *ed, const json_t *v,
		    int32_t *out)
{
	const ProtobufCEnumValue *ev;
	if (json_is_string(v)) {
		const char *s;
		size_t n;
		TRY(get_string(c, v, &s, &n));
		ev = protobuf_c_enum_descriptor_get_value_by_name(ed, s);
		if (!ev)
			ev = enum_by_short_name(ed, s, n);
		if (!ev)
			return fail(c, "unknown enum value %s", quoted(c, s, n));
		*out = ev->value;
		return 0;
	}
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < INT32_MIN || x > INT32_MAX ||
		    !protobuf_c_enum_descriptor_get_value(ed, (int)x))
			return fail(c, "unknown enum value %" JSON_INTEGER_FORMAT, x);
		*out = (int32_t)x;
		return 0;
	}
	return fail(c, "expected an enum name or number, got %s", type_name(v));
}

/* A float or double: a JSON number, or a string holding a number,
 * "NaN", "Infinity" or "-Infinity" (the proto3 mapping). */
static int get_double(struct pctx *c, const json_t *v, int is_float, double *out)
{
	double d;
	if (json_is_number(v)) {
		d = json_number_value(v);
	} else if (json_is_string(v)) {
		const char *s;
		size_t n;
		char *end;
		TRY(get_string(c, v, &s, &n));
		if (strcmp(s, "NaN") == 0) {
			d = NAN;
		} else if (strcmp(s, "Infinity") == 0) {
			d = INFINITY;
		} else if (strcmp(s, "-Infinity") == 0) {
			d = -INFINITY;
		} else {
			if (n == 0 || strspn(s, "0123456789+-.eE") != n)
				return fail(c, "not a number: %s", quoted(c, s, n));
			d = strtod(s, &end);
			if (end != s + n || !isfinite(d))
				return fail(c, "not a number: %s", quoted(c, s, n));
		}
	} else {
		return fail(c, "expected a number, got %s", type_name(v));
	}
	if (is_float && isfinite(d) && (d > 3.4028234663852886e38 || d < -3.4028234663852886e38))
		return fail(c, "out of range for float");
	*out = d;
	return 0;
}

/* Bytes: base64, and for the id fields a UUID string (then exactly 16 bytes). */
static int get_bytes(struct pctx *c, const json_t *v, int is_uuid, ProtobufCBinaryData *slot)
{
	const char *s;
	size_t n, got = 0;
	uint8_t *data, id[UUID_LEN];

	if (!json_is_string(v))
		return fail(c, "expected a %sbase64 string, got %s", is_uuid ? "UUID or " : "",
			    type_name(v));
	TRY(get_string(c, v, &s, &n));
	data = xmalloc(n / 4 * 3 + 3);
	if (is_uuid && uuid_parse(s, id) == 0) {
		memcpy(data, id, UUID_LEN);
		got = UUID_LEN;
	} else if (b64_decode(s, n, data, &got) != 0 || (is_uuid && got != UUID_LEN)) {
		free(data);
		if (is_uuid)
			return fail(c, "not a UUID or 16 bytes of base64");
		return fail(c, "not valid base64");
	}
	if (got == 0) {
		free(data);
		data = NULL;
	}
	slot->data = data;
	slot->len = got;
	return 0;
}

/* (jsonl_int.h) Bytes one value of field f takes in its message (or in its array). */
size_t jsonl_value_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

static int parse_message(struct pctx *c, const json_t *obj, const ProtobufCMessageDescriptor *desc,
			 ProtobufCMessage *msg);

/*
 * Parses one value of field f (of message type owner) into slot. A nested
 * message is allocated, initialised and linked into slot before its own
 * fields are read, so that freeing from the top frees it on any error.
 */
static int parse_value(struct pctx *c, const ProtobufCMessageDescriptor *owner,
		       const ProtobufCFieldDescriptor *f, const json_t *v, void *slot)
{
	enum special sp = special_of(owner, f);
	int64_t sv = 0;
	uint64_t uv = 0;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32: {
		TRY(get_int(c, v, K_I32, 0, &sv, &uv));
		int32_t x = (int32_t)sv;
		memcpy(slot, &x, sizeof(x));
		return 0;
	}
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: {
		TRY(get_int(c, v, K_U32, 0, &sv, &uv));
		uint32_t x = (uint32_t)uv;
		memcpy(slot, &x, sizeof(x));
		return 0;
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		TRY(get_int(c, v, K_I64, sp == SPECIAL_TIME, &sv, &uv));
		memcpy(slot, &sv, sizeof(sv));
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		TRY(get_int(c, v, K_U64, 0, &sv, &uv));
		memcpy(slot, &uv, sizeof(uv));
		return 0;
	case PROTOBUF_C_TYPE_BOOL: {
		if (!json_is_boolean(v))
			return fail(c, "expected true or false, got %s", type_name(v));
		protobuf_c_boolean b = json_is_true(v);
		memcpy(slot, &b, sizeof(b));
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int32_t e = 0;
		TRY(get_enum(c, f->descriptor, v, &e));
		memcpy(slot, &e, sizeof(e));
		return 0;
	}
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		double d = 0;
		TRY(get_double(c, v, f->type == PROTOBUF_C_TYPE_FLOAT, &d));
		if (f->type == PROTOBUF_C_TYPE_FLOAT) {
			float x = (float)d;
			memcpy(slot, &x, sizeof(x));
		} else {
			memcpy(slot, &d, sizeof(d));
		}
		return 0;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s;
		size_t n;
		char *p;
		if (!json_is_string(v))
			return fail(c, "expected a string, got %s", type_name(v));
		TRY(get_string(c, v, &s, &n));
		p = xmemdup(s, n + 1);
		memcpy(slot, &p, sizeof(p));
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES:
		return get_bytes(c, v, sp == SPECIAL_UUID, slot);
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessageDescriptor *sd = f->descriptor;
		ProtobufCMessage *m;
		if (!json_is_object(v))
			return fail(c, "expected an object, got %s", type_name(v));
		m = xmalloc(sd->sizeof_message);
		protobuf_c_message_init(sd, m);
		memcpy(slot, &m, sizeof(m));
		return parse_message(c, v, sd, m);
	}
	}
	return fail(c, "unsupported field type");
}

/*
 * A repeated field from a JSON array. The array is allocated whole and
 * zeroed, and the count raised before each element is read: a zeroed
 * element (NULL string, bytes or message) is safe to free.
 */
static int parse_repeated(struct pctx *c, const ProtobufCMessageDescriptor *owner,
			  const ProtobufCFieldDescriptor *f, const json_t *v, ProtobufCMessage *msg)
{
	size_t n, esz = jsonl_value_size(f), *count = (size_t *)((char *)msg + f->quantifier_offset);
	char *arr;
	int rc = 0;

	if (!json_is_array(v))
		return fail(c, "expected an array, got %s", type_name(v));
	if (c->depth >= JSONL_DEPTH_MAX)
		return fail(c, "JSON nesting deeper than %d", JSONL_DEPTH_MAX);
	n = json_array_size(v);
	if (n == 0)
		return 0;
	arr = xcalloc(n, esz);
	memcpy((char *)msg + f->offset, &arr, sizeof(arr));
	*count = 0;
	c->depth++;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *e = json_array_get(v, i);
		size_t mark = path_push_index(c, i);
		(*count)++;
		if (json_is_null(e))
			rc = fail(c, "null is not allowed in an array");
		else
			rc = parse_value(c, owner, f, e, arr + i * esz);
		if (rc == 0)
			path_pop(c, mark);
	}
	c->depth--;
	return rc;
}

/* One field of msg from its JSON value: null leaves the default; a oneof
 * member claims its oneof (conflicts refused), optional ones set has_. */
static int parse_field(struct pctx *c, const ProtobufCMessageDescriptor *desc,
		       const ProtobufCFieldDescriptor *f, const json_t *v, ProtobufCMessage *msg)
{
	char *slot = (char *)msg + f->offset;

	if (json_is_null(v))
		return 0;
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return parse_repeated(c, desc, f, v, msg);
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t which;
		memcpy(&which, (char *)msg + f->quantifier_offset, sizeof(which));
		if (which != 0 && which != f->id) {
			const ProtobufCFieldDescriptor *other =
				protobuf_c_message_descriptor_get_field(desc, which);
			return fail(c, "cannot be set together with %s (same oneof)",
				    other ? other->name : "another field");
		}
		/* claim it with a zeroed value first: freeing that is a no-op */
		memset(slot, 0, jsonl_value_size(f));
		memcpy((char *)msg + f->quantifier_offset, &f->id, sizeof(f->id));
		return parse_value(c, desc, f, v, slot);
	}
	TRY(parse_value(c, desc, f, v, slot));
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE) {
		protobuf_c_boolean has = 1;
		memcpy((char *)msg + f->quantifier_offset, &has, sizeof(has));
	}
	return 0;
}

/* The fields of msg from the JSON object obj, in the object's order. */
static int parse_message(struct pctx *c, const json_t *obj, const ProtobufCMessageDescriptor *desc,
			 ProtobufCMessage *msg)
{
	unsigned char *seen;
	int rc = 0;

	if (c->depth >= JSONL_DEPTH_MAX)
		return fail(c, "JSON nesting deeper than %d", JSONL_DEPTH_MAX);
	seen = xcalloc(desc->n_fields + 1, 1);
	c->depth++;
	for (void *it = json_object_iter((json_t *)obj); it && rc == 0;
	     it = json_object_iter_next((json_t *)obj, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		const ProtobufCFieldDescriptor *f = find_field(desc, key, klen);
		size_t mark;

		if (!f) {
			path_push(c, key, klen);
			rc = fail(c, "unknown field");
			break;
		}
		mark = path_push(c, f->name, strlen(f->name));
		if (seen[f - desc->fields]) {
			rc = fail(c, "given twice (under its .proto and its JSON name)");
			break;
		}
		seen[f - desc->fields] = 1;
		rc = parse_field(c, desc, f, json_object_iter_value(it), msg);
		if (rc == 0)
			path_pop(c, mark);
	}
	c->depth--;
	free(seen);
	return rc;
}

/* 1 if the JSON text nests objects and arrays deeper than max: checked on
 * the raw text so that no parser recursion ever goes deeper. */
static int nesting_exceeds(const char *s, size_t n, int max)
{
	int depth = 0, in_str = 0, esc = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			if (++depth > max)
				return 1;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return 0;
}

int jsonl_parse_message(const char *line, size_t len, const ProtobufCMessageDescriptor *desc,
			ProtobufCMessage **out, char *err, size_t errlen)
{
	struct pctx c = {.err = err, .errlen = errlen};
	json_error_t je;
	json_t *root;
	ProtobufCMessage *msg;
	int rc;

	*out = NULL;
	if (err && errlen > 0)
		err[0] = '\0';
	if (!line)
		len = 0;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > JSONL_LINE_MAX)
		return fail(&c, "line is longer than %d bytes", JSONL_LINE_MAX);
	if (nesting_exceeds(line, len, JSONL_DEPTH_MAX))
		return fail(&c, "JSON nesting deeper than %d", JSONL_DEPTH_MAX);
	root = json_loadb(line ? line : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root && json_error_code(&je) == json_error_duplicate_key)
		return fail(&c, "%s", je.text);
	/* jansson reads JSON integers into 64 signed bits */
	if (!root && json_error_code(&je) == json_error_numeric_overflow)
		return fail(&c, "%s; write such numbers as strings", je.text);
	if (!root)
		return fail(&c, "line is not a JSON object: %s", je.text);
	if (!json_is_object(root)) {
		rc = fail(&c, "line is not a JSON object: it is %s", type_name(root));
		json_decref(root);
		return rc;
	}
	msg = xmalloc(desc->sizeof_message);
	protobuf_c_message_init(desc, msg);
	rc = parse_message(&c, root, desc, msg);
	json_decref(root);
	if (rc != 0) {
		protobuf_c_message_free_unpacked(msg, NULL);
		return rc;
	}
	*out = msg;
	return 0;
}

int jsonl_parse_event(const char *line, size_t len, Lawtally__V1__Event **out, char *err,
		      size_t errlen)
{
	ProtobufCMessage *m;
	int rc = jsonl_parse_message(line, len, &lawtally__v1__event__descriptor, &m, err, errlen);
	*out = rc == 0 ? (Lawtally__V1__Event *)m : NULL;
	return rc;
}

void jsonl_event_free(Lawtally__V1__Event *e)
{
	if (e)
		lawtally__v1__event__free_unpacked(e, NULL);
}
