/*
 * arena.h - a bump allocator for the requests of one ingest group.
 *
 * protobuf-c unpacks a request of 256 events into about 1,500 small
 * allocations, and freeing them one by one cost as much again; both ran on
 * the loop thread, between queries. A group's requests are unpacked into
 * its arena through a ProtobufCAllocator and all let go at once when the
 * group has been answered. Memory is kept for the next group up to
 * ARENA_KEEP bytes; what a larger group took beyond that is returned.
 */
#ifndef LAWTALLY_ARENA_H
#define LAWTALLY_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#define ARENA_CHUNK ((size_t)64 << 10)
#define ARENA_KEEP ((size_t)4 << 20)

struct arena_chunk;

struct arena {
	struct arena_chunk *head;  /* chunks in use and kept, first to last */
	struct arena_chunk *cur;   /* the chunk being carved */
	size_t used;               /* bytes carved from cur */
	size_t held;               /* bytes of all chunks */
	ProtobufCAllocator pb;     /* hands allocations to protobuf-c; free is a no-op */
};

/* An empty arena; nothing is allocated until the first use. */
void arena_init(struct arena *a);

/*
 * size bytes aligned for any type, or NULL for a size no memory could hold
 * (near SIZE_MAX). Out of memory ends the process (xalloc.h): protobuf-c
 * would take a NULL for a request that does not decode, and its sender
 * would be told its events are invalid.
 */
void *arena_alloc(struct arena *a, size_t size);

/* Lets go of every allocation at once; keeps up to ARENA_KEEP bytes of chunks. */
void arena_reset(struct arena *a);

/* Frees every chunk. */
void arena_free(struct arena *a);

#endif
