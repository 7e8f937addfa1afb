/*
 * jsonl_int.h - what the reading (jsonl.c) and printing (jsonl_format.c)
 * halves of the JSON Lines codec share, and nothing else uses.
 */
#ifndef LAWTALLY_JSONL_INT_H
#define LAWTALLY_JSONL_INT_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* Returns from the calling function with x's value when it is not 0. */
#define TRY(x)                           \
	do {                             \
		int try_rc_ = (x);       \
		if (try_rc_ != 0)        \
			return try_rc_;  \
	} while (0)

/*
 * Shortest of %.15g / %.17g (or %.6g / %.9g for float) that reads back as
 * d, as protobuf's C++ SimpleDtoa/SimpleFtoa print.
 */
void jsonl_fmt_double(char *buf, size_t n, double d, int is_float);

/* Room for a field's JSON name, NUL included. */
#define JSONL_NAME_MAX 64

/*
 * The lowerCamelCase JSON name of a .proto field name (protoc's
 * ToJsonName: drop each '_', upper-case the letter after it), written to
 * out with a NUL. Returns its length, or cap when it does not fit.
 */
size_t jsonl_json_name(const char *proto, char *out, size_t cap);

/* Bytes one value of field f takes in its message (or in its array). */
size_t jsonl_value_size(const ProtobufCFieldDescriptor *f);

#endif
