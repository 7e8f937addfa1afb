/*
 * desk.h - the village desk: a page in Chinese where a mediator records
 * the centre's work on its own PC, served by `lawtally agent` on loopback
 * (libevent's evhttp on the agent's event loop).
 *
 * Records are checked by the daemon's own rules and committed to the
 * spool before the page says 已保存, so the desk works while the township
 * is out of reach; the agent's forwarder delivers them, and the page shows
 * each record's state (queued, delivered, rejected with the reason) from
 * the spool and the link's state from the forwarder (struct desk_link).
 */
#ifndef LAWTALLY_DESK_H
#define LAWTALLY_DESK_H

#include <stdatomic.h>
#include <event2/event.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "spool.h"
#include "villages.h"

#define DESK_DEFAULT_LISTEN "127.0.0.1:8571"
#define DESK_TIMEOUT_S 30
#define DESK_HEADERS_MAX 8192

/* The link to the township as the forwarder last saw it. */
enum desk_link_state {
	DESK_LINK_UNKNOWN,  /* not tried yet */
	DESK_LINK_UP,       /* the last flush emptied the queue */
	DESK_LINK_DOWN,     /* the township did not answer; retrying */
	DESK_LINK_WAITING,  /* another process holds the spool's sender lock */
};

/*
 * Shared by the forwarder (which writes it) and the desk (which reads it,
 * and wakes the forwarder when a record is saved). Initialise with
 * desk_link_init(); every access to the state takes mu.
 */
struct desk_link {
	pthread_mutex_t mu;
	int wake_fd;                  /* an eventfd: a record was saved, try now */
	enum desk_link_state state;
	char error[200];              /* why it is down or waiting */
	int64_t since;                /* when the state began, unix seconds */
};

void desk_link_init(struct desk_link *l);
void desk_link_destroy(struct desk_link *l);

/* Sets the state (error may be NULL); since changes only with the state. */
void desk_link_set(struct desk_link *l, enum desk_link_state state, const char *error);

/* Wakes desk_link_nap() at once: something new waits to be sent. */
void desk_link_kick(struct desk_link *l);

/*
 * Sleeps up to ms milliseconds, or until a kick; looks at *stop at least
 * every 100 ms. Returns 1 if kicked (the kick is taken), else 0.
 */
int desk_link_nap(struct desk_link *l, long ms, const atomic_int *stop);

struct desk;

struct desk_config {
	const char *listen;               /* "127.0.0.1:8571": loopback only */
	const char *village;              /* the centre's village code */
	const char *source;               /* the events' sender name */
	const struct villages *villages;
	const char *endpoint;             /* the township's, for the page */
};

/*
 * Serves the desk on base. sp and link must outlive it. Returns 0, or
 * LT_EINVAL (a listen address off loopback, an unknown village) or
 * LT_ESYS (cannot listen) with a line in err.
 */
int desk_start(struct desk **out, struct event_base *base, struct spool *sp,
	       struct desk_link *link, const struct desk_config *c, char *err, size_t errlen);

/* "127.0.0.1:8571" with the port actually bound. */
const char *desk_address(const struct desk *d);

void desk_close(struct desk **d);

#endif
