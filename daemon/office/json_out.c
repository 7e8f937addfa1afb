/* json_out.c - building the office's JSON documents (see json_out.h). */
#include "json_out.h"

#include <stdlib.h>

#include "log.h"
#include "when.h"

/* jansson allocates through xalloc.h: these cannot fail. */
json_t *json_out_object(void)
{
	return json_object();
}

json_t *json_out_array(void)
{
	return json_array();
}

/*
 * With memory out of the picture, a NULL v can only be a constructor given
 * text that is not UTF-8; text from outside goes through json_out_string,
 * so that would be a bug here, and a document with a hole is worse than none.
 */
void json_out_set(json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v))
		fatal("JSON member %s has no value (text not UTF-8)", k);
}

void json_out_push(json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v))
		fatal("a JSON array element has no value (text not UTF-8)");
}

json_t *json_out_string(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("?");
}

json_t *json_out_time(int64_t t, int32_t tz)
{
	char buf[WHEN_FORMAT_LEN];
	when_format(t, tz, buf);
	return json_string(buf);
}

int json_out_dump(json_t *o, size_t flags, struct sbuf *out)
{
	char *text = json_dumps(o, flags); /* an object or array: only memory could fail it */
	json_decref(o);
	sbuf_puts(out, text);
	sbuf_puts(out, "\n");
	free(text);
	return sbuf_status(out);
}
