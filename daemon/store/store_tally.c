/*
 * store_tally.c - an event's fact into the batch's deltas: a fact that
 * stands alone contributes by itself; one of a case through its case
 * record, read and put back in the batch's transaction (see store_int.h),
 * the case's contribution after minus before. store_prepare works out on
 * the loop thread what needs nothing stored. At a county, an event with a
 * township changes that township's totals too (store_county.c): td below.
 */
#include <string.h>

#include "err.h"
#include "store.h"
#include "store_int.h"

/* Loads a case's facts; a missing case is empty. Returns an MDB code. */
static int case_load(struct store *s, MDB_txn *txn, const uint8_t *key, size_t klen,
		     struct tally_fact *facts, size_t *n)
{
	MDB_val k = {klen, (void *)key}, v;
	*n = 0;
	int rc = store_get(s, s->cases_cur, txn, s->cases, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	return tally_facts_decode(v.mv_data, v.mv_size, facts, n) ? MDB_CORRUPTED : 0;
}

/*
 * Puts the case back through the cursor case_load left on it: found (a
 * case that had facts), rewritten or deleted where it is, else inserted.
 */
static int case_save(struct store *s, const uint8_t *key, size_t klen, int found,
		     const struct tally_fact *facts, size_t n)
{
	MDB_val k = {klen, (void *)key};
	if (n == 0)
		return found ? mdb_cursor_del(s->cases_cur, 0) : 0;
	size_t vlen = tally_facts_encoded_len(n);
	MDB_val v = {vlen + RECORD_SEAL_LEN, NULL};
	int rc = mdb_cursor_put(s->cases_cur, &k, &v, MDB_RESERVE | (found ? MDB_CURRENT : 0));
	if (!rc) {
		tally_facts_encode(facts, n, v.mv_data);
		record_seal(&k, v.mv_data, vlen);
	}
	return rc;
}

/* The batch's deltas of an event's township (at a county), or NULL for none. */
static struct tally_deltas *township_deltas(struct store *s, const char *township)
{
	return township[0] ? store_county_deltas(&s->county, township) : NULL;
}

/*
 * Adds (sign +1) or removes (sign -1) fact f of the case under key: the
 * case's contribution before and after is diffed into the batch's deltas,
 * and into td too when not NULL. *full is set (and nothing written) when
 * the case already holds the maximum of events.
 */
static int tally_case(struct store *s, MDB_txn *txn, const struct tally_fact *f,
		      const uint8_t *key, size_t klen, int sign, struct tally_deltas *td,
		      int *full)
{
	struct tally_fact before[TALLY_CASE_FACTS_MAX], after[TALLY_CASE_FACTS_MAX];
	size_t nb, na;
	int rc = case_load(s, txn, key, klen, before, &nb), found = nb > 0;
	if (rc)
		return rc;
	memcpy(after, before, nb * sizeof(before[0]));
	na = nb;
	if (sign > 0) {
		if (tally_facts_insert(after, &na, f) == LT_EFULL) {
			*full = 1;
			return 0;
		}
	} else if (tally_facts_remove(after, &na, f->id) != 0) {
		return MDB_CORRUPTED; /* the case lost track of a stored event */
	}
	tally_contrib(before, nb, -1, &s->deltas);
	tally_contrib(after, na, +1, &s->deltas);
	if (td) {
		tally_contrib(before, nb, -1, td);
		tally_contrib(after, na, +1, td);
	}
	return case_save(s, key, klen, found, after, na);
}

int store_tally_event(struct store *s, MDB_txn *txn, const Lawtally__V1__Event *e,
		       int sign, int *full)
{
	struct tally_fact f;
	*full = 0;
	if (tally_fact_from_event(e, s->tz_offset, &f))
		return MDB_CORRUPTED;
	struct tally_deltas *td = township_deltas(s, e->township);
	if (!tally_kind_has_cases(f.kind)) {
		tally_contrib(&f, 1, sign, &s->deltas);
		if (td)
			tally_contrib(&f, 1, sign, td);
		return 0;
	}
	uint8_t key[TALLY_CASE_KEY_MAX];
	size_t klen = tally_case_key(e, key);
	return tally_case(s, txn, &f, key, klen, sign, td, full);
}

int store_tally_prepared(struct store *s, MDB_txn *txn, const struct store_prep *p,
			 const char *township, int *full)
{
	*full = 0;
	if (!p->fact_ok)
		return MDB_CORRUPTED;
	struct tally_deltas *td = township_deltas(s, township);
	if (p->caselen)
		return tally_case(s, txn, &p->fact, p->casekey, p->caselen, +1, td, full);
	if (!p->counted)
		tally_contrib(&p->fact, 1, +1, &s->deltas);
	if (td)
		tally_contrib(&p->fact, 1, +1, td); /* never counted ahead (store_prepare) */
	return 0;
}

void store_prepare(const struct store *s, const Lawtally__V1__Event *e, struct store_prep *p,
		   struct tally_deltas *counted)
{
	p->idlen = (uint8_t)store_id_key(e, p->idkey);
	p->caselen = p->counted = p->fact_ok = 0;
	if (e->body_case == LAWTALLY__V1__EVENT__BODY_RETRACTION)
		return; /* its work is the withdrawn event's, read in the batch */
	p->fact_ok = tally_fact_from_event(e, s->tz_offset, &p->fact) == 0;
	if (!p->fact_ok)
		return;
	if (tally_kind_has_cases(p->fact.kind)) {
		p->caselen = (uint8_t)tally_case_key(e, p->casekey);
	} else if (p->idlen && !e->township[0]) {
		/*
		 * Counted ahead only with no township: a township's event (at a
		 * county) changes its township's totals too, which the writer
		 * adds in the batch (store_tally_prepared), the county's with them.
		 */
		tally_contrib(&p->fact, 1, +1, counted);
		p->counted = 1;
	}
}
