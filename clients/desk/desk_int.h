/*
 * desk_int.h - what the parts of the desk's request handling share:
 * desk_api.c (checks, routing, answers), desk_view.c (listing records and
 * open cases), desk_save.c (saving records, corrections, ledgers).
 */
#ifndef LAWTALLY_DESK_INT_H
#define LAWTALLY_DESK_INT_H

#include <jansson.h>

#include "desk_api.h"
#include "desk_record.h"

struct desk_api {
	struct desk_api_config c;
	struct desk_who who;
	char hosts[3][64];  /* the Host values that name the desk */
};

/* Answers status with obj as JSON (obj is taken). */
void desk_reply_json(struct desk_response *rs, int status, json_t *obj);

/* Answers status with {"error": message[, "field": field, "detail": detail]}. */
void desk_reply_error(struct desk_response *rs, int status, const char *message,
		      const char *field, const char *detail);

/* The local day number (days since 1970-01-01 in the township's zone) of unix time t. */
int64_t desk_local_day(int64_t t);

/* Handlers (desk_view.c, desk_save.c). */
void desk_get_records(struct desk_api *a, int64_t now, struct desk_response *rs);
void desk_get_cases(struct desk_api *a, struct desk_response *rs);
void desk_post_record(struct desk_api *a, const struct desk_request *rq, int64_t now,
		      struct desk_response *rs);
/* what: "correct" or "retract" */
void desk_post_change(struct desk_api *a, const struct desk_request *rq, uint64_t seq,
		      const char *what, int64_t now, struct desk_response *rs);
void desk_post_ledger(struct desk_api *a, const struct desk_request *rq, int64_t now,
		      struct desk_response *rs);

/* A set of event ids, sorted once filled (desk_view.c). */
struct desk_ids {
	uint8_t (*id)[16];
	size_t n, cap;
};
void desk_ids_add(struct desk_ids *s, const uint8_t *id);
void desk_ids_sort(struct desk_ids *s);
int desk_ids_has(const struct desk_ids *s, const uint8_t *id);
void desk_ids_free(struct desk_ids *s);

/*
 * Every id the spool holds that is not rejected (into all, when not NULL)
 * and every id a retraction that is not rejected withdraws (into
 * retracted, when not NULL); both sorted. Returns 0 or an LT_E* code.
 */
int desk_spool_ids(struct spool *sp, struct desk_ids *all, struct desk_ids *retracted);

#endif
