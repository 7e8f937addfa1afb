/*
 * store_damage.c - damage a stopped daemon's store the way a disk does,
 * for the end-to-end tests: one byte of one record flipped in place, or
 * the older meta page made the newest (LMDB then reads the store as an
 * earlier commit left it). The store is written behind LMDB's back, with
 * no transaction.
 *
 *   store-damage DIR value DB N [BYTE]   flips BYTE (default 0) of the
 *                                        value of record N (from 0) of DB;
 *                                        prints "DB KEYHEX OFFSET"
 *   store-damage DIR meta                the older meta page's transaction
 *                                        id becomes the newest's + 1;
 *                                        prints "OLD -> NEW"
 *
 * Exit 0 done, 1 failed (a line on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* LMDB 0.9's file layout: a 16-byte page header, then the meta's txnid at 128 bytes on */
#define PAGE_HEADER 16
#define META_TXNID_AT (PAGE_HEADER + 128)

static int die(const char *what)
{
	fprintf(stderr, "store-damage: %s\n", what);
	return 1;
}

/* The file offset of p, a pointer into the read-only map: its page header names the page. */
static uint64_t offset_of(const void *p, size_t psize)
{
	uintptr_t page = (uintptr_t)p / psize * psize;
	uint64_t pgno;
	memcpy(&pgno, (const void *)page, sizeof(pgno));
	return pgno * psize + ((uintptr_t)p - page);
}

static int flip_at(const char *dir, uint64_t off)
{
	char path[4200];
	uint8_t b;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	int fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &b, 1, (off_t)off) != 1)
		return die(strerror(errno));
	b ^= 0x5a;
	if (pwrite(fd, &b, 1, (off_t)off) != 1 || fsync(fd) != 0 || close(fd) != 0)
		return die(strerror(errno));
	return 0;
}

static int damage_value(const char *dir, const char *db, long n, long byte)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_stat st;
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 12) ||
	    mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600) || mdb_env_stat(env, &st) ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) || mdb_dbi_open(txn, db, 0, &dbi) ||
	    mdb_cursor_open(txn, dbi, &c))
		return die("cannot open the store or the database");
	int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	for (long i = 0; i < n && rc == 0; i++)
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	if (rc || byte < 0 || (size_t)byte >= v.mv_size)
		return die("no such record or byte");
	uint64_t off = offset_of((const uint8_t *)v.mv_data + byte, st.ms_psize);
	printf("%s ", db);
	for (size_t i = 0; i < k.mv_size; i++)
		printf("%02x", ((const uint8_t *)k.mv_data)[i]);
	printf(" %" PRIu64 "\n", off);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return flip_at(dir, off);
}

static int damage_meta(const char *dir)
{
	char path[4200];
	uint64_t id[2];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	int fd = open(path, O_RDWR);
	MDB_env *env;
	MDB_stat st;
	if (fd < 0 || mdb_env_create(&env) || mdb_env_open(env, dir, MDB_RDONLY, 0600) ||
	    mdb_env_stat(env, &st))
		return die("cannot open the store");
	mdb_env_close(env);
	for (int i = 0; i < 2; i++)
		if (pread(fd, &id[i], 8, (off_t)(i * st.ms_psize + META_TXNID_AT)) != 8)
			return die(strerror(errno));
	int older = id[0] < id[1] ? 0 : 1;
	uint64_t now = id[1 - older] + 1;
	printf("%" PRIu64 " -> %" PRIu64 "\n", id[older], now);
	if (pwrite(fd, &now, 8, (off_t)(older * st.ms_psize + META_TXNID_AT)) != 8 ||
	    fsync(fd) != 0 || close(fd) != 0)
		return die(strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[2], "value") == 0)
		return damage_value(argv[1], argv[3], strtol(argv[4], NULL, 10),
				    argc > 5 ? strtol(argv[5], NULL, 10) : 0);
	if (argc == 3 && strcmp(argv[2], "meta") == 0)
		return damage_meta(argv[1]);
	fprintf(stderr, "usage: store-damage DIR value DB N [BYTE] | store-damage DIR meta\n");
	return 2;
}
