/*
 * store_meta.c - what a store says about itself, checked at every open:
 * its schema version, the zone it counts in and its identity; and the
 * steps that bring an older store to this schema, in the open's one
 * transaction: 1 to 2 (ids per scope), 2 to 3 (every value sealed,
 * record.h). Meta values are sealed from schema 3 on, but for "schema"
 * itself, which any version must read.
 *
 * Identity: 16 random bytes made when the store is created (or, for a store
 * from before identities, at its first writable open), kept in meta
 * "identity" and beside the store in the data directory's store.id
 * (datadir.h). A copy of the store (backup) carries it; a directory whose
 * store.id names another identity, or that held a store while data.mdb has
 * none, is refused: its own store was lost or replaced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "byteorder.h"
#include "datadir.h"
#include "err.h"
#include "log.h"
#include "now.h"
#include "scope.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

static const MDB_val schema_key = {6, "schema"};

static int put_schema(struct store *s, MDB_txn *txn, unsigned version)
{
	uint8_t ver[4] = {(uint8_t)version, 0, 0, 0};
	MDB_val k = schema_key, v = {4, ver};
	return mdb_put(txn, s->meta, &k, &v, 0);
}

/* A meta value, sealed once the store is (schema 3). Returns an MDB code. */
static int meta_put(struct store *s, MDB_txn *txn, MDB_val *k, const void *v, size_t len)
{
	if (s->sealed)
		return store_put_sealed(s, txn, s->meta, k, v, len, 0);
	MDB_val vv = {len, (void *)v};
	return mdb_put(txn, s->meta, k, &vv, 0);
}

/* Fills id from getrandom(2), riding out EINTR and short reads. */
static int random_id(uint8_t id[DATADIR_ID_LEN])
{
	size_t got = 0;
	while (got < DATADIR_ID_LEN) {
		ssize_t r = getrandom(id + got, DATADIR_ID_LEN - got, 0);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

/*
 * The store's identity against the directory's: a store without one gets
 * one here, if the directory did not hold another (s->dir_held).
 */
static int check_identity(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val k = {8, "identity"}, v;
	char mine[DATADIR_ID_TEXT + 1], dirs[DATADIR_ID_TEXT + 1];
	datadir_id_format(s->dir_id, dirs);
	int rc = store_get(s, NULL, txn, s->meta, &k, &v);
	if (rc == MDB_CORRUPTED) {
		snprintf(err, errlen, "its record of its identity is damaged (meta \"identity\")");
		return LT_ECORRUPT;
	}
	if (rc == 0 && v.mv_size == DATADIR_ID_LEN) {
		memcpy(s->identity, v.mv_data, DATADIR_ID_LEN);
		s->has_identity = 1;
		datadir_id_format(s->identity, mine);
		if (s->dir_held && memcmp(s->identity, s->dir_id, DATADIR_ID_LEN) != 0) {
			snprintf(err, errlen, "data.mdb is the store %s, not the store %s that this "
					      "directory held", mine, dirs);
			return LT_ECORRUPT;
		}
		/* store.id lost beside its store (or a store copied into a new directory) */
		s->id_to_write = !s->dir_held && !s->read_only;
		return 0;
	}
	if (rc == 0) {
		snprintf(err, errlen, "store metadata: an identity of %zu bytes", v.mv_size);
		return LT_ECORRUPT;
	}
	if (rc != MDB_NOTFOUND) {
		snprintf(err, errlen, "cannot read store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	if (s->dir_held) {
		snprintf(err, errlen, "data.mdb has no identity, but this directory held the store %s",
			 dirs);
		return LT_ECORRUPT;
	}
	if (s->read_only)
		return 0; /* from before identities; its first writable open gives it one */
	if (random_id(s->identity) != 0) {
		snprintf(err, errlen, "cannot make a store identity: %s", strerror(errno));
		return LT_ESYS;
	}
	rc = meta_put(s, txn, &k, s->identity, DATADIR_ID_LEN);
	if (rc) {
		snprintf(err, errlen, "cannot write store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->has_identity = 1;
	s->id_to_write = 1;
	return 0;
}

/*
 * A store counted in one zone cannot silently be read in another: its
 * totals would disagree with a recount. A reader adopts the store's zone.
 */
static int check_zone(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val tk = {9, "tz_offset"}, v;
	int rc = store_get(s, NULL, txn, s->meta, &tk, &v);
	if (rc == MDB_CORRUPTED) {
		snprintf(err, errlen, "its record of the time zone is damaged (meta \"tz_offset\")");
		return LT_ECORRUPT;
	}
	if (rc || v.mv_size != 4) {
		snprintf(err, errlen, "store metadata has no time zone");
		return LT_ECORRUPT;
	}
	int32_t tz = (int32_t)le32_load(v.mv_data);
	if (tz != s->tz_offset && s->read_only) {
		s->tz_offset = tz; /* a reader (backup, verify) counts in the store's own zone */
	} else if (tz != s->tz_offset) {
		snprintf(err, errlen,
			 "store counts in UTC%+03d:%02d but the configured zone is UTC%+03d:%02d",
			 tz / 3600, abs(tz % 3600) / 60, s->tz_offset / 3600,
			 abs(s->tz_offset % 3600) / 60);
		return LT_EINVAL;
	}
	return 0;
}

/* A new store: its version, zone and identity. */
static int create_meta(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	uint8_t tz[4];
	le32_store(tz, (uint32_t)s->tz_offset);
	MDB_val tk = {9, "tz_offset"};
	s->sealed = 1;
	int rc = put_schema(s, txn, STORE_SCHEMA_VERSION);
	if (!rc)
		rc = meta_put(s, txn, &tk, tz, sizeof(tz));
	if (rc) {
		snprintf(err, errlen, "cannot write store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->schema = STORE_SCHEMA_VERSION;
	return check_identity(s, txn, err, errlen);
}

/* ---- schema 1 to 2 ---- */

/* The seqs of the retractions stored without a scope (schema 1), and how many events. */
static int legacy_retractions(struct store *s, MDB_txn *txn, uint64_t **seqs, size_t *n,
			      uint64_t *events)
{
	MDB_cursor *c;
	MDB_val k, v;
	size_t cap = 0;
	int rc = mdb_cursor_open(txn, s->events, &c);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct record rec = {0};
		(*events)++;
		if (k.mv_size != 8 || store_record_unpack(&v, &rec)) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (rec.event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION &&
		    !rec.event->retraction->scope[0]) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*seqs = xreallocarray(*seqs, cap, sizeof(**seqs));
			}
			(*seqs)[(*n)++] = be64_load(k.mv_data);
		}
		store_record_free(&rec);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Reads the record stored under seq into rec. Returns an MDB code. */
static int record_at(struct store *s, MDB_txn *txn, uint64_t seq, MDB_val *raw, struct record *rec)
{
	uint8_t sk[8];
	be64_store(sk, seq);
	MDB_val k = {8, sk};
	int rc = mdb_get(txn, s->events, &k, raw);
	if (rc)
		return rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc;
	return store_record_unpack(raw, rec) ? MDB_CORRUPTED : 0;
}

/*
 * Writes into the retraction stored under seq the scope of the event it
 * withdrew, found through the schema 1 index (event id -> seq): the record
 * then reads as one sent with retraction.scope.
 */
static int name_scope(struct store *s, MDB_txn *txn, uint64_t seq)
{
	MDB_val raw, traw, tseq;
	struct record rec = {0}, target = {0};
	int rc = record_at(s, txn, seq, &raw, &rec);
	if (rc)
		return rc;
	const Lawtally__V1__Retraction *r = rec.event->retraction;
	MDB_val tk = {16, r->event_id.data};
	rc = r->event_id.len == 16 ? mdb_get(txn, s->ids, &tk, &tseq) : MDB_CORRUPTED;
	if (rc == MDB_NOTFOUND || (!rc && tseq.mv_size != 8))
		rc = MDB_CORRUPTED; /* a stored retraction always found its event */
	if (!rc)
		rc = record_at(s, txn, be64_load(tseq.mv_data), &traw, &target);
	uint8_t key[SCOPE_KEY_MAX];
	size_t klen = rc ? 0 : scope_event_key(target.event, key);
	if (!rc && (klen == 0 || target.event->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION))
		rc = MDB_CORRUPTED;
	if (!rc) {
		char text[SCOPE_NAME_MAX + 1];
		scope_key_format(key, klen, text, sizeof(text));
		char *was = rec.event->retraction->scope;
		rec.event->retraction->scope = text;
		size_t head = REC_HEADER_LEN + ((const uint8_t *)raw.mv_data)[10];
		size_t plen = protobuf_c_message_get_packed_size(&rec.event->base);
		uint8_t *buf = xmalloc(head + plen);
		memcpy(buf, raw.mv_data, head);
		protobuf_c_message_pack(&rec.event->base, buf + head);
		rec.event->retraction->scope = was;
		uint8_t sk[8];
		be64_store(sk, seq);
		MDB_val k = {8, sk}, v = {head + plen, buf};
		rc = mdb_put(txn, s->events, &k, &v, 0);
		free(buf);
	}
	store_record_free(&target);
	store_record_free(&rec);
	return rc;
}

/* Indexes every stored event under its id and scope (the index emptied first). */
static int reindex(struct store *s, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_drop(txn, s->ids, 0);
	if (!rc)
		rc = mdb_cursor_open(txn, s->events, &c);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct record rec = {0};
		uint8_t key[ID_KEY_MAX];
		size_t klen = 0;
		if (store_record_unpack(&v, &rec) == 0)
			klen = store_id_key(rec.event, key);
		store_record_free(&rec);
		if (klen == 0) {
			rc = MDB_CORRUPTED;
			break;
		}
		MDB_val ik = {klen, key}, seq = k;
		rc = mdb_put(txn, s->ids, &ik, &seq, MDB_NOOVERWRITE);
		if (rc == MDB_KEYEXIST)
			rc = MDB_CORRUPTED; /* ids were unique in the whole store */
		if (rc)
			break;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Schema 1 kept one id index for every sender; schema 2 keys it by id and
 * scope. In the open's transaction: the retractions get their scope, the
 * index is built again, the version becomes 2.
 */
static int migrate_1_to_2(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	uint64_t *seqs = NULL, events = 0;
	size_t n = 0;
	int rc = legacy_retractions(s, txn, &seqs, &n, &events);
	for (size_t i = 0; i < n && !rc; i++)
		rc = name_scope(s, txn, seqs[i]);
	free(seqs);
	if (!rc)
		rc = reindex(s, txn);
	if (!rc)
		rc = put_schema(s, txn, 2);
	if (rc) {
		snprintf(err, errlen, "cannot migrate the store from schema 1 to 2: %s",
			 mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->schema = 2;
	s->migrated = 1;
	s->migrated_events = events;
	s->migrated_retractions = n;
	return 0;
}

/* ---- schema 2 to 3 ---- */

/* Seals every value of the database name (if the store has it); adds their count to *n. */
static int seal_db(MDB_txn *txn, const char *name, uint64_t *n)
{
	MDB_dbi db;
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_dbi_open(txn, name, 0, &db);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (!rc)
		rc = mdb_cursor_open(txn, db, &c);
	if (rc)
		return rc;
	uint8_t kb[STORE_KEY_MAX], *vb = NULL;
	size_t vcap = 0;
	int meta = strcmp(name, "meta") == 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (meta && k.mv_size == schema_key.mv_size &&
		    memcmp(k.mv_data, schema_key.mv_data, k.mv_size) == 0)
			continue; /* never sealed: any version reads it */
		if (k.mv_size > sizeof(kb)) {
			rc = MDB_CORRUPTED;
			break;
		}
		/* copies: a value that grows is deleted and put again, under the page's feet */
		if (v.mv_size + RECORD_SEAL_LEN > vcap) {
			vcap = (v.mv_size + RECORD_SEAL_LEN) * 2;
			vb = xrealloc(vb, vcap);
		}
		memcpy(kb, k.mv_data, k.mv_size);
		memcpy(vb, v.mv_data, v.mv_size);
		MDB_val kc = {k.mv_size, kb}, vc = {v.mv_size + RECORD_SEAL_LEN, vb};
		record_seal(&kc, vb, v.mv_size);
		rc = mdb_cursor_put(c, &kc, &vc, MDB_CURRENT);
		if (rc)
			break;
		(*n)++;
	}
	free(vb);
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Every value but the ids index's and "schema" sealed; the version becomes 3. */
static int migrate_2_to_3(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	static const char *const dbs[] = {"meta",   "events", "cases",  "totals",
					  "rollups", "closed", "senders"};
	double t0 = now_mono();
	uint64_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && !rc; i++)
		rc = seal_db(txn, dbs[i], &n);
	if (!rc)
		rc = put_schema(s, txn, 3);
	if (rc) {
		snprintf(err, errlen, "cannot migrate the store from schema 2 to 3: %s",
			 mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	s->schema = 3;
	s->sealed = 1;
	s->sealed_now = 1;
	s->sealed_records = n;
	s->sealed_seconds = now_mono() - t0;
	return 0;
}

int store_meta_open(struct store *s, MDB_txn *txn, char *err, size_t errlen)
{
	MDB_val k = schema_key, v;
	int rc = mdb_get(txn, s->meta, &k, &v);
	if (rc == MDB_NOTFOUND && !s->read_only && !s->dir_held)
		return create_meta(s, txn, err, errlen);
	if (rc == MDB_NOTFOUND) {
		snprintf(err, errlen, "store is empty (no schema version)");
		return s->read_only ? LT_ESCHEMA : LT_ECORRUPT;
	}
	if (rc) {
		snprintf(err, errlen, "cannot read store metadata: %s", mdb_strerror(rc));
		return lt_from_mdb(rc);
	}
	const uint8_t *p = v.mv_data;
	unsigned ver = v.mv_size == 4 && !p[1] && !p[2] && !p[3] ? p[0] : 0;
	if (ver < 1 || ver > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "store schema version %u, this lawtally reads version %d",
			 v.mv_size == 4 ? (unsigned)p[0] : 0u, STORE_SCHEMA_VERSION);
		return LT_ESCHEMA;
	}
	s->schema = ver;
	s->sealed = ver >= 3;
	int lrc = check_identity(s, txn, err, errlen);
	if (!lrc)
		lrc = check_zone(s, txn, err, errlen);
	if (lrc || ver == STORE_SCHEMA_VERSION)
		return lrc;
	/* read-only, a store of schema 2 reads as it was written, unsealed */
	if (s->read_only && (ver == 2 || s->old_schema_ok))
		return 0;
	if (s->read_only) {
		snprintf(err, errlen, "store schema version 1 (one id index for all senders): "
				      "lawtallyd migrates it to version %d when it starts on it",
			 STORE_SCHEMA_VERSION);
		return LT_ESCHEMA;
	}
	if (ver == 1)
		lrc = migrate_1_to_2(s, txn, err, errlen);
	return lrc ? lrc : migrate_2_to_3(s, txn, err, errlen);
}
