/*
 * jsonl_format.c - the JSON Lines codec, printing: protobuf-c messages ->
 * proto3 JSON as protobuf's C++ printer writes it (jsonl.h), driven by the
 * descriptors. Reading is jsonl.c.
 */
#include "jsonl.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonl_int.h"
#include "xalloc.h"

struct obuf {
	char *p;
	size_t len, cap;
};

static int out_bytes(struct obuf *b, const void *s, size_t n)
{
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n + 1)
			cap = cap <= SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int out_str(struct obuf *b, const char *s)
{
	return out_bytes(b, s, strlen(s));
}

#define UTF8_BAD 0xaaaaaaaau

/* The next code point of s at *i, decoded exactly as protobuf's C++ JSON
 * writer does (ConsumeUtf8Scalar), so that bad bytes come out the same. */
static uint32_t utf8_next(const char *s, size_t n, size_t *i)
{
	uint32_t cp = (unsigned char)s[(*i)++];
	int more;
	if (cp < 0x80)
		return cp;
	if ((cp & 0xE0) == 0xC0) {
		more = 1;
		cp &= 0x1F;
	} else if ((cp & 0xF0) == 0xE0) {
		more = 2;
		cp &= 0x0F;
	} else if ((cp & 0xF8) == 0xF0) {
		more = 3;
		cp &= 0x07;
	} else {
		return UTF8_BAD;
	}
	for (int k = 0; k < more; k++) {
		unsigned char nx;
		if (*i >= n)
			return UTF8_BAD;
		nx = (unsigned char)s[(*i)++];
		if (nx >> 6 != 2)
			return UTF8_BAD;
		cp = cp << 6 | (nx & 0x3F);
	}
	return cp > 0x10FFFF ? UTF8_BAD : cp;
}

/* Whether protobuf's C++ writer escapes cp (MustEscape); *short_esc is set
 * for the escapes written other than as \uXXXX. */
static int must_escape(uint32_t cp, const char **short_esc)
{
	static const uint32_t ranges[][2] = {
		{0x0000, 0x001f}, {0x007f, 0x009f}, {0x0600, 0x0603}, {0x200b, 0x200f},
		{0x2028, 0x202e}, {0x2060, 0x2064}, {0x206a, 0x206f}, {0x1d173, 0x1d17a},
		{0xe0020, 0xe007f},
	};
	*short_esc = NULL;
	switch (cp) {
	case '\n':
		*short_esc = "\\n";
		return 1;
	case '\r':
		*short_esc = "\\r";
		return 1;
	case '\t':
		*short_esc = "\\t";
		return 1;
	case '"':
		*short_esc = "\\\"";
		return 1;
	case '\f':
		*short_esc = "\\f";
		return 1;
	case '\b':
		*short_esc = "\\b";
		return 1;
	case '\\':
		*short_esc = "\\\\";
		return 1;
	case UTF8_BAD:
		*short_esc = " ";
		return 1;
	case '<':
	case '>':
	case 0xfeff:
	case 0xfff9:
	case 0xfffa:
	case 0xfffb:
	case 0x00ad:
	case 0x06dd:
	case 0x070f:
	case 0x17b4:
	case 0x17b5:
	case 0xe0001:
		return 1;
	}
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

static int out_uescape(struct obuf *b, uint32_t u)
{
	char hex[8];
	snprintf(hex, sizeof(hex), "\\u%04x", (unsigned)u);
	return out_str(b, hex);
}

/* A JSON string, escaped as protobuf's C++ writer escapes it. */
static int out_escaped(struct obuf *b, const char *s, size_t n)
{
	size_t i = 0;
	TRY(out_bytes(b, "\"", 1));
	while (i < n) {
		size_t start = i;
		uint32_t cp = utf8_next(s, n, &i);
		const char *esc;
		if (!must_escape(cp, &esc)) {
			TRY(out_bytes(b, s + start, i - start));
		} else if (esc) {
			TRY(out_str(b, esc));
		} else if (cp < 0x10000) {
			TRY(out_uescape(b, cp));
		} else {
			TRY(out_uescape(b, ((cp - 0x10000) >> 10) + 0xd800));
			TRY(out_uescape(b, ((cp - 0x10000) & 0x3ff) + 0xdc00));
		}
	}
	return out_bytes(b, "\"", 1);
}

/* Standard base64 with padding, quoted. */
static int out_base64(struct obuf *b, const uint8_t *d, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	TRY(out_bytes(b, "\"", 1));
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		q[0] = tab[v >> 18 & 63];
		q[1] = tab[v >> 12 & 63];
		q[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		TRY(out_bytes(b, q, 4));
	}
	return out_bytes(b, "\"", 1);
}

/* The field's lowerCamelCase JSON name, quoted, and a colon. */
static int out_name(struct obuf *b, const char *proto)
{
	char name[JSONL_NAME_MAX];
	size_t n = jsonl_json_name(proto, name, sizeof(name));
	if (n >= sizeof(name))
		return LT_EINVAL; /* no field of lawtally.proto comes near */
	TRY(out_bytes(b, "\"", 1));
	TRY(out_bytes(b, name, n));
	return out_bytes(b, "\":", 2);
}

static int out_message(struct obuf *b, const ProtobufCMessage *msg);

/* One value of field f, read from slot. */
static int out_value(struct obuf *b, const ProtobufCFieldDescriptor *f, const void *slot)
{
	char num[40];
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32: {
		int32_t x;
		memcpy(&x, slot, sizeof(x));
		snprintf(num, sizeof(num), "%" PRId32, x);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: {
		uint32_t x;
		memcpy(&x, slot, sizeof(x));
		snprintf(num, sizeof(num), "%" PRIu32, x);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: {
		int64_t x;
		memcpy(&x, slot, sizeof(x));
		snprintf(num, sizeof(num), "\"%" PRId64 "\"", x);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: {
		uint64_t x;
		memcpy(&x, slot, sizeof(x));
		snprintf(num, sizeof(num), "\"%" PRIu64 "\"", x);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		double d;
		if (f->type == PROTOBUF_C_TYPE_FLOAT) {
			float x;
			memcpy(&x, slot, sizeof(x));
			d = x;
		} else {
			memcpy(&d, slot, sizeof(d));
		}
		if (isnan(d))
			return out_str(b, "\"NaN\"");
		if (isinf(d))
			return out_str(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		jsonl_fmt_double(num, sizeof(num), d, f->type == PROTOBUF_C_TYPE_FLOAT);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_BOOL: {
		protobuf_c_boolean x;
		memcpy(&x, slot, sizeof(x));
		return out_str(b, x ? "true" : "false");
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int32_t x;
		const ProtobufCEnumValue *ev;
		memcpy(&x, slot, sizeof(x));
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, x);
		if (ev) {
			TRY(out_bytes(b, "\"", 1));
			TRY(out_str(b, ev->name));
			return out_bytes(b, "\"", 1);
		}
		snprintf(num, sizeof(num), "%" PRId32, x);
		return out_str(b, num);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s;
		memcpy(&s, slot, sizeof(s));
		return s ? out_escaped(b, s, strlen(s)) : out_str(b, "\"\"");
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData bd;
		memcpy(&bd, slot, sizeof(bd));
		return out_base64(b, bd.data, bd.data ? bd.len : 0);
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m;
		memcpy(&m, slot, sizeof(m));
		return m ? out_message(b, m) : out_str(b, "{}");
	}
	}
	return LT_EINVAL;
}

/* Whether a proto3 implicit-presence field holds its default (zero, empty). */
static int is_default(const ProtobufCFieldDescriptor *f, const void *slot)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_FLOAT: {
		float x;
		memcpy(&x, slot, sizeof(x));
		return x == 0 && !signbit(x);
	}
	case PROTOBUF_C_TYPE_DOUBLE: {
		double x;
		memcpy(&x, slot, sizeof(x));
		return x == 0 && !signbit(x);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s;
		memcpy(&s, slot, sizeof(s));
		return !s || !*s;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData bd;
		memcpy(&bd, slot, sizeof(bd));
		return bd.len == 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const void *m;
		memcpy(&m, slot, sizeof(m));
		return m == NULL;
	}
	default: {
		/* every other type is an integer of 4 or 8 bytes (bool included) */
		uint8_t zero[8] = {0};
		return memcmp(slot, zero, jsonl_value_size(f)) == 0;
	}
	}
}

/* Whether the printer writes field f of msg at all. */
static int is_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	const char *slot = (const char *)msg + f->offset;
	const char *q = (const char *)msg + f->quantifier_offset;

	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t which;
		memcpy(&which, q, sizeof(which));
		return which == f->id;
	}
	switch (f->label) {
	case PROTOBUF_C_LABEL_REPEATED: {
		size_t n;
		memcpy(&n, q, sizeof(n));
		return n > 0;
	}
	case PROTOBUF_C_LABEL_REQUIRED:
		return 1;
	case PROTOBUF_C_LABEL_OPTIONAL:
		if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE) {
			const void *p;
			memcpy(&p, slot, sizeof(p));
			return p != NULL && p != f->default_value;
		} else {
			protobuf_c_boolean has;
			memcpy(&has, q, sizeof(has));
			return has != 0;
		}
	case PROTOBUF_C_LABEL_NONE:
	default:
		return !is_default(f, slot);
	}
}

/* A message as a JSON object, fields in the descriptor's (number) order. */
static int out_message(struct obuf *b, const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *desc = msg->descriptor;
	int first = 1;

	TRY(out_bytes(b, "{", 1));
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		const char *slot = (const char *)msg + f->offset;
		if (!is_present(msg, f))
			continue;
		if (!first)
			TRY(out_bytes(b, ",", 1));
		first = 0;
		TRY(out_name(b, f->name));
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n, esz = jsonl_value_size(f);
			const char *arr;
			memcpy(&n, (const char *)msg + f->quantifier_offset, sizeof(n));
			memcpy(&arr, slot, sizeof(arr));
			TRY(out_bytes(b, "[", 1));
			for (size_t k = 0; k < n; k++) {
				if (k > 0)
					TRY(out_bytes(b, ",", 1));
				TRY(out_value(b, f, arr + k * esz));
			}
			TRY(out_bytes(b, "]", 1));
		} else {
			TRY(out_value(b, f, slot));
		}
	}
	return out_bytes(b, "}", 1);
}

char *jsonl_format_message(const ProtobufCMessage *msg)
{
	struct obuf b = {0};
	if (!msg || out_message(&b, msg) != 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *jsonl_format_event(const Lawtally__V1__Event *e)
{
	return e ? jsonl_format_message(&e->base) : NULL;
}
