/*
 * store_names.c - what a county keeps of each township's names: its name
 * and its village list, as the township forwards them with its events
 * (SubmitRequest.names, docs/county.md), so that a township's views at the
 * county name its villages as the township does.
 *
 * Meta "names/CODE" holds the township's TownshipNames, packed, sealed as
 * every value. A batch puts it only when it differs from what is kept:
 * the township sends its names with every request, a county writes them
 * once and again only after the township's config changed them.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

#define NAMES_PREFIX "names/"
#define NAMES_KEY_MAX (sizeof(NAMES_PREFIX) - 1 + SCOPE_TOWNSHIP_MAX)

static size_t names_key(const char *township, char key[NAMES_KEY_MAX])
{
	size_t n = strnlen(township, SCOPE_TOWNSHIP_MAX);
	memcpy(key, NAMES_PREFIX, sizeof(NAMES_PREFIX) - 1);
	memcpy(key + sizeof(NAMES_PREFIX) - 1, township, n);
	return sizeof(NAMES_PREFIX) - 1 + n;
}

int store_names_apply(struct store *s, MDB_txn *txn, const struct store_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct store_item *it = &items[i];
		if (!it->names || !it->event->township[0])
			continue;
		char key[NAMES_KEY_MAX];
		MDB_val k = {names_key(it->event->township, key), key}, v;
		size_t len = lawtally__v1__township_names__get_packed_size(it->names);
		uint8_t *buf = store_scratch(s, len ? len : 1);
		lawtally__v1__township_names__pack(it->names, buf);
		int rc = store_get(s, NULL, txn, s->meta, &k, &v);
		if (rc == 0 && v.mv_size == len && memcmp(v.mv_data, buf, len) == 0)
			continue; /* kept already */
		if (rc && rc != MDB_NOTFOUND)
			return rc;
		rc = store_put_sealed(s, txn, s->meta, &k, buf, len, 0);
		if (rc)
			return rc;
	}
	return 0;
}

int store_township_names(const struct store_snap *snap, const char *township,
			 struct townnames *out)
{
	villages_clear(&out->villages);
	out->name[0] = '\0';
	if (!snap->txn)
		return LT_EINVAL;
	char key[NAMES_KEY_MAX];
	MDB_val k = {names_key(township, key), key}, v;
	int rc = store_get(snap->store, NULL, snap->txn, snap->store->meta, &k, &v);
	if (rc == MDB_NOTFOUND)
		return LT_ENOTFOUND;
	if (rc)
		return lt_from_mdb(rc);
	Lawtally__V1__TownshipNames *m =
		lawtally__v1__township_names__unpack(&xalloc_protobuf, v.mv_size, v.mv_data);
	/* sealed and checked: what does not read is damage, not a township's mistake */
	rc = !m || townnames_read(m, out) ? LT_ECORRUPT : 0;
	if (m)
		lawtally__v1__township_names__free_unpacked(m, &xalloc_protobuf);
	return rc;
}
