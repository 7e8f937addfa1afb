/* rawstore.c - plain LMDB changes to a store, for tests (see rawstore.h). */
#include "rawstore.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "byteorder.h"
#include "record.h"

void rawstore_open(struct rawstore *r, const char *dir)
{
	assert_int_equal(mdb_env_create(&r->env), 0);
	assert_int_equal(mdb_env_set_maxdbs(r->env, 12), 0);
	assert_int_equal(mdb_env_open(r->env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
}

MDB_dbi rawstore_db(struct rawstore *r, const char *db)
{
	MDB_dbi dbi;
	assert_int_equal(mdb_dbi_open(r->txn, db, 0, &dbi), 0);
	return dbi;
}

void rawstore_put(struct rawstore *r, const char *db, const void *k, size_t klen, const void *v,
		  size_t vlen)
{
	MDB_val kv = {klen, (void *)k}, vv = {vlen, (void *)v};
	assert_int_equal(mdb_put(r->txn, rawstore_db(r, db), &kv, &vv, 0), 0);
}

void rawstore_put_sealed(struct rawstore *r, const char *db, const void *k, size_t klen,
			 const void *v, size_t vlen)
{
	uint8_t buf[4096];
	MDB_val kv = {klen, (void *)k};
	assert_true(vlen + RECORD_SEAL_LEN <= sizeof(buf));
	memcpy(buf, v, vlen);
	record_seal(&kv, buf, vlen);
	rawstore_put(r, db, k, klen, buf, vlen + RECORD_SEAL_LEN);
}

void rawstore_commit(struct rawstore *r)
{
	uint8_t id[8];
	le64_store(id, (uint64_t)mdb_txn_id(r->txn));
	rawstore_put_sealed(r, "meta", "commit", 6, id, sizeof(id));
	assert_int_equal(mdb_txn_commit(r->txn), 0);
	mdb_env_close(r->env);
	r->env = NULL;
	r->txn = NULL;
}

long rawstore_find(const char *dir, const void *p, size_t n, long from)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	uint8_t *buf = malloc((size_t)size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	long at = -1;
	for (long i = from; i >= 0 && i + (long)n <= size; i++) {
		if (memcmp(buf + i, p, n) == 0) {
			at = i;
			break;
		}
	}
	free(buf);
	return at;
}

long rawstore_value_offset(const char *dir, const char *db, const void *key, size_t klen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_stat st;
	MDB_val k = {klen, (void *)key}, v;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 12), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_env_stat(env, &st), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	/* a read-only map: the value's page begins with its page number */
	uintptr_t page = (uintptr_t)v.mv_data / st.ms_psize * st.ms_psize;
	uint64_t pgno;
	memcpy(&pgno, (const void *)page, sizeof(pgno));
	long off = (long)(pgno * st.ms_psize + ((uintptr_t)v.mv_data - page));
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return off;
}

void rawstore_flip(const char *dir, long off, unsigned char x)
{
	char path[4200];
	unsigned char b;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fread(&b, 1, 1, f), 1);
	b ^= x;
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fwrite(&b, 1, 1, f), 1);
	assert_int_equal(fclose(f), 0);
}
