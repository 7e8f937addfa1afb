/*
 * rawstore.h - a store changed with plain LMDB, as another program (or a
 * damaged disk) would change it, for the store's tests.
 *
 * rawstore_open begins a write transaction on the store in dir without
 * lawtally's code; rawstore_put puts a value as it is, rawstore_put_sealed
 * with its seal (record.h); rawstore_commit marks the commit the way the
 * store does (meta "commit") so that the store still opens, commits and
 * closes. Each fails the test on an LMDB error.
 */
#ifndef LAWTALLY_RAWSTORE_H
#define LAWTALLY_RAWSTORE_H

#include <lmdb.h>
#include <stddef.h>

struct rawstore {
	MDB_env *env;
	MDB_txn *txn;
};

void rawstore_open(struct rawstore *r, const char *dir);
MDB_dbi rawstore_db(struct rawstore *r, const char *db);
void rawstore_put(struct rawstore *r, const char *db, const void *k, size_t klen, const void *v,
		  size_t vlen);
void rawstore_put_sealed(struct rawstore *r, const char *db, const void *k, size_t klen,
			 const void *v, size_t vlen);
void rawstore_commit(struct rawstore *r);

/* The file offset of the first of n bytes equal to p in dir/data.mdb at or after from, or -1. */
long rawstore_find(const char *dir, const void *p, size_t n, long from);

/*
 * The file offset of the value stored under key in db (the database as
 * the last commit left it): where a flipped byte damages that record.
 */
long rawstore_value_offset(const char *dir, const char *db, const void *key, size_t klen);

/* XORs the byte at off of dir/data.mdb with x (not 0). */
void rawstore_flip(const char *dir, long off, unsigned char x);

#endif
