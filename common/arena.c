/* arena.c - bump allocation for one ingest group (see arena.h). */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include "xalloc.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;                 /* bytes of data */
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN (alignof(max_align_t))

static void *pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void pb_free(void *data, void *p)
{
	(void)data, (void)p; /* everything goes at arena_reset */
}

void arena_init(struct arena *a)
{
	*a = (struct arena){.pb = {pb_alloc, pb_free, a}};
}

/* The next kept chunk with room for size, or a new one after cur. */
static struct arena_chunk *next_chunk(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->cur ? a->cur->next : a->head;
	if (c && c->size >= size)
		return c;
	size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;
	if (want > SIZE_MAX - sizeof(*c))
		return NULL;
	struct arena_chunk *n = xmalloc(sizeof(*n) + want);
	n->size = want;
	/* a kept chunk too small for this goes after the new one */
	n->next = c;
	if (a->cur)
		a->cur->next = n;
	else
		a->head = n;
	a->held += want;
	return n;
}

void *arena_alloc(struct arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ALIGN)
		return NULL;
	size = (size + ALIGN - 1) & ~(ALIGN - 1);
	if (!a->cur || a->cur->size - a->used < size) {
		struct arena_chunk *c = next_chunk(a, size);
		if (!c)
			return NULL;
		a->cur = c;
		a->used = 0;
	}
	void *p = a->cur->data + a->used;
	a->used += size;
	return p;
}

void arena_reset(struct arena *a)
{
	/* keep the first chunks up to ARENA_KEEP bytes, free the rest */
	size_t kept = 0;
	struct arena_chunk **link = &a->head;
	while (*link && kept + (*link)->size <= ARENA_KEEP) {
		kept += (*link)->size;
		link = &(*link)->next;
	}
	struct arena_chunk *c = *link;
	*link = NULL;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->held = kept;
	a->cur = NULL;
	a->used = 0;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	arena_init(a);
}
