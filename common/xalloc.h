/*
 * xalloc.h - memory for lawtally's own code, and the out-of-memory policy.
 *
 * An allocation that cannot be satisfied ends the process with one line
 * naming the size (log.h's fatal, exit status 1); these functions never
 * return NULL. A daemon that cannot allocate cannot keep its promises (a
 * batch acknowledged is a batch stored), and a half-handled NULL is worse
 * than a clean restart by systemd: callers carry no out-of-memory branches.
 *
 * The libraries follow the same policy where they let us: xalloc_init()
 * hands jansson and libevent these functions, and xalloc_protobuf is the
 * allocator for protobuf-c's unpacking. libzmq aborts by itself when it
 * cannot allocate; LMDB's ENOMEM is an error of the store (err.h).
 */
#ifndef LAWTALLY_XALLOC_H
#define LAWTALLY_XALLOC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/*
 * Makes jansson and libevent allocate through xmalloc/xrealloc, so that
 * their constructors (json_object, evbuffer_new, event_new...) no longer
 * return NULL for want of memory. Call first thing in main, before either
 * library allocates anything.
 */
void xalloc_init(void);

/* size bytes (at least 1, so that size 0 is not mistaken for failure). */
void *xmalloc(size_t size);

/* n zeroed elements of size bytes; an overflowing product ends the process too. */
void *xcalloc(size_t n, size_t size);

/* p resized to size bytes (at least 1); p may be NULL. */
void *xrealloc(void *p, size_t size);

/* p resized to n elements of size bytes; an overflowing product ends the process. */
void *xreallocarray(void *p, size_t n, size_t size);

/* A copy of the string s; free it. */
char *xstrdup(const char *s);

/* A NUL-terminated copy of at most n bytes of s; free it. */
char *xstrndup(const char *s, size_t n);

/* A copy of the n bytes at p; free it. */
void *xmemdup(const void *p, size_t n);

/*
 * protobuf-c's allocator for unpacking what we did not pack ourselves
 * (stored events, spooled events, requests and replies). protobuf-c's
 * default allocator answers a failed malloc with a failed unpack, which
 * would read as damaged data: a stored event as LT_ECORRUPT, a sender's
 * request as invalid. Through this allocator the only failed unpack is
 * bytes that do not decode. Free such messages with the same allocator.
 */
extern ProtobufCAllocator xalloc_protobuf;

#endif
