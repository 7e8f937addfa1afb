/*
 * json_out.h - building the office's JSON documents (the report, the
 * monthly form, the senders) with jansson.
 *
 * jansson allocates through xalloc.h, where running out of memory ends the
 * process, so the builders never check a step: each function here either
 * does its work or ends the process. The set and push functions take over the reference
 * to v, as jansson's _new functions do.
 */
#ifndef LAWTALLY_JSON_OUT_H
#define LAWTALLY_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* An empty object or array. */
json_t *json_out_object(void);
json_t *json_out_array(void);

/* Sets o[k] = v, or appends v to a; v NULL (a failed constructor) is fatal. */
void json_out_set(json_t *o, const char *k, json_t *v);
void json_out_push(json_t *a, json_t *v);

/* A string of text from outside the program; text that is not UTF-8 shows as "?". */
json_t *json_out_string(const char *s);

/* Unix time t in zone tz as an RFC 3339 string ("2024-06-01T09:30:00+08:00"). */
json_t *json_out_time(int64_t t, int32_t tz);

/*
 * Appends o, written with jansson's flags, and a line end to out, and
 * releases o. Returns sbuf_status(out): 0, or LT_EFULL if out's maximum
 * cut the document.
 */
int json_out_dump(json_t *o, size_t flags, struct sbuf *out);

#endif
