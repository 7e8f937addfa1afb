/*
 * querysock.h - the ZeroMQ query endpoint: QueryRequest -> QueryReply.
 *
 * A ROUTER socket answers DEALER or REQ clients from read transactions.
 * Each pass answers a bounded number of queries and yields to the loop,
 * so queries cannot starve ingest.
 */
#ifndef LAWTALLY_QUERYSOCK_H
#define LAWTALLY_QUERYSOCK_H

#include <event2/event.h>

#include "metrics.h"
#include "store.h"
#include "villages.h"

struct querysock;
struct auth;

/*
 * Binds endpoint and joins the loop. With auth (auth.h; NULL when auth is
 * off) the socket is a CURVE server and only office keys get answers.
 * Returns 0, or an LT_E* code with a line in err.
 */
int querysock_start(struct querysock **out, struct event_base *base, void *zctx,
		    const char *endpoint, int hwm, struct store *store,
		    const struct villages *villages, struct metrics *metrics,
		    struct auth *auth, char *err, size_t errlen);
const char *querysock_endpoint(const struct querysock *q);
void querysock_set_villages(struct querysock *q, const struct villages *villages);

/* Answers QueryRequest.view from office (office.h), which must outlive q. */
struct office;
void querysock_set_office(struct querysock *q, struct office *office);
void querysock_close(struct querysock **q);

#endif
