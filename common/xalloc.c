/* xalloc.c - allocations that succeed or end the process (see xalloc.h). */
#include "xalloc.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		fatal("out of memory: cannot allocate %zu bytes", size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("out of memory: cannot allocate %zu x %zu bytes", n, size);
	void *p = calloc(n && size ? n : 1, n && size ? size : 1);
	if (!p)
		fatal("out of memory: cannot allocate %zu x %zu bytes", n, size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		fatal("out of memory: cannot allocate %zu bytes", size);
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		fatal("out of memory: cannot allocate %zu x %zu bytes", n, size);
	return xrealloc(p, n * size);
}

void *xmemdup(const void *p, size_t n)
{
	void *q = xmalloc(n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

static void *pb_alloc(void *data, size_t size)
{
	(void)data;
	return xmalloc(size);
}

static void pb_free(void *data, void *p)
{
	(void)data;
	free(p);
}

ProtobufCAllocator xalloc_protobuf = {pb_alloc, pb_free, NULL};

void xalloc_init(void)
{
	json_set_alloc_funcs(xmalloc, free);
	event_set_mem_functions(xmalloc, xrealloc, free);
}
