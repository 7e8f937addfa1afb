/*
 * tmpstore.h - a store in a fresh temporary directory, for the unit tests
 * of the store and the office.
 *
 * tmpstore_setup and tmpstore_teardown are cmocka's setup and teardown:
 * *state becomes a struct tmpstore with its store open (zone UTC+08:00),
 * and is closed and removed with its directory after the test.
 * tmpstore_open (re)opens f->s; it fails the test with store_open's line.
 * tmpdir_make and tmpdir_remove are the directory alone.
 */
#ifndef LAWTALLY_TMPSTORE_H
#define LAWTALLY_TMPSTORE_H

#include <stddef.h>

#include "store.h"

#define TMPSTORE_TZ 28800 /* the township's zone, UTC+08:00 */
#define TMPDIR_LEN 64

struct tmpstore {
	char dir[TMPDIR_LEN];
	struct store *s;
};

int tmpstore_setup(void **state);
int tmpstore_teardown(void **state);

/* Opens f->s on f->dir, read-only or not, with the default map sizes. */
void tmpstore_open(struct tmpstore *f, int read_only);

/* Opens f->s on f->dir, writable, with these map sizes (0: the default). */
void tmpstore_open_sized(struct tmpstore *f, size_t map_size, size_t map_size_max);

/* A new directory /tmp/lawtally-test-XXXXXX into dir; 0, or -1 with errno. */
int tmpdir_make(char dir[TMPDIR_LEN]);

/* Removes dir and everything in it (a test's leftovers: errors are ignored). */
void tmpdir_remove(const char *dir);

#endif
